"""``python -m contactsim`` and the ``contactsim`` command both start here.

Ctrl-C (SIGINT) and SIGTERM stop a run cleanly at any moment, even while the program is still
loading: exit code 130, earlier results untouched, no temporary folders left behind.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130
INTERRUPTED = "\ninterrupted: earlier results were left as they were"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up the way Ctrl-C does


def entry() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from .cli import main  # numpy, scipy and simpy load here: Ctrl-C is handled already

        code = main()
    except KeyboardInterrupt:
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
