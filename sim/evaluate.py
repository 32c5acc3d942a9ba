"""From a validated scenario to results: parameter table → payoffs → solver results.

:func:`evaluate` runs one scenario (a batch of one draw); :func:`evaluate_table`
runs any number of draws of the same scenario through exactly the same code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.deals import DealSet, build_menu, reneged_menu
from sim.model.parameters import ParameterTable
from sim.model.payoffs import (
    ACTORS,
    COMPONENTS,
    Payoffs,
    compute_payoffs,
    compute_reneged_payoffs,
    transfer_cost,
)
from sim.model.postures import PostureTable, resolve
from sim.model.scenario import Scenario
from sim.solvers import cooperative
from sim.solvers import sequential as seq
from sim.solvers.alternating import AlternatingResult, solve_alternating
from sim.solvers.posture import BatchPostureResult, PostureResult, batch_posture, solve_posture

if TYPE_CHECKING:
    import pandas as pd

    from sim.holdup import HoldUp


@dataclass(frozen=True)
class Evaluation:
    """Everything computed for ``N`` draws of one scenario.

    Attributes
    ----------
    scenario : Scenario
    deals : DealSet
        The menu (``D`` deals, status quo first).
    parameters : ParameterTable
        The ``N`` draws.
    payoffs : Payoffs
        Utilities by component, shape ``(N, D, 2, 6)``.
    cooperative : CooperativeResult
        Rationality, win-sets, Pareto set and cooperative solutions.
    """

    scenario: Scenario
    deals: DealSet
    parameters: ParameterTable
    payoffs: Payoffs
    cooperative: cooperative.CooperativeResult

    @functools.cached_property
    def posture_table(self) -> PostureTable:
        """The scenario's posture game (postures and outcome table)."""
        return posture_table_of(self.scenario)

    @functools.cached_property
    def posture_utility(self) -> Any:
        """Utilities of the posture game's outcome deals, shape ``(N, D_posture, 2)``."""
        return compute_payoffs(self.parameters, self.posture_table.deals).utility

    def posture(self, draw: int = 0) -> PostureResult:
        """Every equilibrium of the posture game in one draw, and where learning leads (kept)."""
        if draw not in self._posture:
            self._posture[draw] = solve_posture(self.posture_utility[draw], self.posture_table)
        return self._posture[draw]

    @functools.cached_property
    def _posture(self) -> dict[int, PostureResult]:
        return {}

    def posture_batch(self) -> BatchPostureResult:
        """The posture game solved in every draw (batched, every extreme equilibrium; kept)."""
        return self._posture_batch

    @functools.cached_property
    def _posture_batch(self) -> BatchPostureResult:
        return batch_posture(self.posture_utility, self.posture_table)

    def posture_deal_probability(self) -> Any:
        """Probability of each posture-game deal by the posture rule, shape ``(N, D_posture)``.

        The equal-weight average over each draw's pure Nash equilibria, or over every
        extreme equilibrium where a draw has no pure one; with ``[sweep]
        posture_equilibria = "all"``, over every extreme equilibrium always
        (:mod:`sim.predict` states the rule).
        """
        return self._posture_rule[0]

    def posture_equilibria_counted(self) -> Any:
        """Number of equilibria the posture rule averaged over in each draw, ``(N,)``."""
        return self._posture_rule[1]

    @functools.cached_property
    def _posture_rule(self) -> tuple[Any, Any]:
        if self.scenario.sweep.posture_equilibria == "all":
            batch = self.posture_batch()
            return batch.mean_deal_probability, batch.n_equilibria
        from sim.solvers.equilibria import batch_pure_equilibria
        from sim.solvers.posture import game_matrices

        table = self.posture_table
        pure = batch_pure_equilibria(*game_matrices(self.posture_utility, table))
        onehot = np.eye(len(table.deals))[table.cells]  # (m, k, D)
        count = pure.sum(axis=(1, 2))
        probability = np.einsum("nij,ijd->nd", pure, onehot) / np.maximum(count, 1)[:, None]
        missing = np.flatnonzero(count == 0)
        if missing.size:
            fallback = batch_posture(self.posture_utility[missing], table)
            probability[missing] = fallback.mean_deal_probability
            count[missing] = fallback.n_equilibria
        return probability, count.astype(np.intp)

    def hold_up(self) -> HoldUp:
        """Whether each deal holds up in each draw, and why not (:mod:`sim.holdup`; kept)."""
        return self._hold_up

    @functools.cached_property
    def _hold_up(self) -> HoldUp:
        from sim.holdup import hold_up

        return hold_up(self)

    @functools.cached_property
    def sequential_game(self) -> SequentialModel:
        """The sequential game's menu, its reneged variants and their payoffs."""
        return sequential_game_of(self.scenario, self.parameters, self.deals, self.payoffs)

    def sequential(self, proposer: str | None = None) -> seq.SequentialResult:
        """Backward induction of the two-level game with commitment, in every draw.

        Solved once per proposer and kept.

        Parameters
        ----------
        proposer : {"japan", "russia"}, optional
            Who offers; default the scenario's ``[sequential] proposer``.
        """
        who = proposer or self.scenario.sequential.proposer
        if who not in self._sequential:
            self._sequential[who] = self.sequential_game.solve(who)
        return self._sequential[who]

    @functools.cached_property
    def _sequential(self) -> dict[str, seq.SequentialResult]:
        return {}

    def alternating(self) -> AlternatingResult:
        """Alternating offers over the menu plus a money transfer, in every draw (kept)."""
        return self._alternating

    @functools.cached_property
    def _alternating(self) -> AlternatingResult:
        settings = self.scenario.alternating
        utility, ratifier = self.payoffs.utility, self.payoffs.ratifier_utility
        table = self.parameters
        patience = np.stack([table.column(f"actors.{a}.patience") for a in ACTORS], axis=-1)
        # The transfer is Japanese money, paid at signing, at most transfer_cap times the
        # investment on the table; Russia pays nothing (in every episode of the record the
        # money flows from Tokyo to Moscow, never back: timeline 1956-2003).
        on_table = table.column("context.investment_on_table")
        cap = table.column("alternating.transfer_cap") * on_table
        performer, renege = self.renege_gain()
        return solve_alternating(
            utility - utility[:, :1, :],
            patience,
            breakdown=table.column("alternating.breakdown_risk"),
            proposer=ACTORS.index(settings.proposer),
            deadline=settings.deadline,
            deal_ids=self.deals.ids,
            ratifier_gains=(ratifier - ratifier[:, :1, :])
            if settings.require_ratification
            else None,
            transfer_cap=np.stack([cap, np.zeros(table.n_draws)], axis=-1),
            transfer_cost=transfer_cost(table, self.deals),
            performer=performer,
            renege_gain=renege,
        )

    def renege_gain(self) -> tuple[Any, Any]:
        """Who performs each menu deal later, ``(D,)``, and its gain from reneging, ``(N, D)``.

        The gain is the performer's utility of the reneged variant less its reputation
        cost and less its utility of the deal performed (the renege stage of the
        sequential game); 0 for a deal nobody performs later. Computed once (the hold-up
        test and alternating offers both read it).
        """
        return self._renege_gain

    @functools.cached_property
    def _renege_gain(self) -> tuple[Any, Any]:
        game = self.sequential_game
        if game.deals.ids != self.deals.ids:
            performer, variants = reneged_menu(self.deals)
            reneged_utility = compute_reneged_payoffs(self.parameters, self.deals, variants).utility
        else:
            performer, reneged_utility = game.performer, game.reneged.utility
        utility = self.payoffs.utility
        gain = np.zeros(utility.shape[:2])
        for side in (0, 1):
            deals = np.flatnonzero(performer == side)
            cost = game.reputation_cost[:, side : side + 1]
            gain[:, deals] = reneged_utility[:, deals, side] - cost - utility[:, deals, side]
        return np.asarray(performer, dtype=np.intp), gain

    def table(self, draw: int = 0, *, components: bool = False) -> pd.DataFrame:
        """One row per deal for one draw: utilities, rationality, win-sets, Pareto.

        Parameters
        ----------
        draw : int
            Which parameter draw (0 for a single run).
        components : bool
            Add one column per actor and payoff component (``japan_territory``, …).

        Returns
        -------
        pandas.DataFrame
            Indexed by deal id.

        Examples
        --------
        >>> from sim import load_scenario, evaluate
        >>> result = evaluate(load_scenario("scenarios/baseline_2003.toml"))
        >>> result.table().loc["status_quo", ["japan", "russia"]].tolist()
        [0.0, 0.0]
        """
        import pandas as pd

        return pd.DataFrame(self.rows(draw, components=components)).set_index("deal")

    def rows(self, draw: int = 0, *, components: bool = False) -> list[dict[str, Any]]:
        """The rows of :meth:`table` as plain dictionaries (no pandas needed)."""
        coop = self.cooperative
        utility = self.payoffs.utility[draw]
        rows = []
        for d, (deal_id, spec) in enumerate(zip(self.deals.ids, self.deals.specs, strict=True)):
            row: dict[str, Any] = {"deal": deal_id, "label": spec.label}
            for a, actor in enumerate(ACTORS):
                row[actor] = float(utility[d, a])
            for a, actor in enumerate(ACTORS):
                row[f"rational_{actor}"] = bool(coop.rational[draw, d, a])
            for a, actor in enumerate(ACTORS):
                row[f"ratifiable_{actor}"] = bool(coop.ratifiable[draw, d, a])
            row["pareto"] = bool(coop.pareto[draw, d])
            row["feasible"] = bool(coop.feasible[draw, d])
            if components:
                for a, actor in enumerate(ACTORS):
                    for c, name in enumerate(COMPONENTS):
                        row[f"{actor}_{name}"] = float(self.payoffs.components[draw, d, a, c])
            rows.append(row)
        return rows

    def solution(self, name: str, draw: int = 0) -> dict[str, float]:
        """One solution in one draw as ``{deal id: probability}`` (one or two entries)."""
        s = self.cooperative.solutions[name]
        first, second = self.deals.ids[s.deal[draw]], self.deals.ids[s.other[draw]]
        weight = float(s.weight[draw])
        if first == second:
            return {first: 1.0}
        return {first: weight, second: 1.0 - weight}


