"""Two scenarios on one utility plane: how each deal moved, and which now holds up.

Each deal is drawn where it stands in the first scenario (hollow marker) and in the
second (filled marker, bold when it holds up there), joined by an arrow; the quadrant
where both governments gain over the status quo is shaded. A deal that started or
stopped holding up is labelled in bold. It reads a :class:`sim.compare.Comparison`;
it computes no game theory.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from sim.charts.labels import axes_for, deal_label, finish, fit_subtitle
from sim.charts.style import OKABE_ITO, chart_style
from sim.compare import Comparison, DealChange

BEFORE, AFTER = OKABE_ITO["grey"], OKABE_ITO["blue"]
HOLDS = OKABE_ITO["bluish_green"]


def compare_plane(comparison: Comparison, *, year: int, ax: Axes | None = None) -> Figure:
    """Arrows from each deal's gains in the first scenario to its gains in the second.

    Parameters
    ----------
    comparison : Comparison
        From :func:`sim.compare.compare`.
    year : int
        Year of the scenarios, for the subtitle.
    ax : Axes, optional
        Draw here (titles go on the axes) instead of in a new A4-wide figure.

    Returns
    -------
    Figure
        Deal markers carry ``gid="before:<deal>"`` and ``gid="after:<deal>"``.
    """
    a, b = comparison.names
    with chart_style():
        fig, ax, owned = axes_for(ax, height=5.2)
        points = np.array([[*d.gain[0], *d.gain[1]] for d in comparison.deals]).reshape(-1, 4)
        _shade(ax, points)
        for d in comparison.deals:
            _deal(ax, d)
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.axvline(0, color="#888888", linewidth=0.8)
        ax.set_xlabel(r"Japan's gain over the status quo, US\$ bn (2003)")
        ax.set_ylabel(r"Russia's gain over the status quo, US\$ bn (2003)")
        ax.legend(handles=_handles(a, b), loc="lower left", framealpha=0.95, edgecolor="none")
        flips = [d for d in comparison.deals if d.holds[0] != d.holds[1]]
        if len(flips) == 1:
            now = "now holds up" if flips[0].holds[1] else "no longer holds up"
            title = f"{deal_label(flips[0].deal)} {now}"
        elif flips:
            title = f"{len(flips)} deals change whether they hold up"
        else:
            title = "No deal starts or stops holding up"
        subtitle = fit_subtitle(f"{a} -> {b}", year, ["each arrow: one deal moving"])
        return finish(fig, ax, owned, title, subtitle)


def _shade(ax: Axes, points: np.ndarray) -> None:
    """Set the limits around every point and the origin; shade where both gain."""
    xs = np.concatenate([[0.0], points[:, 0], points[:, 2]]) if points.size else np.zeros(1)
    ys = np.concatenate([[0.0], points[:, 1], points[:, 3]]) if points.size else np.zeros(1)
    pad_x, pad_y = 0.08 * (np.ptp(xs) or 1.0), 0.08 * (np.ptp(ys) or 1.0)
    ax.set_xlim(xs.min() - pad_x, xs.max() + 2.5 * pad_x)
    ax.set_ylim(ys.min() - pad_y, ys.max() + pad_y)
    ax.add_patch(
        Rectangle(
            (0, 0),
            xs.max() + 3 * pad_x,
            ys.max() + 2 * pad_y,
            color=HOLDS,
            alpha=0.1,
            linewidth=0,
            zorder=0,
        )
    )


def _deal(ax: Axes, d: DealChange) -> None:
    (x0, y0), (x1, y1) = d.gain
    flipped = d.holds[0] != d.holds[1]
    holds = d.holds[1]
    deal = d.deal
    ax.plot(x0, y0, "o", mfc="white", mec=BEFORE, ms=6, gid=f"before:{deal}", zorder=3)
    ax.plot(
        x1,
        y1,
        "o",
        color=HOLDS if holds else AFTER,
        ms=7,
        mec="black",
        mew=0.5,
        gid=f"after:{deal}",
        zorder=4,
    )
    if abs(x1 - x0) + abs(y1 - y0) > 1e-9:
        ax.add_patch(
            FancyArrowPatch(
                (x0, y0),
                (x1, y1),
                arrowstyle="-|>",
                mutation_scale=9,
                color=BEFORE,
                linewidth=0.9,
                shrinkA=3,
                shrinkB=4,
                zorder=2,
            )
        )
    ax.annotate(
        deal_label(deal),
        (x1, y1),
        xytext=(5, 4),
        textcoords="offset points",
        fontsize=8.5,
        fontweight="bold" if flipped else "normal",
    )


def _handles(a: str, b: str) -> list[object]:
    return [
        Line2D([], [], marker="o", linestyle="", mfc="white", mec=BEFORE, label=a),
        Line2D([], [], marker="o", linestyle="", color=AFTER, mec="black", label=b),
        Line2D(
            [], [], marker="o", linestyle="", color=HOLDS, mec="black", label=f"holds up in {b}"
        ),
        Patch(facecolor=HOLDS, alpha=0.15, label="both governments gain"),
    ]
