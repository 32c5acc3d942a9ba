"""Wall time of ``kurilsim brief`` on the baseline with the default sweep (target: 90 s).

python benchmarks/bench_brief.py [--samples N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None, help="default: the command's own")
    args = parser.parse_args()
    command = [
        str(Path(sys.executable).parent / "kurilsim"),
        "brief",
        str(ROOT / "scenarios" / "baseline_2003.toml"),
        "--quiet",
    ]
    if args.samples:
        command += ["--samples", str(args.samples)]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [*command, "-o", str(Path(folder) / "brief")], check=True, stdout=subprocess.DEVNULL
        )
        seconds = time.perf_counter() - start
    print(
        f"kurilsim brief (baseline, {args.samples or 'default'} draws): {seconds:.1f} s wall"
        "   (target < 90 s)"
    )


if __name__ == "__main__":
    main()
