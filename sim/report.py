"""Words and tables from results: solution explanations, JSON output, terminal tables.

Nothing here computes game theory; it reads an :class:`~sim.evaluate.Evaluation`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.evaluate import Evaluation
from sim.formats.nfg import NormalFormGame
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.model.scenario import MONEY
from sim.solvers.cooperative import SOLUTION_NAMES
from sim.solvers.equilibria import Equilibrium
from sim.solvers.posture import PostureResult

if TYPE_CHECKING:
    from sim.sweeps.analysis import Sensitivity
    from sim.sweeps.runner import SweepPlan
from sim.holdup import REASONS, FailReason
from sim.model.deals import later_performer, reneged_id
from sim.predict import REGISTRY, SolverSpec
from sim.solvers.sequential import SequentialResult, Stage, describe_kill
from sim.text import deal_name, money
from sim.tolerance import PROBABILITY

CONSTRAINTS = tuple(
    (r.label, "rational" if i < 2 else "ratifiable", i % 2) for i, r in enumerate(REASONS[:4])
)
"""The four acceptances a deal needs: (who, kind, side), in the order of :data:`REASONS`."""


def _label(result: Evaluation, index: int) -> str:
    return result.deals.ids[int(index)]


def _gains_text(gain: np.ndarray) -> str:
    return f"Japan {money(gain[0], signed=True)}, Russia {money(gain[1], signed=True)}"


def _acceptable_phrase(result: Evaluation) -> str:
    if result.scenario.cooperative.require_ratification:
        return "both governments and both ratifiers"
    return "both governments"


def shortfalls(result: Evaluation, draw: int = 0) -> np.ndarray:
    """Gain of each deal for each constraint of :data:`CONSTRAINTS`, shape ``(D, 4)``."""
    return np.asarray(result.hold_up().margins[draw])


def deal_verdict(result: Evaluation, deal: int, draw: int = 0) -> str:
    """Whether a deal holds up (:mod:`sim.holdup`) and, if not, every reason, in words."""
    if deal == 0:
        return "the disagreement point"
    test = result.hold_up()
    reasons = test.reasons(draw, deal)
    if not reasons:
        return "holds up: accepted by both governments and both ratifiers, and kept"
    margins = test.margins[draw, deal]
    rejecting = sorted(
        (margins[REASONS.index(r)], r.label) for r in reasons if r is not FailReason.RENEGING
    )
    parts = [f"{who} ({money(gap, signed=True)})" for gap, who in rejecting]
    text = "rejected by " + ", ".join(parts) if parts else ""
    if FailReason.RENEGING in reasons:
        performer = ACTORS[later_performer(result.deals.specs[deal])].capitalize()
        tail = f"{performer} would renege on it"
        text = f"{text}; {tail}" if text else tail
    return text


def feasible_summary(result: Evaluation, draw: int = 0) -> str:
    """One sentence naming the deals the solutions choose among."""
    ids = [
        d for d, ok in zip(result.deals.ids, result.cooperative.feasible[draw], strict=True) if ok
    ]
    who = _acceptable_phrase(result)
    if not ids:
        return f"No deal is acceptable to {who}: the status quo stands."
    return f"Acceptable to {who}: {', '.join(deal_name(d) for d in ids)}."


def explain(result: Evaluation, name: str, draw: int = 0) -> str:
    """One line saying what a solution picks and why."""
    solution = result.cooperative.solutions[name]
    if not solution.agreement[draw]:
        return (
            "no deal beats the status quo for "
            + _acceptable_phrase(result)
            + "; "
            + _closest(result, draw)
        )
    base = name.removesuffix("_lottery")
    why = f"{REGISTRY[base].description} ({_gains_text(solution.gain[draw])})"
    if base == "nash_asymmetric":
        why += f", Japan's bargaining power {result.cooperative.power[draw]:.2f}"
    n_feasible = int(result.cooperative.feasible[draw].sum())
    if n_feasible == 1:
        return why + "; the only acceptable deal"
    if solution.is_lottery[draw]:
        return why + "; the lottery beats every single deal"
    return why + f"; best of {n_feasible} acceptable deals"


def _closest(result: Evaluation, draw: int) -> str:
    margins = shortfalls(result, draw)[1:]
    if not result.scenario.cooperative.require_ratification:
        margins = margins[:, :2]
    worst = margins.min(axis=1)
    best = int(np.argmax(worst)) + 1
    return f"closest: {deal_name(result.deals.ids[best])}, {deal_verdict(result, best, draw)}"


def to_json(result: Evaluation, draw: int = 0) -> dict[str, Any]:
    """Machine-readable results of one draw (the ``--json`` output)."""
    rows = result.rows(draw, components=True)
    ratifier = result.payoffs.ratifier_utility[draw]
    deals = []
    for d, row in enumerate(rows):
        deals.append(
            {
                "id": row["deal"],
                "label": row["label"],
                "utility": {a: row[a] for a in ACTORS},
                "ratifier_utility": {a: float(ratifier[d, i]) for i, a in enumerate(ACTORS)},
                "components": {a: {c: row[f"{a}_{c}"] for c in COMPONENTS} for a in ACTORS},
                "individually_rational": {a: row[f"rational_{a}"] for a in ACTORS},
                "ratifiable": {a: row[f"ratifiable_{a}"] for a in ACTORS},
                "pareto": row["pareto"],
                "feasible": row["feasible"],
                "verdict": deal_verdict(result, d, draw),
            }
        )
    solutions: dict[str, Any] = {}
    for name in SOLUTION_NAMES:
        mix = result.solution(name, draw)
        solutions[name] = next(iter(mix)) if len(mix) == 1 else mix
    info = result.scenario.scenario
    power = float(result.cooperative.power[draw])
    return {
        "scenario": {"name": info.name, "year": info.year, "description": info.description},
        "unit": MONEY,
        "require_ratification": result.scenario.cooperative.require_ratification,
        "bargaining_power": {"japan": power, "russia": 1 - power},
        "deals": deals,
        "solutions": solutions,
        "explanations": {name: explain(result, name, draw) for name in SOLUTION_NAMES},
    }


def posture_summary(result: PostureResult) -> str:
    """One sentence: which deals the posture game's equilibria lead to."""
    n = len(result.equilibria)
    ids = [spec.label for spec in result.table.deals.specs]
    reached = {
        ids[d]: sum(eq.deal_probability[d] > PROBABILITY for eq in result.equilibria)
        for d in range(len(ids))
    }
    parts = [f"{deal} (in {count} of {n})" for deal, count in reached.items() if count]
    return f"{n} extreme equilibri{'um' if n == 1 else 'a'}; deals reached: {', '.join(parts)}."


