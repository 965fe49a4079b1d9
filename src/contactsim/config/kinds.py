"""A small declarative schema for scenario files.

A planner's scenario file is checked against one tree of :class:`Field` descriptions. Each kind
of value (a number with bounds, a time of day, a distribution, a table of named channels...)
knows how to check a raw TOML value and turn it into its canonical form. Checking never stops at
the first problem: every problem is collected with the file it came from and the dotted key path,
so a planner fixes a file in one pass. The same tree generates ``docs/scenario-reference.md``.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from contactsim.timebase import WEEKDAYS

Path = tuple[str | int, ...]

#: Marker returned by a kind when the value is unusable (a problem has been recorded).
INVALID: Final = object()



@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: the file, the dotted key path and what is wrong."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return one_line(f"error: {self.file}: {self.key}: {self.message}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped, so each problem stays on one line."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ScenarioError(Exception):
    """Bad input: one or more problems, each printed on its own line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def dotted(path: Path) -> str:
    """``("channels", "999", "mix")`` -> ``channels.999.mix``; list items as ``roster[2]``.

    A key that is not a bare TOML key (a dot, a space, an empty name) is quoted as TOML quotes
    it, so ``("channels", "a.b")`` reads ``channels."a.b"`` rather than a misleading path.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            out += ("." if out else "") + key
    return out or "(top level)"


def describe(value: Any) -> str:
    """A short, planner-readable rendering of a bad value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, int) and abs(value) >= 10**40:
        return f"an integer of {_digits(value)} digits"
    if isinstance(value, datetime.date | datetime.time):
        return f"{value} (a TOML date/time; write times of day in quotes, like \"07:30\")"
    return str(value)


def _digits(value: int) -> str:
    try:
        return str(len(str(abs(value))))
    except ValueError:  # beyond Python's limit for printing integers
        return f"about {int(value.bit_length() * math.log10(2)) + 1}"


def finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite number (not a bool), else None."""
    if not is_number(value):
        return None
    try:
        x = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return x if math.isfinite(x) else None


class Checker:
    """Collects problems while a document is checked, attributing each to its file."""

    def __init__(self, root_file: str, origins: Mapping[Path, str] | None = None) -> None:
        self.root_file = root_file
        self.origins: Mapping[Path, str] = origins or {}
        self.problems: list[Problem] = []
        #: Empirical distributions read from files, by path, to inline in the resolved scenario.
        self.inlined: dict[Path, list[float]] = {}

    def file_of(self, path: Path) -> str:
        """The file that set ``path`` (or its nearest enclosing table)."""
        for n in range(len(path), -1, -1):
            origin = self.origins.get(path[:n])
            if origin is not None:
                return origin
        return self.root_file

    def error(self, path: Path, message: str) -> object:
        file = self.file_of(path)
        if file == SET_ORIGIN:
            file, message = self.root_file, f"{message} (from --set)"
        self.problems.append(Problem(file, dotted(path), message))
        return INVALID


#: Origin recorded for values that came from ``--set`` on the command line.
SET_ORIGIN: Final = "--set"


class Kind:
    """How one value is checked and normalised; subclasses describe themselves for the docs."""

    type_name = "value"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        raise NotImplementedError

    def doc_type(self) -> str:
        return self.type_name


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Number(Kind):
    """A finite number within bounds; ``gt`` excludes the lower bound."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    integer: bool = False

    @property
    def type_name(self) -> str:  # type: ignore[override]
        return "integer" if self.integer else "number"

    def bounds_text(self) -> str:
        parts = []
        if self.gt is not None:
            parts.append(f"> {_fmt(self.gt)}")
        if self.ge is not None:
            parts.append(f">= {_fmt(self.ge)}")
        if self.le is not None:
            parts.append(f"<= {_fmt(self.le)}")
        if self.lt is not None:
            parts.append(f"< {_fmt(self.lt)}")
        return " and ".join(parts)

    def doc_type(self) -> str:
        bounds = self.bounds_text()
        return f"{self.type_name} ({bounds})" if bounds else self.type_name

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        want = f"an {self.type_name}" if self.integer else f"a {self.type_name}"
        bounds = self.bounds_text()
        if bounds:
            want += f" {bounds}"
        if not is_number(value) or (self.integer and not isinstance(value, int)):
            return ck.error(path, f"must be {want}, got {describe(value)}")
        if finite(value) is None:
            return ck.error(path, f"must be a finite number{' ' + bounds if bounds else ''}, "
                            f"got {describe(value)}")
        too_low = (self.gt is not None and value <= self.gt) or (
            self.ge is not None and value < self.ge
        )
        too_high = (self.le is not None and value > self.le) or (
            self.lt is not None and value >= self.lt
        )
        if too_low or too_high:
            return ck.error(path, f"must be {want}, got {describe(value)}")
        return value if self.integer else float(value)


