"""The per-deal outcome columns of a sweep, named and parsed in one place.

For every deal ``d`` of the menu a sweep records three columns (:mod:`sim.holdup`):

``holds_<d>``
    The deal holds up (bool).
``fails_<d>``
    The first reason it does not (a :class:`~sim.holdup.FailReason` value; ``""``
    when it holds).
``margin_<d>``
    Its smallest acceptance margin over the status quo (US$ bn).

Every solver of :mod:`sim.predict` has a column of its name holding the predicted
deal's id, and ``posture_equilibria`` counts the equilibria the posture rule averaged.

Examples
--------
>>> holds("shelve"), parse("margin_two_islands")
('holds_shelve', ('margin', 'two_islands'))
>>> deals_in(["draw", "holds_shelve", "fails_shelve", "nash"], HOLDS)
['shelve']
"""

from __future__ import annotations

from collections.abc import Iterable

HOLDS, FAILS, MARGIN = "holds", "fails", "margin"
KINDS: tuple[str, ...] = (HOLDS, FAILS, MARGIN)
POSTURE_EQUILIBRIA = "posture_equilibria"


def name(kind: str, deal: str) -> str:
    """The column of ``kind`` (:data:`KINDS`) for ``deal``."""
    if kind not in KINDS:
        raise ValueError(f"unknown column kind {kind!r}: expected one of {KINDS}")
    return f"{kind}_{deal}"


def holds(deal: str) -> str:
    """``holds_<deal>``."""
    return name(HOLDS, deal)


def fails(deal: str) -> str:
    """``fails_<deal>``."""
    return name(FAILS, deal)


def margin(deal: str) -> str:
    """``margin_<deal>``."""
    return name(MARGIN, deal)


def parse(column: str) -> tuple[str, str] | None:
    """``(kind, deal)`` of a per-deal column, None for any other column."""
    for kind in KINDS:
        if column.startswith(f"{kind}_"):
            return kind, column.removeprefix(f"{kind}_")
    return None


def deals_in(columns: Iterable[str], kind: str = HOLDS) -> list[str]:
    """The deals that have a ``kind`` column among ``columns``, in column order."""
    return [p[1] for p in map(parse, columns) if p is not None and p[0] == kind]
