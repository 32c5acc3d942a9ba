r"""Every extreme Nash equilibrium of a bimatrix game, exact on degenerate games, batched.

Mathematics
-----------
Let :math:`A, B \in \mathbb{R}^{m\times k}` be the payoffs of the row and the column
player. Adding a constant to, or multiplying by a positive number, one player's
payoffs does not change best replies, so each matrix is first mapped affinely onto
:math:`[1, 2]` (a constant matrix onto 1). With positive payoffs the *best-response
polytopes*

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le 1\}, \qquad
    Q = \{y \in \mathbb{R}^k : A y \le 1,\ y \ge 0\}

are bounded. Their :math:`m + k` constraints carry *labels*: in :math:`P`, label
:math:`i < m` is :math:`x_i = 0` and label :math:`m + j` is :math:`(B^\top x)_j = 1`
(column :math:`j` is a best reply to :math:`x`); in :math:`Q`, label :math:`i < m` is
:math:`(A y)_i = 1` (row :math:`i` is a best reply to :math:`y`) and label :math:`m + j`
is :math:`y_j = 0`. A pair :math:`(x, y) \ne (0, 0)` of points of :math:`P \times Q`
is *completely labelled* when the labels of :math:`x` and of :math:`y` together cover
all :math:`m + k` labels; these pairs, rescaled to probability vectors
:math:`x / \mathbf{1}^\top x` and :math:`y / \mathbf{1}^\top y`, are exactly the Nash
equilibria, and the completely labelled pairs of *vertices* are exactly the extreme
equilibria -- the extreme points of the maximal convex subsets (Nash components) of
the equilibrium set. The characterisation holds for degenerate games too, provided
the label set of a vertex is taken as *all* constraints tight at it (a vertex of a
degenerate polytope can have more than :math:`m` tight constraints) and not only the
:math:`m` constraints used to compute it.

The vertices are enumerated by brute force. A nonzero vertex :math:`x` of :math:`P`
with support :math:`I` has tight constraints of rank :math:`m`, so there is a set
:math:`J` of :math:`|I|` columns with :math:`B_{IJ}` nonsingular and
:math:`B_{IJ}^\top x_I = \mathbf{1}`. For every size :math:`s` and every pair
:math:`(I, J)` with :math:`|I| = |J| = s` the system is solved, vectorised over
all systems and all games (Cramer's rule for :math:`s \le 4`, LAPACK beyond); a
determinant of magnitude at most :data:`PIVOT_EPS` marks the system singular and
it is skipped; the
feasible solutions are kept, their full label sets recomputed with the tolerance,
and duplicates (one vertex found from several systems) removed by label set -- a
vertex is the unique point of its polytope with its set of tight constraints. The
zero vertices :math:`x = 0`, :math:`y = 0` are never generated; pairs with one zero
vertex can never be completely labelled except :math:`(0, 0)`. The cost grows like
:math:`\binom{m+k}{m}` systems per polytope, which is what suits the small games of
this package (up to about 8 strategies a player). A single game
(:func:`all_equilibria`) is solved in one pass instead: each candidate system is
padded to full size with the equations :math:`x_i = 0` for :math:`i \notin I`, which
leaves its determinant unchanged up to sign, and all of them are factorised at once.

This is the characterisation behind ``lrsnash`` and Gambit's ``enummixed``:

* D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of
  Nash equilibria for two-player games", *Economic Theory* 42, 9-37.
* B. von Stengel (2002), "Computing equilibria for two-person games", in R. J.
  Aumann and S. Hart (eds.), *Handbook of Game Theory*, vol. 3, ch. 45, 1723-1759.
* O. L. Mangasarian (1964), "Equilibrium points of bimatrix games", *Journal of the
  Society for Industrial and Applied Mathematics* 12, 778-780.

Evolutionary stability follows J. Maynard Smith (1982), *Evolution and the Theory of
Games*, with the finite test of the second-order condition by copositivity
(I. M. Bomze (1992), "Detecting all evolutionarily stable strategies", *Journal of
Optimization Theory and Applications* 75, 313-329; W. Kaplan (2000), "A test for
copositive matrices", *Linear Algebra and its Applications* 313, 203-206).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
Profile = tuple[Array, Array]

TOL = 1e-9
"""Default tolerance, in units of each player's payoff range."""

PIVOT_EPS = 1e-11
"""A linear system whose determinant is at most this in magnitude counts as singular."""

