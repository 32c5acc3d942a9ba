"""Sobol' chart: total and first-order bars with intervals, sorted by total index."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.charts.labels import parameter_label, parameter_phrase  # noqa: E402
from sim.charts.sensitivity import NEGLIGIBLE, sobol_chart  # noqa: E402
from sim.sweeps.analysis import evaluate_design, outcome_values  # noqa: E402
from sim.sweeps.samplers import sample  # noqa: E402
from sim.sweeps.sensitivity import SobolResult, sobol_indices  # noqa: E402
from sim.sweeps.spec import sweep_space  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402

SCENARIO = ("baseline_2003", 2003)
OUTCOME = "the Shelve + cooperate margin"


@pytest.fixture(scope="module")
def result() -> SobolResult:
    scenario = load_scenario(BASELINE)
    design = sample(sweep_space(scenario), "sobol", 32, 0)
    y = outcome_values(evaluate_design(scenario, design), "margin_shelve")
    return sobol_indices(design, y, num_resamples=20, seed=0)


@pytest.fixture(scope="module")
def fig(result: SobolResult) -> Figure:
    return sobol_chart(result, OUTCOME, scenario=SCENARIO, draws=1184)


def legend_texts(ax: Axes) -> list[Text]:
    legend = ax.get_legend()
    assert legend is not None
    return list(legend.get_texts())


def containers(ax: Axes) -> dict[str, BarContainer]:
    return {str(c.get_label()): c for c in ax.containers if isinstance(c, BarContainer)}


def expected_rows(result: SobolResult, top: int = 12) -> list[int]:
    order = np.argsort(-result.ST, kind="stable")
    return [int(i) for i in order if result.ST[i] >= NEGLIGIBLE][:top]


def test_returns_a_titled_figure_naming_the_scenario(fig: Figure, result: SobolResult) -> None:
    assert isinstance(fig, Figure)
    text = " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)])
    assert "baseline_2003" in text and "(2003)" in text and "Sobol' sweep of 1,184 draws" in text
    top = expected_rows(result)[0]
    assert fig.get_suptitle().startswith(parameter_phrase(result.names[top]))


def test_axis_labels_and_legend(fig: Figure) -> None:
    ax = fig.axes[0]
    assert OUTCOME in ax.get_xlabel()
    labels = [t.get_text() for t in legend_texts(ax)]
    assert labels == ["Total (with interactions)", "First-order (alone)"]


def test_bars_equal_the_indices_sorted_by_total(fig: Figure, result: SobolResult) -> None:
    ax = fig.axes[0]
    rows = expected_rows(result)
    assert 2 <= len(rows) <= 12
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        parameter_label(result.names[i]) for i in rows
    ]
    bars = containers(ax)
    total, first = bars["Total (with interactions)"], bars["First-order (alone)"]
    assert [b.get_width() for b in total] == pytest.approx(result.ST[rows])
    assert [b.get_width() for b in first] == pytest.approx(result.S1[rows])
    widths = [b.get_width() for b in total]
    assert widths == sorted(widths, reverse=True)
    assert total.patches[0].get_hatch() != first.patches[0].get_hatch()


def test_error_bars_are_the_confidence_half_widths(fig: Figure, result: SobolResult) -> None:
    rows = expected_rows(result)
    bars = containers(fig.axes[0])
    for label, centre, conf in (
        ("Total (with interactions)", result.ST, result.ST_conf),
        ("First-order (alone)", result.S1, result.S1_conf),
    ):
        error = bars[label].errorbar
        assert error is not None
        segments = sorted(error.lines[2][0].get_segments(), key=lambda s: s[0][1])
        for segment, i in zip(segments, rows, strict=True):
            low, high = sorted((segment[0][0], segment[1][0]))
            assert (low, high) == pytest.approx((centre[i] - conf[i], centre[i] + conf[i]))


def test_top_limits_the_bars_and_the_footnote_counts_the_rest(result: SobolResult) -> None:
    fig = sobol_chart(result, OUTCOME, scenario=SCENARIO, top=2)
    assert len(containers(fig.axes[0])["Total (with interactions)"]) == 2
    footnote = " ".join(t.get_text() for t in fig.texts)
    assert f"Not shown: {len(result.names) - 2} parameters" in footnote


def test_synthetic_result_png_and_given_axes() -> None:
    result = SobolResult(
        names=("context.china_pressure", "actors.japan.patience", "context.us_pressure"),
        S1=np.array([0.2, 0.5, 0.0]),
        S1_conf=np.array([0.05, 0.05, 0.01]),
        ST=np.array([0.4, 0.6, 0.001]),
        ST_conf=np.array([0.05, 0.05, 0.01]),
    )
    fig = sobol_chart(result, "the outcome", scenario=SCENARIO)
    assert fig.get_suptitle().startswith("Japan's patience matters most: 60% of the variance")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0].startswith("Japan: patience")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    outer = Figure()
    ax = outer.add_subplot()
    assert sobol_chart(result, "the outcome", scenario=SCENARIO, ax=ax) is outer
    assert "baseline_2003" in ax.get_title(loc="left")
