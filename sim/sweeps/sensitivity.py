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
    1996), estimated with the Saltelli et al. (2010) estimators (second-order
    indices with Saltelli's 2002 one) and bootstrap confidence intervals: the
    numbers :func:`SALib.analyze.sobol.analyze` returns for the same resampling
    seed, computed here with the parts every parameter shares (the resampled
    ``A`` and ``B`` outputs, their variance) computed once rather than once per
    parameter and index.
Morris elementary effects (``morris`` samples)
    :math:`EE_i = (Y(u + \Delta e_i) - Y(u))/\Delta` along each trajectory;
    :math:`\mu^*_i` is the mean of :math:`|EE_i|` (Campolongo, Cariboni & Saltelli
    2007), :math:`\sigma_i` their standard deviation (non-linearity or
    interactions; Morris 1991), :func:`SALib.analyze.morris.analyze`.
Tornado (``oat`` samples)
    For each parameter, the outcome at its lowest and highest visited value with
    the others at baseline, and the swing :math:`|Y_{high} - Y_{low}|`
    (Clemen & Reilly 2001, ch. 5), largest swing first.

:func:`evaluate_outcomes` computes the outcomes of every row of a design in memory, chunk
by chunk, and only what they need: the hold-up test for ``margin_<deal>`` and
``holds_<deal>``, one solver for ``SOLVER=DEAL`` (1 where that solver predicts that
deal). :func:`analyse` runs the analysis the design calls for on each outcome, and
:func:`design_sensitivity` does both (``kurilsim sensitivity``).

Bootstrap intervals are reproducible: unless a seed is given, the resampling
stream is derived from the sample's own seed (:func:`bootstrap_seed`), so the
same design and outcome always give the same intervals (and the same chart).

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from SALib.analyze import morris as salib_morris
from scipy.stats import norm

from sim.errors import UserError, did_you_mean
from sim.evaluate import Evaluation, menu_of
from sim.model.scenario import Scenario
from sim.predict import REGISTRY
from sim.predict import get as get_solver
from sim.sweeps import columns
from sim.sweeps.outcomes import evaluations
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


EPS = float(np.finfo(float).eps)
"""Variances (and output ranges) at or below this give indices of zero, as in SALib."""


BOOTSTRAP_STREAM = 1
"""Second entropy word of the bootstrap stream: ``SeedSequence([seed, 1])``."""


def bootstrap_seed(samples: Samples) -> np.random.SeedSequence:
    """The resampling stream of a design's bootstrap intervals, derived from its seed.

    ``SeedSequence([samples.seed, BOOTSTRAP_STREAM])``: the same for every analysis of
    the same design, and independent of the streams drawn from ``SeedSequence(seed)``
    (the design's, and the per-chunk ones of a Monte Carlo sweep).
    """
    return np.random.SeedSequence([samples.seed, BOOTSTRAP_STREAM])


@dataclass(frozen=True)
class Outcome:
    """One number per draw for a sensitivity analysis, parsed from its name.

    Attributes
    ----------
    text : str
        As written: ``margin_<deal>``, ``holds_<deal>`` or ``SOLVER=DEAL``.
    kind : str
        ``"margin"``, ``"holds"`` (:mod:`sim.sweeps.columns`) or ``"predicts"``.
    deal : str
    solver : str
        The solver of a ``predicts`` outcome, else ``""``.
    """

    text: str
    kind: str
    deal: str
    solver: str = ""


PREDICTS = "predicts"
"""Kind of a ``SOLVER=DEAL`` outcome: 1 where the solver predicts the deal, else 0."""


def parse_outcome(text: str, deals: Sequence[str]) -> Outcome:
    """Parse an outcome name against the menu ``deals`` (status quo first).

    Raises
    ------
    UserError
        For an unknown solver, or a column that is not a margin or hold-up flag of a
        deal of the menu (the status quo has neither).
    """
    if "=" in text:
        solver, deal = (part.strip() for part in text.split("=", 1))
        if solver not in REGISTRY:
            raise UserError(f"unknown solver '{solver}'{did_you_mean(solver, REGISTRY)}")
        return Outcome(text, PREDICTS, deal, solver)
    known = [columns.name(kind, d) for d in deals[1:] for kind in (columns.MARGIN, columns.HOLDS)]
    parsed = columns.parse(text)
    if parsed is None or text not in known:
        raise UserError(
            f"unknown outcome '{text}'{did_you_mean(text, known)}; expected "
            "margin_<deal>, holds_<deal> or SOLVER=DEAL (e.g. nash=shelve)"
        )
    return Outcome(text, parsed[0], parsed[1])


def evaluate_outcomes(
    scenario: Scenario,
    samples: Samples,
    outcomes: Sequence[str] | None = None,
    *,
    chunk_size: int = 10_000,
) -> dict[str, Array]:
    """Each outcome in every row of a design, evaluated in memory, only what it needs.

    Parameters
    ----------
    scenario : Scenario
    samples : Samples
        The design; its rows are evaluated ``chunk_size`` at a time.
    outcomes : sequence of str, optional
        ``margin_<deal>``, ``holds_<deal>`` or ``SOLVER=DEAL``. Default: the margin and
        the hold-up flag of the deal that holds up in the most rows (the first such
        deal of the menu on a tie).
    chunk_size : int
        Rows evaluated at once (memory grows with it, the results do not change).

    Returns
    -------
    dict of str to ndarray
        One float array of shape ``(N,)`` per outcome, in the order asked.

    Raises
    ------
    UserError
        For an outcome :func:`parse_outcome` refuses, or a deal no outcome of the
        solver can be.
    """
    deals = menu_of(scenario).ids
    wanted = [parse_outcome(text, deals) for text in outcomes or ()]
    tested = [
        d
        for d in deals
        if outcomes is None or any(o.deal == d for o in wanted if o.kind != PREDICTS)
    ]
    draws = _Draws(samples.n_rows, tested, sorted({o.solver for o in wanted if o.solver}))
    for lo in range(0, samples.n_rows, chunk_size):
        for rows, ev in evaluations(scenario, samples.space, samples.values[lo : lo + chunk_size]):
            draws.add(lo + rows, ev)
    if outcomes is None:
        deal = tested[1 + int(np.argmax(draws.holds[:, 1:].sum(axis=0)))]
        wanted = [
            parse_outcome(columns.name(k, deal), deals) for k in (columns.MARGIN, columns.HOLDS)
        ]
    return {o.text: draws.values(o) for o in wanted}


class _Draws:
    """What :func:`evaluate_outcomes` keeps of each evaluated chunk."""

    def __init__(self, n: int, tested: Sequence[str], solvers: Sequence[str]) -> None:
        self.tested = list(tested)
        self.margin = np.zeros((n, len(tested)))
        self.holds = np.zeros((n, len(tested)), dtype=bool)
        self.codes = {name: np.zeros(n, dtype=np.intp) for name in solvers}
        self.code_ids: dict[str, tuple[str, ...]] = {}

    def add(self, rows: NDArray[np.intp], ev: Evaluation) -> None:
        if self.tested:
            test = ev.hold_up()
            columns_ = [test.deal_ids.index(d) for d in self.tested]
            self.margin[rows] = test.margin[:, columns_]
            self.holds[rows] = test.holds[:, columns_]
        for name, codes in self.codes.items():
            prediction = get_solver(name).predict(ev)
            codes[rows] = prediction.codes
            self.code_ids[name] = prediction.code_ids

    def values(self, outcome: Outcome) -> Array:
        if outcome.kind == PREDICTS:
            ids = self.code_ids[outcome.solver]
            if outcome.deal not in ids:
                raise UserError(
                    f"{outcome.solver} never predicts '{outcome.deal}'"
                    f"{did_you_mean(outcome.deal, ids)}: expected one of {', '.join(ids)}"
                )
            return (self.codes[outcome.solver] == ids.index(outcome.deal)).astype(float)
        column = self.tested.index(outcome.deal)
        if outcome.kind == columns.MARGIN:
            return self.margin[:, column].copy()
        return self.holds[:, column].astype(float)


@dataclass(frozen=True)
class Sensitivity:
    """Indices of one outcome: a table ranked by importance, or why there is none."""

    outcome: str
    method: str
    table: pd.DataFrame | None
    note: str = ""


def analyse(samples: Samples, outcomes: Mapping[str, ArrayLike]) -> list[Sensitivity]:
    """Sobol, Morris or tornado indices of each outcome, most important parameter first.

    Parameters
    ----------
    samples : Samples
        A ``sobol``, ``morris`` or ``oat`` design.
    outcomes : mapping of str to array_like
        Each outcome's value in every row, shape ``(N,)``.

    Returns
    -------
    list of Sensitivity
        In the order of ``outcomes``; an outcome that does not vary gets a note instead.
    """
    if samples.method not in ("sobol", "morris", "oat"):
        raise UserError(f"sensitivity needs a sobol, morris or oat design, not '{samples.method}'")
    out = []
    for name, values in outcomes.items():
        y = np.asarray(values, dtype=float)
        if np.ptp(y) == 0:
            out.append(Sensitivity(name, samples.method, None, "does not vary in this sweep"))
            continue
        if samples.method == "sobol":
            frame = sobol_indices(samples, y).to_df().sort_values("ST", ascending=False)
        elif samples.method == "morris":
            frame = morris_indices(samples, y).to_df().sort_values("mu_star", ascending=False)
        else:
            frame = tornado(samples, y).to_df()
        out.append(Sensitivity(name, samples.method, frame))
    return out


def design_sensitivity(
    scenario: Scenario,
    samples: Samples,
    outcomes: Sequence[str] | None = None,
    *,
    chunk_size: int = 10_000,
) -> list[Sensitivity]:
    """:func:`evaluate_outcomes` of a design, then :func:`analyse` of each outcome.

    Examples
    --------
    >>> from sim import load_scenario
    >>> from sim.sweeps.samplers import sample
    >>> from sim.sweeps.spec import sweep_space
    >>> scenario = load_scenario("scenarios/baseline_2003.toml")
    >>> swept = {
    ...     "actors.japan.no_progress_cost": {"range": [0.2, 3]},
    ...     "actors.russia.island_value.etorofu": {"range": [2.5, 10]},
    ... }
    >>> design = sample(sweep_space(scenario, swept), "sobol", 64, seed=1)
    >>> (found,) = design_sensitivity(scenario, design, ["margin_shelve"])
    >>> found.table["ST"].round(1).to_dict()  # only Japan's no-progress cost moves it
    {'actors.japan.no_progress_cost': 1.0, 'actors.russia.island_value.etorofu': 0.0}
    """
    return analyse(samples, evaluate_outcomes(scenario, samples, outcomes, chunk_size=chunk_size))


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
        Seed of the bootstrap: the resampled rows are
        ``np.random.default_rng(seed).integers(n, size=(n, num_resamples))``, as in
        :func:`SALib.analyze.sobol.analyze` for a non-zero seed. Default: the stream
        :func:`bootstrap_seed` derives from the sample's seed.

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
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must lie strictly between 0 and 1, got {conf_level}")
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, int) or num_resamples < 2:
        raise ValueError(f"num_resamples must be an integer of at least 2, got {num_resamples!r}")
    rng = np.random.default_rng(bootstrap_seed(samples) if seed is None else seed)
    blocks = _saltelli_blocks(y, len(samples.names), second)
    resample = rng.integers(blocks.n, size=(blocks.n, num_resamples))
    z = float(norm.ppf(0.5 + conf_level / 2))
    return _sobol_estimates(samples.names, blocks, resample, z)


