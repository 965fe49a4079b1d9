"""The fitted scenario as a TOML file a planner reads: every key with a comment saying where its
value came from (the estimate and its 95% interval, or the default taken), opening with the
logs, their dates and rows, and how the pool was sized or estimated.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import tomli_w

from contactsim.analysis.fit import Duration, LogFit
from contactsim.analysis.fit_demand import Interval
from contactsim.analysis.fit_scenario import Defaults

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return tomli_w.dumps({"x": v})[4:].strip()


def _wrapped(key: str, v: Any, width: int = 96) -> str:
    line = f"{_key(key)} = {_value(v)}"
    if len(line) <= width or not isinstance(v, list):
        return line
    parts, current = [], f"{_key(key)} = ["
    for i, x in enumerate(v):
        piece = _value(x) + ("," if i < len(v) - 1 else "]")
        if len(current) + len(piece) + 1 > width:
            parts.append(current.rstrip())
            current = "    "
        current += piece + " "
    parts.append(current.rstrip())
    return "\n".join(parts)


def toml_text(doc: dict[str, Any], comments: dict[tuple[str, ...], str]) -> str:
    """The document as compact TOML: one section per table of tables (``[channels.999]``),
    distributions and mixes inline, and ``comments`` after the line of each key path."""
    lines: list[str] = []

    def body(table: dict[str, Any], path: tuple[str, ...]) -> None:
        for k, v in table.items():
            if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()) \
                    and k in ("channels", "categories", "pools") and not path:
                for name, sub in v.items():
                    lines.append(f"\n[{k}.{_key(name)}]")
                    body(sub, (k, name))
            elif isinstance(v, dict) and not path and k in ("run", "demand"):
                lines.append(f"\n[{k}]")
                body(v, (k,))
            else:
                text = _wrapped(k, v)
                note = comments.get((*path, k))
                lines.append(text + (f"  # {note}" if note else ""))

    body(doc, ())
    return "\n".join(lines).lstrip("\n") + "\n"


def _ci(x: Interval, unit: str = "", digits: int = 1) -> str:
    if not (math.isfinite(x.low) and math.isfinite(x.high)):
        return "no interval"
    return f"95% interval {x.low:.{digits}f} to {x.high:.{digits}f}{unit}"


def _how(d: Duration | None) -> str:
    if d is None or d.mean is None:
        return ""
    if d.constant is not None:
        return ("every value in the log is this" if not d.warning else
                "not from the log: see the warnings in fit.json")
    if d.empirical is not None:
        return f"the log's own values (no family holds them); mean {_ci(d.mean, ' s')}"
    assert d.fitted is not None
    best = d.fitted.best
    if d.sample is not None:
        mean = d.mean
        assert mean is not None
        return (f"{best.family} chosen by AIC; the log's mean {mean.estimate:.1f} s, "
                f"{_ci(mean, ' s')} (days as the units)")
    return f"{best.family} chosen by AIC; mean {_ci(d.mean, ' s')}"


def scenario_comments(fit: LogFit, doc: dict[str, Any]) -> dict[tuple[str, ...], str]:
    """Short comments beside the fitted values: intervals and the family chosen."""
    out: dict[tuple[str, ...], str] = {}
    for name in doc.get("channels", {}):
        ch = fit.channels[name]
        out[("channels", name, "per_day")] = _ci(ch.demand.per_day)
        for what, d in (("patience", ch.patience), ("connect_s", ch.connect)):
            if _how(d):
                out[("channels", name, what)] = _how(d)
        if ch.redials is not None and ch.redials.abandoned:
            out[("channels", name, "on_abandon")] = (
                f"redial share {_ci(ch.redials.probability, digits=3)} (a call from the same "
                "caller within 24 h of hanging up)")
    for name, pool in doc.get("pools", {}).items():
        if "staff_by_hour" in pool:
            out[("pools", name, "staff_by_hour")] = (
                "Monday 00:00 first; estimated from the log and calibrated (see the top)")
    for name in doc.get("categories", {}):
        for what, d in fit.categories[name].items():
            if _how(d):
                out[("categories", name, what)] = _how(d)
    return out


def header_comment(fit: LogFit, base: str | None, defaults: Defaults | None) -> str:
    log = fit.log
    skipped = sum(log.skipped.values())
    lines = [
        "Fitted by contactsim fit from the contact log(s):",
        *(f"  {f}" for f in log.files),
        f"Log dates {log.first_date} to {log.last_date}; whole days used "
        f"{fit.window.first} to {fit.window.last} ({len(fit.window.compared)} days).",
        f"Rows: {log.rows_read:,} read, {len(log):,} used, {skipped:,} skipped as bad, "
        f"{log.duplicates:,} duplicates dropped, {log.in_progress:,} in progress (counted as "
        "demand, left out of patience)"
        + (f"; {sum(log.clamped.values()):,} with a time up to {log.clock_skew_s:g} s early "
           "read as on time (clock skew)." if log.clamped else "."),
        "Every value below is estimated from the log; fit.json holds each one's 95% interval",
        "and the table of distribution families compared.",
    ]
    if base is not None:
        lines.append(f"It extends {base}: pools, rosters, partners, diversions, targets and "
                     "priorities are the base's.")
    if defaults is not None:
        lines += [
            "No --base was given, so what a log cannot say is a plain default; replace it:",
            "  answer targets and priorities: 999 10 s (priority 1), other voice 60 s (2),",
            "  digital 3600 s (5);",
        ]
        lines += _pool_lines(defaults)
    return "".join(f"# {x}\n".replace("# \n", "#\n") for x in lines) + "\n"


def _pool_lines(defaults: Defaults) -> list[str]:
    est = defaults.staff
    if est is None:
        return [f"  one 24/7 pool, handlers, of {defaults.pool_staff} answering every channel: "
                "Erlang C's fewest handlers",
                f"  for 90% within {defaults.target_s:g} s at the busiest hour "
                f"({defaults.busiest_per_hour:.1f} contacts, mean "
                f"{defaults.handle_s:.0f} s of handle and wrap-up)."]
    out = ["  one pool, handlers, answering every channel; its staff_by_hour is estimated from "
           "the log:",
           f"  {est.source} in each hour of the week (mean over {est.days} whole days;",
           "  fit.json holds each hour's 95% interval)"]
    if est.factor is not None and est.observed is not None:
        f, o = est.factor, est.observed
        out += [f"  times {f.estimate:.3f} (95% interval {f.low:.3f} to {f.high:.3f}), one factor "
                "chosen by simulating this",
                f"  scenario so its {est.target} in the staffed hours matches the log's "
                f"{o.estimate:.4g}",
                f"  (simulated {est.simulated:.4g}; {len(est.trials)} short runs, same seed)."]
    else:
        out[-1] += "; not calibrated."
    if est.absence >= 0.001:
        out.append(f"  absence {est.absence:.3f}: the staff present in hours when callers waited "
                   "vary this much more between days of one weekday than a fixed team does.")
    return out
