"""The payoff model's second edition, each against its own arithmetic.

The treaty tied to the border, grants and loans, deals that need no vote, the USSR's
alliance motive, and the corrected figures of the scenario files.
"""

from __future__ import annotations

import csv
import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario
from sim.errors import UserError
from sim.evaluate import evaluate_table
from sim.model.deals import DealSet, DealSpec, Sovereignty, catalogue
from sim.model.parameters import ParameterTable
from sim.model.payoffs import COMPONENTS, compute_payoffs
from tests.conftest import BASELINE, extending_baseline

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "scenarios" / "history"
SQ = catalogue()["status_quo"]


def _payoffs(specs: dict[str, DealSpec], table: ParameterTable | None = None):
    scenario = load_scenario(BASELINE)
    table = table or ParameterTable.from_scenario(scenario)
    deals = DealSet.from_specs({"status_quo": SQ, **specs})
    return scenario, table, compute_payoffs(table, deals)


def _component(payoffs, deal: int, actor: int, name: str) -> np.ndarray:
    return payoffs.components[:, deal, actor, COMPONENTS.index(name)]


# -- item 4: for Tokyo the treaty is the border settlement ------------------------------------

OPEN_TREATY = DealSpec(label="Friendship treaty first", peace_treaty=True, cooperation=0.5)
NO_TREATY = DealSpec(label="Cooperation, no treaty", cooperation=0.5)


def test_a_treaty_that_leaves_the_border_open_is_worse_for_japan_than_none():
    scenario, _, payoffs = _payoffs({"open": OPEN_TREATY, "none": NO_TREATY})
    japan = payoffs.utility[0, :, 0]
    assert japan[1] - japan[2] < 0
    cost = scenario.actors.japan.open_treaty_cost.value
    # The treaty also deepens the partnership by 1/2 (h = (T + c) / 2).
    china = scenario.context.china_pressure.value * scenario.actors.japan.china_benefit.value
    assert japan[1] - japan[2] == pytest.approx(-cost + china / 2)
    assert _component(payoffs, 1, 0, "treaty")[0] == pytest.approx(-cost)


@pytest.mark.parametrize(
    ("spec", "settled"),
    [
        (catalogue()["four_islands"], True),  # all four returned
        (catalogue()["four_phased"], True),  # all four, later: sovereignty recognised now
        (catalogue()["two_islands"], True),  # the rest renounced
        (catalogue()["three_islands"], True),
        (
            DealSpec(
                label="Two islands, treaty, claim kept",
                sovereignty=Sovereignty(habomai=1.0, shikotan=1.0),
                peace_treaty=True,
            ),
            False,
        ),
        (
            DealSpec(
                label="Most of Etorofu, treaty, claim kept",
                sovereignty=Sovereignty(habomai=1.0, shikotan=1.0, kunashiri=1.0, etorofu=0.9),
                peace_treaty=True,
            ),
            False,
        ),
    ],
)
def test_japans_treaty_value_needs_the_border_settled(spec, settled):
    scenario, _, payoffs = _payoffs({"x": spec})
    japan = scenario.actors.japan
    expected = japan.treaty_value.value if settled else -japan.open_treaty_cost.value
    assert _component(payoffs, 1, 0, "treaty")[0] == pytest.approx(expected)


def test_russias_treaty_value_does_not_depend_on_the_border():
    scenario, _, payoffs = _payoffs({"open": OPEN_TREATY})
    assert _component(payoffs, 1, 1, "treaty")[0] == pytest.approx(
        scenario.actors.russia.treaty_value.value
    )


# -- item 6: grants and loans; money moved between the sides nets out ------------------------


def _money_table(n: int = 64, seed: int = 7) -> ParameterTable:
    scenario = load_scenario(BASELINE)
    rng = np.random.default_rng(seed)
    return ParameterTable.from_scenario(scenario).with_values(
        {
            "actors.japan.investment_return": rng.uniform(-0.2, 0.5, n),
            "actors.russia.investment_return": rng.uniform(0.5, 2.0, n),
            "context.investment_on_table": rng.uniform(1.0, 10.0, n),
            "context.investment_realisation": rng.uniform(0.1, 0.6, n),
        }
    )


