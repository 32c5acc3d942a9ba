r"""Cooperative solutions over a finite menu of deals and over lotteries of two deals.

All kernels take *gains* over the disagreement point (the status quo, deal 0):
``g[n, d, a] = u[n, d, a] - u[n, 0, a]`` for draws ``n``, deals ``d`` and actors
``a`` (0 = Japan, 1 = Russia), and a mask ``feasible[n, d]`` of the deals an
agreement may pick. A deal is *individually rational* for a side when its gain
exceeds the tolerance :data:`TOL`; it is in a side's *win-set* when that side's
ratifier gains (Putnam 1988). Solutions:

Nash bargaining solution (Nash 1950)
    :math:`\arg\max_d g_J^{\alpha} g_R^{1-\alpha}` over feasible deals; symmetric
    :math:`\alpha = 1/2`; asymmetric with bargaining power from patience
    :math:`\alpha = \ln\delta_R / (\ln\delta_J + \ln\delta_R)`, the limit of Rubinstein's
    game as the time between offers shrinks (Binmore, Rubinstein & Wolinsky 1986).
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
rules out promises to accept a deal one would reject) — the objectives above
are quasi-concave and increasing in both gains, so along the Pareto frontier of the
convex hull they are unimodal: the optimum lies on a hull edge that touches the best
single deal :math:`v`. It is therefore found by maximising, in closed form, along the
segments from :math:`v` to every other feasible deal :math:`w`:

* Nash: :math:`\frac{d}{dp}[\alpha\ln x + (1-\alpha)\ln y] = 0` gives
  :math:`p^* = -(\alpha\,\Delta x\, y_v + (1-\alpha)\,\Delta y\, x_v) / (\Delta x\,\Delta y)`
  when :math:`\Delta x\,\Delta y < 0` (else an end point is optimal);
* Kalai–Smorodinsky and egalitarian: where the two (normalised) gains cross,
  :math:`p^* = (a_v - b_v) / ((a_v - b_v) - (a_w - b_w))`.

The utilitarian optimum is always a single deal (a linear objective). Ties between
single deals go to the larger sum of gains, then to the earlier deal in the menu.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

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
        Index of the (first) deal; 0, the status quo, when there is no agreement.
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
    pareto : ndarray of bool, shape (N, D)
        No other deal of the menu is at least as good for both and better for one.
    feasible : ndarray of bool, shape (N, D)
        Deals the solutions may pick (rational for both, and ratifiable for both when
        ratification is required).
    power : ndarray, shape (N,)
        Japan's bargaining power in the asymmetric Nash solution.
    solutions : mapping of str to Solution
    """

    rational: BoolArray
    ratifiable: BoolArray
    pareto: BoolArray
    feasible: BoolArray
    power: Array
    solutions: Mapping[str, Solution] = field(default_factory=dict)


def bargaining_power(patience_japan: Array, patience_russia: Array) -> Array:
    r"""Japan's Nash bargaining power from patience, :math:`\ln\delta_R/(\ln\delta_J+\ln\delta_R)`.

    Examples
    --------
    >>> float(bargaining_power(np.array([0.9]), np.array([0.9]))[0])
    0.5
    """
    log_j, log_r = np.log(patience_japan), np.log(patience_russia)
    return np.asarray(log_r / (log_j + log_r), dtype=float)


