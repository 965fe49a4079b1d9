"""What officers cost: a year of the baseline with response officers against the same year without.

The target (issue 25): a year of ``scenarios/baseline-officers.toml`` costs at most 1.5 times a
year of ``scenarios/baseline.toml`` (the same room, no ``[officers]``). Both run one replication
of 365 measured days in this process, by the engine alone (no results written), and the CPU
time of each is the best of ``--repeat`` runs (the steadier figure on a busy machine: another
program's load slows the wall clock, not the CPU time a run needs). The officers' run does more
than dispatch: its chase calls are extra contacts for the handlers, and resolved deployments
add handler time, so the ratio is the whole price of the feature as a planner pays it.

Run: ``python benchmarks/dispatch.py`` (``--days 91`` for a quick look).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from contactsim.config.loading import load_scenario
from contactsim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.5


def cpu_seconds(file: Path, days: int, repeat: int) -> tuple[float, int]:
    """Best CPU time of one replication of ``days`` measured days, and its measured contacts."""
    scenario = load_scenario(file, [f"run.days={days}", "run.replications=1"])
    best, contacts = float("inf"), 0
    for _ in range(repeat):
        start = time.process_time()
        out = simulate(scenario, 0)
        best = min(best, time.process_time() - start)
        contacts = len(out.records)
    return best, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for name in ("baseline.toml", "baseline-officers.toml"):
        cpu, contacts = cpu_seconds(ROOT / "scenarios" / name, args.days, args.repeat)
        rows.append((name, cpu, contacts))
        print(f"{name:24} {args.days} days: {contacts:>10,} contacts, {cpu:7.2f} CPU s "
              f"({contacts / cpu:,.0f} contacts per CPU second)")
    ratio = rows[1][1] / rows[0][1]
    print(f"with officers / without: {ratio:.2f}x CPU time (target at most {TARGET}x): "
          + ("met" if ratio <= TARGET else "NOT met"))


if __name__ == "__main__":
    main()
