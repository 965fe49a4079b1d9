"""What an interrupt looks like once Python has dressed it up as something else.

Ctrl-C (or SIGTERM) is a KeyboardInterrupt, but not always by the time it reaches us: when it
lands inside a C extension's import (numpy importing ``datetime``) it comes out as an
ImportError *caused by* the interrupt, and a library may wrap it the same way in its own error.
Either way the planner pressed Ctrl-C: exit code 130, not "internal error".
Standard library only, so the command's start-up can use it before anything heavy loads.
"""

from __future__ import annotations

EXIT_INTERRUPTED = 130
INTERRUPTED = "\ninterrupted: earlier results were left as they were"


def from_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is an interrupt, or was raised because of one (its cause or context)."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False
