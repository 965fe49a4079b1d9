"""``contactsim fit``: a scenario's demand and durations estimated from a force's own log.

From a :class:`~contactsim.logs.model.ContactLog` this module estimates, per channel, the
demand (:mod:`contactsim.analysis.fit_demand`: ``per_day``, ``weekly``, ``hourly``, ``monthly``
and the ``mix``), the connection time (``queued`` less ``arrived``, where the log has
``queued``), for a voice channel its callers' patience, and where the log has ``caller`` the
chance an abandoned caller rings again and how soon; per category the handle (talk) and
wrap-up times. Every duration is fitted by :func:`~contactsim.analysis.families.fit_durations`
(four families by maximum likelihood, the lowest AIC chosen).

Patience is only partly seen. A caller who hung up after 40 s had 40 s of patience; a caller
answered after 40 s would have waited at least 40 s, so their patience is *censored* there
(a lower bound). Both kinds enter the likelihood; contacts still in progress when the log was
exported, or handed over before they queued, tell nothing and are left out (and counted).
Handle times are those of answered contacts that were not handed over to a partner (for those
the log's talk time is the triage, not a whole call).

Too few values for a distribution (fewer than
:data:`~contactsim.analysis.families.MIN_OBSERVED` seen) is not an error: the estimate is
marked with a warning and the scenario falls back (see ``fallback`` in
:mod:`contactsim.analysis.fit_scenario`). Numbers in, numbers out: no files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from contactsim.analysis.backtest_days import Window, log_window
from contactsim.analysis.families import MIN_OBSERVED, Fitted, fit_durations
from contactsim.analysis.fit_adjust import base_calendar, on_one_base
from contactsim.analysis.fit_checks import DayMean, Empirical, day_mean, empirical, family_misses
from contactsim.analysis.fit_demand import (
    REDIAL_WINDOW_S,
    Demand,
    Interval,
    Redials,
    channel_demand,
    find_redials,
    mix_of,
)
from contactsim.analysis.fit_shape import (
    DayVariation,
    Profile,
    channel_profile,
    closed_hours,
    day_hour_counts,
    decide,
)
from contactsim.analysis.fit_staff import StaffEstimate, estimate_staff
from contactsim.config.profiles import MAX_DAY_CV
from contactsim.config.spec import Scenario
from contactsim.logs.model import ContactLog
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED

#: A log of fewer whole days than this is warned of: four weeks give each weekday four days.
SHORT_DAYS = 28
#: Bins of a duration's histogram (drawn against the fitted density).
HIST_BINS = 40
#: The histogram reaches this quantile of the values (a long tail would squash the rest).
HIST_QUANTILE = 0.99
#: A redial delay is at most REDIAL_WINDOW_S by definition: a family putting more than this
#: share of its mass beyond it is replaced by the log's own delays (which all lie within it).
MAX_BEYOND_WINDOW = 0.001


@dataclass(frozen=True)
class Duration:
    """One fitted duration: what it is, whose, the fit and what to draw it against."""

    what: str          # "handle", "wrap_up", "patience", "connect_s" or "redial_delay"
    owner: str         # the category or channel
    n: int             # values given (observed and censored)
    observed: int      # values seen in full (not censored)
    fitted: Fitted | None
    constant: float | None  # every value the same: that value (no family is fitted)
    warning: str            # "" when the estimate is sound
    edges: np.ndarray       # histogram of the observed values: bin edges, s
    density: np.ndarray     # per second, so it lies on the fitted density
    #: The sample mean with its interval over days (values seen in full only; None when
    #: censored: patience's mean can only come from a family).
    sample: DayMean | None = None
    #: The log's own values, written instead of the family (``why_empirical`` says why).
    empirical: Empirical | None = None
    why_empirical: str = ""
    #: A warning about the fitted tail beyond the log's reach ("" when none).
    tail: str = ""

    @property
    def mean(self) -> Interval | None:
        """The sample mean (days as units) where every value is seen in full; else the
        chosen family's mean with its delta-method interval; a constant as itself."""
        if self.sample is not None and math.isfinite(self.sample.estimate) \
                and self.constant is None:
            return Interval(self.sample.estimate, self.sample.low, self.sample.high)
        if self.fitted is not None:
            best = self.fitted.best
            return Interval(best.mean, *best.mean_ci)
        if self.constant is not None:
            return Interval(self.constant, self.constant, self.constant)
        return None

    @property
    def table(self) -> dict[str, object] | float | None:
        """The scenario's value: the log's own values where no family holds them, else the
        chosen family's table, the constant, or None."""
        if self.empirical is not None:
            return self.empirical.table()
        if self.fitted is not None:
            return self.fitted.best.scenario()
        return self.constant


