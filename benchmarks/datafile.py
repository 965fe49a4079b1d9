"""Empirical data files at the documented size limit: time and peak memory of each command.

A planner may give ``handle = { dist = "empirical", file = "handle.csv" }`` a file up to the
documented limit (``contactsim.config.datafile.MAX_FILE_BYTES``, 50 MB). This writes three files
of that size and, for each, times ``validate``, a short ``run`` (1 day, 1 replication), a rerun
of the resolved ``scenario.toml`` it saved (which must reproduce summary.json) and ``plot`` of
that folder, each in its own child process, with the child's peak resident memory
(``ru_maxrss`` from ``os.wait4``):

- ``talk times``: lognormal handle times (mean 420 s, sd 240 s) to 0.1 s with a header line,
  about 6 bytes a value: about 8 million values, what a large force's export looks like;
- ``one digit``: ``1`` to ``9``, 2 bytes a value: 25 million values, the most a file of the
  limit can hold (the worst case for memory);
- ``odd lines``: the talk times with a line of spaces in the middle, which numpy's parser
  refuses, so the loader reads line by line (the slow path, same rules).

It also prints the size of the saved ``scenario.toml`` (small: the data file is copied beside
it, not inlined). Targets (issue 14 item 12): every command at the limit in seconds, not
minutes, and well under 1 GB.

Run: ``python benchmarks/datafile.py`` (``--mb 10`` for a quick look, ``--workers 2`` to send
the scenario to worker processes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from contactsim.config.datafile import MAX_FILE_BYTES

SCENARIO = """\
name = "large empirical data file"
[run]
days = 1
warmup_days = 0.5
replications = 1
seed = 5
[channels.999]
per_day = 2000
patience = {{ dist = "exponential", mean = 120 }}
[categories.crime]
handle = {{ dist = "empirical", file = "{file}" }}
[pools.handlers]
skills = ["999"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 12 }} ]
"""


def lines_up_to(text_of: np.ndarray, size: int, header: bytes = b"") -> bytes:
    """A file of at most ``size`` bytes: the header, then whole lines of ``text_of``."""
    body = header + ("\n".join(text_of.tolist()) + "\n").encode()
    body = body[:size]
    return body[: body.rfind(b"\n") + 1]


NAMES = ("talk times", "one digit", "odd lines")


def make_files(folder: Path, size: int) -> None:
    gen = np.random.default_rng(20261203)
    sigma2 = np.log1p((240 / 420) ** 2)
    talk = gen.lognormal(np.log(420) - sigma2 / 2, np.sqrt(sigma2), size // 4)
    talk_text = np.char.mod("%.1f", np.maximum(talk, 1.0))
    files = {
        "talk times": lines_up_to(talk_text, size, b"handle_s\n"),
        "one digit": lines_up_to(gen.integers(1, 10, size // 2).astype(str), size),
    }
    half = len(files["talk times"]) // 2
    cut = files["talk times"].index(b"\n", half) + 1
    files["odd lines"] = (files["talk times"][:cut] + b"   \n"
                          + files["talk times"][cut:])[:size]
    files["odd lines"] = files["odd lines"][: files["odd lines"].rfind(b"\n") + 1]
    for name in NAMES:
        (folder / (name.replace(" ", "-") + ".csv")).write_bytes(files[name])


def measured(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``contactsim ARGS`` in a child process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "contactsim", *args], cwd=cwd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"contactsim {' '.join(args)} failed:\n{err.decode()}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def summary(folder: Path) -> dict[str, object]:
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data.pop("wall_s")
    return dict(data)


def bench(name: str, data: Path, workers: int) -> None:
    folder = data.parent / data.stem
    folder.mkdir()
    scenario = folder / "s.toml"
    scenario.write_text(SCENARIO.format(file=f"../{data.name}"), encoding="utf-8")
    quick = ["--workers", str(workers), "--quiet"]
    raw = data.read_bytes()
    values = raw.count(b"\n") - raw.count(b"   \n") - raw.startswith(b"handle")
    del raw
    print(f"\n{name}: {data.stat().st_size / 1e6:.1f} MB, {values:,} values")
    rows = [
        ("validate", ["validate", str(scenario)]),
        ("run (1 day, 1 replication)", ["run", str(scenario), "--out", str(folder / "first"),
                                        "--no-report", *quick]),
        ("rerun of its scenario.toml", ["run", "first/scenario.toml", "--out", "again",
                                        "--no-report", *quick]),
        ("plot of that folder", ["plot", str(folder / "first")]),
    ]
    for label, args in rows:
        wall, peak_mb = measured(args, folder)
        print(f"  {label:30s} {wall:6.2f} s  {peak_mb:7.0f} MB peak")
    saved = folder / "first" / "scenario.toml"
    same = summary(folder / "first") == summary(folder / "again")
    print(f"  saved scenario.toml {saved.stat().st_size:,} bytes; rerun reproduces "
          f"summary.json: {'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=MAX_FILE_BYTES / 1e6,
                        help="size of each data file in MB (default: the documented limit)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--make", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = int(args.mb * 1e6)
    if args.make:
        make_files(Path(args.make), size)
        return
    print(f"data files of {size / 1e6:g} MB (the limit is {MAX_FILE_BYTES / 1e6:g} MB), "
          f"--workers {args.workers}")
    with tempfile.TemporaryDirectory(prefix="contactsim-datafile-") as tmp:
        # made in a child: a child process starts with its parent's memory counted in its
        # peak, so this process stays small for the figures to be the commands' own
        subprocess.run([sys.executable, __file__, "--mb", str(args.mb), "--make", tmp],
                       check=True)
        for name in NAMES:
            bench(name, Path(tmp) / (name.replace(" ", "-") + ".csv"), args.workers)


if __name__ == "__main__":
    main()
