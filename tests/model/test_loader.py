"""Loading scenario files: extends, overrides, and every class of user error."""

from __future__ import annotations

import pytest

from sim import UserError, load_scenario
from sim.model.loader import deep_merge, parse_assignment, parse_value
from tests.conftest import BASELINE, extending_baseline


def test_baseline_loads_with_sources_and_ranges():
    scenario = load_scenario(BASELINE)
    assert scenario.scenario.year == 2003
    assert scenario.actors.japan.patience.range == (0.93, 0.995)
    assert scenario.context.investment_on_table.value == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", 9),
        ("0.5", 0.5),
        ("[2, 8]", [2, 8]),
        ("{ value = 3, range = [1, 5] }", {"value": 3, "range": [1, 5]}),
        ("true", True),
        ('"shelve"', "shelve"),
        ("shelve", "shelve"),
    ],
)
def test_override_values_are_parsed_as_toml(text, expected):
    assert parse_value(text) == expected


def test_override_replaces_value_and_keeps_range():
    scenario = load_scenario(BASELINE, overrides={"actors.russia.nationalist_cost": 9})
    assert scenario.actors.russia.nationalist_cost.value == pytest.approx(9.0)
    assert scenario.actors.russia.nationalist_cost.range == (1.0, 10.0)


def test_override_with_a_table_and_a_list():
    scenario = load_scenario(
        BASELINE,
        overrides={
            "actors.japan.renunciation_cost": "{ value = 3, range = [1, 40] }",
            "deals.menu": '["shelve", "two_islands"]',
        },
    )
    assert scenario.actors.japan.renunciation_cost.range == (1.0, 40.0)
    assert scenario.deals.menu == ["shelve", "two_islands"]


def test_override_of_a_range_end():
    scenario = load_scenario(
        BASELINE, overrides={"actors.japan.island_value.etorofu.range": "[5, 30]"}
    )
    assert scenario.actors.japan.island_value.etorofu.range == (5.0, 30.0)
    assert scenario.actors.japan.island_value.etorofu.value == pytest.approx(14.0)


def test_parse_assignment_needs_an_equals_sign():
    assert parse_assignment("a.b=[1, 2]") == ("a.b", [1, 2])
    with pytest.raises(UserError, match="expected dotted.path=value"):
        parse_assignment("a.b")


def test_deep_merge_keeps_inherited_keys_and_range():
    base = {"a": {"x": 1, "y": {"value": 2, "range": [1, 3]}}, "b": 1}
    merged = deep_merge(base, {"a": {"y": 2.5}, "c": 3})
    assert merged == {"a": {"x": 1, "y": {"value": 2.5, "range": [1, 3]}}, "b": 1, "c": 3}
    assert base["a"]["y"]["value"] == 2  # the inputs are not modified


def test_extends_chain_merges_child_over_parent(write_scenario):
    write_scenario("middle.toml", extending_baseline("[actors.japan]\npatience = 0.95\n"))
    child = write_scenario(
        "child.toml", 'extends = "middle.toml"\n[actors.russia]\nnationalist_cost = 5\n'
    )
    scenario = load_scenario(child)
    assert scenario.actors.japan.patience.value == pytest.approx(0.95)
    assert scenario.actors.japan.patience.range == (0.93, 0.995)
    assert scenario.actors.russia.nationalist_cost.value == pytest.approx(5.0)
    assert scenario.actors.japan.treaty_value.value == pytest.approx(2.0)


def test_custom_deal_and_menu(write_scenario):
    path = write_scenario(
        "custom.toml",
        extending_baseline(
            '[deals]\nmenu = ["shelve", "joint_development"]\n'
            '[deals.custom.joint_development]\nlabel = "Joint development"\ncooperation = 0.7\n'
        ),
    )
    from sim.evaluate import menu_of

    assert menu_of(load_scenario(path)).ids == ("status_quo", "shelve", "joint_development")


# -- errors a user can cause: each is a UserError naming the file and the key --------------


def _error(path, overrides=None) -> UserError:
    with pytest.raises(UserError) as info:
        load_scenario(path, overrides=overrides)
    return info.value


def test_missing_file(tmp_path):
    error = _error(tmp_path / "nope.toml")
    assert "nope.toml" in str(error) and "file not found" in str(error)


def test_toml_syntax_error_names_the_line(write_scenario):
    path = write_scenario("bad.toml", "schema_version = 1\n[scenario\nname = 'x'\n")
    error = _error(path)
    assert error.source == str(path)
    assert error.line == 2
    assert "TOML syntax error" in error.message


