"""Shared set-up for the benchmark scripts: the baseline and a sampled parameter table."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

# "One core": keep BLAS from spreading small products over threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import numpy as np  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.model.parameters import ParameterTable, iter_parameters  # noqa: E402
from sim.model.scenario import Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline_2003.toml"


def baseline() -> Scenario:
    return load_scenario(BASELINE)


def sampled_table(scenario: Scenario, n: int, seed: int = 2003) -> ParameterTable:
    """``n`` draws, every ranged parameter uniform on its plausible range."""
    rng = np.random.default_rng(seed)
    draws = {
        p.path: rng.uniform(*p.range, size=n)
        for p in iter_parameters(scenario)
        if p.range is not None
    }
    return ParameterTable.from_scenario(scenario).with_values(draws)


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Smallest wall time of ``repeats`` runs, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)
