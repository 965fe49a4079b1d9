"""Demand: who calls, when, about what, and what will become of them.

For each simulated day this draws every contact on every channel at once, in numpy: arrival
times (see :mod:`contactsim.engine.arrivals`), the category from the channel's mix, connection,
message and patience times, talk and wrap-up times, whether a diversion policy will take the
contact (and its triage time), and whether it will need an officer. Surges add a burst of calls
about one incident on top. Callers who abandon and try again are drawn one at a time, from
streams of their own, when they retry. Either way the engine receives a :class:`DayContacts`:
an array per attribute, one element per contact.

Every attribute comes from its own named stream (``handle:101:crime``, ``patience:999``...; see
:class:`~contactsim.engine.streams.StreamName`), so a change to one part of a scenario leaves the
others' random numbers untouched: two scenarios that differ only in staffing or diversion see
exactly the same callers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from contactsim.calendar import day_rates, simulated_days
from contactsim.config.distributions import UNIFORM, Distribution, Draws
from contactsim.config.spec import Scenario
from contactsim.engine.arrivals import Opening, day_arrivals, day_factors, hourly_rates
from contactsim.engine.entities import Contact
from contactsim.engine.records import NORMAL, SURGE, pack_tag, pack_tags
from contactsim.engine.streams import StreamName, Streams
from contactsim.timebase import DAY_S, HOUR_S


@dataclass(frozen=True, slots=True)
class DayContacts:
    """Contacts drawn but not yet arrived: one array per attribute, one element per contact."""

    time: np.ndarray  # float: its event: joining the queue, or arriving if pre-queue diverted
    arrival: np.ndarray  # float: when it arrives on the channel
    join: np.ndarray  # float: when it joins the queue (after connection and message)
    ch: np.ndarray  # int: channel index
    cat: np.ndarray  # int: category index
    connect: np.ndarray  # float: connection time, part of the answer time
    patience: np.ndarray  # float: how long it waits before hanging up (inf: for ever)
    work: np.ndarray  # float: talk time
    wrap: np.ndarray  # float: wrap-up time
    div: np.ndarray  # int: the diversion that takes it, -1 none
    triage: np.ndarray  # float: triage time if a triage diversion takes it
    deploy: np.ndarray  # bool: will need an officer if dealt with
    origin: np.ndarray  # int: NORMAL, SURGE, REDIAL or SWITCH

    def __len__(self) -> int:
        return len(self.time)

    @staticmethod
    def concat(parts: list[DayContacts]) -> DayContacts:
        """The contacts of ``parts``, one after another."""
        return DayContacts(**{f: np.concatenate([getattr(p, f) for p in parts])
                              for f in _FIELDS})

    def select(self, rows: np.ndarray | slice) -> DayContacts:
        """The contacts at ``rows`` (an index array, or a slice, which shares memory)."""
        return DayContacts(**{f: getattr(self, f)[rows] for f in _FIELDS})

    def tags(self) -> np.ndarray:
        """Each contact's record code, all but the outcome (see :func:`records.pack_tags`)."""
        return pack_tags(self.ch, self.cat, np.floor_divide(self.arrival, HOUR_S), self.origin,
                         self.div)


_FIELDS = tuple(f.name for f in fields(DayContacts))