def test_unknown_key_suggests_the_right_one(write_scenario):
    path = write_scenario("typo.toml", extending_baseline("[actors.japan]\npatiense = 0.9\n"))
    error = _error(path)
    assert error.key == "actors.japan.patiense"
    assert error.line == 3
    assert "did you mean 'patience'" in error.message


def test_wrong_type(write_scenario):
    path = write_scenario("type.toml", extending_baseline('[actors.japan]\npatience = "high"\n'))
    error = _error(path)
    assert error.key == "actors.japan.patience"
    assert "expected a number" in error.message


@pytest.mark.parametrize(
    ("body", "key", "expected"),
    [
        ("[actors.japan]\nratifier_weight = -1\n", "actors.japan.ratifier_weight", ">= 1"),
        ("[actors.japan]\npatience = 1.0\n", "actors.japan.patience", "< 1"),
        ("[actors.russia]\npatience = 0\n", "actors.russia.patience", "> 0"),
        ("[context]\nus_pressure = 1.5\n", "context.us_pressure", "<= 1"),
        (
            "[deals.custom.x]\nlabel = 'X'\nsovereignty = { habomai = 2 }\n",
            "deals.custom.x.sovereignty.habomai",
            "less than or equal to 1",
        ),
    ],
)
def test_value_out_of_range(write_scenario, body, key, expected):
    error = _error(write_scenario("range.toml", extending_baseline(body)))
    assert error.key == key
    assert expected in error.message


def test_value_outside_its_own_plausible_range(write_scenario):
    body = "[context]\ninvestment_realisation = { value = 0.9, range = [0.1, 0.6] }\n"
    error = _error(write_scenario("r.toml", extending_baseline(body)))
    assert "outside its plausible range [0.1, 0.6]" in error.message


def test_empty_range(write_scenario):
    body = "[context]\ninvestment_realisation = { value = 0.3, range = [0.6, 0.1] }\n"
    assert "is empty" in _error(write_scenario("r.toml", extending_baseline(body))).message


def test_missing_key_is_reported(write_scenario):
    path = write_scenario(
        "partial.toml",
        "schema_version = 1\n[scenario]\nname = 'x'\nyear = 2003\ndescription = 'd'\n",
    )
    error = _error(path)
    assert "missing" in error.message


def test_extends_cycle(write_scenario):
    a = write_scenario("a.toml", 'extends = "b.toml"\n')
    write_scenario("b.toml", 'extends = "a.toml"\n')
    error = _error(a)
    assert "extends cycle: a.toml -> b.toml -> a.toml" in error.message


def test_extends_missing_parent(write_scenario):
    error = _error(write_scenario("orphan.toml", 'extends = "nowhere.toml"\n'))
    assert error.key == "extends" and "not found" in error.message


def test_error_in_a_parent_names_the_parent(write_scenario):
    write_scenario(
        "parent.toml", extending_baseline("[context]\ninvestment_realisation = { value = 2 }\n")
    )
    child = write_scenario(
        "child.toml", 'extends = "parent.toml"\n[actors.japan]\npatience = 0.95\n'
    )
    error = _error(child)
    assert error.source.endswith("parent.toml")
    assert error.key == "context.investment_realisation"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"actors.japan.renunciaton_cost": 3}, "did you mean 'renunciation_cost'"),
        ({"actors.japan.patience.value.x": 1}, "'value' has no sub-key 'x'"),
        ({"actors.japan.patience": "abc"}, "expected a number"),
        ({"actors.japan.patience": 1.2}, "expected > 0 and < 1"),
        ({"actors.japan.renunciation_cost": 3}, "give a range with the value"),
        ({"nonsense": 1}, "unknown key 'nonsense'"),
    ],
)
def test_bad_override(overrides, expected):
    error = _error(BASELINE, overrides)
    assert error.source is not None and error.source.startswith("--set ")
    assert expected in error.message


def test_unknown_deal_in_menu(write_scenario):
    path = write_scenario(
        "menu.toml", extending_baseline('[deals]\nmenu = ["shelve", "tw_islands"]\n')
    )
    error = _error(path)
    assert error.key == "deals.menu[1]"
    assert "did you mean 'two_islands'" in error.message


def test_custom_deal_may_not_shadow_the_catalogue(write_scenario):
    path = write_scenario(
        "shadow.toml", extending_baseline("[deals.custom.shelve]\nlabel = 'Mine'\n")
    )
    assert "catalogue id" in _error(path).message


# -- reading files: encoding, size, nesting, extends chains and paths ----------------------


