"""The renege decision taken when performance falls due, against a hand-built game tree.

Kawana's phased return (``four_phased``: sovereignty over all four recognised at
signing, Russian administration for 15 years, credit paid up front). Russia, the later
performer, decides at the handover whether to hand the islands over. What fell due at
signing — the nationalist cost of recognising Japanese sovereignty, the credit, the
treaty and the partnership until the handover — is the same on both branches; what
reneging changes falls due 15 years on and is discounted from then.

The tree below is written out by hand from the formulas of docs/explanation/model.md,
with its own arithmetic, and solved by its own backward induction: Japan offers Kawana
or nothing, Russia accepts or rejects, Russia performs or reneges (ratification off).
"""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.evaluate import evaluate_table
from sim.model.parameters import ParameterTable
from tests.conftest import BASELINE

TAU = 15.0  # four_phased's transfer delay (sim/data/deals.toml)
# A Kremlin freer at home and more money on the table than at the baseline, so that
# both branches of the renege decision occur as the reputation cost moves.
SETTING = {
    "actors.russia.nationalist_cost": 1.0,
    "actors.russia.nationalist_cost_per_area": 4.0,
    "actors.russia.money_for_land_cost": 0.0,
    "context.investment_on_table": 7.5,
    "context.investment_realisation": 0.6,
}


def _hand_values(p: dict[str, float]) -> dict[str, float]:
    """Each side's value of Kawana performed, and reneged (before the reputation cost)."""
    dj, dr = p["actors.japan.patience"] ** TAU, p["actors.russia.patience"] ** TAU
    money = p["context.investment_on_table"] * p["context.investment_realisation"]
    rj, rr = p["actors.japan.investment_return"], p["actors.russia.investment_return"]
    chi = p["context.china_pressure"]
    islands_j = sum(p[f"actors.japan.island_value.{k}"] for k in ISLANDS)
    islands_r = sum(p[f"actors.russia.island_value.{k}"] for k in ISLANDS)
    loosening = p["context.alliance_rivalry"] * p["actors.russia.alliance_loosening_value"]
    # Japan: the treaty settles the border (all four); the credit is a loan (grant 0),
    # paid up front; full progress, so no no-progress cost; nothing renounced.
    japan_signing = (
        p["actors.japan.treaty_value"] * (1 - dj)  # the treaty until the handover
        + money * rj  # the loan and its return
        + chi * p["actors.japan.china_benefit"] * 1.0 * (1 - dj)  # depth h = 1
    )
    japan_perform = japan_signing + dj * (
        islands_j + p["actors.japan.treaty_value"] + chi * p["actors.japan.china_benefit"]
    )
    # Reneged: no islands, no treaty; the credit already paid keeps the partnership at
    # depth (0 + 1) / 2 after the handover.
    japan_renege = japan_signing + dj * chi * p["actors.japan.china_benefit"] * 0.5
    russia_signing = (
        (p["actors.russia.treaty_value"] + loosening) * (1 - dr)
        + money * (rr - rj)  # the loan's return, less what is paid back beyond principal
        - p["actors.russia.nationalist_cost"]
        - p["actors.russia.nationalist_cost_per_area"] * 1.0  # all the area
        - p["actors.russia.money_for_land_cost"] * 1.0
        + chi * p["actors.russia.china_benefit"] * (1 - dr)
    )
    russia_perform = russia_signing + dr * (
        -islands_r
        - p["actors.russia.us_forces_cost"]  # all of Russia's island value, not demilitarised
        + p["actors.russia.treaty_value"]
        + loosening
        + chi * p["actors.russia.china_benefit"]
    )
    russia_renege = russia_signing + dr * chi * p["actors.russia.china_benefit"] * 0.5
    return {
        "japan_perform": japan_perform,
        "japan_renege": japan_renege,
        "russia_perform": russia_perform,
        "russia_renege": russia_renege,
    }


ISLANDS = ("habomai", "shikotan", "kunashiri", "etorofu")


def _hand_tree(values: dict[str, float], cost: float) -> tuple[str, float]:
    """Backward induction: the outcome ("none", "performed", "reneged") and Russia's renege gain."""
    gain = values["russia_renege"] - cost - values["russia_perform"]
    reneges = gain > 1e-9
    russia = values["russia_renege"] - cost if reneges else values["russia_perform"]
    japan = values["japan_renege"] if reneges else values["japan_perform"]
    if russia <= 1e-9 or japan <= 1e-9:  # Russia rejects, or Japan offers nothing
        return "none", gain
    return ("reneged" if reneges else "performed"), gain


