"""Alternating offers with a transfer: closed forms, limits, properties, validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.solvers.alternating import (
    AlternatingResult,
    finite_horizon_shares,
    rubinstein_shares,
    solve_alternating,
)
from tests.batch import assert_batch_is_a_loop


def game(points, patience=(0.9, 0.9), **kwargs) -> AlternatingResult:
    """Solve one draw whose deals (after the status quo at the origin) are ``points``."""
    gains = np.array([[[0.0, 0.0], *points]], dtype=float)
    return solve_alternating(gains, np.array([patience], dtype=float), **kwargs)


def assert_same(a: AlternatingResult, b: AlternatingResult, atol: float = 1e-12) -> None:
    for field in dataclasses.fields(AlternatingResult):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if not isinstance(x, np.ndarray):
            assert x == y, field.name
        else:
            np.testing.assert_allclose(x, y, atol=atol, err_msg=field.name)


# -- closed forms ------------------------------------------------------------------------


@pytest.mark.parametrize("d1, d2", [(0.9, 0.9), (0.9, 0.5), (0.3, 0.95), (0.6, 0.8)])
@pytest.mark.parametrize("proposer", [0, 1])
def test_proposer_share_on_a_pure_split(d1, d2, proposer):
    # One deal worth 1 in all; the proposer (patience d1) gets (1 - d2)/(1 - d1 d2).
    patience = (d1, d2) if proposer == 0 else (d2, d1)
    result = game([(0.3, 0.7)], patience, proposer=proposer)
    expected = (1 - d2) / (1 - d1 * d2)
    assert result.agreement[0] and result.deal[0] == 1
    assert result.share[0, proposer] == pytest.approx(expected, rel=1e-12)
    assert result.share[0, 1 - proposer] == pytest.approx(d2 * (1 - d1) / (1 - d1 * d2))
    # Japan ends with its share of the surplus: 0.3 - t = share_J.
    assert result.transfer[0] == pytest.approx(0.3 - result.share[0, 0], abs=1e-12)
    assert result.delay[0] == 0


def test_rubinstein_shares_closed_form_and_broadcasting():
    bp, br = np.array([0.5, 0.9, 0.2]), np.array([[0.5], [0.7]])
    p, r = rubinstein_shares(bp, br)
    assert p.shape == (2, 3)
    np.testing.assert_allclose(p, (1 - br) / (1 - bp * br))
    np.testing.assert_allclose(p + r, 1.0)


def test_equal_patience_gives_the_first_mover_advantage():
    # Symmetric delta: proposer 1/(1 + delta), responder delta/(1 + delta).
    result = game([(1.0, 1.0)], (0.8, 0.8), proposer=1)
    np.testing.assert_allclose(result.share[0], [0.8 / 1.8, 1 / 1.8])
    np.testing.assert_allclose(result.payoff[0], [1.6 / 1.8, 2 / 1.8])


@pytest.mark.parametrize("proposer", [0, 1])
def test_patient_limit_is_the_symmetric_nash_split(proposer):
    # Utilitarian deal (surplus 4), split equally as delta -> 1 for both sides.
    delta = 1 - 1e-6
    result = game([(1.0, 1.0), (5.0, -1.0), (0.5, 0.5)], (delta, delta), proposer=proposer)
    assert result.deal[0] == 2
    np.testing.assert_allclose(result.payoff[0], [2.0, 2.0], atol=1e-5)
    # Japan gains 5 from the deal and keeps 2: it pays Russia 3.
    assert result.transfer[0] == pytest.approx(3.0, abs=1e-5)


@pytest.mark.parametrize("proposer", [0, 1])
def test_frequent_offers_give_the_asymmetric_nash_split(proposer):
    # delta_a = exp(-r_a dt), dt -> 0: Japan's share tends to r_R / (r_J + r_R).
    r_j, r_r, dt = 0.05, 0.15, 1e-6
    result = game([(1.0, 0.0)], (np.exp(-r_j * dt), np.exp(-r_r * dt)), proposer=proposer)
    assert result.share[0, 0] == pytest.approx(r_r / (r_j + r_r), abs=1e-5)


def test_a_deal_that_hurts_one_side_is_agreed_with_compensation():
    # Japan loses 1, Russia gains 3: Russia pays Japan (negative transfer).
    result = game([(-1.0, 3.0)], (0.9, 0.9), proposer=0)
    assert result.agreement[0]
    expected_japan = 2.0 / 1.9
    assert result.payoff[0, 0] == pytest.approx(expected_japan)
    assert result.transfer[0] == pytest.approx(-1.0 - expected_japan)
    assert result.transfer[0] < 0


# -- finite horizon ----------------------------------------------------------------------


@pytest.mark.parametrize("proposer", [0, 1])
def test_one_round_gives_the_proposer_everything(proposer):
    result = game([(2.0, 1.0)], (0.9, 0.4), proposer=proposer, deadline=1)
    expected = np.zeros(2)
    expected[proposer] = 1.0
    np.testing.assert_allclose(result.share[0], expected)
    np.testing.assert_allclose(result.payoff[0], 3 * expected)


def test_two_rounds_by_hand():
    # Rejecting in round 1 lets the responder propose the last offer and keep all;
    # worth beta_r * 1 today. So the responder gets beta_r, the proposer 1 - beta_r.
    d_j, d_r, q = 0.9, 0.7, 0.2
    beta_r = d_r * (1 - q)
    result = game([(1.0, 0.0)], (d_j, d_r), breakdown=q, proposer=0, deadline=2)
    np.testing.assert_allclose(result.share[0], [1 - beta_r, beta_r])
    p, r = finite_horizon_shares(0.9, 0.8, 2)
    assert float(p) == pytest.approx(0.2) and float(r) == pytest.approx(0.8)


def test_three_rounds_by_hand():
    bp, br = 0.6, 0.7
    # Round 3: proposer keeps 1. Round 2: the (first) responder proposes and keeps
    # 1 - bp. Round 1: the first proposer offers br (1 - bp).
    p, r = finite_horizon_shares(bp, br, 3)
    assert float(r) == pytest.approx(br * (1 - bp))
    assert float(p) == pytest.approx(1 - br * (1 - bp))


def geometric_finite_share(bp: float, br: float, rounds: int) -> float:
    """Proposer share from f_T = (1 - br) + bp br f_{T-2}, f_0 = 0, f_1 = 1, summed."""
    c, m = bp * br, rounds // 2
    head = (1 - br) * (1 - c**m) / (1 - c)
    return head + (c**m if rounds % 2 else 0.0)


@given(
    bp=st.floats(0.0, 0.99),
    br=st.floats(0.0, 0.99),
    rounds=st.integers(1, 40),
)
def test_finite_shares_match_the_summed_recursion(bp, br, rounds):
    p, r = finite_horizon_shares(bp, br, rounds)
    assert float(p) == pytest.approx(geometric_finite_share(bp, br, rounds), abs=1e-12)
    assert float(p + r) == pytest.approx(1.0)


def test_finite_horizon_converges_to_the_infinite_one():
    bp, br = np.array([0.9, 0.5, 0.99]), np.array([0.8, 0.95, 0.97])
    stationary = (1 - br) / (1 - bp * br)
    errors = np.array(
        [np.abs(finite_horizon_shares(bp, br, t)[0] - stationary) for t in range(1, 41)]
    )
    # Two rounds more shrink the gap by exactly bp * br.
    np.testing.assert_allclose(errors[2:], errors[:-2] * bp * br, rtol=1e-8, atol=1e-15)
    assert np.all(errors[2:] < errors[:-2])
    p, _ = finite_horizon_shares(bp, br, 3000)
    np.testing.assert_allclose(p, stationary, atol=1e-10)


@pytest.mark.parametrize("proposer", [0, 1])
def test_solver_deadline_converges_to_the_infinite_horizon(proposer):
    gains = [(3.0, -1.0), (1.0, 1.0)]
    infinite = game(gains, (0.85, 0.9), breakdown=0.1, proposer=proposer)
    gaps = [
        np.abs(
            game(gains, (0.85, 0.9), breakdown=0.1, proposer=proposer, deadline=t).payoff
            - infinite.payoff
        ).max()
        for t in (1, 5, 25, 125)
    ]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > 0.1
    assert gaps[-1] < 1e-8


# -- breakdown as impatience ---------------------------------------------------------------


@given(
    delta=hnp.arrays(np.float64, (3, 2), elements=st.floats(0.05, 0.99)),
    q=hnp.arrays(np.float64, (3,), elements=st.floats(0.0, 0.9)),
    deadline=st.one_of(st.none(), st.integers(1, 12)),
)
def test_breakdown_risk_acts_like_impatience(delta, q, deadline):
    gains = np.array([[[0.0, 0.0], [1.0, 2.0], [4.0, -0.5]]] * 3)
    proposer = np.array([0, 1, 0])
    risky = solve_alternating(gains, delta, q, proposer, deadline)
    impatient = solve_alternating(gains, delta * (1 - q)[:, None], 0.0, proposer, deadline)
    assert_same(risky, impatient)


def test_breakdown_lowers_the_proposer_share_like_a_lower_responder_patience():
    # Responder's outside value shrinks: proposer gets (1 - br)/(1 - bp br) with beta.
    result = game([(1.0, 0.0)], (0.9, 0.9), breakdown=0.5)
    bp = br = 0.45
    assert result.share[0, 0] == pytest.approx((1 - br) / (1 - bp * br))
    np.testing.assert_allclose(result.effective_discount[0], [0.45, 0.45])


# -- properties ----------------------------------------------------------------------------


@st.composite
def games(draw):
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    gains = draw(hnp.arrays(np.float64, (n, d, 2), elements=st.floats(-5, 5, width=32)))
    gains[:, 0, :] = 0.0
    patience = draw(hnp.arrays(np.float64, (n, 2), elements=st.floats(0.05, 0.99)))
    breakdown = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.0, 0.9)))
    proposer = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 1)))
    allowed = draw(hnp.arrays(np.bool_, (n, d)))
    deadline = draw(st.one_of(st.none(), st.integers(1, 15)))
    return gains, patience, breakdown, proposer, deadline, allowed


@given(games())
def test_shares_payoffs_and_transfer_are_consistent(case):
    gains, *_ = case
    result = solve_alternating(*case)
    rows = np.arange(len(gains))
    agreed = result.agreement
    assert np.all((result.share >= 0) & (result.share <= 1))
    np.testing.assert_allclose(result.share.sum(axis=1), np.where(agreed, 1.0, 0.0))
    np.testing.assert_allclose(result.payoff.sum(axis=1), result.surplus, atol=1e-9)
    assert np.all(result.payoff >= -1e-12)  # individually rational
    picked = gains[rows, result.deal]
    np.testing.assert_allclose(result.payoff[:, 0], picked[:, 0] - result.transfer, atol=1e-9)
    np.testing.assert_allclose(result.payoff[:, 1], picked[:, 1] + result.transfer, atol=1e-9)
    assert np.all(result.delay == 0)


@given(games())
def test_the_agreed_deal_maximises_surplus_among_allowed_deals(case):
    gains, _, _, _, _, allowed = case
    result = solve_alternating(*case)
    for n in range(len(gains)):
        totals = [gains[n, d].sum() for d in range(gains.shape[1]) if allowed[n, d]]
        best = max(totals, default=-np.inf)
        if best > 1e-9:
            assert result.agreement[n] and allowed[n, result.deal[n]]
            assert result.surplus[n] == pytest.approx(best, abs=1e-9)
            assert gains[n, result.deal[n]].sum() == pytest.approx(best, abs=1e-9)
        else:
            assert not result.agreement[n] and result.deal[n] == 0
            np.testing.assert_array_equal(result.payoff[n], [0.0, 0.0])
            assert result.transfer[n] == 0.0


@settings(max_examples=50)
@given(games())
def test_batch_equals_a_loop_of_single_draws(case):
    gains, patience, breakdown, proposer, deadline, allowed = case

    def solve(rows: slice) -> AlternatingResult:
        return solve_alternating(
            gains[rows], patience[rows], breakdown[rows], proposer[rows], deadline, allowed[rows]
        )

    assert_batch_is_a_loop(solve, len(gains))


@given(
    own=st.floats(0.05, 0.9),
    raise_by=st.floats(0.01, 0.09),
    other=st.floats(0.05, 0.99),
    side=st.integers(0, 1),
    proposer=st.integers(0, 1),
    deadline=st.one_of(st.none(), st.integers(1, 15)),
)
def test_own_patience_raises_own_share_as_proposer_and_as_responder(
    own, raise_by, other, side, proposer, deadline
):
    def share(own_delta: float) -> float:
        patience = (own_delta, other) if side == 0 else (other, own_delta)
        result = game([(1.0, 1.0)], patience, proposer=proposer, deadline=deadline)
        return float(result.share[0, side])

    assert share(own + raise_by) >= share(own) - 1e-12
    if deadline is None:
        assert share(own + raise_by) > share(own)


@given(
    r_prop=st.floats(0.1, 1.0),
    ratio=st.floats(0.1, 0.8),
    proposer=st.integers(0, 1),
)
def test_a_more_patient_responder_gets_more_when_offers_are_frequent(r_prop, ratio, proposer):
    # delta_a = exp(-r_a dt). Responder beats proposer iff br (1 - bp) > 1 - br, i.e.
    # br (2 - bp) > 1 ~ 1 + (r_p - r_r) dt for small dt: true when r_r < r_p.
    r_resp, dt = ratio * r_prop, 1e-3
    d_prop, d_resp = np.exp(-r_prop * dt), np.exp(-r_resp * dt)
    assert d_resp * (2 - d_prop) > 1
    patience = (d_prop, d_resp) if proposer == 0 else (d_resp, d_prop)
    result = game([(0.0, 1.0)], patience, proposer=proposer)
    assert result.share[0, 1 - proposer] > result.share[0, proposer]


@given(bp=st.floats(0.0, 0.99), br=st.floats(0.0, 0.99))
def test_the_responder_wins_exactly_when_br_times_2_minus_bp_exceeds_1(bp, br):
    assume(abs(br * (2 - bp) - 1) > 1e-9)
    p, r = rubinstein_shares(bp, br)
    assert (float(r) > float(p)) == (br * (2 - bp) > 1)


# -- menu, mask and no agreement -------------------------------------------------------


def test_allowed_masks_the_best_deal():
    points = [(1.0, 1.0), (4.0, 0.0), (0.5, 2.0)]
    assert game(points).deal[0] == 2
    masked = game(points, allowed=np.array([[True, True, False, True]]))
    assert masked.deal[0] == 3 and masked.surplus[0] == pytest.approx(2.5)
    nothing = game(points, allowed=np.array([[True, False, False, False]]))
    assert not nothing.agreement[0] and nothing.deal[0] == 0


def test_ties_go_to_the_first_deal_in_the_menu():
    assert game([(0.5, 0.5), (2.0, 1.0), (1.0, 2.0)]).deal[0] == 2
    # Surpluses within the tolerance (1e-9) count as tied.
    assert game([(0.5, 0.5), (2.0, 1.0), (1.0, 2.0 + 1e-12)]).deal[0] == 2
    assert game([(0.5, 0.5), (2.0, 1.0), (1.0, 2.0 + 1e-6)]).deal[0] == 3


def test_no_agreement_when_no_deal_creates_surplus():
    result = game([(1.0, -2.0), (-1.0, 0.5), (0.3, -0.3)], proposer=1, deadline=4)
    assert not result.agreement[0] and result.deal[0] == 0
    np.testing.assert_array_equal(result.share[0], [0.0, 0.0])
    np.testing.assert_array_equal(result.payoff[0], [0.0, 0.0])
    assert result.transfer[0] == 0.0 and result.surplus[0] == 0.0
    assert result.proposer[0] == 1 and result.deadline == 4


def test_per_draw_proposer_and_breakdown():
    gains = np.array([[[0.0, 0.0], [1.0, 0.0]]] * 2)
    result = solve_alternating(gains, np.full((2, 2), 0.9), np.array([0.0, 0.5]), [0, 1])
    np.testing.assert_array_equal(result.proposer, [0, 1])
    assert result.share[0, 0] == pytest.approx(1 / 1.9)
    assert result.share[1, 1] == pytest.approx(1 / 1.45)
    assert result.deadline is None


# -- validation ------------------------------------------------------------------------


GAINS = np.array([[[0.0, 0.0], [1.0, 1.0]]])
PATIENCE = np.array([[0.9, 0.8]])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"gains": np.zeros((1, 2))}, "gains must have shape"),
        ({"gains": np.zeros((1, 2, 3))}, "gains must have shape"),
        ({"gains": np.array([[[0.0, 0.0], [np.nan, 1.0]]])}, "non-finite"),
        ({"gains": np.array([[[0.1, 0.0], [1.0, 1.0]]])}, "status quo"),
        ({"patience": np.array([0.9, 0.8])}, "patience must have shape"),
        ({"patience": np.array([[1.0, 0.8]])}, "patience must lie"),
        ({"patience": np.array([[0.0, 0.8]])}, "patience must lie"),
        ({"patience": np.array([[0.9, np.nan]])}, "patience must lie"),
        ({"breakdown": 1.0}, "breakdown must lie"),
        ({"breakdown": -0.1}, "breakdown must lie"),
        ({"breakdown": np.array([0.1, 0.2])}, "breakdown must be a scalar"),
        ({"proposer": 2}, "proposer must be 0"),
        ({"proposer": 0.5}, "proposer must be the integer"),
        ({"proposer": np.array([0, 1])}, "proposer must be a scalar"),
        ({"deadline": 0}, "deadline must be an integer"),
        ({"deadline": 2.5}, "deadline must be an integer"),
        ({"deadline": True}, "deadline must be an integer"),
        ({"allowed": np.ones((1, 3), dtype=bool)}, "allowed must be a boolean"),
        ({"allowed": np.ones((1, 2))}, "allowed must be a boolean"),
        ({"tol": -1.0}, "tol must be"),
    ],
)
def test_invalid_input_is_rejected(kwargs, message):
    arguments = {"gains": GAINS, "patience": PATIENCE, **kwargs}
    with pytest.raises(ValueError, match=message):
        solve_alternating(**arguments)


def test_share_functions_validate_their_input():
    with pytest.raises(ValueError, match="beta_proposer"):
        rubinstein_shares(1.0, 0.5)
    with pytest.raises(ValueError, match="beta_responder"):
        finite_horizon_shares(0.5, -0.1, 3)
    with pytest.raises(ValueError, match="deadline"):
        finite_horizon_shares(0.5, 0.5, 0)
