"""One file replaced whole or not at all: the write-beside-then-rename pattern, written once.

A file the command writes (a simulated contact log, the scenario reference) goes first into a
temporary file beside it, is flushed to disk, and is then renamed over the target, so a full disk,
an error or Ctrl-C leaves the previous file whole and no temporary file behind. The new file gets
an ordinary file's mode (the umask's, or the mode of the file it replaces), not the private
0600 of a temporary file. Standard library only; results *folders* have their own swap in
:mod:`contactsim.results.write`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block ends normally it becomes
    ``target``, otherwise it is removed and the exception goes on."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(name)
    try:
        try:
            os.fchmod(fd, _mode_for(target))
        finally:
            os.close(fd)
        yield tmp
        with open(tmp, "rb") as written:  # on disk before the rename makes it the target
            os.fsync(written.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _mode_for(target: Path) -> int:
    with contextlib.suppress(OSError):
        if target.is_file():
            return target.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
