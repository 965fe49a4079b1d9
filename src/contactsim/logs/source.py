"""Opening a log file safely, and finding a row's line in it when a problem must be named.

A log is read only if it is a regular file (never a folder, a device or a FIFO that would block:
the checks of :mod:`contactsim.files`), gzip-compressed or not whatever its name says
(the first two bytes tell). Line numbers are counted only when a problem needs one, so a good
log pays nothing for them.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from contactsim.files import FOLDER, MISSING, NotAFileError, check_regular, mode_problem
from contactsim.problems import FILE_KEY, Problem, ScenarioError

_GZIP = b"\x1f\x8b"
#: How much of a file is looked at for its header and for signs that it is not text.
HEAD_BYTES = 1 << 16
#: The reader's block (:data:`contactsim.logs.stream.BLOCK_BYTES`), in words.
BLOCK_WORDS = "16 MiB"


def _bad(file: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, FILE_KEY, message)])


def open_log(file: str) -> pa.NativeFile:
    """A stream of the file's text bytes (decompressed), or a problem naming the file."""
    try:
        check_regular(file)
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    except NotAFileError as exc:
        words = {MISSING: "log file not found", FOLDER: "is a folder, not a contact log"}
        raise _bad(file, words.get(exc.kind, f"{exc.words}, not a contact log")) from None
    except OSError as exc:
        raise _bad(file, f"cannot read: {exc.strerror or exc}") from None
    problem = mode_problem(os.fstat(fd).st_mode)  # swapped for a FIFO since the check
    if problem is not None:
        os.close(fd)
        raise _bad(file, f"{problem.words}, not a contact log")
    handle = os.fdopen(fd, "rb")
    magic = handle.read(2)
    handle.seek(0)
    stream: pa.NativeFile = pa.PythonFile(handle, mode="r")
    if magic == _GZIP:
        stream = pa.CompressedInputStream(stream, "gzip")
    return stream


def read_head(file: str) -> tuple[str, int]:
    """The header (the first line that is not blank) and how many blank lines come before it,
    after checking that the start of the file is text."""
    try:
        with open_log(file) as stream:
            head = stream.read(HEAD_BYTES)
    except (OSError, pa.ArrowException) as exc:
        raise _bad(file, f"cannot be read: {damaged(exc)}") from None
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        raise _bad(file, "the file is empty; a contact log needs a header row (arrived,channel,"
                   "...) and one row per contact")
    if b"\x00" in head:
        raise _bad(file, "is not a text CSV file (it holds binary data); export the log as "
                   "CSV, optionally gzip-compressed")
    cut = head.rfind(b"\n") if len(head) == HEAD_BYTES else len(head)
    try:
        text = head[:max(cut, 0) or len(head)].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = head[:exc.start].count(b"\n") + 1
        raise ScenarioError([Problem(file, f"row {line}", "is not UTF-8 text (byte "
                                     f"0x{head[exc.start]:02x}); save the export as UTF-8")]) \
            from None
    body = text.removeprefix("\ufeff")
    start = body.lstrip("\r\n")
    first = start.split("\n", 1)[0].rstrip("\r")
    if "\r" in first:
        raise _bad(file, "its lines end with a carriage return alone (as old Mac software "
                   "wrote them); save the export with Windows or Unix line ends")
    return first, body[:len(body) - len(start)].count("\n")


def damaged(exc: BaseException) -> str:
    """What a failed read says, in a planner's words where it is a known case."""
    text = str(exc)
    if "gzip" in text.lower() or "zlib" in text.lower() or "compress" in text.lower():
        return "the gzip-compressed file is damaged or cut short; export it again"
    if "UTF8" in text or "UTF-8" in text:
        return "is not UTF-8 text; save the export as UTF-8"
    if "straddl" in text or "block" in text.lower():
        return (f"a row is longer than {BLOCK_WORDS} (a contact's row is a few hundred bytes): "
                "is a quote left open, or the export damaged?")
    return text.splitlines()[0] if text else type(exc).__name__


def layout(file: str, ragged: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The 1-based lines of the file's data rows, and of its ``ragged`` rows.

    Data rows are the non-blank lines after the header, less the rows with the wrong number of
    cells (which the CSV reader set aside). Lines are found by their line ends, so a quoted
    cell holding a line break is not supported (the reader refuses it too).
    """
    with open_log(file) as stream:
        data = np.frombuffer(stream.read(), dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.concatenate([[0], ends + 1])
    ends = np.concatenate([ends, [len(data)]])
    # A line is blank when it holds only spaces, tabs and line ends (the reader skips it).
    seen = np.concatenate([[0], np.cumsum(~np.isin(data, (9, 10, 13, 32)))])
    bom = len(data) >= 3 and data[:3].tobytes() == b"\xef\xbb\xbf"
    length = seen[ends] - seen[starts]
    length[0] -= 3 * bom
    lines = np.flatnonzero(length > 0)[1:]  # after the header
    keep = np.ones(len(lines), dtype=bool)
    if ragged:
        cells = _cells(data, starts[lines], ends[lines])
        keep = cells == width
    return lines[keep] + 1, lines[~keep] + 1


def _cells(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many cells each line holds: its commas outside quotes, plus one."""
    quote = data == 34
    inside = (np.cumsum(quote) % 2 == 1) & ~quote  # between an opening and a closing quote
    commas = np.concatenate([[0], np.cumsum((data == 44) & ~inside)])
    return commas[ends] - commas[starts] + 1
