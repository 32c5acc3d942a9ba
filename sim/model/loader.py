"""Reading scenario files: TOML, ``extends`` chains, ``--set`` overrides, error messages.

The loader turns files into one plain mapping and hands it to the schema
(:class:`~sim.model.scenario.Scenario`) exactly once:

1. read the file with :mod:`tomllib` (syntax errors name the line; a UTF-8
   byte-order mark is accepted);
2. if it has ``extends = "other.toml"``, load that first (path relative to the
   file; chains allowed, cycles reported) and deep-merge this file on top;
3. apply ``--set dotted.path=value`` overrides, each value parsed as a TOML
   value (``9``, ``0.5``, ``[2, 8]``, ``{ value = 3, range = [1, 5] }``,
   ``"text"``; a word that is not TOML is taken as a string);
4. validate, then check what the solvers and the sweeps will build from the
   scenario (its menus, posture game, recorded outcome and default sweep space).
   Every failure becomes a :class:`~sim.errors.UserError` naming the file, the key
   path (and the line when it can be found) and what was expected.

Merging rule: tables merge key by key; any other value replaces the inherited
one, except that a bare number given for an inherited uncertain parameter
``{ value = …, range = … }`` replaces only its ``value`` (keeping the range).

Limits. Input is refused, with a message, beyond

* :data:`MAX_FILE_BYTES` bytes in one file (the shipped files hold about 10 kB);
* :data:`MAX_NESTING` tables and arrays inside one another;
* :data:`MAX_EXTENDS` files in an ``extends`` chain.

``extends`` must name a file ending in ``.toml``. A message quotes input values
only from the file named on the command line (or a ``--set``), never from a file
it extends.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import InputValueError, UserError, did_you_mean
from sim.model import postures
from sim.model.deals import build_menu, catalogue
from sim.model.fields import Uncertain
from sim.model.scenario import Scenario

Raw = dict[str, Any]

MAX_FILE_BYTES = 1_000_000
"""Largest scenario file read, in bytes (1 MB: a hundred times the shipped files)."""

MAX_NESTING = 32
"""Deepest nesting of tables and arrays in a file or a ``--set`` value.

A value at the top level of a file has depth 0; ``range`` in
``[actors.japan.island_value] etorofu = { value = 14, range = [7, 24] }`` holds
values at depth 5, about the deepest the schema uses.
"""

MAX_EXTENDS = 16
"""Most files in one ``extends`` chain, the file named first included."""


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario file (TOML).
    overrides : mapping of str to value, optional
        ``{"actors.russia.nationalist_cost": 9}``; values may be Python values or
        strings in TOML syntax (as given to ``--set``).

    Returns
    -------
    Scenario
        The validated, immutable scenario.

    Raises
    ------
    UserError
        For any problem with the file, its ``extends`` chain or an override, and for
        anything a solver or a sweep would refuse in it (see the module docstring).

    Examples
    --------
    >>> s = load_scenario("scenarios/baseline_2003.toml",
    ...                   overrides={"actors.russia.nationalist_cost": 9})
    >>> s.actors.russia.nationalist_cost.value
    9.0
    """
    path = Path(path)
    chain = read_chain(path)
    raw = merge_chain(chain)
    overrides = dict(overrides or {})
    for dotted, value in overrides.items():
        apply_override(raw, dotted, value)
    sources = [(str(f.path), f.text) for f in chain]
    try:
        scenario = validate(raw, sources=sources)
    except UserError as error:
        raise _blame_override(error, overrides, path) or error from None
    try:
        check_scenario(scenario, source=str(path))
    except UserError as error:
        raise _blame_override(error, overrides, path) or _blame_file(error, sources) from None
    return scenario


def check_scenario(scenario: Scenario, *, source: str | None = None) -> None:
    """Check what the solvers and sweeps build from a validated scenario.

    The menus (``deals.menu``, ``sequential.menu``), the posture game, the recorded
    outcome and the default sweep space (``[sweep.parameters]``, or every parameter
    with a range) are built here, so that ``validate`` reports what ``run``,
    ``sweep`` and ``brief`` would refuse.

    Parameters
    ----------
    scenario : Scenario
    source : str, optional
        File name used in error messages.

    Raises
    ------
    UserError
        Naming the key of the first problem.
    """
    from sim.sweeps.spec import sweep_space  # the sweeps build on the model: import late

    custom = scenario.deals.custom
    menu = build_menu(scenario.deals.menu, custom, source=source)
    if scenario.sequential.menu is not None:
        build_menu(scenario.sequential.menu, custom, source=source, key="sequential.menu")
    postures.resolve(scenario.posture_game, custom, source=source)
    if scenario.observed is not None:
        known = {**catalogue(), **custom}
        deal = scenario.observed.deal
        if deal not in known:
            raise UserError(
                f"unknown deal '{deal}'{did_you_mean(deal, known)}",
                source=source,
                key="observed.deal",
                plain="unknown deal",
            )
        _check_stances(scenario, menu.ids, source)
    sweep_space(scenario, scenario.sweep.parameters, source=source or "[sweep]")


