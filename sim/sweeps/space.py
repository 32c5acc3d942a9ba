r"""What a sweep explores: one distribution per swept parameter.

Every sampler draws points :math:`u` in the unit cube :math:`[0, 1]^P` and maps
each column through the *quantile function* (inverse CDF) of its parameter,
:math:`x_p = F_p^{-1}(u_p)`. Sampling designs (Latin hypercube, Sobol',
Morris trajectories, grids) keep their stratification under this transform
because :math:`F_p^{-1}` is monotone, so one set of samplers serves every
distribution (the inverse-transform method; Devroye 1986, ch. II.2).

Distributions
    :class:`Uniform` on :math:`[a, b]`: :math:`F^{-1}(u) = a + u (b - a)`.

    :class:`TruncatedNormal` with mean :math:`m`, standard deviation :math:`s`,
    truncated to :math:`[a, b]`: with :math:`\alpha = (a - m)/s`,
    :math:`\beta = (b - m)/s`, :math:`F^{-1}(u) = m + s\,\Phi^{-1}(\Phi(\alpha) +
    u(\Phi(\beta) - \Phi(\alpha)))` (:data:`scipy.stats.truncnorm`).

    :class:`Triangular` on :math:`[a, b]` with mode :math:`c`:
    :math:`F^{-1}(u) = a + \sqrt{u (b - a)(c - a)}` for
    :math:`u < (c - a)/(b - a)`, else :math:`b - \sqrt{(1 - u)(b - a)(b - c)}`
    (:data:`scipy.stats.triang`).

    :class:`Discrete` over :math:`k` values with equal probabilities: the unit
    interval is cut into :math:`k` bins and :math:`F^{-1}(u) = \min(\lfloor k u
    \rfloor, k - 1)` is the *code* (index) of the value. Numeric values model
    integer or categorical parameters; strings (``("japan", "russia")``) are
    categorical. :meth:`Discrete.decode` turns codes back into values.

The inverse map :meth:`to_unit` is the CDF for continuous distributions and, for
:class:`Discrete`, the middle of the code's bin, :math:`(j + 1/2)/k`, so that
``ppf(to_unit(x)) == x`` for every distribution.

A :class:`SweepSpace` is the ordered tuple of swept parameters; its
:meth:`~SweepSpace.salib_problem` is the unit-cube problem handed to SALib
(Herman & Usher 2017), whose samples are then transformed here.

References
----------
Devroye, L. (1986). *Non-Uniform Random Variate Generation*. Springer.
Herman, J. & Usher, W. (2017). SALib: an open-source Python library for
sensitivity analysis. *Journal of Open Source Software* 2(9), 97.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sim.errors import did_you_mean
from sim.model.parameters import ParameterInfo

Array = NDArray[np.float64]


class Distribution(Protocol):
    """Interface shared by every sweep distribution."""

    def ppf(self, u: ArrayLike) -> Array:
        """Values (codes for :class:`Discrete`) at unit-interval quantiles ``u``."""
        ...

    def to_unit(self, x: ArrayLike) -> Array:
        """Unit-interval points that :meth:`ppf` maps back to ``x``."""
        ...

    def contains(self, x: ArrayLike) -> NDArray[np.bool_]:
        """Whether values lie in the support (codes ``0..k-1`` for :class:`Discrete`)."""
        ...

    def describe(self) -> str:
        """One line for reports."""
        ...


def _finite(**numbers: float) -> None:
    for name, x in numbers.items():
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ValueError(f"{name} must be a finite number, got {x!r}")


def _interval(low: float, high: float) -> None:
    _finite(low=low, high=high)
    if not low < high:
        raise ValueError(f"range [{low:g}, {high:g}] is empty: low must be less than high")


def _within(x: ArrayLike, low: float, high: float) -> NDArray[np.bool_]:
    x = _unit(x)
    return np.asarray((x >= low) & (x <= high))


def _unit(u: ArrayLike) -> Array:
    return np.asarray(u, dtype=float)


@dataclass(frozen=True)
class Uniform:
    """Uniform distribution on ``[low, high]``.

    Examples
    --------
    >>> Uniform(2.0, 4.0).ppf([0.0, 0.25, 1.0]).tolist()
    [2.0, 2.5, 4.0]
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        _interval(self.low, self.high)

    def ppf(self, u: ArrayLike) -> Array:
        return self.low + _unit(u) * (self.high - self.low)

    def to_unit(self, x: ArrayLike) -> Array:
        return np.clip((_unit(x) - self.low) / (self.high - self.low), 0.0, 1.0)

    def contains(self, x: ArrayLike) -> NDArray[np.bool_]:
        return _within(x, self.low, self.high)

    def describe(self) -> str:
        return f"uniform on [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class TruncatedNormal:
    """Normal distribution with ``mean`` and ``sd``, truncated to ``[low, high]``.

    Examples
    --------
    >>> float(TruncatedNormal(0.0, 1.0, -1.0, 1.0).ppf(0.5))
    0.0
    """

    mean: float
    sd: float
    low: float
    high: float

    def __post_init__(self) -> None:
        _finite(mean=self.mean, sd=self.sd)
        if not self.sd > 0:
            raise ValueError(f"sd must be positive, got {self.sd:g}")
        _interval(self.low, self.high)

    def _frozen(self) -> Any:
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def ppf(self, u: ArrayLike) -> Array:
        return np.clip(np.asarray(self._frozen().ppf(_unit(u)), dtype=float), self.low, self.high)

    def to_unit(self, x: ArrayLike) -> Array:
        return np.asarray(self._frozen().cdf(_unit(x)), dtype=float)

    def contains(self, x: ArrayLike) -> NDArray[np.bool_]:
        return _within(x, self.low, self.high)

    def describe(self) -> str:
        return (
            f"normal (mean {self.mean:g}, sd {self.sd:g}) "
            f"truncated to [{self.low:g}, {self.high:g}]"
        )


