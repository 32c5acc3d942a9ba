"""The Sobol' chart of the same design and outcome is the same image, pixel for pixel."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim import load_scenario  # noqa: E402
from sim.charts.sensitivity import sobol_chart  # noqa: E402
from sim.evaluate import evaluate_table  # noqa: E402
from sim.model.parameters import ParameterTable  # noqa: E402
from sim.sweeps.samplers import sample  # noqa: E402
from sim.sweeps.sensitivity import sobol_indices  # noqa: E402
from sim.sweeps.spec import sweep_space  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402


def _pixels(figure: matplotlib.figure.Figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60)
    plt.close(figure)
    buffer.seek(0)
    return plt.imread(buffer)


def test_two_identical_runs_draw_the_same_sobol_chart() -> None:
    """The briefing pack's chart once differed between two identical runs (unseeded bootstrap)."""
    scenario = load_scenario(BASELINE)
    design = sample(sweep_space(scenario), "sobol", 64, seed=2003)
    table = ParameterTable.from_scenario(scenario).with_values(
        dict(zip(design.names, design.values.T, strict=True))
    )
    test = evaluate_table(scenario, table).hold_up()
    y = test.margin[:, test.deal_ids.index("shelve")]
    images = [
        _pixels(sobol_chart(sobol_indices(design, y), "margin", scenario=("baseline", 2003)))
        for _ in range(2)
    ]
    np.testing.assert_array_equal(images[0], images[1])