def _check_stances(scenario: Scenario, menu: tuple[str, ...], source: str | None) -> None:
    """Every recorded stance names a deal of the episode's menu (the model scores it)."""
    observed = scenario.observed
    assert observed is not None
    for kind in ("refused", "accepted", "offered"):
        for i, stance in enumerate(getattr(observed, kind)):
            if stance.deal not in menu or stance.deal == "status_quo":
                raise UserError(
                    f"'{stance.deal}' is not a deal of this episode's menu "
                    f"({', '.join(menu[1:])}){did_you_mean(stance.deal, menu)}; a stance "
                    "can only be scored on a deal the model evaluates",
                    source=source,
                    key=f"observed.{kind}[{i}].deal",
                    plain="not a deal of this episode's menu",
                )


def _blame_override(error: UserError, overrides: Mapping[str, Any], path: Path) -> UserError | None:
    """The error attributed to the ``--set`` that caused it; None if no override did."""
    for dotted, value in overrides.items():
        key = _unindexed(error.key or "")
        if key == dotted or key.startswith(dotted + ".") or dotted.startswith(key + "."):
            message = error.message
            if "outside its plausible range" in message:
                message += (
                    f" declared in {path}; give a range with the value, e.g. "
                    f"--set '{dotted}={{ value = {value}, range = [low, high] }}'"
                )
            return UserError(message, source=f"--set {dotted}={value}")
    return None


def _blame_file(error: UserError, sources: list[tuple[str, str]]) -> UserError:
    """Name the file of the chain that spells ``error.key``; plain message if not the first."""
    if not error.key:
        return error
    source, line = _blame(error.key, sources)
    if source == sources[0][0]:
        return UserError(error.message, source=source, key=error.key, line=line, plain=error.plain)
    return UserError(error.plain, source=source, key=error.key, line=line)


@dataclass(frozen=True)
class SourceFile:
    """One file of an ``extends`` chain: its path, its text and its parsed table."""

    path: Path
    text: str
    raw: Raw


def read_chain(path: Path) -> list[SourceFile]:
    """Read ``path`` and the files it extends, in that order (the named file first).

    Parameters
    ----------
    path : Path
        The scenario file the user named.

    Returns
    -------
    list of SourceFile
        At most :data:`MAX_EXTENDS` files.

    Raises
    ------
    UserError
        For a file that cannot be read or parsed, a cycle, a chain that is too long,
        or an ``extends`` that is not a path to a ``.toml`` file.
    """
    chain: list[SourceFile] = []
    seen: list[Path] = []
    current = path
    while True:
        resolved = _resolve(current)
        if resolved in seen:
            cycle = " -> ".join(p.name for p in (*seen, resolved))
            raise UserError(f"extends cycle: {cycle}", source=str(current), key="extends")
        if len(chain) == MAX_EXTENDS:
            raise UserError(
                f"the extends chain is longer than {MAX_EXTENDS} files (MAX_EXTENDS)",
                source=str(chain[0].path),
                key="extends",
            )
        text = _read_text(current)
        chain.append(SourceFile(current, text, _parse_toml(text, str(current))))
        seen.append(resolved)
        parent = chain[-1].raw.get("extends")
        if parent is None:
            return chain
        current = _extended(current, parent)


def merge_chain(chain: list[SourceFile]) -> Raw:
    """Deep-merge a chain read by :func:`read_chain`: each file over the one it extends."""
    merged: Raw = {}
    for source in reversed(chain):
        merged = deep_merge(merged, source.raw)
    return merged


def read_merged(path: Path) -> Raw:
    """Read ``path`` and the files it extends, deep-merged (child wins)."""
    return merge_chain(read_chain(path))


