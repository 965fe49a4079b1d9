"""Cost of ``contactsim staff`` against one run of the same scenario (issue 22).

Prints, for each scenario: the CPU seconds of one run of the scenario at its own replications
and days (the precision ``staff`` verifies its roster at), the CPU seconds and wall time of
``staff`` on it at its defaults, and the ratio of the two CPU figures. CPU time counts this
process and its worker processes (``resource.getrusage``), so the figures hold on a busy
machine where the wall clock does not. The target: ``staff`` on the shipped baseline costs at
most 5 runs; on the metropolitan case (``benchmarks/metro.toml``: about 3,000 999 and 4,000 101
calls a day on a 12-hour day/night roster) it finishes in under 5 minutes on 2 cores.

Run: ``python benchmarks/staff.py`` (both), or ``--only baseline`` / ``--only metro``;
``--workers`` (default 2).
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from pathlib import Path

from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.staffing import Plan, Request, plan
from contactsim.config.loading import load_scenario
from contactsim.timebase import WEEKDAYS

HERE = Path(__file__).resolve().parent
SCENARIOS = {"baseline": (HERE.parent / "scenarios" / "baseline.toml", "999"),
             "metro": (HERE / "metro.toml", "999")}


def cpu_s() -> float:
    """CPU seconds of this process and its finished children, user and system."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = cpu_s(), time.perf_counter()
    work()
    return cpu_s() - cpu, time.perf_counter() - wall


def measure(name: str, workers: int) -> None:
    file, channel = SCENARIOS[name]
    sc = load_scenario(file)
    run_cpu, run_wall = timed(lambda: run_experiment(sc, workers=workers))
    request = Request(str(file), channel, workers=workers)
    found: list[object] = []
    staff_cpu, staff_wall = timed(lambda: found.append(plan(request, sc)))
    print(f"{name}: {sc.run.replications} replications x {sc.run.days:g} days, "
          f"{workers} workers")
    print(f"  one run          {run_cpu:8.1f} CPU-s  {run_wall:7.1f} s wall")
    print(f"  staff            {staff_cpu:8.1f} CPU-s  {staff_wall:7.1f} s wall")
    print(f"  ratio            {staff_cpu / run_cpu:8.2f} runs (target: at most 5)")
    p = found[0]
    assert isinstance(p, Plan)
    w, sl = p.workforce, p.suggested_sl
    print(f"  suggested        {p.suggested_hours:8,} staff hours  {w.fte(p.suggested_hours):5.1f} "
          f"FTE  (today {p.rostered.sum():,.0f}, {w.fte(float(p.rostered.sum())):.1f} FTE; "
          f"requirement {int(p.required.sum()):,})")
    print(f"  service level    {sl.mean:8.1%} over the week; trimmed {p.search.trimmed:,} staff "
          f"hours in {p.search.trim_screens} screens")
    for b in p.chosen.bands:
        print(f"  short            {WEEKDAYS[b.first_hour // 24]} {b.first_hour % 24:02d}:00 "
              f"for {b.hours} h at {b.service_level:.1%}{' (clearly)' if b.clearly else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for name in [args.only] if args.only else list(SCENARIOS):
        measure(name, args.workers)


if __name__ == "__main__":
    main()