def posture_json(result: PostureResult) -> dict[str, Any]:
    """The posture game and its equilibria, for ``--json``."""
    table = result.table
    ids = table.deals.ids

    return {
        "japan": list(table.japan),
        "russia": list(table.russia),
        "outcomes": [[ids[d] for d in row] for row in table.cells],
        "payoffs": {
            "japan": result.japan_payoff.tolist(),
            "russia": result.russia_payoff.tolist(),
        },
        "equilibria": [
            {
                "japan": dict(zip(table.japan, map(float, eq.japan), strict=True)),
                "russia": dict(zip(table.russia, map(float, eq.russia), strict=True)),
                "utility": {"japan": float(eq.payoff[0]), "russia": float(eq.payoff[1])},
                "deals": {
                    ids[d]: float(p) for d, p in enumerate(eq.deal_probability) if p > PROBABILITY
                },
                "pure": eq.pure,
                "strict": eq.strict,
            }
            for eq in result.equilibria
        ],
        "fictitious_play_approaches": result.fictitious_play_limit,
        "replicator_approaches": result.replicator_limit,
        "evolutionarily_stable": result.evolutionarily_stable,
    }


def equilibria_json(game: NormalFormGame, found: list[Equilibrium]) -> dict[str, Any]:
    """Equilibria of a game read from a .nfg file, for ``--json``."""
    rows, cols = game.strategies
    return {
        "title": game.title,
        "players": list(game.players),
        "equilibria": [
            {
                game.players[0]: dict(zip(rows, map(float, e.row), strict=True)),
                game.players[1]: dict(zip(cols, map(float, e.col), strict=True)),
                "payoff": [e.payoff_row, e.payoff_col],
                "pure": e.pure,
                "strict": e.strict,
            }
            for e in found
        ],
    }


