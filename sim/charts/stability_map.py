"""Stability map: which deal a solver predicts over two swept parameters.

The chart reads a grid sweep's results (one row per draw, the two swept
parameters under their dotted paths, the solver's predicted deal in a column)
and colours each grid cell by the predicted deal, with a hatch per deal for
greyscale print. Black lines follow the cell edges where the prediction
changes (the tipping lines), and the scenario's baseline point is marked.

Plain-words labels shared with the other sweep charts are in
:mod:`sim.charts.labels`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import NDArray

from sim.charts.labels import (
    axes_for,
    deal_label,
    deal_styles,
    finish,
    fit_subtitle,
    fit_title,
    format_value,
    hatch_colour,
    method_label,
    parameter_label,
    parameter_phrase,
    percent,
    solver_label,
)
from sim.charts.style import (
    chart_style,
)
from sim.model.deals import STATUS_QUO
from sim.sweeps import columns


@dataclass(frozen=True)
class StabilityGrid:
    """A solver's predictions over a grid of two parameters.

    Attributes
    ----------
    xs, ys : ndarray
        Sorted distinct values of the two parameters (cell centres).
    deals : ndarray of str, shape (len(ys), len(xs))
        Predicted deal of each cell, row ``i`` at ``ys[i]``.
    """

    xs: NDArray[np.float64]
    ys: NDArray[np.float64]
    deals: NDArray[np.object_]

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.ys), len(self.xs))


def grid_predictions(results: pd.DataFrame, x: str, y: str, solver: str) -> StabilityGrid:
    """Arrange ``results[solver]`` on the grid of ``x`` and ``y``.

    Raises
    ------
    ValueError
        If a column is missing, a parameter is not numeric, another swept
        parameter varies, or the points are not a full grid of distinct
        ``(x, y)`` pairs.
    """
    for column in (x, y, solver):
        if column not in results.columns:
            raise ValueError(f"the results have no column '{column}'")
    if x == y:
        raise ValueError("x and y must be two different parameters")
    for path in (x, y):
        if not pd.api.types.is_numeric_dtype(results[path]):
            raise ValueError(f"'{path}' is not numeric; a stability map needs numbers on both axes")
    _check_others_fixed(results, (x, y))
    xv, yv = results[x].to_numpy(float), results[y].to_numpy(float)
    xs, ys = np.unique(xv), np.unique(yv)
    pairs = pd.MultiIndex.from_arrays([xv, yv])
    if len(xs) < 2 or len(ys) < 2 or len(results) != len(xs) * len(ys) or pairs.has_duplicates:
        raise ValueError(
            f"the points are not a grid of '{x}' and '{y}': {len(results)} rows with "
            f"{len(xs)} × {len(ys)} distinct values (a grid needs each pair exactly once, "
            "at least 2 values each); sweep them with the 'grid' method"
        )
    deals = np.empty((len(ys), len(xs)), dtype=object)
    deals[np.searchsorted(ys, yv), np.searchsorted(xs, xv)] = results[solver].to_numpy()
    return StabilityGrid(xs, ys, deals)


def _check_others_fixed(results: pd.DataFrame, axes: tuple[str, str]) -> None:
    """Raise ``ValueError`` if a swept parameter other than ``axes`` varies."""
    varying = [
        c for c in results.columns if "." in c and c not in axes and results[c].nunique() > 1
    ]
    if varying:
        raise ValueError(
            "the points are not a grid of two parameters: "
            f"{', '.join(varying)} also vary; sweep only the two axes"
        )


def _edges(centres: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cell edges half-way between centres, the outer ones mirrored."""
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])


def _menu(results: pd.DataFrame, predicted: NDArray[np.object_]) -> list[str]:
    """Categories in menu order: status quo, the results' deals, then any other prediction."""
    menu = [STATUS_QUO, *columns.deals_in(results.columns, columns.HOLDS)]
    extra = sorted(set(predicted.ravel()) - set(menu))
    return menu + extra


