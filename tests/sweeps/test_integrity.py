"""Sweep folders: a resume that verifies each chunk, one writer at a time, and nothing of
the user's removed or overwritten."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim import UserError, load_scenario
from sim.cli import app
from sim.outputs import LOCK, OutputFolder
from sim.sweeps import runner as runner_module
from sim.sweeps.runner import load_finished, plan_sweep, run_sweep
from sim.sweeps.spec import sweep_space
from tests.conftest import BASELINE

PARAMS = {
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
}
cli = CliRunner()
DEAD = 2**22 + 12345  # above the default pid_max: no such process


def _plan(seed=7, n=600, chunk=100, method="mc"):
    scenario = load_scenario(BASELINE)
    return plan_sweep(scenario, sweep_space(scenario, PARAMS), method, n, seed, chunk)


def _results(folder) -> pd.DataFrame:
    return pd.read_parquet(Path(folder) / "results.parquet")


def _chunk(folder, k) -> Path:
    """Chunk k: in results.parquet/ once the sweep is complete, in chunks/ before."""
    done = Path(folder) / "results.parquet"
    where = done if done.is_dir() else Path(folder) / "chunks"
    return where / f"chunk-{k:06d}.parquet"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    run_sweep(_plan(), folder, executor="serial")
    return _results(folder)


def _sweep_args(out, *extra):
    return ["sweep", str(BASELINE), "--executor", "serial", "--quiet", "-o", str(out), *extra]


# -- resume verifies ------------------------------------------------------------------


def _stop_after(chunks):
    """A progress callback that interrupts a sweep once ``chunks`` chunks are done."""
    done = []

    def progress(draws):
        done.append(draws)
        if len(done) == chunks:
            raise KeyboardInterrupt

    return progress


@pytest.mark.parametrize("finished", [True, False])
def test_chunks_left_by_another_sweep_without_a_manifest_are_refused(tmp_path, finished):
    """The reproducer: seed 3, its manifest removed, then seed 4 into the folder.

    Finished, the chunk files are ``results.parquet/``; interrupted, ``chunks/``.
    """
    out = tmp_path / "s"
    size = ["--samples", "20000", "--chunk-size", "1000"]
    if finished:
        first = cli.invoke(app, _sweep_args(out, *size, "--seed", "3"))
        assert first.exit_code == 0, first.output
    else:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(_plan(seed=3), out, executor="serial", progress=_stop_after(2))
        assert len(list((out / "chunks").glob("*.parquet"))) == 2
    (out / "manifest.json").unlink()
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    for extra in ([], ["--resume"]):
        second = cli.invoke(app, _sweep_args(out, *size, "--seed", "4", *extra))
        assert second.exit_code == 2, second.output
        assert "chunk files" in second.stderr and "but no manifest.json" in second.stderr
        assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_the_manifest_records_each_chunk_with_its_checksum_range_and_fingerprint(tmp_path):
    plan = _plan()
    run_sweep(plan, tmp_path, executor="serial")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [c["index"] for c in manifest["chunks"]] == list(range(6))
    for entry in manifest["chunks"]:
        k = entry["index"]
        data = _chunk(tmp_path, k).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["draws"] == [100 * k, 100 * (k + 1)]
        assert entry["fingerprint"] == manifest["fingerprint"] == plan.fingerprint()
        meta = pq.read_schema(_chunk(tmp_path, k)).metadata
        assert meta[b"kurilsim.fingerprint"] == plan.fingerprint().encode()
        assert meta[b"kurilsim.first_draw"] == str(100 * k).encode()
    data = (tmp_path / "summary.json").read_bytes()
    assert manifest["summary"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["results"]["folder"] == "results.parquet/"


def test_the_manifest_lists_a_chunk_once_it_is_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "MANIFEST_PAUSE", 0)  # rewrite after every chunk
    seen = []

    def check(draws):
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        listed = [c["index"] for c in manifest["chunks"]]
        for k in listed:
            assert _chunk(tmp_path, k).exists()
        seen.append(len(listed))

    run_sweep(_plan(), tmp_path, executor="serial", progress=check)
    assert seen == [1, 2, 3, 4, 5, 6]


def _resume(out):
    return cli.invoke(
        app,
        [
            *_sweep_args(out, "--method", "mc", "--samples", "600", "--seed", "7"),
            "--chunk-size",
            "100",
            "--resume",
            *[
                f"--param={p}={{ range = [{r['range'][0]}, {r['range'][1]}] }}"
                for p, r in PARAMS.items()
            ],
        ],
    )


def test_a_chunk_with_garbage_bytes_is_redone_not_merged(reference, tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    path = _chunk(tmp_path, 3)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # zeros over some values: still a Parquet file
    path.write_bytes(bytes(data))
    done = _resume(tmp_path)
    assert done.exit_code == 0, done.output
    assert "chunk 3 failed verification" in done.stderr and "redone" in done.stderr
    pd.testing.assert_frame_equal(_results(tmp_path), reference)


def test_a_chunk_holding_other_draws_is_redone(reference, tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    shutil.copyfile(_chunk(tmp_path, 4), _chunk(tmp_path, 3))  # draws 400.. twice
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_run == 1 and again.chunks_skipped == 5
    assert [line.split(" failed")[0] for line in again.redone] == ["chunk 3"]
    results = _results(tmp_path)
    assert results["draw"].tolist() == list(range(600))
    pd.testing.assert_frame_equal(results, reference)


def test_a_missing_chunk_is_redone(reference, tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    _chunk(tmp_path, 5).unlink()
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_run == 1
    assert "missing" in again.redone[0]
    pd.testing.assert_frame_equal(_results(tmp_path), reference)


def _rewrite_entry(folder, k, sha256):
    """Change chunk k's manifest entry, as if kurilsim itself had written it."""
    manifest = json.loads((folder / "manifest.json").read_text())
    (entry,) = [c for c in manifest["chunks"] if c["index"] == k]
    entry["sha256"] = sha256
    with OutputFolder(folder, command="test") as out:
        out.write_text("manifest.json", json.dumps(manifest))


