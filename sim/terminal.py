"""Terminal tables (rich) for the command line."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.evaluate import Evaluation
from sim.formats.nfg import NormalFormGame
from sim.model.deals import DealSet, DealSpec
from sim.model.islands import ISLAND_KEYS
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.model.scenario import MONEY
from sim.predict import REGISTRY
from sim.report import (
    alternating_lines,
    explain,
    posture_summary,
    sequential_lines,
)
from sim.solvers.cooperative import SOLUTION_NAMES
from sim.solvers.equilibria import Equilibrium
from sim.solvers.posture import PostureResult
from sim.text import ISLAND_NAMES, deal_name, printable, significant
from sim.tolerance import PROBABILITY

if TYPE_CHECKING:
    from sim.history.backtest import Episode
    from sim.sweeps.analysis import ParameterTipping, Sensitivity
    from sim.sweeps.runner import SweepOutput, SweepPlan

YES, NO = "yes", "-"


def make_console(*, stderr: bool = False) -> Console:
    """The console every command prints with: no markup, emoji or highlighting in text.

    User text (descriptions, labels, file names) is printed literally: a ``[/]`` in a
    label is not markup, and :func:`sim.text.printable` removes escape sequences from it.
    """
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def warn(message: str) -> None:
    """One line on standard error, prefixed ``warning:``."""
    make_console(stderr=True).print(Text(f"warning: {printable(message)}", style="yellow"))


def _bold(text: str) -> Text:
    return Text(printable(text), style="bold")


def _flag(value: bool) -> str:
    return YES if value else NO


def _lines(console: Console, lines: list[str], *, first: str = "", indent: str = "  ") -> None:
    """Print ``lines`` wrapped to the console with a hanging indent."""
    width = max(40, console.width)
    for i, line in enumerate(lines):
        lead = first if i == 0 else indent
        console.print(
            textwrap.fill(
                printable(line), width, initial_indent=lead, subsequent_indent=lead + "  "
            ),
            soft_wrap=True,
        )


def _labelled(console: Console, rows: list[tuple[str, str]], indent: int = 2) -> None:
    """``label: text`` rows, the text wrapped under itself (a hanging indent)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=indent)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for label, text in rows:
        grid.add_row("", printable(label), printable(text))
    console.print(grid)


def print_run(
    result: Evaluation,
    *,
    components: bool = False,
    solutions: bool = True,
    answer: list[str] | None = None,
    console: Console | None = None,
) -> None:
    """Print the answer first, then each deal's verdict, then the cooperative solutions."""
    console = console or make_console()
    info = result.scenario.scenario
    console.print(_bold(f"{info.name} ({info.year})"))
    _lines(console, [info.description], first="")
    console.print()
    if answer:
        console.print(_bold(answer[0]))
        _lines(console, answer[1:], first="  ")
        console.print()
    console.print(_deal_table(result))
    if components:
        for table in _component_tables(result):
            console.print()
            console.print(table)
    if solutions:
        console.print()
        _print_solutions(result, console)
    console.print()


def _deal_table(result: Evaluation) -> Table:
    table = Table(
        title=f"Each deal: the governments' gains over the status quo, {MONEY}",
        title_justify="left",
        caption="A deal needs all four: both governments and both domestic ratifiers (the "
        "Diet, the Duma); the last column names who rejects it and by how much (US$ bn).",
        caption_justify="left",
        pad_edge=False,
    )
    table.add_column("Deal", no_wrap=True)
    table.add_column("Japan", justify="right", no_wrap=True)
    table.add_column("Russia", justify="right", no_wrap=True)
    table.add_column("Why it fails (margin)", overflow="fold")
    for d, row in enumerate(result.rows()):
        if d == 0:
            continue
        table.add_row(
            printable(row["label"]),
            f"{row['japan']:+.2f}",
            f"{row['russia']:+.2f}",
            _rejections(result, d),
        )
    return table


def _rejections(result: Evaluation, deal: int) -> str:
    """``"Japan's ratifier -24.6, Japan's government -14.3"``; ``"nobody: it holds up"``.

    Every reason of the hold-up test (:mod:`sim.holdup`), the rejections by margin.
    """
    from sim.holdup import REASONS, FailReason

    test = result.hold_up()
    reasons = test.reasons(0, deal)
    if not reasons:
        return "nobody: it holds up"
    margins = test.margins[0, deal]
    failing = sorted(
        (margins[REASONS.index(r)], r.label) for r in reasons if r is not FailReason.RENEGING
    )
    words = [f"{who} {significant(gap)}" for gap, who in failing]
    if FailReason.RENEGING in reasons:
        words.append("reneging")
    return ", ".join(words)


