"""Time of ``kurilsim brief`` on the baseline: a first run, then warm reruns.

A first run sweeps and writes the pack (target: 90 s). A warm rerun reuses the
finished sweep and writes the pack again (target: 7 s); it is timed with the charts
rendered in one process and in two, and without SVG. Wall time and CPU time (of the
command and its worker processes) are printed side by side: the machine may be
shared, and CPU time is the steadier figure.

python benchmarks/bench_brief.py [--samples N] [--repeat K]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` (CPU: it and every process it started)."""
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None, help="default: the command's own")
    parser.add_argument("--repeat", type=int, default=3, help="warm reruns of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        command = [
            str(Path(sys.executable).parent / "kurilsim"),
            "brief",
            str(ROOT / "scenarios" / "baseline_2003.toml"),
            "--quiet",
            "-o",
            str(Path(folder) / "brief"),
        ]
        if args.samples:
            command += ["--samples", str(args.samples)]
        draws = args.samples or "default"
        wall, cpu = timed(command)
        print(f"kurilsim brief (baseline, {draws} draws), first run")
        print(f"  {'sweep + pack':<34}{wall:7.1f} s wall {cpu:7.1f} s CPU   (target < 90 s)")
        print(f"warm reruns (the sweep reused), median of {args.repeat}")
        results = {}
        for name, extra in [
            ("charts in 1 process", ["--workers", "1"]),
            ("charts in 2 processes", ["--workers", "2"]),
            ("charts in 2 processes, no SVG", ["--workers", "2", "--no-svg"]),
        ]:
            runs = [timed([*command, *extra]) for _ in range(args.repeat)]
            results[name] = tuple(statistics.median(r[i] for r in runs) for i in (0, 1))
            wall, cpu = results[name]
            print(f"  {name:<34}{wall:7.1f} s wall {cpu:7.1f} s CPU   (target < 7 s)")
        one, two = results["charts in 1 process"][0], results["charts in 2 processes"][0]
        print(f"  2 processes vs 1: {one / two:.2f}x faster (wall)")


if __name__ == "__main__":
    main()
