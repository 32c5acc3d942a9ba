"""Dask failures: each a clear user error within a set time, and nothing left that blocks a
rerun."""

from __future__ import annotations

import socket

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import UserError, load_scenario
from sim.cli import app
from sim.sweeps import runner as runner_module
from sim.sweeps.runner import check_scheduler, plan_sweep, run_sweep
from sim.sweeps.spec import sweep_space
from tests.conftest import BASELINE

distributed = pytest.importorskip("dask.distributed")

PARAMS = {
    "actors.russia.nationalist_cost": {"range": [1.0, 10.0]},
    "actors.japan.no_progress_cost": {"range": [0.2, 3.0]},
    "context.investment_realisation": {"range": [0.1, 0.6]},
}
cli = CliRunner()


def _plan():
    scenario = load_scenario(BASELINE)
    return plan_sweep(scenario, sweep_space(scenario, PARAMS), "mc", 600, 7, 100)


def _sweep(out, *extra):
    args = ["sweep", str(BASELINE), "--samples", "50", "--quiet", "-o", str(out), *extra]
    return cli.invoke(app, args)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("foo", "not a Dask scheduler address"),
        ("http://localhost:8786", "not 'http://'"),
        ("tcp://127.0.0.1:99999", "port from 1 to 65535"),
        ("tcp://:8786", "not a Dask scheduler address"),
        ("tcp://host:port", "not a Dask scheduler address"),
    ],
)
def test_a_malformed_scheduler_address_exits_2_at_once(tmp_path, address, message):
    result = _sweep(tmp_path / "out", "--executor", "dask", "--scheduler", address)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_well_formed_addresses_are_accepted():
    assert check_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler("localhost:8786") == "tcp://localhost:8786"
    assert check_scheduler("tls://[::1]:8786") == "tls://[::1]:8786"


def test_a_scheduler_without_the_dask_executor_exits_2(tmp_path):
    result = _sweep(tmp_path / "out", "--executor", "serial", "--scheduler", "tcp://h:8786")
    assert result.exit_code == 2
    assert "needs --executor dask" in result.stderr
    assert not (tmp_path / "out").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "DASK_CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(UserError, match=f"cannot reach the Dask scheduler at {address} within 1 s"):
        run_sweep(_plan(), out, executor="dask", scheduler=address)
    assert not out.exists()
    out.mkdir()
    with pytest.raises(UserError, match="cannot reach"):
        run_sweep(_plan(), out, executor="dask", scheduler=address)
    assert list(out.iterdir()) == []
    run_sweep(_plan(), out, executor="serial")  # a plain rerun is not refused


def test_a_scheduler_with_no_workers_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "DASK_WORKER_TIMEOUT", 1.0)
    with distributed.LocalCluster(
        n_workers=0, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(UserError, match=f"scheduler at {address} has no workers"):
            run_sweep(_plan(), tmp_path / "out", executor="dask", scheduler=address)
    assert not (tmp_path / "out").exists()


def test_a_lost_scheduler_is_a_user_error_and_the_sweep_resumes(tmp_path):
    serial = tmp_path / "serial"
    run_sweep(_plan(), serial, executor="serial")
    out = tmp_path / "out"
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
    )
    finished = []

    def lose_the_scheduler(draws):
        finished.append(draws)
        if len(finished) == 1:
            cluster.close()

    try:
        with pytest.raises(UserError, match="lost the connection to the Dask scheduler") as caught:
            run_sweep(
                _plan(),
                out,
                executor="dask",
                scheduler=cluster.scheduler_address,
                progress=lose_the_scheduler,
            )
    finally:
        cluster.close()
    assert "--resume" in str(caught.value)
    done = run_sweep(_plan(), out, executor="serial", resume=True)
    assert done.chunks_skipped >= 1
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "results.parquet"), pd.read_parquet(serial / "results.parquet")
    )


def test_a_cluster_whose_workers_all_leave_is_a_user_error(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "DASK_WORKER_TIMEOUT", 1.0)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
    ) as cluster:
        finished = []

        def retire_every_worker(draws):
            finished.append(draws)
            if len(finished) == 1:
                cluster.scale(0)

        with pytest.raises(UserError, match="has had no workers for 1 s"):
            run_sweep(
                _plan(),
                tmp_path / "out",
                executor="dask",
                scheduler=cluster.scheduler_address,
                progress=retire_every_worker,
            )
    assert (tmp_path / "out" / "manifest.json").exists()  # the finished chunk is kept
