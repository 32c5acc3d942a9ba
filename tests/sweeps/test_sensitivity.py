"""Sobol' indices, Morris screening and tornado swings against known answers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.sweeps.samplers import OAT_HIGH, OAT_LOW, Samples, sample
from sim.sweeps.sensitivity import morris_indices, sobol_indices, tornado
from sim.sweeps.space import SweepParameter, SweepSpace, Uniform

A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    """Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1."""
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    """Analytic first-order and total indices for x_i ~ U(-π, π).

    Partial variances (Ishigami & Homma 1990; Sobol' & Levitan 1999):
    V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = b²π⁸(1/18 − 1/50) = 8b²π⁸/225,
    V = V1 + V2 + V13. With a = 7, b = 0.1: S1 ≈ (0.3139, 0.4424, 0),
    ST ≈ (0.5576, 0.4424, 0.2437).
    """
    pi = np.pi
    v1 = (1 + B * pi**4 / 5) ** 2 / 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * pi**8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def space_on(p: int, low: float, high: float) -> SweepSpace:
    return SweepSpace(
        tuple(SweepParameter(f"x{i}", Uniform(low, high), (low + high) / 2) for i in range(p))
    )


def test_analytic_ishigami_values_match_the_literature() -> None:
    s1, st = ishigami_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_indices_of_ishigami() -> None:
    samples = sample(space_on(3, -np.pi, np.pi), "sobol", 2**12, seed=2024)
    result = sobol_indices(samples, ishigami(samples.values), seed=1)
    s1, st = ishigami_indices()
    np.testing.assert_allclose(result.S1, s1, atol=0.02)
    np.testing.assert_allclose(result.ST, st, atol=0.02)
    assert np.all(result.S1_conf > 0) and np.all(result.ST_conf < 0.1)
    assert result.ranked() == ("x0", "x1", "x2")
    df = result.to_df()
    assert list(df.index) == ["x0", "x1", "x2"]
    assert list(df.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert result.S2 is None


def test_sobol_second_order_interaction_of_ishigami() -> None:
    samples = sample(space_on(3, -np.pi, np.pi), "sobol", 2**10, seed=5, second_order=True)
    result = sobol_indices(samples, ishigami(samples.values), seed=1)
    s1, st = ishigami_indices()
    assert result.S2 is not None
    # the only interaction is x1-x3: S13 = ST1 - S1
    assert result.S2[0, 2] == pytest.approx(st[0] - s1[0], abs=0.08)
    assert abs(result.S2[0, 1]) < 0.08


def test_morris_ranks_a_linear_function_by_its_coefficients() -> None:
    coef = np.array([0.5, -4.0, 2.0, 0.0])
    low, high = 1.0, 3.0
    samples = sample(space_on(4, low, high), "morris", 20, seed=9)
    result = morris_indices(samples, samples.values @ coef, seed=0)
    # every elementary effect of a linear function is its slope per unit quantile
    np.testing.assert_allclose(result.mu_star, np.abs(coef) * (high - low), atol=1e-9)
    np.testing.assert_allclose(result.mu, coef * (high - low), atol=1e-9)
    np.testing.assert_allclose(result.sigma, 0.0, atol=1e-9)
    assert result.ranked() == ("x1", "x2", "x0", "x3")
    assert list(result.to_df().columns) == ["mu", "mu_star", "mu_star_conf", "sigma"]


def test_tornado_swings_are_proportional_to_coefficients() -> None:
    coef = np.array([1.0, -3.0, 2.0])
    low, high = 0.0, 10.0
    samples = sample(space_on(3, low, high), "oat", 1 + 3 * 7, seed=0)
    y = 4.0 + samples.values @ coef
    result = tornado(samples, y)
    span = (OAT_HIGH - OAT_LOW) * (high - low)
    assert result.names == ("x1", "x2", "x0")
    np.testing.assert_allclose(result.swing, np.abs(coef[[1, 2, 0]]) * span, atol=1e-9)
    np.testing.assert_allclose(result.low_value, low + OAT_LOW * (high - low), atol=1e-12)
    np.testing.assert_allclose(result.high_value, low + OAT_HIGH * (high - low), atol=1e-12)
    assert result.baseline == pytest.approx(4.0 + coef.sum() * 5.0)
    assert result.high[0] - result.low[0] == pytest.approx(-3.0 * span)
    assert result.to_df().index.tolist() == ["x1", "x2", "x0"]


def _mc() -> Samples:
    return sample(space_on(2, 0.0, 1.0), "mc", 10, seed=0)


@pytest.mark.parametrize("analysis", [sobol_indices, morris_indices, tornado])
def test_analyses_need_their_own_sample(analysis: object) -> None:
    with pytest.raises(ValueError, match="needs a '.*' sample, got a 'mc' sample"):
        analysis(_mc(), np.zeros(10))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.zeros(7), r"shape \(24,\)"),
        (np.zeros((24, 1)), r"shape \(24,\)"),
        (np.r_[np.nan, np.arange(23.0)], "finite"),
        (np.r_[np.inf, np.arange(23.0)], "finite"),
        (np.ones(24), "constant"),
    ],
)
def test_invalid_outcomes_are_rejected(y: np.ndarray, message: str) -> None:
    samples = sample(space_on(1, 0.0, 1.0), "sobol", 8, seed=0)
    assert samples.n_rows == 24
    with pytest.raises(ValueError, match=message):
        sobol_indices(samples, y)


def test_second_order_flag_must_match_the_sample() -> None:
    samples = sample(space_on(2, 0.0, 1.0), "sobol", 8, seed=0)
    with pytest.raises(ValueError, match="does not match"):
        sobol_indices(samples, np.arange(samples.n_rows, dtype=float), calc_second_order=True)


def test_noisy_sobol_estimates_are_flagged_and_clean_ones_are_not():
    import pandas as pd

    from sim.sweeps.sensitivity import noise_warnings

    def frame(rows):
        return pd.DataFrame(rows, columns=["S1", "S1_conf", "ST", "ST_conf"], index=list("abc"))

    clean = frame([[0.6, 0.05, 0.65, 0.04], [0.2, 0.03, 0.25, 0.02], [0.0, 0.001, 0.0, 0.001]])
    assert noise_warnings(clean) == []
    wide = frame([[0.6, 0.05, 0.65, 0.04], [0.1, 0.35, 0.2, 0.1], [0.0, 0.0, 0.0, 0.0]])
    assert "1 of 3 assumptions" in noise_warnings(wide)[0] and "±0.35" in noise_warnings(wide)[0]
    above = frame([[0.6, 0.01, 0.3, 0.01], [0.1, 0.01, 0.12, 0.01], [0.0, 0.0, 0.0, 0.0]])
    assert any("exceeds the total" in w for w in noise_warnings(above))
    negative = frame([[-0.3, 0.05, 0.1, 0.05], [0.1, 0.01, 0.12, 0.01], [0.0, 0.0, 0.0, 0.0]])
    assert any("clearly negative" in w for w in noise_warnings(negative))
    assert noise_warnings(negative)[-1].startswith("These estimates are too noisy")


def _salib_sobol(samples: Samples, y: np.ndarray, seed: int, **options: object) -> dict:
    from SALib.analyze import sobol as salib_sobol

    return salib_sobol.analyze(
        samples.space.salib_problem(),
        y,
        calc_second_order=samples.second_order,
        seed=seed,
        **options,
    )


def _steps(x: np.ndarray) -> np.ndarray:
    """A step function with interactions (ties, like the hold-up flags of a sweep)."""
    return ((x[:, 0] > 0.3) & (x[:, 1] < 0.6)).astype(float) + 0.5 * (x[:, 2] > 0.8)


@pytest.mark.parametrize(
    ("p", "n", "second_order", "model", "options"),
    [
        (3, 2**10, False, ishigami, {}),
        (3, 2**8, True, ishigami, {"num_resamples": 30, "conf_level": 0.9}),
        (5, 2**9, False, _steps, {}),
        (4, 2**7, True, _steps, {"num_resamples": 17}),
    ],
)
def test_sobol_indices_are_salibs_to_the_last_bit(
    p: int, n: int, second_order: bool, model: object, options: dict
) -> None:
    """The same numbers as SALib's own analysis for the same bootstrap seed."""
    samples = sample(space_on(p, -np.pi, np.pi), "sobol", n, seed=3, second_order=second_order)
    y = model(samples.values)  # type: ignore[operator]
    ours = sobol_indices(samples, y, seed=42, **options)  # type: ignore[arg-type]
    theirs = _salib_sobol(samples, y, 42, **options)
    for key in ("S1", "S1_conf", "ST", "ST_conf", *(("S2", "S2_conf") if second_order else ())):
        np.testing.assert_array_equal(getattr(ours, key), theirs[key], err_msg=key)


@pytest.mark.filterwarnings("ignore:Constant values encountered")
def test_sobol_indices_where_only_the_crossed_rows_vary_are_salibs() -> None:
    """Constant A and B outputs: SALib's indices are zero (its guard); so are ours."""
    samples = sample(space_on(2, 0.0, 1.0), "sobol", 16, seed=0)
    y = np.zeros(samples.n_rows)
    y[1::4] = np.arange(16.0)  # only the AB_1 rows vary
    ours = sobol_indices(samples, y, seed=7)
    theirs = _salib_sobol(samples, y, 7)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        np.testing.assert_array_equal(getattr(ours, key), theirs[key], err_msg=key)


def test_sobol_intervals_are_reproducible_without_a_seed() -> None:
    """Unseeded, SALib draws its resamples from numpy's global state: different each time."""
    samples = sample(space_on(3, -np.pi, np.pi), "sobol", 2**8, seed=2024)
    y = ishigami(samples.values)
    first, second = sobol_indices(samples, y), sobol_indices(samples, y)
    np.testing.assert_array_equal(first.S1_conf, second.S1_conf)
    np.testing.assert_array_equal(first.ST_conf, second.ST_conf)
    other = sobol_indices(sample(space_on(3, -np.pi, np.pi), "sobol", 2**8, seed=2025), y)
    assert not np.array_equal(first.ST_conf, other.ST_conf)  # the stream follows the seed


def test_a_zero_bootstrap_seed_is_a_seed() -> None:
    """SALib takes ``seed=0`` for no seed at all; here it is a seed like any other."""
    samples = sample(space_on(3, -np.pi, np.pi), "sobol", 2**8, seed=1)
    y = ishigami(samples.values)
    np.testing.assert_array_equal(
        sobol_indices(samples, y, seed=0).ST_conf, sobol_indices(samples, y, seed=0).ST_conf
    )


def test_morris_intervals_are_reproducible_without_a_seed() -> None:
    samples = sample(space_on(4, 0.0, 1.0), "morris", 30, seed=9)
    y = ishigami(samples.values * 2 * np.pi - np.pi)
    first, second = morris_indices(samples, y), morris_indices(samples, y)
    np.testing.assert_array_equal(first.mu_star_conf, second.mu_star_conf)


@pytest.mark.parametrize(("option", "value"), [("conf_level", 1.0), ("num_resamples", 1)])
def test_bootstrap_options_are_checked(option: str, value: float) -> None:
    samples = sample(space_on(2, 0.0, 1.0), "sobol", 8, seed=0)
    with pytest.raises(ValueError, match=option):
        sobol_indices(samples, np.arange(samples.n_rows, dtype=float), **{option: value})  # type: ignore[arg-type]
