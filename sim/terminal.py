"""Terminal tables (rich) for the command line."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.evaluate import Evaluation
from sim.model.deals import DealSet
from sim.model.islands import ISLAND_KEYS
from sim.model.payoffs import ACTORS, COMPONENTS
from sim.model.scenario import MONEY
from sim.report import SOLUTION_TITLES, deal_verdict, explain, feasible_summary
from sim.solvers.cooperative import SOLUTION_NAMES

YES, NO = "yes", "-"


def _flag(value: bool) -> str:
    return YES if value else NO


def print_run(result: Evaluation, *, components: bool = False, console: Console | None = None) -> None:
    """Print the deal table, optionally the components, then the solutions."""
    console = console or Console()
    info = result.scenario.scenario
    console.print(f"[bold]{info.name}[/bold] ({info.year}): {info.description}")
    console.print(f"Utilities in {MONEY}; status quo is the disagreement point.\n")
    console.print(_deal_table(result))
    if components:
        console.print(_component_table(result))
    console.print(feasible_summary(result))
    console.print(_solution_table(result))


def _deal_table(result: Evaluation) -> Table:
    table = Table(
        title="Deals (J = Japan, R = Russia)",
        title_justify="left",
        caption="Rational: the government prefers the deal to the status quo. "
        "Ratifiable: its ratifier does too (win-set).",
        caption_justify="left",
    )
    table.add_column("Deal")
    table.add_column("Japan", justify="right")
    table.add_column("Russia", justify="right")
    for column in ("Rational\nJ  R", "Ratifiable\nJ  R", "Pareto"):
        table.add_column(column, justify="center")
    table.add_column("Verdict", ratio=1, min_width=24)
    for d, row in enumerate(result.rows()):
        table.add_row(
            row["deal"],
            f"{row['japan']:+.2f}",
            f"{row['russia']:+.2f}",
            _pair(row["rational_japan"], row["rational_russia"]),
            _pair(row["ratifiable_japan"], row["ratifiable_russia"]),
            _flag(row["pareto"]),
            deal_verdict(result, d),
        )
    return table


def _pair(japan: bool, russia: bool) -> str:
    return f"{'✓' if japan else '✗'}  {'✓' if russia else '✗'}"


def _component_table(result: Evaluation) -> Table:
    table = Table(title=f"Payoff components ({MONEY})", title_justify="left")
    table.add_column("Deal")
    table.add_column("Side")
    for name in COMPONENTS:
        table.add_column(name, justify="right")
    table.add_column("total", justify="right")
    values = result.payoffs.components[0]
    for d, deal in enumerate(result.deals.ids):
        for a, actor in enumerate(ACTORS):
            cells = [f"{x:+.2f}" for x in values[d, a]]
            table.add_row(deal if a == 0 else "", actor, *cells, f"{values[d, a].sum():+.2f}",
                          end_section=a == len(ACTORS) - 1)
    return table


def _solution_table(result: Evaluation) -> Table:
    table = Table(title="Cooperative solutions", title_justify="left")
    table.add_column("Solution")
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
    """Print a menu of deals with their terms and historical anchors."""
    console = console or Console()
    table = Table(title="Deals", title_justify="left", show_lines=True)
    for column in ("Deal", "Japanese sovereignty", "Delay", "Treaty", "Claim", "Coop.",
                   "Money", "Demil.", "Anchor"):
        table.add_column(column)
    for deal_id, spec, shares in zip(deals.ids, deals.specs, deals.shares, strict=True):
        islands = ", ".join(
            key.capitalize() + ("" if share >= 1 else f" {share:.0%}")
            for key, share in zip(ISLAND_KEYS, shares, strict=True)
            if share > 0
        )
        table.add_row(
            f"{deal_id}\n{spec.label}",
            islands or "none",
            f"{spec.transfer_delay:g} y" if spec.transfer_delay else "-",
            _flag(spec.peace_treaty),
            spec.claim,
            f"{spec.cooperation:.0%}",
            spec.aid_timing.replace("_", " "),
            _flag(spec.demilitarised),
            spec.anchor,
        )
    console.print(table)
