"""Gambit .nfg files: round trips, interchange with pygambit, malformed input."""

from __future__ import annotations

import os

import numpy as np
import pygambit as gbt
import pytest

from sim.formats.nfg import (
    NfgFormatError,
    NormalFormGame,
    format_nfg,
    game_from_arrays,
    read_nfg,
    write_nfg,
)


def sample_game(seed: int = 0, m: int = 3, k: int = 4, ascii_only: bool = False) -> NormalFormGame:
    """A random game; names with quotes, and unless ``ascii_only`` a backslash and Cyrillic."""
    rng = np.random.default_rng(seed)
    return NormalFormGame(
        title='Kuril "talks" round 1' if ascii_only else 'Kuril "talks" \\ раунд 1',
        players=("Japan", "Russia" if ascii_only else "Россия"),
        strategies=(
            tuple(f"offer {i}" for i in range(m)),
            tuple(f'reply "{j}"' for j in range(k)),
        ),
        A=rng.normal(size=(m, k)) * 10.0,
        B=np.round(rng.normal(size=(m, k)), 2),
        comment="generated for a test",
    )


def gambit_payoffs(game: gbt.Game) -> tuple[np.ndarray, np.ndarray]:
    """Payoff matrices of a two-player pygambit game, read profile by profile.

    (``Game.to_arrays`` fails on profiles with the null outcome in pygambit 16.7.)
    """
    row, col = list(game.players)
    rows, cols = list(row.strategies), list(col.strategies)
    A, B = np.zeros((len(rows), len(cols))), np.zeros((len(rows), len(cols)))
    for i in range(len(rows)):
        for j in range(len(cols)):
            profile = game.mixed_strategy_profile()
            for n, s in enumerate(rows):
                profile[s] = 1.0 if n == i else 0.0
            for n, s in enumerate(cols):
                profile[s] = 1.0 if n == j else 0.0
            A[i, j], B[i, j] = float(profile.payoff(row)), float(profile.payoff(col))
    return A, B


# -- round trips -------------------------------------------------------------------------


def test_round_trip_is_exact(tmp_path):
    game = sample_game()
    path = tmp_path / "game.nfg"
    write_nfg(game, path)
    back = read_nfg(path)
    assert back.title == game.title and back.players == game.players
    assert back.strategies == game.strategies and back.comment == game.comment
    assert np.array_equal(back.A, game.A) and np.array_equal(back.B, game.B)  # exact floats


def test_write_replaces_atomically_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "game.nfg"
    write_nfg(sample_game(1), path)
    write_nfg(sample_game(2), path)
    assert os.listdir(tmp_path) == ["game.nfg"]
    assert np.array_equal(read_nfg(path).A, sample_game(2).A)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "game.nfg"
    write_nfg(sample_game(1), path)
    before = path.read_text(encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_nfg(sample_game(2), path)
    assert path.read_text(encoding="utf-8") == before
    assert os.listdir(tmp_path) == ["game.nfg"]


# -- interchange with pygambit -----------------------------------------------------------


def test_pygambit_reads_what_we_write(tmp_path):
    game = sample_game(3, ascii_only=True)  # Gambit reads printable-ASCII labels only
    path = tmp_path / "ours.nfg"
    write_nfg(game, path)
    theirs = gbt.read_nfg(str(path))
    assert theirs.title == game.title
    assert tuple(p.label for p in theirs.players) == game.players
    assert tuple(tuple(s.label for s in p.strategies) for p in theirs.players) == game.strategies
    A, B = gambit_payoffs(theirs)
    assert np.allclose(A, game.A, rtol=1e-15, atol=0) and np.allclose(B, game.B, rtol=1e-15, atol=0)


def test_we_read_what_pygambit_writes(tmp_path):
    rng = np.random.default_rng(4)
    A, B = rng.integers(-5, 6, (2, 4, 2)).astype(float)
    A[0, 0], B[1, 1] = 0.25, -1.5
    theirs = gbt.Game.from_arrays(A, B, title="from pygambit")
    row, col = list(theirs.players)
    row.label, col.label = "Row", "Column"
    list(col.strategies)[1].label = "Right"
    path = tmp_path / "theirs.nfg"
    theirs.to_nfg(str(path))
    ours = read_nfg(path)
    assert ours.title == "from pygambit" and ours.players == ("Row", "Column")
    assert ours.strategies == (("1", "2", "3", "4"), ("1", "Right"))
    assert np.array_equal(ours.A, A) and np.array_equal(ours.B, B)


# The payoff-version sample of Gambit's format documentation (Selten 1975, Fig. 2):
# profiles listed with player 1's strategy changing fastest, two payoffs each.
SELTEN_PAYOFF = """NFG 1 R "Selten (IJGT, 75), Figure 2, normal form"
{ "Player 1" "Player 2" } { 3 2 }

1 1 0 2 0 2 1 1 0 3 2 0
"""
SELTEN_A = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 2.0]])
SELTEN_B = np.array([[1.0, 1.0], [2.0, 3.0], [2.0, 0.0]])


