"""Who holds which island after each deal: a map per deal (small multiples).

Each panel draws the real coastlines of the four disputed islands and of eastern
Hokkaido, from the simplified GSHHG coastlines shipped in ``sim/data/coastlines.json``
(see ``scripts/extract_coastlines.py`` and ``sim/data/COASTLINES_LICENSE``), in a local
equal-area projection: kilometres east and north of Cape Nosappu, longitude scaled by
the cosine of latitude (:func:`to_km`). Each island is coloured by sovereignty:
Japan's share in Japan's colour with hatching (so that the map reads in greyscale),
Russia's in Russia's colour. A partial share (part of Etorofu in the 50:50 area split)
is the south-western part of the island, the part nearest Japan: the island is cut
perpendicular to its long axis where the area south-west of the cut is the share.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from matplotlib.path import Path
from numpy.typing import NDArray

from sim.charts.style import SIDE_COLOURS, SOURCE_NOTE, chart_style, new_figure, titled
from sim.model.deals import DealSet
from sim.model.islands import ISLAND_KEYS, area_shares, hokkaido_landmark

KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator)."""

COASTLINE_FILE = "coastlines.json"
"""The shipped coastlines, in the package's ``sim/data``."""

REGION = "Northern Territories / southern Kurils"
"""The disputed islands by their Japanese and their Russian collective names."""

NAMES: dict[str, str] = {
    "habomai": "Habomai group /\nKhabomai",
    "shikotan": "Shikotan",
    "kunashiri": "Kunashiri /\nKunashir",
    "etorofu": "Etorofu / Iturup",
}
"""Map labels: the Japanese name, then the Russian one where it differs."""

NAME_AT: dict[str, tuple[float, float, str, str]] = {
    "habomai": (146.47, 43.47, "left", "center"),
    "shikotan": (146.98, 43.79, "left", "center"),
    "kunashiri": (146.05, 44.62, "center", "bottom"),
    "etorofu": (148.95, 44.47, "right", "top"),
}
"""Where each label is written: (longitude, latitude, horizontal and vertical alignment)."""

SEAS: tuple[tuple[str, float, float, str, str], ...] = (
    ("Sea of Okhotsk", 145.12, 45.62, "left", "top"),
    ("Pacific Ocean", 148.85, 44.13, "right", "center"),
)
"""Sea names written on the first panel, for orientation (longitude, latitude, alignment)."""

JAPAN_HATCH = "\\\\\\\\"
EDGE = "#222222"
SEA = "#f6f9fb"
HOKKAIDO_LAND = "#d4d4d4"
HOKKAIDO_EDGE = "#777777"
PANEL_INCHES = 2.2
LEGEND_INCHES = 0.45
TITLE_INCHES = 0.8
COASTLINE_NOTE = "Coastlines: GSHHG 2.3.6 (Wessel & Smith), simplified; LGPL-3.0-or-later."

Ring = NDArray[np.float64]
"""A closed polygon as an ``(n, 2)`` array of vertices, the closing vertex not repeated."""


def island_map(
    deals: DealSet,
    *,
    fig: Figure | None = None,
    max_columns: int = 3,
    subtitle: str | None = None,
) -> Figure:
    """Small multiples of the islands' sovereignty, one map per deal.

    Parameters
    ----------
    deals : DealSet
        The menu, e.g. ``result.deals``; every deal gets a panel, the status quo too.
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw on; by default a new A4-width figure.
    max_columns : int
        Panels per row at most.
    subtitle : str, optional
        Subtitle under the title, normally
        ``scenario_subtitle(result.scenario.scenario.name, result.scenario.scenario.year)``
        (a deal menu does not know its scenario); the region's names are written before it.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per deal in menu order, then a legend axes. Island parts carry
        ``gid="<deal>:<island>:japan"`` or ``"<deal>:<island>:russia"`` (one patch per
        polygon and side; the Habomai group has several), the island's coastline
        ``"<deal>:<island>:coast"``, a partial share's cut ``"<deal>:<island>:cut"``.
    """
    with chart_style():
        columns = max(1, min(max_columns, len(deals)))
        rows = math.ceil(len(deals) / columns)
        if fig is None:
            fig = new_figure(height=TITLE_INCHES + LEGEND_INCHES + PANEL_INCHES * rows)
        panels, legend_axes = _layout(fig, len(deals), rows, columns)
        _space_rows(fig)
        shapes = island_shapes()
        for d, ax in enumerate(panels):
            _panel(ax, deals, d, shapes)
        _name_places(panels[0])
        shares = np.asarray(deals.shares)
        _add_legend(legend_axes, cut=bool(((shares > 1e-9) & (shares < 1 - 1e-9)).any()))
        heading = f"Sovereignty over the {REGION}"
        titled(
            fig,
            finding(deals),
            f"{heading} · {subtitle}" if subtitle else f"{heading} after each deal",
            footnote=f"{SOURCE_NOTE}\n{COASTLINE_NOTE}",
        )
    return fig


