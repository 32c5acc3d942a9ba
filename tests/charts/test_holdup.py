"""Hold-up chart: bars equal the summary's rates and intervals, reasons stack to the failures."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.charts.holdup import FAIL_REASONS, REASON_LABELS, holdup_rates, main_reason  # noqa: E402
from sim.charts.labels import deal_label  # noqa: E402
from sim.sweeps.analysis import evaluate_design  # noqa: E402
from sim.sweeps.runner import plan_sweep  # noqa: E402
from sim.sweeps.spec import sweep_space  # noqa: E402
from sim.sweeps.summary import SummaryAccumulator  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402

SCENARIO = ("baseline_2003", 2003)


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    scenario = load_scenario(BASELINE)
    plan = plan_sweep(scenario, sweep_space(scenario), "lhs", 400, 1, 400)
    assert plan.design is not None
    results = evaluate_design(scenario, plan.design)
    counts = SummaryAccumulator()
    counts.add(pa.Table.from_pandas(results, preserve_index=False))
    return counts.result(plan.scenario.scenario.name, plan.method, plan.seed).to_json()


@pytest.fixture(scope="module")
def fig(summary: dict[str, Any]) -> Figure:
    return holdup_rates(summary, scenario=SCENARIO)


def legend_texts(ax: Axes) -> list[Text]:
    legend = ax.get_legend()
    assert legend is not None
    return list(legend.get_texts())


def panels(fig: Figure) -> tuple[Axes, Axes]:
    rates = next(ax for ax in fig.axes if ax.get_title(loc="left") == "Holds up")
    reasons = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Why it fails"))
    return rates, reasons


def bars(ax: Axes, gid: str) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == gid]


def sorted_deals(summary: dict[str, Any]) -> list[str]:
    deals = summary["deals"]
    return sorted(deals, key=lambda d: -deals[d]["hold_up_rate"])


def test_returns_a_titled_figure_naming_the_scenario_and_sweep(
    fig: Figure, summary: dict[str, Any]
) -> None:
    assert isinstance(fig, Figure)
    text = " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)])
    assert "baseline_2003" in text and "(2003)" in text
    assert "Latin hypercube" in text and f"{summary['draws']:,} draws" in text


def test_one_rate_bar_per_deal_sorted_by_rate(fig: Figure, summary: dict[str, Any]) -> None:
    rates, _ = panels(fig)
    order = sorted_deals(summary)
    assert [t.get_text() for t in rates.get_yticklabels()] == [deal_label(d) for d in order]
    drawn = bars(rates, "rates")
    assert len(drawn) == len(summary["deals"])
    widths = [bar.get_width() for bar in sorted(drawn, key=lambda b: b.get_y())]
    assert widths == pytest.approx([summary["deals"][d]["hold_up_rate"] for d in order])
    assert widths == sorted(widths, reverse=True)
    assert rates.get_xlabel() and rates.get_yticklabels()


def test_error_bars_span_the_95_percent_intervals(fig: Figure, summary: dict[str, Any]) -> None:
    rates, _ = panels(fig)
    (container,) = [c for c in rates.containers if isinstance(c, ErrorbarContainer)]
    segments = container.lines[2][0].get_segments()
    order = sorted_deals(summary)
    for segment, deal in zip(sorted(segments, key=lambda s: s[0][1]), order, strict=True):
        low, high = summary["deals"][deal]["interval_95"]
        assert sorted((segment[0][0], segment[1][0])) == pytest.approx([low, high])


def test_failure_reasons_stack_to_the_failing_share(fig: Figure, summary: dict[str, Any]) -> None:
    _, reasons = panels(fig)
    order = sorted_deals(summary)
    totals = np.zeros(len(order))
    hatches = {}
    for reason in FAIL_REASONS:
        drawn = sorted(bars(reasons, f"fails-{reason}"), key=lambda b: b.get_y())
        shares = [summary["deals"][d]["fails_because"].get(reason, 0.0) for d in order]
        if not any(shares):
            assert not drawn
            continue
        assert [b.get_width() for b in drawn] == pytest.approx(shares)
        hatches[reason] = (drawn[0].get_hatch() or "", drawn[0].get_facecolor())
        totals += shares
    expected = [1 - summary["deals"][d]["hold_up_rate"] for d in order]
    assert totals == pytest.approx(expected)
    assert len({hatch for hatch, _ in hatches.values()}) == len(hatches)
    assert len({colour for _, colour in hatches.values()}) == len(hatches)
    assert reasons.get_xlabel()


def test_legend_has_an_entry_per_reason_drawn(fig: Figure, summary: dict[str, Any]) -> None:
    drawn = {r for d in summary["deals"].values() for r, share in d["fails_because"].items()}
    labels = {t.get_text() for ax in fig.axes if ax.get_legend() for t in legend_texts(ax)}
    assert labels == {REASON_LABELS[r] for r in drawn}


def test_deals_that_never_hold_up_show_never_and_their_main_reason(
    fig: Figure, summary: dict[str, Any]
) -> None:
    rates, reasons = panels(fig)
    never = [d for d, v in summary["deals"].items() if v["hold_up_rate"] == 0]
    assert never
    assert sum(t.get_text() == "never" for t in rates.texts) == len(never)
    segment_texts = [t.get_text() for t in reasons.texts]
    for deal in never:
        reason = main_reason(summary["deals"][deal])
        assert reason is not None
        assert any(text.startswith(REASON_LABELS[reason]) for text in segment_texts)


def test_title_states_the_best_deal_and_its_rate(fig: Figure, summary: dict[str, Any]) -> None:
    best = sorted_deals(summary)[0]
    rate = summary["deals"][best]["hold_up_rate"]
    title = fig.get_suptitle()
    assert title.startswith(f"{deal_label(best)} holds up in")
    assert f"{rate:.0%}" in title or f"{rate:.1%}" in title


def test_title_for_synthetic_summaries() -> None:
    def deal(rate: float, reason: str) -> dict[str, Any]:
        return {
            "hold_up_rate": rate,
            "interval_95": [max(0.0, rate - 0.01), rate + 0.01],
            "fails_because": {reason: 1 - rate} if rate < 1 else {},
        }

    territorial = {"shelve": deal(0.3, "japan_government"), "two_islands": deal(0.0, "reneging")}
    fig = holdup_rates({"deals": territorial, "draws": 10, "method": "mc"}, scenario=SCENARIO)
    expected = "Shelve + cooperate holds up in 30% of draws; no territorial deal does"
    assert fig.get_suptitle().strip() == expected
    nothing = {"shelve": deal(0.0, "japan_ratifier"), "four_islands": deal(0.0, "russia_ratifier")}
    fig = holdup_rates({"deals": nothing, "draws": 10, "method": "mc"}, scenario=SCENARIO)
    assert fig.get_suptitle().strip() == "No deal holds up in any of the 10 draws"
    with pytest.raises(ValueError, match="no deals"):
        holdup_rates({"deals": {}}, scenario=SCENARIO)


def test_draws_into_a_pair_of_axes_and_saves_png(summary: dict[str, Any], fig: Figure) -> None:
    outer = Figure()
    axes = outer.subplots(1, 2)
    assert holdup_rates(summary, scenario=SCENARIO, ax=list(axes)) is outer
    assert "baseline_2003" in axes[0].get_title(loc="left")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
