"""Words and numbers as a planner reads them: labels, units and every terminal summary.

Each measure has a plain name ("service level (answered within target)") and a unit chosen from
its size (78.2%, 12.9 s, 5.4 h), used alike by the terminal, the plots and the HTML report, so a
figure reads the same wherever it is pasted. The terminal summaries of ``run``, ``compare`` and
``sweep`` are written here, not in the command line, which only parses and prints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.stats import Estimate
from contactsim.present.precision import replications_advice, spans_target
from contactsim.results.compare import meets_from
from contactsim.results.read import (
    HEADLINE,
    CompareResults,
    RunResults,
    SweepResults,
    Table,
    estimate_from,
    row_estimate,
)
from contactsim.standard import TARGET_S, TARGET_SL

if TYPE_CHECKING:
    from contactsim.analysis.erlang import ErlangResult

# --- what a measure means and how to show it ------------------------------------------------

LABELS = {
    "offered": "contacts offered", "answered": "answered", "abandoned": "abandoned",
    "service_level": "service level (answered within target)",
    "mean_wait_s": "mean wait in queue (all offered)", "mean_answer_s": "mean answer time",
    "p90_answer_s": "90th percentile answer time", "p99_answer_s": "99th percentile answer time",
    "abandon_rate": "abandoned (share of offered)", "band_lt10": "answered in under 10 s",
    "band_10_60": "answered in 10 to 60 s", "band_ge60": "answered in 60 s or more",
    "callbacks": "callbacks made", "redials": "redials", "diverted": "diverted to partners",
    "failed": "handovers failed", "failed_closed": "handovers failed: partner closed",
    "failed_busy": "handovers failed: partner busy", "utilisation": "utilisation (busy / on duty)",
    "staff_hours": "staff hours on duty", "busy_hours": "staff hours busy",
    "officer_hours": "officer hours per day",
    "closed_lost": "lost: arrived while closed", "closed_moved": "moved: arrived while closed",
    "attended_within_target": "attended within target", "mean_arrival_s": "mean time to arrival",
    "p90_arrival_s": "90th percentile time to arrival", "incidents_per_day": "incidents per day",
    "officer_utilisation": "officer utilisation (travelling or on scene / on duty)",
    "chase_per_day": "chase calls per day", "resolved_per_day": "resolved without deployment "
    "per day", "incidents_waiting": "incidents waiting for an officer (mean)",
}

#: What a measure is, where its name alone leaves room for doubt (DESIGN section 5). The two
#: waits differ in whom they average over: mean wait in queue can exceed mean answer time.
MEANINGS = {
    "mean_wait_s": "time from joining the queue until answered or hung up, averaged over every "
    "contact offered (callers who hung up after a long wait included); connection time not "
    "counted",
    "mean_answer_s": "connection time plus time in queue, averaged over answered contacts only, "
    "as forces publish it; callers who hung up are left out, so it can be shorter than the "
    "mean wait in queue",
    "p90_answer_s": "answer time (connection plus queue) that 90% of answered contacts beat",
    "p99_answer_s": "answer time (connection plus queue) that 99% of answered contacts beat",
}

SHARES = {"service_level", "abandon_rate", "utilisation", "attended_within_target",
          "officer_utilisation"}


def label(measure: str) -> str:
    """Plain words for a measure name (unknown names are shown with spaces)."""
    return LABELS.get(measure, measure.replace("_", " "))


def is_share(measure: str) -> bool:
    return measure in SHARES or measure.startswith(("band_", "share_")) or measure.endswith(
        ("_rate", "_share"))


def is_duration(measure: str) -> bool:
    return measure.endswith("_s")


def unit_of(measure: str, reference: float, *, signed: bool = False) -> tuple[float, str, int]:
    """(divisor, unit suffix, decimals) to show a measure, chosen from a reference value."""
    ref = abs(reference) if math.isfinite(reference) else 0.0
    if is_share(measure):
        return 0.01, " pts" if signed else "%", 1
    if is_duration(measure):
        if ref < 100:
            return 1.0, " s", 1
        return (60.0, " min", 1) if ref < 3600 else (3600.0, " h", 1)
    if ref >= 100 or ref == 0:
        return 1.0, "", 0
    return (1.0, "", 1) if ref >= 1 else (1.0, "", 3)


def _number(value: float, divisor: float, decimals: int, signed: bool) -> str:
    if not math.isfinite(value):
        return "-"
    v = value / divisor
    if round(v, decimals) == 0:
        v = 0.0
    sign = "+" if signed and v > 0 else ("-" if v < 0 else "")
    return f"{sign}{abs(v):,.{decimals}f}"


def fmt(measure: str, value: float, *, signed: bool = False) -> str:
    """A value as a planner reads it: 78.2%, 12.9 s, 5.4 h, 4,617 (ASCII only)."""
    if not math.isfinite(value):
        return "-"
    divisor, unit, decimals = unit_of(measure, value, signed=signed)
    return _number(value, divisor, decimals, signed) + unit


def fmt_seconds(seconds: float) -> str:
    return fmt("x_s", seconds)


def fmt_target(seconds: float) -> str:
    """An answer-time target in round units: 10 s, 60 s, 1 h."""
    if seconds < 120 or seconds % 60:
        return f"{seconds:g} s"
    if seconds % 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def _ci_unit(measure: str, est: Estimate, signed: bool) -> tuple[float, str, int]:
    """The unit an estimate and its interval are shown in, chosen from the widest of them."""
    widest = max((abs(v) for v in (est.mean, est.ci_low, est.ci_high) if math.isfinite(v)),
                 default=0.0)
    return unit_of(measure, widest, signed=signed)


def fmt_ci(measure: str, est: Estimate, *, signed: bool = False) -> str:
    """``78.2% (77.0 to 78.6%)``, all in the mean's unit; no interval where it is undefined."""
    if not math.isfinite(est.mean):
        return "-"
    divisor, unit, decimals = _ci_unit(measure, est, signed)
    text = _number(est.mean, divisor, decimals, signed) + unit
    if math.isfinite(est.ci_low) and math.isfinite(est.ci_high):
        text += (f" ({_number(est.ci_low, divisor, decimals, signed)} to "
                 f"{_number(est.ci_high, divisor, decimals, signed)}{unit})")
    return text