def evaluate(scenario: Scenario) -> Evaluation:
    """Evaluate one scenario: payoffs and every cooperative solution (a batch of one).

    Examples
    --------
    >>> from sim import load_scenario, evaluate
    >>> result = evaluate(load_scenario("scenarios/baseline_2003.toml"))
    >>> result.deals.ids[0]
    'status_quo'
    """
    return evaluate_table(scenario, ParameterTable.from_scenario(scenario))


def evaluate_table(scenario: Scenario, parameters: ParameterTable) -> Evaluation:
    """Evaluate ``N`` parameter draws of ``scenario`` (its deals and settings fixed)."""
    deals = menu_of(scenario)
    payoffs = compute_payoffs(parameters, deals)
    power = cooperative.bargaining_power(
        parameters.column("actors.japan.patience"),
        parameters.column("actors.russia.patience"),
        parameters.column("alternating.breakdown_risk"),
    )
    coop = cooperative.solve(
        payoffs.utility,
        payoffs.ratifier_utility,
        power,
        require_ratification=scenario.cooperative.require_ratification,
    )
    return Evaluation(scenario, deals, parameters, payoffs, coop)


@dataclass(frozen=True)
class Resolved:
    """What a scenario's settings resolve to, built once per scenario and reused.

    Attributes
    ----------
    menu : DealSet
        The scenario's menu (status quo first).
    posture_table : PostureTable
        Its posture game.
    sequential_menu : DealSet
        The deals of the sequential game (``[sequential] menu``, else the menu).
    performer : ndarray of int, shape (D_sequential,)
        Who performs each of those deals later (-1 none, 0 Japan, 1 Russia).
    reneged_deals : DealSet
        Their reneged variants.
    posture_rule : str
        How the posture game was derived for this scenario, in words.
    """

    menu: DealSet
    posture_table: PostureTable
    sequential_menu: DealSet
    performer: Any
    reneged_deals: DealSet
    posture_rule: str = ""