@dataclass(frozen=True)
class _Blocks:
    """The model outputs of a Saltelli design, split by block (normalised outcome).

    ``a``, ``b`` have shape ``(n,)``; ``ab``, ``ba`` shape ``(P, n)`` (``ba`` only for a
    second-order design).
    """

    a: Array
    b: Array
    ab: Array
    ba: Array | None

    @property
    def n(self) -> int:
        return int(self.a.shape[0])


def _saltelli_blocks(y: Array, p: int, second: bool) -> _Blocks:
    """Split ``y`` by the row order of :func:`~sim.sweeps.samplers.saltelli_matrix`."""
    y = (y - y.mean()) / y.std()
    rows = y.reshape(-1, 2 * p + 2 if second else p + 2)
    ba = np.ascontiguousarray(rows[:, p + 1 : 2 * p + 1].T) if second else None
    return _Blocks(rows[:, 0], rows[:, -1], np.ascontiguousarray(rows[:, 1 : p + 1].T), ba)


def _shared_variance(a: Array, b: Array) -> Array:
    """Variance of the ``A`` and ``B`` outputs (per column); zero when they are constant."""
    both = np.r_[a, b]
    if np.ptp(both) <= EPS:
        return np.zeros(both.shape[1:])
    return np.asarray(np.var(both, axis=0))


