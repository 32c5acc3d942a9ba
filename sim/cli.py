"""The ``kurilsim`` command line. It only wires: load → evaluate → report.

Every error the user can cause is a :class:`~sim.errors.UserError`: one message on
standard error, exit status 2, nothing written.
"""

from __future__ import annotations

import enum
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from sim.errors import UserError

app = typer.Typer(
    name="kurilsim",
    help="Bargaining simulator for the Russia-Japan dispute over the southern Kuril islands.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        from sim import __version__

        typer.echo(f"kurilsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print kurilsim's version."
        ),
    ] = False,
) -> None:
    """Bargaining simulator for the Russia-Japan dispute over the southern Kuril islands."""


ScenarioArg = Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a value: dotted.path=value (TOML syntax; repeatable).",
        metavar="PATH=VALUE",
    ),
]


ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write into a non-empty folder kurilsim did not make (its files are never "
        "overwritten or removed).",
    ),
]


def user_errors(command: F) -> F:
    """Turn :class:`UserError` into one message on stderr and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as error:
            from sim.text import printable

            typer.echo(f"error: {printable(str(error))}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class Loaded:
    """A scenario as a command loaded it: the file used and where the result comes from."""

    scenario: Any
    path: Path
    provenance: Any


def _open(path: Path, assignments: list[str] | None) -> Loaded:
    """Load a scenario file, or the shipped scenario it names, with ``--set`` overrides."""
    from sim.model.loader import load_scenario, parse_assignment
    from sim.provenance import Provenance
    from sim.shipped import missing_scenario, resolve_scenario

    resolved, shipped = resolve_scenario(path)
    if not resolved.exists() and not resolved.is_symlink():
        raise missing_scenario(path)
    if shipped:
        typer.echo(f"note: {path} is not a file here; using the shipped {resolved.name}", err=True)
    overrides = dict(parse_assignment(text) for text in assignments or [])
    scenario = load_scenario(resolved, overrides=overrides)
    shown = f"{resolved.name} (shipped with kurilsim)" if shipped else str(path)
    return Loaded(scenario, resolved, Provenance.of(scenario, shown, overrides))


def _load(path: Path, assignments: list[str] | None) -> Any:
    return _open(path, assignments).scenario


def _write_tables(folder: Path, command: str, tables: dict[str, Any]) -> None:
    """Write CSV tables into an output folder kurilsim owns; say where on stderr."""
    from sim.export import write_csv
    from sim.outputs import OutputFolder

    with OutputFolder(folder, command=command) as out:
        for name, frame in tables.items():
            write_csv(out, name, frame)
    typer.echo(f"wrote {', '.join(str(folder / n) for n in tables)}", err=True)


def _save_figure(fig: Any, path: Path) -> None:
    """Save a chart to a file the user named (PNG, SVG or PDF), atomically."""
    from sim.atomic import atomic_path
    from sim.charts.style import save_chart
    from sim.outputs import disk_error, single_file

    target = single_file(path, (".png", ".svg", ".pdf"))
    try:
        with atomic_path(target) as tmp:
            save_chart(fig, tmp, suffix=target.suffix)
    except OSError as error:
        raise disk_error(error, target.parent) from None


@app.command()
@user_errors
def run(
    scenario: ScenarioArg,
    set_: SetOpt = None,
    components: Annotated[
        bool, typer.Option("--components", help="Show each deal's payoff components.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    solver: Annotated[
        list[str] | None,
        typer.Option(
            "--solver",
            help="A solver (nash, nash_asymmetric, kalai_smorodinsky, egalitarian, "
            "utilitarian, their _lottery forms, posture, sequential, alternating), a family "
            "(cooperative) or all; repeatable; default: cooperative.",
        ),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the deal table as DIR/deals.csv.")
    ] = None,
) -> None:
    """Evaluate a scenario: every deal for both sides, and the solvers' predictions."""
    from sim.evaluate import evaluate
    from sim.predict import select

    specs = select(solver or ["cooperative"])
    families = {str(s.family) for s in specs}
    loaded = _open(scenario, set_)
    result = evaluate(loaded.scenario)
    if csv is not None:
        from sim.export import deals_frame

        _write_tables(csv, "run", {"deals.csv": deals_frame(result)})
    if as_json:
        from sim.report import alternating_json, posture_json, sequential_json, to_json

        data = {"provenance": loaded.provenance.to_json(), **to_json(result)}
        data["predictions"] = {s.name: str(s.predict(result).ids[0]) for s in specs}
        if "posture" in families:
            data["solutions"]["posture"] = posture_json(result.posture())
        if "sequential" in families:
            data["solutions"]["sequential"] = sequential_json(result)
        if "alternating" in families:
            data["solutions"]["alternating"] = alternating_json(result)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    from sim.report import answer_lines
    from sim.terminal import print_alternating, print_posture, print_run, print_sequential

    print_run(
        result,
        components=components,
        solutions="cooperative" in families,
        answer=answer_lines(result, specs),
    )
    if "posture" in families:
        print_posture(result.posture())
    if "sequential" in families:
        print_sequential(result)
    if "alternating" in families:
        print_alternating(result)