def _fmt(x: float) -> str:
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return f"{x:g}"


@dataclass(frozen=True)
class Boolean(Kind):
    type_name = "true/false"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, bool):
            return ck.error(path, f"must be true or false, got {describe(value)}")
        return value


@dataclass(frozen=True)
class Text(Kind):
    """A string, optionally one of fixed choices."""

    choices: tuple[str, ...] = ()
    nonempty: bool = False

    def doc_type(self) -> str:
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        return "string"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, str):
            return ck.error(path, f"must be a string, got {describe(value)}")
        if self.choices and value not in self.choices:
            return ck.error(
                path,
                f"{describe(value)} is not allowed; choices are: {', '.join(self.choices)}"
                + suggestion(value, self.choices),
            )
        if self.nonempty and not value.strip():
            return ck.error(path, "must not be empty")
        return value


def plural(word: str) -> str:
    """``"channel"`` -> ``"channels"``, ``"category"`` -> ``"categories"``."""
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def suggestion(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")


@dataclass(frozen=True)
class TimeOfDay(Kind):
    """``"HH:MM"`` on a 24-hour clock -> minutes after midnight; ``"24:00"`` only as an end."""

    allow_24: bool = False

    def doc_type(self) -> str:
        return '"HH:MM"' + (' ("24:00" allowed)' if self.allow_24 else "")

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        ok = isinstance(value, str) and _TIME.fullmatch(value)
        if ok:
            hours, minutes = int(ok.group(1)), int(ok.group(2))
            if (hours < 24 and minutes < 60) or (self.allow_24 and hours == 24 and minutes == 0):
                return hours * 60 + minutes
        end = ', or "24:00" for midnight at the end of the day' if self.allow_24 else ""
        return ck.error(
            path, f'must be a time "HH:MM" on the 24-hour clock, like "07:30"{end}; '
            f"got {describe(value)}"
        )


@dataclass(frozen=True)
class Days(Kind):
    """Days of the week: ``"mon-sun"``, ``"mon-fri"``, ``"sat,sun"``, ``"fri-mon"`` or a list."""

    def doc_type(self) -> str:
        return 'days: "mon-sun", "mon-fri", "sat,sun" or a list like ["mon", "wed"]'

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            parts = [p for v in value for p in v.split(",")]
        elif isinstance(value, str) and value.strip():
            parts = value.split(",")
        else:
            return ck.error(path, f'must be days like "mon-fri" or ["sat", "sun"], got '
                            f"{describe(value)}")
        days: list[int] = []
        for part in parts:
            span = self._span(part.strip().lower())
            if span is None:
                return ck.error(
                    path, f"{part.strip()!r} is not a day or day range; use three-letter days "
                    f'({", ".join(WEEKDAYS)}) and ranges like "mon-fri"'
                )
            days.extend(d for d in span if d not in days)
        return tuple(sorted(days))

    @staticmethod
    def _span(text: str) -> list[int] | None:
        ends = text.split("-")
        if len(ends) == 1 and text in WEEKDAYS:
            return [WEEKDAYS.index(text)]
        if len(ends) == 2 and all(e in WEEKDAYS for e in ends):
            first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[1])
            return [(first + i) % 7 for i in range((last - first) % 7 + 1)]
        return None


#: Largest weight in a profile: weights are relative, and a cap keeps their sum finite.
MAX_WEIGHT: Final = 1e9


@dataclass(frozen=True)
class Weights(Kind):
    """A fixed-length list of non-negative weights, not all zero (normalised later)."""

    length: int
    what: str

    def doc_type(self) -> str:
        return f"list of {self.length} numbers >= 0 ({self.what})"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, list) or len(value) != self.length:
            got = f"{len(value)} values" if isinstance(value, list) else describe(value)
            return ck.error(path, f"must be a list of {self.length} weights ({self.what}), "
                            f"got {got}")
        bad = [i for i, v in enumerate(value) if not _weight_ok(v)]
        if bad:
            return ck.error(path, f"weight {bad[0] + 1} is {describe(value[bad[0]])}; "
                            f"weights must be numbers from 0 to {MAX_WEIGHT:,.0f}")
        if sum(value) <= 0:
            return ck.error(path, "weights are all zero; at least one must be above zero")
        return tuple(float(v) for v in value)