def alternating_lines(result: Evaluation, draw: int = 0) -> list[str]:
    """Plain-words account of the alternating-offers outcome in one draw."""
    alt = result.alternating()
    settings = result.scenario.alternating
    first = settings.proposer.capitalize()
    horizon = f"a deadline of {alt.deadline} rounds" if alt.deadline else "no deadline"
    beta = alt.effective_discount[draw]
    head = (
        f"{first} proposes first; {horizon}; effective discount per round (patience x "
        f"(1 - breakdown risk)): Japan {beta[0]:.3f}, Russia {beta[1]:.3f}."
    )
    who = (
        "both governments and both ratifiers"
        if settings.require_ratification
        else "both governments"
    )
    if not alt.agreement[draw]:
        return [
            head,
            f"No agreement: no deal, with a transfer Japan can afford, leaves {who} at least "
            "at the status quo and is worth more to the proposer than waiting.",
        ]
    deal = deal_name(result.deals.ids[alt.deal[draw]])
    share, payoff, transfer = alt.share[draw], alt.payoff[draw], float(alt.transfer[draw])
    delay = int(alt.delay[draw])
    when = "at once" if delay == 0 else f"after {delay} round{'s' if delay > 1 else ''}"
    if abs(transfer) <= alt.tol:
        money_line = "no money changes hands"
    else:
        payer = "Japan pays Russia" if transfer > 0 else "Russia pays Japan"
        money_line = f"{payer} {money(abs(transfer))}"
    return [
        head,
        f"Agreed {when} on {deal} (joint gain {money(alt.surplus[draw])}); {money_line}. "
        f"The agreement leaves {who} at least at the status quo with the transfer included, "
        "and the side that performs later does not renege.",
        f"Shares of the gain: Japan {share[0]:.0%}, Russia {share[1]:.0%} (gains Japan "
        f"{money(payoff[0], signed=True)}, Russia {money(payoff[1], signed=True)}).",
    ]


@dataclass(frozen=True)
class SolverAnswer:
    """What one solver predicts in one draw, in words (for the answer-first summary)."""

    solver: str
    """The solver's display label."""
    outcome: str
    """The deal's display label (a lottery: both deals with their weights)."""
    deal: str
    """The predicted deal's id (``"<id> reneged"`` when reneged), by the solver's rule."""


def predictions(
    result: Evaluation, specs: Sequence[SolverSpec], draw: int = 0
) -> list[SolverAnswer]:
    """What each solver of ``specs`` predicts in ``draw``, by its registered rule."""
    out = []
    for spec in specs:
        deal = str(spec.predict(result).ids[draw])
        words = deal_name(deal)
        if spec.name in result.cooperative.solutions:
            mix = result.solution(spec.name, draw)
            if len(mix) > 1:
                words = " / ".join(f"{deal_name(d)} {p:.0%}" for d, p in mix.items())
        out.append(SolverAnswer(spec.label, words, deal))
    return out


def answer_lines(result: Evaluation, specs: Sequence[SolverSpec], draw: int = 0) -> list[str]:
    """The answer first: which deal the solvers predict, grouped, and why in one line."""
    found = predictions(result, specs, draw)
    groups: dict[str, list[str]] = {}
    for p in found:
        groups.setdefault(p.outcome, []).append(p.solver)
    lines = []
    if len(found) == 1:
        lines.append(f"Answer: {found[0].outcome} ({found[0].solver}).")
    elif len(groups) == 1:
        (outcome,) = groups
        lines.append(f"Answer: {outcome}, predicted by every solver reported.")
    else:
        lines.append("Answer: the solvers disagree.")
        for outcome, names in sorted(groups.items(), key=lambda g: -len(g[1])):
            lines.append(f"{outcome}: {_solver_list(names)}.")
    lines.append(feasible_summary(result, draw))
    feasible = np.flatnonzero(result.cooperative.feasible[draw])
    if len(feasible) == 1:
        margins = shortfalls(result, draw)[feasible[0]]
        checks = (
            CONSTRAINTS if result.scenario.cooperative.require_ratification else CONSTRAINTS[:2]
        )
        who = int(np.argmin(margins[: len(checks)]))
        lines.append(
            f"Its least willing party is {checks[who][0]}, which gains "
            f"{money(float(margins[who]))} over the status quo."
        )
    return lines


def _solver_list(names: list[str]) -> str:
    if len(names) > 4:
        return f"{', '.join(names[:3])} and {len(names) - 3} more"
    return ", ".join(names)


def alternating_json(result: Evaluation, draw: int = 0) -> dict[str, Any]:
    """The alternating-offers outcome of one draw, for ``--json``."""
    alt = result.alternating()
    return {
        "agreement": bool(alt.agreement[draw]),
        "deal": result.deals.ids[alt.deal[draw]],
        "surplus": float(alt.surplus[draw]),
        "transfer_japan_to_russia": float(alt.transfer[draw]),
        "share": {a: float(alt.share[draw, i]) for i, a in enumerate(ACTORS)},
        "gain": {a: float(alt.payoff[draw, i]) for i, a in enumerate(ACTORS)},
        "delay": int(alt.delay[draw]),
        "first_proposer": result.scenario.alternating.proposer,
        "deadline": alt.deadline,
    }


_KILLER = {
    Stage.RESPONDER: "responder",
    Stage.JAPAN_RATIFIER: "japan_ratifier",
    Stage.RUSSIA_RATIFIER: "russia_ratifier",
    Stage.RENEGED: "reneged",
    Stage.PROPOSER: "proposer",
    Stage.HOLDS: None,
}