CHUNK_SYSTEMS = 100_000
"""Bound on the number of linear systems (over all games) solved in one pass."""

MAX_CHUNK_GAMES = 20_000
"""Bound on the number of games processed in one pass."""

CRAMER_MAX = 4
"""Largest system solved by Cramer's rule in elementwise array operations (one pass
gives determinant and solution); larger ones go to LAPACK (a determinant and a solve)."""

_MAX_LABELS = 62
_SUPPORT_TOL = 1e-9  # probabilities at most this count as zero in the ESS test


# --------------------------------------------------------------------------- validation


def _as_payoffs(name: str, M: ArrayLike, ndim: int) -> Array:
    """Return ``M`` as a float array of ``ndim`` dimensions, or raise ValueError."""
    arr = np.asarray(M)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if min(arr.shape[-2:], default=0) < 1:
        raise ValueError(f"{name} needs at least one row and one column, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} has non-finite entries (nan or inf)")
    return arr


def _check_game(A: ArrayLike, B: ArrayLike, ndim: int) -> tuple[Array, Array]:
    """Validate a (stack of) bimatrix game(s); return float arrays."""
    A_arr = _as_payoffs("A", A, ndim)
    B_arr = _as_payoffs("B", B, ndim)
    if A_arr.shape != B_arr.shape:
        raise ValueError(f"A and B must have the same shape, got {A_arr.shape} and {B_arr.shape}")
    if sum(A_arr.shape[-2:]) > _MAX_LABELS:
        raise ValueError(f"games with more than {_MAX_LABELS} strategies in all are not supported")
    return A_arr, B_arr


def _check_tol(tol: float) -> float:
    tol = float(tol)
    if not (np.isfinite(tol) and tol >= 0.0):
        raise ValueError(f"tol must be a finite non-negative number, got {tol}")
    return tol


