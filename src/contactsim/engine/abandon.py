"""Callers who hang up, and what they do next.

A voice caller waits in the queue for as long as their patience lasts, counted from joining
it; if nobody has answered by then they hang up (abandon). On a channel with an ``on_abandon``
rule the room may ring them back: a callback is outbound work queued just behind the channel's
live calls (``callback_priority = "with_live"``: among them), with a talk time drawn for the
caller's category, and no patience of its own. Otherwise the caller may redial the
same channel after a delay, ring 999 instead, or go online, with the rule's probabilities; that
retry is a new contact on its channel, linked to the first, that passes connection and the
recorded message again. Nobody tries more than :data:`MAX_TRIES` times about one incident.
"""

from __future__ import annotations

import math

from contactsim.config.distributions import UNIFORM, Draws
from contactsim.config.spec import OnAbandon
from contactsim.engine.entities import GONE, WAITING, Contact
from contactsim.engine.events import Call
from contactsim.engine.records import ABANDONED, REDIAL, SWITCH
from contactsim.engine.state import RoomState
from contactsim.engine.streams import StreamName

#: A caller who keeps hanging up tries at most this many times in all about one incident (the
#: first contact, then redials and switches), then gives up: people do, and it stops a scenario
#: with certain redials and no capacity from ringing for ever.
MAX_TRIES = 10


class AbandonMixin(RoomState):
    """Patience, callbacks, redials and switches: the part of the room for callers who hang up."""

    on_abandon: list[OnAbandon | None]  # by channel
    #: By channel with a rule: whether to call back, what to do instead, the redial delay.
    choice_draws: list[tuple[Draws, Draws, Draws] | None]
    callback_work: dict[tuple[int, str], tuple[Draws, Draws]]  # (channel, category): talk, wrap
    callbacks: list[int]  # by channel: callbacks made for measured abandoned calls

    def _init_abandon(self) -> None:
        sc = self.scenario
        chans = list(sc.channels.values())
        self.on_abandon = [ch.on_abandon for ch in chans]
        # Made once here rather than looked up by name at each hang-up (the same values: a
        # stream's numbers depend only on its name).
        self.choice_draws = [None if ch.on_abandon is None else (
            self.demand.draws(StreamName.callback(ch.name), UNIFORM),
            self.demand.draws(StreamName.retry(ch.name), UNIFORM),
            self.demand.draws(StreamName.redial_delay(ch.name), ch.on_abandon.redial_delay))
            for ch in chans]
        self.callback_work = {}
        for k, ch in enumerate(chans):
            if ch.on_abandon is not None and ch.on_abandon.callback > 0:
                for cat in sc.categories.values():
                    self.callback_work[k, cat.name] = (
                        self.demand.draws(StreamName.callback_handle(ch.name, cat.name),
                                          cat.handle),
                        self.demand.draws(StreamName.callback_wrap_up(ch.name, cat.name),
                                          cat.wrap_up))
        # A plain list: updating a numpy element from Python is several times slower.
        self.callbacks = [0] * len(chans)

    def _on_patience(self, ev: Call) -> None:
        c: Contact = ev._value
        if c.state != WAITING:
            return
        c.state = GONE
        if c.measured:
            self._resolve(c, ABANDONED, c.patience)
        if self.on_abandon[c.ch] is not None:
            self._after_abandon(c)

    def _after_abandon(self, c: Contact) -> None:
        """A caller who hung up: called back, or rings again, rings 999, or goes online."""
        rule, draws = self.on_abandon[c.ch], self.choice_draws[c.ch]
        assert rule is not None
        assert draws is not None
        if rule.callback and draws[0].next() < rule.callback:
            work, wrap = self.callback_work[c.ch, self.demand.category_names[c.cat]]
            if c.measured:
                self.callbacks[c.ch] += 1
            self.officers.deploy(c)  # the callback deals with the incident
            call = Contact(tag=c.tag, ch=c.ch, cat=c.cat, join=self.env.now, connect=0.0,
                           patience=math.inf, work=work.next(), wrap=wrap.next(),
                           measured=False, div=-1, triage=0.0, deploy=False)
            call.answered = True  # outbound work: not an offered contact
            self._offer(call, self.callback_queues[c.ch])
            return
        u = draws[1].next()
        if c.tries >= MAX_TRIES:
            return
        if u < rule.redial:
            target, origin = c.ch, REDIAL
            delay = draws[2].next()
        elif u < rule.redial + rule.to_999:
            target, origin, delay = self.channel_names.index(rule.emergency_channel), SWITCH, 0.0
        elif u < rule.redial + rule.to_999 + rule.to_online:
            target, origin, delay = self.channel_names.index(rule.online_channel), SWITCH, 0.0
        else:
            return
        at = self.env.now + delay
        measured = self.warmup_s <= at < self.end_s
        if self.demand.shut_out(target, at, measured):
            return  # its channel is closed then: lost
        if measured:
            self.open += 1
        Call(self.env, delay, self._on_retry, (target, c.cat, origin, c.tries + 1, c))

    def _on_retry(self, ev: Call) -> Contact:
        """The retry arrives: a new contact on its channel, passing connection and IVR again.
        Returns it (with the ``caller`` key of the contact it retries, where that has one)."""
        k, cat, origin, tries, previous = ev._value
        now = self.env.now
        measured = self.warmup_s <= now < self.end_s
        c = self.demand.retry(k, cat, now, origin, measured, self.deploy_all)
        c.tries = tries
        c.caller = getattr(previous, "caller", -1)
        if c.div >= 0 and self.pre_queue[c.div]:
            self._pre_queue(c)
        else:
            self._join(c)
        return c