def _extended(path: Path, parent: Any) -> Path:
    """The file ``path`` extends, checked: a path to an existing ``.toml`` file."""
    source = str(path)
    if not isinstance(parent, str) or not parent.strip():
        raise UserError("expected a file path (a string)", source=source, key="extends")
    if not parent.endswith(".toml"):
        raise UserError(
            "expected the path of a scenario file ending in .toml", source=source, key="extends"
        )
    parent_path = path.parent / parent
    try:
        info = os.stat(parent_path)
    except FileNotFoundError:
        raise UserError(
            f"extended file not found: {parent_path}", source=source, key="extends"
        ) from None
    except (OSError, ValueError) as exc:
        raise UserError(
            f"cannot read the extended file ({_reason(exc)})", source=source, key="extends"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise UserError(
            f"extended file not found: {parent_path} is not a file", source=source, key="extends"
        )
    if _resolve(parent_path).suffix != ".toml":
        raise UserError(
            "the extended file is a link to a file that does not end in .toml",
            source=source,
            key="extends",
        )
    return parent_path


def _resolve(path: Path) -> Path:
    """``path.resolve()``, with symbolic-link loops and bad names as user errors."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise UserError(f"cannot read the file ({_reason(exc)})", source=str(path)) from None


def _reason(exc: BaseException) -> str:
    """A short reason for an operating-system error, without the path it repeats."""
    if isinstance(exc, RuntimeError):
        return "a loop of symbolic links"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc)


def deep_merge(base: Raw, top: Mapping[str, Any]) -> Raw:
    """Merge ``top`` onto ``base`` (new dict): tables recursively, other values replace."""
    merged = dict(base)
    for key, value in top.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            merged[key] = deep_merge(old, value)
        elif isinstance(old, dict) and "value" in old and _is_number(value):
            merged[key] = {**old, "value": value}
        else:
            merged[key] = value
    return merged


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split a ``--set`` argument ``dotted.path=value`` and parse the value.

    Parameters
    ----------
    text : str
        The argument, ``dotted.path=value``.

    Returns
    -------
    tuple of (str, value)
        The dotted path and the value parsed by :func:`parse_value`.

    Raises
    ------
    UserError
        Without an ``=``, or for a value :func:`parse_value` refuses.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError("expected dotted.path=value", source=f"--set {_one_line(text)}")
    if _LINE_BREAK.search(key):
        raise UserError("expected dotted.path=value on one line", source=f"--set {_one_line(key)}")
    parsed = parse_value(value.strip(), source=f"--set {key}")
    return key, ParsedText(parsed) if isinstance(parsed, str) else parsed


class ParsedText(str):
    """Text that :func:`parse_assignment` has already parsed: not parsed a second time.

    ``--set 'scenario.description="9"'`` gives the text ``9``; parsed again, it would
    become the number 9.
    """


def parse_value(text: str, *, source: str | None = None) -> Any:
    """Parse a TOML value (``9``, ``[2, 8]``, ``{ value = 3 }``, ``true``); else a string.

    Parameters
    ----------
    text : str
        The value as written after ``--set path=``.
    source : str, optional
        The ``--set`` argument, named in error messages.

    Returns
    -------
    value
        The TOML value, or ``text`` itself when it is not TOML (a bare word).

    Raises
    ------
    UserError
        For a value with a line break (TOML would end the value there and read the
        rest as more keys) or nested deeper than :data:`MAX_NESTING`.
    """
    if _LINE_BREAK.search(text):
        raise UserError(
            "a --set value must be one line; write a line break inside a string as \\n",
            source=source,
        )
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:
        raise UserError(_TOO_DEEP, source=source) from None
    _check_nesting(value, depth=0, key="", source=source)
    return value


def apply_override(raw: Raw, dotted: str, value: Any) -> None:
    """Set ``dotted`` in ``raw`` to ``value`` after checking the path against the schema.

    Parameters
    ----------
    raw : dict
        The merged scenario mapping, changed in place.
    dotted : str
        Dotted key path, e.g. ``actors.russia.nationalist_cost``.
    value : object
        A Python value, or a string parsed with :func:`parse_value`.

    Raises
    ------
    UserError
        For a path the schema does not have, for ``extends`` (the chain is read
        before any override applies) and for a value :func:`parse_value` refuses.
    """
    source = f"--set {dotted}"
    parts = dotted.split(".")
    if parts[0] == "extends":
        raise UserError(
            "extends cannot be overridden: the extends chain is read before any --set "
            "applies; to build on another file, write a scenario file with "
            'extends = "other.toml"',
            source=source,
        )
    _check_path(parts, source)
    if isinstance(value, ParsedText):
        value = str(value)
    elif isinstance(value, str):
        value = parse_value(value, source=source)
    _check_nesting(value, depth=len(parts) - 1, key="", source=source)
    node = raw
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {} if child is None else {"value": child}
            node[part] = child
        node = child
    leaf = parts[-1]
    old = node.get(leaf)
    if isinstance(old, dict) and "value" in old and _is_number(value):
        node[leaf] = {**old, "value": value}
    else:
        node[leaf] = value


def validate(raw: Raw, *, sources: list[tuple[str, str]]) -> Scenario:
    """Validate a merged mapping; translate the errors into one :class:`UserError`.

    ``sources`` lists ``(file name, text)`` of the ``extends`` chain, the file the user
    named first: the error names the first of them that spells the offending key, and
    quotes the offending input only if that is the file the user named. Further
    errors (up to four) are listed on their own lines, in plain form.

    Parameters
    ----------
    raw : dict
        The merged mapping.
    sources : list of (str, str)
        File names and texts of the chain.

    Returns
    -------
    Scenario

    Raises
    ------
    UserError
        For the first validation error (and a count of the others).
    """
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        found = exc.errors(include_url=False)
        errors = [_describe(err) for err in found[:5]]
        first_key, first_message, first_plain = errors[0]
        more = "".join(f"\n  {k}: {plain}" for k, _, plain in errors[1:])
        if len(found) > 5:
            more += f"\n  … and {len(found) - 5} more"
        source, line = _blame(first_key, sources)
        message = first_message if source == sources[0][0] else first_plain
        raise UserError(
            message + more, source=source, key=first_key, line=line, plain=first_plain + more
        ) from None


def _blame(key: str, sources: list[tuple[str, str]]) -> tuple[str, int | None]:
    """The file of ``sources`` that spells ``key`` (or most of it), and the line."""
    key = _unindexed(key)
    source, line, best = sources[0][0], None, 0
    for name, text in sources:
        found = _locate(key, text)
        if found is not None and found[0] > best:
            best, line, source = found[0], found[1], name
    return source, line


# -- helpers ---------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"[\n\r]")
_TOO_DEEP = f"tables or arrays nested more than {MAX_NESTING} deep (the limit, MAX_NESTING)"


def _one_line(text: str, limit: int = 80) -> str:
    """``text`` with line breaks shown as ``\\n``, cut to ``limit`` characters."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unindexed(key: str) -> str:
    """``deals.menu[1]`` -> ``deals.menu``: the key as a file spells it."""
    return re.sub(r"\[\d+\]", "", key)


def _read_text(path: Path) -> str:
    """The text of a scenario file, checked: a regular file, not too big, UTF-8."""
    source = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UserError("file not found", source=source) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the file ({_reason(exc)})", source=source) from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError("is a folder; expected a scenario file (.toml)", source=source)
    if not stat.S_ISREG(info.st_mode):
        raise UserError("is not a regular file; expected a scenario file (.toml)", source=source)
    too_big = UserError(
        f"the file is larger than {MAX_FILE_BYTES:,} bytes, the limit for a scenario file "
        "(MAX_FILE_BYTES)",
        source=source,
    )
    if info.st_size > MAX_FILE_BYTES:
        raise too_big
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read the file ({_reason(exc)})", source=source) from None
    if len(data) > MAX_FILE_BYTES:
        raise too_big
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"cannot read the file: not UTF-8 text (byte {exc.start + 1})", source=source
        ) from None
    return text.removeprefix("\ufeff")


