"""Building blocks of the scenario schema: strict models and uncertain numbers.

Every model parameter in a scenario file is an *uncertain number*: either a
bare number, ``patience = 0.97``, or a table carrying the plausible range that
sweeps explore, ``patience = { value = 0.97, range = [0.93, 0.995] }``. A bare
number is shorthand for ``{ value = number }`` (no range: the parameter is
treated as a fact and is not swept).

Each parameter has hard bounds that follow from its meaning (a probability lies
in [0, 1], a discount factor in (0, 1), a ratifier weight is at least 1) and, for
magnitudes, a finite ceiling (:data:`MAX_MONEY`, :data:`MAX_FACTOR`) far above any
plausible value, so that every product the payoff model forms stays a finite
number. The bounds apply to the value and to both ends of the range, and the value
must lie inside its own range. They are the bounds the solvers need: an input the
schema admits is an input every solver accepts. Bounds are attached with
:class:`Bounds` in an ``Annotated`` type, so that the JSON Schema shows them to
editors.

Numbers are strict: a number is written as a TOML integer or float (``"1"`` and
``true`` are not numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictFloat,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from sim.errors import InputValueError

MAX_MONEY = 1e6
"""Ceiling of every sum of money, value or cost, in US$ bn (2003).

A million billion dollars is some twenty times the world's output in 2003: no
assumption about the islands comes near it, and payoffs built from sums this size
(times at most :data:`MAX_FACTOR`, summed over a few dozen terms) stay below 1e11,
where every solver computes with ordinary floating-point precision.
"""

MAX_FACTOR = 1e3
"""Ceiling of the magnitude of every index, multiplier and rate of return.

An index is 1 at its reference level (the 2003 China pressure), a ratifier weight
is a small multiple of 1 and a net return is a fraction of a dollar per dollar; a
thousand is far beyond each of them.
"""


class StrictModel(BaseModel):
    """Base of every schema model: unknown keys are errors; instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Uncertain(StrictModel):
    """A model parameter: a value and, optionally, the plausible range around it."""

    value: StrictFloat = Field(description="Best estimate used by single runs.")
    range: tuple[StrictFloat, StrictFloat] | None = Field(
        default=None,
        description="Plausible interval [low, high] explored by sweeps; omit for a fact.",
    )

    @model_validator(mode="before")
    @classmethod
    def _number_is_shorthand(cls, data: Any) -> Any:
        if isinstance(data, bool | str | list):
            expected = "expected a number or a table { value = …, range = [low, high] }"
            raise InputValueError(f"{expected}, got {_short(data)}", plain=expected)
        if isinstance(data, int | float):
            return {"value": data}
        return data

    @model_validator(mode="after")
    def _finite(self) -> Uncertain:
        if not all(math.isfinite(x) for x in (self.value, *(self.range or ()))):
            raise ValueError("expected finite numbers")
        return self

    def check_consistent(self) -> None:
        """Raise ``ValueError`` unless the range is non-empty and holds the value."""
        if self.range is None:
            return
        low, high = self.range
        if low > high:
            raise InputValueError(
                f"range [{low:g}, {high:g}] is empty: low must not exceed high",
                plain="the range is empty: low must not exceed high",
            )
        if not low <= self.value <= high:
            raise InputValueError(
                f"value {self.value:g} lies outside its plausible range [{low:g}, {high:g}]",
                plain="the value lies outside its plausible range",
            )


@dataclass(frozen=True)
class Bounds:
    """Hard bounds on an :class:`Uncertain` parameter (value and range ends)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def describe(self) -> str:
        """The bounds in words, e.g. ``>= 0 and <= 1,000,000``."""
        parts = []
        for op, bound in ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt)):
            if bound is not None:
                shown = (
                    f"{bound:,.0f}" if abs(bound) >= 1e4 and bound == int(bound) else f"{bound:g}"
                )
                parts.append(f"{op} {shown}")
        return " and ".join(parts) or "any real number"

    def admits(self, x: float) -> bool:
        """Whether ``x`` lies within the bounds."""
        return not (
            (self.ge is not None and x < self.ge)
            or (self.gt is not None and x <= self.gt)
            or (self.le is not None and x > self.le)
            or (self.lt is not None and x >= self.lt)
        )

    def _check(self, p: Uncertain) -> Uncertain:
        for label, x in (("value", p.value), *(("range", r) for r in p.range or ())):
            if not self.admits(x):
                raise InputValueError(
                    f"{label} {x:g} is out of bounds: expected {self.describe()}",
                    plain=f"{label} out of bounds: expected {self.describe()}",
                )
        p.check_consistent()
        return p

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        number: dict[str, Any] = {"type": "number"}
        for key, bound in (
            ("minimum", self.ge),
            ("exclusiveMinimum", self.gt),
            ("maximum", self.le),
            ("exclusiveMaximum", self.lt),
        ):
            if bound is not None:
                number[key] = bound
        table = {
            "type": "object",
            "properties": {
                "value": number,
                "range": {"type": "array", "items": number, "minItems": 2, "maxItems": 2},
            },
            "required": ["value"],
            "additionalProperties": False,
        }
        return {"anyOf": [number, table], "x-allowed": self.describe()}


Money = Annotated[Uncertain, Bounds(ge=0.0, le=MAX_MONEY)]
"""A sum of money, a value or a cost (US$ bn), in [0, :data:`MAX_MONEY`]."""
Index = Annotated[Uncertain, Bounds(ge=0.0, le=MAX_FACTOR)]
"""A non-negative index (1 = a reference level), at most :data:`MAX_FACTOR`."""
Rate = Annotated[Uncertain, Bounds(ge=-MAX_FACTOR, le=MAX_FACTOR)]
"""A net return per dollar, which may be negative, of magnitude at most :data:`MAX_FACTOR`."""
Probability = Annotated[Uncertain, Bounds(ge=0.0, le=1.0)]
"""A probability or a share, in [0, 1]."""
Hazard = Annotated[Uncertain, Bounds(ge=0.0, lt=1.0)]
"""A per-round probability that talks end, in [0, 1): at 1 no offer could be made."""
DiscountFactor = Annotated[Uncertain, Bounds(gt=0.0, lt=1.0)]
"""A per-year discount factor (patience), strictly between 0 and 1."""
Weight = Annotated[Uncertain, Bounds(ge=1.0, le=MAX_FACTOR)]
"""A weight of at least 1 (ratifiers weigh nationalist costs at least as much)."""


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def param(meaning: str, unit: str) -> Any:
    """Field for an uncertain parameter, documented with its meaning and unit."""
    return Field(description=f"{meaning} Unit: {unit}.")


def info(description: str, **kwargs: Any) -> Any:
    """Field for a plain (non-swept) setting, documented."""
    return Field(description=description, **kwargs)