def _tipping_segments(
    codes: NDArray[np.intp], xe: NDArray[np.float64], ye: NDArray[np.float64]
) -> list[list[tuple[float, float]]]:
    """Cell edges between neighbours with different predictions."""
    segments = []
    for i, j in zip(*np.nonzero(codes[:, 1:] != codes[:, :-1]), strict=True):
        segments.append([(xe[j + 1], ye[i]), (xe[j + 1], ye[i + 1])])
    for i, j in zip(*np.nonzero(codes[1:, :] != codes[:-1, :]), strict=True):
        segments.append([(xe[j], ye[i + 1]), (xe[j + 1], ye[i + 1])])
    return segments


def _hatch_cells(
    ax: Axes,
    codes: NDArray[np.intp],
    xe: NDArray[np.float64],
    ye: NDArray[np.float64],
    styles: Sequence[Mapping[str, str]],
) -> None:
    """Overlay each category's cells with its hatch (for greyscale print)."""
    for k, style in enumerate(styles):
        rows, cols = np.nonzero(codes == k)
        if not style["hatch"] or not len(rows):
            continue
        cells = [
            [(xe[j], ye[i]), (xe[j + 1], ye[i]), (xe[j + 1], ye[i + 1]), (xe[j], ye[i + 1])]
            for i, j in zip(rows, cols, strict=True)
        ]
        ax.add_collection(
            PolyCollection(
                cells,
                facecolors="none",
                edgecolors="none",
                linewidths=0,
                hatch=style["hatch"],
                hatchcolor=hatch_colour(style["color"]),
                gid=f"hatch-{k}",
            ),
            autolim=False,
        )


def _baseline_cell(grid: StabilityGrid, bx: float, by: float) -> tuple[int, int]:
    """Row and column of the cell nearest the baseline point."""
    return int(np.abs(grid.ys - by).argmin()), int(np.abs(grid.xs - bx).argmin())


def _nearest_tip(
    grid: StabilityGrid, x: str, y: str, cell: tuple[int, int]
) -> tuple[str, int, str, float] | None:
    """Nearest change of prediction from the baseline cell along its row or column.

    Returns the path that moves, the direction (+1 rising, -1 falling), the deal
    tipped to and the cell edge where it tips; distances are compared as shares
    of each axis.
    """
    i, j = cell
    here = grid.deals[i, j]
    best: tuple[float, tuple[str, int, str, float]] | None = None
    for path, line, pos, centres in (
        (x, grid.deals[i, :], j, grid.xs),
        (y, grid.deals[:, j], i, grid.ys),
    ):
        edges = _edges(centres)
        for step in (1, -1):
            k = pos + step
            while 0 <= k < len(line) and line[k] == here:
                k += step
            if not 0 <= k < len(line):
                continue
            edge = float(edges[k] if step == 1 else edges[k + 1])
            distance = abs(edge - centres[pos]) / (edges[-1] - edges[0])
            if best is None or distance < best[0]:
                best = (distance, (path, step, str(line[k]), edge))
    return best[1] if best else None


def _exact(
    tip: tuple[str, int, str, float] | None, tipping: Mapping[str, Sequence[float]] | None
) -> tuple[str, int, str, float] | None:
    """``tip`` with its cell edge replaced by the nearest exact tipping point, if given."""
    if tip is None or not tipping or not tipping.get(tip[0]):
        return tip
    path, step, to, edge = tip
    exact = min(tipping[path], key=lambda v: abs(v - edge))
    return path, step, to, float(exact)


def _title(
    grid: StabilityGrid,
    solver: str,
    shares: Mapping[str, float],
    tip: tuple[str, int, str, float] | None,
    here: str | None,
) -> str:
    """Plain-words finding: where the baseline's deal tips, else how the map splits."""
    ranked = sorted((d for d in shares if shares[d] > 0), key=lambda d: -shares[d])
    name = solver_label(solver)
    if len(ranked) == 1:
        return f"{name} predicts {deal_label(ranked[0])} everywhere on this map"
    candidates = []
    if here is not None and tip is not None:
        path, step, to, edge = tip
        verb = "passes" if step > 0 else "falls below"
        move = f"{parameter_phrase(path)} {verb} {format_value(path, edge)}"
        candidates += [
            f"{deal_label(here)} at the baseline; {deal_label(to)} if {move}",
            f"{deal_label(here)} until {move}, then {deal_label(to)}",
            f"{deal_label(here)} until {move}",
        ]
    first = here if here is not None else ranked[0]
    second = next(d for d in ranked if d != first)
    where = "at the baseline" if here is not None else f"on {percent(shares[first])} of the map"
    split = f"{deal_label(second)} on {percent(shares[second])}"
    candidates += [
        f"{name} predicts {deal_label(first)} {where}, {split}",
        f"{deal_label(first)} {where}, {split}",
    ]
    return fit_title(candidates)


