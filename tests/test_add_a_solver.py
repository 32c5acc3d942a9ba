"""A solver added through the registry appears everywhere: run --json, sweeps, backtest.

The toy solver is the one ``docs/how-to/add-a-solver.md`` builds: the deal with the
largest smaller gain of the two governments, ratifiers ignored (an egalitarian
solution without the two-level game).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.predict import Prediction, SolverSpec, register, unregister
from tests.conftest import BASELINE, ROOT


def governments_maximin(ev):
    """The deal whose smaller government gain is largest, if positive; else the status quo."""
    gains = ev.payoffs.utility - ev.payoffs.utility[:, :1]
    worst = gains.min(axis=2)  # (N, D)
    worst[:, 0] = 0.0
    deal = np.where(worst.max(axis=1) > 1e-9, worst.argmax(axis=1), 0).astype(np.intp)
    return Prediction("toy", deal, np.zeros(len(deal), dtype=bool), ev.deals)


@pytest.fixture
def toy():
    spec = register(
        SolverSpec(
            "toy",
            "Governments' maximin",
            "toy",
            governments_maximin,
            "the largest smaller gain of the two governments",
            headline=True,
            short="Toy",
        )
    )
    yield spec
    unregister("toy")


def test_the_toy_solver_in_run_json(toy):
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--json", "--solver", "toy"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # At the baseline, aid_first's worse side loses and shelve's gains 0.31: shelve.
    assert data["predictions"] == {"toy": "shelve"}
    text = CliRunner().invoke(app, ["run", str(BASELINE), "--solver", "toy"]).output
    assert "Answer: Shelve + cooperate (Governments' maximin)" in text


def test_the_toy_solver_in_a_sweep(toy, tmp_path):
    result = CliRunner().invoke(
        app,
        ["sweep", str(BASELINE), "--samples", "50", "--executor", "serial", "-o",
         str(tmp_path / "s"), "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    import pandas as pd

    results = pd.read_parquet(tmp_path / "s" / "results.parquet")
    assert "toy" in results.columns
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert sum(summary["predictions"]["toy"].values()) == pytest.approx(1.0)


def test_the_toy_solver_in_the_backtest(toy):
    result = CliRunner().invoke(
        app, ["backtest", str(ROOT / "scenarios" / "history"), "--json"], terminal_width=120
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "toy" in data["hit_rate"]
    assert all("toy" in e["predictions"] for e in data["episodes"])
    table = CliRunner().invoke(app, ["backtest", str(ROOT / "scenarios" / "history")])
    assert "Toy = Governments' maximin" in " ".join(table.output.split())
    header = next(line for line in table.output.splitlines() if "Episode" in line)
    assert "Toy" in header
