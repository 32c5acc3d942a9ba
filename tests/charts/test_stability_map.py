"""Stability map: cells equal the sweep's predictions, tipping lines, baseline, labels."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection, QuadMesh  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.charts.labels import (  # noqa: E402
    deal_label,
    deal_styles,
    parameter_label,
    parameter_phrase,
)
from sim.charts.stability_map import stability_map  # noqa: E402
from sim.model.parameters import iter_parameters  # noqa: E402
from sim.model.scenario import Scenario  # noqa: E402
from sim.sweeps.analysis import evaluate_design  # noqa: E402
from sim.sweeps.samplers import sample  # noqa: E402
from sim.sweeps.spec import sweep_space  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402

X = "actors.japan.no_progress_cost"
Y = "actors.japan.china_benefit"
SCENARIO = ("baseline_2003", 2003)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def baseline(scenario: Scenario) -> dict[str, float]:
    return {p.path: p.value for p in iter_parameters(scenario)}


@pytest.fixture(scope="module")
def results(scenario: Scenario) -> pd.DataFrame:
    """A 12 × 11 grid: the 12 × 12 design without its highest China benefit row."""
    space = sweep_space(scenario, {X: {"range": [0.2, 3.0]}, Y: {"range": [0.5, 4.0]}})
    full = evaluate_design(scenario, sample(space, "grid", 144, 0))
    return full[full[Y] < full[Y].max()].reset_index(drop=True)


@pytest.fixture(scope="module")
def fig(results: pd.DataFrame, baseline: dict[str, float]) -> Figure:
    return stability_map(results, X, Y, "nash", baseline=baseline, scenario=SCENARIO)


def legend_texts(ax: Axes) -> list[Text]:
    legend = ax.get_legend()
    assert legend is not None
    return list(legend.get_texts())


def cells(fig: Figure) -> QuadMesh:
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    return mesh


def all_text(fig: Figure) -> str:
    return " ".join([fig.get_suptitle(), *(t.get_text() for t in fig.texts)])


def test_returns_a_titled_figure_naming_the_scenario(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().strip()
    text = all_text(fig)
    assert "baseline_2003" in text and "2003" in text
    assert "12 × 11" in text and "Nash bargaining" in text


def test_axis_labels_are_plain_words_with_units(fig: Figure) -> None:
    ax = fig.axes[0]
    assert ax.get_xlabel() == parameter_label(X)
    assert ax.get_xlabel().startswith("Japan: no-progress cost") and "bn" in ax.get_xlabel()
    assert ax.get_ylabel() == parameter_label(Y)


def test_cells_have_the_grid_shape_and_the_predicted_deals(
    fig: Figure, results: pd.DataFrame
) -> None:
    mesh = cells(fig)
    codes = np.asarray(mesh.get_array())
    xs, ys = np.unique(results[X]), np.unique(results[Y])
    assert codes.shape == (len(ys), len(xs)) == (11, 12)
    styles = deal_styles(["status_quo", *[c[6:] for c in results.columns if c[:6] == "holds_"]])
    for _, row in results.iterrows():
        i, j = np.searchsorted(ys, row[Y]), np.searchsorted(xs, row[X])
        colour = to_hex(tuple(mesh.cmap(mesh.norm(codes[i, j]))))
        assert colour == to_hex(styles[row["nash"]]["color"]), (row[X], row[Y])


def test_legend_lists_each_predicted_deal_the_tipping_line_and_the_baseline(
    fig: Figure, results: pd.DataFrame
) -> None:
    labels = [t.get_text() for t in legend_texts(fig.axes[0])]
    predicted = results["nash"].unique()
    assert len(predicted) >= 2
    for deal in predicted:
        share = (results["nash"] == deal).mean()
        entry = next(label for label in labels if label.startswith(deal_label(deal)))
        assert f"{share:.0%}" in entry or f"{share:.1%}" in entry
    assert "Tipping line" in labels and "Baseline" in labels


def test_tipping_lines_follow_every_change_between_neighbours(
    fig: Figure, results: pd.DataFrame
) -> None:
    table = results.pivot(index=Y, columns=X, values="nash").to_numpy()
    changes = int((table[:, 1:] != table[:, :-1]).sum() + (table[1:, :] != table[:-1, :]).sum())
    (lines,) = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert changes > 0
    assert len(lines.get_segments()) == changes


def test_baseline_is_marked_where_the_scenario_puts_it(
    fig: Figure, baseline: dict[str, float]
) -> None:
    ax = fig.axes[0]
    (marker,) = [line for line in ax.get_lines() if line.get_gid() == "baseline"]
    assert isinstance(marker, Line2D)
    assert np.asarray(marker.get_xdata())[0] == pytest.approx(baseline[X])
    assert np.asarray(marker.get_ydata())[0] == pytest.approx(baseline[Y])
    assert any(t.get_text() == "Baseline" for t in ax.texts)


def test_title_states_the_deal_at_the_baseline(
    fig: Figure, results: pd.DataFrame, baseline: dict[str, float]
) -> None:
    nearest = ((results[X] - baseline[X]).abs() + (results[Y] - baseline[Y]).abs()).idxmin()
    assert fig.get_suptitle().startswith(deal_label(results.loc[nearest, "nash"]))
    assert parameter_phrase(X) in fig.get_suptitle() or parameter_phrase(Y) in fig.get_suptitle()


def test_title_fits_the_page_and_png_saves(fig: Figure) -> None:
    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    title = next(t for t in fig.findobj(Text) if t.get_text() == fig.get_suptitle())
    assert title.get_window_extent(canvas.get_renderer()).width <= fig.bbox.width


def test_a_map_without_baseline_states_the_split(results: pd.DataFrame) -> None:
    fig = stability_map(results, X, Y, "posture", scenario=SCENARIO)
    top = results["posture"].value_counts().index[0]
    assert deal_label(top) in fig.get_suptitle()
    assert not [line for line in fig.axes[0].get_lines() if line.get_gid() == "baseline"]


def test_draws_into_given_axes(results: pd.DataFrame) -> None:
    outer = Figure()
    ax = outer.add_subplot()
    assert stability_map(results, X, Y, scenario=SCENARIO, ax=ax) is outer
    assert "baseline_2003" in ax.get_title(loc="left")


def test_points_that_are_not_a_grid_are_refused(scenario: Scenario, results: pd.DataFrame) -> None:
    space = sweep_space(scenario, {X: {"range": [0.2, 3.0]}, Y: {"range": [0.5, 4.0]}})
    scattered = evaluate_design(scenario, sample(space, "lhs", 40, 0))
    with pytest.raises(ValueError, match="not a grid"):
        stability_map(scattered, X, Y, scenario=SCENARIO)
    with pytest.raises(ValueError, match="not a grid"):
        stability_map(results.iloc[1:], X, Y, scenario=SCENARIO)
    third = results.assign(**{"context.china_pressure": np.linspace(0.5, 1.5, len(results))})
    with pytest.raises(ValueError, match="china_pressure"):
        stability_map(third, X, Y, scenario=SCENARIO)
    with pytest.raises(ValueError, match="no column"):
        stability_map(results, X, "actors.russia.patience", scenario=SCENARIO)
    with pytest.raises(ValueError, match="baseline"):
        stability_map(results, X, Y, baseline={X: 1.0}, scenario=SCENARIO)


def synthetic(deal_of: Callable[[float, float], str]) -> pd.DataFrame:
    xs, ys = np.meshgrid(np.linspace(0.2, 3.0, 6), np.linspace(1.0, 10.0, 5))
    deals = [deal_of(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)]
    return pd.DataFrame({X: xs.ravel(), Y: ys.ravel(), "nash": deals, "holds_shelve": False})


def test_an_axis_that_changes_nothing_is_named() -> None:
    fig = stability_map(
        synthetic(lambda x, y: "shelve" if x < 1.5 else "status_quo"), X, Y, scenario=SCENARIO
    )
    notes = " ".join(t.get_text() for t in fig.axes[0].texts).replace("\n", " ")
    assert f"{parameter_phrase(Y)} does not change the prediction" in notes
    assert parameter_phrase(X) not in notes


def test_a_map_with_one_deal_says_so() -> None:
    fig = stability_map(synthetic(lambda x, y: "shelve"), X, Y, scenario=SCENARIO)
    assert (
        fig.get_suptitle().strip()
        == "Nash bargaining predicts Shelve + cooperate everywhere on this map"
    )
    assert not [c for c in fig.axes[0].collections if isinstance(c, LineCollection)][
        0
    ].get_segments()
