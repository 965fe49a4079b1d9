"""A run's summary.json as typed objects, read once.

summary.json is a nest of objects (DESIGN §6): the run's facts (scenario, seed, replications,
days), then for each channel, pool and diversion its measures, each ``{mean, ci_low, ci_high}``.
:func:`run_summary` turns that nest, already checked by :func:`contactsim.results.checks.
check_summary`, into the frozen objects below, so the report and the words read attributes
(``run.measured.channels["999"].service_level``) rather than walking strings through dicts.

Measures stay a mapping as well as attributes: a channel lists the measures its run saved, in
that order (a newer version may save more), and the report's full table shows every one. The
attributes name the measures the report reads by name. A measure a run did not save reads as
an undefined estimate (NaN), as an empty cell in a table does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contactsim.analysis.stats import Estimate

UNDEFINED = Estimate(math.nan, math.nan, math.nan, 0)


def estimate_from(node: Any, n: int) -> Estimate:
    """A summary.json ``{mean, ci_low, ci_high}`` (nulls as NaN) as an Estimate."""
    if not isinstance(node, dict):
        return Estimate(math.nan, math.nan, math.nan, 0)

    def value(key: str) -> float:
        v = node.get(key)
        return float(v) if isinstance(v, int | float) else math.nan

    return Estimate(value("mean"), value("ci_low"), value("ci_high"), n)


@dataclass(frozen=True)
class Measures:
    """The estimates of one channel, pool or diversion, in the order the run saved them."""

    estimates: Mapping[str, Estimate] = field(default_factory=dict)

    def __getitem__(self, measure: str) -> Estimate:
        return self.estimates.get(measure, UNDEFINED)

    def __contains__(self, measure: object) -> bool:
        return measure in self.estimates

    @property
    def names(self) -> list[str]:
        return list(self.estimates)


class ChannelMeasures(Measures):
    """One channel's measures: the headline ones by name."""

    @property
    def service_level(self) -> Estimate:
        return self["service_level"]

    @property
    def mean_answer_s(self) -> Estimate:
        return self["mean_answer_s"]

    @property
    def abandon_rate(self) -> Estimate:
        return self["abandon_rate"]

    @property
    def offered(self) -> Estimate:
        return self["offered"]

    @property
    def answered(self) -> Estimate:
        return self["answered"]


class PoolMeasures(Measures):
    """One pool's measures: utilisation and its hours."""

    @property
    def utilisation(self) -> Estimate:
        return self["utilisation"]

    @property
    def busy_hours(self) -> Estimate:
        return self["busy_hours"]

    @property
    def staff_hours(self) -> Estimate:
        return self["staff_hours"]


class DiversionMeasures(Measures):
    """One diversion to a partner: contacts handed over and handovers failed (a run of an
    older contactsim has no split of those into partner closed and partner busy: NaN)."""

    @property
    def diverted(self) -> Estimate:
        return self["diverted"]

    @property
    def failed(self) -> Estimate:
        return self["failed"]

    @property
    def failed_closed(self) -> Estimate:
        """Handovers that failed because the partner was closed (part of ``failed``)."""
        return self["failed_closed"]

    @property
    def failed_busy(self) -> Estimate:
        """Handovers that failed because the partner had nobody free (part of ``failed``)."""
        return self["failed_busy"]


@dataclass(frozen=True)
class RunSummary:
    """summary.json, read once: the run's facts and every estimate, typed."""

    name: str
    file: str
    version: str
    seed: str
    replications: int
    days: float
    warmup_days: float
    warnings: tuple[str, ...]
    channels: dict[str, ChannelMeasures]
    pools: dict[str, PoolMeasures]
    diversions: dict[str, DiversionMeasures]
    #: Contacts each pool answered on each channel (pool, then channel), in total.
    answered_by: dict[str, dict[str, Estimate]]
    #: Officer hours per day (undefined when the run sends no officers).
    officer_hours: Estimate = UNDEFINED


M = TypeVar("M", bound=Measures)


def _section(summary: dict[str, Any], key: str, kind: type[M], n: int) -> dict[str, M]:
    node = summary.get(key) or {}
    return {str(name): kind({str(m): estimate_from(e, n) for m, e in (measures or {}).items()})
            for name, measures in node.items()}


def run_summary(summary: dict[str, Any], default_name: str, version: str) -> RunSummary:
    """A checked summary.json as a :class:`RunSummary` (``default_name`` when it names no
    scenario; ``version``, this contactsim's, when it does not say which wrote it)."""
    n = int(summary.get("replications", 0))
    scenario = summary.get("scenario") or {}
    answered_by = {str(pool): {str(ch): estimate_from((node or {}).get("answered"), n)
                               for ch, node in (channels or {}).items()}
                   for pool, channels in (summary.get("pool_channel") or {}).items()}
    return RunSummary(
        name=str(scenario.get("name", default_name)),
        file=str(scenario.get("file", "")),
        version=str(summary.get("contactsim_version", version)),
        seed=str(summary.get("seed", "")),
        replications=n,
        days=float(summary.get("days", 0.0)),
        warmup_days=float(summary.get("warmup_days", 0.0) or 0.0),
        warnings=tuple(str(w) for w in summary.get("warnings", [])),
        channels=_section(summary, "channels", ChannelMeasures, n),
        pools=_section(summary, "pools", PoolMeasures, n),
        diversions=_section(summary, "diversions", DiversionMeasures, n),
        answered_by=answered_by,
        officer_hours=estimate_from(summary.get("officer_hours"), n),
    )
