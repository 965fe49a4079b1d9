"""Writing a contact log as a telephony export would: one CSV row per contact (DESIGN §10).

The columns are the log format's own, in its order: ``arrived, channel, category, queued,
answered, abandoned, talk_s, wrap_s, diverted_to, caller, agent`` (``agent`` only for a log
that has one: a simulated log always does). Timestamps are on the London wall
clock, ``YYYY-MM-DD HH:MM:SS.fff``, so a file covering the end of summer time shows the
repeated hour twice (rows are in order of the true instant of arrival, so the clock steps back
once) and never shows the skipped hour at its start. An absent value is an empty cell:
``answered`` of a call that was abandoned, ``queued`` of a contact a pre-queue diversion took,
both ``answered`` and ``abandoned`` of a call still in progress. ``caller`` is an opaque key in
hexadecimal (equal keys, the same caller), as a force would hash its callers' numbers.

A year of a large force is millions of rows, so every column is formatted at once by numpy
and pyarrow (no Python per row). A name ending ``.gz`` is gzip-compressed. The file is written
under a temporary name beside it and renamed into place when complete, so an interrupted write
leaves no half a file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from contactsim.atomic import replacing
from contactsim.logs.london import utc_to_local
from contactsim.logs.model import COLUMNS, ContactLog
from contactsim.outcomes import ABANDONED, ANSWERED, DIVERTED

#: Multiplier that scatters caller numbers over 64 bits (odd, so no two numbers share a key).
_SCATTER = np.uint64(0x9E3779B97F4A7C15)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def write_log(log: ContactLog, path: Path) -> None:
    """Write ``log`` to ``path`` (CSV; gzip when the name ends ``.gz``), rows in order of
    arrival, atomically."""
    table = log_table(log)
    compression = "gzip" if str(path).endswith(".gz") else None
    with replacing(Path(path)) as tmp, pa.output_stream(str(tmp), compression=compression) as out:
        out.write((",".join(table.column_names) + "\n").encode())
        pcsv.write_csv(table, out, pcsv.WriteOptions(include_header=False, quoting_style="none"))


def log_table(log: ContactLog) -> pa.Table:
    """The log's rows as text and number columns, in the file's order and format."""
    order = np.argsort(log.arrived_utc, kind="stable")
    outcome = log.outcome[order]
    arrived = log.arrived_utc[order]
    queued = arrived + log.connect_s[order]
    ended = queued + log.wait_s[order]
    columns = {
        "arrived": _timestamps(arrived),
        "channel": _names(log.channels, log.channel[order]),
        "category": _names(log.categories, log.category[order]),
        "queued": _timestamps(np.where(outcome == DIVERTED, np.nan, queued)),
        "answered": _timestamps(np.where(outcome == ANSWERED, ended, np.nan)),
        "abandoned": _timestamps(np.where(outcome == ABANDONED, ended, np.nan)),
        "talk_s": _seconds(log.talk_s[order]),
        "wrap_s": _seconds(log.wrap_s[order]),
        "diverted_to": _names(log.partners, log.diverted_to[order]),
        "caller": _keys(log.caller[order]),
    }
    if log.agent is not None:
        columns["agent"] = _names(log.agents, log.agent[order])
    assert tuple(columns) == COLUMNS[:len(columns)]
    return pa.table(columns)


def _timestamps(utc: np.ndarray) -> pa.Array:
    """London wall-clock text of each instant, to the millisecond; NaN: empty."""
    local = utc_to_local(utc)
    missing = np.isnan(local)
    ms = np.rint(np.where(missing, 0.0, local) * 1000).astype(np.int64)
    stamps = pa.array(ms.astype("datetime64[ms]"), mask=missing)
    return pc.strftime(stamps, format="%Y-%m-%d %H:%M:%S")


def _names(names: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """``names[code]`` for each row; a negative code: empty."""
    codes = np.asarray(codes)
    missing = codes < 0
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    return pa.array(names or ("",), pa.string()).take(indices)


def _seconds(values: np.ndarray) -> pa.Array:
    """Durations to the millisecond; NaN: empty."""
    return pa.array(np.round(values, 3), mask=np.isnan(values))


def _keys(caller: np.ndarray) -> pa.Array:
    """Each caller number as a 16-digit hexadecimal key; a negative number: empty."""
    missing = caller < 0
    with np.errstate(over="ignore"):
        scattered = caller.astype(np.uint64) * _SCATTER
    shifts = np.arange(60, -1, -4, dtype=np.uint64)
    digits = _HEX[((scattered[:, None] >> shifts) & np.uint64(15)).astype(np.intp)]
    text = np.ascontiguousarray(digits).view("S16").ravel()
    return pa.array(text, pa.binary(), mask=missing).cast(pa.string())
