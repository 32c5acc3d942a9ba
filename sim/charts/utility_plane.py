"""The utility plane: every deal as a point (Japan's utility, Russia's utility).

The chart shows at a glance which deals beat the status quo for both governments
(the shaded quadrant), which pass both ratifiers (filled markers), the Pareto
frontier of the menu, and where the cooperative solutions lie. It reads the
results of :func:`sim.evaluate`; it computes no game theory.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox
from numpy.typing import NDArray

from sim.charts.style import OKABE_ITO, chart_style, new_figure, scenario_subtitle, titled
from sim.evaluate import Evaluation
from sim.predict import Family, solvers

CONCEPTS: dict[str, str] = {
    s.name: s.short_name for s in solvers(Family.COOPERATIVE) if not s.name.endswith("_lottery")
}
"""Cooperative solution concepts in legend order, with their names in plain words."""

LOTTERY_SUFFIX = "_lottery"
NBSP = "\u00a0"
"""Keeps a share and its deal on one line when legend labels wrap."""
SINGLE_DEAL_ONLY = ("utilitarian",)
"""Concepts that have no lottery variant (a linear objective picks one deal)."""

SOLUTION_STYLES: tuple[tuple[str, str], ...] = (
    ("*", OKABE_ITO["orange"]),
    ("D", OKABE_ITO["bluish_green"]),
    ("P", OKABE_ITO["reddish_purple"]),
    ("h", OKABE_ITO["sky_blue"]),
    ("p", OKABE_ITO["yellow"]),
    ("v", OKABE_ITO["grey"]),
)
"""Marker and colour of each group of coinciding solutions, in order."""

DEAL_COLOUR = "#333333"
STATUS_QUO_COLOUR = OKABE_ITO["black"]
SHADE_COLOUR = OKABE_ITO["bluish_green"]
DEAL_SIZE = 7.0
STATUS_QUO_SIZE = 9.0
SOLUTION_SIZE = 17.0
PLANE_INCHES = 4.3
TITLE_INCHES = 0.55
LEGEND_LINE_INCHES = 0.16
LEGEND_GAP_INCHES = 0.065
"""Heights of the plane, of the title block, and of a legend line and row gap."""
LABEL_SIZE = 8.5
LEADER_FROM = 14.0
"""Label offsets (points) from which a leader line joins label and point."""

OFFSETS: tuple[float, ...] = (5.0, 9.0, 14.0, 22.0, 32.0, 44.0)
DIRECTIONS: tuple[tuple[float, float], ...] = (
    (1, 0),
    (-1, 0),
    (0, 1),
    (0, -1),
    (1, 1),
    (-1, 1),
    (1, -1),
    (-1, -1),
)
"""Candidate label positions: distances (points) and unit directions (x, y)."""


@dataclass(frozen=True)
class SolutionPoint:
    """Cooperative solutions that fall on one point of the plane.

    Attributes
    ----------
    names : tuple of str
        Solution names (keys of ``CooperativeResult.solutions``).
    label : str
        Combined legend label in plain words.
    point : ndarray, shape (2,)
        Expected utilities (Japan, Russia).
    segment : tuple of int, or None
        The two deals a lottery mixes; None for a single deal.
    weight : float
        Probability of the first deal of ``segment`` (1 for a single deal).
    """

    names: tuple[str, ...]
    label: str
    point: NDArray[np.float64]
    segment: tuple[int, int] | None
    weight: float


def utility_plane(result: Evaluation, draw: int = 0, *, ax: Axes | None = None) -> Figure:
    """Plot each deal at (Japan's utility, Russia's utility) for one draw.

    When the cooperative solutions crowd into a small part of the plane (several
    solutions close together), a second panel zooms on them; the full plane then
    shows the zoomed box instead of the solution markers.

    Parameters
    ----------
    result : Evaluation
        Results of :func:`sim.evaluate`.
    draw : int
        Which parameter draw to show (0 for a single run).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (no zoom panel is added). When given, the finding becomes
        the axes title and the figure's own title is left to the caller; otherwise
        a new A4-width figure with title, subtitle and sources footnote is made.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the chart. Deal points carry ``gid="deal:<id>"``,
        solution markers ``gid="solution:<name>,<name>…"``, deal labels
        ``gid="deal_label"``.
    """
    with chart_style():
        utility = np.asarray(result.payoffs.utility[draw], dtype=float)
        solutions = solution_points(result, draw)
        own_figure = ax is None
        box = _zoom_box(utility, solutions) if own_figure else None
        labels = [spec.label for spec in result.deals.specs]
        legend = _legend_handles(
            solutions,
            labels,
            require_ratification=result.scenario.cooperative.require_ratification,
        )
        fig, main, zoom, legend_axes = _layout(ax, zoomed=box is not None, legend=legend)
        plane = _Plane(result, draw, utility, solutions)
        plane.draw(main, _limits(np.vstack([utility, *[s.point for s in solutions]]), utility[0]))
        if zoom is not None and box is not None:
            plane.draw(zoom, box, zoomed=True)
            _mark_zoom(main, zoom)
        _add_legend(legend_axes or main, legend, below=legend_axes is None)
        _add_titles(fig, main, result, draw, own_figure=own_figure)
        for axes in (main, zoom):
            if axes is not None:
                _label_deals(axes, utility, labels)
    return fig


Limits = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class _Plane:
    """What one panel of the plane shows."""

    result: Evaluation
    index: int
    utility: NDArray[np.float64]
    solutions: list[SolutionPoint]

    def draw(self, ax: Axes, limits: Limits, *, zoomed: bool = False) -> None:
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
        _draw_both_gain(ax, self.utility[0])
        _draw_frontier(ax, self.utility, self.result.cooperative.pareto[self.index])
        if zoomed or not _crowded(self.utility, self.solutions):
            _draw_solutions(ax, self.utility, self.solutions, zoomed=zoomed)
        _draw_deals(ax, self.result, self.index)
        _label_axes(ax, short=zoomed)
        if zoomed:
            ax.set_title("Zoom on the boxed area", loc="left", fontsize=10)


def _mark_zoom(main: Axes, zoom: Axes) -> None:
    """A box on the full plane around the zoomed area (no connector lines)."""
    indicator = main.indicate_inset_zoom(zoom, edgecolor="black", alpha=0.9, linewidth=1.0)
    for connector in indicator.connectors or ():
        connector.set_visible(False)


def _layout(
    ax: Axes | None, *, zoomed: bool, legend: Sequence[Line2D | Patch]
) -> tuple[Figure, Axes, Axes | None, Axes | None]:
    """The plane, the optional zoom panel and a legend row (none when ``ax`` is given).

    The legend hangs from its own flat, invisible axes, so that it keeps its place
    when the figure is saved with a tight bounding box; the layout makes room for it.
    """
    if ax is not None:
        return ax.get_figure(root=True), ax, None, None  # type: ignore[return-value]
    legend_inches = _legend_height(legend)
    fig = new_figure(height=PLANE_INCHES + legend_inches + TITLE_INCHES)
    grid = fig.add_gridspec(
        2,
        2 if zoomed else 1,
        height_ratios=[PLANE_INCHES, 0.01],
        width_ratios=[1.5, 1] if zoomed else [1],
    )
    main = fig.add_subplot(grid[0, 0])
    zoom = fig.add_subplot(grid[0, 1]) if zoomed else None
    legend_axes = fig.add_subplot(grid[1, :])
    legend_axes.axis("off")
    return fig, main, zoom, legend_axes


def solution_points(result: Evaluation, draw: int = 0) -> list[SolutionPoint]:
    """Group the cooperative solutions of one draw by the point they pick.

    Solutions without an agreement are left out. Solutions that coincide (same
    expected utilities) share one point and one combined label.

    Parameters
    ----------
    result : Evaluation
    draw : int

    Returns
    -------
    list of SolutionPoint
        In the order of :data:`CONCEPTS`.
    """
    utility = np.asarray(result.payoffs.utility[draw], dtype=float)
    groups: dict[tuple[float, float], list[str]] = {}
    points: dict[tuple[float, float], tuple[Any, ...]] = {}
    for name in _solution_order(result.cooperative.solutions):
        solution = result.cooperative.solutions[name]
        if not bool(solution.agreement[draw]):
            continue
        first, second = int(solution.deal[draw]), int(solution.other[draw])
        weight = float(solution.weight[draw])
        point = weight * utility[first] + (1.0 - weight) * utility[second]
        key = (round(float(point[0]), 6), round(float(point[1]), 6))
        groups.setdefault(key, []).append(name)
        segment = (first, second) if first != second and weight < 1.0 - 1e-9 else None
        points.setdefault(key, (point, segment, weight if segment else 1.0))
    return [
        SolutionPoint(tuple(names), solution_label(names), *points[key])
        for key, names in groups.items()
    ]


def _solution_order(names: Iterable[str]) -> list[str]:
    """Solution names in the order of :data:`CONCEPTS`, each deal version before its lottery."""
    rank = {concept: i for i, concept in enumerate(CONCEPTS)}

    def key(name: str) -> tuple[int, int]:
        concept = name.removesuffix(LOTTERY_SUFFIX)
        return rank.get(concept, len(rank)), int(name.endswith(LOTTERY_SUFFIX))

    return sorted(names, key=key)


def solution_label(names: Sequence[str]) -> str:
    """A plain-words label for solutions that fall on one point.

    Concepts whose single-deal and lottery versions agree are simply named;
    otherwise the label says which version lands here.

    Examples
    --------
    >>> solution_label(["nash", "nash_lottery", "utilitarian"])
    'Nash, utilitarian'
    >>> solution_label(["nash", "utilitarian", "egalitarian_lottery"])
    'Nash, utilitarian (best single deal); egalitarian with lotteries'
    """
    present = set(names)
    single = [c for c in CONCEPTS if c in present]
    lottery = [c for c in CONCEPTS if c + LOTTERY_SUFFIX in present]
    mixable = [c for c in single if c not in SINGLE_DEAL_ONLY]
    if set(lottery) <= set(single) and set(mixable) <= set(lottery):
        text = _names(single)
    elif not single:
        text = f"{_names(lottery)} with lotteries"
    elif not lottery:
        text = f"{_names(single)} (best single deal)"
    else:
        text = f"{_names(single)} (best single deal); {_names(lottery)} with lotteries"
    return text[:1].upper() + text[1:]


def _names(concepts: Sequence[str]) -> str:
    return ", ".join(CONCEPTS[c] for c in concepts)


def _limits(
    points: NDArray[np.float64], status_quo: NDArray[np.float64], margin: float = 0.12
) -> Limits:
    """Axis limits around every point and the status quo, with room for labels."""
    low = np.minimum(points.min(axis=0), status_quo)
    high = np.maximum(points.max(axis=0), status_quo)
    span = np.maximum(high - low, 1e-3)
    low, high = low - margin * span, high + margin * span
    # the both-gain quadrant always keeps room for its label
    high = np.maximum(high, status_quo + 0.16 * span)
    return (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))


CROWDED = 0.05
"""Solutions closer than this (share of the plotted range) call for a zoom panel."""


def _crowded(utility: NDArray[np.float64], solutions: Sequence[SolutionPoint]) -> bool:
    """Whether distinct solution points sit too close together to read on the full plane."""
    if len(solutions) < 2:
        return False
    (x0, x1), (y0, y1) = _limits(np.vstack([utility, *[s.point for s in solutions]]), utility[0])
    scaled = np.array([s.point for s in solutions]) / np.array([x1 - x0, y1 - y0])
    gaps = np.linalg.norm(scaled[:, None, :] - scaled[None, :, :], axis=-1)
    return bool(gaps[np.triu_indices(len(solutions), 1)].min() < CROWDED)


def _zoom_box(utility: NDArray[np.float64], solutions: Sequence[SolutionPoint]) -> Limits | None:
    """Limits of a zoom on the status quo, the solutions and the deals they mix, if crowded."""
    if not _crowded(utility, solutions):
        return None
    deals = {0} | {d for s in solutions if s.segment for d in s.segment}
    points = np.vstack([utility[sorted(deals)], *[s.point for s in solutions]])
    return _limits(points, utility[0], margin=0.25)


def _draw_both_gain(ax: Axes, status_quo: NDArray[np.float64]) -> None:
    """Dashed status-quo lines and the shaded quadrant where both sides gain."""
    x0, y0 = float(status_quo[0]), float(status_quo[1])
    x1, y1 = ax.get_xlim()[1], ax.get_ylim()[1]
    ax.add_patch(
        Rectangle((x0, y0), x1 - x0, y1 - y0, color=SHADE_COLOUR, alpha=0.13, lw=0, zorder=0)
    )
    line: dict[str, Any] = {"color": "#555555", "linestyle": (0, (5, 3)), "linewidth": 1.0}
    ax.axvline(x0, zorder=1, **line)
    ax.axhline(y0, zorder=1, **line)
    ax.annotate(
        "Both sides gain",
        xy=(x1, y1),
        xytext=(-4, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=9.5,
        fontweight="bold",
        color="#00573f",
        gid="both_gain",
    )


def _draw_frontier(ax: Axes, utility: NDArray[np.float64], pareto: NDArray[np.bool_]) -> None:
    """A line through the Pareto-optimal deals, from Russia's best to Japan's best."""
    frontier = utility[np.asarray(pareto, dtype=bool)]
    if len(frontier) < 2:
        return
    frontier = frontier[np.argsort(frontier[:, 0])]
    ax.plot(
        frontier[:, 0],
        frontier[:, 1],
        color=OKABE_ITO["grey"],
        linewidth=2.2,
        solid_capstyle="round",
        zorder=2,
        gid="pareto_frontier",
    )


def _draw_solutions(
    ax: Axes,
    utility: NDArray[np.float64],
    solutions: Sequence[SolutionPoint],
    *,
    zoomed: bool = False,
) -> None:
    scale = 0.72 if zoomed else 1.0
    for i, solution in enumerate(solutions):
        marker, colour = SOLUTION_STYLES[i % len(SOLUTION_STYLES)]
        if solution.segment is not None:
            ends = utility[list(solution.segment)]
            ax.plot(ends[:, 0], ends[:, 1], color=colour, linestyle=":", linewidth=1.6, zorder=3)
        ax.plot(
            [solution.point[0]],
            [solution.point[1]],
            linestyle="none",
            marker=marker,
            markersize=scale * SOLUTION_SIZE * (1.0 if marker == "*" else 0.7),
            markerfacecolor=colour,
            markeredgecolor="black",
            markeredgewidth=0.8,
            zorder=4,
            gid="solution:" + ",".join(solution.names),
        )


def _draw_deals(ax: Axes, result: Evaluation, draw: int) -> None:
    """One marker per deal: filled when the deal passes both ratifiers."""
    utility = result.payoffs.utility[draw]
    passes = _both_sides(result.cooperative.ratifiable[draw])
    for d, deal_id in enumerate(result.deals.ids):
        style: dict[str, Any]
        if d == 0:
            style = {
                "marker": "s",
                "markersize": STATUS_QUO_SIZE,
                "markerfacecolor": STATUS_QUO_COLOUR,
                "markeredgecolor": "white",
            }
        else:
            style = {
                "marker": "o",
                "markersize": DEAL_SIZE,
                "markerfacecolor": DEAL_COLOUR if passes[d] else "white",
                "markeredgecolor": DEAL_COLOUR,
            }
        ax.plot(
            [float(utility[d, 0])],
            [float(utility[d, 1])],
            linestyle="none",
            markeredgewidth=1.5,
            zorder=5,
            gid=f"deal:{deal_id}",
            **style,
        )


def _label_axes(ax: Axes, *, short: bool = False) -> None:
    if short:
        ax.set_xlabel("Japan's utility, US$ bn")
        ax.set_ylabel("Russia's utility, US$ bn")
        return
    ax.set_xlabel("Japan's utility, US$ bn (2003)")
    ax.set_ylabel("Russia's utility, US$ bn (2003)")


def _legend_handles(
    solutions: Sequence[SolutionPoint], labels: Sequence[str], *, require_ratification: bool
) -> list[Line2D | Patch]:
    """Two equal columns: how deals are drawn, and the cooperative solutions."""
    left = _deal_handles()
    right = _solution_handles(solutions, labels, require_ratification=require_ratification)
    rows = max(len(left), len(right))
    return left + [_blank()] * (rows - len(left)) + right + [_blank()] * (rows - len(right))


def _legend_height(handles: Sequence[Line2D | Patch]) -> float:
    """Inches the two-column legend needs (wrapped labels take several lines)."""
    rows = len(handles) // 2
    lines = max(
        sum(str(h.get_label()).count("\n") + 1 for h in column)
        for column in (handles[:rows], handles[rows:])
    )
    return LEGEND_LINE_INCHES * lines + LEGEND_GAP_INCHES * rows


def _add_legend(ax: Axes, handles: Sequence[Line2D | Patch], *, below: bool) -> None:
    """The legend fills ``ax`` (a legend row), or sits below ``ax`` when ``below``."""
    rows = len(handles) // 2
    legend = ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12) if below else (0.5, 1.0),
        ncol=2,
        frameon=False,
        handlelength=2.2,
    )
    for text in (legend.get_texts()[0], legend.get_texts()[rows]):
        text.set_fontweight("bold")


def _deal_handles() -> list[Line2D | Patch]:
    return [
        _blank("How to read"),
        _marker("s", STATUS_QUO_COLOUR, "white", "Status quo (no deal)", STATUS_QUO_SIZE),
        _marker("o", DEAL_COLOUR, DEAL_COLOUR, "Deal that passes both ratifiers"),
        _marker("o", "white", DEAL_COLOUR, "Deal that fails a ratifier"),
        Line2D([], [], color="#555555", linestyle=(0, (5, 3)), label="Status-quo level"),
        Patch(color=SHADE_COLOUR, alpha=0.25, label="Both sides gain"),
        Line2D([], [], color=OKABE_ITO["grey"], linewidth=2.2, label="Pareto frontier"),
    ]


def _lottery_terms(labels: Sequence[str], solution: SolutionPoint) -> str:
    """``"64% Two islands, 36% Shelve + cooperate"``."""
    assert solution.segment is not None
    first, second = solution.segment
    p = solution.weight
    terms = [f"{p:.0%} {labels[first]}", f"{1 - p:.0%} {labels[second]}"]
    return ", ".join(term.replace(" ", NBSP) for term in terms)


def _solution_handles(
    solutions: Sequence[SolutionPoint], labels: Sequence[str], *, require_ratification: bool
) -> list[Line2D | Patch]:
    handles: list[Line2D | Patch] = [_blank("Cooperative solutions")]
    ratifiers = "\nand passes both ratifiers" if require_ratification else ""
    for i, solution in enumerate(solutions):
        marker, colour = SOLUTION_STYLES[i % len(SOLUTION_STYLES)]
        size = SOLUTION_SIZE * (0.7 if marker == "*" else 0.5)
        label = solution.label
        if solution.segment is not None:
            label += ": " + _lottery_terms(labels, solution)
        handles.append(_marker(marker, colour, "black", textwrap.fill(label, 46), size))
    if not solutions:
        handles.append(_blank("None: no deal is acceptable to both sides" + ratifiers))
    return handles


def _blank(label: str = " ") -> Line2D:
    return Line2D([], [], linestyle="none", marker="none", label=label)


def _marker(marker: str, face: str, edge: str, label: str, size: float = DEAL_SIZE) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=edge,
        markeredgewidth=1.2,
        label=label,
    )


def _add_titles(fig: Figure, ax: Axes, result: Evaluation, draw: int, *, own_figure: bool) -> None:
    title = finding(result, draw)
    if not own_figure:
        ax.set_title(title, loc="left")
        return
    info = result.scenario.scenario
    extra = ratifier_note(result, draw)
    if result.payoffs.utility.shape[0] > 1:
        extra = f"{extra} · draw {draw}"
    titled(fig, title, scenario_subtitle(info.name, info.year, extra))


def _quoted(labels: Sequence[str]) -> str:
    quoted = [f"‘{label}’" for label in labels]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _both_sides(flags: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Deals where a per-side flag of shape ``(D, 2)`` holds for both sides."""
    flags = np.asarray(flags, dtype=bool)
    return np.asarray(flags[:, 0] & flags[:, 1], dtype=bool)


