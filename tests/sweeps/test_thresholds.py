"""Tipping points of step functions with known thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.sweeps.thresholds import TippingPoint, tipping_points


class Counted:
    """A vectorised outcome that records every call."""

    def __init__(self, thresholds: list[float], decreasing: bool = False) -> None:
        self.thresholds = np.array(thresholds)
        self.sign = -1 if decreasing else 1
        self.calls: list[int] = []

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.calls.append(x.size)
        return self.sign * (x[:, None] > self.thresholds).sum(axis=1)


def test_two_steps_are_found_within_tol() -> None:
    tol = 1e-6
    points = tipping_points(lambda x: (x > 0.3).astype(int) + (x > 0.71), 0.0, 1.0, tol=tol)
    assert [(p.below, p.above) for p in points] == [(0, 1), (1, 2)]
    np.testing.assert_allclose([p.value for p in points], [0.3, 0.71], atol=tol)


def test_direction_of_change_is_reported() -> None:
    points = tipping_points(Counted([-2.5], decreasing=True), -10.0, 10.0)
    assert len(points) == 1
    assert points[0].below == 0 and points[0].above == -1
    assert points[0].value == pytest.approx(-2.5, abs=1e-6 * 20)


def test_no_change_gives_no_tipping_point() -> None:
    assert tipping_points(lambda x: np.full(x.shape, 3), 0.0, 1.0) == []


def test_calls_grow_with_log_of_precision_not_with_points() -> None:
    grid, tol = 65, 1e-6
    outcome = Counted(list(np.linspace(0.05, 0.95, 12) + 1e-3))
    points = tipping_points(outcome, 0.0, 1.0, grid=grid, tol=tol)
    assert len(points) == 12
    steps = math.ceil(math.log2(1 / ((grid - 1) * tol)))  # halvings to width < tol
    assert len(outcome.calls) == 1 + steps
    assert outcome.calls[0] == grid and set(outcome.calls[1:]) == {12}


def test_changes_inside_one_grid_interval_can_be_missed() -> None:
    # documented limitation: a blip narrower than the grid spacing (1/64) is invisible
    def blip(x: np.ndarray) -> np.ndarray:
        return ((x > 0.501) & (x < 0.505)).astype(int)

    assert tipping_points(blip, 0.0, 1.0, grid=65) == []
    found = tipping_points(blip, 0.0, 1.0, grid=1025)
    assert [(p.below, p.above) for p in found] == [(0, 1), (1, 0)]


def test_threshold_at_a_grid_point_is_found() -> None:
    points = tipping_points(lambda x: (x >= 0.5).astype(int), 0.0, 1.0, grid=5)
    assert len(points) == 1 and isinstance(points[0], TippingPoint)
    assert points[0].value == pytest.approx(0.5, abs=1e-6)
    assert (points[0].below, points[0].above) == (0, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 1.0, "high": 0.0}, "low < high"),
        ({"high": math.nan}, "low < high"),
        ({"grid": 1}, "grid must be an integer of at least 2"),
        ({"tol": 0.0}, r"tol must lie in \(0, 1\)"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, float], message: str) -> None:
    args = {"low": 0.0, "high": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        tipping_points(lambda x: np.zeros(x.shape, int), **args)  # type: ignore[arg-type]


def test_outcome_must_be_vectorised_and_integer() -> None:
    with pytest.raises(ValueError, match="shape"):
        tipping_points(lambda x: np.zeros(3, int), 0.0, 1.0)
    with pytest.raises(ValueError, match="integer"):
        tipping_points(lambda x: x, 0.0, 1.0)
