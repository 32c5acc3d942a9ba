"""Gambit .efg export of the sequential game: structure, payoffs, and the SPE in pygambit."""

from __future__ import annotations

import numpy as np
import pygambit as gbt
import pytest

from sim.formats.efg import OFFER, PLAYERS, format_efg, infoset_label, spe_behavior, write_efg
from sim.solvers.sequential import SequentialGame, solve

TOL = 1e-9

# Three deals: the status quo, a transfer Russia performs later, an exchange at once.
SMALL = dict(
    deal_ids=["status_quo", "aid_first", "joint_zone"],
    utility=[[0.0, 0.0], [3.0, 2.0], [1.0, 1.5]],
    ratifier_utility=[[0.0, 0.0], [5.0, 1.0], [2.0, 0.5]],
    reneged_utility=[[0.0, 0.0], [-4.0, 9.0], [1.0, 1.5]],
    reneged_ratifier_utility=[[0.0, 0.0], [-10.0, 6.0], [2.0, 0.5]],
    performer=[-1, 1, -1],
    reputation_cost=[0.0, 2.0],
    proposer=0,
)


def game_of(
    deal_ids,
    utility,
    ratifier_utility,
    reneged_utility,
    reneged_ratifier_utility,
    performer,
    reputation_cost,
    proposer,
    ratification=True,
):
    """One draw as a (SequentialGame, proposer) pair."""

    def one(a):
        return np.asarray(a, dtype=float)[None]

    game = SequentialGame(
        tuple(deal_ids),
        one(utility),
        one(ratifier_utility),
        one(reneged_utility),
        one(reneged_ratifier_utility),
        performer,
        one(reputation_cost),
        ratification,
    )
    return game, proposer


def load(tmp_path, title="", **game):
    path = tmp_path / "game.efg"
    write_efg(path, *game_of(**game), title=title)
    return gbt.read_efg(str(path))


def profile_of(game, choice):
    """A pure behaviour profile: the chosen action (by label) at every information set."""
    profile = game.mixed_behavior_profile(rational=False)
    for infoset in game.infosets:
        for action in infoset.actions:
            profile[action] = 1.0 if action.label == choice[infoset.label] else 0.0
    return profile


def subgame_perfect(profile):
    """No one gains by deviating once at any node, reached or not (Gambit's node values)."""
    game = profile.game
    for node in game.nodes:
        if node.is_terminal:
            continue
        values = {
            action.label: float(profile.node_value(node.player, node.children[action]))
            for action in node.infoset.actions
        }
        chosen = next(a.label for a in node.infoset.actions if float(profile[a]) > 0.5)
        if values[chosen] < max(values.values()) - TOL:
            return False
    return True


def terminal_payoffs(profile):
    return np.array([float(profile.payoff(player)) for player in profile.game.players])


# -- structure and payoffs ----------------------------------------------------------------


@pytest.mark.parametrize(("ratification", "terminals"), [(True, 10), (False, 6)])
def test_pygambit_reads_the_tree(tmp_path, ratification, terminals):
    # With ratification: 1 (no offer) + aid_first 2 + 1 + 2 + joint_zone 1 + 1 + 2 = 10.
    # Without: 1 + aid_first (2 + 1) + joint_zone (1 + 1) = 6.
    game = load(tmp_path, **SMALL, ratification=ratification, title="Kuril deals")
    assert game.title == "Kuril deals"
    assert [p.label for p in game.players] == list(PLAYERS)
    assert sum(node.is_terminal for node in game.nodes) == terminals
    assert all(len(infoset.members) == 1 for infoset in game.infosets)  # perfect information
    assert [a.label for a in game.root.infoset.actions] == SMALL["deal_ids"]
    assert game.root.player.label == "Japan government"


def test_outcomes_pay_governments_and_ratifiers_with_the_reputation_cost(tmp_path):
    game = load(tmp_path, **SMALL)
    outcomes = {o.label: [float(o[p]) for p in game.players] for o in game.outcomes}
    assert outcomes["aid_first"] == [3.0, 2.0, 5.0, 1.0]
    assert outcomes["aid_first reneged"] == [-4.0, 9.0 - 2.0, -10.0, 6.0 - 2.0]
    assert outcomes["status_quo"] == [0.0, 0.0, 0.0, 0.0]
    assert len(outcomes) == 4


