"""Which of a log's columns are ours, and how a vendor writes them: the ``--columns`` file.

A force's telephony export rarely uses contactsim's column names, nor always its formats. A small
TOML file given with ``--columns`` says which of the vendor's columns holds each of ours, and
optionally how its dates are written, how much its clocks may disagree and which of its values
are which of ours::

    arrived = "CallStartTime"
    channel = "Queue"
    answered = "AnswerTime"
    date_format = "day-first"      # 31/01/2024 14:03:22 ("iso", the default: 2024-01-31 ...)
    clock_skew_s = 2               # seconds a time may be early (default 2; --clock-skew wins)

    [values.channel]               # the export's value = ours (matched ignoring case)
    EMERGENCY = "999"
    WEBCHAT = "online"

Columns the file does not name are looked for under their own names; every other column of
the export is ignored (vendors export dozens). The header's names are compared after stray
whitespace is trimmed, as the cells are.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contactsim.files import FOLDER, MISSING, NotAFileError, read_regular
from contactsim.logs.model import COLUMNS, REQUIRED
from contactsim.problems import FILE_KEY, Problem, ScenarioError, describe, suggestion

#: A column map is a handful of lines; anything larger is not one.
MAX_MAP_BYTES = 100_000
#: How a log may write its dates (``date_format``), with an example of each.
DATE_FORMATS = {"iso": "2024-01-31 14:03:22", "day-first": "31/01/2024 14:03:22",
                "month-first": "01/31/2024 14:03:22"}
#: Seconds a time may be before the one it follows and still be read (clamped, counted).
DEFAULT_CLOCK_SKEW_S = 2.0
#: Most clock skew allowed: beyond a minute the times are wrong, not skewed (and a tolerance
#: must stay well inside the hour the clocks repeat in autumn).
MAX_CLOCK_SKEW_S = 60.0
#: The columns whose values a ``[values.COLUMN]`` table may map onto ours.
MAPPED_VALUES = ("channel", "category", "diverted_to")
_SETTINGS = ("date_format", "clock_skew_s", "values")


@dataclass(frozen=True)
class ColumnMap:
    """A ``--columns`` file, checked (or the defaults, without one)."""

    names: dict[str, str] = field(default_factory=dict)  # our column -> the vendor's
    date_format: str = "iso"
    clock_skew_s: float | None = None  # None: not set in the file
    #: column -> the vendor's value, case-folded -> ours.
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def read_column_map(file: str) -> ColumnMap:
    """The ``--columns`` TOML file, checked: each problem names the file and its key."""
    doc = _load(file)
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    taken: dict[str, str] = {}  # theirs -> ours
    for ours, theirs in doc.items():
        if ours in _SETTINGS:
            continue
        if ours not in COLUMNS:
            problems.append(Problem(file, ours, "unknown column" + suggestion(
                ours, COLUMNS + _SETTINGS) + f" (the log's columns are: {', '.join(COLUMNS)}; "
                "the settings: " + ", ".join(_SETTINGS) + ")"))
        elif not isinstance(theirs, str) or not theirs.strip():
            problems.append(Problem(file, ours, "must be the name of a column in the log, in "
                                    f'quotes (like {ours} = "CallStartTime"), got '
                                    f"{describe(theirs)}"))
        elif theirs.strip() in taken:
            problems.append(Problem(file, ours, f'"{theirs.strip()}" is already mapped to '
                                    f"{taken[theirs.strip()]}; one column of the log can be "
                                    "only one of ours"))
        else:
            taken[theirs.strip()] = ours
            mapping[ours] = theirs.strip()
    date_format = _date_format(file, doc.get("date_format", "iso"), problems)
    skew = _clock_skew(file, doc.get("clock_skew_s"), problems)
    values = _values(file, doc.get("values", {}), problems)
    if problems:
        raise ScenarioError(problems)
    return ColumnMap(mapping, date_format, skew, values)


def _load(file: str) -> dict[str, Any]:
    def bad(message: str) -> ScenarioError:
        return ScenarioError([Problem(file, FILE_KEY, message)])

    try:
        raw = read_regular(file, MAX_MAP_BYTES)
    except NotAFileError as exc:
        words = {MISSING: "file not found", FOLDER: "is a folder, not a column map"}
        raise bad(words.get(exc.kind, f"{exc.words}, not a column map")) from None
    except (OSError, ValueError) as exc:
        raise bad(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_MAP_BYTES:
        raise bad(f"is larger than {MAX_MAP_BYTES:,} bytes; is it a column map?")
    try:
        return tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text; save it as UTF-8") from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise bad(f"invalid TOML: {exc} (write lines like "
                  'arrived = "CallStartTime")') from None


def _date_format(file: str, value: object, problems: list[Problem]) -> str:
    known = ", ".join(f'"{name}" ({example})' for name, example in DATE_FORMATS.items())
    if isinstance(value, str) and value.strip().lower() in DATE_FORMATS:
        return value.strip().lower()
    problems.append(Problem(file, "date_format", f"unknown date format {describe(value)}"
                            + (suggestion(value, tuple(DATE_FORMATS))
                               if isinstance(value, str) else "")
                            + f"; write one of {known}"))
    return "iso"


def _clock_skew(file: str, value: object, problems: list[Problem]) -> float | None:
    if value is None:
        return None
    if (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and 0 <= value <= MAX_CLOCK_SKEW_S):
        return float(value)
    problems.append(Problem(file, "clock_skew_s", "must be a number of seconds from 0 to "
                            f"{MAX_CLOCK_SKEW_S:g} (like clock_skew_s = 2), got {describe(value)}"))
    return None


def _values(file: str, tables: object, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """``[values.COLUMN]`` tables: the export's value = ours, keys matched ignoring case."""
    how = 'write a table per column, like [values.channel] then EMERGENCY = "999"'
    if not isinstance(tables, dict):
        problems.append(Problem(file, "values", f"must be tables of values; {how}"))
        return {}
    out: dict[str, dict[str, str]] = {}
    for column, table in tables.items():
        key = f"values.{column}"
        if column not in MAPPED_VALUES:
            problems.append(Problem(file, key, "values can be mapped only for "
                                    + ", ".join(MAPPED_VALUES) + suggestion(column, MAPPED_VALUES)))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, key, f"must be a table, got {describe(table)}; {how}"))
            continue
        found: dict[str, str] = {}
        spelt: dict[str, str] = {}  # folded -> the key as written
        for theirs, ours in table.items():
            folded = theirs.strip().casefold()
            if not isinstance(ours, str) or not ours.strip():
                problems.append(Problem(file, f"{key}.{theirs}", "must be one of our names in "
                                        f'quotes (like EMERGENCY = "999"), got {describe(ours)}'))
            elif not folded:
                problems.append(Problem(file, f"{key}.{theirs}", "an empty value cannot be "
                                        "mapped (an empty cell is absent)"))
            elif folded in found and found[folded] != ours.strip():
                problems.append(Problem(file, f"{key}.{theirs}", f"{spelt[folded]!r} differs "
                                        "from it only by case but maps to "
                                        f"{found[folded]!r}; values are matched ignoring case"))
            else:
                found[folded], spelt[folded] = ours.strip(), theirs
        out[column] = found
    return out


