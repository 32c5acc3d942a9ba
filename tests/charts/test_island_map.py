"""Island map: one schematic panel per deal, coloured by sovereignty."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Polygon  # noqa: E402

from sim import Evaluation, evaluate, load_scenario  # noqa: E402
from sim.charts.island_map import chord_for_share, island_map, island_shapes  # noqa: E402
from sim.charts.style import SIDE_COLOURS, scenario_subtitle  # noqa: E402
from sim.model.islands import ISLAND_KEYS, load_islands  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate(load_scenario(BASELINE))


@pytest.fixture(scope="module")
def fig(result: Evaluation) -> Figure:
    info = result.scenario.scenario
    return island_map(result.deals, subtitle=scenario_subtitle(info.name, info.year))


def maps(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_legend() is None]


def islands_of(ax: Axes, side: str) -> dict[str, float]:
    """Area drawn per island in ``side``'s colour on one panel."""
    area: dict[str, float] = {}
    for patch in ax.patches:
        if isinstance(patch, Polygon) and patch.get_facecolor() == to_rgba(SIDE_COLOURS[side]):
            x, y = patch.get_xy().T
            shoelace = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
            key = str(patch.get_gid()).split(":")[1]
            area[key] = area.get(key, 0.0) + shoelace
    return area


def test_returns_a_titled_figure(result: Evaluation, fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().startswith("What each deal gives Japan")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "baseline_2003" in texts and "2003" in texts


def test_one_panel_per_deal_titled_by_its_label(result: Evaluation, fig: Figure) -> None:
    panels = maps(fig)
    assert len(panels) == len(result.deals)
    assert [ax.get_title() for ax in panels] == [s.label for s in result.deals.specs]
    assert panels[0].get_title() == "Status quo"


def test_panels_carry_notes_and_a_landmark(fig: Figure) -> None:
    for ax in maps(fig):
        assert ax.get_xlabel()
        assert any(line.get_gid() == "hokkaido" for line in ax.get_lines())
    names = {t.get_text() for t in maps(fig)[0].texts if t.get_gid() == "island_name"}
    assert names == {island.name for island in load_islands()}


def test_status_quo_is_all_russian(fig: Figure) -> None:
    status_quo = maps(fig)[0]
    assert islands_of(status_quo, "japan") == {}
    assert set(islands_of(status_quo, "russia")) == set(ISLAND_KEYS)
    assert status_quo.get_xlabel() == "No island changes hands"


def test_two_islands_colours_habomai_and_shikotan_japanese(result: Evaluation, fig: Figure) -> None:
    panel = maps(fig)[result.deals.index("two_islands")]
    assert set(islands_of(panel, "japan")) == {"habomai", "shikotan"}
    assert set(islands_of(panel, "russia")) == {"kunashiri", "etorofu"}
    assert all(p.get_hatch() for p in panel.patches if "japan" in (p.get_gid() or ""))


def test_partial_share_is_split_by_area(result: Evaluation, fig: Figure) -> None:
    panel = maps(fig)[result.deals.index("area_split")]
    japanese = islands_of(panel, "japan")["etorofu"]
    russian = islands_of(panel, "russia")["etorofu"]
    assert japanese / (japanese + russian) == pytest.approx(0.21, abs=0.01)
    assert "50% of the area" in panel.get_xlabel()


def test_drawn_areas_are_proportional_to_island_areas(result: Evaluation, fig: Figure) -> None:
    drawn = islands_of(maps(fig)[result.deals.index("four_islands")], "japan")
    true = {island.key: island.area_km2 for island in load_islands()}
    ratios = [drawn[key] / true[key] for key in ISLAND_KEYS]
    assert np.allclose(ratios, ratios[0], rtol=0.01)


def test_transfer_delay_is_noted(result: Evaluation, fig: Figure) -> None:
    panel = maps(fig)[result.deals.index("four_phased")]
    assert "after 15 years" in panel.get_xlabel()


def test_legend_explains_colours(fig: Figure) -> None:
    (legend,) = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
    entries = [t.get_text() for t in legend.get_texts()]
    assert "Japanese sovereignty" in entries and "Russian sovereignty" in entries
    assert any("Hokkaido" in e for e in entries)
    japan = legend.legend_handles[0]
    assert isinstance(japan, Patch) and japan.get_hatch()


def test_columns_are_capped(result: Evaluation) -> None:
    fig = island_map(result.deals, max_columns=2)
    columns = {round(ax.get_position().x0, 3) for ax in maps(fig)}
    assert len(columns) == 2 and len(maps(fig)) == len(result.deals)


def test_saves_to_png(fig: Figure, tmp_path: Path) -> None:
    path = tmp_path / "map.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 10_000


def test_chord_cuts_off_the_share() -> None:
    for share in (0.05, 0.21, 0.5, 0.9):
        c = chord_for_share(share)
        area = c * np.sqrt(1 - c**2) + np.arcsin(c) + np.pi / 2
        assert area / np.pi == pytest.approx(share, abs=1e-9)


def test_islands_do_not_overlap() -> None:
    shapes = island_shapes()
    angle = np.linspace(0, 2 * np.pi, 200)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    for key, shape in shapes.items():
        outline = shape.transform(circle)
        for other, other_shape in shapes.items():
            if other != key:
                inside = np.linalg.norm(other_shape.inverted().transform(outline), axis=1) < 1
                assert not inside.any(), (key, other)
