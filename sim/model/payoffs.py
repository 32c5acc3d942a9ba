r"""The payoff model: each government's utility for each deal, by component.

Unit: US$ bn (2003), present value. ``u[n, d, a]`` is the utility of actor
``a`` (0 = Japan, 1 = Russia) for deal ``d`` in parameter draw ``n``; the seven
components are kept separately (axis ``c``) so that charts can show *why* a side
ranks deals as it does. All formulas work on a leading batch axis of draws.

Notation, per deal: :math:`s_k` Japan's sovereignty share of island *k*,
:math:`\tau` transfer delay (years), :math:`T` peace treaty (0/1), :math:`R`
claim renounced *and* something left unreturned (0/1), :math:`c` share of the
investment unlocked, :math:`g` its grant element, :math:`U` money paid up front (0/1), :math:`M`
demilitarised (0/1), :math:`a = \sum_k \text{area}_k s_k` share of the area
ceded, :math:`e = [\sum_k s_k > 0]` any cession, depth of the partnership
:math:`h = (T + c)/2`. Context: investment on the table :math:`I`, realised
share :math:`\rho`, China pressure :math:`\chi`, US pressure :math:`\pi`.

Japan (parameters of ``actors.japan``; :math:`G = \sum_k v^J_k s_k`):

territory
    :math:`G\,\delta_J^{\tau}` — "recovery of these islands is equated with righting a
    historic wrong"; delay discounted, Japan being "in no hurry".
treaty
    :math:`t_J T` — "alone among the major combatants … yet to sign a peace treaty".
investment
    :math:`I \rho c\,(r_J - g)` — access to "the rich natural resources of Siberia"; the
    Angarsk–Nakhodka pipeline; :math:`\rho` because "Siberia is unattractive to investors";
    :math:`g` the deal's grant element, money given rather than invested ("underwrite
    Siberian development without a quid pro quo").
nationalist
    :math:`-(n^J_{ren} R + n^J_{prog}\, c\,(1 - G/\sum_k v^J_k))` — "no Japanese prime
    minister has dared … renouncing"; irredentists demand "that such backing be linked
    to tangible progress".
china
    :math:`\chi\, b_J h` — rapprochement helps "balance a 'rising China'".
alliance
    :math:`-\pi\, A_J R` — "Washington torpedoed the deal" (1956).
credibility
    :math:`-q_J\, G\,\delta_J^{\tau} [\tau > 0 \lor U]` — "mutual dislike and distrust":
    a transfer Russia must perform later may not come (1960).

Russia (parameters of ``actors.russia``; :math:`L = \sum_k v^R_k s_k`):

territory
    :math:`-L\,\delta_R^{\tau}` — the straits "guarding the approaches to the Sea of
    Okhotsk", garrison and residents.
treaty
    :math:`t_R T`.
investment
    :math:`I \rho c\,(r_R + g)` — "Japanese capital and technology to develop their eastern
    territories".
nationalist
    :math:`-(n^R e + n^R_{area} a + n^R_{money} e\, c)` — concessions "perceived by Russian
    nationalists as a humiliating surrender to foreign pressure and blandishments".
china
    :math:`\chi\, b_R h` — "the Russians had second thoughts about putting all their
    eggs in China's basket".
alliance
    :math:`-F_R (L / \sum_k v^R_k)(1 - M)` — islands that could host US forces (the
    1960 memorandum).
credibility
    :math:`-q_R\, I\rho c\,(r_R + g)\, e\,[c > 0](1 - U)` — money promised on transfer may not
    follow once the islands are handed over.

Ratifiers weigh the nationalist component by a factor :math:`w \ge 1`
(Putnam's two-level game): :math:`u^{rat} = u + (w - 1)\,\text{nationalist}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.deals import DealSet
from sim.model.islands import ISLAND_KEYS, area_shares
from sim.model.parameters import ParameterTable

ACTORS: tuple[str, ...] = ("japan", "russia")
COMPONENTS: tuple[str, ...] = (
    "territory",
    "treaty",
    "investment",
    "nationalist",
    "china",
    "alliance",
    "credibility",
)
NATIONALIST = COMPONENTS.index("nationalist")

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Payoffs:
    """Utilities by component for every draw, deal and actor.

    Attributes
    ----------
    components : ndarray, shape (N, D, 2, 7)
        Axis 2 follows :data:`ACTORS`, axis 3 :data:`COMPONENTS`; US$ bn.
    ratifier_weight : ndarray, shape (N, 2)
        Each side's ratifier weight on the nationalist component.
    """

    components: Array
    ratifier_weight: Array

    @property
    def utility(self) -> Array:
        """Governments' utilities, shape ``(N, D, 2)``."""
        return self.components.sum(axis=-1)

    @property
    def ratifier_utility(self) -> Array:
        """Ratifiers' utilities, shape ``(N, D, 2)``: nationalist costs weighted by ``w``."""
        extra = (self.ratifier_weight[:, None, :] - 1.0) * self.components[..., NATIONALIST]
        return self.utility + extra


