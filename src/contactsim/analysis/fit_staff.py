"""The staff on duty in each hour of the week, estimated from a contact log and calibrated.

A log has no roster, but it shows the room at work. Per whole day and hour, from the answered
contacts' service (from ``answered`` for ``talk_s`` plus ``wrap_s``):

- **most in service at once** (any log with ``talk_s``): the most contacts in service together
  in any second of the hour (counted second by second, so a log's rounded times make no
  moments of false overlap). When callers are kept waiting in the hour
  everyone available is busy at those moments, so this is the staff available then (plus, after
  the team shrinks at the hour's start, those finishing a contact); in an hour where nobody
  waited it is a lower bound.
- **agents seen at work** (where the log says who answered: ``agent``): the distinct agents
  with a contact in service at some time in the hour.
- **in service while callers wait**, reported beside them: the time-weighted mean of the
  contacts in service while a caller has waited 5 s or more (:data:`WAIT_MIN_S`; shorter waits
  are routing, not a full room), or the most at once where the hour holds under
  :data:`MIN_WAITING_S` seconds of such moments. It samples the moments the room was short, so
  it understates the staff of quiet hours (on the Anonymous Bank month, evenings by a third).

Each hour of the week is the mean over the log's whole days of that weekday, with a t interval
over those days (the days are the independent units); a day-hour with no contact gives 0, and
the log's first hour is left out (it misses contacts answered before the export began). The
agents seen, where the log has them, are the shape used, else the most in service at once.
Either overstates what the room delivers to the log's queue (agents also do work the log does
not show; an agent seen once in an hour was not there all of it; the busiest moment is not the
whole hour), so one factor on the whole shape is **calibrated by simulation**: the fitted
scenario with ``factor * shape`` staff is simulated (short runs with common random numbers:
the same seed each time) and the factor chosen by bisection so that the simulated share of
offered voice calls abandoned, over the hours the log's room was staffed, equals the log's.
Abandonment is the target because it is counted directly from the log, in every hour, and does
not rest on an answer target the log cannot state (a scenario fitted without ``--base`` has a
default one); where no caller abandons (a digital-only log) the mean answer time is matched
instead. One factor, not one per hour: 168 free factors would fit the month's noise (better
in-sample, worse on new days). The factor's interval is the log's measure's 95% interval (days
as clusters) carried through the simulated curve.

The staff also vary between days of the same weekday (people off sick, on courses, swapped),
which a fixed ``staff_by_hour`` does not: the pool's ``absence`` is estimated from that spread
(:func:`absence_of`), written beside the staff and simulated in the calibration, so the factor
is chosen with it.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import tomli_w
from scipy import stats

from contactsim.analysis.fit_demand import Interval, ratio_interval
from contactsim.config.loading import load_scenario
from contactsim.config.schema import MAX_ON_DUTY
from contactsim.config.spec import Scenario
from contactsim.engine.room import simulate
from contactsim.logs.model import ContactLog
from contactsim.outcomes import ABANDONED, ANSWERED

#: A caller waiting at least this long means every available person is busy.
WAIT_MIN_S = 5.0
#: An hour needs this many seconds of such moments for the in-service mean.
MIN_WAITING_S = 60.0
#: Hours a contact in service can be seen at work in, at most (a longer one is cut).
MAX_SPAN_H = 24
#: Days per block of the second-by-second count (bounds memory on a year's log).
BLOCK_DAYS = 28
#: The absence estimated is kept at most this (a spread wider than half the team missing is not
#: a team's absence).
MAX_ABSENCE = 0.5
#: The calibration's range for the factor and its number of simulations at most.
FACTOR_RANGE = (0.1, 5.0)
MAX_TRIALS = 8
#: Simulated days per calibration run: as many of the log's as hold at most this many contacts
#: (one day at least).
SIM_CONTACTS = 60_000


@dataclass(frozen=True)
class StaffEstimate:
    """The staff on duty by hour of the week as the log shows it, and its calibration."""

    source: str                       # "agents seen at work" or "most in service at once"
    shape: tuple[Interval, ...]       # 168: the estimate the factor multiplies
    peak: tuple[Interval, ...]        # 168: the most contacts in service at once
    in_service: tuple[Interval, ...]  # 168: in service while callers were kept waiting
    agents: tuple[Interval, ...] | None  # 168: agents seen at work, where the log has them
    days: int
    #: The pool's ``absence``: how far the staff short-handed hours show vary between days of
    #: the same weekday beyond what a fixed team allows (0: none seen; see :func:`absence_of`).
    absence: float = 0.0
    target: str = ""                  # "abandoned share" or "mean answer time (s)"
    observed: Interval | None = None  # the log's figure of the target
    factor: Interval | None = None
    simulated: float = math.nan       # the target simulated at the chosen factor
    trials: tuple[tuple[float, float], ...] = field(default_factory=tuple)

    def staff(self, factor: float | None = None) -> list[float]:
        """168 figures for ``staff_by_hour``: the factor times the shape, to 0.01, at most
        MAX_ON_DUTY (the most a scenario holds; a burst of contacts in one moment can seem
        to need more: the fit says so, :meth:`capped`)."""
        k = (self.factor.estimate if self.factor is not None else 1.0) if factor is None \
            else factor
        return [min(round(max(k * x.estimate, 0.0), 2), MAX_ON_DUTY)
                if math.isfinite(x.estimate) else 0.0 for x in self.shape]

    def capped(self) -> bool:
        """Whether some hour's staff was cut to MAX_ON_DUTY."""
        k = self.factor.estimate if self.factor is not None else 1.0
        return any(math.isfinite(x.estimate) and k * x.estimate > MAX_ON_DUTY
                   for x in self.shape)


