"""Backtest: each solver's forecast against the recorded outcome of every episode.

A history scenario (``scenarios/history/*.toml``) extends the 2003 baseline, changes
only the context of its episode and records what happened under ``[observed]``, with
the stances the record shows (who refused, accepted or offered which deal). For each
episode the backtest takes, for every solver that stands for its family
(:func:`scored_solvers`: Nash bargaining, the posture game, the sequential game,
alternating offers), each by its rule in :mod:`sim.predict`:

* a **point prediction** at the scenario's own values, scored a hit when it is the
  recorded deal or a deal with exactly the same terms (a declaration that moves no
  island and no money has the terms of the status quo: the model cannot tell the two
  apart, and an outcome is its terms);
* a **forecast**: the share of a seeded Latin-hypercube sweep over the episode's own
  uncertainty ranges (:data:`FORECAST_DRAWS` draws) in which the solver predicts each
  outcome, scored with the Brier and log scores of :mod:`sim.history.scores`.

Two null models are scored the same way — always the status quo, and the base rate of
the other episodes' records (leave-one-out) — and each solver's skill is measured
against the better of them. The record's stances are checked against the model's
verdict for each actor (:mod:`sim.history.stances`): the *reasons score*. An episode
marked ``calibration = true`` (the 2003 action plan, which the baseline describes) is
reported apart from every skill figure. A miss is reported as a miss.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.evaluate import Evaluation, evaluate, evaluate_table
from sim.history import scores
from sim.history.stances import StanceCheck, check_stances
from sim.model.deals import STATUS_QUO, DealSpec, catalogue, reneged, split_reneged
from sim.model.loader import load_scenario
from sim.model.parameters import ParameterTable
from sim.model.scenario import Scenario
from sim.predict import solvers

FORECAST_DRAWS = 2_000
"""Latin-hypercube draws over each episode's ranges behind its forecasts."""
NULLS: tuple[str, ...] = ("status_quo", "base_rate")
"""The null models, by name."""
NULL_LABELS = {"status_quo": "Null: always the status quo", "base_rate": "Null: base rate"}


def scored_solvers() -> tuple[str, ...]:
    """The solvers the backtest scores: one per family (:func:`sim.predict.solvers`)."""
    return tuple(s.name for s in solvers(headline=True))


@dataclass(frozen=True)
class Episode:
    """One episode: the record, every solver's point prediction and forecast, the stances.

    Outcomes are compared by their terms: ``classes`` maps each deal id (and
    ``"<id> reneged"``) that appears to its outcome key, ``observed_class`` is the
    record's key and ``forecasts`` give, per solver and null model, the probability of
    each key.
    """

    path: Path
    name: str
    year: int
    description: str
    observed: str
    why: str
    predictions: dict[str, str]
    equivalent: frozenset[str]
    """Deal ids with the same terms as the recorded one (itself included)."""
    calibration: bool = False
    observed_class: str = ""
    forecasts: dict[str, dict[str, float]] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    stances: tuple[StanceCheck, ...] = ()
    posture_rule: str = ""

    @property
    def hits(self) -> dict[str, bool]:
        return {solver: deal in self.equivalent for solver, deal in self.predictions.items()}

    def brier(self, who: str) -> float:
        return scores.brier(self.forecasts[who], self.observed_class)

    def log_score(self, who: str) -> float:
        return scores.log_score(self.forecasts[who], self.observed_class)

    def label(self, key: str) -> str:
        """A deal id standing for an outcome key (the first deal with those terms)."""
        return next((d for d, k in self.classes.items() if k == key), key)


def predictions(ev: Evaluation) -> dict[str, str]:
    """The deal each scored solver predicts for a single scenario, by its registered rule."""
    return {s.name: str(s.predict(ev).ids[0]) for s in solvers(headline=True)}


