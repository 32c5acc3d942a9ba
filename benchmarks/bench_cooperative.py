"""Payoffs + every cooperative solution for many draws of the baseline, on one core.

Times, in the same run, CPU and wall time (best of ``--repeats``) for ``--draws`` draws
evaluated in chunks of ``--chunk``:

* the payoffs alone (``compute_payoffs`` and the utility arrays the solvers read);
* payoffs + cooperative solutions, as ``evaluate_table`` computes them (target: 10^6
  draws in at most 0.6 s), and the same reading the Pareto set, which is computed on
  first access (no solution and no sweep column needs it);
* the same with the previous cooperative kernel (``tests/solvers/cooperative_reference.py``);
* a memory-traffic bound: the bytes a draw must move (parameters read, utilities written
  and read, the cooperative result written) at the copy bandwidth measured in this run;
* a per-draw Python loop over the single-scenario API (target: batched at least 100x
  faster).

    python benchmarks/bench_cooperative.py [--draws 1000000] [--chunk 4096] [--loop 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
from _common import ROOT, baseline, sampled_table

from sim.evaluate import evaluate_table, menu_of
from sim.model.parameters import ParameterTable
from sim.model.payoffs import compute_payoffs
from sim.model.scenario import Scenario
from sim.solvers import cooperative

sys.path.insert(0, str(ROOT))  # the previous kernel lives with the tests
from tests.solvers.cooperative_reference import solve_reference  # noqa: E402


def cpu_and_wall(repeats: int, work: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of the run with the least CPU time among ``repeats``."""
    best = (np.inf, np.inf)
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        run = (time.process_time() - cpu, time.perf_counter() - wall)
        best = min(best, run)
    return best


def chunks(table: ParameterTable, size: int) -> list[ParameterTable]:
    return [table.take(slice(s, s + size)) for s in range(0, table.n_draws, size)]


def payoffs_only(scenario: Scenario, parts: list[ParameterTable]) -> None:
    deals = menu_of(scenario)
    for part in parts:
        payoffs = compute_payoffs(part, deals)
        payoffs.utility, payoffs.ratifier_utility  # noqa: B018 (computed on first access)


def batched(scenario: Scenario, parts: list[ParameterTable]) -> None:
    for part in parts:
        evaluate_table(scenario, part)


def batched_with_pareto(scenario: Scenario, parts: list[ParameterTable]) -> None:
    """As ``batched``, also reading the Pareto set (computed on first access)."""
    for part in parts:
        evaluate_table(scenario, part).cooperative.pareto  # noqa: B018


def batched_previous(scenario: Scenario, parts: list[ParameterTable]) -> None:
    """``evaluate_table``'s steps with the previous cooperative kernel."""
    for part in parts:
        deals = menu_of(scenario)
        payoffs = compute_payoffs(part, deals)
        power = cooperative.bargaining_power(
            part.column("actors.japan.patience"),
            part.column("actors.russia.patience"),
            part.column("alternating.breakdown_risk"),
        )
        solve_reference(
            payoffs.utility,
            payoffs.ratifier_utility,
            power,
            require_ratification=scenario.cooperative.require_ratification,
        )


def looped(scenario: Scenario, table: ParameterTable) -> None:
    for i in range(table.n_draws):
        evaluate_table(scenario, table.take(slice(i, i + 1)))


def bytes_per_draw(n_parameters: int, n_deals: int) -> int:
    """Bytes one draw must move: parameters in, utilities out and in, the result out."""
    parameters = 8 * n_parameters
    utilities = 2 * (8 * n_deals * 2)  # governments' and ratifiers'
    masks = 2 * n_deals * 2 + 2 * n_deals  # rational, ratifiable; feasible, pareto
    solution = 8 + 8 + 8 + 16 + 1  # deal, other, weight, gain, agreement
    return parameters + utilities + masks + 8 + len(cooperative.SOLUTION_NAMES) * solution


def copy_bandwidth(repeats: int, megabytes: int = 256) -> float:
    """Bytes per second read plus written by a large array copy (best of ``repeats``)."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    cpu, wall = cpu_and_wall(repeats, lambda: np.copyto(target, source))
    return 2 * source.nbytes / min(cpu, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--loop", type=int, default=2_000, help="draws for the per-draw loop")
    parser.add_argument("--chunk", type=int, default=4_096)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    scenario = baseline()
    table = sampled_table(scenario, args.draws)
    parts = chunks(table, args.chunk)
    n_deals = len(menu_of(scenario).ids)

    payoffs = cpu_and_wall(args.repeats, lambda: payoffs_only(scenario, parts))
    new = cpu_and_wall(args.repeats, lambda: batched(scenario, parts))
    pareto = cpu_and_wall(args.repeats, lambda: batched_with_pareto(scenario, parts))
    old = cpu_and_wall(args.repeats, lambda: batched_previous(scenario, parts))
    loop_cpu, loop_wall = cpu_and_wall(1, lambda: looped(scenario, table.take(slice(0, args.loop))))
    per_draw = bytes_per_draw(len(table.names), n_deals)
    bandwidth = copy_bandwidth(args.repeats)
    bound = per_draw * args.draws / bandwidth

    scale = 1e6 / args.draws
    print(f"draws {args.draws:,} in chunks of {args.chunk:,}; {n_deals} deals; one core")
    print(f"{'':42}{'CPU s':>9}{'wall s':>9}{'/ bound':>9}{'old / new':>11}")
    rows = [
        ("payoffs only", payoffs),
        ("payoffs + cooperative", new),
        ("payoffs + cooperative + Pareto set", pareto),
        ("payoffs + cooperative, previous kernel", old),
    ]
    for label, (cpu, wall) in rows:
        print(f"{label:42}{cpu:9.3f}{wall:9.3f}{cpu / bound:9.1f}{'':11}")
    coop_new, coop_old = new[0] - payoffs[0], old[0] - payoffs[0]
    print(
        f"{'cooperative alone (difference)':42}{coop_new:9.3f}{'':9}{coop_new / bound:9.1f}"
        f"{coop_old / coop_new:10.1f}x"
    )
    print(f"{'  previous kernel alone':42}{coop_old:9.3f}{'':9}{coop_old / bound:9.1f}")
    print(
        f"memory-traffic bound {bound:.3f} s: {per_draw:,} bytes/draw at "
        f"{bandwidth / 1e9:.1f} GB/s (copy, measured now)"
    )
    print(
        f"payoffs + cooperative per 10^6 draws: {new[0] * scale:.3f} s CPU (target <= 0.6 s), "
        f"{old[0] / new[0]:.1f}x faster than the previous kernel"
    )
    per_draw_batch, per_draw_loop = new[0] / args.draws, loop_cpu / args.loop
    print(
        f"per-draw loop ({args.loop:,} draws): {per_draw_loop * 1e6:.1f} us/draw CPU "
        f"({loop_wall / args.loop * 1e6:.1f} wall); batched "
        f"{per_draw_loop / per_draw_batch:.0f}x faster (target >= 100x)"
    )


if __name__ == "__main__":
    main()
