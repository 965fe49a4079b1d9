"""Cells of a log, whole columns at a time: timestamps and seconds checked and turned into numbers.

Every column arrives as text (pyarrow reads it; nothing is guessed from the first rows), trimmed
of stray whitespace, with empty cells as absent. Each parser returns the numbers (NaN where a
cell is absent or bad) and a mask of the cells that are present but bad, so the reader can name
every bad row without a Python loop over the rows.
"""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from contactsim.calendar import FIRST_YEAR as FIRST_YEAR, LAST_YEAR as LAST_YEAR
from contactsim.timebase import MAX_DURATION_S

#: What a timestamp must look like (the ``T`` of ISO 8601 is accepted in place of the space).
TIME_WORDS = "YYYY-MM-DD HH:MM:SS, optionally with fractions of a second (.fff)"
#: The same, for each ``date_format`` of a ``--columns`` file.
FORMAT_WORDS = {
    "iso": TIME_WORDS,
    "day-first": 'DD/MM/YYYY HH:MM:SS (date_format = "day-first"; "-" or "." may separate the '
                 "date, seconds and fractions are optional)",
    "month-first": 'MM/DD/YYYY HH:MM:SS (date_format = "month-first"; "-" or "." may separate '
                   "the date, seconds and fractions are optional)",
}
_TIME = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
#: A day-first or month-first timestamp: the date's two numbers, the year, then the time.
_SLASHED = (r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})[ T](?P<H>\d{1,2}):(?P<M>\d{2})"
            r"(?::(?P<S>\d{2})(?P<f>\.\d{1,9})?)?$")
#: A duration on a clock: hours (any number of digits), minutes and seconds.
_CLOCK = r"^(?P<H>\d{1,9}):(?P<M>[0-5]\d):(?P<S>[0-5]\d)(?P<F>\.\d*)?$"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_NOT_FINITE = r"(?i)^[+-]?(nan|inf|infinity)$"
_DAY_FIRST = r"^\d{1,2}/\d{1,2}/\d{2,4}"

#: Wall-clock seconds since 1970 of the first instant of FIRST_YEAR and of the year after
#: LAST_YEAR (calendar: the years a scenario can hold): a time outside them is a row problem,
#: never a fitted scenario that does not load.
EARLIEST_S = (datetime.datetime(FIRST_YEAR, 1, 1) - datetime.datetime(1970, 1, 1)).total_seconds()
LATEST_S = (datetime.datetime(LAST_YEAR + 1, 1, 1)
            - datetime.datetime(1970, 1, 1)).total_seconds()
#: The longest duration a scenario can hold (timebase.MAX_DURATION_S, 30 days): a talk time,
#: wrap-up or wait beyond it is a row problem.
MAX_SECONDS = MAX_DURATION_S
#: Longest name of a channel, category or partner read (a row's whole text is a few hundred
#: bytes; a longer cell is a column shifted or a damaged export).
MAX_NAME_CHARS = 100


