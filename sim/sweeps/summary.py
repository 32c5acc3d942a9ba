"""Summaries of a sweep: hold-up rates with 95% intervals and each solver's predictions.

Counts are accumulated chunk by chunk (a sweep of 10^7 draws is never held in memory).
Intervals are Wilson score intervals (Wilson 1927), which behave at rates near 0 and 1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.holdup import REASONS
from sim.predict import REGISTRY
from sim.sweeps import columns

if TYPE_CHECKING:
    import pyarrow as pa

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


@dataclass(frozen=True)
class DealSummary:
    """One deal across a sweep.

    Attributes
    ----------
    hold_up_rate : float
        Share of draws in which it holds up.
    interval_95 : (float, float)
        Wilson 95% interval of that share (sampling error only).
    fails_because : mapping of str to float
        Share of draws failing first for each reason (:class:`sim.holdup.FailReason`
        values), reasons that never apply left out.
    """

    hold_up_rate: float
    interval_95: tuple[float, float]
    fails_because: dict[str, float] = field(default_factory=dict)

    def main_reason(self) -> str | None:
        """The reason most failing draws fail at first (None if it never fails)."""
        fails = self.fails_because
        return max(fails, key=lambda r: fails[r]) if fails else None


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep found: each deal's hold-up rate, and each solver's predictions.

    Attributes
    ----------
    scenario : str
    draws : int
    method : str
    seed : int
    deals : mapping of str to DealSummary
        In menu order.
    predictions : mapping of str to mapping of str to float
        For each solver (registry name), the share of draws it predicts each deal in,
        most frequent first.
    """

    scenario: str
    draws: int
    method: str
    seed: int
    deals: dict[str, DealSummary]
    predictions: dict[str, dict[str, float]]

    def leading_deal(self) -> str:
        """The deal that holds up most often (the first of the menu on a tie)."""
        return max(self.deals, key=lambda d: self.deals[d].hold_up_rate)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (the layout of ``summary.json``)."""
        return {
            "scenario": self.scenario,
            "draws": self.draws,
            "method": self.method,
            "seed": self.seed,
            "deals": {
                d: {
                    "hold_up_rate": v.hold_up_rate,
                    "interval_95": list(v.interval_95),
                    "fails_because": dict(v.fails_because),
                }
                for d, v in self.deals.items()
            },
            "predictions": {s: dict(p) for s, p in self.predictions.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SweepSummary:
        """Read back :meth:`to_json`'s data."""
        return cls(
            scenario=data["scenario"],
            draws=int(data["draws"]),
            method=data["method"],
            seed=int(data["seed"]),
            deals={
                d: DealSummary(
                    float(v["hold_up_rate"]),
                    (float(v["interval_95"][0]), float(v["interval_95"][1])),
                    {k: float(x) for k, x in v["fails_because"].items()},
                )
                for d, v in data["deals"].items()
            },
            predictions={s: dict(p) for s, p in data["predictions"].items()},
        )


class SummaryAccumulator:
    """Adds up the counts of a sweep's chunks."""

    def __init__(self) -> None:
        self.n = 0
        self.holds: Counter[str] = Counter()
        self.fails: dict[str, Counter[str]] = {}
        self.predictions: dict[str, Counter[str]] = {}

    def add(self, table: pa.Table) -> None:
        """Count one chunk (a table of sweep columns)."""
        self.n += table.num_rows
        for deal in columns.deals_in(table.column_names, columns.HOLDS):
            self.holds[deal] += int(np.asarray(table.column(columns.holds(deal))).sum())
            counts = _counts(table, columns.fails(deal))
            self.fails.setdefault(deal, Counter()).update(counts)
        for solver in REGISTRY:
            if solver in table.column_names:
                self.predictions.setdefault(solver, Counter()).update(_counts(table, solver))

    def result(self, scenario: str, method: str, seed: int) -> SweepSummary:
        """The summary of every chunk added."""
        deals = {}
        for deal, count in self.holds.items():
            failing = self.fails.get(deal, Counter())
            deals[deal] = DealSummary(
                hold_up_rate=count / self.n if self.n else 0.0,
                interval_95=wilson_interval(count, self.n),
                fails_because={
                    str(r): failing[str(r)] / self.n for r in REASONS if failing[str(r)]
                },
            )
        return SweepSummary(
            scenario=scenario,
            draws=self.n,
            method=method,
            seed=seed,
            deals=deals,
            predictions={
                solver: {deal: count / self.n for deal, count in counts.most_common()}
                for solver, counts in self.predictions.items()
                if counts
            },
        )
