r"""The payoff model: each government's utility for each deal, by component.

Unit: US$ bn (2003), present value at signing. ``u[n, d, a]`` is the utility of
actor ``a`` (0 = Japan, 1 = Russia) for deal ``d`` in parameter draw ``n``; the six
components are kept separately (axis ``c``) so that charts can show *why* a side
ranks deals as it does. All formulas work on a leading batch axis of draws.

Notation, per deal: :math:`s_k` Japan's sovereignty share of island *k*,
:math:`\tau` transfer delay (years), :math:`T` peace treaty (0/1), :math:`R`
claim renounced *and* something left unreturned (0/1), :math:`B` the border settled
by the deal (0/1: all four returned in full, or the claim to the rest renounced),
:math:`c` share of the investment unlocked, :math:`g` its grant element, :math:`U`
money paid up front (0/1), :math:`M` demilitarised (0/1), :math:`a = \sum_k
\text{area}_k s_k` share of the area ceded, :math:`e = [\sum_k s_k > 0]` any cession,
depth of the partnership :math:`h = (T + c)/2`. Context: investment on the table
:math:`I`, realised share :math:`\rho`, China pressure :math:`\chi`, US pressure
:math:`\pi`, alliance rivalry :math:`\kappa`. Money deployed: :math:`m = I\rho c`.

When things fall due. Every term falls due either *at signing* or *at transfer*
(:math:`\tau` years later) and is discounted to signing with the side's patience
:math:`\delta`. At signing: the nationalist costs of the concession (Russia's cession
costs, Japan's renunciation: the concession and its "surrender" are signed and ratified
then) and the renunciation's alliance cost. With the money (at signing when it is paid
up front, :math:`U = 1`, else at transfer): the investment terms and the costs tied to
the money (Russia's money-for-land cost, Japan's no-progress cost). At transfer: the
territory and the US-forces cost of the islands handed over. The treaty, the
partnership against China and the loosened alliance are *flows* that last while the
deal is performed: the share :math:`1 - \delta^{\tau}` of their present value accrues
before the transfer (at signing), the share :math:`\delta^{\tau}` from it on (at
transfer). A deal performed gets both parts, so for :math:`\tau = 0` every term is
worth what it is worth today.

Japan (parameters of ``actors.japan``; :math:`G = \sum_k v^J_k s_k`):

territory
    :math:`G\,\delta_J^{\tau}` — "recovery of these islands is equated with righting a
    historic wrong"; delay discounted, Japan being "in no hurry".
treaty
    :math:`T\,(t_J B - k_J (1 - B))` — for Tokyo the treaty *is* the border settlement:
    the brief has Japan "insisting on their return as the sine qua non of a peace
    treaty" (also timeline 1956: art. 9 puts the transfer after a treaty; 1993: a treaty
    "by solving attribution of the four named islands"). A treaty that settles the border
    is worth :math:`t_J`; one that leaves it open (timeline 1998 Nov: the "treaty on
    peace, friendship and cooperation first, border later" that Japan did not take)
    costs :math:`k_J` (``open_treaty_cost``): it gives away the one thing Russia wants
    from Japan, the claim's only lever (timeline 1998 Apr, Kawana: Japan offered the
    treaty only against a border north of Etorofu).
investment
    :math:`m\,((1 - g)\,r_J - g)` — access to "the rich natural resources of Siberia";
    :math:`\rho` because "Siberia is unattractive to investors". Per dollar deployed,
    the share :math:`1 - g` is lent or invested and comes back with Japan's net return
    :math:`r_J`; the grant share :math:`g` is given ("underwrite Siberian development
    without a quid pro quo") and does not come back.
nationalist
    :math:`-(n^J_{ren} R + n^J_{prog}\, c\,(1 - G/\sum_k v^J_k))` — "no Japanese prime
    minister has dared … renouncing"; irredentists demand "that such backing be linked
    to tangible progress".
china
    :math:`\chi\, b_J h` — rapprochement helps "balance a 'rising China'".
alliance
    :math:`-\pi\, A_J R` — "Washington torpedoed the deal" (1956).

Russia (parameters of ``actors.russia``; :math:`L = \sum_k v^R_k s_k`):

territory
    :math:`-L\,\delta_R^{\tau}` — the straits "guarding the approaches to the Sea of
    Okhotsk", garrison and residents.
treaty
    :math:`t_R T`.
investment
    :math:`m\,(r_R - (1 - g)(1 + r_J) + 1)` — "Japanese capital and technology to develop
    their eastern territories". Per dollar deployed Russia gains the dollar and its
    return :math:`r_R` in the Far East, and pays back, in present value, what Japan
    gets back: :math:`(1 - g)(1 + r_J)` (a loan's principal and Japan's return; a
    grant is not paid back). The joint gain per dollar is therefore :math:`r_R` — what
    the dollar produces — and not a sum of two returns: money moved from one side to
    the other nets out (a pure loan, :math:`g = 0`: Japan :math:`r_J`, Russia
    :math:`r_R - r_J`; a pure grant: Japan :math:`-1`, Russia :math:`1 + r_R`).
nationalist
    :math:`-(n^R e + n^R_{area} a + n^R_{money} e\, c)` — concessions "perceived by Russian
    nationalists as a humiliating surrender to foreign pressure and blandishments".
china
    :math:`\chi\, b_R h` — "the Russians had second thoughts about putting all their
    eggs in China's basket".
alliance
    :math:`-F_R (L / \sum_k v^R_k)(1 - M)\,\delta_R^{\tau} + \kappa\, W_R T` — islands that
    could host US forces (the 1960 memorandum), from the day they are handed over; and
    what Moscow gains from a peace treaty that loosens Japan's alliance with the United
    States: Khrushchev offered the two islands "hoping to weaken the Japanese-American
    alliance" (brief). :math:`W_R` (``alliance_loosening_value``) is a preference, the
    same in every episode; :math:`\kappa` (``context.alliance_rivalry``) is the era's
    chance that a treaty would loosen the alliance (1 in 1956).

Ratifiers weigh the nationalist component by a factor :math:`w \ge 1`
(Putnam's two-level game): :math:`u^{rat} = u + (w - 1)\,\text{nationalist}` for a deal
that needs ratification. A deal that needs no vote in the Diet or the Duma (an action
plan, an untied credit: ``ratification = false``) gives the ratifier no veto: its
verdict is its government's, :math:`u^{rat} = u`, and the opposition it stands for is
priced only by the nationalist component in the government's own payoff.

The commitment problem is counted once: not in these payoffs (no expected-loss term),
but in the explicit renege stage of the sequential game and the hold-up test. There the
performer decides at the transfer, when performance falls due:
:func:`compute_reneged_payoffs` gives the reneged outcome the deal's terms due at
signing (sunk whatever happens: a nationalist cost paid at signing cannot be escaped by
reneging) plus the reneged variant's terms due at transfer, discounted from
:math:`\tau` (:func:`sim.model.deals.reneged` says what the variant is).

Computation. Every term above is a product of a per-draw coefficient (built from
parameters) and a per-deal feature (built from the deal's terms); the discount
:math:`\delta^{\tau}` is split over the menu's distinct delays, and the shares in
the progress and US-forces terms over islands. Each side's utility is therefore one
matrix product ``coefficients (N, K) @ features (K, D)``, and each component the
product over its own terms; components are only formed when asked for. Terms of one
component and due date that multiply the same feature are merged (their coefficients
added), so ``K`` is the number of distinct terms.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any

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
)
NATIONALIST = COMPONENTS.index("nationalist")

AT_SIGNING, AT_TRANSFER = 0, 1
"""When a term falls due (:attr:`Terms.due`)."""

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
    due : ndarray of int, shape (K,)
        When each term falls due: :data:`AT_SIGNING` or :data:`AT_TRANSFER`.
    """

    coefficients: Array
    features: Array
    component: NDArray[np.intp]
    due: NDArray[np.intp]

    def total(self) -> Array:
        """Utility, shape ``(D, N)`` (deals by draws)."""
        return np.asarray(self.features.T @ self.coefficients)

    def part(self, component: int) -> Array:
        """One component, shape ``(D, N)``."""
        mask = self.component == component
        return np.asarray(self.features[mask].T @ self.coefficients[mask])

    def falling_due(self, when: int) -> Terms:
        """The terms that fall due at signing or at transfer only."""
        mask = self.due == when
        return Terms(
            self.coefficients[mask], self.features[mask], self.component[mask], self.due[mask]
        )

    def __add__(self, other: Terms) -> Terms:
        return Terms(
            np.vstack([self.coefficients, other.coefficients]),
            np.vstack([self.features, other.features]),
            np.concatenate([self.component, other.component]),
            np.concatenate([self.due, other.due]),
        )


