"""Engine speed: one Erlang A workload simulated three ways, side by side, in one run.

The workload: calls arrive at 0.1 a second (Poisson), handle times are exponential with mean
240 s, 30 handlers work around the clock, callers hang up after an exponential patience with
mean 120 s, and the target is 10 s. Each way simulates at least ``--calls`` measured calls
(default 2,000,000) and reports calls per second:

- contactsim through its normal path: a scenario file and ``contactsim run --no-report
  --workers 1`` in a fresh process, start-up, loading and writing results all included;
- an idiomatic SimPy model: one process per call, a ``simpy.Resource``, and
  ``req | env.timeout(patience)`` (timed in-process, start-up excluded);
- Ciw 3 with reneging (timed in-process, start-up excluded).

It prints each one's service level, abandonment and mean wait beside the exact Erlang A figures,
and the speed ratios, by wall-clock time and by CPU time (the CPU figures are the steadier on a
busy machine: another program's load slows the wall clock, not the CPU time a run needs).
Run: ``python benchmarks/engine.py`` (``pip install -e '.[bench]'`` first: SimPy and Ciw), or
``--calls 200000`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import simpy

from contactsim.analysis.erlang import erlang_a_result

RATE, HANDLE, AGENTS, PATIENCE, TARGET = 0.1, 240.0, 30, 120.0, 10.0
WARMUP_S = 86_400.0


@dataclass
class Outcome:
    name: str
    calls: int
    wall_s: float
    cpu_s: float
    service_level: float
    abandon_rate: float
    mean_wait_s: float

    @property
    def per_s(self) -> float:
        return self.calls / self.wall_s

    @property
    def per_cpu_s(self) -> float:
        return self.calls / self.cpu_s


def children_cpu_s() -> float:
    """CPU seconds (user and system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def horizon_days(calls: int) -> float:
    """Measured days that hold ``calls`` calls on average, with a little to spare."""
    return calls * 1.002 / (RATE * 86_400)


def run_contactsim(calls: int, seed: int) -> Outcome:
    days = horizon_days(calls)
    scenario = f"""\
name = "Benchmark: Erlang A workload"
[run]
days = {days:.4f}
warmup_days = 1
replications = 1
seed = {seed}
[channels.calls]
per_day = {RATE * 86_400}
answer_target_s = {TARGET}
patience = {{ dist = "exponential", mean = {PATIENCE} }}
[categories.call]
handle = {{ dist = "exponential", mean = {HANDLE} }}
[pools.agents]
skills = ["calls"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {AGENTS} }} ]
"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "erlang_a.toml"
        path.write_text(scenario, encoding="utf-8")
        start, cpu = time.perf_counter(), children_cpu_s()
        subprocess.run([sys.executable, "-m", "contactsim", "run", str(path), "--no-report",
                        "--workers", "1", "--quiet", "--out", str(Path(tmp) / "out")],
                       check=True)
        wall, cpu = time.perf_counter() - start, children_cpu_s() - cpu
        ch = json.loads((Path(tmp) / "out" / "summary.json").read_text())["channels"]["calls"]
    return Outcome("contactsim", int(ch["offered"]["mean"]), wall, cpu,
                   ch["service_level"]["mean"], ch["abandon_rate"]["mean"],
                   ch["mean_wait_s"]["mean"])


class Tally:
    def __init__(self) -> None:
        self.calls = self.within = self.abandoned = 0
        self.wait = 0.0

    def add(self, wait: float, answered: bool) -> None:
        self.calls += 1
        self.wait += wait
        if answered:
            self.within += wait <= TARGET
        else:
            self.abandoned += 1


def run_simpy(calls: int, seed: int) -> Outcome:
    """The textbook SimPy model: a process per call."""
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    tally = Tally()
    end = WARMUP_S + horizon_days(calls) * 86_400

    def caller(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with agents.request() as req:
            got = yield req | env.timeout(rng.expovariate(1 / PATIENCE))
            wait = env.now - arrived
            if arrived >= WARMUP_S:
                tally.add(wait, req in got)
            if req in got:
                yield env.timeout(rng.expovariate(1 / HANDLE))

    def source(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        while True:
            yield env.timeout(rng.expovariate(RATE))
            if env.now >= end:
                return
            env.process(caller(env))

    start, cpu = time.perf_counter(), time.process_time()
    env.process(source(env))
    env.run()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Outcome("SimPy, process per call", tally.calls, wall, cpu, tally.within / tally.calls,
                   tally.abandoned / tally.calls, tally.wait / tally.calls)


def run_ciw(calls: int, seed: int) -> Outcome | None:
    try:
        import ciw  # type: ignore[import-untyped]
    except ImportError:
        print("Ciw is not installed (pip install -e '.[bench]'): skipping it", file=sys.stderr)
        return None
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1 / HANDLE)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    end = WARMUP_S + horizon_days(calls) * 86_400
    start, cpu = time.perf_counter(), time.process_time()
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(end + 3_600)  # an hour more, so late arrivals finish
    recs = [r for r in sim.get_all_records() if WARMUP_S <= r.arrival_date < end]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    served = [r for r in recs if r.record_type == "service"]
    reneged = [r for r in recs if r.record_type == "renege"]
    total = len(served) + len(reneged)
    waits = sum(r.waiting_time for r in served) + sum(r.waiting_time for r in reneged)
    within = sum(1 for r in served if r.waiting_time <= TARGET)
    return Outcome("Ciw 3 with reneging", total, wall, cpu, within / total, len(reneged) / total,
                   waits / total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2_000_000, help="measured calls per way")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-ciw", action="store_true")
    args = parser.parse_args()
    theory = erlang_a_result(RATE * 3600, HANDLE, AGENTS, PATIENCE, TARGET)
    print(f"Erlang A workload: {RATE}/s, handle {HANDLE:g} s, {AGENTS} handlers, patience "
          f"{PATIENCE:g} s, target {TARGET:g} s; at least {args.calls:,} measured calls each\n")
    results = [run_contactsim(args.calls, args.seed), run_simpy(args.calls, args.seed)]
    if not args.skip_ciw:
        found = run_ciw(args.calls, args.seed)
        if found is not None:
            results.append(found)
    print(f"{'':26} {'calls':>10} {'wall s':>8} {'calls/s':>9} {'CPU s':>7} {'per CPU s':>9} "
          f"{'SL':>7} {'abandon':>8} {'wait s':>7}")
    print(f"{'Erlang A (exact)':26} {'':>10} {'':>8} {'':>9} {'':>7} {'':>9} "
          f"{theory.service_level:7.4f} {theory.abandon_rate:8.4f} {theory.mean_wait_s:7.3f}")
    for r in results:
        print(f"{r.name:26} {r.calls:>10,} {r.wall_s:8.1f} {r.per_s:9,.0f} {r.cpu_s:7.1f} "
              f"{r.per_cpu_s:9,.0f} {r.service_level:7.4f} {r.abandon_rate:8.4f} "
              f"{r.mean_wait_s:7.3f}")
    ours = results[0]
    print()
    for other in results[1:]:
        print(f"contactsim / {other.name}: {ours.per_s / other.per_s:.1f}x calls per second "
              f"(wall clock), {ours.per_cpu_s / other.per_cpu_s:.1f}x per CPU second")


if __name__ == "__main__":
    main()