def _layout(fig: Figure, count: int, rows: int, columns: int) -> tuple[list[Axes], Axes]:
    """A grid of map panels (unused cells left empty) above a legend row."""
    grid = fig.add_gridspec(
        rows + 1, columns, height_ratios=[PANEL_INCHES] * rows + [LEGEND_INCHES]
    )
    panels = [fig.add_subplot(grid[i // columns, i % columns]) for i in range(count)]
    legend_axes = fig.add_subplot(grid[rows, :])
    legend_axes.axis("off")
    return panels, legend_axes


def _space_rows(fig: Figure) -> None:
    """Room between a panel's note and the next row's title (constrained layout only)."""
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(h_pad=0.12)


def finding(deals: DealSet) -> str:
    """The title: the range of the disputed area the deals give Japan.

    Examples
    --------
    >>> from sim import evaluate, load_scenario
    >>> finding(evaluate(load_scenario("scenarios/baseline_2003.toml")).deals)
    'What each deal gives Japan: from none to all of the disputed area'
    """
    area = japanese_area(deals)
    low, high = float(area.min()), float(area.max())

    def words(share: float) -> str:
        return "none" if share < 0.005 else "all" if share > 0.995 else f"{share:.0%}"

    if words(low) == words(high):
        return f"Every deal gives Japan {words(low)} of the disputed area"
    return f"What each deal gives Japan: from {words(low)} to {words(high)} of the disputed area"


def japanese_area(deals: DealSet) -> NDArray[np.float64]:
    """Japan's share of the total disputed area after each deal, shape ``(D,)``."""
    return np.asarray(deals.shares @ area_shares(), dtype=float)


# --- coastlines --------------------------------------------------------------------


@dataclass(frozen=True)
class Coastlines:
    """The shipped coastlines: polygons in degrees per key, and their provenance.

    Attributes
    ----------
    polygons : dict of str to tuple of numpy.ndarray
        For each key (the four of :data:`~sim.model.islands.ISLAND_KEYS` and
        ``"hokkaido"``) its polygons, each an ``(n, 2)`` array of (longitude, latitude).
    bbox : tuple of float
        ``(lon_min, lon_max, lat_min, lat_max)``: the area extracted, Hokkaido clipped to it.
    source, licence : str
        Where the coordinates come from and under which licence.
    """

    polygons: dict[str, tuple[Ring, ...]]
    bbox: tuple[float, float, float, float]
    source: str
    licence: str


@functools.cache
def load_coastlines() -> Coastlines:
    """Read ``sim/data/coastlines.json`` (once, then cached).

    Returns
    -------
    Coastlines
        The polygons of the four islands and of eastern Hokkaido, with their source.
    """
    text = resources.files("sim.data").joinpath(COASTLINE_FILE).read_text(encoding="utf-8")
    content = json.loads(text)
    box = content["bbox"]
    return Coastlines(
        polygons={
            key: tuple(np.array(ring, dtype=float) for ring in rings)
            for key, rings in content["polygons"].items()
        },
        bbox=(box["lon_min"], box["lon_max"], box["lat_min"], box["lat_max"]),
        source=content["source"],
        licence=content["licence"],
    )


def to_km(lon_lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Project ``(n, 2)`` longitudes and latitudes to the map's kilometres.

    Kilometres east and north of Cape Nosappu in a sinusoidal projection centred on its
    meridian: northing is the latitude difference, easting the longitude difference
    scaled by the cosine of the point's own latitude. The projection keeps areas
    (so a share of drawn area is a share of the island's area), and over the 3° of
    longitude of the map bends meridians by about 2°.

    Examples
    --------
    >>> from sim.model.islands import hokkaido_landmark
    >>> cape = hokkaido_landmark()
    >>> to_km(np.array([[cape.lon, cape.lat + 1.0], [cape.lon + 1.0, 60.0]])).round(1).tolist()
    [[0.0, 111.2], [55.6, 1848.1]]
    """
    cape = hokkaido_landmark()
    points = np.asarray(lon_lat, dtype=float).reshape(-1, 2)
    cos_lat = np.cos(np.radians(points[:, 1]))
    return np.column_stack(
        [
            (points[:, 0] - cape.lon) * cos_lat * KM_PER_DEGREE,
            (points[:, 1] - cape.lat) * KM_PER_DEGREE,
        ]
    )


def island_shapes() -> dict[str, tuple[Ring, ...]]:
    """For each island key, in :data:`~sim.model.islands.ISLAND_KEYS` order, its polygons in km.

    Coordinates are those of :func:`to_km`; Etorofu is its main island and an islet, the
    Habomai group several islets.
    """
    polygons = load_coastlines().polygons
    return {key: tuple(to_km(ring) for ring in polygons[key]) for key in ISLAND_KEYS}


# --- geometry ----------------------------------------------------------------------


def ring_area(ring: Ring) -> float:
    """Area of a simple polygon by the shoelace formula (always positive).

    Examples
    --------
    >>> ring_area(np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]]))
    2.0
    """
    x, y = np.asarray(ring, dtype=float).T
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def long_axis(rings: Sequence[Ring]) -> NDArray[np.float64]:
    """Unit vector along the polygons' long axis (principal axis of area), pointing east.

    The axis is the eigenvector of the largest eigenvalue of the area's second moments
    about its centroid, from the exact polygon formulas; of its two directions the
    one with a positive east component (north if due north-south) is returned.

    Examples
    --------
    >>> long_axis([np.array([[0.0, 0.0], [4.0, 4.0], [3.0, 5.0], [-1.0, 1.0]])]).round(3)
    array([0.707, 0.707])
    """
    area = cx = cy = xx = yy = xy = 0.0
    for ring in rings:
        x, y = np.asarray(ring, dtype=float).T
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y1 - x1 * y
        sign = 1.0 if cross.sum() >= 0 else -1.0  # every ring counted as land
        area += sign * cross.sum() / 2
        cx += sign * np.sum((x + x1) * cross) / 6
        cy += sign * np.sum((y + y1) * cross) / 6
        xx += sign * np.sum((x * x + x * x1 + x1 * x1) * cross) / 12
        yy += sign * np.sum((y * y + y * y1 + y1 * y1) * cross) / 12
        xy += sign * np.sum((x * y1 + 2 * x * y + 2 * x1 * y1 + x1 * y) * cross) / 24
    cx, cy = cx / area, cy / area
    moments = np.array([[xx - area * cx * cx, xy - area * cx * cy], [0.0, yy - area * cy * cy]])
    moments[1, 0] = moments[0, 1]
    _, vectors = np.linalg.eigh(moments)
    axis = vectors[:, -1]
    if axis[0] < 0 or (axis[0] == 0 and axis[1] < 0):
        axis = -axis
    return np.asarray(axis / np.hypot(*axis), dtype=float)


def clip_half_plane(ring: Ring, direction: NDArray[np.float64], offset: float) -> Ring:
    """The part of a polygon where ``point · direction <= offset`` (Sutherland-Hodgman).

    A polygon that the line crosses several times comes back as one ring whose pieces
    are joined along the line by edges of zero area: its area and its fill are right.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]])
    >>> ring_area(clip_half_plane(square, np.array([1.0, 0.0]), 0.5))
    1.0
    """
    ring = np.asarray(ring, dtype=float)
    side = ring @ direction - offset  # <= 0 is kept
    following = np.roll(ring, -1, axis=0)
    side_next = np.roll(side, -1)
    inside = side <= 0
    crosses = inside != (side_next <= 0)
    fraction = np.divide(side, side - side_next, out=np.zeros_like(side), where=crosses)
    crossing = ring + fraction[:, None] * (following - ring)
    points = np.stack([ring, crossing], axis=1).reshape(-1, 2)
    keep = np.stack([inside, crosses], axis=1).reshape(-1)
    return np.asarray(points[keep], dtype=float)


def _area_below(rings: Sequence[Ring], direction: NDArray[np.float64], offset: float) -> float:
    return sum(ring_area(clip_half_plane(ring, direction, offset)) for ring in rings)


def cut_for_share(rings: Sequence[Ring], share: float) -> tuple[NDArray[np.float64], float]:
    """The cut across the long axis that leaves ``share`` of the area on its south-west.

    Parameters
    ----------
    rings : sequence of numpy.ndarray
        The island's polygons (all of an islet group's), ``(n, 2)`` each, in km.
    share : float
        Fraction of the total area wanted south-west of the cut, in ``[0, 1]``.

    Returns
    -------
    direction : numpy.ndarray
        Unit vector of the long axis (:func:`long_axis`), pointing east.
    offset : float
        The cut is the line ``point · direction = offset``, found by bisection.

    Examples
    --------
    >>> rectangle = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 1.0], [0.0, 1.0]])
    >>> direction, offset = cut_for_share([rectangle], 0.21)
    >>> direction.round(6).tolist(), round(offset, 6)
    ([1.0, 0.0], 2.1)
    """
    direction = long_axis(rings)
    projections = np.concatenate([np.asarray(ring) @ direction for ring in rings])
    low, high = float(projections.min()), float(projections.max())
    total = sum(ring_area(ring) for ring in rings)
    for _ in range(60):
        middle = (low + high) / 2
        if _area_below(rings, direction, middle) < share * total:
            low = middle
        else:
            high = middle
    return direction, (low + high) / 2


def split_island(rings: Sequence[Ring], share: float) -> tuple[list[Ring], list[Ring]]:
    """An island's polygons split into the Japanese (south-west) and the Russian part.

    Parameters
    ----------
    rings : sequence of numpy.ndarray
        The island's polygons, ``(n, 2)`` each, in km.
    share : float
        Japan's share of the island's area.

    Returns
    -------
    japanese, russian : list of numpy.ndarray
        The pieces on each side of the cut of :func:`cut_for_share` (empty pieces left out);
        a share of 0 or 1 leaves the polygons whole.
    """
    if share >= 1.0 - 1e-9:
        return list(rings), []
    if share <= 1e-9:
        return [], list(rings)
    direction, offset = cut_for_share(rings, share)
    japanese = [clip_half_plane(ring, direction, offset) for ring in rings]
    russian = [clip_half_plane(ring, -direction, -offset) for ring in rings]

    def pieces(parts: list[Ring]) -> list[Ring]:
        return [part for part in parts if len(part) >= 3 and ring_area(part) > 0]

    return pieces(japanese), pieces(russian)


# --- drawing -----------------------------------------------------------------------


def _limits() -> tuple[tuple[float, float], tuple[float, float]]:
    """One view for every panel: the largest rectangle inside the extracted box.

    Meridians converge northwards, so the box's east and west sides are taken at its
    northern latitude; Hokkaido's clipped edge then lies on or beyond the frame.
    """
    lon_min, lon_max, lat_min, lat_max = load_coastlines().bbox
    (west, north), (east, _), (_, south) = to_km(
        np.array([[lon_min, lat_max], [lon_max, lat_max], [lon_min, lat_min]])
    )
    return (float(west), float(east)), (float(south), float(north))


def _panel(ax: Axes, deals: DealSet, d: int, shapes: dict[str, tuple[Ring, ...]]) -> None:
    _hokkaido(ax)
    for k, key in enumerate(ISLAND_KEYS):
        _island(ax, shapes[key], float(deals.shares[d, k]), f"{deals.ids[d]}:{key}")
    xlim, ylim = _limits()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#bbbbbb")
    ax.set_facecolor(SEA)
    ax.set_title(deals.specs[d].label, fontsize=10, fontweight="bold")
    ax.set_xlabel(_note(float(japanese_area(deals)[d]), float(deals.delay[d])), fontsize=8.5)


def _hokkaido(ax: Axes) -> None:
    """Eastern Hokkaido, not in dispute: grey land, its coast without the box's edges."""
    lon_min, lon_max, lat_min, lat_max = load_coastlines().bbox
    for ring in load_coastlines().polygons["hokkaido"]:
        ax.add_patch(
            Polygon(
                to_km(ring),
                closed=True,
                facecolor=HOKKAIDO_LAND,
                edgecolor="none",
                gid="hokkaido_land",
            )
        )
        closed = np.vstack([ring, ring[:1]])
        coast = to_km(closed)
        lon, lat = closed.T
        on_box = np.isin(lon, (lon_min, lon_max)) | np.isin(lat, (lat_min, lat_max))
        # a segment between two points on the box is the clip's edge, not coast
        gap = np.flatnonzero(on_box[:-1] & on_box[1:])
        line = np.insert(coast, gap + 1, np.nan, axis=0)
        ax.plot(line[:, 0], line[:, 1], color=HOKKAIDO_EDGE, linewidth=0.5, gid="hokkaido")


