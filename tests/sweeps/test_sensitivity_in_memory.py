"""``kurilsim sensitivity`` evaluated in memory: the same indices as the routes it replaces.

Two independent routes are written here: SALib by hand (its sampler, the public
evaluation API on the whole design at once, its analysis with the documented bootstrap
stream), and the sweep route the command used before (the sweep runner, its
``results.parquet``, the results-table analysis).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as salib_sobol_analyze
from SALib.sample import sobol as salib_sobol_sample
from typer.testing import CliRunner

from sim import load_scenario
from sim.cli import app
from sim.errors import UserError
from sim.evaluate import evaluate_table
from sim.model.parameters import ParameterTable
from sim.predict import get
from sim.sweeps.analysis import sensitivity as results_sensitivity
from sim.sweeps.runner import plan_sweep, run_sweep
from sim.sweeps.samplers import sample
from sim.sweeps.sensitivity import design_sensitivity, evaluate_outcomes
from sim.sweeps.spec import sweep_space
from tests.conftest import BASELINE

PARAMS = {
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
    "actors.japan.china_benefit": {"range": [0.0, 2.0]},
}
SEED, BASE = 11, 64


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def space(scenario):
    return sweep_space(scenario, PARAMS)


def _by_hand(scenario, space, outcome: str) -> tuple[pd.DataFrame, np.ndarray]:
    """SALib's sampler and analysis around one evaluation of the whole design."""
    problem = space.salib_problem()
    unit = salib_sobol_sample.sample(problem, BASE, calc_second_order=False, seed=SEED)
    values = space.from_unit(unit)
    table = ParameterTable.from_scenario(scenario).with_values(
        dict(zip(space.names, values.T, strict=True))
    )
    ev = evaluate_table(scenario, table)
    if "=" in outcome:
        solver, deal = outcome.split("=")
        y = (get(solver).predict(ev).ids == deal).astype(float)
    else:
        kind, deal = outcome.split("_", 1)
        test = ev.hold_up()
        column = test.deal_ids.index(deal)
        y = (test.margin if kind == "margin" else test.holds)[:, column].astype(float)
    # the documented bootstrap stream: SeedSequence([design seed, 1])
    si = salib_sobol_analyze.analyze(
        problem, y, calc_second_order=False, seed=np.random.SeedSequence([SEED, 1])
    )
    frame = pd.DataFrame(
        {k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(space.names, name="parameter"),
    )
    return frame.sort_values("ST", ascending=False), y


@pytest.mark.parametrize("outcome", ["margin_shelve", "holds_shelve", "nash=shelve"])
def test_in_memory_indices_are_salib_by_hand(scenario, space, outcome) -> None:
    expected, y = _by_hand(scenario, space, outcome)
    assert np.ptp(y) > 0, "the test needs an outcome that varies"
    design = sample(space, "sobol", BASE, SEED)
    (found,) = design_sensitivity(scenario, design, [outcome], chunk_size=50)
    assert found.outcome == outcome and found.table is not None
    pd.testing.assert_frame_equal(found.table, expected, check_exact=True)


def test_in_memory_outcomes_are_the_sweep_runners(scenario, space, tmp_path) -> None:
    """The same numbers as the sweep, its Parquet file and the results-table analysis."""
    plan = plan_sweep(scenario, space, "sobol", BASE, SEED, 100)
    done = run_sweep(plan, tmp_path / "sweep", executor="serial")
    results = pd.read_parquet(done.results)
    outcomes = ["margin_shelve", "holds_two_islands", "nash=shelve", "sequential=shelve"]
    ours = evaluate_outcomes(scenario, plan.design, outcomes, chunk_size=plan.chunk_size)
    for name in ("margin_shelve", "holds_two_islands"):
        np.testing.assert_array_equal(ours[name], results[name].to_numpy(dtype=float))
    for name in ("nash", "sequential"):
        expected = (results[name] == "shelve").to_numpy(dtype=float)
        np.testing.assert_array_equal(ours[f"{name}=shelve"], expected)
    old = results_sensitivity(plan.design, results, outcomes)
    new = design_sensitivity(scenario, plan.design, outcomes, chunk_size=plan.chunk_size)
    for before, after in zip(old, new, strict=True):
        assert (before.outcome, before.note) == (after.outcome, after.note)
        if before.table is not None:
            pd.testing.assert_frame_equal(before.table, after.table, check_exact=True)


def test_default_outcomes_are_the_deal_that_holds_up_most_often(scenario, space) -> None:
    design = sample(space, "sobol", 16, SEED)
    table = ParameterTable.from_scenario(scenario).with_values(
        dict(zip(space.names, design.values.T, strict=True))
    )
    test = evaluate_table(scenario, table).hold_up()
    counts = test.holds[:, 1:].sum(axis=0)
    deal = test.deal_ids[1 + int(np.argmax(counts))]
    found = evaluate_outcomes(scenario, design, chunk_size=7)
    assert list(found) == [f"margin_{deal}", f"holds_{deal}"]
    d = test.deal_ids.index(deal)
    np.testing.assert_array_equal(found[f"margin_{deal}"], test.margin[:, d])
    np.testing.assert_array_equal(found[f"holds_{deal}"], test.holds[:, d].astype(float))


def test_a_swept_setting_is_evaluated_setting_by_setting(scenario) -> None:
    """Who proposes is not a number: each value is its own scenario, as in a sweep."""
    space = sweep_space(
        scenario,
        {
            "sequential.proposer": {"values": ["japan", "russia"]},
            "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
        },
    )
    design = sample(space, "sobol", 16, SEED)
    found = evaluate_outcomes(scenario, design, ["sequential=shelve"], chunk_size=10)
    codes = design.values[:, 0]
    assert set(codes) == {0.0, 1.0}
    for code, proposer in enumerate(("japan", "russia")):
        rows = np.flatnonzero(codes == code)
        variant = load_scenario(BASELINE, overrides={"sequential.proposer": f'"{proposer}"'})
        table = ParameterTable.from_scenario(variant).with_values(
            {"actors.japan.no_progress_cost": design.values[rows, 1]}
        )
        predicted = get("sequential").predict(evaluate_table(variant, table)).ids
        np.testing.assert_array_equal(found["sequential=shelve"][rows], predicted == "shelve")


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("margin_shelv", "did you mean 'margin_shelve'"),
        ("margin_status_quo", "unknown outcome 'margin_status_quo'"),
        ("fails_shelve", "expected margin_<deal>, holds_<deal> or SOLVER=DEAL"),
        ("nahs=shelve", "did you mean 'nash'"),
        ("nash=shelv", "nash never predicts 'shelv' \\(did you mean 'shelve'"),
    ],
)
def test_unknown_outcomes_are_user_errors(scenario, space, outcome, message) -> None:
    with pytest.raises(UserError, match=message):
        evaluate_outcomes(scenario, sample(space, "sobol", 2, SEED), [outcome])


def test_the_command_names_a_misspelt_deal_and_exits_2(tmp_path) -> None:
    """A misspelt deal once gave "does not vary in this sweep" instead of an error."""
    result = CliRunner().invoke(
        app,
        ["sensitivity", str(BASELINE), "--samples", "4", "--quiet", "-o", str(tmp_path / "s"),
         "--outcome", "nash=shelv"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "never predicts 'shelv'" in result.stderr


def test_the_command_is_reproducible_and_records_its_seed(tmp_path) -> None:
    args = ["sensitivity", str(BASELINE), "--samples", "16", "--quiet", "--seed", "5"]
    for name in ("a", "b"):
        result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    first, second = (
        json.loads((tmp_path / name / "sensitivity.json").read_text()) for name in ("a", "b")
    )
    assert first == second and first["seed"] == 5
