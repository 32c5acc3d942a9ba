"""A property-based fuzzer of scenario files: every input ends in exit 0 or in one message.

Hypothesis mutates the shipped scenarios (the baseline and the history files that
extend it): a key deleted, a value of another type (text, booleans, lists, tables,
huge, negative, not-a-number), a key set to a value at or past the edge of what it
allows, an unknown key, deeper nesting, a duplicated or broken line, a byte-order
mark or control characters, another ``extends`` path (missing, too long, a folder,
a symbolic-link loop, a file that is not TOML, a file holding a planted secret).
Each mutated file is run through ``kurilsim validate`` and ``kurilsim run --json``
(with the sequential and alternating solvers) in a folder of its own, and the
outcome must be one of

* exit status 0 for both commands, with finite JSON and no warning; or
* exit status 2 for both, with one short message on standard error that starts with
  ``error:`` and names a file, and nothing on standard output;

never a traceback or an escaped exception, never a file written, never a value read
from a file other than the one named on the command line echoed back. The examples
are derandomised: every run of the suite tries the same 200 cases.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import tempfile
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"
SHIPPED: dict[str, str] = {
    "baseline_2003.toml": (SCENARIOS / "baseline_2003.toml").read_text(encoding="utf-8"),
    **{
        f"history/{p.name}": p.read_text(encoding="utf-8")
        for p in sorted((SCENARIOS / "history").glob("*.toml"))
    },
}
SECRET = "AKIA-SECRET-4242"
"""Planted in files outside the scenarios, which ``extends`` may point at."""

runner = CliRunner()
SOLVERS = ("--solver", "sequential", "--solver", "alternating")
"""Solvers ``run`` reports besides the cooperative ones (the posture game is slow)."""


# -- a small TOML writer (tables as headers, everything inside as inline values) ---------


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def dumps(document: dict[str, Any]) -> str:
    """TOML text of ``document``: top-level tables as ``[headers]``."""
    lines = [f"{_key(k)} = {_value(v)}" for k, v in document.items() if not isinstance(v, dict)]
    for name, table in document.items():
        if isinstance(table, dict):
            lines.append(f"\n[{_key(name)}]")
            lines.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def _paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path of a parsed document (tables and leaves)."""
    out = []
    if isinstance(node, dict):
        for key, child in node.items():
            out.append((*prefix, key))
            out.extend(_paths(child, (*prefix, key)))
    return out


def _parent(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = document
    for part in path[:-1]:
        node = node[part]
    return node


# -- mutations ---------------------------------------------------------------------------

ODD_VALUES: list[Any] = [
    "text",
    "",
    "1",
    "0.5",
    "yes",
    "true",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "[/]",
    "status_quo",
    "nope",
    True,
    False,
    0,
    1,
    -1,
    2,
    1000,
    0.0,
    1.0,
    -0.5,
    1e6,
    1e154,
    1e300,
    -1e300,
    1.7e308,
    10**30,
    2**63 - 1,
    float("nan"),
    float("inf"),
    float("-inf"),
    [],
    [1, 2],
    [2, 1],
    ["status_quo"],
    ["nope"],
    [[1, 2]],
    {},
    {"value": 1},
    {"value": "x"},
    {"value": 1, "range": [2, 1]},
    {"value": 0.5, "range": [0, 1]},
    {"value": 1e300, "range": [0, 1e300]},
    {"range": [-1, 2]},
    {"values": []},
    {"distribution": "normal", "mean": 0.5, "sd": 0, "range": [0, 1]},
    {"unknown": 1},
]

odd_values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.text(max_size=12),
)

EXTENDS = [
    "nope.toml",
    "",
    ".",
    "..",
    "baseline_2003.toml",
    "../baseline_2003.toml",
    "history",
    "loop.toml",
    "../loop.toml",
    "x" * 300 + ".toml",
    "a/" * 200 + "b.toml",
    "/dev/zero",
    "/etc/hostname",
    "secret/creds.toml",
    "../secret/creds.toml",
    "secret/creds.txt",
    "../secret/creds.txt",
    "secret/deep.toml",
    "../secret/deep.toml",
    "secret/menu.toml",
    "../secret/menu.toml",
]
SYNTAX = ["[", "]", "=", '"', "'", "{", "}", ",", "\n", "#", ".", "[[", "\\"]
CONTROL = ["\x00", "\x01", "\x1b", "\x1b]0;title\x07", "\x7f", "\x0c", "\r", "\u2028", "\ufeff"]


@dataclass
class Case:
    """One generated input: which file is mutated, which is run, and how."""

    mutated: str
    target: str
    text: str = field(repr=False)
    steps: list[str] = field(default_factory=list)