def test_payoff_version_from_the_documentation(tmp_path):
    path = tmp_path / "selten.nfg"
    path.write_text(SELTEN_PAYOFF, encoding="utf-8")
    game = read_nfg(path)
    assert game.title.startswith("Selten") and game.players == ("Player 1", "Player 2")
    assert game.strategies == (("1", "2", "3"), ("1", "2"))
    assert np.array_equal(game.A, SELTEN_A) and np.array_equal(game.B, SELTEN_B)
    assert np.array_equal(gambit_payoffs(gbt.read_nfg(str(path)))[0], SELTEN_A)  # same reading


def test_outcome_version_with_null_and_shared_outcomes(tmp_path):
    text = """NFG 1 R "shared" { "P1" "P2" }
{ { "a" "b" } { "x" "y" } }
"a comment"
{
{ "win" 1/2, -1/2 }
{ "tie" 3 2.5 }
}
1 0 2 1
"""
    path = tmp_path / "outcomes.nfg"
    path.write_text(text, encoding="utf-8")
    game = read_nfg(path)
    # cells in order (a,x), (b,x), (a,y), (b,y): outcomes win, null, tie, win
    assert np.array_equal(game.A, [[0.5, 3.0], [0.0, 0.5]])
    assert np.array_equal(game.B, [[-0.5, 2.5], [0.0, -0.5]])
    assert game.comment == "a comment"
    A, B = gambit_payoffs(gbt.read_nfg(str(path)))
    assert np.array_equal(A, game.A) and np.array_equal(B, game.B)


def test_labels_ending_in_a_backslash_cannot_be_written(tmp_path):
    game = game_from_arrays([[1.0]], [[2.0]], title="ends with \\")
    with pytest.raises(ValueError, match="backslash"):
        write_nfg(game, tmp_path / "x.nfg")
    assert os.listdir(tmp_path) == []


def test_game_from_arrays_and_text_shape():
    game = game_from_arrays([[1, 2]], [[3, 4]], title="t")
    assert game.strategies == (("1",), ("1", "2"))
    text = format_nfg(game)
    assert text.startswith('NFG 1 R "t" { "Player 1" "Player 2" }')
    assert text.rstrip().endswith("1 2")


# -- malformed files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "header 'NFG'"),
        ('EFG 2 R "x" { "a" "b" }', "header 'NFG'"),
        ('NFG 2 R "x" { "a" "b" } { 2 2 } 1 2 3 4 5 6 7 8', "version number 1"),
        ('NFG 1 Q "x" { "a" "b" } { 2 2 }', "letter R"),
        ('NFG 1 R "x" { "a" "b" "c" } { 2 2 2 }', "exactly 2 players"),
        ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4 5 6 7', "a payoff, found end of file"),
        ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4 5 6 7 8 9', "end of file, found 9"),
        ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 four 5 6 7 8', "a payoff, found four"),
        ('NFG 1 R "x" { "a" "b" } { 2 0 }', "positive whole number"),
        ('NFG 1 R "x" { "a" "b" } { { "1" } { "1" } } "" { { "" 1 2 } } 2', "between 0 and 1"),
        ('NFG 1 R "x" { "a" "b" } { { "1" } { "1" } } "" { { "" 1 } } 1', "a payoff, found }"),
        ('NFG 1 R "x { "a" "b" }', "closing quote"),
        ('NFG 1 R "x" { "a" "b" } { 1 1 } 1 1/0', "a payoff"),
    ],
)
def test_malformed_files_raise_with_file_and_expectation(tmp_path, text, expected):
    path = tmp_path / "bad.nfg"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NfgFormatError, match="expected") as info:
        read_nfg(path)
    assert str(path) in str(info.value) and expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_error_reports_the_line(tmp_path):
    path = tmp_path / "lines.nfg"
    path.write_text('NFG 1 R "x" { "a" "b" } { 2 2 }\n\n1 2 3 x 5 6 7 8\n', encoding="utf-8")
    with pytest.raises(NfgFormatError, match=r"lines.nfg, line 3: expected a payoff, found x"):
        read_nfg(path)


def test_invalid_game_objects_raise():
    with pytest.raises(ValueError, match="shape"):
        NormalFormGame("t", ("a", "b"), (("1", "2"), ("1",)), np.zeros((1, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="finite"):
        game_from_arrays([[np.nan]], [[0.0]])
    game = game_from_arrays([[1.0]], [[2.0]])
    with pytest.raises(ValueError):
        game.A[0, 0] = 5.0  # payoffs are read-only
