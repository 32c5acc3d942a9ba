"""From a scenario's ``[sweep]`` table and ``--param`` arguments to a :class:`SweepSpace`.

Every swept path must be a parameter of the scenario (any number with a range or
without) or a setting that takes one of a few values (who proposes, a deadline);
distributions are parsed by :func:`sim.sweeps.space.parse_distribution`.

A parameter is swept over a range or a distribution whose support lies inside the
parameter's own bounds (a discount factor stays in (0, 1), a probability in [0, 1]):
every value a sweep can draw is one the schema admits. A setting is swept over a
list of values, each of which the schema must admit in that place. Problems are
:class:`~sim.errors.UserError` naming the file or ``--param`` and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.errors import UserError, did_you_mean
from sim.model.loader import parse_assignment
from sim.model.parameters import ParameterInfo, iter_parameters
from sim.model.scenario import Scenario
from sim.sweeps.space import (
    Discrete,
    Distribution,
    SweepParameter,
    SweepSpace,
    Triangular,
    TruncatedNormal,
    Uniform,
    default_space,
    parse_distribution,
)

_FORMS = (
    "see the [sweep] parameters in the scenario file reference for the accepted forms "
    "({ range = [low, high] }, a distribution, or { values = [...] } for a setting)"
)


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
    """The space a sweep explores: ``params`` if given, else every ranged parameter.

    Parameters
    ----------
    scenario : Scenario
    params : mapping of str to mapping, optional
        Distribution of each swept path, in the table form of
        :func:`~sim.sweeps.space.parse_distribution`.
    source : str
        The file or ``--param`` the specs come from, named in error messages.

    Returns
    -------
    SweepSpace

    Raises
    ------
    UserError
        For an unknown path, a malformed distribution, a range or a value outside
        what the schema admits for the path, or a baseline outside the distribution.
    """
    infos = {p.path: p for p in iter_parameters(scenario)}
    if not params:
        return default_space(infos.values())
    swept = []
    for path, spec in params.items():
        key = f"sweep.parameters.{path}"
        baseline = infos[path].value if path in infos else _setting(scenario, path, source)
        try:
            distribution = parse_distribution(spec)
        except ValueError as error:
            raise UserError(str(error), source=source, key=key, plain=_FORMS) from None
        if path in infos:
            _check_parameter(infos[path], distribution, source, key)
        else:
            _check_setting(scenario, path, distribution, source, key)
        try:
            swept.append(SweepParameter(path, distribution, baseline))
        except ValueError as error:
            plain = "the scenario's value lies outside the swept distribution"
            raise UserError(str(error), source=source, key=key, plain=plain) from None
    return SweepSpace(tuple(swept))


def _check_parameter(
    info: ParameterInfo, distribution: Distribution, source: str, key: str
) -> None:
    """Refuse a distribution that can draw a value outside the parameter's bounds."""
    if isinstance(distribution, Discrete):
        if not all(isinstance(v, int | float) for v in distribution.values):
            raise UserError(
                "expected numbers in { values = [...] } for a number parameter",
                source=source,
                key=key,
            )
        outside = [v for v in distribution.values if not info.bounds.admits(float(v))]
        if outside:
            raise UserError(
                f"value {outside[0]:g} leaves the parameter's bounds: expected "
                f"{info.bounds.describe()}",
                source=source,
                key=key,
                plain=f"a value leaves the parameter's bounds: expected {info.bounds.describe()}",
            )
        return
    if not isinstance(distribution, Uniform | TruncatedNormal | Triangular):
        return
    low, high = distribution.low, distribution.high
    if not (info.bounds.admits(low) and info.bounds.admits(high)):
        raise UserError(
            f"range [{low:g}, {high:g}] leaves the parameter's bounds: expected "
            f"{info.bounds.describe()} at both ends",
            source=source,
            key=key,
            plain=f"the range leaves the parameter's bounds: expected "
            f"{info.bounds.describe()} at both ends",
        )


def _check_setting(
    scenario: Scenario, path: str, distribution: Distribution, source: str, key: str
) -> None:
    """Refuse a setting swept other than over values the schema admits in its place."""
    if not isinstance(distribution, Discrete):
        raise UserError(
            "a setting is swept over a list of values: { values = [...] }",
            source=source,
            key=key,
        )
    data = scenario.model_dump(mode="python")
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    for code in range(distribution.k):
        value = distribution.decode([float(code)])[0]
        node[leaf] = value.item() if hasattr(value, "item") else value
        try:
            Scenario.model_validate(data)
        except ValidationError as error:
            reason = str(error.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
            raise UserError(
                f"value {node[leaf]!r} is not allowed here: {reason}",
                source=source,
                key=key,
                plain=f"a value is not allowed here: {reason}",
            ) from None


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