def test_a_chunk_of_another_sweep_is_redone_even_with_a_matching_checksum(reference, tmp_path):
    other = tmp_path / "other"
    run_sweep(_plan(seed=8), other, executor="serial")
    mine = tmp_path / "mine"
    run_sweep(_plan(), mine, executor="serial")
    shutil.copyfile(_chunk(other, 2), _chunk(mine, 2))
    _rewrite_entry(mine, 2, hashlib.sha256(_chunk(mine, 2).read_bytes()).hexdigest())
    again = run_sweep(_plan(), mine, executor="serial", resume=True)
    assert again.chunks_run == 1 and "another sweep" in again.redone[0]
    pd.testing.assert_frame_equal(_results(mine), reference)


def test_a_chunk_whose_draw_column_is_wrong_is_redone(reference, tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    path = _chunk(tmp_path, 1)
    table = pq.read_table(path)
    draws = table.column("draw").to_numpy().copy()
    draws[10] = 0  # metadata and row count still right
    table = table.set_column(0, "draw", pa.array(draws))
    pq.write_table(table, path)
    _rewrite_entry(tmp_path, 1, hashlib.sha256(path.read_bytes()).hexdigest())
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_run == 1 and "draw column" in again.redone[0]
    pd.testing.assert_frame_equal(_results(tmp_path), reference)


def test_a_hand_edited_manifest_is_not_trusted(tmp_path):
    run_sweep(_plan(), tmp_path, executor="serial")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"complete"', '"running"'))
    with pytest.raises(UserError, match="changed since kurilsim wrote it"):
        run_sweep(_plan(), tmp_path, executor="serial", resume=True)


# -- load_finished ----------------------------------------------------------------------


def test_load_finished_reuses_only_a_verified_sweep_of_the_same_plan(tmp_path):
    plan = _plan()
    assert load_finished(plan, tmp_path / "missing") is None
    done = run_sweep(plan, tmp_path / "s", executor="serial")
    found = load_finished(plan, tmp_path / "s")
    assert found is not None
    assert found.summary == done.summary and found.results == done.results
    assert load_finished(_plan(seed=8), tmp_path / "s") is None
    assert load_finished(_plan(n=500), tmp_path / "s") is None
    summary = tmp_path / "s" / "summary.json"
    original = summary.read_bytes()
    summary.write_bytes(original.replace(b"0.", b"1."))
    assert load_finished(plan, tmp_path / "s") is None
    summary.write_bytes(original)
    assert load_finished(plan, tmp_path / "s") is not None
    chunk = _chunk(tmp_path / "s", 0)
    chunk.write_bytes(chunk.read_bytes() + b"x")
    assert load_finished(plan, tmp_path / "s") is None
    (tmp_path / "s" / "manifest.json").write_text("{not json")
    assert load_finished(plan, tmp_path / "s") is None


def test_load_finished_ignores_a_running_sweep(tmp_path, monkeypatch):
    plan = _plan()

    def stop(draws):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(plan, tmp_path, executor="serial", progress=stop)
    assert json.loads((tmp_path / "manifest.json").read_text())["status"] == "running"
    assert load_finished(plan, tmp_path) is None


def test_a_sweep_runs_into_a_subfolder_its_enclosing_folder_recorded(reference, tmp_path):
    plan = _plan()
    with OutputFolder(tmp_path / "pack", command="brief") as pack:
        sub = pack.subfolder("sweep")
        run_sweep(plan, sub.path, executor="serial", resume=True)
        run_sweep(plan, sub.path, executor="serial", resume=True)  # a cache: reused
        assert load_finished(plan, sub.path) is not None
        pd.testing.assert_frame_equal(_results(sub.path), reference)
        assert pack.remove("sweep/")  # every file in it was recorded as kurilsim's
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == [".kurilsim-files.json"]


# -- one writer at a time ---------------------------------------------------------------


def test_a_second_sweep_into_a_busy_folder_exits_2_naming_the_first(reference, tmp_path):
    out = tmp_path / "busy"
    params = [
        f"--param={p}={{ range = [{r['range'][0]}, {r['range'][1]}] }}" for p, r in PARAMS.items()
    ]
    command = [
        sys.executable, "-m", "sim", "sweep", str(BASELINE), "--method", "mc", "--samples",
        "600", "--seed", "7", "--chunk-size", "100", "--executor", "serial", "--quiet",
        "-o", str(out), *params,
    ]  # fmt: skip
    slow = {**os.environ, "KURILSIM_TEST_CHUNK_DELAY": "1.5"}
    first = subprocess.Popen(command, env=slow, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out / "manifest.json").exists():
            time.sleep(0.05)
        assert (out / LOCK).exists()
        second = subprocess.run(command, capture_output=True, text=True, check=False)
        assert first.poll() is None, "the first sweep ended before the second started"
        assert second.returncode == 2, second.stderr
        assert "another kurilsim is writing into this folder" in second.stderr
        assert f"'sweep' as process {first.pid}" in second.stderr
    finally:
        _, errors = first.communicate(timeout=120)
    assert first.returncode == 0, errors
    pd.testing.assert_frame_equal(_results(out), reference)


# -- nothing of the user's is touched ---------------------------------------------------


def _users_folder(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "notes.txt": b"mine",
        f".notes.tmp{DEAD}.txt": b"an editor's backup",
        f".results.tmp{DEAD}.parquet": b"my own temporary file",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def _unchanged(folder: Path, files: dict[str, bytes]) -> bool:
    return all((folder / name).read_bytes() == data for name, data in files.items())


def test_a_users_non_empty_folder_is_refused(tmp_path):
    files = _users_folder(tmp_path / "mine")
    result = cli.invoke(app, _sweep_args(tmp_path / "mine", "--samples", "20"))
    assert result.exit_code == 2, result.output
    assert "not empty and kurilsim did not make it" in result.stderr and "--force" in result.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == sorted(files)
    assert _unchanged(tmp_path / "mine", files)


def test_the_current_folder_is_refused_and_its_temporary_files_kept(tmp_path, monkeypatch):
    files = _users_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, _sweep_args(".", "--samples", "20"))
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)


