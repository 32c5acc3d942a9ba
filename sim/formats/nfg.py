"""Read and write two-player games in Gambit's strategic-form ``.nfg`` format.

Format (Gambit documentation, "Game representation formats": "The strategic game
(.nfg) file format, payoff version" and "... outcome version"). Whitespace is not
significant; text is in double quotes, with ``\\"`` standing for a quote (any other
backslash is an ordinary character, so a text cannot end with one). A file is::

    NFG 1 R "title" { "Player 1" "Player 2" }
    { { "s1" "s2" ... } { "t1" "t2" ... } }     <- or counts only: { 2 3 }
    "optional comment"

followed by either the *payoff version*: one payoff per player for every strategy
profile, profiles listed with the first player's strategy changing fastest::

    u1(1,1) u2(1,1) u1(2,1) u2(2,1) ... u1(m,k) u2(m,k)

or the *outcome version*: a list of outcomes ``{ "name" u1, u2 }`` (commas between
payoffs optional) in braces, then one outcome number per profile in the same order,
1-based, 0 meaning the null outcome (all payoffs 0). Numbers may be integers,
decimals or rationals ``p/q``. The version token ``D`` of old decimal files is
accepted like ``R``.

:func:`write_nfg` writes the outcome version with one outcome per profile, as
Gambit itself does, with payoffs in the shortest decimal form that reads back as
the same float; it writes to a temporary file in the target folder and renames it
into place, so a reader never sees a partial file. Files are UTF-8. Gambit 16 itself
reads only ASCII files, turns an empty label into ``_1`` and rejects labels that
are not printable ASCII, start or end with a space or contain two spaces in a row;
keep titles and names to that form for files meant for Gambit.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.atomic import write_text

Array = NDArray[np.float64]

_TOKEN = re.compile(r'\s*(?:(")|([{}])|(,)|([^\s{}",]+))')


class NfgFormatError(ValueError):
    """A ``.nfg`` file that does not follow the format; the message names the file."""


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A two-player strategic game.

    Attributes
    ----------
    title : str
        Title of the game.
    players : tuple of str, length 2
        Names of the row and the column player.
    strategies : tuple of (tuple of str, tuple of str)
        Strategy names of the row (m names) and the column player (k names).
    A, B : ndarray, shape (m, k)
        Payoffs of the row and the column player (read-only copies).
    comment : str, default ""
        Free-text comment stored in the file.
    """

    title: str
    players: tuple[str, str]
    strategies: tuple[tuple[str, ...], tuple[str, ...]]
    A: Array
    B: Array
    comment: str = ""

    def __post_init__(self) -> None:
        if len(self.strategies) != 2:
            raise ValueError(
                f"a two-player game needs 2 strategy lists, got {len(self.strategies)}"
            )
        shape = (len(self.strategies[0]), len(self.strategies[1]))
        for name in ("A", "B"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            if arr.shape != shape or min(shape) < 1 or not np.isfinite(arr).all():
                raise ValueError(f"{name} must be a finite array of shape {shape}, got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        if len(self.players) != 2:
            raise ValueError(f"a two-player game needs 2 player names, got {len(self.players)}")
        object.__setattr__(self, "players", tuple(str(p) for p in self.players))
        object.__setattr__(self, "strategies", tuple(tuple(map(str, s)) for s in self.strategies))


# --------------------------------------------------------------------------- reading


class _Tokens:
    """Tokens of an ``.nfg`` text: ('str', text), ('{' | '}'), or ('word', text)."""

    def __init__(self, text: str, path: str) -> None:
        self.path, self.items, self.pos = path, self._scan(text, path), 0

    @staticmethod
    def _scan(text: str, path: str) -> list[tuple[str, str, int]]:
        items: list[tuple[str, str, int]] = []
        i, line, seen = 0, 1, 0
        while (match := _TOKEN.match(text, i)) is not None:
            start = match.start(match.lastindex or 0)
            line, seen = line + text.count("\n", seen, start), start
            i = match.end(0)
            if match.group(1):
                value, i = _scan_string(text, i, path, line)
                items.append(("str", value, line))
            elif match.group(2):
                items.append((match.group(2), match.group(2), line))
            elif match.group(4):  # commas (group 3) only separate payoffs
                items.append(("word", match.group(4), line))
        return items

    def error(self, expected: str) -> NfgFormatError:
        if self.pos >= len(self.items):
            return NfgFormatError(f"{self.path}: expected {expected}, found end of file")
        kind, value, line = self.items[self.pos]
        shown = f'"{value}"' if kind == "str" else value
        return NfgFormatError(f"{self.path}, line {line}: expected {expected}, found {shown}")

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self, kind: str, expected: str) -> str:
        if self.peek() != kind:
            raise self.error(expected)
        self.pos += 1
        return self.items[self.pos - 1][1]

    def number(self, expected: str) -> float:
        if self.peek() != "word":
            raise self.error(expected)
        text = self.items[self.pos][1]
        try:
            value = float(Fraction(text)) if "/" in text else float(text)
        except (ValueError, ZeroDivisionError):
            value = float("nan")
        if not np.isfinite(value):
            raise self.error(expected)
        self.pos += 1
        return value


def _scan_string(text: str, start: int, path: str, line: int) -> tuple[str, int]:
    """Read a quoted string whose opening quote ends just before ``start``."""
    out, i = [], start
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text.startswith('"', i + 1):
            out.append('"')
            i += 2
        elif ch == '"':
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    raise NfgFormatError(f"{path}, line {line}: expected a closing quote, found end of file")


def _strings_in_braces(tok: _Tokens, what: str) -> list[str]:
    tok.take("{", f"'{{' opening the {what}")
    names = []
    while tok.peek() == "str":
        names.append(tok.take("str", what))
    tok.take("}", f"a quoted name or '}}' closing the {what}")
    return names


def _read_strategies(tok: _Tokens) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The strategy block: nested lists of names, or a list of counts."""
    tok.take("{", "'{' opening the strategy lists")
    lists: list[tuple[str, ...]] = []
    while tok.peek() in ("{", "word"):
        if tok.peek() == "{":
            lists.append(tuple(_strings_in_braces(tok, "strategy names")))
        else:
            count = tok.number("a strategy count")
            if count != int(count) or count < 1:
                tok.pos -= 1
                raise tok.error("a positive whole number of strategies")
            lists.append(tuple(str(i) for i in range(1, int(count) + 1)))
    tok.take("}", "'}' closing the strategy lists")
    if len(lists) != 2 or min(len(s) for s in lists) < 1:
        sizes = [len(s) for s in lists]
        raise NfgFormatError(f"{tok.path}: expected 2 nonempty strategy lists, got sizes {sizes}")
    return lists[0], lists[1]


def _read_outcomes(tok: _Tokens, n_cells: int) -> list[tuple[float, float]]:
    """Outcome version: the outcome list, then one outcome number per profile."""
    tok.take("{", "'{' opening the outcome list")
    outcomes = [(0.0, 0.0)]
    while tok.peek() == "{":
        tok.take("{", "'{' opening an outcome")
        tok.take("str", "the quoted name of an outcome")
        outcomes.append((tok.number("a payoff"), tok.number("a payoff")))
        tok.take("}", "'}' closing an outcome (2 payoffs)")
    tok.take("}", "'{' opening an outcome or '}' closing the outcome list")
    cells = []
    for _ in range(n_cells):
        index = tok.number(f"an outcome number (one for each of {n_cells} profiles)")
        if index != int(index) or not 0 <= index < len(outcomes):
            tok.pos -= 1
            raise tok.error(f"an outcome number between 0 and {len(outcomes) - 1}")
        cells.append(outcomes[int(index)])
    return cells


def _parse(text: str, path: str) -> NormalFormGame:
    tok = _Tokens(text, path)
    if tok.take("word", "the header 'NFG'") != "NFG":
        tok.pos -= 1
        raise tok.error("the header 'NFG'")
    if tok.number("the version number 1") != 1:
        tok.pos -= 1
        raise tok.error("the version number 1")
    if tok.take("word", "the letter R") not in ("R", "D"):
        tok.pos -= 1
        raise tok.error("the letter R")
    title = tok.take("str", "the quoted title")
    players = _strings_in_braces(tok, "player names")
    if len(players) != 2:
        raise NfgFormatError(f"{path}: expected exactly 2 players, found {len(players)}")
    strategies = _read_strategies(tok)
    comment = tok.take("str", "comment") if tok.peek() == "str" else ""
    m, k = len(strategies[0]), len(strategies[1])
    if tok.peek() == "{":
        cells = _read_outcomes(tok, m * k)
    else:
        cells = [(tok.number("a payoff"), tok.number("a payoff")) for _ in range(m * k)]
    if tok.peek() is not None:
        raise tok.error("end of file")
    pay = np.array(cells, dtype=np.float64).reshape(k, m, 2)  # first player fastest
    names = (players[0], players[1])
    return NormalFormGame(title, names, strategies, pay[..., 0].T, pay[..., 1].T, comment)


def read_nfg(path: str | os.PathLike[str]) -> NormalFormGame:
    """Read a two-player game from a Gambit ``.nfg`` file (payoff or outcome version).

    Parameters
    ----------
    path : str or path-like
        File to read (UTF-8).

    Returns
    -------
    NormalFormGame
        With ``A`` and ``B`` of shape (m, k), m and k the players' strategy counts.

    Raises
    ------
    NfgFormatError
        If the file is not a valid two-player ``.nfg`` file; the message names the
        file, the line and what was expected.
    OSError
        If the file cannot be read.
    """
    text = Path(path).read_text(encoding="utf-8")
    return _parse(text, str(path))


# --------------------------------------------------------------------------- writing


def _quote(text: str) -> str:
    if text.endswith("\\"):
        raise ValueError(f"a text label cannot end with a backslash in .nfg files: {text!r}")
    return '"' + text.replace('"', '\\"') + '"'


def _number(value: float) -> str:
    """Shortest positional decimal that reads back as the same float."""
    return np.format_float_positional(float(value), unique=True, trim="-")


def format_nfg(game: NormalFormGame) -> str:
    """The ``.nfg`` text (outcome version) of a two-player game.

    Parameters
    ----------
    game : NormalFormGame
        The game; ``A`` and ``B`` of shape (m, k).

    Returns
    -------
    str
    """
    names = " ".join(_quote(p) for p in game.players)
    lines = [f"NFG 1 R {_quote(game.title)} {{ {names} }}", ""]
    lines.append("{ " + "\n".join("{ " + " ".join(map(_quote, s)) + " }" for s in game.strategies))
    lines += ["}", _quote(game.comment), "", "{"]
    m, k = game.A.shape
    for j in range(k):
        for i in range(m):
            lines.append(f'{{ "" {_number(game.A[i, j])}, {_number(game.B[i, j])} }}')
    lines += ["}", " ".join(str(n) for n in range(1, m * k + 1)), ""]
    return "\n".join(lines)


def write_nfg(game: NormalFormGame, path: str | os.PathLike[str]) -> None:
    """Write a two-player game to a Gambit ``.nfg`` file, atomically.

    The text is written to a temporary file in the same folder, flushed to disk
    and renamed over ``path`` (``os.replace``); on failure the temporary file is
    removed and any existing file at ``path`` is left as it was.

    Parameters
    ----------
    game : NormalFormGame
        The game to write.
    path : str or path-like
        Destination file.
    """
    write_text(path, format_nfg(game))


def game_from_arrays(
    A: ArrayLike,
    B: ArrayLike,
    title: str = "",
    players: tuple[str, str] = ("Player 1", "Player 2"),
) -> NormalFormGame:
    """A NormalFormGame with strategies named "1", "2", ... for payoffs A, B (m, k).

    Parameters
    ----------
    A, B : array_like, shape (m, k)
        Row and column player's payoffs.
    title : str, default ""
    players : tuple of str, default ("Player 1", "Player 2")

    Returns
    -------
    NormalFormGame
    """
    A_arr = np.asarray(A, dtype=np.float64)
    if A_arr.ndim != 2:
        raise ValueError(f"A must be 2-dimensional, got shape {A_arr.shape}")
    names = tuple(tuple(str(i) for i in range(1, n + 1)) for n in A_arr.shape)
    B_arr = np.asarray(B, dtype=np.float64)
    return NormalFormGame(title, players, (names[0], names[1]), A_arr, B_arr)
