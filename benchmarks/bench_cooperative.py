"""Payoffs + every cooperative solution for many draws of the baseline, on one core.

Prints the batched time for ``--draws`` draws (target: 10^6 in under 1 s) and the
ratio against a per-draw Python loop over the single-scenario API, measured in the
same run (target: at least 100x).

    python benchmarks/bench_cooperative.py [--draws 1000000] [--loop 2000]
"""

from __future__ import annotations

import argparse

from _common import baseline, best_of, sampled_table

from sim.evaluate import evaluate_table


def batched(scenario, table, chunk: int) -> None:
    for start in range(0, table.n_draws, chunk):
        evaluate_table(scenario, table.take(slice(start, start + chunk)))


def looped(scenario, table) -> None:
    for i in range(table.n_draws):
        evaluate_table(scenario, table.take(slice(i, i + 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--loop", type=int, default=2_000, help="draws for the per-draw loop")
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    scenario = baseline()
    table = sampled_table(scenario, args.draws)
    small = table.take(slice(0, args.loop))

    batch_s = best_of(args.repeats, lambda: batched(scenario, table, args.chunk))
    loop_s = best_of(1, lambda: looped(scenario, small))
    per_draw_batch = batch_s / args.draws
    per_draw_loop = loop_s / args.loop
    print(f"draws                         {args.draws:>12,}")
    print(
        f"batched (chunks of {args.chunk:,})   {batch_s:>10.3f} s   "
        f"{per_draw_batch * 1e6:8.3f} us/draw   (target < 1 s for 10^6)"
    )
    print(
        f"per-draw loop ({args.loop:,} draws)   {loop_s:>10.3f} s   "
        f"{per_draw_loop * 1e6:8.1f} us/draw"
    )
    print(
        f"speed-up, batched vs loop     {per_draw_loop / per_draw_batch:>10.0f} x"
        "   (target >= 100 x)"
    )


if __name__ == "__main__":
    main()
