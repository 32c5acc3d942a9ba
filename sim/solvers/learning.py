r"""Learning dynamics on bimatrix games, run through nashpy.

Fictitious play (Brown 1951; Fudenberg & Levine 1998, ch. 2)
    Each round both players play a pure best reply to the empirical frequencies
    of the opponent's past play. Beliefs start uniform: every strategy has one
    fictitious past play. nashpy breaks ties between best replies uniformly at
    random with NumPy's legacy global generator; to make a run reproducible from
    ``seed`` without disturbing other users of that generator, its state is seeded
    from ``np.random.default_rng(seed)`` for the duration of the call and then
    restored (so a run is not thread-safe). The result is the empirical mix of the
    actual plays, the fictitious initial plays excluded.

Replicator dynamics (Taylor & Jonker 1978; Hofbauer & Sigmund 1998)
    For a bimatrix game, two populations evolve by
    :math:`\dot x_i = x_i ((A y)_i - x^\top A y)` and
    :math:`\dot y_j = y_j ((x^\top B)_j - x^\top B y)`
    (``nashpy.Game.asymmetric_replicator_dynamics``, Accinelli & Sánchez Carrera
    2011). For a symmetric game given by one matrix ``A`` (``B = A.T``) a single
    population evolves by :math:`\dot x_i = x_i ((A x)_i - x^\top A x)`
    (``nashpy.Game.replicator_dynamics``); then ``row`` and ``col`` both hold the
    population state. Both start from the uniform mix unless a start is given, and
    are integrated (``scipy.integrate.odeint``) on ``n_points`` equally spaced
    times from 0 to ``t_max``; the result is the state at ``t_max``.

Fictitious play's empirical frequencies converge to equilibrium in zero-sum,
2×2 and potential games, but need not in general (Shapley 1964); replicator
trajectories from an interior start can cycle (matching pennies) or approach a
non-equilibrium boundary point. :func:`nearest_equilibrium` therefore reports an
equilibrium only when the end state is within a tolerance of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .equilibria import _check_game, _check_mix

Array = NDArray[np.float64]

NEAR_TOL = 0.05
"""Default largest distance (max-norm over both mixes) to count as approaching."""


@dataclass(frozen=True, eq=False)
class LearningResult:
    """Outcome of a learning dynamic.

    Attributes
    ----------
    method : str
        ``"fictitious_play"``, ``"replicator"`` or ``"replicator_symmetric"``.
    row, col : ndarray, shapes (m,) and (k,)
        Final mixes: empirical frequencies of play (fictitious play) or the
        population state at the last time point (replicator dynamics).
    row_path, col_path : ndarray, shapes (T, m) and (T, k)
        The same quantities at every step (fictitious play: after each round;
        replicator: at each time point).
    """

    method: str
    row: Array
    col: Array
    row_path: Array
    col_path: Array


@contextmanager
def _seeded_legacy_random(seed: int | np.random.Generator | None) -> Iterator[None]:
    """Seed NumPy's legacy global generator from ``default_rng(seed)``, restore it after."""
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(int(np.random.default_rng(seed).integers(2**32)))  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def fictitious_play(
    A: ArrayLike,
    B: ArrayLike,
    iterations: int = 2000,
    seed: int | np.random.Generator | None = 0,
) -> LearningResult:
    """Run fictitious play from uniform beliefs with ``nashpy.Game.fictitious_play``.

    Parameters
    ----------
    A, B : array_like, shape (m, k)
        Row and column player's payoffs.
    iterations : int, default 2000
        Number of rounds (at least 1).
    seed : int, Generator or None, default 0
        Seed for the random tie-breaking between best replies.

    Returns
    -------
    LearningResult
        ``row`` (m,) and ``col`` (k,) are the empirical frequencies of play over the
        rounds; the paths have shape (iterations, m) and (iterations, k).
    """
    A_arr, B_arr = _check_game(A, B, 2)
    if int(iterations) < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    start = [np.ones(A_arr.shape[0]), np.ones(A_arr.shape[1])]
    with _seeded_legacy_random(seed):
        import nashpy as nash  # imported on use: it pulls in scipy.optimize

        counts = list(nash.Game(A_arr, B_arr).fictitious_play(int(iterations), start))[1:]
    rounds = np.arange(1, len(counts) + 1, dtype=np.float64)[:, None]
    row_path = (np.array([c[0] for c in counts]) - 1.0) / rounds
    col_path = (np.array([c[1] for c in counts]) - 1.0) / rounds
    return LearningResult("fictitious_play", row_path[-1], col_path[-1], row_path, col_path)


