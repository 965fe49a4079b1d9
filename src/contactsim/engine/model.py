"""Where the control room used to live, kept only for ``present/reference.py``.

The model is now split by behaviour: see :mod:`contactsim.engine.room` and the modules it names.
``present/reference.py`` still imports the two limits from here; once it imports them from
:mod:`contactsim.engine`, delete this module.
"""

from contactsim.engine.abandon import MAX_TRIES
from contactsim.engine.overload import MAX_WAITING

__all__ = ["MAX_TRIES", "MAX_WAITING"]