def test_a_byte_order_mark_is_accepted(write_scenario):
    path = write_scenario("bom.toml", "\ufeff" + extending_baseline("[actors.japan]\n"))
    assert load_scenario(path).actors.japan.patience.value == pytest.approx(0.97)


def test_a_big_file_is_refused_quickly(write_scenario):
    import time

    body = extending_baseline(f'junk = "{"x" * 5_000_000}"\n')
    path = write_scenario("big.toml", body)
    start = time.perf_counter()
    error = _error(path)
    assert time.perf_counter() - start < 1.0
    assert error.source == str(path)
    assert "larger than" in error.message and "bytes" in error.message


def test_a_file_that_is_not_a_regular_file(tmp_path):
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    error = _error(fifo)  # would block forever if it were opened
    assert error.source == str(fifo) and "not a regular file" in error.message


@pytest.mark.parametrize(
    "body",
    [
        "deep = " + "[" * 1000 + "]" * 1000 + "\n",
        "deep = " + "{ a = " * 1000 + "1" + " }" * 1000 + "\n",
        "deep = " + "[{ a = " * 300 + "1" + " }]" * 300 + "\n",
        "deep = " + "[" * 40 + "1" + "]" * 40 + "\n",
        ".".join(["k"] * 1100) + " = 1\n",
        "[" + ".".join(["k"] * 1100) + "]\nx = 1\n",
    ],
    ids=["arrays", "inline-tables", "mixed", "40-arrays", "dotted-key", "table-header"],
)
def test_deep_nesting_is_refused(write_scenario, body):
    path = write_scenario("deep.toml", body + extending_baseline(""))
    error = _error(path)
    assert error.source == str(path)
    assert "nested more than" in error.message


def test_deep_nesting_in_an_override_is_refused():
    error = _error(BASELINE, {"scenario.sources": "[" * 1000 + "]" * 1000})
    assert error.source == "--set scenario.sources" and "nested more than" in error.message


def test_a_long_extends_chain_is_refused(tmp_path):
    (tmp_path / "f0.toml").write_text(extending_baseline(""), encoding="utf-8")
    for i in range(1, 1100):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n', encoding="utf-8")
    error = _error(tmp_path / "f1099.toml")
    assert error.key == "extends" and "chain is longer than" in error.message


def test_a_chain_of_ten_files_loads(tmp_path):
    (tmp_path / "f0.toml").write_text(extending_baseline(""), encoding="utf-8")
    for i in range(1, 9):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n', encoding="utf-8")
    assert load_scenario(tmp_path / "f8.toml").scenario.name == "baseline_2003"


def test_a_scenario_file_that_is_a_symlink_loop(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to("loop.toml")
    error = _error(loop)
    assert error.source == str(loop) and "cannot read the file" in error.message


def test_extends_a_symlink_loop(tmp_path, write_scenario):
    (tmp_path / "loop.toml").symlink_to("loop.toml")
    error = _error(write_scenario("child.toml", 'extends = "loop.toml"\n'))
    assert error.key == "extends" or "loop.toml" in (error.source or "")
    assert "cannot read" in error.message


@pytest.mark.parametrize("parent", ["x" * 300 + ".toml", "a/" * 3000 + "b.toml"])
def test_extends_a_path_that_is_too_long(write_scenario, parent):
    error = _error(write_scenario("child.toml", f'extends = "{parent}"\n'))
    assert error.key == "extends" and error.source.endswith("child.toml")


@pytest.mark.parametrize("parent", ["secret.txt", "secret", "", "scenario.TOML.bak"])
def test_extends_only_reads_toml_files(tmp_path, write_scenario, parent):
    for name in ("secret.txt", "secret", "scenario.TOML.bak"):
        (tmp_path / name).write_text('aws_key = "AKIA-SECRET"\n', encoding="utf-8")
    error = _error(write_scenario("child.toml", f'extends = "{parent}"\n'))
    assert error.key == "extends" and error.source.endswith("child.toml")
    assert "AKIA" not in str(error)


def test_extends_a_link_named_toml_to_another_file(tmp_path, write_scenario):
    (tmp_path / "secret.txt").write_text('schema_version = "AKIA-SECRET"\n', encoding="utf-8")
    (tmp_path / "innocent.toml").symlink_to("secret.txt")
    error = _error(write_scenario("child.toml", 'extends = "innocent.toml"\n'))
    assert error.key == "extends" and ".toml" in error.message
    assert "AKIA" not in str(error)


def test_extends_a_folder(tmp_path, write_scenario):
    (tmp_path / "folder.toml").mkdir()
    error = _error(write_scenario("child.toml", 'extends = "folder.toml"\n'))
    assert error.key == "extends" and "not found" in error.message


# -- values read from a file the user did not name are not quoted --------------------------


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[sweep]\nmethod = "AKIA-SECRET"\n', "sweep.method"),
        ('[actors.japan]\npatience = "AKIA-SECRET"\n', "actors.japan.patience"),
        ('[deals]\nmenu = ["AKIA-SECRET"]\n', "deals.menu[0]"),
        ('[observed]\ndeal = "AKIA-SECRET"\nwhy = "w"\nsource = "s"\n', "observed.deal"),
        ('[alternating]\ndeadline = "AKIA-SECRET"\n', "alternating.deadline"),
        (
            '[sweep.parameters]\n"alternating.proposer" = { values = ["japan", "AKIA-SECRET"] }\n',
            "sweep.parameters.alternating.proposer",
        ),
    ],
)
def test_values_from_an_extended_file_are_not_quoted(write_scenario, body, key):
    write_scenario("parent.toml", extending_baseline(body))
    own = write_scenario("own.toml", extending_baseline(body))
    child = write_scenario("child.toml", 'extends = "parent.toml"\n')
    error = _error(child)
    assert error.source.endswith("parent.toml") and error.key == key
    assert "AKIA" not in str(error)
    assert "AKIA" in str(_error(own))  # the user's own file: the value is quoted


