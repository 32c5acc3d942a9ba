"""Who holds which island after each deal: a schematic map per deal (small multiples).

Each panel places the four disputed islands at their centroids (longitude scaled by
the cosine of the mean latitude, so that distances are roughly true), draws each as
an ellipse whose area is proportional to the island's area, and colours it by
sovereignty: Japan's share in Japan's colour with hatching (so that the map reads in
greyscale), Russia's in Russia's colour. A partial share (part of Etorofu in the
50:50 area split) is the south-western part of the island, the part nearest Japan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from matplotlib.transforms import Affine2D
from numpy.typing import NDArray

from sim.charts.style import SIDE_COLOURS, chart_style, new_figure, titled
from sim.model.deals import DealSet
from sim.model.islands import (
    ISLAND_KEYS,
    Island,
    area_shares,
    hokkaido_landmark,
    load_islands,
)

KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator)."""

AREA_SCALE = 3.0
"""Drawn area per true area: every island is enlarged alike, so sizes stay comparable."""

ORIENTATION_DEG = 40.0
"""The chain runs south-west to north-east; the islands' long axes follow it."""

ELONGATION: dict[str, float] = {
    "habomai": 1.0,
    "shikotan": 1.8,
    "kunashiri": 2.6,
    "etorofu": 3.0,
}
"""Length over width of each schematic ellipse (Habomai, an islet group, is a disc)."""

NAME_SIDE: dict[str, tuple[float, float]] = {
    "habomai": (1.0, -1.0),
    "shikotan": (1.0, -0.4),
    "kunashiri": (-0.6, 0.8),
    "etorofu": (0.6, -0.8),
}
"""Direction from each island in which its name is written (open sea)."""

JAPAN_HATCH = "////"
EDGE = "#222222"
PANEL_INCHES = 2.35
LEGEND_INCHES = 0.45
TITLE_INCHES = 0.8


def island_map(
    deals: DealSet,
    *,
    fig: Figure | None = None,
    max_columns: int = 3,
    subtitle: str | None = None,
) -> Figure:
    """Small multiples of the islands' sovereignty, one schematic map per deal.

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
        (a deal menu does not know its scenario).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per deal in menu order, then a legend axes. Island parts carry
        ``gid="<deal>:<island>:japan"`` or ``"<deal>:<island>:russia"``.
    """
    with chart_style():
        columns = max(1, min(max_columns, len(deals)))
        rows = math.ceil(len(deals) / columns)
        if fig is None:
            fig = new_figure(height=TITLE_INCHES + LEGEND_INCHES + PANEL_INCHES * rows)
        panels, legend_axes = _layout(fig, len(deals), rows, columns)
        _space_rows(fig)
        shapes = island_shapes()
        limits = _limits(shapes)
        for d, ax in enumerate(panels):
            _panel(ax, deals, d, shapes, limits)
        _name_islands(panels[0], shapes)
        _add_legend(legend_axes)
        titled(fig, finding(deals), subtitle or "Sovereignty over the islands after each deal")
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


# --- geometry ----------------------------------------------------------------------


def island_shapes() -> dict[str, Affine2D]:
    """For each island, the map transform of the unit disc to its schematic ellipse.

    Coordinates are kilometres east and north of Cape Nosappu, longitude scaled by
    the cosine of the mean latitude of the islands.
    """
    islands = load_islands()
    return {island.key: _ellipse(island, _origin_and_scale(islands)) for island in islands}


def _origin_and_scale(islands: Sequence[Island]) -> tuple[float, float, float]:
    cape = hokkaido_landmark()
    mean_lat = float(np.mean([island.lat for island in islands]))
    return cape.lon, cape.lat, math.cos(math.radians(mean_lat))


def _to_km(lon: float, lat: float, frame: tuple[float, float, float]) -> tuple[float, float]:
    lon0, lat0, cos_lat = frame
    return (lon - lon0) * cos_lat * KM_PER_DEGREE, (lat - lat0) * KM_PER_DEGREE


def _ellipse(island: Island, frame: tuple[float, float, float]) -> Affine2D:
    """Unit disc → ellipse of area ``AREA_SCALE × area`` along the chain, at the centroid."""
    stretch = ELONGATION.get(island.key, 1.0)
    long_axis = math.sqrt(AREA_SCALE * island.area_km2 * stretch / math.pi)
    return (
        Affine2D()
        .scale(long_axis, long_axis / stretch)
        .rotate_deg(ORIENTATION_DEG)
        .translate(*_to_km(island.lon, island.lat, frame))
    )


def _disc(samples: int = 120) -> NDArray[np.float64]:
    angle = np.linspace(0.0, 2.0 * math.pi, samples, endpoint=False)
    return np.column_stack([np.cos(angle), np.sin(angle)])


