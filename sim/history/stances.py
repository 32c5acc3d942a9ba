"""The record's reasons: each recorded stance against the model's verdict for that actor.

A history scenario's ``[observed]`` lists who refused, accepted or offered which deal
(an offer means the offering government accepts it). For every stance the model's
verdict is the sign of that actor's margin over the status quo — its gain from the deal
(:mod:`sim.holdup`) — at the scenario's own values: it accepts a deal whose margin is
positive. A deal worth exactly the status quo to that actor (a declaration that moves no
island and no money) cannot be scored: the model is indifferent, and the stance is
reported as such, outside the score. The stance is *matched* when the two agree; the
share of the episode's draws
(over its uncertainty ranges) that agree is reported beside it, and a mismatch is
written out in words with every other actor that turns the deal down, so that a reader
sees whether the model has the deal fail for the record's reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.evaluate import Evaluation
from sim.holdup import REASONS, FailReason
from sim.model.scenario import Observed
from sim.text import deal_name, money
from sim.tolerance import TOL

ROLE_INDEX = {str(r): i for i, r in enumerate(REASONS[:4])}
"""Column of each actor in :attr:`sim.holdup.HoldUp.margins`."""


@dataclass(frozen=True)
class StanceCheck:
    """One recorded stance and the model's verdict on it.

    Attributes
    ----------
    kind : {"refused", "accepted", "offered"}
    deal, role, source : str
        The deal, the actor (``japan_government``…) and the record's source.
    margin : float
        The actor's margin over the status quo at the scenario's values (US$ bn).
    agreement : float
        Share of the episode's draws in which the model's verdict agrees with the record.
    others : tuple of (str, float)
        Every other actor that rejects the deal at the scenario's values, with its margin;
        ``("reneging", gain)`` when the side that performs later would renege.
    """

    kind: str
    deal: str
    role: str
    source: str
    margin: float
    agreement: float
    others: tuple[tuple[str, float], ...]

    @property
    def record_accepts(self) -> bool:
        return self.kind != "refused"

    @property
    def model_accepts(self) -> bool:
        return self.margin > TOL

    @property
    def scorable(self) -> bool:
        """False when the actor is indifferent: the deal is worth exactly the status quo to
        it (a declaration that moves no island and no money has the status quo's terms)."""
        return abs(self.margin) > TOL

    @property
    def matched(self) -> bool:
        """The model's verdict is the record's (False for a stance it cannot score)."""
        return self.scorable and self.record_accepts == self.model_accepts

    def words(self, year: int) -> str:
        """``"1960: record — Russia's government refused Two islands (…); model — …"``."""
        who = FailReason(self.role).label
        verb = {"refused": "refused", "accepted": "accepted", "offered": "offered"}[self.kind]
        deal = deal_name(self.deal)
        model = "accepts" if self.model_accepts else "rejects"
        text = (
            f"{year}: record — {who} {verb} {deal} ({self.source}); model — {who} {model} it "
            f"({money(self.margin, signed=True)}; {self.agreement:.0%} of draws agree with "
            "the record)"
        )
        for other, value in self.others:
            if other == "reneging":
                text += f", and the later performer would renege (gain {money(value)})"
            else:
                text += f", {FailReason(other).label} rejects it ({money(value, signed=True)})"
        return text


def check_stances(
    observed: Observed, point: Evaluation, draws: Evaluation | None = None
) -> list[StanceCheck]:
    """Every stance of ``observed`` against the model, at ``point`` and over ``draws``."""
    test = point.hold_up()
    over = draws.hold_up() if draws is not None else test
    ids = point.deals.ids
    found = []
    stances = [
        *(("refused", s.deal, s.by, s.source) for s in observed.refused),
        *(("accepted", s.deal, s.by, s.source) for s in observed.accepted),
        *(("offered", s.deal, f"{s.by}_government", s.source) for s in observed.offered),
    ]
    for kind, deal, role, source in stances:
        d, column = ids.index(deal), ROLE_INDEX[role]
        margin = float(test.margins[0, d, column])
        accepts = over.margins[:, d, column] > TOL
        agreement = float(np.mean(accepts == (kind != "refused")))
        others = tuple(
            (other, float(test.margins[0, d, i]))
            for other, i in ROLE_INDEX.items()
            if other != role and test.margins[0, d, i] <= TOL
        )
        if test.failed[0, d, REASONS.index(FailReason.RENEGING)]:
            others += (("reneging", _renege_gain(point, d)),)
        found.append(StanceCheck(kind, deal, role, source, margin, agreement, others))
    return found


def _renege_gain(ev: Evaluation, deal: int) -> float:
    """What the later performer of ``deal`` gains by reneging, net of its reputation cost."""
    from sim.model.deals import DealSet, later_performer, reneged
    from sim.model.payoffs import compute_reneged_payoffs

    spec = ev.deals.specs[deal]
    side = later_performer(spec)
    signed = DealSet.from_specs({"status_quo": ev.deals.specs[0], "x": spec})
    variant = DealSet.from_specs({"status_quo": ev.deals.specs[0], "x": reneged(spec)})
    point = ev.parameters.take(slice(0, 1))
    after = compute_reneged_payoffs(point, signed, variant).utility[0, 1, side]
    cost = float(ev.parameters.column(f"sequential.reputation_cost.{('japan', 'russia')[side]}")[0])
    return float(after - cost - ev.payoffs.utility[0, deal, side])
