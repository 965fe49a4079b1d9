"""Measures: the records of one replication -> the figures a planner reads.

Definitions follow the design contract exactly. Over contacts that arrive in the measured window
(each followed to its end, so nothing is censored):

- ``offered``: contacts that joined the queue; ``answered`` and ``abandoned`` are of those.
- ``service_level``: answered with answer time within the channel's target, over offered
  (abandoned calls are failures, the Erlang A definition). Answer time = connection + wait.
- ``mean_wait_s``: mean time in queue over all offered; ``mean_answer_s``, ``p90_answer_s``,
  ``p99_answer_s``: over answered contacts (what forces publish).
- ``band_lt10``, ``band_10_60``, ``band_ge60``: shares of answered contacts by answer time,
  the bands police.uk publishes for 999.
- ``closed_lost``, ``closed_moved``: contacts that arrived while their channel was closed, lost
  or moved to another channel (where it has opening hours); never offered.
- ``arrivals`` (offered + ``diverted`` before the queue), ``redials`` (arrivals that are
  callers trying again after hanging up, on this or another channel), ``callbacks`` (calls
  the room made back to callers who hung up), ``officer_hours`` (per day).

Pools: ``utilisation`` = busy time / staff time on duty, ``staff_hours`` = staff time on duty,
both within the measured window.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from contactsim.analysis.daily import Sums, day_sums
from contactsim.analysis.dispatch import (
    SHARES as DISPATCH_SHARES,
    area_measures,
    dispatch_measures,
)
from contactsim.analysis.stats import Estimate, mean_ci
from contactsim.analysis.workforce import Months, replication_cost, workforce_months
from contactsim.config.spec import Scenario
from contactsim.engine import ModelOutput
from contactsim.engine.records import ABANDONED, ANSWERED, DIVERTED, REDIAL, SWITCH, Records
from contactsim.timebase import HOURS_PER_WEEK

#: Channel measures in summary.json, in this order (the contract's names).
CHANNEL_MEASURES = (
    "offered", "answered", "abandoned", "service_level", "mean_wait_s", "mean_answer_s",
    "p90_answer_s", "p99_answer_s", "abandon_rate", "band_lt10", "band_10_60", "band_ge60",
)
#: Further channel measures in the tables (and in summary.json where they apply).
EXTRA_MEASURES = ("arrivals", "diverted", "redials", "callbacks", "officer_hours")
#: Contacts arriving while their channel was closed (``open``): lost, and moved to another
#: channel (``closed``). Never offered; in summary.json for channels with opening hours, and
#: in replications.csv when any channel has them.
CLOSED_MEASURES = ("closed_lost", "closed_moved")
#: Channel measures by hour of the week (hourly.csv).
HOURLY_MEASURES = (*CHANNEL_MEASURES, "arrivals", "diverted", "redials")
POOL_MEASURES = ("utilisation", "staff_hours", "busy_hours")
#: Per diversion: contacts handed to the partner (or taken before the queue), handovers that
#: failed, and of those the ones the partner was closed for and had nobody free for (they add
#: up to ``failed``). A diversion outside its own ``hours`` is not attempted: in none of them.
DIVERSION_MEASURES = ("diverted", "failed", "failed_closed", "failed_busy")
POOL_HOURLY = ("staff_on_duty", "staff_busy", "utilisation")
#: Who answered what, per pool and channel (summary.json ``pool_channel``, pool_channel.csv):
#: contacts answered over the measured days, and per day.
POOL_CHANNEL_MEASURES = ("answered", "answered_per_day")
#: Measures that are shares (0 to 1); every measure is at least 0. Confidence intervals are
#: clipped to these ranges, so a rare abandonment reads 0.1% (0.0-0.3), not (-0.1-0.3).
SHARE_MEASURES = frozenset({"service_level", "abandon_rate", "band_lt10", "band_10_60",
                            "band_ge60", "utilisation", *DISPATCH_SHARES})


def measure_estimate(values: Iterable[float], measure: str) -> Estimate:
    """Mean over replications with its 95% interval, kept within the measure's range."""
    return mean_ci(list(values)).within(0.0, 1.0 if measure in SHARE_MEASURES else math.inf)

#: Thresholds (s) at which the answer-time distribution is tabulated.
#: (Ascending ranges that do not overlap, so no np.unique: it imports numpy.ma, 10 ms.)
CDF_GRID_S = np.concatenate([
    np.arange(0, 60, 1), np.arange(60, 300, 5), np.arange(300, 1800, 30),
    np.arange(1800, 7200, 120), np.arange(7200, 2 * 86_400 + 1, 1800),
]).astype(float)


