"""Reading scenario files: TOML, ``extends`` chains, ``--set`` overrides, error messages.

The loader turns files into one plain mapping and hands it to the schema
(:class:`~sim.model.scenario.Scenario`) exactly once:

1. read the file with :mod:`tomllib` (syntax errors name the line);
2. if it has ``extends = "other.toml"``, load that first (path relative to the
   file; chains allowed, cycles reported) and deep-merge this file on top;
3. apply ``--set dotted.path=value`` overrides, each value parsed as a TOML
   value (``9``, ``0.5``, ``[2, 8]``, ``{ value = 3, range = [1, 5] }``,
   ``"text"``; a word that is not TOML is taken as a string);
4. validate. Every failure becomes a :class:`~sim.errors.UserError` naming the
   file, the key path (and the line when it can be found) and what was expected.

Merging rule: tables merge key by key; any other value replaces the inherited
one, except that a bare number given for an inherited uncertain parameter
``{ value = …, range = … }`` replaces only its ``value`` (keeping the range).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import UserError, did_you_mean
from sim.model import postures
from sim.model.deals import build_menu, catalogue
from sim.model.fields import Uncertain
from sim.model.scenario import Scenario

Raw = dict[str, Any]


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
        For any problem with the file, its ``extends`` chain or an override.

    Examples
    --------
    >>> s = load_scenario("scenarios/baseline_2003.toml",
    ...                   overrides={"actors.russia.nationalist_cost": 9})
    >>> s.actors.russia.nationalist_cost.value
    9.0
    """
    path = Path(path)
    raw = read_merged(path)
    overrides = dict(overrides or {})
    for dotted, value in overrides.items():
        apply_override(raw, dotted, value)
    try:
        scenario = validate(raw, sources=_chain_texts(path))
    except UserError as error:
        raise _blame_override(error, overrides, path) from None
    build_menu(scenario.deals.menu, scenario.deals.custom, source=str(path))
    postures.resolve(scenario.posture_game, scenario.deals.custom, source=str(path))
    if scenario.observed is not None:
        known = {**catalogue(), **scenario.deals.custom}
        if scenario.observed.deal not in known:
            deal = scenario.observed.deal
            raise UserError(
                f"unknown deal '{deal}'{did_you_mean(deal, known)}",
                source=str(path),
                key="observed.deal",
            )
    return scenario


def _blame_override(error: UserError, overrides: Mapping[str, Any], path: Path) -> UserError:
    """Attribute a validation error to the ``--set`` that caused it, if one did."""
    for dotted, value in overrides.items():
        key = error.key or ""
        if key == dotted or key.startswith(dotted + ".") or dotted.startswith(key + "."):
            message = error.message
            if "outside its plausible range" in message:
                message += (
                    f" declared in {path}; give a range with the value, e.g. "
                    f"--set '{dotted}={{ value = {value}, range = [low, high] }}'"
                )
            return UserError(message, source=f"--set {dotted}={value}")
    return error


def read_merged(path: Path, _chain: tuple[Path, ...] = ()) -> Raw:
    """Read ``path`` and the files it extends, deep-merged (child wins)."""
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise UserError(f"extends cycle: {cycle}", source=str(path), key="extends")
    raw = _read_toml(path)
    parent = raw.get("extends")
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise UserError("expected a file path (a string)", source=str(path), key="extends")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise UserError(f"extended file not found: {parent_path}", source=str(path), key="extends")
    return deep_merge(read_merged(parent_path, (*_chain, resolved)), raw)


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
    """Split a ``--set`` argument ``dotted.path=value`` and parse the value."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UserError("expected dotted.path=value", source=f"--set {text}")
    return key, parse_value(value.strip())


def parse_value(text: str) -> Any:
    """Parse a TOML value (``9``, ``[2, 8]``, ``{ value = 3 }``, ``true``); else a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_override(raw: Raw, dotted: str, value: Any) -> None:
    """Set ``dotted`` in ``raw`` to ``value`` after checking the path against the schema."""
    source = f"--set {dotted}"
    parts = dotted.split(".")
    _check_path(parts, source)
    if isinstance(value, str):
        value = parse_value(value)
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
    named first: the error names the first of them that spells the offending key.
    """
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        errors = [_describe(err) for err in exc.errors(include_url=False)]
        first_key, first_message = errors[0]
        more = "".join(f"\n  {k}: {m}" for k, m in errors[1:5])
        if len(errors) > 5:
            more += f"\n  … and {len(errors) - 5} more"
        source, line, best = sources[0][0], None, 0
        for name, text in sources:
            found = _locate(first_key, text)
            if found is not None and found[0] > best:
                best, line, source = found[0], found[1], name
        raise UserError(first_message + more, source=source, key=first_key, line=line) from None


def _chain_texts(path: Path) -> list[tuple[str, str]]:
    """``(name, text)`` of ``path`` and the files it extends, in that order."""
    chain: list[tuple[str, str]] = []
    current: Path | None = path
    while current is not None and len(chain) < 64:
        text = _read_text(current)
        chain.append((str(current), text))
        parent = tomllib.loads(text).get("extends")
        current = current.parent / parent if isinstance(parent, str) else None
    return chain


# -- helpers ---------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise UserError("is a folder; expected a scenario file (.toml)", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the file ({exc})", source=str(path)) from None


def _read_toml(path: Path) -> Raw:
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise UserError(f"TOML syntax error: {message}", source=str(path), line=line) from None


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


def _describe(err: Any) -> tuple[str, str]:
    """Key path and plain-words message for one pydantic error."""
    loc = [str(p) for p in err["loc"] if not _is_internal(p)]
    key = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        hint = did_you_mean(loc[-1], parent.model_fields) if parent else ""
        allowed = (
            f"; expected one of: {', '.join(parent.model_fields)}" if parent and not hint else ""
        )
        return key, f"unknown key '{loc[-1]}'{hint}{allowed}"
    if kind == "missing":
        return key, "missing: this key is required (set it here or in the file you extend)"
    message = str(err["msg"]).removeprefix("Value error, ")
    if "input" in err and kind not in ("value_error",) and not isinstance(err["input"], dict):
        message += f" (got {err['input']!r})"
    return key, message


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
