"""Extreme Nash equilibria: textbook games, properties, the Gambit oracle, batching."""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import sim.solvers.equilibria as eqmod
from sim.solvers.equilibria import (
    Equilibrium,
    all_equilibria,
    batch_equilibria,
    batch_equilibria_flat,
    batch_pure_equilibria,
    describe_equilibria,
    is_evolutionarily_stable,
    is_nash,
)

MATCH_TOL = 1e-6


# -- helpers -----------------------------------------------------------------------------


def as_profiles(pairs):
    return [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in pairs]


def contains(profiles, x, y, tol=MATCH_TOL):
    return any(np.allclose(x, u, atol=tol) and np.allclose(y, v, atol=tol) for u, v in profiles)


def distinct(profiles, tol=MATCH_TOL):
    out = []
    for x, y in profiles:
        if not contains(out, x, y, tol):
            out.append((x, y))
    return out


def same_set(a, b, tol=MATCH_TOL):
    """Equal as sets of profiles, matching coordinates within ``tol``."""
    return (
        len(distinct(a, tol)) == len(distinct(b, tol))
        and all(contains(b, x, y, tol) for x, y in a)
        and all(contains(a, x, y, tol) for x, y in b)
    )


def gambit_equilibria(A, B):
    """All extreme equilibria by Gambit's enummixed (floating point), as distinct pairs.

    On degenerate games enummixed may report one equilibrium more than once, so the
    comparison is between sets.
    """
    game = gbt.Game.from_arrays(A, B)
    row, col = list(game.players)
    result = gbt.nash.enummixed_solve(game, rational=False)
    pairs = [
        ([float(eq[s]) for s in row.strategies], [float(eq[s]) for s in col.strategies])
        for eq in result.equilibria
    ]
    return distinct(as_profiles(pairs))


def nashpy_equilibria(A, B):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns on degenerate games
        return distinct(as_profiles(nashpy.Game(A, B).support_enumeration()))


# -- textbook games ----------------------------------------------------------------------

# Matching pennies: unique equilibrium, both players mix 1/2-1/2.
PENNIES = ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], [([0.5, 0.5], [0.5, 0.5])])

# Battle of the sexes: two pure equilibria and a mixed one where each player makes the
# other indifferent: x = (2/3, 1/3) (column: x1 * 1 = x2 * 2), y = (1/3, 2/3) (row:
# 2 y1 = y2).
SEXES = (
    [[2, 0], [0, 1]],
    [[1, 0], [0, 2]],
    [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3])],
)

# Prisoners' dilemma (cooperate, defect): defection strictly dominant, unique equilibrium.
DILEMMA = ([[3, 0], [5, 1]], [[3, 5], [0, 1]], [([0, 1], [0, 1])])

# The degenerate 3x2 game of von Stengel (2002, Handbook of Game Theory vol. 3, ch. 45;
# also Avis et al. 2010): against the top row the column player is indifferent, and
# the top row stays a best reply while 3 >= 2 y1 + 5 y2 and 3 >= 6 y2, i.e. y2 <= 1/3.
# So the segment x = (1, 0, 0), y in [(1, 0), (2/3, 1/3)] is an equilibrium component
# whose two end points are extreme equilibria; the third, isolated equilibrium is
# x = (0, 1/3, 2/3), y = (1/3, 2/3) (columns both earn 8/3, rows 2 and 3 both earn 4).
VON_STENGEL = (
    [[3, 3], [2, 5], [0, 6]],
    [[3, 3], [2, 6], [3, 1]],
    [([1, 0, 0], [1, 0]), ([1, 0, 0], [2 / 3, 1 / 3]), ([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3])],
)


@pytest.mark.parametrize(
    "A, B, expected",
    [PENNIES, SEXES, DILEMMA, VON_STENGEL],
    ids=["matching_pennies", "battle_of_sexes", "prisoners_dilemma", "von_stengel_degenerate"],
)
def test_textbook_games(A, B, expected):
    found = all_equilibria(A, B)
    assert len(found) == len(expected)
    assert same_set(found, as_profiles(expected), tol=1e-9)


def test_von_stengel_segment_interior_is_nash_but_not_returned():
    A, B, _ = VON_STENGEL
    middle = np.array([5 / 6, 1 / 6])  # midpoint of the segment: an equilibrium, not extreme
    assert is_nash(A, B, [1, 0, 0], middle)
    assert not contains(all_equilibria(A, B), np.array([1.0, 0, 0]), middle)