def test_payoffs_survive_the_round_trip_exactly(tmp_path):
    game_args = dict(SMALL, utility=[[0.1, -1 / 3], [3.0e-7, 2.5e8], [1.0, 1.5]])
    game = load(tmp_path, **game_args)
    outcome = next(o for o in game.outcomes if o.label == "status_quo")
    assert float(outcome[list(game.players)[1]]) == -1 / 3
    outcome = next(o for o in game.outcomes if o.label == "aid_first")
    assert float(outcome[list(game.players)[0]]) == 3.0e-7


def test_writing_is_atomic(tmp_path):
    path = tmp_path / "game.efg"
    write_efg(path, *game_of(**SMALL))
    before = path.read_text()
    with pytest.raises(ValueError, match="label"):
        write_efg(path, *game_of(**dict(SMALL, deal_ids=["status_quo", 'bad "id"', "joint_zone"])))
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["game.efg"]


@pytest.mark.parametrize(
    "deal_ids",
    [
        ["status_quo", "a", "a"],
        ["status_quo", "a", "a reneged"],
        ["", "a", "b"],
        ["sq", "a  b", "c"],
    ],
)
def test_unusable_labels_are_rejected(deal_ids):
    with pytest.raises(ValueError):
        format_efg(*game_of(**dict(SMALL, deal_ids=deal_ids)))


# -- our SPE in pygambit ------------------------------------------------------------------


@pytest.mark.parametrize("ratification", [True, False])
def test_our_spe_is_a_subgame_perfect_equilibrium_in_gambit(tmp_path, ratification):
    game = load(tmp_path, **SMALL, ratification=ratification)
    choice = spe_behavior(*game_of(**SMALL, ratification=ratification))
    assert set(choice) == {infoset.label for infoset in game.infosets}
    profile = profile_of(game, choice)
    assert float(profile.max_regret()) == pytest.approx(0.0, abs=TOL)
    assert float(profile.agent_max_regret()) == pytest.approx(0.0, abs=TOL)
    assert subgame_perfect(profile)


def test_the_hashimoto_choices_appear_in_the_behaviour_profile():
    # Russia would renege on aid_first; Japan's ratifier rejects it; Japan offers joint_zone.
    choice = spe_behavior(*game_of(**SMALL))
    assert choice[infoset_label("aid_first", "perform")] == "renege"
    assert choice[infoset_label("aid_first", "Japan ratifier")] == "reject"
    assert choice[infoset_label("aid_first", "respond")] == "reject"
    assert choice[OFFER] == "joint_zone"
    assert choice[infoset_label("joint_zone", "respond")] == "accept"


def random_game(rng, performer, proposer, ratification):
    d = len(performer)
    return dict(
        deal_ids=[f"deal_{i}" for i in range(d)],
        utility=rng.normal(scale=10, size=(d, 2)),
        ratifier_utility=rng.normal(scale=10, size=(d, 2)),
        reneged_utility=rng.normal(scale=10, size=(d, 2)),
        reneged_ratifier_utility=rng.normal(scale=10, size=(d, 2)),
        performer=performer,
        reputation_cost=rng.uniform(0, 5, size=2),
        proposer=proposer,
        ratification=ratification,
    )


CASES = [
    (seed, proposer, ratification)
    for seed, proposer, ratification in [(1, 0, True), (2, 1, True), (3, 0, False), (4, 1, False)]
]


@pytest.mark.parametrize(("seed", "proposer", "ratification"), CASES)
def test_gambits_subgame_perfect_equilibria_reach_our_outcome(
    tmp_path, seed, proposer, ratification
):
    rng = np.random.default_rng(seed)
    args = random_game(rng, [-1, 1, 0], proposer, ratification)
    game = load(tmp_path, **args)
    ours = profile_of(game, spe_behavior(*game_of(**args)))
    assert float(ours.max_regret()) == pytest.approx(0.0, abs=TOL)
    # Every pure agent equilibrium Gambit finds; keep the subgame-perfect ones.
    found = gbt.nash.enumpure_agent_solve(game).equilibria
    perfect = [eq for eq in found if subgame_perfect(eq)]
    assert perfect, "Gambit found no subgame-perfect pure equilibrium"
    # Generic payoffs: all SPE (they differ only at indifferent, unreached nodes)
    # end in the same outcome, ours.
    for eq in perfect:
        np.testing.assert_allclose(terminal_payoffs(eq), terminal_payoffs(ours), atol=1e-9)
    # ... and that outcome is the one the vectorised solver reports.
    result = solve(*game_of(**args))
    np.testing.assert_allclose(terminal_payoffs(ours)[:2], result.payoff[0], atol=1e-9)