class Demand:
    """Draws the contacts of a scenario for one replication."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        self.scenario = scenario
        self.streams = streams
        self.channels = list(scenario.channels.values())
        self.category_names = list(scenario.categories)
        self.rates = [hourly_rates(ch) for ch in self.channels]
        # With a calendar, every simulated day has its own 24 rates (month, bank holiday,
        # special day); without one, day d takes its weekday's 24 hours of ``rates``.
        cal = scenario.calendar
        self.calendar_rates = None if cal is None else [
            day_rates(cal, ch.name, ch.per_day, ch.weekly, ch.hourly,
                      simulated_days(cal, scenario.run.days), ch.monthly, ch.hour_of_week)
            for ch in self.channels]
        self.factors = self._day_factors()
        names = list(scenario.channels)
        self.opening = [None if ch.open is None else Opening(ch.open, scenario.run.start_day)
                        for ch in self.channels]
        self.moves_to = [-1 if ch.open is None or ch.closed is None or ch.closed.to is None
                         else names.index(ch.closed.to) for ch in self.channels]
        #: Measured contacts that arrived while their channel was closed, by channel: lost,
        #: and moved to another channel (``closed``).
        self.closed_lost = [0] * len(names)
        self.closed_moved = [0] * len(names)
        self.deploy_p = np.array([c.deploy for c in scenario.categories.values()])
        self.diversions = list(scenario.diversions.values())
        self.diversion_cats = [np.array([self.category_names.index(c) for c in d.categories])
                               for d in self.diversions]
        self._draws: dict[str, Draws] = {}
        self._retry: dict[tuple[int, int], tuple[Any, ...]] = {}

    def _mix(self, mix: tuple[tuple[str, float], ...]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([self.category_names.index(c) for c, _ in mix])
        shares = np.array([w for _, w in mix])
        return ids, shares / shares.sum()

    def _day_factors(self) -> list[np.ndarray | None]:
        """Each channel's day-level rate factor for every simulated day (``day_cv``), or None
        where its demand does not vary from day to day beyond Poisson. Channels without their
        own ``day_cv`` share one series (``[demand] day_cv``): busy days are busy on every
        line."""
        run, demand = self.scenario.run, self.scenario.demand
        n_days = math.ceil((run.warmup_days * DAY_S + run.days * DAY_S) / DAY_S) + 1
        shared = None
        if demand.day_cv > 0 and any(ch.day_cv is None for ch in self.channels):
            shared = day_factors(self.streams(StreamName.day_factor(None)), demand.day_cv,
                                 n_days)
        out: list[np.ndarray | None] = []
        for ch in self.channels:
            if ch.day_cv is None:
                out.append(shared)
            elif ch.day_cv > 0:
                out.append(day_factors(self.streams(StreamName.day_factor(ch.name)),
                                       ch.day_cv, n_days))
            else:
                out.append(None)
        return out

    def day_rates(self, day: int, k: int) -> np.ndarray:
        """Expected contacts on channel ``k`` in each hour of simulated ``day`` (24 values),
        times the day's own factor where demand varies from day to day."""
        if self.calendar_rates is not None:
            rates = self.calendar_rates[k][day]
        else:
            first_hour = (self.scenario.run.start_day + day) % 7 * 24
            rates = self.rates[k][first_hour:first_hour + 24]
        factors = self.factors[k]
        return rates if factors is None else rates * factors[day]

    def day(self, day: int, warmup_s: float, end_s: float) -> DayContacts:
        """Every contact arriving on simulated ``day`` (and surges starting that day)."""
        parts: list[DayContacts] = []
        for k, ch in enumerate(self.channels):
            arrival = day_arrivals(self.streams(StreamName.arrivals(ch.name)),
                                   self.day_rates(day, k), day)
            parts += self._arrive(k, arrival[arrival < end_s], NORMAL, StreamName.DAY,
                                  warmup_s)
        for i, surge in enumerate(self.scenario.surges):
            start = (math.ceil(warmup_s / DAY_S) + surge.day) * DAY_S + surge.start_min * 60.0
            if int(start // DAY_S) != day:
                continue
            gen = self.streams(StreamName.surge_arrivals(i))
            times = np.sort(start + surge.minutes * 60.0 * gen.random(gen.poisson(surge.calls)))
            k = list(self.scenario.channels).index(surge.channel)
            parts += self._arrive(k, times[times < end_s], SURGE, StreamName.surge(i),
                                  warmup_s, surge.mix)
        return DayContacts.concat(parts)

    def _arrive(self, k: int, times: np.ndarray, origin: int, batch: str, warmup_s: float,
                mix: tuple[tuple[str, float], ...] | None = None) -> list[DayContacts]:
        """The contacts arriving on channel ``k`` at ``times``: those finding it open, and
        those its ``closed`` rule moves to another channel (arriving there at the same moment,
        if that one is open, with that channel's mix). The rest are lost; measured ones are
        counted in ``closed_lost`` and ``closed_moved``."""
        opening = self.opening[k]
        if opening is None:
            return [self.attributes(k, times, origin, batch, mix=mix)]
        is_open = opening.open_mask(times)
        shut = times[~is_open]
        parts = [self.attributes(k, times[is_open], origin, batch, mix=mix)]
        target = self.moves_to[k]
        lost = shut
        if target >= 0 and len(shut):
            ch = self.channels[k]
            assert ch.closed is not None
            move = self.streams(StreamName.closed_move(ch.name)).random(len(shut)) \
                < ch.closed.share
            there = self.opening[target]
            if there is not None:
                move &= there.open_mask(shut)
            moved, lost = shut[move], shut[~move]
            self.closed_moved[k] += int((moved >= warmup_s).sum())
            parts.append(self.attributes(target, moved, origin, StreamName.MOVED))
        self.closed_lost[k] += int((lost >= warmup_s).sum())
        return parts

    def shut_out(self, k: int, t: float, measured: bool) -> bool:
        """True if a caller trying again on channel ``k`` at ``t`` finds it closed (then the
        caller is lost, counted in ``closed_lost`` if ``measured``)."""
        opening = self.opening[k]
        if opening is None or opening.open_at(t):
            return False
        if measured:
            self.closed_lost[k] += 1
        return True

    def closed_counts(self) -> np.ndarray | None:
        """(channels, 2): measured contacts lost and moved because their channel was closed;
        None when no channel has opening hours."""
        if all(o is None for o in self.opening):
            return None
        return np.array([self.closed_lost, self.closed_moved], dtype=float).T.copy()

    def attributes(self, k: int, arrival: np.ndarray, origin: int, batch: str,
                   mix: tuple[tuple[str, float], ...] | None = None) -> DayContacts:
        """Everything about contacts arriving on channel ``k`` at times ``arrival``, drawn from
        the streams of ``batch`` (a :class:`StreamName` prefix)."""
        s, ch, n = self.streams, self.channels[k], len(arrival)
        names = StreamName
        ids, shares = self._mix(mix or ch.mix)
        cat = ids[s(names.contact(batch, "mix", ch.name)).choice(len(ids), n, p=shares)] \
            if n else np.zeros(0, dtype=np.int64)
        connect = ch.connect_s.sample(s(names.contact(batch, "connect", ch.name)), n)
        ivr = ch.ivr_s.sample(s(names.contact(batch, "ivr", ch.name)), n)
        patience = (ch.patience.sample(s(names.contact(batch, "patience", ch.name)), n)
                    if ch.patience is not None else np.full(n, math.inf))
        work, wrap = np.empty(n), np.empty(n)
        for c in np.unique(cat):
            mask = cat == c
            spec = self.scenario.categories[self.category_names[c]]
            m = int(mask.sum())
            work[mask] = spec.handle.sample(s(names.handle(batch, ch.name, spec.name)), m)
            wrap[mask] = spec.wrap_up.sample(s(names.wrap_up(batch, ch.name, spec.name)), m)
        div, triage = self._diversions(k, cat, batch)
        deploy = s(names.contact(batch, "deploy", ch.name)).random(n) < self.deploy_p[cat]
        join = arrival + connect + ivr
        # Indexed by diversion; the extra last entry answers for div = -1 (no diversion).
        pre = np.array([d.pre_queue for d in self.diversions] + [False])[div]
        return DayContacts(
            time=np.where(pre, arrival, join), arrival=arrival, join=join, ch=np.full(n, k),
            cat=cat, connect=connect, patience=patience, work=work, wrap=wrap, div=div,
            triage=triage, deploy=deploy, origin=np.full(n, origin))

    def _diversions(self, k: int, cat: np.ndarray, batch: str) -> tuple[np.ndarray, np.ndarray]:
        """Which diversion (if any) takes each contact, and its triage time.

        Policies apply in the order the scenario lists them; each takes its share of the
        matching contacts no earlier policy took. ``-1`` means none.
        """
        n, ch = len(cat), self.channels[k].name
        div = np.full(n, -1)
        triage = np.zeros(n)
        for j, d in enumerate(self.diversions):
            if ch not in d.channels:
                continue
            u = self.streams(StreamName.divert(batch, d.name, ch)).random(n)
            pick = (div < 0) & np.isin(cat, self.diversion_cats[j]) & (u < d.share)
            div[pick] = j
            if not d.pre_queue:
                t = d.triage_s.sample(self.streams(StreamName.triage(batch, d.name, ch)), n)
                triage[pick] = t[pick]
        return div, triage

    def retry(self, k: int, category: int, now: float, origin: int, measured: bool,
              deploy_all: bool = False) -> Contact:
        """One caller trying again on channel ``k`` at ``now`` (same incident, fresh draws).

        The same draws, from the same streams, as :meth:`attributes` makes for a batch of one
        (``RETRY`` streams, used by nothing else), but a value at a time from blocks
        (:class:`Draws`): a numpy call per attribute per retry cost a busy room a tenth of its
        time. Blocks hand out each stream's values in the order single draws would, so the
        results are the same to the last bit."""
        d = self._retry.get((k, category))
        if d is None:
            d = self._retry[k, category] = self._retry_draws(k, category)
        connect, ivr, patience, work, wrap, diversions, deploy_u = d
        connect_s = connect.next()
        join = now + connect_s + ivr.next()
        div, triage = -1, 0.0
        for j, picks, share, u, t in diversions:
            drawn, triage_s = u.next(), (t.next() if t is not None else 0.0)
            if div < 0 and picks and drawn < share:
                div, triage = j, triage_s
        deploy = deploy_u.next() < self.deploy_p[category] and (measured or deploy_all)
        tag = pack_tag(k, category, int(now // HOUR_S), origin, div)
        return Contact(k, category, join, connect_s, patience.next() if patience else math.inf,
                       work.next(), wrap.next(), div, triage, tag, measured, bool(deploy))

    def _retry_draws(self, k: int, category: int) -> tuple[Any, ...]:
        """The block draws of one channel's retries of one category (see :meth:`retry`)."""
        ch, batch, names = self.channels[k], StreamName.RETRY, StreamName
        spec = self.scenario.categories[self.category_names[category]]
        diversions = [(j, category in self.diversion_cats[j], d.share,
                       self.draws(names.divert(batch, d.name, ch.name), UNIFORM),
                       None if d.pre_queue else
                       self.draws(names.triage(batch, d.name, ch.name), d.triage_s))
                      for j, d in enumerate(self.diversions) if ch.name in d.channels]
        return (self.draws(names.contact(batch, "connect", ch.name), ch.connect_s),
                self.draws(names.contact(batch, "ivr", ch.name), ch.ivr_s),
                None if ch.patience is None else
                self.draws(names.contact(batch, "patience", ch.name), ch.patience),
                self.draws(names.handle(batch, ch.name, spec.name), spec.handle),
                self.draws(names.wrap_up(batch, ch.name, spec.name), spec.wrap_up),
                diversions, self.draws(names.contact(batch, "deploy", ch.name), UNIFORM))

    def draws(self, name: str, dist: Distribution) -> Draws:
        """Values of ``dist`` from the stream ``name``, drawn in blocks as events need them."""
        found = self._draws.get(name)
        if found is None:
            found = self._draws[name] = Draws(dist, self.streams(name))
        return found