KNOWN: dict[tuple[str, ...], list[Any]] = {
    # Keys the shipped files may lack, with values at or past the edge of what is allowed.
    ("schema_version",): ["1", 1.0, True, 2],
    ("scenario", "year"): ["2003", 2003.0, True, 10**30],
    ("scenario", "description"): ["[/]", "\x1b[31mred", "x" * 5000],
    ("alternating", "deadline"): [True, False, 0, 1, 7, 1000, 1001, "3", 2.5],
    ("alternating", "breakdown_risk"): [1, 0.999999, {"value": 0.5, "range": [0, 1]}],
    ("alternating", "proposer"): ["china", 0, True],
    ("cooperative", "require_ratification"): ["yes", 1, 0, "false"],
    ("sequential", "ratification"): ["yes", 1, 0],
    ("sequential", "menu"): [[], ["status_quo"], ["nope"], ["shelve", "shelve"], ["shelve"]],
    ("sequential", "proposer"): ["russia", "nobody"],
    ("deals", "menu"): [[], ["status_quo"], ["nope"], ["shelve", "shelve"], ["two_islands"]],
    ("deals", "custom", "mine"): [
        {"label": "Mine"},
        {"label": "Mine", "sovereignty": {"habomai": 2}},
        {"label": "Mine", "peace_treaty": "yes"},
        {"label": "Mine", "transfer_delay": 1e300},
    ],
    ("observed", "deal"): ["nope", "status_quo"],
    ("posture_game", "japan"): [[], ["nope"], ["shelve"]],
    ("sweep", "method"): ["grid", "morris", "nope"],
    ("sweep", "samples"): [0, 1, "100", True, 10**9],
    ("sweep", "seed"): [-1, "1", True],
    ("sweep", "parameters"): [
        {},
        {"context.investment_realisation": {"range": [-1, 2]}},
        {"actors.japan.patience": {"range": [0.9, 1.5]}},
        {"actors.japan.patience": {"range": [0.9, 1.0]}},
        {"actors.japan.patience": {"values": [0.95, 1.0]}},
        {"actors.japan.patience": "high"},
        {"actors.japan.patience": {"distribution": "normal", "mean": 0.97, "sd": 0.01}},
        {"actors.japan.patiense": {"range": [0.9, 0.99]}},
        {"alternating.proposer": {"values": ["japan", "china"]}},
        {"alternating.proposer": {"values": ["japan", "russia"]}},
        {"alternating.proposer": {"range": [0, 1]}},
        {"sequential.ratification": {"values": [True, False]}},
        {"scenario.year": {"values": [2003, 3000]}},
        {"context.investment_on_table": {"range": [0, 1e300]}},
        {"actors.russia.ratifier_weight": {"range": [0.5, 2.0]}},
        {"actors.russia.nationalist_cost": {"distribution": "triangular", "range": [1, 5]}},
    ],
    ("actors", "japan", "island_value", "etorofu"): [1e7, 1e200, {"value": 1e6, "range": [0, 1e6]}],
    ("actors", "russia", "ratifier_weight"): [{"value": 1e154, "range": [1, 1e300]}, 1e4],
    ("actors", "japan", "investment_return"): [-1e300, {"value": 1e160, "range": [0, 1e300]}],
    ("context", "investment_on_table"): [1e300, {"value": 1e154, "range": [0, 1e300]}],
    ("context", "china_pressure"): [1e300, 1e5],
}


