r"""Export one draw of the sequential two-level game to Gambit's extensive-form ``.efg`` format.

The tree is the game solved by :mod:`sim.solvers.sequential` (Putnam 1988; Fearon
1995), with perfect information — every decision node is its own information set:

1. the proposer's government chooses an offer: ``deal_ids[0]`` (offer nothing) or a
   deal ``d >= 1``;
2. the other government chooses ``accept`` or ``reject``;
3. when ratification applies, Japan's ratifier and then Russia's ratifier choose
   ``ratify`` or ``reject``;
4. when ``performer[d] >= 0``, that side's government chooses ``perform`` or
   ``renege``.

Any rejection ends in the status quo. There are four players — Japan's government,
Russia's government, Japan's ratifier, Russia's ratifier (a ratifier without a move
when ratification does not apply) — and every terminal node pays the two
governments' utilities and the two ratifiers', reputation cost included for the side
that reneges. The deal menu gives
:math:`1 + \sum_{d \ge 1} (2 + 2\,[\text{ratification}] + [\text{performer}_d \ge 0])`
terminal nodes.

Format (Gambit documentation, "The extensive game (.efg) file format")::

    EFG 2 R "title" { "Player 1" "Player 2" ... }
    "comment"
    p "node" player infoset "infoset name" { "action" ... } outcome
    t "node" outcome "outcome name" { payoff1, payoff2, ... }

Nodes are listed in prefix order (a node, then the subtrees of its children from
first to last); information sets are numbered within their player; outcome 0 is the
null outcome, and an outcome repeated later may omit its name and payoffs. Payoffs
are written in the shortest decimal form that reads back as the same float. Gambit
16 expects labels of printable ASCII without quotes, backslashes, leading, trailing
or doubled spaces, and unique outcome labels; deal ids are checked against that.
Files are written to a temporary file in the target folder and renamed into place.

:func:`spe_behavior` gives the subgame-perfect equilibrium of
:func:`sim.solvers.sequential.solve` as a pure behaviour strategy: the action chosen
at every information set, on and off the equilibrium path, keyed by the information
set labels of the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.atomic import write_text
from sim.model.deals import reneged_id
from sim.solvers.sequential import SequentialGame, solve
from sim.tolerance import TOL

Array = NDArray[np.float64]

PLAYERS: tuple[str, str, str, str] = (
    "Japan government",
    "Russia government",
    "Japan ratifier",
    "Russia ratifier",
)
"""Players of the exported game, in file order (Gambit players 1 to 4)."""

OFFER = "offer"
"""Label of the proposer's information set at the root."""


@dataclass(frozen=True)
class _Game:
    """One draw, validated: deals, utilities ``(D, 4)`` of each outcome, performers."""

    deal_ids: tuple[str, ...]
    performed: Array  # (D, 4): governments J, R, ratifiers J, R
    reneged: Array  # (D, 4), reputation cost included
    performer: NDArray[np.intp]
    proposer: int
    ratification: bool


def infoset_label(deal_id: str, role: str) -> str:
    """Label of the information set where ``role`` moves after ``deal_id`` is offered.

    ``role`` is ``"respond"``, ``"Japan ratifier"``, ``"Russia ratifier"`` or
    ``"perform"``.

    Examples
    --------
    >>> infoset_label("two_islands", "respond")
    'two_islands: respond'
    """
    return f"{deal_id}: {role}"


def _check_label(text: str) -> str:
    ok = (
        len(text) > 0
        and text.isascii()
        and text.isprintable()
        and text == text.strip()
        and "  " not in text
        and '"' not in text
        and "\\" not in text
    )
    if not ok:
        raise ValueError(f"deal id not usable as a Gambit label: {text!r}")
    return text


def _game(game: SequentialGame, proposer: int) -> _Game:
    """One draw of ``game`` (which must hold exactly one), checked for Gambit's labels."""
    if game.n_draws != 1:
        raise ValueError(f"export one draw at a time (game.draw(n)); got {game.n_draws}")
    ids = tuple(_check_label(str(d)) for d in game.deal_ids)
    labels = [*ids, *(reneged_id(d) for d in ids[1:])]
    if len(set(labels)) != len(labels):
        raise ValueError(f"deal ids must be unique (with their reneged variants): {ids}")
    if proposer not in (0, 1):
        raise ValueError(f"proposer must be 0 or 1, got {proposer!r}")
    perf = game.performer
    charged = game.reputation_cost[0] * (perf[:, None] == np.arange(2))
    u, r = game.utility[0], game.ratifier_utility[0]
    ur, rr = game.reneged_utility[0], game.reneged_ratifier_utility[0]
    return _Game(
        deal_ids=ids,
        performed=np.hstack([u, r]),
        reneged=np.hstack([ur - charged, rr - charged]),
        performer=perf,
        proposer=int(proposer),
        ratification=bool(game.ratification),
    )


# --------------------------------------------------------------------------- writing


def _quote(text: str) -> str:
    return f'"{text}"'


