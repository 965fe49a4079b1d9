"""Named random streams: one generator per stochastic element, per replication.

Every stochastic element of the model (arrivals on channel 999, handle times of crime calls on
101, patience on 101, absence in the handlers pool...) draws from its own
:class:`numpy.random.Generator`, seeded from ``(seed, replication, a stable hash of its name)``.
Two scenarios that differ only in staffing therefore see exactly the same callers (common random
numbers), and a replication's results do not depend on which process runs it or when. Every
name is made by :class:`StreamName`, the one list of them.
"""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np


def name_key(name: str) -> int:
    """A stable 64-bit key for a stream name (Python's ``hash`` changes between processes)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def generator(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for one named element in one replication."""
    seq = np.random.SeedSequence([seed, replication, name_key(name)])
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Hands out (and remembers) the named generators of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._made: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        gen = self._made.get(name)
        if gen is None:
            gen = self._made[name] = generator(self.seed, self.replication, name)
        return gen

#: The attributes of a contact drawn from a stream per channel (handle and wrap-up times have a
#: stream per channel and category, diversions one per policy and channel).
Attribute = Literal["mix", "connect", "ivr", "patience", "deploy"]


class StreamName:
    """The name of every random stream in the model, made here and nowhere else.

    A stream's name is part of its seed. Renaming one, even by a character, silently changes
    every result that draws from it: the golden test fails, and runs saved before no longer
    share random numbers with runs made after (common random numbers are lost). Add names
    freely; never edit one.

    Contacts' attributes are drawn in batches, each with a prefix of its own: :data:`DAY` for a
    day's ordinary contacts, :meth:`surge` for a surge's, :data:`RETRY` for a caller trying
    again. The prefixes are the start of a name, so ``RETRY + "connect:101"`` and ``"retry:101"``
    (:meth:`retry`, the choice of what a caller does next) are different streams.
    """

    DAY = ""
    RETRY = "retry:"
    #: The prefix of contacts moved to another channel because theirs was closed.
    MOVED = "moved:"

    @staticmethod
    def surge(index: int) -> str:
        """The prefix of the ``index``-th surge's contacts (and ``surge{i}:arrivals``)."""
        return f"surge{index}:"

    # --- demand: who calls, when, about what ----------------------------------------------

    @staticmethod
    def arrivals(channel: str) -> str:
        return f"arrivals:{channel}"

    @staticmethod
    def surge_arrivals(index: int) -> str:
        return f"surge{index}:arrivals"

    @staticmethod
    def day_factor(channel: str | None) -> str:
        """Day-level rate factors (``day_cv``): one stream shared by the channels without
        their own (``day_factor``), one per channel with its own (``day_factor:101``)."""
        return "day_factor" if channel is None else f"day_factor:{channel}"

    @staticmethod
    def closed_move(channel: str) -> str:
        """Whether a contact arriving while ``channel`` is closed moves to another channel."""
        return f"closed_move:{channel}"

    @staticmethod
    def contact(batch: str, attribute: Attribute, channel: str) -> str:
        """An attribute of a batch's contacts on ``channel``: ``mix``, ``connect``, ``ivr``,
        ``patience`` or ``deploy`` (``patience:999``, ``retry:connect:101``)."""
        return f"{batch}{attribute}:{channel}"

    @staticmethod
    def handle(batch: str, channel: str, category: str) -> str:
        return f"{batch}handle:{channel}:{category}"

    @staticmethod
    def wrap_up(batch: str, channel: str, category: str) -> str:
        return f"{batch}wrap_up:{channel}:{category}"

    @staticmethod
    def divert(batch: str, diversion: str, channel: str) -> str:
        return f"{batch}divert:{diversion}:{channel}"

    @staticmethod
    def triage(batch: str, diversion: str, channel: str) -> str:
        return f"{batch}triage:{diversion}:{channel}"

    # --- drawn as events happen ------------------------------------------------------------

    @staticmethod
    def callback(channel: str) -> str:
        """Whether an abandoned call on ``channel`` is called back."""
        return f"callback:{channel}"

    @staticmethod
    def callback_handle(channel: str, category: str) -> str:
        return f"callback:handle:{channel}:{category}"

    @staticmethod
    def callback_wrap_up(channel: str, category: str) -> str:
        return f"callback:wrap_up:{channel}:{category}"

    @staticmethod
    def retry(channel: str) -> str:
        """Whether a caller who hung up on ``channel`` redials, switches or gives up."""
        return f"retry:{channel}"

    @staticmethod
    def redial_delay(channel: str) -> str:
        return f"redial_delay:{channel}"

    @staticmethod
    def partner_answer(partner: str) -> str:
        return f"partner:{partner}:answer"

    @staticmethod
    def partner_handle(partner: str) -> str:
        return f"partner:{partner}:handle"

    @staticmethod
    def absence(pool: str) -> str:
        return f"absence:{pool}"

    @staticmethod
    def leavers(pool: str, group: str) -> str:
        """Who leaves a pool's workforce, month by month (``[pools.NAME.workforce]``): one
        stream for each group of people (``start``, or ``course:DAY:K``)."""
        return f"workforce:leavers:{pool}:{group}"

    # --- dispatch: officers, grades and chase calls (DESIGN §12) ---------------------------

    #: The prefix of chase calls' contacts (a caller ringing again while waiting for an
    #: officer): ``chase:handle:101:chase``.
    CHASE = "chase:"

    @staticmethod
    def grade(category: str) -> str:
        """The grade of a deployment of ``category``."""
        return f"dispatch:grade:{category}"

    @staticmethod
    def on_scene(category: str) -> str:
        return f"dispatch:on_scene:{category}"

    @staticmethod
    def rwd(category: str) -> str:
        """Handler time of a deployment of ``category`` resolved without deployment."""
        return f"dispatch:rwd:{category}"

    @staticmethod
    def travel(officers: str) -> str:
        return f"dispatch:travel:{officers}"

    @staticmethod
    def chase() -> str:
        """Whether a caller still waiting for an officer rings again."""
        return "dispatch:chase"

    @staticmethod
    def area() -> str:
        """With areas: the area an incident arises in (drawn only then)."""
        return "dispatch:area"
