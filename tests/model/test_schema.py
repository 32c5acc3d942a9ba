"""The JSON Schema carries every field's description, unit and bounds."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from sim import UserError, evaluate, load_scenario
from sim.model.parameters import iter_parameters
from sim.model.scenario import json_schema
from tests.conftest import BASELINE, extending_baseline


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref") or next(
        (alt["$ref"] for alt in node.get("anyOf", []) if "$ref" in alt), None
    )
    if ref is None:
        return node
    return schema["$defs"][ref.split("/")[-1]]


def _walk(schema: dict[str, Any], node: dict[str, Any], path: str = ""):
    for name, prop in node.get("properties", {}).items():
        yield f"{path}{name}", prop
        target = _resolve(schema, prop)
        if target is not prop and "properties" in target:
            yield from _walk(schema, target, f"{path}{name}.")


def test_every_field_is_described():
    schema = json_schema()
    undocumented = [p for p, prop in _walk(schema, schema) if not prop.get("description")]
    assert undocumented == []


def test_parameters_carry_unit_bounds_and_both_forms():
    schema = json_schema()
    props = dict(_walk(schema, schema))
    patience = props["actors.japan.patience"]
    assert "Unit: per year" in patience["description"]
    number, table = patience["anyOf"]
    assert number == {"type": "number", "exclusiveMinimum": 0.0, "exclusiveMaximum": 1.0}
    assert table["properties"]["range"]["items"] == number
    assert patience["x-allowed"] == "> 0 and < 1"


def test_unknown_keys_are_forbidden_in_the_schema():
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert _resolve(schema, schema["properties"]["actors"])["additionalProperties"] is False


# -- the bounds the solvers need are the schema's bounds -----------------------------------


def _props() -> dict[str, Any]:
    schema = json_schema()
    return dict(_walk(schema, schema))


def test_breakdown_risk_excludes_one():
    number = _props()["alternating.breakdown_risk"]["anyOf"][0]
    assert number == {"type": "number", "minimum": 0.0, "exclusiveMaximum": 1.0}


@pytest.mark.parametrize(
    "body",
    [
        "[alternating]\nbreakdown_risk = { value = 1 }\n",
        "[alternating]\nbreakdown_risk = { value = 0.5, range = [0, 1] }\n",
    ],
)
def test_a_certain_breakdown_is_refused(write_scenario, body):
    with pytest.raises(UserError, match="< 1") as info:
        load_scenario(write_scenario("risk.toml", extending_baseline(body)))
    assert info.value.key == "alternating.breakdown_risk"


def test_money_and_factors_have_a_finite_ceiling():
    props = _props()
    money = [p for p, prop in props.items() if "Unit: US$ bn" in prop.get("description", "")]
    assert "actors.japan.island_value.etorofu" in money and "context.investment_on_table" in money
    for path in money:
        assert props[path]["anyOf"][0]["maximum"] == 1e6, path
    for path in (
        "context.china_pressure",
        "actors.japan.ratifier_weight",
        "actors.russia.investment_return",
    ):
        assert props[path]["anyOf"][0]["maximum"] == 1e3, path
    assert props["actors.japan.investment_return"]["anyOf"][0]["minimum"] == -1e3


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("actors.japan.treaty_value", "{ value = 1e154 }"),
        ("actors.russia.island_value.etorofu", "{ value = 5, range = [0, 1e300] }"),
        ("context.investment_on_table", "{ value = 2e6 }"),
        ("sequential.reputation_cost.japan", "{ value = 1e200 }"),
        ("sequential.ratification_noise", "{ value = 1e300 }"),
        ("actors.japan.investment_return", "{ value = -1e160 }"),
        ("actors.russia.ratifier_weight", "{ value = 1e154 }"),
        ("context.china_pressure", "{ value = 1e300 }"),
    ],
)
def test_huge_numbers_are_refused(key, value):
    with pytest.raises(UserError, match="out of bounds"):
        load_scenario(BASELINE, overrides={key: value})


def _extreme(low: bool) -> dict[str, str]:
    """Every parameter at an end of its bounds (closed ends; just inside open ones)."""
    overrides = {}
    for p in iter_parameters(load_scenario(BASELINE)):
        b = p.bounds
        if low:
            x = b.ge if b.ge is not None else b.gt + 1e-9
        else:
            x = b.le if b.le is not None else b.lt - 1e-9
        overrides[p.path] = f"{{ value = {x!r} }}"
    return overrides


@pytest.mark.parametrize("low", [False, True], ids=["upper", "lower"])
def test_every_solver_stays_finite_at_the_bounds(low):
    scenario = load_scenario(BASELINE, overrides=_extreme(low))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = evaluate(scenario)
        posture = result.posture()
        sequential = result.sequential()
        alternating = result.alternating()
    utility = result.payoffs.utility
    assert np.isfinite(utility).all() and np.isfinite(result.payoffs.ratifier_utility).all()
    assert np.abs(result.payoffs.components).max() < 1e11
    assert len(posture.equilibria) >= 1
    assert np.isfinite(sequential.payoff).all()
    assert np.isfinite(alternating.transfer).all()