@pytest.mark.parametrize("grant", [0.0, 0.25, 1.0])
def test_the_joint_gain_per_dollar_is_what_the_dollar_produces(grant):
    table = _money_table()
    loan = DealSpec(label="Credit", cooperation=1.0, grant_element=grant, aid_timing="up_front")
    _, _, payoffs = _payoffs({"credit": loan}, table)
    money = table.column("context.investment_on_table") * table.column(
        "context.investment_realisation"
    )
    rj = table.column("actors.japan.investment_return")
    rr = table.column("actors.russia.investment_return")
    japan = _component(payoffs, 1, 0, "investment")
    russia = _component(payoffs, 1, 1, "investment")
    # Own accounting per dollar: Japan gets back (1 - g)(1 + r_J) of the dollar it put in;
    # Russia gets the dollar and its return r_R, and pays back what Japan gets back.
    np.testing.assert_allclose(japan, money * ((1 - grant) * (1 + rj) - 1), rtol=1e-12)
    np.testing.assert_allclose(russia, money * (1 + rr - (1 - grant) * (1 + rj)), rtol=1e-12)
    np.testing.assert_allclose(japan + russia, money * rr, rtol=1e-12)


def test_a_pure_loan_in_exact_arithmetic():
    # 2.1 deployed (7 x 0.3), r_J = 0.2, r_R = 1: Japan earns 0.42, Russia 2.1 - 0.42.
    money, rj, rr = Fraction(7) * Fraction(3, 10), Fraction(1, 5), Fraction(1)
    table = ParameterTable.from_scenario(load_scenario(BASELINE))
    loan = DealSpec(label="Loan", cooperation=1.0, aid_timing="up_front")
    _, _, payoffs = _payoffs({"loan": loan}, table)
    japan = float(_component(payoffs, 1, 0, "investment")[0])
    russia = float(_component(payoffs, 1, 1, "investment")[0])
    assert japan == pytest.approx(float(money * rj), abs=1e-12)
    assert russia == pytest.approx(float(money * (rr - rj)), abs=1e-12)
    assert japan + russia == pytest.approx(float(money * rr), abs=1e-12)


# -- item 7: deals that need no vote ---------------------------------------------------------


def test_the_catalogue_says_which_deals_need_a_vote():
    deals = catalogue()
    assert not deals["shelve"].ratification  # an action plan
    assert not deals["aid_first"].ratification  # untied credit
    for deal_id, spec in deals.items():
        if spec.peace_treaty or any(s > 0 for s in spec.shares()):
            assert spec.ratification, deal_id


def test_a_deal_without_a_vote_gives_the_ratifier_no_veto():
    scenario = load_scenario(BASELINE)
    # A Diet far more nationalist than at the baseline: at weight 3, Japan's ratifier would
    # reject the action plan (0.31 + 2 x -0.4 < 0) that Japan's government wants.
    table = ParameterTable.from_scenario(scenario).with_values(
        {"actors.japan.ratifier_weight": [3.0]}
    )
    ev = evaluate_table(scenario, table)
    d = ev.deals.index("shelve")
    nationalist = ev.payoffs.components[0, d, 0, COMPONENTS.index("nationalist")]
    government = ev.payoffs.utility[0, d, 0]
    assert government > 0 and government + 2.0 * nationalist < 0
    assert ev.cooperative.feasible[0, d]
    assert ev.hold_up().holds[0, d]
    assert ev.payoffs.ratifier_utility[0, d, 0] == pytest.approx(government)


def test_a_treaty_still_needs_both_ratifiers():
    scenario = load_scenario(BASELINE)
    ev = evaluate_table(scenario, ParameterTable.from_scenario(scenario))
    d = ev.deals.index("four_islands")
    weight = scenario.actors.russia.ratifier_weight.value
    nationalist = ev.payoffs.components[0, d, 1, COMPONENTS.index("nationalist")]
    assert ev.payoffs.ratifier_utility[0, d, 1] == pytest.approx(
        ev.payoffs.utility[0, d, 1] + (weight - 1) * nationalist
    )


