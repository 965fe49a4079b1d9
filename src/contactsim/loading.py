"""Reading scenario files: TOML, ``extends`` chains, ``--set`` overrides, one pass of checks.

``load_scenario("scenarios/rcrp.toml", ["pools.handlers.scale=1.1"])`` reads the file, loads the
file it ``extends`` (relative to it) and deep-merges this file over it (tables merge key by key,
anything else replaces), applies the command-line overrides, checks every value against the
schema and raises one :class:`~contactsim.schema.ScenarioError` listing every problem, each
naming the file that holds the bad key. User text is only ever parsed as TOML, never evaluated.
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from .scenario import RUN, SCENARIO, Scenario, build, cross_check
from .schema import (
    INVALID,
    SET_ORIGIN,
    Checker,
    Named,
    Path,
    Problem,
    ScenarioError,
    Table,
    dotted,
    suggestion,
)

FILE_KEY = "(file)"


def load_scenario(file: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge, override and check a scenario; raise ScenarioError listing every problem."""
    file = os.fspath(file)
    doc, origins = read_document(file)
    apply_overrides(doc, origins, file, overrides)
    ck = Checker(file, origins)
    checked = SCENARIO.check(doc, (), ck)
    if checked is not INVALID and checked.get("run") is None:
        checked["run"] = RUN.check({}, ("run",), ck)
    if checked is not INVALID:
        cross_check(checked, ck)
    if ck.problems:
        raise ScenarioError(ck.problems)
    return build(checked, file=doc.get("source") or file, document=resolved(doc, file, ck))


def read_document(file: str, chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[Path, str]]:
    """A file's TOML merged over everything it extends, with the file that set each key."""
    doc = _parse(file)
    origins: dict[Path, str] = {}
    _record(doc, (), file, origins)
    parent_name = doc.pop("extends", None)
    if parent_name is None:
        return doc, origins
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise ScenarioError([Problem(file, "extends", "must be the name of a scenario file")])
    parent = os.path.normpath(os.path.join(os.path.dirname(file), parent_name))
    here = os.path.realpath(file)
    seen = (*chain, here)
    if os.path.realpath(parent) in seen:
        loop = " -> ".join([*(os.path.basename(p) for p in seen), os.path.basename(parent)])
        raise ScenarioError([Problem(file, "extends", f"extends itself in a cycle: {loop}")])
    if not os.path.isfile(parent):
        raise ScenarioError([Problem(file, "extends", f"file {parent!r} not found (the path is "
                                     "relative to this scenario file)")])
    base, base_origins = read_document(parent, seen)
    if "source" not in doc:
        base.pop("source", None)  # a parent's own source is not this file's
    _merge(base, doc, base_origins, file)
    return base, base_origins


def _parse(file: str) -> dict[str, Any]:
    try:
        with open(file, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ScenarioError([Problem(file, FILE_KEY, "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(file, FILE_KEY, "is a folder, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(file, FILE_KEY, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(file, FILE_KEY, f"is not UTF-8 text (byte "
                                     f"0x{raw[exc.start]:02x} at offset {exc.start}); save it "
                                     "as UTF-8")]) from None
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([_syntax_problem(file, str(exc))]) from None
    if not doc:
        raise ScenarioError([Problem(file, FILE_KEY, "the file is empty; a scenario needs at "
                                     "least name, [channels.*], [categories.*] and [pools.*]")])
    return doc


def _syntax_problem(file: str, message: str) -> Problem:
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    text = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    key = f"line {where.group(1)}, column {where.group(2)}" if where else "end of file"
    return Problem(file, key, f"invalid TOML: {text}")


def _record(value: Any, path: Path, file: str, origins: dict[Path, str]) -> None:
    origins[path] = file
    if isinstance(value, dict):
        for k, v in value.items():
            _record(v, (*path, k), file, origins)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, dict):
                _record(v, (*path, i), file, origins)


def _merge(base: dict[str, Any], over: dict[str, Any], origins: dict[Path, str], file: str,
           path: Path = ()) -> None:
    """Deep-merge ``over`` into ``base``: tables merge, every other value replaces."""
    for key, value in over.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origins, file, here)
            continue
        for stale in [p for p in origins if p[: len(here)] == here]:
            del origins[stale]
        base[key] = copy.deepcopy(value)
        _record(value, here, file, origins)


def apply_overrides(doc: dict[str, Any], origins: dict[Path, str], file: str,
                    overrides: Sequence[str]) -> None:
    """Apply ``KEY.PATH=VALUE`` overrides (VALUE in TOML syntax); report every bad one."""
    problems = []
    for text in overrides:
        try:
            path, value = parse_override(text)
            _set(doc, path, value)
        except ValueError as exc:
            problems.append(Problem(file, text.split("=", 1)[0] or "--set", f"--set: {exc}"))
            continue
        _record(value, path, SET_ORIGIN, origins)
    if problems:
        raise ScenarioError(problems)


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """``"pools.handlers.scale=1.1"`` -> ``(("pools", "handlers", "scale"), 1.1)``."""
    key, sep, raw = text.partition("=")
    parts = tuple(p.strip() for p in key.split("."))
    if not sep or not key.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r} is not KEY.PATH=VALUE, e.g. pools.handlers.scale=1.1")
    return parts, parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    """A value in TOML syntax; text that is not valid TOML is taken as a plain string."""
    if not raw:
        raise ValueError("has no value after '='")
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = doc
    kind: Any = SCENARIO
    for depth, part in enumerate(path[:-1]):
        parent, kind = kind, _child_kind(kind, part)
        # A missing fixed table (such as [run]) may be created; a missing named entry (a
        # channel or pool that the scenario does not define) is a mistake.
        creatable = isinstance(parent, Table) and isinstance(kind, Table)
        if isinstance(node, dict) and part not in node and creatable:
            node[part] = {}
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            where = dotted(path[: depth + 1])
            known = list(node) if isinstance(node, dict) else []
            raise ValueError(f"{where!r} is not a table in this scenario"
                             + suggestion(part, known)
                             + (f"; it has: {', '.join(map(str, known))}" if known else ""))
        node = node[part]
    node[path[-1]] = value


def _child_kind(kind: Any, part: str) -> Any:
    """The schema kind one key further down (None where the schema does not know it)."""
    if isinstance(kind, Named):
        return kind.item
    if isinstance(kind, Table):
        return next((f.kind for f in kind.fields if f.name == part), None)
    return None


def resolved(doc: dict[str, Any], file: str, ck: Checker) -> dict[str, Any]:
    """The document to save as ``scenario.toml``: self-contained, remembering its source."""
    out = copy.deepcopy(doc)
    out.setdefault("source", file)
    for path, values in ck.inlined.items():
        node: Any = out
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = {"dist": "empirical", "values": values}
    return out
