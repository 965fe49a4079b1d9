"""A small declarative schema for scenario files.

A planner's scenario file is checked against one tree of :class:`Field` descriptions. Each kind
of value (a number with bounds, a time of day, a distribution, a table of named channels...)
knows how to check a raw TOML value and turn it into its canonical form. Checking never stops at
the first problem: every problem is collected with the file it came from and the dotted key path
(:mod:`contactsim.problems`), so a planner fixes a file in one pass. The same tree
generates ``docs/scenario-reference.md``, and it says what each key builds: a :class:`Table`
names the frozen dataclass it becomes, each :class:`Field` the dataclass field it lands in, and
``Derived`` the dataclass fields no key sets directly (:mod:`contactsim.config.build`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from contactsim.calendar import parse_day
from contactsim.problems import (
    INVALID,
    SET_ORIGIN,
    Checker,
    Path,
    Problem,
    ScenarioError,
    describe,
    dotted,
    finite,
    is_number,
    one_line,
    plural,
    suggestion,
)
from contactsim.timebase import WEEKDAYS

if TYPE_CHECKING:
    from contactsim.config.build import Derived

# The problem vocabulary is re-exported: kinds and the problems they report are used together,
# and callers have always found ScenarioError and Problem here.
__all__ = [
    "INVALID", "MAX_WEIGHT", "SET_ORIGIN", "Boolean", "Checker", "Convert", "Days", "Field",
    "Kind", "ListOf", "Named", "Number", "Path", "Problem", "ScenarioError", "Shares", "Table",
    "TableList", "Text", "TimeOfDay", "Weights", "describe", "dotted", "finite", "is_number",
    "one_line", "plural", "suggestion",
]


class Kind:
    """How one value is checked and normalised; subclasses describe themselves for the docs."""

    type_name = "value"
    #: True for a table that stands for one value (a ``mix``): a child file that sets it replaces
    #: the parent's whole, where other tables merge key by key (see
    #: :func:`contactsim.config.loading.read_document`).
    replaces_whole = False

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        raise NotImplementedError

    def doc_type(self) -> str:
        return self.type_name


@dataclass(frozen=True)
class Number(Kind):
    """A finite number within bounds; ``gt`` excludes the lower bound."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    integer: bool = False
    #: Smallest value other than 0 (a tiny or subnormal value is no quantity a planner means,
    #: and it overflows or divides by zero in the engine).
    least: float | None = None

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
        if self.least is not None and self.gt == 0:  # positive: it is simply the lower bound
            bounds = bounds.replace("> 0", f">= {self.least:g}", 1)
        elif self.least is not None:
            least = f"0 or at least {self.least:g}"
            bounds = f"{bounds}; {least}" if bounds else least
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
        if self.least is not None and value != 0 and abs(value) < self.least:
            zero = "0 or " if self.gt is None or self.gt < 0 else ""
            return ck.error(path, f"must be {zero}at least {self.least:g}, got {describe(value)}"
                            "; a value this small is surely a typo")
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
#: Smallest weight other than 0: a billionth of the largest, so no weight is subnormal and the
#: ratio of any two stays within a float's range and precision.
MIN_WEIGHT: Final = 1e-6


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
                            f"weights must be numbers from 0 to {MAX_WEIGHT:,.0f} (0, or at least "
                            f"{MIN_WEIGHT:g})")
        if sum(value) <= 0:
            return ck.error(path, "weights are all zero; at least one must be above zero")
        return tuple(float(v) for v in value)


def _weight_ok(value: Any) -> bool:
    x = finite(value)
    return x is not None and (x == 0 or MIN_WEIGHT <= x <= MAX_WEIGHT)


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


#: How a key's checked value becomes the value of its dataclass field.
Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One key of a table: how it is checked, what the docs say about it, and where it lands."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    default: Any = None
    unit: str = ""
    example: str = ""
    #: Set while a key's behaviour is not built yet: the key is refused with this reason.
    not_yet: str = ""
    #: The dataclass field this key builds: "" for the field of the same name, a name to land
    #: elsewhere (``start`` -> ``start_min``), None for a key that builds no field itself (read
    #: while loading, like ``extends``, or only through a :class:`Derived` field).
    into: str | None = ""
    #: Applied to the checked value (a nested table's: once built) on the way into the
    #: dataclass, e.g. weights normalised to mean 1, a weekday name to its index.
    convert: Convert | None = None

    @property
    def attr(self) -> str | None:
        """The dataclass field this key builds, or None."""
        return self.name if self.into == "" else self.into