def _weight_ok(value: Any) -> bool:
    x = finite(value)
    return x is not None and 0 <= x <= MAX_WEIGHT


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind
    min_len: int = 0
    unique: bool = False

    def doc_type(self) -> str:
        return f"list of {self.item.doc_type()}"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, list):
            return ck.error(path, f"must be a list, got {describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must list at least {self.min_len} item(s)")
        out = [self.item.check(v, (*path, i), ck) for i, v in enumerate(value)]
        if any(v is INVALID for v in out):
            return INVALID
        if self.unique and len(set(out)) != len(out):
            return ck.error(path, "lists an item twice")
        return tuple(out)


@dataclass(frozen=True)
class Field:
    """One key of a table: how it is checked, and what the docs say about it."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: Any = None
    unit: str = ""
    example: str = ""
    #: Set while a key's behaviour is not built yet: the key is refused with this reason.
    not_yet: str = ""


@dataclass(frozen=True)
class Table(Kind):
    """A TOML table with known keys; unknown keys are errors with a suggestion."""

    fields: tuple[Field, ...]
    doc: str = ""
    #: Extra check on the whole normalised table (cross-field rules).
    post: Callable[[dict[str, Any], Path, Checker], None] | None = None
    type_name = "table"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict):
            return ck.error(path, f"must be a table, got {describe(value)}")
        names = self.field_names()
        out: dict[str, Any] = {}
        ok = True
        for key in value:
            if key not in names:
                ck.error((*path, key), "unknown key" + suggestion(key, names)
                         + f"; allowed here: {', '.join(names)}")
        for f in self.fields:
            if f.name not in value:
                if f.required:
                    ck.error(path, f"missing required key {f.name!r} ({f.doc.rstrip('.')})")
                    out[f.name], ok = INVALID, False
                else:
                    out[f.name] = f.default
                continue
            if f.not_yet:
                ck.error((*path, f.name), f"not supported yet: {f.not_yet}")
                out[f.name], ok = INVALID, False
                continue
            checked = f.kind.check(value[f.name], (*path, f.name), ck)
            ok = ok and checked is not INVALID
            out[f.name] = checked
        # A table with a bad key still returns what it could check, so that later cross-checks
        # report every other problem in the same pass; bad entries are INVALID.
        if ok and self.post is not None:
            self.post(out, path, ck)
        return out


_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


@dataclass(frozen=True)
class Named(Kind):
    """A table of named sub-tables, such as ``[channels.999]`` and ``[channels.101]``."""

    item: Table
    what: str
    min_len: int = 0

    def doc_type(self) -> str:
        return f"tables, one per {self.what}"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict):
            return ck.error(path, f"must be a table of {plural(self.what)}, got "
                            f"{describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must define at least {self.min_len} {self.what}")
        out: dict[str, Any] = {}
        for name, sub in value.items():
            if not _NAME.fullmatch(name):
                ck.error((*path, name), f"{self.what} names may use letters, digits, '_' and "
                         "'-' only")
                continue
            out[name] = self.item.check(sub, (*path, name), ck)
        return out


@dataclass(frozen=True)
class TableList(Kind):
    """An array of tables (``[[surges]]``, roster lines)."""

    item: Table
    min_len: int = 0

    def doc_type(self) -> str:
        return "list of tables"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, list):
            return ck.error(path, f"must be a list of tables, got {describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must have at least {self.min_len} entr"
                            + ("y" if self.min_len == 1 else "ies"))
        return [self.item.check(v, (*path, i), ck) for i, v in enumerate(value)]


@dataclass(frozen=True)
class Shares(Kind):
    """A table of names -> weights that must sum to 1 (a ``mix``)."""

    what: str
    tolerance: float = 1e-6

    def doc_type(self) -> str:
        return f"table of {self.what} = share (shares sum to 1)"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict) or not value:
            got = "an empty table {}" if isinstance(value, dict) else describe(value)
            return ck.error(path, f"must be a table like {{ crime = 0.6, info = 0.4 }}, got "
                            f"{got}")
        out: dict[str, float] = {}
        for name, share in value.items():
            checked = Number(ge=0.0, le=1.0).check(share, (*path, name), ck)
            if checked is not INVALID:
                out[name] = checked
        if len(out) != len(value):
            return INVALID
        total = sum(out.values())
        if abs(total - 1.0) > self.tolerance:
            return ck.error(path, f"shares add up to {total:.6g}, not 1; check for a typo")
        return out