#: The patience written where every hang-up the log shows was at 0 s: a scenario's patience must
#: be above 0.
LEAST_PATIENCE_S = 1.0


#: A handle or wrap-up time this many times the median of its category's (or more) is left out
#: of the fit as implausible, counted in a warning: one absurd time (a clock's overflow, a
#: call left open for days) would otherwise move the fitted mean by hours.
OUTLIER_TIMES = 1000.0
#: Values needed before the median is trusted to judge outliers.
OUTLIER_LEAST_N = 20


def fit_duration(what: str, owner: str, values: np.ndarray,
                 censored: np.ndarray | None = None, days: np.ndarray | None = None
                 ) -> Duration:
    """:func:`_fit_duration`, handle and wrap-up times less those :data:`OUTLIER_TIMES` the
    median or more (counted in the duration's warning)."""
    x = np.asarray(values, dtype=float)
    if what not in ("handle", "wrap_up") or censored is not None:
        return _fit_duration(what, owner, x, censored, days)
    given = x[np.isfinite(x) & (x > 0)]
    if len(given) < OUTLIER_LEAST_N:
        return _fit_duration(what, owner, x, censored, days)
    median = float(np.median(given))
    far = x >= OUTLIER_TIMES * median
    if not far.any():
        return _fit_duration(what, owner, x, censored, days)
    fitted = _fit_duration(what, owner, x[~far], None, None if days is None else
                           np.asarray(days)[~far])
    note = (f"{_WORDS[what].format(owner=owner)}: {int(far.sum()):,} value(s) of "
            f"{OUTLIER_TIMES * median:,.0f} s or more ({OUTLIER_TIMES:g} times the median, "
            f"{median:,.0f} s; the longest {float(x[far].max()):,.0f} s) left out as "
            "implausible: check those rows of the log")
    return replace(fitted, warning="; ".join(w for w in (note, fitted.warning) if w))


def _fit_duration(what: str, owner: str, values: np.ndarray,
                  censored: np.ndarray | None = None, days: np.ndarray | None = None
                  ) -> Duration:
    """Fit ``values`` (``censored[i]``: a lower bound; ``days[i]``: its day, the unit of the
    sample mean's interval) or say why it cannot be done."""
    x = np.asarray(values, dtype=float)
    cens = np.zeros(len(x), dtype=bool) if censored is None else np.asarray(censored, bool)
    day = np.zeros(len(x), dtype=np.int64) if days is None else np.asarray(days)
    ok = np.isfinite(x) & (x >= 0)
    x, cens, day = x[ok], cens[ok], day[ok]
    seen = x[~cens]
    edges, density = _histogram(seen)
    words = _WORDS[what].format(owner=owner)
    if not len(seen):
        return Duration(what, owner, len(x), 0, None, None,
                        f"{words}: no values in the log to estimate it from", edges, density)
    if not cens.any() and float(np.ptp(seen)) == 0:
        if what == "patience" and seen[0] < LEAST_PATIENCE_S:  # a scenario's patience is > 0
            return Duration(what, owner, len(x), len(seen), None, LEAST_PATIENCE_S, (
                f"{words}: every one of the {len(seen):,} hang-ups was at {seen[0]:g} s (ended "
                "as it arrived: a routing artefact, or the wrong column?); written as "
                f"{LEAST_PATIENCE_S:g} s, the least a scenario's patience can be"), edges, density)
        return Duration(what, owner, len(x), len(seen), None, float(seen[0]), "", edges,
                        density)
    fitted = fit_durations(x, cens)
    if fitted is None:
        return Duration(what, owner, len(x), len(seen), None, None, (
            f"{words}: only {len(seen)} value(s) seen in full, fewer than the {MIN_OBSERVED} "
            "a distribution needs; the scenario keeps a fallback (see fit.json)"),
            edges, density)
    if cens.any():
        return Duration(what, owner, len(x), len(seen), fitted, None, "", edges, density,
                        tail=_tail(words, fitted))
    sample = day_mean(x, day)
    why = family_misses(fitted, sample)
    beyond = fitted.best.sf(REDIAL_WINDOW_S) if what == "redial_delay" else 0.0
    if not why and beyond > MAX_BEYOND_WINDOW:
        why = (f"the best family by AIC ({fitted.best.family}) puts {beyond:.1%} of its delays "
               f"beyond the {REDIAL_WINDOW_S / 3600:g} h that define a redial")
    return Duration(what, owner, len(x), len(seen), fitted, None, "", edges, density, sample,
                    empirical(what, owner, x) if why else None, why)


