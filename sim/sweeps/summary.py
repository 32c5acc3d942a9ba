"""Summaries of a sweep: hold-up rates with 95% intervals and each solver's predictions.

Counts are accumulated chunk by chunk (a sweep of 10^7 draws is never held in memory).
Intervals are Wilson score intervals (Wilson 1927), which behave at rates near 0 and 1.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.solvers.cooperative import SOLUTION_NAMES
from sim.sweeps.outcomes import FAIL_REASONS

if TYPE_CHECKING:
    import pyarrow as pa

    from sim.sweeps.runner import SweepPlan

SOLVERS: tuple[str, ...] = (*SOLUTION_NAMES, "sequential", "posture", "alternating")
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Examples
    --------
    >>> low, high = wilson_interval(0, 100)
    >>> round(low, 4), round(high, 4)
    (0.0, 0.037)
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


def _counts(table: pa.Table, column: str) -> dict[str, int]:
    """How often each value occurs in a text column (counted by Arrow, not in Python)."""
    import pyarrow.compute as pc

    counts = pc.value_counts(table.column(column)).to_pylist()
    return {row["values"]: row["counts"] for row in counts}


class SummaryAccumulator:
    """Adds up the counts of a sweep's chunks."""

    def __init__(self) -> None:
        self.n = 0
        self.holds: Counter[str] = Counter()
        self.fails: dict[str, Counter[str]] = {}
        self.predictions: dict[str, Counter[str]] = {s: Counter() for s in SOLVERS}

    def add(self, table: pa.Table) -> None:
        """Count one chunk (a table of sweep columns)."""
        self.n += table.num_rows
        for name in table.column_names:
            if name.startswith("holds_"):
                deal = name.removeprefix("holds_")
                self.holds[deal] += int(np.asarray(table.column(name)).sum())
                self.fails.setdefault(deal, Counter()).update(_counts(table, f"fails_{deal}"))
        for solver in SOLVERS:
            if solver in table.column_names:
                self.predictions[solver].update(_counts(table, solver))

    def result(self, plan: SweepPlan) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        deals = {}
        for deal, count in self.holds.items():
            low, high = wilson_interval(count, self.n)
            failing = self.fails.get(deal, Counter())
            deals[deal] = {
                "hold_up_rate": count / self.n if self.n else 0.0,
                "interval_95": [low, high],
                "fails_because": {r: failing[r] / self.n for r in FAIL_REASONS if failing[r]},
            }
        return {
            "scenario": plan.scenario.scenario.name,
            "draws": self.n,
            "method": plan.method,
            "seed": plan.seed,
            "deals": deals,
            "predictions": {
                solver: {deal: count / self.n for deal, count in counts.most_common()}
                for solver, counts in self.predictions.items()
                if counts
            },
        }