def test_constant_game_has_every_pure_profile():
    # All payoffs equal: every profile is an equilibrium; the extreme ones are the m*k
    # pure profiles (vertices of the product of simplices).
    m, k = 3, 4
    found = all_equilibria(np.full((m, k), 2.5), np.full((m, k), -1.0))
    expected = [(np.eye(m)[i], np.eye(k)[j]) for i in range(m) for j in range(k)]
    assert len(found) == m * k and same_set(found, expected, tol=1e-12)


def test_one_by_one_and_dominance():
    assert same_set(all_equilibria([[7.0]], [[-3.0]]), [(np.ones(1), np.ones(1))])
    # 1 x 3: the column player's unique best column is the middle one.
    assert same_set(all_equilibria([[0, 0, 0]], [[1, 4, 2]]), [(np.ones(1), np.eye(3)[1])])


def test_order_is_lexicographic_and_deterministic():
    A, B, _ = SEXES
    found = all_equilibria(A, B)
    keys = [tuple(np.concatenate([x, y]).round(9)) for x, y in found]
    assert keys == sorted(keys)
    again = all_equilibria(A, B)
    assert all(
        np.allclose(x, u) and np.allclose(y, v) for (x, y), (u, v) in zip(found, again, strict=True)
    )


def test_affine_invariance():
    rng = np.random.default_rng(11)
    A, B = rng.integers(0, 3, (2, 4, 3)).astype(float)
    base = all_equilibria(A, B)
    assert same_set(base, all_equilibria(5.0 * A - 2.0, 0.25 * B + 100.0))


# -- properties --------------------------------------------------------------------------


@st.composite
def games(draw, integer: bool = False):
    m = draw(st.integers(1, 4))
    k = draw(st.integers(1, 4))
    tied = integer or draw(st.booleans())
    elements = st.integers(-2, 2) if tied else st.floats(-10, 10, allow_nan=False)
    A = draw(hnp.arrays(np.float64, (m, k), elements=elements))
    B = draw(hnp.arrays(np.float64, (m, k), elements=elements))
    return A, B


@settings(max_examples=150, deadline=None)
@given(games())
def test_every_result_is_a_nash_equilibrium_of_probability_vectors(game):
    A, B = game
    found = all_equilibria(A, B)
    assert found, "every finite game has an equilibrium (Nash 1951)"
    for x, y in found:
        assert x.shape == (A.shape[0],) and y.shape == (A.shape[1],)
        for mix in (x, y):
            assert mix.min() >= 0.0 and abs(mix.sum() - 1.0) <= 1e-12
        scale = max(np.abs(A).max(), np.abs(B).max(), 1.0)
        assert is_nash(A, B, x, y, tol=1e-8 * scale)


@settings(max_examples=150, deadline=None)
@given(games())
def test_no_duplicates(game):
    found = all_equilibria(*game)
    for a in range(len(found)):
        for b in range(a):
            gap = max(
                np.abs(found[a][0] - found[b][0]).max(), np.abs(found[a][1] - found[b][1]).max()
            )
            assert gap > 1e-9


@settings(max_examples=60, deadline=None)
@given(games(integer=True))
def test_pure_equilibria_agree_with_the_pure_kernel(game):
    # Integer payoffs: ties are exact, so both tolerance conventions agree.
    A, B = game
    pure = batch_pure_equilibria(A[None], B[None], tol=0.0)[0]
    found = [(x, y) for x, y in all_equilibria(A, B) if x.max() == 1.0 and y.max() == 1.0]
    cells = {(int(x.argmax()), int(y.argmax())) for x, y in found}
    assert cells == set(zip(*np.nonzero(pure), strict=True))


# -- the Gambit oracle -------------------------------------------------------------------


def oracle_games():
    """Seeded random games, 2x2 to 5x5, payoffs from {0, 1, 2} (degenerate) or U(0, 1)."""
    rng = np.random.default_rng(20240611)
    out = []
    for m in range(2, 6):
        for k in range(2, 6):
            for kind in ("tied", "continuous"):
                for _ in range(12):
                    if kind == "tied":
                        A, B = rng.integers(0, 3, (2, m, k)).astype(float)
                    else:
                        A, B = rng.random((2, m, k))
                    out.append((kind, A, B))
    return out


def test_same_sets_as_gambit_enummixed():
    cases = oracle_games()
    assert len(cases) == 384
    mismatches = [
        (kind, A.tolist(), B.tolist())
        for kind, A, B in cases
        if not same_set(all_equilibria(A, B), gambit_equilibria(A, B))
    ]
    assert mismatches == []


