"""Every benchmark runs, at a tiny size, against the code as it is.

The benchmarks print figures and are read by people, not by tests (no timing is
asserted here); this only keeps them from breaking silently when an API they call
changes.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"
TINY = {
    "bench_cooperative.py": "--draws 3000 --loop 20 --chunk 1000 --repeats 1",
    "bench_equilibria.py": "--games-pure 500 --games-mixed 200 --games-reference 5",
    "bench_sequential.py": "--draws 3000 --loop 20 --repeats 1",
    "bench_sweep.py": "--draws 2000 --loop 5 --sobol-base 16 --chunk-size 500",
    "bench_sensitivity.py": "--bases 16",
    "bench_cold_start.py": "--repeats 1",
    "bench_brief.py": "--samples 200 --repeat 1",
}


def test_every_benchmark_is_listed():
    assert sorted(TINY) == sorted(p.name for p in BENCHMARKS.glob("bench_*.py"))


@pytest.mark.parametrize("name", sorted(TINY))
def test_the_benchmark_runs(name):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *TINY[name].split()],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip(), "the benchmark printed nothing"
