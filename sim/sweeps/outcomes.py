"""What a sweep records for each parameter draw: every solver's prediction and the hold-up test.

For a chunk of draws of one scenario, :func:`evaluate_chunk` returns one column per
quantity (a row per draw):

* the swept inputs, under their dotted paths (categorical values decoded);
* ``<solution>``: the deal each cooperative solution picks (the first deal of a lottery),
  ``status_quo`` without agreement;
* ``sequential``: the deal at the end of the subgame-perfect path of the sequential game
  (``<deal> reneged`` when the path ends in a reneged deal);
* ``posture``: the deal with the highest probability averaged over the posture game's
  pure equilibria (no equilibrium pick; every extreme equilibrium where a draw has no
  pure one), and ``posture_equilibria``, their number; with ``[sweep]
  posture_equilibria = "all"``, averaged over every extreme equilibrium (exact enumeration,
  much slower);
* ``alternating``: the deal agreed under alternating offers;
* for every deal ``d`` of the menu: ``holds_<d>`` — the deal *holds up*: both governments
  prefer it to no deal, both ratifiers accept it, and the side that must perform later
  gains nothing by reneging (DESIGN: "what holds up under the brief's assumptions");
  ``fails_<d>`` — the first reason it does not (``japan_government``,
  ``russia_government``, ``japan_ratifier``, ``russia_ratifier``, ``reneging``; empty
  when it holds); ``margin_<d>`` — the smallest of its four acceptance margins (US$ bn;
  positive when every side accepts), a continuous outcome for sensitivity analysis.

Settings that are not numbers of the parameter table (e.g. who proposes, a deadline)
are swept by evaluating each combination of their values as its own scenario.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.evaluate import Evaluation, evaluate_table
from sim.model.parameters import ParameterTable
from sim.model.scenario import Scenario
from sim.solvers.cooperative import SOLUTION_NAMES
from sim.sweeps.space import Discrete, SweepSpace
from sim.tolerance import TOL

FAIL_REASONS: tuple[str, ...] = (
    "japan_government",
    "russia_government",
    "japan_ratifier",
    "russia_ratifier",
    "reneging",
)
"""Reasons a deal fails the hold-up test, in the order they are checked."""

Columns = dict[str, NDArray[Any]]


def evaluate_chunk(scenario: Scenario, space: SweepSpace, values: NDArray[np.float64]) -> Columns:
    """Evaluate every solver on the draws ``values`` (shape ``(n, P)``, space order).

    Returns
    -------
    dict of str to ndarray
        One array of length ``n`` per column (see the module docstring).
    """
    values = np.asarray(values, dtype=float)
    base = ParameterTable.from_scenario(scenario)
    numeric = [i for i, name in enumerate(space.names) if name in base.names]
    settings = [i for i in range(len(space)) if i not in numeric]
    columns = _inputs(space, values)
    values = _decoded(space, values, numeric)
    if not settings:
        table = base.with_values({space.names[i]: values[:, i] for i in numeric})
        columns.update(_outcomes(evaluate_table(scenario, table)))
        return columns
    parts = _by_setting(scenario, space, values, numeric, settings)
    return columns | _merge(parts, len(values))


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


def _inputs(space: SweepSpace, values: NDArray[np.float64]) -> Columns:
    out: Columns = {}
    for i, parameter in enumerate(space.parameters):
        dist = parameter.distribution
        out[parameter.path] = (
            dist.decode(values[:, i]) if isinstance(dist, Discrete) else values[:, i]
        )
    return out


def _by_setting(
    scenario: Scenario,
    space: SweepSpace,
    values: NDArray[np.float64],
    numeric: Sequence[int],
    settings: Sequence[int],
) -> list[tuple[NDArray[np.intp], Columns]]:
    """Evaluate each combination of non-numeric settings as its own scenario."""
    parts = []
    codes = values[:, settings]
    for combination in {tuple(row) for row in codes.tolist()}:
        rows = np.flatnonzero((codes == np.array(combination)).all(axis=1))
        variant = _with_settings(scenario, space, settings, combination)
        table = ParameterTable.from_scenario(variant).with_values(
            {space.names[i]: values[rows, i] for i in numeric}
        )
        parts.append((rows, _outcomes(evaluate_table(variant, table))))
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


def _merge(parts: list[tuple[NDArray[np.intp], Columns]], n: int) -> Columns:
    names = list(itertools.chain.from_iterable(c.keys() for _, c in parts[:1]))
    merged: Columns = {}
    for name in names:
        sample = parts[0][1][name]
        merged[name] = np.empty(n, dtype=sample.dtype)
        for rows, columns in parts:
            merged[name][rows] = columns[name]
    return merged


def _outcomes(ev: Evaluation) -> Columns:
    ids = np.array(ev.deals.ids, dtype=object)
    out: Columns = {}
    for name in SOLUTION_NAMES:
        out[name] = ids[ev.cooperative.solutions[name].deal]
    out.update(_sequential(ev))
    probability, count = _posture(ev)
    posture_ids = np.array(ev.posture_table.deals.ids, dtype=object)
    out["posture"] = posture_ids[probability.argmax(axis=1)]
    out["posture_equilibria"] = count
    out["alternating"] = ids[ev.alternating().deal]
    out.update(hold_up(ev))
    return out


def _posture(ev: Evaluation) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Mean deal probabilities over the equilibria the sweep settings ask for, and their count."""
    if ev.scenario.sweep.posture_equilibria == "all":
        batch = ev.posture_batch()
        return batch.mean_deal_probability, batch.n_equilibria
    from sim.solvers.equilibria import batch_pure_equilibria
    from sim.solvers.posture import batch_posture, game_matrices

    table = ev.posture_table
    pure = batch_pure_equilibria(*game_matrices(ev.posture_utility, table))
    onehot = np.eye(len(table.deals))[table.cells]  # (m, k, D)
    count = pure.sum(axis=(1, 2))
    probability = np.einsum("nij,ijd->nd", pure, onehot) / np.maximum(count, 1)[:, None]
    missing = np.flatnonzero(count == 0)
    if missing.size:
        fallback = batch_posture(ev.posture_utility[missing], table)
        probability[missing] = fallback.mean_deal_probability
        count[missing] = fallback.n_equilibria
    return probability, count.astype(np.intp)


