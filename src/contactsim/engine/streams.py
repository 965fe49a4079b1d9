"""Named random streams: one generator per stochastic element, per replication.

Every stochastic element of the model (arrivals on channel 999, handle times of crime calls on
101, patience on 101, absence in the handlers pool...) draws from its own
:class:`numpy.random.Generator`, seeded from ``(seed, replication, a stable hash of its name)``.
Two scenarios that differ only in staffing therefore see exactly the same callers (common random
numbers), and a replication's results do not depend on which process runs it or when.
"""

from __future__ import annotations

import hashlib

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
