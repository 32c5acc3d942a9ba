"""Alternating offers with the transfer constrained: ratification, cap, money cost, reneging.

The reference is independent of the solver: a grid over transfers times deals, and
explicit backward induction over a finite number of rounds, with every constraint
checked point by point.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import evaluate, evaluate_table, load_scenario
from sim.model.parameters import ParameterTable
from sim.solvers.alternating import solve_alternating
from tests.batch import assert_batch_is_a_loop
from tests.conftest import BASELINE

HISTORY_1992 = "scenarios/history/1992_kozyrev_watanabe.toml"


# -- an independent reference: grid over transfers, explicit backward induction ----------


def reference_values(case: dict, rounds: int, step: float = 1e-3) -> np.ndarray:
    """Each side's value of the ``rounds``-round game (first proposer at the top), one draw."""
    g, r, cost = case["gains"], case["ratifier"], case["cost"]
    cap_j, cap_r = case["cap"]
    beta = case["patience"] * (1 - case["breakdown"])
    t = np.concatenate([np.arange(-cap_r, cap_j, step), [cap_j, 0.0]])
    pay = np.maximum(t, 0.0)
    points = []  # (Japan, Russia) government gains of every feasible (deal, t)
    for d in range(1, g.shape[0]):
        japan = g[d, 0] - t
        russia = g[d, 1] + t - cost[d, 0] * pay
        ok = (japan >= -1e-9) & (russia >= -1e-9)
        ok &= (r[d, 0] - t >= -1e-9) & (r[d, 1] + t - cost[d, 1] * pay >= -1e-9)
        if case["performer"][d] == 1:  # Russia keeps the transfer, escapes the cost
            ok &= case["renege"][d] + cost[d, 0] * pay <= 1e-9
        elif case["performer"][d] == 0:
            ok &= case["renege"][d] <= 1e-9
        points.append(np.stack([japan[ok], russia[ok]], axis=-1))
    menu = np.concatenate(points) if points else np.zeros((0, 2))
    v = np.zeros(2)
    for k in range(1, rounds + 1):
        p = case["proposer"] if (rounds - k) % 2 == 0 else 1 - case["proposer"]
        b = 1 - p
        acceptable = menu[menu[:, b] >= beta[b] * v[b]]
        if len(acceptable) and acceptable[:, p].max() > beta[p] * v[p] + 1e-9:
            v = acceptable[np.argmax(acceptable[:, p])]
        else:
            v = beta * v
    return v


def random_case(rng: np.random.Generator, n_deals: int = 4) -> dict:
    gains = np.vstack([[0.0, 0.0], rng.uniform(-3, 3, (n_deals - 1, 2))])
    ratifier = gains - np.vstack([[0.0, 0.0], rng.uniform(0, 2, (n_deals - 1, 2))])
    cost = np.zeros((n_deals, 2))
    # Up to 1.5 per dollar: a transfer can hurt Russia's government (slope below 0).
    cost[1:, 0] = rng.uniform(0, 1.5, n_deals - 1) * (rng.random(n_deals - 1) < 0.7)
    cost[:, 1] = cost[:, 0] * rng.uniform(1, 3)
    performer = np.concatenate([[-1], rng.integers(-1, 2, n_deals - 1)])
    renege = np.where(performer >= 0, rng.uniform(-3, 1, n_deals), 0.0)
    return {
        "gains": gains,
        "ratifier": ratifier,
        "cost": cost,
        "cap": rng.uniform(0, 3, 2) * (rng.random(2) < 0.8),
        "performer": performer,
        "renege": renege,
        "patience": rng.uniform(0.5, 0.95, 2),
        "breakdown": float(rng.uniform(0, 0.2)),
        "proposer": int(rng.integers(0, 2)),
    }


def solve_case(case: dict, deadline: int | None) -> object:
    return solve_alternating(
        case["gains"][None],
        case["patience"][None],
        breakdown=case["breakdown"],
        proposer=case["proposer"],
        deadline=deadline,
        ratifier_gains=case["ratifier"][None],
        transfer_cap=case["cap"][None],
        transfer_cost=case["cost"][None],
        performer=case["performer"],
        renege_gain=case["renege"][None],
    )