def _irrelevant_axis(grid: StabilityGrid, x: str, y: str) -> str | None:
    """The axis parameter that changes no prediction on the map, if one does not."""
    if len({str(d) for d in grid.deals.ravel()}) < 2:
        return None
    if (grid.deals == grid.deals[:1, :]).all():
        return y
    if (grid.deals == grid.deals[:, :1]).all():
        return x
    return None


def _note_irrelevant(ax: Axes, path: str) -> None:
    """A note under the legend that moving ``path`` changes nothing on this map."""
    ax.text(
        1.02,
        0.0,
        textwrap.fill(f"{parameter_phrase(path)} does not change the prediction here.", 30),
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=9,
        fontstyle="italic",
        color="#444444",
    )


def _legend(
    ax: Axes,
    categories: Sequence[str],
    styles: Sequence[Mapping[str, str]],
    shares: Mapping[str, float],
    solver: str,
    extra: Sequence[Any],
) -> None:
    handles: list[Any] = [
        Patch(
            facecolor=style["color"],
            hatch=style["hatch"],
            hatchcolor=hatch_colour(style["color"]),
            edgecolor="#555555",
            linewidth=0.5,
            label=f"{deal_label(deal)} · {percent(shares[deal])}",
        )
        for deal, style in zip(categories, styles, strict=True)
        if shares.get(deal, 0) > 0
    ]
    ax.legend(
        handles=[*handles, *extra],
        title=f"{solver_label(solver)} predicts\n(share of map)",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        frameon=False,
        alignment="left",
        handleheight=1.6,
    )


def _set_limits(
    ax: Axes, xe: NDArray[Any], ye: NDArray[Any], point: tuple[float, float] | None
) -> None:
    """Limits at the grid's outer edges, widened to show a baseline outside the grid."""
    px, py = point if point is not None else (xe[0], ye[0])
    ax.set_xlim(min(xe[0], px), max(xe[-1], px))
    ax.set_ylim(min(ye[0], py), max(ye[-1], py))


def _mark_baseline(ax: Axes, bx: float, by: float, xe: NDArray[Any], ye: NDArray[Any]) -> Line2D:
    """Draw the baseline marker and its label, placed towards the centre of the map."""
    (marker,) = ax.plot(
        [bx],
        [by],
        linestyle="none",
        marker="*",
        markersize=17,
        markerfacecolor="white",
        markeredgecolor="black",
        markeredgewidth=1.3,
        zorder=5,
        label="Baseline",
        gid="baseline",
    )
    right = bx > (xe[0] + xe[-1]) / 2
    top = by > (ye[0] + ye[-1]) / 2
    ax.annotate(
        "Baseline",
        (bx, by),
        xytext=(-12 if right else 12, -12 if top else 12),
        textcoords="offset points",
        ha="right" if right else "left",
        va="top" if top else "bottom",
        fontsize=9,
        fontweight="bold",
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.9,
        },
        zorder=6,
    )
    return marker


def _baseline_point(
    baseline: Mapping[str, float] | None, x: str, y: str
) -> tuple[float, float] | None:
    """The baseline's ``(x, y)``, or None without a baseline."""
    if baseline is None:
        return None
    missing = [p for p in (x, y) if p not in baseline]
    if missing:
        raise ValueError(f"the baseline has no value for {', '.join(missing)}")
    return float(baseline[x]), float(baseline[y])


