"""The parameter table: a scenario's numbers as an ``(N, P)`` array.

Every uncertain parameter of a scenario has a dotted path
(``actors.russia.nationalist_cost``) and becomes one column. A single run is a
table of one row; a sweep replaces columns with ``N`` sampled values. The payoff
model reads only this table, so the single-scenario path and the sweep path are
the same code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel

from sim.errors import UserError, did_you_mean
from sim.model.fields import Bounds, Uncertain
from sim.model.scenario import Scenario


@dataclass(frozen=True)
class ParameterInfo:
    """One parameter of a scenario: where it lives, its value, range and bounds."""

    path: str
    value: float
    range: tuple[float, float] | None
    bounds: Bounds
    description: str


def iter_parameters(model: BaseModel, prefix: str = "") -> Iterator[ParameterInfo]:
    """Yield every uncertain parameter of ``model`` in schema order."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Uncertain):
            bounds = next((m for m in field.metadata if isinstance(m, Bounds)), Bounds())
            yield ParameterInfo(path, value.value, value.range, bounds, field.description or "")
        elif isinstance(value, BaseModel):
            yield from iter_parameters(value, prefix=f"{path}.")


@dataclass(frozen=True)
class ParameterTable:
    """Parameter draws: ``values[n, p]`` is parameter ``names[p]`` in draw ``n``.

    Attributes
    ----------
    names : tuple of str, length P
        Dotted paths of the parameters.
    values : ndarray, shape (N, P)
    """

    names: tuple[str, ...]
    values: NDArray[np.float64]

    def __post_init__(self) -> None:
        if self.values.ndim != 2 or self.values.shape[1] != len(self.names):
            raise ValueError(
                f"values must have shape (N, {len(self.names)}), got {self.values.shape}"
            )

    @property
    def n_draws(self) -> int:
        return int(self.values.shape[0])

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ParameterTable:
        """A table of one draw holding the scenario's values."""
        params = list(iter_parameters(scenario))
        return cls(tuple(p.path for p in params), np.array([[p.value for p in params]]))

    def column(self, name: str) -> NDArray[np.float64]:
        """Values of one parameter, shape ``(N,)``."""
        return self.values[:, self._position(name)]

    def columns(self, prefix: str, keys: tuple[str, ...]) -> NDArray[np.float64]:
        """Several parameters side by side, shape ``(N, len(keys))``."""
        return self.values[:, [self._position(f"{prefix}.{k}") for k in keys]]

    def with_values(self, updates: Mapping[str, ArrayLike]) -> ParameterTable:
        """A new table with some columns replaced (broadcast to a common ``N``).

        Examples
        --------
        >>> t = ParameterTable(("a", "b"), np.array([[1.0, 2.0]]))
        >>> t.with_values({"b": [5.0, 6.0, 7.0]}).values.tolist()
        [[1.0, 5.0], [1.0, 6.0], [1.0, 7.0]]
        """
        arrays = {name: np.asarray(v, dtype=float) for name, v in updates.items()}
        n = max([self.n_draws, *(a.size for a in arrays.values() if a.ndim)])
        values = np.broadcast_to(self.values, (n, len(self.names))).copy()
        for name, array in arrays.items():
            values[:, self._position(name)] = array
        return ParameterTable(self.names, values)

    def take(self, rows: slice | NDArray[np.intp]) -> ParameterTable:
        """A table holding only the given draws."""
        return ParameterTable(self.names, self.values[rows])

    def _position(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise UserError(f"unknown parameter '{name}'{did_you_mean(name, self.names)}") from None