def _check_mix(name: str, x: ArrayLike, n: int) -> Array:
    """Validate a mixed strategy over ``n`` pure strategies (tolerance 1e-8)."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    if not np.isfinite(arr).all() or arr.min() < -1e-8 or abs(arr.sum() - 1.0) > 1e-8:
        raise ValueError(f"{name} must be a probability vector, got {arr}")
    return arr


# --------------------------------------------------------------------------- kernel


def _rescale(M: Array) -> Array:
    """Map each game's matrix (last two axes) affinely onto [1, 2]; constants onto 1.

    The matrix is first divided by a power of two at least its largest magnitude (exact
    in floating point), so that the span of payoffs near the float limit (±1e308)
    cannot overflow.
    """
    big = np.abs(M).max(axis=(-2, -1), keepdims=True)
    _, exponent = np.frexp(np.where(big > 0.0, big, 1.0))  # big < 2**exponent
    M = np.ldexp(M, -exponent)
    lo = M.min(axis=(-2, -1), keepdims=True)
    span = M.max(axis=(-2, -1), keepdims=True) - lo
    return 1.0 + (M - lo) / np.where(span > 0.0, span, 1.0)


def _solve_general(M: Array) -> tuple[Array, BoolArray]:
    """Solve ``M[n] z[n] = 1`` for square systems M (N, s, s) with LAPACK.

    Systems with |det| at most :data:`PIVOT_EPS` are marked singular (and solved as
    the identity). Returns solutions (N, s) and the nonsingular mask (N,).
    """
    ok = np.abs(np.linalg.det(M)) > PIVOT_EPS
    M = np.where(ok[:, None, None], M, np.eye(M.shape[-1]))
    z = np.asarray(np.linalg.solve(M, np.ones(M.shape[:2] + (1,)))[..., 0], dtype=np.float64)
    return z, ok


@lru_cache(maxsize=64)
def _combos(n: int, s: int) -> IntArray:
    """All s-subsets of range(n) as rows of an int array (C(n, s), s)."""
    return np.array(list(combinations(range(n), s)), dtype=np.int64).reshape(-1, s)


@lru_cache(maxsize=64)
def _candidate_sets(d: int, c: int, s: int) -> tuple[IntArray, IntArray]:
    """Supports I (K, s) and tight sets J (K, s) of all K = C(d, s) C(c, s) pairs."""
    supports, tight = _combos(d, s), _combos(c, s)
    return np.repeat(supports, len(tight), axis=0), np.tile(tight, (len(supports), 1))


def _total(terms: Iterable[Array]) -> Array:
    """Elementwise sum of a nonempty sequence of equally shaped arrays."""
    it = iter(terms)
    acc = np.array(next(it), dtype=np.float64)
    for term in it:
        acc += term
    return acc


def _cramer(S: list[list[Array]]) -> tuple[list[Array], BoolArray]:
    """Solve ``z^T S = 1`` for s <= 4, entries ``S[p][q]`` given as arrays of equal shape.

    Cramer's rule: ``z_p = det(S with row p replaced by ones) / det(S)``, the
    numerator being the sum of row p of the cofactor matrix. For s = 4 the cofactors
    and the determinant come from the twelve 2 x 2 minors of rows (0, 1) and of rows
    (2, 3) (Laplace expansion by complementary minors). Returns the components
    ``z_p`` and the mask |det| > :data:`PIVOT_EPS`.
    """
    s = len(S)
    if s == 1:
        cof = [[np.ones_like(S[0][0])]]
    elif s == 2:
        cof = [[S[1][1], -S[1][0]], [-S[0][1], S[0][0]]]
    elif s == 3:
        cof = [
            [
                S[(p + 1) % 3][(q + 1) % 3] * S[(p + 2) % 3][(q + 2) % 3]
                - S[(p + 1) % 3][(q + 2) % 3] * S[(p + 2) % 3][(q + 1) % 3]
                for q in range(3)
            ]
            for p in range(3)
        ]
    else:
        cof = _cofactors_4(S)
    det = _total(S[0][q] * cof[0][q] for q in range(s))
    ok = np.abs(det) > PIVOT_EPS
    inv = 1.0 / np.where(ok, det, 1.0)
    return [_total(cof[p]) * inv for p in range(s)], ok


def _cofactors_4(a: list[list[Array]]) -> list[list[Array]]:
    """The cofactor matrix of a 4 x 4 matrix given entry by entry, from 2 x 2 minors."""

    def minor(r: int, c0: int, c1: int) -> Array:  # rows r, r + 1; columns c0, c1
        return np.asarray(a[r][c0] * a[r + 1][c1] - a[r][c1] * a[r + 1][c0])

    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    top = {cols: minor(0, *cols) for cols in pairs}
    low = {cols: minor(2, *cols) for cols in pairs}
    cof: list[list[Array]] = [[np.empty(0)] * 4 for _ in range(4)]
    for p in range(4):
        minors = low if p < 2 else top
        other = 1 - p if p < 2 else 5 - p  # the other row of p's pair
        for q in range(4):
            # The 3 x 3 minor without row p and column q, expanded along row `other`
            # (first or last of the three rows left, so of sign +1): its entries times
            # the complementary 2 x 2 minors of the other pair of rows.
            c0, c1, c2 = (c for c in range(4) if c != q)
            terms = (
                a[other][c0] * minors[c1, c2],
                -a[other][c1] * minors[c0, c2],
                a[other][c2] * minors[c0, c1],
            )
            cof[p][q] = (-1) ** (p + q) * _total(terms)
    return cof


def _solve_candidates(C: Array, s: int) -> tuple[list[Array], BoolArray, IntArray]:
    """Solve ``z_I^T C[I, J] = 1`` for a stack C (G, d, c) and all pairs (I, J) of s-sets.

    Returns the components ``z_p`` (each (G, K)), the nonsingular mask (G, K) and
    the supports I (K, s). For s = 1 the only candidate on axis i is
    ``1 / max_j C[i, j]`` (the others violate a constraint), so K = d.
    """
    G, d, c = C.shape
    if s == 1:
        return [1.0 / C.max(axis=2)], np.ones((G, d), dtype=bool), np.arange(d)[:, None]
    supp, tight = _candidate_sets(d, c, s)
    flat = C.reshape(G, d * c)
    S = [[flat[:, supp[:, p] * c + tight[:, q]] for q in range(s)] for p in range(s)]
    if s <= CRAMER_MAX:
        z, ok = _cramer(S)
        return z, ok, supp
    M = np.stack([np.stack(row, axis=-1) for row in S], axis=-1)  # (G, K, q, p) = S^T
    zs, ok = _solve_general(M.reshape(-1, s, s))
    zs = zs.reshape(G, len(supp), s)
    return [zs[..., p] for p in range(s)], ok.reshape(G, len(supp)), supp


def _vertices_of_size(C: Array, s: int, tol: float) -> tuple[IntArray, Array, IntArray]:
    """Vertices of {z >= 0 : C^T z <= 1} with support inside an s-set, for a stack C (G, d, c).

    Returns game indices (V,), points (V, d) and label bits (V,): bit i < d for
    ``z_i = 0``, bit d + j for ``(C^T z)_j = 1``; feasible points only, with repeats.
    """
    G, d, c = C.shape
    z, ok, supp = _solve_candidates(C, s)
    flat = C.reshape(G, d * c)
    slack = []
    for j in range(c):
        slack.append(1.0 - _total(z[p] * flat[:, supp[:, p] * c + j] for p in range(s)))
        ok &= slack[j] >= -tol
    for p in range(s):
        ok &= z[p] >= -tol
    idx = np.flatnonzero(ok)
    g, kk = np.divmod(idx, ok.shape[1])
    labels = np.full(len(idx), (1 << d) - 1, dtype=np.int64)
    pts = np.zeros((len(idx), d))
    for p in range(s):
        zp = z[p].ravel()[idx]
        nonzero = np.abs(zp) > tol
        labels ^= nonzero.astype(np.int64) << supp[kk, p]
        pts[np.arange(len(idx)), supp[kk, p]] = np.where(nonzero, zp, 0.0)
    for j in range(c):
        labels |= (np.abs(slack[j].ravel()[idx]) <= tol).astype(np.int64) << (d + j)
    return g, pts, labels


def _polytope_vertices(C: Array, tol: float) -> tuple[IntArray, Array, IntArray]:
    """All nonzero vertices of {z >= 0 : C^T z <= 1} for a stack C (G, d, c), each once.

    Returns game indices, points and label bits (as :func:`_vertices_of_size`),
    sorted by game. A vertex is the only point of the polytope with its label set,
    so repeats are removed by label set.
    """
    parts = [_vertices_of_size(C, s, tol) for s in range(1, min(C.shape[1:]) + 1)]
    g, pts, labels = (np.concatenate(p) for p in zip(*parts, strict=True))
    n_bits = sum(C.shape[1:])
    if int(C.shape[0]).bit_length() + n_bits < 63:
        key = (g << n_bits) | labels
        _, first = np.unique(key, return_index=True)  # sorted by game, then labels
    else:
        order = np.lexsort((labels, g))
        keep = np.ones(len(g), dtype=bool)
        keep[1:] = (g[order][1:] != g[order][:-1]) | (labels[order][1:] != labels[order][:-1])
        first = order[keep]
    return g[first], pts[first], labels[first]


def _ragged_pairs(gx: IntArray, gy: IntArray, n_games: int) -> tuple[IntArray, IntArray]:
    """All index pairs (a, b) with gx[a] == gy[b], for gx and gy sorted by game."""
    cy = np.bincount(gy, minlength=n_games)
    start_y = np.cumsum(cy) - cy
    reps = cy[gx]
    a = np.repeat(np.arange(len(gx)), reps)
    offset = np.arange(len(a)) - np.repeat(np.cumsum(reps) - reps, reps)
    return a, start_y[gx[a]] + offset


def _sorted_unique(g: IntArray, X: Array, Y: Array, tol: float) -> IntArray:
    """Indices ordering profiles by game then lexicographically, near-duplicates dropped."""
    XY = np.concatenate([X, Y], axis=1)
    order = np.lexsort((*np.round(XY, 9).T[::-1], g))
    g, XY = g[order], XY[order]
    keep = np.ones(len(g), dtype=bool)
    keep[1:] = (g[1:] != g[:-1]) | (np.abs(XY[1:] - XY[:-1]).max(axis=1, initial=0.0) > tol)
    return order[keep]


def _extreme_equilibria(A: Array, B: Array, tol: float) -> tuple[IntArray, Array, Array]:
    """Kernel on a validated stack (G, m, k): game indices (E,), row mixes (E, m), cols (E, k)."""
    G, m, k = A.shape
    gx, X, lab_x = _polytope_vertices(_rescale(B), tol)  # P: x >= 0, B^T x <= 1
    gy, Y, lab_y = _polytope_vertices(np.swapaxes(_rescale(A), 1, 2), tol)  # Q: A y <= 1
    lab_y = (lab_y >> k) | ((lab_y & ((1 << k) - 1)) << m)  # to the labels of P
    a, b = _ragged_pairs(gx, gy, G)
    hit = (lab_x[a] | lab_y[b]) == (1 << (m + k)) - 1
    a, b = a[hit], b[hit]
    X = X[a] / X[a].sum(axis=1, keepdims=True)
    Y = Y[b] / Y[b].sum(axis=1, keepdims=True)
    keep = _sorted_unique(gx[a], X, Y, tol)
    return gx[a][keep], X[keep], Y[keep]


@lru_cache(maxsize=64)
def _padded_systems(d: int, c: int) -> tuple[IntArray, Array]:
    """Every candidate vertex of a (d, c) polytope as one d x d system ``M z = b``.

    A candidate with support I and tight columns J (``|I| = |J| = s``, every s) is
    ``C[:, J]^T z = 1`` together with ``z_i = 0`` for i outside I: rows ``J`` of
    ``[C^T; 1_d]`` and rows ``c + i`` (of the identity), so its determinant is
    ``det C[I, J]`` up to sign. Returns the row indices (K, d) into ``[C^T; 1_d]`` and
    the right-hand sides (K, d).
    """
    rows, rhs = [], []
    for s in range(1, min(d, c) + 1):
        for support in combinations(range(d), s):
            outside = [c + i for i in range(d) if i not in support]
            for tight in combinations(range(c), s):
                rows.append([*tight, *outside])
                rhs.append([1.0] * s + [0.0] * (d - s))
    return np.array(rows, dtype=np.int64), np.array(rhs)


def _single_polytope_vertices(C: Array, tol: float) -> tuple[Array, IntArray]:
    """All nonzero vertices of {z >= 0 : C^T z <= 1} for one matrix C (d, c), each once.

    The same vertices and label bits as :func:`_polytope_vertices`, found with one
    batched LAPACK factorisation of every candidate system padded to d x d
    (:func:`_padded_systems`) instead of one pass per support size: fewer, larger
    array operations, which is what a single small game needs.
    """
    d, c = C.shape
    rows, rhs = _padded_systems(d, c)
    M = np.concatenate([C.T, np.eye(d)])[rows]  # (K, d, d)
    ok = np.abs(np.linalg.det(M)) > PIVOT_EPS
    M[~ok] = np.eye(d)
    z = np.linalg.solve(M, rhs[..., None])[..., 0]
    slack = 1.0 - z @ C
    ok &= (z >= -tol).all(axis=1) & (slack >= -tol).all(axis=1)
    z, slack = z[ok], slack[ok]
    zero = np.abs(z) <= tol
    bits = np.concatenate([zero, np.abs(slack) <= tol], axis=1)
    labels = bits.astype(np.int64) @ (np.int64(1) << np.arange(d + c, dtype=np.int64))
    _, first = np.unique(labels, return_index=True)
    return np.where(zero, 0.0, z)[first], labels[first]


def _single_extreme_equilibria(A: Array, B: Array, tol: float) -> tuple[Array, Array]:
    """:func:`_extreme_equilibria` for one validated game (m, k): row mixes, column mixes."""
    m, k = A.shape
    X, lab_x = _single_polytope_vertices(_rescale(B), tol)
    Y, lab_y = _single_polytope_vertices(_rescale(A).T, tol)
    lab_y = (lab_y >> k) | ((lab_y & ((1 << k) - 1)) << m)
    a, b = np.nonzero((lab_x[:, None] | lab_y[None, :]) == (1 << (m + k)) - 1)
    X = X[a] / X[a].sum(axis=1, keepdims=True)
    Y = Y[b] / Y[b].sum(axis=1, keepdims=True)
    keep = _sorted_unique(np.zeros(len(a), dtype=np.int64), X, Y, tol)
    return X[keep], Y[keep]


SINGLE_GAME_SYSTEMS = 5_000
"""Candidate systems up to which one game is solved by :func:`_single_extreme_equilibria`."""


def _chunk_size(m: int, k: int) -> int:
    """Games per pass so that one pass solves at most about CHUNK_SYSTEMS systems."""
    systems = sum(len(_combos(m, s)) * len(_combos(k, s)) for s in range(1, min(m, k) + 1))
    return max(1, min(MAX_CHUNK_GAMES, CHUNK_SYSTEMS // systems))


def _split_by_game(g: IntArray, X: Array, Y: Array, n_games: int) -> list[list[Profile]]:
    """Group profiles (sorted by game index g) into one list per game."""
    pairs = list(zip(list(X), list(Y), strict=True))
    bounds = np.searchsorted(g, np.arange(n_games + 1)).tolist()
    return [pairs[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


# --------------------------------------------------------------------------- public API


def all_equilibria(A: ArrayLike, B: ArrayLike, tol: float = TOL) -> list[Profile]:
    """Every extreme Nash equilibrium of the bimatrix game (A, B).

    Parameters
    ----------
    A : array_like, shape (m, k)
        Row player's payoffs; ``A[i, j]`` when row ``i`` meets column ``j``.
    B : array_like, shape (m, k)
        Column player's payoffs.
    tol : float, default 1e-9
        Tolerance for feasibility and tightness of constraints, in units of each
        player's payoff range (payoffs are rescaled to [1, 2] first).

    Returns
    -------
    list of (ndarray, ndarray)
        Pairs ``(x, y)`` of a row mix ``x`` (m,) and a column mix ``y`` (k,), each a
        probability vector; pure equilibria included; no two pairs equal within
        ``tol``; sorted lexicographically by ``x`` then ``y``.

    Raises
    ------
    ValueError
        If A or B is not a finite real 2-D array with at least one row and one
        column, if their shapes differ, or if ``tol`` is negative or not finite.
    """
    A_arr, B_arr = _check_game(A, B, 2)
    tol = _check_tol(tol)
    m, k = A_arr.shape
    if math.comb(m + k, m) - 1 <= SINGLE_GAME_SYSTEMS:  # candidate systems per polytope
        X, Y = _single_extreme_equilibria(A_arr, B_arr, tol)
    else:
        _, X, Y = _extreme_equilibria(A_arr[None], B_arr[None], tol)
    return list(zip(X, Y, strict=True))


def batch_equilibria(A: ArrayLike, B: ArrayLike, tol: float = TOL) -> list[list[Profile]]:
    """Every extreme Nash equilibrium of each game in a stack, vectorised across games.

    Parameters
    ----------
    A, B : array_like, shape (n_games, m, k)
        Row and column player's payoffs of each game.
    tol : float, default 1e-9
        As in :func:`all_equilibria`.

    Returns
    -------
    list of list of (ndarray, ndarray)
        For each game, the list :func:`all_equilibria` returns for it (same sets,
        same order); row mixes have shape (m,), column mixes shape (k,).

    Raises
    ------
    ValueError
        On invalid input, as :func:`all_equilibria`.
    """
    A_arr, B_arr = _check_game(A, B, 3)
    tol = _check_tol(tol)
    n, m, k = A_arr.shape
    step = _chunk_size(m, k)
    out: list[list[Profile]] = []
    for lo in range(0, n, step):
        g, X, Y = _extreme_equilibria(A_arr[lo : lo + step], B_arr[lo : lo + step], tol)
        out.extend(_split_by_game(g, X, Y, min(step, n - lo)))
    return out


@dataclass(frozen=True)
class FlatEquilibria:
    """Extreme equilibria of a stack of games as flat arrays (no per-game lists).

    Attributes
    ----------
    game : ndarray of int, shape (E,)
        Index of the game each equilibrium belongs to (sorted).
    row, col : ndarray, shapes (E, m) and (E, k)
        The equilibria's mixed strategies, in the order :func:`batch_equilibria` lists them.
    n_games : int
    """

    game: IntArray
    row: Array
    col: Array
    n_games: int

    def counts(self) -> IntArray:
        """Number of extreme equilibria of each game, shape ``(n_games,)``."""
        return np.bincount(self.game, minlength=self.n_games)


def batch_equilibria_flat(A: ArrayLike, B: ArrayLike, tol: float = TOL) -> FlatEquilibria:
    """:func:`batch_equilibria` as flat arrays, for statistics over very many games.

    Parameters
    ----------
    A, B : array_like, shape (n_games, m, k)
    tol : float, default 1e-9

    Returns
    -------
    FlatEquilibria
    """
    A_arr, B_arr = _check_game(A, B, 3)
    tol = _check_tol(tol)
    n, m, k = A_arr.shape
    step = _chunk_size(m, k)
    games, rows, cols = [], [], []
    for lo in range(0, n, step):
        g, X, Y = _extreme_equilibria(A_arr[lo : lo + step], B_arr[lo : lo + step], tol)
        games.append(g + lo)
        rows.append(X)
        cols.append(Y)
    return FlatEquilibria(
        game=np.concatenate(games).astype(np.int64),
        row=np.concatenate(rows).reshape(-1, m),
        col=np.concatenate(cols).reshape(-1, k),
        n_games=n,
    )


def batch_pure_equilibria(A: ArrayLike, B: ArrayLike, tol: float = TOL) -> BoolArray:
    """Mark the pure Nash equilibria of each game in a stack.

    Parameters
    ----------
    A, B : array_like, shape (n_games, m, k)
        Row and column player's payoffs of each game.
    tol : float, default 1e-9
        A pure strategy counts as a best reply when it is within ``tol`` (in payoff
        units, no rescaling) of the best.

    Returns
    -------
    ndarray of bool, shape (n_games, m, k)
        ``True`` at ``[n, i, j]`` when row ``i`` and column ``j`` are mutual best replies
        in game ``n``.

    Raises
    ------
    ValueError
        On invalid input, as :func:`batch_equilibria`.
    """
    A_arr, B_arr = _check_game(A, B, 3)
    tol = _check_tol(tol)
    row_best = A_arr >= A_arr.max(axis=1, keepdims=True) - tol
    row_best &= B_arr >= B_arr.max(axis=2, keepdims=True) - tol
    return row_best


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A Nash equilibrium with its expected payoffs.

    Attributes
    ----------
    row, col : ndarray, shapes (m,) and (k,)
        Mixed strategies of the row and the column player.
    payoff_row, payoff_col : float
        Expected payoffs ``x^T A y`` and ``x^T B y``.
    pure : bool
        Both strategies are pure.
    strict : bool
        Each strategy is the unique best reply to the other: pure, and every other
        pure strategy earns strictly (by more than the tolerance) less.
    """

    row: Array
    col: Array
    payoff_row: float
    payoff_col: float
    pure: bool
    strict: bool