def test_with_force_the_users_files_stay_beside_the_sweep(tmp_path):
    files = _users_folder(tmp_path / "mine")
    (tmp_path / "mine" / f".x.tmp{DEAD}").mkdir()  # a folder named like a temporary file
    result = cli.invoke(app, _sweep_args(tmp_path / "mine", "--samples", "20", "--force"))
    assert result.exit_code == 0, result.output
    assert _unchanged(tmp_path / "mine", files)
    assert (tmp_path / "mine" / f".x.tmp{DEAD}").is_dir()
    assert len(_results(tmp_path / "mine")) == 20


@pytest.mark.parametrize("name", ["results.parquet", "summary.json", "manifest.json"])
def test_a_users_file_of_a_sweep_name_is_never_overwritten(tmp_path, name):
    (tmp_path / name).write_text("the user's own")
    for extra in (["--force"], ["--force", "--resume"]):
        result = cli.invoke(app, _sweep_args(tmp_path, "--samples", "20", *extra))
        assert result.exit_code == 2, result.output
        assert "is not kurilsim's" in result.stderr
        assert (tmp_path / name).read_text() == "the user's own"
    assert not (tmp_path / "chunks").exists()


def _sensitivity_args(out, *extra):
    return [
        "sensitivity", str(BASELINE), "--samples", "8",
        "-o", str(out),
        "--param", "actors.russia.nationalist_cost={ range = [1, 10] }",
        "--param", "context.investment_realisation={ range = [0.1, 0.6] }",
        *extra,
    ]  # fmt: skip


