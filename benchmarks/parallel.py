"""Parallel replications: 8 replications with --workers 1 and --workers 2, side by side.

Both runs go through the normal command line (``contactsim run ... --no-report``) in fresh
processes. The script prints both wall times, the speed-up (target: at least 1.8x on 2 cores)
and whether the two results folders are byte-identical apart from ``wall_s`` (they must be:
each replication's random streams depend only on the seed and its number).

Run: ``python benchmarks/parallel.py`` (``--scenario``, ``--days`` to change the workload).
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


def run(scenario: Path, days: float, workers: int, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "contactsim", "run", str(scenario), "--replications",
                    "8", "--days", str(days), "--workers", str(workers), "--no-report",
                    "--quiet", "--out", str(out)], check=True)
    return time.perf_counter() - start


def same_results(a: Path, b: Path) -> bool:
    for path in sorted(a.iterdir()):
        other = b / path.name
        if path.name == "summary.json":
            x, y = json.loads(path.read_text()), json.loads(other.read_text())
            x.pop("wall_s")
            y.pop("wall_s")
            if x != y:
                return False
        elif path.read_bytes() != other.read_bytes():
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "large-force.toml")
    parser.add_argument("--days", type=float, default=28)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one, two = Path(tmp) / "one", Path(tmp) / "two"
        t1 = run(args.scenario, args.days, 1, one)
        t2 = run(args.scenario, args.days, 2, two)
        identical = same_results(one, two)
    print(f"{args.scenario.name}, 8 replications x {args.days:g} days")
    print(f"  --workers 1: {t1:6.1f} s")
    print(f"  --workers 2: {t2:6.1f} s")
    print(f"  speed-up: {t1 / t2:.2f}x (target >= 1.8x on 2 cores)")
    print(f"  results identical apart from wall_s: {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
