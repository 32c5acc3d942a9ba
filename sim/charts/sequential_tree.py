"""Where each deal dies: the sequential two-level game drawn as a tree, left to right.

The proposer's offer node fans out into one row per deal of the menu (and "no offer").
Each row passes the stages a deal must clear — the other government's answer, Japan's
ratifier, Russia's ratifier and, for deals with a later performer, performance — and
stops at the stage that kills it, marked with the killing actor and its margin, or
reaches the outcome column. The subgame-perfect path is drawn thick and labelled.

The chart reads :class:`~sim.solvers.sequential.SequentialResult` only; it computes
no game theory of its own.

Artists carry ``gid`` labels so the drawing can be checked: ``"row:<deal>"`` for each
row's line, ``"end:<deal>:<STAGE>"`` for the mark that ends it (``STAGE`` the name of
its :class:`~sim.solvers.sequential.Stage`), ``"spe-path"`` and ``"spe-label"`` for the
highlighted equilibrium path.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.textpath import TextPath

from sim.charts.style import (
    OKABE_ITO,
    SIDE_COLOURS,
    SOURCE_NOTE,
    chart_style,
    new_figure,
    scenario_subtitle,
    titled,
)
from sim.evaluate import Evaluation
from sim.model.payoffs import ACTORS
from sim.solvers.sequential import SequentialResult, Stage

SIDES: tuple[str, str] = ("Japan", "Russia")
"""Display names of side 0 and side 1."""

X_MIN = -0.7
X_ROOT = 0.0
X_OFFER = 0.45
X_ANSWER = 1.9
X_JAPAN = 2.75
X_RUSSIA = 3.6
X_PERFORM = 4.45
X_END = 5.3
X_MAX = 6.75
"""Column positions in data units, about an inch each at A4 width."""

STAGE_X: dict[Stage, float] = {
    Stage.STATUS_QUO: X_OFFER,
    Stage.RESPONDER: X_ANSWER,
    Stage.JAPAN_RATIFIER: X_JAPAN,
    Stage.RUSSIA_RATIFIER: X_RUSSIA,
    Stage.RENEGED: X_PERFORM,
    Stage.HOLDS: X_END,
    Stage.PROPOSER: X_END,
}
"""Horizontal position (data units) of the mark that ends a row with each stage code."""

SPE_COLOUR = OKABE_ITO["orange"]
LINE_COLOUR = "#555555"
PASS_COLOUR = "#333333"
HOLD_COLOUR = OKABE_ITO["bluish_green"]
MUTED = "#999999"
TITLE_SIZE = 13.0
"""Font size of the title set by :func:`~sim.charts.style.titled` (points)."""


@dataclass(frozen=True)
class _Row:
    """One deal of the menu as drawn: what the result says happens to it."""

    deal: int
    deal_id: str
    label: str
    stage: Stage
    margin: float
    anticipated_renege: bool
    performer: int
    spe: bool


@dataclass(frozen=True)
class _Game:
    """What every row needs to know about the game being drawn."""

    proposer: int
    ratification: bool
    noisy: bool
    offer: int
    offer_label: str
    result: SequentialResult
    draw: int


def sequential_tree(
    result: Evaluation,
    draw: int = 0,
    proposer: str | None = None,
    *,
    fig: Figure | None = None,
) -> Figure:
    """Draw where each deal of the sequential game dies, with the equilibrium path.

    Parameters
    ----------
    result : Evaluation
        The evaluated scenario; its :meth:`~sim.evaluate.Evaluation.sequential`
        result is drawn.
    draw : int, default 0
        Which parameter draw.
    proposer : {"japan", "russia"}, optional
        Who offers; default the scenario's ``[sequential] proposer``.
    fig : Figure, optional
        Empty figure to draw into, best with the constrained layout of
        :func:`~sim.charts.style.new_figure`; default a new A4-wide figure whose height
        follows the number of deals.

    Returns
    -------
    Figure

    Raises
    ------
    IndexError
        If ``draw`` is not one of the evaluated draws.

    Examples
    --------
    >>> from sim import evaluate, load_scenario
    >>> ev = evaluate(load_scenario("scenarios/baseline_2003.toml"))
    >>> fig = sequential_tree(ev)
    >>> fig.get_suptitle().splitlines()[0]
    'Japan offers Shelve + cooperate and it holds; no other deal survives'

    The footnote sits below the figure; save inside :func:`~sim.charts.style.chart_style`
    (tight bounding box) to keep it.
    """
    who = proposer or result.scenario.sequential.proposer
    spe = result.sequential(who)
    if not 0 <= draw < len(spe.offer):
        raise IndexError(f"draw {draw} is out of range for {len(spe.offer)} draws")
    game = _game_of(result, spe, draw)
    rows = _rows_of(result, spe, draw)
    with chart_style():
        fig = fig or new_figure(height=1.9 + 0.42 * len(rows))
        ax = fig.add_subplot()
        _draw(ax, rows, game)
        _legend(ax, rows, game)
        info = result.scenario.scenario
        title = _title(rows, game, 0.97 * fig.get_figwidth())
        titled(fig, title, _subtitle(info.name, info.year, game, draw), _footnote())
    return fig


# -- reading the result -----------------------------------------------------------------------


def _game_of(result: Evaluation, spe: SequentialResult, draw: int) -> _Game:
    game = result.sequential_game
    offer = int(spe.offer[draw])
    return _Game(
        proposer=spe.proposer,
        ratification=game.game.ratification,
        noisy=game.game.noise is not None and bool((game.game.noise[draw] > 0).any()),
        offer=offer,
        offer_label=game.deals.specs[offer].label,
        result=spe,
        draw=draw,
    )


def _rows_of(result: Evaluation, spe: SequentialResult, draw: int) -> list[_Row]:
    """One row per deal, the status quo ("no offer") last."""
    deals = result.sequential_game.deals
    offer = int(spe.offer[draw])
    rows = [
        _Row(
            deal=d,
            deal_id=deals.ids[d],
            label="No offer" if d == 0 else deals.specs[d].label,
            stage=Stage(int(spe.stage[draw, d])),
            margin=float(spe.margin[draw, d]),
            anticipated_renege=bool(spe.anticipated_renege[draw, d]),
            performer=int(spe.performer[d]),
            spe=d == offer,
        )
        for d in range(len(deals.ids))
    ]
    return rows[1:] + rows[:1]


def _money(value: float) -> str:
    """A margin in US$ bn with its sign: one decimal from 1 up, two below."""
    if abs(value) < 0.005:
        return "±0.00"
    text = f"{value:+.1f}" if abs(value) >= 1 else f"{value:+.2f}"
    return text.replace("-", "\u2212")


# -- words ------------------------------------------------------------------------------------


_KILLS = (Stage.RESPONDER, Stage.JAPAN_RATIFIER, Stage.RUSSIA_RATIFIER, Stage.RENEGED)


def _killer(stage: Stage, proposer: int) -> str:
    """The actor that decides at ``stage``."""
    if stage == Stage.RESPONDER:
        return f"{SIDES[1 - proposer]}'s government"
    if stage == Stage.JAPAN_RATIFIER:
        return "Japan's ratifier"
    if stage == Stage.RUSSIA_RATIFIER:
        return "Russia's ratifier"
    return "the performer"


def _others(rows: list[_Row], game: _Game) -> list[_Row]:
    """The deals other than the status quo and the offer."""
    return [r for r in rows if r.deal not in (0, game.offer)]


def _scope(k: int, others: int, game: _Game) -> str:
    if game.offer == 0:
        return "every deal" if k == others else f"{k} of the {others} deals"
    return "every other deal" if k == others else f"{k} of the other {others}"


def _killer_clause(rows: list[_Row], game: _Game) -> str:
    """The commonest way the other deals die: "Russia's government rejects 4 of the other 7"."""
    others = _others(rows, game)
    counts = Counter(r.stage for r in others if r.stage in _KILLS)
    if not counts:
        return ""
    stage, k = max(counts.items(), key=lambda item: (item[1], -_KILLS.index(item[0])))
    scope = _scope(k, len(others), game)
    if stage == Stage.RENEGED:
        return f"reneging would undo {scope}"
    return f"{_killer(stage, game.proposer)} rejects {scope}"


def _survivors_clause(rows: list[_Row], game: _Game) -> str:
    """How many other deals would survive every stage."""
    holding = sum(r.stage == Stage.PROPOSER for r in _others(rows, game))
    if game.offer == 0:
        plural = "s" if holding > 1 else ""
        worth = f"{holding} deal{plural} would hold but gain {SIDES[game.proposer]} nothing"
        return worth if holding else "no deal survives"
    if not holding:
        return "no other deal survives"
    return f"{holding} other deal{'s' if holding > 1 else ''} would also hold"


def _spe_clause(game: _Game) -> str:
    """What the proposer does on the equilibrium path and how it ends."""
    name = SIDES[game.proposer]
    if game.offer == 0:
        return f"{name} makes no offer"
    spe = game.result
    if bool(spe.reneged[game.draw]):
        performer = SIDES[int(spe.performer[game.offer])]
        return f"{name} offers {game.offer_label}, but {performer} reneges"
    if not _holds(game):
        return f"{name} offers {game.offer_label}, which likely fails"
    return f"{name} offers {game.offer_label} and it holds"


def _holds(game: _Game) -> bool:
    """Whether the equilibrium path ends in the offered deal, performed."""
    spe = game.result
    return int(spe.outcome[game.draw]) == game.offer and not bool(spe.reneged[game.draw])


def _title(rows: list[_Row], game: _Game, width: float) -> str:
    """The finding in plain words: the most complete version that fits ``width`` inches."""
    full = _spe_clause(game)
    holds = game.offer != 0 and _holds(game)
    short = f"{SIDES[game.proposer]} offers {game.offer_label}" if holds else full
    join = ": " if game.offer == 0 else "; "
    clauses = [c for c in (_killer_clause(rows, game), _survivors_clause(rows, game)) if c]
    candidates = [f"{spe}{join}{c}" for spe in (full, short) for c in clauses] + [full]
    return next((c for c in candidates if _text_width(c, TITLE_SIZE) <= width), full)


def _text_width(text: str, size: float) -> float:
    """Width in inches of ``text`` set in bold at ``size`` points."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties(weight="bold"))
    return float(path.get_extents().width) / 72


