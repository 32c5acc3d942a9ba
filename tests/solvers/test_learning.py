"""Learning dynamics: convergence on textbook games, reproducibility, nearest equilibrium."""

from __future__ import annotations

import numpy as np
import pytest

from sim.solvers.equilibria import all_equilibria
from sim.solvers.learning import (
    LearningResult,
    fictitious_play,
    nearest_equilibrium,
    replicator_dynamics,
)

PENNIES_A = np.array([[1.0, -1.0], [-1.0, 1.0]])
DILEMMA_A = np.array([[3.0, 0.0], [5.0, 1.0]])  # (cooperate, defect); B = A.T
SEXES_A = np.array([[2.0, 0.0], [0.0, 1.0]])
SEXES_B = np.array([[1.0, 0.0], [0.0, 2.0]])
HAWK_DOVE = np.array([[-1.0, 2.0], [0.0, 1.0]])  # V = 2, C = 4


def index_of(equilibria, x, y):
    """Index of the equilibrium equal to (x, y), located by its closed-form value."""
    hits = [
        i
        for i, (u, v) in enumerate(equilibria)
        if np.allclose(u, x, atol=1e-9) and np.allclose(v, y, atol=1e-9)
    ]
    assert len(hits) == 1
    return hits[0]


def test_fictitious_play_matching_pennies_approaches_the_mixed_equilibrium():
    # Zero-sum game: empirical frequencies converge to the equilibrium (Robinson 1951).
    result = fictitious_play(PENNIES_A, -PENNIES_A, iterations=4000, seed=1)
    assert result.method == "fictitious_play"
    assert np.allclose(result.row, 0.5, atol=0.05) and np.allclose(result.col, 0.5, atol=0.05)
    assert result.row_path.shape == (4000, 2) and result.col_path.shape == (4000, 2)
    assert np.allclose(result.row_path.sum(axis=1), 1.0)
    eqs = all_equilibria(PENNIES_A, -PENNIES_A)
    assert nearest_equilibrium(result, eqs) == index_of(eqs, [0.5, 0.5], [0.5, 0.5])


def test_fictitious_play_prisoners_dilemma_always_defects():
    # Defection strictly dominates, so it is the unique best reply every round.
    result = fictitious_play(DILEMMA_A, DILEMMA_A.T, iterations=50)
    assert np.array_equal(result.row, [0.0, 1.0]) and np.array_equal(result.col, [0.0, 1.0])


def test_fictitious_play_is_reproducible_and_restores_global_state():
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    first = fictitious_play(np.ones((3, 3)), np.ones((3, 3)), iterations=200, seed=42)
    after = np.random.get_state()[1]  # noqa: NPY002
    assert np.array_equal(before, after)
    again = fictitious_play(np.ones((3, 3)), np.ones((3, 3)), iterations=200, seed=42)
    other = fictitious_play(np.ones((3, 3)), np.ones((3, 3)), iterations=200, seed=7)
    assert np.array_equal(first.row_path, again.row_path)
    assert not np.array_equal(first.row_path, other.row_path)  # all ties: choices are random


def test_replicator_prisoners_dilemma_goes_to_defection():
    result = replicator_dynamics(DILEMMA_A, DILEMMA_A.T, t_max=40.0)
    assert result.method == "replicator"
    assert result.row[1] > 0.999 and result.col[1] > 0.999
    eqs = all_equilibria(DILEMMA_A, DILEMMA_A.T)
    assert nearest_equilibrium(result, eqs) == index_of(eqs, [0, 1], [0, 1])


def test_replicator_battle_of_the_sexes_selects_by_basin():
    # x = P(row 1), y = P(column 1): dx ~ 3y - 1 and dy ~ 3x - 2, so from (0.8, 0.8)
    # both shares grow and the pure equilibrium (1, 1) is reached.
    result = replicator_dynamics(SEXES_A, SEXES_B, x0=[0.8, 0.2], y0=[0.8, 0.2])
    eqs = all_equilibria(SEXES_A, SEXES_B)
    assert nearest_equilibrium(result, eqs, tol=1e-3) == index_of(eqs, [1, 0], [1, 0])
    assert result.row_path.shape == (1001, 2) and np.allclose(result.row_path[0], [0.8, 0.2])


def test_replicator_matching_pennies_cycles_and_approaches_nothing():
    # The orbits are closed curves x(1-x)y(1-y) = const; from (0.8, 0.5) the constant
    # is 0.04, whose curve stays at max-distance >= 0.22 from the equilibrium.
    result = replicator_dynamics(PENNIES_A, -PENNIES_A, x0=[0.8, 0.2], y0=[0.5, 0.5])
    invariant = (result.row_path[:, 0] * result.row_path[:, 1]) * (
        result.col_path[:, 0] * result.col_path[:, 1]
    )
    assert np.allclose(invariant, 0.04, rtol=1e-3)
    assert nearest_equilibrium(result, all_equilibria(PENNIES_A, -PENNIES_A)) is None


def test_single_population_hawk_dove_reaches_the_ess():
    # Interior ESS p = V / C = 1/2 attracts every interior start (Maynard Smith 1982).
    result = replicator_dynamics(HAWK_DOVE, x0=[0.9, 0.1])
    assert result.method == "replicator_symmetric"
    assert np.allclose(result.row, [0.5, 0.5], atol=1e-4)
    assert np.array_equal(result.row, result.col)


def test_nearest_equilibrium_picks_the_closest_within_tolerance():
    path = np.array([[0.5, 0.5]])
    result = LearningResult("test", np.array([0.5, 0.5]), np.array([0.2, 0.8]), path, path)
    eqs = [([1.0, 0.0], [0.0, 1.0]), ([0.52, 0.48], [0.22, 0.78]), ([0.5, 0.5], [0.21, 0.79])]
    assert nearest_equilibrium(result, eqs) == 2
    assert nearest_equilibrium(result, eqs, tol=0.005) is None
    assert nearest_equilibrium(result, []) is None
    with pytest.raises(ValueError, match="shapes"):
        nearest_equilibrium(result, [([1.0, 0.0, 0.0], [0.0, 1.0])])


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="iterations"):
        fictitious_play(PENNIES_A, -PENNIES_A, iterations=0)
    with pytest.raises(ValueError, match="square"):
        replicator_dynamics(np.ones((2, 3)))
    with pytest.raises(ValueError, match="probability vector"):
        replicator_dynamics(PENNIES_A, -PENNIES_A, x0=[0.9, 0.9])
    with pytest.raises(ValueError, match="same shape"):
        fictitious_play(np.ones((2, 2)), np.ones((2, 3)))
