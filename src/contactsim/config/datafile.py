"""Empirical data files: a column of observed durations, read fast and pinned by checksum.

A planner who has a year of talk times from the telephony system writes
``handle = { dist = "empirical", file = "handle.csv" }``: one number per line, a header line
allowed, extra columns after a comma ignored. Such a file may hold millions of values, so it is
read by numpy's C parser into one float64 array (never a Python float per line, never a list);
only a file that parser refuses is read line by line, to say which line is wrong in the
planner's terms or to accept what Python's ``float`` accepts (``1_000``, blank lines of spaces).

Every file read is fingerprinted with the SHA-256 of its bytes. The resolved scenario of a run
keeps a copy of the file in the results folder and names it with that fingerprint
(``file = "data/categories.crime.handle.csv", sha256 = "..."``), so running it again reads the
very same values, and a copy that has changed since is refused rather than silently simulated.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
import weakref
from array import array
from collections import OrderedDict, deque
from collections.abc import Iterator
from typing import Any

import numpy as np

from contactsim.files import check_regular, read_regular
from contactsim.problems import Path

#: Largest empirical data file read, in bytes: about 8 million durations written to 0.1 s.
#: ``benchmarks/datafile.py`` measures it: validate, a 1-day run and its rerun each take 2-7 s
#: (on a busy 2-core machine) at 220 MB peak (25 million one-digit values: 345 MB).
MAX_FILE_BYTES = 50_000_000

#: A SHA-256 fingerprint as ``sha256sum`` prints it.
SHA256 = re.compile(r"[0-9a-f]{64}")

#: Folder of a results folder that holds the copies of a run's data files.
DATA_FOLDER = "data"


class DataFileError(Exception):
    """A data file whose contents cannot be used (the message says why, naming the file)."""


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in blocks (``path`` must be a regular file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_checked(source: str | os.PathLike[str], target: str | os.PathLike[str],
                 sha256: str) -> None:
    """Copy ``source`` to ``target``; DataFileError if its bytes are no longer those of
    ``sha256`` (the file changed after it was read)."""
    check_regular(os.fspath(source))  # never a FIFO or a device
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as out:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        raise DataFileError(f"the data file {os.fspath(source)!r} changed while the run went "
                            "on; run again to use what it holds now")


#: Values already read, by their file's SHA-256, kept as long as a loaded scenario holds them:
#: a variant of a loaded scenario (:func:`~contactsim.config.loading.with_changes`) takes its
#: data from here rather than reading the files again.
_BY_SHA256: weakref.WeakValueDictionary[str, np.ndarray] = weakref.WeakValueDictionary()
#: The SHA-256 of files read, by the file's identity and state, so a program that loads a
#: scenario many times parses a large file once. A file changed in any way changes its size or
#: modification time, and so its key.
_SEEN: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_SEEN_KEPT = 256
#: The last values read stay in memory after the scenario holding them is gone, so reading a
#: results folder again (``plot`` reads it, copies it and reads the copy) parses its file once.
_RECENT: deque[np.ndarray] = deque(maxlen=2)


def known_values(sha256: str) -> np.ndarray | None:
    """The values of a data file already read in this process, by its SHA-256 (else None)."""
    return _BY_SHA256.get(sha256)


def read_values(target: str, limit: int = MAX_FILE_BYTES) -> tuple[np.ndarray, str]:
    """A data file's numbers as a read-only float64 array, with the file's SHA-256.

    NotAFileError for a path that is not a regular file, OSError if reading fails,
    DataFileError for contents that are not numbers (or a file above ``limit`` bytes).
    Values are not checked as durations here; that is the schema's job.
    """
    check_regular(target)
    st = os.stat(target)
    key = (os.path.abspath(target), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    seen = _SEEN.get(key)
    values = None if seen is None else known_values(seen)
    if seen is not None and values is not None:
        _SEEN.move_to_end(key)
        _keep(values)
        return values, seen
    raw = read_regular(target, limit)
    if len(raw) > limit:
        raise DataFileError(f"{target!r} is larger than {limit // 1_000_000} MB")
    sha256 = hashlib.sha256(raw).hexdigest()
    values = known_values(sha256)
    if values is None:
        values = _numbers(raw, target)
        values.flags.writeable = False
        _BY_SHA256[sha256] = values
    _keep(values)
    _SEEN[key] = sha256
    while len(_SEEN) > _SEEN_KEPT:
        _SEEN.popitem(last=False)
    return values, sha256


def _keep(values: np.ndarray) -> None:
    if not any(kept is values for kept in _RECENT):
        _RECENT.append(values)


def _numbers(raw: bytes, target: str) -> np.ndarray:
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{target!r} is not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                f"at offset {exc.start})") from None
    if raw.count(b"\r") != raw.count(b"\r\n"):  # lines ended by a lone CR (old Macs)
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    body = memoryview(raw)[3:] if raw.startswith(b"\xef\xbb\xbf") else memoryview(raw)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": said below
            values = np.loadtxt(io.BytesIO(body[_after_header(raw, len(raw) - len(body)):]),
                                dtype=np.float64, delimiter=",", usecols=0, comments=None,
                                ndmin=1, encoding="utf-8")
    except ValueError:
        values = _numbers_by_line(body, target)
    if not values.size:
        raise DataFileError(f"{target!r} holds no numbers (one per line expected)")
    return values


def _after_header(raw: bytes, start: int) -> int:
    """Where the numbers start, counted from ``start``: after the first line that is not
    blank, if it is not a number (a header), else at ``start``."""
    pos = start
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end < 0 else end
        line = raw[pos:end].strip()
        if line:
            try:
                float(line.split(b",")[0])
            except ValueError:
                return end + 1 - start
            return 0
        pos = end + 1
    return 0


def _numbers_by_line(body: memoryview, target: str) -> np.ndarray:
    """The slow reading, line by line, for a file numpy refuses: the same rules, the exact line
    at fault, and values kept in a compact array (8 bytes each) rather than a list."""
    out = array("d")
    first = True
    for lineno, raw_line in enumerate(io.BytesIO(body), start=1):
        line = raw_line.decode("utf-8").strip()
        if not line:
            continue
        try:
            out.append(float(line.split(",")[0]))
        except ValueError:
            if not first:
                raise DataFileError(f"{target!r} line {lineno}: {line[:30]!r} is not a "
                                    "number") from None
        first = False
    return np.frombuffer(out, dtype=np.float64) if out else np.empty(0)


#: Keys whose value may be a data-file table ``{ file = ..., sha256 = ... }`` of their own
#: (besides empirical distributions): a channel's 168 hour-of-week weights.
FILE_KEYS = frozenset({"hour_of_week"})


def empirical_files(doc: Any) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every data-file table in a scenario document: ``{ dist = "empirical", file = ... }``,
    and ``{ file = ... }`` under a key of :data:`FILE_KEYS`, with its key path, in the
    document's order (found without recursion)."""
    stack: list[tuple[Path, Any]] = [((), doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            if "file" in node and (node.get("dist") == "empirical"
                                   or (path and path[-1] in FILE_KEYS)):
                yield path, node
                continue
            stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))


def data_name(path: Path, taken: set[str]) -> str:
    """``data/categories.crime.handle.csv``: a copy's name in a results folder, from its key
    path (characters a file name cannot safely hold as ``_``), unique among ``taken``."""
    stem = ".".join(str(p) for p in path)
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", stem).strip(".") or "values"
    name, n = f"{DATA_FOLDER}/{stem[:200]}.csv", 1
    while name in taken:
        n += 1
        name = f"{DATA_FOLDER}/{stem[:200]}-{n}.csv"
    taken.add(name)
    return name


def forget_read() -> None:
    """Read every file afresh from now on (values in use stay with the scenarios holding them)."""
    _SEEN.clear()
    _BY_SHA256.clear()
    _RECENT.clear()
