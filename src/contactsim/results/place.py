"""Where results go, and how they get there whole: the atomic swap of a results folder.

Everything is written into a temporary folder beside the target and renamed into place only
when complete, so an interrupted or failed run leaves the previous results as they were. A
symlinked target keeps its link (the folder behind it is replaced); two runs writing the same
folder take turns through a lock; a refusal says what the path is (:class:`OutputError`).
:mod:`contactsim.results.write` fills the folder; this module places it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from contactsim.results.read import KIND_MARKERS


class OutputError(OSError):
    """The results folder cannot be written (unwritable, full, not a folder); nothing was lost."""

    def __init__(self, target: Path, exc: OSError) -> None:
        reason, filename = why(exc)
        where = f" ({filename})" if filename and Path(filename) != target else ""
        super().__init__(exc.errno, f"{target}: cannot write results: {reason}{where}")
        self.target = target


#: ``[Errno 28] No space left on device: '/x/y'``: how an OSError reads once made a string.
_OS_ERROR_TEXT = re.compile(r"^\[Errno -?\d+\] (?P<reason>.*?)(?:: '(?P<file>.*)')?$", re.S)


def why(exc: OSError) -> tuple[str, str | None]:
    """An OSError's reason in a line, and the file it names.

    A folder copy (``shutil.copytree``) that fails on many files raises one ``shutil.Error``
    holding a list of ``(source, target, reason)``, as long as the folder: the first reason
    is given, with the file it was copying and how many more failed.
    """
    failures = exc.args[0] if isinstance(exc, shutil.Error) and exc.args else None
    if isinstance(failures, list) and failures and isinstance(failures[0], tuple) \
            and len(failures[0]) == 3:
        source, _, text = failures[0]
        found = _OS_ERROR_TEXT.match(str(text))
        reason = found.group("reason") if found else str(text).splitlines()[0][:200]
        more = len(failures) - 1
        return (reason + (f"; {more:,} more file{'s' if more > 1 else ''} failed too" if more
                          else ""), f"copying {source}")
    return exc.strerror or str(exc), exc.filename


#: Longest a run waits for another contactsim run to finish swapping its results into the same
#: folder (a swap takes a moment; only a stuck process holds the lock this long).
LOCK_WAIT_S = 120.0


def out_location(target: Path) -> Path:
    """Where the results for ``target`` really go: ``target`` itself, or, where ``target`` is
    a symlink, the folder it points to (the link is kept; the folder behind it is replaced).

    A dangling link, a link loop or a link to a file is refused with words saying what it is,
    and so is a path running through a broken link, before anything is simulated.
    """
    target = Path(target)
    real = follow_link(target)
    if real != target and not real.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"it is a symlink to a file ({real}), not a "
                                 "folder", str(target))
    return real


def follow_link(target: Path, noun: str = "folder") -> Path:
    """``target``, or where it points if it is a symlink (to write what it points to and keep
    the link); OSError saying what is wrong for a dangling link or a loop, there or on the way.
    """
    target = Path(target)
    for place in (target, *target.parents):
        if not os.path.islink(place):
            if os.path.lexists(place):
                break  # the nearest part that is there, and not a link: the rest is made
            continue
        try:
            real = Path(os.path.realpath(place, strict=True))
        except FileNotFoundError:
            raise FileNotFoundError(errno.ENOENT, _linked(place, target) + "a symlink to "
                                    f"{os.readlink(place)!r}, which does not exist; make that "
                                    f"{noun if place == target else 'folder'} or give another "
                                    "--out", str(target)) from None
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise OSError(errno.ELOOP, _linked(place, target) + "a symlink loop (it leads "
                          "back to itself); give another --out", str(target)) from None
        if place == target:
            return real
        break  # a link to a folder on the way: the operating system follows it
    return target


def _linked(place: Path, target: Path) -> str:
    return "it is " if place == target else f"{place} is "


def check_writable(target: Path) -> None:
    """Fail now, before any simulating, if ``target`` cannot become a results folder.

    New results replace the whole folder, so a folder that holds anything but earlier
    contactsim results (or nothing) is refused: ``--out ~/Documents`` must not delete it.
    """
    target = Path(target)
    try:
        real = out_location(target)
        if real.exists():
            _check_replaceable(real)
        real.parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=f".{real.name}.check-", dir=real.parent))
    except OSError as exc:
        raise OutputError(target, exc) from None


def _check_replaceable(target: Path) -> None:
    here = Path.cwd().resolve()
    if not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(target))
    if target.resolve() in (here, *here.parents):
        raise IsADirectoryError(errno.EISDIR, "it is the current folder or holds it; give a "
                                "folder of its own, such as results/my-run", str(target))
    try:
        foreign = any(target.iterdir()) and not is_own_folder(target)
    except FileNotFoundError:
        # The folder (or a part of it) went while being looked at: another contactsim run
        # swapping its results in. Nothing of the planner's is there to lose, and the check is
        # made again under the swap lock.
        return
    if foreign:
        raise FileExistsError(errno.EEXIST, "the folder holds files that are not contactsim "
                              "results, and new results replace the whole folder; give a new "
                              "or empty folder", str(target))


#: Keys each marker file of a results folder holds, whichever version of contactsim wrote it.
MARKER_KEYS = {"summary.json": {"contactsim_version", "channels"},
               "fit.json": {"contactsim_version"},
               "compare.json": {"base", "paired", "scenarios"},
               "sweep.json": {"keys", "points", "target_service_level"},
               "staffing.json": {"staff_hours", "search"},
               "recruit.json": {"plan", "no_recruiting"}}
#: The kinds of file contactsim writes into a results folder (tables, summaries, scenarios,
#: plots, reports, a contact log).
OWN_SUFFIXES = frozenset({".csv", ".json", ".toml", ".png", ".html", ".gz"})
#: Files a desktop leaves in any folder a planner opens: no reason to refuse the folder.
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def is_own_folder(folder: Path) -> bool:
    """Whether ``folder`` is a results folder contactsim wrote, told by its content, not by a
    file's name alone: its marker file is one contactsim writes (a JSON object with that
    marker's keys), and every file in it is of a kind contactsim writes. A planner's own folder
    that happens to hold a ``summary.json`` is not replaced, and loses nothing."""
    from contactsim.problems import ResultsError
    from contactsim.results.tables import read_json

    marker = next((m for _, m in KIND_MARKERS if (folder / m).is_file()), None)
    if marker is None:
        return False
    try:
        held = read_json(folder / marker)
    except ResultsError:
        if not (folder / marker).exists():  # gone while read: another run's swap
            raise FileNotFoundError(errno.ENOENT, "swapped while read", str(folder)) from None
        return False
    if not MARKER_KEYS.get(marker, set()) <= held.keys():
        return False
    return all(p.suffix.lower() in OWN_SUFFIXES or p.name in OS_LITTER or p.is_dir()
               for p in folder.rglob("*"))


def umask() -> int:
    """The process's file-creation mask (read by setting it and putting it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_folder(prefix: str, parent: Path) -> Path:
    """A new, uniquely named folder with the mode ``mkdir`` would give it (mkdtemp's is 0700,
    which colleagues could not open once it became the results folder)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~umask())
    return folder


def write_atomically(target: Path, fill: Callable[[Path], None]) -> None:
    """Build a folder with ``fill`` under a temporary name, then swap it into ``target``.

    If ``fill`` fails or is interrupted (Ctrl-C, a full disk), the temporary folder is removed
    and ``target`` is untouched. The swap renames the old folder aside, renames the new one in,
    then deletes the old one; if it is interrupted between the two renames the old folder is put
    back, so a complete results folder is never lost. Where ``target`` is a symlink, the folder
    it points to is replaced and the link kept. Two runs writing the same folder at once each
    build their own, then swap one after the other (a lock beside the folder, ``.NAME.lock``,
    held for the swap alone): the run that finishes last wins, and the folder is whole. A
    failure to write raises :class:`OutputError`.
    """
    target = Path(target)
    check_writable(target)
    real = out_location(target)
    tmp = _new_folder(f".{real.name}.partial-", real.parent)
    old: Path | None = None
    try:
        fill(tmp)
        with _swap_lock(real, target), _no_interruption():
            if real.exists():
                _check_replaceable(real)  # again: another run may have been at it meanwhile
                old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old-", dir=real.parent))
                os.rmdir(old)
                os.replace(real, old)
            os.replace(tmp, real)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        if old is not None and old.exists() and not real.exists():
            os.replace(old, real)  # interrupted mid-swap: the previous results go back
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(target, exc) from None
        raise


@contextlib.contextmanager
def _swap_lock(real: Path, target: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside the folder while its results are swapped, so that two runs
    writing the same folder swap one after the other; removed when done.

    The lock is ``flock`` on the file (the operating system frees it if the process dies, so
    a lock is never stale). A run that finds the file it locked already removed by the run
    before it (which unlinks it while holding it) locks the new one instead.
    """
    lock = real.parent / f".{real.name}.lock"
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError(target, OSError(
                            errno.EBUSY, "another contactsim run is writing this folder and "
                            f"has not finished in {LOCK_WAIT_S:.0f} s; try again when it has"
                        )) from None
                    time.sleep(0.02)
            try:
                held = os.stat(lock)
            except FileNotFoundError:
                held = None
            mine = os.fstat(fd)
        except BaseException:
            os.close(fd)
            raise
        if held is not None and (held.st_dev, held.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)  # the run before removed the file we locked: lock the one there now
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


@contextlib.contextmanager
def _no_interruption() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back for a moment (the swap); they act as soon as it is done."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; only it runs the command line
        return
    held: list[int] = []
    before = {sig: signal.signal(sig, lambda signum, _: held.append(signum))
              for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    if held:
        raise KeyboardInterrupt
