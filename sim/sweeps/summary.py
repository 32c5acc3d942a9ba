"""Summaries of a sweep: hold-up rates with 95% intervals and each solver's predictions.

Counts are made chunk by chunk (a sweep of 10^7 draws is never held in memory), as
:class:`SummaryCounts`: a sweep's workers count each chunk they evaluate
(:meth:`SummaryCounts.of`; a dictionary-encoded text column is counted with
:func:`numpy.bincount` over its codes) and the counts of the chunks are added up
(:class:`SummaryAccumulator`). Intervals are Wilson score intervals (Wilson 1927), which
behave at rates near 0 and 1.
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
    """How often each value occurs in a text column (never counted one row at a time).

    A dictionary-encoded column is counted by :func:`numpy.bincount` over its codes;
    any other by Arrow's ``value_counts``. Values that do not occur are left out.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    data = table.column(column)
    if pa.types.is_dictionary(data.type):
        out: Counter[str] = Counter()
        for chunk in data.chunks:
            labels = chunk.dictionary.to_pylist()
            codes = chunk.indices.to_numpy(zero_copy_only=False)
            found = np.bincount(codes, minlength=len(labels))
            out.update({labels[i]: int(found[i]) for i in np.flatnonzero(found)})
        return dict(out)
    counts = pc.value_counts(data).to_pylist()
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


@dataclass(frozen=True)
class SummaryCounts:
    """What a summary counts in some draws of a sweep (one chunk, or several added up).

    Attributes
    ----------
    n : int
        Draws counted.
    holds : mapping of str to int
        For each deal, the draws it holds up in.
    fails : mapping of str to mapping of str to int
        For each deal, the draws failing first for each reason (``""``: it holds).
    predictions : mapping of str to mapping of str to int
        For each solver, the draws it predicts each outcome in.
    """

    n: int = 0
    holds: dict[str, int] = field(default_factory=dict)
    fails: dict[str, dict[str, int]] = field(default_factory=dict)
    predictions: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, table: pa.Table) -> SummaryCounts:
        """Count a table of sweep columns (a chunk as written, or read back)."""
        import pyarrow.compute as pc

        names = table.column_names
        deals = columns.deals_in(names, columns.HOLDS)
        return cls(
            n=table.num_rows,
            holds={d: int(pc.sum(table.column(columns.holds(d))).as_py() or 0) for d in deals},
            fails={d: _counts(table, columns.fails(d)) for d in deals if columns.fails(d) in names},
            predictions={s: _counts(table, s) for s in REGISTRY if s in names},
        )

    def __add__(self, other: SummaryCounts) -> SummaryCounts:
        return SummaryCounts(
            self.n + other.n,
            _add(self.holds, other.holds),
            _add_nested(self.fails, other.fails),
            _add_nested(self.predictions, other.predictions),
        )


COUNTED_KINDS = (columns.HOLDS, columns.FAILS)
"""Per-deal column kinds a summary counts (besides the solvers' columns)."""


def counted_columns(names: list[str]) -> list[str]:
    """The columns among ``names`` that :meth:`SummaryCounts.of` reads."""
    return [
        c
        for c in names
        if c in REGISTRY or ((p := columns.parse(c)) is not None and p[0] in COUNTED_KINDS)
    ]


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, count in b.items():
        out[key] = out.get(key, 0) + count
    return out


def _add_nested(
    a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    out = dict(a)
    for key, counts in b.items():
        out[key] = _add(out.get(key, {}), counts)
    return out


class SummaryAccumulator:
    """Adds up the counts of a sweep's chunks."""

    def __init__(self) -> None:
        self.counts = SummaryCounts()

    @property
    def n(self) -> int:
        """Draws counted so far."""
        return self.counts.n

    def add(self, table: pa.Table) -> None:
        """Count one chunk (a table of sweep columns)."""
        self.add_counts(SummaryCounts.of(table))

    def add_counts(self, counts: SummaryCounts) -> None:
        """Add the counts of one chunk (or of several)."""
        self.counts = self.counts + counts

    def result(self, scenario: str, method: str, seed: int) -> SweepSummary:
        """The summary of every chunk added.

        Each solver's predictions are listed most frequent first, equal counts in
        alphabetical order, so that the summary does not depend on the order in which
        chunks were added.
        """
        n, c = self.counts.n, self.counts
        deals = {}
        for deal, count in c.holds.items():
            failing = c.fails.get(deal, {})
            deals[deal] = DealSummary(
                hold_up_rate=count / n if n else 0.0,
                interval_95=wilson_interval(count, n),
                fails_because={str(r): failing[str(r)] / n for r in REASONS if failing.get(str(r))},
            )
        return SweepSummary(
            scenario=scenario,
            draws=n,
            method=method,
            seed=seed,
            deals=deals,
            predictions={
                solver: {
                    deal: count / n
                    for deal, count in sorted(counts.items(), key=lambda dc: (-dc[1], dc[0]))
                    if count
                }
                for solver, counts in c.predictions.items()
                if any(counts.values())
            },
        )
