r"""Cooperative solutions over a finite menu of deals and over lotteries of two deals.

All kernels take *gains* over the disagreement point (the status quo, deal 0):
``g[n, d, a] = u[n, d, a] - u[n, 0, a]`` for draws ``n``, deals ``d`` and actors
``a`` (0 = Japan, 1 = Russia), and a mask ``feasible[n, d]`` of the deals an
agreement may pick. A deal is *individually rational* for a side when its gain
exceeds the tolerance :data:`TOL`; it is in a side's *win-set* when that side's
ratifier gains (Putnam 1988). Solutions:

Nash bargaining solution (Nash 1950)
    :math:`\arg\max_d g_J^{\alpha} g_R^{1-\alpha}` over feasible deals; symmetric
    :math:`\alpha = 1/2`; asymmetric with bargaining power from patience and the risk
    that talks break down, :math:`\alpha = (r_R + \lambda) / (r_J + r_R + 2\lambda)` with
    :math:`r_a = -\ln\delta_a` and hazard :math:`\lambda` (:func:`bargaining_power`),
    the limit of Rubinstein's game as the time between offers shrinks (Binmore,
    Rubinstein & Wolinsky 1986).
Kalai–Smorodinsky (1975)
    maximise :math:`\min_a g_a / I_a`, with :math:`I_a` the best gain side *a* can get
    from a feasible deal (the ideal point).
Egalitarian (Kalai 1977)
    maximise :math:`\min_a g_a`.
Utilitarian
    maximise :math:`g_J + g_R`.

Over lotteries :math:`p\,w + (1-p)\,v` of two feasible deals — each deal a lottery
may pick must itself be acceptable, so that neither side walks away from the deal
the lottery draws (ex-post individual rationality: the brief's commitment problem
rules out promises to accept a deal one would reject). Every objective above is
quasi-concave and increasing in both gains, so it attains its maximum over the convex
hull of the feasible gains on the hull's upper-right (Pareto) frontier. That frontier is a
chain of segments between pairs of feasible deals, so a lottery of two deals does as well
as any mixture of more, and the best lottery is found by maximising along the segment of
*every* pair of feasible deals — the best single deal may lie inside the hull of the
others, off the frontier. Along a segment each objective is concave in :math:`p` (a sum
of logarithms of affine functions, or the minimum of two affine functions), so the
segment's maximum is the stationary point or crossing below, clipped to [0, 1]. With
:math:`\Delta x = x_w - x_v`, :math:`\Delta y = y_w - y_v` and :math:`p` the weight on
:math:`w`, a mixture can beat both of its deals only when :math:`\Delta x\,\Delta y < 0`:

* Nash: :math:`\frac{d}{dp}[\alpha\ln x + (1-\alpha)\ln y] = 0` gives
  :math:`p^* = -(\alpha\,\Delta x\, y_v + (1-\alpha)\,\Delta y\, x_v) / (\Delta x\,\Delta y)`;
* Kalai–Smorodinsky and egalitarian: where the two (normalised) gains :math:`a, b` cross,
  :math:`p^* = (a_v - b_v) / ((a_v - b_v) - (a_w - b_w))`, when :math:`a - b` changes
  sign along the segment.

The ideal point of Kalai–Smorodinsky is the same over lotteries as over deals (a side's
best gain over the hull is at a deal). The utilitarian optimum is always a single deal (a
linear objective). Ties between single deals (objectives within the tolerance) go to the
larger sum of gains, then to the earlier deal in the menu. A lottery replaces the best
single deal only where its objective is larger by more than the tolerance; ties between
lotteries go to the larger expected sum of gains, then to the pair earlier in the menu
(by its first deal, then its second). A lottery's ``deal`` is the likelier of its two
deals (``weight`` at least 1/2).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.tolerance import TOL

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]

SOLUTION_NAMES: tuple[str, ...] = (
    "nash",
    "nash_lottery",
    "nash_asymmetric",
    "nash_asymmetric_lottery",
    "kalai_smorodinsky",
    "kalai_smorodinsky_lottery",
    "egalitarian",
    "egalitarian_lottery",
    "utilitarian",
)


@dataclass(frozen=True)
class Solution:
    """One solution concept in every draw: a deal, or a lottery between two deals.

    Attributes
    ----------
    method : str
        One of :data:`SOLUTION_NAMES`.
    deal : ndarray of int, shape (N,)
        Index of the (first) deal — of a lottery, the likelier of its two deals; 0, the
        status quo, when there is no agreement.
    other : ndarray of int, shape (N,)
        Second deal of a lottery; equal to ``deal`` when the solution is one deal.
    weight : ndarray, shape (N,)
        Probability of ``deal`` (1 for a single deal).
    gain : ndarray, shape (N, 2)
        Expected gain of each side over the status quo at the solution.
    agreement : ndarray of bool, shape (N,)
        False when no feasible deal beats the status quo for both sides.
    tol : float
        Tolerance on utilities (US$ bn) the solution was found with.

    Notes
    -----
    The arrays are read-only: solutions share rows of the arrays :func:`solve` stacks
    them in (every solution's ``agreement``, every single deal's ``weight``).
    """

    method: str
    deal: IntArray
    other: IntArray
    weight: Array
    gain: Array
    agreement: BoolArray
    tol: float = TOL

    @property
    def is_lottery(self) -> BoolArray:
        """Draws where the solution mixes two different deals, shape ``(N,)``."""
        return (self.other != self.deal) & (self.weight < 1 - TOL)


@dataclass(frozen=True)
class CooperativeResult:
    """Rationality, win-sets, Pareto optimality and every solution, for ``N`` draws.

    Attributes
    ----------
    rational : ndarray of bool, shape (N, D, 2)
        The deal beats the status quo for each government.
    ratifiable : ndarray of bool, shape (N, D, 2)
        The deal is in each side's win-set (its ratifier prefers it to the status quo).
    feasible : ndarray of bool, shape (N, D)
        Deals the solutions may pick (rational for both, and ratifiable for both when
        ratification is required).
    power : ndarray, shape (N,)
        Japan's bargaining power in the asymmetric Nash solution.
    utility : ndarray, shape (N, D, 2)
        The governments' utilities the solutions were computed from.
    solutions : mapping of str to Solution
    tol : float
        Tolerance on utilities.
    pareto : ndarray of bool, shape (N, D)
        No other deal of the menu is at least as good for both and better for one
        (computed from ``utility`` on first access: no solution needs it).
    """

    rational: BoolArray
    ratifiable: BoolArray
    feasible: BoolArray
    power: Array
    utility: Array
    solutions: Mapping[str, Solution] = field(default_factory=dict)
    tol: float = TOL

    @functools.cached_property
    def pareto(self) -> BoolArray:
        """Pareto-optimal deals, shape ``(N, D)`` (see the class attributes)."""
        return pareto_optimal(self.utility, self.tol)


def bargaining_power(
    patience_japan: ArrayLike, patience_russia: ArrayLike, breakdown_risk: ArrayLike = 0.0
) -> Array:
    r"""Japan's Nash bargaining power from patience and the risk that talks break down.

    Binmore, Rubinstein & Wolinsky (1986): in alternating offers where side *a*
    discounts time at rate :math:`r_a = -\ln\delta_a` and talks collapse at hazard rate
    :math:`\lambda`, the equilibrium split tends, as the time between offers shrinks, to
    the asymmetric Nash solution with Japan's power

    .. math:: \alpha = \frac{r_R + \lambda}{r_J + r_R + 2\lambda}.

    The risk of breakdown makes both sides equally impatient to agree, so it pulls the
    power toward 1/2. ``breakdown_risk`` is the per-round probability :math:`q` of
    ``[alternating] breakdown_risk`` (a round is a year, the period of ``patience``);
    the hazard that gives the same survival over a round is :math:`\lambda = -\ln(1-q)`,
    so that :math:`e^{-(r_a+\lambda)} = \delta_a(1-q)` is the per-round factor of
    :mod:`sim.solvers.alternating`.

    Parameters
    ----------
    patience_japan, patience_russia : array_like, shape (N,)
        Per-round discount factors :math:`\delta_a` in (0, 1).
    breakdown_risk : array_like, shape (N,) or scalar
        Per-round probability :math:`q` in [0, 1] that talks collapse for good; with 0 the
        power is :math:`\ln\delta_R / (\ln\delta_J + \ln\delta_R)`, with 1 it is 1/2.

    Returns
    -------
    ndarray, shape (N,)

    Examples
    --------
    >>> float(bargaining_power(np.array([0.9]), np.array([0.9]))[0])
    0.5
    >>> round(float(bargaining_power(np.array([0.97]), np.array([0.9]), 0.05)[0]), 3)
    0.657
    """
    rate_j = -np.log(np.asarray(patience_japan, dtype=float))
    rate_r = -np.log(np.asarray(patience_russia, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = -np.log1p(-np.asarray(breakdown_risk, dtype=float))  # +inf where q = 1
        power = (rate_r + hazard) / (rate_j + rate_r + 2 * hazard)
    return np.asarray(np.where(np.isinf(hazard), 0.5, power), dtype=float)


def solve(
    utility: Array,
    ratifier_utility: Array,
    power: Array,
    *,
    require_ratification: bool = True,
    tol: float = TOL,
) -> CooperativeResult:
    """Every cooperative solution for ``N`` draws of a game with ``D`` deals.

    Each draw's results depend on that draw's inputs only.

    Parameters
    ----------
    utility, ratifier_utility : ndarray, shape (N, D, 2)
        Governments' and ratifiers' utilities; deal 0 is the status quo.
    power : ndarray, shape (N,)
        Japan's bargaining power in (0, 1) for the asymmetric Nash solution.
    require_ratification : bool
        Whether feasible deals must lie in both win-sets.
    tol : float
        Tolerance on utilities.

    Returns
    -------
    CooperativeResult
    """
    utility = np.asarray(utility, dtype=float)
    ratifier_utility = np.asarray(ratifier_utility, dtype=float)
    if utility.ndim != 3 or utility.shape[2] != 2 or ratifier_utility.shape != utility.shape:
        raise ValueError(f"utilities must have shape (N, D, 2), got {utility.shape}")
    u, r = _deal_major(utility), _deal_major(ratifier_utility)
    # Gains over the status quo; the status quo's own are zero (and not a gain).
    gains, rational, ratifiable = np.empty_like(u), np.empty(u.shape, bool), np.empty(u.shape, bool)
    gains[:, 0], rational[:, 0], ratifiable[:, 0] = 0.0, False, False
    np.greater(np.subtract(u[:, 1:], u[:, :1], out=gains[:, 1:]), tol, out=rational[:, 1:])
    np.greater(np.subtract(r[:, 1:], r[:, :1]), tol, out=ratifiable[:, 1:])
    feasible = rational[0] & rational[1]
    if require_ratification:
        feasible &= ratifiable[0]
        feasible &= ratifiable[1]
    alpha = np.asarray(power, dtype=float)
    return CooperativeResult(
        rational=rational.transpose(2, 1, 0),
        ratifiable=ratifiable.transpose(2, 1, 0),
        feasible=feasible.T,
        power=alpha,
        utility=utility,
        solutions=_solutions(gains, feasible, alpha, tol),
        tol=tol,
    )


def pareto_optimal(utility: Array, tol: float = TOL) -> BoolArray:
    """Deals no other deal weakly dominates, shape ``(N, D)`` from ``(N, D, 2)``."""
    return _pareto(_deal_major(np.asarray(utility, dtype=float)), tol).T


# -- kernels: arrays indexed [actor, deal, draw] -----------------------------------------
# The deal axis is short (about ten) and the draw axis long, so kernels keep draws
# contiguous and reduce over deals with element-wise operations between rows. Only draws
# with two or more feasible deals need a search: with one, every solution is that deal.


def _deal_major(values: Array) -> Array:
    """``(N, D, 2)`` to a contiguous ``(2, D, N)`` (no copy if it is a view of one)."""
    return np.ascontiguousarray(values.transpose(2, 1, 0))


def _pareto(u: Array, tol: float) -> BoolArray:
    low_j, low_r, high_j, high_r = u[0] - tol, u[1] - tol, u[0] + tol, u[1] + tol
    dominated = np.zeros(u.shape[1:], dtype=bool)
    for other in range(u.shape[1]):
        cj, cr = u[0, other], u[1, other]
        dominated |= (cj >= low_j) & (cr >= low_r) & ((cj > high_j) | (cr > high_r))
    return ~dominated


_SINGLES = ("nash", "nash_asymmetric", "kalai_smorodinsky", "egalitarian", "utilitarian")
"""Single-deal solutions in the order the kernels stack them."""
_LOTTERIES = tuple(f"{name}_lottery" for name in _SINGLES[:4])
"""Lottery solutions in the order the kernels stack them (the first four singles')."""


def _solutions(g: Array, feasible: BoolArray, alpha: Array, tol: float) -> dict[str, Solution]:
    """Every solution from gains ``g`` (2, D, N), ``feasible`` (D, N) and powers (N,).

    Results are stacked, singles then lotteries, in arrays whose rows the solutions view.
    Draws with no feasible deal keep the status quo; with one, every solution is that
    deal; only draws with two or more are searched.
    """
    n_deals, n = feasible.shape
    small = np.uint8 if n_deals < 256 else np.intp
    flags = feasible.view(np.uint8)
    count = np.add.reduce(flags, axis=0, dtype=small)
    agreement = count > 0
    many = np.flatnonzero(count > 1)
    # The last feasible deal of each draw: the only one where there is one, else 0.
    index = np.arange(n_deals, dtype=small)[:, None]
    last = np.maximum.reduce(np.multiply(flags, index, dtype=small), axis=0).astype(np.intp)
    n_single, n_lottery = len(_SINGLES), len(_LOTTERIES)
    deal = np.empty((n_single + n_lottery, n), dtype=np.intp)
    deal[:] = last
    flat = last * n + np.arange(n)
    only = np.empty((n, 2))
    only[:, 0], only[:, 1] = g[0].reshape(-1).take(flat), g[1].reshape(-1).take(flat)
    gain = np.empty((n_single + n_lottery, n, 2))
    gain[:] = only
    weight = np.ones((n_lottery + 1, n))  # the last row: every single deal's weight
    other = deal[n_single:].copy()
    if len(many):
        found = _search(
            g.take(many, axis=2), feasible.take(many, axis=1), count[many], alpha[many], tol
        )
        deal[:, many], gain[:, many] = found.deal, found.gain
        other[:, many], weight[:n_lottery, many] = found.other, found.weight
    for array in (deal, gain, weight, other, agreement):
        array.flags.writeable = False  # rows are shared between solutions
    solutions = {}
    for k, name in enumerate(_SINGLES):
        solutions[name] = Solution(name, deal[k], deal[k], weight[-1], gain[k], agreement, tol)
    for k, name in enumerate(_LOTTERIES):
        row = n_single + k
        solutions[name] = Solution(name, deal[row], other[k], weight[k], gain[row], agreement, tol)
    return {name: solutions[name] for name in SOLUTION_NAMES}


@dataclass(frozen=True)
class _Found:
    """Solutions in ``M`` searched draws: singles then lotteries (see :func:`_solutions`)."""

    deal: IntArray  # (S + L, M)
    other: IntArray  # (L, M)
    weight: Array  # (L, M)
    gain: Array  # (S + L, M, 2)


def _search(
    g: Array, feasible: BoolArray, count: NDArray[np.integer], alpha: Array, tol: float
) -> _Found:
    """Every solution in ``M`` draws with two or more feasible deals (``g``: (2, D, M)).

    The feasible deals of each draw are packed, in menu order, into ``K`` slots (``K`` the
    largest number of feasible deals in a draw; empty slots hold deal 0, with zero gains,
    and are masked), so that the first slot of a tie is the earlier deal in the menu.
    Values are gathered with flat indices (``index * M + column``).
    """
    n_deals, m = feasible.shape
    columns = np.arange(m)
    slots = int(count.max())
    # Slot k holds the deal at which the running count of feasible deals passes k; an empty
    # slot counts every deal (D) and is pointed at deal 0.
    running = np.cumsum(feasible.view(np.uint8), axis=0, dtype=count.dtype)
    rank = np.arange(slots, dtype=count.dtype)[:, None, None]
    deal_of_slot = np.add.reduce(running <= rank, axis=1, dtype=np.intp)  # (K, M)
    valid = deal_of_slot < n_deals
    deal_of_slot *= valid
    gk = g.reshape(2, -1).take(deal_of_slot * m + columns, axis=1)  # (2, K, M)
    x, y = gk[0], gk[1]
    total = x + y
    ideal = gk.max(axis=1, keepdims=True)  # empty slots (zero gains) never exceed a gain
    scaled = gk / ideal
    with np.errstate(divide="ignore"):
        log_x, log_y = np.log(gk)
    # Objectives of the single-deal solutions, stacked as _SINGLES: (5, K, M).
    objective = np.empty((len(_SINGLES), slots, m))
    np.add(log_x, log_y, out=objective[0])
    objective[0] *= 0.5
    np.multiply(alpha, log_x, out=objective[1])
    objective[1] += (1 - alpha) * log_y
    np.minimum(scaled[0], scaled[1], out=objective[2])
    np.minimum(x, y, out=objective[3])
    objective[4] = total
    np.copyto(objective, -np.inf, where=~valid)
    single, value = _best(objective, total, tol)  # slots (5, M) and their objectives

    # Lotteries: the segment between every pair of slots a < b (pairs in menu order).
    slot_i, slot_j = _pairs(slots)
    gi, gj = gk.take(slot_i, axis=1), gk.take(slot_j, axis=1)  # (2, P, M)
    dx, dy = gi[0] - gj[0], gi[1] - gj[1]
    xj, yj = gj[0], gj[1]
    cross = dx * dy
    # A mixture beats both of its deals only if each is the better one for a side.
    crossing = valid.take(slot_j, axis=0) & (cross < 0)
    n_lottery = len(_LOTTERIES)
    p = np.empty((n_lottery, *cross.shape))  # weight on the deal in slot i
    lottery_value = np.empty_like(p)
    # Nash, symmetric and asymmetric: the stationary point of a ln x + (1 - a) ln y.
    a = np.empty((2, 1, m))
    a[0], a[1] = 0.5, alpha
    b = 1 - a
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(a * dx * yj + b * dy * xj, cross, out=p[:2])
        np.negative(p[:2], out=p[:2])
        _clip01(p[:2])
        lottery_value[:2] = a * np.log(xj + p[:2] * dx) + b * np.log(yj + p[:2] * dy)
    np.copyto(lottery_value[:2], -np.inf, where=~crossing)
    # Kalai-Smorodinsky (scaled gains) and egalitarian: where the two gains cross.
    both = np.stack([scaled, gk])  # (2, 2, K, M)
    si, sj = both.take(slot_i, axis=2), both.take(slot_j, axis=2)  # (2, 2, P, M)
    di, dj = si[:, 0] - si[:, 1], sj[:, 0] - sj[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(dj, dj - di, out=p[2:])
        _clip01(p[2:])
    np.minimum(
        sj[:, 0] + p[2:] * (si[:, 0] - sj[:, 0]),
        sj[:, 1] + p[2:] * (si[:, 1] - sj[:, 1]),
        out=lottery_value[2:],
    )
    np.copyto(lottery_value[2:], -np.inf, where=~crossing | (di * dj >= 0))
    pair, best = _best(lottery_value, (xj + p * dx) + (yj + p * dy), tol)  # (4, M)
    better = best > value[:n_lottery] + tol
    w = _at(p, pair)
    likely = w >= 0.5
    i, j = slot_i.take(pair), slot_j.take(pair)
    first = np.where(better, np.where(likely, i, j), single[:n_lottery])
    second = np.where(better, np.where(likely, j, i), single[:n_lottery])
    weight = np.where(better, np.where(likely, w, 1 - w), 1.0)
    by_slot = np.ascontiguousarray(gk.transpose(1, 2, 0)).reshape(-1, 2)  # (K * M, 2)
    flat = np.concatenate([single, first]) * m + columns  # (9, M)
    flat_second = second * m + columns
    gain = by_slot.take(flat, axis=0)  # (9, M, 2)
    mixed = gain[len(_SINGLES) :]
    mixed *= weight[:, :, None]
    mixed += (1 - weight)[:, :, None] * by_slot.take(flat_second, axis=0)
    return _Found(
        deal=deal_of_slot.reshape(-1).take(flat),
        other=deal_of_slot.reshape(-1).take(flat_second),
        weight=weight,
        gain=gain,
    )


@functools.cache
def _pairs(slots: int) -> tuple[IntArray, IntArray]:
    """Slot pairs ``a < b`` in lexicographic order (first slot, then second)."""
    first, second = np.triu_indices(slots, k=1)
    return first.astype(np.intp), second.astype(np.intp)


def _clip01(values: Array) -> None:
    """Clip ``values`` to [0, 1] in place (NaN stays NaN)."""
    np.maximum(values, 0.0, out=values)
    np.minimum(values, 1.0, out=values)


def _at(values: Array, index: IntArray) -> Array:
    """``values[s, index[s, c], c]`` for ``values`` (S, K, M) and ``index`` (S, M)."""
    n_stack, n_rows, m = values.shape
    offset = (np.arange(n_stack) * (n_rows * m))[:, None] + np.arange(m)
    return values.reshape(-1).take(index * m + offset)


def _best(scores: Array, key: Array, tol: float) -> tuple[IntArray, Array]:
    """Best row of ``scores`` (S, K, M) in each (s, column), and its score, both (S, M).

    ``-inf`` marks a row that is not an option. Rows within ``tol`` of the best tie; ties
    go to the larger ``key`` (broadcast to ``scores``), then to the first row.
    """
    best = scores.max(axis=1)
    n_rows = scores.shape[1]
    index = np.zeros(best.shape, dtype=np.intp)
    if n_rows == 1:
        return index, best
    tied = np.where(scores >= (best - tol)[:, None], key, -np.inf)
    top = tied[:, 0].copy()
    for row in range(1, n_rows):  # a few rows: the first largest key, row by row
        np.copyto(index, row, where=tied[:, row] > top)
        np.maximum(top, tied[:, row], out=top)
    return index, _at(scores, index)