@dataclass(frozen=True)
class Table(Kind):
    """A TOML table with known keys; unknown keys are errors with a suggestion.

    ``spec`` is the frozen dataclass the checked table builds; every one of its fields is fed by
    one field's key (see :attr:`Field.into`) or by one of ``derived``
    (:func:`contactsim.config.build.unbound` holds the schema to that).
    """

    fields: tuple[Field, ...]
    doc: str = ""
    #: Extra check on the whole normalised table (cross-field rules).
    post: Callable[[dict[str, Any], Path, Checker], None] | None = None
    spec: type | None = None
    derived: tuple[Derived, ...] = ()
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


#: Most entries a named table may hold (channels, categories, pools...): the engine packs a
#: contact's channel and category into one integer record code.
MAX_NAMED: Final = 10_000


@dataclass(frozen=True)
class Named(Kind):
    """A table of named sub-tables, such as ``[channels.999]`` and ``[channels.101]``."""

    item: Table
    what: str
    min_len: int = 0
    max_len: int = MAX_NAMED

    def doc_type(self) -> str:
        return f"tables, one per {self.what}"

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict):
            return ck.error(path, f"must be a table of {plural(self.what)}, got "
                            f"{describe(value)}")
        if len(value) < self.min_len:
            return ck.error(path, f"must define at least {self.min_len} {self.what}")
        if len(value) > self.max_len:
            return ck.error(path, f"defines {len(value):,} {plural(self.what)}; at most "
                            f"{self.max_len:,} are allowed")
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
    """A table of names -> shares that must add up to 1 (a ``mix``).

    The names are those of the scenario's ``names`` tables (categories), which this table cannot
    see, so :meth:`check` checks the shares one by one and the rules that span tables
    (:mod:`contactsim.config.rules`) then check the names and, only when every name is known,
    the total with :meth:`check_total`: a typo'd name is reported as the typo it is, not as a
    total that is off. A child file's share table replaces its parent's whole (a mix is one
    value; merged key by key, a renamed or removed category would linger from the parent).
    """

    what: str
    names: str
    #: Shares within half a percent of 1 are accepted (``0.333`` three times) and scaled to add
    #: up to 1 when contacts are drawn; the run's warnings say so.
    tolerance: float = 0.005
    replaces_whole = True

    def doc_type(self) -> str:
        return (f"table of {self.what} = share (shares sum to 1, within 0.5%; in a file that "
                "extends another, it replaces the other's whole)")

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, dict) or not value:
            got = "an empty table {}" if isinstance(value, dict) else describe(value)
            return ck.error(path, f"must be a table like {{ crime = 0.6, info = 0.4 }}, got "
                            f"{got}")
        out: dict[str, float] = {}
        for name, share in value.items():
            if is_number(share) and 2.0 <= share <= 100.0:  # a percentage
                ck.error((*path, name), f"a share is a fraction of 1, got {share:g}; did you "
                         f"mean {share / 100:g}?")
                continue
            checked = Number(ge=0.0, le=1.0).check(share, (*path, name), ck)
            if checked is not INVALID:
                out[name] = checked
        if len(out) != len(value):
            return INVALID
        return out

    def check_total(self, shares: dict[str, float], path: Path, ck: Checker) -> None:
        """Report shares (each already checked) that do not add up to 1."""
        total = sum(shares.values())
        if abs(total - 1.0) > self.tolerance:
            ck.error(path, f"shares add up to {total:.6g}, not 1; check for a typo",
                     [(*path, name) for name in shares])


#: Years a run may start in. The holidays package knows bank holidays up to 2100, and a run
#: is at most 3,660 days (ten years), so a run starting by 2090 ends within what it knows.
FIRST_YEAR, LAST_YEAR = 1950, 2090
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Date(Kind):
    """A calendar date ``"YYYY-MM-DD"`` (or a bare TOML date) -> :class:`datetime.date`."""

    def doc_type(self) -> str:
        return '"YYYY-MM-DD"'

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        day: datetime.date | None = None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            day = value
        elif isinstance(value, str) and _DATE.fullmatch(value):
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                day = None
        if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
            return ck.error(path, f'must be a date "YYYY-MM-DD" from {FIRST_YEAR} to '
                            f'{LAST_YEAR}, like "2025-06-01"; got {describe(value)}')
        return day


@dataclass(frozen=True)
class DayOfYear(Kind):
    """``"MM-DD"`` (every year) or ``"YYYY-MM-DD"`` (once) -> (month, day, year or None)."""

    def doc_type(self) -> str:
        return '"MM-DD" or "YYYY-MM-DD"'

    def check(self, value: Any, path: Path, ck: Checker) -> Any:
        if not isinstance(value, str):
            return ck.error(path, 'must be a date in quotes, "MM-DD" for every year or '
                            f'"YYYY-MM-DD" for one date; got {describe(value)}')
        try:
            month, day, year = parse_day(value)
        except ValueError as exc:
            return ck.error(path, str(exc))
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR + 10:
            return ck.error(path, f"must be a date from {FIRST_YEAR} to {LAST_YEAR + 10}; got "
                            f"{describe(value)}")
        return month, day, year
