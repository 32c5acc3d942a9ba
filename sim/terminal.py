"""Terminal tables (rich) for the command line."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from sim.evaluate import Evaluation
from sim.model.deals import DealSet, DealSpec
from sim.model.islands import ISLAND_KEYS
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.model.scenario import MONEY
from sim.report import (
    SOLUTION_TITLES,
    alternating_lines,
    deal_verdict,
    explain,
    feasible_summary,
    posture_summary,
    sequential_lines,
)
from sim.solvers.cooperative import SOLUTION_NAMES
from sim.solvers.equilibria import Equilibrium
from sim.solvers.nfg import NormalFormGame
from sim.solvers.posture import PostureResult

if TYPE_CHECKING:
    from sim.history.backtest import Episode
    from sim.sweeps.analysis import ParameterTipping, Sensitivity
    from sim.sweeps.runner import SweepOutput, SweepPlan

YES, NO = "yes", "-"


def _flag(value: bool) -> str:
    return YES if value else NO


def print_run(
    result: Evaluation,
    *,
    components: bool = False,
    solutions: bool = True,
    console: Console | None = None,
) -> None:
    """Print the deal table, optionally the components, then the cooperative solutions."""
    console = console or Console()
    info = result.scenario.scenario
    console.print(f"[bold]{info.name}[/bold] ({info.year}): {info.description}")
    console.print(f"Utilities in {MONEY}; status quo is the disagreement point.\n")
    console.print(_deal_table(result))
    console.print()
    console.print(_verdict_table(result))
    if components:
        for table in _component_tables(result):
            console.print()
            console.print(table)
    console.print()
    console.print(f"[bold]{feasible_summary(result)}[/bold]")
    if solutions:
        console.print(_solution_table(result))
    console.print()


def _deal_table(result: Evaluation) -> Table:
    table = Table(
        title=f"Deals: each side's utility, {MONEY}",
        title_justify="left",
        caption="Government: prefers the deal to the status quo. Ratifier: so does the "
        "domestic ratifier (win-set). J = Japan, R = Russia.",
        caption_justify="left",
    )
    table.add_column("Deal", no_wrap=True)
    table.add_column("Japan", justify="right")
    table.add_column("Russia", justify="right")
    for column in ("Government\nJ  R", "Ratifier\nJ  R", "Pareto"):
        table.add_column(column, justify="center")
    for row in result.rows():
        table.add_row(
            row["deal"],
            f"{row['japan']:+.2f}",
            f"{row['russia']:+.2f}",
            _pair(row["rational_japan"], row["rational_russia"]),
            _pair(row["ratifiable_japan"], row["ratifiable_russia"]),
            _flag(row["pareto"]),
        )
    return table


def _verdict_table(result: Evaluation) -> Table:
    table = Table(title="Who accepts each deal (margin over the status quo)", title_justify="left")
    table.add_column("Deal", no_wrap=True)
    table.add_column("Verdict")
    for d, deal in enumerate(result.deals.ids[1:], start=1):
        table.add_row(deal, deal_verdict(result, d))
    return table


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
    "credibility": "cred.",
}


def _component_tables(result: Evaluation) -> list[Table]:
    values = result.payoffs.components[0]
    tables = []
    for a, actor in enumerate(ACTORS):
        table = Table(
            title=f"Why {actor.capitalize()} ranks the deals as it does, {MONEY}",
            title_justify="left",
            pad_edge=False,
        )
        table.add_column("Deal", no_wrap=True, min_width=max(map(len, result.deals.ids)))
        for name in COMPONENTS:
            table.add_column(_SHORT[name], justify="right")
        table.add_column("total", justify="right", style="bold")
        for d, deal in enumerate(result.deals.ids):
            cells = (*values[d, a], values[d, a].sum())
            table.add_row(deal, *(_money(x) for x in cells))
        tables.append(table)
    tables[-1].caption = (
        "terr. territory, inv. investment, nat. nationalist cost, US alliance/US, "
        "cred. credibility (risk the other side does not perform)"
    )
    tables[-1].caption_justify = "left"
    return tables


def _solution_table(result: Evaluation) -> Table:
    table = Table(title="Cooperative solutions", title_justify="left")
    table.add_column("Solution", no_wrap=True)
    table.add_column("Outcome")
    table.add_column("Why")
    for name in SOLUTION_NAMES:
        mix = result.solution(name)
        outcome = " / ".join(f"{deal} {p:.0%}" if len(mix) > 1 else deal for deal, p in mix.items())
        if not result.cooperative.solutions[name].agreement[0]:
            outcome = "no agreement"
        table.add_row(SOLUTION_TITLES[name], outcome, explain(result, name))
    return table


def print_deals(deals: DealSet, console: Console | None = None) -> None:
    """Print a menu of deals: the terms of each and its historical anchor."""
    console = console or Console()
    table = Table(title="Deals", title_justify="left", show_lines=True)
    table.add_column("Deal", no_wrap=True)
    table.add_column("Terms, and where the deal comes from")
    for deal_id, spec, shares in zip(deals.ids, deals.specs, deals.shares, strict=True):
        table.add_row(
            f"[bold]{deal_id}[/bold]\n{spec.label}", f"{_terms(spec, shares)}\n{spec.anchor}"
        )
    console.print(table)


def _terms(spec: DealSpec, shares: object) -> str:
    islands = ", ".join(
        key.capitalize() + ("" if share >= 1 else f" ({share:.0%})")
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
        f"{name} {p:.0%}" if p < 1 - 1e-9 else name
        for name, p in zip(names, probabilities, strict=True)  # type: ignore[call-overload]
        if p > 1e-9
    ]
    return ", ".join(parts)


def print_posture(result: PostureResult, console: Console | None = None) -> None:
    """Print the posture game, its equilibria and where learning dynamics lead."""
    console = console or Console()
    console.print(_posture_grid(result))
    console.print()
    console.print(f"[bold]{posture_summary(result)}[/bold]")
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
        grid.add_column(table.labels[r])
    for i, j in enumerate(table.japan):
        cells = [
            f"{table.deals.specs[table.cells[i, c]].label}\n"
            f"J {result.japan_payoff[i, c]:+.2f}\nR {result.russia_payoff[i, c]:+.2f}"
            for c in range(len(table.russia))
        ]
        grid.add_row(table.labels[j], *cells)
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
            _mix(table.japan, eq.japan),
            _mix(table.russia, eq.russia),
            kind,
            _mix(table.deals.ids, eq.deal_probability),
            f"{eq.payoff[0]:+.2f}",
            f"{eq.payoff[1]:+.2f}",
        )
    return out


def print_equilibria(
    game: NormalFormGame, found: list[Equilibrium], console: Console | None = None
) -> None:
    """Print the extreme equilibria of a game read from a file."""
    console = console or Console()
    rows, cols = game.strategies
    if game.title:
        console.print(f"[bold]{game.title}[/bold]")
    out = Table(
        title=f"{len(found)} extreme Nash equilibri{'um' if len(found) == 1 else 'a'}",
        title_justify="left",
    )
    for column in ("#", game.players[0], game.players[1], "Kind", "Payoffs"):
        out.add_column(column)
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
    console = console or Console()
    console.print("[bold]Alternating offers with a money transfer[/bold]")
    for line in alternating_lines(result):
        console.print(line)
    console.print()


def print_sequential(result: Evaluation, console: Console | None = None) -> None:
    """Print the sequential game's path and where each deal dies, for both proposers."""
    console = console or Console()
    console.print(
        "[bold]Sequential game: offer, answer, ratification, performance (subgame-perfect)[/bold]"
    )
    first = result.scenario.sequential.proposer
    for proposer in (first, *(a for a in ACTORS if a != first)):
        head, *deals = sequential_lines(result, proposer)
        console.print(head)
        for line in deals:
            console.print(f"  {line}")
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
    """Print where the sweep is and each deal's hold-up rate."""
    console = console or Console()
    summary = done.summary
    console.print(
        f"[bold]{summary['draws']:,} draws[/bold] of {plan.scenario.scenario.name} "
        f"({plan.method}, seed {plan.seed}; {plan.note}) in {done.seconds:.1f} s; "
        f"{done.chunks_run} chunks run, {done.chunks_skipped} resumed."
    )
    table = Table(title="How often each deal holds up", title_justify="left")
    for column in ("Deal", "Holds up", "95% interval", "Fails mostly at"):
        table.add_column(column, justify="right" if column != "Deal" else "left")
    for deal, row in summary["deals"].items():
        low, high = row["interval_95"]
        reasons = row["fails_because"]
        main = max(reasons, key=reasons.get).replace("_", " ") if reasons else "-"
        table.add_row(deal, f"{row['hold_up_rate']:.1%}", f"{low:.1%} - {high:.1%}", main)
    console.print(table)
    predictions = Table(title="What each solver predicts (share of draws)", title_justify="left")
    predictions.add_column("Solver")
    predictions.add_column("Predictions")
    for solver, shares in summary["predictions"].items():
        top = ", ".join(f"{deal} {share:.0%}" for deal, share in list(shares.items())[:3])
        predictions.add_row(solver, top)
    console.print(predictions)
    console.print(f"Results: {done.results}; summary: {done.folder / 'summary.json'}")


