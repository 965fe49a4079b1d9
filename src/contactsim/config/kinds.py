"""A small declarative schema for scenario files.

A planner's scenario file is checked against one tree of field descriptions
(:mod:`contactsim.config.tables` holds the tree's tables, fields and shares; this module the
kinds of single value). Each kind
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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from contactsim.calendar import FIRST_YEAR, LAST_YEAR, parse_day
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
    pass

# The problem vocabulary is re-exported: kinds and the problems they report are used together,
# and callers have always found ScenarioError and Problem here.
__all__ = [
    "INVALID", "MAX_WEIGHT", "SET_ORIGIN", "Boolean", "Checker", "Days", "Kind", "ListOf",
    "Number", "Path", "Problem", "ScenarioError", "Text", "TimeOfDay", "Weights", "describe",
    "dotted", "finite", "is_number", "one_line", "plural", "suggestion",
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
