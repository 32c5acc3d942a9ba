"""Component bars: seven stacked parts per deal and side, totals marked, one legend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from sim import Evaluation, evaluate, load_scenario  # noqa: E402
from sim.charts.components import COMPONENT_NAMES, biggest_cost, component_bars  # noqa: E402
from sim.model.payoffs import COMPONENTS  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate(load_scenario(BASELINE))


@pytest.fixture(scope="module")
def fig(result: Evaluation) -> Figure:
    return component_bars(result)


def panels(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_title(loc="left") in ("Japan", "Russia")]


def test_returns_a_titled_figure(result: Evaluation, fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().startswith("Nationalist cost is the biggest minus")
    info = result.scenario.scenario
    subtitle = " ".join(t.get_text() for t in fig.texts)
    assert info.name in subtitle and str(info.year) in subtitle
    assert "ranks the deals" in subtitle


def test_two_panels_with_labelled_axes(fig: Figure) -> None:
    japan, russia = panels(fig)
    for ax in (japan, russia):
        assert "US$ bn" in ax.get_xlabel()
    assert japan.get_xlim() == russia.get_xlim()


def test_one_bar_per_deal_and_component_in_the_same_order(result: Evaluation, fig: Figure) -> None:
    labels = [t.get_text() for t in panels(fig)[0].get_yticklabels()]
    assert labels[0].startswith("Status quo")
    assert labels[1:] == [spec.label for spec in result.deals.specs][1:]
    for ax in panels(fig):
        assert [c.get_label() for c in ax.containers] == [COMPONENT_NAMES[c] for c in COMPONENTS]
        assert all(len(container) == len(result.deals) for container in ax.containers)
        bars = [p for c in ax.containers for p in c if isinstance(p, Rectangle)]
        centres = {round(p.get_y() + p.get_height() / 2, 9) for p in bars}
        assert centres <= set(range(len(result.deals)))


def test_bars_stack_to_the_components(result: Evaluation, fig: Figure) -> None:
    components = result.payoffs.components[0]
    for a, ax in enumerate(panels(fig)):
        widths = np.array([[p.get_width() for p in c] for c in ax.containers]).T  # (D, 6)
        assert np.allclose(widths, components[:, a, :])
        for d in range(len(result.deals)):
            ends = [p.get_x() + p.get_width() for c in ax.containers for p in [c[d]]]
            assert max(ends + [0]) == pytest.approx(np.maximum(components[d, a], 0).sum())
            assert min(ends + [0]) == pytest.approx(np.minimum(components[d, a], 0).sum())


def test_totals_are_marked(result: Evaluation, fig: Figure) -> None:
    for a, ax in enumerate(panels(fig)):
        (total,) = [line for line in ax.get_lines() if line.get_gid() == "total"]
        assert np.allclose(total.get_xdata(), result.payoffs.utility[0][:, a])
        nets = [t for t in ax.texts if t.get_gid() == "net"]
        assert len(nets) == len(result.deals)


def test_status_quo_row_is_marked(fig: Figure) -> None:
    for ax in panels(fig):
        assert any(p.get_gid() == "status_quo" for p in ax.patches)


def test_one_shared_legend_with_hatches(fig: Figure) -> None:
    legends = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
    assert len(legends) == 1
    entries = [t.get_text() for t in legends[0].get_texts()]
    assert entries == [COMPONENT_NAMES[c] for c in COMPONENTS] + ["Net utility"]
    patches = legends[0].legend_handles[: len(COMPONENTS)]
    hatches = [h.get_hatch() for h in patches if isinstance(h, Patch)]
    assert len(set(hatches)) == len(COMPONENTS)


def test_saves_to_png(fig: Figure, tmp_path: Path) -> None:
    path = tmp_path / "bars.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 10_000


def test_title_names_each_sides_biggest_cost() -> None:
    components = np.zeros((2, 2, len(COMPONENTS)))
    components[1, 0, COMPONENTS.index("alliance")] = -3.0
    components[1, 1, COMPONENTS.index("territory")] = -5.0
    assert biggest_cost(components) == "Alliance / US is Japan's biggest minus, territory Russia's"
