"""Tables as CSV files a spreadsheet opens: deals, hold-up rates, tipping points, backtest.

Every table is a :class:`pandas.DataFrame` built from results (one function each) and
written by :func:`write_csv` as UTF-8 with a byte-order mark, which Excel needs to read
non-ASCII text (the ± sign, accented names) correctly; commas separate fields and
numbers use a point. Deal ids and parameter paths are kept (they are what other files
and ``--set`` use), with the display label beside them. Money is in US$ bn (2003).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.evaluate import Evaluation
from sim.outputs import OutputFolder
from sim.report import deal_verdict
from sim.text import deal_name

if TYPE_CHECKING:
    from sim.history.backtest import Episode
    from sim.sweeps.analysis import ParameterTipping
    from sim.sweeps.summary import SweepSummary


def deals_frame(result: Evaluation, draw: int = 0) -> pd.DataFrame:
    """One row per deal: both sides' utilities, who accepts it, whether it holds up."""
    rows = result.rows(draw)
    holds = result.hold_up().holds
    ratifier = result.payoffs.ratifier_utility[draw]
    out = []
    for d, row in enumerate(rows):
        out.append(
            {
                "deal": row["deal"],
                "label": row["label"],
                "japan_government_usd_bn": row["japan"],
                "russia_government_usd_bn": row["russia"],
                "japan_ratifier_usd_bn": float(ratifier[d, 0]),
                "russia_ratifier_usd_bn": float(ratifier[d, 1]),
                "feasible": row["feasible"],
                "pareto": row["pareto"],
                "holds_up": bool(holds[draw, d]),
                "verdict": deal_verdict(result, d, draw),
            }
        )
    return pd.DataFrame(out)


def hold_up_frame(summary: SweepSummary) -> pd.DataFrame:
    """A sweep's hold-up rates with their 95% intervals and the reasons deals fail."""
    rows = []
    for deal, v in summary.deals.items():
        low, high = v.interval_95
        row: dict[str, Any] = {
            "deal": deal,
            "label": deal_name(deal),
            "hold_up_rate": v.hold_up_rate,
            "interval_95_low": low,
            "interval_95_high": high,
            "draws": summary.draws,
        }
        row |= {f"fails_first_at_{k}": x for k, x in v.fails_because.items()}
        rows.append(row)
    return pd.DataFrame(rows).fillna(0.0)


def tipping_frame(found: Sequence[ParameterTipping], solver: str) -> pd.DataFrame:
    """One row per tipping point (parameters without one get a row with no value)."""
    rows = []
    for t in found:
        base = {"solver": solver, "parameter": t.path, "range_low": t.low, "range_high": t.high}
        if not t.points:
            rows.append(base | {"value": None, "below": t.baseline_deal, "above": t.baseline_deal})
        for p in t.points:
            rows.append(
                base
                | {"value": p.value, "below": t.deal_ids[p.below], "above": t.deal_ids[p.above]}
            )
    return pd.DataFrame(rows)


def backtest_frame(episodes: Sequence[Episode]) -> pd.DataFrame:
    """One row per episode and solver: the recorded and the predicted deal, hit or miss."""
    rows = [
        {
            "episode": e.name,
            "year": e.year,
            "recorded": e.observed,
            "solver": solver,
            "predicted": deal,
            "hit": e.hits[solver],
        }
        for e in episodes
        for solver, deal in e.predictions.items()
    ]
    return pd.DataFrame(rows)


def write_csv(out: OutputFolder, name: str, frame: pd.DataFrame) -> None:
    """Write ``frame`` to ``name`` in ``out`` (UTF-8 with BOM, no index)."""
    with out.writing(name) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