@pytest.mark.parametrize("rounds", [1, 2, 3, 6])
def test_finite_horizon_matches_a_brute_force_game_tree(rounds):
    rng = np.random.default_rng(15 + rounds)
    for _ in range(60):
        case = random_case(rng)
        result = solve_case(case, rounds)
        expected = reference_values(case, rounds)
        # The grid loses at most a step of the proposer's transfer per round.
        np.testing.assert_allclose(result.value[0], expected, atol=1e-2 * rounds)


def test_the_stationary_limit_is_the_long_finite_game():
    rng = np.random.default_rng(1515)
    for _ in range(60):
        case = random_case(rng)
        stationary = solve_case(case, None)
        assert stationary.converged[0]
        for rounds in (401, 402):  # the first proposer moves first in both
            long = solve_case(case, rounds)
            np.testing.assert_allclose(stationary.value[0], long.value[0], atol=1e-6)


# -- the unconstrained limit is the closed form ----------------------------------------


@pytest.mark.parametrize("deadline", [None, 1, 2, 7])
def test_without_binding_constraints_the_kernel_gives_the_closed_form(deadline):
    rng = np.random.default_rng(9)
    n, d = 40, 5
    gains = np.concatenate([np.zeros((n, 1, 2)), rng.uniform(-3, 3, (n, d - 1, 2))], axis=1)
    patience = rng.uniform(0.5, 0.97, (n, 2))
    proposer = rng.integers(0, 2, n)
    closed = solve_alternating(gains, patience, 0.05, proposer, deadline)
    kernel = solve_alternating(
        gains, patience, 0.05, proposer, deadline, transfer_cap=np.full((n, 2), np.inf)
    )
    np.testing.assert_array_equal(kernel.deal, closed.deal)
    np.testing.assert_array_equal(kernel.agreement, closed.agreement)
    for field in ("payoff", "transfer", "share", "surplus"):
        np.testing.assert_allclose(getattr(kernel, field), getattr(closed, field), atol=1e-7)


# -- item 3: ratification on deal plus transfer ------------------------------------------

# Draw 115 of `kurilsim sweep scenarios/history/1992_kozyrev_watanabe.toml` (the file's
# sweep: LHS, 1000 draws, seed 2003): the agreement was two_plus_alpha with Russia paying
# Japan US$2.24 bn, Russia's ratifier at +0.60 before the transfer and -1.64 after.
DRAW_115 = {
    "context.investment_on_table": 26.88711421585165,
    "context.investment_realisation": 0.279584214610397,
    "context.china_pressure": 0.6745446096916274,
    "context.us_pressure": 0.22702093720950928,
    "actors.japan.island_value.habomai": 1.4947917002080207,
    "actors.japan.island_value.shikotan": 3.8576340946606438,
    "actors.japan.island_value.kunashiri": 6.333424288959554,
    "actors.japan.island_value.etorofu": 16.480153302191365,
    "actors.japan.treaty_value": 4.534113426158079,
    "actors.japan.investment_return": 0.31753941570232563,
    "actors.japan.renunciation_cost": 27.42823466247424,
    "actors.japan.no_progress_cost": 2.6404561177984127,
    "actors.japan.china_benefit": 0.6346947026146382,
    "actors.japan.alliance_cost": 33.78751883643351,
    "actors.japan.patience": 0.9576992430456814,
    "actors.japan.ratifier_weight": 2.0831424533506437,
    "actors.russia.island_value.habomai": 0.5253243200361709,
    "actors.russia.island_value.shikotan": 0.5839676359934551,
    "actors.russia.island_value.kunashiri": 4.893477667798948,
    "actors.russia.island_value.etorofu": 5.586476465010382,
    "actors.russia.treaty_value": 4.4575620255195645,
    "actors.russia.investment_return": 1.7191133862590027,
    "actors.russia.nationalist_cost": 1.022939733480389,
    "actors.russia.nationalist_cost_per_area": 9.184669687011224,
    "actors.russia.money_for_land_cost": 0.049317811238330914,
    "actors.russia.china_benefit": 1.7369933604782855,
    "actors.russia.us_forces_cost": 5.776421147686173,
    "actors.russia.patience": 0.8593853351250126,
    "actors.russia.ratifier_weight": 3.990487590838891,
    "sequential.reputation_cost.japan": 1.945580570655953,
    "sequential.reputation_cost.russia": 1.4056445683993657,
    "sequential.ratification_noise": 0.5536104174348846,
    "alternating.breakdown_risk": 0.023865872432593124,
}