def _labels_where(result: Evaluation, mask: NDArray[np.bool_]) -> list[str]:
    return [spec.label for spec, ok in zip(result.deals.specs, mask.tolist(), strict=True) if ok]


def finding(result: Evaluation, draw: int = 0) -> str:
    """The title: which deals beat the status quo for both governments.

    Examples
    --------
    >>> from sim import evaluate, load_scenario
    >>> finding(evaluate(load_scenario("scenarios/baseline_2003.toml")))
    'Only ‘Shelve + cooperate’ beats the status quo for both sides'
    """
    both = _both_sides(result.cooperative.rational[draw])
    labels = _labels_where(result, both)
    if not labels:
        return "No deal beats the status quo for both sides"
    if len(labels) == 1:
        return f"Only {_quoted(labels)} beats the status quo for both sides"
    if len(labels) <= 3:
        return f"Both sides gain only from {_quoted(labels)}"
    return f"Both sides gain from {len(labels)} of the {len(result.deals) - 1} deals"


def ratifier_note(result: Evaluation, draw: int = 0) -> str:
    """Which deals pass both ratifiers, in a few words for the subtitle."""
    passes = _both_sides(result.cooperative.ratifiable[draw])
    labels = _labels_where(result, passes)
    if not labels:
        return "no deal passes both ratifiers"
    verb = "passes" if len(labels) == 1 else "pass"
    if len(labels) > 3:
        return f"{len(labels)} deals pass both ratifiers"
    return f"only {_quoted(labels)} {verb} both ratifiers"


