"""Sensitivity and tipping points on scenarios, through the command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import UserError, load_scenario
from sim.cli import app
from sim.sweeps.analysis import outcome_values, scenario_tipping_points
from sim.sweeps.spec import sweep_space
from tests.conftest import BASELINE

runner = CliRunner()


def test_tipping_point_of_shelving_matches_the_closed_form():
    """Japan's gain from shelving is linear in its no-progress cost n:
    u = I*rho*0.5*r + chi*b*0.25 - 0.5*n, so the Nash solution leaves shelving at
    n* = 2*(I*rho*0.5*r + chi*b*0.25) for the government. The action plan needs no vote,
    so the ratifier (weight w) has no veto and the government's threshold is the one."""
    scenario = load_scenario(BASELINE)
    c, j = scenario.context, scenario.actors.japan
    gain = (
        c.investment_on_table.value
        * c.investment_realisation.value
        * 0.5
        * j.investment_return.value
        + c.china_pressure.value * j.china_benefit.value * 0.25
    )
    threshold = 2 * gain
    space = sweep_space(scenario, {"actors.japan.no_progress_cost": {"range": [0.2, 3.0]}})
    (found,) = scenario_tipping_points(scenario, space, "nash")
    (point,) = found.points
    assert point.value == pytest.approx(threshold, abs=1e-5)
    assert found.deal_ids[point.below] == "shelve"
    assert found.deal_ids[point.above] == "status_quo"


def test_tipping_points_command_json():
    result = runner.invoke(
        app,
        [
            "tipping-points",
            str(BASELINE),
            "--json",
            "--param",
            "actors.japan.no_progress_cost={ range = [0.2, 3.0] }",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (parameter,) = data["parameters"]
    assert parameter["tipping_points"][0]["below"] == "shelve"


def test_unknown_solver_exits_2():
    result = runner.invoke(app, ["tipping-points", str(BASELINE), "--solver", "nahs"])
    assert result.exit_code == 2
    assert "did you mean 'nash'" in result.stderr


def test_outcome_values():
    frame = pd.DataFrame(
        {
            "nash": ["shelve", "status_quo"],
            "margin_shelve": [0.5, -1.0],
            "holds_shelve": [True, False],
        }
    )
    assert outcome_values(frame, "nash=shelve").tolist() == [1.0, 0.0]
    assert outcome_values(frame, "margin_shelve").tolist() == [0.5, -1.0]
    with pytest.raises(UserError, match="did you mean 'margin_shelve'"):
        outcome_values(frame, "margin_shelv")


def test_sensitivity_command_ranks_the_only_relevant_parameter_first(tmp_path):
    """Only Japan's no-progress cost moves shelving's margin among these three."""
    params = [
        "--param",
        "actors.japan.no_progress_cost={ range = [0.2, 3.0] }",
        "--param",
        "actors.russia.island_value.etorofu={ range = [2.5, 10] }",
        "--param",
        "actors.japan.alliance_cost={ range = [10, 40] }",
    ]
    result = runner.invoke(
        app,
        [
            "sensitivity",
            str(BASELINE),
            "--samples",
            "64",
            "--executor",
            "serial",
            "--quiet",
            "--outcome",
            "margin_shelve",
            "-o",
            str(tmp_path / "s"),
            *params,
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "s" / "sensitivity.json").read_text())
    indices = data["outcomes"]["margin_shelve"]["indices"]
    first = indices[0]
    assert first["parameter"] == "actors.japan.no_progress_cost"
    assert first["ST"] == pytest.approx(1.0, abs=0.1)
    others = [row["ST"] for row in indices[1:]]
    assert np.allclose(others, 0.0, atol=1e-9)


def test_sensitivity_needs_a_suitable_method(tmp_path):
    result = runner.invoke(
        app, ["sensitivity", str(BASELINE), "--method", "lhs", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "expected sobol, morris or oat" in result.stderr