@app.command()
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
) -> None:
    """Check scenario files; exit status 2 if any is invalid."""
    from sim.model.loader import load_scenario
    from sim.model.parameters import iter_parameters

    failed = 0
    for path in scenarios:
        try:
            scenario = load_scenario(path)
        except UserError as error:
            typer.echo(f"error: {error}", err=True)
            failed += 1
            continue
        params = list(iter_parameters(scenario))
        ranged = sum(p.range is not None for p in params)
        typer.echo(
            f"ok: {path} ({scenario.scenario.name}, {scenario.scenario.year}; "
            f"{len(params)} parameters, {ranged} with a range)"
        )
    if failed:
        raise typer.Exit(2)


@app.command()
@user_errors
def deals(
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Show this scenario's menu instead of the catalogue."),
    ] = None,
) -> None:
    """List the deals: which islands, delay, treaty, claim, cooperation, anchor."""
    from sim.evaluate import menu_of
    from sim.model.deals import DealSet, catalogue
    from sim.terminal import print_deals

    menu = DealSet.from_specs(catalogue()) if scenario is None else menu_of(_load(scenario, None))
    print_deals(menu)


@app.command()
@user_errors
def equilibria(
    game: Annotated[Path, typer.Argument(help="A two-player game in Gambit's .nfg format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Every extreme Nash equilibrium of a bimatrix game given as a Gambit .nfg file."""
    from sim.formats.nfg import NfgFormatError, read_nfg
    from sim.solvers import equilibria as eq

    try:
        nfg = read_nfg(game)
    except FileNotFoundError:
        raise UserError("file not found", source=str(game)) from None
    except NfgFormatError as error:
        raise UserError(str(error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read the file ({error})", source=str(game)) from None
    found = eq.describe_equilibria(nfg.A, nfg.B, eq.all_equilibria(nfg.A, nfg.B))
    if as_json:
        from sim.report import equilibria_json

        sys.stdout.write(json.dumps(equilibria_json(nfg, found), indent=2) + "\n")
        return
    from sim.terminal import print_equilibria

    print_equilibria(nfg, found)


class GameForm(enum.StrEnum):
    """Which game ``kurilsim export-game`` writes."""

    normal = "normal"
    extensive = "extensive"


@app.command("export-game")
@user_errors
def export_game(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    set_: SetOpt = None,
    form: Annotated[
        GameForm,
        typer.Option(
            "--form",
            help="normal: the posture game (.nfg); extensive: the sequential game (.efg).",
        ),
    ] = GameForm.normal,
) -> None:
    """Write a scenario's game in Gambit's format, to cross-check in Gambit."""
    from sim.evaluate import evaluate

    result = evaluate(_load(scenario, set_))
    try:
        if form == GameForm.extensive:
            _write_extensive(result, output)
        else:
            _write_normal(result, output)
    except OSError as error:
        raise UserError(f"cannot write the file ({error.strerror})", source=str(output)) from None


def _write_extensive(result: Any, output: Path) -> None:
    from sim.formats.efg import write_efg
    from sim.model.payoffs import ACTORS

    game = result.sequential_game
    info = result.scenario.scenario
    proposer = result.scenario.sequential.proposer
    write_efg(
        output,
        game.game.draw(0),
        ACTORS.index(proposer),
        title=f"kurilsim sequential game: {info.name} ({info.year}), {proposer} proposes",
    )
    typer.echo(f"wrote {output} (sequential game, {len(game.deals)} deals, {proposer} proposes)")


def _write_normal(result: Any, output: Path) -> None:
    from sim.formats.nfg import NormalFormGame, write_nfg

    posture = result.posture()
    info = result.scenario.scenario
    game = NormalFormGame(
        title=f"kurilsim posture game: {info.name} ({info.year})",
        players=("Japan", "Russia"),
        strategies=(posture.table.japan, posture.table.russia),
        A=posture.japan_payoff,
        B=posture.russia_payoff,
        comment="Payoffs in US$ bn (2003) from the kurilsim payoff model; cells: "
        + "; ".join(
            f"{j}/{r}={posture.table.deals.ids[posture.table.cells[i, c]]}"
            for i, j in enumerate(posture.table.japan)
            for c, r in enumerate(posture.table.russia)
        ),
    )
    write_nfg(game, output)
    typer.echo(f"wrote {output} ({len(game.strategies[0])}x{len(game.strategies[1])} game)")


class Executor(enum.StrEnum):
    """Where sweep chunks run."""

    serial = "serial"
    local = "local"
    dask = "dask"


@app.command()
@user_errors
def sweep(
    scenario: ScenarioArg,
    method: Annotated[
        str | None,
        typer.Option("--method", help="grid, oat, mc, lhs, sobol or morris (default: [sweep])."),
    ] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", help="Draws (Sobol: base samples).", min=1)
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the sampler.", min=0)] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes or Dask workers.", min=1)
    ] = None,
    executor: Annotated[
        Executor, typer.Option("--executor", help="serial, local (processes) or dask.")
    ] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Existing Dask scheduler, tcp://host:port.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue an interrupted sweep in the folder.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Output folder (default: sweep-NAME).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Sweep this parameter: path={ range = [a, b] } (or a distribution); repeatable.",
            metavar="PATH={...}",
        ),
    ] = None,
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", help="Draws per chunk.", min=1)
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar or table.")] = False,
    force: ForceOpt = False,
    set_: SetOpt = None,
) -> None:
    """Sweep the scenario's assumptions: which deals hold up, and how often."""
    loaded = _load(scenario, set_)
    plan = _plan(loaded, scenario, method, samples, seed, chunk_size, param)
    folder = output or Path(f"sweep-{loaded.scenario.name}")
    done = _run(plan, folder, executor, workers, scheduler, resume, quiet, force=force)
    if not quiet:
        from sim.terminal import print_sweep_summary

        print_sweep_summary(done, plan)


def _plan(
    loaded: Any,
    path: Path,
    method: str | None,
    samples: int | None,
    seed: int | None,
    chunk_size: int | None,
    param: list[str] | None,
) -> Any:
    from sim.sweeps.runner import plan_sweep
    from sim.sweeps.samplers import METHODS
    from sim.sweeps.spec import parse_param, sweep_space

    settings = loaded.sweep
    chosen = settings.method if method is None else method
    if chosen not in METHODS:
        raise UserError(f"unknown method '{chosen}'; expected one of {', '.join(METHODS)}")
    params = dict(settings.parameters or {})
    params.update(parse_param(text) for text in param or [])
    space = sweep_space(loaded, params, source="--param" if param else str(path))
    return plan_sweep(
        loaded,
        space,
        chosen,
        settings.samples if samples is None else samples,
        settings.seed if seed is None else seed,
        chunk_size or settings.chunk_size,
    )


def _run(
    plan: Any,
    folder: Any,
    executor: Executor,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
    *,
    force: bool = False,
) -> Any:
    """Run the sweep into ``folder`` (a path, or an open OutputFolder) with a progress bar."""
    from sim.sweeps.runner import run_sweep
    from sim.terminal import sweep_progress

    def warn(line: str) -> None:
        print(f"warning: {line}", file=sys.stderr)  # above the progress bar

    with sweep_progress(plan.n_rows, quiet=quiet) as advance:
        return run_sweep(
            plan,
            folder,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            force=force,
            progress=advance,
            warn=warn,
        )


@app.command()
@user_errors
def sensitivity(
    scenario: ScenarioArg,
    method: Annotated[
        str, typer.Option("--method", help="sobol (default), morris, or oat (tornado).")
    ] = "sobol",
    samples: Annotated[
        int,
        typer.Option(
            "--samples", help="Sobol base samples / Morris trajectories / OAT rows.", min=1
        ),
    ] = 256,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="margin_DEAL, holds_DEAL or SOLVER=DEAL (repeatable); default: the margin "
            "and hold-up flag of the deal that holds up most often.",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Sweep only these: path={ range = [a, b] }.", metavar="PATH={...}"
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0)] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, hidden=True)] = None,
    executor: Annotated[Executor, typer.Option("--executor", hidden=True)] = Executor.local,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Folder (default: sensitivity-NAME).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", hidden=True)] = False,
    quiet: Annotated[bool, typer.Option("--quiet", hidden=True)] = False,
    force: ForceOpt = False,
    set_: SetOpt = None,
) -> None:
    """Which assumptions matter most: Sobol or Morris indices, or tornado data.

    Evaluated in memory, only as far as the outcomes need; writes sensitivity.json.
    """
    # --workers, --executor and --resume (hidden) are accepted so that scripts written
    # for the sweep-backed command keep working; an in-memory evaluation uses none.
    from sim.terminal import warn

    ignored = [
        name
        for name, given in (
            ("--workers", workers is not None),
            ("--executor", executor is not Executor.local),
            ("--resume", resume),
        )
        if given
    ]
    if ignored:
        warn(f"{', '.join(ignored)} ignored: sensitivity evaluates its design in memory")
    from sim.outputs import OutputFolder
    from sim.report import sensitivity_json
    from sim.sweeps.runner import json_text
    from sim.sweeps.sensitivity import design_sensitivity

    if method not in ("sobol", "morris", "oat"):
        raise UserError(f"unknown method '{method}'; expected sobol, morris or oat")
    loaded = _load(scenario, set_)
    plan = _plan(loaded, scenario, method, samples, seed, None, param)
    folder = output or Path(f"sensitivity-{loaded.scenario.name}")
    with OutputFolder(folder, command="sensitivity", force=force) as out:
        out.target("sensitivity.json")  # refuse a user's file before the evaluation, not after
        found = design_sensitivity(
            plan.scenario, plan.design, outcome or None, chunk_size=plan.chunk_size
        )
        out.write_text("sensitivity.json", json_text(sensitivity_json(found, plan)))
    from sim.terminal import print_sensitivity

    print_sensitivity(found, plan)


