"""Two scenarios side by side: which deals change verdict, which predictions, and why.

``kurilsim compare A.toml B.toml`` (or ``compare A.toml --set path=value``) evaluates
both at their own values and reports, in this order:

1. the assumptions that differ (every parameter whose value changed);
2. the deals whose verdict changes — holds up or not, and who rejects it;
3. the solvers whose prediction changes;
4. for each deal, the payoff components that moved most for each side (the *why*).

Deals are matched by id; a deal on only one menu is listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.evaluate import Evaluation
from sim.model.parameters import ParameterTable
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.predict import solvers
from sim.report import deal_verdict, predictions
from sim.text import deal_name

MOVED = 0.05
"""Component changes smaller than this (US$ bn) are not reported as having moved."""


@dataclass(frozen=True)
class DealChange:
    """One deal in both scenarios."""

    deal: str
    holds: tuple[bool, bool]
    verdict: tuple[str, str]
    gain: tuple[tuple[float, float], tuple[float, float]]
    """Each government's gain over the status quo, before and after (Japan, Russia)."""
    moved: tuple[tuple[str, str, float], ...]
    """``(actor, component, change)`` of the components that moved most, largest first."""

    @property
    def changed(self) -> bool:
        return self.holds[0] != self.holds[1] or self.verdict[0] != self.verdict[1]


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between two evaluated scenarios."""

    names: tuple[str, str]
    parameters: tuple[tuple[str, float, float], ...]
    deals: tuple[DealChange, ...]
    only: tuple[tuple[str, str], ...]
    """``(deal, name of the scenario whose menu alone has it)``."""
    predictions: tuple[tuple[str, str, str], ...]
    """``(solver, before, after)`` for every solver, in reporting order."""

    @property
    def changed_predictions(self) -> list[tuple[str, str, str]]:
        return [p for p in self.predictions if p[1] != p[2]]

    @property
    def changed_deals(self) -> list[DealChange]:
        return [d for d in self.deals if d.changed]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (deal ids, not labels)."""
        return {
            "scenarios": list(self.names),
            "parameters_changed": [
                {"parameter": p, "before": a, "after": b} for p, a, b in self.parameters
            ],
            "deals": [
                {
                    "deal": d.deal,
                    "holds_up": {"before": d.holds[0], "after": d.holds[1]},
                    "verdict": {"before": d.verdict[0], "after": d.verdict[1]},
                    "gain": {
                        when: dict(zip(ACTORS, g, strict=True))
                        for when, g in zip(("before", "after"), d.gain, strict=True)
                    },
                    "components_moved": [
                        {"actor": actor, "component": c, "change": x} for actor, c, x in d.moved
                    ],
                }
                for d in self.deals
            ],
            "only_on_one_menu": [{"deal": d, "scenario": s} for d, s in self.only],
            "predictions": [
                {"solver": s, "before": a, "after": b, "changed": a != b}
                for s, a, b in self.predictions
            ],
        }


def compare(before: Evaluation, after: Evaluation, names: tuple[str, str]) -> Comparison:
    """Compare two single-draw evaluations (draw 0 of each)."""
    ids_a, ids_b = before.deals.ids, after.deals.ids
    common = [d for d in ids_a[1:] if d in ids_b]
    only = [(d, names[0]) for d in ids_a[1:] if d not in ids_b]
    only += [(d, names[1]) for d in ids_b[1:] if d not in ids_a]
    holds_a, holds_b = before.hold_up().holds, after.hold_up().holds
    deals = tuple(
        DealChange(
            deal=d,
            holds=(bool(holds_a[0, ids_a.index(d)]), bool(holds_b[0, ids_b.index(d)])),
            verdict=(
                deal_verdict(before, ids_a.index(d)),
                deal_verdict(after, ids_b.index(d)),
            ),
            gain=(_gain(before, ids_a.index(d)), _gain(after, ids_b.index(d))),
            moved=_moved(before, after, ids_a.index(d), ids_b.index(d)),
        )
        for d in common
    )
    return Comparison(
        names=names,
        parameters=_parameters(before, after),
        deals=deals,
        only=tuple(only),
        predictions=_predictions(before, after),
    )


def _gain(ev: Evaluation, d: int) -> tuple[float, float]:
    u = ev.payoffs.utility[0]
    return float(u[d, 0] - u[0, 0]), float(u[d, 1] - u[0, 1])


def _moved(a: Evaluation, b: Evaluation, da: int, db: int) -> tuple[tuple[str, str, float], ...]:
    """Components of the gain over the status quo that changed, largest change first."""
    ca, cb = a.payoffs.components[0], b.payoffs.components[0]
    change = (cb[db] - cb[0]) - (ca[da] - ca[0])  # (2 actors, 6 components)
    found = [
        (ACTORS[i], COMPONENTS[c], float(change[i, c]))
        for i in range(len(ACTORS))
        for c in range(len(COMPONENTS))
        if abs(change[i, c]) >= MOVED
    ]
    return tuple(sorted(found, key=lambda item: -abs(item[2])))


def _parameters(a: Evaluation, b: Evaluation) -> tuple[tuple[str, float, float], ...]:
    ta = ParameterTable.from_scenario(a.scenario)
    tb = ParameterTable.from_scenario(b.scenario)
    values_b = dict(zip(tb.names, tb.values[0], strict=True))
    out = []
    for name, x in zip(ta.names, ta.values[0], strict=True):
        y = values_b.get(name)
        if y is not None and not np.isclose(x, y, rtol=0, atol=1e-12):
            out.append((name, float(x), float(y)))
    return tuple(out)


def _predictions(a: Evaluation, b: Evaluation) -> tuple[tuple[str, str, str], ...]:
    before = predictions(a, solvers())
    after = {p.solver: p.outcome for p in predictions(b, solvers())}
    return tuple((p.solver, p.outcome, after.get(p.solver, "-")) for p in before)


def sentences(c: Comparison) -> list[str]:
    """The comparison in a few plain sentences, the changes first."""
    out = []
    changed = c.changed_predictions
    groups: dict[tuple[str, str], list[str]] = {}
    for solver, a, b in changed:
        groups.setdefault((a, b), []).append(solver)
    total = len(c.predictions)
    for (a, b), names in sorted(groups.items(), key=lambda g: -len(g[1])):
        who = "every solver" if len(names) == total else f"{len(names)} of {total} solvers"
        named = (
            ""
            if len(names) == total
            else f" ({', '.join(names[:3])}" + (", …)" if len(names) > 3 else ")")
        )
        out.append(f"{a} -> {b} for {who}{named}.")
    if not changed:
        out.append("No solver's prediction changes.")
    flips = [d for d in c.deals if d.holds[0] != d.holds[1]]
    for d in flips:
        now = "now holds up" if d.holds[1] else "no longer holds up"
        out.append(f"{deal_name(d.deal)} {now}: {d.verdict[1]}.")
    if not flips:
        out.append("No deal starts or stops holding up.")
    return out


__all__ = ["Comparison", "DealChange", "compare", "sentences"]