def _money(x: float) -> str:
    """One decimal with a sign; exact zeros as a plain 0."""
    return "0" if abs(x) < 1e-12 else f"{x:+.1f}"


def _pair(japan: bool, russia: bool) -> str:
    return f"{'✓' if japan else '✗'}  {'✓' if russia else '✗'}"


_SHORT = {
    "territory": "terr.",
    "treaty": "treaty",
    "investment": "inv.",
    "nationalist": "nat.",
    "china": "China",
    "alliance": "US",
}


def _component_tables(result: Evaluation) -> list[Table]:
    values = result.payoffs.components[0]
    labels = [printable(spec.label) for spec in result.deals.specs]
    tables = []
    for a, actor in enumerate(ACTORS):
        table = Table(
            title=f"Why {actor.capitalize()} ranks the deals as it does, {MONEY}",
            title_justify="left",
            pad_edge=False,
        )
        table.add_column("Deal", overflow="fold", max_width=16)
        for name in COMPONENTS:
            table.add_column(_SHORT[name], justify="right")
        table.add_column("total", justify="right", style="bold")
        for d, label in enumerate(labels):
            cells = (*values[d, a], values[d, a].sum())
            table.add_row(label, *(_money(x) for x in cells))
        tables.append(table)
    tables[-1].caption = "terr. territory, inv. investment, nat. nationalist cost, US alliance/US"
    tables[-1].caption_justify = "left"
    return tables


def _print_solutions(result: Evaluation, console: Console) -> None:
    """The cooperative solutions: one line when they agree, else one row per solution."""
    outcomes = {}
    for name in SOLUTION_NAMES:
        mix = result.solution(name)
        if not result.cooperative.solutions[name].agreement[0]:
            outcomes[name] = "no agreement"
        else:
            outcomes[name] = " / ".join(
                f"{deal_name(d)} {p:.0%}" if len(mix) > 1 else deal_name(d) for d, p in mix.items()
            )
    if len(set(outcomes.values())) == 1:
        outcome = next(iter(outcomes.values()))
        why = explain(result, "nash").split("; ")[-1]
        _lines(
            console,
            [
                f"Every cooperative solution (Nash, asymmetric Nash with Japan's bargaining "
                f"power {result.cooperative.power[0]:.2f}, Kalai-Smorodinsky, egalitarian, "
                f"utilitarian; single deals and lotteries): {outcome} - {why}."
            ],
            first="",
        )
        return
    table = Table(title="Cooperative solutions", title_justify="left", pad_edge=False)
    table.add_column("Solution", no_wrap=True)
    table.add_column("Outcome", overflow="fold")
    table.add_column("Why", overflow="fold")
    for name in SOLUTION_NAMES:
        base = name.removesuffix("_lottery")
        if name != base and outcomes[name] == outcomes[base]:
            continue  # a lottery that picks the single deal says nothing new
        table.add_row(REGISTRY[name].label, outcomes[name], explain(result, name))
    console.print(table)


def print_deals(deals: DealSet, console: Console | None = None) -> None:
    """Print a menu of deals: the terms of each and its historical anchor."""
    console = console or make_console()
    table = Table(title="Deals", title_justify="left", show_lines=True)
    table.add_column("Deal", no_wrap=True)
    table.add_column("Terms, and where the deal comes from")
    for deal_id, spec, shares in zip(deals.ids, deals.specs, deals.shares, strict=True):
        table.add_row(
            Text.assemble((deal_id, "bold"), "\n", printable(spec.label)),
            printable(f"{_terms(spec, shares)}\n{spec.anchor}"),
        )
    console.print(table)


