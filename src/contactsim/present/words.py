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
from typing import TYPE_CHECKING, Any

from contactsim.analysis.stats import Estimate
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


#: Pool measures that are totals over the measured days, shown per day.
PER_DAY_TOTALS = frozenset({"busy_hours", "staff_hours"})


def comparison_text(result: CompareResults) -> str:
    """The comparison table for the terminal: headline measures and their changes."""
    base = result.runs[0].name
    how = "paired: same seed and run length" if result.paired else "some unpaired"
    first = result.runs[0]
    w, wn = column_width(result.labels, 20), column_width([*first.channels, *first.pools], 12)
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
    lines += _people_lines(result, w, wn)
    lines.extend(f"  note: {n}" for n in result.notes)
    return "\n".join(line.rstrip() for i, line in enumerate(lines) if line or lines[i - 1]) + "\n"


def _people_lines(result: CompareResults, w: int, wn: int) -> list[str]:
    """With a workforce in the base and another scenario: per pool, the people available in
    the base's leanest month, in each scenario, and the change there (compare_workforce.csv
    has every month and measure)."""
    table = result.workforce
    if table is None or not len(table) or not table.has("pool"):
        return []
    lines = []
    for pool in table.distinct("pool"):
        rows = table.where("pool", pool).where("measure", "available")
        if not len(rows):
            continue
        means = rows.numbers("base_mean")
        leanest = min(range(len(means)),
                      key=lambda k: means[k] if math.isfinite(means[k]) else math.inf)
        month = rows.text("month")[leanest]
        here = rows.where("month", month)
        measure = f"available, {month}"
        lines += ["", f"  {result.labels[0]:<{w}} {pool:<{wn}} {measure:<20} "
                  f"{fmt('people', float(here.numbers('base_mean')[0])):>9}"]
        for label in here.distinct("scenario"):
            row = here.where("scenario", label)
            lines.append(f"  {label:<{w}} {pool:<{wn}} {measure:<20} "
                         f"{fmt('people', float(row.numbers('scenario_mean')[0])):>9} "
                         f"{_change_text(row, 'people'):>32}")
    return lines


def column_width(names: Iterable[str], least: int) -> int:
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
    wc = column_width(sweep.channels, 9)
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
