"""The terminal words of ``fit`` and ``backtest``: what was read from a force's contact log,
what was fitted and how the scenario compares with the log, in a few lines each.
"""

from __future__ import annotations

from collections.abc import Mapping

from contactsim.results.backtest_summary import BacktestSummary
from contactsim.results.fit_summary import Calibration, FitSummary, FittedDuration

#: Findings printed by ``contactsim backtest`` (the report and summary.json hold them all).
BACKTEST_PRINTED = 8


def backtest_text(summary: BacktestSummary) -> str:
    """What ``contactsim backtest`` prints: the dates, a verdict per channel and measure and
    the first findings, from the folder's summary.json."""
    dates, log = summary.dates, summary.log
    lines = [f"Back-test of {summary.name} against {', '.join(log.files)}",
             f"  {dates.used} days compared, {dates.first} to {dates.last}; "
             f"{log.rows_compared:,} contacts; {summary.replications} replications, "
             f"seed {summary.seed}"]
    lines += [f"  left out: {d.date}: {d.why}" for d in dates.left_out]
    skipped = sum(log.rows_skipped.values())
    if skipped:
        lines.append(f"  {skipped:,} rows of the log skipped as bad")
    lines += _clamped(log.rows_clamped, log.clock_skew_s)
    lines += ["", "How often the log falls inside the simulated band (95% if the model is "
              "right):"]
    lines += [f"  {v}" for v in summary.verdicts]
    found = summary.findings
    lines += ["", "Findings:"] + [f"  - {f}" for f in found[:BACKTEST_PRINTED]]
    if len(found) > BACKTEST_PRINTED:
        lines.append(f"  ... {len(found) - BACKTEST_PRINTED} more in summary.json and the "
                     "report")
    return "\n".join(lines) + "\n"


def _clamped(rows_clamped: Mapping[str, int], clock_skew_s: float) -> list[str]:
    """The line saying how many rows had a time moved forward for clock skew (if any)."""
    clamped = sum(rows_clamped.values())
    if not clamped:
        return []
    return [f"  {clamped:,} rows with a time up to {clock_skew_s:g} s early read as on "
            "time (clock skew; --clock-skew sets how much)"]


def _family(entry: FittedDuration) -> str:
    if entry.chosen is None:
        return "not fitted"
    est = None if entry.mean_s is None else entry.mean_s.estimate
    return entry.chosen if est is None else f"{entry.chosen}, mean {est:.1f} s"


def fit_text(summary: FitSummary) -> str:
    """What ``contactsim fit`` prints: the rows, then per channel contacts a day (with its
    interval) and the patience chosen, from the folder's fit.json."""
    logs, days = summary.logs, summary.days
    lines = [f"Fit of {', '.join(logs.files)}",
             f"  {logs.rows_read:,} rows read, {logs.rows_used:,} used, "
             f"{logs.rows_skipped_total:,} skipped, {logs.duplicates:,} duplicates, "
             f"{logs.in_progress:,} in progress; {days.used} whole days, "
             f"{days.first} to {days.last}", *_clamped(logs.rows_clamped, logs.clock_skew_s)]
    for name, ch in summary.channels.items():
        pd = ch.per_day
        assert pd is not None  # (fit.json gives every channel its contacts a day)
        line = f"  {name}: {pd.estimate:.1f} a day (95% interval {pd.low:.1f} to {pd.high:.1f})"
        if ch.patience is not None:
            line += f"; patience {_family(ch.patience)}"
        lines.append(line)
    lines += _staff_line(summary.calibration)
    if summary.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in summary.warnings]
    return "\n".join(lines) + "\n"


def _staff_line(c: Calibration | None) -> list[str]:
    """The fitted pool's staff by hour, where fit wrote it (no --base)."""
    if c is None:
        return []
    f, o = c.factor, c.observed
    written = [x for x in c.written if x > 0]
    return [f"  staff: {min(written):g} to {max(written):g} on duty by hour of the week, "
            f"{c.source} times {f.estimate:.3f} (95% interval {f.low:.3f} to "
            f"{f.high:.3f}), matching the log's {c.target} {o.estimate:.4g}"]
