"""The samplers: sizes, supports, design properties and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from sim.sweeps.samplers import METHODS, OAT_HIGH, OAT_LOW, sample
from sim.sweeps.space import (
    Discrete,
    SweepParameter,
    SweepSpace,
    Triangular,
    TruncatedNormal,
    Uniform,
)


def mixed_space() -> SweepSpace:
    """One parameter of each kind of distribution."""
    return SweepSpace(
        (
            SweepParameter("actors.japan.patience", Uniform(0.9, 0.99), 0.95),
            SweepParameter("economy.investment", TruncatedNormal(7.0, 1.0, 5.0, 7.5), 7.0),
            SweepParameter("security.china", Triangular(0.0, 1.0, 3.0), 1.0),
            SweepParameter("first_mover", Discrete(("japan", "russia")), "japan"),
        )
    )


def uniform_space(p: int) -> SweepSpace:
    return SweepSpace(tuple(SweepParameter(f"x{i}", Uniform(0.0, 1.0), 0.5) for i in range(p)))


@pytest.mark.parametrize(
    ("method", "n", "rows"),
    [
        ("mc", 37, 37),
        ("lhs", 37, 37),
        ("grid", 2 * 3**3, 2 * 3**3),  # 2 discrete values × 3 levels for 3 continuous
        ("oat", 1 + 2 + 3 * 5, 1 + 2 + 3 * 5),  # baseline + both values + 5 levels × 3
        ("sobol", 64, 64 * (4 + 2)),
        ("morris", 7, 7 * (4 + 1)),
    ],
)
def test_rows_per_method(method: str, n: int, rows: int) -> None:
    s = sample(mixed_space(), method, n, seed=3)
    assert s.values.shape == s.unit.shape == (rows, 4)
    assert s.n_rows == rows and s.n_requested == n and s.method == method
    assert s.names == mixed_space().names


def test_sobol_rounds_up_to_a_power_of_two_and_says_so() -> None:
    s = sample(uniform_space(3), "sobol", 1000, seed=1)
    assert s.n_base == 1024 and s.n_rows == 1024 * (3 + 2)
    assert "1000" in s.note and "1024" in s.note and "power of two" in s.note
    exact = sample(uniform_space(3), "sobol", 512, seed=1)
    assert exact.n_base == 512 and "rounded" not in exact.note


def test_sobol_second_order_design_size() -> None:
    s = sample(uniform_space(3), "sobol", 16, seed=1, second_order=True)
    assert s.second_order and s.n_rows == 16 * (2 * 3 + 2)


@pytest.mark.parametrize("method", METHODS)
def test_every_value_lies_in_its_support(method: str) -> None:
    space = mixed_space()
    s = sample(space, method, 40, seed=11)
    assert np.all((s.unit >= 0) & (s.unit <= 1))
    for p, parameter in enumerate(space.parameters):
        assert np.all(parameter.distribution.contains(s.values[:, p])), parameter.path
    np.testing.assert_allclose(s.values, space.from_unit(s.unit), atol=1e-9)


def test_latin_hypercube_stratifies_every_dimension() -> None:
    n = 50
    s = sample(uniform_space(4), "lhs", n, seed=5)
    bins = np.floor(s.unit * n).astype(int)
    for column in bins.T:
        assert sorted(column.tolist()) == list(range(n))


def test_grid_is_a_full_factorial_of_bin_midpoints() -> None:
    s = sample(uniform_space(3), "grid", 1000, seed=0)
    assert s.levels == (10, 10, 10) and s.n_rows == 1000
    assert len({tuple(row) for row in s.unit.round(12)}) == 1000
    midpoints = (np.arange(10) + 0.5) / 10
    for column in s.unit.T:
        np.testing.assert_allclose(np.unique(column), midpoints, atol=1e-12)


def test_grid_takes_every_discrete_value_and_at_least_two_levels() -> None:
    s = sample(mixed_space(), "grid", 1, seed=0)
    assert s.levels == (2, 2, 2, 2) and s.n_rows == 16
    assert sorted(set(s.values[:, 3].tolist())) == [0.0, 1.0]


def test_grid_refuses_an_astronomical_factorial() -> None:
    with pytest.raises(ValueError, match="use 'lhs'"):
        sample(uniform_space(30), "grid", 10, seed=0)


def test_oat_varies_exactly_one_parameter_per_row() -> None:
    space = mixed_space()
    s = sample(space, "oat", 1 + 2 + 3 * 6, seed=0)
    baseline = space.baseline
    assert s.baseline_rows.tolist() == [0] and s.varied[0] == -1
    np.testing.assert_array_equal(s.values[0], baseline)
    for row in range(1, s.n_rows):
        others = np.arange(4) != s.varied[row]
        np.testing.assert_array_equal(s.values[row, others], baseline[others])
    assert np.bincount(s.varied[1:]).tolist() == [6, 6, 6, 2]
    assert s.levels == (6, 6, 6, 2)


def test_oat_spans_the_documented_quantiles() -> None:
    s = sample(mixed_space(), "oat", 1 + 2 + 3 * 5, seed=0)
    for p in range(3):
        q = s.unit[s.varied == p, p]
        np.testing.assert_allclose(q, np.linspace(OAT_LOW, OAT_HIGH, 5), atol=1e-12)
    uniform = s.values[s.varied == 0, 0]
    assert uniform.min() == pytest.approx(0.9 + 0.05 * 0.09)
    assert uniform.max() == pytest.approx(0.9 + 0.95 * 0.09)


def test_morris_points_lie_on_the_level_grid() -> None:
    s = sample(uniform_space(3), "morris", 5, seed=2, num_levels=6)
    assert s.trajectories == 5 and s.levels == (6, 6, 6)
    np.testing.assert_allclose(s.unit * 5, np.round(s.unit * 5), atol=1e-12)


def test_mc_is_numpy_default_rng() -> None:
    s = sample(uniform_space(2), "mc", 8, seed=42)
    np.testing.assert_array_equal(s.unit, np.random.default_rng(42).random((8, 2)))


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol", "morris"])
def test_seed_controls_the_sample(method: str) -> None:
    a = sample(mixed_space(), method, 16, seed=7)
    b = sample(mixed_space(), method, 16, seed=7)
    c = sample(mixed_space(), method, 16, seed=8)
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.unit, b.unit)
    assert not np.array_equal(a.unit, c.unit)


def test_to_df_decodes_categorical_columns() -> None:
    df = sample(mixed_space(), "grid", 16, seed=0).to_df()
    assert list(df.columns) == list(mixed_space().names)
    assert set(df["first_mover"]) == {"japan", "russia"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "latin"}, "unknown sampling method 'latin'.*grid, oat, mc, lhs, sobol, morris"),
        ({"n": 0}, "n must be an integer of at least 1"),
        ({"seed": -1}, "seed must be an integer of at least 0"),
        ({"method": "morris", "num_levels": 3}, "even"),
    ],
)
def test_invalid_requests(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"method": "mc", "n": 10, "seed": 0} | kwargs
    with pytest.raises(ValueError, match=message):
        sample(mixed_space(), **args)  # type: ignore[arg-type]


def test_empty_space_is_an_error() -> None:
    with pytest.raises(ValueError, match="no parameters"):
        sample(SweepSpace(()), "mc", 10, seed=0)


@pytest.mark.parametrize(("p", "second_order"), [(1, False), (3, False), (4, True), (35, False)])
def test_sobol_design_is_salibs_saltelli_matrix(p: int, second_order: bool) -> None:
    """The vectorised Saltelli matrix is SALib's own, value for value, for the same seed."""
    from SALib.sample import sobol as salib_sobol

    space = uniform_space(p)
    ours = sample(space, "sobol", 64, seed=11, second_order=second_order)
    theirs = salib_sobol.sample(
        space.salib_problem(), 64, calc_second_order=second_order, scramble=True, seed=11
    )
    np.testing.assert_array_equal(ours.unit, theirs)
