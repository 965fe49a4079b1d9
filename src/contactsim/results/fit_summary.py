"""A fit's fit.json as typed objects, read once.

fit.json (:mod:`contactsim.results.fit`) is a nest of objects: the logs read, the days used,
per channel its demand, mix and durations, per category its durations, each estimate as
``{estimate, ci_low, ci_high}`` and each fitted duration with its family table.
:func:`fit_summary_from` turns the parts the report, the plots and the terminal words read into
the frozen objects below, so they read attributes rather than walking strings through dicts.
A key an older or damaged file lacks is refused naming the file and the key
(:class:`~contactsim.problems.ResultsError`), where the report once stopped with a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from contactsim.problems import ResultsError

T = TypeVar("T")


@dataclass(frozen=True)
class Ci:
    """An estimate and its 95% interval; any of them None where fit.json holds null."""

    estimate: float | None
    low: float | None
    high: float | None

    def times(self, k: float) -> Ci:
        """The same, each figure times ``k`` (a share as a percentage)."""
        return Ci(*(None if x is None else x * k for x in (self.estimate, self.low, self.high)))


@dataclass(frozen=True)
class Family:
    """One row of a duration's family table."""

    family: str
    chosen: bool
    delta_aic: float | None
    ks: float | None
    mean_s: float | None
    sd_s: float | None


@dataclass(frozen=True)
class FittedDuration:
    """A fitted duration: the family chosen (None: not fitted), its mean, the table."""

    chosen: str | None
    mean_s: Ci | None
    values: int
    censored: int
    families: tuple[Family, ...]
    #: The warning, else the tail's, else why the log's own values were kept ("" if none).
    note: str


@dataclass(frozen=True)
class Separability:
    p_value: float
    dispersion: float
    rejected: bool


@dataclass(frozen=True)
class FitChannel:
    kind: str
    rows: int
    per_day: Ci | None
    #: The weekly shape, Monday first; empty when some weekday is missing from the log.
    weekly: tuple[float, ...]
    mix: Mapping[str, Ci]
    patience: FittedDuration | None
    connect_s: FittedDuration | None
    redial_probability: Ci | None
    redial_delay: FittedDuration | None
    #: Whether fit.json holds the shape test at all (older files do not).
    has_shape: bool
    separability: Separability | None
    closed_hours: tuple[int, ...]


@dataclass(frozen=True)
class LeftOut:
    date: str
    why: str


@dataclass(frozen=True)
class FitLogs:
    files: tuple[str, ...]
    first_date: str
    last_date: str
    rows_read: int
    rows_used: int
    rows_skipped: Mapping[str, int]
    rows_skipped_total: int
    rows_clamped: Mapping[str, int]
    clock_skew_s: float
    duplicates: int
    in_progress: int


@dataclass(frozen=True)
class Days:
    used: int
    first: str
    last: str
    left_out: tuple[LeftOut, ...]


@dataclass(frozen=True)
class DayCvNote:
    decision: str
    written: Any


@dataclass(frozen=True)
class Calibration:
    """How the fitted pool's staff by hour was scaled to match the log."""

    source: str
    written: tuple[float, ...]
    target: str
    factor: Ci
    observed: Ci


@dataclass(frozen=True)
class FitSummary:
    logs: FitLogs
    days: Days
    base: str | None
    warnings: tuple[str, ...]
    day_cv: DayCvNote | None
    channels: Mapping[str, FitChannel]
    #: Per category, its fitted durations by name (handle, wrap_up), in the file's order.
    categories: Mapping[str, Mapping[str, FittedDuration]]
    calibration: Calibration | None


def _num(x: Any) -> float | None:
    return None if x is None else x if isinstance(x, int | float) else float(x)


def ci(node: Any) -> Ci | None:
    """``{estimate, ci_low, ci_high}`` (None for a null or empty entry)."""
    if not node:
        return None
    return Ci(_num(node.get("estimate")), _num(node.get("ci_low")), _num(node.get("ci_high")))


