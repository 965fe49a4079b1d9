"""Reading scenario files: TOML, ``extends`` chains, ``--set`` overrides, one pass of checks.

``load_scenario("scenarios/rcrp.toml", ["pools.handlers.scale=1.1"])`` reads the file, loads the
file it ``extends`` (relative to it) and deep-merges this file over it (tables merge key by key;
anything else replaces, and so does a share table such as a ``mix``), applies the command-line
overrides, checks every value against the schema and raises one
:class:`~contactsim.config.kinds.ScenarioError` listing every problem, each naming the file that
holds the bad key. User text is only ever parsed as TOML, never evaluated.

A program that wants a variant of a scenario it has loaded (the staffing search tries many
rosters) calls :func:`with_changes` rather than writing ``--set`` text and reading the files
again: the new values are set in a copy of the resolved document, exactly where ``--set`` would
put them, and the copy goes through the same one pass of checks and the same build, so the
variant and its ``document`` (saved as ``scenario.toml``) are what a file with those values
gives.
"""

from __future__ import annotations

import copy
import datetime
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

from contactsim.config.calendar_schema import CALENDAR
from contactsim.config.kinds import Kind
from contactsim.config.rules import cross_check
from contactsim.config.schema import RUN, SCENARIO, build_scenario
from contactsim.config.spec import Scenario
from contactsim.config.tables import Named, Table
from contactsim.files import FOLDER, MISSING, NotAFileError, check_regular, read_regular
from contactsim.problems import (
    CHANGED_ORIGIN,
    FILE_KEY,
    INVALID,
    SET_ORIGIN,
    Checker,
    Path,
    Problem,
    ScenarioError,
    describe,
    dotted,
    suggestion,
)

#: Changes to a loaded scenario: each key path (as ``--set`` spells it, split at the dots) and
#: its new value as a scenario file holds it, e.g. ``{("pools", "handlers", "scale"): 1.1}``.
Changes = Mapping[tuple[str, ...], Any]


class FlagOverride(str):
    """An override that a command-line option stands for: ``--replications 50`` is
    ``run.replications=50``. It reads as the override text wherever an override goes; a
    problem with its value names the option the planner typed (``(from --replications)``)
    rather than ``--set``."""

    flag: str

    def __new__(cls, text: str, flag: str) -> FlagOverride:
        self = super().__new__(cls, text)
        self.flag = flag
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickles whole
        return str(self), self.flag