# -- overrides -----------------------------------------------------------------------------


def test_extends_cannot_be_overridden(write_scenario):
    other = write_scenario("other.toml", extending_baseline("[actors.japan]\npatience = 0.95\n"))
    error = _error(BASELINE, {"extends": str(other)})
    assert error.source == "--set extends" and "extends cannot be overridden" in error.message


@pytest.mark.parametrize(
    "text", ["0.95\ncontext.investment_realisation = 0.5", "0.95\r\nx = 1", "[1,\n2]"]
)
def test_an_override_with_a_line_break_is_refused(text):
    with pytest.raises(UserError, match="must be one line") as info:
        parse_assignment(f"actors.japan.patience={text}")
    assert info.value.source == "--set actors.japan.patience"
    with pytest.raises(UserError, match="must be one line"):
        load_scenario(BASELINE, overrides={"actors.japan.patience": text})


def test_an_override_is_parsed_once():
    key, value = parse_assignment('scenario.description="9"')
    scenario = load_scenario(BASELINE, overrides={key: value})
    assert scenario.scenario.description == "9"
    key, value = parse_assignment('schema_version="1"')
    assert "valid integer" in _error(BASELINE, {key: value}).message


# -- strict types: no silent coercion of text or booleans ----------------------------------


@pytest.mark.parametrize(
    ("body", "key", "expected"),
    [
        ('schema_version = "1"\n', "schema_version", "valid integer"),
        ("schema_version = 1.0\n", "schema_version", "valid integer"),
        ('[sequential]\nratification = "yes"\n', "sequential.ratification", "valid boolean"),
        ("[sequential]\nratification = 1\n", "sequential.ratification", "valid boolean"),
        ("[alternating]\ndeadline = true\n", "alternating.deadline", "valid integer"),
        ('[alternating]\ndeadline = "3"\n', "alternating.deadline", "valid integer"),
        ("[cooperative]\nrequire_ratification = 0\n", "cooperative.require_ratification", "bool"),
        (
            "[alternating]\nrequire_ratification = 'no'\n",
            "alternating.require_ratification",
            "bool",
        ),
        ('[scenario]\nyear = "2003"\n', "scenario.year", "valid integer"),
        ("[sweep]\nsamples = 100.0\n", "sweep.samples", "valid integer"),
        ("[sweep]\nseed = true\n", "sweep.seed", "valid integer"),
        (
            "[actors.japan]\npatience = { value = '0.97' }\n",
            "actors.japan.patience.value",
            "number",
        ),
        ("[actors.japan]\npatience = { value = true }\n", "actors.japan.patience.value", "number"),
        (
            "[actors.japan]\npatience = { value = 0.97, range = ['0.9', 0.99] }\n",
            "actors.japan.patience.range.0",
            "number",
        ),
        (
            "[deals.custom.x]\nlabel = 'X'\npeace_treaty = 'yes'\n",
            "deals.custom.x.peace_treaty",
            "valid boolean",
        ),
        (
            "[deals.custom.x]\nlabel = 'X'\ncooperation = '0.5'\n",
            "deals.custom.x.cooperation",
            "number",
        ),
        (
            "[deals.custom.x]\nlabel = 'X'\nsovereignty = { habomai = true }\n",
            "deals.custom.x.sovereignty.habomai",
            "number",
        ),
    ],
)
def test_types_are_strict(write_scenario, body, key, expected):
    error = _error(write_scenario("strict.toml", extending_baseline(body)))
    assert error.key == key
    assert expected in error.message


