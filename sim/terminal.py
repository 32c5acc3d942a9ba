"""Terminal tables (rich) for the command line."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.evaluate import Evaluation
from sim.model.deals import DealSet, DealSpec
from sim.model.islands import ISLAND_KEYS
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.model.scenario import MONEY
from sim.report import SOLUTION_TITLES, deal_verdict, explain, feasible_summary
from sim.solvers.cooperative import SOLUTION_NAMES

YES, NO = "yes", "-"


def _flag(value: bool) -> str:
    return YES if value else NO


def print_run(
    result: Evaluation, *, components: bool = False, console: Console | None = None
) -> None:
    """Print the deal table, optionally the components, then the solutions."""
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
    console.print(_solution_table(result))


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
