"""From a scenario's ``[sweep]`` table and ``--param`` arguments to a :class:`SweepSpace`.

Every swept path must be a parameter of the scenario (any number with a range or
without) or a setting that takes one of a few values (who proposes, a deadline);
distributions are parsed by :func:`sim.sweeps.space.parse_distribution`. Problems are
:class:`~sim.errors.UserError` naming the file or ``--param`` and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.errors import UserError, did_you_mean
from sim.model.loader import parse_assignment
from sim.model.parameters import iter_parameters
from sim.model.scenario import Scenario
from sim.sweeps.space import SweepParameter, SweepSpace, default_space, parse_distribution


def parse_param(text: str) -> tuple[str, dict[str, Any]]:
    """Parse ``--param 'path={ range = [a, b] }'`` into ``(path, spec)``."""
    path, spec = parse_assignment(text)
    if not isinstance(spec, dict):
        raise UserError(
            "expected path={ range = [low, high] } or path={ values = [...] }",
            source=f"--param {text}",
        )
    return path, spec


def sweep_space(
    scenario: Scenario,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    source: str = "[sweep]",
) -> SweepSpace:
    """The space a sweep explores: ``params`` if given, else every ranged parameter."""
    infos = {p.path: p for p in iter_parameters(scenario)}
    if not params:
        return default_space(infos.values())
    swept = []
    for path, spec in params.items():
        key = f"sweep.parameters.{path}"
        baseline = infos[path].value if path in infos else _setting(scenario, path, source)
        try:
            swept.append(SweepParameter(path, parse_distribution(spec), baseline))
        except ValueError as error:
            raise UserError(str(error), source=source, key=key) from None
    return SweepSpace(tuple(swept))


def _setting(scenario: Scenario, path: str, source: str) -> Any:
    """Current value of a non-numeric setting at ``path`` (a string or an integer)."""
    node: Any = scenario
    for part in path.split("."):
        if not hasattr(node, part) or not hasattr(type(node), "model_fields"):
            names = [p.path for p in iter_parameters(scenario)]
            raise UserError(
                f"unknown parameter '{path}'{did_you_mean(path, names)}; expected a dotted "
                "path of the scenario (see `kurilsim schema`)",
                source=source,
                key=f"sweep.parameters.{path}",
            )
        node = getattr(node, part)
    if isinstance(node, bool) or not isinstance(node, str | int):
        raise UserError(
            f"'{path}' cannot be swept: expected a number parameter or a setting with a few "
            "values (give them as { values = [...] })",
            source=source,
            key=f"sweep.parameters.{path}",
        )
    return node