def test_a_custom_deal_may_waive_ratification(write_scenario):
    body = (
        '[deals]\nmenu = ["plan"]\n'
        '[deals.custom.plan]\nlabel = "Plan"\ncooperation = 0.5\nratification = false\n'
    )
    scenario = load_scenario(write_scenario("plan.toml", extending_baseline(body)))
    assert not scenario.deals.custom["plan"].ratification


def test_a_bad_ratification_value_is_a_one_line_error(write_scenario):
    body = '[deals.custom.plan]\nlabel = "Plan"\nratification = "no"\n'
    with pytest.raises(UserError) as info:
        load_scenario(write_scenario("bad.toml", extending_baseline(body)))
    assert info.value.key == "deals.custom.plan.ratification"
    assert "\n" not in info.value.message


# -- item 10: the USSR's alliance motive --------------------------------------------------------


def test_moscow_values_a_treaty_that_loosens_the_alliance():
    scenario = load_scenario(HISTORY / "1956_joint_declaration.toml")
    table = ParameterTable.from_scenario(scenario)
    deals = DealSet.from_specs({"status_quo": SQ, "two": catalogue()["two_islands"]})
    payoffs = compute_payoffs(table, deals)
    russia = scenario.actors.russia
    loosening = scenario.context.alliance_rivalry.value * russia.alliance_loosening_value.value
    assert loosening > 0
    # Demilitarised: no US-forces cost; the treaty loosens the alliance.
    assert _component(payoffs, 1, 1, "alliance")[0] == pytest.approx(loosening)


def test_the_alliance_motive_is_a_preference_times_an_era_level():
    base = load_scenario(BASELINE)
    for path in sorted(HISTORY.glob("*.toml")):
        scenario = load_scenario(path)
        assert (
            scenario.actors.russia.alliance_loosening_value
            == base.actors.russia.alliance_loosening_value
        ), path.name


def test_no_alliance_motive_without_a_treaty():
    scenario = load_scenario(HISTORY / "1956_joint_declaration.toml")
    table = ParameterTable.from_scenario(scenario)
    deals = DealSet.from_specs({"status_quo": SQ, "none": NO_TREATY})
    assert _component(compute_payoffs(table, deals), 1, 1, "alliance")[0] == 0.0


# -- item 11: the figures of the files -------------------------------------------------------

# US CPI-U, annual averages (BLS series CUUR0000SA0): 1991 136.2, 2003 184.0.
CPI_1991, CPI_2003 = Fraction(1362, 10), Fraction(1840, 10)


def test_the_1991_aid_figure_is_in_2003_dollars_and_used_once():
    scenario = load_scenario(HISTORY / "1991_gorbachev_tokyo.toml")
    on_table = scenario.context.investment_on_table
    assert on_table.value == pytest.approx(float(26 * CPI_2003 / CPI_1991), abs=0.05)
    assert on_table.range is not None
    assert on_table.range[1] == pytest.approx(float(28 * CPI_2003 / CPI_1991), abs=0.05)
    baseline_text = BASELINE.read_text(encoding="utf-8")
    assert "so the four together are worth about 26" not in baseline_text


def test_the_baseline_names_the_1945_populations_as_the_islands_table_does():
    rows = csv.DictReader((ROOT / "sim" / "data" / "islands.csv").open(encoding="utf-8"))
    people = {
        r["island"]: int(r["value"]) for r in rows if r["attribute"] == "population_1945_japanese"
    }
    text = " ".join(line.lstrip("# ") for line in BASELINE.read_text().splitlines())
    for island in ("Kunashiri", "Etorofu"):
        assert f"{island} {people[island]:,}" in text


def test_the_renunciation_comment_agrees_with_the_numbers():
    text = BASELINE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    japan = data["actors"]["japan"]
    four = sum(v["value"] for v in japan["island_value"].values())
    if japan["renunciation_cost"]["value"] < four:
        assert "Larger than the islands' value" not in text
