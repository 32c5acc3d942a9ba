"""Analysing a sweep: which assumptions matter (sensitivity) and where deals tip.

* :func:`outcome_values` turns a sweep's results into one numeric outcome per draw:
  a column (``margin_shelve``, ``holds_two_islands``) or an indicator ``SOLVER=DEAL``
  (``nash=shelve``: 1 where the Nash solution is shelving).
* :func:`sensitivity` runs the Sobol or Morris indices (or tornado data for a
  one-at-a-time design) of such outcomes.
* :func:`scenario_tipping_points` finds, for each swept parameter with the others at
  their baseline, the values at which a solver's predicted deal changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.errors import UserError, did_you_mean
from sim.evaluate import evaluate_table
from sim.model.parameters import ParameterTable
from sim.model.scenario import Scenario
from sim.predict import REGISTRY
from sim.predict import get as get_solver
from sim.sweeps import columns
from sim.sweeps.outcomes import evaluate_chunk
from sim.sweeps.samplers import Samples
from sim.sweeps.sensitivity import Sensitivity, analyse
from sim.sweeps.space import Discrete, SweepSpace
from sim.sweeps.thresholds import TippingPoint, tipping_points


def outcome_values(results: pd.DataFrame, outcome: str) -> NDArray[np.float64]:
    """One number per draw for ``outcome``: a numeric column, or ``SOLVER=DEAL``."""
    if "=" in outcome:
        solver, deal = (part.strip() for part in outcome.split("=", 1))
        if solver not in results.columns:
            raise UserError(f"unknown solver '{solver}'{did_you_mean(solver, REGISTRY)}")
        return (results[solver] == deal).to_numpy(dtype=float)
    numeric = [
        c
        for c in results.columns
        if (parsed := columns.parse(c)) is not None and parsed[0] in (columns.MARGIN, columns.HOLDS)
    ]
    if outcome not in numeric:
        raise UserError(
            f"unknown outcome '{outcome}'{did_you_mean(outcome, numeric)}; expected "
            "margin_<deal>, holds_<deal> or SOLVER=DEAL (e.g. nash=shelve)"
        )
    return results[outcome].to_numpy(dtype=float)


def default_outcomes(results: pd.DataFrame) -> list[str]:
    """The margin and the hold-up flag of the deal that holds up most often."""
    deals = columns.deals_in(results.columns, columns.HOLDS)
    deal = max(deals, key=lambda d: results[columns.holds(d)].mean())
    return [columns.margin(deal), columns.holds(deal)]


def sensitivity(
    samples: Samples, results: pd.DataFrame, outcomes: Sequence[str]
) -> list[Sensitivity]:
    """Sobol, Morris or tornado indices of outcomes of a sweep's results table.

    :func:`sim.sweeps.sensitivity.analyse` of :func:`outcome_values`; to evaluate a
    design in memory instead, :func:`sim.sweeps.sensitivity.design_sensitivity`.
    """
    return analyse(samples, {outcome: outcome_values(results, outcome) for outcome in outcomes})


def evaluate_design(scenario: Scenario, samples: Samples, chunk: int = 20_000) -> pd.DataFrame:
    """Every solver on every row of a design, in memory (for analyses of modest size)."""
    parts = [
        pd.DataFrame(evaluate_chunk(scenario, samples.space, samples.values[lo : lo + chunk]))
        for lo in range(0, samples.n_rows, chunk)
    ]
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class ParameterTipping:
    """Where one parameter tips a solver's prediction, the others at baseline."""

    path: str
    low: float
    high: float
    baseline_deal: str
    points: tuple[TippingPoint, ...]
    deal_ids: tuple[str, ...]

    def sentences(self, solver: str) -> list[str]:
        """Plain words: ``"nash: shelve below 2.31, status_quo above"``."""
        if not self.points:
            return [
                f"{self.path}: {solver} predicts {self.baseline_deal} across "
                f"[{self.low:g}, {self.high:g}]"
            ]
        return [
            f"{self.path}: {solver} switches from {self.deal_ids[p.below]} to "
            f"{self.deal_ids[p.above]} as it rises past {p.value:.4g}"
            for p in self.points
        ]


def scenario_tipping_points(
    scenario: Scenario, space: SweepSpace, solver: str, *, grid: int = 65
) -> list[ParameterTipping]:
    """Tipping points of ``solver``'s predicted deal along each continuous parameter."""
    spec = get_solver(solver)
    base = ParameterTable.from_scenario(scenario)
    out = []
    for parameter in space.parameters:
        if isinstance(parameter.distribution, Discrete) or parameter.path not in base.names:
            continue
        low, high = (float(x) for x in parameter.distribution.ppf(np.array([0.0, 1.0])))
        ids: tuple[str, ...] = ()

        def predicted(values: NDArray[np.float64], path: str = parameter.path) -> Any:
            nonlocal ids
            prediction = spec.predict(evaluate_table(scenario, base.with_values({path: values})))
            ids = prediction.code_ids
            return prediction.codes

        points = tipping_points(predicted, low, high, grid=grid)
        at_baseline = predicted(np.array([float(parameter.baseline)]))[0]
        out.append(
            ParameterTipping(parameter.path, low, high, ids[at_baseline], tuple(points), ids)
        )
    return out