def _is_pure(x: Array, tol: float) -> bool:
    return bool(np.count_nonzero(x > tol) == 1)


def _unique_best(values: Array, i: int, tol: float) -> bool:
    """Pure strategy ``i`` beats every other entry of ``values`` by more than ``tol``."""
    others = np.delete(values, i)
    return bool(others.size == 0 or values[i] > others.max() + tol)


def describe_equilibria(
    A: ArrayLike, B: ArrayLike, eqs: list[Profile], tol: float = TOL
) -> list[Equilibrium]:
    """Expected payoffs and purity/strictness of each equilibrium.

    Parameters
    ----------
    A, B : array_like, shape (m, k)
        Row and column player's payoffs.
    eqs : list of (ndarray (m,), ndarray (k,))
        Strategy profiles, as returned by :func:`all_equilibria`.
    tol : float, default 1e-9
        Probabilities above ``tol`` count as played; a strategy is strict when it
        beats every alternative by more than ``tol`` (payoff units).

    Returns
    -------
    list of Equilibrium
        One per profile, in the same order.
    """
    A_arr, B_arr = _check_game(A, B, 2)
    tol = _check_tol(tol)
    out = []
    for x, y in eqs:
        x = _check_mix("x", x, A_arr.shape[0])
        y = _check_mix("y", y, A_arr.shape[1])
        rows, cols = A_arr @ y, x @ B_arr
        pure = _is_pure(x, tol) and _is_pure(y, tol)
        strict = pure and _unique_best(rows, int(x.argmax()), tol)
        strict = strict and _unique_best(cols, int(y.argmax()), tol)
        out.append(Equilibrium(x, y, float(x @ rows), float(cols @ y), pure, strict))
    return out


