r"""Interchangeable samplers of a :class:`~sim.sweeps.space.SweepSpace`, one signature.

``sample(space, method, n, seed)`` draws points in the unit cube :math:`[0, 1]^P`
and maps them to natural units with :meth:`SweepSpace.from_unit`, following
SALib's ``sample(problem, N, seed)`` convention (Herman & Usher 2017). The
meaning of ``n`` follows each method's literature; the number of rows is
``Samples.n_rows`` and ``Samples.note`` says how it was obtained.

``grid``
    Full factorial. Each continuous parameter gets :math:`L \ge 2` levels at the
    midpoints :math:`(i + 1/2)/L` of :math:`L` equal-probability bins, with
    :math:`L` the integer nearest to :math:`(n/K)^{1/P_c}` (:math:`P_c` continuous
    parameters, :math:`K` the product of the discrete parameters' numbers of
    values); discrete parameters take all their values. :math:`n` is the target
    number of rows, :math:`K L^{P_c}`.
``oat``
    One at a time (for tornado charts): the baseline row, then each parameter
    varied alone with the others at baseline. Continuous parameters take
    :math:`L` evenly spaced quantiles from :data:`OAT_LOW` = 0.05 to
    :data:`OAT_HIGH` = 0.95, so the ends of the swing are the 5 % and 95 %
    quantiles (the extremes of unbounded or long-tailed distributions would
    dominate a tornado chart); discrete parameters take all their values.
    :math:`L \ge 2` is chosen so that the number of rows is close to :math:`n`.
``mc``
    Monte Carlo: ``n`` independent uniform points,
    ``np.random.default_rng(seed).random((n, P))``.
``lhs``
    Latin hypercube of ``n`` points (McKay, Beckman & Conover 1979): each of the
    ``n`` equal bins of every dimension holds exactly one point
    (:class:`scipy.stats.qmc.LatinHypercube`).
``sobol``
    Saltelli's scheme on a scrambled Sobol' sequence (Saltelli 2002; Saltelli et
    al. 2010): ``n`` base samples, rounded up to a power of two for the
    sequence's balance properties, and :math:`n(P + 2)` rows (:math:`n(2P + 2)`
    with second-order indices). The matrix is the one
    :func:`SALib.sample.sobol.sample` returns for the same seed (base points from
    :class:`scipy.stats.qmc.Sobol` in :math:`2P` dimensions, scrambled), built by
    :func:`saltelli_matrix` without SALib's loop over rows.
``morris``
    Morris (1991) trajectories on a ``num_levels``-level grid,
    :func:`SALib.sample.morris.sample`: ``n`` trajectories of :math:`P + 1` rows.

References
----------
Herman, J. & Usher, W. (2017). SALib. *JOSS* 2(9), 97.
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). A comparison of three methods
for selecting values of input variables. *Technometrics* 21(2), 239–245.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational
experiments. *Technometrics* 33(2), 161–174.
Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity
indices. *Computer Physics Communications* 145(2), 280–297.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
*Computer Physics Communications* 181(2), 259–270.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from SALib.sample import morris as salib_morris
from scipy.stats import qmc

from sim.sweeps.space import Discrete, SweepSpace

Array = NDArray[np.float64]
IntArray = NDArray[np.intp]

METHODS: tuple[str, ...] = ("grid", "oat", "mc", "lhs", "sobol", "morris")
"""Sampling methods accepted by :func:`sample`."""

OAT_LOW, OAT_HIGH = 0.05, 0.95
"""Lowest and highest quantiles a one-at-a-time design visits."""

MAX_GRID_ROWS = 10_000_000
"""Largest full factorial :func:`sample` builds (it grows as ``2**P`` at least)."""


def _no_ints() -> IntArray:
    return np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class Samples:
    """Points of a sweep, in natural units and in the unit cube.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    names : tuple of str, length P
        Dotted paths of the swept parameters.
    values : ndarray, shape (N, P)
        Natural units; discrete parameters hold codes ``0..k-1``
        (:meth:`to_df` decodes them).
    unit : ndarray, shape (N, P)
        The unit-cube points ``values`` were mapped from.
    seed : int
    n_requested : int
        The ``n`` passed to :func:`sample`.
    note : str
        How ``n`` became the number of rows.
    space : SweepSpace
    levels : tuple of int, length P
        Levels per parameter (``grid``, ``oat``, ``morris``); empty otherwise.
    baseline_rows : ndarray of int
        Rows holding every parameter at baseline (``oat``).
    varied : ndarray of int, shape (N,)
        Parameter each row varies, -1 for a baseline row (``oat``).
    n_base : int
        Base samples (``sobol``).
    second_order : bool
        Whether the ``sobol`` design supports second-order indices.
    trajectories : int
        Trajectories (``morris``).
    """

    method: str
    names: tuple[str, ...]
    values: Array
    unit: Array
    seed: int
    n_requested: int
    note: str
    space: SweepSpace
    levels: tuple[int, ...] = ()
    baseline_rows: IntArray = field(default_factory=_no_ints)
    varied: IntArray = field(default_factory=_no_ints)
    n_base: int = 0
    second_order: bool = False
    trajectories: int = 0

    @property
    def n_rows(self) -> int:
        """Number of points N."""
        return int(self.values.shape[0])

    def to_df(self) -> pd.DataFrame:
        """Values with discrete parameters decoded, one column per parameter."""
        columns: dict[str, Any] = {}
        for p, parameter in enumerate(self.space.parameters):
            column = self.values[:, p]
            dist = parameter.distribution
            columns[parameter.path] = dist.decode(column) if isinstance(dist, Discrete) else column
        return pd.DataFrame(columns)


def sample(
    space: SweepSpace,
    method: str,
    n: int,
    seed: int,
    *,
    num_levels: int = 4,
    second_order: bool = False,
) -> Samples:
    """Sample ``space`` with one of :data:`METHODS`.

    Parameters
    ----------
    space : SweepSpace
        At least one parameter.
    method : str
        ``grid``, ``oat``, ``mc``, ``lhs``, ``sobol`` or ``morris``.
    n : int
        At least 1: target rows (``grid``, ``oat``), rows (``mc``, ``lhs``), base
        samples (``sobol``, rounded up to a power of two) or trajectories (``morris``).
    seed : int
        Non-negative seed of every random choice (unused by ``grid`` and ``oat``).
    num_levels : int
        Grid levels of ``morris`` trajectories (even, at least 2).
    second_order : bool
        Whether the ``sobol`` design also supports second-order indices.

    Returns
    -------
    Samples

    Examples
    --------
    >>> from sim.sweeps.space import SweepParameter, Uniform
    >>> space = SweepSpace((SweepParameter("a", Uniform(0.0, 1.0), 0.5),))
    >>> sample(space, "grid", 4, seed=0).values.ravel().tolist()
    [0.125, 0.375, 0.625, 0.875]
    """
    _check(space, method, n, seed, num_levels)
    n, seed = int(n), int(seed)
    design = _SAMPLERS[method](space, n, seed, num_levels, second_order)
    values = design.pop("values", None)
    unit = design.pop("unit")
    return Samples(
        method=method,
        names=space.names,
        values=space.from_unit(unit) if values is None else values,
        unit=unit,
        seed=seed,
        n_requested=n,
        space=space,
        **design,
    )


def _check(space: SweepSpace, method: str, n: int, seed: int, num_levels: int) -> None:
    if method not in _SAMPLERS:
        expected = ", ".join(METHODS)
        raise ValueError(f"unknown sampling method {method!r}: expected one of {expected}")
    if len(space) == 0:
        raise ValueError("the sweep space has no parameters")
    for name, value, least in (("n", n, 1), ("seed", seed, 0), ("num_levels", num_levels, 2)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name} must be an integer of at least {least}, got {value!r}")
    if method == "morris" and num_levels % 2:
        raise ValueError(f"num_levels must be even for Morris trajectories, got {num_levels}")


# -- kernels: each returns the unit points (and, where exact, the values) and notes --------

Design = dict[str, Any]


def _discrete_sizes(space: SweepSpace) -> IntArray:
    """Number of values of each discrete parameter, 0 for continuous ones, shape (P,)."""
    return np.array(
        [p.distribution.k if isinstance(p.distribution, Discrete) else 0 for p in space.parameters],
        dtype=np.intp,
    )


def _grid(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    sizes = _discrete_sizes(space)
    n_cont = int(np.count_nonzero(sizes == 0))
    k = int(np.prod(sizes[sizes > 0]))
    level = max(2, round((n / k) ** (1 / n_cont))) if n_cont else 0
    levels = np.where(sizes > 0, sizes, level)
    rows = int(np.prod(levels.astype(float)))
    if rows > MAX_GRID_ROWS:
        raise ValueError(
            f"a full factorial of {len(space)} parameters needs {rows:.3g} rows "
            f"(more than {MAX_GRID_ROWS:,}); use 'lhs', 'mc' or 'sobol' instead"
        )
    index = np.indices(tuple(levels)).reshape(len(space), -1).T
    counts = " × ".join(str(x) for x in levels)
    return {
        "unit": (index + 0.5) / levels,
        "levels": tuple(int(x) for x in levels),
        "note": f"full factorial of {counts} levels: {rows} rows for n = {n}",
    }


def _oat(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    sizes = _discrete_sizes(space)
    n_cont = int(np.count_nonzero(sizes == 0))
    level = max(2, round((n - 1 - int(sizes.sum())) / n_cont)) if n_cont else 0
    levels = np.where(sizes > 0, sizes, level)
    varied = np.repeat(np.arange(len(space)), levels)
    step = np.arange(len(varied)) - np.repeat(np.cumsum(levels) - levels, levels)
    q = np.where(
        sizes[varied] > 0,
        (step + 0.5) / np.maximum(levels[varied], 1),
        OAT_LOW + (OAT_HIGH - OAT_LOW) * step / np.maximum(levels[varied] - 1, 1),
    )
    baseline = space.baseline
    unit = np.tile(space.to_unit(baseline[None, :]), (len(varied) + 1, 1))
    values = np.tile(baseline, (len(varied) + 1, 1))
    rows = np.arange(1, len(varied) + 1)
    unit[rows, varied] = q
    values[rows, varied] = space.from_unit(unit[1:])[np.arange(len(varied)), varied]
    return {
        "unit": unit,
        "values": values,
        "levels": tuple(int(x) for x in levels),
        "baseline_rows": np.array([0], dtype=np.intp),
        "varied": np.concatenate([[-1], varied]).astype(np.intp),
        "note": (
            f"one at a time: 1 baseline row + {len(varied)} rows "
            f"({level} quantiles from {OAT_LOW:g} to {OAT_HIGH:g} per continuous parameter, "
            f"every value of discrete ones) for n = {n}"
        ),
    }


def _mc(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    return {
        "unit": np.random.default_rng(seed).random((n, len(space))),
        "note": f"{n} Monte Carlo draws",
    }


def _lhs(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    engine = qmc.LatinHypercube(d=len(space), seed=seed)
    return {"unit": engine.random(n), "note": f"Latin hypercube of {n} points"}


def _sobol(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    base = 1 << (n - 1).bit_length()
    sequence = qmc.Sobol(d=2 * len(space), scramble=True, seed=seed).random(base)
    unit = saltelli_matrix(sequence, second_order=second_order)
    per_base = 2 * len(space) + 2 if second_order else len(space) + 2
    rounded = (
        f"rounded {n} up to {base} base samples, as Sobol needs a power of two; "
        if base != n
        else f"{base} base samples; "
    )
    return {
        "unit": unit,
        "n_base": base,
        "second_order": second_order,
        "note": f"{rounded}{base * per_base} rows = {base} × {per_base}",
    }


def saltelli_matrix(sequence: Array, *, second_order: bool = False) -> Array:
    """Saltelli's cross-sampled design from a ``(n, 2P)`` base sequence, vectorised.

    With ``A = sequence[:, :P]`` and ``B = sequence[:, P:]``, each base point ``i``
    gives the block of rows ``A_i``, then ``AB_i^(j)`` (``A_i`` with column ``j`` taken
    from ``B_i``) for each ``j``, then (second order only) ``BA_i^(j)`` (``B_i`` with
    column ``j`` from ``A_i``), then ``B_i`` (Saltelli 2002), the row order
    :func:`SALib.sample.sobol.sample` builds and :func:`SALib.analyze.sobol.analyze`
    reads.

    Parameters
    ----------
    sequence : ndarray, shape (n, 2P)
        Base points in the unit cube (a scrambled Sobol' sequence).
    second_order : bool
        Add the ``BA`` rows that second-order indices need.

    Returns
    -------
    ndarray, shape (n (P + 2), P), or (n (2P + 2), P) with ``second_order``

    Examples
    --------
    >>> saltelli_matrix(np.array([[0.1, 0.2, 0.3, 0.4]])).tolist()
    [[0.1, 0.2], [0.3, 0.2], [0.1, 0.4], [0.3, 0.4]]
    """
    n, p = sequence.shape[0], sequence.shape[1] // 2
    a, b = sequence[:, :p], sequence[:, p:]
    crossed = 2 * p if second_order else p
    out = np.empty((n, crossed + 2, p))
    out[:, 0] = a
    out[:, 1 : p + 1] = a[:, None, :]
    out[:, 1 : p + 1][:, np.arange(p), np.arange(p)] = b
    if second_order:
        out[:, p + 1 : 2 * p + 1] = b[:, None, :]
        out[:, p + 1 : 2 * p + 1][:, np.arange(p), np.arange(p)] = a
    out[:, -1] = b
    return out.reshape(n * (crossed + 2), p)


def _morris(space: SweepSpace, n: int, seed: int, num_levels: int, second_order: bool) -> Design:
    unit = salib_morris.sample(space.salib_problem(), n, num_levels=num_levels, seed=seed)
    return {
        "unit": np.asarray(unit, dtype=float),
        "levels": (num_levels,) * len(space),
        "trajectories": n,
        "note": (
            f"{n} Morris trajectories of {len(space) + 1} rows on a {num_levels}-level grid: "
            f"{n * (len(space) + 1)} rows"
        ),
    }


_SAMPLERS: dict[str, Callable[[SweepSpace, int, int, int, bool], Design]] = {
    "grid": _grid,
    "oat": _oat,
    "mc": _mc,
    "lhs": _lhs,
    "sobol": _sobol,
    "morris": _morris,
}
