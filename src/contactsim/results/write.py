"""The results folder: summary.json, tidy CSV tables and the resolved scenario.

Everything is written into a temporary folder beside the target and renamed into place only
when complete, so an interrupted or failed run leaves the previous results as they were. Plots
and the report are drawn from these saved tables alone.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import errno
import fcntl
import hashlib
import json
import math
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from contactsim import __version__
from contactsim.analysis.daily import PERIOD_MEASURES, grouped, month_groups, period_measures
from contactsim.analysis.experiment import Experiment
from contactsim.analysis.measures import (
    CDF_GRID_S,
    CHANNEL_MEASURES,
    CLOSED_MEASURES,
    DIVERSION_MEASURES,
    EXTRA_MEASURES,
    HOURLY_MEASURES,
    POOL_CHANNEL_MEASURES,
    POOL_HOURLY,
    POOL_MEASURES,
    Replication,
    answering_pairs,
    measure_estimate,
)
from contactsim.calendar import day_labels, month_labels, simulated_days
from contactsim.config.datafile import (
    DATA_FOLDER,
    DataFileError,
    copy_checked,
    data_name,
    empirical_files,
)
from contactsim.config.spec import ChannelSpec, Scenario
from contactsim.results.board import COLUMNS as SUMMARY_COLUMNS, SUMMARY_CSV, summary_rows
from contactsim.results.read import KIND_MARKERS
from contactsim.timebase import HOURS_PER_WEEK

SUMMARY = "summary.json"


def scenario_toml(document: dict[str, Any]) -> str:
    """The resolved scenario as TOML text."""
    return tomli_w.dumps(document)


def write_scenario(folder: Path, document: dict[str, Any], note: str) -> None:
    """``scenario.toml`` (after the comment lines of ``note``) and a copy of each empirical data
    file it reads, ``data/KEY.PATH.csv``, named in it by that relative path and its sha256, so
    the folder reruns as it stands, from anywhere, however large the files."""
    doc = copy.deepcopy(document)  # small: data files are named, not inlined
    copies: dict[str, str] = {}  # sha256 -> its copy, one copy of a file named twice
    for path, node in empirical_files(doc):
        sha256 = node.get("sha256")
        if sha256 not in copies:
            name = data_name(path, set(copies.values()))
            (folder / DATA_FOLDER).mkdir(exist_ok=True)
            try:
                copy_checked(node["file"], folder / name, str(sha256))
            except DataFileError as exc:
                raise OSError(errno.EIO, str(exc)) from None
            copies[str(sha256)] = name
        node["file"] = copies[str(sha256)]
    (folder / "scenario.toml").write_text(note + scenario_toml(doc), encoding="utf-8")


def scenario_sha256(document: dict[str, Any]) -> str:
    """A fingerprint of the model a scenario describes (its key order, source and where its
    data files are kept aside: a data file counts by its own sha256)."""
    canonical = {k: v for k, v in document.items() if k != "source"}
    if any(True for _ in empirical_files(canonical)):
        canonical = copy.deepcopy(canonical)
        for _, node in empirical_files(canonical):
            if "sha256" in node:
                del node["file"]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _estimate(values: Iterable[float], measure: str) -> dict[str, float | None]:
    return measure_estimate(values, measure).as_dict()


def channel_measures(sc: Scenario, channel: str) -> tuple[str, ...]:
    """The measures summary.json reports for a channel: the contract's twelve, plus
    ``callbacks``, ``redials``, ``arrivals`` and ``diverted`` where the scenario makes them
    happen (so ``arrivals = offered + diverted`` can be checked), and ``closed_lost`` and
    ``closed_moved`` for a channel with opening hours."""
    extra = []
    rule = sc.channels[channel].on_abandon
    if rule is not None and rule.callback > 0:
        extra.append("callbacks")
    if any(_retries_to(c, channel) for c in sc.channels.values()):
        extra.append("redials")
    if any(d.pre_queue and channel in d.channels for d in sc.diversions.values()):
        extra += ["arrivals", "diverted"]
    if sc.channels[channel].open is not None:
        extra += CLOSED_MEASURES
    return (*CHANNEL_MEASURES, *extra)


def _retries_to(source: ChannelSpec, channel: str) -> bool:
    rule = source.on_abandon
    if rule is None:
        return False
    return ((rule.redial > 0 and source.name == channel)
            or (rule.to_999 > 0 and rule.emergency_channel == channel)
            or (rule.to_online > 0 and rule.online_channel == channel))


def summary(exp: Experiment) -> dict[str, Any]:
    """The contract for tools (DESIGN §6)."""
    sc, reps = exp.scenario, exp.replications
    return {
        "contactsim_version": __version__,
        "scenario": {"name": sc.name, "file": sc.file,
                     "sha256": scenario_sha256(sc.document)},
        "seed": sc.run.seed,
        "replications": len(reps),
        "days": sc.run.days,
        "warmup_days": sc.run.warmup_days,
        "wall_s": round(exp.wall_s, 3),
        "channels": {
            ch: {m: _estimate((r.channels[ch][m] for r in reps), m)
                 for m in channel_measures(sc, ch)}
            for ch in sc.channels
        },
        "pools": {
            p: {m: _estimate((r.pools[p][m] for r in reps), m) for m in POOL_MEASURES}
            for p in sc.pools
        },
        "diversions": {
            d: {m: _estimate((r.diversions[d][m] for r in reps), m) for m in DIVERSION_MEASURES}
            for d in sc.diversions
        },
        "officer_hours": _estimate((r.officer_hours for r in reps), "officer_hours"),
        "warnings": exp.warnings,
        # Additive (not in DESIGN §6): who answered what, pool -> channel -> measure.
        "pool_channel": {
            p: {ch: {m: _estimate((pool_channel_value(r, p, ch, m, sc.run.days) for r in reps),
                                  m) for m in POOL_CHANNEL_MEASURES} for ch in channels}
            for p, channels in pool_channels(sc).items()
        },
    }


def pool_channels(sc: Scenario) -> dict[str, list[str]]:
    """pool -> the channels it can answer (see :func:`answering_pairs`)."""
    out: dict[str, list[str]] = {}
    for pool, ch in answering_pairs(sc):
        out.setdefault(pool, []).append(ch)
    return out


def pool_channel_value(rep: Replication, pool: str, channel: str, measure: str,
                       days: float) -> float:
    """Contacts on ``channel`` that ``pool`` answered in one replication (or per day)."""
    total = rep.pool_channel[pool][channel]
    return total / days if measure == "answered_per_day" else total


def _number(v: float | np.floating[Any]) -> str:
    """CSV text for a number: full precision, empty where undefined (NaN)."""
    return "" if math.isnan(v) else repr(float(v))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A tidy CSV, the one writer of every table: ``\n`` line ends, numbers at full precision
    (``repr``), undefined (NaN) cells empty."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow([_number(v) if isinstance(v, float | np.floating) else v for v in row])


def write_tables(exp: Experiment, folder: Path) -> None:
    """summary.json, the CSV tables and scenario.toml into ``folder``."""
    sc, reps = exp.scenario, exp.replications
    figures = summary(exp)
    (folder / SUMMARY).write_text(json.dumps(figures, indent=2, allow_nan=False) + "\n",
                                  encoding="utf-8")
    write_csv(folder / SUMMARY_CSV, SUMMARY_COLUMNS, summary_rows(figures))
    write_scenario(folder, sc.document,
                   "# The resolved scenario (extends and --set applied). Run it again with\n"
                   "#   contactsim run scenario.toml\n# to reproduce summary.json.\n\n")
    closed = CLOSED_MEASURES if any(c.open is not None for c in sc.channels.values()) else ()
    every = (*CHANNEL_MEASURES, *EXTRA_MEASURES, *closed)
    write_csv(folder / "replications.csv", ["replication", "channel", *every],
               ([r.index, ch, *(r.channels[ch][m] for m in every)]
                for r in reps for ch in sc.channels))
    write_csv(folder / "hourly.csv", ["replication", "channel", "hour_of_week",
                                       *HOURLY_MEASURES],
               ([r.index, ch, h, *(float(r.hourly[ch][m][h]) for m in HOURLY_MEASURES)]
                for r in reps for ch in sc.channels for h in range(HOURS_PER_WEEK)))
    if sc.diversions:
        write_csv(folder / "diversions.csv", ["replication", "diversion", "hour_of_week",
                                               *DIVERSION_MEASURES],
                   ([r.index, d, h, *(float(r.diversions_hourly[d][m][h])
                                      for m in DIVERSION_MEASURES)]
                    for r in reps for d in sc.diversions for h in range(HOURS_PER_WEEK)))
    write_csv(folder / "officers.csv", ["replication", "officer_hours_per_day"],
               ([r.index, r.officer_hours] for r in reps))
    write_csv(folder / "pools.csv", ["replication", "pool", *POOL_MEASURES],
               ([r.index, p, *(r.pools[p][m] for m in POOL_MEASURES)]
                for r in reps for p in sc.pools))
    write_csv(folder / "pool_channel.csv", ["replication", "pool", "channel",
                                            *POOL_CHANNEL_MEASURES],
              ([r.index, p, ch, *(pool_channel_value(r, p, ch, m, sc.run.days)
                                  for m in POOL_CHANNEL_MEASURES)]
               for r in reps for p, ch in answering_pairs(sc)))
    write_csv(folder / "pools_hourly.csv", ["replication", "pool", "hour_of_week",
                                             *POOL_HOURLY],
               ([r.index, p, h, *(float(r.pools_hourly[p][m][h]) for m in POOL_HOURLY)]
                for r in reps for p in sc.pools for h in range(HOURS_PER_WEEK)))
    write_csv(folder / "answer_times.csv", ["replication", "channel", "answer_s",
                                             "share_answered_within"],
               ([r.index, ch, float(x), float(y)] for r in reps for ch in sc.channels
                for x, y in zip(CDF_GRID_S, r.cdf[ch], strict=True)))
    write_calendar_tables(exp, folder)


def write_calendar_tables(exp: Experiment, folder: Path) -> None:
    """daily.csv and monthly.csv (mean and 95% CI over replications), and the per-replication
    monthly figures that ``compare`` pairs, for a run pinned to the calendar."""
    sc, reps = exp.scenario, exp.replications
    cal = sc.calendar
    if cal is None:
        return
    n_days = simulated_days(cal, sc.run.days)
    dates = day_labels(cal, n_days)[cal.warmup_days:]
    months, groups = month_groups(month_labels(cal, n_days)[cal.warmup_days:])
    header = [f"{m}_{p}" for m in PERIOD_MEASURES for p in ("mean", "ci_low", "ci_high")]
    daily: list[list[Any]] = []
    monthly: list[list[Any]] = []
    by_rep: list[list[Any]] = []
    kept = [r.daily for r in reps if r.daily is not None]
    assert len(kept) == len(reps)  # every replication of a dated run keeps its days
    for ch in sc.channels:
        per_day = [period_measures(d[ch]) for d in kept]
        per_month = [period_measures(grouped(d[ch], groups, len(months))) for d in kept]
        for rows, labels, values in ((daily, dates, per_day),
                                     (monthly, months, per_month)):
            for i, label in enumerate(labels):
                cells: list[Any] = [label, ch]
                for m in PERIOD_MEASURES:
                    est = measure_estimate((float(v[m][i]) for v in values), m)
                    cells += [est.mean, est.ci_low, est.ci_high]
                rows.append(cells)
        by_rep += [[r.index, month, ch, *(float(v[m][i]) for m in PERIOD_MEASURES)]
                   for r, v in zip(reps, per_month, strict=True) for i, month in enumerate(months)]
    write_csv(folder / "daily.csv", ["date", "channel", *header], daily)
    write_csv(folder / "monthly.csv", ["month", "channel", *header], monthly)
    write_csv(folder / "monthly_replications.csv", ["replication", "month", "channel",
                                                    *PERIOD_MEASURES], by_rep)


class OutputError(OSError):
    """The results folder cannot be written (unwritable, full, not a folder); nothing was lost."""

    def __init__(self, target: Path, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename and Path(exc.filename) != target else ""
        super().__init__(exc.errno, f"{target}: cannot write results: {reason}{where}")
        self.target = target


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
    # A folder holding one of the marker files is contactsim results, which may be replaced.
    if any(target.iterdir()) and not any((target / m).is_file() for _, m in KIND_MARKERS):
        raise FileExistsError(errno.EEXIST, "the folder holds files that are not contactsim "
                              "results, and new results replace the whole folder; give a new "
                              "or empty folder", str(target))


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