def test_numbers_may_be_written_as_integers(write_scenario):
    body = (
        "[actors.japan]\ntreaty_value = { value = 2, range = [1, 5] }\n"
        "[deals.custom.x]\nlabel = 'X'\ncooperation = 1\ntransfer_delay = 5\n"
    )
    scenario = load_scenario(write_scenario("ints.toml", extending_baseline(body)))
    assert scenario.actors.japan.treaty_value.range == (1.0, 5.0)
    assert scenario.deals.custom["x"].transfer_delay == 5.0


# -- what the solvers and sweeps build is checked when the file is loaded ------------------


@pytest.mark.parametrize("key", ["deals.menu", "sequential.menu"])
@pytest.mark.parametrize("menu", ["[]", '["status_quo"]', '["status_quo", "status_quo"]'])
def test_a_menu_needs_a_deal_besides_the_status_quo(write_scenario, key, menu):
    table, leaf = key.split(".")
    path = write_scenario("menu.toml", extending_baseline(f"[{table}]\n{leaf} = {menu}\n"))
    error = _error(path)
    assert error.key == key and error.source == str(path)
    assert "at least one deal besides 'status_quo'" in error.message


def test_unknown_deal_in_the_sequential_menu(write_scenario):
    path = write_scenario(
        "seq.toml", extending_baseline('[sequential]\nmenu = ["shelve", "nope"]\n')
    )
    error = _error(path)
    assert error.source == str(path) and error.key == "sequential.menu[1]"
    assert error.line == 3 and "unknown deal 'nope'" in error.message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ('"actors.japan.patiense" = { range = [0.9, 0.99] }', "did you mean"),
        ('"actors.japan.patience" = { rnage = [0.9, 0.99] }', "unknown key 'rnage'"),
        ('"actors.japan.patience" = "high"', "valid dictionary"),
        ('"actors.japan.patience" = { range = [0.9, 1.5] }', "leaves the parameter's bounds"),
        ('"context.investment_realisation" = { range = [-1, 2] }', "leaves the parameter's bounds"),
        ('"actors.japan.patience" = { values = [0.95, 1.5] }', "leaves the parameter's bounds"),
        ('"alternating.proposer" = { values = ["japan", "china"] }', "not allowed here"),
        ('"alternating.proposer" = { range = [0, 1] }', "list of values"),
        ('"scenario.year" = { values = [2003, 3000] }', "not allowed here"),
        ('"deals.menu" = { values = [1, 2] }', "cannot be swept"),
    ],
)
def test_sweep_parameters_are_checked_when_loading(write_scenario, spec, expected):
    path = write_scenario("sweep.toml", extending_baseline(f"[sweep.parameters]\n{spec}\n"))
    error = _error(path)
    assert error.source == str(path)
    assert error.key is not None and error.key.startswith("sweep.parameters.")
    assert error.line == 3
    assert expected in error.message


def test_validate_reports_what_a_sweep_would_refuse(write_scenario):
    from typer.testing import CliRunner

    from sim.cli import app

    bad = write_scenario(
        "bad.toml",
        extending_baseline(
            '[sweep.parameters]\n"actors.japan.patience" = { range = [0.9, 1.5] }\n'
        ),
    )
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}, line 3: sweep.parameters.actors.japan.patience")


def test_a_posture_game_too_large_to_enumerate_is_refused(write_scenario):
    from sim.model.postures import MAX_POSTURES

    n = MAX_POSTURES + 1
    postures = "".join(f'[posture_game.postures.japan.p{i}]\nlabel = "P{i}"\n' for i in range(n))
    outcomes = "".join(
        f'[posture_game.outcomes.p{i}]\nrefuse = "status_quo"\noffer_two = "status_quo"\n'
        f'offer_two_plus = "status_quo"\ncooperate_only = "status_quo"\n'
        for i in range(n)
    )
    chosen = ", ".join(f'"p{i}"' for i in range(n))
    path = write_scenario(
        "big.toml",
        extending_baseline(f"[posture_game]\njapan = [{chosen}]\n{postures}{outcomes}"),
    )
    with pytest.raises(UserError, match=f"at most {MAX_POSTURES} per side") as caught:
        load_scenario(path)
    assert caught.value.key == "posture_game.japan"
