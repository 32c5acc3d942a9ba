"""Cooperative solutions: closed forms, axioms as properties, batch consistency."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim import evaluate, load_scenario
from sim.solvers.cooperative import (
    SOLUTION_NAMES,
    TOL,
    bargaining_power,
    pareto_optimal,
    solve,
)
from tests.batch import assert_batch_is_a_loop


def game(points, *, power=0.5, ratifier=None):
    """Solve one game whose deals (after the status quo at the origin) are ``points``."""
    utility = np.array([[[0.0, 0.0], *points]], dtype=float)
    ratifier = utility if ratifier is None else np.array([[[0.0, 0.0], *ratifier]], dtype=float)
    return solve(utility, ratifier, np.array([power]))


def point(result, name):
    return result.solutions[name].gain[0]


# -- closed forms ------------------------------------------------------------------------


EPS = 1e-7  # end points of a frontier must themselves be (barely) acceptable


def test_symmetric_nash_on_a_linear_frontier_is_the_midpoint():
    result = game([(1.0, EPS), (EPS, 1.0)])
    np.testing.assert_allclose(point(result, "nash_lottery"), [0.5, 0.5], atol=1e-6)
    solution = result.solutions["nash_lottery"]
    assert solution.is_lottery[0]
    assert solution.weight[0] == pytest.approx(0.5, abs=1e-6)


def test_lotteries_only_mix_acceptable_deals():
    # (1, 0) and (0, 1) give one side nothing: neither may be drawn by a lottery.
    result = game([(1.0, 0.0), (0.0, 1.0)])
    assert not result.solutions["nash_lottery"].agreement[0]


def test_symmetric_nash_picks_the_midpoint_deal_among_deals():
    result = game([(0.2, 0.8), (0.5, 0.5), (0.8, 0.2)])
    assert result.solutions["nash"].deal[0] == 2


@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.78])
def test_asymmetric_nash_on_a_linear_frontier_gives_each_side_its_power(alpha):
    # Maximise x^a y^(1-a) on x + y = 1: x = a.
    result = game([(1.0, EPS), (EPS, 1.0)], power=alpha)
    np.testing.assert_allclose(
        point(result, "nash_asymmetric_lottery"), [alpha, 1 - alpha], atol=1e-6
    )


def test_asymmetric_nash_on_a_scaled_frontier():
    # Maximise x^a y^(1-a) on x/4 + y/2 = 1: x = 4a, y = 2(1-a).
    result = game([(4.0, EPS), (EPS, 2.0)], power=0.3)
    np.testing.assert_allclose(point(result, "nash_asymmetric_lottery"), [1.2, 1.4], atol=1e-6)


def test_kalai_smorodinsky_on_a_known_frontier():
    # Frontier x + 2y = 2 between (2, 0) and (0, 1); ideal point (2, 1).
    # KS: x/2 = y/1 on the frontier -> x = 1, y = 0.5.
    result = game([(2.0, EPS), (EPS, 1.0)])
    np.testing.assert_allclose(point(result, "kalai_smorodinsky_lottery"), [1.0, 0.5], atol=1e-5)


def test_kalai_smorodinsky_differs_from_nash_on_an_asymmetric_frontier():
    # Frontier through (0.1, 1), (0.8, 0.8), (1, 0.1): ideal (1, 1).
    points = [(0.1, 1.0), (0.8, 0.8), (1.0, 0.1)]
    result = game(points)
    assert result.solutions["kalai_smorodinsky"].deal[0] == 2
    assert result.solutions["utilitarian"].deal[0] == 2


def test_egalitarian_equalises_gains():
    # Frontier x + 2y = 2: equal gains x = y = 2/3.
    result = game([(2.0, EPS), (EPS, 1.0)])
    np.testing.assert_allclose(point(result, "egalitarian_lottery"), [2 / 3, 2 / 3], atol=1e-5)


def test_utilitarian_maximises_the_sum():
    result = game([(3.0, 0.5), (1.0, 1.0), (0.5, 2.5)])
    assert result.solutions["utilitarian"].deal[0] == 1
    assert not result.solutions["utilitarian"].is_lottery[0]


def test_no_deal_beats_the_status_quo_is_a_result():
    result = game([(1.0, -1.0), (-0.5, 2.0)])
    for name in SOLUTION_NAMES:
        solution = result.solutions[name]
        assert not solution.agreement[0]
        assert solution.deal[0] == 0
        np.testing.assert_allclose(solution.gain[0], 0.0)


def test_ratification_restricts_the_feasible_set():
    points = [(1.0, 1.0), (0.5, 0.5)]
    ratifier = [(-1.0, 1.0), (0.5, 0.5)]
    assert game(points, ratifier=ratifier).solutions["nash"].deal[0] == 2
    utility = np.array([[[0.0, 0.0], *points]])
    loose = solve(
        utility, np.array([[[0.0, 0.0], *ratifier]]), np.array([0.5]), require_ratification=False
    )
    assert loose.solutions["nash"].deal[0] == 1


def test_bargaining_power_from_patience():
    assert bargaining_power(np.array([0.9]), np.array([0.9]))[0] == pytest.approx(0.5)
    # The more patient side has more power: ln(0.9) / (ln(0.99) + ln(0.9)).
    expected = np.log(0.9) / (np.log(0.99) + np.log(0.9))
    assert bargaining_power(np.array([0.99]), np.array([0.9]))[0] == pytest.approx(expected)


def test_pareto_optimal():
    utility = np.array([[[0, 0], [1, 1], [1, 0.5], [0.5, 2], [0.5, 2]]], dtype=float)
    assert pareto_optimal(utility)[0].tolist() == [False, True, False, True, True]


# -- properties -------------------------------------------------------------------------

coordinates = st.floats(-3, 3, allow_nan=False).map(lambda x: round(x, 3))
menus = hnp.arrays(np.float64, st.tuples(st.integers(2, 7), st.just(2)), elements=coordinates)


def _solve_menu(points, power=0.5):
    utility = np.concatenate([np.zeros((1, 2)), points])[None]
    return solve(utility, utility, np.array([power]))


@settings(max_examples=200, deadline=None)
@given(points=menus, power=st.floats(0.05, 0.95))
def test_nash_is_individually_rational_and_pareto_efficient(points, power):
    result = _solve_menu(points, power)
    rational = (points > 1e-9).all(axis=1)
    for name in ("nash", "nash_lottery", "nash_asymmetric", "nash_asymmetric_lottery"):
        solution = result.solutions[name]
        gain = solution.gain[0]
        assert solution.agreement[0] == rational.any()
        if not rational.any():
            continue
        assert (gain > 0).all()
        candidates = points[rational]
        # No rational deal is at least as good for both and better for one.
        dominated = (candidates >= gain - 1e-9).all(axis=1) & (candidates > gain + 1e-7).any(axis=1)
        assert not dominated.any()


@settings(max_examples=200, deadline=None)
@given(points=menus, power=st.floats(0.05, 0.95), scale=st.floats(0.1, 10), shift=st.floats(-5, 5))
def test_nash_is_invariant_to_affine_rescaling_of_one_side(points, power, scale, shift):
    rational = (points > 1e-6).all(axis=1)
    products = np.prod(np.where(rational[:, None], points, 1), axis=1)
    assume(len(np.unique(np.round(products[rational], 6))) == rational.sum())  # no exact ties
    before = _solve_menu(points, power)
    utility = np.concatenate([np.zeros((1, 2)), points])
    utility[:, 0] = scale * utility[:, 0] + shift  # rescale Japan, status quo included
    after = solve(utility[None], utility[None], np.array([power]))
    for name in ("nash", "nash_asymmetric", "nash_lottery", "kalai_smorodinsky"):
        b, a = before.solutions[name], after.solutions[name]
        assert a.deal[0] == b.deal[0] and a.other[0] == b.other[0]
        assert a.weight[0] == pytest.approx(b.weight[0], abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(points=menus, power=st.floats(0.05, 0.95))
def test_lottery_solutions_are_at_least_as_good_as_single_deals(points, power):
    result = _solve_menu(points, power)
    for base, objective in (
        ("nash", lambda g: 0.5 * np.log(g[0]) + 0.5 * np.log(g[1])),
        ("egalitarian", lambda g: g.min()),
    ):
        single, lottery = result.solutions[base], result.solutions[f"{base}_lottery"]
        if single.agreement[0]:
            assert objective(lottery.gain[0]) >= objective(single.gain[0]) - 1e-9


@settings(max_examples=30, deadline=None)
@given(
    utility=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 12), st.integers(2, 6), st.just(2)),
        elements=coordinates,
    ),
    power=st.floats(0.05, 0.95),
)
def test_batch_equals_a_loop(utility, power):
    utility = utility.copy()
    utility[:, 0, :] = 0.0
    powers = np.full(len(utility), power)

    def solve_rows(rows: slice):
        result = solve(utility[rows], utility[rows], powers[rows])
        return {"result": result, "pareto": result.pareto}

    assert_batch_is_a_loop(solve_rows, len(utility), rtol=1e-12)


def test_lottery_nash_matches_a_fine_grid_search():
    rng = np.random.default_rng(7)
    for _ in range(50):
        points = rng.uniform(0.05, 2.0, size=(5, 2))
        result = _solve_menu(points, 0.5)
        best = -np.inf
        p = np.linspace(0, 1, 2001)[:, None]
        for i in range(5):
            for j in range(5):
                mix = p * points[i] + (1 - p) * points[j]
                best = max(best, np.max(np.log(mix[:, 0]) + np.log(mix[:, 1])))
        gain = result.solutions["nash_lottery"].gain[0]
        assert np.log(gain).sum() == pytest.approx(best, abs=1e-5)
        assert np.log(gain).sum() >= best - 1e-12


# -- lotteries against brute force (issue 15, item 1) ------------------------------------

LOTTERIES = (
    "nash_lottery",
    "nash_asymmetric_lottery",
    "kalai_smorodinsky_lottery",
    "egalitarian_lottery",
)
GRID = np.linspace(0.0, 1.0, 2001)


def test_lottery_search_is_not_anchored_at_the_best_single_deal():
    # (0.4, 0.4) is the best single deal by every criterion but lies inside the hull of
    # (1, 0.01) and (0.01, 1): their 50:50 lottery gives (0.505, 0.505) to both.
    u = np.array([[[0, 0], [1, 0.01], [0.01, 1], [0.4, 0.4]]], dtype=float)
    result = solve(u, u, np.array([0.5]), require_ratification=False)
    for name in LOTTERIES:
        solution = result.solutions[name]
        assert solution.is_lottery[0], name
        assert {int(solution.deal[0]), int(solution.other[0])} == {1, 2}, name
        assert solution.weight[0] == pytest.approx(0.5, abs=1e-9), name
        np.testing.assert_allclose(solution.gain[0], [0.505, 0.505], atol=1e-9)
    assert result.solutions["egalitarian"].deal[0] == 3


def _objectives(gains, power, ideal):
    """Each lottery solution's objective at gains ``(..., 2)`` (all gains positive)."""
    x, y = gains[..., 0], gains[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "nash_lottery": 0.5 * np.log(x) + 0.5 * np.log(y),
            "nash_asymmetric_lottery": power * np.log(x) + (1 - power) * np.log(y),
            "kalai_smorodinsky_lottery": np.minimum(x / ideal[0], y / ideal[1]),
            "egalitarian_lottery": np.minimum(x, y),
        }


