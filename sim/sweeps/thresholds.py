r"""Tipping points: where a discrete outcome changes as one parameter moves.

Given a vectorised map :math:`x \mapsto o(x)` from a parameter value to a discrete
outcome (say, the predicted deal with every other parameter at baseline), the
tipping points in :math:`[a, b]` are located in two stages:

1. *Scan*: evaluate :math:`o` on an even grid :math:`x_0 = a < x_1 < \dots <
   x_{G-1} = b`; every pair of neighbours with :math:`o(x_j) \ne o(x_{j+1})`
   brackets at least one change.
2. *Bisection*: all brackets are halved together, one vectorised call of
   :math:`o` per step, keeping the invariant :math:`o(\ell) \ne o(h)`, until each
   bracket is narrower than :math:`\text{tol}\cdot(b - a)`. That takes
   :math:`\lceil \log_2(1/((G - 1)\,\text{tol})) \rceil` steps (14 with the
   defaults), so :math:`o` is called about 15 times whatever the number of
   thresholds (Burden & Faires 2011, §2.1).

The threshold reported is the midpoint of the final bracket, within
:math:`\text{tol}\cdot(b - a)/2` of a point where the outcome changes.

Limitation: the scan sees only changes between grid points. Two changes closer
together than the spacing :math:`(b - a)/(G - 1)` that return to the same outcome
(``A → B → A``) are missed, and when one grid interval holds several changes
(``A → B → C``) bisection reports one of them. A finer ``grid`` narrows this
blind spot.

References
----------
Burden, R. L. & Faires, J. D. (2011). *Numerical Analysis*, 9th ed. Brooks/Cole.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class TippingPoint:
    """A change of the outcome: below ``value`` it is ``below``, above it ``above``."""

    value: float
    below: int
    above: int


def tipping_points(
    outcome: Callable[[Array], ArrayLike],
    low: float,
    high: float,
    *,
    grid: int = 65,
    tol: float = 1e-6,
) -> list[TippingPoint]:
    """Every change of a discrete outcome in ``[low, high]``, in increasing order.

    Parameters
    ----------
    outcome : callable
        Maps parameter values, shape ``(M,)``, to integer outcomes, shape ``(M,)``.
    low, high : float
        The interval scanned, ``low < high``.
    grid : int
        Points of the initial scan (at least 2); changes closer together than
        ``(high - low) / (grid - 1)`` can be missed.
    tol : float
        Final bracket width relative to ``high - low``, in (0, 1).

    Returns
    -------
    list of TippingPoint

    Examples
    --------
    >>> points = tipping_points(lambda x: (x > 0.25).astype(int), 0.0, 1.0, tol=1e-9)
    >>> round(points[0].value, 6), points[0].below, points[0].above
    (0.25, 0, 1)
    """
    _check(low, high, grid, tol)
    x = np.linspace(low, high, grid)
    y = _evaluate(outcome, x)
    left = np.flatnonzero(y[1:] != y[:-1])
    lo, hi, y_lo, y_hi = _bisect(
        outcome, x[left], x[left + 1], y[left], y[left + 1], tol * (high - low)
    )
    return [
        TippingPoint(float(v), int(b), int(a))
        for v, b, a in zip((lo + hi) / 2, y_lo, y_hi, strict=True)
    ]


def _check(low: float, high: float, grid: int, tol: float) -> None:
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"expected finite low < high, got [{low!r}, {high!r}]")
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise ValueError(f"grid must be an integer of at least 2, got {grid!r}")
    if not 0 < tol < 1:
        raise ValueError(f"tol must lie in (0, 1), got {tol!r}")


def _evaluate(outcome: Callable[[Array], ArrayLike], x: Array) -> IntArray:
    """``outcome(x)`` checked to be integer-valued with the shape of ``x``."""
    y = np.asarray(outcome(x))
    if y.shape != x.shape:
        raise ValueError(f"outcome must return shape {x.shape}, got {y.shape}")
    if y.dtype.kind not in "biu":
        y = y.astype(float)
        if not np.all(np.isfinite(y) & (y == np.round(y))):
            raise ValueError("outcome must return integer values")
    return y.astype(np.int64)


def _bisect(
    outcome: Callable[[Array], ArrayLike],
    lo: Array,
    hi: Array,
    y_lo: IntArray,
    y_hi: IntArray,
    width: float,
) -> tuple[Array, Array, IntArray, IntArray]:
    """Halve every bracket ``[lo, hi]`` (``y_lo != y_hi``) until narrower than ``width``."""
    while lo.size and np.max(hi - lo) >= width:
        mid = (lo + hi) / 2
        if np.all((mid == lo) | (mid == hi)):
            break  # brackets as narrow as floating point allows
        y_mid = _evaluate(outcome, mid)
        same = y_mid == y_lo
        lo, y_lo = np.where(same, mid, lo), np.where(same, y_mid, y_lo)
        hi, y_hi = np.where(same, hi, mid), np.where(same, y_hi, y_mid)
    return lo, hi, y_lo, y_hi