@dataclass(frozen=True)
class Triangular:
    """Triangular distribution on ``[low, high]`` with its peak at ``mode``.

    Examples
    --------
    >>> float(Triangular(0.0, 0.5, 1.0).ppf(0.5))
    0.5
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _interval(self.low, self.high)
        _finite(mode=self.mode)
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"mode {self.mode:g} lies outside the range [{self.low:g}, {self.high:g}]"
            )

    def _frozen(self) -> Any:
        width = self.high - self.low
        return stats.triang((self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, u: ArrayLike) -> Array:
        return np.clip(np.asarray(self._frozen().ppf(_unit(u)), dtype=float), self.low, self.high)

    def to_unit(self, x: ArrayLike) -> Array:
        return np.asarray(self._frozen().cdf(_unit(x)), dtype=float)

    def contains(self, x: ArrayLike) -> NDArray[np.bool_]:
        return _within(x, self.low, self.high)

    def describe(self) -> str:
        return f"triangular on [{self.low:g}, {self.high:g}] with mode {self.mode:g}"


@dataclass(frozen=True)
class Discrete:
    """Equally likely values; samples hold their codes ``0..k-1`` as floats.

    Examples
    --------
    >>> d = Discrete(("japan", "russia"))
    >>> d.ppf([0.1, 0.6]).tolist()
    [0.0, 1.0]
    >>> d.decode([1.0, 0.0]).tolist()
    ['russia', 'japan']
    """

    values: tuple[float | str, ...]

    def __post_init__(self) -> None:
        values = tuple(self.values)
        object.__setattr__(self, "values", values)
        if not values:
            raise ValueError("values must not be empty")
        if not (all(isinstance(v, str) for v in values) or all(_is_number(v) for v in values)):
            raise ValueError(f"values must be all numbers or all strings, got {list(values)!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"values must be distinct, got {list(values)!r}")

    @property
    def k(self) -> int:
        """Number of values."""
        return len(self.values)

    def ppf(self, u: ArrayLike) -> Array:
        return np.minimum(np.floor(_unit(u) * self.k), self.k - 1.0)

    def to_unit(self, x: ArrayLike) -> Array:
        return (_unit(x) + 0.5) / self.k

    def contains(self, x: ArrayLike) -> NDArray[np.bool_]:
        x = _unit(x)
        return np.asarray((x == np.round(x)) & (x >= 0) & (x <= self.k - 1))

    def encode(self, value: float | str) -> float:
        """Code of one value; ``ValueError`` if it is not among :attr:`values`."""
        for code, v in enumerate(self.values):
            if v == value and isinstance(v, str) == isinstance(value, str):
                return float(code)
        raise ValueError(f"{value!r} is not one of {list(self.values)!r}")

    def decode(self, codes: ArrayLike) -> NDArray[Any]:
        """Values of codes, same shape as ``codes`` (float or str array)."""
        codes = _unit(codes)
        if not np.all(self.contains(codes)):
            raise ValueError(f"codes must be integers in 0..{self.k - 1}")
        return np.asarray(self.values)[codes.astype(np.intp)]

    def describe(self) -> str:
        listed = ", ".join(repr(v) if isinstance(v, str) else f"{v:g}" for v in self.values)
        return f"one of {listed} with equal probability"


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True)
class SweepParameter:
    """A swept parameter: its dotted path, distribution and baseline value.

    The baseline is the value used when the parameter is not varied (one-at-a-time
    designs, tipping-point scans); it must lie in the distribution's support.
    """

    path: str
    distribution: Distribution
    baseline: float | str

    def __post_init__(self) -> None:
        code = self.baseline_code
        if not bool(self.distribution.contains(code)):
            raise ValueError(
                f"{self.path}: baseline {self.baseline!r} lies outside "
                f"{self.distribution.describe()}"
            )

    @property
    def baseline_code(self) -> float:
        """The baseline as it appears in sample values (the code for :class:`Discrete`)."""
        if isinstance(self.distribution, Discrete):
            try:
                return self.distribution.encode(self.baseline)
            except ValueError as error:
                raise ValueError(f"{self.path}: baseline {error}") from None
        if isinstance(self.baseline, str):
            raise ValueError(f"{self.path}: baseline must be a number, got {self.baseline!r}")
        return float(self.baseline)


@dataclass(frozen=True)
class SweepSpace:
    """The swept parameters in column order.

    Examples
    --------
    >>> space = SweepSpace((SweepParameter("a", Uniform(0.0, 2.0), 1.0),))
    >>> space.names, len(space)
    (('a',), 1)
    >>> space.from_unit([[0.5]]).tolist()
    [[1.0]]
    """

    parameters: tuple[SweepParameter, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(self.parameters))
        seen: set[str] = set()
        for p in self.parameters:
            if p.path in seen:
                raise ValueError(f"parameter '{p.path}' appears more than once")
            seen.add(p.path)

    @property
    def names(self) -> tuple[str, ...]:
        """Dotted paths, length P."""
        return tuple(p.path for p in self.parameters)

    @property
    def baseline(self) -> Array:
        """Baseline values (codes for discrete parameters), shape ``(P,)``."""
        return np.array([p.baseline_code for p in self.parameters], dtype=float)

    def __len__(self) -> int:
        return len(self.parameters)

    def from_unit(self, u: ArrayLike) -> Array:
        """Natural-unit values (codes for discrete parameters) of unit points ``(N, P)``."""
        return self._columns(u, "ppf")

    def to_unit(self, values: ArrayLike) -> Array:
        """Unit-cube points, shape ``(N, P)``, that :meth:`from_unit` maps to ``values``."""
        return self._columns(values, "to_unit")

    def salib_problem(self) -> dict[str, Any]:
        """The unit-cube problem definition SALib's samplers and analysers expect."""
        return {
            "num_vars": len(self),
            "names": list(self.names),
            "bounds": [[0.0, 1.0] for _ in self.parameters],
        }

    def _columns(self, array: ArrayLike, method: str) -> Array:
        a = np.asarray(array, dtype=float)
        if a.ndim != 2 or a.shape[1] != len(self):
            raise ValueError(f"expected an array of shape (N, {len(self)}), got {a.shape}")
        out = np.empty_like(a)
        for p, parameter in enumerate(self.parameters):
            out[:, p] = getattr(parameter.distribution, method)(a[:, p])
        return out