@dataclass
class Replication:
    """The measures of one replication (small: safe to send between processes)."""

    index: int
    channels: dict[str, dict[str, float]]
    hourly: dict[str, dict[str, np.ndarray]]  # channel -> measure -> 168 values
    cdf: dict[str, np.ndarray]  # channel -> share of offered answered within CDF_GRID_S
    pools: dict[str, dict[str, float]]
    pools_hourly: dict[str, dict[str, np.ndarray]]
    diversions: dict[str, dict[str, float]]  # name -> DIVERSION_MEASURES
    diversions_hourly: dict[str, dict[str, np.ndarray]]
    officer_hours: float  # per day, all channels
    warnings: list[str] = field(default_factory=list)
    #: With a calendar: channel -> the sums of each measured day (see analysis.daily).
    daily: dict[str, Sums] | None = None
    #: Who answered what: pool -> channel -> measured contacts it answered (totals over the
    #: measured days), for every channel the pool can answer; they add up to ``answered``.
    pool_channel: dict[str, dict[str, float]] = field(default_factory=dict)
    #: With a workforce: pool -> measure -> one value a month (see analysis.workforce).
    workforce: Months | None = None
    #: A year's cost by part, where the scenario prices anything (see analysis.workforce).
    cost: dict[str, float] | None = None
    #: With [officers]: grade or "all" -> measure (see analysis.dispatch), and the mean
    #: incidents waiting for an officer by hour of the week; None without officers.
    dispatch: dict[str, dict[str, float]] | None = None
    dispatch_hourly: np.ndarray | None = None
    #: With areas: area -> grade or "all" -> measure (see analysis.dispatch.area_measures),
    #: and area -> incidents waiting by hour of the week.
    dispatch_areas: dict[str, dict[str, dict[str, float]]] | None = None
    dispatch_areas_hourly: dict[str, np.ndarray] | None = None


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def contact_measures(answer_s: np.ndarray, wait_s: np.ndarray, outcome: np.ndarray,
                     origin: np.ndarray, target_s: float) -> dict[str, float]:
    """Every per-contact channel measure for one set of contacts (all arrays aligned)."""
    offered_mask = outcome != DIVERTED
    answered_mask = outcome == ANSWERED
    offered = int(offered_mask.sum())
    answered = int(answered_mask.sum())
    ans = answer_s[answered_mask]
    p90, p99 = (np.percentile(ans, [90, 99]) if answered else (math.nan, math.nan))
    return {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float((outcome == ABANDONED).sum()),
        "service_level": _ratio(float((ans <= target_s).sum()), offered),
        "mean_wait_s": float(wait_s[offered_mask].mean()) if offered else math.nan,
        "mean_answer_s": float(ans.mean()) if answered else math.nan,
        "p90_answer_s": float(p90),
        "p99_answer_s": float(p99),
        "abandon_rate": _ratio(float((outcome == ABANDONED).sum()), offered),
        "band_lt10": _ratio(float((ans < 10).sum()), answered),
        "band_10_60": _ratio(float(((ans >= 10) & (ans < 60)).sum()), answered),
        "band_ge60": _ratio(float((ans >= 60).sum()), answered),
        "arrivals": float(len(outcome)),
        "diverted": float((outcome == DIVERTED).sum()),
        "redials": float(((origin == REDIAL) | (origin == SWITCH)).sum()),
    }


def _rows(mask: np.ndarray) -> np.ndarray | slice:
    """``mask``, or every row (a slice: views, not copies of a few large columns) when it
    picks them all, as with one channel."""
    return slice(None) if mask.all() else mask


def _hourly(rec: Records, answer_s: np.ndarray, mask: np.ndarray | slice,
            target_s: float) -> dict[str, np.ndarray]:
    hours = rec.hour[mask]
    answer, wait, outcome = answer_s[mask], rec.wait_s[mask], rec.outcome[mask]
    origin = rec.origin[mask]
    order = np.argsort(hours, kind="stable")
    bounds = np.searchsorted(hours[order], np.arange(HOURS_PER_WEEK + 1))
    out = {m: np.full(HOURS_PER_WEEK, math.nan) for m in HOURLY_MEASURES}
    for h in range(HOURS_PER_WEEK):
        idx = order[bounds[h]:bounds[h + 1]]
        found = contact_measures(answer[idx], wait[idx], outcome[idx], origin[idx], target_s)
        for m in HOURLY_MEASURES:
            out[m][h] = found[m]
    return out


