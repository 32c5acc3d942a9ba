"""Sweep limits: memory checked before a design is built, bounded chunk counts, per-chunk
seeds, and a full disk reported as a user error."""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import UserError, load_scenario
from sim.cli import app
from sim.sweeps import runner as runner_module
from sim.sweeps.runner import (
    MAX_CHUNKS,
    MEMORY_FRACTION,
    design_rows,
    plan_sweep,
    run_sweep,
)
from sim.sweeps.samplers import METHODS, sample
from sim.sweeps.spec import sweep_space
from tests.conftest import BASELINE

PARAMS = {
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
}
WITH_DISCRETE = {**PARAMS, "sequential.proposer": {"values": ["japan", "russia"]}}
cli = CliRunner()


def _space(params=PARAMS):
    scenario = load_scenario(BASELINE)
    return scenario, sweep_space(scenario, params)


def _plan(n=600, chunk=100, method="mc", seed=7):
    scenario, space = _space()
    return plan_sweep(scenario, space, method, n, seed, chunk)


# -- memory -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("params", [PARAMS, WITH_DISCRETE], ids=["continuous", "discrete"])
@pytest.mark.parametrize("n", [1, 7, 50, 300])
def test_the_size_of_a_design_is_known_before_it_is_built(method, params, n):
    _, space = _space(params)
    assert design_rows(space, method, n) == sample(space, method, n, seed=3).n_rows


def test_a_design_that_does_not_fit_in_memory_is_refused_before_it_is_built(monkeypatch):
    scenario, space = _space()
    monkeypatch.setattr(runner_module, "available_memory", lambda: 1_000_000_000)

    def never(*args, **kwargs):
        raise AssertionError("the design was built")

    monkeypatch.setattr(runner_module, "sample", never)
    for method in ("lhs", "sobol", "morris"):
        with pytest.raises(UserError) as caught:
            plan_sweep(scenario, space, method, 10**8, 1, 10_000)
        limit = f"{MEMORY_FRACTION * 1_000_000_000 / 1e6:.1f} MB"
        message = str(caught.value)
        assert re.search(r"needs about [\d.]+ GB of memory", message), message
        assert f"more than the limit of {limit}" in message


def test_a_design_that_fits_is_built(monkeypatch):
    monkeypatch.setattr(runner_module, "available_memory", lambda: 1_000_000_000)
    plan = _plan(n=1000, method="lhs")
    assert plan.n_rows == 1000


@pytest.mark.parametrize("method", ["lhs", "sobol", "morris", "grid"])
def test_a_trillion_samples_is_refused_with_exit_2(tmp_path, method):
    """Before the check: numpy 'Unable to allocate 255 TiB', or a segfault (Morris)."""
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(BASELINE), "--method", method,
         "--samples", str(10**12), "--quiet", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_too_many_chunks_are_refused(tmp_path):
    with pytest.raises(UserError, match=r"chunk files, more than 1,000,000"):
        _plan(n=MAX_CHUNKS + 1, chunk=1)
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(BASELINE), "--method", "mc",
         "--samples", str(10**12), "--quiet", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "--chunk-size of at least" in done.stderr
    assert not (tmp_path / "out").exists()


def test_chunks_too_big_for_memory_are_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "available_memory", lambda: 1_000_000_000)
    plan = _plan(n=10**6, chunk=10**6)
    with pytest.raises(UserError, match="chunks of 1,000,000 draws in flight"):
        run_sweep(plan, tmp_path / "out", executor="local", workers=2)
    assert not (tmp_path / "out").exists()


# -- a seed per chunk -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_chunk_k_is_drawn_from_the_kth_child_of_the_seed(seed):
    children = np.random.SeedSequence(seed).spawn(30)
    for k in (0, 1, 17, 29):
        own = np.random.SeedSequence(seed, spawn_key=(k,))
        assert (own.generate_state(8) == children[k].generate_state(8)).all()
    scenario, space = _space()
    plan = plan_sweep(scenario, space, "mc", 3000, seed, 100)
    for k in (0, 17, 29):
        unit = np.random.default_rng(children[k]).random((100, len(space)))
        np.testing.assert_array_equal(plan.values(k), space.from_unit(unit))


def test_drawing_a_chunk_does_not_spawn_every_seed(monkeypatch):
    class NoSpawn(np.random.SeedSequence):
        def spawn(self, n_children):
            raise AssertionError(f"spawned {n_children} seeds to draw one chunk")

    plan = _plan(n=10**6, chunk=1)
    monkeypatch.setattr(np.random, "SeedSequence", NoSpawn)
    assert plan.values(999_999).shape == (1, 3)


# -- a full disk ----------------------------------------------------------------------------


def _disk_full_after(monkeypatch, chunks_written):
    real = runner_module._write_chunk
    calls = []

    def write(*args, **kwargs):
        calls.append(1)
        if len(calls) > chunks_written:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(runner_module, "_write_chunk", write)


def test_a_full_disk_is_a_user_error_and_the_finished_chunks_are_kept(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _disk_full_after(monkeypatch, 2)
    with pytest.raises(UserError) as caught:
        run_sweep(_plan(), out, executor="serial")
    message = str(caught.value)
    assert message.startswith(f"{out}: the disk is full")
    assert re.search(r"about [\d.]+ (KB|MB) needed", message) and "--resume" in message
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["index"] for c in manifest["chunks"]] == [0, 1]
    assert not (out / "results.parquet").exists()
    assert not [p for p in out.rglob(".*.tmp*")]
    monkeypatch.undo()
    run_sweep(_plan(), out, executor="serial", resume=True)
    reference = tmp_path / "reference"
    run_sweep(_plan(), reference, executor="serial")
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "results.parquet"), pd.read_parquet(reference / "results.parquet")
    )


def test_a_full_disk_before_the_first_chunk_leaves_nothing(tmp_path, monkeypatch):
    _disk_full_after(monkeypatch, 0)
    result = cli.invoke(
        app,
        ["sweep", str(BASELINE), "--samples", "50", "--executor", "serial", "--quiet",
         "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "the disk is full" in result.stderr and "--resume" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_full_disk_while_writing_the_results_is_a_user_error(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    class Full(pq.ParquetWriter):
        def write_table(self, table, row_group_size=None):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "ParquetWriter", Full)
    with pytest.raises(UserError, match="the disk is full"):
        run_sweep(_plan(), tmp_path, executor="serial")
    assert not (tmp_path / "results.parquet").exists()
    assert not [p for p in Path(tmp_path).rglob(".*.tmp*")]