def test_sensitivity_refuses_a_users_folder_and_keeps_their_files(tmp_path):
    files = _users_folder(tmp_path / "mine")
    result = cli.invoke(app, _sensitivity_args(tmp_path / "mine"))
    assert result.exit_code == 2, result.output
    assert "not empty and kurilsim did not make it" in result.stderr
    (tmp_path / "mine" / "sensitivity.json").write_text("the user's own")
    result = cli.invoke(app, _sensitivity_args(tmp_path / "mine", "--force"))
    assert result.exit_code == 2, result.output
    assert "is not kurilsim's" in result.stderr
    assert (tmp_path / "mine" / "sensitivity.json").read_text() == "the user's own"
    assert _unchanged(tmp_path / "mine", files)
    assert not (tmp_path / "mine" / "results.parquet").exists()


def test_sensitivity_into_a_new_folder_records_what_it_wrote(tmp_path):
    """The design is evaluated in memory: sensitivity.json is the one file written."""
    result = cli.invoke(app, _sensitivity_args(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    with OutputFolder(tmp_path / "s", command="test") as out:
        assert out.owns("sensitivity.json")
    visible = sorted(p.name for p in (tmp_path / "s").iterdir() if not p.name.startswith("."))
    assert visible == ["sensitivity.json"]


def test_many_failed_chunks_are_counted_not_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "MAX_WARNINGS", 2)
    run_sweep(_plan(), tmp_path, executor="serial")
    for k in range(4):
        _chunk(tmp_path, k).unlink()
    lines = []
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True, warn=lines.append)
    assert len(again.redone) == 4 and again.chunks_run == 4
    assert lines[:2] == list(again.redone[:2])
    assert lines[2:] == ["and 2 more chunks failed verification: redone"]


def test_sensitivity_says_which_sweep_options_it_ignores(tmp_path):
    result = cli.invoke(app, _sensitivity_args(tmp_path / "s", "--workers", "2", "--resume"))
    assert result.exit_code == 0, result.output
    assert "--workers, --resume ignored" in result.output
    plain = cli.invoke(app, _sensitivity_args(tmp_path / "t"))
    assert "ignored" not in plain.output
