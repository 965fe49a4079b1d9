"""What officers cost: a year of the baseline with response officers against the same year without.

The target (issue 25): a year of ``scenarios/baseline-officers.toml`` costs at most 1.5 times a
year of ``scenarios/baseline.toml`` (the same room, no ``[officers]``). Both run one replication
of 365 measured days in this process, by the engine alone (no results written), and the CPU
time of each is the best of ``--repeat`` runs, the two alternated (CPU time is the steadier
figure on a busy machine: another program's load slows the wall clock, not the CPU time a run
needs). The officers' run does more than dispatch: its chase calls are extra contacts for the
handlers (and some hang up and redial), and resolved deployments add handler time, so the ratio
is the whole price of the feature as a planner pays it.

The same year with the officers split into an urban and a rural area
(``scenarios/baseline-officers-areas.toml``) is timed too, for information.

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


def one_run(file: Path, days: int) -> tuple[float, int]:
    """CPU time of one replication of ``days`` measured days, and its measured contacts."""
    scenario = load_scenario(file, [f"run.days={days}", "run.replications=1"])
    start = time.process_time()
    out = simulate(scenario, 0)
    return time.process_time() - start, len(out.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = ("baseline.toml", "baseline-officers.toml", "baseline-officers-areas.toml")
    best = dict.fromkeys(names, float("inf"))
    contacts = dict.fromkeys(names, 0)
    for _ in range(args.repeat):  # alternated, so a busy spell on the machine hits both
        for name in names:
            cpu, contacts[name] = one_run(ROOT / "scenarios" / name, args.days)
            best[name] = min(best[name], cpu)
    for name in names:
        print(f"{name:28} {args.days} days: {contacts[name]:>10,} contacts, "
              f"{best[name]:7.2f} CPU s ({contacts[name] / best[name]:,.0f} contacts per CPU "
              f"second, best of {args.repeat})")
    ratio = best[names[1]] / best[names[0]]
    print(f"with officers / without: {ratio:.2f}x CPU time (target at most {TARGET}x): "
          + ("met" if ratio <= TARGET else "NOT met"))
    print(f"with officers in two areas / without: {best[names[2]] / best[names[0]]:.2f}x CPU "
          "time (no target: two areas share their officers less well, so more incidents wait "
          "and more callers chase)")


if __name__ == "__main__":
    main()