def _subtitle(name: str, year: int, game: _Game, draw: int) -> str:
    parts = [f"{SIDES[game.proposer]} proposes"]
    if draw:
        parts.append(f"draw {draw}")
    if not game.ratification:
        parts.append("no ratification vote")
    elif game.noisy:
        parts.append("ratifiers vote with noise")
    return scenario_subtitle(name, year, " · ".join(parts))


def _footnote() -> str:
    return (
        "Each row: what would happen to a deal if it were offered. Margins in US$ bn: the "
        "deciding actor's gain over the status quo;\n"
        "a rejection is at or below zero, a renege gain is net of the reputation cost. "
        "SPE: subgame-perfect equilibrium (Selten 1965).\n" + SOURCE_NOTE
    )


# -- drawing ----------------------------------------------------------------------------------


def _draw(ax: Axes, rows: list[_Row], game: _Game) -> None:
    n = len(rows)
    root_y = (n - 1) / 2
    ax.set_xlim(X_MIN, X_MAX)
    ax.set_ylim(n - 0.5, -1.4)
    ax.set_axis_off()
    _draw_columns(ax, game, n)
    ax.plot([X_ROOT], [root_y], marker="o", ms=9, color=PASS_COLOUR, zorder=5)
    ax.text(X_ROOT - 0.12, root_y, f"{SIDES[game.proposer]}\nproposes", ha="right", va="center")
    for y, row in enumerate(rows):
        _draw_row(ax, row, float(y), root_y, game)


