"""Hold-up chart: how often each deal holds up, and why the others fail.

Two panels share the deals (sorted by hold-up rate, highest on top). The left
panel is each deal's hold-up rate with its 95% interval; the right panel splits
the draws where the deal fails by the first test it fails (Japan's or Russia's
government, Japan's or Russia's ratifier, reneging), as stacked shares of all
draws. Deals that never hold up still have their full bar of failure reasons,
the largest labelled in words. The chart reads the summary of a sweep
(:meth:`sim.sweeps.summary.SummaryAccumulator.result`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import PercentFormatter

from sim.charts.labels import (
    deal_label,
    finish,
    fit_subtitle,
    fit_title,
    hatch_colour,
    method_label,
    percent,
)
from sim.charts.style import OKABE_ITO, chart_style, new_figure
from sim.holdup import REASONS
from sim.model.deals import catalogue
from sim.sweeps.summary import SweepSummary

FAIL_REASONS: tuple[str, ...] = tuple(str(r) for r in REASONS)
REASON_LABELS: dict[str, str] = {str(r): r.label for r in REASONS}
"""Plain words for the reasons a deal fails the hold-up test (:class:`sim.holdup.FailReason`)."""

REASON_STYLES: dict[str, dict[str, str]] = {
    "japan_government": {"color": OKABE_ITO["vermillion"], "hatch": ""},
    "japan_ratifier": {"color": OKABE_ITO["orange"], "hatch": "//"},
    "russia_government": {"color": OKABE_ITO["blue"], "hatch": ".."},
    "russia_ratifier": {"color": OKABE_ITO["sky_blue"], "hatch": "\\\\"},
    "reneging": {"color": OKABE_ITO["grey"], "hatch": "xx"},
}
"""Japan in vermillion and orange, Russia in blues (as ``SIDE_COLOURS``), each hatched apart."""

HOLDS_UP_NOTE = (
    "A deal holds up when both governments prefer it to no deal, both ratifiers accept it "
    "and the side that performs later gains nothing by reneging."
)
RATE_COLOUR = OKABE_ITO["bluish_green"]
NAMED_SEGMENT = 0.45
"""Shares of draws wide enough for a reason's name inside its segment."""
NUMBERED_SEGMENT = 0.08
"""Shares of draws wide enough for a percentage inside the segment."""
LEGEND_ROW = 0.55
"""Height in inches of the legend row under the panels."""