def brute_force(points, power):
    """Best objective over every feasible deal and every lottery of two on a grid of weights.

    ``points`` are the deals' gains (the status quo excluded); a deal is feasible when both
    gains exceed the tolerance. Returns ``None`` when no deal is feasible.
    """
    deals = points[(points > TOL).all(axis=1)]
    if len(deals) == 0:
        return None
    first, second = np.triu_indices(len(deals), k=1)
    p = GRID[:, None, None]
    mixes = p * deals[first] + (1 - p) * deals[second]  # (grid, pairs, 2)
    candidates = np.concatenate([deals, mixes.reshape(-1, 2)])
    objectives = _objectives(candidates, power, deals.max(axis=0))
    return {name: float(values.max()) for name, values in objectives.items()}


def check_against_brute_force(points, power, solution_of):
    """The solver's lotteries are valid mixtures and at least as good as the brute force."""
    best = brute_force(points, power)
    gains = np.concatenate([np.zeros((1, 2)), points])
    feasible = (gains > TOL).all(axis=1)
    for name in LOTTERIES:
        solution = solution_of(name)
        deal, other, weight, gain = solution
        if best is None:
            assert deal == other == 0 and weight == 1.0
            continue
        assert feasible[deal] and feasible[other]
        assert 0.0 <= weight <= 1.0
        np.testing.assert_allclose(
            gain, weight * gains[deal] + (1 - weight) * gains[other], rtol=0, atol=1e-12
        )
        ideal = points[feasible[1:]].max(axis=0)
        value = _objectives(gain, power, ideal)[name]
        assert value >= best[name] - 1e-9, (name, value, best[name])
        # The grid comes within its resolution (first order at the kink of a maximin) of
        # the optimum, so it also checks the check.
        assert value <= best[name] + 1e-3, (name, value, best[name])