def _columns(game: _Game) -> list[tuple[float, str, bool]]:
    """Position, heading and whether each stage column applies."""
    proposer, responder = SIDES[game.proposer], SIDES[1 - game.proposer]
    vote = "ratifier" if game.ratification else "ratifier\n(no vote)"
    return [
        (X_OFFER, f"{proposer}'s offer", True),
        (X_ANSWER, f"{responder}'s\ngovernment", True),
        (X_JAPAN, f"Japan's\n{vote}", game.ratification),
        (X_RUSSIA, f"Russia's\n{vote}", game.ratification),
        (X_PERFORM, "Later\nperformance", True),
        (X_END, "Outcome", True),
    ]


def _draw_columns(ax: Axes, game: _Game, n: int) -> None:
    for x, heading, applies in _columns(game):
        left = x == X_OFFER
        ax.text(
            x, -0.55, heading, ha="left" if left else "center", va="bottom", fontsize=8.5,
            fontweight="bold", color="#222222" if applies else MUTED,
        )  # fmt: skip
        if not left:
            ax.plot([x, x], [-0.45, n - 0.6], color="#e4e4e4", lw=0.8, zorder=0)


def _applies(x: float, row: _Row, game: _Game) -> bool:
    """Whether the stage at column ``x`` is one this deal must pass."""
    if x in (X_JAPAN, X_RUSSIA):
        return game.ratification
    if x == X_PERFORM:
        return row.performer >= 0
    return True


