"""The payoff model against hand-computed values of its formulas, and batch invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_scenario
from sim.evaluate import menu_of
from sim.model.parameters import ParameterTable, iter_parameters
from sim.model.payoffs import COMPONENTS, compute_payoffs
from tests.batch import assert_batch_is_a_loop
from tests.conftest import BASELINE

AREA = {"habomai": 95, "shikotan": 251, "kunashiri": 1490, "etorofu": 3168}
TOTAL_AREA = sum(AREA.values())


@pytest.fixture(scope="module")
def baseline():
    scenario = load_scenario(BASELINE)
    deals = menu_of(scenario)
    payoffs = compute_payoffs(ParameterTable.from_scenario(scenario), deals)
    return scenario, deals, payoffs


def component(baseline, deal, actor, name):
    _, deals, payoffs = baseline
    a = 0 if actor == "japan" else 1
    return payoffs.components[0, deals.index(deal), a, COMPONENTS.index(name)]


def test_status_quo_is_zero_for_everyone(baseline):
    _, deals, payoffs = baseline
    np.testing.assert_allclose(payoffs.components[0, deals.index("status_quo")], 0.0)


def test_territory_two_islands(baseline):
    scenario, _, _ = baseline
    vj, vr = scenario.actors.japan.island_value, scenario.actors.russia.island_value
    assert component(baseline, "two_islands", "japan", "territory") == pytest.approx(
        vj.habomai.value + vj.shikotan.value
    )
    assert component(baseline, "two_islands", "russia", "territory") == pytest.approx(
        -(vr.habomai.value + vr.shikotan.value)
    )


def test_phased_transfer_is_discounted(baseline):
    scenario, _, _ = baseline
    japan, russia = scenario.actors.japan, scenario.actors.russia
    full = sum(getattr(japan.island_value, k).value for k in AREA)
    territory = full * japan.patience.value**15
    assert component(baseline, "four_phased", "japan", "territory") == pytest.approx(territory)
    # The US-forces cost falls due when the islands are handed over, 15 years on.
    assert component(baseline, "four_phased", "russia", "alliance") == pytest.approx(
        -russia.us_forces_cost.value * russia.patience.value**15
    )
    # A treaty performed is worth its whole value, part before and part after the transfer.
    assert component(baseline, "four_phased", "russia", "treaty") == pytest.approx(
        russia.treaty_value.value
    )


def test_no_expected_loss_term_on_top_of_the_renege_stage():
    assert "credibility" not in COMPONENTS


def test_nationalist_costs_two_islands(baseline):
    scenario, _, _ = baseline
    japan, russia = scenario.actors.japan, scenario.actors.russia
    values = {k: getattr(japan.island_value, k).value for k in AREA}
    progress = (values["habomai"] + values["shikotan"]) / sum(values.values())
    assert component(baseline, "two_islands", "japan", "nationalist") == pytest.approx(
        -(japan.renunciation_cost.value + japan.no_progress_cost.value * (1 - progress))
    )
    area = (AREA["habomai"] + AREA["shikotan"]) / TOTAL_AREA
    assert component(baseline, "two_islands", "russia", "nationalist") == pytest.approx(
        -(
            russia.nationalist_cost.value
            + russia.nationalist_cost_per_area.value * area
            + russia.money_for_land_cost.value
        )
    )


def test_investment_and_grant(baseline):
    scenario, _, _ = baseline
    money = (
        scenario.context.investment_on_table.value * scenario.context.investment_realisation.value
    )
    rj = scenario.actors.japan.investment_return.value
    rr = scenario.actors.russia.investment_return.value
    assert component(baseline, "shelve", "japan", "investment") == pytest.approx(money * rj * 0.5)
    # aid_first: half lent (back with Japan's return), half given.
    assert component(baseline, "aid_first", "japan", "investment") == pytest.approx(
        money * (0.5 * rj - 0.5)
    )
    assert component(baseline, "aid_first", "russia", "investment") == pytest.approx(
        money * (1 + rr - 0.5 * (1 + rj))
    )


def test_china_and_alliance(baseline):
    scenario, _, _ = baseline
    chi = scenario.context.china_pressure.value
    assert component(baseline, "two_islands", "russia", "china") == pytest.approx(
        chi * scenario.actors.russia.china_benefit.value
    )
    assert component(baseline, "shelve", "japan", "china") == pytest.approx(
        chi * scenario.actors.japan.china_benefit.value * 0.25
    )
    assert component(baseline, "two_islands", "japan", "alliance") == pytest.approx(
        -scenario.context.us_pressure.value * scenario.actors.japan.alliance_cost.value
    )
    # Demilitarised in 1956; not so the three-island compromise.
    assert component(baseline, "two_islands", "russia", "alliance") == 0.0
    vr = {k: getattr(scenario.actors.russia.island_value, k).value for k in AREA}
    strategic = (vr["habomai"] + vr["shikotan"] + vr["kunashiri"]) / sum(vr.values())
    assert component(baseline, "three_islands", "russia", "alliance") == pytest.approx(
        -scenario.actors.russia.us_forces_cost.value * strategic
    )


def test_ratifiers_weigh_nationalist_costs_more(baseline):
    scenario, _, payoffs = baseline
    weights = np.array(
        [scenario.actors.japan.ratifier_weight.value, scenario.actors.russia.ratifier_weight.value]
    )
    nationalist = payoffs.components[0, :, :, COMPONENTS.index("nationalist")]
    _, deals, _ = baseline
    votes = np.array([spec.ratification for spec in deals.specs], dtype=float)[:, None]
    np.testing.assert_allclose(
        payoffs.ratifier_utility[0], payoffs.utility[0] + (weights - 1) * nationalist * votes
    )
    assert (payoffs.ratifier_utility[0] <= payoffs.utility[0] + 1e-12).all()


def _random_table(scenario, n, seed):
    base = ParameterTable.from_scenario(scenario)
    rng = np.random.default_rng(seed)
    draws = {}
    for p in iter_parameters(scenario):
        if p.range is not None:
            draws[p.path] = rng.uniform(*p.range, size=n)
    return base.with_values(draws)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40))
def test_batch_equals_a_loop_of_single_draws(seed, n):
    scenario = load_scenario(BASELINE)
    deals = menu_of(scenario)
    table = _random_table(scenario, n, seed)

    def components(rows: slice):
        return {"components": compute_payoffs(table.take(rows), deals).components}

    assert_batch_is_a_loop(components, n, rtol=1e-14)


def test_higher_russian_nationalist_cost_hurts_only_cessions():
    scenario = load_scenario(BASELINE)
    deals = menu_of(scenario)
    table = ParameterTable.from_scenario(scenario).with_values(
        {"actors.russia.nationalist_cost": [2.0, 6.0]}
    )
    russia = compute_payoffs(table, deals).utility[:, :, 1]
    change = russia[1] - russia[0]
    cedes = deals.shares.sum(axis=1) > 0
    np.testing.assert_allclose(change[cedes], -4.0)
    np.testing.assert_allclose(change[~cedes], 0.0)


def test_terms_multiplying_one_feature_are_merged_without_changing_a_utility(monkeypatch):
    from sim.model import payoffs as pm

    scenario = load_scenario(BASELINE)
    table = ParameterTable.from_scenario(scenario)
    deals = menu_of(scenario)
    merged = compute_payoffs(table, deals)
    for terms in merged.terms:
        keys = {
            (c, w, f.tobytes())
            for c, w, f in zip(terms.component, terms.due, terms.features, strict=True)
        }
        assert len(keys) == len(terms.component)  # no two rows share component, date, feature
    # The same utilities with every term kept apart: each term's product summed by hand.
    items = []
    real_build = pm._TermList.build

    def keep(self):
        items.append(list(self._items))
        return real_build(self)

    monkeypatch.setattr(pm._TermList, "build", keep)
    compute_payoffs(table, deals)
    assert len(items) == 2 and all(
        len(k) > len(t.component) for k, t in zip(items, merged.terms, strict=True)
    )
    for side, kept in enumerate(items):
        by_hand = sum(np.outer(coefficient, feature) for _, coefficient, feature, _ in kept)
        assert np.allclose(by_hand, merged.utility[:, :, side], rtol=1e-12, atol=1e-12)