def resolved(scenario: Scenario) -> Resolved:
    """The menus and posture table of ``scenario``, from a cache keyed by its content.

    A sweep evaluates thousands of chunks of one scenario; the menus are built for the
    first and reused (two scenarios equal field by field share one entry).
    """
    key = scenario.model_dump_json()
    found = _RESOLVED.get(key)
    if found is None:
        found = _resolve(scenario)
        if len(_RESOLVED) >= _RESOLVED_SIZE:
            _RESOLVED.pop(next(iter(_RESOLVED)))
        _RESOLVED[key] = found
    return found


_RESOLVED: dict[str, Resolved] = {}
_RESOLVED_SIZE = 32


def _resolve(scenario: Scenario) -> Resolved:
    custom = scenario.deals.custom
    menu = build_menu(scenario.deals.menu, custom)
    chosen = scenario.sequential.menu
    sequential = menu if chosen is None else build_menu(chosen, custom)
    performer, variants = reneged_menu(sequential)
    table, rule = _posture_for(scenario, menu)
    return Resolved(menu, table, sequential, performer, variants, rule)


def _posture_for(scenario: Scenario, menu: DealSet) -> tuple[PostureTable, str]:
    """The posture game for the scenario's menu (:func:`sim.model.postures.on_the_menu`)."""
    from sim.model.postures import on_the_menu

    table = resolve(scenario.posture_game, scenario.deals.custom)
    own = "the shipped table" + (
        " with the scenario's own cells" if scenario.posture_game.outcomes else ""
    )
    if scenario.deals.menu is None:
        return table, f"{own} (the whole catalogue is on the table)"
    table, changed = on_the_menu(table, menu.ids)
    if not changed:
        return table, f"{own}; every cell's deal is on the scenario's menu"
    return table, (
        f"{own}; {changed} of {table.cells.size} cells lead to the status quo because their "
        "deal is not on the scenario's menu"
    )