def _draw_row(ax: Axes, row: _Row, y: float, root_y: float, game: _Game) -> None:
    end = STAGE_X[row.stage]
    ax.plot([X_ROOT, X_OFFER], [root_y, y], color=LINE_COLOUR, lw=1.1, zorder=1)
    ax.plot([X_OFFER, end], [y, y], color=LINE_COLOUR, lw=1.1, zorder=1, gid=f"row:{row.deal_id}")
    if row.spe:
        ax.plot(
            [X_ROOT, X_OFFER, end], [root_y, y, y], color=SPE_COLOUR, lw=4.5,
            solid_capstyle="round", zorder=2, gid="spe-path",
        )  # fmt: skip
    if row.deal != 0:
        ax.text(X_OFFER + 0.06, y - 0.1, row.label, ha="left", va="bottom", fontsize=9)
    for x in (X_ANSWER, X_JAPAN, X_RUSSIA, X_PERFORM):
        if x < end and _applies(x, row, game):
            ax.plot([x], [y], marker="o", ms=4.5, color=PASS_COLOUR, ls="", zorder=4)
    _draw_end(ax, row, y, game)


def _draw_end(ax: Axes, row: _Row, y: float, game: _Game) -> None:
    """The mark that ends a row, the words beside it and any note."""
    x = STAGE_X[row.stage]
    marker, colour, filled = _end_marker(row, game)
    ax.plot(
        [x], [y], marker=marker, ms=9 if marker == "X" else 10, ls="", zorder=6,
        gid=f"end:{row.deal_id}:{row.stage.name}", color=colour,
        markerfacecolor=colour if filled else "white", markeredgewidth=1.4,
    )  # fmt: skip
    text, note = _end_words(row, game)
    words = ax.text(x + 0.15, y, text, ha="left", va="center", fontsize=8.5, zorder=7)
    if note and row.stage == Stage.PROPOSER:
        ax.text(x - 0.12, y - 0.1, note, ha="right", va="bottom", **_NOTE)
    elif note:
        words.set_y(y - 0.12)
        ax.text(x + 0.15, y + 0.2, note, ha="left", va="center", **_NOTE)
    if row.spe:
        _spe_label(ax, row, y, words)


_NOTE: dict[str, Any] = {"fontsize": 7.5, "style": "italic", "color": "#444444", "zorder": 7}


