"""The briefing pack: one command from a scenario to charts, a summary and a PDF.

:func:`analyse` runs what a briefing needs — the scenario itself, a default sweep over
every uncertain assumption (Latin hypercube), Sobol indices of the leading deal's
margin, a one-at-a-time design for the tornado, a grid over the two assumptions that
matter most for the stability map, and tipping points — and
:func:`summary_sentences` writes the summary from those results (nothing in it is
written by hand): a three-line bottom line first, then the detail, then where the
result comes from (:mod:`sim.provenance`).

:func:`make_brief` is what ``kurilsim brief`` runs. The pack folder is an
:class:`~sim.outputs.OutputFolder`: locked while the pack is made, and holding a record
of the files kurilsim wrote. The sweep behind the pack lives in its ``sweep/`` folder
and is reused only when it is finished and its fingerprint is the new plan's (same
scenario after overrides, same design); otherwise it is run again from scratch, unless
``resume`` asks to continue an interrupted one. A pack never mixes files of two runs:
the new pack is written into a hidden staging folder, then the previous pack's files
are removed (only those kurilsim wrote and nobody changed since) and the new ones moved
into place. Charts are PNG (200 dpi by default) and SVG; ``brief.pdf`` has A4 pages
with page numbers, the summary on page 1 and the document title in its metadata.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.evaluate import Evaluation, evaluate, evaluate_table
from sim.holdup import FailReason
from sim.model.parameters import ParameterTable, iter_parameters
from sim.model.scenario import Scenario
from sim.outputs import OutputFolder
from sim.predict import REGISTRY
from sim.provenance import Provenance
from sim.report import shortfalls
from sim.sweeps import columns
from sim.sweeps.analysis import ParameterTipping, scenario_tipping_points
from sim.sweeps.runner import SweepOutput, SweepPlan, load_finished, plan_sweep, run_sweep
from sim.sweeps.samplers import Samples, sample
from sim.sweeps.sensitivity import SobolResult, TornadoResult, sobol_indices, tornado
from sim.sweeps.space import SweepSpace
from sim.sweeps.spec import sweep_space
from sim.sweeps.thresholds import tipping_points
from sim.text import deal_name, money, value

if TYPE_CHECKING:
    from sim.charts.render import Chart, Rendered

DEFAULT_SAMPLES = 100_000
"""Draws of the default briefing sweep: well under a minute on two cores."""
SOBOL_BASE = 512
GRID_SIDE = 40
PNG_DPI = 200
"""Resolution of the pack's PNG charts (``--dpi`` changes it)."""

PERCENT_MEANING = (
    "A percentage is the share of the draws of a sweep over the judgement ranges of the "
    "scenario file (each assumption uniform over its range) in which something happens; "
    "it is not a probability that events turn out so, and its 95% interval is sampling "
    "error only."
)
_ACTORS = ("Japan's government", "Russia's government", "Japan's ratifier", "Russia's ratifier")


@dataclass(frozen=True)
class Analysis:
    """Everything a briefing pack is made from."""

    scenario: Scenario
    provenance: Provenance
    evaluation: Evaluation
    sweep: SweepOutput
    results: pd.DataFrame
    leading_deal: str
    sobol: SobolResult | None
    sobol_outcome: str
    sobol_rows: int
    tornado: TornadoResult | None
    grid: pd.DataFrame | None
    grid_axes: tuple[str, str] | None
    tipping: list[ParameterTipping]
    holds_tipping: ParameterTipping | None
    """Where the leading deal stops (or starts) holding up along the top assumption."""
    history: Path | None = None
    history_note: str = ""
    episodes: tuple[Any, ...] = ()
    """The backtest of the history scenarios in ``history`` (:func:`sim.history.backtest`)."""


