"""``python -m contactsim`` and the ``contactsim`` command both start here.

Ctrl-C (SIGINT) and SIGTERM stop a run cleanly at any moment, even while the program is still
loading: exit code 130, earlier results untouched, no temporary folders left behind.
"""

from __future__ import annotations

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

        return main()
    except KeyboardInterrupt:
        sys.stderr.write(INTERRUPTED + "\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(entry())
