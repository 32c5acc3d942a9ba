"""``kurilsim sensitivity`` against SALib by hand with kurilsim's vectorised evaluation.

For each Sobol base (default 2^12 and 2^14) over every uncertain parameter of the
baseline, measured in the same run, each in its own Python process (start-up and
imports included on both sides), wall and CPU time:

* the command: ``python -m sim sensitivity baseline --samples BASE -o TMP`` with its
  default outcomes (the margin and hold-up flag of the deal that holds up most often);
* by hand: what a user would write with SALib and kurilsim's public API —
  :func:`SALib.sample.sobol.sample`, :func:`sim.evaluate.evaluate_table` and the
  hold-up test on chunks of 10,000 rows, and :func:`SALib.analyze.sobol.analyze` (seeded)
  for the same two outcomes.

Target: the command at most 1.0x the time by hand. ``--root`` measures another checkout
of kurilsim (e.g. an older commit) with the same peer::

    python benchmarks/bench_sensitivity.py [--bases 4096 16384] [--root PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent
CHUNK = 10_000


def by_hand(base: int) -> None:
    """SALib's sampler and analysis around kurilsim's batch evaluation (run in a child)."""
    import numpy as np
    from SALib.analyze import sobol as salib_analyze
    from SALib.sample import sobol as salib_sample

    from sim import load_scenario
    from sim.evaluate import evaluate_table
    from sim.model.parameters import ParameterTable
    from sim.sweeps.spec import sweep_space

    scenario = load_scenario(Path("scenarios") / "baseline_2003.toml")
    space = sweep_space(scenario, scenario.sweep.parameters)
    problem = space.salib_problem()
    seed = scenario.sweep.seed
    values = space.from_unit(
        salib_sample.sample(problem, base, calc_second_order=False, scramble=True, seed=seed)
    )
    table = ParameterTable.from_scenario(scenario)
    margins, holds = [], []
    for lo in range(0, len(values), CHUNK):
        part = values[lo : lo + CHUNK]
        test = evaluate_table(
            scenario, table.with_values(dict(zip(space.names, part.T, strict=True)))
        ).hold_up()
        margins.append(test.margin)
        holds.append(test.holds)
    margin, held = np.concatenate(margins), np.concatenate(holds)
    deal = 1 + int(np.argmax(held[:, 1:].sum(axis=0)))
    for y in (margin[:, deal], held[:, deal].astype(float)):
        salib_analyze.analyze(problem, y, calc_second_order=False, seed=seed + 1)


def _child(command: list[str], root: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of ``command`` run in ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def command_seconds(base: int, root: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        return _child(
            [sys.executable, "-m", "sim", "sensitivity", "scenarios/baseline_2003.toml",
             "--samples", str(base), "--quiet", "-o", str(Path(folder) / "out")],
            root,
        )  # fmt: skip


def by_hand_seconds(base: int, root: Path) -> tuple[float, float]:
    return _child([sys.executable, str(HERE), "--by-hand", str(base)], root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, nargs="+", default=[2**12, 2**14])
    parser.add_argument("--root", type=Path, default=ROOT, help="kurilsim checkout to measure")
    parser.add_argument("--by-hand", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.by_hand:
        by_hand(args.by_hand)
        return
    root = args.root.resolve()
    print(f"kurilsim sensitivity in {root}, default outcomes, Sobol over every uncertain input")
    print(f"{'base':>7}  {'command wall/CPU s':>19}  {'by hand wall/CPU s':>19}  ratio wall/CPU")
    for base in args.bases:
        wall, cpu = command_seconds(base, root)
        hand_wall, hand_cpu = by_hand_seconds(base, root)
        print(
            f"{base:>7,}  {wall:>9.1f} / {cpu:>7.1f}  {hand_wall:>9.1f} / {hand_cpu:>7.1f}"
            f"  {wall / hand_wall:>5.2f} x / {cpu / hand_cpu:.2f} x  (target <= 1.0 x)"
        )


if __name__ == "__main__":
    main()
