"""Plain text shared by the terminal, the summary and the charts: numbers, names, safety.

One function per thing that is written in several places, so that a number reads the
same in the summary, in a chart and on the terminal:

* :func:`money` — ``"US$0.947 bn"``: three significant figures, the unit always written;
* :func:`value` — a parameter's value with its unit where one reads naturally;
* :func:`deal_name` — a deal's display label from the catalogue (tables, charts and
  sentences use labels; JSON and file columns keep ids);
* :func:`printable` — user text with control characters removed, so that a description
  or a label cannot move the cursor, retitle the terminal or hide text (ANSI/OSC
  escapes), whatever file it came from.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sim.model.deals import catalogue, split_reneged

MONEY_UNIT = "US$ bn (2003)"
"""The unit of utility and of every money parameter in the scenario schema."""

ISLAND_NAMES: dict[str, str] = {
    "habomai": "Habomai group / Khabomai",
    "shikotan": "Shikotan",
    "kunashiri": "Kunashiri / Kunashir",
    "etorofu": "Etorofu / Iturup",
}
"""Each island by its Japanese and its Russian name (the same for Shikotan)."""

_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")


def significant(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant figures, without an exponent for everyday sizes.

    Examples
    --------
    >>> [significant(x) for x in (0.94712, 12.345, 26.0, -0.0001234, 1234567.0)]
    ['0.947', '12.3', '26', '-0.000123', '1.23e+06']
    """
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def money(x: float, *, signed: bool = False) -> str:
    """A sum in US$ bn (2003): ``"US$0.947 bn"``; ``"+US$4.6 bn"`` / ``"−US$14.3 bn"`` signed.

    Examples
    --------
    >>> money(0.94712), money(-14.3, signed=True), money(4.6, signed=True)
    ('US$0.947 bn', '-US$14.3 bn', '+US$4.6 bn')
    """
    body = f"US${significant(abs(x))} bn"
    if signed:
        return ("-" if x < 0 else "+") + body
    return ("-" if x < 0 else "") + body


def schema_unit(path: str) -> str:
    """The unit the scenario schema writes for the parameter at ``path`` (``""`` if none).

    Examples
    --------
    >>> schema_unit("actors.japan.no_progress_cost")
    'US$ bn (2003)'
    >>> schema_unit("context.investment_realisation")
    'fraction'
    """
    from pydantic import BaseModel

    from sim.model.scenario import Scenario

    node: Any = Scenario
    description = ""
    for part in path.split("."):
        fields = getattr(node, "model_fields", None) if isinstance(node, type) else None
        if not fields or part not in fields:
            return ""
        node, description = fields[part].annotation, fields[part].description or ""
    if isinstance(node, type) and issubclass(node, BaseModel) and "value" not in node.model_fields:
        return ""
    found = re.search(r"Unit: (.+?)\.?\s*$", description)
    return found.group(1).strip() if found else ""


def value(path: str, x: float) -> str:
    """A parameter's value as written everywhere: money with its unit, else 3 figures.

    Examples
    --------
    >>> value("actors.japan.no_progress_cost", 0.94712)
    'US$0.947 bn'
    >>> value("actors.japan.patience", 0.97)
    '0.97'
    """
    if schema_unit(path) == MONEY_UNIT:
        return money(x)
    return significant(x)


def deal_name(deal: str) -> str:
    """Display label of a deal id (``"Shelve + cooperate"``); ``"… (reneged)"`` when reneged.

    Scenario-specific deals that are not in the catalogue get their id in words.

    Examples
    --------
    >>> deal_name("status_quo"), deal_name("two_islands reneged"), deal_name("my_deal")
    ('Status quo', 'Two islands (reneged)', 'My deal')
    """
    base, reneged = split_reneged(deal)
    known = catalogue().get(base)
    name = known.label if known else base.replace("_", " ").capitalize()
    return f"{name} (reneged)" if reneged else name


def printable(text: str) -> str:
    """``text`` without escape sequences or control characters (newlines and tabs kept).

    Examples
    --------
    >>> printable("ok\\x1b]0;pwned\\x07 \\x1b[31mred\\x1b[0m\\x00!")
    'ok red!'
    """
    text = _CONTROL.sub("", text)
    return "".join(
        ch for ch in text if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
    )