def default_space(parameters: Iterable[ParameterInfo]) -> SweepSpace:
    """Sweep every parameter that has a range, uniformly over it, from its value.

    Parameters without a range are facts and are left out, as are degenerate
    ranges ``[a, a]`` (nothing to sweep).
    """
    return SweepSpace(
        tuple(
            SweepParameter(p.path, Uniform(*p.range), p.value)
            for p in parameters
            if p.range is not None and p.range[0] < p.range[1]
        )
    )


# -- the scenario / command-line form -----------------------------------------------------

_KEYS: dict[str, frozenset[str]] = {
    # distribution name: its keys besides "distribution"
    "uniform": frozenset({"range"}),
    "normal": frozenset({"mean", "sd", "range"}),
    "triangular": frozenset({"range", "mode"}),
    "discrete": frozenset({"values"}),
}
_ALL_KEYS = ("distribution", "range", "mean", "sd", "mode", "values")


def parse_distribution(spec: Mapping[str, Any]) -> Distribution:
    """A distribution from its table form in a scenario file or on the command line.

    Accepted forms::

        { range = [a, b] }                                   # uniform
        { distribution = "uniform", range = [a, b] }
        { distribution = "normal", mean = m, sd = s, range = [a, b] }
        { distribution = "triangular", range = [a, b], mode = c }
        { values = [v1, v2, ...] }                           # discrete
        { distribution = "discrete", values = [...] }

    Raises
    ------
    ValueError
        For an unknown distribution or key, a missing key or an invalid value;
        the message names the key and what was expected.

    Examples
    --------
    >>> parse_distribution({"range": [0.1, 0.6]})
    Uniform(low=0.1, high=0.6)
    >>> parse_distribution({"distribution": "triangular", "range": [0, 1], "mode": 0.2})
    Triangular(low=0, mode=0.2, high=1)
    """
    if not isinstance(spec, Mapping):
        raise ValueError(f"expected a table such as {{ range = [low, high] }}, got {spec!r}")
    name = _distribution_name(spec)
    keys = _KEYS[name]
    for key in spec:
        if key != "distribution" and key not in keys:
            raise ValueError(_unknown_key(str(key), name))
    missing = sorted(keys - set(spec))
    if missing:
        raise ValueError(f"a {name} distribution needs the key(s) {', '.join(missing)}")
    return _build(name, spec)


