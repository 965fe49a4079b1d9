"""How big a run is, before it starts: contacts to simulate, a rough time and memory.

A planner who asks for 10,000 replications of a year of the largest force should hear, before
the first replication starts, that it is some 66,000 million contacts and days of computing,
and how to make it smaller, not find out from a silent terminal. The figures here are cheap:
the volumes the scenario asks for (``per_day`` of every channel over the warm-up and measured
days, plus surge calls), times the replications. Redials and callbacks add a little more work
than that; the estimate says "about".

The time and memory figures are rough, from the engine's measured cost (``benchmarks/``):
about :data:`CONTACTS_PER_S` contacts a second on one core, and about
:data:`BYTES_PER_CONTACT` bytes of memory per contact of a replication, on top of
:data:`BASE_BYTES` for the process. A run is *large*, and warned about, when it simulates more
than :data:`LARGE_RUN_CONTACTS` contacts in all, or one replication would need more than
:data:`LARGE_REPLICATION_BYTES` of memory. The run is never refused: the warning only says what
it will cost and how to make it smaller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contactsim.config.spec import Scenario

#: Contacts simulated in all (every scenario and replication) above which a run is large:
#: about 6 minutes on one core.
LARGE_RUN_CONTACTS = 50_000_000
#: Memory one replication may need before the run is large (each worker holds one at a time).
LARGE_REPLICATION_BYTES = 2 * 2**30
#: The engine's speed on one core, measured on the project's machine with realistic scenarios
#: (benchmarks/scale.py: the largest force, 6.6 million contacts in about 35 s, with redials,
#: callbacks and results); an Erlang A workload alone runs faster (benchmarks/engine.py).
CONTACTS_PER_S = 150_000
#: Peak memory per contact of one replication, and for the process itself (benchmarks/scale.py:
#: 393 MiB for a year of the largest force).
BYTES_PER_CONTACT = 60
BASE_BYTES = 100 * 2**20


@dataclass(frozen=True)
class RunSize:
    """The contacts a run will simulate and what that costs, roughly."""

    contacts: float  # every scenario and replication, warm-up included
    largest_replication: float  # contacts in the largest single replication
    replications: int  # in all
    workers: int

    @property
    def seconds(self) -> float:
        """Rough wall time with ``workers`` processes (no faster than one replication)."""
        per_core = self.contacts / CONTACTS_PER_S
        return max(per_core / self.workers, self.largest_replication / CONTACTS_PER_S)

    @property
    def replication_bytes(self) -> float:
        return BASE_BYTES + BYTES_PER_CONTACT * self.largest_replication

    @property
    def large(self) -> bool:
        return (self.contacts > LARGE_RUN_CONTACTS
                or self.replication_bytes > LARGE_REPLICATION_BYTES)


def replication_contacts(sc: Scenario) -> float:
    """Contacts one replication draws, on average: every channel's volume over the warm-up
    and measured days, and the surges' calls (redials and callbacks not counted)."""
    days = sc.run.days + sc.run.warmup_days
    return (sum(ch.per_day for ch in sc.channels.values()) * days
            + sum(s.calls for s in sc.surges))


def run_size(scenarios: Sequence[Scenario], workers: int) -> RunSize:
    """The size of running every scenario (a run, a comparison or a sweep) on ``workers``."""
    each = [replication_contacts(sc) for sc in scenarios]
    return RunSize(contacts=sum(n * sc.run.replications for n, sc in
                                zip(each, scenarios, strict=True)),
                   largest_replication=max(each, default=0.0),
                   replications=sum(sc.run.replications for sc in scenarios),
                   workers=max(1, workers))


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86_400:.1f} days"


def _millions(n: float) -> str:
    if n < 1e6:
        return f"{n:,.0f}"
    return f"{n / 1e6:,.0f} million" if n >= 10e6 else f"{n / 1e6:,.1f} million"


def size_warning(scenarios: Sequence[Scenario], workers: int) -> str | None:
    """Words for a large run (None for one that is not): its size, what it costs, and how to
    make it smaller."""
    size = run_size(scenarios, workers)
    if not size.large:
        return None
    reps = size.replications
    text = (f"a large run: about {_millions(size.contacts)} contacts to simulate "
            f"({reps:,} replications of about {_millions(size.largest_replication)} contacts "
            f"at most), roughly {_duration(size.seconds)} on {size.workers} "
            f"{'core' if size.workers == 1 else 'cores'}")
    if size.replication_bytes >= 2**30:
        text += f", and about {size.replication_bytes / 2**30:,.1f} GB of memory per worker"
    ways = []
    if size.contacts > LARGE_RUN_CONTACTS and reps > len(scenarios):
        ways.append("fewer replications (--replications; 4 times fewer only doubles the "
                    "width of the confidence intervals)")
    ways.append("fewer days (--days)")
    if size.replication_bytes > LARGE_REPLICATION_BYTES:
        ways.append("fewer workers (--workers) to use less memory at once")
    if size.contacts > LARGE_RUN_CONTACTS:
        ways.append("a Dask cluster (--dask)")
    return text + "; to make it smaller or faster: " + ", ".join(ways) + "."
