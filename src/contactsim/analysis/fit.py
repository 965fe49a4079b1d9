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

from dataclasses import dataclass, field

import numpy as np

from contactsim.analysis.backtest_days import Window, log_window
from contactsim.analysis.families import MIN_OBSERVED, Fitted, fit_durations
from contactsim.analysis.fit_demand import (
    Demand,
    Interval,
    Redials,
    channel_demand,
    find_redials,
    mix_of,
)
from contactsim.analysis.fit_staff import StaffEstimate, estimate_staff
from contactsim.config.spec import Scenario
from contactsim.logs.model import ContactLog
from contactsim.outcomes import ABANDONED, ANSWERED, CENSORED

#: A log of fewer whole days than this is warned of: four weeks give each weekday four days.
SHORT_DAYS = 28
#: Bins of a duration's histogram (drawn against the fitted density).
HIST_BINS = 40
#: The histogram reaches this quantile of the values (a long tail would squash the rest).
HIST_QUANTILE = 0.99


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

    @property
    def mean(self) -> Interval | None:
        if self.fitted is not None:
            best = self.fitted.best
            return Interval(best.mean, *best.mean_ci)
        if self.constant is not None:
            return Interval(self.constant, self.constant, self.constant)
        return None

    @property
    def table(self) -> dict[str, object] | float | None:
        """The scenario's value: the chosen family's table, the constant, or None."""
        if self.fitted is not None:
            return self.fitted.best.scenario()
        return self.constant


def fit_duration(what: str, owner: str, values: np.ndarray,
                 censored: np.ndarray | None = None) -> Duration:
    """Fit ``values`` (``censored[i]``: a lower bound) or say why it cannot be done."""
    x = np.asarray(values, dtype=float)
    cens = np.zeros(len(x), dtype=bool) if censored is None else np.asarray(censored, bool)
    ok = np.isfinite(x) & (x >= 0)
    x, cens = x[ok], cens[ok]
    seen = x[~cens]
    edges, density = _histogram(seen)
    words = _WORDS[what].format(owner=owner)
    if not len(seen):
        return Duration(what, owner, len(x), 0, None, None,
                        f"{words}: no values in the log to estimate it from", edges, density)
    if not cens.any() and float(np.ptp(seen)) == 0:
        return Duration(what, owner, len(x), len(seen), None, float(seen[0]), "", edges,
                        density)
    fitted = fit_durations(x, cens)
    if fitted is None:
        return Duration(what, owner, len(x), len(seen), None, None, (
            f"{words}: only {len(seen)} value(s) seen in full, fewer than the {MIN_OBSERVED} "
            "a distribution needs; the scenario keeps a fallback (see fit.json)"),
            edges, density)
    return Duration(what, owner, len(x), len(seen), fitted, None, "", edges, density)


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
    window = log_window(log)
    used = window.compared
    day = log.day
    hour = ((log.arrived_local - day * 86400) // 3600).astype(np.int64)
    channels: dict[str, ChannelFit] = {}
    delays: dict[str, Duration] = {}
    for c, name in enumerate(log.channels):
        rows = np.flatnonzero(log.channel == c)
        kind = channel_kind(log, name, base)
        redials = None
        fresh = np.ones(len(rows), dtype=bool)
        if kind == "voice" and "caller" in log.present:
            redials = find_redials(log, rows)
            fresh = ~redials.is_redial
            if redials.redialled:
                delays[name] = fit_duration("redial_delay", name, redials.delays_s)
        r = rows[fresh]
        demand = channel_demand(name, day[r], hour[r], used)
        mix = mix_of(log.categories, log.category[rows].astype(np.int64), day[rows], used)
        outcome = log.outcome[rows]
        patience = None
        if kind == "voice":
            took = (outcome == ANSWERED) | (outcome == ABANDONED)
            patience = fit_duration("patience", name, log.wait_s[rows][took],
                                    outcome[took] == ANSWERED)
        connect = (fit_duration("connect_s", name, log.connect_s[rows])
                   if "queued" in log.present else None)
        channels[name] = ChannelFit(
            name, kind, demand, mix, len(rows), int((outcome == ANSWERED).sum()),
            int((outcome == ABANDONED).sum()), int((outcome == CENSORED).sum()),
            patience, connect, redials)
    fit = LogFit(log, window, channels, _categories(log), delays, base,
                 staff=estimate_staff(log, used, log.agent))
    fit.warnings.extend(_warnings(fit))
    return fit


def _categories(log: ContactLog) -> dict[str, dict[str, Duration]]:
    """Handle and wrap-up per category, from answered contacts not handed over."""
    plain = (log.outcome == ANSWERED) & (log.diverted_to < 0)
    out = {}
    for k, name in enumerate(log.categories):
        rows = plain & (log.category == k)
        out[name] = {"handle": fit_duration("handle", name, log.talk_s[rows]),
                     "wrap_up": fit_duration("wrap_up", name, log.wrap_s[rows])}
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
    return list(dict.fromkeys(out))