def backtest(paths: Iterable[Path], *, draws: int = FORECAST_DRAWS) -> list[Episode]:
    """Score every history scenario among ``paths`` (files without ``[observed]`` are skipped).

    The null models need the whole record, so they are added once every episode is read.
    """
    episodes = []
    for path in paths:
        scenario = load_scenario(path)
        if scenario.observed is not None:
            episodes.append(_episode(Path(path), scenario, draws))
    episodes.sort(key=lambda e: (e.year, e.name))
    return _with_nulls(episodes)


def _episode(path: Path, scenario: Scenario, draws: int) -> Episode:
    from sim.evaluate import resolved

    observed = scenario.observed
    assert observed is not None
    info = scenario.scenario
    known = {**catalogue(), **scenario.deals.custom}
    point = evaluate(scenario)
    sweep = _sweep(scenario, draws)
    classes: dict[str, str] = {}
    forecasts: dict[str, dict[str, float]] = {}
    for spec in solvers(headline=True):
        ids = spec.predict(sweep).ids if sweep is not None else spec.predict(point).ids
        counts = Counter(_class(str(d), known, classes) for d in ids)
        forecasts[spec.name] = {k: n / len(ids) for k, n in counts.most_common()}
    for deal in predictions(point).values():
        _class(deal, known, classes)
    observed_class = _class(observed.deal, known, classes)
    _class(STATUS_QUO, known, classes)
    return Episode(
        path=path,
        name=info.name,
        year=info.year,
        description=info.description,
        observed=observed.deal,
        why=observed.why,
        predictions=predictions(point),
        equivalent=frozenset(d for d in known if _key(known[d]) == observed_class),
        calibration=observed.calibration,
        observed_class=observed_class,
        forecasts=forecasts,
        classes=classes,
        stances=tuple(check_stances(observed, point, sweep)),
        posture_rule=resolved(scenario).posture_rule,
    )


def _sweep(scenario: Scenario, draws: int) -> Evaluation | None:
    """The episode evaluated over a seeded Latin hypercube of its ranges (None: no range)."""
    from sim.sweeps.samplers import sample
    from sim.sweeps.spec import sweep_space

    space = sweep_space(scenario)
    if draws < 1 or len(space) == 0:
        return None
    design = sample(space, "lhs", draws, scenario.sweep.seed)
    table = ParameterTable.from_scenario(scenario).with_values(
        {name: design.values[:, i] for i, name in enumerate(space.names)}
    )
    return evaluate_table(scenario, table)


def _key(spec: DealSpec) -> str:
    """An outcome's key: its terms, whatever its name."""
    return json.dumps(_terms(spec), sort_keys=True)


def _class(deal: str, known: dict[str, DealSpec], classes: dict[str, str]) -> str:
    """The outcome key of a deal id or ``"<id> reneged"``; remembered in ``classes``."""
    if deal not in classes:
        base, is_reneged = split_reneged(deal)
        spec = known[base]
        classes[deal] = _key(reneged(spec) if is_reneged else spec)
    return classes[deal]


def _with_nulls(episodes: list[Episode]) -> list[Episode]:
    """Add the two null models' forecasts to every episode."""
    from dataclasses import replace

    records = [e.observed_class for e in episodes]
    out = []
    for i, e in enumerate(episodes):
        status_quo = e.classes[STATUS_QUO]
        nulls = {
            "status_quo": scores.status_quo_null(status_quo),
            "base_rate": scores.base_rate_null(records, i, order=(status_quo,)),
        }
        classes = dict(e.classes)
        for other in episodes:  # name the base rate's outcomes
            for deal, key in other.classes.items():
                classes.setdefault(deal, key)
        out.append(replace(e, forecasts={**e.forecasts, **nulls}, classes=classes))
    return out


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


def scored_episodes(episodes: list[Episode]) -> list[Episode]:
    """The episodes that count for skill (not the calibration episode)."""
    return [e for e in episodes if not e.calibration]


def hit_rates(episodes: list[Episode]) -> dict[str, tuple[int, int]]:
    """Hits and episodes per solver (over the episodes given)."""
    return {s: (sum(e.hits[s] for e in episodes), len(episodes)) for s in scored_solvers()}


