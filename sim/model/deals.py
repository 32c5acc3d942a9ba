"""The outcome space: deals as data, the shipped catalogue, and deal arrays.

A deal is a point of the outcome space described in the design: Japan's
sovereignty share of each island, the delay before transfer, whether a peace
treaty is concluded, whether Japan's residual claim is kept or renounced, how
much of the investment on the table it unlocks, which share of that money is a
gift (concessional aid) rather than commercial investment, and whether it is paid
up front (before the transfer: the hold-up exposure) or on transfer,
whether transferred islands are demilitarised (the 1956 text; Russia's concern
about US forces), and whether the deal needs ratification (a treaty or a cession
does; an action plan or an untied credit does not).

The catalogue ships in ``sim/data/deals.toml`` (each deal with its historical
anchor); scenario files add their own under ``[deals.custom.<id>]`` and choose
the menu. ``status_quo`` is always the first deal of a menu: it is the
disagreement point of every solver.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, StrictBool, StrictFloat

from sim.errors import UserError, did_you_mean
from sim.model.fields import StrictModel
from sim.model.islands import ISLAND_KEYS

STATUS_QUO = "status_quo"
DEAL_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Sovereignty(StrictModel):
    """Japan's sovereignty share of each island after the deal (0 = Russian, 1 = Japanese)."""

    habomai: StrictFloat = Field(
        0.0, ge=0.0, le=1.0, description="Share of Habomai. Unit: fraction."
    )
    shikotan: StrictFloat = Field(
        0.0, ge=0.0, le=1.0, description="Share of Shikotan. Unit: fraction."
    )
    kunashiri: StrictFloat = Field(
        0.0, ge=0.0, le=1.0, description="Share of Kunashiri. Unit: fraction."
    )
    etorofu: StrictFloat = Field(
        0.0, ge=0.0, le=1.0, description="Share of Etorofu. Unit: fraction."
    )


class DealSpec(StrictModel):
    """One deal, as written in the catalogue or in a scenario's ``[deals.custom.<id>]``."""

    label: str = Field(description="Short human-readable name shown in tables and charts.")
    anchor: str = Field("", description="One-line historical anchor: where this deal comes from.")
    sovereignty: Sovereignty = Field(
        default_factory=Sovereignty,
        description="Japan's sovereignty share of each island; omitted islands stay Russian.",
    )
    transfer_delay: StrictFloat = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="Years of continued Russian administration before transfer. Unit: years.",
    )
    peace_treaty: StrictBool = Field(False, description="A peace treaty is concluded.")
    claim: Literal["kept", "renounced"] = Field(
        "kept",
        description="Japan's claim to the islands not returned: kept alive or renounced.",
    )
    cooperation: StrictFloat = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of the investment on the table that the deal unlocks. Unit: fraction.",
    )
    grant_element: StrictFloat = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of the money that is a gift to Russia (concessional aid, untied "
        "credit) rather than commercial investment. Unit: fraction.",
    )
    aid_timing: Literal["on_transfer", "up_front"] = Field(
        "on_transfer",
        description="Japanese money flows on transfer, or up front (before any transfer).",
    )
    demilitarised: StrictBool = Field(
        False, description="Transferred islands may not host foreign (US) forces."
    )
    ratification: StrictBool = Field(
        True,
        description="The deal needs a vote in the Diet and the Duma (a treaty, a cession); "
        "false for one that does not (an action plan, an untied credit), whose ratifiers "
        "then have no veto.",
    )

    def shares(self) -> tuple[float, ...]:
        """Sovereignty shares in :data:`~sim.model.islands.ISLAND_KEYS` order."""
        return tuple(getattr(self.sovereignty, key) for key in ISLAND_KEYS)


@functools.cache
def catalogue() -> Mapping[str, DealSpec]:
    """The shipped catalogue of named deals, in catalogue order."""
    text = resources.files("sim.data").joinpath("deals.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {deal_id: DealSpec.model_validate(spec) for deal_id, spec in raw.items()}


@dataclass(frozen=True)
class DealSet:
    """The menu of deals of one scenario as arrays (deal axis ``D``), status quo first.

    Attributes
    ----------
    ids : tuple of str, length D
    specs : tuple of DealSpec, length D
    shares : ndarray, shape (D, 4)
        Japanese sovereignty share per island.
    delay : ndarray, shape (D,)
        Transfer delay in years.
    treaty, renounced, up_front, demilitarised, ratification : ndarray of float (0 or 1), shape (D,)
    cooperation, grant : ndarray, shape (D,)
        Share of the investment unlocked; share of that money that is a gift.
    """

    ids: tuple[str, ...]
    specs: tuple[DealSpec, ...]
    shares: NDArray[np.float64]
    delay: NDArray[np.float64]
    treaty: NDArray[np.float64]
    renounced: NDArray[np.float64]
    cooperation: NDArray[np.float64]
    grant: NDArray[np.float64]
    up_front: NDArray[np.float64]
    demilitarised: NDArray[np.float64]
    ratification: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, deal_id: str) -> int:
        """Position of ``deal_id`` in the menu; :class:`UserError` if absent."""
        if deal_id not in self.ids:
            raise UserError(f"unknown deal '{deal_id}'{did_you_mean(deal_id, self.ids)}")
        return self.ids.index(deal_id)

    @classmethod
    def from_specs(cls, specs: Mapping[str, DealSpec]) -> DealSet:
        """Build the arrays from ``{id: spec}``; ``status_quo`` must come first."""
        ids = tuple(specs)
        if not ids or ids[0] != STATUS_QUO:
            raise ValueError("a deal menu starts with 'status_quo', the disagreement point")
        values = tuple(specs.values())

        def column(get: object) -> NDArray[np.float64]:
            return np.array([get(s) for s in values], dtype=np.float64)  # type: ignore[operator]

        return cls(
            ids=ids,
            specs=values,
            shares=np.array([s.shares() for s in values], dtype=float).reshape(len(ids), 4),
            delay=column(lambda s: s.transfer_delay),
            treaty=column(lambda s: s.peace_treaty),
            renounced=column(lambda s: s.claim == "renounced"),
            cooperation=column(lambda s: s.cooperation),
            grant=column(lambda s: s.grant_element),
            up_front=column(lambda s: s.aid_timing == "up_front"),
            demilitarised=column(lambda s: s.demilitarised),
            ratification=column(lambda s: s.ratification),
        )