def after_transfer(ev, alt) -> np.ndarray:
    """Governments' and ratifiers' gains with the transfer, from the payoff model's terms.

    A dollar from Japan costs Russia money_for_land_cost / investment_on_table when the
    deal cedes territory; the ratifier weighs that cost by its ratifier weight.
    """
    u = ev.payoffs.utility - ev.payoffs.utility[:, :1]
    r = ev.payoffs.ratifier_utility - ev.payoffs.ratifier_utility[:, :1]
    rows, d, t = np.arange(len(alt.deal)), alt.deal, alt.transfer
    col = ev.parameters.column
    ceded = ev.deals.shares[d].sum(axis=1) > 0
    per_dollar = col("actors.russia.money_for_land_cost") / col("context.investment_on_table")
    cost = np.where(ceded, per_dollar, 0.0) * np.maximum(t, 0.0)
    weight = col("actors.russia.ratifier_weight")
    return np.stack(
        [
            u[rows, d, 0] - t,
            u[rows, d, 1] + t - cost,
            r[rows, d, 0] - t,
            r[rows, d, 1] + t - weight * cost,
        ],
        axis=-1,
    )


def test_1992_draw_115_leaves_every_ratifier_at_least_its_status_quo():
    scenario = load_scenario(HISTORY_1992)
    table = ParameterTable.from_scenario(scenario).with_values(
        {k: [v] for k, v in DRAW_115.items()}
    )
    ev = evaluate_table(scenario, table)
    alt = ev.alternating()
    assert alt.agreement.all()  # an agreement, so the check below is not vacuous
    assert (after_transfer(ev, alt)[alt.agreement] >= -1e-8).all()


def test_the_solver_checks_ratification_with_the_transfer():
    # Russia's ratifier gains 0.5 at zero transfer; Russia would have to pay Japan 1 for
    # the deal to suit Japan. Ratifiable at zero transfer, not with the transfer.
    gains = np.array([[[0.0, 0.0], [-1.0, 3.0]]])
    ratifier = np.array([[[0.0, 0.0], [-1.0, 0.5]]])
    result = solve_alternating(gains, np.array([[0.9, 0.9]]), ratifier_gains=ratifier)
    assert not result.agreement[0]
    ok = solve_alternating(gains, np.array([[0.9, 0.9]]), ratifier_gains=ratifier + [0, 2])
    assert ok.agreement[0] and ok.transfer[0] <= -1.0


# -- item 5: the transfer inside the payoffs ---------------------------------------------


def test_japan_does_not_buy_four_islands_beyond_its_budget():
    """Reproducer: with ratification off the baseline agreed four_islands with Japan
    paying Russia US$22.6 bn, three times the investment on the table (US$7 bn)."""
    scenario = load_scenario(BASELINE, overrides={"alternating.require_ratification": False})
    ev = evaluate(scenario)
    alt = ev.alternating()
    budget = scenario.alternating.transfer_cap.value * scenario.context.investment_on_table.value
    assert alt.transfer[0] <= budget + 1e-9
    gains = after_transfer(ev, alt)[0]
    np.testing.assert_allclose(alt.payoff[0], gains[:2], atol=1e-9)
    assert (gains[:2] >= -1e-9).all()


def test_the_cap_binds():
    # Russia proposes a deal Japan values at 10 and Russia at -2: unconstrained, Russia
    # asks for almost all of Japan's gain; a cap of 3 stops it at 3 (Russia ends at +1).
    gains = np.array([[[0.0, 0.0], [10.0, -2.0]]])
    patience = np.array([[0.9, 0.9]])
    free = solve_alternating(gains, patience, proposer=1)
    assert free.transfer[0] > 3.0
    capped = solve_alternating(gains, patience, proposer=1, transfer_cap=[[3.0, 0.0]])
    assert capped.agreement[0] and capped.transfer[0] == pytest.approx(3.0)
    np.testing.assert_allclose(capped.payoff[0], [7.0, 1.0])
    too_small = solve_alternating(gains, patience, proposer=1, transfer_cap=[[1.5, 0.0]])
    assert not too_small.agreement[0]


