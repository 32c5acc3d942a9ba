"""The cooperative kernel as it stood before the search over the hull's frontier.

Kept unchanged as the reference the current kernel is compared with (identical single-deal
solutions, lotteries at least as good) and as the "old path" of
``benchmarks/bench_cooperative.py``. Its lottery search follows only the segments from the
best single deal, which misses the optimum when that deal lies inside the hull of the
others (issue 15, item 1).
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


def solve_reference(
    utility: Array,
    ratifier_utility: Array,
    power: Array,
    *,
    require_ratification: bool = True,
    tol: float = TOL,
) -> CooperativeResult:
    """Every cooperative solution, by the old kernel (same signature as ``solve``).

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
    gains, ratifier_gains = u - u[:, :1], r - r[:, :1]
    rational, ratifiable = gains > tol, ratifier_gains > tol
    feasible = rational[0] & rational[1]
    if require_ratification:
        feasible &= ratifiable[0] & ratifiable[1]
    alpha = np.asarray(power, dtype=float)
    logs = _logs(gains)
    solutions = {
        name: solution
        for name, solution in (
            *_nash_pair("nash", gains, logs, feasible, np.full(len(alpha), 0.5), tol),
            *_nash_pair("nash_asymmetric", gains, logs, feasible, alpha, tol),
            *_min_pair("kalai_smorodinsky", gains, feasible, _ideal(gains, feasible), tol),
            *_min_pair("egalitarian", gains, feasible, np.ones((2, 1, len(alpha))), tol),
            ("utilitarian", _finite("utilitarian", gains, feasible, gains[0] + gains[1], tol)),
        )
    }
    return CooperativeResult(
        rational=rational.transpose(2, 1, 0),
        ratifiable=ratifiable.transpose(2, 1, 0),
        pareto=_pareto(u, tol).T,
        feasible=feasible.T,
        power=alpha,
        solutions=solutions,
    )


def _deal_major(values: Array) -> Array:
    """``(N, D, 2)`` to a contiguous ``(2, D, N)`` (no copy if it is a view of one)."""
    return np.ascontiguousarray(values.transpose(2, 1, 0))


def _argmax(values: Array) -> IntArray:
    """Index of the first largest row of ``values`` (D, N) in each column, shape (N,)."""
    best, index = values[0].copy(), np.zeros(values.shape[1], dtype=np.intp)
    for d in range(1, len(values)):
        larger = values[d] > best
        np.copyto(best, values[d], where=larger)
        index[larger] = d
    return index


def _pareto(u: Array, tol: float) -> BoolArray:
    low_j, low_r, high_j, high_r = u[0] - tol, u[1] - tol, u[0] + tol, u[1] + tol
    dominated = np.zeros(u.shape[1:], dtype=bool)
    for other in range(u.shape[1]):
        cj, cr = u[0, other], u[1, other]
        dominated |= (cj >= low_j) & (cr >= low_r) & ((cj > high_j) | (cr > high_r))
    return ~dominated


def _pick(g: Array, index: IntArray) -> Array:
    """Gains of deal ``index[n]`` in each draw ``n``, shape ``(N, 2)``."""
    columns = np.arange(g.shape[2])
    return np.stack([g[0, index, columns], g[1, index, columns]], axis=-1)


def _finite(name: str, g: Array, feasible: BoolArray, objective: Array, tol: float) -> Solution:
    """Best feasible single deal by ``objective`` (D, N); ties to the larger sum of gains."""
    scores = np.where(feasible, objective, -np.inf)
    best = scores.max(axis=0)
    tied = feasible & (scores >= best - tol)
    deal = _argmax(np.where(tied, g[0] + g[1], -np.inf))
    agreement = np.asarray(feasible.any(axis=0), dtype=bool)
    deal[~agreement] = 0
    return Solution(
        method=name,
        deal=deal,
        other=deal,
        weight=np.ones(len(deal)),
        gain=_pick(g, deal),
        agreement=agreement,
    )


