"""What a workforce costs the engine: a year of the baseline with and without one.

Simulates replication 0 of ``scenarios/baseline-2025.toml`` (the baseline force over 2025) and of
``scenarios/workforce-year.toml`` (the same year with leavers, two courses of recruits ramping up
and summer with no courses) in this process, alternately, ``--rounds`` times each, and prints the
CPU seconds of each (the best of the rounds: another program's load slows a run, never speeds
it), the contacts simulated per CPU second and the ratio. The shipped workforce changes who is
on duty (fewer people by the autumn, slower new handlers), so that room does different work:
longer queues, more callers hanging up and ringing back. Two more runs isolate what the hook
itself costs on the same work: the baseline with a workforce that changes nothing (headcount =
roster_for, no leavers, no recruits: the roster scaler runs every week), and one with every hook
on (one recruit of 56 ramping all year at a factor of 1.01, so every answer goes through the
ramp wrapper) over nearly the same room. The target (issue 21): a year with a workforce within
10% of the same year without.
Run: ``python benchmarks/workforce.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from contactsim.config.loading import load_scenario, with_changes
from contactsim.config.spec import Scenario, WorkforceSpec
from contactsim.engine import simulate

ROOT = Path(__file__).resolve().parent.parent


def cpu_s(scenario: Scenario) -> tuple[float, int]:
    start = time.process_time()
    out = simulate(scenario, 0)
    return time.process_time() - start, len(out.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base = load_scenario(ROOT / "scenarios" / "baseline-2025.toml")
    shipped = load_scenario(ROOT / "scenarios" / "workforce-year.toml")
    spec = shipped.pools["handlers"].workforce
    assert isinstance(spec, WorkforceSpec)
    neutral = with_changes(base, {("pools", "handlers", "workforce"): {
        "headcount": spec.roster_for, "roster_for": spec.roster_for}})
    hooked = with_changes(base, {("pools", "handlers", "workforce"): {
        "headcount": spec.roster_for - 1, "roster_for": spec.roster_for, "ramp_weeks": 52,
        "ramp_factor": 1.01, "intakes": [{"date": str(base.run.start_date), "people": 1}]}})
    runs = {"baseline 2025 (no workforce)": base, "workforce that changes nothing": neutral,
            "every hook on, same room": hooked, "workforce-year.toml (shipped)": shipped}
    best: dict[str, tuple[float, int]] = {}
    for _ in range(args.rounds):
        for name, sc in runs.items():
            found = cpu_s(sc)
            if name not in best or found[0] < best[name][0]:
                best[name] = found
    first = next(iter(best.values()))[0]
    print(f"a year ({base.run.days:g} days), replication 0, best CPU s of {args.rounds} rounds")
    for name, (secs, contacts) in best.items():
        print(f"  {name:32s} {secs:7.2f} CPU s  {contacts / secs:10,.0f} contacts/CPU s  "
              f"x{secs / first:.3f}")


if __name__ == "__main__":
    main()