def _cost_and_gain(result: Evaluation, spe: SequentialResult, deal: int, draw: int) -> str:
    """``"costs 31.05, mostly nationalist, exceed gains 6.45"`` for a rejection, or ``""``."""
    code = Stage(int(spe.stage[draw, deal]))
    if code not in (Stage.RESPONDER, Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER):
        return ""
    if spe.anticipated_renege[draw, deal]:
        return ""
    side = {Stage.JAPAN_RATIFIER: 0, Stage.RUSSIA_RATIFIER: 1}.get(code, 1 - spe.proposer)
    game = result.sequential_game
    parts = game.payoffs.components[draw, deal, side] - game.payoffs.components[draw, 0, side]
    if code != Stage.RESPONDER:
        parts = parts.copy()
        parts[COMPONENTS.index("nationalist")] *= game.payoffs.ratifier_weight[draw, side]
    costs, gains = -parts[parts < 0].sum(), parts[parts > 0].sum()
    largest = COMPONENTS[int(np.argmin(parts))]
    return f"costs {money(costs)}, mostly {largest}, exceed gains {money(gains)}"


def sequential_lines(result: Evaluation, proposer: str, draw: int = 0) -> list[str]:
    """The subgame-perfect path and, for every deal, where it dies, in plain words.

    The first line is the path; each further line starts with the deal's display label
    followed by ``": "`` (terminals print it with a hanging indent).
    """
    spe = result.sequential(proposer)
    ids = result.sequential_game.deals.ids
    labels = [deal_name(d) for d in ids]
    outcome = labels[spe.outcome[draw]]
    path = f"{proposer.capitalize()} proposes: "
    if spe.offer[draw] == 0:
        path += "no offer is worth making; the status quo stands."
    else:
        path += f"offers {labels[spe.offer[draw]]}; the outcome is {outcome}"
        path += ", reneged." if spe.reneged[draw] else "."
    lines = [path]
    for d in range(1, len(ids)):
        line = describe_kill(spe, draw, d, labels)
        detail = _cost_and_gain(result, spe, d, draw)
        line = re.sub(
            r"margin (-?[0-9.]+)", lambda m: "margin " + money(float(m[1]), signed=True), line
        )
        lines.append(line.replace(" — margin", f" — {detail}; margin") if detail else line)
    return lines


def sequential_json(result: Evaluation, draw: int = 0) -> dict[str, Any]:
    """The sequential game under both proposers, for ``--json``."""
    ids = result.sequential_game.deals.ids
    out: dict[str, Any] = {"proposer": result.scenario.sequential.proposer}
    for proposer in ACTORS:
        spe = result.sequential(proposer)
        out[f"{proposer}_proposes"] = {
            "spe": {
                "offer": ids[spe.offer[draw]],
                "outcome": ids[spe.outcome[draw]],
                "reneged": bool(spe.reneged[draw]),
                "utility": {a: float(spe.payoff[draw, i]) for i, a in enumerate(ACTORS)},
            },
            "killed_by": {
                ids[d]: {
                    "stage": _KILLER[Stage(int(spe.stage[draw, d]))],
                    "margin": float(spe.margin[draw, d]),
                    "anticipated_renege": bool(spe.anticipated_renege[draw, d]),
                    "why": describe_kill(spe, draw, d, ids),
                }
                for d in range(1, len(ids))
            },
        }
        if spe.outcome_probability is not None:
            probability = spe.outcome_probability[draw]
            out[f"{proposer}_proposes"]["outcome_probability"] = {
                (reneged_id(ids[d]) if r else ids[d]): float(probability[d, r])
                for d in range(len(ids))
                for r in (0, 1)
                if probability[d, r] > PROBABILITY
            }
    out["spe"] = out[f"{out['proposer']}_proposes"]["spe"]
    out["killed_by"] = out[f"{out['proposer']}_proposes"]["killed_by"]
    return out


def sensitivity_json(found: list[Sensitivity], plan: SweepPlan) -> dict[str, Any]:
    """Sensitivity indices of every outcome, for ``sensitivity.json``."""
    from sim.sweeps.sensitivity import SOBOL_MEANING, noise_warnings

    return {
        "meaning": SOBOL_MEANING if plan.method == "sobol" else "",
        "scenario": plan.scenario.scenario.name,
        "method": plan.method,
        "seed": plan.seed,
        "draws": plan.n_rows,
        "note": plan.note,
        "outcomes": {
            s.outcome: (
                {"note": s.note}
                if s.table is None
                else {
                    "indices": s.table.reset_index().to_dict(orient="records"),
                    "warnings": noise_warnings(s.table) if s.method == "sobol" else [],
                }
            )
            for s in found
        },
    }
