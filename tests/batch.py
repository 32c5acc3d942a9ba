"""One check shared by every batched solver's tests: a batch equals a loop of single draws.

:func:`assert_batch_is_a_loop` solves a batch, then each draw alone, and compares every
per-draw field of the two results (any dataclass whose array fields have the draws on
their first axis), so that the promise "a draw's result depends on that draw alone" is
written once. Fields that are not per draw (a tuple of deal ids, a tolerance, a fixed
performer array) are compared as a whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def assert_batch_is_a_loop(
    solve: Callable[[slice], Any],
    n: int,
    *,
    skip: Sequence[str] = (),
    rtol: float = 0.0,
    optional: Sequence[str] = (),
) -> None:
    """``solve(slice(0, n))`` equals ``solve(slice(i, i + 1))`` row by row for every draw.

    Parameters
    ----------
    solve : callable
        Maps a slice of the draws to a result (a dataclass, or a mapping of results).
    n : int
        Number of draws.
    skip : sequence of str
        Fields not compared.
    rtol : float
        Relative tolerance on float fields (0: identical), for kernels whose batched
        linear algebra rounds differently from a single draw's.
    optional : sequence of str
        Per-draw fields a single draw may leave ``None`` when the batch fills them (the
        sequential game's outcome probabilities, given for every draw of a noisy batch).
    """
    batch = solve(slice(0, n))
    for i in range(n):
        single = solve(slice(i, i + 1))
        _compare(batch, single, i, n, skip, rtol, optional, path="result")


def _compare(
    batch: Any,
    single: Any,
    i: int,
    n: int,
    skip: Sequence[str],
    rtol: float,
    optional: Sequence[str],
    path: str,
) -> None:
    if isinstance(batch, dict):
        assert batch.keys() == single.keys(), path
        for key in batch:
            if single[key] is None and batch[key] is not None and key in optional:
                continue
            _compare(batch[key], single[key], i, n, skip, rtol, optional, f"{path}[{key!r}]")
        return
    if dataclasses.is_dataclass(batch):
        for field in dataclasses.fields(batch):
            if field.name in skip:
                continue
            ours, theirs = getattr(batch, field.name), getattr(single, field.name)
            where = f"{path}.{field.name} (draw {i})"
            if theirs is None and ours is not None and field.name in optional:
                continue
            _compare(ours, theirs, i, n, skip, rtol, optional, where)
        return
    per_draw = isinstance(batch, np.ndarray) and batch.ndim >= 1 and batch.shape[0] == n
    if per_draw and np.asarray(single).shape[:1] == (1,):
        _same(batch[i : i + 1], np.asarray(single), rtol, path)
        return
    if isinstance(batch, np.ndarray):
        _same(batch, np.asarray(single), rtol, path)
        return
    assert batch == single, path


def _same(ours: np.ndarray, theirs: np.ndarray, rtol: float, path: str) -> None:
    if ours.dtype.kind == "f" and rtol > 0:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-12, err_msg=path)
    else:
        np.testing.assert_array_equal(ours, theirs, err_msg=path)
