r"""The negotiating-posture game: a bimatrix game built from the payoff model.

Each government picks a posture (Japan: insist on four, two first, shelve, aid
first; Russia: refuse, offer two, offer two plus, cooperate only — see
``sim/data/postures.toml``); the outcome table maps every pair to a deal, and each
side's payoff for the pair is its utility for that deal from the payoff model. So
:math:`A_{ij} = u_J(\text{cell}_{ij})` and :math:`B_{ij} = u_R(\text{cell}_{ij})`.

Outcome tables repeat deals, so these games are usually degenerate: every extreme
equilibrium is found with :func:`sim.solvers.equilibria.all_equilibria`. For each
equilibrium :math:`(x, y)` the probability of deal :math:`d` is
:math:`\sum_{ij} x_i y_j [\text{cell}_{ij} = d]`. Evolutionary stability applies only
to symmetric games, which a posture game (different postures for each side) is
not; it is reported as not applicable. "Which deal holds up" should not rest on
one equilibrium pick, so learning dynamics are run too — fictitious play (Brown
1951) and two-population replicator dynamics (Taylor & Jonker 1978), both from
uniform mixes — and the equilibrium they approach, if any, is reported.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.postures import PostureTable
from sim.solvers import equilibria, learning

Array = NDArray[np.float64]


@dataclass(frozen=True)
class PostureEquilibrium:
    """One extreme Nash equilibrium of the posture game.

    Attributes
    ----------
    japan, russia : ndarray, shapes (m,) and (k,)
        Mixed postures of Japan (rows) and Russia (columns).
    payoff : ndarray, shape (2,)
        Expected utilities of Japan and Russia.
    deal_probability : ndarray, shape (D,)
        Probability of each deal of the table's deal set.
    pure, strict : bool
    """

    japan: Array
    russia: Array
    payoff: Array
    deal_probability: Array
    pure: bool
    strict: bool


@dataclass(frozen=True)
class PostureResult:
    """The posture game of one parameter draw and everything found about it.

    Attributes
    ----------
    table : PostureTable
    japan_payoff, russia_payoff : ndarray, shape (m, k)
        The bimatrix game ``A``, ``B``.
    equilibria : tuple of PostureEquilibrium
        Every extreme equilibrium.
    fictitious_play, replicator : learning.LearningResult
        Learning dynamics from uniform mixes (computed when first asked for).
    fictitious_play_limit, replicator_limit : int or None
        Index of the equilibrium each dynamic approaches, if any.
    seed : int
        Seed of fictitious play's tie-breaking.
    """

    table: PostureTable
    japan_payoff: Array
    russia_payoff: Array
    equilibria: tuple[PostureEquilibrium, ...]
    seed: int = 0

    @functools.cached_property
    def fictitious_play(self) -> learning.LearningResult:
        return learning.fictitious_play(self.japan_payoff, self.russia_payoff, seed=self.seed)

    @functools.cached_property
    def replicator(self) -> learning.LearningResult:
        return learning.replicator_dynamics(self.japan_payoff, self.russia_payoff)

    @property
    def _profiles(self) -> list[tuple[Array, Array]]:
        return [(e.japan, e.russia) for e in self.equilibria]

    @functools.cached_property
    def fictitious_play_limit(self) -> int | None:
        return learning.nearest_equilibrium(self.fictitious_play, self._profiles)

    @functools.cached_property
    def replicator_limit(self) -> int | None:
        return learning.nearest_equilibrium(self.replicator, self._profiles)

    @property
    def evolutionarily_stable(self) -> str:
        """Why evolutionary stability is not reported: it needs a symmetric game."""
        return "not applicable: the posture game is not symmetric"


def game_matrices(utility: Array, table: PostureTable) -> tuple[Array, Array]:
    """Payoff matrices of the posture game for ``N`` draws.

    Parameters
    ----------
    utility : ndarray, shape (N, D, 2)
        Utilities of the table's deals (``table.deals``) for Japan and Russia.
    table : PostureTable

    Returns
    -------
    A, B : ndarray, shape (N, m, k)
        Japan's and Russia's payoff for every pair of postures.
    """
    return utility[:, table.cells, 0], utility[:, table.cells, 1]


def deal_probabilities(x: Array, y: Array, table: PostureTable) -> Array:
    """Probability of each deal under the mixed postures ``x``, ``y``, shape ``(D,)``."""
    cell_probability = np.outer(x, y).ravel()
    counts = np.bincount(table.cells.ravel(), weights=cell_probability, minlength=len(table.deals))
    return counts.astype(np.float64)


def solve_posture(utility: Array, table: PostureTable, *, seed: int = 0) -> PostureResult:
    """Every equilibrium of one draw's posture game, and where learning leads.

    Parameters
    ----------
    utility : ndarray, shape (D, 2)
        Utilities of ``table.deals`` for Japan and Russia in one draw.
    table : PostureTable
    seed : int
        Seed of fictitious play's tie-breaking.
    """
    A, B = (m[0] for m in game_matrices(np.asarray(utility)[None], table))
    profiles = equilibria.all_equilibria(A, B)
    described = equilibria.describe_equilibria(A, B, profiles)
    found = tuple(
        PostureEquilibrium(
            japan=e.row,
            russia=e.col,
            payoff=np.array([e.payoff_row, e.payoff_col]),
            deal_probability=deal_probabilities(e.row, e.col, table),
            pure=e.pure,
            strict=e.strict,
        )
        for e in described
    )
    return PostureResult(table=table, japan_payoff=A, russia_payoff=B, equilibria=found, seed=seed)


@dataclass(frozen=True)
class BatchPostureResult:
    """The posture game over ``N`` draws: equilibrium counts and deal probabilities.

    Attributes
    ----------
    n_equilibria : ndarray of int, shape (N,)
        Number of extreme equilibria in each draw.
    pure : ndarray of bool, shape (N, m, k)
        Pure equilibrium cells.
    mean_deal_probability : ndarray, shape (N, D)
        Probability of each deal averaged over the draw's extreme equilibria (each
        equilibrium weighted equally: no equilibrium pick).
    """

    n_equilibria: NDArray[np.intp]
    pure: NDArray[np.bool_]
    mean_deal_probability: Array


def batch_posture(utility: Array, table: PostureTable) -> BatchPostureResult:
    """Solve the posture game in every draw (``utility`` of shape ``(N, D, 2)``)."""
    A, B = game_matrices(np.asarray(utility), table)
    flat = equilibria.batch_equilibria_flat(A, B)
    onehot = np.eye(len(table.deals))[table.cells]  # (m, k, D)
    per_equilibrium = np.einsum("ei,ej,ijd->ed", flat.row, flat.col, onehot)
    counts = flat.counts()
    total = np.zeros((flat.n_games, len(table.deals)))
    np.add.at(total, flat.game, per_equilibrium)
    return BatchPostureResult(
        n_equilibria=counts.astype(np.intp),
        pure=equilibria.batch_pure_equilibria(A, B),
        mean_deal_probability=total / np.maximum(counts, 1)[:, None],
    )