def chord_for_share(share: float) -> float:
    """The ``x = c`` line that cuts off ``share`` of the unit disc's area at its left.

    Examples
    --------
    >>> abs(round(chord_for_share(0.5), 6))
    0.0
    >>> round(chord_for_share(0.21), 3)
    -0.474
    """
    low, high = -1.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        area = middle * math.sqrt(1 - middle**2) + math.asin(middle) + math.pi / 2
        low, high = (middle, high) if area / math.pi < share else (low, middle)
    return (low + high) / 2


def _disc_part(share: float, japanese: bool, samples: int = 120) -> NDArray[np.float64]:
    """The part of the unit disc left (Japanese) or right (Russian) of the share's chord."""
    edge = math.acos(chord_for_share(share))  # angle where the chord meets the circle
    if japanese:
        sweep = np.linspace(edge, 2 * math.pi - edge, samples)
    else:
        sweep = np.linspace(-edge, edge, samples)
    return np.column_stack([np.cos(sweep), np.sin(sweep)])


def _limits(shapes: dict[str, Affine2D]) -> tuple[tuple[float, float], tuple[float, float]]:
    """One view for every panel: all islands and the cape, with room for names."""
    points = np.vstack([shape.transform(_disc()) for shape in shapes.values()] + [[[0.0, 0.0]]])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * (high - low)
    return (float(low[0] - 1.9 * pad[0]), float(high[0] + pad[0])), (
        float(low[1] - pad[1]),
        float(high[1] + pad[1]),
    )


# --- drawing -----------------------------------------------------------------------


def _panel(
    ax: Axes,
    deals: DealSet,
    d: int,
    shapes: dict[str, Affine2D],
    limits: tuple[tuple[float, float], tuple[float, float]],
) -> None:
    for k, key in enumerate(ISLAND_KEYS):
        _island(ax, shapes[key], float(deals.shares[d, k]), f"{deals.ids[d]}:{key}")
    ax.plot([0.0], [0.0], marker="^", markersize=7, color="black", linestyle="none", gid="hokkaido")
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#bbbbbb")
    ax.set_facecolor("#f6f9fb")
    ax.set_title(deals.specs[d].label, fontsize=10, fontweight="bold")
    ax.set_xlabel(_note(float(japanese_area(deals)[d]), float(deals.delay[d])), fontsize=8.5)


def _island(ax: Axes, shape: Affine2D, share: float, gid: str) -> None:
    """One island: Japanese part (hatched) and Russian part, split by the share."""
    parts = []
    if share >= 1.0 - 1e-9:
        parts.append(("japan", _disc()))
    elif share <= 1e-9:
        parts.append(("russia", _disc()))
    else:
        parts += [("japan", _disc_part(share, True)), ("russia", _disc_part(share, False))]
    for side, outline in parts:
        ax.add_patch(
            Polygon(
                shape.transform(outline),
                closed=True,
                facecolor=SIDE_COLOURS[side],
                hatch=JAPAN_HATCH if side == "japan" else None,
                hatchcolor="white",
                edgecolor=EDGE,
                linewidth=0.6,
                gid=f"{gid}:{side}",
            )
        )


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


def _name_islands(ax: Axes, shapes: dict[str, Affine2D]) -> None:
    """Island names and the Hokkaido landmark, written once (on the first panel)."""
    for island in load_islands():
        dx, dy = NAME_SIDE.get(island.key, (0.0, -1.0))
        x, y = _edge_point(shapes[island.key], dx, dy)
        ax.annotate(
            island.name,
            (x, y),
            xytext=(4 * np.sign(dx), 4 * np.sign(dy)),
            textcoords="offset points",
            ha={1.0: "left", -1.0: "right"}.get(float(np.sign(dx)), "center"),
            va={1.0: "bottom", -1.0: "top"}.get(float(np.sign(dy)), "center"),
            fontsize=8,
            gid="island_name",
        )
    ax.annotate(
        "Hokkaido",
        (0.0, 0.0),
        xytext=(-7, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=8,
        fontstyle="italic",
    )


def _edge_point(shape: Affine2D, dx: float, dy: float) -> tuple[float, float]:
    """The point of an ellipse's outline furthest in direction (dx, dy)."""
    outline = shape.transform(_disc())
    best = outline[int(np.argmax(outline @ np.array([dx, dy])))]
    return float(best[0]), float(best[1])


def _add_legend(ax: Axes) -> None:
    handles = [
        Patch(
            facecolor=SIDE_COLOURS["japan"],
            hatch=JAPAN_HATCH,
            hatchcolor="white",
            edgecolor=EDGE,
            label="Japanese sovereignty",
        ),
        Patch(facecolor=SIDE_COLOURS["russia"], edgecolor=EDGE, label="Russian sovereignty"),
        Line2D(
            [], [], marker="^", color="black", linestyle="none", label="Hokkaido (Cape Nosappu)"
        ),
        Patch(color="none", label="Island size ∝ area; positions approximate"),
    ]
    ax.legend(handles=handles, loc="center", ncol=2, frameon=False, handlelength=2.4)