def _mean_interval(values: np.ndarray) -> Interval:
    values = values[np.isfinite(values)]
    n = len(values)
    m = float(values.mean()) if n else math.nan
    if n < 2:
        return Interval(m, math.nan, math.nan)
    half = float(stats.t.ppf(0.975, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return Interval(m, max(m - half, 0.0), m + half)


def _by_hour_of_week(cells: np.ndarray, days: np.ndarray) -> tuple[Interval, ...]:
    """168 intervals from (days, 24) values: the mean over the days of each weekday. An hour
    with no figure (its one day was the log's first hour) takes the mean of that hour over
    every day, without an interval."""
    weekday = (days + 3) % 7
    out = []
    for h in range(168):
        x = cells[weekday == h // 24, h % 24]
        if np.isfinite(x).any():
            out.append(_mean_interval(x))
            continue
        every = cells[:, h % 24][np.isfinite(cells[:, h % 24])]
        out.append(Interval(float(every.mean()) if len(every) else 0.0, math.nan, math.nan))
    return tuple(out)


def _in_service_by_hour(num: np.ndarray, den: np.ndarray, peak: np.ndarray,
                        days: np.ndarray) -> tuple[Interval, ...]:
    """168 intervals: each day-hour's contacts in service per second of callers kept waiting,
    or where it holds under MIN_WAITING_S of such moments its most in service at once; the
    mean over the days of each weekday."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cells = np.where(den >= MIN_WAITING_S, num / den, peak)
    return _by_hour_of_week(cells, days)


def _ratio_half(num: np.ndarray, den: np.ndarray, r: float) -> float:
    """Half the 95% interval of the ratio estimator Σnum / Σden with days as clusters."""
    k = len(den)
    if k < 2 or den.sum() <= 0:
        return math.nan
    se = math.sqrt(float(((num - r * den) ** 2).sum()) / (k * (k - 1))) / float(den.mean())
    return float(stats.t.ppf(0.975, k - 1)) * se


def _service(log: ContactLog) -> tuple[np.ndarray, np.ndarray]:
    """Local start and end of each answered contact's service (talk plus wrap-up)."""
    ans = log.outcome == ANSWERED
    start = (log.arrived_local + log.connect_s + log.wait_s)[ans]
    work = np.nan_to_num(log.talk_s[ans]) + np.nan_to_num(log.wrap_s[ans])
    return start, start + work


def _in_service_cells(log: ContactLog, days: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days, 24) each: contact-seconds in service while a caller has waited WAIT_MIN_S or
    more, the seconds of such moments, and the most contacts in service at once.

    Counted second by second (a contact starting or ending within a second counts from its
    start): so a log's rounded times make no moments of false overlap, and nothing is sorted.
    The seconds go in blocks of :data:`BLOCK_DAYS` days, each starting from the counts the
    blocks before it left, so a year's log needs little memory."""
    s_start, s_end = _service(log)
    took = (log.outcome == ANSWERED) | (log.outcome == ABANDONED)
    q = (log.arrived_local + log.connect_s)[took]
    w = log.wait_s[took]
    long = w > WAIT_MIN_S
    first = int(days.min())
    cells = (int(days.max()) - first + 1) * 24
    origin = first * 86400.0
    events = [np.clip(np.floor(x - origin), 0, cells * 3600).astype(np.int64)
              for x in (s_start, s_end, (q + WAIT_MIN_S)[long], (q + w)[long])]
    num, den, peak = np.zeros(cells), np.zeros(cells), np.zeros(cells)
    level = [0, 0]  # in service, waiting: at the start of the block
    block = BLOCK_DAYS * 86400
    for lo in range(0, cells * 3600, block):
        hi = min(lo + block, cells * 3600)
        counts = [np.bincount(e[(e >= lo) & (e < hi)] - lo, minlength=hi - lo)
                  for e in events]
        busy = level[0] + np.cumsum(counts[0] - counts[1])
        queue = level[1] + np.cumsum(counts[2] - counts[3])
        level = [int(busy[-1]), int(queue[-1])]
        hours = slice(lo // 3600, hi // 3600)
        waiting = (queue > 0).reshape(-1, 3600)
        by_hour = busy.reshape(-1, 3600)
        peak[hours] = by_hour.max(axis=1)
        den[hours] = waiting.sum(axis=1)
        num[hours] = (by_hour * waiting).sum(axis=1)
    n, d, p = (_first_hour_out(log, x, first)[days - first] for x in (num, den, peak))
    return n, d, p


def _first_hour_out(log: ContactLog, cells: np.ndarray, first: int) -> np.ndarray:
    """(days, 24) cells without the log's first hour, which misses the contacts answered
    before the export began (its figure is left out of the means)."""
    start = int(np.floor_divide(log.arrived_local.min(), 3600)) - first * 24
    out = cells.astype(float)
    if 0 <= start < len(out):
        out[start] = np.nan
    return out.reshape(-1, 24)


def _spans(start: np.ndarray, end: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """Each interval's hours, as (which interval, cell from ``first``'s midnight); an interval
    of more than MAX_SPAN_H hours is cut."""
    c0 = np.floor_divide(start, 3600).astype(np.int64)
    c1 = np.floor_divide(np.maximum(end - 1e-3, start), 3600).astype(np.int64)
    span = np.clip(c1 - c0, 0, MAX_SPAN_H) + 1
    if int(span.max(initial=1)) == 1:  # the usual case: every contact within one hour
        return np.arange(len(start)), c0 - first * 24
    which = np.repeat(np.arange(len(start)), span)
    cell = c0[which] + (np.arange(len(which)) - np.repeat(np.cumsum(span) - span, span))
    return which, cell - first * 24


def _agent_cells(log: ContactLog, agent: np.ndarray, days: np.ndarray) -> np.ndarray:
    """(days, 24): distinct agents with a contact in service (talk or wrap-up) in each
    day-hour: seen at work there."""
    first = int(days.min())
    cells = (int(days.max()) - first + 1) * 24
    s_start, s_end = _service(log)
    who = agent[log.outcome == ANSWERED]
    keep = who >= 0
    which, cell = _spans(s_start[keep], s_end[keep], first)
    who = who[keep][which]
    ok = (cell >= 0) & (cell < cells)
    k = int(agent.max()) + 1
    pairs = np.unique(cell[ok] * k + who[ok])
    count = np.bincount(pairs // k, minlength=cells)
    return _first_hour_out(log, count, first)[days - first]


def estimate_staff(log: ContactLog, days: np.ndarray,
                   agent: np.ndarray | None = None) -> StaffEstimate | None:
    """The staff by hour of the week over the whole ``days`` (days since 1970-01-01), before
    calibration; None where the log cannot say (no talk times, no day)."""
    if not len(days) or "talk_s" not in log.present or not (log.outcome == ANSWERED).any():
        return None
    num, den, peak_cells = _in_service_cells(log, days)
    peak = _by_hour_of_week(peak_cells, days)
    in_service = _in_service_by_hour(num, den, peak_cells, days)
    agents = None
    if agent is not None and (agent >= 0).any():
        agents = _by_hour_of_week(_agent_cells(log, np.asarray(agent, np.int64), days), days)
    return StaffEstimate("agents seen at work" if agents else "most in service at once",
                         agents or peak, peak, in_service, agents, len(days),
                         absence=absence_of(peak_cells, den, days))


def absence_of(peak: np.ndarray, waiting_s: np.ndarray, days: np.ndarray) -> float:
    """The chance a person is missing, from the days' spread of the staff on duty.

    In a day-hour where callers were kept waiting :data:`MIN_WAITING_S` or more, everyone on
    duty was busy at once, so the most in service at once is the staff present then. With a
    team of ``n`` each missing with chance ``p`` (the scenario's ``absence``), those present
    number ``n (1 - p)`` on average with variance ``n p (1 - p)``: their variance over mean is
    ``p``. So ``p`` is the sum, over hours of the week with two or more such days, of the
    variance of those days' figures over the sum of their means; kept within 0 to
    :data:`MAX_ABSENCE`, 0 where no hour has two such days, and rounded to 0.001."""
    weekday = (days + 3) % 7
    var = mean = 0.0
    for h in range(168):
        on = (weekday == h // 24) & (waiting_s[:, h % 24] >= MIN_WAITING_S)
        x = peak[on, h % 24]
        x = x[np.isfinite(x)]
        if len(x) >= 2:
            var += float(x.var(ddof=1))
            mean += float(x.mean())
    p = min(var / mean, MAX_ABSENCE) if mean > 0 else 0.0
    return round(p, 3)


# --- calibration -------------------------------------------------------------------------------


def scenario_of(doc: dict[str, Any], files: dict[str, bytes] | None = None) -> Scenario:
    """A scenario document (as ``fit`` builds it) loaded through the ordinary checks, from a
    temporary folder holding it and ``files`` (data files it names, by relative path)."""
    with tempfile.TemporaryDirectory(prefix="contactsim-fit-") as folder:
        for name, data in (files or {}).items():
            path = os.path.join(folder, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        path = os.path.join(folder, "scenario.toml")
        with open(path, "wb") as handle:
            tomli_w.dump(doc, handle)
        return load_scenario(path)


def _measure(log: ContactLog, days: np.ndarray, staffed: np.ndarray,
             voice: list[int]) -> tuple[str, Interval]:
    """The log's abandoned share of voice calls in staffed hours (or mean answer time)."""
    on = np.isin(log.day, days) & staffed[log.hour_of_week]
    v = on & np.isin(log.channel, voice)
    day_index = np.searchsorted(days, log.day)
    offered = np.bincount(day_index[v], minlength=len(days)).astype(float)
    gone = np.bincount(day_index[v & (log.outcome == ABANDONED)], minlength=len(days))
    if gone.sum() >= 20:
        return "abandoned share", ratio_interval(gone.astype(float), offered)
    a = on & (log.outcome == ANSWERED)
    total = np.bincount(day_index[a], weights=log.answer_s[a], minlength=len(days))
    count = np.bincount(day_index[a], minlength=len(days)).astype(float)
    r = ratio_interval(total, count).estimate  # a mean, not a share: no cap at 1
    half = _ratio_half(total, count, r)
    return "mean answer time (s)", Interval(r, max(r - half, 0.0), r + half)


def _simulated(scenario: Scenario, target: str, staffed: np.ndarray,
               voice: list[int]) -> float:
    num = den = 0.0
    for rep in range(scenario.run.replications):
        rec = simulate(scenario, rep).records
        on = staffed[rec.hour]
        if target == "abandoned share":
            v = on & np.isin(rec.channel, voice)
            num += float((v & (rec.outcome == ABANDONED)).sum())
            den += float(v.sum())
        else:
            a = on & (rec.outcome == ANSWERED)
            num += float(rec.answer_s[a].sum())
            den += float(a.sum())
    return num / den if den else math.nan


def calibrate(est: StaffEstimate, log: ContactLog, days: np.ndarray, voice: list[int],
              build: Callable[[list[float]], Scenario], covered: np.ndarray) -> StaffEstimate:
    """Choose the factor on simulations of ``build(staff_by_hour)``, matched over the staffed
    hours of the week in ``covered`` (168 booleans: the hours the short runs hold): bracketed
    from 1 by steps of 1.5, then the Illinois method on the log of the factor until the
    simulated measure is within a twentieth of the log's interval (or MAX_TRIALS runs)."""
    staffed = np.array([x.estimate > 0 for x in est.shape]) & covered
    target, observed = _measure(log, days, staffed, voice)
    if not math.isfinite(observed.estimate):
        return replace(est, target=target, observed=observed)
    trials: list[tuple[float, float]] = []
    tol = (observed.high - observed.low) / 20 if math.isfinite(observed.high - observed.low) \
        else 0.01 * observed.estimate

    def gap(u: float) -> float:  # simulated less observed at factor e^u: falls as u rises
        y = _simulated(build(est.staff(math.exp(u))), target, staffed, voice)
        trials.append((math.exp(u), y))
        return y - observed.estimate

    lo_k, hi_k = FACTOR_RANGE
    a, fa = 0.0, gap(0.0)
    step = math.log(1.5) if fa > 0 else -math.log(1.5)
    b, fb = a, fa
    while fa * fb > 0 and abs(fb) > tol and len(trials) < MAX_TRIALS \
            and math.log(lo_k) < b + step < math.log(hi_k):
        a, fa = b, fb
        b = b + step
        fb = gap(b)
    while fa * fb < 0 and min(abs(fa), abs(fb)) > tol and len(trials) < MAX_TRIALS:
        c = (a * fb - b * fa) / (fb - fa)
        fc = gap(c)
        if fc * fb < 0:
            a, fa = b, fb
        else:
            fa /= 2  # Illinois: the end kept again counts half, so both ends move
        b, fb = c, fc
    k = _inverse(trials, observed.estimate)
    interval = Interval(k, _inverse(trials, observed.high), _inverse(trials, observed.low))
    chosen = min(trials, key=lambda p: abs(p[1] - observed.estimate))[1]
    return replace(est, target=target, observed=observed, factor=interval,
                   simulated=chosen, trials=tuple(trials))


def _inverse(trials: list[tuple[float, float]], y: float) -> float:
    """The factor where the simulated measure crosses ``y``, by linear interpolation between
    the trials (kept within the factor range where ``y`` is beyond them)."""
    if not math.isfinite(y):
        return math.nan
    pts = sorted(trials)
    ks = np.array([p[0] for p in pts])
    ys = np.minimum.accumulate(np.array([p[1] for p in pts]))  # the measure falls with k
    return float(np.interp(-y, -ys, ks))