def _spe_label(ax: Axes, row: _Row, y: float, words: Text) -> None:
    """The "SPE path" tag: under the start of the path, or after "no offer"."""
    style: dict[str, Any] = {
        "ha": "left", "va": "center", "fontsize": 8, "fontweight": "bold", "zorder": 8,
        "bbox": {"boxstyle": "round,pad=0.2", "fc": "white", "ec": SPE_COLOUR, "lw": 1.8},
        "gid": "spe-label",
    }  # fmt: skip
    if row.deal == 0:
        after: dict[str, Any] = {"xytext": (8, 0), "textcoords": "offset points"}
        ax.annotate("SPE path", xy=(1, 0.5), xycoords=words, **after, **style)
    else:
        ax.text(X_OFFER + 0.06, y + 0.3, "SPE path", **style)


def _end_marker(row: _Row, game: _Game) -> tuple[str, str, bool]:
    """Marker, colour and whether it is filled, by how the row ends."""
    if row.stage == Stage.HOLDS:
        return r"$\checkmark$", HOLD_COLOUR, True
    if row.stage == Stage.PROPOSER:
        return "o", HOLD_COLOUR, False
    if row.stage == Stage.STATUS_QUO:
        return "s", PASS_COLOUR, True
    return "X", SIDE_COLOURS[ACTORS[_deciding_side(row, game)]], True


def _deciding_side(row: _Row, game: _Game) -> int:
    if row.stage == Stage.RESPONDER:
        return 1 - game.proposer
    if row.stage == Stage.JAPAN_RATIFIER:
        return 0
    if row.stage == Stage.RUSSIA_RATIFIER:
        return 1
    return row.performer


def _end_words(row: _Row, game: _Game) -> tuple[str, str]:
    """The words beside the end mark and an optional note in smaller type."""
    money, proposer = _money(row.margin), SIDES[game.proposer]
    note = ""
    if row.anticipated_renege and row.stage in _KILLS[:3]:
        note = f"anticipating that {SIDES[row.performer]} would renege"
    elif row.stage == Stage.RESPONDER and game.noisy:
        chance = float(np.asarray(game.result.ratify_probability)[game.draw, row.deal])
        note = f"expected margin; {chance:.0%} chance of ratification"
    if row.stage == Stage.STATUS_QUO:
        return "No offer: the status quo stays", note
    if row.stage == Stage.HOLDS:
        return _holds_words(game, proposer, money), note
    if row.stage == Stage.PROPOSER:
        instead = "making no offer" if game.offer == 0 else game.offer_label
        return "would hold", f"not offered: {money} for {proposer} vs {instead}"
    if row.stage == Stage.RENEGED:
        verb = "reneges" if row.spe else "would renege"
        return f"{SIDES[row.performer]} {verb} (gain {money})", note
    return f"{_killer(row.stage, game.proposer)} rejects ({money})", note


def _holds_words(game: _Game, proposer: str, money: str) -> str:
    probability = game.result.ratify_probability
    if probability is None or not game.ratification:
        return f"holds up ({proposer} {money})"
    chance = float(np.asarray(probability)[game.draw, game.offer])
    return f"holds up ({chance:.0%} chance)"


def _legend(ax: Axes, rows: list[_Row], game: _Game) -> None:
    """Key to the marks drawn, under the tree (inside the axes' layout box)."""

    def mark(marker: str, colour: str, label: str, ms: float = 8, **kw: Any) -> Line2D:
        return Line2D([], [], marker=marker, ms=ms, color=colour, ls="", label=label, **kw)

    stages = {r.stage for r in rows}
    sides = {_deciding_side(r, game) for r in rows if r.stage in _KILLS}
    handles = [
        Line2D([], [], color=SPE_COLOUR, lw=4.5, label="SPE path (what happens)"),
        mark("o", PASS_COLOUR, "passes the stage", ms=4.5),
    ]
    if Stage.HOLDS in stages:
        handles.append(mark(r"$\checkmark$", HOLD_COLOUR, "holds up", ms=10))
    handles += [
        mark("X", SIDE_COLOURS[ACTORS[side]], f"{SIDES[side]} rejects / reneges")
        for side in sorted(sides)
    ]
    if Stage.PROPOSER in stages:
        handles.append(mark("o", HOLD_COLOUR, "would hold, not offered", markerfacecolor="white"))
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3,
        frameon=False, fontsize=8.5,
    )  # fmt: skip