def analyse(
    scenario: Scenario,
    sweep_folder: Path,
    *,
    provenance: Provenance | None = None,
    samples: int = DEFAULT_SAMPLES,
    workers: int | None = None,
    seed: int | None = None,
    resume: bool = False,
    fresh: Callable[[], Path] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """Run the scenario, the default sweep (in ``sweep_folder``) and the briefing's analyses.

    Parameters
    ----------
    scenario : Scenario
    sweep_folder : Path
        Folder of the sweep behind the pack: a finished sweep there with the same
        fingerprint is reused; ``resume`` continues an interrupted one.
    provenance : Provenance, optional
        Where the scenario comes from (default: the scenario alone, no file).
    samples, workers, seed
        Draws, local worker processes and seed of the sweep (seed: the scenario's).
    resume : bool
        Continue an interrupted sweep of the same fingerprint in ``sweep_folder``.
    fresh : callable, optional
        Called to empty ``sweep_folder`` when it holds another or an unfinished sweep
        and ``resume`` is false; returns the folder to use. Default: none may be there.
    progress : callable, optional
        Called with the number of draws of each finished chunk.
    """
    provenance = provenance or Provenance.of(scenario, "(in memory)")
    space = sweep_space(scenario, scenario.sweep.parameters)
    seed = scenario.sweep.seed if seed is None else seed
    plan = plan_sweep(scenario, space, "lhs", samples, seed, scenario.sweep.chunk_size)
    done = _sweep(plan, sweep_folder, workers, resume, fresh, progress)
    results = pd.read_parquet(done.results)
    leading = done.summary.leading_deal()
    outcome = columns.margin(leading)
    sobol, sobol_rows = _indices(scenario, space, seed, outcome, "sobol", SOBOL_BASE)
    ranked = list(sobol.ranked()) if sobol is not None else list(space.names)
    oat, _ = _indices(scenario, space, seed, outcome, "oat", 8 * len(space) + 1)
    axes, grid = _grid(scenario, space, ranked, seed)
    return Analysis(
        scenario=scenario,
        provenance=provenance.with_sweep(plan.method, plan.n_rows, plan.seed),
        evaluation=evaluate(_display(scenario, provenance)),
        sweep=done,
        results=results,
        leading_deal=leading,
        sobol=sobol,
        sobol_outcome=outcome,
        sobol_rows=sobol_rows,
        tornado=oat,
        grid=grid,
        grid_axes=axes,
        tipping=scenario_tipping_points(scenario, space, "nash"),
        holds_tipping=_holds_tipping(scenario, space, leading, ranked[0]),
    )


def _grid(
    scenario: Scenario, space: SweepSpace, ranked: Sequence[str], seed: int
) -> tuple[tuple[str, str] | None, pd.DataFrame | None]:
    """The stability map's grid over the two most influential continuous assumptions.

    None when fewer than two continuous assumptions are swept (the map needs two axes).
    """
    from sim.sweeps.space import Discrete

    continuous = {p.path for p in space.parameters if not isinstance(p.distribution, Discrete)}
    top = [p for p in ranked if p in continuous][:2]
    if len(top) < 2:
        return None, None
    grid_space = sweep_space(scenario, {p: _range(space, p) for p in top})
    grid = _evaluate(scenario, sample(grid_space, "grid", GRID_SIDE**2, seed))
    return (top[0], top[1]), grid


def _sweep(
    plan: SweepPlan,
    folder: Path,
    workers: int | None,
    resume: bool,
    fresh: Callable[[], Path] | None,
    progress: Callable[[int], None] | None,
) -> SweepOutput:
    """The finished sweep of ``plan`` in ``folder``: reused, resumed or run afresh."""
    done = load_finished(plan, folder)
    if done is not None:
        if progress is not None:
            progress(plan.n_rows)
        return done
    if not resume and fresh is not None:
        folder = fresh()
    return run_sweep(
        plan, folder, executor="local", workers=workers, resume=resume, progress=progress
    )


def _display(scenario: Scenario, provenance: Provenance) -> Scenario:
    """The scenario named as the pack names it (its name, marked when overridden)."""
    if provenance.title == scenario.scenario.name:
        return scenario
    info = scenario.scenario.model_copy(update={"name": provenance.title})
    return scenario.model_copy(update={"scenario": info})


def _range(space: SweepSpace, path: str) -> dict[str, Any]:
    (parameter,) = [p for p in space.parameters if p.path == path]
    low, high = (float(x) for x in parameter.distribution.ppf(np.array([0.0, 1.0])))
    return {"range": [low, high]}


def _evaluate(scenario: Scenario, design: Samples) -> pd.DataFrame:
    from sim.sweeps.analysis import evaluate_design

    return evaluate_design(scenario, design)


def _indices(scenario: Scenario, space: Any, seed: int, outcome: str, method: str, n: int) -> Any:
    design = sample(space, method, n, seed)
    y = _evaluate(scenario, design)[outcome].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        return None, design.n_rows
    found = sobol_indices(design, y) if method == "sobol" else tornado(design, y)
    return found, design.n_rows


def _holds_tipping(
    scenario: Scenario, space: SweepSpace, deal: str, path: str
) -> ParameterTipping | None:
    """Where ``deal`` starts or stops holding up along ``path``, the others at baseline."""
    base = ParameterTable.from_scenario(scenario)
    if path not in base.names:
        return None
    low, high = (float(x) for x in _range(space, path)["range"])

    def holds(values: np.ndarray) -> np.ndarray:
        ev = evaluate_table(scenario, base.with_values({path: values}))
        return np.asarray(ev.hold_up().holds[:, ev.deals.index(deal)], dtype=int)

    points = tipping_points(holds, low, high)
    here = int(holds(np.array([base.column(path)[0]]))[0])
    ids = ("does not hold up", "holds up")
    return ParameterTipping(path, low, high, ids[here], tuple(points), ids)


# -- the summary ---------------------------------------------------------------------------


def _pct(x: float) -> str:
    if x == 0 or x >= 0.01:
        return f"{x:.0%}"
    return f"{x:.1%}" if x >= 0.001 else "<0.1%"


def _label(path: str) -> str:
    """A parameter's name inside a sentence, lower-case unless it starts with a name."""
    from sim.charts.labels import parameter_phrase

    phrase = parameter_phrase(path)
    names = ("Japan", "Russia", "China", "US")
    return phrase if phrase.startswith(names) else phrase[:1].lower() + phrase[1:]


def _interval(low: float, high: float) -> str:
    if high < 0.001:
        return "95% interval below 0.1%"
    if high - low < 0.02:
        return f"95% interval {low:.1%} to {high:.1%}"
    return f"95% interval {_pct(low)} to {_pct(high)}"


def bottom_line(a: Analysis) -> list[str]:
    """Three sentences: the point estimate, the ranges, the assumption it turns on."""
    return [_at_point(a), _across_ranges(a), _turns_on(a)]


def _at_point(a: Analysis) -> str:
    ev = a.evaluation
    flags = ev.hold_up().holds[0]
    holding = [d for i, d in enumerate(ev.deals.ids) if flags[i]]
    if not holding:
        return (
            "At the scenario's own values no deal holds up: every deal on the table is "
            "rejected by a government or a ratifier, or would be reneged on."
        )
    margins = shortfalls(ev)
    parts = []
    for deal in holding:
        row = margins[ev.deals.index(deal)]
        who = (
            int(np.argmin(row))
            if ev.scenario.cooperative.require_ratification
            else int(np.argmin(row[:2]))
        )
        parts.append(
            f"{deal_name(deal)} (its least willing party, {_ACTORS[who]}, gains "
            f"{money(float(row[who]))})"
        )
    only = "only " if len(holding) == 1 else ""
    return f"At the scenario's own values {only}{_join(parts)} holds up."


def _across_ranges(a: Analysis) -> str:
    holds = a.results[[columns.holds(d) for d in columns.deals_in(a.results.columns)]]
    none = float((~holds.any(axis=1)).mean())
    n = len(a.results)
    deals = a.sweep.summary.deals
    best = sorted(deals, key=lambda d: -deals[d].hold_up_rate)[:2]
    rates = [
        f"{deal_name(d)} in {_pct(deals[d].hold_up_rate)}"
        for d in best
        if deals[d].hold_up_rate > 0
    ]
    tail = f"; {' and '.join(rates)}" if rates else ""
    return (
        f"Across the assumption ranges ({n:,} draws) no deal holds up in {_pct(none)} of "
        f"draws{tail}."
    )


def _turns_on(a: Analysis) -> str:
    t = a.holds_tipping
    deal = deal_name(a.leading_deal)
    if t is None:
        return f"No single assumption, moved alone, changes whether {deal} holds up."
    baseline = float(ParameterTable.from_scenario(a.scenario).column(t.path)[0])
    where = (
        f"baseline {value(t.path, baseline)}; range {value(t.path, t.low)} to "
        f"{value(t.path, t.high)}"
    )
    if not t.points:
        verdict = "holds up" if t.baseline_deal == "holds up" else "does not hold up"
        return (
            f"It turns most on {_label(t.path)}, yet moved alone across its range it never "
            f"changes that {deal} {verdict} ({where})."
        )
    point = min(t.points, key=lambda p: abs(p.value - baseline))
    tip = value(t.path, point.value)
    if t.baseline_deal == "holds up":
        side = "below" if point.above == 0 else "above"
        return (
            f"It turns on {_label(t.path)}: {deal} holds up while it stays {side} {tip} ({where})."
        )
    side = "above" if point.above == 1 else "below"
    return f"It turns on {_label(t.path)}: {deal} would hold up once it is {side} {tip} ({where})."


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def summary_sentences(a: Analysis) -> dict[str, list[str]]:
    """The summary, section by section, written from the results."""
    deals = a.sweep.summary.deals
    n = a.sweep.summary.draws
    holding = sorted(
        ((d, v) for d, v in deals.items() if v.hold_up_rate > 0),
        key=lambda item: -item[1].hold_up_rate,
    )
    never = [d for d, v in deals.items() if v.hold_up_rate == 0]
    hold = [
        f"{deal_name(d)} holds up in {_pct(v.hold_up_rate)} of {n:,} draws "
        f"({_interval(*v.interval_95)})."
        for d, v in holding
    ] or [f"No deal holds up in any of {n:,} draws."]
    if never:
        hold.append(f"Never holding up: {', '.join(deal_name(d) for d in never)}.")
    for d in never[:3]:
        main = deals[d].main_reason()
        if main is not None:
            share = _pct(deals[d].fails_because[main])
            hold.append(
                f"{deal_name(d)} is rejected first by {FailReason(main).who} in {share} of draws."
            )
    return {
        "Bottom line": [*bottom_line(a), PERCENT_MEANING],
        "Which deals hold up": hold,
        "What each solver predicts": _predictions(a),
        "The assumptions that matter most": _drivers(a),
        "Tipping points": _tipping(a),
        "Against the record": _record(a),
        "Where this comes from": [*a.provenance.lines(), *_history_line(a)],
    }


def _history_line(a: Analysis) -> list[str]:
    return [a.history_note] if a.history_note else []


def _record(a: Analysis) -> list[str]:
    """The backtest, quoted as it is: hits beside the null's, skill, the record's reasons."""
    if not a.episodes:
        return []
    from sim.history.backtest import skill

    found = skill(list(a.episodes))
    best = max(found.hits.values())
    null = found.null_hits["status_quo"]
    leaders = [REGISTRY[s].label for s, h in found.hits.items() if h == best]
    who = "every scored solver" if len(leaders) == len(found.hits) else ", ".join(leaders)
    compared = "no more than" if best == null else ("more than" if best > null else "fewer than")
    skills = ", ".join(
        f"{REGISTRY[s].label} {'n/a' if v is None else f'{v:+.2f}'}"
        for s, v in found.brier_skill.items()
    )
    calibration = [e.year for e in a.episodes if e.calibration]
    apart = f" ({', '.join(map(str, calibration))}, which set the preferences, left out)"
    return [
        f"Over {found.episodes} recorded episodes{apart if calibration else ''}, {who} "
        f"predicts the recorded outcome in {best}: {compared} always predicting the status "
        f"quo ({null}).",
        f"Brier skill of the forecasts over each episode's ranges, against the better null "
        f"({found.best_null.replace('_', ' ')}; 0 = no better, below 0 = worse): {skills}.",
        f"The record's reasons: {found.stances_matched} of {found.stances} recorded stances "
        "(who refused or accepted which deal) match the model's verdict for that actor.",
    ]


def _predictions(a: Analysis) -> list[str]:
    from sim.predict import solvers
    from sim.report import predictions

    groups: dict[str, list[str]] = {}
    for said in predictions(a.evaluation, solvers()):
        groups.setdefault(said.outcome, []).append(said.solver)
    if len(groups) == 1:
        lines = [f"At the scenario's own values every solver predicts {next(iter(groups))}."]
    else:
        lines = [
            "At the scenario's own values: "
            + "; ".join(f"{', '.join(names)}: {deal}" for deal, names in groups.items())
            + "."
        ]
    shares = a.sweep.summary.predictions
    for spec in solvers(headline=True):
        if spec.name in shares:
            top = list(shares[spec.name].items())[:2]
            lines.append(
                f"Across the sweep, {spec.label} predicts "
                + " and ".join(f"{deal_name(deal)} in {_pct(x)} of draws" for deal, x in top)
                + "."
            )
    return lines


def _drivers(a: Analysis) -> list[str]:
    if a.sobol is None:
        return [f"{a.sobol_outcome} does not vary across the sweep: no assumption moves it."]
    frame = a.sobol.to_df().sort_values("ST", ascending=False).head(3)
    lines = [
        f"{i}. {_label(name)} ({name}): total Sobol index {row['ST']:.2f}, first-order "
        f"{row['S1']:.2f}."
        for i, (name, row) in enumerate(frame.iterrows(), start=1)
    ]
    head = (
        f"For the margin by which {deal_name(a.leading_deal)} holds up (share of its variance "
        f"across {a.sobol_rows:,} Sobol draws explained by each assumption, alone and with "
        "its interactions):"
    )
    advice = "read the ranking with care (the pack's Sobol design is fixed)"
    return [head, *lines, *a.sobol.warnings(advice=advice)]


def _tipping(a: Analysis) -> list[str]:
    lines = []
    for t in a.tipping:
        for point in t.points:
            below, above = deal_name(t.deal_ids[point.below]), deal_name(t.deal_ids[point.above])
            lines.append(
                f"The Nash solution is {below} while {_label(t.path)} stays below "
                f"{value(t.path, point.value)}, and {above} above it (range "
                f"{value(t.path, t.low)} to {value(t.path, t.high)})."
            )
    return lines or ["No single assumption, moved across its range, changes the Nash solution."]


def summary_markdown(a: Analysis, charts: list[tuple[str, str]]) -> str:
    """``summary.md``: the sentences, then the list of charts and the glossary link."""
    info = a.scenario.scenario
    out = [f"# {a.provenance.title} ({info.year}): briefing", "", info.description, ""]
    for heading, lines in summary_sentences(a).items():
        if lines:
            out += [f"## {heading}", "", *[f"- {line}" for line in lines], ""]
    out += ["## Charts", "", *[f"- {title}: `{name}.png`" for name, title in charts], ""]
    out += [
        "## Tables (CSV, for a spreadsheet)",
        "",
        "- `deals.csv` (each deal at the scenario's values), `hold_up_rates.csv` (the sweep), "
        "`tipping_points.csv`" + (", `backtest.csv`" if a.episodes else "") + ".",
        "",
    ]
    out += [
        "Terms such as *hold up*, *win-set* or *draw* are explained in the "
        "[glossary](glossary.md).",
        "",
    ]
    return "\n".join(out)


__all__ = [
    "Analysis",
    "analyse",
    "bottom_line",
    "make_brief",
    "summary_markdown",
    "summary_sentences",
    "write_pack",
]


# -- the pack --------------------------------------------------------------------------------


def pack_charts(a: Analysis) -> list[Chart]:
    """Every chart of the pack, in reading order, each with how to draw it."""
    from functools import partial

    from sim.charts.components import component_bars
    from sim.charts.holdup import holdup_rates
    from sim.charts.island_map import island_map
    from sim.charts.render import Chart
    from sim.charts.sensitivity import sobol_chart
    from sim.charts.sequential_tree import sequential_tree
    from sim.charts.stability_map import stability_map
    from sim.charts.style import scenario_subtitle
    from sim.charts.tornado import tornado_chart
    from sim.charts.utility_plane import utility_plane

    info = a.scenario.scenario
    where = (a.provenance.title, info.year)
    values = {p.path: p.value for p in iter_parameters(a.scenario)}
    label = f"margin by which {deal_name(a.leading_deal)} holds up (US$ bn)"
    tips = {t.path: [p.value for p in t.points] for t in a.tipping if t.points}
    charts = [
        Chart(
            "holdup_rates", "Hold-up rates", partial(holdup_rates, a.sweep.summary, scenario=where)
        ),
        Chart("utility_plane", "Utility plane", partial(utility_plane, a.evaluation)),
        Chart("components", "Why each side ranks the deals", partial(component_bars, a.evaluation)),
        Chart(
            "island_map",
            "Who holds which island",
            partial(island_map, a.evaluation.deals, subtitle=scenario_subtitle(*where)),
        ),
        Chart("sequential_tree", "Where each deal dies", partial(sequential_tree, a.evaluation)),
    ]
    if a.grid is not None and a.grid_axes is not None:
        x, y = a.grid_axes
        build = partial(
            stability_map,
            a.grid,
            x,
            y,
            "nash",
            baseline={p: values[p] for p in (x, y) if p in values},
            scenario=where,
            tipping=tips,
        )
        charts.insert(4, Chart("stability_map", "Stability map", build))
    if a.sobol is not None:
        build = partial(sobol_chart, a.sobol, label, scenario=where, draws=a.sobol_rows)
        charts.append(Chart("sensitivity", "Which assumptions matter most", build))
    if a.tornado is not None:
        build = partial(
            tornado_chart,
            a.tornado,
            label,
            scenario=where,
            reference=(0.0, "Margin 0: the deal holds up to the right"),
        )
        charts.append(Chart("tornado", "One assumption at a time", build))
    if a.episodes:
        from sim.charts.history import history_timeline

        build = partial(history_timeline, list(a.episodes))
        charts.append(Chart("history", "The model against the record", build))
    return charts


TABLES = ("deals.csv", "hold_up_rates.csv", "tipping_points.csv", "backtest.csv")
"""The pack's tables, for a spreadsheet (:mod:`sim.export`)."""


def _tables(a: Analysis) -> dict[str, pd.DataFrame]:
    from sim.export import backtest_frame, deals_frame, hold_up_frame, tipping_frame

    tables = {
        "deals.csv": deals_frame(a.evaluation),
        "hold_up_rates.csv": hold_up_frame(a.sweep.summary),
        "tipping_points.csv": tipping_frame(a.tipping, "nash"),
    }
    if a.episodes:
        tables["backtest.csv"] = backtest_frame(list(a.episodes))
    return tables


def pack_names(
    charts: Sequence[str], *, svg: bool = True, tables: Sequence[str] = TABLES
) -> list[str]:
    """Every file name a pack with these charts and tables writes."""
    suffixes = ("png", "svg") if svg else ("png",)
    return [
        *(f"{c}.{s}" for c in charts for s in suffixes),
        *tables,
        "brief.pdf",
        "summary.md",
        "glossary.md",
    ]


ALL_CHARTS = (
    "holdup_rates",
    "utility_plane",
    "components",
    "island_map",
    "stability_map",
    "sequential_tree",
    "sensitivity",
    "tornado",
    "history",
)
"""Every chart a pack can hold, in reading order."""


def write_pack(
    a: Analysis,
    pack: OutputFolder,
    *,
    dpi: int = PNG_DPI,
    svg: bool = True,
    workers: int | None = None,
) -> list[Path]:
    """Write the pack into ``pack``, replacing the previous pack's files in one swap.

    Every chart as PNG (and SVG), ``summary.md``, ``glossary.md`` and ``brief.pdf``
    are written into a hidden staging folder first; then the files of the previous
    pack that this one does not write again are removed (only if kurilsim wrote them
    and nobody changed them since), and the new files replace the old ones. The
    charts are rendered in up to ``workers`` processes (:mod:`sim.charts.render`).
    """
    from sim.charts.render import render_all
    from sim.charts.style import chart_style
    from sim.export import write_csv
    from sim.glossary import glossary_markdown
    from sim.terminal import warn

    charts = pack_charts(a)
    tables = _tables(a)
    names = pack_names([c.name for c in charts], svg=svg, tables=list(tables))
    for name in names:
        pack.target(name)  # refuse now if a user's file is in the way
    stage_name = ".next-pack"
    if (pack.path / stage_name).exists():
        pack.remove(f"{stage_name}/")
    kinds = ("png", "svg", "pdf") if svg else ("png", "pdf")
    summary, glossary = pdf_text_pages(a, [c.title for c in charts])
    try:
        with pack.subfolder(stage_name) as stage:
            done = render_all(
                [*charts, *summary, *glossary], kinds, dpi=dpi, workers=workers, warn=warn
            )
            rendered = done[: len(charts)]
            for chart in rendered:
                for kind in kinds:
                    if kind != "pdf":
                        stage.write_bytes(f"{chart.name}.{kind}", chart.files[kind])
            stage.write_text("summary.md", summary_markdown(a, [(c.name, c.title) for c in charts]))
            stage.write_text("glossary.md", glossary_markdown())
            for name, frame in tables.items():
                write_csv(stage, name, frame)
            with stage.writing("brief.pdf") as tmp, chart_style():
                pages = done[len(charts) :]
                write_pdf(a, pages[: len(summary)], rendered, pages[len(summary) :], tmp)
    except BaseException:
        pack.remove(f"{stage_name}/")  # the previous pack stays as it was
        raise
    return _swap(pack, stage_name, names)


def _swap(pack: OutputFolder, stage_name: str, names: list[str]) -> list[Path]:
    """Move the staged pack into place; drop the previous pack's other files."""
    import os

    keep = frozenset({"sweep/", f"{stage_name}/", *names})
    changed = pack.clear(keep=keep)
    if changed:
        from sim.terminal import warn

        warn(f"kept {', '.join(changed)} in {pack.path}: changed since kurilsim wrote it")
    for name in names:
        os.replace(pack.path / stage_name / name, pack.target(name))
    pack.record_many(names)
    pack.remove(f"{stage_name}/")
    return [pack.path / n for n in names]


# -- the PDF ---------------------------------------------------------------------------------

A4 = (8.27, 11.69)
"""A4 in inches (portrait)."""
_MARGIN, _HEADER, _FOOTER = 0.39, 0.45, 0.45


def pdf_text_pages(a: Analysis, titles: Sequence[str]) -> tuple[list[Chart], list[Chart]]:
    """The summary's and the glossary's numbered A4 pages, to render as PDF pages.

    ``titles``: the chart pages between them, in order. The summary's length, and so
    the page numbers in its list of charts, are known only once it is cut into pages:
    it is cut twice.
    """
    from functools import partial

    from sim.charts.render import Chart

    summary = _text_pages(a, titles)
    summary = _text_pages(a, titles, first_chart=len(summary) + 1)
    glossary = _glossary_pages()
    total = len(summary) + len(titles) + len(glossary)
    first_glossary = len(summary) + len(titles) + 1
    return (
        [
            Chart(
                f"summary-{i + 1}", "Summary", partial(_text_figure, a, lines, i + 1, total), True
            )
            for i, lines in enumerate(summary)
        ],
        [
            Chart(
                f"glossary-{i + 1}",
                "Glossary",
                partial(_text_figure, a, lines, first_glossary + i, total, heading="Glossary"),
                True,
            )
            for i, lines in enumerate(glossary)
        ],
    )


def write_pdf(
    a: Analysis,
    summary: Sequence[Rendered],
    charts: Sequence[Rendered],
    glossary: Sequence[Rendered],
    path: Path,
) -> None:
    """``brief.pdf``: the summary, one chart per A4 page, the glossary; numbered pages.

    Every page comes rendered as PDF (:func:`sim.charts.render.render_all`); the
    summary's and the glossary's from :func:`pdf_text_pages`.
    """
    from pypdf import PdfReader, PdfWriter

    def first_page(rendered: Rendered) -> Any:
        return PdfReader(io.BytesIO(rendered.files["pdf"])).pages[0]

    total = len(summary) + len(charts) + len(glossary)
    writer = PdfWriter()
    for text in summary:
        writer.add_page(first_page(text))
    for number, chart in enumerate(charts, start=len(summary) + 1):
        page = writer.add_page(first_page(chart))
        _place_on_a4(page)
        page.merge_page(_pdf_page(_frame(a, chart.title, number, total), clear=True))
    for text in glossary:
        writer.add_page(first_page(text))
    info = a.scenario.scenario
    writer.add_metadata(
        {
            "/Title": f"{a.provenance.title} ({info.year}): briefing",
            "/Author": "kurilsim",
            "/Subject": info.description,
            "/Keywords": f"scenario hash {a.provenance.scenario_sha256}",
            "/Creator": f"kurilsim {a.provenance.version}",
        }
    )
    with open(path, "wb") as handle:
        writer.write(handle)
    PdfReader(path)  # a file that cannot be read back is an error now, not for the reader


def _place_on_a4(page: Any) -> None:
    """Make a chart's page A4: its drawing scaled to fit below the header, centred.

    The chart's content stream is wrapped in one transformation (``q … cm … Q``) as
    bytes, without parsing it: a chart holds many thousands of drawing operations.
    """
    from pypdf.generic import RectangleObject

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    room_w = (A4[0] - 2 * _MARGIN) * 72
    room_h = (A4[1] - _HEADER - _FOOTER - 0.3) * 72
    scale = min(1.0, room_w / width, room_h / height)
    x = (A4[0] * 72 - width * scale) / 2
    y = A4[1] * 72 - (_HEADER + 0.25) * 72 - height * scale
    contents = page.get_contents()
    head = f"q {scale:.6f} 0 0 {scale:.6f} {x:.4f} {y:.4f} cm\n".encode()
    contents.set_data(head + contents.get_data() + b"\nQ\n")
    page.replace_contents(contents)
    a4 = RectangleObject([0, 0, A4[0] * 72, A4[1] * 72])
    page.mediabox = a4
    page.cropbox = a4


def _pdf_page(fig: Any, *, clear: bool = False) -> Any:
    """The A4 figure ``fig`` saved as a PDF page at its exact size, as a pypdf page.

    ``clear``: without a background, to lay over another page.
    """
    import matplotlib as mpl
    from pypdf import PdfReader

    buffer = io.BytesIO()
    with mpl.rc_context({"savefig.bbox": "standard"}):
        fig.savefig(buffer, format="pdf", transparent=clear)
    buffer.seek(0)
    return PdfReader(buffer).pages[0]


def _frame(a: Analysis, title: str, number: int, total: int) -> Any:
    """An empty A4 page with the pack's header and footer."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4)
    info = a.scenario.scenario
    fig.text(_MARGIN / A4[0], 1 - 0.35 / A4[1], title, fontsize=10, color="#444444", va="baseline")
    fig.text(
        1 - _MARGIN / A4[0],
        1 - 0.35 / A4[1],
        f"{a.provenance.title} ({info.year})",
        fontsize=8,
        color="#666666",
        ha="right",
        va="baseline",
    )
    fig.text(
        0.5,
        0.3 / A4[1],
        f"kurilsim {a.provenance.version} · {a.provenance.created[:10]} · scenario hash "
        f"{a.provenance.scenario_sha256[:12]} · page {number} of {total}",
        fontsize=7.5,
        color="#666666",
        ha="center",
    )
    return fig


_WRAP = 100
_LINE = 0.0165


def _text_pages(a: Analysis, titles: Sequence[str], first_chart: int = 2) -> list[list[Any]]:
    """The summary as lines of ``(kind, text)``, cut into A4 pages.

    ``first_chart`` is the page number of the first chart; the list of charts at the end
    gives each chart's page (the summary's length, and so the numbers, are known only
    once it is cut into pages: :func:`pdf_text_pages` cuts twice).
    """
    info = a.scenario.scenario
    items: list[tuple[str, str]] = [("title", f"{a.provenance.title} ({info.year}): briefing")]
    items += [("desc", line) for line in textwrap.wrap(info.description, 95)]
    for heading, lines in summary_sentences(a).items():
        if not lines:
            continue
        items.append(("heading", heading))
        for line in lines:
            wrapped = textwrap.wrap(line, _WRAP)
            items += [("first" if i == 0 else "cont", part) for i, part in enumerate(wrapped)]
    items.append(("heading", "Charts"))
    items += [("first", f"Page {first_chart + i}: {title}") for i, title in enumerate(titles)]
    return _paginate(items)


def _paginate(items: list[tuple[str, str]]) -> list[list[Any]]:
    room = int((1 - (_HEADER + _FOOTER + 0.4) / A4[1]) / _LINE)
    pages: list[list[Any]] = [[]]
    used = 0
    for kind, text in items:
        cost = {"title": 3, "heading": 2}.get(kind, 1)
        if used + cost > room:
            pages.append([])
            used = 0
        pages[-1].append((kind, text))
        used += cost
    return pages


def _text_figure(
    a: Analysis, lines: list[Any], number: int, total: int, heading: str = "Summary"
) -> Any:
    from matplotlib.patches import Rectangle

    fig = _frame(a, heading, number, total)
    y = 1 - (_HEADER + 0.35) / A4[1]
    x0, indent = _MARGIN / A4[0] + 0.02, _MARGIN / A4[0] + 0.035
    box_top: float | None = None  # the bottom line is set off in a shaded box
    for kind, raw in lines:
        text = raw.replace("$", r"\$")  # a dollar sign is not mathematics here
        if kind == "title":
            fig.text(x0, y, text, fontsize=15, fontweight="bold", va="top")
            y -= 3 * _LINE
        elif kind == "heading":
            if box_top is not None:
                _shade(fig, Rectangle, box_top, y)
                box_top = None
            y -= 0.5 * _LINE
            if text == "Bottom line":
                box_top = y + 0.4 * _LINE
            fig.text(x0, y, text, fontsize=11.5, fontweight="bold", va="top")
            y -= 1.5 * _LINE
        elif kind == "desc":
            fig.text(x0, y, text, fontsize=9.5, color="#444444", va="top")
            y -= _LINE
        else:
            prefix = "• " if kind == "first" else ""
            fig.text(x0 if kind == "first" else indent, y, prefix + text, fontsize=8.8, va="top")
            y -= _LINE
    if box_top is not None:
        _shade(fig, Rectangle, box_top, y)
    return fig


def _shade(fig: Any, rectangle: Any, top: float, bottom: float) -> None:
    """A light box behind the lines between ``top`` and ``bottom`` (figure fractions)."""
    left = _MARGIN / A4[0]
    fig.patches.append(
        rectangle(
            (left, bottom + 0.2 * _LINE),
            1 - 2 * left,
            top - bottom,
            transform=fig.transFigure,
            facecolor="#EAF2F8",
            edgecolor="#9DB8CC",
            linewidth=0.6,
            zorder=-1,
        )
    )


def _glossary_pages() -> list[list[Any]]:
    from sim.glossary import GLOSSARY

    items: list[tuple[str, str]] = []
    for term, meaning in GLOSSARY.items():
        wrapped = textwrap.wrap(f"{term}: {meaning}", _WRAP)
        items += [("first" if i == 0 else "cont", part) for i, part in enumerate(wrapped)]
    return _paginate(items)


# -- the command -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brief:
    """A written pack: its analysis, folder and files."""

    analysis: Analysis
    folder: Path
    files: list[Path]


def make_brief(
    scenario: Scenario,
    folder: str | Path,
    *,
    provenance: Provenance | None = None,
    history: Path | None = None,
    history_note: str = "",
    samples: int = DEFAULT_SAMPLES,
    workers: int | None = None,
    seed: int | None = None,
    resume: bool = False,
    force: bool = False,
    dpi: int = PNG_DPI,
    svg: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Brief:
    """Analyse ``scenario`` and write its briefing pack into ``folder`` (see the module)."""
    with OutputFolder(Path(folder), command="brief", force=force) as pack:
        pack.remove_leftovers(frozenset(pack_names(ALL_CHARTS)))
        for name in pack_names(ALL_CHARTS, svg=svg):
            pack.target(name)
        with _sweep_folder(pack) as (sweep, fresh):
            analysis = analyse(
                scenario,
                sweep,
                provenance=provenance,
                samples=samples,
                workers=workers,
                seed=seed,
                resume=resume,
                fresh=fresh,
                progress=progress,
            )
        analysis = _with_history(analysis, history, history_note)
        files = write_pack(analysis, pack, dpi=dpi, svg=svg, workers=workers)
    return Brief(analysis, pack.path, files)


@contextmanager
def _sweep_folder(pack: OutputFolder) -> Iterator[tuple[Path, Callable[[], Path]]]:
    name = "sweep/"
    pack.subfolder(name)

    def fresh() -> Path:
        if (pack.path / name).exists() and not pack.remove(name):
            raise UserError(
                "holds files kurilsim did not write; move them or choose another output folder",
                source=str(pack.path / name),
            )
        pack.subfolder(name)
        return pack.path / name

    yield pack.path / name, fresh


def _with_history(a: Analysis, history: Path | None, note: str) -> Analysis:
    from dataclasses import replace

    if history is None:
        return a
    from sim.history.backtest import backtest

    episodes = tuple(backtest(sorted(history.glob("*.toml"))))
    return replace(a, history=history, history_note=note, episodes=episodes)
