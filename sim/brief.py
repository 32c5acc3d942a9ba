"""The briefing pack: one command from a scenario to charts, a summary and a PDF.

:func:`analyse` runs what a briefing needs — the scenario itself, a default sweep over
every uncertain assumption (Latin hypercube), Sobol indices of the leading deal, a
one-at-a-time design for the tornado, a grid over the two assumptions that matter most
for the stability map, and tipping points — and :func:`summary_sentences` writes the
one-page summary from those results (nothing in it is written by hand).
:func:`write_pack` saves every chart as PNG (300 dpi) and SVG, ``summary.md`` and
``brief.pdf`` (the summary first, then the charts).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_path, write_text
from sim.evaluate import Evaluation, evaluate
from sim.model.scenario import Scenario
from sim.report import SOLUTION_TITLES
from sim.sweeps.analysis import ParameterTipping, scenario_tipping_points
from sim.sweeps.runner import SweepOutput, plan_sweep, run_sweep
from sim.sweeps.samplers import Samples, sample
from sim.sweeps.sensitivity import SobolResult, TornadoResult, sobol_indices, tornado
from sim.sweeps.spec import sweep_space

DEFAULT_SAMPLES = 100_000
"""Draws of the default briefing sweep: well under a minute on two cores."""
SOBOL_BASE = 256
GRID_SIDE = 40


@dataclass(frozen=True)
class Analysis:
    """Everything a briefing pack is made from."""

    scenario: Scenario
    evaluation: Evaluation
    sweep: SweepOutput
    results: pd.DataFrame
    leading_deal: str
    sobol: SobolResult | None
    sobol_outcome: str
    sobol_rows: int
    tornado: TornadoResult | None
    grid: pd.DataFrame
    grid_axes: tuple[str, str]
    tipping: list[ParameterTipping]


def analyse(
    scenario: Scenario,
    folder: Path,
    *,
    samples: int = DEFAULT_SAMPLES,
    workers: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Analysis:
    """Run the scenario, the default sweep and the analyses of a briefing."""
    space = sweep_space(scenario, scenario.sweep.parameters)
    seed = scenario.sweep.seed if seed is None else seed
    plan = plan_sweep(scenario, space, "lhs", samples, seed, scenario.sweep.chunk_size)
    done = run_sweep(
        plan, folder / "sweep", executor="local", workers=workers, resume=True, progress=progress
    )
    results = pd.read_parquet(done.results)
    leading = max(done.summary["deals"], key=lambda d: done.summary["deals"][d]["hold_up_rate"])
    outcome = f"margin_{leading}"
    sobol, sobol_rows = _indices(scenario, space, seed, outcome, "sobol", SOBOL_BASE)
    ranked = list(sobol.ranked()) if sobol is not None else list(space.names)
    oat, _ = _indices(scenario, space, seed, outcome, "oat", 8 * len(space) + 1)
    axes = (ranked[0], ranked[1] if len(ranked) > 1 else ranked[0])
    grid_space = sweep_space(scenario, {p: _range(space, p) for p in dict.fromkeys(axes)})
    grid = _evaluate(scenario, sample(grid_space, "grid", GRID_SIDE ** len(grid_space), seed))
    tipping = scenario_tipping_points(scenario, space, "nash")
    return Analysis(
        scenario=scenario,
        evaluation=evaluate(scenario),
        sweep=done,
        results=results,
        leading_deal=leading,
        sobol=sobol,
        sobol_outcome=outcome,
        sobol_rows=sobol_rows,
        tornado=oat,
        grid=grid,
        grid_axes=axes,
        tipping=tipping,
    )


def _forget_other_sweep(folder: Path, fingerprint: str) -> None:
    """The pack's sweep folder is a cache: drop it if it holds another sweep."""
    import json
    import shutil

    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("fingerprint") != fingerprint:
        shutil.rmtree(folder)


def _range(space: Any, path: str) -> dict[str, Any]:
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


_WHO = {
    "japan_government": "Japan's government",
    "russia_government": "Russia's government",
    "japan_ratifier": "Japan's ratifier",
    "russia_ratifier": "Russia's ratifier",
    "reneging": "reneging",
}


