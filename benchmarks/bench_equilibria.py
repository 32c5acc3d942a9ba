"""Benchmark: Nash equilibria of random 4x4 (and 6x6) bimatrix games.

Times, per game,

* ``batch_pure_equilibria`` on ``--games-pure`` games (default 10^6);
* ``batch_equilibria`` (every extreme equilibrium) on ``--games-mixed`` games
  (default 20,000) with payoffs drawn from {0, 1, 2}, so most games are degenerate;
* on the first ``--games-reference`` of those games (default 300): ``all_equilibria``
  called game by game, nashpy's ``support_enumeration`` and pygambit's
  ``enummixed_solve`` (floating point; game construction timed separately),

prints the speed ratios, and checks that the equilibrium sets equal Gambit's on
the reference games (matching within 1e-6; Gambit may list an equilibrium of a
degenerate game twice, so sets are compared). Run from the project root::

    python benchmarks/bench_equilibria.py [--games-pure N] [--games-mixed N] ...
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Sequence

import nashpy
import numpy as np
import pygambit as gbt

import sim.solvers.equilibria as eq
from sim.solvers.equilibria import all_equilibria, batch_equilibria, batch_pure_equilibria

Profiles = list[tuple[np.ndarray, np.ndarray]]
M, K = 4, 4


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def same_set(a: Profiles, b: Profiles, tol: float = 1e-6) -> bool:
    def has(pairs: Profiles, x: np.ndarray, y: np.ndarray) -> bool:
        return any(np.allclose(x, u, atol=tol) and np.allclose(y, v, atol=tol) for u, v in pairs)

    return all(has(b, x, y) for x, y in a) and all(has(a, x, y) for x, y in b)


def gambit_profiles(game: gbt.Game, result: gbt.nash.NashComputationResult) -> Profiles:
    row, col = list(game.players)
    return [
        (
            np.array([float(eq[s]) for s in row.strategies]),
            np.array([float(eq[s]) for s in col.strategies]),
        )
        for eq in result.equilibria
    ]


def run_gambit(A: np.ndarray, B: np.ndarray) -> tuple[list[Profiles], float, float]:
    """Gambit's sets; seconds spent building games and solving them."""
    games, build = timed(lambda: [gbt.Game.from_arrays(a, b) for a, b in zip(A, B, strict=True)])
    assert isinstance(games, list)
    results, solve = timed(lambda: [gbt.nash.enummixed_solve(g, rational=False) for g in games])
    assert isinstance(results, list)
    return [gambit_profiles(g, r) for g, r in zip(games, results, strict=True)], build, solve


def run_nashpy(A: np.ndarray, B: np.ndarray) -> tuple[list[Profiles], float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate-game warnings
        sets, seconds = timed(
            lambda: [
                list(nashpy.Game(a, b).support_enumeration()) for a, b in zip(A, B, strict=True)
            ]
        )
    assert isinstance(sets, list)
    return sets, seconds


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games-pure", type=int, default=1_000_000, help="games for pure NE")
    parser.add_argument("--games-mixed", type=int, default=20_000, help="games for all NE")
    parser.add_argument("--games-reference", type=int, default=300, help="games for references")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if min(args.games_pure, args.games_mixed, args.games_reference) < 1:
        parser.error("game counts must be positive")
    args.games_reference = min(args.games_reference, args.games_mixed)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    cpu, wall = time.process_time(), time.perf_counter()
    rng = np.random.default_rng(args.seed)
    us = 1e6

    A, B = rng.integers(0, 10, (2, args.games_pure, M, K)).astype(np.float64)
    pure, t_pure = timed(lambda: batch_pure_equilibria(A, B))
    assert isinstance(pure, np.ndarray)
    print(f"{M}x{K} games, payoffs 0..9: batch_pure_equilibria on {args.games_pure:,} games")
    print(
        f"  {t_pure:.3f} s total, {t_pure / args.games_pure * us:.3f} us/game, "
        f"{pure.sum() / args.games_pure:.3f} pure equilibria/game"
    )
    del A, B, pure

    n, r = args.games_mixed, args.games_reference
    A, B = rng.integers(0, 3, (2, n, M, K)).astype(np.float64)
    ours, t_batch = timed(lambda: batch_equilibria(A, B))
    assert isinstance(ours, list)
    per_batch = t_batch / n * us
    print(f"{M}x{K} games, payoffs in {{0,1,2}}: batch_equilibria on {n:,} games")
    print(
        f"  {t_batch:.3f} s total, {per_batch:.1f} us/game, "
        f"{sum(map(len, ours)) / n:.2f} extreme equilibria/game"
    )

    _, t_single = timed(lambda: [all_equilibria(a, b) for a, b in zip(A[:r], B[:r], strict=True)])
    theirs, t_nashpy = run_nashpy(A[:r], B[:r])
    gambit, t_build, t_solve = run_gambit(A[:r], B[:r])
    per_nashpy, per_solve = t_nashpy / r * us, t_solve / r * us
    per_gambit = (t_build + t_solve) / r * us
    print(f"reference subsample: first {r} of those games, one call per game")
    print(f"  all_equilibria (unbatched)        {t_single / r * us:10.1f} us/game")
    print(f"  nashpy support_enumeration        {per_nashpy:10.1f} us/game")
    print(f"  pygambit enummixed_solve (solve)  {per_solve:10.1f} us/game")
    print(f"  pygambit from_arrays + solve      {per_gambit:10.1f} us/game")
    per_single = t_single / r * us
    print(
        f"  one game: all_equilibria / pygambit solve  {per_single / per_solve:5.2f}  (target <= 1)"
    )
    print("speed-up of batch_equilibria per game")
    print(f"  vs nashpy support_enumeration     {per_nashpy / per_batch:8.1f}x  (target >= 100x)")
    print(f"  vs pygambit enummixed (solve)     {per_solve / per_batch:8.1f}x  (target >= 10x)")
    print(f"  vs pygambit build + solve         {per_gambit / per_batch:8.1f}x")
    six = 2_000
    A6, B6 = rng.random((2, six, 6, 6))
    _, t_six = timed(lambda: batch_equilibria(A6, B6))
    eq.CRAMER_MAX = 3  # the previous kernel: systems of size 4 to LAPACK
    _, t_six_lapack = timed(lambda: batch_equilibria(A6, B6))
    eq.CRAMER_MAX = 4
    print(f"6x6 games, generic payoffs: batch_equilibria on {six:,} games")
    print(f"  size-4 systems by Cramer's rule   {t_six / six * us:10.1f} us/game")
    print(f"  size-4 systems by LAPACK          {t_six_lapack / six * us:10.1f} us/game")
    print(f"  Cramer vs LAPACK                  {t_six_lapack / t_six:8.2f}x faster")
    agree = sum(same_set(o, g) for o, g in zip(ours[:r], gambit, strict=True))
    nashpy_full = sum(same_set(t, g) for t, g in zip(theirs, gambit, strict=True))
    status = "OK" if agree == r else "MISMATCH"
    print(f"check: equilibrium sets identical to Gambit's in {agree}/{r} games [{status}]")
    print(f"  (nashpy support_enumeration finds Gambit's full set in {nashpy_full}/{r} games)")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"times above are wall times; this run: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({cpu / wall:.0%} of one core: below 100% the machine was busy and wall times overstate)"
    )


if __name__ == "__main__":
    main()