def test_nashpy_support_enumeration_misses_an_equilibrium_we_and_gambit_find():
    # Support enumeration pairs supports of equal size, so on degenerate games it
    # misses extreme equilibria with unequal supports. Search seeded tied games.
    rng = np.random.default_rng(5)
    for _ in range(200):
        A, B = rng.integers(0, 3, (2, 3, 3)).astype(float)
        ours, gambit = all_equilibria(A, B), gambit_equilibria(A, B)
        theirs = nashpy_equilibria(A, B)
        if not all(contains(theirs, x, y) for x, y in gambit):
            break
    else:
        pytest.fail("no seeded game where nashpy misses an equilibrium")
    assert same_set(ours, gambit)
    assert sum(contains(gambit, x, y) for x, y in theirs) < len(gambit)


# -- batching ----------------------------------------------------------------------------


def test_batch_equals_single(monkeypatch):
    rng = np.random.default_rng(3)
    A = rng.integers(0, 3, (257, 3, 4)).astype(float)
    B = rng.integers(0, 3, (257, 3, 4)).astype(float)
    A[100:], B[100:] = rng.random((2, 157, 3, 4))
    monkeypatch.setattr(eqmod, "MAX_CHUNK_GAMES", 50)  # several chunks, a ragged last one
    batched = batch_equilibria(A, B)
    assert len(batched) == len(A)
    for n in range(len(A)):
        single = all_equilibria(A[n], B[n])
        assert len(batched[n]) == len(single)
        for (x, y), (u, v) in zip(batched[n], single, strict=True):
            assert np.allclose(x, u, atol=1e-12) and np.allclose(y, v, atol=1e-12)


def test_batch_pure_equilibria_matches_definition():
    rng = np.random.default_rng(8)
    A = rng.integers(0, 3, (500, 3, 4)).astype(float)
    B = rng.integers(0, 3, (500, 3, 4)).astype(float)
    marked = batch_pure_equilibria(A, B)
    assert marked.shape == (500, 3, 4) and marked.dtype == bool
    for n in range(len(A)):
        for i in range(3):
            for j in range(4):
                best = A[n, i, j] >= A[n, :, j].max() and B[n, i, j] >= B[n, i, :].max()
                assert marked[n, i, j] == best


# -- description, best replies, evolutionary stability -----------------------------------


def test_describe_battle_of_the_sexes():
    A, B, _ = SEXES
    described = describe_equilibria(A, B, all_equilibria(A, B))
    assert all(isinstance(e, Equilibrium) for e in described)
    pure = sorted((e.payoff_row, e.payoff_col) for e in described if e.pure)
    assert np.allclose(pure, [(1, 2), (2, 1)])
    assert all(e.strict for e in described if e.pure)
    (mixed,) = [e for e in described if not e.pure]
    assert not mixed.strict
    # Row earns 2 y1 = 2/3, column earns x1 = 2/3 at the mixed equilibrium.
    assert mixed.payoff_row == pytest.approx(2 / 3) and mixed.payoff_col == pytest.approx(2 / 3)


def test_describe_weak_pure_equilibrium_is_not_strict():
    A, B, _ = VON_STENGEL
    described = describe_equilibria(A, B, [(np.array([1.0, 0, 0]), np.array([1.0, 0]))])
    assert described[0].pure and not described[0].strict  # the column player is indifferent
    assert described[0].payoff_row == pytest.approx(3.0)


def test_is_nash_rejects_non_equilibria():
    A, B, _ = PENNIES
    assert not is_nash(A, B, [1, 0], [1, 0])
    assert not is_nash(A, B, [0.5, 0.5], [0.6, 0.4])
    assert is_nash(A, B, [0.5, 0.5], [0.5, 0.5])


HAWK_DOVE = np.array([[-1.0, 2.0], [0.0, 1.0]])  # V = 2, C = 4: ESS plays Hawk with V/C
ROCK_PAPER_SCISSORS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
GOOD_RPS = np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]])  # win 2 > lose 1
BAD_RPS = np.array([[0.0, -2.0, 1.0], [1.0, 0.0, -2.0], [-2.0, 1.0, 0.0]])  # win 1 < lose 2


