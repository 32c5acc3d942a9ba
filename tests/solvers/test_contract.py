"""The contract every registered solver keeps (after Axelrod's shared player tests).

Parametrised over :data:`sim.predict.REGISTRY`, so a solver added with ``register`` is
checked as soon as it exists:

* a batch of draws predicts, draw by draw, what each draw alone predicts;
* the prediction indexes its own menu (the sequential game's may differ from the
  scenario's), and its ids are deals of that menu;
* where every deal is worse than the status quo for one side or the other, and none
  has a joint surplus money could share out, it predicts the status quo;
* it is reproducible: the same evaluation, the same prediction;
* ``money_unit``: multiplying every money figure of the scenario by the same positive
  number (a change of unit: the payoff model is homogeneous of degree one in money)
  changes no prediction;
* ``deal_order``: listing the menu in another order changes no predicted deal.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate_table, load_scenario
from sim.model.parameters import ParameterTable, iter_parameters
from sim.predict import REGISTRY, SolverSpec
from tests.batch import assert_batch_is_a_loop
from tests.conftest import BASELINE

SPECS = list(REGISTRY.values())
MONEY = "US$ bn (2003)"


def _draws(scenario, n: int, seed: int) -> ParameterTable:
    """``n`` draws over the scenario's ranges (uniform), the rest at their values."""
    rng = np.random.default_rng(seed)
    updates = {
        p.path: rng.uniform(*p.range, size=n)
        for p in iter_parameters(scenario)
        if p.range is not None
    }
    return ParameterTable.from_scenario(scenario).with_values(updates)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def draws(baseline):
    return _draws(baseline, 24, seed=1956)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_a_batch_predicts_what_each_draw_alone_predicts(spec: SolverSpec, baseline, draws):
    def solve(rows: slice):
        prediction = spec.predict(evaluate_table(baseline, draws.take(rows)))
        return {"ids": prediction.ids, "deal": prediction.deal, "reneged": prediction.reneged}

    assert_batch_is_a_loop(solve, draws.n_draws)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_prediction_indexes_its_own_menu(spec: SolverSpec, write_scenario):
    # A sequential game over fewer deals than the scenario's menu: every index must
    # point into the menu the prediction carries.
    path = write_scenario(
        "menus.toml",
        f'extends = "{BASELINE.as_posix()}"\n[sequential]\nmenu = ["shelve", "four_phased"]\n',
    )
    scenario = load_scenario(path)
    prediction = spec.predict(evaluate_table(scenario, _draws(scenario, 40, seed=2)))
    deals = prediction.deals
    assert deals.ids[0] == "status_quo"
    assert ((prediction.deal >= 0) & (prediction.deal < len(deals))).all()
    names = {d for d in deals.ids} | {f"{d} reneged" for d in deals.ids}
    assert set(prediction.ids) <= names
    if spec.name == "sequential":
        assert deals.ids == ("status_quo", "shelve", "four_phased")


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_with_nothing_better_than_the_status_quo_it_predicts_the_status_quo(
    spec: SolverSpec, baseline
):
    # Every deal costs both sides: cooperation without progress is ruinous for Japan,
    # Japanese capital is worthless to Russia, any cession is a humiliation in Moscow
    # and a renunciation one in Tokyo, and there is no China motive.
    bleak = ParameterTable.from_scenario(baseline).with_values(
        {
            "actors.japan.no_progress_cost": 100.0,
            "actors.japan.renunciation_cost": 100.0,
            "actors.japan.investment_return": -1.0,
            "actors.japan.treaty_value": 0.0,
            "actors.japan.china_benefit": 0.0,
            "actors.russia.investment_return": -1.0,
            "actors.russia.treaty_value": 0.0,
            "actors.russia.china_benefit": 0.0,
            "actors.russia.nationalist_cost": 100.0,
        }
    )
    ev = evaluate_table(baseline, bleak)
    gains = ev.payoffs.utility[0] - ev.payoffs.utility[0, 0]
    # The construction holds: every deal is worse than no deal for at least one side, and
    # no deal has a joint surplus that money could share out.
    assert (gains[1:].min(axis=1) < 0).all() and (gains[1:].sum(axis=1) < 0).all()
    prediction = spec.predict(ev)
    assert prediction.ids.tolist() == ["status_quo"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_same_evaluation_gives_the_same_prediction(spec: SolverSpec, baseline, draws):
    first = spec.predict(evaluate_table(baseline, draws))
    again = spec.predict(evaluate_table(baseline, draws))
    assert first.ids.tolist() == again.ids.tolist()


def _money_paths(scenario) -> list[str]:
    from sim.text import schema_unit

    return [p.path for p in iter_parameters(scenario) if schema_unit(p.path) == MONEY]


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if "money_unit" in s.invariances], ids=lambda s: s.name
)
@pytest.mark.parametrize("factor", [0.001, 7.5])
def test_a_change_of_money_unit_changes_no_prediction(spec: SolverSpec, baseline, draws, factor):
    scaled = draws.with_values({p: draws.column(p) * factor for p in _money_paths(baseline)})
    base = spec.predict(evaluate_table(baseline, draws))
    other = spec.predict(evaluate_table(baseline, scaled))
    assert other.ids.tolist() == base.ids.tolist()


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if "deal_order" in s.invariances], ids=lambda s: s.name
)
def test_listing_the_menu_in_another_order_changes_no_predicted_deal(
    spec: SolverSpec, baseline, draws, write_scenario
):
    menu = list(evaluate_table(baseline, draws.take(slice(0, 1))).deals.ids[1:])
    listed = ", ".join(f'"{d}"' for d in reversed(menu))
    text = f'extends = "{BASELINE.as_posix()}"\n[deals]\nmenu = [{listed}]\n'
    reordered = load_scenario(write_scenario("reordered.toml", text))
    ours = spec.predict(evaluate_table(baseline, draws)).ids.tolist()
    theirs = spec.predict(evaluate_table(reordered, draws)).ids.tolist()
    assert theirs == ours


def test_the_money_unit_check_scales_every_utility(baseline, draws):
    """The construction behind the money-unit contract: utilities scale with the unit."""
    scaled = draws.with_values({p: draws.column(p) * 7.5 for p in _money_paths(baseline)})
    a = evaluate_table(baseline, draws).payoffs.utility
    b = evaluate_table(baseline, scaled).payoffs.utility
    np.testing.assert_allclose(b, 7.5 * a, rtol=1e-12, atol=1e-12)
