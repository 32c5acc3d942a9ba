"""Heavy libraries are imported on use, so that `kurilsim run` starts fast.

Speed itself is measured in benchmarks/bench_cold_start.py; this pins the cause.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("scipy", "pandas", "matplotlib", "nashpy", "pyarrow", "SALib", "dask")


def test_running_the_cli_path_imports_no_heavy_library():
    code = (
        "import json, sys; import sim, sim.cli, sim.report, sim.terminal;"
        "print(json.dumps(sorted(m for m in sys.modules if '.' not in m)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