def random_menus(rng, n, deals):
    """``n`` menus of ``deals`` gains each: a mix of spreads, some on a concave frontier."""
    points = rng.uniform(-0.3, 1.0, size=(n, deals, 2))
    angle = rng.uniform(0, np.pi / 2, size=(n, deals))
    radius = rng.uniform(0.6, 1.0, size=(n, deals, 1))
    frontier = radius * np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    pick = rng.random(n) < 0.5
    points[pick] = frontier[pick]
    return points


@pytest.mark.parametrize("deals", [2, 3, 5, 8, 12])
def test_lotteries_match_a_brute_force_search_on_random_menus(deals):
    rng = np.random.default_rng(15 + deals)
    points = random_menus(rng, 400, deals)
    power = rng.uniform(0.05, 0.95, size=len(points))
    utility = np.concatenate([np.zeros((len(points), 1, 2)), points], axis=1)
    result = solve(utility, utility, power)
    for n in range(len(points)):

        def solution_of(name, n=n):
            s = result.solutions[name]
            return int(s.deal[n]), int(s.other[n]), float(s.weight[n]), s.gain[n]

        check_against_brute_force(points[n], power[n], solution_of)


@settings(max_examples=200, deadline=None)
@given(points=menus, power=st.floats(0.05, 0.95))
def test_lotteries_match_a_brute_force_search_on_rounded_menus(points, power):
    # Coordinates rounded to 0.001: ties, collinear deals and zero gains are common.
    result = _solve_menu(points, power)

    def solution_of(name):
        s = result.solutions[name]
        return int(s.deal[0]), int(s.other[0]), float(s.weight[0]), s.gain[0]

    check_against_brute_force(points, power, solution_of)