def _sequential(ev: Evaluation) -> Columns:
    spe = ev.sequential()
    ids = np.array(ev.sequential_game.deals.ids, dtype=object)
    outcome = ids[spe.outcome]
    return {"sequential": np.where(spe.reneged, outcome + " reneged", outcome)}


def would_renege(ev: Evaluation) -> NDArray[np.bool_]:
    """Draws × deals where the side that performs later gains by reneging, ``(N, D)``."""
    game = ev.sequential_game
    if game.deals.ids != ev.deals.ids:
        from sim.model.deals import reneged_menu
        from sim.model.payoffs import compute_payoffs

        performer, variants = reneged_menu(ev.deals)
        reneged_utility = compute_payoffs(ev.parameters, variants).utility
    else:
        performer, reneged_utility = game.performer, game.reneged.utility
    utility = ev.payoffs.utility
    out = np.zeros(utility.shape[:2], dtype=bool)
    for side in (0, 1):
        deals = np.flatnonzero(performer == side)
        cost = game.reputation_cost[:, side : side + 1]
        gain = reneged_utility[:, deals, side] - cost - utility[:, deals, side]
        out[:, deals] = gain > TOL
    return out


def hold_up(ev: Evaluation) -> Columns:
    """The hold-up test of every deal in every draw: ``holds_``, ``fails_``, ``margin_``."""
    coop = ev.cooperative
    utility, ratifier = ev.payoffs.utility, ev.payoffs.ratifier_utility
    margins = np.stack(
        [
            utility[:, :, 0] - utility[:, :1, 0],
            utility[:, :, 1] - utility[:, :1, 1],
            ratifier[:, :, 0] - ratifier[:, :1, 0],
            ratifier[:, :, 1] - ratifier[:, :1, 1],
        ],
        axis=-1,
    )
    failed = np.concatenate(
        [
            ~coop.rational[:, :, :1],
            ~coop.rational[:, :, 1:],
            ~coop.ratifiable[:, :, :1],
            ~coop.ratifiable[:, :, 1:],
            would_renege(ev)[:, :, None],
        ],
        axis=-1,
    )
    reasons = np.array((*FAIL_REASONS, ""), dtype=object)
    first = np.where(failed.any(axis=-1), failed.argmax(axis=-1), len(FAIL_REASONS))
    out: Columns = {}
    for d, deal in enumerate(ev.deals.ids[1:], start=1):
        out[f"holds_{deal}"] = np.asarray(~failed[:, d].any(axis=-1), dtype=bool)
        out[f"fails_{deal}"] = reasons[first[:, d]]
        out[f"margin_{deal}"] = margins[:, d].min(axis=-1)
    return out


__all__ = ["FAIL_REASONS", "evaluate_chunk", "hold_up", "would_renege"]