@pytest.mark.parametrize(
    "A, x, expected",
    [
        (HAWK_DOVE, [0.5, 0.5], True),  # Maynard Smith's mixed ESS, p = V / C
        (HAWK_DOVE, [1.0, 0.0], False),  # not even a symmetric equilibrium
        (ROCK_PAPER_SCISSORS, [1 / 3] * 3, False),  # neutral: z^T A z = 0
        (GOOD_RPS, [1 / 3] * 3, True),  # z^T A z = -(a - b)/2 |z|^2 < 0 on sum z = 0
        (BAD_RPS, [1 / 3] * 3, False),
        (np.eye(2), [1.0, 0.0], True),  # coordination: strict equilibria are ESS
        (np.eye(2), [0.5, 0.5], False),
        (np.array([[3.0, 0.0], [5.0, 1.0]]), [0.0, 1.0], True),  # prisoners' dilemma: defect
        (np.array([[0.0, 0.0], [0.0, -1.0]]), [1.0, 0.0], True),  # second condition holds
        (np.array([[0.0, 0.0], [0.0, 1.0]]), [1.0, 0.0], False),  # the invader does better
        (np.ones((2, 2)), [1.0, 0.0], False),  # neutral drift
    ],
)
def test_evolutionary_stability_known_cases(A, x, expected):
    assert is_evolutionarily_stable(A, x) is expected


@settings(max_examples=80, deadline=None)
@given(
    hnp.arrays(np.float64, (3, 3), elements=st.integers(-2, 2)),
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
)
def test_ess_resists_every_sampled_invader(A, weights):
    # Definition: for y != x, u(x,x) > u(y,x), or equal and u(x,y) > u(y,y).
    y = np.asarray(weights) + 1e-3
    y /= y.sum()
    for x, _ in all_equilibria(A, A.T):
        if not (is_nash(A, A.T, x, x) and is_evolutionarily_stable(A, x)):
            continue
        if np.abs(x - y).max() < 1e-6:
            continue
        uxx, uyx, uxy, uyy = x @ A @ x, y @ A @ x, x @ A @ y, y @ A @ y
        assert uxx > uyx + 1e-12 or (abs(uxx - uyx) <= 1e-9 and uxy > uyy - 1e-12)


def test_ess_requires_a_symmetric_game():
    with pytest.raises(ValueError, match="square"):
        is_evolutionarily_stable(np.ones((2, 3)), [0.5, 0.5])
    with pytest.raises(ValueError, match="symmetric"):
        is_evolutionarily_stable(HAWK_DOVE, [0.5, 0.5], B=HAWK_DOVE)  # B != A.T here
    assert is_evolutionarily_stable(HAWK_DOVE, [0.5, 0.5], B=HAWK_DOVE.T)


# -- input validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "A, B, message",
    [
        ([[1, 2]], [[1, 2], [3, 4]], "same shape"),
        ([1, 2], [1, 2], "2-dimensional"),
        (np.zeros((0, 2)), np.zeros((0, 2)), "at least one row"),
        ([[1, np.nan]], [[1, 2]], "non-finite"),
        ([[1, np.inf]], [[1, 2]], "non-finite"),
        ([["a", "b"]], [[1, 2]], "real numbers"),
        ([[1 + 1j, 2]], [[1, 2]], "real numbers"),
    ],
)
def test_invalid_games_raise(A, B, message):
    with pytest.raises(ValueError, match=message):
        all_equilibria(A, B)
    with pytest.raises(ValueError):
        batch_equilibria(np.asarray(A)[None], np.asarray(B)[None])


def test_invalid_batches_and_tolerances_raise():
    with pytest.raises(ValueError, match="3-dimensional"):
        batch_equilibria(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="3-dimensional"):
        batch_pure_equilibria(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="tol"):
        all_equilibria(np.ones((2, 2)), np.ones((2, 2)), tol=-1.0)
    with pytest.raises(ValueError, match="probability vector"):
        is_nash(np.ones((2, 2)), np.ones((2, 2)), [0.7, 0.7], [0.5, 0.5])
    with pytest.raises(ValueError, match="shape"):
        is_nash(np.ones((2, 2)), np.ones((2, 2)), [1.0], [0.5, 0.5])


def test_flat_batch_matches_the_lists():
    rng = np.random.default_rng(5)
    A = rng.integers(0, 3, size=(300, 3, 4)).astype(float)
    B = rng.integers(0, 3, size=(300, 3, 4)).astype(float)
    lists = batch_equilibria(A, B)
    flat = batch_equilibria_flat(A, B)
    assert flat.counts().tolist() == [len(found) for found in lists]
    for g, found in enumerate(lists):
        rows = flat.game == g
        assert same_set(list(zip(flat.row[rows], flat.col[rows], strict=True)), found)


