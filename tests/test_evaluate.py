"""The evaluation wires the scenario's settings into the solvers."""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate, load_scenario
from sim.solvers.alternating import rubinstein_shares
from tests.conftest import BASELINE


def test_alternating_uses_patience_breakdown_and_proposer():
    overrides = {
        "alternating.breakdown_risk": 0.1,
        "alternating.proposer": '"russia"',
        "alternating.require_ratification": "false",
    }
    scenario = load_scenario(BASELINE, overrides=overrides)
    alt = evaluate(scenario).alternating()
    beta_j = scenario.actors.japan.patience.value * 0.9
    beta_r = scenario.actors.russia.patience.value * 0.9
    proposer, responder = rubinstein_shares(np.array([beta_r]), np.array([beta_j]))
    assert alt.share[0, 1] == pytest.approx(proposer[0])
    assert alt.share[0, 0] == pytest.approx(responder[0])


def test_alternating_only_agrees_on_ratifiable_deals_when_required():
    result = evaluate(load_scenario(BASELINE))
    alt = result.alternating()
    assert result.cooperative.ratifiable[0, alt.deal[0]].all()


def test_posture_game_follows_the_payoff_model():
    cheap = evaluate(load_scenario(BASELINE))
    costly = evaluate(load_scenario(BASELINE, overrides={"actors.japan.no_progress_cost": 3.0}))
    shelve = cheap.posture_table.deals.index("shelve")
    assert costly.posture_utility[0, shelve, 0] < cheap.posture_utility[0, shelve, 0]