def _terms(spec: DealSpec, shares: object) -> str:
    islands = ", ".join(
        ISLAND_NAMES[key] + ("" if share >= 1 else f" ({share:.0%})")
        for key, share in zip(ISLAND_KEYS, shares, strict=True)  # type: ignore[call-overload]
        if share > 0
    )
    terms = [f"to Japan: {islands or 'none'}"]
    if spec.transfer_delay:
        terms.append(f"after {spec.transfer_delay:g} years")
    terms.append("peace treaty" if spec.peace_treaty else "no treaty")
    terms.append(f"claim {spec.claim}")
    if spec.cooperation:
        notes = ["paid up front"] if spec.aid_timing == "up_front" else []
        notes += ["on transfer"] if spec.aid_timing == "on_transfer" and islands else []
        notes += [f"{spec.grant_element:.0%} a gift"] if spec.grant_element else []
        detail = f" ({', '.join(notes)})" if notes else ""
        terms.append(f"cooperation {spec.cooperation:.0%}{detail}")
    if spec.demilitarised:
        terms.append("demilitarised")
    return "; ".join(terms)


def _mix(names: tuple[str, ...], probabilities: object) -> str:
    parts = [
        f"{printable(name)} {p:.0%}" if p < 1 - PROBABILITY else printable(name)
        for name, p in zip(names, probabilities, strict=True)  # type: ignore[call-overload]
        if p > PROBABILITY
    ]
    return ", ".join(parts)


def print_posture(result: PostureResult, console: Console | None = None) -> None:
    """Print the posture game, its equilibria and where learning dynamics lead."""
    console = console or make_console()
    console.print(_posture_grid(result))
    console.print()
    console.print(_bold(posture_summary(result)))
    console.print(_equilibrium_table(result))
    for name, limit in (
        ("Fictitious play", result.fictitious_play_limit),
        ("Replicator dynamics", result.replicator_limit),
    ):
        where = (
            f"approaches equilibrium {limit + 1}"
            if limit is not None
            else "does not settle on an equilibrium"
        )
        console.print(f"{name} from uniform mixes {where}.")
    console.print(f"Evolutionary stability: {result.evolutionarily_stable}.")


def _posture_grid(result: PostureResult) -> Table:
    table = result.table
    grid = Table(
        title="Posture game: the deal each pair of postures leads to, "
        "with Japan's (J) and Russia's (R) utility",
        title_justify="left",
        show_lines=True,
        pad_edge=False,
    )
    grid.add_column("Japan \\ Russia", no_wrap=True)
    for r in table.russia:
        grid.add_column(printable(table.labels[r]))
    for i, j in enumerate(table.japan):
        cells = [
            f"{printable(table.deals.specs[table.cells[i, c]].label)}\n"
            f"J {result.japan_payoff[i, c]:+.2f}\nR {result.russia_payoff[i, c]:+.2f}"
            for c in range(len(table.russia))
        ]
        grid.add_row(printable(table.labels[j]), *cells)
    return grid


def _equilibrium_table(result: PostureResult) -> Table:
    table = result.table
    out = Table(title_justify="left")
    for column in ("#", "Japan plays", "Russia plays", "Kind", "Deals", "J", "R"):
        out.add_column(column, justify="right" if column in ("#", "J", "R") else "left")
    for n, eq in enumerate(result.equilibria, start=1):
        kind = ("pure" if eq.pure else "mixed") + (", strict" if eq.strict else "")
        out.add_row(
            str(n),
            _mix(tuple(table.labels[j] for j in table.japan), eq.japan),
            _mix(tuple(table.labels[r] for r in table.russia), eq.russia),
            kind,
            _mix(tuple(s.label for s in table.deals.specs), eq.deal_probability),
            f"{eq.payoff[0]:+.2f}",
            f"{eq.payoff[1]:+.2f}",
        )
    return out


def print_equilibria(
    game: NormalFormGame, found: list[Equilibrium], console: Console | None = None
) -> None:
    """Print the extreme equilibria of a game read from a file."""
    console = console or make_console()
    rows, cols = game.strategies
    if game.title:
        console.print(_bold(game.title))
    out = Table(
        title=f"{len(found)} extreme Nash equilibri{'um' if len(found) == 1 else 'a'}",
        title_justify="left",
    )
    for column in ("#", game.players[0], game.players[1], "Kind", "Payoffs"):
        out.add_column(printable(column))
    for n, e in enumerate(found, start=1):
        kind = ("pure" if e.pure else "mixed") + (", strict" if e.strict else "")
        out.add_row(
            str(n),
            _mix(rows, e.row),
            _mix(cols, e.col),
            kind,
            f"{e.payoff_row:.4g}, {e.payoff_col:.4g}",
        )
    console.print(out)


