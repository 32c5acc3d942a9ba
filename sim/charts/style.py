"""The one style of every kurilsim chart.

Colour-blind-safe (the Okabe–Ito palette: Okabe & Ito 2008, "Color Universal Design"),
readable in greyscale (each series also has its own marker or hatch), fonts legible at
A4 width, a plain-words title with a subtitle naming the scenario and year, and the
sources in a footnote.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
SIDE_COLOURS: dict[str, str] = {"japan": OKABE_ITO["vermillion"], "russia": OKABE_ITO["blue"]}
"""Japan and Russia, everywhere."""

SERIES: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
    OKABE_ITO["grey"],
)
"""Colours for categories (deals, components, reasons), in order."""

MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "--", "++", "oo", "**")

A4_WIDTH_INCHES = 7.5
"""Usable width of an A4 page with margins; figures are sized to it."""

RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "figure.dpi": 100,
    "hatch.linewidth": 0.6,
}

SOURCE_NOTE = (
    "Source: kurilsim model of the 2003 policy brief; data tables cited in the scenario file."
)


@contextmanager
def chart_style() -> Iterator[None]:
    """Apply the kurilsim style inside a ``with`` block."""
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


def new_figure(height: float = 4.5, width: float = A4_WIDTH_INCHES, **kwargs: Any) -> Figure:
    """A figure at A4 width.

    It is not registered with pyplot: no window, no backend needed, nothing to close;
    notebooks display it, ``savefig`` writes it.
    """
    return Figure(figsize=(width, height), layout="constrained", **kwargs)


def titled(fig: Figure, title: str, subtitle: str, footnote: str = SOURCE_NOTE) -> Figure:
    """Add the plain-words title, the scenario subtitle and the sources footnote.

    The title is the figure's suptitle with an empty second line, which makes the
    layout keep room for the subtitle drawn there.
    """
    height = fig.get_figheight()
    fig.suptitle(f"{title}\n", fontsize=13, fontweight="bold", x=0.01, ha="left")
    fig.text(
        0.01,
        1 - 0.34 / height,
        subtitle,
        fontsize=9.5,
        color="#444444",
        ha="left",
        va="top",
        transform=fig.transFigure,
    )
    fig.text(
        0.01,
        -0.01,
        footnote,
        fontsize=7.5,
        color="#666666",
        ha="left",
        va="top",
        transform=fig.transFigure,
    )
    return fig


def scenario_subtitle(name: str, year: int, extra: str = "") -> str:
    """``"Scenario baseline_2003 (2003) · …"``."""
    text = f"Scenario {name} ({year})"
    return f"{text} · {extra}" if extra else text


def category_styles(names: Sequence[str]) -> dict[str, dict[str, str]]:
    """Colour, marker and hatch for each category, stable in the order given."""
    return {
        name: {
            "color": SERIES[i % len(SERIES)],
            "marker": MARKERS[i % len(MARKERS)],
            "hatch": HATCHES[i % len(HATCHES)],
        }
        for i, name in enumerate(names)
    }


def save_chart(
    fig: Figure, path: Any, *, dpi: float | None = None, suffix: str = "", bbox: Any = None
) -> None:
    """Save ``fig`` (PNG, SVG or PDF by ``suffix`` or the path's) with kurilsim's mark.

    The mark (:data:`sim.outputs.MARK` in the file's metadata) lets a later run
    recognise the file as its own before replacing it. ``bbox``: the part of the
    figure to save, in inches (default: the style's tight box, measured now).
    """
    from pathlib import Path

    from sim import __version__

    kind = (suffix or Path(path).suffix).lower().lstrip(".")
    key = "Software" if kind == "png" else "Creator"
    extra = {} if bbox is None else {"bbox_inches": bbox}
    fig.savefig(path, dpi=dpi, format=kind, metadata={key: f"kurilsim {__version__}"}, **extra)
