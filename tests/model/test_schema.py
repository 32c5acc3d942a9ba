"""The JSON Schema carries every field's description, unit and bounds."""

from __future__ import annotations

from typing import Any

from sim.model.scenario import json_schema


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