def is_clear(measure: str, change: Estimate) -> bool:
    """A change is clear when its 95% interval, as :func:`fmt_ci` prints it, excludes zero.

    Judged on the printed figures, so the verdict and the page agree: an interval printed
    "(+0.0 to +0.6 pts)" is not clear, however little above zero its low end is.
    """
    if not (math.isfinite(change.ci_low) and math.isfinite(change.ci_high)):
        return False
    divisor, _unit, decimals = _ci_unit(measure, change, True)
    low, high = (round(v / divisor, decimals) for v in (change.ci_low, change.ci_high))
    return low > 0 or high < 0


def target_label(channel: str, target_s: float) -> str:
    """How the service-level target of a channel is named on plots and in reports."""
    if channel == "999" and target_s == TARGET_S:
        return "national standard: 90% within 10 s"
    return f"target: {100 * TARGET_SL:.0f}% within {fmt_target(target_s)}"


# --- terminal summaries ---------------------------------------------------------------------


def print_summary(exp: Experiment, folder: Path, out: TextIO) -> None:
    """Per channel: service level against target, mean answer time, abandonment, with CIs."""
    sc, reps = exp.scenario, exp.replications
    out.write(f"\n{sc.name}  ({len(reps)} replications x {sc.run.days:g} days, "
              f"{exp.wall_s:.1f} s)\n")
    w = _width(sc.channels, 10)
    header = (f"  {'channel':<{w}} {'target':>8} {'service level (95% CI)':>26} "
              f"{'mean answer time (95% CI)':>26} {'abandoned (95% CI)':>24}\n")
    out.write(header)
    for name, ch in sc.channels.items():
        sl, ma, ab = (measure_estimate((r.channels[name][m] for r in reps), m)
                      for m in ("service_level", "mean_answer_s", "abandon_rate"))
        # the report's units (fmt_ci): an online channel's hours read as hours in both
        out.write(f"  {name:<{w}} {fmt_target(ch.answer_target_s):>8} "
                  f"{fmt_ci('service_level', sl):>26} {fmt_ci('mean_answer_s', ma):>26} "
                  f"{fmt_ci('abandon_rate', ab):>24}\n")
    out.write("".join(f"  {line}\n" for line in staff_lines(exp)))
    for name in sc.channels:
        sl = measure_estimate((r.channels[name]["service_level"] for r in reps), "service_level")
        if spans_target(sl):
            out.write(f"  note: {name}'s service level interval spans 90%, so whether it meets "
                      f"the target is not certain: {replications_advice(sl, len(reps))}\n")
    for warning in exp.warnings:
        out.write(f"  warning: {warning}\n")
    out.write(f"  results: {folder}/\n")


