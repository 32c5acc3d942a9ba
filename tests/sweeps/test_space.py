"""Distributions, sweep spaces and the table form of a distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.errors import UserError
from sim.model.fields import Bounds
from sim.model.loader import load_scenario
from sim.model.parameters import ParameterInfo, iter_parameters
from sim.sweeps.space import (
    Discrete,
    SweepParameter,
    SweepSpace,
    Triangular,
    TruncatedNormal,
    Uniform,
    default_space,
    parse_distribution,
)
from sim.sweeps.spec import sweep_space

U = np.array([0.0, 0.01, 0.1, 0.25, 0.5, 0.6, 0.9, 0.999, 1.0])


# -- quantile functions against closed forms ----------------------------------------------


def test_uniform_ppf_is_affine() -> None:
    np.testing.assert_allclose(Uniform(-2.0, 6.0).ppf(U), -2.0 + 8.0 * U, rtol=0, atol=1e-12)


def test_triangular_ppf_matches_closed_form() -> None:
    a, c, b = 1.0, 2.0, 5.0
    f_c = (c - a) / (b - a)
    expected = np.where(
        f_c > U,
        a + np.sqrt(U * (b - a) * (c - a)),
        b - np.sqrt((1 - U) * (b - a) * (b - c)),
    )
    np.testing.assert_allclose(Triangular(a, c, b).ppf(U), expected, atol=1e-12)


def test_truncated_normal_ppf_matches_closed_form() -> None:
    m, s, a, b = 0.3, 0.5, 0.0, 2.0
    alpha, beta = stats.norm.cdf((a - m) / s), stats.norm.cdf((b - m) / s)
    expected = m + s * stats.norm.ppf(alpha + U * (beta - alpha))
    np.testing.assert_allclose(TruncatedNormal(m, s, a, b).ppf(U), expected, atol=1e-9)


def test_truncated_normal_median_is_mean_when_symmetric() -> None:
    assert float(TruncatedNormal(4.0, 2.0, 1.0, 7.0).ppf(0.5)) == pytest.approx(4.0, abs=1e-12)


@pytest.mark.parametrize(
    "dist",
    [Uniform(-1.0, 3.0), Triangular(0.0, 0.2, 1.0), TruncatedNormal(1.0, 0.4, 0.5, 3.0)],
)
def test_to_unit_inverts_ppf(dist: Uniform | Triangular | TruncatedNormal) -> None:
    u = np.linspace(0.02, 0.98, 25)
    np.testing.assert_allclose(dist.to_unit(dist.ppf(u)), u, atol=1e-9)


@given(
    low=st.floats(-100, 100),
    width=st.floats(0.01, 100),
    peak=st.floats(0, 1),
    u=st.lists(st.floats(0, 1), min_size=1, max_size=20),
)
def test_continuous_ppf_is_monotone_and_in_support(
    low: float, width: float, peak: float, u: list[float]
) -> None:
    q = np.sort(np.array(u))
    high = low + width
    for dist in (
        Uniform(low, high),
        Triangular(low, low + peak * width, high),
        TruncatedNormal(low + peak * width, width / 3, low, high),
    ):
        x = dist.ppf(q)
        assert np.all(dist.contains(x)), dist
        assert np.all(np.diff(x) >= -1e-9 * width), dist


# -- discrete values ----------------------------------------------------------------------


def test_discrete_ppf_cuts_unit_interval_into_equal_bins() -> None:
    d = Discrete((10.0, 20.0, 30.0, 40.0))
    u = np.array([0.0, 0.24, 0.25, 0.49, 0.5, 0.74, 0.75, 0.99, 1.0])
    assert d.ppf(u).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 3]


def test_discrete_decode_round_trip() -> None:
    d = Discrete(("japan", "russia"))
    codes = np.array([d.encode("russia"), d.encode("japan"), 1.0])
    assert d.decode(codes).tolist() == ["russia", "japan", "russia"]
    numbers = Discrete((1, 2, 5))
    assert numbers.decode(numbers.ppf(numbers.to_unit([2.0, 0.0]))).tolist() == [5.0, 1.0]


def test_discrete_decode_rejects_bad_codes() -> None:
    with pytest.raises(ValueError, match="codes"):
        Discrete(("a", "b")).decode([2.0])
    with pytest.raises(ValueError, match="codes"):
        Discrete(("a", "b")).decode([0.5])


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Uniform(1.0, 1.0), "low must be less than high"),
        (lambda: Uniform(2.0, 1.0), "low must be less than high"),
        (lambda: Uniform(0.0, math.inf), "finite"),
        (lambda: TruncatedNormal(0.0, 0.0, -1.0, 1.0), "sd must be positive"),
        (lambda: TruncatedNormal(0.0, -1.0, -1.0, 1.0), "sd must be positive"),
        (lambda: TruncatedNormal(0.0, 1.0, 1.0, -1.0), "low must be less than high"),
        (lambda: Triangular(0.0, 1.5, 1.0), "mode 1.5 lies outside"),
        (lambda: Triangular(0.0, -0.1, 1.0), "mode -0.1 lies outside"),
        (lambda: Discrete(()), "must not be empty"),
        (lambda: Discrete((1.0, "a")), "all numbers or all strings"),
        (lambda: Discrete(("a", "a")), "distinct"),
    ],
)
def test_invalid_distributions_are_rejected(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_baseline_must_lie_in_support() -> None:
    with pytest.raises(ValueError, match="outside"):
        SweepParameter("a", Uniform(0.0, 1.0), 2.0)
    with pytest.raises(ValueError, match="not one of"):
        SweepParameter("who", Discrete(("japan", "russia")), "china")
    assert SweepParameter("who", Discrete(("japan", "russia")), "russia").baseline_code == 1.0


# -- spaces -------------------------------------------------------------------------------


def _space() -> SweepSpace:
    return SweepSpace(
        (
            SweepParameter("a", Uniform(0.0, 10.0), 5.0),
            SweepParameter("b", Discrete(("x", "y", "z")), "z"),
            SweepParameter("c", Triangular(-1.0, 0.0, 3.0), 0.0),
        )
    )


def test_space_maps_columns_separately() -> None:
    space = _space()
    assert space.names == ("a", "b", "c") and len(space) == 3
    u = np.array([[0.1, 0.1, 0.5], [0.9, 0.5, 0.5]])
    values = space.from_unit(u)
    assert values[:, 0].tolist() == pytest.approx([1.0, 9.0])
    assert values[:, 1].tolist() == [0.0, 1.0]
    assert values[0, 2] == pytest.approx(float(Triangular(-1.0, 0.0, 3.0).ppf(0.5)))
    np.testing.assert_allclose(space.from_unit(space.to_unit(values)), values, atol=1e-9)
    assert space.baseline.tolist() == [5.0, 2.0, 0.0]


def test_space_rejects_wrong_shapes_and_duplicates() -> None:
    with pytest.raises(ValueError, match=r"shape \(N, 3\)"):
        _space().from_unit(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="more than once"):
        SweepSpace((SweepParameter("a", Uniform(0, 1), 0), SweepParameter("a", Uniform(0, 1), 0)))


def test_salib_problem_is_the_unit_cube() -> None:
    assert _space().salib_problem() == {
        "num_vars": 3,
        "names": ["a", "b", "c"],
        "bounds": [[0.0, 1.0]] * 3,
    }


def test_default_space_sweeps_ranges_and_leaves_out_facts() -> None:
    infos = [
        ParameterInfo("x.ranged", 0.3, (0.1, 0.6), Bounds(), ""),
        ParameterInfo("x.fact", 7.0, None, Bounds(), ""),
        ParameterInfo("x.point", 1.0, (1.0, 1.0), Bounds(), ""),
    ]
    space = default_space(infos)
    assert space.names == ("x.ranged",)
    assert space.parameters[0].distribution == Uniform(0.1, 0.6)
    assert space.parameters[0].baseline == 0.3


def test_default_space_of_the_baseline_scenario(baseline_path: object) -> None:
    infos = list(iter_parameters(load_scenario(str(baseline_path))))
    space = default_space(infos)
    ranged = {p.path: p for p in infos if p.range is not None and p.range[0] < p.range[1]}
    assert space.names == tuple(ranged) and len(space) > 0
    for parameter in space.parameters:
        info = ranged[parameter.path]
        assert parameter.distribution == Uniform(*info.range)  # type: ignore[misc]
        assert parameter.baseline == info.value


# -- table form ---------------------------------------------------------------------------


def test_parse_every_form() -> None:
    assert parse_distribution({"range": [0.1, 0.6]}) == Uniform(0.1, 0.6)
    assert parse_distribution({"distribution": "uniform", "range": [1, 2]}) == Uniform(1, 2)
    assert parse_distribution(
        {"distribution": "normal", "mean": 0.5, "sd": 0.1, "range": [0, 1]}
    ) == TruncatedNormal(0.5, 0.1, 0, 1)
    assert parse_distribution(
        {"distribution": "triangular", "range": [0, 1], "mode": 0.2}
    ) == Triangular(0, 0.2, 1)
    assert parse_distribution({"values": ["japan", "russia"]}) == Discrete(("japan", "russia"))
    assert parse_distribution({"distribution": "discrete", "values": [1, 2]}) == Discrete((1, 2))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"distribution": "normla", "range": [0, 1]}, r"unknown distribution 'normla'.*'normal'"),
        ({"rnage": [0, 1]}, r"unknown key 'rnage' \(did you mean 'range'\?\)"),
        ({"range": [0, 1], "mode": 0.5}, r"unknown key 'mode'.*'triangular'.*expected range"),
        ({"distribution": "normal", "range": [0, 1]}, "needs the key.*mean, sd"),
        ({"range": [0, 1, 2]}, "two finite numbers"),
        ({"range": "0..1"}, "two finite numbers"),
        ({"values": "ab"}, "must be a list"),
        ({"range": [1, 0]}, "low must be less than high"),
        ({}, "needs 'range' or 'values'"),
    ],
)
def test_parse_errors_name_the_key(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_distribution(spec)


def test_describe_mentions_parameters() -> None:
    assert "[0.1, 0.6]" in Uniform(0.1, 0.6).describe()
    assert "mode 0.2" in Triangular(0, 0.2, 1).describe()
    assert "sd 0.1" in TruncatedNormal(0.5, 0.1, 0, 1).describe()
    assert "'japan'" in Discrete(("japan", "russia")).describe()


# -- swept ranges against the parameters' own bounds ---------------------------------------


@pytest.mark.parametrize(
    ("path", "spec"),
    [
        ("context.investment_realisation", {"range": [-1, 2]}),
        ("context.investment_realisation", {"range": [0.1, 1.01]}),
        ("actors.japan.patience", {"range": [0.9, 1.5]}),
        ("actors.japan.patience", {"range": [0.9, 1.0]}),
        ("actors.russia.patience", {"range": [0.0, 0.95]}),
        (
            "actors.japan.patience",
            {"distribution": "normal", "mean": 0.97, "sd": 0.01, "range": [0.9, 1.2]},
        ),
        ("actors.japan.patience", {"distribution": "triangular", "range": [0, 0.99], "mode": 0.97}),
        ("alternating.breakdown_risk", {"range": [0.0, 1.0]}),
        ("context.investment_on_table", {"range": [0.0, 1e300]}),
        ("actors.russia.ratifier_weight", {"range": [0.5, 2.0]}),
    ],
)
def test_swept_range_must_lie_inside_the_parameter_bounds(
    baseline_path: object, path: str, spec: dict[str, object]
) -> None:
    scenario = load_scenario(str(baseline_path))
    with pytest.raises(UserError) as info:
        sweep_space(scenario, {path: spec}, source="--param")
    assert info.value.source == "--param"
    assert info.value.key == f"sweep.parameters.{path}"
    assert "leaves the parameter's bounds" in info.value.message


@pytest.mark.parametrize(
    ("path", "spec"),
    [
        ("actors.japan.patience", {"range": [0.93, 0.999]}),
        ("context.investment_realisation", {"range": [0.0, 1.0]}),
        ("actors.japan.investment_return", {"range": [-1.0, 1.0]}),
        ("alternating.breakdown_risk", {"range": [0.0, 0.99]}),
        ("alternating.proposer", {"values": ["japan", "russia"]}),
    ],
)
def test_swept_range_inside_the_bounds_is_accepted(
    baseline_path: object, path: str, spec: dict[str, object]
) -> None:
    space = sweep_space(load_scenario(str(baseline_path)), {path: spec}, source="--param")
    assert space.names == (path,)


def test_a_sweep_inside_the_bounds_runs(baseline_path: object) -> None:
    from sim.sweeps.outcomes import evaluate_chunk

    scenario = load_scenario(str(baseline_path))
    space = sweep_space(
        scenario,
        {
            "actors.japan.patience": {"range": [0.9, 0.999999]},
            "alternating.breakdown_risk": {"range": [0.0, 0.999999]},
        },
    )
    columns = evaluate_chunk(scenario, space, space.from_unit([[1.0, 1.0], [0.0, 0.0]]))
    assert np.isfinite(columns["margin_shelve"]).all()
