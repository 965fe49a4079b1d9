"""Scale and memory: one replication of the largest-force scenario for 7, 28 and 365 days.

Each length runs as ``contactsim run scenarios/large-force.toml --replications 1 --days D
--workers 1 --no-report`` in a fresh process (start-up, loading and writing results included),
and reports wall time, the process's peak memory (max resident set size) and the cost per
million measured contacts. Targets: the cost per contact at 365 days within 1.2x of that at 7
days (the engine's cost does not grow with the length of the run), and peak memory for the
year under 1 GiB.

Run: ``python benchmarks/scale.py`` (``--days 7 28`` to skip the year).
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


def run(days: float) -> tuple[float, float, int]:
    """(wall seconds, peak MiB, measured contacts) for one replication of ``days``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, "run", str(SCENARIO), "--replications", "1",
             "--days", str(days), "--workers", "1", "--no-report", "--quiet", "--out", str(out)],
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


if __name__ == "__main__":
    main()
