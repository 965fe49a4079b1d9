"""``contactsim recruit`` on a year of the baseline force with a workforce: wall and CPU time.

The scenario is the one given with ``--scenario`` (a shipped year scenario), else the baseline
(``scenarios/baseline.toml``) run for a year from Monday 6 January 2025 with a workforce table for
its call handlers: 56 in post against a roster written for 46, 20% leaving a year (US emergency
communications lose 17-25% a year), 16 weeks' training then 36 weeks' ramp-up at 1.5 times the
handle time at first (about a year from recruit to full handler), and no courses in June to
August. The command runs through the normal command line in a fresh process, so start-up,
loading, every simulation and the report are timed; it prints the wall time, the CPU time
(this process's children: the steadier figure on a busy machine), how many plans were simulated
and the answer. Target: under 10 minutes on 2 cores.

Run: ``python benchmarks/recruit.py`` (``--replications``, ``--target``, ``--course-months``
to change the question).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

YEAR = """\
extends = "{base}"
name = "Dorset-sized force: a year with a workforce"
[run]
days = 365
start_date = "2025-01-06"
[pools.handlers.workforce]
headcount = 56
roster_for = 46
attrition = 0.2
training_weeks = 16
ramp_weeks = 36
ramp_factor = 1.5
no_courses = ["jun", "jul", "aug"]
"""


def year_scenario(folder: Path) -> Path:
    path = folder / "baseline-year-workforce.toml"
    path.write_text(YEAR.format(base=(ROOT / "scenarios" / "baseline.toml").as_posix()),
                    encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, help="a year scenario with a workforce "
                        "(default: the baseline over a year, with the table above)")
    parser.add_argument("--pool", default="handlers")
    parser.add_argument("--replications", type=int, help="override run.replications")
    parser.add_argument("--target", default="0.9")
    parser.add_argument("--course-months", default="3,9")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = args.scenario or year_scenario(Path(tmp))
        out = Path(tmp) / "recruit"
        cmd = [sys.executable, "-m", "contactsim", "recruit", str(scenario), "--pool",
               args.pool, "--channel", "999", "--target", args.target, "--course-months",
               args.course_months, "--workers", args.workers, "--out", str(out)]
        if args.replications:
            cmd += ["--replications", str(args.replications)]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - start
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        facts = json.loads((out / "recruit.json").read_text(encoding="utf-8"))
    print(f"\n{scenario.name}: recruit for 999 at {args.target} in every month, courses in "
          f"months {args.course_months}, {facts['replications']} replications")
    print(f"  wall time: {wall:7.1f} s   (target: under 600 s on 2 cores)")
    print(f"  CPU time:  {used.ru_utime + used.ru_stime:7.1f} s   (all processes)")
    print(f"  plans simulated: {facts['simulations']}; chosen: {facts['plan']['recruits']} "
          f"recruits, months missed {len(facts['plan']['months_missed'])} "
          f"(no recruiting: {len(facts['no_recruiting']['months_missed'])})")


if __name__ == "__main__":
    main()