def _share(numerator: Array, variance: Array) -> Array:
    """``numerator / variance``, zero where the variance is not above :data:`EPS`."""
    return np.divide(numerator, variance, out=np.zeros_like(variance), where=variance > EPS)


def _sobol_estimates(
    names: tuple[str, ...], blocks: _Blocks, resample: NDArray[np.int64], z: float
) -> SobolResult:
    """Point estimates and bootstrap half-widths of every index (Saltelli 2010, 2002).

    ``S_j = mean(B (AB_j - A)) / V`` and ``ST_j = mean((A - AB_j)^2) / (2V)``, with
    ``V`` the variance of the ``A`` and ``B`` outputs; second order
    ``S_jk = mean(BA_j AB_k - A B) / V - S_j - S_k``. Each half-width is ``z`` times the
    standard deviation (``ddof=1``) of the estimate over the resampled rows ``resample``
    (shape ``(n, R)``). Written as in :mod:`SALib.analyze.sobol`, term for term, so the
    numbers are the same to the last bit.
    """
    a, b, p = blocks.a, blocks.b, len(names)
    a_r, b_r = a[resample], b[resample]
    variance, variance_r = _shared_variance(a, b), _shared_variance(a_r, b_r)
    s1, st = np.zeros(p), np.zeros(p)
    s1_r = np.zeros((p, resample.shape[1]))
    st_conf = np.zeros(p)
    for j in range(p):
        ab, ab_r = blocks.ab[j], blocks.ab[j][resample]
        s1[j] = _share(np.mean(b * (ab - a), axis=0), variance)
        st[j] = _share(0.5 * np.mean((a - ab) ** 2, axis=0), variance)
        s1_r[j] = _share(np.mean(b_r * (ab_r - a_r), axis=0), variance_r)
        st_conf[j] = z * _share(0.5 * np.mean((a_r - ab_r) ** 2, axis=0), variance_r).std(ddof=1)
    s1_conf = z * s1_r.std(axis=1, ddof=1)
    result = SobolResult(names, s1, s1_conf, st, st_conf)
    if blocks.ba is None:
        return result
    s2, s2_conf = _second_order(blocks, blocks.ba, resample, variance, variance_r, s1, s1_r, z)
    return replace(result, S2=s2, S2_conf=s2_conf)