@dataclass(frozen=True)
class Payoffs:
    """Utilities by component for every draw, deal and actor.

    Attributes
    ----------
    terms : tuple of Terms
        Japan's and Russia's terms, in :data:`ACTORS` order.
    ratifier_weight : ndarray, shape (N, 2)
        Each side's ratifier weight on the nationalist component.
    ratified : ndarray, shape (D,)
        1 for a deal that needs ratification, 0 for one that needs no vote.
    """

    terms: tuple[Terms, Terms]
    ratifier_weight: Array
    ratified: Array
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
        """Ratifiers' utilities, shape ``(N, D, 2)``: nationalist costs weighted by ``w``.

        For a deal that needs no ratification the ratifier has no vote: its utility is
        its government's.
        """

        def make() -> Array:
            extra = np.stack(
                [
                    (self.ratifier_weight[:, a] - 1.0)
                    * t.part(NATIONALIST)
                    * self.ratified[:, None]
                    for a, t in enumerate(self.terms)
                ]
            )
            return (extra + self.utility.transpose(2, 1, 0)).transpose(2, 1, 0)

        return self._cached("ratifier_utility", make)

    @property
    def components(self) -> Array:
        """Every component, shape ``(N, D, 2, 6)`` (axes: draw, deal, actor, component)."""

        def make() -> Array:
            parts = [[t.part(c) for c in range(len(COMPONENTS))] for t in self.terms]
            return np.transpose(np.array(parts), (3, 2, 0, 1))

        return self._cached("components", make)


