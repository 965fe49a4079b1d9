"""Experiments: replications of a scenario, run in parallel, gathered in order.

Each replication draws from its own named random streams (see :mod:`contactsim.streams`), so it
gives the same result whichever process runs it and whenever it finishes; the results are put
back in replication order, so ``--workers 1`` and ``--workers 8`` write identical files.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contactsim.analysis.measures import Replication, replication_measures
from contactsim.analysis.warnings import scenario_warnings
from contactsim.config.spec import Scenario
from contactsim.engine import simulate

Progress = Callable[[int, int], None]


@dataclass
class Experiment:
    """A scenario and the measures of each of its replications, in order."""

    scenario: Scenario
    replications: list[Replication]
    wall_s: float

    @property
    def warnings(self) -> list[str]:
        """The scenario's own warnings, then each kind of replication warning once, in order.

        Replication warnings that differ only in their figures are one kind: it is reported
        with the figures of the replication where they are largest, and, when several
        replications ran, in how many of them it happened.
        """
        seen: dict[str, None] = dict.fromkeys(scenario_warnings(self.scenario))
        kinds: dict[str, dict[int, str]] = {}  # kind -> replication index -> its text
        for i, rep in enumerate(self.replications):
            for w in rep.warnings:
                kinds.setdefault(_generic(w), {}).setdefault(i, w)
        for texts in kinds.values():
            seen.setdefault(_merged(list(texts.values()), len(self.replications)), None)
        return list(seen)


_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _generic(warning: str) -> str:
    """A warning with its figures taken out: warnings that differ only in them are one kind."""
    return _FIGURE.sub("N", " ".join(warning.split()))


def _figures(warning: str) -> list[float]:
    return [float(f.replace(",", "")) for f in _FIGURE.findall(warning)]


def _merged(texts: list[str], replications: int) -> str:
    """One kind of warning from the replications that gave it: the largest figures, and how
    many replications gave it (when that is not every one, or the figures differ)."""
    worst = max(texts, key=_figures)
    if replications <= 1 or (len(texts) == replications and len(set(texts)) == 1):
        return worst
    where = f"in {len(texts)} of {replications} replications"
    if len(set(texts)) > 1:
        where += "; the figures are from the one where they are largest"
    return f"{worst.rstrip()} ({where})"


def run_replication(scenario: Scenario, index: int) -> Replication:
    """Simulate one replication and reduce it to its measures."""
    return replication_measures(scenario, index, simulate(scenario, index))


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def run_experiment(scenario: Scenario, workers: int | None = None,
                   progress: Progress | None = None, dask: str | None = None) -> Experiment:
    """Run every replication of ``scenario``.

    Locally on ``workers`` processes (default: all cores), or on the Dask cluster whose
    scheduler is at ``dask`` (e.g. ``tcp://10.0.0.5:8786``). Each replication's random streams
    depend only on the seed and its number, so the results are the same either way.
    """
    start = time.perf_counter()
    n = scenario.run.replications
    workers = min(workers or default_workers(), n)
    results: dict[int, Replication] = {}
    found = (_replications_dask(scenario, n, dask) if dask is not None
             else _replications(scenario, n, workers))
    for rep in found:
        results[rep.index] = rep
        if progress is not None:
            progress(len(results), n)
    ordered = [results[i] for i in range(n)]
    return Experiment(scenario, ordered, time.perf_counter() - start)


def run_experiments(scenarios: Sequence[Scenario], workers: int | None = None,
                    progress: Callable[[Scenario], Progress | None] | None = None,
                    dask: str | None = None) -> Iterator[Experiment]:
    """Run several scenarios (a comparison, a sweep), yielding their experiments in order.

    Locally they run one after another, each on ``workers`` processes. On a Dask cluster every
    replication of every scenario is sent at once, so a sweep keeps all the cluster's workers
    busy; the results are the same as a local run's either way.
    """
    if dask is None:
        for sc in scenarios:
            yield run_experiment(sc, workers, progress(sc) if progress else None)
        return
    client = dask_client(dask)
    start = time.perf_counter()
    batches = [client.map(run_replication, [sc] * sc.run.replications,
                          range(sc.run.replications), pure=False) for sc in scenarios]
    try:
        for sc, futures in zip(scenarios, batches, strict=True):
            tick = progress(sc) if progress else None
            reps = []
            for future in futures:
                reps.append(future.result())
                if tick is not None:
                    tick(len(reps), len(futures))
            yield Experiment(sc, reps, time.perf_counter() - start)
            start = time.perf_counter()
    finally:
        for futures in batches:
            client.cancel(futures)


def _task(args: tuple[Scenario, int]) -> Replication:
    return run_replication(*args)


def _replications(scenario: Scenario, n: int, workers: int) -> Iterator[Replication]:
    if workers <= 1:
        for i in range(n):
            yield run_replication(scenario, i)
        return
    # Here, not at the top: multiprocessing is 10 ms of start-up a one-worker run needs not.
    from contactsim.analysis.pool import worker_pool

    with worker_pool(workers) as pool:
        yield from pool.imap_unordered(_task, [(scenario, i) for i in range(n)])


class DaskUnavailableError(RuntimeError):
    """``--dask`` was asked for but the scheduler cannot be used (message says why)."""


_clients: dict[str, Any] = {}
#: How long to try to reach a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 10


def dask_client(address: str) -> Any:
    """A client of the Dask scheduler at ``address``, connected once per process."""
    try:
        from distributed import Client
    except ImportError:
        raise DaskUnavailableError("--dask needs Dask's distributed scheduler: "
                              "pip install 'contactsim[dask]'") from None
    client = _clients.get(address)
    if client is None:
        try:
            client = Client(address, set_as_default=False,  # type: ignore[no-untyped-call]
                            timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise DaskUnavailableError(f"cannot reach the Dask scheduler at {address}: {exc}") \
                from None
        _clients[address] = client
    return client


def _replications_dask(scenario: Scenario, n: int, address: str) -> Iterator[Replication]:
    client = dask_client(address)
    futures = client.map(run_replication, [scenario] * n, range(n), pure=False)
    try:
        for future in futures:  # all run at once on the cluster; collected in order
            yield future.result()
    finally:
        client.cancel(futures)