# --- label placement -------------------------------------------------------------------

AMBIGUOUS = 1e6
"""Cost of a label that sits nearer another deal's point than its own."""


def _label_deals(ax: Axes, utility: NDArray[np.float64], labels: Sequence[str]) -> None:
    """Label each deal in view, free of markers, other labels and the axes edge.

    Each label goes to the nearest candidate position where it overlaps nothing and
    no other deal's point is closer to it than its own; failing that, to the
    candidate with the least overlap.
    """
    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure)
    fig.draw_without_rendering()
    placer = _Placer(ax, fig._get_renderer(), ax.transData.transform(utility))  # type: ignore[attr-defined]
    shown = ax.get_window_extent(placer.renderer)
    for d in _crowded_first(placer.centres):
        if shown.contains(*placer.centres[d]):
            placer.place(d, utility[d], labels[d])


def _crowded_first(centres: NDArray[np.float64]) -> list[int]:
    """Deal indices, those with the most close neighbours first."""
    distance = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=-1)
    crowding = (distance < 60).sum(axis=1)
    return sorted(range(len(centres)), key=lambda d: (-crowding[d], d))


class _Placer:
    """Places deal labels one by one, remembering what is already taken."""

    def __init__(self, ax: Axes, renderer: RendererBase, centres: NDArray[np.float64]) -> None:
        self.ax = ax
        self.renderer = renderer
        self.centres = centres
        self.frame = ax.get_window_extent(renderer).padded(-3)
        self.taken = _marker_boxes(ax, renderer)

    def place(self, d: int, point: NDArray[np.float64], text: str) -> None:
        best: tuple[float, tuple[float, float], tuple[float, float]] | None = None
        for distance in OFFSETS:
            for dx, dy in DIRECTIONS:
                norm = float(np.hypot(dx, dy))
                offset = (distance * dx / norm, distance * dy / norm)
                annotation = _annotation(self.ax, point, text, offset, dx, dy, leader=False)
                cost = self.cost(d, annotation.get_window_extent(self.renderer))
                annotation.remove()
                if best is None or cost < best[0]:
                    best = (cost, offset, (dx, dy))
            if best is not None and best[0] == 0.0:
                break
        assert best is not None
        _, offset, (dx, dy) = best
        leader = float(np.hypot(*offset)) >= LEADER_FROM
        annotation = _annotation(self.ax, point, text, offset, dx, dy, leader=leader)
        self.taken.append(annotation.get_window_extent(self.renderer))

    def cost(self, d: int, box: Bbox) -> float:
        """Overlap with what is taken or outside the frame; ambiguity costs most."""
        cost = _overlap(box.padded(2), self.frame, self.taken)
        gaps = [_gap(box, centre) for centre in self.centres]
        own = gaps[d]
        if any(gap < own for i, gap in enumerate(gaps) if i != d):
            cost += AMBIGUOUS
        return cost