def test_payoffs_at_the_float_limit_keep_their_equilibria():
    """Rescaling ±1e308 once overflowed to NaN and lost every equilibrium."""
    base = np.array([[1.0, -1.0], [-1.0, 1.0]])
    reference = all_equilibria(base, base)  # two pure and the 50:50 mix
    assert len(reference) == 3
    for scale in (1e308, 1e-300, 5e-324 * 4):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            found = all_equilibria(base * scale, base * scale)
        assert len(found) == len(reference)
        for (x, y), (rx, ry) in zip(found, reference, strict=True):
            np.testing.assert_allclose(x, rx)
            np.testing.assert_allclose(y, ry)


def test_the_single_game_path_agrees_with_the_batched_kernel_on_many_games():
    # all_equilibria solves one small game with every candidate system padded to one
    # size; batch_equilibria solves by support size. Compare on 10^5 seeded games,
    # mostly degenerate (payoffs in {0, 1, 2}), of several shapes.
    rng = np.random.default_rng(11)
    checked = 0
    for (m, k), n in {
        (2, 2): 40_000,
        (2, 3): 20_000,
        (3, 3): 20_000,
        (4, 4): 15_000,
        (3, 5): 4_000,
        (6, 6): 1_000,
    }.items():
        A, B = rng.integers(0, 3, (2, n, m, k)).astype(float)
        A[n // 2 :] += rng.random((n - n // 2, m, k))  # half of them generic
        for a, b, batched in zip(A, B, batch_equilibria(A, B), strict=True):
            single = all_equilibria(a, b)
            assert len(single) == len(batched), (a.tolist(), b.tolist())
            for (x, y), (u, v) in zip(single, batched, strict=True):
                assert np.allclose(x, u, atol=1e-12) and np.allclose(y, v, atol=1e-12)
        checked += n
    assert checked == 100_000


def test_a_game_too_large_for_the_single_game_path_uses_the_batched_kernel(monkeypatch):
    rng = np.random.default_rng(12)
    A, B = rng.integers(0, 3, (2, 4, 5)).astype(float)
    fast = all_equilibria(A, B)
    monkeypatch.setattr(eqmod, "SINGLE_GAME_SYSTEMS", 0)
    monkeypatch.setattr(
        eqmod, "_single_extreme_equilibria", lambda *a: pytest.fail("single-game path used")
    )
    slow = all_equilibria(A, B)
    assert same_set(fast, slow) and len(fast) == len(slow)


def _det(rows: list[list[int]]) -> int:
    """Determinant by expansion along the first row, in exact integers."""
    if len(rows) == 1:
        return rows[0][0]
    return sum(
        (-1) ** j * rows[0][j] * _det([r[:j] + r[j + 1 :] for r in rows[1:]])
        for j in range(len(rows))
    )


def test_cramer_on_four_by_four_systems_is_exact_on_integer_matrices():
    rng = np.random.default_rng(13)
    S = rng.integers(-9, 10, (200, 4, 4))
    z, ok = eqmod._cramer([[S[:, p, q].astype(float) for q in range(4)] for p in range(4)])
    for n in range(len(S)):
        M = S[n].tolist()
        det = _det(M)
        assert ok[n] == (det != 0)
        if det:
            # z^T S = 1: z_p = det(S with row p replaced by ones) / det(S)
            for p in range(4):
                replaced = [[1] * 4 if r == p else M[r] for r in range(4)]
                assert z[p][n] == pytest.approx(_det(replaced) / det, rel=1e-12, abs=1e-12)


def test_cramer_for_four_by_four_systems_agrees_with_lapack_on_many_games(monkeypatch):
    rng = np.random.default_rng(14)
    for (m, k), n in {(4, 4): 100_000, (4, 6): 10_000, (6, 6): 4_000}.items():
        A, B = rng.integers(0, 3, (2, n, m, k)).astype(float)
        A[n // 2 :] += rng.random((n - n // 2, m, k))  # half of them generic
        monkeypatch.setattr(eqmod, "CRAMER_MAX", 4)
        cramer = batch_equilibria_flat(A, B)
        monkeypatch.setattr(eqmod, "CRAMER_MAX", 3)  # systems of size 4 to LAPACK
        lapack = batch_equilibria_flat(A, B)
        assert np.array_equal(cramer.counts(), lapack.counts())
        assert np.allclose(cramer.row, lapack.row, atol=1e-12)
        assert np.allclose(cramer.col, lapack.col, atol=1e-12)
