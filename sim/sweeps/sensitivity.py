r"""Sensitivity of one scalar outcome to the swept parameters.

All three analyses take the :class:`~sim.sweeps.samplers.Samples` a matching
sampler produced and the outcome ``Y[n]`` of each row, SALib-style
(``analyze(problem, Y)``; Herman & Usher 2017). Indices are computed on the
unit-cube problem, so they are those of the quantiles :math:`u_p`; since each
parameter is a monotone function of its quantile, variance-based indices are
the same as for the parameters themselves, and Morris effects are per unit of
quantile (for a uniform parameter, per unit of its range).

Sobol' indices (``sobol`` samples)
    First-order :math:`S_i = V[E(Y \mid X_i)] / V(Y)` and total
    :math:`S_{Ti} = E[V(Y \mid X_{\sim i})] / V(Y)` (Sobol' 1993; Homma & Saltelli
    1996), estimated with the Saltelli et al. (2010) estimators and bootstrap
    confidence intervals, :func:`SALib.analyze.sobol.analyze`.
Morris elementary effects (``morris`` samples)
    :math:`EE_i = (Y(u + \Delta e_i) - Y(u))/\Delta` along each trajectory;
    :math:`\mu^*_i` is the mean of :math:`|EE_i|` (Campolongo, Cariboni & Saltelli
    2007), :math:`\sigma_i` their standard deviation (non-linearity or
    interactions; Morris 1991), :func:`SALib.analyze.morris.analyze`.
Tornado (``oat`` samples)
    For each parameter, the outcome at its lowest and highest visited value with
    the others at baseline, and the swing :math:`|Y_{high} - Y_{low}|`
    (Clemen & Reilly 2001, ch. 5), largest swing first.

References
----------
Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design
for sensitivity analysis of large models. *Environ. Model. Softw.* 22, 1509–1518.
Clemen, R. T. & Reilly, T. (2001). *Making Hard Decisions*. Duxbury.
Herman, J. & Usher, W. (2017). SALib. *JOSS* 2(9), 97.
Homma, T. & Saltelli, A. (1996). Importance measures in global sensitivity analysis
of nonlinear models. *Reliab. Eng. Syst. Saf.* 52, 1–17.
Morris, M. D. (1991). *Technometrics* 33(2), 161–174.
Saltelli, A. et al. (2010). *Computer Physics Communications* 181(2), 259–270.
Sobol', I. M. (1993). Sensitivity estimates for nonlinear mathematical models.
*Math. Model. Comput. Exp.* 1, 407–414.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol

from sim.sweeps.samplers import Samples

Array = NDArray[np.float64]

NOISE_FLOOR = 0.05
"""Indices and interval half-widths below this are not flagged as noisy."""

SOBOL_MEANING = (
    "S1 (first-order index): the share of the outcome's variance that the assumption "
    "explains on its own. ST (total index): the share it explains with all its "
    "interactions, so ST >= S1; a large ST - S1 means the assumption matters through "
    "interactions. The ± columns are half-widths of 95% bootstrap intervals."
)


def _ranked(names: tuple[str, ...], score: Array) -> tuple[str, ...]:
    return tuple(names[i] for i in np.argsort(-score, kind="stable"))


@dataclass(frozen=True)
class SobolResult:
    """Sobol' indices of each parameter, arrays of shape ``(P,)``.

    ``S2``/``S2_conf`` are ``(P, P)`` (upper triangle) when the sample supports
    second-order indices, else ``None``. ``*_conf`` are half-widths of the
    bootstrap confidence intervals.
    """

    names: tuple[str, ...]
    S1: Array
    S1_conf: Array
    ST: Array
    ST_conf: Array
    S2: Array | None = None
    S2_conf: Array | None = None

    def to_df(self) -> pd.DataFrame:
        """First-order and total indices with confidence, indexed by parameter."""
        columns = {"S1": self.S1, "S1_conf": self.S1_conf, "ST": self.ST, "ST_conf": self.ST_conf}
        return pd.DataFrame(columns, index=pd.Index(self.names, name="parameter"))

    def ranked(self) -> tuple[str, ...]:
        """Parameter names by total index, largest first."""
        return _ranked(self.names, self.ST)

    def warnings(self, floor: float = NOISE_FLOOR, **kwargs: str) -> list[str]:
        """Plain-words warnings when the estimates are too noisy (:func:`noise_warnings`)."""
        return noise_warnings(self.to_df(), floor, **kwargs)


@dataclass(frozen=True)
class MorrisResult:
    """Morris statistics of each parameter, arrays of shape ``(P,)``."""

    names: tuple[str, ...]
    mu: Array
    mu_star: Array
    mu_star_conf: Array
    sigma: Array

    def to_df(self) -> pd.DataFrame:
        """``mu``, ``mu_star``, ``mu_star_conf`` and ``sigma``, indexed by parameter."""
        columns = {
            "mu": self.mu,
            "mu_star": self.mu_star,
            "mu_star_conf": self.mu_star_conf,
            "sigma": self.sigma,
        }
        return pd.DataFrame(columns, index=pd.Index(self.names, name="parameter"))

    def ranked(self) -> tuple[str, ...]:
        """Parameter names by ``mu_star``, largest first."""
        return _ranked(self.names, self.mu_star)


@dataclass(frozen=True)
class TornadoResult:
    """One-at-a-time swings, sorted by swing (largest first); arrays of shape ``(P,)``.

    Attributes
    ----------
    names : tuple of str
    low_value, high_value : ndarray
        Lowest and highest visited value of each parameter (codes for discrete ones).
    low, high : ndarray
        Outcome there, the others at baseline.
    swing : ndarray
        ``|high - low|``.
    baseline : float
        Outcome with every parameter at baseline.
    """

    names: tuple[str, ...]
    low_value: Array
    high_value: Array
    low: Array
    high: Array
    swing: Array
    baseline: float

    def to_df(self) -> pd.DataFrame:
        """The swings, indexed by parameter, largest first."""
        columns = {
            "low_value": self.low_value,
            "high_value": self.high_value,
            "low": self.low,
            "high": self.high,
            "swing": self.swing,
        }
        return pd.DataFrame(columns, index=pd.Index(self.names, name="parameter"))


def sobol_indices(
    samples: Samples,
    Y: ArrayLike,
    *,
    calc_second_order: bool | None = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
) -> SobolResult:
    """First-order and total Sobol' indices from a ``sobol`` sample.

    Parameters
    ----------
    samples : Samples
        From ``sample(space, "sobol", n, seed)``.
    Y : array_like, shape (N,)
        Finite outcome of each row, not constant.
    calc_second_order : bool, optional
        Must match the sample; by default, whatever the sample supports
        (``False`` with the sampler's default).
    num_resamples, conf_level : int, float
        Bootstrap of the confidence intervals.
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    SobolResult
    """
    y = _outcomes(samples, Y, "sobol")
    second = samples.second_order if calc_second_order is None else calc_second_order
    if second != samples.second_order:
        raise ValueError(
            f"calc_second_order={second} does not match the sample "
            f"(drawn with second_order={samples.second_order})"
        )
    if np.ptp(y) == 0:
        raise ValueError("the outcome is constant: Sobol' indices are undefined")
    si = salib_sobol.analyze(
        samples.space.salib_problem(),
        y,
        calc_second_order=second,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    return SobolResult(
        names=samples.names,
        S1=np.asarray(si["S1"], dtype=float),
        S1_conf=np.asarray(si["S1_conf"], dtype=float),
        ST=np.asarray(si["ST"], dtype=float),
        ST_conf=np.asarray(si["ST_conf"], dtype=float),
        S2=np.asarray(si["S2"], dtype=float) if second else None,
        S2_conf=np.asarray(si["S2_conf"], dtype=float) if second else None,
    )


def morris_indices(
    samples: Samples,
    Y: ArrayLike,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int | None = None,
) -> MorrisResult:
    """Morris ``mu``, ``mu_star`` (with confidence) and ``sigma`` from a ``morris`` sample.

    Effects are per unit of quantile, i.e. per unit-cube step.

    Parameters
    ----------
    samples : Samples
        From ``sample(space, "morris", n, seed)``.
    Y : array_like, shape (N,)
        Finite outcome of each row.
    num_resamples, conf_level : int, float
        Bootstrap of ``mu_star_conf``.
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    MorrisResult
    """
    y = _outcomes(samples, Y, "morris")
    si = salib_morris.analyze(
        samples.space.salib_problem(),
        np.ascontiguousarray(samples.unit, dtype=float),
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=samples.levels[0],
        seed=seed,
    )
    return MorrisResult(
        names=samples.names,
        mu=np.asarray(si["mu"], dtype=float),
        mu_star=np.asarray(si["mu_star"], dtype=float),
        mu_star_conf=np.asarray(si["mu_star_conf"], dtype=float),
        sigma=np.asarray(si["sigma"], dtype=float),
    )


def tornado(samples: Samples, Y: ArrayLike) -> TornadoResult:
    """Swing of the outcome as each parameter moves alone, from an ``oat`` sample.

    Parameters
    ----------
    samples : Samples
        From ``sample(space, "oat", n, seed)``.
    Y : array_like, shape (N,)
        Finite outcome of each row.

    Returns
    -------
    TornadoResult
    """
    y = _outcomes(samples, Y, "oat")
    low_row, high_row = _extreme_rows(samples)
    columns = np.arange(len(samples.names))
    low, high = y[low_row], y[high_row]
    swing = np.abs(high - low)
    order = np.argsort(-swing, kind="stable")
    return TornadoResult(
        names=tuple(samples.names[i] for i in order),
        low_value=samples.values[low_row, columns][order],
        high_value=samples.values[high_row, columns][order],
        low=low[order],
        high=high[order],
        swing=swing[order],
        baseline=float(y[samples.baseline_rows[0]]),
    )


def _extreme_rows(samples: Samples) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Rows of each parameter's lowest and highest varied value, shapes ``(P,)``."""
    rows = np.flatnonzero(samples.varied >= 0)
    who = samples.varied[rows]
    value = samples.values[rows, who]
    order = rows[np.lexsort((value, who))]
    counts = np.bincount(who, minlength=len(samples.names))
    if np.any(counts == 0):
        raise ValueError("the one-at-a-time sample does not vary every parameter")
    last = np.cumsum(counts) - 1
    return order[last - counts + 1], order[last]


def _outcomes(samples: Samples, Y: ArrayLike, method: str) -> Array:
    """``Y`` as a finite float vector with one entry per row of a ``method`` sample."""
    if samples.method != method:
        raise ValueError(
            f"this analysis needs a '{method}' sample, got a '{samples.method}' sample"
        )
    y = np.asarray(Y, dtype=float)
    if y.ndim != 1 or len(y) != samples.n_rows:
        raise ValueError(
            f"Y must be one outcome per sample row, shape ({samples.n_rows},), got {y.shape}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError(f"Y must be finite; {int(np.sum(~np.isfinite(y)))} value(s) are not")
    return y


def noise_warnings(
    frame: pd.DataFrame,
    floor: float = NOISE_FLOOR,
    advice: str = "rerun with more samples (e.g. --samples 1024 or more)",
) -> list[str]:
    """Plain-words warnings when Sobol' estimates are too noisy to be read.

    ``frame`` has columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` indexed by parameter
    (:meth:`SobolResult.to_df`). Three symptoms of too few samples are flagged, each only
    for indices or intervals above ``floor`` (so that the near-zero indices of
    unimportant parameters, with tiny intervals, are not): a 95% interval wider than the
    index it qualifies; a first-order index above the total one by more than their
    intervals allow (in theory :math:`S_i \\le S_{Ti}`); a first-order index below zero
    beyond its interval.
    """
    s1, s1c = frame["S1"].to_numpy(), frame["S1_conf"].to_numpy()
    st, stc = frame["ST"].to_numpy(), frame["ST_conf"].to_numpy()
    names = list(frame.index)
    half = np.maximum(s1c, stc)
    wide = ((s1c > floor) & (s1c > np.abs(s1))) | ((stc > floor) & (stc > np.abs(st)))
    above = s1 - st > np.maximum(s1c + stc, floor)
    negative = s1 < -np.maximum(s1c, floor)
    out = []
    if wide.any():
        worst = int(np.argmax(np.where(wide, half, -np.inf)))
        out.append(
            f"For {int(wide.sum())} of {len(names)} assumptions the 95% interval is wider than "
            f"the index itself (up to ±{half[worst]:.2f}, {names[worst]})."
        )
    if above.any():
        out.append(
            f"For {int(above.sum())} assumption(s) the first-order index exceeds the total one, "
            "which only sampling noise can do."
        )
    if negative.any():
        out.append(f"{int(negative.sum())} first-order index(es) are clearly negative (noise).")
    if out:
        out.append(f"These estimates are too noisy to rank the assumptions: {advice}.")
    return out