def _gap(box: Bbox, point: NDArray[np.float64]) -> float:
    """Distance from a point to a box (0 inside), display units."""
    dx = max(box.x0 - point[0], 0.0, point[0] - box.x1)
    dy = max(box.y0 - point[1], 0.0, point[1] - box.y1)
    return float(np.hypot(dx, dy))


def _marker_boxes(ax: Axes, renderer: RendererBase) -> list[Bbox]:
    """Boxes around every marker and fixed text in the axes (display units)."""
    boxes = []
    scale = ax.get_figure(root=True).dpi / 72.0  # type: ignore[union-attr]
    for line in ax.get_lines():
        if line.get_marker() in (None, "None", "none", ""):
            continue
        half = line.get_markersize() * scale / 2 + 1
        for x, y in ax.transData.transform(np.column_stack(line.get_data())):
            boxes.append(Bbox.from_extents(x - half, y - half, x + half, y + half))
    boxes += [text.get_window_extent(renderer) for text in ax.texts]
    return boxes


def _annotation(
    ax: Axes,
    point: NDArray[np.float64],
    text: str,
    offset: tuple[float, float],
    dx: float,
    dy: float,
    *,
    leader: bool,
) -> Annotation:
    return ax.annotate(
        text,
        xy=(float(point[0]), float(point[1])),
        xytext=offset,
        textcoords="offset points",
        ha={1: "left", -1: "right"}.get(int(np.sign(dx)), "center"),
        va={1: "bottom", -1: "top"}.get(int(np.sign(dy)), "center"),
        fontsize=LABEL_SIZE,
        zorder=6,
        bbox={
            "boxstyle": "round,pad=0.12",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.8,
        },
        arrowprops=(
            {"arrowstyle": "-", "color": "#555555", "linewidth": 0.8, "shrinkA": 1, "shrinkB": 4}
            if leader
            else None
        ),
        annotation_clip=False,
        gid="deal_label",
    )


def _overlap(box: Bbox, frame: Bbox, obstacles: Sequence[Bbox]) -> float:
    """Area of ``box`` overlapping obstacles or lying outside ``frame`` (display units)."""
    inside = Bbox.intersection(box, frame)
    outside = box.width * box.height - (inside.width * inside.height if inside else 0.0)
    clash = 0.0
    for other in obstacles:
        common = Bbox.intersection(box, other)
        if common is not None:
            clash += common.width * common.height
    return float(outside * 4 + clash)