def _draw_cells(
    ax: Axes, grid: StabilityGrid, categories: Sequence[str], point: tuple[float, float] | None
) -> list[Any]:
    """Coloured and hatched cells, tipping lines and the baseline; their legend handles."""
    index = {deal: k for k, deal in enumerate(categories)}
    codes = np.vectorize(index.__getitem__, otypes=[np.intp])(grid.deals)
    by_deal = deal_styles(categories)
    styles = [by_deal[d] for d in categories]
    xe, ye = _edges(grid.xs), _edges(grid.ys)
    colours = ListedColormap([s["color"] for s in styles])
    norm = BoundaryNorm(np.arange(len(categories) + 1) - 0.5, len(categories))
    ax.pcolormesh(xe, ye, codes, cmap=colours, norm=norm, shading="flat", gid="cells")
    _hatch_cells(ax, codes, xe, ye, styles)
    tipping = LineCollection(
        _tipping_segments(codes, xe, ye), colors="black", linewidths=1.6, gid="tipping"
    )
    ax.add_collection(tipping, autolim=False)
    handles: list[Any] = [Line2D([], [], color="black", linewidth=1.6, label="Tipping line")]
    if point is not None:
        handles.append(_mark_baseline(ax, *point, xe, ye))
    _set_limits(ax, xe, ye, point)
    ax.grid(False)
    return handles


def stability_map(
    results: pd.DataFrame,
    x: str,
    y: str,
    solver: str = "nash",
    *,
    baseline: Mapping[str, float] | None = None,
    scenario: tuple[str, int],
    ax: Axes | None = None,
    tipping: Mapping[str, Sequence[float]] | None = None,
) -> Figure:
    """Map the deal ``solver`` predicts over a grid of two swept parameters.

    Parameters
    ----------
    results : DataFrame
        A grid sweep's results: columns ``x`` and ``y`` (dotted paths) and
        ``solver``, one row per grid point; other swept parameters fixed.
    x, y : str
        Dotted paths of the parameters on the horizontal and vertical axes.
    solver : str
        Column of the predicted deal (``nash``, ``sequential``, ``posture`` …).
    baseline : mapping of str to float, optional
        The scenario's values; ``baseline[x], baseline[y]`` is marked.
    scenario : (str, int)
        Scenario name and year, for the subtitle.
    ax : Axes, optional
        Draw here (titles go on the axes) instead of in a new A4-wide figure.
    tipping : mapping of str to sequence of float, optional
        Exact tipping points of ``solver`` along ``x`` and ``y`` (others at baseline,
        :func:`sim.sweeps.analysis.scenario_tipping_points`); the title then quotes the
        exact value nearest the grid's cell edge, as the summary does, instead of the
        edge itself.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        If the points are not a grid of ``x`` and ``y`` (see
        :func:`grid_predictions`), or ``baseline`` lacks ``x`` or ``y``.
    """
    grid = grid_predictions(results, x, y, solver)
    point = _baseline_point(baseline, x, y)
    categories = _menu(results, grid.deals)
    shares = {d: float(np.mean(grid.deals == d)) for d in categories}
    with chart_style():
        fig, ax, owned = axes_for(ax, height=4.6)
        extra = _draw_cells(ax, grid, categories, point)
        ax.set_xlabel(parameter_label(x))
        ax.set_ylabel(parameter_label(y))
        by_deal = deal_styles(categories)
        _legend(ax, categories, [by_deal[d] for d in categories], shares, solver, extra)
        irrelevant = _irrelevant_axis(grid, x, y)
        if irrelevant is not None:
            _note_irrelevant(ax, irrelevant)
        here, tip = None, None
        if point is not None:
            cell = _baseline_cell(grid, *point)
            here, tip = str(grid.deals[cell]), _exact(_nearest_tip(grid, x, y, cell), tipping)
        ny, nx = grid.shape
        sweep = f"{method_label('grid')} of {nx} × {ny} = {nx * ny:,} draws"
        subtitle = fit_subtitle(*scenario, [solver_label(solver), sweep])
        return finish(fig, ax, owned, _title(grid, solver, shares, tip, here), subtitle)