def replicator_dynamics(
    A: ArrayLike,
    B: ArrayLike | None = None,
    x0: ArrayLike | None = None,
    y0: ArrayLike | None = None,
    t_max: float = 50.0,
    n_points: int = 1001,
) -> LearningResult:
    """Integrate the replicator dynamics with nashpy from the uniform (or a given) start.

    Parameters
    ----------
    A : array_like, shape (m, k)
        Row player's payoffs.
    B : array_like, shape (m, k), optional
        Column player's payoffs: two-population (asymmetric) dynamics. If omitted,
        ``A`` must be square and the single-population dynamics of the symmetric
        game ``(A, A.T)`` is run.
    x0, y0 : array_like, shapes (m,) and (k,), optional
        Initial mixes (default uniform). ``y0`` is ignored in the symmetric case.
    t_max : float, default 50.0
        Final time.
    n_points : int, default 1001
        Number of time points, 0 and ``t_max`` included.

    Returns
    -------
    LearningResult
        State at ``t_max`` and the paths (n_points, m), (n_points, k).
    """
    A_arr, B_arr = _check_game(A, A if B is None else B, 2)
    m, k = A_arr.shape
    if B is None and m != k:
        raise ValueError(f"the single-population dynamics needs a square A, got {A_arr.shape}")
    if not (t_max > 0.0 and int(n_points) >= 2):
        raise ValueError("t_max must be positive and n_points at least 2")
    x = _check_mix("x0", np.full(m, 1.0 / m) if x0 is None else x0, m)
    y = _check_mix("y0", np.full(k, 1.0 / k) if y0 is None else y0, k)
    times = np.linspace(0.0, float(t_max), int(n_points))
    import nashpy as nash  # imported on use: it pulls in scipy.optimize

    if B is None:
        xs = nash.Game(A_arr).replicator_dynamics(y0=x, timepoints=times)
        return LearningResult("replicator_symmetric", xs[-1], xs[-1], xs, xs)
    xs, ys = nash.Game(A_arr, B_arr).asymmetric_replicator_dynamics(x0=x, y0=y, timepoints=times)
    return LearningResult("replicator", xs[-1], ys[-1], xs, ys)


def nearest_equilibrium(
    result: LearningResult,
    equilibria: Sequence[tuple[ArrayLike, ArrayLike]],
    tol: float = NEAR_TOL,
) -> int | None:
    """Index of the equilibrium the dynamics end closest to, if within ``tol``.

    Parameters
    ----------
    result : LearningResult
        Output of :func:`fictitious_play` or :func:`replicator_dynamics`.
    equilibria : sequence of (array_like (m,), array_like (k,))
        Candidate equilibria, e.g. from :func:`sim.solvers.equilibria.all_equilibria`.
    tol : float, default 0.05
        Largest distance, ``max(|x - x*|_inf, |y - y*|_inf)``, that counts.

    Returns
    -------
    int or None
        Index into ``equilibria`` of the closest one within ``tol`` (the first on
        ties), or None if there is none.
    """
    best, best_dist = None, float(tol)
    for i, (x, y) in enumerate(equilibria):
        x_arr, y_arr = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x_arr.shape != result.row.shape or y_arr.shape != result.col.shape:
            raise ValueError(f"equilibrium {i} has shapes {x_arr.shape}, {y_arr.shape}")
        dist = max(np.abs(x_arr - result.row).max(), np.abs(y_arr - result.col).max())
        if dist <= best_dist and (best is None or dist < best_dist):
            best, best_dist = i, float(dist)
    return best
