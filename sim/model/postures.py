"""The posture game's data: each side's negotiating postures and the outcome table.

The default game ships in ``sim/data/postures.toml``: four postures for each side
and, for every pair, the deal of the catalogue it leads to with the brief's
justification. A scenario's ``[posture_game]`` table can restrict or extend the
postures and override any cell::

    [posture_game]
    japan = ["insist_four", "shelve", "linkage"]       # postures used, in order
    [posture_game.postures.japan.linkage]              # a new posture
    label = "Linkage"
    anchor = "Aid only against a territorial step."
    [posture_game.outcomes.linkage]                    # its row: deal per Russian posture
    refuse = "status_quo"
    offer_two = { deal = "two_plus_alpha", why = "…" }

The table is checked once, when a scenario is loaded: every posture named in a cell
must be declared, every pair of postures in play must have a cell, and every cell
must name a known deal.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from sim.errors import UserError, did_you_mean
from sim.model.deals import STATUS_QUO, DealSet, DealSpec, catalogue
from sim.model.fields import StrictModel

SIDES = ("japan", "russia")

MAX_POSTURES = 10
"""Most postures in play per side. Exact enumeration of every extreme equilibrium
(:func:`sim.solvers.equilibria.all_equilibria`) grows exponentially with the game:
measured on this project's machines, a 10 x 10 game with tied payoffs takes about 1 s,
11 x 11 about 6 s, 12 x 12 about 14 s; 20 x 20 runs out of memory."""


class Posture(StrictModel):
    """A negotiating posture one government can take."""

    label: str = Field(description="Short name shown in the game matrix.")
    anchor: str = Field("", description="Where this posture comes from in the record.")


class Cell(StrictModel):
    """The outcome of one pair of postures."""

    deal: str = Field(description="Deal id (catalogue or [deals.custom]) the pair leads to.")
    why: str = Field("", description="Justification of the cell.")

    @model_validator(mode="before")
    @classmethod
    def _bare_deal_id(cls, data: Any) -> Any:
        return {"deal": data} if isinstance(data, str) else data


class SidePostures(StrictModel):
    """New postures, by side."""

    japan: dict[str, Posture] = Field(default_factory=dict, description="Japan's new postures.")
    russia: dict[str, Posture] = Field(default_factory=dict, description="Russia's new postures.")


class PostureGameTable(StrictModel):
    """The ``[posture_game]`` table of a scenario (everything optional)."""

    japan: list[str] | None = Field(
        None, description="Japan's postures in play, in order (default: all declared)."
    )
    russia: list[str] | None = Field(
        None, description="Russia's postures in play, in order (default: all declared)."
    )
    postures: SidePostures = Field(
        default_factory=SidePostures, description="Postures added to the shipped ones."
    )
    outcomes: dict[str, dict[str, Cell]] = Field(
        default_factory=dict,
        description="Cells overriding the shipped table: outcomes.<japan posture>."
        "<russia posture> = deal id or { deal = …, why = … }.",
    )


@dataclass(frozen=True)
class PostureTable:
    """A resolved posture game: postures in play and the outcome of each pair.

    Attributes
    ----------
    japan, russia : tuple of str
        Posture ids in play (rows, columns).
    labels : mapping of str to str
        Label of every posture in play.
    deals : DealSet
        The distinct outcome deals, status quo first.
    cells : ndarray of int, shape (m, k)
        Index into ``deals`` of the outcome of each pair.
    why : tuple of tuple of str
        Justification of each cell.
    """

    japan: tuple[str, ...]
    russia: tuple[str, ...]
    labels: Mapping[str, str]
    deals: DealSet
    cells: NDArray[np.intp]
    why: tuple[tuple[str, ...], ...]


@functools.cache
def _shipped() -> dict[str, Any]:
    text = resources.files("sim.data").joinpath("postures.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def resolve(
    table: PostureGameTable, custom_deals: Mapping[str, DealSpec], *, source: str | None = None
) -> PostureTable:
    """Merge the shipped game with a scenario's ``[posture_game]`` and check it."""
    shipped = _shipped()
    declared = {
        side: {
            **{k: Posture.model_validate(v) for k, v in shipped[side].items()},
            **getattr(table.postures, side),
        }
        for side in SIDES
    }
    for j, row in table.outcomes.items():
        _check_declared(j, declared["japan"], f"posture_game.outcomes.{j}", source)
        for r in row:
            _check_declared(r, declared["russia"], f"posture_game.outcomes.{j}.{r}", source)
    cells = {
        j: {r: Cell.model_validate(c) for r, c in row.items()}
        for j, row in shipped["outcomes"].items()
    }
    for j, row in table.outcomes.items():
        cells.setdefault(j, {}).update(row)
    japan = _in_play(table.japan, declared["japan"], "posture_game.japan", source)
    russia = _in_play(table.russia, declared["russia"], "posture_game.russia", source)
    return _assemble(japan, russia, declared, cells, custom_deals, source)