def _ordered(deals: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Deals by hold-up rate, highest first; ties in menu order."""
    names = list(deals)
    rates = np.array([deals[d]["hold_up_rate"] for d in names], dtype=float)
    return [names[i] for i in np.argsort(-rates, kind="stable")]


def _territorial(deal: str) -> bool | None:
    """Whether a catalogue deal transfers any island (None for deals not in the catalogue)."""
    spec = catalogue().get(deal)
    return None if spec is None else any(share > 0 for share in spec.shares())


def main_reason(deal: Mapping[str, Any]) -> str | None:
    """The reason most of a deal's failing draws fail at (None if it never fails)."""
    fails: Mapping[str, float] = deal.get("fails_because", {})
    return max(fails, key=lambda r: fails[r]) if fails else None


def _title(deals: Mapping[str, Mapping[str, Any]], order: Sequence[str], draws: int) -> str:
    """Plain-words finding: the deal that holds up most often and which never do."""
    best = order[0]
    rate = float(deals[best]["hold_up_rate"])
    if rate <= 0:
        return f"No deal holds up in any of the {draws:,} draws"
    never = [d for d in order if deals[d]["hold_up_rate"] <= 0]
    lead = f"{deal_label(best)} holds up in {percent(rate)} of draws"
    if not never:
        return fit_title([f"{lead}, the most of any deal", lead])
    kinds = {d: _territorial(d) for d in deals}
    territorial = {d for d, t in kinds.items() if t}
    candidates = []
    if None not in kinds.values() and territorial and set(never) == territorial:
        candidates.append(f"{lead}; no territorial deal does")
    candidates += [f"{lead}; {len(never)} of {len(deals)} deals never do", lead]
    return fit_title(candidates)


def _rates_panel(ax: Axes, deals: Mapping[str, Mapping[str, Any]], order: Sequence[str]) -> None:
    """Hold-up rates with 95% intervals, labelled at the bar ends."""
    y = np.arange(len(order), dtype=float)
    rates = np.array([deals[d]["hold_up_rate"] for d in order], dtype=float)
    low, high = np.array([deals[d]["interval_95"] for d in order], dtype=float).T
    ax.barh(y, rates, height=0.66, color=RATE_COLOUR, edgecolor="black", linewidth=0.6, gid="rates")
    errors = np.vstack([np.clip(rates - low, 0, None), np.clip(high - rates, 0, None)])
    ax.errorbar(
        rates, y, xerr=errors, fmt="none", ecolor="black", elinewidth=1.0, capsize=3, gid="ci"
    )
    right = max(float(high.max()), 0.01)
    for yi, rate, top in zip(y, rates, high, strict=True):
        text = percent(rate) if rate > 0 else "never"
        ax.text(
            top + right * 0.04,
            yi,
            text,
            va="center",
            ha="left",
            fontsize=9,
            fontweight="bold" if rate > 0 else "normal",
            color="black" if rate > 0 else "#555555",
        )
    ax.set_xlim(0, right * 1.35)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_yticks(y, [deal_label(d) for d in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel("Holds up: share of draws (line: 95% interval)")
    ax.set_title("Holds up", loc="left", fontsize=10, fontweight="bold")
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)


def _segment_text(ax: Axes, left: float, width: float, y: float, reason: str) -> None:
    """Label a stacked segment with its share, and its reason if it is wide."""
    if width < NUMBERED_SEGMENT:
        return
    fill = REASON_STYLES[reason]["color"]
    name = REASON_LABELS[reason]
    text = f"{name} · {percent(width)}" if width >= NAMED_SEGMENT else percent(width)
    ax.text(
        left + width / 2,
        y,
        text,
        ha="center",
        va="center",
        fontsize=8,
        color=hatch_colour(fill),
        bbox={"boxstyle": "round,pad=0.2", "facecolor": fill, "edgecolor": "none"},
    )


def _reasons_panel(ax: Axes, deals: Mapping[str, Mapping[str, Any]], order: Sequence[str]) -> None:
    """Failing draws stacked by first failed test, as shares of all draws."""
    y = np.arange(len(order), dtype=float)
    left = np.zeros(len(order))
    for reason in FAIL_REASONS:
        shares = np.array([deals[d].get("fails_because", {}).get(reason, 0.0) for d in order])
        if not shares.any():
            continue
        style = REASON_STYLES[reason]
        ax.barh(
            y,
            shares,
            left=left,
            height=0.66,
            color=style["color"],
            hatch=style["hatch"],
            hatchcolor=hatch_colour(style["color"]),
            edgecolor="white",
            linewidth=0.8,
            label=REASON_LABELS[reason],
            gid=f"fails-{reason}",
        )
        for yi, start, width in zip(y, left, shares, strict=True):
            _segment_text(ax, start, width, yi, reason)
        left += shares
    ax.set_xlim(0, 1)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Fails: share of draws")
    ax.set_title("Why it fails: first test failed", loc="left", fontsize=10, fontweight="bold")
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)


def _reasons_legend(ax: Axes, legend_ax: Axes | None) -> None:
    """Legend of the reasons drawn: in its own row under both panels, or under ``ax``."""
    handles, labels = ax.get_legend_handles_labels()
    where: dict[str, Any] = {"loc": "center"}
    if legend_ax is None:
        legend_ax = ax
        where = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.22)}
    legend_ax.legend(
        handles,
        labels,
        ncols=max(1, -(-len(labels) // 2)),
        frameon=False,
        handleheight=1.4,
        columnspacing=1.5,
        borderaxespad=0.0,
        **where,
    )


def _panels(
    ax: Sequence[Axes] | None, n_deals: int
) -> tuple[Figure | SubFigure, Axes, Axes, Axes | None, bool]:
    """A new A4-wide figure with the two panels and a legend row, or the caller's axes."""
    if ax is None:
        height = 2.0 + 0.34 * n_deals
        fig = new_figure(height=height + LEGEND_ROW)
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.5], height_ratios=[height, LEGEND_ROW])
        rates = fig.add_subplot(grid[0, 0])
        reasons = fig.add_subplot(grid[0, 1], sharey=rates)
        legend = fig.add_subplot(grid[1, :])
        legend.axis("off")
        return fig, rates, reasons, legend, True
    if len(ax) != 2:
        raise ValueError("ax must be a pair of axes: the rates panel and the reasons panel")
    parent = ax[0].get_figure(root=False)
    if parent is None:
        raise ValueError("the axes given do not belong to a figure")
    return parent, ax[0], ax[1], None, False


def holdup_rates(
    summary: SweepSummary | Mapping[str, Any],
    *,
    scenario: tuple[str, int],
    ax: Sequence[Axes] | None = None,
) -> Figure:
    """Each deal's hold-up rate with its 95% interval, and why it fails when it does.

    Parameters
    ----------
    summary : SweepSummary or mapping
        A sweep's summary, or its JSON form: ``deals[deal]`` with ``hold_up_rate``, ``interval_95``
        and ``fails_because`` (shares of all draws by reason); ``draws`` and
        ``method`` for the subtitle.
    scenario : (str, int)
        Scenario name and year, for the subtitle.
    ax : pair of Axes, optional
        Draw the rates and the reasons here (titles go on the first) instead of
        in a new A4-wide figure.

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        If the summary has no deals, or ``ax`` is not a pair of axes.
    """
    if hasattr(summary, "to_json"):
        summary = summary.to_json()
    deals: Mapping[str, Mapping[str, Any]] = summary.get("deals", {})
    if not deals:
        raise ValueError("the summary has no deals")
    order = _ordered(deals)
    draws = int(summary.get("draws", 0))
    method = str(summary.get("method", ""))
    sweep = f"{method_label(method) if method else 'sweep'} of {draws:,} draws"
    subtitle = fit_subtitle(*scenario, [sweep, "all deals of the menu"])
    with chart_style():
        fig, rates_ax, reasons_ax, legend_ax, owned = _panels(ax, len(order))
        _rates_panel(rates_ax, deals, order)
        _reasons_panel(reasons_ax, deals, order)
        _reasons_legend(reasons_ax, legend_ax)
        title = _title(deals, order, draws)
        return finish(fig, rates_ax, owned, title, subtitle, HOLDS_UP_NOTE)