def menu_of(scenario: Scenario) -> DealSet:
    """The scenario's menu of deals as arrays (status quo first)."""
    return resolved(scenario).menu


def posture_table_of(scenario: Scenario) -> PostureTable:
    """The scenario's posture game: the shipped one merged with its ``[posture_game]``."""
    return resolved(scenario).posture_table


@dataclass(frozen=True)
class SequentialModel:
    """The sequential game of a scenario for ``N`` draws: its menu, and the game itself.

    Attributes
    ----------
    deals : DealSet
        The deals a proposer may offer (status quo first).
    reneged_deals : DealSet
        What each deal becomes if its later performer reneges.
    payoffs, reneged : Payoffs
        Payoffs (with components) of the deals and of their reneged outcomes, valued at
        signing with the renege decision taken at the transfer
        (:func:`sim.model.payoffs.compute_reneged_payoffs`).
    game : sim.solvers.sequential.SequentialGame
        The arrays the solver and the Gambit export take.
    """

    deals: DealSet
    reneged_deals: DealSet
    payoffs: Payoffs
    reneged: Payoffs
    game: seq.SequentialGame

    @property
    def performer(self) -> Any:
        """Side that must still perform after signing (-1 none, 0 Japan, 1 Russia), (D,)."""
        return self.game.performer

    @property
    def reputation_cost(self) -> Any:
        """Cost of reneging to each side, shape (N, 2)."""
        return self.game.reputation_cost

    def solve(self, proposer: str) -> seq.SequentialResult:
        return seq.solve(self.game, ACTORS.index(proposer))


def sequential_game_of(
    scenario: Scenario,
    parameters: ParameterTable,
    menu: DealSet | None = None,
    payoffs: Payoffs | None = None,
) -> SequentialModel:
    """Build the sequential game of ``scenario`` for the draws in ``parameters``.

    ``menu`` and ``payoffs`` (the scenario's menu and its payoffs, if already computed)
    are reused when the game offers the same menu. A draw with zero ratifier noise is
    deterministic whatever the noise of the other draws.
    """
    settings = scenario.sequential
    found = resolved(scenario)
    deals, performer, variants = found.sequential_menu, found.performer, found.reneged_deals
    if payoffs is None or menu is None or deals.ids != menu.ids:
        payoffs = compute_payoffs(parameters, deals)
    reneged = compute_reneged_payoffs(parameters, deals, variants)
    noise = parameters.column("sequential.ratification_noise")
    game = seq.SequentialGame(
        deal_ids=deals.ids,
        utility=payoffs.utility,
        ratifier_utility=payoffs.ratifier_utility,
        reneged_utility=reneged.utility,
        reneged_ratifier_utility=reneged.ratifier_utility,
        performer=performer,
        reputation_cost=np.stack(
            [parameters.column(f"sequential.reputation_cost.{a}") for a in ACTORS], axis=-1
        ),
        ratification=settings.ratification,
        noise=None if not noise.any() else np.repeat(noise[:, None], 2, 1),
    )
    return SequentialModel(deals, variants, payoffs, reneged, game)