def print_sensitivity(
    found: list[Sensitivity], plan: SweepPlan, console: Console | None = None
) -> None:
    """Print each outcome's most important assumptions."""
    console = console or Console()
    console.print(f"{plan.method} design: {plan.note}; {plan.n_rows:,} draws.")
    for result in found:
        if result.table is None:
            console.print(f"[bold]{result.outcome}[/bold]: {result.note}.")
            continue
        frame = result.table.head(10)
        table = Table(title=f"What drives {result.outcome}", title_justify="left")
        table.add_column("Parameter")
        for column in frame.columns:
            table.add_column(str(column), justify="right")
        for name, row in frame.iterrows():
            table.add_row(str(name), *(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
        console.print(table)


def print_tipping_points(
    found: list[ParameterTipping], solver: str, console: Console | None = None
) -> None:
    """Print the parameters that tip the prediction first, then those that do not."""
    console = console or Console()
    tipping = [t for t in found if t.points]
    console.print(f"[bold]Where {solver}'s prediction changes[/bold] (others at baseline):")
    for t in tipping:
        for line in t.sentences(solver):
            console.print(f"  {line}")
    steady = [t.path for t in found if not t.points]
    if steady:
        console.print(f"No change across its range: {', '.join(steady)}.")


def print_backtest(episodes: list[Episode], console: Console | None = None) -> None:
    """Print each episode's record, each solver's prediction (hit or miss) and hit rates."""
    from sim.history.backtest import SOLVERS, hit_rates

    console = console or Console()
    table = Table(
        title="Backtest: predicted vs recorded outcome (✓ = the recorded deal)",
        title_justify="left",
        caption="A declaration that moves nothing has the status quo's terms and counts as it.",
        caption_justify="left",
    )
    table.add_column("Episode", no_wrap=True)
    table.add_column("Recorded")
    for solver in ("Nash", "Posture", "Sequential", "Alternating"):
        table.add_column(solver)
    for e in episodes:
        cells = ["✓" if e.hits[s] else f"✗ {e.predictions[s]}" for s in SOLVERS]
        table.add_row(e.path.stem, e.observed, *cells)
    rates = hit_rates(episodes)
    table.add_row(
        "[bold]hit rate[/bold]", "", *(f"{h}/{n}" for h, n in rates.values()), end_section=True
    )
    console.print(table)