# -- bargaining power with a breakdown risk (issue 15, item 9) ---------------------------


def brw_power(delta_j, delta_r, q):
    """Japan's power (r_R + lam) / (r_J + r_R + 2 lam), r_a = -ln delta_a, lam = -ln(1 - q)."""
    r_j, r_r, lam = -np.log(delta_j), -np.log(delta_r), -np.log(1 - q)
    return (r_r + lam) / (r_j + r_r + 2 * lam)


def test_bargaining_power_at_the_baseline_counts_the_breakdown_risk():
    # Baseline: patience 0.97 (Japan), 0.90 (Russia), breakdown risk 0.05 per yearly round.
    # r_J = 0.030459, r_R = 0.105361, lam = 0.051293: (0.156654) / (0.238406) = 0.65709.
    power = bargaining_power(np.array([0.97]), np.array([0.90]), np.array([0.05]))[0]
    assert power == pytest.approx(brw_power(0.97, 0.90, 0.05), rel=1e-12)
    assert power == pytest.approx(0.65709, abs=5e-6)
    # Without the breakdown risk the more patient side's power would be 0.7757.
    assert bargaining_power(np.array([0.97]), np.array([0.90]))[0] == pytest.approx(
        0.7757, abs=5e-5
    )


def test_bargaining_power_without_breakdown_is_the_patience_ratio():
    delta_j, delta_r = np.array([0.97, 0.93, 0.995]), np.array([0.90, 0.97, 0.80])
    limit = np.log(delta_r) / (np.log(delta_j) + np.log(delta_r))
    for q in (1e-6, 1e-9, 0.0):
        np.testing.assert_allclose(
            bargaining_power(delta_j, delta_r, np.full(3, q)), limit, atol=1e-5
        )
    np.testing.assert_allclose(bargaining_power(delta_j, delta_r, np.zeros(3)), limit, rtol=1e-14)


def test_bargaining_power_under_certain_breakdown_is_an_equal_split():
    delta_j, delta_r = np.array([0.97, 0.93, 0.995]), np.array([0.90, 0.97, 0.80])
    previous = np.abs(bargaining_power(delta_j, delta_r, np.full(3, 0.05)) - 0.5)
    for q in (0.5, 0.9, 0.999, 1 - 1e-12):
        distance = np.abs(bargaining_power(delta_j, delta_r, np.full(3, q)) - 0.5)
        assert (distance < previous).all()
        previous = distance
    assert (previous < 3e-3).all()
    np.testing.assert_allclose(bargaining_power(delta_j, delta_r, np.ones(3)), 0.5)


@pytest.mark.parametrize(("delta_j", "delta_r", "q"), [(0.97, 0.90, 0.05), (0.93, 0.97, 0.2)])
def test_bargaining_power_is_the_limit_of_alternating_offers(delta_j, delta_r, q):
    # Rubinstein with breakdown: per period of length dt, beta_a = exp(-(r_a + lam) dt);
    # Japan proposing gets (1 - beta_R) / (1 - beta_J beta_R) -> the power as dt -> 0.
    r_j, r_r, lam = -np.log(delta_j), -np.log(delta_r), -np.log(1 - q)
    power = bargaining_power(np.array([delta_j]), np.array([delta_r]), np.array([q]))[0]
    gaps = []
    for dt in (1.0, 1e-2, 1e-4):
        beta_j, beta_r = np.exp(-(r_j + lam) * dt), np.exp(-(r_r + lam) * dt)
        share = (1 - beta_r) / (1 - beta_j * beta_r)
        gaps.append(abs(share - power))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-4


def test_evaluation_passes_the_breakdown_risk_to_the_bargaining_power(baseline_path):
    result = evaluate(load_scenario(baseline_path))
    column = result.parameters.column
    expected = brw_power(
        column("actors.japan.patience")[0],
        column("actors.russia.patience")[0],
        column("alternating.breakdown_risk")[0],
    )
    assert result.cooperative.power[0] == pytest.approx(expected, rel=1e-12)
