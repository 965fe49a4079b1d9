"""The back-test: does the model reproduce the force's own last few weeks? (DESIGN §10)

A planner who wants the board to trust a scenario shows it against what really happened. The
back-test takes the force's telephony export (a :class:`~contactsim.logs.model.ContactLog`),
simulates the scenario over the very dates the export covers, and, for every channel and hour
of the week, lays the observed figure beside what the model says one more period like it could
look like: the simulated mean and a 95% *prediction* interval across replications,
``mean ± t(0.975, R-1) · s · √(1 + 1/R)``. A right model puts about 95% of the observed hours
inside their bands (the ``coverage``); far fewer says the model is off there.

Both sides are measured the same way, by the same function (the engine's own
:func:`~contactsim.analysis.measures.contact_measures`), from a contact log: the observed side
from the export, the simulated side from each replication's own simulated export
(:func:`~contactsim.engine.contactlog.simulate_log`, about a third slower than a plain run).
So diverted and in-progress contacts are treated alike (a diverted contact is never offered; a
contact still in progress is offered, neither answered nor abandoned), and hours of the week
are local clock hours on both sides.

The days compared are the log's whole local days (:mod:`contactsim.analysis.backtest_days`).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import stdtrit

from contactsim.analysis.backtest_days import (
    EDGE_SLACK_S as EDGE_SLACK_S,
    Window as Window,
    backtest_scenario as backtest_scenario,
    log_window as log_window,
)
from contactsim.analysis.experiment import default_workers
from contactsim.analysis.measures import contact_measures
from contactsim.analysis.pool import worker_pool
from contactsim.config.spec import Scenario
from contactsim.engine.contactlog import simulate_log
from contactsim.logs.model import ContactLog
from contactsim.timebase import HOURS_PER_WEEK

#: The measures compared, with DESIGN §5's names (as in hourly.csv).
MEASURES = ("offered", "service_level", "mean_answer_s", "abandon_rate")
#: Measures that are shares: their bands are kept within 0 to 1.
SHARES = frozenset({"service_level", "abandon_rate"})
#: The contacts each measure is a figure of: a cell whose observed count of them is below
#: MIN_CONTACTS is too small to judge, and is skipped (``offered`` has none: a count is a count).
DENOMINATOR = {"service_level": "offered", "abandon_rate": "offered",
               "mean_answer_s": "answered"}
MIN_CONTACTS = 5
#: The prediction interval's level, and so the coverage a right model gives.
LEVEL = 0.95

Progress = Callable[[int, int], None]
Hourly = dict[str, dict[str, np.ndarray]]  # channel -> measure -> 168 values


# --- the measures by hour of the week, from a contact log ---------------------------------


def hourly_measures(log: ContactLog, targets: Mapping[str, float],
                    days: np.ndarray) -> Hourly:
    """Per channel of ``targets`` (its answer target, s), each of MEASURES and ``answered``
    by local hour of the week, over the contacts that arrived on ``days`` (days since
    1970-01-01). A channel the log does not have gets zero contacts in every hour."""
    keep = np.isin(log.day, days)
    hours = log.hour_of_week
    answer_s = log.answer_s
    wanted = (*MEASURES, "answered")
    out: Hourly = {}
    for name, target in targets.items():
        mask = keep & (log.channel == log.channels.index(name)) if name in log.channels \
            else np.zeros(len(log), dtype=bool)
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(hours[idx], kind="stable")]
        bounds = np.searchsorted(hours[idx], np.arange(HOURS_PER_WEEK + 1))
        table = {m: np.full(HOURS_PER_WEEK, math.nan) for m in wanted}
        with np.errstate(invalid="ignore"):
            for h in range(HOURS_PER_WEEK):
                i = idx[bounds[h]:bounds[h + 1]]
                found = contact_measures(answer_s[i], log.wait_s[i], log.outcome[i],
                                         np.zeros(len(i), dtype=np.int8), target)
                for m in wanted:
                    table[m][h] = found[m]
        out[name] = table
    return out


def targets_of(scenario: Scenario) -> dict[str, float]:
    return {name: ch.answer_target_s for name, ch in scenario.channels.items()}


def simulated_hourly(scenario: Scenario, index: int, days: np.ndarray) -> tuple[Hourly, list[str]]:
    """One replication's simulated export, measured as the observed log is; its warnings."""
    out, log = simulate_log(scenario, index)
    return hourly_measures(log, targets_of(scenario), days), list(out.warnings)


