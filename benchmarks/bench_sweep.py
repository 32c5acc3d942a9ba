"""Sweep throughput, executor scaling, Sobol overhead and peak memory.

Prints, measured in one run on this machine:

* full per-draw evaluation (every solver: cooperative, posture game, sequential game,
  alternating offers, hold-up test) of the baseline over ``--draws`` Monte Carlo draws,
  serial and with the local-process executor (target: 10^6 draws under 10 s on 2 cores;
  local on 2 workers at least 1.6x serial), and the ratio against the single-scenario API
  called in a loop (target at least 100x);
* a Sobol sweep with ``--sobol-base`` base samples over every uncertain parameter: the
  time of the design, of the sweep and of the indices (the comparison with SALib by
  hand is ``bench_sensitivity.py``'s);
* with ``--memory N``: peak resident memory of ``kurilsim sweep`` over N draws in a child
  process (target: under 2 GB for 10^7);
* the sweep's output (``--output-only`` prints only this): per-draw CPU and wall time of a
  serial sweep, the share of it not spent evaluating (drawing and evaluating the same
  draws with the evaluation a sweep runs, :func:`~sim.sweeps.outcomes.evaluate_chunk_coded`,
  and nothing else; target: output at most 15% of the total), 2 local workers against
  serial (target at least 1.8x) and the bytes the finished folder takes per draw, scaled
  to 10^7 draws (target: each draw stored once, at most 1.5 GiB).

CPU time is this process's plus that of its finished child processes (the local workers),
so that a loaded machine shows in the wall time but not in the CPU time.

    python benchmarks/bench_sweep.py [--draws 1000000] [--sobol-base 16384] [--memory 10000000]
    python benchmarks/bench_sweep.py --output-only --draws 100000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _common import BASELINE, baseline

from sim import load_scenario
from sim.evaluate import evaluate_table
from sim.model.parameters import ParameterTable

try:  # the evaluation a sweep runs: text columns as codes where the package has them
    from sim.sweeps.outcomes import evaluate_chunk_coded as evaluate_chunk
except ImportError:
    from sim.sweeps.outcomes import evaluate_chunk
from sim.sweeps.runner import plan_sweep, run_sweep
from sim.sweeps.sensitivity import sobol_indices
from sim.sweeps.spec import sweep_space


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of one piece of work (CPU includes finished child processes)."""

    wall: float
    cpu: float
    own: float
    """CPU seconds of this process alone (without its workers)."""


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], object]) -> Timing:
    me, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    work()
    wall = time.perf_counter() - wall
    own = _cpu(resource.RUSAGE_SELF) - me
    return Timing(wall, own + _cpu(resource.RUSAGE_CHILDREN) - children, own)


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def output_figures(scenario, n: int, chunk: int) -> dict[str, Timing | float]:
    """Serial sweep, evaluation alone, 2 local workers, and bytes per draw on disk."""
    plan = plan_sweep(scenario, sweep_space(scenario), "mc", n, 1, chunk)
    out: dict[str, Timing | float] = {}
    warm = plan_sweep(scenario, sweep_space(scenario), "mc", 200, 1, 100)
    with tempfile.TemporaryDirectory() as folder:  # imports and first calls, not timed
        run_sweep(warm, Path(folder) / "warm", executor="serial")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "serial"
        out["serial"] = timed(lambda: run_sweep(plan, target, executor="serial"))
        out["bytes"] = folder_bytes(target)
    out["evaluation"] = timed(
        lambda: [evaluate_chunk(scenario, plan.space, plan.values(k)) for k in range(plan.n_chunks)]
    )
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "local"
        out["local"] = timed(lambda: run_sweep(plan, target, executor="local", workers=2))
    return out


def print_output_figures(n: int, f: dict[str, Timing | float]) -> None:
    serial, evaluation, local = f["serial"], f["evaluation"], f["local"]
    assert isinstance(serial, Timing) and isinstance(evaluation, Timing)
    assert isinstance(local, Timing)
    per = 1e6 / n
    print(f"sweep output, {n:,} Monte Carlo draws        wall        CPU")
    for name, t in (("serial sweep", serial), ("evaluation alone", evaluation)):
        print(f"  {name:<24} {t.wall * per:>10.2f} {t.cpu * per:>10.2f} us/draw")
    name = "local sweep, 2 workers"
    print(f"  {name:<24} {local.wall * per:>10.2f} {local.cpu * per:>10.2f} us/draw")
    print(f"    of which this process  {'':>10} {local.own * per:>10.2f} us/draw")
    share_wall = 1 - evaluation.wall / serial.wall
    share_cpu = 1 - evaluation.cpu / serial.cpu
    print(f"  output share of serial   {share_wall:>10.1%} {share_cpu:>10.1%}  (target <= 15%)")
    print(
        f"  2 workers / serial       {serial.wall / local.wall:>10.2f} x  (wall; target >= 1.8 x)"
    )
    per_draw = float(f["bytes"]) / n
    print(
        f"  disk                     {per_draw:>10.1f} bytes/draw, "
        f"{per_draw * 1e7 / 2**30:.2f} GiB for 10^7 draws (target <= 1.5 GiB)"
    )


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
    """Seconds of the Saltelli design, of the sweep (read back) and of the Sobol indices."""
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
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--output-only", action="store_true", help="only the output figures")
    args = parser.parse_args()
    scenario = baseline()
    print_output_figures(args.draws, output_figures(scenario, args.draws, args.chunk_size))
    if args.output_only:
        return

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
        total = t["sampling"] + t["analysis"] + t["evaluation"]
        print(f"Sobol sweep, {args.sobol_base:,} base samples ({t['rows']:,.0f} rows)")
        print(f"  Saltelli design (as SALib's)     {t['sampling']:>10.1f} s")
        print(f"  Sobol indices (as SALib's)       {t['analysis']:>10.1f} s")
        print(f"  sweep (2 workers) and read-back  {t['evaluation']:>10.1f} s")
        print(f"  total                            {total:>10.1f} s")
        print("  (bench_sensitivity.py compares kurilsim sensitivity with SALib by hand)")
    if args.memory:
        peak, seconds = peak_memory_mb(args.memory)
        print(
            f"kurilsim sweep, {args.memory:,} draws: peak RSS {peak:,.0f} MB in {seconds:.0f} s"
            " (target < 2048 MB)"
        )


if __name__ == "__main__":
    main()
