"""History scenarios: only context differs from the base; the backtest is pinned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import load_scenario
from sim.cli import app
from sim.model.parameters import iter_parameters
from tests.conftest import BASELINE, ROOT

HISTORY = ROOT / "scenarios" / "history"
PINNED = ROOT / "tests" / "data" / "backtest.json"
FILES = sorted(HISTORY.glob("*.toml"))

ALLOWED = (
    "context.",
    "actors.japan.ratifier_weight",
    "actors.russia.ratifier_weight",
    "actors.russia.investment_return",
    "sequential.",
    "alternating.",
)
"""What an episode may change: context, leaders' domestic strength, Russia's need for
capital, and the game's settings. Preferences (island values, treaty values, costs,
patience, the alliance motive) stay the base's."""


def differing_parameters(path: Path) -> list[str]:
    base = {p.path: (p.value, p.range) for p in iter_parameters(load_scenario(BASELINE))}
    here = {p.path: (p.value, p.range) for p in iter_parameters(load_scenario(path))}
    return sorted(k for k in base if base[k] != here[k])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_an_episode_changes_only_its_context(path):
    changed = differing_parameters(path)
    tuned = [key for key in changed if not key.startswith(ALLOWED)]
    assert tuned == [], f"{path.name} changes preferences: {tuned}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_an_episode_extends_the_baseline_and_records_its_outcome(path):
    text = path.read_text()
    assert 'extends = "../baseline_2003.toml"' in text
    assert load_scenario(path).observed is not None


runner = CliRunner()


def test_backtest_command_table_json_and_chart(tmp_path):
    result = runner.invoke(app, ["backtest", str(HISTORY)])
    assert result.exit_code == 0, result.output
    assert "hit rate" in result.output
    data = json.loads(runner.invoke(app, ["backtest", str(HISTORY), "--json"]).stdout)
    assert len(data["episodes"]) == len(FILES)
    chart = tmp_path / "history.png"
    assert runner.invoke(app, ["backtest", str(HISTORY), "--chart", str(chart)]).exit_code == 0
    assert chart.stat().st_size > 10_000


def test_backtest_of_a_folder_without_scenarios_exits_2(tmp_path):
    result = runner.invoke(app, ["backtest", str(tmp_path)])
    assert result.exit_code == 2
    assert "no scenario files" in result.stderr
