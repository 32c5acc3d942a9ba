"""The backtest's measurement: scores by hand, the null models, the record's reasons, the
posture game per era, and the pinned table."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sim import evaluate, load_scenario
from sim.evaluate import resolved
from sim.history import scores
from sim.history.backtest import backtest, history_files, skill, to_json
from sim.history.stances import check_stances
from tests.conftest import BASELINE, ROOT

HISTORY = ROOT / "scenarios" / "history"


# -- scores on a three-outcome toy, by hand ------------------------------------------------


def test_brier_and_log_scores_by_hand():
    forecast = {"sq": 0.6, "shelve": 0.3, "two": 0.1}
    # observed sq: (0.6-1)^2 + 0.3^2 + 0.1^2 = 0.16 + 0.09 + 0.01
    assert scores.brier(forecast, "sq") == pytest.approx(0.26)
    # observed two: 0.36 + 0.09 + 0.81
    assert scores.brier(forecast, "two") == pytest.approx(1.26)
    # an outcome the forecast never named: every probability counts against it, plus 1
    assert scores.brier(forecast, "four") == pytest.approx(0.36 + 0.09 + 0.01 + 1.0)
    assert scores.log_score(forecast, "shelve") == pytest.approx(-math.log(0.3))
    assert scores.log_score(forecast, "four") == pytest.approx(-math.log(scores.EPSILON))
    assert scores.brier({"sq": 1.0}, "sq") == 0.0 and scores.brier({"sq": 1.0}, "x") == 2.0


def test_skill_against_a_null():
    assert scores.skill(0.25, 0.5) == pytest.approx(0.5)
    assert scores.skill(0.5, 0.5) == 0.0
    assert scores.skill(0.75, 0.5) == pytest.approx(-0.5)
    assert scores.skill(0.1, 0.0) is None


def test_the_base_rate_null_leaves_the_episode_out():
    records = ["sq", "sq", "aid", "sq", "shelve"]
    assert scores.base_rate_null(records, 0) == {"sq": 0.5, "aid": 0.25, "shelve": 0.25}
    assert scores.base_rate_null(records, 2) == {"sq": 0.75, "shelve": 0.25}
    tied = scores.base_rate_null(["a", "b", "c"], 2, order=("b",))
    assert list(tied) == ["b", "a"]  # a tie goes to the outcome listed first in ``order``
    assert scores.point({"a": 0.4, "b": 0.6}) == "b"


# -- the backtest on the shipped history -----------------------------------------------------


@pytest.fixture(scope="module")
def episodes():
    return backtest(history_files(HISTORY))


def test_the_nulls_are_scored_beside_the_solvers(episodes):
    found = skill(episodes)
    counted = [e for e in episodes if not e.calibration]
    status_quo_like = sum("status_quo" in e.equivalent for e in counted)
    assert found.null_hits["status_quo"] == status_quo_like
    # By hand: the Brier score of "always the status quo" is 0 where the record is the
    # status quo's terms and 2 elsewhere.
    expected = 2 * (len(counted) - status_quo_like) / len(counted)
    assert found.brier["status_quo"] == pytest.approx(expected)
    for e in counted:
        base = e.forecasts["base_rate"]
        assert sum(base.values()) == pytest.approx(1.0)


def test_forecasts_are_distributions_over_the_episodes_ranges(episodes):
    for e in episodes:
        for solver, forecast in e.forecasts.items():
            assert sum(forecast.values()) == pytest.approx(1.0), (e.name, solver)
            assert all(0 <= p <= 1 for p in forecast.values())


def test_the_calibration_episode_is_reported_apart(episodes):
    calibration = [e for e in episodes if e.calibration]
    assert [e.year for e in calibration] == [2003]
    assert skill(episodes).episodes == len(episodes) - 1
    data = to_json(episodes)
    assert data["skill"]["excluded_as_calibration"] == ["history_2003_action_plan"]


def test_a_stance_mismatch_is_reported_in_words(episodes):
    """The 1992 record: Japan rejected Kozyrev's offer; the model has Japan gaining from it."""
    e = next(e for e in episodes if e.year == 1992)
    check = next(c for c in e.stances if c.deal == "two_plus_alpha" and c.kind == "refused")
    assert not check.matched and check.margin > 0
    words = check.words(e.year)
    assert words.startswith("1992: record — Japan's government refused Two + talks")
    assert "model — Japan's government accepts it (+US$" in words
    assert "Russia's ratifier rejects it (-US$" in words  # every other actor against it


