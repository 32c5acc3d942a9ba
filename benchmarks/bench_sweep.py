"""Sweep throughput, executor scaling, Sobol overhead and peak memory.

Prints, measured in one run on this machine:

* full per-draw evaluation (every solver: cooperative, posture game, sequential game,
  alternating offers, hold-up test) of the baseline over ``--draws`` Monte Carlo draws,
  serial and with the local-process executor (target: 10^6 draws under 10 s on 2 cores;
  local on 2 workers at least 1.6x serial), and the ratio against the single-scenario API
  called in a loop (target at least 100x);
* a Sobol sweep with ``--sobol-base`` base samples over every uncertain parameter: total
  time against SALib's own analysis time (target: within 1.5x);
* with ``--memory N``: peak resident memory of ``kurilsim sweep`` over N draws in a child
  process (target: under 2 GB for 10^7).

    python benchmarks/bench_sweep.py [--draws 1000000] [--sobol-base 16384] [--memory 10000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BASELINE, baseline

from sim import load_scenario
from sim.evaluate import evaluate_table
from sim.model.parameters import ParameterTable
from sim.sweeps.runner import plan_sweep, run_sweep
from sim.sweeps.sensitivity import sobol_indices
from sim.sweeps.spec import sweep_space


def sweep_seconds(scenario, method: str, n: int, executor: str, workers: int | None) -> float:
    plan = plan_sweep(scenario, sweep_space(scenario), method, n, 1, 20_000)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        run_sweep(plan, folder, executor=executor, workers=workers)
        return time.perf_counter() - start


def loop_seconds_per_draw(scenario, n: int) -> float:
    """The single-scenario API, one draw at a time, every solver."""
    plan = plan_sweep(scenario, sweep_space(scenario), "mc", n, 1, n)
    table = ParameterTable.from_scenario(scenario).with_values(
        dict(zip(plan.space.names, plan.values(0).T, strict=True))
    )
    start = time.perf_counter()
    for i in range(n):
        ev = evaluate_table(scenario, table.take(slice(i, i + 1)))
        ev.posture_batch(), ev.sequential(), ev.alternating()
    return (time.perf_counter() - start) / n


def sobol_timing(scenario, base: int, workers: int) -> dict[str, float]:
    """Seconds of SALib's own work (sampling, analysis) and of our evaluation."""
    import pandas as pd

    start = time.perf_counter()
    plan = plan_sweep(scenario, sweep_space(scenario), "sobol", base, 1, 20_000)
    sampling = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = run_sweep(plan, folder, executor="local", workers=workers)
        y = pd.read_parquet(done.results, columns=["margin_shelve"])["margin_shelve"].to_numpy()
        evaluation = time.perf_counter() - start
    start = time.perf_counter()
    sobol_indices(plan.design, y)
    analysis = time.perf_counter() - start
    return {
        "sampling": sampling,
        "evaluation": evaluation,
        "analysis": analysis,
        "rows": plan.n_rows,
    }


def peak_memory_mb(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        command = [
            str(Path(sys.executable).parent / "kurilsim"),
            "sweep",
            str(BASELINE),
            "--method",
            "mc",
            "--samples",
            str(n),
            "--quiet",
            "-o",
            str(Path(folder) / "out"),
            "--chunk-size",
            "20000",
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak_kb / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--loop", type=int, default=300)
    parser.add_argument("--sobol-base", type=int, default=2**14)
    parser.add_argument("--memory", type=int, default=0, help="draws for the memory check")
    args = parser.parse_args()
    scenario = baseline()

    serial = sweep_seconds(scenario, "mc", args.draws, "serial", None)
    local = sweep_seconds(scenario, "mc", args.draws, "local", 2)
    exact = load_scenario(BASELINE, overrides={"sweep.posture_equilibria": '"all"'})
    local_exact = sweep_seconds(exact, "mc", args.draws, "local", 2)
    per_loop = loop_seconds_per_draw(scenario, args.loop)
    print(f"draws                              {args.draws:>12,}")
    print(
        f"serial                             {serial:>10.1f} s  "
        f"{serial / args.draws * 1e6:7.1f} us/draw"
    )
    print(f"local, 2 workers                   {local:>10.1f} s  (target < 10 s for 10^6)")
    print(f"local, 2 workers, every extreme    {local_exact:>10.1f} s  (posture equilibria)")
    print(f"local / serial throughput          {serial / local:>10.2f} x  (target >= 1.6 x)")
    print(f"single-scenario API loop           {per_loop * 1e6:>10.0f} us/draw")
    print(
        f"speed-up, sweep (2 workers) vs loop{per_loop * args.draws / local:>10.0f} x"
        "  (target >= 100 x)"
    )
    if args.sobol_base:
        t = sobol_timing(scenario, args.sobol_base, 2)
        salib = t["sampling"] + t["analysis"]
        total = salib + t["evaluation"]
        print(f"Sobol, {args.sobol_base:,} base samples ({t['rows']:,.0f} rows)")
        print(f"  SALib sampling                   {t['sampling']:>10.1f} s")
        print(f"  SALib analysis                   {t['analysis']:>10.1f} s")
        print(f"  kurilsim evaluation (2 workers)  {t['evaluation']:>10.1f} s")
        print(
            f"  total                            {total:>10.1f} s  "
            f"{total / salib:.2f} x SALib's own time (target <= 1.5 x)"
        )
    if args.memory:
        peak, seconds = peak_memory_mb(args.memory)
        print(
            f"kurilsim sweep, {args.memory:,} draws: peak RSS {peak:,.0f} MB in {seconds:.0f} s"
            " (target < 2048 MB)"
        )


if __name__ == "__main__":
    main()
