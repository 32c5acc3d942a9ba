"""Krasnoyarsk and Kawana (1997-98): the hold-up stage and Hashimoto's unreciprocated aid.

The record (timeline 1997, 1998 Apr, 1998 Nov): Japanese credit was released before
any territorial quid pro quo, Russia would not cede sovereignty, Kawana was rejected.
Aid paid, no territory.
"""

from __future__ import annotations

import pytest

from sim import evaluate, load_scenario
from sim.model.deals import RUSSIA_PERFORMS
from sim.solvers.sequential import Stage
from tests.conftest import ROOT

KRASNOYARSK = ROOT / "scenarios" / "history" / "1997_krasnoyarsk.toml"


@pytest.fixture(scope="module")
def result():
    return evaluate(load_scenario(KRASNOYARSK))


def test_kawana_would_be_reneged_by_russia(result):
    game = result.sequential_game
    kawana = game.deals.index("four_phased")
    assert game.performer[kawana] == RUSSIA_PERFORMS
    spe = result.sequential("japan")
    assert spe.anticipated_renege[0, kawana]
    # Reneging gains Russia more than its (low) reputation cost.
    keep = game.payoffs.utility[0, kawana, 1]
    renege = game.reneged.utility[0, kawana, 1] - game.reputation_cost[0, 1]
    assert renege > keep


def test_the_reneged_path_is_aid_paid_and_no_territory(result):
    game = result.sequential_game
    kawana = game.deals.index("four_phased")
    variant = game.reneged_deals.specs[kawana]
    assert variant.shares() == (0.0, 0.0, 0.0, 0.0)
    assert variant.cooperation > 0 and variant.grant_element == 1.0
    assert not variant.peace_treaty and variant.claim == "kept"


def test_without_a_ratifier_veto_russias_government_turns_kawana_down():
    """Reneging at the handover cannot undo the sovereignty conceded at signing.

    Russia would renege (the islands are worth more to it than the treaty's remaining
    value and its reputation), but the nationalist cost of recognising Japanese
    sovereignty falls due at signing and stays on the reneged path, so Russia's
    government is worse off signing and reneging than not signing.
    """
    scenario = load_scenario(KRASNOYARSK, overrides={"sequential.ratification": "false"})
    result = evaluate(scenario)
    game = result.sequential_game
    kawana = game.deals.index("four_phased")
    spe = result.sequential("japan")
    assert spe.anticipated_renege[0, kawana]
    assert spe.stage[0, kawana] == Stage.RESPONDER
    assert game.reneged.utility[0, kawana, 1] - game.reputation_cost[0, 1] < 0


def test_with_complete_information_japan_does_not_pay(result):
    """Japan anticipates the renege, so the subgame-perfect path is not Hashimoto's."""
    spe = result.sequential("japan")
    assert spe.offer[0] != result.sequential_game.deals.index("four_phased")
