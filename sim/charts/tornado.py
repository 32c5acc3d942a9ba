"""Tornado chart: how far one outcome moves as each parameter moves alone.

For each parameter of a one-at-a-time sweep
(:func:`sim.sweeps.sensitivity.tornado`), two bars start at the outcome's
baseline value: one to the outcome with the parameter at its lowest swept value,
one to the outcome at its highest (the others at baseline). Parameters are
sorted by swing, largest on top; those that do not move the outcome and those
beyond the first ``top`` are left out and counted in the footnote. The
parameter's values are written at the bar ends.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import NDArray

from sim.charts.labels import (
    axes_for,
    finish,
    fit_subtitle,
    fit_title,
    hatch_colour,
    method_label,
    parameter_label,
    parameter_phrase,
)
from sim.charts.style import OKABE_ITO, chart_style
from sim.sweeps.samplers import OAT_HIGH, OAT_LOW
from sim.sweeps.sensitivity import TornadoResult
from sim.text import significant

LOW_STYLE: dict[str, str] = {"color": OKABE_ITO["sky_blue"], "hatch": "//"}
"""Bars of a parameter at its lowest value: light and hatched."""
HIGH_STYLE: dict[str, str] = {"color": OKABE_ITO["blue"], "hatch": ""}
"""Bars of a parameter at its highest value: dark and plain."""
BAR_HEIGHT = 0.62


def shown_rows(result: TornadoResult, top: int) -> NDArray[np.intp]:
    """Indices of the parameters drawn: those that move the outcome, largest swing first."""
    order = np.argsort(-np.asarray(result.swing, dtype=float), kind="stable")
    return order[result.swing[order] > 0][:top]


def _title(result: TornadoResult, rows: Sequence[int]) -> str:
    """Plain-words finding: which parameter matters most and how many change nothing."""
    total = len(result.names)
    if not len(rows):
        return f"None of the {total} parameters moves the outcome on its own"
    first = parameter_phrase(result.names[rows[0]])
    still = total - int(np.count_nonzero(result.swing > 0))
    candidates = []
    if still:
        candidates += [
            f"{first} matters most; {still} of {total} parameters change nothing",
            f"{first} matters most; {still} of {total} change nothing",
        ]
    if len(rows) > 1:
        candidates.append(f"{first} matters most, then {parameter_phrase(result.names[rows[1]])}")
    candidates.append(f"{first} matters most")
    return fit_title(candidates)


def _note(result: TornadoResult, rows: Sequence[int]) -> str:
    """Footnote counting the parameters left out."""
    still = len(result.names) - int(np.count_nonzero(result.swing > 0))
    smaller = int(np.count_nonzero(result.swing > 0)) - len(rows)
    parts = []
    if smaller:
        parts.append(f"{smaller} parameter{'s' if smaller > 1 else ''} with smaller swings")
    if still:
        noun = "" if parts else (" parameters" if still > 1 else " parameter")
        parts.append(f"{still}{noun} that do not move the outcome")
    return f"Not shown: {' and '.join(parts)}." if parts else ""


def _value_text(ax: Axes, end: float, y: float, value: float, side: int) -> None:
    """Write a parameter value just beyond the end of its bar (``side`` +1 right, -1 left)."""
    ax.annotate(
        significant(value),
        (end, y),
        xytext=(4 * side, 0),
        textcoords="offset points",
        ha="left" if side > 0 else "right",
        va="center",
        fontsize=8.5,
        color="#222222",
    )


def _bars(ax: Axes, result: TornadoResult, rows: Sequence[int]) -> None:
    """The low and high bars of each shown parameter, the longer drawn first."""
    base = result.baseline
    for y, i in enumerate(rows):
        ends = {"low": float(result.low[i]), "high": float(result.high[i])}
        values = {"low": float(result.low_value[i]), "high": float(result.high_value[i])}
        for which in sorted(ends, key=lambda k: -abs(ends[k] - base)):
            style = LOW_STYLE if which == "low" else HIGH_STYLE
            ax.barh(
                y,
                ends[which] - base,
                left=base,
                height=BAR_HEIGHT,
                color=style["color"],
                hatch=style["hatch"],
                hatchcolor=hatch_colour(style["color"]),
                edgecolor="black",
                linewidth=0.5,
                gid=f"{which}-{result.names[i]}",
            )
        for which in ends:
            other = "high" if which == "low" else "low"
            side = (
                int(np.sign(ends[which] - base))
                or -int(np.sign(ends[other] - base))
                or (-1 if which == "low" else 1)
            )
            _value_text(ax, ends[which], y, values[which], side)


def _limits(ax: Axes, result: TornadoResult, rows: Sequence[int], reference: float | None) -> None:
    """Room for the value labels beyond the longest bars."""
    points = [result.baseline, *result.low[list(rows)], *result.high[list(rows)]]
    if reference is not None:
        points.append(reference)
    low, high = min(points), max(points)
    pad = 0.16 * (high - low or 1.0)
    ax.set_xlim(low - pad, high + pad)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _legend(ax: Axes, reference: tuple[float, str] | None) -> None:
    """What the two bars and the lines mean."""
    handles: list[Artist] = [
        Patch(
            facecolor=style["color"],
            hatch=style["hatch"],
            hatchcolor=hatch_colour(style["color"]),
            edgecolor="black",
            linewidth=0.5,
            label=label,
        )
        for style, label in (
            (LOW_STYLE, f"Parameter low ({OAT_LOW:.0%} quantile of its range; value at the bar)"),
            (HIGH_STYLE, f"Parameter high ({OAT_HIGH:.0%} quantile; value at the bar)"),
        )
    ]
    handles.append(Line2D([], [], color="black", linewidth=1.4, label="Baseline outcome"))
    if reference is not None:
        handles.append(Line2D([], [], color="#555555", linestyle="--", label=reference[1]))
    # Under the axis label, in two columns: inside the axes the long labels cover bars.
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        frameon=False,
        fontsize="small",
    )


def tornado_chart(
    result: TornadoResult,
    outcome_label: str,
    *,
    scenario: tuple[str, int],
    ax: Axes | None = None,
    top: int = 12,
    draws: int | None = None,
    reference: tuple[float, str] | None = None,
) -> Figure:
    """Bars of an outcome's low and high values around its baseline, per parameter.

    Parameters
    ----------
    result : TornadoResult
        One-at-a-time swings of one outcome.
    outcome_label : str
        Plain words for the outcome, with its unit (the horizontal axis label).
    scenario : (str, int)
        Scenario name and year, for the subtitle.
    ax : Axes, optional
        Draw here (titles go on the axes) instead of in a new A4-wide figure.
    top : int
        Most parameters drawn; the rest, and those that do not move the
        outcome, are counted in the footnote.
    draws : int, optional
        Rows of the sweep, for the subtitle.
    reference : (float, str), optional
        A dashed reference line and its legend label, e.g. ``(0.0, "Accepted
        above 0")`` for a margin.

    Returns
    -------
    Figure
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    rows = list(shown_rows(result, top))
    sweep = method_label("oat") + (f" of {draws:,} draws" if draws else "")
    subtitle = fit_subtitle(*scenario, [sweep, "each parameter alone, the others at baseline"])
    with chart_style():
        fig, ax, owned = axes_for(ax, height=1.7 + 0.36 * max(len(rows), 2))
        _bars(ax, result, rows)
        ax.axvline(result.baseline, color="black", linewidth=1.4, zorder=3)
        if reference is not None:
            ax.axvline(reference[0], color="#555555", linestyle="--", linewidth=1.0, zorder=3)
        _limits(ax, result, rows, reference[0] if reference else None)
        ax.set_yticks(range(len(rows)), [parameter_label(result.names[i]) for i in rows])
        ax.set_xlabel(outcome_label)
        ax.grid(axis="y", visible=False)
        ax.set_axisbelow(True)
        _legend(ax, reference)
        return finish(fig, ax, owned, _title(result, rows), subtitle, _note(result, rows))
