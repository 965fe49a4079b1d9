"""Officers: the officer hours the room's contacts commit, by channel.

A contact of a category that needs an officer (drawn with the demand: ``Contact.deploy``,
measured contacts only) commits that category's officer hours once the police deal with it: when
it is answered, unless a triage diversion is still to act on it; when its triage handover fails;
or when the room rings back a caller who hung up. A contact diverted to a partner needs none.
With ``[officers]`` the room holds a :class:`~contactsim.engine.dispatch.Dispatch` instead,
which keeps the same hours and sends officers to the incidents (DESIGN §12).
"""

from __future__ import annotations

from contactsim.config.spec import Scenario
from contactsim.engine.entities import Contact


class Officers:
    """Officer hours committed so far, by channel (``hours``)."""

    __slots__ = ("hours", "per_category")

    def __init__(self, scenario: Scenario) -> None:
        self.per_category = [c.officer_hours for c in scenario.categories.values()]
        # A plain list: updating a numpy element from Python is several times slower.
        self.hours = [0.0] * len(scenario.channels)

    def deploy(self, c: Contact) -> None:
        """The police deal with ``c``: it commits its officer hours, if it needs an officer."""
        if c.deploy:
            self.hours[c.ch] += self.per_category[c.cat]
