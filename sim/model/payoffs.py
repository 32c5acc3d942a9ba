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

Computation. Every term above is a product of a per-draw coefficient (built from
parameters) and a per-deal feature (built from the deal's terms); the discount
:math:`\delta^{\tau}` is split over the menu's distinct delays, and the shares in
the progress and US-forces terms over islands. Each side's utility is therefore one
matrix product ``coefficients (N, K) @ features (K, D)``, and each component the
product over its own terms; components are only formed when asked for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

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
class Terms:
    """One side's utility as a sum of coefficient × feature products.

    Attributes
    ----------
    coefficients : ndarray, shape (K, N)
        Per-draw coefficient of each term (from the parameters).
    features : ndarray, shape (K, D)
        Per-deal feature of each term (from the deals' terms).
    component : ndarray of int, shape (K,)
        Index in :data:`COMPONENTS` of the component each term belongs to.
    """

    coefficients: Array
    features: Array
    component: NDArray[np.intp]

    def total(self) -> Array:
        """Utility, shape ``(D, N)`` (deals by draws)."""
        return np.asarray(self.features.T @ self.coefficients)

    def part(self, component: int) -> Array:
        """One component, shape ``(D, N)``."""
        mask = self.component == component
        return np.asarray(self.features[mask].T @ self.coefficients[mask])


@dataclass(frozen=True)
class Payoffs:
    """Utilities by component for every draw, deal and actor.

    Attributes
    ----------
    terms : tuple of Terms
        Japan's and Russia's terms, in :data:`ACTORS` order.
    ratifier_weight : ndarray, shape (N, 2)
        Each side's ratifier weight on the nationalist component.
    """

    terms: tuple[Terms, Terms]
    ratifier_weight: Array
    _cache: dict[str, Array] = field(default_factory=dict, repr=False, compare=False)

    def _cached(self, name: str, make: object) -> Array:
        if name not in self._cache:
            self._cache[name] = make()  # type: ignore[operator]
        return self._cache[name]

    @property
    def utility(self) -> Array:
        """Governments' utilities, shape ``(N, D, 2)`` (a view of an actor-major array)."""

        def make() -> Array:
            return np.stack([t.total() for t in self.terms]).transpose(2, 1, 0)

        return self._cached("utility", make)

    @property
    def ratifier_utility(self) -> Array:
        """Ratifiers' utilities, shape ``(N, D, 2)``: nationalist costs weighted by ``w``."""

        def make() -> Array:
            extra = np.stack(
                [
                    (self.ratifier_weight[:, a] - 1.0) * t.part(NATIONALIST)
                    for a, t in enumerate(self.terms)
                ]
            )
            return (extra + self.utility.transpose(2, 1, 0)).transpose(2, 1, 0)

        return self._cached("ratifier_utility", make)

    @property
    def components(self) -> Array:
        """Every component, shape ``(N, D, 2, 7)`` (axes: draw, deal, actor, component)."""

        def make() -> Array:
            parts = [[t.part(c) for c in range(len(COMPONENTS))] for t in self.terms]
            return np.transpose(np.array(parts), (3, 2, 0, 1))

        return self._cached("components", make)


class _TermList:
    """Collects ``(component, coefficient (N,), feature (D,))`` triples."""

    def __init__(self) -> None:
        self._items: list[tuple[int, Array, Array]] = []

    def add(self, component: str, coefficient: Array, feature: Array) -> None:
        self._items.append((COMPONENTS.index(component), coefficient, feature))

    def build(self) -> Terms:
        return Terms(
            coefficients=np.vstack([c for _, c, _ in self._items]),
            features=np.vstack([f for _, _, f in self._items]),
            component=np.array([k for k, _, _ in self._items], dtype=np.intp),
        )


@dataclass(frozen=True)
class _DealFeatures:
    """Per-deal quantities derived once from a :class:`DealSet` (all shape ``(D,)``)."""

    shares: Array
    delays: Array
    at_delay: Array
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
        delays = np.unique(deals.delay)
        return cls(
            shares=deals.shares,
            delays=delays,
            at_delay=(deals.delay[None, :] == delays[:, None]).astype(float),
            any_ceded=any_ceded,
            renounced=deals.renounced * unreturned,
            area_ceded=deals.shares @ area_shares(),
            depth=(deals.treaty + deals.cooperation) / 2,
            japan_exposed=any_ceded * ((deals.delay > 0) | (deals.up_front > 0)),
            russia_exposed=any_ceded * (deals.cooperation > 0) * (1 - deals.up_front),
        )

    def island_terms(
        self, terms: _TermList, component: str, values: Array, patience: Array, feature: Array
    ) -> None:
        """Add ``sum_k values_k s_k patience**delay * feature`` split by island and delay."""
        for u, delay in enumerate(self.delays):
            discount = patience**delay
            for k in range(len(ISLAND_KEYS)):
                terms.add(
                    component,
                    values[:, k] * discount,
                    self.shares[:, k] * self.at_delay[u] * feature,
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
        Utilities (``(N, D, 2)``) and, on demand, components (``(N, D, 2, 7)``).
    """
    features = _DealFeatures.of(deals)
    weights = np.stack([table.column(f"actors.{a}.ratifier_weight") for a in ACTORS], axis=-1)
    return Payoffs(
        terms=(_japan(table, deals, features), _russia(table, deals, features)),
        ratifier_weight=weights,
    )


def _money(table: ParameterTable) -> Array:
    return table.column("context.investment_on_table") * table.column(
        "context.investment_realisation"
    )


def _normalised(values: Array) -> Array:
    """Each island's share of a side's total value, shape ``(N, 4)``; area shares if zero."""
    total = values.sum(axis=1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, values / safe, area_shares()[None, :])


@functools.lru_cache(maxsize=1)
def _ones(n: int) -> Array:
    return np.ones(n)


def _japan(table: ParameterTable, deals: DealSet, f: _DealFeatures) -> Terms:
    p, col = "actors.japan", table.column
    values = table.columns(f"{p}.island_value", ISLAND_KEYS)
    patience, money = col(f"{p}.patience"), _money(table)
    terms = _TermList()
    f.island_terms(terms, "territory", values, patience, _ones(len(deals)))
    terms.add("treaty", col(f"{p}.treaty_value"), deals.treaty)
    terms.add("investment", money * col(f"{p}.investment_return"), deals.cooperation)
    terms.add("investment", -money, deals.cooperation * deals.grant)
    no_progress = col(f"{p}.no_progress_cost")
    terms.add("nationalist", -col(f"{p}.renunciation_cost"), f.renounced)
    terms.add("nationalist", -no_progress, deals.cooperation)
    weights = _normalised(values)
    for k in range(len(ISLAND_KEYS)):
        terms.add("nationalist", no_progress * weights[:, k], deals.cooperation * f.shares[:, k])
    china = col("context.china_pressure")
    terms.add("china", china * col(f"{p}.china_benefit"), f.depth)
    us = col("context.us_pressure") * col(f"{p}.alliance_cost")
    terms.add("alliance", -us, f.renounced)
    distrust = col(f"{p}.distrust")
    f.island_terms(terms, "credibility", -distrust[:, None] * values, patience, f.japan_exposed)
    return terms.build()


def _russia(table: ParameterTable, deals: DealSet, f: _DealFeatures) -> Terms:
    p, col = "actors.russia", table.column
    values = table.columns(f"{p}.island_value", ISLAND_KEYS)
    money = _money(table)
    terms = _TermList()
    f.island_terms(terms, "territory", -values, col(f"{p}.patience"), _ones(len(deals)))
    terms.add("treaty", col(f"{p}.treaty_value"), deals.treaty)
    value_of_money = money * col(f"{p}.investment_return")
    terms.add("investment", value_of_money, deals.cooperation)
    terms.add("investment", money, deals.cooperation * deals.grant)
    terms.add("nationalist", -col(f"{p}.nationalist_cost"), f.any_ceded)
    terms.add("nationalist", -col(f"{p}.nationalist_cost_per_area"), f.area_ceded)
    terms.add("nationalist", -col(f"{p}.money_for_land_cost"), f.any_ceded * deals.cooperation)
    terms.add("china", col("context.china_pressure") * col(f"{p}.china_benefit"), f.depth)
    weights = _normalised(values) * col(f"{p}.us_forces_cost")[:, None]
    for k in range(len(ISLAND_KEYS)):
        terms.add("alliance", -weights[:, k], f.shares[:, k] * (1 - deals.demilitarised))
    distrust = col(f"{p}.distrust")
    exposed = f.russia_exposed * deals.cooperation
    terms.add("credibility", -distrust * value_of_money, exposed)
    terms.add("credibility", -distrust * money, exposed * deals.grant)
    return terms.build()


# -- money transferred on top of a deal (alternating offers) ---------------------------


def transfer_cost(table: ParameterTable, deals: DealSet) -> Array:
    r"""Russia's cost per dollar Japan transfers on top of each deal, shape ``(N, D, 2)``.

    A transferred dollar is Japanese money like the investment a deal unlocks, so it
    carries the same money-for-land cost: :math:`n^R_{money}` at the full investment on
    the table :math:`I`, i.e. :math:`n^R_{money} e / I` per dollar when the deal cedes
    territory (:math:`e = 1`; "'buying' islands refused", timeline 1991). ``[..., 0]`` is
    the government's cost, ``[..., 1]`` the ratifier's, who weighs this nationalist
    cost by its ratifier weight :math:`w_R`. Zero when no investment is on the table
    (nothing can be transferred then: the cap is a multiple of :math:`I`).
    """
    col = table.column
    on_table = col("context.investment_on_table")
    per_dollar = np.divide(
        col("actors.russia.money_for_land_cost"),
        on_table,
        out=np.zeros(table.n_draws),
        where=on_table > 0,
    )
    ceded = (deals.shares.sum(axis=1) > 0).astype(float)
    government = per_dollar[:, None] * ceded[None, :]
    ratifier = government * col("actors.russia.ratifier_weight")[:, None]
    return np.stack([government, ratifier], axis=-1)