def test_the_money_for_land_cost_raises_the_price_of_territory():
    # Russia loses 2 at zero transfer; each dollar is worth 0.5 to it, so Japan must pay
    # at least 4 for Russia to break even; Japan gains 5 and proposes: it pays exactly 4.
    gains = np.array([[[0.0, 0.0], [5.0, -2.0]]])
    cost = np.array([[[0.0, 0.0], [0.5, 0.5]]])
    result = solve_alternating(
        gains, np.array([[0.9, 0.9]]), deadline=1, proposer=0, transfer_cost=cost
    )
    assert result.transfer[0] == pytest.approx(4.0)
    np.testing.assert_allclose(result.payoff[0], [1.0, 0.0], atol=1e-9)


def test_a_deal_the_performer_would_renege_on_is_not_agreed():
    gains = np.array([[[0.0, 0.0], [3.0, 2.0]]])
    patience = np.array([[0.9, 0.9]])
    kept = solve_alternating(gains, patience, performer=[-1, 1], renege_gain=[[0.0, -0.5]])
    assert kept.agreement[0]
    broken = solve_alternating(gains, patience, performer=[-1, 1], renege_gain=[[0.0, 0.5]])
    assert not broken.agreement[0]
    # Money paid at signing tempts a performing Russia that bears a money-for-land cost:
    # with 0.2 per dollar and a renege margin of -0.5, at most 2.5 can be paid.
    cost = np.array([[[0.0, 0.0], [0.2, 0.2]]])
    gains = np.array([[[0.0, 0.0], [8.0, -1.0]]])
    capped = solve_alternating(
        gains,
        patience,
        proposer=1,
        transfer_cost=cost,
        performer=[-1, 1],
        renege_gain=[[0.0, -0.5]],
    )
    assert capped.transfer[0] == pytest.approx(2.5)


# -- every draw on its own ----------------------------------------------------------------


@pytest.mark.parametrize("deadline", [None, 4])
def test_a_draws_result_does_not_depend_on_the_batch(deadline):
    rng = np.random.default_rng(7)
    cases = [random_case(rng) for _ in range(12)]
    stack = {k: np.stack([c[k] for c in cases]) for k in cases[0]}

    def solve(rows: slice) -> object:
        return solve_alternating(
            stack["gains"][rows],
            stack["patience"][rows],
            breakdown=stack["breakdown"][rows],
            proposer=stack["proposer"][rows],
            deadline=deadline,
            ratifier_gains=stack["ratifier"][rows],
            transfer_cap=stack["cap"][rows],
            transfer_cost=stack["cost"][rows],
            performer=cases[0]["performer"],
            renege_gain=stack["renege"][rows],
        )

    assert_batch_is_a_loop(solve, len(cases))


def test_a_draw_not_settled_within_max_rounds_is_flagged():
    case = random_case(np.random.default_rng(3))
    case["cap"] = np.array([np.inf, np.inf])
    case["gains"][1] = [2.0, 1.0]
    case["performer"][:] = -1
    case["patience"] = np.array([0.99, 0.99])
    full = solve_case(case, None)
    assert full.converged[0]
    cut = solve_alternating(
        case["gains"][None], case["patience"][None], transfer_cap=case["cap"][None], max_rounds=3
    )
    assert not cut.converged[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"ratifier_gains": np.zeros((1, 3, 2))}, "ratifier_gains must have shape"),
        ({"transfer_cap": [[-1.0, 0.0]]}, "transfer_cap must be non-negative"),
        ({"transfer_cost": -np.ones((1, 2, 2))}, "transfer_cost must be non-negative"),
        ({"performer": [-1, 1]}, "must be given together"),
        ({"performer": [-1, 2], "renege_gain": [[0.0, 0.0]]}, "performer must be integers"),
        ({"performer": [-1, 1], "renege_gain": [[0.0, np.nan]]}, "renege_gain must have"),
    ],
)
def test_bad_constraints_are_refused(kwargs, message):
    gains = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    with pytest.raises(ValueError, match=message):
        solve_alternating(gains, np.array([[0.9, 0.9]]), **kwargs)
