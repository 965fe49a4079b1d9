"""``python -m contactsim`` and the ``contactsim`` command both start here.

Ctrl-C (SIGINT) and SIGTERM stop a run cleanly at any moment, even while the program is still
loading: exit code 130, earlier results untouched, no temporary folders left behind.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
from types import FrameType

from .interrupts import EXIT_INTERRUPTED, INTERRUPTED, from_interrupt

_AGAIN_AFTER_S = 0.02


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up the way Ctrl-C does


def _interrupt_again(unraisable: sys.UnraisableHookArgs) -> None:
    """An interrupt that landed where Python cannot raise it is raised again, not lost.

    Ctrl-C can arrive while Python runs a clean-up callback (a weak reference's, during an
    import or a garbage collection). Python cannot raise it there: it prints "Exception ignored
    in ... KeyboardInterrupt" with a traceback and carries on, so the interrupt would be lost.
    Instead the main thread is interrupted again a moment later, once this hook has returned
    (raised here, it would be ignored the same way). A command that has finished by then has
    set SIGINT aside, and exits as it would have.
    """
    if unraisable.exc_type is None or not issubclass(unraisable.exc_type, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    try:
        again = threading.Timer(_AGAIN_AFTER_S, _thread.interrupt_main)
        again.daemon = True
        again.start()
    except RuntimeError:  # Python is shutting down: there is nothing left to interrupt
        pass


def entry() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = _interrupt_again
    try:
        from .cli import main  # each command loads what it needs: Ctrl-C is handled already

        code = main()
    except BaseException as exc:
        if not from_interrupt(exc):  # e.g. ImportError: Ctrl-C inside numpy's own import
            raise
        sys.stderr.write(INTERRUPTED + "\n")
        code = EXIT_INTERRUPTED
    # Finished: a late Ctrl-C must not turn a clean exit into a crash while Python shuts down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if code == EXIT_INTERRUPTED:
        # Everything is cleaned up already. Leave now: after an interrupted import, Python's
        # own shutdown can report the Ctrl-C again as death by SIGINT instead of exit code 130.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    return code


if __name__ == "__main__":
    sys.exit(entry())