def _family(row: Mapping[str, Any]) -> Family:
    p = row.get("parameters") or {}
    mean, sd = p.get("mean_s"), p.get("sd_s")
    return Family(str(row["family"]), bool(row.get("chosen")), _num(row.get("delta_aic")),
                  _num(row.get("ks")), mean if isinstance(mean, int | float) else None,
                  sd if isinstance(sd, int | float) else None)


def duration(node: Any) -> FittedDuration | None:
    if not node:
        return None
    note = (node.get("warning") or node.get("tail_warning")
            or (node.get("empirical") or {}).get("why") or "")
    return FittedDuration(node.get("chosen"), ci(node.get("mean_s")), node.get("values", 0),
                          node.get("censored") or 0,
                          tuple(_family(r) for r in node.get("families") or []), note)


def _channel(ch: Mapping[str, Any]) -> FitChannel:
    redial = ch.get("redial") or {}
    t = ch.get("separability")
    return FitChannel(
        kind=ch["kind"], rows=ch["rows"], per_day=ci(ch["per_day"]),
        weekly=tuple(float(w["estimate"]) for w in ch.get("weekly") or []),
        mix={k: ci(share) or Ci(None, None, None) for k, share in ch["mix"].items()},
        patience=duration(ch.get("patience")), connect_s=duration(ch.get("connect_s")),
        redial_probability=ci(redial.get("probability")),
        redial_delay=duration(redial.get("delay")), has_shape="separability" in ch,
        separability=None if not t else Separability(t["p_value"], t["dispersion"],
                                                     bool(t["rejected"])),
        closed_hours=tuple(ch.get("closed_hours_of_week") or ()))


def _logs(logs: Mapping[str, Any]) -> FitLogs:
    skipped = dict(logs["rows_skipped"])
    return FitLogs(
        tuple(logs["files"]), logs["first_date"], logs["last_date"], logs["rows_read"],
        logs["rows_used"], skipped, logs.get("rows_skipped_total", sum(skipped.values())),
        dict(logs.get("rows_clamped") or {}), logs.get("clock_skew_s", 0),
        logs["duplicates"], logs["in_progress"])


def days_of(days: Mapping[str, Any], used: str = "used") -> Days:
    return Days(days[used], days["first"], days["last"],
                   tuple(LeftOut(d["date"], d["why"]) for d in days.get("left_out") or []))


def _calibration(staff: Any) -> Calibration | None:
    if not staff or staff.get("calibration") is None:
        return None
    c = staff["calibration"]
    factor, observed = ci(c["factor"]), ci(c["observed"])
    if factor is None or observed is None:
        raise TypeError("a calibration without its factor or observed figure")
    return Calibration(staff["source"], tuple(staff["written"]), c["target"], factor, observed)


def fit_summary_from(path: Path, s: Mapping[str, Any]) -> FitSummary:
    """fit.json (read into ``s``) as a FitSummary; ``path`` names it in an error."""
    def build() -> FitSummary:
        cv = s.get("day_cv")
        return FitSummary(
            logs=_logs(s["logs"]), days=days_of(s["days"]), base=s.get("base"),
            warnings=tuple(s.get("warnings", [])),
            day_cv=None if not cv else DayCvNote(cv["decision"], cv.get("written")),
            channels={name: _channel(ch) for name, ch in s["channels"].items()},
            categories={name: {what: d for what, e in cat.items()
                               if (d := duration(e)) is not None}
                        for name, cat in s["categories"].items()},
            calibration=_calibration(s.get("staff_by_hour")))

    return parsed(path, build)


def parsed(path: Path, build: Callable[[], T]) -> T:
    """``build()``, with a missing key or a value of the wrong type in a saved file refused
    as damaged, naming the file."""
    try:
        return build()
    except KeyError as exc:
        raise ResultsError(path, f"lacks {exc.args[0]!r} (damaged, or from another version)",
                           str(exc.args[0])) from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ResultsError(path, f"holds a value of the wrong type ({exc})") from None