def staff_lines(exp: Experiment) -> list[str]:
    """The terminal summary's lines after the channels: each pool's staff hours, utilisation
    and who it answered, the officer hours, and each diversion (per day, with 95% CIs)."""
    sc, reps = exp.scenario, exp.replications
    days = sc.run.days

    def est(values: Iterable[float], measure: str, scale: float = 1.0) -> str:
        return fmt_ci(measure, measure_estimate(values, measure).scaled(scale))

    w = _width(sc.pools, 12)
    lines = [f"{'pool':<{w}} {'staff hours/day (95% CI)':>26} {'utilisation (95% CI)':>24}  "
             "answered per day"]
    for pool in sc.pools:
        answered = ", ".join(
            f"{ch} {est((r.pool_channel[pool][ch] for r in reps), 'answered', 1 / days)}"
            for ch in (reps[0].pool_channel.get(pool, {}) if reps else {}))
        hours = est((r.pools[pool]["staff_hours"] for r in reps), "staff_hours", 1 / days)
        use = est((r.pools[pool]["utilisation"] for r in reps), "utilisation")
        lines.append(f"{pool:<{w}} {hours:>26} {use:>24}  {answered}")
    lines.append(f"officer hours per day: {est((r.officer_hours for r in reps), 'officer_hours')}")
    lines += dispatch_lines(exp) + workforce_lines(exp)
    for name in sc.diversions:
        per_day = {m: est((r.diversions[name][m] for r in reps), m, 1 / days)
                   for m in ("diverted", "failed", "failed_closed", "failed_busy")}
        lines.append(f"diversion {name}: {per_day['diverted']} diverted per day, "
                     f"{per_day['failed']} handovers failed per day (partner closed "
                     f"{per_day['failed_closed']}, partner busy {per_day['failed_busy']})")
    return lines


def pounds(node: Any) -> str:
    """An estimate of money: "£2,285,000 (£2,268,000 to £2,302,000)"."""
    mean, lo, hi = (float(node.get(k) if node.get(k) is not None else math.nan)
                    for k in ("mean", "ci_low", "ci_high"))
    if not math.isfinite(mean):
        return "-"
    if lo == hi == mean or not math.isfinite(lo):
        return f"£{mean:,.0f}"
    return f"£{mean:,.0f} (£{lo:,.0f} to £{hi:,.0f})"


def _people(node: dict[str, Any]) -> str:
    """People (a mean over replications): "48.3 (44.4 to 52.1)", or "12" where every
    replication agrees."""
    mean, lo, hi = (math.nan if node.get(k) is None else float(node[k])
                    for k in ("mean", "ci_low", "ci_high"))
    if lo == hi == mean or not math.isfinite(lo):
        return f"{mean:,.0f}" if float(mean).is_integer() else f"{mean:,.1f}"
    return f"{mean:,.1f} ({lo:,.1f} to {hi:,.1f})"


def workforce_lines(exp: Experiment) -> list[str]:
    """The terminal's workforce and cost lines (DESIGN §11), where the scenario has them: each
    pool's people at the start and the end, its lowest month, leavers and recruits; a year's
    cost with its parts. Nothing about money where nothing is priced."""
    from contactsim.results.workforce import workforce_summary

    found = workforce_summary(exp)
    lines = []
    for pool, w in (found.get("workforce") or {}).items():
        end = w["end"]
        lines.append(
            f"workforce {pool}: {w['headcount_start']} in post at the start; at the end "
            f"{_people(end['headcount'])} in post, {_people(end['available'])} available on "
            f"the roster; lowest month {_people(w['available_lowest_month'])} available; "
            f"{_people(w['leavers'])} leavers, {w['recruits']} recruits")
    cost = found.get("cost")
    if cost:
        parts = ", ".join(f"{part} {pounds(cost[part])}" for part in ("staff", "training",
                                                                      "recruits"))
        lines.append(f"a year's cost: {pounds(cost['total'])} ({parts})")
    return lines


