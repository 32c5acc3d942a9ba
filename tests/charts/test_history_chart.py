"""The history timeline: one mark per episode and solver, hits and misses as scored."""

from __future__ import annotations

import pytest

from sim.charts.history import history_timeline
from sim.history.backtest import backtest, history_files, scored_solvers
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def episodes():
    return backtest(history_files(ROOT / "scenarios" / "history"))


def test_every_episode_and_solver_is_marked_as_scored(episodes, tmp_path):
    fig = history_timeline(episodes)
    marks = {line.get_gid() for ax in fig.axes for line in ax.lines if line.get_gid()}
    for e in episodes:
        for solver in scored_solvers():
            kind = "hit" if e.hits[solver] else "miss"
            assert f"{kind}:{e.name}:{solver}" in marks
        null = "hit" if "status_quo" in e.equivalent else "miss"
        assert f"{null}:{e.name}:null" in marks
    recorded = {t.get_gid() for ax in fig.axes for t in ax.texts if t.get_gid()}
    assert {f"recorded:{e.name}" for e in episodes} <= recorded
    fig.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").stat().st_size > 10_000


def test_title_states_the_hit_rate_beside_the_nulls(episodes):
    fig = history_timeline(episodes)
    title = fig._suptitle.get_text()
    counted = [e for e in episodes if not e.calibration]
    best = max(sum(e.hits[s] for e in counted) for s in scored_solvers())
    assert f"{best} of {len(counted)} episodes" in title
    null = sum(e.observed == "status_quo" or "status_quo" in e.equivalent for e in counted)
    assert f"({null})" in title or f"the null: {null}" in title
    texts = " ".join(t.get_text() for t in fig.texts)
    assert str(episodes[0].year) in texts and "History scenarios" in texts


def test_no_episodes_is_an_error():
    with pytest.raises(ValueError, match="no episodes"):
        history_timeline([])
