"""Backward induction of the sequential two-level game over many draws, on one core.

Solves ``--draws`` draws (default 10^6) of a ``--deals``-deal menu (default 9) with
random utilities (``default_rng(0)``), deterministic ratification and the performer
pattern ``[-1, -1, 1, -1, 0, -1, -1, 1, -1]`` (repeated for longer menus); prints the
batched time (target: under 2 s for 10^6 draws) and the ratio against a per-draw
Python loop calling the same public function on one draw at a time, measured on
``--loop`` draws in the same run and extrapolated.

    python benchmarks/bench_sequential.py [--draws 1000000] [--deals 9] [--loop 3000]
"""

from __future__ import annotations

import os

# "One core": keep BLAS from spreading work over threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sim.solvers.sequential import CHUNK, SequentialGame, solve  # noqa: E402

PATTERN = (-1, -1, 1, -1, 0, -1, -1, 1, -1)


def game(draws: int, deals: int, seed: int = 0) -> SequentialGame:
    """Random utilities ``(draws, deals, 2)`` (US$ bn scale), performers and reputation costs."""
    rng = np.random.default_rng(seed)
    shape = (draws, deals, 2)
    u, r, ur, rr = (rng.normal(scale=10.0, size=shape) for _ in range(4))
    performer = np.array([-1, *(PATTERN[i % len(PATTERN)] for i in range(1, deals))])
    cost = rng.uniform(0.0, 10.0, size=(draws, 2))
    return SequentialGame(tuple(f"deal{d}" for d in range(deals)), u, r, ur, rr, performer, cost)


def batched(g: SequentialGame, chunk: int) -> object:
    return solve(g, 0, chunk=chunk)


def looped(g: SequentialGame, draws: int) -> None:
    for i in range(draws):
        solve(g.draw(i), 0)


def best_of(repeats: int, work) -> tuple[float, float]:
    """Best wall and CPU seconds of ``repeats`` runs of ``work``."""
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return min(t[0] for t in times), min(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=9)
    parser.add_argument("--loop", type=int, default=3_000, help="draws for the per-draw loop")
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    arrays = game(args.draws, args.deals)
    batch_s, batch_cpu = best_of(args.repeats, lambda: batched(arrays, args.chunk))
    loop_s, _ = best_of(1, lambda: looped(arrays, min(args.loop, args.draws)))
    per_batch = batch_s / args.draws
    per_loop = loop_s / min(args.loop, args.draws)
    print(f"draws x deals                 {args.draws:>12,} x {args.deals}")
    print(
        f"batched (chunks of {args.chunk:,})    {batch_s:>8.3f} s   "
        f"{per_batch * 1e6:8.3f} us/draw   (target < 2 s for 10^6; {batch_cpu:.3f} s CPU)"
    )
    print(
        f"per-draw loop ({args.loop:,} draws)  {loop_s:>8.3f} s   "
        f"{per_loop * 1e6:8.1f} us/draw   (extrapolated: {per_loop * args.draws:,.0f} s)"
    )
    print(f"speed-up, batched vs loop     {per_loop / per_batch:>8.0f} x")


if __name__ == "__main__":
    main()
