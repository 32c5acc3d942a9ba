"""The command line: outputs, exit codes, and clean failures on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import BASELINE, ROOT, extending_baseline

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_run_prints_the_answer_first_then_deals_and_solutions():
    result = invoke("run", BASELINE)
    assert result.exit_code == 0, result.output
    for expected in (
        "Two islands",
        "Four, phased",
        "Nash",
        "Kalai-Smorodinsky",
        "utilitarian",
        "Acceptable to both governments and both ratifiers",
    ):
        assert expected in result.output
    out = result.output
    assert out.index("Answer: Shelve + cooperate") < out.index("Four, phased")
    assert "two_islands" not in out  # display labels in tables; ids stay in JSON


def test_run_all_fits_80_columns_and_says_each_why_once():
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--solver", "all"], env={"COLUMNS": "80"}, terminal_width=80
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert result.output.count("the only acceptable deal") == 1
    assert "(gains Japan +US$" in result.output  # money with its unit


def test_run_with_override_and_components():
    result = invoke("run", BASELINE, "--set", "actors.russia.nationalist_cost=9", "--components")
    assert result.exit_code == 0, result.output
    assert "Why Japan ranks the deals" in result.output
    assert "Why Russia ranks the deals" in result.output
    assert "nationalist cost" in result.output


def test_override_changes_the_json_output():
    base = json.loads(invoke("run", BASELINE, "--json").stdout)
    high = json.loads(
        invoke("run", BASELINE, "--json", "--set", "actors.russia.nationalist_cost=9").stdout
    )
    russia = {d["id"]: d["utility"]["russia"] for d in base["deals"]}
    russia_high = {d["id"]: d["utility"]["russia"] for d in high["deals"]}
    assert russia_high["two_islands"] == pytest.approx(russia["two_islands"] - 6.5)
    assert russia_high["shelve"] == pytest.approx(russia["shelve"])


def test_json_has_the_documented_keys():
    result = invoke("run", BASELINE, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"scenario", "deals", "solutions"} <= set(data)
    deal = data["deals"][0]
    assert {"id", "utility", "components", "individually_rational", "ratifiable", "pareto"} <= set(
        deal
    )
    assert set(deal["utility"]) == {"japan", "russia"}
    assert set(deal["components"]["japan"]) == {
        "territory",
        "treaty",
        "investment",
        "nationalist",
        "china",
        "alliance",
    }
    ids = {d["id"] for d in data["deals"]}
    for name, outcome in data["solutions"].items():
        chosen = {outcome} if isinstance(outcome, str) else set(outcome)
        assert chosen <= ids, name
        if isinstance(outcome, dict):
            assert sum(outcome.values()) == pytest.approx(1.0)


def test_json_reports_a_lottery_as_a_mixture():
    result = invoke(
        "run",
        BASELINE,
        "--json",
        "--set",
        "cooperative.require_ratification=false",
        "--set",
        "actors.japan.renunciation_cost={ value = 3, range = [1, 40] }",
    )
    solution = json.loads(result.stdout)["solutions"]["egalitarian_lottery"]
    assert isinstance(solution, dict) and len(solution) == 2


def test_validate_all_scenarios():
    files = sorted((ROOT / "scenarios").rglob("*.toml"))
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(files)


def test_validate_reports_every_bad_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(extending_baseline("[context]\nus_pressure = 3\n"))
    result = invoke("validate", BASELINE, bad)
    assert result.exit_code == 2
    assert "ok: " in result.stdout
    assert "bad.toml" in result.stderr and "context.us_pressure" in result.stderr


def test_deals_lists_the_catalogue():
    result = invoke("deals")
    assert result.exit_code == 0
    for deal in (
        "status_quo",
        "shelve",
        "aid_first",
        "two_islands",
        "two_plus_alpha",
        "three_islands",
        "area_split",
        "four_phased",
        "four_islands",
    ):
        assert deal in result.output
    assert "Habomai" in result.output and "1956" in result.output


def test_schema_is_json_with_descriptions():
    result = invoke("schema")
    schema = json.loads(result.stdout)
    assert schema["properties"]["actors"]
    assert "description" in json.dumps(schema)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "missing.toml"], "missing.toml: file not found"),
        (["run", BASELINE, "--set", "actors.japan.patiense=0.9"], "did you mean 'patience'"),
        (["run", BASELINE, "--set", "actors.japan.patience=2"], "expected > 0 and < 1"),
        (["run", BASELINE, "--set", "nonsense"], "expected dotted.path=value"),
        (
            ["run", BASELINE, "--set", "deals.menu=['shelve', 'tw_islands']"],
            "did you mean 'two_islands'",
        ),
        (["deals", "--scenario", "missing.toml"], "file not found"),
    ],
)
def test_user_errors_exit_2_with_one_message(args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("schema_version = 1\n[scenario\n")
    result = invoke("run", path)
    assert result.exit_code == 2
    assert f"{path}, line 2: TOML syntax error" in result.stderr


def test_console_script_and_module_entry_points():
    for command in ([sys.executable, "-m", "sim"], [str(Path(sys.executable).parent / "kurilsim")]):
        done = subprocess.run(
            [*command, "run", str(BASELINE), "--json"], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["scenario"]["name"] == "baseline_2003"
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "run", "nope.toml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: nope.toml: file not found")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_run_posture_shows_the_game_and_its_equilibria():
    result = invoke("run", BASELINE, "--solver", "posture")
    assert result.exit_code == 0, result.output
    assert "Posture game" in result.output
    assert "extreme equilibri" in result.output
    assert "Fictitious play" in result.output and "Replicator dynamics" in result.output


def test_json_adds_the_posture_game():
    data = json.loads(invoke("run", BASELINE, "--json", "--solver", "all").stdout)
    posture = data["solutions"]["posture"]
    assert posture["japan"] == ["insist_four", "two_first", "shelve", "aid_first"]
    assert len(posture["outcomes"]) == 4 and len(posture["outcomes"][0]) == 4
    for eq in posture["equilibria"]:
        assert sum(eq["japan"].values()) == pytest.approx(1.0)
        assert sum(eq["deals"].values()) == pytest.approx(1.0)
    assert "nash" in data["solutions"]


def test_export_game_round_trips_through_gambit_and_equilibria(tmp_path):
    import pygambit as gbt

    path = tmp_path / "posture.nfg"
    result = invoke("export-game", BASELINE, "-o", path)
    assert result.exit_code == 0, result.output
    game = gbt.read_nfg(str(path))
    assert [p.label for p in game.players] == ["Japan", "Russia"]
    data = json.loads(invoke("equilibria", path, "--json").stdout)
    posture = json.loads(invoke("run", BASELINE, "--json", "--solver", "posture").stdout)
    assert len(data["equilibria"]) == len(posture["solutions"]["posture"]["equilibria"])
    table = invoke("equilibria", path)
    assert table.exit_code == 0 and "extreme Nash equilibri" in table.output


def test_equilibria_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "bad.nfg"
    bad.write_text("not a game\n")
    result = invoke("equilibria", bad)
    assert result.exit_code == 2
    assert "bad.nfg" in result.stderr and "line 1" in result.stderr
    missing = invoke("equilibria", tmp_path / "none.nfg")
    assert missing.exit_code == 2 and "file not found" in missing.stderr


def test_export_game_to_a_missing_folder_fails_cleanly(tmp_path):
    result = invoke("export-game", BASELINE, "-o", tmp_path / "no" / "game.nfg")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_run_alternating_reports_deal_transfer_shares_and_delay():
    result = invoke("run", BASELINE, "--solver", "alternating")
    assert result.exit_code == 0, result.output
    assert "Alternating offers" in result.output
    assert "Agreed at once on" in result.output  # no delay
    data = json.loads(invoke("run", BASELINE, "--json", "--solver", "alternating").stdout)
    alt = data["solutions"]["alternating"]
    assert alt["delay"] == 0
    assert sum(alt["share"].values()) == pytest.approx(1.0)
    deal = next(d for d in data["deals"] if d["id"] == alt["deal"])
    gains = deal["utility"]  # the status quo is 0 for both in the baseline
    assert alt["gain"]["japan"] == pytest.approx(gains["japan"] - alt["transfer_japan_to_russia"])
    assert alt["gain"]["russia"] == pytest.approx(gains["russia"] + alt["transfer_japan_to_russia"])


def test_run_sequential_reports_both_proposers_and_every_deal():
    result = invoke("run", BASELINE, "--solver", "sequential")
    assert result.exit_code == 0, result.output
    assert "Japan proposes" in result.output and "Russia proposes" in result.output
    data = json.loads(invoke("run", BASELINE, "--json", "--solver", "sequential").stdout)
    sequential = data["solutions"]["sequential"]
    assert set(sequential["spe"]) >= {"offer", "outcome", "reneged", "utility"}
    ids = [d["id"] for d in data["deals"]][1:]
    assert list(sequential["killed_by"]) == ids
    for entry in sequential["killed_by"].values():
        assert entry["stage"] in (
            None,
            "responder",
            "japan_ratifier",
            "russia_ratifier",
            "reneged",
            "proposer",
        )
        assert entry["why"]


def test_extensive_export_holds_our_spe_as_an_equilibrium(tmp_path):
    import pygambit as gbt

    from sim import evaluate, load_scenario
    from sim.formats.efg import spe_behavior
    from tests.formats.test_efg import profile_of

    path = tmp_path / "sequential.efg"
    result = invoke("export-game", BASELINE, "--form", "extensive", "-o", path)
    assert result.exit_code == 0, result.output
    game = gbt.read_efg(str(path))
    assert len(game.players) == 4
    seq = evaluate(load_scenario(BASELINE)).sequential_game
    choice = spe_behavior(seq.game.draw(0), 0)
    profile = profile_of(game, choice)
    assert float(profile.max_regret()) == pytest.approx(0.0, abs=1e-7)


def test_version():
    from sim import __version__

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"kurilsim {__version__}"


def test_run_json_records_provenance():
    data = json.loads(
        invoke("run", BASELINE, "--json", "--set", "actors.russia.nationalist_cost=9").stdout
    )
    p = data["provenance"]
    assert p["scenario"] == "baseline_2003" and p["file"] == str(BASELINE)
    assert p["overrides"] == {"actors.russia.nationalist_cost": "9"}
    base = json.loads(invoke("run", BASELINE, "--json").stdout)["provenance"]
    assert len(p["scenario_sha256"]) == 64 and p["scenario_sha256"] != base["scenario_sha256"]
    assert p["kurilsim_version"] and p["created"][:4].isdigit()


def test_a_shipped_scenario_can_be_named_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "baseline_2003", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"]["name"] == "baseline_2003"
    assert "using the shipped baseline_2003.toml" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_writes_the_shipped_scenarios_and_refuses_to_overwrite(tmp_path):
    folder = tmp_path / "mine"
    result = invoke("init", folder)
    assert result.exit_code == 0, result.output
    assert (folder / "baseline_2003.toml").read_text() == BASELINE.read_text()
    assert len(list((folder / "history").glob("*.toml"))) == 12
    validated = invoke("validate", folder / "template.toml", *(folder / "history").glob("*.toml"))
    assert validated.exit_code == 0, validated.output
    (folder / "baseline_2003.toml").write_text("# mine\n")
    again = invoke("init", folder)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert (folder / "baseline_2003.toml").read_text() == "# mine\n"
    assert invoke("init", folder, "--force").exit_code == 0
    assert (folder / "baseline_2003.toml").read_text() == BASELINE.read_text()


def test_compare_reports_the_changes(tmp_path):
    chart = tmp_path / "compare.png"
    args = ("compare", BASELINE, "--set", "actors.japan.no_progress_cost=2", "--chart", chart)
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "Shelve + cooperate no longer holds up" in result.output
    assert "actors.japan.no_progress_cost" in result.output
    assert chart.stat().st_size > 10_000
    data = json.loads(
        invoke("compare", BASELINE, "--set", "actors.japan.no_progress_cost=2", "--json").stdout
    )
    shelve = next(d for d in data["deals"] if d["deal"] == "shelve")
    assert shelve["holds_up"] == {"before": True, "after": False}
    assert data["parameters_changed"] == [
        {"parameter": "actors.japan.no_progress_cost", "before": 0.8, "after": 2.0}
    ]
    # the no-progress cost scales with cooperation: shelve (cooperation 0.5) loses 0.6
    moved = {(m["actor"], m["component"]): m["change"] for m in shelve["components_moved"]}
    assert moved == {("japan", "nationalist"): pytest.approx(-0.5 * (2.0 - 0.8))}
    assert invoke(*args).exit_code == 0  # the chart kurilsim wrote may be replaced


def test_compare_needs_a_second_scenario_or_changes():
    result = invoke("compare", BASELINE)
    assert result.exit_code == 2 and "second scenario" in result.stderr


def test_csv_tables_for_a_spreadsheet(tmp_path):
    import pandas as pd

    out = tmp_path / "tables"
    assert invoke("run", BASELINE, "--csv", out).exit_code == 0
    assert invoke("backtest", ROOT / "scenarios" / "history", "--csv", out).exit_code == 0
    deals = pd.read_csv(out / "deals.csv", encoding="utf-8-sig")
    data = json.loads(invoke("run", BASELINE, "--json").stdout)
    assert list(deals["deal"]) == [d["id"] for d in data["deals"]]
    assert deals["japan_government_usd_bn"].tolist() == pytest.approx(
        [d["utility"]["japan"] for d in data["deals"]]
    )
    backtest = pd.read_csv(out / "backtest.csv", encoding="utf-8-sig")
    assert backtest["episode"].nunique() == 12


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x.txt", "expected a file name ending in .png, .svg, .pdf"),
        ("history", "expected a file name ending in"),
        ("missing/h.png", "does not exist"),
    ],
)
def test_backtest_chart_to_a_bad_path_is_a_user_error(name, expected, tmp_path):
    result = invoke("backtest", ROOT / "scenarios" / "history", "--chart", tmp_path / name)
    assert result.exit_code == 2 and expected in result.stderr
    assert "Traceback" not in result.output


def test_backtest_chart_to_a_read_only_folder(tmp_path, monkeypatch):
    import os

    import sim.outputs

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(
        sim.outputs.os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode)
    )
    result = invoke("backtest", ROOT / "scenarios" / "history", "--chart", locked / "h.png")
    assert result.exit_code == 2 and "not writable" in result.stderr
    assert list(locked.iterdir()) == []


def test_a_chart_never_replaces_a_file_kurilsim_did_not_write(tmp_path):
    mine = tmp_path / "history.png"
    mine.write_bytes(b"\x89PNG my own picture")
    result = invoke("backtest", ROOT / "scenarios" / "history", "--chart", mine)
    assert result.exit_code == 2 and "not written by kurilsim" in result.stderr
    assert mine.read_bytes() == b"\x89PNG my own picture"


def test_user_text_is_printed_literally_without_escapes(write_scenario):
    nasty = (
        r"Rich [/] markup [bold]x[/bold] and \u001b]0;pwned\u0007 a title, \u001b[31mred\u001b[0m"
    )
    path = write_scenario(
        "nasty.toml",
        extending_baseline(
            f'[scenario]\nname = "nasty"\nyear = 2003\ndescription = "{nasty}"\n'
            '[deals.custom.odd]\nlabel = "A [/] label"\ncooperation = 0.1\n'
        ),
    )
    result = invoke("run", path, "--solver", "all")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Rich [/] markup [bold]x[/bold]" in result.output and "A [/] label" in result.output


def test_equilibria_of_a_game_at_the_float_limit(tmp_path):
    """Payoffs of ±1e308 once gave '0 extreme Nash equilibria' (impossible)."""
    path = tmp_path / "big.nfg"
    path.write_text(
        'NFG 1 R "coordination at the float limit" { "R" "C" } { 2 2 }\n'
        "1e308 1e308 -1e308 -1e308 -1e308 -1e308 1e308 1e308\n"
    )
    result = json.loads(invoke("equilibria", path, "--json").stdout)
    assert len(result["equilibria"]) == 3  # two pure, one 50:50, as for payoffs ±1


def test_sensitivity_on_too_few_samples_warns_and_explains(tmp_path):
    result = invoke(
        "sensitivity",
        BASELINE,
        "--samples",
        "16",
        "--executor",
        "serial",
        "-o",
        tmp_path / "s",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert "warning: " in result.output and "too noisy" in result.output
    assert "S1 (first-order index)" in result.output
    data = json.loads((tmp_path / "s" / "sensitivity.json").read_text())
    assert any(o.get("warnings") for o in data["outcomes"].values())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["sensitivity", BASELINE, "--samples", "0"], "--samples"),
        (["sweep", BASELINE, "--method", ""], "unknown method ''"),
        (["sensitivity", BASELINE, "--method", ""], "unknown method ''"),
    ],
)
def test_empty_or_zero_options_are_refused_not_replaced(args, expected, tmp_path, monkeypatch):
    """--samples 0 once became 1000 and --method '' the default, silently."""
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2 and expected in result.output
    assert list(tmp_path.iterdir()) == []
