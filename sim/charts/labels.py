"""Plain-words labels and layout helpers shared by the sweep charts.

Parameter names with units (from the scenario schema), deal names (from the deal
catalogue), solver and sampling-method names, percentages, the choice of the most
informative title that fits on one line at A4 width, and the common finishing of a
chart (title, subtitle, footnote) whether it owns its figure or draws into an axes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from sim.charts.style import (
    A4_WIDTH_INCHES,
    SOURCE_NOTE,
    category_styles,
    new_figure,
    scenario_subtitle,
    titled,
)
from sim.model.deals import STATUS_QUO
from sim.text import deal_name, schema_unit
from sim.text import value as text_value

# -- shared plain-words labels -----------------------------------------------------------

SIDES: dict[str, str] = {"japan": "Japan", "russia": "Russia"}
"""How the two sides are named in labels."""

WORDS: dict[str, str] = {
    "no_progress_cost": "no-progress cost",
    "money_for_land_cost": "money-for-land cost",
    "us_forces_cost": "US-forces cost",
    "us_pressure": "US pressure",
    "china_pressure": "China pressure",
    "china_benefit": "China benefit",
    "investment_on_table": "investment on the table",
    "investment_realisation": "investment realised",
    "ratifier_weight": "ratifier weight",
    "nationalist_cost_per_area": "nationalist cost per area",
}
"""Nicer words for the leaf names of the scenario's parameters."""

UNITS: dict[str, str] = {
    "US$ bn (2003)": r"US\$ bn",
    "US$ per US$": r"US\$ per US\$",
    "fraction": "share",
    "per year": "yearly discount factor",
    "index in [0, 1]": "index 0–1",
}
"""Short forms of the units in the scenario schema (dollar signs escaped for matplotlib)."""


METHOD_NAMES: dict[str, str] = {
    "grid": "full-factorial grid",
    "oat": "one-at-a-time sweep",
    "mc": "Monte Carlo sweep",
    "lhs": "Latin hypercube sweep",
    "sobol": "Sobol' sweep",
    "morris": "Morris sweep",
}
"""Plain names of the sampling methods."""

TITLE_FONT = FontProperties(size=13, weight="bold")
"""Font of the figure title set by :func:`sim.charts.style.titled`."""
SUBTITLE_FONT = FontProperties(size=9.5)
"""Font of the subtitle set by :func:`sim.charts.style.titled`."""

FOOTNOTE_CHARS = 125
"""Characters per footnote line at A4 width."""
AXES_TITLE_CHARS = 70
"""Characters per line of the title put on a caller's axes."""

STATUS_QUO_STYLE: dict[str, str] = {"color": "#DDDDDD", "marker": "o", "hatch": ""}
"""No agreement: light grey, so that the deals stand out."""


def parameter_unit(path: str) -> str:
    """Short unit of the scenario parameter at ``path`` ("" when unknown).

    Examples
    --------
    >>> parameter_unit("actors.japan.no_progress_cost")
    'US\\\\$ bn'
    >>> parameter_unit("not.a.parameter")
    ''
    """
    unit = schema_unit(path)
    return UNITS.get(unit, unit.replace("$", r"\$"))


def _words(path: str) -> tuple[str, str]:
    """The side (``"Japan"``, ``"Russia"`` or ``""``) and the plain name of ``path``."""
    parts = [p for p in path.split(".") if p not in ("actors", "context")]
    side = next((SIDES[p] for p in parts if p in SIDES), "")
    parts = [p for p in parts if p not in SIDES]
    if len(parts) >= 2 and parts[-2] == "island_value":
        return side, f"value of {parts[-1].capitalize()}"
    if len(parts) >= 2 and parts[0] in ("sequential", "alternating", "cooperative", "sweep"):
        parts = parts[1:]
    return side, " ".join(WORDS.get(p, p.replace("_", " ")) for p in parts)


def parameter_label(path: str, *, units: bool = True) -> str:
    """Axis label of a swept parameter: ``"Japan: no-progress cost (US$ bn)"``.

    Examples
    --------
    >>> parameter_label("context.china_pressure")
    'China pressure (index)'
    >>> parameter_label("actors.russia.island_value.etorofu", units=False)
    'Russia: value of Etorofu'
    """
    side, name = _words(path)
    text = f"{side}: {name}" if side else name[:1].upper() + name[1:]
    unit = parameter_unit(path) if units else ""
    return f"{text} ({unit})" if unit else text


def parameter_phrase(path: str) -> str:
    """A parameter's name inside a sentence: ``"Japan's no-progress cost"``.

    Examples
    --------
    >>> parameter_phrase("actors.japan.no_progress_cost")
    "Japan's no-progress cost"
    >>> parameter_phrase("context.us_pressure")
    'US pressure'
    """
    side, name = _words(path)
    return f"{side}'s {name}" if side else name[:1].upper() + name[1:]


