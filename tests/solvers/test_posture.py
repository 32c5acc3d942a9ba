"""The posture game: built from the payoff model, solved exactly, checked against Gambit."""

from __future__ import annotations

import numpy as np
import pytest

from sim import UserError, evaluate, load_scenario
from sim.model.parameters import ParameterTable, iter_parameters
from sim.model.postures import _shipped
from sim.solvers.equilibria import is_nash
from sim.solvers.posture import batch_posture, game_matrices, solve_posture
from tests.conftest import BASELINE, extending_baseline
from tests.solvers.test_equilibria import gambit_equilibria, same_set


@pytest.fixture(scope="module")
def baseline():
    return evaluate(load_scenario(BASELINE))


def test_default_table_is_complete_and_justified():
    shipped = _shipped()
    assert list(shipped["japan"]) == ["insist_four", "two_first", "shelve", "aid_first"]
    assert list(shipped["russia"]) == ["refuse", "offer_two", "offer_two_plus", "cooperate_only"]
    for j in shipped["japan"]:
        for r in shipped["russia"]:
            cell = shipped["outcomes"][j][r]
            assert cell["deal"] and len(cell["why"]) > 20, (j, r)
    assert shipped["outcomes"]["aid_first"]["refuse"]["deal"] == "aid_first"


def test_payoffs_are_the_utilities_of_the_cell_deals(baseline):
    table = baseline.posture_table
    utility = baseline.posture_utility
    A, B = game_matrices(utility, table)
    for i in range(len(table.japan)):
        for k in range(len(table.russia)):
            deal = table.cells[i, k]
            assert A[0, i, k] == utility[0, deal, 0]
            assert B[0, i, k] == utility[0, deal, 1]


def test_every_equilibrium_is_nash_and_matches_gambit(baseline):
    result = baseline.posture()
    A, B = result.japan_payoff, result.russia_payoff
    assert result.equilibria
    for eq in result.equilibria:
        assert is_nash(A, B, eq.japan, eq.russia)
        assert eq.deal_probability.sum() == pytest.approx(1.0)
        assert eq.payoff[0] == pytest.approx(eq.japan @ A @ eq.russia)
    ours = [(eq.japan, eq.russia) for eq in result.equilibria]
    assert same_set(ours, gambit_equilibria(A, B))


def test_equilibria_match_gambit_across_sampled_draws():
    scenario = load_scenario(BASELINE)
    rng = np.random.default_rng(11)
    draws = {
        p.path: rng.uniform(*p.range, size=25)
        for p in iter_parameters(scenario)
        if p.range is not None
    }
    result = evaluate(load_scenario(BASELINE))
    table = result.posture_table
    from sim.model.payoffs import compute_payoffs

    utility = compute_payoffs(
        ParameterTable.from_scenario(scenario).with_values(draws), table.deals
    ).utility
    batch = batch_posture(utility, table)
    for n in range(25):
        single = solve_posture(utility[n], table)
        assert batch.n_equilibria[n] == len(single.equilibria)
        mean = np.mean([eq.deal_probability for eq in single.equilibria], axis=0)
        np.testing.assert_allclose(batch.mean_deal_probability[n], mean, atol=1e-9)
        ours = [(eq.japan, eq.russia) for eq in single.equilibria]
        assert same_set(ours, gambit_equilibria(single.japan_payoff, single.russia_payoff))


def test_a_scenario_can_add_a_posture_and_override_cells(write_scenario):
    path = write_scenario(
        "postures.toml",
        extending_baseline(
            '[posture_game]\njapan = ["shelve", "linkage"]\nrussia = ["refuse", "offer_two"]\n'
            '[posture_game.postures.japan.linkage]\nlabel = "Linkage"\n'
            '[posture_game.outcomes.linkage]\nrefuse = "status_quo"\n'
            'offer_two = { deal = "two_islands", why = "test" }\n'
            '[posture_game.outcomes.shelve]\nrefuse = "aid_first"\n'
        ),
    )
    result = evaluate(load_scenario(path))
    table = result.posture_table
    assert table.japan == ("shelve", "linkage") and table.russia == ("refuse", "offer_two")
    ids = table.deals.ids
    assert [[ids[d] for d in row] for row in table.cells] == [
        ["aid_first", "shelve"],
        ["status_quo", "two_islands"],
    ]


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        (
            '[posture_game.outcomes.shelve]\nrefuse = "tw_islands"\n',
            "posture_game.outcomes.shelve.refuse",
            "did you mean 'two_islands'",
        ),
        (
            '[posture_game.outcomes.bluff]\nrefuse = "status_quo"\n',
            "posture_game.outcomes.bluff",
            "posture 'bluff' is not declared",
        ),
        (
            '[posture_game.outcomes.shelve]\nrefuze = "status_quo"\n',
            "posture_game.outcomes.shelve.refuze",
            "did you mean 'refuse'",
        ),
        (
            '[posture_game]\njapan = ["shelve", "linkage"]\n'
            '[posture_game.postures.japan.linkage]\nlabel = "Linkage"\n',
            "posture_game.outcomes.linkage.refuse",
            "table is incomplete",
        ),
        (
            '[posture_game]\nrussia = ["refuse", "sulk"]\n',
            "posture_game.russia[1]",
            "posture 'sulk' is not declared",
        ),
    ],
)
def test_posture_table_errors(write_scenario, body, key, message):
    path = write_scenario("bad.toml", extending_baseline(body))
    with pytest.raises(UserError) as info:
        load_scenario(path)
    assert info.value.key == key
    assert info.value.source == str(path)
    assert message in info.value.message