def dispatch_lines(exp: Experiment) -> list[str]:
    """The terminal's officers lines (DESIGN §12), with ``[officers]``: each attended grade's
    attendance within its target, mean and 90th percentile time to arrival and incidents per
    day; then the officers' utilisation and the chase calls per day."""
    from contactsim.analysis.dispatch import ALL, targets
    from contactsim.config.spec import ATTENDED

    reps = [r.dispatch for r in exp.replications if r.dispatch is not None]
    if not reps or len(reps) != len(exp.replications):
        return []

    def est(name: str, measure: str) -> str:
        return fmt_ci(measure, measure_estimate((r[name][measure] for r in reps), measure))

    lines = []
    for grade, target in zip(ATTENDED, targets(exp.scenario), strict=True):
        within = (f"{est(grade, 'attended_within_target')} attended within "
                  f"{fmt_target(target)}, " if target is not None else "")
        lines.append(f"officers, {grade}: {within}arrival mean "
                     f"{est(grade, 'mean_arrival_s')}, 90th percentile "
                     f"{est(grade, 'p90_arrival_s')}; {est(grade, 'incidents_per_day')} "
                     "incidents per day")
    lines.append(f"officers: utilisation {est(ALL, 'officer_utilisation')}; "
                 f"{est(ALL, 'chase_per_day')} chase calls per day")
    return lines


#: Pool measures that are totals over the measured days, shown per day.
PER_DAY_TOTALS = frozenset({"busy_hours", "staff_hours"})


def comparison_text(result: CompareResults) -> str:
    """The comparison table for the terminal: headline measures and their changes."""
    base = result.runs[0].name
    how = "paired: same seed and run length" if result.paired else "some unpaired"
    first = result.runs[0]
    w, wn = _width(result.labels, 20), _width([*first.channels, *first.pools], 12)
    lines = [f"\nComparison against {result.labels[0]} ({base}): mean, and change with its "
             f"95% CI ({how}); * = a clear change",
             f"  {'scenario':<{w}} {'channel/pool':<{wn}} {'measure':<20} {'value':>9} "
             f"{'change (95% CI)':>32}"]
    groups: list[tuple[str, str, str, tuple[str, ...]]] = [
        ("channel", c, "channels", HEADLINE) for c in first.channels]
    groups += [("pool", p, "pools", ("utilisation", "busy_hours")) for p in first.pools]
    groups.append(("officers", "all", "", ("officer_hours",)))
    dispatch = first.summary.get("dispatch")
    if isinstance(dispatch, dict):  # with officers (DESIGN §12)
        groups += [("dispatch", g, "dispatch", ("attended_within_target",))
                   for g, node in dispatch.items()
                   if isinstance(node, dict) and "attended_within_target" in node]
        groups.append(("dispatch", "all", "dispatch", ("chase_per_day",)))
    for kind, name, section, measures in groups:
        for measure in measures:
            lines.append("")
            for i, (label, run) in enumerate(zip(result.labels, result.runs, strict=True)):
                est = _estimate(run, section, name, measure)
                if not math.isfinite(est.mean):
                    continue
                per = run.days if measure in PER_DAY_TOTALS and run.days > 0 else 1.0
                est = est.scaled(1 / per)
                row = (result.differences.where("scenario", label).where("kind", kind)
                       .where("name", name).where("measure", measure))
                change = _change_text(row, measure, 1 / per) if i else ""
                lines.append(f"  {label:<{w}} {name:<{wn}} {_measure_name(measure):<20} "
                             f"{fmt(measure, est.mean):>9} {change:>32}")
    lines.extend(f"  note: {n}" for n in result.notes)
    return "\n".join(line.rstrip() for i, line in enumerate(lines) if line or lines[i - 1]) + "\n"


def _width(names: Iterable[str], least: int) -> int:
    """A terminal column wide enough for every name (and at least ``least``): names are
    never cut, two channels that differ late stay two."""
    return max([least, *(len(n) for n in names)])


def _estimate(run: RunResults, section: str, name: str, measure: str) -> Estimate:
    """A channel's or pool's measure, a dispatch figure, or the officer hours (section "")."""
    m = run.measured
    if section == "channels":
        return m.channels[name][measure]
    if section == "pools":
        return m.pools[name][measure]
    if section == "dispatch":
        node = run.summary.get("dispatch") or {}
        node = node if name == "all" else node.get(name) or {}
        return estimate_from(node.get(measure), m.replications)
    return m.officer_hours


def _measure_name(measure: str) -> str:
    return {"service_level": "service level", "mean_answer_s": "mean answer time",
            "abandon_rate": "abandoned", "officer_hours": "officer hours/day",
            "busy_hours": "hours busy/day", "attended_within_target": "attended in target",
            "chase_per_day": "chase calls/day"}.get(
                measure, measure)