class _TermList:
    """Collects ``(component, coefficient (N,), feature (D,), due)`` terms."""

    def __init__(self) -> None:
        self._items: list[tuple[int, Array, Array, int]] = []
        self._zero: tuple[int, Array, Array, int] | None = None

    def add(
        self, component: str, coefficient: Array, feature: Array, due: int = AT_SIGNING
    ) -> None:
        """Add a term; one whose feature is zero for every deal is left out."""
        item = (COMPONENTS.index(component), coefficient, feature, due)
        if feature.any():
            self._items.append(item)
        elif self._zero is None:
            self._zero = item

    def build(self) -> Terms:
        """The terms, those of one component, due date and feature merged into one.

        Merging adds the coefficients of terms that multiply the same feature, so the
        product with the features has as few rows as the model has distinct terms.
        """
        if not self._items and self._zero is not None:
            self._items.append(self._zero)  # a menu on which every term is zero
        merged: dict[tuple[int, int, bytes], list[Any]] = {}
        for component, coefficient, feature, due in self._items:
            key = (component, due, np.ascontiguousarray(feature, dtype=float).tobytes())
            if key in merged:
                merged[key][1] = merged[key][1] + coefficient
            else:
                merged[key] = [component, coefficient, feature, due]
        items = list(merged.values())
        return Terms(
            coefficients=np.vstack([c for _, c, _, _ in items]),
            features=np.vstack([f for _, _, f, _ in items]),
            component=np.array([k for k, _, _, _ in items], dtype=np.intp),
            due=np.array([w for _, _, _, w in items], dtype=np.intp),
        )


