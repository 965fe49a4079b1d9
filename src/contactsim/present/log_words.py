"""The terminal words of ``fit`` and ``backtest``: what was read from a force's contact log,
what was fitted and how the scenario compares with the log, in a few lines each.
"""

from __future__ import annotations

from typing import Any

#: Findings printed by ``contactsim backtest`` (the report and summary.json hold them all).
BACKTEST_PRINTED = 8


def backtest_text(summary: dict[str, Any]) -> str:
    """What ``contactsim backtest`` prints: the dates, a verdict per channel and measure and
    the first findings, from the folder's summary.json."""
    dates, log = summary["dates"], summary["log"]
    lines = [f"Back-test of {summary['scenario']['name']} against {', '.join(log['files'])}",
             f"  {dates['days_compared']} days compared, {dates['first']} to {dates['last']}; "
             f"{log['rows_compared']:,} contacts; {summary['replications']} replications, "
             f"seed {summary['seed']}"]
    lines += [f"  left out: {d['date']}: {d['why']}" for d in dates["left_out"]]
    skipped = sum(log["rows_skipped"].values())
    if skipped:
        lines.append(f"  {skipped:,} rows of the log skipped as bad")
    lines += _clamped(log)
    lines += ["", "How often the log falls inside the simulated band (95% if the model is "
              "right):"]
    lines += [f"  {v}" for v in summary["verdicts"]]
    found = summary["findings"]
    lines += ["", "Findings:"] + [f"  - {f}" for f in found[:BACKTEST_PRINTED]]
    if len(found) > BACKTEST_PRINTED:
        lines.append(f"  ... {len(found) - BACKTEST_PRINTED} more in summary.json and the "
                     "report")
    return "\n".join(lines) + "\n"


def _clamped(log: dict[str, Any]) -> list[str]:
    """The line saying how many rows had a time moved forward for clock skew (if any)."""
    clamped = sum(log.get("rows_clamped", {}).values())
    if not clamped:
        return []
    return [f"  {clamped:,} rows with a time up to {log['clock_skew_s']:g} s early read as on "
            "time (clock skew; --clock-skew sets how much)"]


def _family(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("chosen") is None:
        return "not fitted"
    mean = entry.get("mean_s") or {}
    est = mean.get("estimate")
    what = "constant" if entry["chosen"] == "constant" else entry["chosen"]
    return what if est is None else f"{what}, mean {est:.1f} s"


def fit_text(summary: dict[str, Any]) -> str:
    """What ``contactsim fit`` prints: the rows, then per channel contacts a day (with its
    interval) and the patience chosen, from the folder's fit.json."""
    logs, days = summary["logs"], summary["days"]
    lines = [f"Fit of {', '.join(logs['files'])}",
             f"  {logs['rows_read']:,} rows read, {logs['rows_used']:,} used, "
             f"{logs['rows_skipped_total']:,} skipped, {logs['duplicates']:,} duplicates, "
             f"{logs['in_progress']:,} in progress; {days['used']} whole days, "
             f"{days['first']} to {days['last']}", *_clamped(logs)]
    for name, ch in summary["channels"].items():
        pd = ch["per_day"]
        line = (f"  {name}: {pd['estimate']:.1f} a day (95% interval {pd['ci_low']:.1f} to "
                f"{pd['ci_high']:.1f})")
        if ch["patience"] is not None:
            line += f"; patience {_family(ch['patience'])}"
        lines.append(line)
    lines += _staff_line(summary.get("staff_by_hour"))
    if summary["warnings"]:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in summary["warnings"]]
    return "\n".join(lines) + "\n"


def _staff_line(staff: dict[str, Any] | None) -> list[str]:
    """The fitted pool's staff by hour, where fit wrote it (no --base)."""
    if staff is None or staff.get("calibration") is None:
        return []
    c = staff["calibration"]
    f, o = c["factor"], c["observed"]
    written = [x for x in staff["written"] if x > 0]
    return [f"  staff: {min(written):g} to {max(written):g} on duty by hour of the week, "
            f"{staff['source']} times {f['estimate']:.3f} (95% interval {f['ci_low']:.3f} to "
            f"{f['ci_high']:.3f}), matching the log's {c['target']} {o['estimate']:.4g}"]
