"""What a sweep records for each parameter draw: every solver's prediction and the hold-up test.

For a chunk of draws of one scenario, :func:`evaluate_chunk` returns one column per
quantity (a row per draw):

* the swept inputs, under their dotted paths (categorical values decoded);
* one column per solver of :mod:`sim.predict` (its registry name), holding the deal it
  predicts by its rule (``<deal> reneged`` when the path ends reneged), and
  ``posture_equilibria``, the number of equilibria the posture rule averaged over;
* for every deal of the menu, the hold-up test of :mod:`sim.holdup` in the columns of
  :mod:`sim.sweeps.columns`: ``holds_<d>``, ``fails_<d>`` (the first reason),
  ``margin_<d>``.

Settings that are not numbers of the parameter table (e.g. who proposes, a deadline)
are swept by evaluating each combination of their values as its own scenario.

Text columns (the solvers' predictions, the reasons, swept settings that are words)
come from :func:`evaluate_chunk_coded` as :class:`Coded` columns: the integer codes the
solvers already return and the labels they stand for, never one Python string per draw.
:func:`evaluate_chunk` decodes them into arrays of strings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.evaluate import Evaluation, evaluate_table
from sim.holdup import REASONS
from sim.model.parameters import ParameterTable
from sim.model.scenario import Scenario
from sim.predict import solvers
from sim.sweeps import columns
from sim.sweeps.space import Discrete, SweepSpace

Columns = dict[str, NDArray[Any]]


@dataclass(frozen=True)
class Coded:
    """A column of text held as integer codes into its labels.

    Attributes
    ----------
    codes : ndarray of int, shape (n,)
        Index into ``labels`` of each row's value.
    labels : tuple of str
        What each code stands for (every label a code may take, used or not).

    Examples
    --------
    >>> Coded(np.array([1, 0, 1]), ("no", "yes")).decode().tolist()
    ['yes', 'no', 'yes']
    """

    codes: NDArray[np.intp]
    labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.codes)

    def decode(self) -> NDArray[np.object_]:
        """The labels themselves, one Python string per row, shape (n,)."""
        return np.array(self.labels, dtype=object)[self.codes]

    def relabel(self, labels: tuple[str, ...]) -> Coded:
        """The same values as codes into ``labels`` (which must hold every label used)."""
        if labels == self.labels:
            return self
        index = {label: i for i, label in enumerate(labels)}
        lookup = np.array([index.get(label, -1) for label in self.labels], dtype=np.intp)
        return Coded(lookup[self.codes], labels)


CodedColumns = dict[str, "NDArray[Any] | Coded"]


def evaluate_chunk(scenario: Scenario, space: SweepSpace, values: NDArray[np.float64]) -> Columns:
    """Evaluate every solver on the draws ``values`` (shape ``(n, P)``, space order).

    Returns
    -------
    dict of str to ndarray
        One array of length ``n`` per column (see the module docstring); text columns
        hold Python strings (:func:`evaluate_chunk_coded` keeps them as codes).
    """
    coded = evaluate_chunk_coded(scenario, space, values)
    return {k: v.decode() if isinstance(v, Coded) else v for k, v in coded.items()}


def evaluate_chunk_coded(
    scenario: Scenario, space: SweepSpace, values: NDArray[np.float64]
) -> CodedColumns:
    """:func:`evaluate_chunk` with its text columns as :class:`Coded` columns."""
    values = np.asarray(values, dtype=float)
    out = _inputs(space, values)
    parts = [(rows, _outcomes(ev)) for rows, ev in evaluations(scenario, space, values)]
    if len(parts) == 1:
        return out | parts[0][1]
    return out | _merge(parts, len(values))


def _decoded(
    space: SweepSpace, values: NDArray[np.float64], numeric: Sequence[int]
) -> NDArray[np.float64]:
    """``values`` with the codes of number parameters swept over a list made numbers."""
    out = values
    for i in numeric:
        dist = space.parameters[i].distribution
        if isinstance(dist, Discrete):
            if out is values:
                out = values.copy()
            out[:, i] = np.asarray(dist.decode(values[:, i]), dtype=float)
    return out


def _inputs(space: SweepSpace, values: NDArray[np.float64]) -> CodedColumns:
    out: CodedColumns = {}
    for i, parameter in enumerate(space.parameters):
        dist = parameter.distribution
        if not isinstance(dist, Discrete):
            out[parameter.path] = values[:, i]
        elif all(isinstance(v, str) for v in dist.values):
            dist.decode(values[:, i])  # checks the codes
            out[parameter.path] = Coded(values[:, i].astype(np.intp), tuple(map(str, dist.values)))
        else:
            out[parameter.path] = dist.decode(values[:, i])
    return out


def evaluations(
    scenario: Scenario, space: SweepSpace, values: NDArray[np.float64]
) -> list[tuple[NDArray[np.intp], Evaluation]]:
    """The evaluation of the draws ``values`` (shape ``(n, P)``, space order), lazily solved.

    Returns ``(rows, evaluation)`` pairs: the rows of ``values`` an evaluation holds, in order,
    and the :class:`~sim.evaluate.Evaluation` of those draws, which solves only what is
    asked of it. One pair when no setting is swept, else one per combination of settings
    present (as :func:`evaluate_chunk` splits them).
    """
    values = np.asarray(values, dtype=float)
    base = ParameterTable.from_scenario(scenario)
    numeric = [i for i, name in enumerate(space.names) if name in base.names]
    settings = [i for i in range(len(space)) if i not in numeric]
    values = _decoded(space, values, numeric)
    if not settings:
        table = base.with_values({space.names[i]: values[:, i] for i in numeric})
        return [(np.arange(len(values)), evaluate_table(scenario, table))]
    parts = []
    codes = values[:, settings]
    for combination in sorted({tuple(row) for row in codes.tolist()}):
        rows = np.flatnonzero((codes == np.array(combination)).all(axis=1))
        variant = _with_settings(scenario, space, settings, combination)
        table = ParameterTable.from_scenario(variant).with_values(
            {space.names[i]: values[rows, i] for i in numeric}
        )
        parts.append((rows, evaluate_table(variant, table)))
    return parts


def _with_settings(
    scenario: Scenario, space: SweepSpace, settings: Sequence[int], codes: Sequence[float]
) -> Scenario:
    data = scenario.model_dump(mode="python")
    for i, code in zip(settings, codes, strict=True):
        dist = space.parameters[i].distribution
        value = dist.decode(np.array([code]))[0] if isinstance(dist, Discrete) else code
        *parents, leaf = space.names[i].split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = value.item() if hasattr(value, "item") else value
    return Scenario.model_validate(data)


def _merge(parts: list[tuple[NDArray[np.intp], CodedColumns]], n: int) -> CodedColumns:
    """One set of columns from the parts' rows (coded columns over the union of labels)."""
    names = list(itertools.chain.from_iterable(c.keys() for _, c in parts[:1]))
    merged: CodedColumns = {}
    for name in names:
        sample = parts[0][1][name]
        if isinstance(sample, Coded):
            merged[name] = _merge_coded([(rows, part[name]) for rows, part in parts], n)
            continue
        out = np.empty(n, dtype=sample.dtype)
        for rows, part in parts:
            out[rows] = part[name]
        merged[name] = out
    return merged


