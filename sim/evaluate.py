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
from sim.model.payoffs import ACTORS, COMPONENTS, Payoffs, compute_payoffs
from sim.model.postures import PostureTable, resolve
from sim.model.scenario import Scenario
from sim.solvers import cooperative
from sim.solvers import sequential as seq
from sim.solvers.alternating import AlternatingResult, solve_alternating
from sim.solvers.posture import BatchPostureResult, PostureResult, batch_posture, solve_posture

if TYPE_CHECKING:
    import pandas as pd


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
        Utilities by component, shape ``(N, D, 2, 7)``.
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
        """Every equilibrium of the posture game in one draw, and where learning leads."""
        return solve_posture(self.posture_utility[draw], self.posture_table)

    def posture_batch(self) -> BatchPostureResult:
        """The posture game solved in every draw (batched)."""
        return batch_posture(self.posture_utility, self.posture_table)

    @functools.cached_property
    def sequential_game(self) -> SequentialGame:
        """The sequential game's menu, its reneged variants and their payoffs."""
        return sequential_game_of(self.scenario, self.parameters, self.deals, self.payoffs)

    def sequential(self, proposer: str | None = None) -> seq.SequentialResult:
        """Backward induction of the two-level game with commitment, in every draw.

        Parameters
        ----------
        proposer : {"japan", "russia"}, optional
            Who offers; default the scenario's ``[sequential] proposer``.
        """
        return self.sequential_game.solve(proposer or self.scenario.sequential.proposer)

    def alternating(self) -> AlternatingResult:
        """Alternating offers over the menu plus a money transfer, in every draw."""
        settings = self.scenario.alternating
        utility = self.payoffs.utility
        allowed = None
        if settings.require_ratification:
            allowed = self.cooperative.ratifiable.all(axis=2)
        patience = np.stack(
            [self.parameters.column(f"actors.{a}.patience") for a in ACTORS], axis=-1
        )
        return solve_alternating(
            utility - utility[:, :1, :],
            patience,
            breakdown=self.parameters.column("alternating.breakdown_risk"),
            proposer=ACTORS.index(settings.proposer),
            deadline=settings.deadline,
            allowed=allowed,
        )

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


def menu_of(scenario: Scenario) -> DealSet:
    """The scenario's menu of deals as arrays (status quo first)."""
    return build_menu(scenario.deals.menu, scenario.deals.custom)


def posture_table_of(scenario: Scenario) -> PostureTable:
    """The scenario's posture game: the shipped one merged with its ``[posture_game]``."""
    return resolve(scenario.posture_game, scenario.deals.custom)


@dataclass(frozen=True)
class SequentialGame:
    """Everything the sequential solver needs for ``N`` draws of one scenario.

    Attributes
    ----------
    deals : DealSet
        The deals a proposer may offer (status quo first).
    reneged_deals : DealSet
        What each deal becomes if its later performer reneges.
    performer : ndarray of int, shape (D,)
        Side that must still perform after signing (-1 none, 0 Japan, 1 Russia).
    payoffs, reneged : Payoffs
        Payoffs of the deals and of their reneged variants.
    reputation_cost : ndarray, shape (N, 2)
    noise : ndarray of shape (N, 2), or None
        Ratifier noise; None when ratification is deterministic in every draw.
    ratification : bool
    """

    deals: DealSet
    reneged_deals: DealSet
    performer: Any
    payoffs: Payoffs
    reneged: Payoffs
    reputation_cost: Any
    noise: Any
    ratification: bool

    def tree_arguments(self, draw: int, proposer: str) -> dict[str, Any]:
        """One draw's game as the keyword arguments of :mod:`sim.solvers.efg`'s functions."""
        return {
            "deal_ids": self.deals.ids,
            "utility": self.payoffs.utility[draw],
            "ratifier_utility": self.payoffs.ratifier_utility[draw],
            "reneged_utility": self.reneged.utility[draw],
            "reneged_ratifier_utility": self.reneged.ratifier_utility[draw],
            "performer": self.performer,
            "reputation_cost": self.reputation_cost[draw],
            "proposer": ACTORS.index(proposer),
            "ratification": self.ratification,
        }

    def solve(self, proposer: str) -> seq.SequentialResult:
        return seq.solve(
            self.payoffs.utility,
            self.payoffs.ratifier_utility,
            self.reneged.utility,
            self.reneged.ratifier_utility,
            self.performer,
            self.reputation_cost,
            ACTORS.index(proposer),
            ratification=self.ratification,
            noise=self.noise,
        )


NOISE_FLOOR = 1e-6
"""Ratifier noise (US$ bn) used for draws with zero noise when other draws have some."""


def sequential_game_of(
    scenario: Scenario,
    parameters: ParameterTable,
    menu: DealSet | None = None,
    payoffs: Payoffs | None = None,
) -> SequentialGame:
    """Build the sequential game of ``scenario`` for the draws in ``parameters``.

    ``menu`` and ``payoffs`` (the scenario's menu and its payoffs, if already computed)
    are reused when the game offers the same menu.
    """
    settings = scenario.sequential
    deals = (
        build_menu(settings.menu, scenario.deals.custom)
        if settings.menu is not None
        else menu or menu_of(scenario)
    )
    if payoffs is None or menu is None or deals.ids != menu.ids:
        payoffs = compute_payoffs(parameters, deals)
    performer, variants = reneged_menu(deals)
    noise = parameters.column("sequential.ratification_noise")
    return SequentialGame(
        deals=deals,
        reneged_deals=variants,
        performer=performer,
        payoffs=payoffs,
        reneged=compute_payoffs(parameters, variants),
        reputation_cost=np.stack(
            [parameters.column(f"sequential.reputation_cost.{a}") for a in ACTORS], axis=-1
        ),
        noise=None if not noise.any() else np.repeat(np.maximum(noise, NOISE_FLOOR)[:, None], 2, 1),
        ratification=settings.ratification,
    )