def _cdf(answer_s: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    offered = int((outcome != DIVERTED).sum())
    ans = np.sort(answer_s[outcome == ANSWERED])
    if not offered:
        return np.full(len(CDF_GRID_S), math.nan)
    return np.searchsorted(ans, CDF_GRID_S, side="right") / offered


def replication_measures(scenario: Scenario, index: int, out: ModelOutput) -> Replication:
    """All measures of one replication from the model's output."""
    rec = out.records
    channels: dict[str, dict[str, float]] = {}
    hourly: dict[str, dict[str, np.ndarray]] = {}
    cdf: dict[str, np.ndarray] = {}
    answer_s = rec.answer_s
    days = scenario.run.days
    for k, (name, spec) in enumerate(scenario.channels.items()):
        mask = _rows(rec.channel == k)
        channels[name] = contact_measures(answer_s[mask], rec.wait_s[mask], rec.outcome[mask],
                                          rec.origin[mask], spec.answer_target_s)
        channels[name]["callbacks"] = float(out.callbacks[k])
        channels[name]["officer_hours"] = float(out.officer_hours[k]) / days
        if out.closed is not None:
            channels[name].update(zip(CLOSED_MEASURES, out.closed[k].tolist(), strict=True))
        hourly[name] = _hourly(rec, answer_s, mask, spec.answer_target_s)
        cdf[name] = _cdf(answer_s[mask], rec.outcome[mask])
    pools: dict[str, dict[str, float]] = {}
    pools_hourly: dict[str, dict[str, np.ndarray]] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, name in enumerate(scenario.pools):
            present, busy = out.present_s[i], out.busy_s[i]
            pools[name] = {
                "utilisation": _ratio(float(busy.sum()), float(present.sum())),
                "staff_hours": float(present.sum()) / 3600,
                "busy_hours": float(busy.sum()) / 3600,
            }
            pools_hourly[name] = {
                "staff_on_duty": present / out.window_s,
                "staff_busy": busy / out.window_s,
                "utilisation": busy / present,
            }
    diversions = {name: {m: float(out.diversions[j, :, k].sum())
                         for k, m in enumerate(DIVERSION_MEASURES)}
                  for j, name in enumerate(scenario.diversions)}
    diversions_hourly = {name: {m: out.diversions[j, :, k].copy()
                                for k, m in enumerate(DIVERSION_MEASURES)}
                         for j, name in enumerate(scenario.diversions)}
    rep = Replication(index, channels, hourly, cdf, pools, pools_hourly, diversions,
                      diversions_hourly, float(out.officer_hours.sum()) / days,
                      list(out.warnings), _daily(scenario, rec),
                      _pool_channel(scenario, out.answered_by),
                      workforce_months(scenario, out.workforce),
                      replication_cost(scenario, {p: v["staff_hours"] for p, v in
                                                  pools.items()}, out.workforce))
    if out.dispatch is not None:
        rep.dispatch, rep.dispatch_hourly = dispatch_measures(scenario, out.dispatch,
                                                              out.window_s)
        by_area = area_measures(scenario, out.dispatch, out.window_s)
        if by_area is not None:
            rep.dispatch_areas, rep.dispatch_areas_hourly = by_area
    return rep


def answering_pairs(scenario: Scenario) -> list[tuple[str, str]]:
    """(pool, channel) for every channel each pool can answer: its skills, then the channels
    it drops digital work for, in the scenario's channel order."""
    order = list(scenario.channels)
    return [(name, ch) for name, spec in scenario.pools.items()
            for ch in sorted({*spec.skills, *spec.interruptible_for}, key=order.index)]


def _pool_channel(scenario: Scenario, answered_by: np.ndarray) -> dict[str, dict[str, float]]:
    pools, channels = list(scenario.pools), list(scenario.channels)
    out: dict[str, dict[str, float]] = {}
    for pool, ch in answering_pairs(scenario):
        out.setdefault(pool, {})[ch] = float(answered_by[pools.index(pool), channels.index(ch)])
    return out


def _daily(scenario: Scenario, rec: Records) -> dict[str, Sums] | None:
    """Per channel, the sums of each measured day, when the run is pinned to dates."""
    cal = scenario.calendar
    if cal is None:
        return None
    n_days = math.ceil(scenario.run.days)
    assert rec.day is not None  # kept for every run with a calendar
    day = rec.day.astype(np.int64) - cal.warmup_days
    answer_s = rec.answer_s
    out: dict[str, Sums] = {}
    for k, (name, spec) in enumerate(scenario.channels.items()):
        mask = rec.channel == k
        out[name] = day_sums(day[mask], answer_s[mask], rec.outcome[mask],
                             spec.answer_target_s, n_days)
    return out