def build_menu(
    menu: Sequence[str] | None,
    custom: Mapping[str, DealSpec],
    *,
    source: str | None = None,
    key: str = "deals.menu",
) -> DealSet:
    """Resolve a scenario's menu against the catalogue and its custom deals.

    Parameters
    ----------
    menu : sequence of str or None
        Deal ids in the order wanted; ``None`` means the whole catalogue followed by
        the custom deals. ``status_quo`` is put first whether listed or not.
    custom : mapping of str to DealSpec
        The scenario's own deals; an id may not shadow a catalogue deal.
    source : str, optional
        File name used in error messages.
    key : str
        Key of the menu in the scenario, used in error messages.

    Returns
    -------
    DealSet
        The menu, status quo first, each deal once.

    Raises
    ------
    UserError
        For an unknown deal id or a custom deal that reuses a catalogue id.
    """
    known = dict(catalogue())
    for deal_id, spec in custom.items():
        if deal_id in known:
            raise UserError(
                "a custom deal may not reuse a catalogue id; choose another name",
                source=source,
                key=f"deals.custom.{deal_id}",
            )
        known[deal_id] = spec
    wanted = list(known) if menu is None else list(menu)
    expected = "expected a catalogue id (see `kurilsim deals`) or one under [deals.custom]"
    for position, deal_id in enumerate(wanted):
        if deal_id not in known:
            raise UserError(
                f"unknown deal '{deal_id}'{did_you_mean(deal_id, known)}; {expected}",
                source=source,
                key=f"{key}[{position}]",
                plain=f"unknown deal; {expected}",
            )
    ordered = [STATUS_QUO] + [d for d in dict.fromkeys(wanted) if d != STATUS_QUO]
    return DealSet.from_specs({deal_id: known[deal_id] for deal_id in ordered})


NO_PERFORMER, JAPAN_PERFORMS, RUSSIA_PERFORMS = -1, 0, 1


def later_performer(spec: DealSpec) -> int:
    """Which side must still perform after a deal is signed and ratified.

    Russia, when islands change hands later than the money comes (a delayed transfer,
    or money paid up front: Kawana, Hashimoto's credits); Japan, when money is due on
    a transfer that happens at once; nobody, when nothing is left to do.
    """
    cedes = any(share > 0 for share in spec.shares())
    if cedes and (spec.transfer_delay > 0 or spec.aid_timing == "up_front"):
        return RUSSIA_PERFORMS
    if cedes and spec.cooperation > 0:
        return JAPAN_PERFORMS
    return NO_PERFORMER


def reneged(spec: DealSpec) -> DealSpec:
    """The outcome when the later performer of ``spec`` reneges.

    Russia reneging: no island changes hands, the treaty that promised them falls,
    Japan's claim stays alive, and only money already paid up front has flowed - as a
    gift, since what it paid for never comes (Hashimoto's credits, Kawana 1998).
    Japan reneging: the islands are transferred but the money never comes.
    A deal with nobody left to perform is returned unchanged.
    """
    performer = later_performer(spec)
    if performer == RUSSIA_PERFORMS:
        paid = spec.aid_timing == "up_front"
        return spec.model_copy(
            update={
                "label": f"{spec.label}, reneged by Russia",
                "sovereignty": Sovereignty(),
                "transfer_delay": 0.0,
                "peace_treaty": False,
                "claim": "kept",
                "cooperation": spec.cooperation if paid else 0.0,
                "grant_element": 1.0 if paid else 0.0,
            }
        )
    if performer == JAPAN_PERFORMS:
        return spec.model_copy(
            update={"label": f"{spec.label}, reneged by Japan", "cooperation": 0.0}
        )
    return spec


RENEGED = " reneged"
"""Suffix of the name of a deal's reneged variant: ``"four_phased reneged"``."""


def reneged_id(deal_id: str) -> str:
    """The name of ``deal_id``'s reneged variant (an outcome, not a deal of the menu).

    Examples
    --------
    >>> reneged_id("four_phased"), split_reneged("four_phased reneged")
    ('four_phased reneged', ('four_phased', True))
    """
    return deal_id + RENEGED


def split_reneged(name: str) -> tuple[str, bool]:
    """The deal id in an outcome name, and whether the outcome is its reneged variant."""
    if name.endswith(RENEGED):
        return name.removesuffix(RENEGED), True
    return name, False


def reneged_menu(deals: DealSet) -> tuple[NDArray[np.intp], DealSet]:
    """Each deal's later performer (``-1``, 0 Japan, 1 Russia) and its reneged variants."""
    performer = np.array([later_performer(spec) for spec in deals.specs], dtype=np.intp)
    variants = DealSet.from_specs(
        {deal_id: reneged(spec) for deal_id, spec in zip(deals.ids, deals.specs, strict=True)}
    )
    return performer, variants