@pytest.mark.parametrize("cost", [0.1, 0.5, 1.0, 1.5, 2.5, 3.5])
def test_the_renege_decision_matches_the_hand_built_tree(cost):
    scenario = load_scenario(
        BASELINE,
        overrides={"deals.menu": '["four_phased"]', "sequential.ratification": "false"},
    )
    table = ParameterTable.from_scenario(scenario).with_values(
        {**SETTING, "sequential.reputation_cost.russia": cost}
    )
    p = dict(zip(table.names, table.values[0], strict=True))
    values = _hand_values(p)
    expected, gain = _hand_tree(values, cost)

    ev = evaluate_table(scenario, table)
    game = ev.sequential_game
    d = game.deals.index("four_phased")
    assert game.payoffs.utility[0, d, 0] == pytest.approx(values["japan_perform"])
    assert game.payoffs.utility[0, d, 1] == pytest.approx(values["russia_perform"])
    assert game.reneged.utility[0, d, 0] == pytest.approx(values["japan_renege"])
    assert game.reneged.utility[0, d, 1] == pytest.approx(values["russia_renege"])
    spe = ev.sequential("japan")
    assert bool(spe.anticipated_renege[0, d]) == (gain > 0)
    found = "none" if spe.offer[0] == 0 else ("reneged" if spe.reneged[0] else "performed")
    assert found == expected
    assert bool(ev.hold_up().failed[0, d, -1]) == (gain > 0)


def test_both_branches_occur_over_the_reputation_costs():
    scenario = load_scenario(BASELINE)
    table = ParameterTable.from_scenario(scenario).with_values(SETTING)
    values = _hand_values(dict(zip(table.names, table.values[0], strict=True)))
    outcomes = {_hand_tree(values, c)[0] for c in (0.1, 3.5)}
    assert outcomes == {"performed", "reneged"}


def test_a_cost_paid_at_signing_is_not_escaped_by_reneging():
    """At the baseline Kawana's humiliation (12) is not a reason to renege."""
    scenario = load_scenario(BASELINE, overrides={"deals.menu": '["four_phased"]'})
    table = ParameterTable.from_scenario(scenario)
    high = table.with_values({"actors.russia.nationalist_cost": 10.0})
    low = evaluate_table(scenario, table).sequential_game
    steep = evaluate_table(scenario, high).sequential_game
    d = low.deals.index("four_phased")

    def gain(game):
        return game.reneged.utility[0, d, 1] - game.payoffs.utility[0, d, 1]

    # A higher nationalist cost of the cession moves both branches alike.
    assert gain(steep) == pytest.approx(gain(low))


def test_every_solver_takes_the_same_renege_decision():
    # The hold-up test and alternating offers decide reneging on the evaluation's menu
    # (Evaluation.renege_gain); the sequential game on its own menu (here a shorter
    # one). On the deals both menus share, the decisions agree.
    import numpy as np

    from sim.holdup import would_renege

    rng = np.random.default_rng(5)
    n = 400
    short = ["status_quo", "shelve", "two_islands", "four_phased", "four_islands"]
    scenario = load_scenario(BASELINE, overrides={"sequential.menu": short})
    table = ParameterTable.from_scenario(scenario).with_values(
        {
            "sequential.reputation_cost.russia": rng.uniform(0.0, 6.0, n),
            "sequential.reputation_cost.japan": rng.uniform(0.0, 6.0, n),
            "actors.russia.nationalist_cost": rng.uniform(4.0, 20.0, n),
            "actors.russia.patience": rng.uniform(0.8, 0.97, n),
            "actors.russia.island_value.etorofu": rng.uniform(2.5, 10.0, n),
        }
    )
    ev = evaluate_table(scenario, table)
    game = ev.sequential("japan")
    sequential_ids = ev.sequential_game.deals.ids
    assert sequential_ids != ev.deals.ids  # the two menus differ: both code paths run
    renege = would_renege(ev)
    shared = [d for d in sequential_ids if d in ev.deals.ids]
    for deal in shared:
        here, there = ev.deals.ids.index(deal), sequential_ids.index(deal)
        assert np.array_equal(renege[:, here], game.anticipated_renege[:, there]), deal
    four = ev.deals.ids.index("four_phased")
    assert 0 < renege[:, four].sum() < n  # both branches occur, so the check has teeth
