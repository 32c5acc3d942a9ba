"""Sobol' chart: which parameters the spread of one outcome comes from.

For each parameter of a Sobol' sweep (:func:`sim.sweeps.sensitivity.sobol_indices`)
two bars show its total index (the share of the outcome's variance it is involved
in, interactions included) and its first-order index (the share it explains on
its own), each with its confidence interval. Parameters are sorted by total
index, largest on top; the first ``top`` are drawn and the rest counted in the
footnote.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
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
    percent,
)
from sim.charts.style import OKABE_ITO, chart_style
from sim.sweeps.sensitivity import SobolResult

TOTAL_STYLE: dict[str, str] = {"color": OKABE_ITO["blue"], "hatch": ""}
"""Total-effect bars: dark and plain."""
FIRST_STYLE: dict[str, str] = {"color": OKABE_ITO["orange"], "hatch": "//"}
"""First-order bars: light and hatched."""
NEGLIGIBLE = 0.01
"""Total indices below this count as no effect in the title and the footnote."""
BAR_HEIGHT = 0.38


def ranked_rows(result: SobolResult, top: int) -> NDArray[np.intp]:
    """Indices of the parameters drawn, largest total index first.

    At most ``top``; parameters whose total index is below :data:`NEGLIGIBLE`
    are left out unless none reaches it (then the largest one is drawn).
    """
    order = np.argsort(-np.asarray(result.ST, dtype=float), kind="stable")
    kept = order[result.ST[order] >= NEGLIGIBLE][:top]
    return kept if len(kept) else order[:1]


def _title(result: SobolResult, rows: Sequence[int]) -> str:
    """Plain-words finding: the parameter most of the variance involves, and how many matter."""
    first = parameter_phrase(result.names[rows[0]])
    share = percent(float(np.clip(result.ST[rows[0]], 0.0, 1.0)))
    total = len(result.names)
    matter = int(np.count_nonzero(result.ST >= NEGLIGIBLE))
    candidates = [f"{first} matters most: {share} of the variance involves it"]
    if matter < total:
        candidates.append(f"{first} matters most; {matter} of {total} parameters matter at all")
    candidates += [f"{first} matters most ({share} of the variance)", f"{first} matters most"]
    return fit_title(candidates)


def _note(result: SobolResult, rows: Sequence[int]) -> str:
    """Footnote: what the indices mean and which parameters are left out."""
    text = (
        "Total index: share of the variance a parameter is involved in, interactions included; "
        "first-order: the share it explains alone. Lines: confidence intervals."
    )
    rest = np.setdiff1d(np.arange(len(result.names)), rows)
    if not len(rest):
        return text
    tiny = int(np.count_nonzero(result.ST[rest] < NEGLIGIBLE))
    parts = [f"{tiny} with total index below {NEGLIGIBLE:g}"] if tiny else []
    if len(rest) > tiny:
        parts.append(f"{len(rest) - tiny} with smaller indices")
    return f"{text} Not shown: {len(rest)} parameters ({', '.join(parts)})."


def _bars(ax: Axes, result: SobolResult, rows: Sequence[int]) -> None:
    """Grouped bars: total index above first-order index for each parameter."""
    y = np.arange(len(rows), dtype=float)
    for offset, values, conf, style, label, gid in (
        (
            -BAR_HEIGHT / 2,
            result.ST,
            result.ST_conf,
            TOTAL_STYLE,
            "Total (with interactions)",
            "ST",
        ),
        (BAR_HEIGHT / 2, result.S1, result.S1_conf, FIRST_STYLE, "First-order (alone)", "S1"),
    ):
        ax.barh(
            y + offset,
            values[list(rows)],
            height=BAR_HEIGHT,
            xerr=conf[list(rows)],
            color=style["color"],
            hatch=style["hatch"],
            hatchcolor=hatch_colour(style["color"]),
            edgecolor="black",
            linewidth=0.5,
            error_kw={"elinewidth": 1.0, "capsize": 2.5, "ecolor": "#222222"},
            label=label,
            gid=gid,
        )


def sobol_chart(
    result: SobolResult,
    outcome_label: str,
    *,
    scenario: tuple[str, int],
    ax: Axes | None = None,
    top: int = 12,
    draws: int | None = None,
) -> Figure:
    """First-order and total Sobol' indices of one outcome, per parameter.

    Parameters
    ----------
    result : SobolResult
        Indices with their confidence half-widths.
    outcome_label : str
        Plain words for the outcome (named in the horizontal axis label).
    scenario : (str, int)
        Scenario name and year, for the subtitle.
    ax : Axes, optional
        Draw here (titles go on the axes) instead of in a new A4-wide figure.
    top : int
        Most parameters drawn, by total index.
    draws : int, optional
        Rows of the sweep, for the subtitle.

    Returns
    -------
    Figure
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    if not result.names:
        raise ValueError("the Sobol' result has no parameters")
    rows = list(ranked_rows(result, top))
    sweep = method_label("sobol") + (f" of {draws:,} draws" if draws else "")
    shown = f"{len(rows)} of {len(result.names)} parameters shown"
    subtitle = fit_subtitle(*scenario, [sweep, shown])
    with chart_style():
        fig, ax, owned = axes_for(ax, height=1.8 + 0.42 * len(rows))
        _bars(ax, result, rows)
        ax.set_yticks(range(len(rows)), [parameter_label(result.names[i]) for i in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set_xlabel(f"Sobol' index: share of the variance of {outcome_label}")
        ax.grid(axis="y", visible=False)
        ax.set_axisbelow(True)
        ax.legend(loc="lower right", frameon=True, framealpha=0.95, edgecolor="none")
        return finish(fig, ax, owned, _title(result, rows), subtitle, _note(result, rows))