def solve(
    utility: Array,
    ratifier_utility: Array,
    power: Array,
    *,
    require_ratification: bool = True,
    tol: float = TOL,
) -> CooperativeResult:
    """Every cooperative solution for ``N`` draws of a game with ``D`` deals.

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
    gains = utility - utility[:, :1, :]
    rational = gains > tol
    ratifiable = (ratifier_utility - ratifier_utility[:, :1, :]) > tol
    feasible = np.asarray(rational.all(axis=2), dtype=bool)
    if require_ratification:
        feasible &= ratifiable.all(axis=2)
    alpha = np.asarray(power, dtype=float)
    solutions = {
        name: solution
        for name, solution in (
            *_nash_pair("nash", gains, feasible, np.full(len(gains), 0.5), tol),
            *_nash_pair("nash_asymmetric", gains, feasible, alpha, tol),
            *_min_pair("kalai_smorodinsky", gains, feasible, _ideal(gains, feasible), tol),
            *_min_pair("egalitarian", gains, feasible, np.ones((len(gains), 2)), tol),
            ("utilitarian", _finite("utilitarian", gains, feasible, gains.sum(axis=2), tol)),
        )
    }
    return CooperativeResult(
        rational=rational,
        ratifiable=ratifiable,
        pareto=pareto_optimal(utility, tol),
        feasible=feasible,
        power=alpha,
        solutions=solutions,
    )


def pareto_optimal(utility: Array, tol: float = TOL) -> BoolArray:
    """Deals no other deal weakly dominates, shape ``(N, D)`` from ``(N, D, 2)``."""
    dominated = np.zeros(utility.shape[:2], dtype=bool)
    for other in range(utility.shape[1]):
        challenger = utility[:, other : other + 1, :]
        dominated |= (challenger >= utility - tol).all(axis=2) & (challenger > utility + tol).any(
            axis=2
        )
    return ~dominated


# -- kernels ----------------------------------------------------------------------------


def _finite(name: str, gains: Array, feasible: BoolArray, objective: Array, tol: float) -> Solution:
    """Best feasible single deal by ``objective`` (N, D); ties to the larger sum of gains."""
    scores = np.where(feasible, objective, -np.inf)
    best = scores.max(axis=1, keepdims=True)
    tied = feasible & (scores >= best - tol)
    deal = np.where(tied, gains.sum(axis=2), -np.inf).argmax(axis=1)
    agreement = np.asarray(feasible.any(axis=1), dtype=bool)
    deal = np.where(agreement, deal, 0)
    return Solution(
        method=name,
        deal=deal,
        other=deal,
        weight=np.ones(len(deal)),
        gain=np.take_along_axis(gains, deal[:, None, None], axis=1)[:, 0, :],
        agreement=agreement,
    )


def _lottery(
    name: str,
    single: Solution,
    gains: Array,
    p: Array,
    value: Array,
    feasible: BoolArray,
    base: Array,
    tol: float,
) -> Solution:
    """Improve ``single`` by the best segment ``p`` (N, D) toward another feasible deal."""
    value = np.where(feasible, value, -np.inf)
    other = value.argmax(axis=1)
    rows = np.arange(len(other))
    better = single.agreement & (value[rows, other] > base + tol)
    weight_other = np.where(better, p[rows, other], 0.0)
    gain_other = gains[rows, other]
    return Solution(
        method=name,
        deal=single.deal,
        other=np.where(better, other, single.deal),
        weight=1.0 - weight_other,
        gain=(1 - weight_other)[:, None] * single.gain + weight_other[:, None] * gain_other,
        agreement=single.agreement,
    )


def _log_nash(gains: Array, alpha: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.maximum(gains, 0.0))
    a = alpha.reshape(-1, *([1] * (gains.ndim - 2)))
    return np.asarray(a * logs[..., 0] + (1 - a) * logs[..., 1])


def _nash_pair(
    name: str, gains: Array, feasible: BoolArray, alpha: Array, tol: float
) -> tuple[tuple[str, Solution], tuple[str, Solution]]:
    """The Nash solution over single deals and over lotteries of two."""
    single = _finite(name, gains, feasible, _log_nash(gains, alpha), tol)
    v = single.gain[:, None, :]
    dx, dy = gains[..., 0] - v[..., 0], gains[..., 1] - v[..., 1]
    a = alpha[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = -(a * dx * v[..., 1] + (1 - a) * dy * v[..., 0]) / (dx * dy)
    p = np.where(dx * dy < 0, np.clip(np.nan_to_num(p), 0.0, 1.0), 0.0)
    point = v + p[..., None] * (gains - v)
    value = _log_nash(point, alpha)
    base = _log_nash(single.gain[:, None, :], alpha)[:, 0]
    lottery = _lottery(f"{name}_lottery", single, gains, p, value, feasible, base, tol)
    return (name, single), (f"{name}_lottery", lottery)


def _ideal(gains: Array, feasible: BoolArray) -> Array:
    """Best feasible gain of each side, shape (N, 2); 1 where nothing is feasible."""
    best = np.where(feasible[..., None], gains, -np.inf).max(axis=1)
    return np.where(np.isfinite(best) & (best > 0), best, 1.0)


def _min_pair(
    name: str, gains: Array, feasible: BoolArray, scale: Array, tol: float
) -> tuple[tuple[str, Solution], tuple[str, Solution]]:
    """Maximin of scaled gains (Kalai–Smorodinsky, egalitarian), single and lottery."""
    scaled = gains / scale[:, None, :]
    single = _finite(name, gains, feasible, scaled.min(axis=2), tol)
    v = (single.gain / scale)[:, None, :]
    diff_v, diff_w = v[..., 0] - v[..., 1], scaled[..., 0] - scaled[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = diff_v / (diff_v - diff_w)
    p = np.where(diff_v * diff_w < 0, np.clip(np.nan_to_num(p), 0.0, 1.0), 0.0)
    point = v + p[..., None] * (scaled - v)
    base = v.min(axis=2)[:, 0]
    lottery = _lottery(f"{name}_lottery", single, gains, p, point.min(axis=2), feasible, base, tol)
    return (name, single), (f"{name}_lottery", lottery)
