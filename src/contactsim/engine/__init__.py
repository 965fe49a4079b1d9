"""The pure model: a validated scenario and a replication number in, records out.

``simulate(scenario, replication)`` runs one replication (see :mod:`contactsim.engine.room`).
"""

from contactsim.engine.abandon import MAX_TRIES
from contactsim.engine.entities import ModelOutput
from contactsim.engine.overload import MAX_WAITING
from contactsim.engine.room import ControlRoom, simulate

__all__ = ["MAX_TRIES", "MAX_WAITING", "ControlRoom", "ModelOutput", "simulate"]
