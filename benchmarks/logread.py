"""Reading a year of the largest force's contact log: rows per second and peak memory.

Makes, once, in a temporary folder, a synthetic log shaped like ``scenarios/large-force.toml``
over 365 days (999 6,000 a day, 101 5,000, online 7,000: about 6.6 million rows) with every
column filled as a telephony export fills it (queued, answered or abandoned, talk and wrap
seconds, a few handovers, hashed caller keys, a category), gzip-compressed, then times
:func:`contactsim.logs.read.read_logs` on it in a fresh child process that reports its own
peak memory (max resident set size), best of ``--repeats``.

Target (issue 13, item 7): ``contactsim fit`` reads and fits this log in under a minute and
2 GiB, so reading should take a fraction of both.

Run: ``python benchmarks/logread.py`` (``--days 28`` for a quick look). ``--log FILE`` times
a log already made instead, e.g. the simulated year of ``contactsim run
scenarios/large-force.toml --days 365 --replications 1 --contact-log --out /tmp/year``
(``/tmp/year/contacts.csv.gz``); ``--keep FILE`` keeps the synthetic log made, for next time.

Peak memory is the child's maximum resident set size (``getrusage``; pyarrow's allocator is
invisible to tracemalloc), with pyarrow's own peak beside it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from contactsim.logs.london import utc_to_local

PER_DAY = {"999": 6000, "101": 5000, "online": 7000}
START = np.datetime64("2024-01-01T00:00:00", "s")
CATEGORIES = ["crime", "welfare", "mental_health", "traffic", "asb", "info"]

# Reads the log in this child process and prints the rows, the time and its own peak memory.
CHILD = """
import json, resource, sys, time
import pyarrow as pa
from contactsim.logs.read import read_logs
t = time.perf_counter()
log = read_logs([sys.argv[1]], channels=["999", "101", "online"])
wall = time.perf_counter() - t
print(json.dumps({"rows": len(log), "rows_read": log.rows_read, "wall_s": wall,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "arrow_peak": pa.default_memory_pool().max_memory()}))
"""


def make_log(path: Path, days: int, seed: int = 1) -> int:
    """Write the synthetic log; return its rows."""
    rng = np.random.default_rng(seed)
    n_by = {ch: rng.poisson(per_day * days) for ch, per_day in PER_DAY.items()}
    channel = np.concatenate([np.full(n, ch) for ch, n in n_by.items()])
    n = len(channel)
    arrived = np.sort(rng.uniform(0, days * 86400, n))
    order = rng.permutation(n)  # channels interleaved through the day
    channel = channel[order]
    voice = channel != "online"
    connect = np.where(channel == "999", rng.uniform(2, 7, n), 0.0)
    ivr = np.where(channel == "101", 40.0, 0.0)
    wait = rng.exponential(np.where(voice, 20.0, 1800.0))
    patience = rng.exponential(np.where(voice, 90.0, np.inf))
    abandoned = voice & (patience < wait)
    wait = np.where(abandoned, patience, wait)
    diverted = ~voice & (rng.random(n) < 0.01)
    stamp = START + (arrived * 1000).astype("timedelta64[ms]")

    def local(t: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        # The instants on London's wall clock, so no time falls in the hour skipped in spring.
        ms = t.astype("datetime64[ms]").astype(np.int64)
        wall = np.rint(utc_to_local(ms / 1000.0) * 1000).astype("datetime64[ms]")
        text = pc.strftime(pa.array(wall), format="%Y-%m-%d %H:%M:%S")
        return text if mask is None else pc.if_else(pa.array(mask), text, None)

    queued = stamp + ((connect + ivr) * 1000).astype("timedelta64[ms]")
    ended = queued + (wait * 1000).astype("timedelta64[ms]")
    talk = np.round(rng.lognormal(np.log(300), 0.6, n), 1)
    table = pa.table({
        "arrived": local(stamp),
        "channel": pa.array(channel),
        "category": pa.array(np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)]),
        "queued": local(queued),
        "answered": local(ended, ~abandoned & ~diverted),
        "abandoned": local(ended, abandoned),
        "talk_s": pc.if_else(pa.array(~abandoned & ~diverted), pa.array(talk), None),
        "wrap_s": pc.if_else(pa.array(~abandoned & ~diverted), pa.array(np.round(
            rng.exponential(60, n))), None),
        "diverted_to": pc.if_else(pa.array(diverted), "mh_crisis_line", None),
        # a third as many callers as contacts, so some call again
        "caller": pc.binary_join_element_wise(
            "c", pa.array(rng.integers(0, n // 3 + 1, n)).cast(pa.string()), ""),
    })
    with pa.CompressedOutputStream(str(path), "gzip") as out:
        pacsv.write_csv(table, out, write_options=pacsv.WriteOptions(quoting_style="none"))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--log", type=Path, help="time this log instead of making one")
    parser.add_argument("--keep", type=Path, help="keep the log made here (it is reused)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.log or args.keep or Path(tmp) / "year.csv.gz"
        if not path.exists():
            t = time.perf_counter()
            made = Path(tmp) / "year.csv.gz"
            rows = make_log(made, args.days)
            if path != made:
                shutil.move(made, path)
            print(f"made {rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB gzip) in "
                  f"{time.perf_counter() - t:.1f} s")
        runs = []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                                 capture_output=True, text=True)
            runs.append(json.loads(out.stdout))
        times = ", ".join(f"{r['wall_s']:.1f}" for r in runs)
        best = min(runs, key=lambda r: r["wall_s"])
        peak = max(r["peak_kib"] for r in runs) / 2**20
        arrow = max(r["arrow_peak"] for r in runs) / 2**30
        print(f"read_logs {path.name}: {best['rows']:,} rows in {best['wall_s']:.1f} s (best "
              f"of {args.repeats}: {times}), {best['rows'] / best['wall_s']:,.0f} rows/s, "
              f"peak memory {peak:.2f} GiB (resident; pyarrow's own peak {arrow:.2f} GiB)")
        print(f"target for fit (read and fit): under 60 s and 2 GiB; reading takes "
              f"{best['wall_s'] / 60:.0%} of the time and {peak / 2:.0%} of the memory")


if __name__ == "__main__":
    main()