def is_nash(A: ArrayLike, B: ArrayLike, x: ArrayLike, y: ArrayLike, tol: float = 1e-7) -> bool:
    """Whether (x, y) is a Nash equilibrium: no pure strategy gains more than ``tol``.

    Parameters
    ----------
    A, B : array_like, shape (m, k)
        Row and column player's payoffs.
    x, y : array_like, shapes (m,) and (k,)
        Mixed strategies; must be probability vectors within 1e-8.
    tol : float, default 1e-7
        Largest gain (payoff units) a deviation may bring.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        On an invalid game or if x, y are not probability vectors of the right size.
    """
    A_arr, B_arr = _check_game(A, B, 2)
    tol = _check_tol(tol)
    x_arr = _check_mix("x", x, A_arr.shape[0])
    y_arr = _check_mix("y", y, A_arr.shape[1])
    rows, cols = A_arr @ y_arr, x_arr @ B_arr
    return bool(rows.max() <= x_arr @ rows + tol and cols.max() <= cols @ y_arr + tol)


def _strictly_copositive(T: Array, tol: float) -> bool:
    """Whether v^T T v > 0 for all v >= 0, v != 0 (Kaplan 2000, principal submatrices).

    ``T`` is symmetric; it fails exactly when some principal submatrix has an
    eigenvector with all entries positive and eigenvalue <= 0 (here <= ``tol``).
    """
    n = T.shape[0]
    for size in range(1, n + 1):
        for idx in _combos(n, size):
            w, V = np.linalg.eigh(T[np.ix_(idx, idx)])
            low = w <= tol
            pos = (V > 1e-12).all(axis=0) | (V < -1e-12).all(axis=0)
            if (low & pos).any():
                return False
    return True