def _second_order(
    blocks: _Blocks,
    crossed: Array,
    resample: NDArray[np.int64],
    variance: Array,
    variance_r: Array,
    s1: Array,
    s1_r: Array,
    z: float,
) -> tuple[Array, Array]:
    """Second-order indices and half-widths, upper triangle of ``(P, P)`` (NaN elsewhere).

    ``crossed`` is ``blocks.ba``, shape ``(P, n)``.
    """
    a, b, p = blocks.a, blocks.b, len(s1)
    a_r, b_r = a[resample], b[resample]
    ab_b, ab_b_r = a * b, a_r * b_r
    s2, s2_conf = np.full((p, p), np.nan), np.full((p, p), np.nan)
    for j in range(p):
        ba, ba_r = crossed[j], crossed[j][resample]
        for k in range(j + 1, p):
            ab, ab_r = blocks.ab[k], blocks.ab[k][resample]
            v = _share(np.mean(ba * ab - ab_b, axis=0), variance)
            v_r = _share(np.mean(ba_r * ab_r - ab_b_r, axis=0), variance_r)
            s2[j, k] = v - s1[j] - s1[k]
            s2_conf[j, k] = z * (v_r - s1_r[j] - s1_r[k]).std(ddof=1)
    return s2, s2_conf


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
        Seed of the bootstrap; default: the stream :func:`bootstrap_seed` derives from
        the sample's seed.

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
        seed=bootstrap_seed(samples) if seed is None else seed,
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