def _unknown_key(key: str, name: str) -> str:
    expected = ", ".join(sorted(_KEYS[name]))
    owners = [d for d, keys in _KEYS.items() if key in keys]
    if owners:
        hint = f" ('{key}' belongs to: distribution = {' or '.join(map(repr, owners))})"
    else:
        hint = did_you_mean(key, _ALL_KEYS)
    return f"unknown key '{key}' for a {name} distribution{hint}: expected {expected}"


def _distribution_name(spec: Mapping[str, Any]) -> str:
    if "distribution" in spec:
        name = spec["distribution"]
        if not isinstance(name, str) or name not in _KEYS:
            raise ValueError(
                f"unknown distribution {name!r}{did_you_mean(str(name), _KEYS)}: "
                f"expected one of {', '.join(_KEYS)}"
            )
        return name
    if "values" in spec:
        return "discrete"
    if "range" in spec:
        return "uniform"
    unknown = [str(k) for k in spec if k not in _ALL_KEYS]
    head = f"unknown key '{unknown[0]}'{did_you_mean(unknown[0], _ALL_KEYS)}: " if unknown else ""
    raise ValueError(f"{head}a distribution needs 'range' or 'values' (or 'distribution')")


def _build(name: str, spec: Mapping[str, Any]) -> Distribution:
    if name == "discrete":
        values = spec["values"]
        if isinstance(values, str) or not isinstance(values, Sequence):
            raise ValueError(f"values must be a list, got {values!r}")
        return Discrete(tuple(values))
    low, high = _range(spec["range"])
    if name == "normal":
        return TruncatedNormal(spec["mean"], spec["sd"], low, high)
    if name == "triangular":
        return Triangular(low, spec["mode"], high)
    return Uniform(low, high)


def _range(value: Any) -> tuple[float, float]:
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or len(value) != 2
        or not all(_is_number(x) for x in value)
    ):
        raise ValueError(f"range must be two finite numbers [low, high], got {value!r}")
    return value[0], value[1]