def _second_order_ess(M: Array, S: IntArray, E: IntArray, tol: float) -> bool:
    """Whether z^T M z < 0 on the cone {z : sum z = 0, supp z in E, z >= 0 off S}, z != 0."""
    s, extra = len(S), np.setdiff1d(E, S)
    K = np.linalg.svd(np.ones((1, s)))[2][1:].T  # orthonormal basis of {v : sum v = 0} (s, s-1)
    G = np.zeros((s + len(extra), s - 1 + len(extra)))
    G[:s, : s - 1] = K
    G[:s, s - 1 :] = -1.0 / s
    G[s:, s - 1 :] = np.eye(len(extra))
    order = np.concatenate([S, extra])
    H = -G.T @ M[np.ix_(order, order)] @ G
    H = (H + H.T) / 2.0  # z^T M z depends on the symmetric part only; want H > 0 on the cone
    P, R, T = H[: s - 1, : s - 1], H[: s - 1, s - 1 :], H[s - 1 :, s - 1 :]
    if s > 1 and np.linalg.eigvalsh(P).min() <= tol:
        return False
    if len(extra) == 0:
        return True
    schur = T - R.T @ np.linalg.solve(P, R) if s > 1 else T
    return _strictly_copositive((schur + schur.T) / 2.0, tol)


