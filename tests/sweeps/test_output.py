"""Sweep output: each draw stored once, counted in the workers, readable by every reader.

The references here are computed independently of the runner: stored rows against the
draws evaluated directly with :func:`sim.evaluate.evaluate_table`, summary counts
against counting the stored rows with pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from sim import load_scenario
from sim.evaluate import evaluate_table
from sim.holdup import REASONS
from sim.model.parameters import ParameterTable
from sim.predict import REGISTRY, solvers
from sim.sweeps import runner as runner_module
from sim.sweeps.outcomes import Coded, evaluate_chunk, evaluate_chunk_coded
from sim.sweeps.runner import load_finished, plan_sweep, run_sweep
from sim.sweeps.spec import sweep_space
from sim.sweeps.summary import SummaryAccumulator, SummaryCounts
from tests.conftest import BASELINE

PARAMS = {
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
    "sequential.proposer": {"values": ["japan", "russia"]},
}
N, CHUNK = 600, 50  # 12 chunks: more than 10, so file order must follow the draws


def _plan(seed=11, n=N, chunk=CHUNK):
    scenario = load_scenario(BASELINE)
    return plan_sweep(scenario, sweep_space(scenario, PARAMS), "mc", n, seed, chunk)


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("output") / "s"
    done = run_sweep(_plan(), folder, executor="serial")
    return done, pd.read_parquet(folder / "results.parquet")


def _parquet_rows(folder: Path) -> int:
    files = [p for p in folder.rglob("*.parquet") if p.is_file()]
    return sum(pq.ParquetFile(p).metadata.num_rows for p in files)


def _expected(plan) -> pd.DataFrame:
    """Every draw of ``plan`` evaluated directly, one proposer at a time."""
    values = np.vstack([plan.values(k) for k in range(plan.n_chunks)])
    names = plan.space.names
    proposer = names.index("sequential.proposer")
    frames = []
    for code, who in enumerate(("japan", "russia")):
        rows = np.flatnonzero(values[:, proposer] == code)
        scenario = load_scenario(BASELINE, overrides={"sequential.proposer": f'"{who}"'})
        table = ParameterTable.from_scenario(scenario).with_values(
            {n: values[rows, i] for i, n in enumerate(names) if i != proposer}
        )
        ev = evaluate_table(scenario, table)
        frame = pd.DataFrame({"draw": rows})
        for spec in solvers():
            frame[spec.name] = spec.predict(ev).ids
        test = ev.hold_up()
        for d, deal in enumerate(test.deal_ids[1:], start=1):
            frame[f"holds_{deal}"] = test.holds[:, d]
            reasons = [str(REASONS[r]) if r < len(REASONS) else "" for r in test.first[:, d]]
            frame[f"fails_{deal}"] = reasons
            frame[f"margin_{deal}"] = test.margin[:, d]
        frames.append(frame)
    return pd.concat(frames).sort_values("draw", ignore_index=True)


def test_the_stored_rows_are_the_draws_evaluated_directly(swept):
    _, results = swept
    expected = _expected(_plan())
    assert results["draw"].tolist() == list(range(N))
    for column in expected.columns:
        assert results[column].tolist() == expected[column].tolist(), column


def test_each_draw_is_stored_once(swept):
    done, results = swept
    assert len(results) == N
    assert _parquet_rows(done.folder) == N
    assert not (done.folder / "chunks").exists()
    assert done.results == done.folder / "results.parquet"


def test_every_reader_sees_one_table_in_draw_order_with_text_as_text(swept):
    done, results = swept
    by_dataset = ds.dataset(done.results, format="parquet").to_table()
    by_table = pq.read_table(done.results)
    for table in (by_dataset, by_table):
        assert table.column("draw").to_pylist() == list(range(N))
        assert table.schema.field("nash").type == pa.string()
        assert table.schema.field("fails_shelve").type == pa.string()
        assert table.schema.field("sequential.proposer").type == pa.string()
    for column in ("nash", "fails_shelve", "sequential.proposer"):  # text, not categories
        assert pd.api.types.is_string_dtype(results[column])
        assert not isinstance(results[column].dtype, pd.CategoricalDtype)
    assert results["holds_shelve"].dtype == bool
    assert set(results["sequential.proposer"]) == {"japan", "russia"}
    pd.testing.assert_frame_equal(by_table.to_pandas(), results)
    only = pd.read_parquet(done.results, columns=["margin_shelve"])
    assert only["margin_shelve"].tolist() == results["margin_shelve"].tolist()


def test_the_summary_is_the_count_of_the_stored_rows(swept):
    done, results = swept
    summary = json.loads((done.folder / "summary.json").read_text())
    assert summary["draws"] == N
    deals = [c.removeprefix("holds_") for c in results.columns if c.startswith("holds_")]
    assert list(summary["deals"]) == deals
    for deal in deals:
        mine = summary["deals"][deal]
        assert mine["hold_up_rate"] == results[f"holds_{deal}"].sum() / N
        fails = results[f"fails_{deal}"].value_counts()
        expected = {r: fails[r] / N for r in map(str, REASONS) if fails.get(r, 0)}
        assert mine["fails_because"] == expected
    solver_columns = [s for s in REGISTRY if s in results.columns]
    assert sorted(summary["predictions"]) == sorted(solver_columns)
    for solver in solver_columns:
        counts = results[solver].value_counts()
        assert summary["predictions"][solver] == {d: c / N for d, c in counts.items()}
        shares = list(summary["predictions"][solver].values())
        assert shares == sorted(shares, reverse=True)


def test_a_fresh_sweep_never_reads_a_chunk_back_in_this_process(tmp_path, monkeypatch):
    """The workers count their chunks; this process only adds the counts up."""

    def refuse(*args, **kwargs):
        raise AssertionError("a chunk was read back by the main process")

    monkeypatch.setattr(pq, "read_table", refuse)
    monkeypatch.setattr(pq, "ParquetFile", refuse)
    monkeypatch.setattr(pq, "ParquetDataset", refuse)
    done = run_sweep(_plan(), tmp_path / "s", executor="local", workers=2)
    monkeypatch.undo()
    assert done.summary.draws == N


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_chunk_files_and_summary_are_byte_identical_across_executors(swept, tmp_path, executor):
    if executor == "dask":
        pytest.importorskip("dask.distributed")
    done, _ = swept
    other = run_sweep(_plan(), tmp_path / "s", executor=executor, workers=2)
    mine = json.loads((done.folder / "manifest.json").read_text())["chunks"]
    theirs = json.loads((other.folder / "manifest.json").read_text())["chunks"]
    assert [c["sha256"] for c in theirs] == [c["sha256"] for c in mine]
    assert (other.folder / "summary.json").read_bytes() == (
        done.folder / "summary.json"
    ).read_bytes()


def test_the_summary_of_a_resumed_sweep_is_that_of_an_uninterrupted_one(swept, tmp_path):
    done, results = swept
    calls = []

    def stop(draws):
        calls.append(draws)
        if len(calls) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(_plan(), tmp_path, executor="serial", progress=stop)
    assert not (tmp_path / "results.parquet").exists()
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_skipped == 5 and again.summary == done.summary
    assert (tmp_path / "summary.json").read_bytes() == (done.folder / "summary.json").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), results)


def test_results_are_absent_while_a_finished_sweep_redoes_a_chunk(swept, tmp_path):
    _, results = swept
    run_sweep(_plan(), tmp_path, executor="serial")
    victim = tmp_path / "results.parquet" / "chunk-000004.parquet"
    victim.write_bytes(victim.read_bytes()[:-20])
    seen = []

    def look(draws):
        seen.append(((tmp_path / "results.parquet").exists(), (tmp_path / "chunks").is_dir()))

    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True, progress=look)
    assert again.chunks_run == 1 and "chunk 4 failed verification" in again.redone[0]
    assert seen[-1] == (False, True)  # the redone chunk is written before the rename
    assert not (tmp_path / "chunks").exists()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), results)


@pytest.mark.parametrize("at", ["rename", "complete"])
def test_a_sweep_killed_while_it_finishes_resumes(swept, tmp_path, monkeypatch, at):
    """Killed before ``chunks/`` is renamed, or after it but before the manifest says so."""
    done, results = swept
    real_rename, real_write = runner_module._rename_folder, runner_module._Manifest.write

    def rename(out, old, new):
        if old == "chunks":
            raise KeyboardInterrupt
        real_rename(out, old, new)

    def write(self, status, files=None):
        if status == "complete":
            raise KeyboardInterrupt
        real_write(self, status, files)

    if at == "rename":
        monkeypatch.setattr(runner_module, "_rename_folder", rename)
    else:
        monkeypatch.setattr(runner_module._Manifest, "write", write)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(_plan(), tmp_path, executor="serial")
    monkeypatch.undo()
    assert (tmp_path / "results.parquet").exists() == (at == "complete")
    assert load_finished(_plan(), tmp_path) is None
    again = run_sweep(_plan(), tmp_path, executor="serial", resume=True)
    assert again.chunks_run == 0 and again.summary == done.summary
    assert load_finished(_plan(), tmp_path) is not None
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), results)


def test_coded_columns_decode_to_what_evaluate_chunk_returns():
    plan = _plan()
    values = plan.values(0)
    coded = evaluate_chunk_coded(plan.scenario, plan.space, values)
    plain = evaluate_chunk(plan.scenario, plan.space, values)
    assert list(coded) == list(plain)
    assert isinstance(coded["nash"], Coded) and isinstance(coded["fails_shelve"], Coded)
    assert isinstance(coded["sequential.proposer"], Coded)
    for name, column in coded.items():
        if isinstance(column, Coded):
            assert column.decode().tolist() == plain[name].tolist(), name
        else:
            np.testing.assert_array_equal(column, plain[name])


def test_counts_of_coded_and_of_plain_text_columns_agree():
    plan = _plan()
    coded = evaluate_chunk_coded(plan.scenario, plan.space, plan.values(1))
    as_dictionary = pa.table(
        {
            k: pa.DictionaryArray.from_arrays(v.codes.astype(np.int32), v.labels)
            if isinstance(v, Coded)
            else v
            for k, v in coded.items()
        }
    )
    as_text = pa.table({k: v.decode() if isinstance(v, Coded) else v for k, v in coded.items()})
    a, b = SummaryCounts.of(as_dictionary), SummaryCounts.of(as_text)
    assert a == b and a.n == CHUNK
    together = SummaryAccumulator()
    together.add_counts(a)
    together.add(as_text)
    assert together.counts.n == 2 * CHUNK
    assert together.counts.holds == {d: 2 * c for d, c in a.holds.items()}


def test_a_resume_whose_executor_fails_to_start_leaves_the_finished_sweep(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    import socket

    run_sweep(_plan(), tmp_path, executor="serial")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setattr(runner_module, "DASK_CONNECT_TIMEOUT", 1.0)
    with pytest.raises(runner_module.UserError, match="cannot reach the Dask scheduler"):
        run_sweep(
            _plan(), tmp_path, executor="dask", scheduler=f"tcp://127.0.0.1:{port}", resume=True
        )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert load_finished(_plan(), tmp_path) is not None
