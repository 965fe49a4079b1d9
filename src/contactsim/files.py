"""Reading the files a scenario names without ever blocking on, or misnaming, a non-file.

A path a planner gives may be a folder, a device such as ``/dev/zero``, a FIFO that would block
a reader until something writes to it, a symlink loop or a dangling link. Each is said as what
it is (not "file not found"), and only a regular file is ever read: the path is checked with
:func:`os.stat` before it is opened, it is opened without blocking, and the open file is checked
again, so a path swapped for a FIFO in between still cannot hang the reader.
"""

from __future__ import annotations

import errno
import os
import stat

#: What a path is, besides a regular file.
MISSING = "missing"
FOLDER = "folder"
OTHER = "other"


class NotAFileError(Exception):
    """A path that cannot be read as a file: ``kind`` (MISSING, FOLDER, OTHER) and words."""

    def __init__(self, kind: str, words: str) -> None:
        self.kind = kind
        self.words = words
        super().__init__(words)


def mode_problem(mode: int) -> NotAFileError | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return NotAFileError(FOLDER, "is a folder")
    if stat.S_ISFIFO(mode):
        what = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "not a file"
    return NotAFileError(OTHER, f"is not a regular file ({what})")


def check_regular(path: str) -> None:
    """Return if ``path`` is a regular file (after following links), else raise NotAFileError."""
    try:
        st = os.stat(path)
    except ValueError:  # a NUL byte in the name
        raise NotAFileError(OTHER, "is not a valid file name") from None
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotAFileError(OTHER, f"is a broken symlink (to {os.readlink(path)!r}, which "
                           "does not exist)") from None
        raise NotAFileError(MISSING, "not found") from None
    except NotADirectoryError:  # a part of the path is a file: nothing is there
        raise NotAFileError(MISSING, "not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFileError(OTHER, "is a symlink loop") from None
        raise NotAFileError(OTHER, f"cannot be read: {exc.strerror or exc}") from None
    problem = mode_problem(st.st_mode)
    if problem is not None:
        raise problem


def read_regular(path: str, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of a regular file; NotAFileError for anything else, OSError if the
    read fails. Never blocks on a FIFO or a device, even one put in the file's place."""
    check_regular(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise NotAFileError(MISSING, "not found") from None
    try:
        problem = mode_problem(os.fstat(fd).st_mode)
        if problem is not None:
            raise problem
        with os.fdopen(fd, "rb") as fh:
            fd = -1  # closed with fh
            return fh.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