def format_value(path: str, value: float) -> str:
    """A parameter value as :func:`sim.text.value` writes it, ``$`` escaped for matplotlib.

    Examples
    --------
    >>> format_value("actors.japan.no_progress_cost", 0.94712)
    'US\\\\$0.947 bn'
    """
    return text_value(path, value).replace("$", r"\$")


def deal_label(deal: str) -> str:
    """Display label of a deal (:func:`sim.text.deal_name`), ``$`` escaped for matplotlib.

    Examples
    --------
    >>> deal_label("status_quo")
    'Status quo'
    >>> deal_label("two_islands reneged")
    'Two islands (reneged)'
    >>> deal_label("my_custom_deal")
    'My custom deal'
    """
    return deal_name(deal).replace("$", r"\$")


def solver_label(solver: str) -> str:
    """Display label of a solver column (:data:`sim.predict.REGISTRY`), else its name in words.

    Examples
    --------
    >>> solver_label("nash"), solver_label("nash_lottery")
    ('Nash bargaining', 'Nash bargaining, over lotteries')
    """
    from sim.predict import REGISTRY

    spec = REGISTRY.get(solver)
    return spec.label if spec is not None else solver.replace("_", " ").capitalize()


def method_label(method: str) -> str:
    """Plain name of a sampling method: ``"Latin hypercube sweep"``."""
    return METHOD_NAMES.get(method, f"{method} sweep")


def percent(share: float) -> str:
    """A share as a percentage readable at a glance.

    Examples
    --------
    >>> [percent(x) for x in (0.0, 0.0004, 0.0625, 0.218, 1.0)]
    ['0%', '<0.1%', '6.2%', '22%', '100%']
    """
    if share <= 0:
        return "0%"
    if share < 0.001:
        return "<0.1%"
    return f"{share:.1%}" if share < 0.095 else f"{share:.0%}"


def deal_styles(deals: Sequence[str]) -> dict[str, dict[str, str]]:
    """Colour and hatch of each deal of a menu, the same in every chart of that menu.

    The status quo is light grey; the other deals take the style's categories in
    menu order.
    """
    others = [d for d in deals if d != STATUS_QUO]
    return {STATUS_QUO: STATUS_QUO_STYLE} | category_styles(others)


def hatch_colour(fill: str) -> str:
    """Hatch colour that shows on ``fill``: white on dark colours, dark grey on light ones."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(fill)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if luminance < 0.3 else "#333333"


def fit_title(
    candidates: Sequence[str],
    width: float = A4_WIDTH_INCHES - 0.2,
    font: FontProperties = TITLE_FONT,
) -> str:
    """The first candidate that fits on one line ``width`` inches wide (else the last one)."""
    for text in candidates:
        points, _, _ = TextToPath().get_text_width_height_descent(text, font, ismath=False)
        if points / 72 <= width:
            return text
    return candidates[-1]


def fit_subtitle(name: str, year: int, extras: Sequence[str]) -> str:
    """The scenario subtitle with as many of ``extras`` (most important first) as fit."""
    candidates = [
        scenario_subtitle(name, year, " · ".join(extras[:k])) for k in range(len(extras), -1, -1)
    ]
    return fit_title(candidates, font=SUBTITLE_FONT)


def axes_for(ax: Axes | None, height: float) -> tuple[Figure | SubFigure, Axes, bool]:
    """The figure and axes to draw in, and whether the chart owns the figure."""
    if ax is None:
        fig = new_figure(height)
        return fig, fig.add_subplot(), True
    parent = ax.get_figure(root=False)
    if parent is None:
        raise ValueError("the axes given do not belong to a figure")
    return parent, ax, False


def root_figure(fig: Figure | SubFigure) -> Figure:
    """The top-level figure of ``fig``."""
    root = fig if isinstance(fig, Figure) else fig.get_figure(root=True)
    if not isinstance(root, Figure):
        raise ValueError("the subfigure does not belong to a figure")
    return root


def finish(
    fig: Figure | SubFigure,
    ax: Axes,
    owned: bool,
    title: str,
    subtitle: str,
    note: str = "",
) -> Figure:
    """Title the chart: the figure's title, subtitle and footnote (``note`` before the
    sources), or the axes title in a caller's figure."""
    if owned and isinstance(fig, Figure):
        footnote = f"{textwrap.fill(note, FOOTNOTE_CHARS)}\n{SOURCE_NOTE}" if note else SOURCE_NOTE
        return titled(fig, title, subtitle, footnote)
    lines = [title, subtitle, note] if note else [title, subtitle]
    wrapped = [textwrap.fill(line, AXES_TITLE_CHARS) for line in lines]
    ax.set_title("\n".join(wrapped), loc="left", fontsize=10)
    return root_figure(fig)


# -- the stability map ---------------------------------------------------------------------