def _lottery(
    name: str,
    single: Solution,
    g: Array,
    rows: IntArray,
    p: Array,
    value: Array,
    feasible: BoolArray,
    base: Array,
    tol: float,
) -> Solution:
    """Improve ``single`` in draws ``rows`` by the best segment toward another feasible deal.

    ``p``, ``value`` and ``feasible`` hold those draws only (shape ``(D, len(rows))``);
    ``p`` is the weight on the other deal, ``value`` the objective there, ``base`` the
    objective of the single deal.
    """
    value = np.where(feasible, value, -np.inf)
    best = _argmax(value)
    sub = np.arange(len(rows))
    better = value[best, sub] > base + tol
    other, weight = single.deal.copy(), np.ones(len(single.deal))
    other[rows] = np.where(better, best, single.deal[rows])
    weight[rows] = 1.0 - np.where(better, p[best, sub], 0.0)
    w = weight[:, None]
    return Solution(
        method=name,
        deal=single.deal,
        other=other,
        weight=weight,
        gain=w * single.gain + (1 - w) * _pick(g, other),
        agreement=single.agreement,
    )


def _lottery_rows(feasible: BoolArray) -> IntArray:
    """Draws with at least two feasible deals: the only ones a lottery can improve."""
    return np.flatnonzero(feasible.sum(axis=0) >= 2)


def _logs(x: Array) -> Array:
    """Natural log of the positive part (``-inf`` where not positive)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(np.maximum(x, 0.0)))


def _log_nash(x: Array, y: Array, alpha: Array) -> Array:
    """``alpha ln x + (1 - alpha) ln y`` (``-inf`` where a gain is not positive)."""
    return np.asarray(alpha * _logs(x) + (1 - alpha) * _logs(y))


def _nash_pair(
    name: str, g: Array, logs: Array, feasible: BoolArray, alpha: Array, tol: float
) -> tuple[tuple[str, Solution], tuple[str, Solution]]:
    """The Nash solution over single deals and over lotteries of two (``logs = ln g``)."""
    single = _finite(name, g, feasible, alpha * logs[0] + (1 - alpha) * logs[1], tol)
    rows = _lottery_rows(feasible)
    a, gs = alpha[rows], g[:, :, rows]
    xv, yv = single.gain[rows, 0], single.gain[rows, 1]
    dx, dy = gs[0] - xv, gs[1] - yv
    cross = dx * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        p = -(a * dx * yv + (1 - a) * dy * xv) / cross
    p = np.where(cross < 0, np.clip(np.nan_to_num(p), 0.0, 1.0), 0.0)
    value = _log_nash(xv + p * dx, yv + p * dy, a)
    base = _log_nash(xv, yv, a)
    lottery = _lottery(f"{name}_lottery", single, g, rows, p, value, feasible[:, rows], base, tol)
    return (name, single), (f"{name}_lottery", lottery)


def _ideal(g: Array, feasible: BoolArray) -> Array:
    """Best feasible gain of each side, shape ``(2, 1, N)``; 1 where nothing is feasible."""
    best = np.where(feasible, g, -np.inf).max(axis=1, keepdims=True)
    return np.where(np.isfinite(best) & (best > 0), best, 1.0)


def _min_pair(
    name: str, g: Array, feasible: BoolArray, scale: Array, tol: float
) -> tuple[tuple[str, Solution], tuple[str, Solution]]:
    """Maximin of scaled gains (Kalai–Smorodinsky, egalitarian), single and lottery."""
    sj, sr = g[0] / scale[0], g[1] / scale[1]
    single = _finite(name, g, feasible, np.minimum(sj, sr), tol)
    rows = _lottery_rows(feasible)
    sj, sr = sj[:, rows], sr[:, rows]
    vj = single.gain[rows, 0] / scale[0, 0, rows]
    vr = single.gain[rows, 1] / scale[1, 0, rows]
    diff_v, diff_w = vj - vr, sj - sr
    with np.errstate(divide="ignore", invalid="ignore"):
        p = diff_v / (diff_v - diff_w)
    p = np.where(diff_v * diff_w < 0, np.clip(np.nan_to_num(p), 0.0, 1.0), 0.0)
    value = np.minimum(vj + p * (sj - vj), vr + p * (sr - vr))
    base = np.minimum(vj, vr)
    lottery = _lottery(f"{name}_lottery", single, g, rows, p, value, feasible[:, rows], base, tol)
    return (name, single), (f"{name}_lottery", lottery)