def _tail(words: str, fitted: Fitted) -> str:
    """A warning when the chosen family's mean lies beyond the longest time at which enough
    values were still at risk: there the fitted tail is the family's guess, not the log's."""
    best, reach = fitted.best, fitted.reach
    if not best.mean > reach:
        return ""
    share = best.sf(reach)
    return (f"{words}: the fitted mean {best.mean:,.0f} s lies beyond {reach:,.0f} s, the "
            "longest time at which enough of the log's values were still waiting to judge "
            f"({share:.0%} of the fitted {best.family} lies beyond it): the tail, and so the "
            "mean, is the family's extrapolation, not the log's; treat it as uncertain")


_WORDS = {"handle": "handle time of {owner}", "wrap_up": "wrap-up time of {owner}",
          "patience": "patience on channel {owner}", "connect_s": "connection time on {owner}",
          "redial_delay": "redial delay on {owner}"}


def _histogram(seen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(seen):
        return np.zeros(0), np.zeros(0)
    top = float(np.quantile(seen, HIST_QUANTILE))
    if top <= 0:
        top = float(seen.max()) or 1.0
    counts, edges = np.histogram(seen, bins=HIST_BINS, range=(0.0, top))
    return edges, counts / (len(seen) * np.diff(edges))


@dataclass(frozen=True)
class ChannelFit:
    """Everything estimated for one channel."""

    name: str
    kind: str                   # "voice" or "digital"
    demand: Demand
    mix: dict[str, Interval]
    contacts: int               # rows of the channel in the log
    answered: int
    abandoned: int
    in_progress: int            # left out of patience
    patience: Duration | None   # None for a digital channel
    connect: Duration | None    # None where the log has no ``queued``
    redials: Redials | None     # None without ``caller`` or for a digital channel
    profile: Profile            # separability, the hour-of-week profile, closed hours


@dataclass
class LogFit:
    """A log's fit: the channels, the categories' durations, the days used and the warnings."""

    log: ContactLog
    window: Window
    channels: dict[str, ChannelFit]
    categories: dict[str, dict[str, Duration]]  # category -> "handle"/"wrap_up" -> fit
    delays: dict[str, Duration]  # channel -> redial delay (where redials were looked for)
    base: Scenario | None = None
    warnings: list[str] = field(default_factory=list)
    #: Staff on duty by hour of the week, as the log shows it (None: no talk times).
    staff: StaffEstimate | None = None
    day_cv: DayVariation | None = None  # None: fewer than 14 days used

    def durations(self) -> list[Duration]:
        """Every fitted duration, in a stable order."""
        out: list[Duration] = []
        for ch in self.channels.values():
            out += [d for d in (ch.patience, ch.connect, self.delays.get(ch.name))
                    if d is not None]
        return out + [d for cat in self.categories.values() for d in cat.values()]


def channel_kind(log: ContactLog, channel: str, base: Scenario | None) -> str:
    """The base's kind for the channel; without one, voice if any of its callers hung up
    (digital contacts wait until worked and never abandon), else digital."""
    if base is not None and channel in base.channels:
        return base.channels[channel].kind
    c = log.channels.index(channel)
    return "voice" if bool(((log.channel == c) & (log.outcome == ABANDONED)).any()) else "digital"


def fit_log(log: ContactLog, base: Scenario | None = None) -> LogFit:
    """Fit every channel and category of ``log`` (see the module's notes)."""
    day = log.day
    hour = ((log.arrived_local - day * 86400) // 3600).astype(np.int64)
    closed = _closed(log, day, hour)
    live = [closed[n] for c, n in enumerate(log.channels) if (log.channel == c).any()]
    room_open = ~np.logical_and.reduce(live) if live else np.ones(168, dtype=bool)
    window = log_window(log, None if room_open.all() else room_open)
    used = window.compared
    channels: dict[str, ChannelFit] = {}
    delays: dict[str, Duration] = {}
    notes: list[str] = []
    for c, name in enumerate(log.channels):
        rows = np.flatnonzero(log.channel == c)
        kind = channel_kind(log, name, base)
        redials = None
        fresh = np.ones(len(rows), dtype=bool)
        if kind == "voice" and "caller" in log.present:
            redials = find_redials(log, rows)
            fresh = ~redials.is_redial
            if redials.redialled:
                delays[name] = fit_duration("redial_delay", name, redials.delays_s,
                                            days=redials.delay_days)
        r = rows[fresh]
        demand = channel_demand(name, day[r], hour[r], used)
        profile = channel_profile(demand, day_hour_counts(day[r], hour[r], used), used,
                                  closed[name])
        demand, note = on_one_base(log, rows, redials, profile.demand, used, day)
        demand, calendar_note = base_calendar(base, name, demand, used)
        notes += [x for x in (note, calendar_note) if x]
        mix = mix_of(log.categories, log.category[rows].astype(np.int64), day[rows], used)
        outcome = log.outcome[rows]
        patience = None
        if kind == "voice":
            took = (outcome == ANSWERED) | (outcome == ABANDONED)
            patience = fit_duration("patience", name, log.wait_s[rows][took],
                                    outcome[took] == ANSWERED)
        connect = (fit_duration("connect_s", name, log.connect_s[rows], days=day[rows])
                   if "queued" in log.present else None)
        channels[name] = ChannelFit(
            name, kind, demand, mix, len(rows), int((outcome == ANSWERED).sum()),
            int((outcome == ABANDONED).sum()), int((outcome == CENSORED).sum()),
            patience, connect, redials, profile)
    fit = LogFit(log, window, channels, _categories(log), delays, base,
                 day_cv=_day_cv(channels, used), staff=estimate_staff(log, used, log.agent))
    fit.warnings.extend(_warnings(fit) + notes)
    return fit


def _closed(log: ContactLog, day: np.ndarray, hour: np.ndarray) -> dict[str, np.ndarray]:
    """Each channel's closed hours of the week, from the log's inner days (its first and
    last may be partial, and the whole-day rule needs the opening hours first)."""
    inner = np.arange(int(day.min()) + 1, int(day.max()), dtype=np.int64)
    weekday = (inner + 3) % 7
    out = {}
    for c, name in enumerate(log.channels):
        on = log.channel == c
        out[name] = (closed_hours(day_hour_counts(day[on], hour[on], inner), weekday)
                     if len(inner) else np.zeros(168, dtype=bool))
    return out


def _day_cv(channels: dict[str, ChannelFit], used: np.ndarray) -> DayVariation | None:
    """Day-to-day variation over the channels with contacts (see fit_shape)."""
    live = [ch for ch in channels.values() if ch.demand.contacts > 0]
    if not live or len(used) < 14:
        return None
    return decide([ch.name for ch in live], [ch.profile.daily for ch in live],
                  (used + 3) % 7, [ch.profile.month_w for ch in live])


def _categories(log: ContactLog) -> dict[str, dict[str, Duration]]:
    """Handle and wrap-up per category, from answered contacts not handed over."""
    plain = (log.outcome == ANSWERED) & (log.diverted_to < 0)
    day = log.day
    out = {}
    for k, name in enumerate(log.categories):
        rows = plain & (log.category == k)
        out[name] = {"handle": fit_duration("handle", name, log.talk_s[rows], days=day[rows]),
                     "wrap_up": fit_duration("wrap_up", name, log.wrap_s[rows],
                                             days=day[rows])}
        if "talk_s" not in log.present:
            out[name]["handle"] = _absent("handle", name, "talk_s")
        if "wrap_s" not in log.present:
            out[name]["wrap_up"] = _absent("wrap_up", name, "wrap_s")
    return out


def _absent(what: str, owner: str, column: str) -> Duration:
    return Duration(what, owner, 0, 0, None, None,
                    f"{_WORDS[what].format(owner=owner)}: the log has no {column} column",
                    np.zeros(0), np.zeros(0))


def _warnings(fit: LogFit) -> list[str]:
    out = [d.warning for d in fit.durations() if d.warning]
    out += [d.tail for d in fit.durations() if d.tail]
    out += [f"{_WORDS[d.what].format(owner=d.owner)}: written as the log's own values "
            f"({d.empirical.file}, an empirical distribution) because {d.why_empirical}"
            for d in fit.durations() if d.empirical is not None]
    if len(fit.window.compared) < SHORT_DAYS:
        out.append(f"the log holds only {len(fit.window.compared)} whole day(s) used; the "
                   "shapes of the day and the week rest on few days (see their intervals)")
    for ch in fit.channels.values():
        if ch.demand.weekly is None:
            out.append(f"channel {ch.name}: the log's whole days do not include every weekday, "
                       "so no weekly shape is fitted (flat)")
        if ch.patience is not None and ch.patience.fitted is not None:
            share = ch.patience.fitted.censored / max(ch.patience.fitted.n, 1)
            if share > 0.95:
                out.append(f"patience on channel {ch.name}: {share:.1%} of callers were "
                           "answered before they hung up, so the fitted patience rests on the "
                           "few who did; its tail is uncertain")
    if fit.day_cv is not None and fit.day_cv.capped():
        out.append(f"day_cv: the log's counts vary from day to day more than a scenario holds "
                   f"(day_cv at most {MAX_DAY_CV:g}; days with almost no contacts, or a stray "
                   "date?); written as " f"{MAX_DAY_CV:g}")
    return list(dict.fromkeys(out))
