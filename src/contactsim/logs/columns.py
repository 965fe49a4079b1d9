"""Which of a log's columns are ours: the header, and a vendor's names mapped onto ours.

A force's telephony export rarely uses contactsim's column names. A small TOML file given with
``--columns`` says which of the vendor's columns holds each of ours::

    arrived = "CallStartTime"
    channel = "Queue"
    answered = "AnswerTime"

Columns the file does not name are looked for under their own names; every other column of
the export is ignored (vendors export dozens). The header's names are compared after stray
whitespace is trimmed, as the cells are.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping, Sequence

from contactsim.files import FOLDER, MISSING, NotAFileError, read_regular
from contactsim.logs.model import COLUMNS, REQUIRED
from contactsim.problems import FILE_KEY, Problem, ScenarioError, describe, suggestion

#: A column map is a handful of lines; anything larger is not one.
MAX_MAP_BYTES = 100_000


def read_column_map(file: str) -> dict[str, str]:
    """Our column name -> the vendor's, from a ``--columns`` TOML file (checked)."""
    def bad(key: str, message: str) -> ScenarioError:
        return ScenarioError([Problem(file, key, message)])

    try:
        raw = read_regular(file, MAX_MAP_BYTES)
    except NotAFileError as exc:
        words = {MISSING: "file not found", FOLDER: "is a folder, not a column map"}
        raise bad(FILE_KEY, words.get(exc.kind, f"{exc.words}, not a column map")) from None
    except (OSError, ValueError) as exc:
        raise bad(FILE_KEY, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if len(raw) > MAX_MAP_BYTES:
        raise bad(FILE_KEY, f"is larger than {MAX_MAP_BYTES:,} bytes; is it a column map?")
    try:
        doc = tomllib.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise bad(FILE_KEY, "is not UTF-8 text; save it as UTF-8") from None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise bad(FILE_KEY, f"invalid TOML: {exc} (write lines like "
                            'arrived = "CallStartTime")') from None
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    taken: dict[str, str] = {}  # theirs -> ours
    for ours, theirs in doc.items():
        if ours not in COLUMNS:
            problems.append(Problem(file, ours, "unknown column" + suggestion(ours, COLUMNS)
                                    + f" (the log's columns are: {', '.join(COLUMNS)})"))
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
    if problems:
        raise ScenarioError(problems)
    return mapping


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