def test_a_stance_is_checked_against_the_actors_own_margin(write_scenario):
    """By hand: with the baseline's numbers Russia's government gains from two_islands and
    Japan's loses; a record saying the opposite is two mismatches."""
    path = write_scenario(
        "toy.toml",
        f'extends = "{BASELINE.as_posix()}"\n'
        '[deals]\nmenu = ["two_islands", "shelve"]\n'
        '[observed]\ndeal = "status_quo"\nwhy = "toy"\nsource = "toy"\n'
        'accepted = [{ deal = "two_islands", by = "japan_government", source = "x" }]\n'
        'refused = [{ deal = "two_islands", by = "russia_government", source = "y" }]\n'
        'offered = [{ deal = "shelve", by = "japan", source = "z" }]\n',
    )
    scenario = load_scenario(path)
    ev = evaluate(scenario)
    u = ev.payoffs.utility[0]
    d = ev.deals.index("two_islands")
    checks = {(c.kind, c.role): c for c in check_stances(scenario.observed, ev)}
    japan = checks["accepted", "japan_government"]
    assert japan.margin == pytest.approx(u[d, 0] - u[0, 0]) and japan.margin < 0
    assert not japan.matched
    russia = checks["refused", "russia_government"]
    assert russia.margin == pytest.approx(u[d, 1] - u[0, 1]) and russia.margin > 0
    assert not russia.matched
    assert checks["offered", "japan_government"].matched  # Japan gains from shelving


def test_a_stance_on_a_deal_off_the_menu_is_refused_at_load(write_scenario):
    from sim import UserError

    path = write_scenario(
        "bad.toml",
        f'extends = "{BASELINE.as_posix()}"\n[deals]\nmenu = ["shelve"]\n'
        '[observed]\ndeal = "status_quo"\nwhy = "w"\nsource = "s"\n'
        'refused = [{ deal = "two_islands", by = "japan_government", source = "x" }]\n',
    )
    with pytest.raises(UserError, match="not a deal of this episode's menu") as caught:
        load_scenario(path)
    assert caught.value.key == "observed.refused[0].deal"


# -- the posture game per era --------------------------------------------------------------


def test_the_posture_game_offers_only_deals_on_the_episodes_menu(write_scenario):
    """A three-deal menu: every pair of postures leading elsewhere leads to the status quo."""
    path = write_scenario(
        "era.toml",
        f'extends = "{BASELINE.as_posix()}"\n[deals]\nmenu = ["two_islands", "aid_first"]\n',
    )
    scenario = load_scenario(path)
    found = resolved(scenario)
    table = found.posture_table
    assert set(table.deals.ids) <= {"status_quo", "two_islands", "aid_first"}
    shipped = resolved(load_scenario(BASELINE)).posture_table
    ids = shipped.deals.ids
    for i in range(shipped.cells.shape[0]):
        for j in range(shipped.cells.shape[1]):
            before = ids[shipped.cells[i, j]]
            after = table.deals.ids[table.cells[i, j]]
            assert after == (before if before in ("two_islands", "aid_first") else "status_quo")
    changed = int(np.sum([ids[c] not in ("two_islands", "aid_first", "status_quo")
                          for c in shipped.cells.ravel()]))  # fmt: skip
    assert f"{changed} of 16 cells lead to the status quo" in found.posture_rule
    assert "whole catalogue" in resolved(load_scenario(BASELINE)).posture_rule


# -- the pinned table ----------------------------------------------------------------------


PINNED = ROOT / "tests" / "data" / "backtest.json"


def test_the_backtest_is_pinned(episodes):
    """A regression pin of predictions, hits, scores and stances: a change must be
    deliberate (regenerate with `kurilsim backtest --json > tests/data/backtest.json`, and
    say why in scenarios/history/README.md)."""
    found = to_json(episodes)
    pinned = json.loads(PINNED.read_text())

    def simplify(data):
        return [
            (e["episode"], e["observed"], e["predictions"], [s["matched"] for s in e["stances"]])
            for e in data["episodes"]
        ]

    assert simplify(found) == simplify(pinned)
    assert found["hit_rate"] == pinned["hit_rate"]
    for key in ("hits", "null_hits", "reasons"):
        assert found["skill"][key] == pinned["skill"][key]
    for who, value in pinned["skill"]["brier"].items():
        assert found["skill"]["brier"][who] == pytest.approx(value, abs=1e-9)
