"""Backtest: each solver's prediction against the recorded outcome of every episode.

A history scenario (``scenarios/history/*.toml``) extends the 2003 baseline, changes
only the context of its episode and records what happened under ``[observed]``. For
each, the backtest takes one prediction per solver:

* ``cooperative``: the symmetric Nash bargaining solution (the likelier deal of a lottery);
* ``posture``: the deal with the highest probability averaged over every extreme
  equilibrium of the posture game;
* ``sequential``: the end of the subgame-perfect path with the scenario's proposer
  (``<deal> reneged`` when the path ends in a reneged deal);
* ``alternating``: the deal agreed under alternating offers;

and scores a hit when the prediction is the recorded deal, or a deal with exactly the
same terms: a declaration that moves no island and no money (the 1993 Tokyo Declaration)
has the terms of the status quo, and the model cannot tell the two apart. A miss is
reported as a miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import UserError
from sim.evaluate import Evaluation, evaluate
from sim.model.deals import DealSpec, catalogue
from sim.model.loader import load_scenario

SOLVERS: tuple[str, ...] = ("cooperative", "posture", "sequential", "alternating")


@dataclass(frozen=True)
class Episode:
    """One episode: the record and every solver's prediction."""

    path: Path
    name: str
    year: int
    description: str
    observed: str
    why: str
    predictions: dict[str, str]
    equivalent: frozenset[str]
    """Deal ids with the same terms as the recorded one (itself included)."""

    @property
    def hits(self) -> dict[str, bool]:
        return {solver: deal in self.equivalent for solver, deal in self.predictions.items()}


def predictions(ev: Evaluation) -> dict[str, str]:
    """One predicted deal per solver for a single scenario."""
    nash = ev.solution("nash")
    posture = ev.posture()
    mean = np.mean([eq.deal_probability for eq in posture.equilibria], axis=0)
    spe = ev.sequential()
    sequential = ev.sequential_game.deals.ids[spe.outcome[0]]
    alternating = ev.alternating()
    return {
        "cooperative": max(nash.items(), key=lambda item: item[1])[0],
        "posture": posture.table.deals.ids[int(np.argmax(mean))],
        "sequential": f"{sequential} reneged" if spe.reneged[0] else sequential,
        "alternating": ev.deals.ids[alternating.deal[0]],
    }


def backtest(paths: Iterable[Path]) -> list[Episode]:
    """Score every history scenario among ``paths`` (files without ``[observed]`` are skipped)."""
    episodes = []
    for path in paths:
        scenario = load_scenario(path)
        if scenario.observed is None:
            continue
        info = scenario.scenario
        known = {**catalogue(), **scenario.deals.custom}
        terms = _terms(known[scenario.observed.deal])
        same = frozenset(d for d, spec in known.items() if _terms(spec) == terms)
        episodes.append(
            Episode(
                path=Path(path),
                name=info.name,
                year=info.year,
                description=info.description,
                observed=scenario.observed.deal,
                why=scenario.observed.why,
                predictions=predictions(evaluate(scenario)),
                equivalent=same,
            )
        )
    return sorted(episodes, key=lambda e: (e.year, e.name))


def _terms(spec: DealSpec) -> dict[str, object]:
    """What a deal does, without its name and anchor."""
    return spec.model_dump(exclude={"label", "anchor"})


def history_files(folder: str | Path) -> list[Path]:
    """The scenario files of a history folder; :class:`UserError` if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("not a folder of history scenarios", source=str(folder))
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise UserError("no scenario files (*.toml) in this folder", source=str(folder))
    return files


def hit_rates(episodes: list[Episode]) -> dict[str, tuple[int, int]]:
    """Hits and episodes per solver."""
    return {s: (sum(e.hits[s] for e in episodes), len(episodes)) for s in SOLVERS}


def to_json(episodes: list[Episode]) -> dict[str, object]:
    """The backtest as JSON-ready data."""
    return {
        "episodes": [
            {
                "episode": e.name,
                "year": e.year,
                "file": str(e.path),
                "observed": e.observed,
                "same_terms_as": sorted(e.equivalent - {e.observed}),
                "why": e.why,
                "predictions": e.predictions,
                "hits": e.hits,
            }
            for e in episodes
        ],
        "hit_rate": {s: {"hits": h, "episodes": n} for s, (h, n) in hit_rates(episodes).items()},
    }
