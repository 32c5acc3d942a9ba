"""Tornado chart: bars from the baseline to each parameter's low and high outcome, by swing."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.charts.labels import parameter_label, parameter_phrase  # noqa: E402
from sim.charts.tornado import tornado_chart  # noqa: E402
from sim.sweeps.analysis import evaluate_design, outcome_values  # noqa: E402
from sim.sweeps.samplers import sample  # noqa: E402
from sim.sweeps.sensitivity import TornadoResult, tornado  # noqa: E402
from sim.sweeps.spec import sweep_space  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402

SCENARIO = ("baseline_2003", 2003)
OUTCOME = r"Shelve + cooperate: acceptance margin (US\$ bn)"


@pytest.fixture(scope="module")
def result() -> TornadoResult:
    scenario = load_scenario(BASELINE)
    design = sample(sweep_space(scenario), "oat", 110, 0)
    return tornado(design, outcome_values(evaluate_design(scenario, design), "margin_shelve"))


@pytest.fixture(scope="module")
def fig(result: TornadoResult) -> Figure:
    return tornado_chart(result, OUTCOME, scenario=SCENARIO, reference=(0.0, "Zero margin"))


def legend_texts(ax: Axes) -> list[Text]:
    legend = ax.get_legend()
    assert legend is not None
    return list(legend.get_texts())


def bars(ax: Axes, which: str) -> dict[str, Rectangle]:
    prefix = f"{which}-"
    return {
        str(p.get_gid()).removeprefix(prefix): p
        for p in ax.patches
        if isinstance(p, Rectangle) and str(p.get_gid()).startswith(prefix)
    }


def moving(result: TornadoResult) -> list[str]:
    return [name for name, swing in zip(result.names, result.swing, strict=True) if swing > 0]


def test_returns_a_titled_figure_naming_the_scenario(fig: Figure, result: TornadoResult) -> None:
    assert isinstance(fig, Figure)
    text = " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)])
    assert "baseline_2003" in text and "(2003)" in text and "one-at-a-time" in text
    assert fig.get_suptitle().startswith(parameter_phrase(moving(result)[0]))


def test_axis_labels(fig: Figure) -> None:
    ax = fig.axes[0]
    assert ax.get_xlabel() == OUTCOME
    assert all(t.get_text() for t in ax.get_yticklabels())


def test_one_pair_of_bars_per_moving_parameter_sorted_by_swing(
    fig: Figure, result: TornadoResult
) -> None:
    ax = fig.axes[0]
    shown = moving(result)[:12]
    assert 2 <= len(shown) <= 12
    assert [t.get_text() for t in ax.get_yticklabels()] == [parameter_label(n) for n in shown]
    low, high = bars(ax, "low"), bars(ax, "high")
    assert set(low) == set(high) == set(shown)
    swings = [
        abs(high[n].get_x() + high[n].get_width() - low[n].get_x() - low[n].get_width())
        for n in shown
    ]
    assert swings == sorted(swings, reverse=True)
    for n in shown:
        i = result.names.index(n)
        assert low[n].get_x() == pytest.approx(result.baseline)
        assert low[n].get_x() + low[n].get_width() == pytest.approx(result.low[i])
        assert high[n].get_x() + high[n].get_width() == pytest.approx(result.high[i])
        y = shown.index(n)
        assert low[n].get_y() + low[n].get_height() / 2 == pytest.approx(y)


def test_parameter_values_are_written_at_the_bar_ends(fig: Figure, result: TornadoResult) -> None:
    texts = {t.get_text() for t in fig.axes[0].texts}
    for n in moving(result)[:12]:
        i = result.names.index(n)
        assert f"{result.low_value[i]:.3g}" in texts and f"{result.high_value[i]:.3g}" in texts


def test_left_out_parameters_are_counted(fig: Figure, result: TornadoResult) -> None:
    still = len(result.names) - len(moving(result))
    footnote = " ".join(t.get_text() for t in fig.texts)
    assert still > 0 and f"{still} parameters that do not move the outcome" in footnote
    few = tornado_chart(result, OUTCOME, scenario=SCENARIO, top=2)
    assert len(bars(few.axes[0], "low")) == 2
    smaller = len(moving(result)) - 2
    assert f"{smaller} parameters with smaller swings" in " ".join(t.get_text() for t in few.texts)


def test_legend_and_baseline_line(fig: Figure, result: TornadoResult) -> None:
    ax = fig.axes[0]
    labels = [t.get_text() for t in legend_texts(ax)]
    assert labels == [
        "Parameter low (5% quantile of its range; value at the bar)",
        "Parameter high (95% quantile; value at the bar)",
        "Baseline outcome",
        "Zero margin",
    ]
    xs = [np.asarray(line.get_xdata())[0] for line in ax.get_lines()]
    assert result.baseline in xs and 0.0 in xs


def test_synthetic_result_and_png() -> None:
    result = TornadoResult(
        names=("context.china_pressure", "actors.russia.patience", "context.us_pressure"),
        low_value=np.array([0.5, 0.8, 0.0]),
        high_value=np.array([1.5, 0.97, 0.3]),
        low=np.array([-1.0, 0.5, 0.2]),
        high=np.array([2.0, 0.1, 0.2]),
        swing=np.array([3.0, 0.4, 0.0]),
        baseline=0.2,
    )
    fig = tornado_chart(result, "Outcome", scenario=SCENARIO, draws=7)
    assert fig.get_suptitle().startswith("China pressure matters most")
    assert "7 draws" in " ".join(t.get_text() for t in fig.texts)
    assert len(bars(fig.axes[0], "high")) == 2
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="top"):
        tornado_chart(result, "Outcome", scenario=SCENARIO, top=0)


def test_draws_into_given_axes(result: TornadoResult) -> None:
    outer = Figure()
    ax = outer.add_subplot()
    assert tornado_chart(result, OUTCOME, scenario=SCENARIO, ax=ax) is outer
    assert "baseline_2003" in ax.get_title(loc="left")


def test_the_legend_names_the_values_written_at_the_bars(result: TornadoResult) -> None:
    """The bars' values are the 5% and 95% quantiles the legend names, not the range's ends."""
    space = sweep_space(load_scenario(BASELINE))
    for i, name in enumerate(result.names):
        (parameter,) = [p for p in space.parameters if p.path == name]
        low, high = parameter.distribution.ppf(np.array([0.05, 0.95]))
        assert result.low_value[i] == pytest.approx(low)
        assert result.high_value[i] == pytest.approx(high)


def test_the_legend_covers_no_bar(fig):
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() != 0]
    assert bars
    assert not any(legend.overlaps(bar.get_window_extent()) for bar in bars)
