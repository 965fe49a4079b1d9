"""What became of a contact, and how it came: the codes shared by the engine's records and by
contact logs read from a force's telephony export (so one set of measures serves both)."""

from __future__ import annotations

# Outcomes of a contact.
ANSWERED = 1
ABANDONED = 2
DIVERTED = 3  # taken away before the queue by a pre-queue diversion: never offered
CENSORED = 4  # still waiting when the run had to stop (overload), or, in a log, still in
#               progress (neither answered nor abandoned): counted, never guessed

# Origins of a contact.
NORMAL = 0
SURGE = 1
REDIAL = 2  # a caller who abandoned calling the same channel again
SWITCH = 3  # a caller who abandoned one channel and came in on another