def _parse_toml(text: str, source: str) -> Raw:
    """Parse a file's text; syntax errors name the line, deep nesting is refused."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise UserError(f"TOML syntax error: {message}", source=source, line=line) from None
    except RecursionError:
        raise UserError(_TOO_DEEP, source=source) from None
    for key, value in raw.items():
        _check_nesting(value, depth=0, key=key, source=source)
    return raw


def _check_nesting(value: Any, *, depth: int, key: str, source: str | None) -> None:
    """Refuse ``value`` (at ``depth`` in its document) if it nests past :data:`MAX_NESTING`."""
    stack: list[tuple[Any, int, str]] = [(value, depth, key)]
    while stack:
        node, level, path = stack.pop()
        if isinstance(node, dict):
            children: Iterable[tuple[Any, Any]] = node.items()
        elif isinstance(node, list):
            children = enumerate(node)
        else:
            continue
        if level >= MAX_NESTING and (node if isinstance(node, dict) else len(node)):
            shown = path if path.count(".") + path.count("[") < 4 else _shortened(path)
            raise UserError(_TOO_DEEP, source=source, key=shown or None)
        for part, child in children:
            step = f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
            stack.append((child, level + 1, path + step if len(path) < 200 else path))


def _shortened(path: str) -> str:
    """The first four steps of a long key path, then an ellipsis."""
    steps = re.findall(r"\[\d+\]|[^.\[]+", path)[:4]
    text = "".join(s if s.startswith("[") else f".{s}" for s in steps).lstrip(".")
    return text + "…"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _model_at(parts: Iterable[str | int]) -> type[BaseModel] | None:
    """The schema model reached by following ``parts`` from the root, if any."""
    model: Any = Scenario
    for part in parts:
        if _dict_value(model) is not None:
            model = _dict_value(model)
            continue
        if not _is_model(model) or str(part) not in model.model_fields:
            return None
        model = _unwrap(model.model_fields[str(part)].annotation)
    return model if _is_model(model) else None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _dict_value(annotation: Any) -> Any:
    """The value type of ``dict[str, X]``, else None."""
    if getattr(annotation, "__origin__", None) is dict:
        return annotation.__args__[1]
    return None


def _unwrap(annotation: Any) -> Any:
    """The model (or dict) inside ``Annotated[...]`` or ``X | None``, else the annotation."""
    if _dict_value(annotation) is not None or _is_model(annotation):
        return annotation
    for arg in (*getattr(annotation, "__args__", ()), getattr(annotation, "__origin__", None)):
        if _is_model(arg) or _dict_value(arg) is not None:
            return arg
    return annotation


def _check_path(parts: list[str], source: str) -> None:
    """Raise :class:`UserError` if ``parts`` is not a settable path of the schema."""
    model: Any = Scenario
    for depth, part in enumerate(parts):
        parent = ".".join(parts[:depth]) or "the top level"
        if _dict_value(model) is not None:
            model = _dict_value(model)
        elif model is Uncertain and part in ("value", "range"):
            if depth < len(parts) - 1:
                raise UserError(f"'{part}' has no sub-key '{parts[depth + 1]}'", source=source)
            return
        elif _is_model(model) and model is not Uncertain:
            if part not in model.model_fields:
                hint = did_you_mean(part, model.model_fields)
                raise UserError(f"unknown key '{part}' in {parent}{hint}", source=source)
            model = _unwrap(model.model_fields[part].annotation)
        else:
            raise UserError(f"'{parts[depth - 1]}' has no sub-key '{part}'", source=source)


def _describe(err: Any) -> tuple[str, str, str]:
    """Key path, plain-words message and plain form (no quoted input) of one pydantic error."""
    loc = [str(p) for p in err["loc"] if not _is_internal(p)]
    key = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        hint = did_you_mean(loc[-1], parent.model_fields) if parent else ""
        allowed = (
            f"; expected one of: {', '.join(parent.model_fields)}" if parent and not hint else ""
        )
        message = f"unknown key '{loc[-1]}'{hint}{allowed}"
        return key, message, message
    if kind == "missing":
        message = "missing: this key is required (set it here or in the file you extend)"
        return key, message, message
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        cause = err.get("ctx", {}).get("error")
        plain = cause.plain if isinstance(cause, InputValueError) else message
        return key, message, plain
    plain = message
    if "input" in err and not isinstance(err["input"], dict):
        message += f" (got {_short(err['input'])})"
    return key, message, plain


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_internal(part: Any) -> bool:
    """Pydantic adds tags such as 'function-after[...]' to error locations."""
    return isinstance(part, str) and ("[" in part or part in ("float", "int"))


_HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?")
_ASSIGNMENT = re.compile(r"^([A-Za-z0-9_\-.\s\"']+?)\s*=")


def _locate(key: str, text: str | None) -> tuple[int, int] | None:
    """``(length of the match, line)`` where ``key`` or its nearest enclosing key is written."""
    if not text or not key:
        return None
    best: tuple[int, int] | None = None
    header = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if (match := _HEADER.match(stripped)) is not None:
            header = _normalise(match.group(1))
            written = header
        elif (match := _ASSIGNMENT.match(stripped)) is not None:
            written = ".".join(p for p in (header, _normalise(match.group(1))) if p)
        else:
            continue
        if (key == written or key.startswith(written + ".")) and (
            best is None or len(written) > best[0]
        ):
            best = (len(written), number)
    return best


def _normalise(dotted: str) -> str:
    return re.sub(r"[\s\"']", "", dotted)