@st.composite
def structural(draw: st.DrawFn, document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Delete a key, change a value's type, set a key to an edge value, add an unknown key."""
    paths = _paths(document)
    kind = draw(st.sampled_from(["delete", "retype", "known", "known", "unknown", "extends"]))
    if kind == "extends":
        target = draw(st.sampled_from(EXTENDS))
        document["extends"] = target
        return document, f"extends = {target[:40]!r}"
    if kind == "known":
        path = draw(st.sampled_from(sorted(KNOWN)))
        node = document
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = draw(st.sampled_from(KNOWN[path]))
        return document, f"set {'.'.join(path)} = {node[path[-1]]!r}"[:120]
    path = draw(st.sampled_from(paths))
    parent = _parent(document, path)
    if kind == "delete":
        del parent[path[-1]]
        return document, f"delete {'.'.join(path)}"
    if kind == "unknown":
        name = draw(st.sampled_from(["colour", "patiense", "value", "range", "x.y", ""]))
        host = parent[path[-1]] if isinstance(parent[path[-1]], dict) else parent
        host[name] = draw(odd_values)
        return document, f"add {name!r} next to {'.'.join(path)}"
    parent[path[-1]] = draw(odd_values)
    return document, f"set {'.'.join(path)} = {parent[path[-1]]!r}"[:120]


@st.composite
def textual(draw: st.DrawFn, text: str) -> tuple[str, str]:
    """A change to the text: syntax, encoding, nesting, size, duplicated lines."""
    kind = draw(
        st.sampled_from(
            ["syntax", "control", "duplicate", "drop_line", "nest", "dotted", "big", "bom"]
        )
    )
    if kind == "bom":
        return "\ufeff" + text, "byte-order mark"
    if kind in ("syntax", "control"):
        where = draw(st.integers(0, max(0, len(text) - 1)))
        char = draw(st.sampled_from(SYNTAX if kind == "syntax" else CONTROL))
        cut = draw(st.booleans())
        return text[:where] + char + text[where + int(cut) :], f"{kind} {char!r} at {where}"
    if kind in ("duplicate", "drop_line"):
        lines = text.splitlines(keepends=True) or [""]
        line = draw(st.integers(0, len(lines) - 1))
        kept = lines[: line + 1] + lines[line:] if kind == "duplicate" else lines[:line]
        return "".join(kept + lines[line + 1 :]), f"{kind} {line + 1}"
    if kind == "big":
        size = draw(st.sampled_from([10, 10_000, 2_000_000]))
        return f'junk = "{"x" * size}"\n' + text, f"{size:,} bytes under an unknown key"
    depth = draw(st.sampled_from([3, 40, 400, 1100]))
    if kind == "dotted":
        dotted = ".".join(["k"] * depth)
        if draw(st.booleans()):
            return text + f"\n[{dotted}]\nx = 1\n", f"table header of {depth} parts"
        return f"{dotted} = 1\n" + text, f"dotted key of {depth} parts"
    opening, closing = draw(st.sampled_from([("[", "]"), ("{ a = ", " }"), ("[{ a = ", " }]")]))
    value = opening * depth + "1" + closing * depth
    return f"deep = {value}\n" + text, f"nesting {opening!r} x {depth}"


@st.composite
def cases(draw: st.DrawFn) -> Case:
    mutated = draw(st.sampled_from(sorted(SHIPPED)))
    text = SHIPPED[mutated]
    steps = []
    if draw(st.integers(0, 3)):
        document, step = draw(structural(tomllib.loads(text)))
        text = dumps(document)
        steps.append(step)
    for _ in range(1 if not steps or draw(st.integers(0, 3)) == 3 else 0):
        text, step = draw(textual(text))
        steps.append(step)
    target = mutated
    if mutated == "baseline_2003.toml" and draw(st.booleans()):
        target = draw(st.sampled_from([n for n in sorted(SHIPPED) if n.startswith("history/")]))
    return Case(mutated, target, text, steps)


# -- running a case ----------------------------------------------------------------------


def _layout(root: Path, case: Case) -> None:
    """The shipped scenarios with one file mutated, a symlink loop and planted secrets."""
    (root / "scenarios" / "history").mkdir(parents=True)
    for name, text in SHIPPED.items():
        (root / "scenarios" / name).write_text(text, encoding="utf-8")
    (root / "scenarios" / case.mutated).write_bytes(case.text.encode("utf-8", "surrogatepass"))
    (root / "scenarios" / "loop.toml").symlink_to("loop.toml")
    secret = root / "scenarios" / "secret"
    secret.mkdir()
    (secret / "creds.toml").write_text(f'schema_version = 1\n[sweep]\nmethod = "{SECRET}"\n')
    (secret / "menu.toml").write_text(f'[deals]\nmenu = ["{SECRET}"]\n')
    (secret / "creds.txt").write_text(f'aws_secret_access_key = "{SECRET}"\n')
    (secret / "deep.toml").write_text(
        f'extends = "../baseline_2003.toml"\n[actors.japan]\npatience = "{SECRET}"\n'
    )


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _finite_json(text: str) -> bool:
    def refuse(constant: str) -> float:
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError:
        return False
    return True


def problems(case: Case) -> list[str]:
    """What is wrong with how the command line handled ``case`` (empty: nothing)."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _layout(root, case)
        before = _listing(root)
        target = f"scenarios/{case.target}"
        names = {Path(p).name for p in before} | {Path(target).name}
        codes = {}
        with contextlib.chdir(root), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for command in (["validate", target], ["run", target, "--json", *SOLVERS]):
                result = runner.invoke(app, command)
                label = command[0]
                codes[label] = result.exit_code
                if result.exception is not None and not isinstance(result.exception, SystemExit):
                    found.append(f"{label}: {type(result.exception).__name__}: {result.exception}")
                    continue
                if "Traceback" in result.output:
                    found.append(f"{label}: traceback")
                if SECRET in result.output:
                    found.append(f"{label}: echoed a value from a file outside the chain")
                if result.exit_code == 0:
                    if label == "run" and not _finite_json(result.stdout):
                        found.append("run: output is not finite JSON")
                elif result.exit_code == 2:
                    message = result.stderr.strip()
                    first = message.splitlines()[0] if message else ""
                    if not first.startswith("error: "):
                        found.append(f"{label}: message does not start with 'error:'")
                    elif not any(name and name in first for name in names):
                        found.append(f"{label}: message names no file: {first[:100]!r}")
                    if len(message) > 1500 or len(message.splitlines()) > 7:
                        found.append(f"{label}: message is not short ({len(message)} chars)")
                    if label == "run" and result.stdout:
                        found.append("run: printed results before failing")
                else:
                    found.append(f"{label}: exit status {result.exit_code}")
        serious = [
            w
            for w in caught
            if not issubclass(w.category, DeprecationWarning | PendingDeprecationWarning)
        ]
        if serious:
            found.append(f"warning: {serious[0].category.__name__}: {serious[0].message}")
        if len(set(codes.values())) > 1:
            found.append(f"validate and run disagree: {codes}")
        if _listing(root) != before:
            found.append(f"files written: {sorted(_listing(root) - before)[:3]}")
    return found


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_mutated_scenarios_exit_cleanly(case: Case) -> None:
    assert problems(case) == [], case.steps
