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

TOL = 1e-9
"""Tolerance on utilities (US$ bn): a gain must exceed it to count as a gain."""

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
    """

    method: str
    deal: IntArray
    other: IntArray
    weight: Array
    gain: Array
    agreement: BoolArray

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
    gains = u - u[:, :1]
    rational = gains > tol
    ratifiable = np.subtract(r, r[:, :1]) > tol
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


class _Picked:
    """One solution in the draws with two or more feasible deals (length ``M`` arrays)."""

    __slots__ = ("deal", "gain", "other", "weight")

    def __init__(self, deal: IntArray, other: IntArray, weight: Array, gain: Array) -> None:
        self.deal, self.other, self.weight, self.gain = deal, other, weight, gain


def _solutions(g: Array, feasible: BoolArray, alpha: Array, tol: float) -> dict[str, Solution]:
    """Every solution from gains ``g`` (2, D, N), ``feasible`` (D, N) and powers (N,)."""
    n_deals, n = feasible.shape
    count = feasible.sum(axis=0, dtype=np.intp)
    agreement = count > 0
    one, many = np.flatnonzero(count == 1), np.flatnonzero(count > 1)
    # Draws with one feasible deal: every solution is that deal.
    deal = np.zeros(n, dtype=np.intp)
    deal[one] = (feasible[:, one] * np.arange(n_deals)[:, None]).sum(axis=0)
    gain = np.zeros((n, 2))
    gain[one] = g[:, deal[one], one].T
    picked = _search(g[:, :, many], feasible[:, many], alpha[many], tol) if len(many) else {}
    solutions = {}
    for name in SOLUTION_NAMES:
        s_deal, s_gain = deal.copy(), gain.copy()
        s_other, s_weight = s_deal, np.ones(n)
        if name in picked:
            p = picked[name]
            s_deal[many], s_gain[many] = p.deal, p.gain
            if name.endswith("_lottery"):
                s_other = s_deal.copy()
                s_other[many], s_weight[many] = p.other, p.weight
        solutions[name] = Solution(name, s_deal, s_other, s_weight, s_gain, agreement)
    return solutions


def _search(g: Array, feasible: BoolArray, alpha: Array, tol: float) -> dict[str, _Picked]:
    """Every solution in ``M`` draws with at least two feasible deals (``g``: (2, D, M))."""
    x, y = g[0], g[1]
    infeasible = ~feasible
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        log_x, log_y = np.log(x), np.log(y)
    ideal_x = _masked(x, infeasible).max(axis=0)
    ideal_y = _masked(y, infeasible).max(axis=0)
    scaled_x, scaled_y = x / ideal_x, y / ideal_y
    objectives = {
        "nash": 0.5 * (log_x + log_y),
        "nash_asymmetric": alpha * log_x + (1 - alpha) * log_y,
        "kalai_smorodinsky": np.minimum(scaled_x, scaled_y),
        "egalitarian": np.minimum(x, y),
        "utilitarian": total.copy(),
    }
    frontier = _Frontier(x, y, feasible)
    picked = {}
    for name, objective in objectives.items():
        deal, value = _best(_masked(objective, infeasible), total, tol)
        columns = np.arange(len(deal))
        single = _Picked(deal, deal, np.ones(len(deal)), np.stack([x, y])[:, deal, columns].T)
        picked[name] = single
        if name == "nash":
            picked["nash_lottery"] = frontier.nash(single, value, np.full(len(deal), 0.5), tol)
        elif name == "nash_asymmetric":
            picked[f"{name}_lottery"] = frontier.nash(single, value, alpha, tol)
        elif name == "kalai_smorodinsky":
            lottery = frontier.maximin(single, value, scaled_x, scaled_y, tol)
            picked[f"{name}_lottery"] = lottery
        elif name == "egalitarian":
            picked[f"{name}_lottery"] = frontier.maximin(single, value, x, y, tol)
    return picked


def _masked(values: Array, mask: BoolArray) -> Array:
    """A copy of ``values`` with ``-inf`` where ``mask``."""
    out = np.array(values, dtype=float)
    out[mask] = -np.inf
    return out


def _first(mask: BoolArray) -> IntArray:
    """Index of the first true row of ``mask`` (D, M) in each column (0 if none)."""
    return np.asarray(mask.argmax(axis=0), dtype=np.intp)


def _best(scores: Array, key: Array, tol: float) -> tuple[IntArray, Array]:
    """Row of the best ``scores`` (K, M) per column and its score; ``-inf`` marks no option.

    Rows within ``tol`` of the best tie; ties go to the larger ``key``, then the first row.
    """
    best = scores.max(axis=0)
    tied = np.where(scores >= best - tol, key, -np.inf)
    index = _first(tied == tied.max(axis=0))
    return index, scores[index, np.arange(len(index))]


class _Frontier:
    """Every pair of feasible deals in ``M`` draws: the segments of the hull's frontier.

    The feasible deals of each draw are packed, in menu order, into ``K`` slots (``K`` the
    largest number of feasible deals in a draw); ``i`` and ``j`` run over the slot pairs
    ``a < b`` in lexicographic (menu) order, so ties between lotteries go to the earlier
    pair in the menu.
    """

    def __init__(self, x: Array, y: Array, feasible: BoolArray) -> None:
        n_draws = feasible.shape[1]
        count = feasible.sum(axis=0)
        slots = int(count.max())
        deal, column = np.nonzero(feasible)
        slot = (np.cumsum(feasible, axis=0) - 1)[deal, column]
        self.index = np.zeros((slots, n_draws), dtype=np.intp)
        self.index[slot, column] = deal
        first, second = np.triu_indices(slots, k=1)
        self.first, self.second = self.index[first], self.index[second]
        self.columns = np.arange(n_draws)
        self.x, self.y = x, y
        self.xi, self.xj = x[self.first, self.columns], x[self.second, self.columns]
        self.yi, self.yj = y[self.first, self.columns], y[self.second, self.columns]
        self.dx, self.dy = self.xi - self.xj, self.yi - self.yj
        # A mixture beats both of its deals only if each deal is better for one side.
        self.crossing = (second[:, None] < count) & (self.dx * self.dy < 0)

    def nash(self, single: _Picked, base: Array, alpha: Array, tol: float) -> _Picked:
        r"""The best Nash lottery: the stationary point of :math:`\alpha\ln x+(1-\alpha)\ln y`."""
        dx, dy, xj, yj = self.dx, self.dy, self.xj, self.yj
        with np.errstate(divide="ignore", invalid="ignore"):
            p = -(alpha * dx * yj + (1 - alpha) * dy * xj) / (dx * dy)
            p = np.clip(p, 0.0, 1.0)
            mx, my = xj + p * dx, yj + p * dy
            value = alpha * np.log(mx) + (1 - alpha) * np.log(my)
        if alpha.ndim and np.all(alpha == 0.5):
            with np.errstate(divide="ignore", invalid="ignore"):
                value = 0.5 * (np.log(mx) + np.log(my))
        return self._choose(single, base, p, value, mx + my, tol)

    def maximin(self, single: _Picked, base: Array, sx: Array, sy: Array, tol: float) -> _Picked:
        """The best maximin lottery of scaled gains ``sx``, ``sy`` (D, M): where they cross."""
        c = self.columns
        ai, aj = sx[self.first, c], sx[self.second, c]
        bi, bj = sy[self.first, c], sy[self.second, c]
        di, dj = ai - bi, aj - bj
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.clip(dj / (dj - di), 0.0, 1.0)
        value = np.minimum(aj + p * (ai - aj), bj + p * (bi - bj))
        total = (self.xj + p * self.dx) + (self.yj + p * self.dy)
        return self._choose(single, base, p, value, total, tol, also=di * dj < 0)

    def _choose(
        self,
        single: _Picked,
        base: Array,
        p: Array,
        value: Array,
        total: Array,
        tol: float,
        also: BoolArray | None = None,
    ) -> _Picked:
        """The best pair's lottery where it beats the single deal by more than ``tol``."""
        keep = self.crossing if also is None else self.crossing & also
        value = np.where(keep, value, -np.inf)
        pair, best = _best(value, total, tol)
        c = self.columns
        better = best > base + tol
        weight = p[pair, c]
        likely = weight >= 0.5
        i, j = self.first[pair, c], self.second[pair, c]
        deal = np.where(better, np.where(likely, i, j), single.deal)
        other = np.where(better, np.where(likely, j, i), single.deal)
        weight = np.where(better, np.where(likely, weight, 1 - weight), 1.0)
        w = weight[:, None]
        gain = w * np.stack([self.x[deal, c], self.y[deal, c]], axis=-1) + (1 - w) * np.stack(
            [self.x[other, c], self.y[other, c]], axis=-1
        )
        return _Picked(deal, other, weight, np.where(better[:, None], gain, single.gain))