@app.command("tipping-points")
@user_errors
def tipping_points(
    scenario: ScenarioArg,
    solver: Annotated[
        str, typer.Option("--solver", help="nash, nash_asymmetric, …, sequential or alternating.")
    ] = "nash",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", help="Scan only these: path={ range = [a, b] }.", metavar="PATH={...}"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the table as DIR/tipping_points.csv."),
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Where each assumption tips a solver's predicted deal, the others at baseline."""
    from sim.sweeps.analysis import scenario_tipping_points
    from sim.sweeps.spec import parse_param, sweep_space

    loaded = _load(scenario, set_)
    params = dict(parse_param(text) for text in param or [])
    space = sweep_space(loaded, params or loaded.sweep.parameters, source="--param")
    found = scenario_tipping_points(loaded, space, solver)
    if csv is not None:
        from sim.export import tipping_frame

        _write_tables(csv, "tipping-points", {"tipping_points.csv": tipping_frame(found, solver)})
    if as_json:
        data = [
            {
                "parameter": t.path,
                "range": [t.low, t.high],
                "baseline_deal": t.baseline_deal,
                "tipping_points": [
                    {"value": p.value, "below": t.deal_ids[p.below], "above": t.deal_ids[p.above]}
                    for p in t.points
                ],
            }
            for t in found
        ]
        sys.stdout.write(json.dumps({"solver": solver, "parameters": data}, indent=2) + "\n")
        return
    from sim.terminal import print_tipping_points

    print_tipping_points(found, solver)