def _number(value: float) -> str:
    return np.format_float_positional(float(value), unique=True, trim="-")


class _Writer:
    """Lines of the node list, with information set and outcome numbering."""

    def __init__(self, game: _Game) -> None:
        self.game = game
        self.lines: list[str] = []
        self.infosets = [0, 0, 0, 0]
        self.outcomes: dict[str, int] = {}

    def decision(self, player: int, label: str, actions: Sequence[str]) -> None:
        self.infosets[player] += 1
        names = " ".join(map(_quote, actions))
        number = self.infosets[player]
        self.lines.append(f'p "" {player + 1} {number} {_quote(label)} {{ {names} }} 0')

    def terminal(self, label: str, payoffs: Array) -> None:
        if label in self.outcomes:
            self.lines.append(f't "" {self.outcomes[label]}')
            return
        self.outcomes[label] = len(self.outcomes) + 1
        values = ", ".join(_number(v) for v in payoffs)
        self.lines.append(f't "" {self.outcomes[label]} {_quote(label)} {{ {values} }}')

    def status_quo(self) -> None:
        self.terminal(self.game.deal_ids[0], self.game.performed[0])

    def deal(self, d: int) -> None:
        game, name = self.game, self.game.deal_ids[d]
        self.decision(1 - game.proposer, infoset_label(name, "respond"), ("accept", "reject"))
        if game.ratification:
            for side in (0, 1):
                role = PLAYERS[2 + side]
                self.decision(2 + side, infoset_label(name, role), ("ratify", "reject"))
        k = int(game.performer[d])
        if k >= 0:
            self.decision(k, infoset_label(name, "perform"), ("perform", "renege"))
            self.terminal(name, game.performed[d])
            self.terminal(reneged_id(name), game.reneged[d])
        else:
            self.terminal(name, game.performed[d])
        for _ in range(3 if game.ratification else 1):  # rejections, innermost first
            self.status_quo()

    def tree(self) -> list[str]:
        self.decision(self.game.proposer, OFFER, self.game.deal_ids)
        self.status_quo()
        for d in range(1, len(self.game.deal_ids)):
            self.deal(d)
        return self.lines


def format_efg(game: SequentialGame, proposer: int, title: str = "") -> str:
    """The ``.efg`` text of one draw of the sequential game (see :func:`write_efg`)."""
    tree = _game(game, proposer)
    if title and title != _check_label(title):
        raise ValueError(f"title not usable in a Gambit file: {title!r}")
    players = " ".join(map(_quote, PLAYERS))
    head = [f"EFG 2 R {_quote(title)} {{ {players} }}", '""', ""]
    return "\n".join([*head, *_Writer(tree).tree(), ""])


def write_efg(
    path: str | os.PathLike[str], game: SequentialGame, proposer: int, title: str = ""
) -> None:
    """Write one draw of the sequential game to a Gambit ``.efg`` file, atomically.

    Parameters
    ----------
    path : str or path-like
        Destination file.
    game : SequentialGame
        One draw (``model.game.draw(n)``): deal ids (action and outcome labels, the
        status quo first), utilities of the deals and their reneged variants for the
        governments and the ratifiers, performers, reputation costs, ratification.
    proposer : {0, 1}
        Side that makes the offer.
    title : str, default ""
        Title of the game.

    Notes
    -----
    The text goes to a temporary file in the same folder, is flushed to disk and
    renamed over ``path``; on failure the temporary file is removed and an existing
    file at ``path`` is left as it was.
    """
    write_text(path, format_efg(game, proposer, title), encoding="ascii")


# --------------------------------------------------------------------------- equilibrium


def spe_behavior(game: SequentialGame, proposer: int, tol: float = TOL) -> dict[str, str]:
    """The subgame-perfect equilibrium of one draw as a pure behaviour strategy.

    Parameters
    ----------
    game : SequentialGame
        One draw, as for :func:`write_efg`.
    proposer : {0, 1}
        Side that makes the offer.
    tol : float
        The tolerance of :func:`sim.solvers.sequential.solve`.

    Returns
    -------
    dict of str to str
        The label of the action chosen at every information set of the exported
        game, keyed by information set label (:data:`OFFER` and
        :func:`infoset_label`).
    """
    tree = _game(game, proposer)
    result = solve(game, tree.proposer, tol=tol)
    choice = {OFFER: tree.deal_ids[int(result.offer[0])]}
    for d, name in enumerate(tree.deal_ids[1:], start=1):
        choice[infoset_label(name, "respond")] = "accept" if result.accepted[0, d] else "reject"
        if tree.ratification:
            for side in (0, 1):
                vote = "ratify" if result.ratified[0, d, side] else "reject"
                choice[infoset_label(name, PLAYERS[2 + side])] = vote
        if tree.performer[d] >= 0:
            move = "renege" if result.anticipated_renege[0, d] else "perform"
            choice[infoset_label(name, "perform")] = move
    return choice