def _merge_coded(parts: list[tuple[NDArray[np.intp], Any]], n: int) -> Coded:
    labels = tuple(dict.fromkeys(label for _, c in parts for label in c.labels))
    codes = np.empty(n, dtype=np.intp)
    for rows, column in parts:
        codes[rows] = column.relabel(labels).codes
    return Coded(codes, labels)


def _outcomes(ev: Evaluation) -> CodedColumns:
    """Every registered solver's prediction, the posture rule's count, the hold-up test."""
    out: CodedColumns = {}
    for spec in solvers():
        prediction = spec.predict(ev)
        out[spec.name] = Coded(prediction.codes, prediction.code_ids)
    out[columns.POSTURE_EQUILIBRIA] = ev.posture_equilibria_counted()
    out.update(hold_up_columns(ev))
    return out


FAIL_LABELS: tuple[str, ...] = (*(str(r) for r in REASONS), "")
"""Labels of the codes of a ``fails_<d>`` column: each reason, then ``""`` (it holds)."""


def hold_up_columns(ev: Evaluation) -> CodedColumns:
    """The hold-up test of every deal in every draw: ``holds_``, ``fails_``, ``margin_``.

    ``fails_<d>`` is a :class:`Coded` column over :data:`FAIL_LABELS`.
    """
    test = ev.hold_up()
    first, holds, margin = test.first, test.holds, test.margin
    out: CodedColumns = {}
    for d, deal in enumerate(test.deal_ids[1:], start=1):
        out[columns.holds(deal)] = holds[:, d]
        out[columns.fails(deal)] = Coded(first[:, d], FAIL_LABELS)
        out[columns.margin(deal)] = margin[:, d]
    return out


__all__ = [
    "FAIL_LABELS",
    "Coded",
    "evaluate_chunk",
    "evaluate_chunk_coded",
    "evaluations",
    "hold_up_columns",
]
