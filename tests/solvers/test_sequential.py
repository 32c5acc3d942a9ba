"""Sequential two-level game: hand-solved menus, logit ratification, batch properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.solvers.sequential import TOL, SequentialGame, Stage, describe_kill, solve
from tests.batch import assert_batch_is_a_loop

JAPAN, RUSSIA = 0, 1


def solve_arrays(u, r, ur, rr, perf, cost, proposer, *, ratification=True, noise=None, **kw):
    """The solver on plain arrays: the game object built here, deals named by number."""
    u = np.asarray(u, dtype=float)
    ids = tuple(f"deal_{d}" for d in range(u.shape[1]))
    game = SequentialGame(ids, u, r, ur, rr, perf, cost, ratification, noise)
    return solve(game, proposer, **kw)


def one(
    utility,
    *,
    ratifier=None,
    reneged=None,
    reneged_ratifier=None,
    performer=None,
    cost=(0.0, 0.0),
    proposer=JAPAN,
    ratification=True,
    noise=None,
):
    """Solve one draw; deals are ``(Japan, Russia)`` pairs, the status quo first.

    Ratifiers default to their governments' utilities, reneged variants to the
    deals themselves, performers to none.
    """
    u = np.array([utility], dtype=float)
    r = u if ratifier is None else np.array([ratifier], dtype=float)
    ur = u if reneged is None else np.array([reneged], dtype=float)
    rr = ur if reneged_ratifier is None else np.array([reneged_ratifier], dtype=float)
    perf = [-1] * u.shape[1] if performer is None else performer
    sigma = None if noise is None else np.array([noise], dtype=float)
    return solve_arrays(
        u, r, ur, rr, perf, np.array([cost]), proposer, ratification=ratification, noise=sigma
    )


def stage(result, deal):
    return Stage(int(result.stage[0, deal]))


def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


IDS = ("status_quo", "a", "b", "c")


# -- one kill per stage -------------------------------------------------------------------


def test_the_responder_rejects_a_deal_that_leaves_it_worse_off():
    result = one([(0, 0), (5, -3), (2, 1)])
    assert stage(result, 1) == Stage.RESPONDER
    assert result.margin[0, 1] == pytest.approx(-3.0)
    assert stage(result, 2) == Stage.HOLDS
    assert result.margin[0, 2] == pytest.approx(2.0)  # Japan's gain from its offer
    assert result.offer[0] == 2 and result.outcome[0] == 2 and not result.reneged[0]
    np.testing.assert_allclose(result.payoff[0], [2.0, 1.0])
    assert describe_kill(result, 0, 1, IDS) == "a: rejected by Russia's government — margin -3.00"
    assert describe_kill(result, 0, 2, IDS) == "b: holds up"
    assert describe_kill(result, 0, 0, IDS).startswith("status_quo: the status quo")


def test_japans_ratifier_rejects_a_deal_its_government_likes():
    result = one([(0, 0), (4, 4), (1, 1)], ratifier=[(0, 0), (-24.6, 3), (1, 1)])
    assert stage(result, 1) == Stage.JAPAN_RATIFIER
    assert result.margin[0, 1] == pytest.approx(-24.6)
    assert result.offer[0] == 2
    assert not result.accepted[0, 1]  # a deal its ratifiers reject: the responder says no
    expected = "a: rejected by Japan's ratifier — margin -24.60"
    assert describe_kill(result, 0, 1, IDS) == expected


def test_russias_ratifier_rejects_a_deal_japans_ratifier_accepts():
    result = one([(0, 0), (4, 4)], ratifier=[(1, 0), (2, -7.5)])
    assert stage(result, 1) == Stage.RUSSIA_RATIFIER
    assert result.margin[0, 1] == pytest.approx(-7.5)
    assert result.ratified[0, 1].tolist() == [True, False]
    assert result.offer[0] == 0 and result.outcome[0] == 0
    np.testing.assert_allclose(result.payoff[0], [0.0, 0.0])


def test_when_both_ratifiers_reject_japans_comes_first_on_the_path():
    result = one([(0, 0), (4, 4)], ratifier=[(0, 0), (-1, -2)])
    assert stage(result, 1) == Stage.JAPAN_RATIFIER
    assert result.margin[0, 1] == pytest.approx(-1.0)


def test_without_ratification_ratifier_kills_disappear():
    utility, ratifier = [(0, 0), (4, 4), (1, 1)], [(0, 0), (-24.6, 3), (1, 1)]
    result = one(utility, ratifier=ratifier, ratification=False)
    assert stage(result, 1) == Stage.HOLDS and result.offer[0] == 1
    assert stage(result, 2) == Stage.PROPOSER
    assert result.margin[0, 2] == pytest.approx(1.0 - 4.0)
    expected = "b: survives, but Japan prefers to offer a — margin -3.00"
    assert describe_kill(result, 0, 2, IDS) == expected


def test_a_surviving_deal_the_proposer_does_not_want():
    result = one([(0, 0), (-2, 5)], ratifier=[(0, 0), (1, 1)])
    assert stage(result, 1) == Stage.PROPOSER
    assert result.margin[0, 1] == pytest.approx(-2.0)
    assert result.offer[0] == 0
    assert describe_kill(result, 0, 1, IDS).endswith("Japan prefers the status quo — margin -2.00")


def test_proposer_order_matters():
    menu = [(0, 0), (6, 1), (1, 6)]
    japan, russia = one(menu, proposer=JAPAN), one(menu, proposer=RUSSIA)
    assert japan.offer[0] == 1 and russia.offer[0] == 2
    np.testing.assert_allclose(japan.payoff[0], [6.0, 1.0])
    np.testing.assert_allclose(russia.payoff[0], [1.0, 6.0])
    assert stage(japan, 2) == Stage.PROPOSER and stage(russia, 1) == Stage.PROPOSER
    assert japan.margin[0, 2] == pytest.approx(1.0 - 6.0)
    assert russia.margin[0, 1] == pytest.approx(1.0 - 6.0)


def test_ties_go_to_the_earlier_deal():
    result = one([(0, 0), (1, 1), (3, 1), (3, 2)])
    assert result.offer[0] == 2
    assert stage(result, 3) == Stage.PROPOSER
    assert result.margin[0, 3] == pytest.approx(0.0, abs=TOL)


# -- the commitment problem ---------------------------------------------------------------

# A transfer Russia performs later: worth (3, 2); reneged (aid paid, no territory) it is
# worth (-4, 9) before Russia's reputation cost, so Russia gains 9 - c - 2 by reneging.
TRANSFER = dict(
    performer=[-1, RUSSIA],
    reneged=[(0, 0), (-4, 9)],
    ratification=False,
)


@pytest.mark.parametrize(("cost", "reneges"), [(2.0, True), (10.0, False)])
def test_reputation_cost_decides_whether_russia_reneges(cost, reneges):
    result = one([(0, 0), (3, 2)], cost=(0.0, cost), **TRANSFER)
    assert result.anticipated_renege[0, 1] == reneges
    if reneges:  # Japan anticipates "aid paid, no territory" and offers nothing
        assert stage(result, 1) == Stage.RENEGED
        assert result.margin[0, 1] == pytest.approx(9 - 2 - 2)
        assert result.offer[0] == 0
        assert describe_kill(result, 0, 1, IDS).startswith(
            "a: Russia would renege (gain 5.00 over a reputation cost of 2.00)"
        )
    else:
        assert stage(result, 1) == Stage.HOLDS
        assert result.offer[0] == 1 and not result.reneged[0]
        np.testing.assert_allclose(result.payoff[0], [3.0, 2.0])


# The Hashimoto pattern with ratification: money up front, the transfer later.
HASHIMOTO = dict(
    ratifier=[(0, 0), (5, 1)],
    performer=[-1, RUSSIA],
    reneged=[(0, 0), (-4, 9)],
    reneged_ratifier=[(0, 0), (-10, 6)],
)


def test_hashimoto_pattern_japans_ratifier_rejects_what_russia_would_renege_on():
    result = one([(0, 0), (3, 2)], cost=(0.0, 2.0), **HASHIMOTO)
    assert result.anticipated_renege[0, 1]
    assert stage(result, 1) == Stage.JAPAN_RATIFIER
    assert result.margin[0, 1] == pytest.approx(-10.0)
    assert result.offer[0] == 0 and result.outcome[0] == 0
    text = describe_kill(result, 0, 1, IDS)
    assert text == (
        "a: rejected by Japan's ratifier — margin -10.00 (anticipating that Russia would renege)"
    )


def test_hashimoto_pattern_holds_with_a_reputation_cost_above_the_gain():
    result = one([(0, 0), (3, 2)], cost=(0.0, 20.0), **HASHIMOTO)
    assert not result.anticipated_renege[0, 1]
    assert stage(result, 1) == Stage.HOLDS
    assert result.offer[0] == 1 and result.outcome[0] == 1 and not result.reneged[0]


def test_the_reputation_cost_also_falls_on_the_reneging_sides_ratifier():
    # Russia's ratifier values the reneged deal at 1.5, less Russia's cost of 2.
    result = one(
        [(0, 0), (3, 2)],
        ratifier=[(0, 0), (5, 1)],
        performer=[-1, RUSSIA],
        reneged=[(0, 0), (-4, 9)],
        reneged_ratifier=[(0, 0), (1, 1.5)],
        cost=(0.0, 2.0),
    )
    assert result.anticipated_renege[0, 1]
    assert stage(result, 1) == Stage.RUSSIA_RATIFIER
    assert result.margin[0, 1] == pytest.approx(1.5 - 2.0)


def test_the_responder_rejects_because_the_proposer_would_renege():
    # Japan owes money later: reneging gains it 6 - 1 - 2 = 3 and leaves Russia at -1.
    result = one(
        [(0, 0), (2, 3)], performer=[-1, JAPAN], reneged=[(0, 0), (6, -1)], cost=(1.0, 0.0)
    )
    assert result.anticipated_renege[0, 1]
    assert stage(result, 1) == Stage.RESPONDER
    assert result.margin[0, 1] == pytest.approx(-1.0)


def test_a_reneged_deal_can_still_be_the_best_offer():
    result = one(
        [(0, 0), (2, 3)], performer=[-1, JAPAN], reneged=[(0, 0), (6, 0.5)], cost=(1.0, 0.0)
    )
    assert stage(result, 1) == Stage.RENEGED
    assert result.margin[0, 1] == pytest.approx(3.0)
    assert result.offer[0] == 1 and result.outcome[0] == 1 and result.reneged[0]
    np.testing.assert_allclose(result.payoff[0], [5.0, 0.5])
    assert "offered all the same" in describe_kill(result, 0, 1, IDS)


# -- probabilistic ratification -----------------------------------------------------------


def test_logit_ratification_probabilities_by_hand():
    # Ratifier margins 2 (Japan, noise 1) and 1 (Russia, noise 0.5): P = logistic(2)^2.
    result = one([(0, 0), (4, 3)], ratifier=[(0, 0), (2, 1)], noise=(1.0, 0.5))
    p = logistic(2.0) ** 2
    assert result.ratify_probability[0, 1] == pytest.approx(p)
    assert result.offer[0] == 1 and result.outcome[0] == 1
    assert result.outcome_probability[0, 1, 0] == pytest.approx(p)
    assert result.outcome_probability[0, 0, 0] == pytest.approx(1 - p)
    np.testing.assert_allclose(result.payoff[0], [4 * p, 3 * p])
    assert result.margin[0, 1] == pytest.approx(4 * p)  # Japan's expected gain


def test_under_noise_the_offer_maximises_expected_gain():
    # Deal 1 is worth more but likely vetoed; deal 2 less but safely ratified.
    result = one([(0, 0), (15, 1), (3, 1)], ratifier=[(0, 0), (-1, 5), (5, 5)], noise=(1.0, 1.0))
    p1, p2 = logistic(-1) * logistic(5), logistic(5) ** 2
    assert 15 * p1 > 3 * p2  # so the gamble is worth it
    assert result.offer[0] == 1 and result.outcome[0] == 0  # offered, most likely vetoed
    assert stage(result, 1) == Stage.JAPAN_RATIFIER
    assert result.payoff[0, 0] == pytest.approx(15 * p1)


def random_game(rng, n, d, performer):
    shape = (n, d, 2)
    arrays = [rng.normal(scale=10.0, size=shape) for _ in range(4)]
    cost = rng.uniform(0.0, 10.0, size=(n, 2))
    return (*arrays, np.array(performer), cost)


PERFORMER = [-1, 1, -1, 0, 1]


def test_as_noise_vanishes_probabilities_tend_to_the_deterministic_outcome():
    rng = np.random.default_rng(7)
    args = random_game(rng, 500, 5, PERFORMER)
    exact = solve_arrays(*args, proposer=0)
    errors = []
    for sigma in (1.0, 1e-3, 1e-9):
        noisy = solve_arrays(*args, proposer=0, noise=np.full((500, 2), sigma))
        prob = noisy.outcome_probability
        rows = np.arange(500)
        errors.append(np.abs(1.0 - prob[rows, exact.outcome, exact.reneged.astype(int)]).max())
    assert errors[0] > 1e-2  # genuinely noisy at sigma = 1
    assert errors[-1] < 1e-6
    np.testing.assert_array_equal(noisy.offer, exact.offer)
    np.testing.assert_array_equal(noisy.outcome, exact.outcome)
    np.testing.assert_allclose(noisy.payoff, exact.payoff, atol=1e-6)


def test_outcome_probabilities_are_a_distribution_and_weight_the_payoffs():
    rng = np.random.default_rng(11)
    u, r, ur, rr, perf, cost = random_game(rng, 400, 5, PERFORMER)
    noise = rng.uniform(0.5, 5.0, size=(400, 2))
    for proposer in (0, 1):
        result = solve_arrays(u, r, ur, rr, perf, cost, proposer, noise=noise)
        prob = result.outcome_probability
        assert ((prob >= 0) & (prob <= 1)).all()
        np.testing.assert_allclose(prob.sum(axis=(1, 2)), 1.0, atol=1e-12)
        charged = cost[:, None, :] * (perf[None, :, None] == np.arange(2))
        expected = np.einsum("nd,nda->na", prob[..., 0], u)
        expected += np.einsum("nd,nda->na", prob[..., 1], ur - charged)
        np.testing.assert_allclose(result.payoff, expected, atol=1e-9)
        assert ((result.ratify_probability >= 0) & (result.ratify_probability <= 1)).all()


def test_deterministic_results_carry_no_probabilities():
    result = one([(0, 0), (1, 1)])
    assert result.outcome_probability is None and result.ratify_probability is None


# -- input checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(performer=[0, -1]), "performer"),
        (dict(performer=[-1, 2]), "performer"),
        (dict(proposer=2), "proposer"),
        (dict(noise=(1.0, -0.5)), "noise"),
        (dict(utility=[(0, 0), (np.nan, 1)]), "finite"),
    ],
)
def test_invalid_input_is_rejected(change, message):
    kwargs = dict(utility=[(0, 0), (1, 1)]) | change
    with pytest.raises(ValueError, match=message):
        one(**kwargs)


# -- a plain reference: the tree walked draw by draw --------------------------------------


def reference(u, r, ur, rr, perf, cost, proposer, ratification, tol=TOL):
    """Backward induction on one draw, written node by node.

    Returns the offer, outcome, reneged flag and the governments' payoffs.
    """
    responder = 1 - proposer
    best, best_gain, path = 0, 0.0, (0, False)
    for d in range(1, len(u)):
        k = perf[d]
        gov, rat, reneged = list(u[d]), list(r[d]), False
        if k >= 0 and ur[d][k] - cost[k] - u[d][k] > tol:
            gov, rat, reneged = list(ur[d]), list(rr[d]), True
            gov[k] -= cost[k]
            rat[k] -= cost[k]
        if ratification and not all(rat[a] - r[0][a] > tol for a in (0, 1)):
            continue
        if not gov[responder] - u[0][responder] > tol:
            continue
        gain = gov[proposer] - u[0][proposer]
        if gain > tol and (best == 0 or gain > best_gain + tol):
            best, best_gain, path = d, gain, (d, reneged)
            payoff = gov
    if best == 0:
        payoff = list(u[0])
    return best, path[0], path[1], payoff


games = st.integers(1, 4).flatmap(
    lambda n: st.integers(2, 5).flatmap(
        lambda d: st.tuples(
            st.lists(
                st.lists(st.integers(-6, 6), min_size=2 * d, max_size=2 * d),
                min_size=4 * n,
                max_size=4 * n,
            ),
            st.lists(st.sampled_from([-1, 0, 1]), min_size=d - 1, max_size=d - 1),
            st.lists(st.integers(0, 8), min_size=2 * n, max_size=2 * n),
            st.just((n, d)),
        )
    )
)


def unpack(game):
    """Integer utilities (ties are common) as solver arrays."""
    values, perf, cost, (n, d) = game
    arrays = np.array(values, dtype=float).reshape(4, n, d, 2)
    return (*arrays, np.array([-1, *perf]), np.array(cost, dtype=float).reshape(n, 2))


@settings(max_examples=150, deadline=None)
@given(game=games, proposer=st.integers(0, 1), ratification=st.booleans())
def test_the_vectorised_solver_matches_the_plain_reference(game, proposer, ratification):
    u, r, ur, rr, perf, cost = unpack(game)
    result = solve_arrays(u, r, ur, rr, perf, cost, proposer, ratification=ratification)
    for n in range(len(u)):
        offer, outcome, reneged, payoff = reference(
            u[n].tolist(), r[n].tolist(), ur[n].tolist(), rr[n].tolist(),
            perf.tolist(), cost[n].tolist(), proposer, ratification,
        )  # fmt: skip
        assert (result.offer[n], result.outcome[n], result.reneged[n]) == (offer, outcome, reneged)
        np.testing.assert_allclose(result.payoff[n], payoff)


FIELDS = (
    "offer", "outcome", "reneged", "payoff", "stage", "margin", "anticipated_renege",
    "accepted", "ratified", "outcome_probability", "ratify_probability",
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    game=games,
    proposer=st.integers(0, 1),
    ratification=st.booleans(),
    noisy=st.booleans(),
    chunk=st.integers(1, 3),
)
def test_a_batch_equals_a_loop_of_single_draws(game, proposer, ratification, noisy, chunk):
    u, r, ur, rr, perf, cost = unpack(game)
    noise = None
    if noisy:  # some draws (and some sides) without noise: they stay deterministic
        noise = np.linspace(0.5, 3.0, 2 * len(u)).reshape(-1, 2)
        noise[::2, 0] = 0.0
        noise[::3] = 0.0

    def solve(rows: slice):
        sigma = None if noise is None else noise[rows]
        arrays = [a[rows] for a in (u, r, ur, rr)]
        result = solve_arrays(
            *arrays, perf, cost[rows], proposer, ratification=ratification, noise=sigma, chunk=chunk
        )
        return {name: getattr(result, name) for name in FIELDS}

    assert_batch_is_a_loop(solve, len(u), optional=("outcome_probability", "ratify_probability"))


@settings(max_examples=150, deadline=None)
@given(game=games, proposer=st.integers(0, 1), ratification=st.booleans(), noisy=st.booleans())
def test_stage_codes_agree_with_margins(game, proposer, ratification, noisy):
    u, r, ur, rr, perf, cost = unpack(game)
    noise = np.full((len(u), 2), 2.0) if noisy else None
    res = solve_arrays(u, r, ur, rr, perf, cost, proposer, ratification=ratification, noise=noise)
    # The proposer never does worse than the status quo.
    assert (res.payoff[:, proposer] >= u[:, 0, proposer] - TOL).all()
    code, margin = res.stage, res.margin
    assert (code[:, 0] == Stage.STATUS_QUO).all() and np.isnan(margin[:, 0]).all()
    assert (code[:, 1:] != Stage.STATUS_QUO).all() and np.isfinite(margin[:, 1:]).all()
    killed_early = np.isin(code, [Stage.RESPONDER, Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER])
    assert (margin[killed_early] <= TOL).all()
    assert (margin[code == Stage.PROPOSER] <= TOL).all()
    assert (margin[code == Stage.HOLDS] > TOL).all()
    reneged = code == Stage.RENEGED
    assert (margin[reneged] > TOL).all() and res.anticipated_renege[reneged].all()
    assert not res.accepted[code == Stage.RESPONDER].any()
    assert not res.ratified[..., 0][code == Stage.JAPAN_RATIFIER].any()
    assert res.ratified[..., 0][code == Stage.RUSSIA_RATIFIER].all()
    assert not res.ratified[..., 1][code == Stage.RUSSIA_RATIFIER].any()
    if not ratification:
        assert not np.isin(code, [Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER]).any()
    rows = np.arange(len(u))
    holds = code == Stage.HOLDS
    assert (holds.sum(axis=1) <= 1).all()
    assert (res.offer[holds.any(axis=1)] == holds.argmax(axis=1)[holds.any(axis=1)]).all()
    assert not res.anticipated_renege[:, 0].any()
    if not noisy:
        offered = res.offer > 0
        assert np.isin(code[rows, res.offer][offered], [Stage.HOLDS, Stage.RENEGED]).all()
        assert (res.outcome == res.offer).all()
        assert (res.reneged == res.anticipated_renege[rows, res.offer]).all()