@dataclass(frozen=True)
class _DealFeatures:
    """Per-deal quantities derived once from a :class:`DealSet` (all shape ``(D,)``)."""

    any_ceded: Array
    renounced: Array
    area_ceded: Array
    depth: Array
    japan_exposed: Array
    russia_exposed: Array

    @classmethod
    def of(cls, deals: DealSet) -> _DealFeatures:
        any_ceded = (deals.shares.sum(axis=1) > 0).astype(float)
        unreturned = (deals.shares < 1).any(axis=1)
        return cls(
            any_ceded=any_ceded,
            renounced=deals.renounced * unreturned,
            area_ceded=deals.shares @ area_shares(),
            depth=(deals.treaty + deals.cooperation) / 2,
            japan_exposed=any_ceded * ((deals.delay > 0) | (deals.up_front > 0)),
            russia_exposed=any_ceded * (deals.cooperation > 0) * (1 - deals.up_front),
        )


def compute_payoffs(table: ParameterTable, deals: DealSet) -> Payoffs:
    """Evaluate the payoff model for every draw of ``table`` and every deal.

    Parameters
    ----------
    table : ParameterTable
        ``N`` parameter draws of a scenario.
    deals : DealSet
        The menu, ``D`` deals.

    Returns
    -------
    Payoffs
        Components of shape ``(N, D, 2, 7)``.
    """
    features = _DealFeatures.of(deals)
    money = table.column("context.investment_on_table") * table.column(
        "context.investment_realisation"
    )
    china = table.column("context.china_pressure")
    components = np.empty((table.n_draws, len(deals), 2, len(COMPONENTS)))
    components[:, :, 0, :] = _japan(table, deals, features, money, china)
    components[:, :, 1, :] = _russia(table, deals, features, money, china)
    weights = np.stack([table.column(f"actors.{a}.ratifier_weight") for a in ACTORS], axis=-1)
    return Payoffs(components=components, ratifier_weight=weights)


def _discount(patience: Array, delay: Array) -> Array:
    """``patience ** delay`` of shape ``(N, D)``, computed once per distinct delay."""
    distinct, position = np.unique(delay, return_inverse=True)
    return np.power(patience[:, None], distinct[None, :])[:, position]


def _share_of(values: Array, held: Array, fallback: Array) -> Array:
    """``held / values.sum()`` per draw; ``fallback`` where a side values nothing."""
    total = values.sum(axis=1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, held / safe, fallback[None, :])


def _japan(
    table: ParameterTable, deals: DealSet, f: _DealFeatures, money: Array, china: Array
) -> Array:
    p = "actors.japan"
    values = table.columns(f"{p}.island_value", ISLAND_KEYS)
    gain = values @ deals.shares.T
    territory = gain * _discount(table.column(f"{p}.patience"), deals.delay)
    progress = _share_of(values, gain, f.area_ceded)
    nationalist = -(
        table.column(f"{p}.renunciation_cost")[:, None] * f.renounced
        + table.column(f"{p}.no_progress_cost")[:, None] * deals.cooperation * (1 - progress)
    )
    us = table.column("context.us_pressure") * table.column(f"{p}.alliance_cost")
    return np.stack(
        [
            territory,
            np.outer(table.column(f"{p}.treaty_value"), deals.treaty),
            money[:, None]
            * (table.column(f"{p}.investment_return")[:, None] - deals.grant)
            * deals.cooperation,
            nationalist,
            np.outer(china * table.column(f"{p}.china_benefit"), f.depth),
            -np.outer(us, f.renounced),
            -table.column(f"{p}.distrust")[:, None] * territory * f.japan_exposed,
        ],
        axis=-1,
    )


def _russia(
    table: ParameterTable, deals: DealSet, f: _DealFeatures, money: Array, china: Array
) -> Array:
    p = "actors.russia"
    values = table.columns(f"{p}.island_value", ISLAND_KEYS)
    loss = values @ deals.shares.T
    investment = (
        money[:, None]
        * (table.column(f"{p}.investment_return")[:, None] + deals.grant)
        * deals.cooperation
    )
    nationalist = -(
        np.outer(table.column(f"{p}.nationalist_cost"), f.any_ceded)
        + np.outer(table.column(f"{p}.nationalist_cost_per_area"), f.area_ceded)
        + np.outer(table.column(f"{p}.money_for_land_cost"), f.any_ceded * deals.cooperation)
    )
    strategic = _share_of(values, loss, f.area_ceded)
    return np.stack(
        [
            -loss * _discount(table.column(f"{p}.patience"), deals.delay),
            np.outer(table.column(f"{p}.treaty_value"), deals.treaty),
            investment,
            nationalist,
            np.outer(china * table.column(f"{p}.china_benefit"), f.depth),
            -table.column(f"{p}.us_forces_cost")[:, None] * strategic * (1 - deals.demilitarised),
            -table.column(f"{p}.distrust")[:, None] * investment * f.russia_exposed,
        ],
        axis=-1,
    )