@dataclass(frozen=True)
class _DealFeatures:
    """Per-deal quantities derived once from a :class:`DealSet` (all shape ``(D,)``)."""

    shares: Array
    delays: Array
    at_delay: Array
    any_ceded: Array
    renounced: Array
    settled: Array
    area_ceded: Array
    depth: Array
    up_front: Array
    _discounts: dict[tuple[int, int], tuple[Array, Array]] = field(
        default_factory=dict, repr=False, compare=False
    )

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
            settled=np.maximum(~unreturned, deals.renounced).astype(float),
            area_ceded=deals.shares @ area_shares(),
            depth=(deals.treaty + deals.cooperation) / 2,
            up_front=deals.up_front,
        )

    def at_transfer(
        self, terms: _TermList, component: str, coefficient: Array, patience: Array, feature: Array
    ) -> None:
        """Add ``coefficient * patience**delay * feature``, due at transfer."""
        for u, delay in enumerate(self.delays):
            discount = coefficient if delay == 0 else coefficient * self.discount(patience, u)
            terms.add(component, discount, feature * self.at_delay[u], AT_TRANSFER)

    def discount(self, patience: Array, u: int) -> Array:
        """``patience ** delays[u]``, computed once per patience array and delay."""
        key = (id(patience), u)
        if key not in self._discounts:  # the array is kept with its power: its id stays its own
            self._discounts[key] = (patience, patience ** self.delays[u])
        return self._discounts[key][1]

    def island_terms(
        self, terms: _TermList, component: str, values: Array, patience: Array, feature: Array
    ) -> None:
        """Add ``sum_k values_k s_k patience**delay * feature`` by island, due at transfer."""
        for k in range(len(ISLAND_KEYS)):
            self.at_transfer(terms, component, values[:, k], patience, self.shares[:, k] * feature)

    def flow(
        self, terms: _TermList, component: str, coefficient: Array, patience: Array, feature: Array
    ) -> None:
        """Add a flow worth ``coefficient * feature``: the part before the transfer at signing."""
        for u, delay in enumerate(self.delays):
            before = feature * self.at_delay[u]
            if delay > 0:
                terms.add(component, coefficient * (1.0 - self.discount(patience, u)), before)
        self.at_transfer(terms, component, coefficient, patience, feature)

    def money(
        self, terms: _TermList, component: str, coefficient: Array, patience: Array, feature: Array
    ) -> None:
        """Add ``coefficient * feature`` when the money flows: up front, or at transfer."""
        terms.add(component, coefficient, feature * self.up_front, AT_SIGNING)
        self.at_transfer(terms, component, coefficient, patience, feature * (1 - self.up_front))


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
        Utilities (``(N, D, 2)``) and, on demand, components (``(N, D, 2, 6)``).
    """
    features = _DealFeatures.of(deals)
    return Payoffs(
        terms=(_japan(table, deals, features), _russia(table, deals, features)),
        ratifier_weight=_ratifier_weights(table),
        ratified=deals.ratification,
    )


def compute_reneged_payoffs(table: ParameterTable, deals: DealSet, variants: DealSet) -> Payoffs:
    """Payoffs of each deal's reneged outcome, valued at signing, for the renege stage.

    The later performer decides when its performance falls due, at the transfer. The
    reneged outcome of deal ``d`` is worth the terms of ``d`` that fall due at signing —
    already incurred, so the same whether the performer performs or reneges — plus the
    terms of its reneged variant ``variants[d]`` that fall due at transfer, discounted
    from ``d``'s transfer delay.

    Parameters
    ----------
    table : ParameterTable
        ``N`` parameter draws.
    deals : DealSet
        The deals signed.
    variants : DealSet
        Their reneged variants, in the same order (:func:`sim.model.deals.reneged_menu`).

    Returns
    -------
    Payoffs
        Utilities of the reneged outcomes, shape ``(N, D, 2)``; the ratification rule
        is the variants'.
    """
    if len(variants) != len(deals):
        raise ValueError(f"{len(variants)} reneged variants for {len(deals)} deals")
    signed = compute_payoffs(table, deals)
    later = compute_payoffs(table, dataclasses.replace(variants, delay=deals.delay))
    terms = tuple(
        s.falling_due(AT_SIGNING) + v.falling_due(AT_TRANSFER)
        for s, v in zip(signed.terms, later.terms, strict=True)
    )
    return Payoffs(
        terms=(terms[0], terms[1]),
        ratifier_weight=signed.ratifier_weight,
        ratified=variants.ratification,
    )


def _ratifier_weights(table: ParameterTable) -> Array:
    return np.stack([table.column(f"actors.{a}.ratifier_weight") for a in ACTORS], axis=-1)


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
    japan_return = col(f"{p}.investment_return")
    terms = _TermList()
    f.island_terms(terms, "territory", values, patience, _ones(len(deals)))
    f.flow(terms, "treaty", col(f"{p}.treaty_value"), patience, deals.treaty * f.settled)
    f.flow(terms, "treaty", -col(f"{p}.open_treaty_cost"), patience, deals.treaty * (1 - f.settled))
    f.money(terms, "investment", money * japan_return, patience, deals.cooperation)
    f.money(
        terms, "investment", -money * (1 + japan_return), patience, deals.cooperation * deals.grant
    )
    no_progress = col(f"{p}.no_progress_cost")
    terms.add("nationalist", -col(f"{p}.renunciation_cost"), f.renounced)
    f.money(terms, "nationalist", -no_progress, patience, deals.cooperation)
    weights = _normalised(values)
    for k in range(len(ISLAND_KEYS)):
        f.money(
            terms,
            "nationalist",
            no_progress * weights[:, k],
            patience,
            deals.cooperation * f.shares[:, k],
        )
    china = col("context.china_pressure")
    f.flow(terms, "china", china * col(f"{p}.china_benefit"), patience, f.depth)
    us = col("context.us_pressure") * col(f"{p}.alliance_cost")
    terms.add("alliance", -us, f.renounced)
    return terms.build()


def _russia(table: ParameterTable, deals: DealSet, f: _DealFeatures) -> Terms:
    p, col = "actors.russia", table.column
    values = table.columns(f"{p}.island_value", ISLAND_KEYS)
    patience, money = col(f"{p}.patience"), _money(table)
    japan_return = col("actors.japan.investment_return")
    terms = _TermList()
    f.island_terms(terms, "territory", -values, patience, _ones(len(deals)))
    f.flow(terms, "treaty", col(f"{p}.treaty_value"), patience, deals.treaty)
    f.money(
        terms,
        "investment",
        money * (col(f"{p}.investment_return") - japan_return),
        patience,
        deals.cooperation,
    )
    f.money(
        terms, "investment", money * (1 + japan_return), patience, deals.cooperation * deals.grant
    )
    terms.add("nationalist", -col(f"{p}.nationalist_cost"), f.any_ceded)
    terms.add("nationalist", -col(f"{p}.nationalist_cost_per_area"), f.area_ceded)
    f.money(
        terms,
        "nationalist",
        -col(f"{p}.money_for_land_cost"),
        patience,
        f.any_ceded * deals.cooperation,
    )
    f.flow(
        terms, "china", col("context.china_pressure") * col(f"{p}.china_benefit"), patience, f.depth
    )
    weights = _normalised(values) * col(f"{p}.us_forces_cost")[:, None]
    for k in range(len(ISLAND_KEYS)):
        f.at_transfer(
            terms, "alliance", -weights[:, k], patience, f.shares[:, k] * (1 - deals.demilitarised)
        )
    loosening = col("context.alliance_rivalry") * col(f"{p}.alliance_loosening_value")
    f.flow(terms, "alliance", loosening, patience, deals.treaty)
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
