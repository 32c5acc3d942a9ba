"""Why each side ranks the deals as it does: utilities split into their six components.

Two panels (Japan, Russia) share the deal axis and the money scale. Each deal is a
horizontal stack: gains to the right of zero, costs to the left, with a marker at
the net utility. The chart reads :attr:`sim.evaluate.Evaluation.payoffs`; it
computes no game theory.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import NDArray

from sim.charts.style import (
    SIDE_COLOURS,
    category_styles,
    chart_style,
    new_figure,
    scenario_subtitle,
    titled,
)
from sim.evaluate import Evaluation
from sim.model.payoffs import ACTORS, COMPONENTS

COMPONENT_NAMES: dict[str, str] = {
    "territory": "Territory",
    "treaty": "Peace treaty",
    "investment": "Investment",
    "nationalist": "Nationalist cost",
    "china": "China factor",
    "alliance": "Alliance / US",
}
"""Plain-words name of each payoff component."""

SIDE_NAMES: dict[str, str] = {"japan": "Japan", "russia": "Russia"}
BAR_HEIGHT = 0.72
ROW_INCHES = 0.36
"""Figure height per deal."""
LEGEND_INCHES = 0.55
"""Height of the legend row."""
TOTAL_STYLE = {
    "marker": "D",
    "markersize": 6.5,
    "markerfacecolor": "black",
    "markeredgecolor": "white",
    "markeredgewidth": 1.0,
    "linestyle": "none",
}


def component_bars(result: Evaluation, draw: int = 0, *, fig: Figure | None = None) -> Figure:
    """Stacked bars of each deal's payoff components, one panel per side.

    Parameters
    ----------
    result : Evaluation
        Results of :func:`sim.evaluate`.
    draw : int
        Which parameter draw to show (0 for a single run).
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw on; by default a new A4-width figure.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (Japan, Russia), each with one bar container per component
        (``D`` bars each, labelled by component) and the net utilities as a line
        with ``gid="total"``.
    """
    with chart_style():
        labels = [spec.label for spec in result.deals.specs]
        if fig is None:
            fig = new_figure(height=LEGEND_INCHES + 1.5 + ROW_INCHES * len(labels))
        axes, legend_axes = _layout(fig, len(labels))
        components = np.asarray(result.payoffs.components[draw], dtype=float)
        for a, (ax, actor) in enumerate(zip(axes, ACTORS, strict=True)):
            _panel(ax, components[:, a, :], actor)
        _deal_axis(axes[0], labels)
        _share_limits(axes, components)
        _add_legend(legend_axes)
        info = result.scenario.scenario
        extra = "why each side ranks the deals as it does"
        titled(fig, biggest_cost(components), scenario_subtitle(info.name, info.year, extra))
    return fig


def _layout(fig: Figure, deals: int) -> tuple[list[Axes], Axes]:
    """Two panels side by side above a row that holds the shared legend.

    The legend lives in its own (invisible) axes so that it keeps its place when
    the figure is saved with a tight bounding box.
    """
    grid = fig.add_gridspec(2, 2, height_ratios=[ROW_INCHES * deals + 0.8, LEGEND_INCHES])
    japan = fig.add_subplot(grid[0, 0])
    russia = fig.add_subplot(grid[0, 1], sharey=japan, sharex=japan)
    russia.tick_params(axis="y", labelleft=False)
    legend_axes = fig.add_subplot(grid[1, :])
    legend_axes.axis("off")
    return [japan, russia], legend_axes


def _share_limits(axes: Sequence[Axes], components: NDArray[np.float64]) -> None:
    """One money scale for both panels, with room around the longest stacks."""
    low = float(np.minimum(components, 0).sum(axis=-1).min())
    high = float(np.maximum(components, 0).sum(axis=-1).max())
    pad = 0.04 * max(high - low, 1.0)
    axes[0].set_xlim(low - pad, high + pad)


def _panel(ax: Axes, values: NDArray[np.float64], actor: str) -> None:
    """Stacked bars of one side: positive parts rightwards, negative leftwards."""
    rows = np.arange(len(values))
    ax.axhspan(-0.5, 0.5, color="#eeeeee", zorder=0, gid="status_quo")
    styles = category_styles(COMPONENTS)
    right, left = np.zeros(len(values)), np.zeros(len(values))
    for c, name in enumerate(COMPONENTS):
        part = values[:, c]
        start = np.where(part >= 0, right, left)
        ax.barh(
            rows,
            part,
            left=start,
            height=BAR_HEIGHT,
            color=styles[name]["color"],
            hatch=styles[name]["hatch"],
            edgecolor="white",
            hatchcolor="#222222",
            linewidth=0.5,
            label=COMPONENT_NAMES[name],
            zorder=2,
        )
        right, left = right + np.maximum(part, 0), left + np.minimum(part, 0)
    ax.axvline(0, color="black", linewidth=0.9, zorder=3)
    totals = values.sum(axis=1)
    ax.plot(totals, rows, zorder=4, gid="total", **TOTAL_STYLE)  # type: ignore[arg-type]
    _net_column(ax, totals)
    ax.set_title(SIDE_NAMES[actor], color=SIDE_COLOURS[actor], fontweight="bold", loc="left")
    ax.set_xlabel("US$ bn (2003)   ← costs | gains →")
    ax.grid(axis="y", visible=False)


def _net_column(ax: Axes, totals: NDArray[np.float64]) -> None:
    """The net utility of each deal as a number right of the panel."""
    place = {"xycoords": ("axes fraction", "data"), "ha": "left", "va": "center"}
    ax.annotate("Net", (1.02, -0.95), fontsize=8.5, fontweight="bold", **place)  # type: ignore[arg-type]
    for row, total in enumerate(totals):
        ax.annotate(_signed(total), (1.02, row), fontsize=8.5, gid="net", **place)  # type: ignore[arg-type]


def _signed(value: float) -> str:
    """``+1.4``, ``−3.5`` (a true minus sign), ``+0.03`` when small, ``0`` when nil.

    Examples
    --------
    >>> [_signed(v) for v in (1.44, -3.5, 0.031, 0.0)]
    ['+1.4', '−3.5', '+0.03', '0']
    """
    if abs(value) < 1e-9:
        return "0"
    digits = 2 if abs(value) < 0.05 else 1
    return f"{value:+.{digits}f}".replace("-", "\u2212")


def _deal_axis(ax: Axes, labels: Sequence[str]) -> None:
    """Deals top to bottom in menu order, the status quo first and marked as reference."""
    ax.set_yticks(np.arange(len(labels)), [_tick(i, label) for i, label in enumerate(labels)])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.get_yticklabels()[0].set_fontstyle("italic")


def _tick(index: int, label: str) -> str:
    return f"{label} (reference)" if index == 0 else label


def _add_legend(ax: Axes) -> None:
    styles = category_styles(COMPONENTS)
    handles: list[Patch | Line2D] = [
        Patch(
            facecolor=styles[name]["color"],
            hatch=styles[name]["hatch"],
            edgecolor="white",
            hatchcolor="#222222",
            label=COMPONENT_NAMES[name],
        )
        for name in COMPONENTS
    ]
    handles.append(Line2D([], [], label="Net utility", **TOTAL_STYLE))  # type: ignore[arg-type]
    ax.legend(handles=handles, loc="center", ncol=4, frameon=False, handlelength=2.4)


def biggest_cost(components: NDArray[np.float64]) -> str:
    """The title: which component costs each side most, summed over the deals.

    Parameters
    ----------
    components : ndarray, shape (D, 2, 6)
        Payoff components of one draw.

    Examples
    --------
    >>> from sim import evaluate, load_scenario
    >>> result = evaluate(load_scenario("scenarios/baseline_2003.toml"))
    >>> biggest_cost(result.payoffs.components[0])
    'Nationalist cost is the biggest minus for both sides'
    """
    costs = np.minimum(components, 0).sum(axis=0)  # (2, 6)
    if not costs.any():
        return "No component costs either side anything"
    names = [COMPONENT_NAMES[COMPONENTS[int(np.argmin(side))]] for side in costs]
    if names[0] == names[1]:
        return f"{names[0]} is the biggest minus for both sides"
    return f"{names[0]} is Japan's biggest minus, {names[1].lower()} Russia's"