def _island(ax: Axes, rings: Sequence[Ring], share: float, gid: str) -> None:
    """One island: Japanese part (hatched) and Russian part, its coast and any cut."""
    japanese, russian = split_island(rings, share)
    for side, parts in (("japan", japanese), ("russia", russian)):
        for part in parts:
            ax.add_patch(
                Polygon(
                    part,
                    closed=True,
                    facecolor=SIDE_COLOURS[side],
                    hatch=JAPAN_HATCH if side == "japan" else None,
                    hatchcolor="white",
                    edgecolor="none",
                    linewidth=0.0,
                    gid=f"{gid}:{side}",
                )
            )
    for ring in rings:
        ax.add_patch(
            Polygon(
                ring, closed=True, fill=False, edgecolor=EDGE, linewidth=0.4, gid=f"{gid}:coast"
            )
        )
    if japanese and russian:
        direction, offset = cut_for_share(rings, share)
        normal = np.array([-direction[1], direction[0]])
        reach = 1000.0
        ends = np.array([offset * direction - reach * normal, offset * direction + reach * normal])
        (cut,) = ax.plot(ends[:, 0], ends[:, 1], color=EDGE, linewidth=0.9, gid=f"{gid}:cut")
        outline = Path.make_compound_path(*(Path(ring, closed=True) for ring in rings))
        cut.set_clip_path(outline, ax.transData)