@app.command()
@user_errors
def brief(
    scenario: ScenarioArg,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder of the briefing pack.")
    ] = Path("brief"),
    samples: Annotated[
        int | None, typer.Option("--samples", help="Draws of the sweep (default 100,000).", min=100)
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1)] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the pack's interrupted sweep (same inputs)."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty folder kurilsim did not make (its files "
            "are never overwritten).",
        ),
    ] = False,
    dpi: Annotated[
        int, typer.Option("--dpi", help="Resolution of the PNG charts.", min=50, max=1200)
    ] = 200,
    svg: Annotated[
        bool, typer.Option("--svg/--no-svg", help="Also write every chart as SVG.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    set_: SetOpt = None,
) -> None:
    """Write a briefing pack: every chart (PNG, SVG), summary.md and brief.pdf.

    A rerun after any change rebuilds the pack; a finished sweep with the same inputs is
    reused. Only files kurilsim wrote in the folder are ever replaced or removed.
    """
    from sim.brief import DEFAULT_SAMPLES, bottom_line, make_brief
    from sim.terminal import sweep_progress

    loaded = _open(scenario, set_)
    history, note = _history_for(loaded.path)
    n = samples or DEFAULT_SAMPLES
    with sweep_progress(n, quiet=quiet) as advance:
        done = make_brief(
            loaded.scenario,
            output,
            provenance=loaded.provenance,
            history=history,
            history_note=note,
            samples=n,
            workers=workers,
            resume=resume,
            force=force,
            dpi=dpi,
            svg=svg,
            progress=advance,
        )
    from sim.terminal import make_console, print_brief_done

    print_brief_done(done, bottom_line(done.analysis), make_console())


def _history_for(path: Path) -> tuple[Path, str]:
    """The history scenarios for a scenario's briefing, and a sentence saying which."""
    from sim.shipped import history_dir

    beside = path.parent / "history"
    shipped = history_dir()
    if beside.resolve() == shipped.resolve():
        return shipped, "The history chart scores the 12 episodes shipped with kurilsim."
    if beside.is_dir() and any(beside.glob("*.toml")):
        return beside, f"The history chart scores the episodes in {beside}."
    return shipped, (
        "The history chart scores the 12 episodes shipped with kurilsim (there is no "
        "history/ folder beside the scenario)."
    )


@app.command()
@user_errors
def backtest(
    folder: Annotated[
        Path, typer.Argument(help="Folder of history scenarios (default: scenarios/history).")
    ] = Path("scenarios/history"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also save the timeline chart (.png, .svg or .pdf)."),
    ] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write the table as DIR/backtest.csv.")
    ] = None,
) -> None:
    """Score each solver against the recorded outcome of every negotiation episode."""
    from sim.history.backtest import backtest as score
    from sim.history.backtest import history_files, to_json

    if chart is not None:
        from sim.outputs import single_file

        single_file(chart, (".png", ".svg", ".pdf"))  # refuse before the work, not after
    episodes = score(history_files(folder))
    if not episodes:
        raise UserError("no scenario here records an [observed] outcome", source=str(folder))
    if chart is not None:
        from sim.charts.history import history_timeline
        from sim.charts.style import chart_style

        with chart_style():
            _save_figure(history_timeline(episodes), chart)
    if csv is not None:
        from sim.export import backtest_frame

        _write_tables(csv, "backtest", {"backtest.csv": backtest_frame(episodes)})
    if as_json:
        sys.stdout.write(json.dumps(to_json(episodes), indent=2) + "\n")
        return
    from sim.terminal import print_backtest

    print_backtest(episodes)