def load_scenario(file: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge, override and check a scenario; raise ScenarioError listing every problem."""
    file = os.fspath(file)
    doc, origins = read_document(file)
    ck = Checker(file, origins)
    ck.problems.extend(apply_overrides(doc, origins, file, overrides))
    return _checked(doc, ck)


def with_changes(scenario: Scenario, changes: Changes) -> Scenario:
    """A variant of a loaded scenario, as if its file held these values; ``scenario`` is unchanged.

    Each value is set in a copy of ``scenario.document`` (the resolved TOML, so no scenario file
    is read again) as ``--set`` would set it, and the copy is checked in the same one pass as a
    file: every bad value is reported in one ScenarioError, naming the scenario's file, the key
    and that the value was a change made in memory.
    """
    doc = copy.deepcopy(scenario.document)
    origins: dict[Path, str] = {}
    ck = Checker(scenario.file, origins)
    ck.reuse_data = True  # the data files it read, not read again
    for path, value in changes.items():
        try:
            check_path(path)
            # recorded before it is set, so a path that cannot be set is reported as a change
            _record(value, path, CHANGED_ORIGIN, origins)
            _set(doc, path, copy.deepcopy(value))
        except ValueError as exc:
            ck.error(path, str(exc))
    return _checked(doc, ck)


def _checked(doc: dict[str, Any], ck: Checker) -> Scenario:
    """The one pass of checks over a merged document, then the typed scenario it builds."""
    file = ck.root_file
    checked = SCENARIO.check(doc, (), ck)
    if checked is not INVALID and checked.get("run") is None:
        checked["run"] = RUN.check({}, ("run",), ck)
    if (checked is not INVALID and checked.get("calendar") is None
            and isinstance(checked["run"], dict)
            and isinstance(checked["run"].get("start_date"), datetime.date)):
        checked["calendar"] = CALENDAR.check({}, ("calendar",), ck)  # start_date alone: flat
    if checked is not INVALID:
        cross_check(checked, ck)
    if ck.problems:
        raise ScenarioError(ck.problems)
    return build_scenario(checked, file=file, document=resolved(doc, file, ck))


#: Most files an ``extends`` chain may hold (the scenario itself included): far more than any
#: planner layers, and a bound on the work a chain of files can ask for.
MAX_EXTENDS = 32


def read_document(file: str) -> tuple[dict[str, Any], dict[Path, str]]:
    """A file's TOML merged over everything it extends, with the file that set each key.

    The chain is followed in a loop (never by recursion, so no chain of files can exhaust the
    stack): at most :data:`MAX_EXTENDS` files, and a file met twice is a cycle.
    """
    chain: list[tuple[str, dict[str, Any]]] = []  # (file, its own TOML), child first
    seen: list[str] = []
    current = file
    while True:
        doc = _parse(current)
        chain.append((current, doc))
        seen.append(os.path.realpath(current))
        parent_name = doc.pop("extends", None)
        if parent_name is None:
            break
        parent = _parent_file(current, parent_name)
        if os.path.realpath(parent) in seen:
            loop = " -> ".join([*(os.path.basename(p) for p in seen),
                                os.path.basename(parent)])
            raise ScenarioError([Problem(current, "extends",
                                         f"extends itself in a cycle: {loop}")])
        if len(chain) >= MAX_EXTENDS:
            raise ScenarioError([Problem(current, "extends", (
                f"the chain of extends from {os.path.basename(file)} is more than "
                f"{MAX_EXTENDS} files deep; does a file extend the wrong one?"))])
        current = parent
    root_file, base = chain[-1]
    origins: dict[Path, str] = {}
    _record(base, (), root_file, origins)
    for child_file, doc in reversed(chain[:-1]):
        if "source" not in doc:
            base.pop("source", None)  # a parent's own source is not this file's
        _merge(base, doc, origins, child_file)
    return base, origins


def _parent_file(file: str, name: Any) -> str:
    """The path of the file that ``file`` extends, checked to be a readable file name."""
    def bad(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, "extends", message)])

    if not isinstance(name, str) or not name.strip():
        raise bad(f"must be the name of a scenario file, got {describe(name)}")
    if "\0" in name:
        raise bad(f"{describe(name)} is not a valid file name")
    parent = os.path.normpath(os.path.join(os.path.dirname(file), name))
    try:
        check_regular(parent)
    except NotAFileError as exc:
        if exc.kind == FOLDER:
            raise bad(f"{parent!r} is a folder, not a scenario file") from None
        if exc.kind == MISSING:
            raise bad(f"file {parent!r} not found (the path is relative to this scenario "
                      "file)") from None
        raise bad(f"{parent!r} {exc.words}, not a scenario file") from None
    return parent


def _parse(file: str) -> dict[str, Any]:
    text = _read_text(file)
    try:
        doc = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([_syntax_problem(file, str(exc), text)]) from None
    except ValueError as exc:  # Python's own limits, such as a number of 5,000 digits
        raise ScenarioError([Problem(file, FILE_KEY, f"invalid TOML: {exc}".split(";")[0])]) \
            from None
    except RecursionError:
        raise ScenarioError([Problem(file, FILE_KEY, TOO_DEEP)]) from None
    if nesting(doc) > MAX_NESTING:
        raise ScenarioError([Problem(file, FILE_KEY, TOO_DEEP)])
    if not doc:
        raise ScenarioError([Problem(file, FILE_KEY, "the file is empty; a scenario needs at "
                                     "least name, [channels.*], [categories.*] and [pools.*]")])
    return doc


#: Deeper than any scenario nests its tables and lists (the schema goes five levels down).
MAX_NESTING = 32
TOO_DEEP = f"tables or lists are nested more than {MAX_NESTING} levels deep"


def nesting(value: Any) -> int:
    """How deeply tables and lists nest in ``value`` (counted without recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:  # no need to look further down
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


#: Larger than any scenario a planner writes by hand; refusing it keeps memory bounded.
MAX_FILE_BYTES = 10_000_000


def _read_text(file: str) -> str:
    """The file's text (UTF-8, a byte-order mark allowed), or a problem naming the file."""
    def bad(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, FILE_KEY, message)])

    try:
        raw = read_regular(file, MAX_FILE_BYTES)  # bounded; never a device or a FIFO
    except NotAFileError as exc:
        if exc.kind == MISSING:
            raise bad("file not found") from None
        if exc.kind == FOLDER:
            raise bad("is a folder, not a scenario file") from None
        raise bad(f"{exc.words}, not a scenario file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise bad(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise bad(f"is larger than {MAX_FILE_BYTES // 1_000_000} MB; is it a scenario file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                  "save it as UTF-8") from None


#: Hints for tomllib's terser messages.
_SYNTAX_HINTS = {
    "Cannot overwrite a value": "a key is given twice",
    "Cannot declare": "a table is declared twice",
    "Cannot mutate immutable namespace": "a key adds to an inline table { ... } or array "
                                         "given earlier",
    "Expected newline or end of document after a statement": "text follows a value; are "
                                                             "quotes missing?",
    "Illegal character '\\n'": "a string is not closed before the end of its line",
}


def _syntax_problem(file: str, message: str, text: str) -> Problem:
    """A TOML syntax error, keyed by its line and column (the last one at the end of file)."""
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    if where:
        key = f"line {where.group(1)}, column {where.group(2)}"
    else:
        lines = text.removeprefix("\ufeff").rstrip("\r\n").split("\n")
        key = f"line {len(lines)}, column {len(lines[-1]) + 1}"
    hint = next((h for start, h in _SYNTAX_HINTS.items() if what.startswith(start)), "")
    if where:
        lines = text.removeprefix("\ufeff").split("\n")
        line_no, column = int(where.group(1)), int(where.group(2))
        if line_no <= len(lines):
            hint = _unquoted_hint(lines[line_no - 1], column - 1) or hint
    return Problem(file, key, f"invalid TOML: {what}" + (f" ({hint})" if hint else ""))


#: A time of day or a date written without quotes (``start = 7:00``, ``date = 12-31``): TOML
#: reads neither as text, and its own message ("Expected newline...") does not say why.
_UNQUOTED = re.compile(
    r"(?:(?P<key>[A-Za-z0-9_\-]+)\s*=\s*)?(?<![\w\"'.:\-])(?:"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"|(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"|(?P<mm>[0-9]{1,2})-(?P<dd>[0-9]{1,2}))(?![\w\"'.:\-])")


def _unquoted_hint(line: str, at: int) -> str:
    """How to quote the unquoted time or date at (or next to) offset ``at`` of ``line``."""
    for m in _UNQUOTED.finditer(line):
        value_start = m.start("hour") if m["hour"] else m.start("year") if m["year"] \
            else m.start("mm")
        if not value_start - 1 <= at <= m.end():
            continue
        key = f"{m['key']} = " if m["key"] else ""
        if m["hour"]:
            return f'times are written in quotes: {key}"{int(m["hour"]):02d}:{m["minute"]}"'
        if m["year"]:
            day = f'{m["year"]}-{int(m["month"]):02d}-{int(m["day"]):02d}'
        else:
            day = f'{int(m["mm"]):02d}-{int(m["dd"]):02d}'
        return f'dates are written in quotes: {key}"{day}"'
    return ""


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
           path: Path = (), kind: Any = SCENARIO) -> None:
    """Deep-merge ``over`` into ``base``: tables merge, every other value replaces.

    A table that stands for one value (a ``mix``: its shares must add up to 1 on their own, see
    :attr:`Kind.replaces_whole`) replaces too, so what the child wrote is what is checked, and a
    problem with it names the child.
    """
    for key, value in over.items():
        here = (*path, key)
        sub = _child_kind(kind, key)
        whole = isinstance(sub, Kind) and sub.replaces_whole
        if isinstance(value, dict) and isinstance(base.get(key), dict) and not whole:
            _merge(base[key], value, origins, file, here, sub)
            continue
        for stale in [p for p in origins if p[: len(here)] == here]:
            del origins[stale]
        base[key] = copy.deepcopy(value)
        _record(value, here, file, origins)


def apply_overrides(doc: dict[str, Any], origins: dict[Path, str], file: str,
                    overrides: Sequence[str]) -> list[Problem]:
    """Apply ``KEY.PATH=VALUE`` overrides (VALUE in TOML syntax); return every bad one.

    A bad override is skipped, so the file's own problems are still found in the same pass.
    """
    problems = []
    for text in overrides:
        origin = text.flag if isinstance(text, FlagOverride) else SET_ORIGIN
        try:
            path, value = parse_override(text)
            _set(doc, path, value)
        except ValueError as exc:
            problems.append(Problem(file, text.split("=", 1)[0] or origin, f"{origin}: {exc}"))
            continue
        _record(value, path, origin, origins)
    return problems


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """``"pools.handlers.scale=1.1"`` -> ``(("pools", "handlers", "scale"), 1.1)``."""
    key, sep, raw = text.partition("=")
    parts = tuple(p.strip() for p in key.split("."))
    if not sep or not key.strip() or any(not p for p in parts):
        raise ValueError(f"{text!r} is not KEY.PATH=VALUE, e.g. pools.handlers.scale=1.1")
    check_path(parts)
    return parts, parse_value(raw.strip())


def check_path(path: tuple[str, ...]) -> None:
    """Refuse a key path that nothing but a scenario file may set (or no path at all)."""
    if not path:
        raise ValueError("no key to change")
    if path[0] in ("extends", "source"):
        raise ValueError(f"{path[0]} can only be given in a scenario file")


def parse_value(raw: str) -> Any:
    """A value in TOML syntax; text that is not a single TOML value is taken as a string."""
    if not raw:
        raise ValueError("has no value after '='")
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        return raw
    except ValueError:  # Python's own limits, such as a number of 5,000 digits
        raise ValueError(f"{describe(raw)} is too long a number") from None
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if nesting(parsed) > MAX_NESTING:
        raise ValueError(TOO_DEEP)
    # "1\nother = 2" parses, but it is not one value: keep the text, for the schema to refuse.
    return parsed["v"] if list(parsed) == ["v"] else raw


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
                             + ("" if part in known else suggestion(part, known))
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
    """The document to save as ``scenario.toml``, remembering its source: each empirical data
    file is named by its absolute path and SHA-256 (the results folder keeps a copy of it)."""
    out = copy.deepcopy(doc)
    out.setdefault("source", file)
    for path, (data_file, sha256) in ck.data_files.items():
        node: Any = out
        for part in path:
            node = node[part]
        node.update(file=data_file, sha256=sha256)
    return out