def is_evolutionarily_stable(
    A: ArrayLike, x: ArrayLike, tol: float = 1e-9, *, B: ArrayLike | None = None
) -> bool:
    """Whether the mixed strategy x is an evolutionarily stable strategy (ESS).

    Definition (Maynard Smith 1982): in the symmetric game with payoff ``u(p, q) =
    p^T A q`` to a player using ``p`` against ``q``, ``x`` is an ESS when, for every
    ``y != x``, either ``u(x, x) > u(y, x)``, or ``u(x, x) = u(y, x)`` and
    ``u(x, y) > u(y, y)``. Equivalently: ``(x, x)`` is a Nash equilibrium and
    ``z^T A z < 0`` for every nonzero ``z = t (y - x)``, ``t > 0``, with ``y`` a best
    reply to ``x``; that is a strict copositivity condition on a polyhedral cone,
    decided exactly after eliminating the free directions (Schur complement) with
    Kaplan's (2000) eigenvector test on principal submatrices.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Payoff to the row player; the column player's payoffs are ``A.T``.
    x : array_like, shape (n,)
        The candidate strategy, a probability vector.
    tol : float, default 1e-9
        Payoff tolerance for best replies and for the strict inequalities.
    B : array_like, shape (n, n), optional
        Column player's payoffs, if given; must equal ``A.T`` within ``tol``.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If the game is not symmetric (A not square, or B differs from A.T) or x
        is not a probability vector of length n.
    """
    A_arr = _as_payoffs("A", A, 2)
    tol = _check_tol(tol)
    if A_arr.shape[0] != A_arr.shape[1]:
        raise ValueError(f"a symmetric game needs a square A, got shape {A_arr.shape}")
    B_arr = A_arr.T if B is None else _as_payoffs("B", B, 2)
    if B_arr.shape != A_arr.shape or not np.allclose(B_arr, A_arr.T, rtol=0.0, atol=tol):
        raise ValueError("the game is not symmetric: B must equal A.T")
    x_arr = _check_mix("x", x, A_arr.shape[0])
    fitness = A_arr @ x_arr
    if fitness.max() > x_arr @ fitness + tol:
        return False
    S = np.flatnonzero(x_arr > _SUPPORT_TOL)
    E = np.flatnonzero(fitness >= x_arr @ fitness - tol)
    if np.setdiff1d(S, E).size:  # x plays a strategy that is not a best reply to x
        return False
    return _second_order_ess(A_arr, S, E, tol)