def null_hits(episodes: list[Episode]) -> dict[str, tuple[int, int]]:
    """Hits of each null model's point forecast."""
    return {
        n: (
            sum(
                scores.point(e.forecasts[n]) == e.observed_class for e in episodes if e.forecasts[n]
            ),
            len(episodes),
        )
        for n in NULLS
    }


@dataclass(frozen=True)
class Skill:
    """The backtest in figures, over the episodes that count (not the calibration one)."""

    episodes: int
    hits: dict[str, int]
    null_hits: dict[str, int]
    brier: dict[str, float]
    log: dict[str, float]
    best_null: str
    brier_skill: dict[str, float | None]
    stances: int
    stances_matched: int
    unscorable: int = 0

    @property
    def best_null_hits(self) -> int:
        return max(self.null_hits.values())


def skill(episodes: list[Episode]) -> Skill:
    """Hits, mean Brier and log scores, Brier skill against the best null, reasons score."""
    counted = scored_episodes(episodes)
    who = [*scored_solvers(), *NULLS]
    n = max(1, len(counted))
    brier = {w: sum(e.brier(w) for e in counted) / n for w in who}
    log = {w: sum(e.log_score(w) for e in counted) / n for w in who}
    best = min(NULLS, key=lambda k: brier[k])
    stances = [c for e in counted for c in e.stances if c.scorable]
    return Skill(
        episodes=len(counted),
        hits={s: h for s, (h, _) in hit_rates(counted).items()},
        null_hits={s: h for s, (h, _) in null_hits(counted).items()},
        brier=brier,
        log=log,
        best_null=best,
        brier_skill={s: scores.skill(brier[s], brier[best]) for s in scored_solvers()},
        stances=len(stances),
        stances_matched=sum(c.matched for c in stances),
        unscorable=sum(not c.scorable for e in counted for c in e.stances),
    )


def to_json(episodes: list[Episode]) -> dict[str, object]:
    """The backtest as JSON-ready data: per episode, and the skill figures."""
    found = skill(episodes)
    return {
        "episodes": [_episode_json(e) for e in episodes],
        "hit_rate": {s: {"hits": h, "episodes": n} for s, (h, n) in hit_rates(episodes).items()},
        "skill": {
            "episodes": found.episodes,
            "excluded_as_calibration": [e.name for e in episodes if e.calibration],
            "hits": found.hits,
            "null_hits": found.null_hits,
            "hits_minus_best_null": {s: h - found.best_null_hits for s, h in found.hits.items()},
            "brier": found.brier,
            "log": found.log,
            "best_null": found.best_null,
            "brier_skill": found.brier_skill,
            "log_epsilon": scores.EPSILON,
            "forecast_draws": FORECAST_DRAWS,
            "reasons": {
                "stances": found.stances,
                "matched": found.stances_matched,
                "not_scorable": found.unscorable,
            },
        },
    }


def _episode_json(e: Episode) -> dict[str, Any]:
    return {
        "episode": e.name,
        "year": e.year,
        "file": str(e.path),
        "observed": e.observed,
        "calibration": e.calibration,
        "same_terms_as": sorted(e.equivalent - {e.observed}),
        "why": e.why,
        "predictions": e.predictions,
        "hits": e.hits,
        "forecasts": {w: {e.label(k): p for k, p in f.items()} for w, f in e.forecasts.items()},
        "brier": {w: e.brier(w) for w in e.forecasts},
        "log": {w: e.log_score(w) for w in e.forecasts},
        "posture_game": e.posture_rule,
        "stances": [
            {
                "kind": c.kind,
                "deal": c.deal,
                "by": c.role,
                "source": c.source,
                "model_margin": c.margin,
                "scorable": c.scorable,
                "matched": c.matched,
                "draws_agreeing": c.agreement,
                "words": None if c.matched or not c.scorable else c.words(e.year),
            }
            for c in e.stances
        ],
    }
