"""The solver registry: every solver declared once, with one rule for what it predicts.

Each solver kurilsim reports is a :class:`SolverSpec` in :data:`REGISTRY`: a name (the
column of sweeps, the ``--solver`` of the command line, the key of JSON output), a
display label, a family, the invariances it promises, and a ``predict`` function that
turns an :class:`~sim.evaluate.Evaluation` of ``N`` draws into a :class:`Prediction`:
the deal it predicts in every draw, whether that deal ends reneged, and the menu the
index refers to. ``kurilsim run``, sweeps, tipping points, the backtest and the
briefing pack all take their solvers, labels and predictions from here, so a new
solver plugs in with one :func:`register` call (see ``docs/how-to/add-a-solver.md``).

The prediction rules
    *Cooperative solutions* predict the deal they pick; a lottery of two deals predicts
    its likelier deal (the first one on an even split), the status quo without
    agreement. *The posture game* predicts the deal with the highest probability
    averaged, with equal weights, over its pure Nash equilibria — or, in a draw with no
    pure equilibrium, over every extreme equilibrium (``[sweep] posture_equilibria =
    "all"`` averages over every extreme equilibrium always); ties go to the earlier deal
    of the posture game's menu. *The sequential game* predicts the end of its
    subgame-perfect path with the scenario's proposer, reneged when the performer
    reneges. *Alternating offers* predict the agreed deal.

Invariances (checked for every registered solver by ``tests/solvers/test_contract.py``)
    ``money_unit``: the same predictions when every money figure of the scenario is
    multiplied by the same positive number (the payoff model is homogeneous of degree
    one in money, so this is a change of unit); ``deal_order``: the same deals predicted
    when the menu is listed in another order (for draws without ties).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from sim.errors import UserError, did_you_mean
from sim.model.deals import RENEGED, DealSet, reneged_id

if TYPE_CHECKING:
    from sim.evaluate import Evaluation

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


class Family(enum.StrEnum):
    """The shipped kinds of solver (a new solver may name a new family).

    A family name is accepted by ``kurilsim run --solver`` for all its solvers; the
    command prints each family's own section (the posture game's matrix, the sequential
    game's tree in words…) when one of its solvers is asked for.
    """

    COOPERATIVE = "cooperative"
    POSTURE = "posture"
    SEQUENTIAL = "sequential"
    ALTERNATING = "alternating"


@dataclass(frozen=True)
class Prediction:
    """What one solver predicts in each of ``N`` draws.

    Attributes
    ----------
    solver : str
        The solver's registry name.
    deal : ndarray of int, shape (N,)
        Index into ``deals`` of the predicted deal (0, the status quo, for no deal).
    reneged : ndarray of bool, shape (N,)
        Whether the path ends with that deal's performer reneging.
    deals : DealSet
        The menu ``deal`` indexes.
    """

    solver: str
    deal: IntArray
    reneged: BoolArray
    deals: DealSet

    @property
    def ids(self) -> NDArray[np.object_]:
        """The predicted deal's id in each draw (``"<id> reneged"`` when reneged), (N,)."""
        names = np.array(self.deals.ids, dtype=object)[self.deal]
        return np.where(self.reneged, names + RENEGED, names)

    @property
    def codes(self) -> IntArray:
        """One integer per distinct outcome (a reneged deal is its own outcome), (N,)."""
        return np.asarray(self.deal + len(self.deals) * self.reneged, dtype=np.intp)

    @property
    def code_ids(self) -> tuple[str, ...]:
        """The outcome each of :attr:`codes` stands for."""
        return (*self.deals.ids, *(reneged_id(d) for d in self.deals.ids))


@dataclass(frozen=True)
class SolverSpec:
    """One solver: how it is named and shown, and how it predicts.

    Attributes
    ----------
    name : str
        Registry name: sweep column, ``--solver`` value, JSON key.
    label : str
        Display label (``"Nash bargaining"``).
    family : str
        A :class:`Family` value, or a new family's name.
    predict : callable
        ``Evaluation -> Prediction``.
    description : str
        What the solver picks, in a few words (``"the largest product of the gains"``).
    headline : bool
        One per family: the solver that stands for its family in the backtest and the
        summary.
    invariances : frozenset of str
        Promises checked by the contract tests (see the module docstring).
    short : str
        A short name for crowded legends (``"asymmetric Nash"``); default the label.
    """

    name: str
    label: str
    family: str
    predict: Callable[[Evaluation], Prediction]
    description: str = ""
    headline: bool = False
    invariances: frozenset[str] = field(default_factory=lambda: frozenset({"money_unit"}))
    short: str = ""

    @property
    def short_name(self) -> str:
        return self.short or self.label


REGISTRY: dict[str, SolverSpec] = {}
"""Every solver, by name, in reporting order."""


