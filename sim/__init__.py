"""kurilsim: a game-theoretic bargaining simulator for the southern Kuril islands dispute.

The public API::

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2003.toml",
                                 overrides={"actors.russia.nationalist_cost": 9})
    result = sim.evaluate(scenario)
    result.table()          # one row per deal (pandas DataFrame)
"""

from sim.errors import UserError
from sim.evaluate import Evaluation, evaluate, evaluate_table
from sim.model.loader import load_scenario
from sim.model.parameters import ParameterTable
from sim.model.scenario import Scenario

__version__ = "0.2.0"

__all__ = [
    "Evaluation",
    "ParameterTable",
    "Scenario",
    "UserError",
    "evaluate",
    "evaluate_table",
    "load_scenario",
]