def header_names(first_line: str) -> list[str]:
    """The header's column names, parsed as CSV (quotes allowed), BOM and whitespace trimmed."""
    row = next(csv.reader([first_line.removeprefix("\ufeff")]), [])
    return [name.strip() for name in row]


def choose_columns(log: str, header: Sequence[str], mapping: Mapping[str, str],
                   map_file: str | None) -> dict[str, int]:
    """Our column -> its position in ``header``, for the columns the log has.

    A required column missing is a problem keyed by the column (or, when the map named it, by
    the map file and key); so is a mapped column that the log does not have, and one of the
    vendor's columns that would serve two of ours.
    """
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen and _used(name, mapping):
            problems.append(Problem(log, name, f"the header names column {name!r} twice "
                                    f"(columns {seen[name] + 1} and {i + 1})"))
        seen.setdefault(name, i)
    used_by: dict[str, str] = {}
    listed = ", ".join(repr(h) for h in header[:30]) + (" ..." if len(header) > 30 else "")
    for ours in COLUMNS:
        theirs = mapping.get(ours, ours)
        if theirs in seen:
            if theirs in used_by and map_file is not None:
                problems.append(Problem(map_file, ours if ours in mapping else used_by[theirs],
                                        f"{theirs!r} is also our {used_by[theirs]} column; "
                                        "one column of the log can be only one of ours"))
                continue
            used_by[theirs] = ours
            positions[ours] = seen[theirs]
        elif ours in mapping and map_file is not None:
            problems.append(Problem(map_file, ours, f"{theirs!r} is not a column of {log}"
                                    + suggestion(theirs, header) + f" (its columns: {listed})"))
        elif ours in REQUIRED:
            problems.append(Problem(log, ours, f"missing required column {ours!r}"
                                    + suggestion(ours, header) + f" (the header has: {listed}; "
                                    "a --columns file maps a vendor's names onto ours)"))
    if problems:
        raise ScenarioError(problems)
    return positions


def _used(name: str, mapping: Mapping[str, str]) -> bool:
    return name in mapping.values() or (name in COLUMNS and name not in mapping)