def clean(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text, with empty (or all-blank) cells as null."""
    text = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _numpy(values: pa.ChunkedArray | pa.Array, dtype: type = np.float64) -> np.ndarray:
    return np.array(pc.fill_null(values.cast(pa.float64()), np.nan).to_numpy(), dtype=dtype)


def present(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)


def _digits(text: pa.ChunkedArray, start: int) -> pa.ChunkedArray:
    return pc.utf8_slice_codeunits(text, start, start + 2).cast(pa.int64())


def parse_times(column: pa.ChunkedArray, date_format: str = "iso") -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Wall-clock seconds since 1970-01-01 of each cell, and the mask of unparseable cells.

    The shape is checked by a regular expression, the date and time by reading them (so
    2024-02-30, or 25:00, is refused rather than rolled over into the next day). Other
    ``date_format`` values than ``iso`` are rewritten as ISO first (:func:`_slashed`).
    """
    if date_format != "iso":
        return _parse(column, _slashed(column, day_first=date_format == "day-first"))
    return _parse(column, column)


def _slashed(column: pa.ChunkedArray, *, day_first: bool) -> pa.ChunkedArray:
    """Day-first (or month-first) cells as ISO text, ``YYYY-MM-DD HH:MM:SS[.fff]``; a cell of
    any other shape: null."""
    parts = pc.extract_regex(column, _SLASHED)

    def part(name: str) -> pa.ChunkedArray:
        return pc.utf8_lpad(pc.struct_field(parts, name), width=2, padding="0")

    day, month = (part("a"), part("b")) if day_first else (part("b"), part("a"))
    second = part("S")  # "" where the cell has no seconds: padded to "00"
    return pc.binary_join_element_wise(
        pc.struct_field(parts, "y"), "-", month, "-", day, " ", part("H"), ":", part("M"), ":",
        second, pc.struct_field(parts, "f"), "")


def _parse(column: pa.ChunkedArray, iso: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of the ISO text ``iso`` (``column`` as read, or rewritten), and the mask of
    ``column``'s present cells that do not read."""
    shaped = pc.fill_null(pc.match_substring_regex(iso, _TIME), False)
    text = pc.if_else(shaped, iso, pa.scalar(None, pa.string()))
    try:  # one cast reads and checks every cell (2024-02-30 fails it)
        micro = pc.cast(text, pa.timestamp("us")).cast(pa.int64())
        seconds = _numpy(micro) / 1e6
    except pa.ArrowInvalid:  # some cell is not a real date or time: find which
        seconds = _checked_times(text)
    bad = present(column) & np.isnan(seconds)
    return seconds, bad


def outside_years(seconds: np.ndarray) -> np.ndarray:
    """The cells dated outside FIRST_YEAR to LAST_YEAR (NaN is not)."""
    return (seconds < EARLIEST_S) | (seconds >= LATEST_S)


def time_hint(cell: str, date_format: str = "iso") -> str:
    """A reason a planner can act on for one unparseable timestamp."""
    slashed = pc.match_substring_regex(pa.array([cell]), _DAY_FIRST)[0].as_py()
    if slashed and date_format == "iso":
        return (" (dates are read year first, 2024-01-31; for 31/01/2024 write date_format = "
                '"day-first" in a --columns file, for 01/31/2024 "month-first")')
    if slashed:
        return ""
    if date_format != "iso" and pc.match_substring_regex(pa.array([cell]), _TIME)[0].as_py():
        return (f' (the --columns file says date_format = "{date_format}"; this cell is '
                'written year first, as date_format = "iso" reads)')
    if pc.match_substring_regex(pa.array([cell]), _TIME[:-1])[0].as_py():
        return " (a time-zone suffix is not allowed: write London local time)"
    return ""


def _checked_times(text: pa.ChunkedArray) -> np.ndarray:
    """Seconds of each well-shaped cell, NaN where its date or time does not exist."""
    whole = pc.replace_substring(pc.utf8_slice_codeunits(text, 0, 19), "T", " ")
    stamp = pc.strptime(whole, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls 2024-02-30 over into March (and may take a leap second): the day and the
    # second read back must be the ones written.
    exact = pc.and_(pc.equal(pc.day(stamp), _digits(whole, 8)),
                    pc.equal(pc.second(stamp), _digits(whole, 17)))
    exact = pc.fill_null(exact, False)
    seconds = _numpy(pc.if_else(exact, stamp.cast(pa.int64()), pa.scalar(None, pa.int64())))
    fraction = pc.utf8_slice_codeunits(text, 19, 40)  # ".fff" or ""
    has_fraction = pc.fill_null(pc.greater(pc.utf8_length(fraction), 0), False)
    fraction = pc.if_else(has_fraction, pc.binary_join_element_wise("0", fraction, ""), "0")
    seconds += _numpy(fraction)
    return seconds


def parse_seconds(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds in each cell (NaN absent or bad), and masks: not a number, not finite.

    A number of seconds (``330``, ``12.5``), or a clock, ``H:MM:SS`` (``0:05:30``, with
    fractions too); ``05:30`` is refused (minutes and seconds, or hours and minutes?).
    """
    number = pc.fill_null(pc.match_substring_regex(column, _NUMBER), False)
    values = _numpy(pc.if_else(number, column, pa.scalar(None, pa.string())))
    not_finite = np.asarray(pc.fill_null(pc.match_substring_regex(column, _NOT_FINITE), False)
                            .to_numpy(zero_copy_only=False), dtype=bool)
    not_finite |= ~np.isfinite(values) & ~np.isnan(values)  # 1e999 overflows to inf
    values[not_finite] = np.nan
    bad = present(column) & np.isnan(values) & ~not_finite
    if bad.any():  # only then: a log of plain seconds pays nothing for clocks
        clock = _clock_seconds(column)
        values = np.where(bad, clock, values)
        bad &= np.isnan(clock)
    return values, bad, not_finite


def _clock_seconds(column: pa.ChunkedArray) -> np.ndarray:
    """Seconds of each ``H:MM:SS[.fff]`` cell; NaN for any other.

    The whole seconds are added up as integers and the fraction's digits appended before the
    text is read as a number, so ``0:05:30.25`` reads exactly as ``330.25`` does.
    """
    parts = pc.extract_regex(column, _CLOCK)
    hours, minutes, seconds = (pc.struct_field(parts, name).cast(pa.int64()) for name in "HMS")
    whole = pc.add(pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)), seconds)
    return _numpy(pc.binary_join_element_wise(whole.cast(pa.string()),
                                              pc.struct_field(parts, "F"), ""))


def codes(column: pa.ChunkedArray, fill: str | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """Sorted distinct names, and each cell's index into them (-1 for an absent cell)."""
    if fill is not None:
        column = pc.fill_null(column, fill)
    names = pc.unique(column).drop_null()
    names = names.take(pc.array_sort_indices(names))
    index = pc.index_in(column, value_set=names)
    return tuple(names.to_pylist()), _numpy(pc.fill_null(index, -1), np.int64)


def keys(column: pa.ChunkedArray) -> np.ndarray:
    """Opaque keys as integers: equal strings get equal numbers, absent cells -1."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    return _numpy(pc.fill_null(encoded.indices, -1), np.int64)