def summary_sentences(a: Analysis) -> dict[str, list[str]]:
    """The one-page summary, section by section, written from the results."""
    deals = a.sweep.summary["deals"]
    n = a.sweep.summary["draws"]
    holding = sorted(
        ((d, v) for d, v in deals.items() if v["hold_up_rate"] > 0),
        key=lambda item: -item[1]["hold_up_rate"],
    )
    never = [d for d, v in deals.items() if v["hold_up_rate"] == 0]
    hold = [
        f"{d} holds up in {_pct(v['hold_up_rate'])} of {n:,} draws "
        f"({_interval(*v['interval_95'])})."
        for d, v in holding
    ] or [f"No deal holds up in any of {n:,} draws."]
    if never:
        hold.append(f"Never holding up: {', '.join(never)}.")
    for d in never[:3]:
        reasons = deals[d]["fails_because"]
        if reasons:
            main = max(reasons, key=reasons.get)
            hold.append(f"{d} is rejected first by {_WHO[main]} in {_pct(reasons[main])} of draws.")
    return {
        "Which deals hold up": hold,
        "What each solver predicts": _predictions(a),
        "The assumptions that matter most": _drivers(a),
        "Tipping points": _tipping(a),
    }


def _predictions(a: Analysis) -> list[str]:
    ev = a.evaluation
    baseline = "; ".join(
        f"{SOLUTION_TITLES[name].strip()} {' / '.join(ev.solution(name))}"
        for name in ("nash", "nash_asymmetric", "kalai_smorodinsky", "utilitarian")
    )
    spe = ev.sequential()
    ids = ev.sequential_game.deals.ids
    alt = ev.alternating()
    lines = [
        f"At the baseline: {baseline}; sequential game {ids[spe.outcome[0]]}"
        f"{' (reneged)' if spe.reneged[0] else ''}; alternating offers "
        f"{ev.deals.ids[alt.deal[0]]}.",
    ]
    shares = a.sweep.summary["predictions"]
    for solver in ("nash", "sequential", "posture", "alternating"):
        if solver in shares:
            top = list(shares[solver].items())[:2]
            lines.append(
                f"Across the sweep, {solver} predicts "
                + " and ".join(f"{deal} in {_pct(share)} of draws" for deal, share in top)
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
    return [f"For the margin by which {a.leading_deal} holds up:", *lines]


def _tipping(a: Analysis) -> list[str]:
    lines = []
    for t in a.tipping:
        for point in t.points:
            below, above = t.deal_ids[point.below], t.deal_ids[point.above]
            lines.append(
                f"The Nash solution is {below} while {_label(t.path)} stays below "
                f"{point.value:.3g}, and {above} above it (range {t.low:g} to {t.high:g})."
            )
    return lines or ["No single assumption, moved across its range, changes the Nash solution."]


def summary_markdown(a: Analysis, charts: list[tuple[str, str]]) -> str:
    """``summary.md``: the sentences, then the list of charts."""
    info = a.scenario.scenario
    out = [f"# {info.name} ({info.year}): briefing", "", info.description, ""]
    for heading, lines in summary_sentences(a).items():
        out += [f"## {heading}", "", *[f"- {line}" for line in lines], ""]
    out += ["## Charts", "", *[f"- {title}: `{name}.png`" for name, title in charts], ""]
    return "\n".join(out)


def summary_page(a: Analysis) -> Any:
    """The summary as the first page of ``brief.pdf`` (an A4 figure of text)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.27, 11.69))
    info = a.scenario.scenario
    y = 0.95
    fig.text(0.07, y, f"{info.name} ({info.year}): briefing", fontsize=16, fontweight="bold")
    y -= 0.035
    for line in textwrap.wrap(info.description, 95):
        fig.text(0.07, y, line, fontsize=9.5, color="#444444")
        y -= 0.018
    for heading, lines in summary_sentences(a).items():
        y -= 0.015
        fig.text(0.07, y, heading, fontsize=12, fontweight="bold")
        y -= 0.025
        for line in lines:
            for i, part in enumerate(textwrap.wrap(line, 100)):
                fig.text(0.07 if i == 0 else 0.085, y, ("- " if i == 0 else "") + part, fontsize=9)
                y -= 0.017
    return fig


__all__ = ["Analysis", "analyse", "summary_markdown", "summary_sentences", "write_pack"]


# -- the pack --------------------------------------------------------------------------------


def chart_figures(a: Analysis) -> list[tuple[str, str, Any]]:
    """``(file name, title, figure)`` of every chart of the pack, in reading order."""
    from sim.charts.components import component_bars
    from sim.charts.holdup import holdup_rates
    from sim.charts.island_map import island_map
    from sim.charts.sensitivity import sobol_chart
    from sim.charts.sequential_tree import sequential_tree
    from sim.charts.stability_map import stability_map
    from sim.charts.style import scenario_subtitle
    from sim.charts.tornado import tornado_chart
    from sim.charts.utility_plane import utility_plane

    info = a.scenario.scenario
    where = (info.name, info.year)
    baseline = {p.path: p.value for p in _parameters(a.scenario) if p.path in a.grid_axes}
    label = f"margin by which {a.leading_deal} holds up (US$ bn)"
    n_sobol = a.sobol_rows
    charts = [
        ("holdup_rates", "Hold-up rates", holdup_rates(a.sweep.summary, scenario=where)),
        ("utility_plane", "Utility plane", utility_plane(a.evaluation)),
        ("components", "Why each side ranks the deals", component_bars(a.evaluation)),
        (
            "island_map",
            "Who holds which island",
            island_map(a.evaluation.deals, subtitle=scenario_subtitle(info.name, info.year)),
        ),
        (
            "stability_map",
            "Stability map",
            stability_map(
                a.grid, a.grid_axes[0], a.grid_axes[1], "nash", baseline=baseline, scenario=where
            ),
        ),
        ("sequential_tree", "Where each deal dies", sequential_tree(a.evaluation)),
    ]
    if a.sobol is not None:
        chart = sobol_chart(a.sobol, label, scenario=where, draws=n_sobol)
        charts.append(("sensitivity", "Which assumptions matter most", chart))
    if a.tornado is not None:
        chart = tornado_chart(a.tornado, label, scenario=where, reference=(0.0, "holds up above"))
        charts.append(("tornado", "One assumption at a time", chart))
    return charts


def _history_chart(folder: Path) -> list[tuple[str, str, Any]]:
    from sim.charts.history import history_timeline
    from sim.history.backtest import backtest

    episodes = backtest(sorted(folder.glob("*.toml")))
    if not episodes:
        return []
    return [("history", "The model against the record", history_timeline(episodes))]


def _parameters(scenario: Scenario) -> Any:
    from sim.model.parameters import iter_parameters

    return iter_parameters(scenario)


def write_pack(a: Analysis, folder: Path, history: Path | None = None) -> list[Path]:
    """Write every chart (PNG and SVG), ``summary.md`` and ``brief.pdf`` into ``folder``.

    ``history``: a folder of history scenarios; if given and it holds any, the pack also
    gets the backtest timeline (predicted vs recorded outcome per episode).
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from sim.charts.style import chart_style

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with chart_style():
        charts = chart_figures(a)
        if history is not None:
            charts += _history_chart(history)
        for name, _, fig in charts:
            for suffix in ("png", "svg"):
                path = folder / f"{name}.{suffix}"
                with atomic_path(path) as tmp:
                    fig.savefig(tmp, dpi=300 if suffix == "png" else None)
                written.append(path)
        pdf = folder / "brief.pdf"
        with atomic_path(pdf) as tmp, PdfPages(tmp) as pages:
            pages.savefig(summary_page(a))
            for _, _, fig in charts:
                pages.savefig(fig)
    summary = folder / "summary.md"
    write_text(summary, summary_markdown(a, [(n, t) for n, t, _ in charts]))
    return [*written, pdf, summary]
