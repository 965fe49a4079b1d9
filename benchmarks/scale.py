"""Scale and memory: one replication of the largest-force scenario for 7, 28 and 365 days.

Each length runs as ``contactsim run scenarios/large-force.toml --replications 1 --days D
--workers 1 --no-report`` in a fresh process (start-up, loading and writing results included),
and reports wall time, the process's peak memory (max resident set size) and the cost per
million measured contacts. Targets: the cost per contact at 365 days within 1.2x of that at 7
days (the engine's cost does not grow with the length of the run), and peak memory for the
year under 1 GiB.

``--calendar`` then runs the year three ways, in turn, ``--repeats`` times each: without the
calendar; with a flat calendar (a start date only: the same demand, so the difference is the
calendar's own cost); and with every part of it on (monthly weights, the bank holidays of
England and Wales, a special day: the demand itself changes, busier summers queue longer). It
prints the best wall time of each and the ratios to the first. Target: at most 5%.

Run: ``python benchmarks/scale.py`` (``--days 7 28`` to skip the year; ``--calendar``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "large-force.toml"

# Runs contactsim in this child process and prints its own peak memory afterwards, so each
# length is measured in a process of its own (RUSAGE_CHILDREN would report the maximum so far).
CHILD = """
import resource, sys
from contactsim.cli import main
code = main(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


#: The calendars a year is run with by ``--calendar``: a start date alone, then every part on.
FLAT = ["--set", 'run.start_date="2025-01-06"']  # a Monday, as the file's start_day
CALENDAR = [*FLAT,
            "--set", "calendar.monthly=[0.93, 0.90, 0.95, 0.98, 1.03, 1.05, 1.10, 1.08, 1.00, "
            "1.00, 0.97, 1.01]",
            "--set", 'calendar.bank_holidays="england-and-wales"',
            "--set", 'calendar.days=[{ date = "12-31", factor = 1.4 }]']


def run(days: float, extra: list[str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak MiB, measured contacts) for one replication of ``days``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, "run", str(SCENARIO), "--replications", "1",
             "--days", str(days), "--workers", "1", "--no-report", "--quiet", "--out", str(out),
             *(extra or [])],
            capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        peak_mib = int(done.stderr.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB
        channels = json.loads((out / "summary.json").read_text())["channels"]
        contacts = sum(int(ch.get("arrivals", ch["offered"])["mean"])
                       for ch in channels.values())
    return wall, peak_mib, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, nargs="+", default=[7, 28, 365])
    parser.add_argument("--calendar", action="store_true",
                        help="also time a year with the calendar on against one without")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, for --calendar")
    args = parser.parse_args()
    print(f"{SCENARIO.name}: one replication, workers 1, reports off\n")
    print(f"{'days':>6} {'contacts':>12} {'wall s':>8} {'peak MiB':>9} {'s per 1M contacts':>18}")
    costs = {}
    for days in args.days:
        wall, peak, contacts = run(days)
        costs[days] = wall / contacts * 1e6
        print(f"{days:>6g} {contacts:>12,} {wall:>8.1f} {peak:>9.0f} {costs[days]:>18.2f}")
    first, last = min(costs), max(costs)
    if first != last:
        print(f"\ncost per contact, {last:g} days / {first:g} days: "
              f"{costs[last] / costs[first]:.2f}x (target <= 1.2x)")
    if args.calendar:
        calendar_cost(args.repeats)


def calendar_cost(repeats: int) -> None:
    """The year without the calendar, with a flat one and with a full one, in turn."""
    ways = {"without the calendar": None, "flat calendar (same demand)": FLAT,
            "full calendar (seasons, holidays, a special day)": CALENDAR}
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(repeats):
        for name, extra in ways.items():
            best[name] = min(best[name], run(365, extra)[0])
    base = best["without the calendar"]
    print(f"\n365 days, best of {repeats}:")
    for name, wall in best.items():
        print(f"  {name:<50} {wall:6.1f} s  {wall / base:.3f}x")


if __name__ == "__main__":
    main()