@app.command()
@user_errors
def init(
    folder: Annotated[
        Path, typer.Argument(help="Folder to write the shipped scenarios into.")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Replace files of the same names.")
    ] = False,
) -> None:
    """Write the shipped scenarios (baseline, history episodes, a template) into a folder."""
    from sim.shipped import write_shipped

    written = write_shipped(folder, force=force)
    typer.echo(f"wrote {len(written)} files into {folder}:")
    for path in written:
        if path.parent == folder:
            typer.echo(f"  {path}")
    typer.echo(f"  {folder / 'history'}/ (the negotiation episodes, 1956-2003)")
    typer.echo(
        f"next: kurilsim brief {folder / 'baseline_2003.toml'}; your own scenario: copy "
        f"{folder / 'template.toml'}"
    )


@app.command()
@user_errors
def compare(
    first: Annotated[Path, typer.Argument(help="Scenario file (TOML).", show_default=False)],
    second: Annotated[
        Path | None,
        typer.Argument(help="Scenario to compare with (default: FIRST with the --set changes)."),
    ] = None,
    set_: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Save both utility planes in one chart (.png/.svg/.pdf)."),
    ] = None,
) -> None:
    """Two scenarios side by side: deals that change verdict, predictions, components.

    The --set overrides apply to the second scenario (or to a copy of the first).
    """
    from sim.compare import compare as compare_scenarios
    from sim.evaluate import evaluate

    if second is None and not set_:
        raise UserError("give a second scenario, or --set changes to compare the first with")
    if chart is not None:
        from sim.outputs import single_file

        single_file(chart, (".png", ".svg", ".pdf"))
    a = _open(first, None)
    b = _open(second or first, set_)
    names = (a.provenance.title, b.provenance.title)
    if names[0] == names[1]:
        names = (f"{names[0]} ({first})", f"{names[1]} ({second})")
    found = compare_scenarios(evaluate(a.scenario), evaluate(b.scenario), names)
    if chart is not None:
        from sim.charts.compare import compare_plane
        from sim.charts.style import chart_style

        with chart_style():
            _save_figure(compare_plane(found, year=b.scenario.scenario.year), chart)
    if as_json:
        data = {
            "provenance": [a.provenance.to_json(), b.provenance.to_json()],
            **found.to_json(),
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    from sim.terminal import print_comparison

    print_comparison(found)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors and validators)."""
    from sim.model.scenario import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


def main() -> None:
    """Entry point of the ``kurilsim`` command."""
    app()