def _check_declared(name: str, declared: Mapping[str, Posture], key: str, source: str | None):
    if name not in declared:
        advice = "declare it under [posture_game.postures.<side>] or use a shipped one"
        raise UserError(
            f"posture '{name}' is not declared{did_you_mean(name, declared)}; {advice}",
            source=source,
            key=key,
            plain=f"posture not declared; {advice}",
        )


def _in_play(
    chosen: Sequence[str] | None, declared: Mapping[str, Posture], key: str, source: str | None
) -> tuple[str, ...]:
    names = tuple(declared) if chosen is None else tuple(chosen)
    for i, name in enumerate(names):
        _check_declared(name, declared, f"{key}[{i}]", source)
    if not names or len(set(names)) != len(names):
        raise UserError("expected a non-empty list of distinct postures", source=source, key=key)
    if len(names) > MAX_POSTURES:
        raise UserError(
            f"{len(names)} postures in play; at most {MAX_POSTURES} per side: every extreme "
            "equilibrium is enumerated exactly, and the work grows exponentially with the "
            "game (11 x 11 takes about 6 s a game, 20 x 20 does not fit in memory); list "
            f"the postures in play under {key}",
            source=source,
            key=key,
        )
    return names


def _assemble(
    japan: tuple[str, ...],
    russia: tuple[str, ...],
    declared: Mapping[str, Mapping[str, Posture]],
    cells: Mapping[str, Mapping[str, Cell]],
    custom_deals: Mapping[str, DealSpec],
    source: str | None,
) -> PostureTable:
    known = {**catalogue(), **custom_deals}
    chosen: list[list[Cell]] = []
    for j in japan:
        row = []
        for r in russia:
            key = f"posture_game.outcomes.{j}.{r}"
            cell = cells.get(j, {}).get(r)
            if cell is None:
                raise UserError(
                    "the outcome table is incomplete: no deal for this pair of postures",
                    source=source,
                    key=key,
                )
            if cell.deal not in known:
                raise UserError(
                    f"unknown deal '{cell.deal}'{did_you_mean(cell.deal, known)}",
                    source=source,
                    key=key,
                    plain="unknown deal",
                )
            row.append(cell)
        chosen.append(row)
    ids = ["status_quo"] + sorted(
        {c.deal for row in chosen for c in row} - {"status_quo"}, key=list(known).index
    )
    return PostureTable(
        japan=japan,
        russia=russia,
        labels={
            p: declared[s][p].label
            for s, ps in zip(SIDES, (japan, russia), strict=True)
            for p in ps
        },
        deals=DealSet.from_specs({d: known[d] for d in ids}),
        cells=np.array([[ids.index(c.deal) for c in row] for row in chosen], dtype=np.intp),
        why=tuple(tuple(c.why for c in row) for row in chosen),
    )


def on_the_menu(table: PostureTable, menu: Sequence[str]) -> tuple[PostureTable, int]:
    """The posture game of an episode whose menu holds only ``menu``: the era rule.

    A pair of postures leads to its deal only if that deal was on the table then (on the
    episode's menu); otherwise it leads to the status quo, with the reason said in the
    cell. Deals the scenario adds under ``[deals.custom]`` and lists in its menu count as
    on the table. The shipped table offers "shelve + cooperate" to a shelving Japan in
    every era; before the 2003 action plan it was not an outcome on offer, and this rule
    is how a history scenario says so without a table of its own.

    Returns
    -------
    PostureTable, int
        The restricted table and the number of cells sent to the status quo.
    """
    allowed = set(menu) | {STATUS_QUO}
    ids = table.deals.ids
    keep = np.array([ids[c] in allowed for c in table.cells.ravel()]).reshape(table.cells.shape)
    changed = int((~keep).sum())
    if not changed:
        return table, 0
    names = [
        [ids[c] if ok else STATUS_QUO for c, ok in zip(row, k, strict=True)]
        for row, k in zip(table.cells, keep, strict=True)
    ]
    used = [STATUS_QUO] + [d for d in ids[1:] if any(d in row for row in names)]
    specs = dict(zip(table.deals.ids, table.deals.specs, strict=True))
    why = tuple(
        tuple(
            w if ok else f"{ids[c]} was not on the table in this episode (not on its menu)"
            for c, w, ok in zip(row, whys, k, strict=True)
        )
        for row, whys, k in zip(table.cells, table.why, keep, strict=True)
    )
    restricted = PostureTable(
        japan=table.japan,
        russia=table.russia,
        labels=table.labels,
        deals=DealSet.from_specs({d: specs[d] for d in used}),
        cells=np.array([[used.index(d) for d in row] for row in names], dtype=np.intp),
        why=why,
    )
    return restricted, changed