def register(spec: SolverSpec) -> SolverSpec:
    """Add ``spec`` to :data:`REGISTRY` (a name may be registered once)."""
    if spec.name in REGISTRY:
        raise ValueError(f"solver {spec.name!r} is registered already")
    if spec.name == "all" or (spec.name in families() and spec.name != spec.family):
        raise ValueError(f"{spec.name!r} names a family of solvers, not a solver")
    REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a solver (for tests and plug-ins that add one temporarily)."""
    REGISTRY.pop(name, None)


def get(name: str) -> SolverSpec:
    """The solver called ``name``; :class:`~sim.errors.UserError` if there is none."""
    if name not in REGISTRY:
        raise UserError(
            f"unknown solver '{name}'{did_you_mean(name, REGISTRY)}; expected one of "
            f"{', '.join(REGISTRY)}"
        )
    return REGISTRY[name]


def solvers(family: str | None = None, *, headline: bool | None = None) -> tuple[SolverSpec, ...]:
    """Registered solvers, in order; only a ``family``'s, or only the headline ones."""
    return tuple(
        s
        for s in REGISTRY.values()
        if (family is None or s.family == family) and (headline is None or s.headline == headline)
    )


def families() -> tuple[str, ...]:
    """Every family with a registered solver, and the shipped ones, in order."""
    return tuple(dict.fromkeys([*(str(f) for f in Family), *(s.family for s in REGISTRY.values())]))


def select(choices: list[str]) -> tuple[SolverSpec, ...]:
    """Solvers named by ``choices``: solver names, family names or ``"all"``."""
    if "all" in choices:
        return solvers()
    out: dict[str, SolverSpec] = {}
    for choice in choices:
        if choice in families():
            out |= {s.name: s for s in solvers(choice)}
        else:
            spec = get(choice)
            out[spec.name] = spec
    return tuple(s for s in REGISTRY.values() if s.name in out)


# -- the shipped solvers ------------------------------------------------------------------


def _cooperative(name: str) -> Callable[[Evaluation], Prediction]:
    def predict(ev: Evaluation) -> Prediction:
        s = ev.cooperative.solutions[name]
        likelier = np.where(s.weight >= 0.5, s.deal, s.other).astype(np.intp)
        deal = np.where(s.agreement, likelier, 0).astype(np.intp)
        return Prediction(name, deal, np.zeros(len(deal), dtype=bool), ev.deals)

    return predict


def _posture(ev: Evaluation) -> Prediction:
    probability = ev.posture_deal_probability()
    deal = np.asarray(probability.argmax(axis=1), dtype=np.intp)
    return Prediction("posture", deal, np.zeros(len(deal), dtype=bool), ev.posture_table.deals)


def _sequential(ev: Evaluation) -> Prediction:
    spe = ev.sequential()
    return Prediction("sequential", spe.outcome, spe.reneged, ev.sequential_game.deals)


def _alternating(ev: Evaluation) -> Prediction:
    alt = ev.alternating()
    return Prediction("alternating", alt.deal, np.zeros(len(alt.deal), dtype=bool), ev.deals)


_CRITERIA = {
    "nash": ("Nash bargaining", "Nash", "the largest product of the two gains", {"affine"}),
    "nash_asymmetric": (
        "Nash, power from patience",
        "asymmetric Nash",
        "the largest weighted product of gains",
        {"affine"},
    ),
    "kalai_smorodinsky": (
        "Kalai-Smorodinsky",
        "Kalai–Smorodinsky",
        "the largest equal share of each side's best attainable gain",
        {"affine"},
    ),
    "egalitarian": ("Egalitarian", "egalitarian", "the largest equal gain for both", set()),
    "utilitarian": ("Utilitarian", "utilitarian", "the largest total gain", set()),
}
"""Cooperative solution concepts: label, short name, criterion, invariances beyond the
common ones (``affine``: to a positive affine rescaling of each side's utilities
separately)."""

for _base, (_label, _short, _criterion, _extra) in _CRITERIA.items():
    for _lottery in (False, True) if _base != "utilitarian" else (False,):
        _name = f"{_base}_lottery" if _lottery else _base
        register(
            SolverSpec(
                _name,
                f"{_label}, over lotteries" if _lottery else _label,
                Family.COOPERATIVE,
                _cooperative(_name),
                _criterion,
                headline=_name == "nash",
                invariances=frozenset({"money_unit", "deal_order", *_extra}),
                short=_short,
            )
        )
_GAMES = (
    (Family.POSTURE, "Posture game", _posture, "Posture",
     "the deal the posture game's equilibria lead to most often"),
    (Family.SEQUENTIAL, "Sequential game", _sequential, "Sequential",
     "the end of the subgame-perfect path (offer, answer, ratification, performance)"),
    (Family.ALTERNATING, "Alternating offers", _alternating, "Alternating",
     "the deal agreed when offers alternate, with a capped, priced money transfer"),
)  # fmt: skip
"""The three game-theoretic solvers, each alone in (and named after) its family."""

for _family, _label, _predict, _short, _criterion in _GAMES:
    register(
        SolverSpec(
            str(_family),
            _label,
            _family,
            _predict,
            _criterion,
            headline=True,
            invariances=frozenset({"money_unit", "deal_order"}),
            short=_short,
        )
    )


SOLVER_MODULES: tuple[str, ...] = ()
"""Modules that register further solvers when imported (each calls :func:`register`).

A solver that lives in its own module is listed here once; importing :mod:`sim.predict`
imports it, so every command sees it."""

for _module in SOLVER_MODULES:
    importlib.import_module(_module)
