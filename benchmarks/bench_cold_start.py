"""Cold start of ``kurilsim run scenarios/baseline_2003.toml`` (target: under 1.5 s).

Runs the command as a new process ``--repeats`` times and prints the best and median
wall time, next to ``python -c pass`` measured in the same run (the interpreter's own
start-up, which no change to kurilsim can remove).

    python benchmarks/bench_cold_start.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KURILSIM = Path(sys.executable).parent / "kurilsim"


def wall_times(command: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "kurilsim run baseline": [str(KURILSIM), "run", "scenarios/baseline_2003.toml"],
        "kurilsim run --json": [str(KURILSIM), "run", "scenarios/baseline_2003.toml", "--json"],
    }
    for label, command in rows.items():
        times = wall_times(command, args.repeats)
        print(f"{label:<24} best {min(times):6.3f} s   median {statistics.median(times):6.3f} s")
    print("target: kurilsim run under 1.5 s")


if __name__ == "__main__":
    main()