def print_alternating(result: Evaluation, console: Console | None = None) -> None:
    """Print the alternating-offers outcome."""
    console = console or make_console()
    console.print(_bold("Alternating offers with a money transfer"))
    _lines(console, alternating_lines(result), first="", indent="")
    console.print()


def print_sequential(result: Evaluation, console: Console | None = None) -> None:
    """Print the sequential game's path and where each deal dies, for both proposers."""
    console = console or make_console()
    console.print(
        _bold("Sequential game: offer, answer, ratification, performance (subgame-perfect)")
    )
    first = result.scenario.sequential.proposer
    for proposer in (first, *(a for a in ACTORS if a != first)):
        head, *deals = sequential_lines(result, proposer)
        _lines(console, [head], first="")
        _labelled(console, [tuple(line.split(": ", 1)) for line in deals])  # type: ignore[misc]
        console.print()


@contextlib.contextmanager
def sweep_progress(total: int, *, quiet: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar with rate and time left; yields the function that advances it."""
    if quiet:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: object) -> Text:
            speed = getattr(task, "speed", None)
            return Text(f"{speed:,.0f} draws/s" if speed else "- draws/s")

    columns = (
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("sweep", total=total)
        yield lambda n: progress.advance(task, n)


def print_sweep_summary(done: SweepOutput, plan: SweepPlan, console: Console | None = None) -> None:
    """Print where the sweep is, each deal's hold-up rate and each solver's predictions."""
    from sim.holdup import FailReason

    console = console or make_console()
    summary = done.summary
    _lines(
        console,
        [
            f"{summary.draws:,} draws of {plan.scenario.scenario.name} ({plan.method}, seed "
            f"{plan.seed}; {plan.note}) in {done.seconds:.1f} s; {done.chunks_run} chunks run, "
            f"{done.chunks_skipped} resumed."
        ],
        first="",
    )
    table = Table(title="How often each deal holds up", title_justify="left", pad_edge=False)
    table.add_column("Deal", overflow="fold")
    for column in ("Holds up", "95% interval", "Fails mostly at"):
        table.add_column(column, justify="right")
    for deal, row in summary.deals.items():
        low, high = row.interval_95
        main = row.main_reason()
        table.add_row(
            deal_name(deal),
            f"{row.hold_up_rate:.1%}",
            f"{low:.1%} - {high:.1%}",
            FailReason(main).label if main else "-",
        )
    console.print(table)
    predictions = Table(
        title="What each solver predicts (share of draws)", title_justify="left", pad_edge=False
    )
    predictions.add_column("Solver", overflow="fold")
    predictions.add_column("Predictions", overflow="fold")
    for solver, shares in summary.predictions.items():
        top = ", ".join(
            f"{deal_name(deal)} {share:.0%}" for deal, share in list(shares.items())[:3]
        )
        label = REGISTRY[solver].label if solver in REGISTRY else solver
        predictions.add_row(label, top)
    console.print(predictions)
    console.print(f"Results: {done.results}; summary: {done.folder / 'summary.json'}")


def print_sensitivity(
    found: list[Sensitivity], plan: SweepPlan, console: Console | None = None
) -> None:
    """Print each outcome's most important assumptions, what the indices mean, and warnings."""
    from sim.sweeps.sensitivity import SOBOL_MEANING, noise_warnings

    console = console or make_console()
    _lines(console, [f"{plan.method} design: {plan.note}; {plan.n_rows:,} draws."], first="")
    for result in found:
        if result.table is None:
            console.print(_bold(f"{result.outcome}: {result.note}."))
            continue
        frame = result.table.head(10)
        table = Table(title=f"What drives {result.outcome}", title_justify="left", pad_edge=False)
        table.add_column("Parameter", overflow="fold")
        for column in frame.columns:
            table.add_column(str(column).replace("_conf", " ±"), justify="right", no_wrap=True)
        for name, row in frame.iterrows():
            table.add_row(
                printable(str(name)), *(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row)
            )
        console.print(table)
        if result.method == "sobol":
            for line in noise_warnings(result.table):
                console.print(Text(f"warning: {line}", style="yellow"))
    if any(r.method == "sobol" and r.table is not None for r in found):
        _lines(console, [SOBOL_MEANING], first="")


def print_tipping_points(
    found: list[ParameterTipping], solver: str, console: Console | None = None
) -> None:
    """Print the parameters that tip the prediction first, then those that do not."""
    console = console or make_console()
    tipping = [t for t in found if t.points]
    console.print(_bold(f"Where {solver}'s prediction changes (others at baseline):"))
    for t in tipping:
        for line in t.sentences(solver):
            console.print(f"  {line}")
    steady = [t.path for t in found if not t.points]
    if steady:
        console.print(f"No change across its range: {', '.join(steady)}.")


def _short(name: str) -> str:
    """A column head of at most 7 characters (``"Sequential"`` -> ``"Sequen."``)."""
    return name if len(name) <= 7 else name[:6] + "."


def print_backtest(episodes: list[Episode], console: Console | None = None) -> None:
    """Print the backtest: hits and misses per episode, the skill against the null models,
    and the record's reasons (each mismatched stance in words).

    A hit is a tick; a miss is a cross with a letter, and the letters are listed below the
    table with the deal each stands for, so that the table fits 80 columns. The episode
    that set the preferences (calibration) is listed last and counts for no figure.
    """
    from sim.history.backtest import scored_solvers

    console = console or make_console()
    scored = scored_solvers()
    letters: dict[str, str] = {}
    console.print(_backtest_table(episodes, scored, letters))
    if letters:
        _lines(
            console,
            ["Misses predicted: " + "; ".join(f"{k} {deal_name(d)}" for d, k in letters.items())],
        )
    console.print()
    console.print(_skill_table(episodes, scored))
    _print_reasons(episodes, console)
    _lines(
        console,
        [
            "✓ = the recorded deal, or one with exactly its terms (a declaration that moves "
            "nothing has the status quo's terms). Null = always the status quo. Brier and log "
            "scores rate each forecast over the episode's ranges (lower is better); skill = 1 "
            "- Brier / Brier of the better null (above 0: better than the null). "
            + "; ".join(f"{_short(REGISTRY[s].short_name)} = {REGISTRY[s].label}" for s in scored)
            + "."
        ],
    )


def _backtest_table(
    episodes: list[Episode], scored: tuple[str, ...], letters: dict[str, str]
) -> Table:
    from sim.history.backtest import null_hits, scored_episodes
    from sim.history.scores import point

    table = Table(
        title="Backtest: each solver's prediction against the record",
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("Episode", overflow="fold", ratio=3)
    table.add_column("Recorded", overflow="fold", ratio=3)
    for solver in scored:
        table.add_column(_short(REGISTRY[solver].short_name), no_wrap=True, justify="center")
    table.add_column("Null", no_wrap=True, justify="center")

    def mark(hit: bool, deal: str) -> str:
        if hit:
            return "✓"
        letters.setdefault(deal, "abcdefghijklmnopqrstuvwxyz"[len(letters) % 26])
        return f"✗ {letters[deal]}"

    ordered = sorted(episodes, key=lambda e: e.calibration)
    for e in ordered:
        cells = [mark(e.hits[s], e.predictions[s]) for s in scored]
        null = point(e.forecasts["status_quo"])
        cells.append(mark(null == e.observed_class, e.label(null)))
        name = " ".join(w[:1].upper() + w[1:] for w in e.path.stem.split("_"))
        if e.calibration:
            name += " (calibration)"
        table.add_row(
            printable(name),
            printable(deal_name(e.observed)),
            *cells,
            end_section=e is ordered[-1] or ordered[ordered.index(e) + 1].calibration,
        )
    counted = scored_episodes(episodes)
    hits = [sum(e.hits[s] for e in counted) for s in scored]
    nulls = null_hits(counted)["status_quo"][0]
    table.add_row(
        Text(f"hit rate ({len(counted)} episodes)", style="bold"),
        "",
        *(str(h) for h in hits),
        str(nulls),
    )
    return table


def _skill_table(episodes: list[Episode], scored: tuple[str, ...]) -> Table:
    from sim.history.backtest import NULL_LABELS, NULLS, skill

    found = skill(episodes)
    table = Table(
        title=f"Skill over {found.episodes} episodes (the calibration episode left out)",
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("Forecast", overflow="fold")
    for column in ("Hits", "vs null", "Brier", "Skill", "Log"):
        table.add_column(column, justify="right", no_wrap=True)
    best = found.best_null_hits
    for s in scored:
        bss = found.brier_skill[s]
        table.add_row(
            REGISTRY[s].label,
            str(found.hits[s]),
            f"{found.hits[s] - best:+d}",
            f"{found.brier[s]:.3f}",
            "-" if bss is None else f"{bss:+.2f}",
            f"{found.log[s]:.2f}",
        )
    for n in NULLS:
        label = NULL_LABELS[n] + (" (better null)" if n == found.best_null else "")
        table.add_row(
            Text(label, style="italic"), str(found.null_hits[n]), "", f"{found.brier[n]:.3f}",
            "", f"{found.log[n]:.2f}",
        )  # fmt: skip
    return table


def _print_reasons(episodes: list[Episode], console: Console) -> None:
    from sim.history.backtest import scored_episodes, skill

    found = skill(episodes)
    console.print(
        _bold(
            f"The record's reasons: {found.stances_matched} of {found.stances} recorded stances "
            f"match the model's verdict ({found.unscorable} on declarations the model cannot "
            "tell from the status quo are not scored)."
        )
    )
    for e in scored_episodes(episodes):
        for c in e.stances:
            if c.scorable and not c.matched:
                _lines(console, [c.words(e.year)], first="  ")
    console.print()


def print_brief_done(done: Any, bottom: list[str], console: Console) -> None:
    """Where the pack is and its bottom line."""
    a = done.analysis
    info = a.scenario.scenario
    console.print(_bold(f"Briefing pack for {a.provenance.title} ({info.year}): {done.folder}/"))
    _lines(console, bottom, first="  ")
    charts = sum(p.suffix == ".png" for p in done.files)
    svg = " and SVG" if any(p.suffix == ".svg" for p in done.files) else ""
    _lines(
        console,
        [
            f"summary.md and brief.pdf; {charts} charts as PNG{svg}; glossary.md",
        ],
        first="  ",
    )


def print_comparison(found: Any, console: Console | None = None) -> None:
    """Print a :class:`sim.compare.Comparison`: the changes first, then the detail."""
    from sim.compare import sentences
    from sim.text import value

    console = console or make_console()
    a, b = found.names
    console.print(_bold(f"{a}  ->  {b}"))
    _lines(console, sentences(found), first="  ")
    console.print()
    if found.parameters:
        table = Table(title="Assumptions that differ", title_justify="left", pad_edge=False)
        table.add_column("Parameter", overflow="fold")
        table.add_column("Before", justify="right", no_wrap=True)
        table.add_column("After", justify="right", no_wrap=True)
        for path, x, y in found.parameters:
            table.add_row(printable(path), value(path, x), value(path, y))
        console.print(table)
    deals = Table(
        title=f"Each deal: holds up? and the gains over the status quo, {MONEY}",
        title_justify="left",
        pad_edge=False,
    )
    deals.add_column("Deal", overflow="fold")
    deals.add_column("Holds up", no_wrap=True)
    deals.add_column("Japan", justify="right", no_wrap=True)
    deals.add_column("Russia", justify="right", no_wrap=True)
    deals.add_column("Moved most", overflow="fold")
    for d in found.deals:
        holds = " -> ".join(YES if h else "no" for h in d.holds)
        japan = f"{d.gain[0][0]:+.2f} -> {d.gain[1][0]:+.2f}"
        russia = f"{d.gain[0][1]:+.2f} -> {d.gain[1][1]:+.2f}"
        moved = ", ".join(f"{actor.capitalize()} {c} {x:+.2f}" for actor, c, x in d.moved[:2])
        label = Text(deal_name(d.deal), style="bold" if d.holds[0] != d.holds[1] else "")
        deals.add_row(label, holds, japan, russia, moved or "-")
    console.print(deals)
    for deal, where in found.only:
        console.print(f"{deal_name(deal)}: only on the menu of {printable(where)}.")
    changed = found.changed_predictions
    if changed:
        table = Table(title="Predictions that change", title_justify="left", pad_edge=False)
        table.add_column("Solver", overflow="fold")
        table.add_column("Before", overflow="fold")
        table.add_column("After", overflow="fold")
        for solver, x, y in changed:
            table.add_row(solver, x, y)
        console.print(table)