def _note(area: float, delay: float) -> str:
    """Text under a panel: Japan's share of the area, and any transfer delay."""
    if area < 0.005:
        text = "No island changes hands"
    elif area > 0.995:
        text = "Japan: all of the area"
    else:
        text = f"Japan: {area:.0%} of the area"
    if delay > 0:
        text += f"\nTransfer only after {delay:g} years"
    return text


def _name_places(ax: Axes) -> None:
    """Island names (Japanese and Russian), Hokkaido and the seas, on the first panel."""
    for key in ISLAND_KEYS:
        lon, lat, ha, va = NAME_AT[key]
        ((x, y),) = to_km(np.array([[lon, lat]]))
        ax.text(x, y, NAMES[key], ha=ha, va=va, fontsize=7.5, linespacing=1.0, gid="island_name")
    ((x, y),) = to_km(np.array([[145.03, 43.21]]))
    ax.text(x, y, "Hokkaido", ha="left", va="bottom", fontsize=7.5, fontstyle="italic")
    for name, lon, lat, ha, va in SEAS:
        ((x, y),) = to_km(np.array([[lon, lat]]))
        ax.text(
            x, y, name, ha=ha, va=va, fontsize=7, fontstyle="italic", color="#5b7a90", gid="sea"
        )


def _add_legend(ax: Axes, cut: bool) -> None:
    """Colours, Hokkaido, and the cut line if some deal divides an island."""
    handles: list[Artist] = [
        Patch(
            facecolor=SIDE_COLOURS["japan"],
            hatch=JAPAN_HATCH,
            hatchcolor="white",
            edgecolor=EDGE,
            label="Japanese sovereignty",
        ),
        Patch(facecolor=SIDE_COLOURS["russia"], edgecolor=EDGE, label="Russian sovereignty"),
        Patch(
            facecolor=HOKKAIDO_LAND, edgecolor=HOKKAIDO_EDGE, label="Hokkaido (Japan, not disputed)"
        ),
    ]
    if cut:
        handles.append(
            Line2D([], [], color=EDGE, linewidth=0.9, label="Cut of a partly returned island")
        )
    ax.legend(handles=handles, loc="center", ncol=2, frameon=False, handlelength=2.4)