def _change_text(row: Table, measure: str, scale: float = 1.0) -> str:
    if not len(row):
        return "-"
    est = row_estimate(row, 0, ("difference", "ci_low", "ci_high")).scaled(scale)
    return fmt_ci(measure, est, signed=True) + (" *" if is_clear(measure, est) else "  ")


def meets_text(sweep: SweepResults, channel: str) -> str:
    """Where a channel meets 90% within its target, in words: the planner's answer."""
    meets = meets_from(sweep, channel)
    target = f"90% within {fmt_target(sweep.targets_s.get(channel, TARGET_S))}"
    if not meets:
        return f"{channel} meets {target} at none of the values tried"
    if len(sweep.keys) == 1:
        key = sweep.keys[0]
        return (f"{channel} meets {target} at {key} = "
                + ", ".join(m[key] for m in meets))
    pairs = "; ".join(", ".join(f"{k} = {v}" for k, v in m.items()) for m in meets[:8])
    return f"{channel} meets {target} at {pairs}" + (" ..." if len(meets) > 8 else "")


def sweep_text(sweep: SweepResults) -> str:
    """The sweep table for the terminal: per point and channel, the headline measures."""
    keys = sweep.keys
    width = max(12, *(len(k) for k in keys))
    wc = _width(sweep.channels, 9)
    lines = [f"\nSweep of {sweep.name}; mean (95% CI)"]
    lines.append("  " + " ".join(f"{k:<{width}}" for k in keys) + f" {'channel':<{wc}} "
                 f"{'service level':>28} {'mean answer time':>30} {'abandoned':>26}")
    t = sweep.table
    for i in range(len(t)):
        cells = [f"{t.text(k)[i]:<{width}}" for k in keys]
        ch = t.text("channel")[i]
        ests = [row_estimate(t, i, (f"{m}_mean", f"{m}_ci_low", f"{m}_ci_high"))
                for m in HEADLINE]
        lines.append("  " + " ".join(cells) + f" {ch:<{wc}} " + " ".join(
            f"{fmt_ci(m, e):>{w}}" for m, e, w in zip(HEADLINE, ests, (28, 30, 26),
                                                          strict=True)))
    lines.extend(f"  {meets_text(sweep, channel)}" for channel in sweep.channels)
    return "\n".join(lines) + "\n"


def erlang_text(values: dict[str, Any], result: ErlangResult, needed: int | None,
                *, as_json: bool) -> str:
    """The erlang command's output: one JSON object, or a table a planner reads."""
    fields = {"p_wait": result.p_wait, "service_level": result.service_level,
              "mean_wait_s": result.mean_wait_s, "mean_answer_s": result.mean_answer_s,
              "abandon_rate": result.abandon_rate, "occupancy": result.occupancy}
    if as_json:
        out: dict[str, object] = {k: (v if math.isfinite(v) else None)
                                  for k, v in fields.items()}
        if needed is not None:
            out["agents_needed"] = needed
        return json.dumps(out) + "\n"
    per_hour, handle, target = values["per_hour"], values["handle_s"], values["target_s"]
    patience = values["patience_s"]
    model = ("Erlang C (M/M/n: callers never hang up)" if patience is None
             else f"Erlang A (M/M/n+M: mean patience {patience:g} s)")

    def g(x: float) -> str:
        return f"{x:.5g}" if math.isfinite(x) else "infinite (the queue grows without limit)"

    lines = [
        f"{model}",
        f"  {per_hour:g} calls an hour, mean handle {handle:g} s, {result.agents} agents, "
        f"offered load {per_hour * handle / 3600:.4g} Erlangs",
        f"  P(wait)                 {g(result.p_wait)}",
        f"  service level           {g(result.service_level)}   (answered within {target:g} s, "
        "of all calls offered; callers who hang up count as failures)",
        f"  mean wait               {g(result.mean_wait_s)} s = {g(result.mean_wait_s / 60)} min"
        "   (over all calls offered)",
        f"  mean wait of answered   {g(result.mean_answer_s)} s",
        f"  abandonment             {g(result.abandon_rate)}",
        f"  occupancy               {g(result.occupancy)}",
    ]
    if needed is not None:
        extra = (f" and at most {values['max_abandon']:.1%} hanging up"
                 if values["max_abandon"] is not None else "")
        lines.append(f"  agents needed           {needed}   (for {values['target_sl']:.1%} "
                     f"within {target:g} s{extra})")
    return "\n".join(lines) + "\n"
