"""The evaluation wires the scenario's settings into the solvers."""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate, evaluate_table, load_scenario
from sim.model.parameters import ParameterTable
from sim.solvers.alternating import rubinstein_shares
from tests.conftest import BASELINE


def test_alternating_uses_patience_breakdown_and_proposer():
    overrides = {
        "alternating.breakdown_risk": 0.1,
        "alternating.proposer": '"russia"',
        "alternating.require_ratification": "false",
    }
    scenario = load_scenario(BASELINE, overrides=overrides)
    # Lift every constraint on the transfer: the game has transferable utility.
    free = {
        "alternating.transfer_cap": 100.0,
        "actors.russia.money_for_land_cost": 0.0,
        "sequential.reputation_cost.japan": 100.0,
        "sequential.reputation_cost.russia": 100.0,
    }
    table = ParameterTable.from_scenario(scenario).with_values(free)
    alt = evaluate_table(scenario, table).alternating()
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


def test_a_draw_without_ratifier_noise_is_deterministic_whatever_the_batch():
    """Reproducer: with noise [0.0, 1.0], draw 0 said 'rejected by Russia's government,
    margin 0.00' for two_islands although Russia's government gains and both ratifiers
    reject (a noise floor made the zero-noise draw noisy)."""
    from sim import evaluate_table
    from sim.model.parameters import ParameterTable
    from sim.solvers.sequential import Stage

    scenario = load_scenario(BASELINE)
    base = ParameterTable.from_scenario(scenario)
    alone = evaluate_table(scenario, base.with_values({"sequential.ratification_noise": [0.0]}))
    mixed = evaluate_table(
        scenario, base.with_values({"sequential.ratification_noise": [0.0, 1.0]})
    )
    a, m = alone.sequential(), mixed.sequential()
    two = alone.sequential_game.deals.index("two_islands")
    assert Stage(int(a.stage[0, two])) == Stage.JAPAN_RATIFIER
    np.testing.assert_array_equal(m.stage[0], a.stage[0])
    np.testing.assert_allclose(m.margin[0], a.margin[0], rtol=1e-12)  # BLAS rounding
    np.testing.assert_array_equal(m.offer[0], a.offer[0])
    assert m.against[0, two].tolist() == a.against[0, two].tolist()
    # every actor that turns two_islands down is named, not only the first on the path
    from sim.solvers.sequential import ROLES

    against = dict(zip(ROLES, a.against[0, two], strict=True))
    assert against["japan_ratifier"] and against["russia_ratifier"]
    assert against["proposer"]  # Japan's government loses from it (-14.3)
    assert not against["responder"]  # Russia's government gains (+0.42)