def _task(args: tuple[Scenario, int, np.ndarray]) -> tuple[int, Hourly, list[str]]:
    hourly, warnings = simulated_hourly(*args)
    return args[1], hourly, warnings


#: Memory a replication's simulated export takes while it is measured, per contact (measured:
#: about 340 bytes on the baseline, the logging room's rows and the log's columns).
BYTES_PER_CONTACT = 400
#: The share of the machine's memory the replications running at once may take.
MEMORY_SHARE = 0.5


def workers_for_memory(scenario: Scenario, memory_bytes: int | None = None) -> int:
    """How many replications can run at once in ``memory_bytes`` (default: the machine's):
    a year of the largest force is some 2.6 GB a replication, so two at once may not fit."""
    if memory_bytes is None:
        try:
            memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return 1 << 30  # unknown: no limit
    contacts = sum(ch.per_day for ch in scenario.channels.values()) * scenario.run.days
    contacts += sum(s.calls for s in scenario.surges)
    need = max(1.0, contacts * BYTES_PER_CONTACT)
    return max(1, int(MEMORY_SHARE * memory_bytes // need))


def simulate_replications(scenario: Scenario, days: np.ndarray, workers: int | None = None,
                          progress: Progress | None = None
                          ) -> tuple[list[Hourly], list[str]]:
    """Every replication's hourly measures, in replication order (the same whatever
    ``workers`` is: each replication has its own named random streams), and the warnings."""
    n = scenario.run.replications
    workers = min(workers or default_workers(), n, workers_for_memory(scenario))
    tasks = [(scenario, i, days) for i in range(n)]
    found: dict[int, tuple[Hourly, list[str]]] = {}
    if workers <= 1:
        results: Iterator[tuple[int, Hourly, list[str]]] = map(_task, tasks)
        for i, hourly, warnings in results:
            found[i] = (hourly, warnings)
            if progress is not None:
                progress(len(found), n)
    else:
        with worker_pool(workers) as pool:
            for i, hourly, warnings in pool.imap_unordered(_task, tasks):
                found[i] = (hourly, warnings)
                if progress is not None:
                    progress(len(found), n)
    seen: dict[str, None] = {}
    for i in range(n):
        seen.update(dict.fromkeys(found[i][1]))
    return [found[i][0] for i in range(n)], list(seen)


# --- bands and cells ----------------------------------------------------------------------


def prediction_interval(values: Sequence[float] | np.ndarray, measure: str,
                        level: float = LEVEL) -> tuple[float, float, float]:
    """``(mean, low, high)``: where one more replication's value should fall, with probability
    ``level``: ``mean ± t((1+level)/2, R-1) · s · √(1 + 1/R)`` over the R defined values,
    kept within the measure's range (shares 0-1, every other measure at least 0). The
    interval is NaN with fewer than two defined values (no spread to go by)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    r = len(v)
    if r == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if r < 2:
        return mean, math.nan, math.nan
    half = float(stdtrit(r - 1, (1 + level) / 2)) * float(v.std(ddof=1)) * math.sqrt(1 + 1 / r)
    high = 1.0 if measure in SHARES else math.inf
    return mean, min(max(mean - half, 0.0), high), min(max(mean + half, 0.0), high)


@dataclass(frozen=True)
class Cell:
    """One channel, hour of the week and measure: observed against the simulated band.

    ``skipped`` says why the cell is not compared ("" when it is)."""

    channel: str
    hour: int
    measure: str
    observed: float
    sim_mean: float
    pi_low: float
    pi_high: float
    skipped: str = ""

    @property
    def compared(self) -> bool:
        return not self.skipped

    @property
    def direction(self) -> int:
        """-1 observed below the band, +1 above it, 0 inside (or not compared)."""
        if self.skipped:
            return 0
        # A small tolerance: a band of zero width (every replication alike) holds its value.
        tol = 1e-9 * max(1.0, abs(self.sim_mean))
        if self.observed < self.pi_low - tol:
            return -1
        return 1 if self.observed > self.pi_high + tol else 0

    @property
    def inside(self) -> bool:
        return self.compared and self.direction == 0


def cells_for(channel: str, observed: Mapping[str, np.ndarray],
              simulated: Sequence[Mapping[str, np.ndarray]]) -> list[Cell]:
    """Every cell of one channel: MEASURES by hour of the week."""
    out = []
    for measure in MEASURES:
        reps = np.array([s[measure] for s in simulated], dtype=float)  # (R, 168)
        for h in range(HOURS_PER_WEEK):
            mean, low, high = prediction_interval(reps[:, h], measure)
            obs = float(observed[measure][h])
            den = DENOMINATOR.get(measure)
            skipped = ""
            if den is not None and not observed[den][h] >= MIN_CONTACTS:
                skipped = f"fewer than {MIN_CONTACTS} contacts {den} in the log"
            elif math.isnan(low):
                skipped = "too few replications with contacts in this hour to draw a band"
            out.append(Cell(channel, h, measure, obs, mean,
                            math.nan if skipped else low, math.nan if skipped else high,
                            skipped))
    return out


@dataclass(frozen=True)
class Counts:
    """How many cells were compared and skipped, and how many compared ones were inside."""

    compared: int
    inside: int
    skipped: int

    @property
    def coverage(self) -> float:
        return self.inside / self.compared if self.compared else math.nan


@dataclass
class Backtest:
    """A scenario simulated over a log's dates, and every cell of the comparison."""

    scenario: Scenario  # as simulated: pinned to the window's dates
    log: ContactLog
    window: Window
    cells: list[Cell]
    missing: tuple[str, ...]  # scenario channels the log does not have (not compared)
    warnings: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    #: The hourly figures behind the cells, kept for the totals and the lean
    #: (:mod:`contactsim.analysis.backtest_checks`).
    observed: Hourly = field(default_factory=dict)
    simulated: Sequence[Hourly] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels compared, in the scenario's order."""
        return tuple(c for c in self.scenario.channels if c not in self.missing)

    def counts(self, measure: str, channel: str | None = None) -> Counts:
        chosen = [c for c in self.cells if c.measure == measure
                  and (channel is None or c.channel == channel)]
        compared = [c for c in chosen if c.compared]
        return Counts(len(compared), sum(c.inside for c in compared),
                      len(chosen) - len(compared))

    def coverage(self, measure: str, channel: str | None = None) -> float:
        return self.counts(measure, channel).coverage

    @property
    def rows_compared(self) -> int:
        """Log rows that arrived on a compared day."""
        return int(np.isin(self.log.day, self.window.compared).sum())


def run_backtest(scenario: Scenario, log: ContactLog, window: Window | None = None, *,
                 workers: int | None = None, progress: Progress | None = None) -> Backtest:
    """Simulate ``scenario`` (already pinned with :func:`backtest_scenario`) and compare it
    with ``log`` hour by hour over ``window`` (default: :func:`log_window`)."""
    start = time.perf_counter()
    window = window or log_window(log)
    simulated, warnings = simulate_replications(scenario, window.compared, workers, progress)
    bt = compare(scenario, log, window, simulated)
    bt.warnings, bt.wall_s = warnings, time.perf_counter() - start
    return bt


def compare(scenario: Scenario, log: ContactLog, window: Window,
            simulated: Sequence[Hourly]) -> Backtest:
    """The back-test of ``log`` against replications already simulated over ``window``'s
    compared days (from :func:`simulate_replications`)."""
    days = window.compared
    observed = hourly_measures(log, targets_of(scenario), days)
    missing = tuple(c for c in scenario.channels if c not in log.channels
                    or not np.any(np.isin(log.day[log.channel == log.channels.index(c)], days)))
    cells = [cell for ch in scenario.channels if ch not in missing
             for cell in cells_for(ch, observed[ch], [s[ch] for s in simulated])]
    return Backtest(scenario, log, window, cells, missing, observed=observed,
                    simulated=list(simulated))
