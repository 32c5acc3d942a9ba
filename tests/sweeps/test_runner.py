"""Sweeps: determinism across executors, resume after a kill, atomic files, bad specs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import UserError, load_scenario
from sim.cli import app
from sim.sweeps.runner import plan_sweep, run_sweep
from sim.sweeps.spec import sweep_space
from sim.sweeps.summary import wilson_interval
from tests.conftest import BASELINE, extending_baseline

PARAMS = {
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
}


def _plan(method="mc", n=600, chunk=100, params=PARAMS):
    scenario = load_scenario(BASELINE)
    return plan_sweep(scenario, sweep_space(scenario, params), method, n, 7, chunk)


def _results(folder) -> pd.DataFrame:
    return pd.read_parquet(Path(folder) / "results.parquet")


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    run_sweep(_plan(), folder, executor="serial")
    return _results(folder)


def test_results_have_inputs_outcomes_and_hold_up_flags(serial):
    assert len(serial) == 600
    assert serial["draw"].tolist() == list(range(600))
    for column in (
        *PARAMS,
        "nash",
        "sequential",
        "posture",
        "alternating",
        "holds_shelve",
        "fails_two_islands",
        "margin_four_phased",
    ):
        assert column in serial.columns
    holds = serial["holds_shelve"]
    assert (serial.loc[holds, "fails_shelve"] == "").all()
    assert (serial.loc[~holds, "fails_shelve"] != "").all()
    assert ((serial["margin_shelve"] > 0) | ~holds).all()


@pytest.mark.parametrize("workers", [1, 2])
def test_local_processes_give_identical_results(serial, tmp_path, workers):
    run_sweep(_plan(), tmp_path, executor="local", workers=workers)
    pd.testing.assert_frame_equal(_results(tmp_path), serial)


def test_dask_local_cluster_gives_identical_results(serial, tmp_path):
    pytest.importorskip("dask.distributed")
    run_sweep(_plan(), tmp_path, executor="dask", workers=2)
    pd.testing.assert_frame_equal(_results(tmp_path), serial)


def test_same_seed_same_design_other_seed_other_draws(serial, tmp_path):
    scenario = load_scenario(BASELINE)
    other = plan_sweep(scenario, sweep_space(scenario, PARAMS), "mc", 600, 8, 100)
    run_sweep(other, tmp_path, executor="serial")
    assert not _results(tmp_path)[list(PARAMS)].equals(serial[list(PARAMS)])


def test_summary_counts_match_the_results(serial, tmp_path):
    done = run_sweep(_plan(), tmp_path, executor="serial")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary == done.summary.to_json()
    rate = serial["holds_shelve"].mean()
    assert summary["deals"]["shelve"]["hold_up_rate"] == pytest.approx(rate)
    low, high = summary["deals"]["shelve"]["interval_95"]
    assert low <= rate <= high
    nash = serial["nash"].value_counts(normalize=True).to_dict()
    assert summary["predictions"]["nash"] == pytest.approx(nash)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["chunks"]) == 6
    assert manifest["sweep"]["seed"] == 7 and "numpy" in manifest["versions"]


def test_wilson_interval_against_a_textbook_value():
    # 81 successes in 263 trials: Wilson 95% interval (0.2553, 0.3662) (Newcombe 1998).
    low, high = wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)


def test_a_finished_folder_is_not_overwritten_and_resume_skips_everything(tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    with pytest.raises(UserError, match="already holds a sweep"):
        run_sweep(_plan(), tmp_path, executor="serial")
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_run == 0 and again.chunks_skipped == 6


def test_resume_refuses_a_changed_spec(tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    with pytest.raises(UserError, match="fingerprint mismatch"):
        run_sweep(_plan(n=500), tmp_path, executor="serial", resume=True)


def test_a_sweep_killed_mid_run_resumes_to_identical_results(serial, tmp_path):
    """Really kill a sweep process with SIGKILL, then resume it."""
    out = tmp_path / "killed"
    params = [
        f"--param={path}={{ range = [{r['range'][0]}, {r['range'][1]}] }}"
        for path, r in PARAMS.items()
    ]
    command = [
        sys.executable,
        "-m",
        "sim",
        "sweep",
        str(BASELINE),
        "--method",
        "mc",
        "--samples",
        "600",
        "--seed",
        "7",
        "--chunk-size",
        "100",
        "--executor",
        "serial",
        "--quiet",
        "-o",
        str(out),
        *params,
    ]
    slow = {**os.environ, "KURILSIM_TEST_CHUNK_DELAY": "0.4"}
    process = subprocess.Popen(command, env=slow)
    chunks = out / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(chunks.glob("*.parquet"))) < 2:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = sorted(chunks.glob("*.parquet"))
    assert 2 <= len(finished) < 6, "the kill came too late to test a resume"
    for path in finished:  # every chunk file on disk is complete
        assert len(pd.read_parquet(path)) == 100
    assert not (out / "results.parquet").exists()
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(_results(out), serial)


runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--param", "actors.russia.nationalist_cots={ range = [1, 2] }"], "did you mean"),
        (["--param", "actors.russia.nationalist_cost={ range = [5, 1] }"], "range"),
        (["--param", "actors.russia.nationalist_cost={ distribution = 'gamma' }"], "gamma"),
        (["--param", "actors.russia.nationalist_cost=3"], "expected path={"),
        (["--method", "bogus"], "unknown method 'bogus'"),
        (["--param", "scenario.name={ values = ['a', 'b'] }", "--samples", "4"], "scenario.name"),
    ],
)
def test_bad_sweep_specs_exit_2(tmp_path, args, message):
    result = runner.invoke(app, ["sweep", str(BASELINE), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "out" / "results.parquet").exists()


def test_resume_with_a_changed_scenario_exits_2(tmp_path, write_scenario):
    out = tmp_path / "sweep"
    base = [
        "sweep",
        str(BASELINE),
        "--samples",
        "50",
        "--quiet",
        "-o",
        str(out),
        "--executor",
        "serial",
        "--method",
        "mc",
    ]
    assert runner.invoke(app, base).exit_code == 0
    changed = runner.invoke(app, [*base, "--resume", "--set", "actors.japan.patience=0.95"])
    assert changed.exit_code == 2
    assert "fingerprint mismatch" in changed.stderr


def test_sweep_section_of_a_scenario_file(write_scenario, tmp_path):
    path = write_scenario(
        "swept.toml",
        extending_baseline(
            '[sweep]\nmethod = "grid"\nsamples = 9\n'
            '[sweep.parameters]\n"actors.russia.nationalist_cost" = { range = [1, 9] }\n'
            '"sequential.proposer" = { values = ["japan", "russia"] }\n'
        ),
    )
    result = runner.invoke(
        app, ["sweep", str(path), "--quiet", "-o", str(tmp_path / "g"), "--executor", "serial"]
    )
    assert result.exit_code == 0, result.output
    frame = _results(tmp_path / "g")
    assert set(frame["sequential.proposer"]) == {"japan", "russia"}
    assert frame["actors.russia.nationalist_cost"].nunique() >= 2


def test_pure_posture_equilibria_agree_where_every_equilibrium_is_pure(tmp_path):
    from sim.sweeps.outcomes import evaluate_chunk

    scenario = load_scenario(BASELINE, overrides={"sweep.posture_equilibria": '"all"'})
    fast = load_scenario(BASELINE, overrides={"sweep.posture_equilibria": '"pure"'})
    space = sweep_space(scenario, PARAMS)
    values = _plan().values(0)
    full, pure = evaluate_chunk(scenario, space, values), evaluate_chunk(fast, space, values)
    from sim.evaluate import evaluate_table
    from sim.model.parameters import ParameterTable

    table = ParameterTable.from_scenario(scenario).with_values(
        dict(zip(space.names, values.T, strict=True))
    )
    batch = evaluate_table(scenario, table).posture_batch()
    all_pure = batch.pure.sum(axis=(1, 2)) == batch.n_equilibria
    assert all_pure.any()
    assert (full["posture"][all_pure] == pure["posture"][all_pure]).all()


def test_an_output_folder_that_cannot_be_made_exits_2(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(
        app,
        [
            "sweep",
            str(BASELINE),
            "-o",
            str(blocker),
            "--quiet",
            "--samples",
            "10",
            "--executor",
            "serial",
        ],
    )
    assert result.exit_code == 2
    assert "cannot create the folder" in result.stderr


def test_a_number_swept_over_a_list_is_evaluated_at_those_values(tmp_path):
    """Values of { values = [...] } were once evaluated at their codes 0, 1, ..."""
    from sim import evaluate

    scenario = load_scenario(BASELINE)
    space = sweep_space(scenario, {"actors.russia.nationalist_cost": {"values": [2.5, 9.0]}})
    plan = plan_sweep(scenario, space, "grid", 2, 0, 10)
    run_sweep(plan, tmp_path / "s", executor="serial")
    results = _results(tmp_path / "s")
    assert sorted(results["actors.russia.nationalist_cost"]) == [2.5, 9.0]
    for _, row in results.iterrows():
        value = row["actors.russia.nationalist_cost"]
        alone = evaluate(
            load_scenario(BASELINE, overrides={"actors.russia.nationalist_cost": value})
        )
        d = alone.deals.index("two_islands")
        u, r = alone.payoffs.utility[0], alone.payoffs.ratifier_utility[0]
        smallest = min(u[d, 0] - u[0, 0], u[d, 1] - u[0, 1], r[d, 0] - r[0, 0], r[d, 1] - r[0, 1])
        assert row["margin_two_islands"] == pytest.approx(smallest, abs=1e-12)
