"""Progress on a terminal: how far a run, comparison or sweep has got and how long is left.

10,000 replications are a long wait in silence. On a terminal, ``run``, ``compare``, ``sweep``
and ``backtest`` draw one line per scenario that they redraw in place as replications finish::

    [2/3] RCRP: [##########..............] 25/60 replications, 0:41 gone, about 1:12 left

The estimate of what is left is the time per replication so far, over the whole job (every
scenario of a comparison or sweep), times the replications still to run. Nothing is drawn
when the stream is not a terminal (a pipe, a file, a test reading stderr) or the terminal is
"dumb", so piped output and logs stay clean; ``--quiet`` draws nothing at all.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO

#: Characters of the bar itself.
WIDTH = 24
#: Longest scenario name shown before the bar.
LABEL_CHARS = 40


def clock(seconds: float) -> str:
    """A duration as a planner reads a clock: 0:41, 12:05, 2:03:10."""
    s = max(0, round(seconds))
    hours, rest = divmod(s, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def is_terminal(stream: TextIO) -> bool:
    """Whether progress may be drawn on ``stream``: a terminal that is not "dumb"."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False
    return tty and os.environ.get("TERM") != "dumb"


class JobProgress:
    """The progress of a whole job: ``total`` replications over ``stages`` scenarios (with
    ``total`` None, one scenario whose count the first callback tells).

    ``stage(label)`` gives the callback for the next scenario (``progress(done, total)``, as
    :func:`contactsim.analysis.experiment.run_experiment` calls it); ``finish()`` ends the
    scenario's line. Silent (and free) unless ``stream`` is a terminal.
    """

    def __init__(self, stream: TextIO, total: int | None = None, stages: int = 1) -> None:
        self.stream = stream
        self.total = total
        self.stages = stages
        self.live = is_terminal(stream)
        self.start = time.monotonic()
        self.done_before = 0  # replications of the scenarios already finished
        self.stage_index = 0
        self.label = ""
        self.shown = False

    def stage(self, label: str) -> Callable[[int, int], None]:
        """The callback for the next scenario's replications."""
        self.finish()
        self.stage_index += 1
        self.label = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 3] + "..."
        return self.tick

    def line(self, done: int, of: int, elapsed: float) -> str:
        """The text drawn when ``done`` of this scenario's ``of`` replications are done."""
        filled = round(WIDTH * done / of) if of else WIDTH
        overall = self.done_before + done
        total = of if self.total is None else self.total
        left = elapsed / overall * (total - overall) if overall else 0.0
        where = f"[{self.stage_index}/{self.stages}] " if self.stages > 1 else ""
        estimate = f", about {clock(left)} left" if overall < total else ""
        return (f"{where}{self.label}: [{'#' * filled}{'.' * (WIDTH - filled)}] "
                f"{done}/{of} replications, {clock(elapsed)} gone{estimate}")

    def tick(self, done: int, of: int) -> None:
        if not self.live:
            return
        text = self.line(done, of, time.monotonic() - self.start)
        # Within the terminal's width: a line that wraps cannot be redrawn in place.
        text = text[:max(20, shutil.get_terminal_size().columns - 1)]
        self.stream.write(f"\r{text}\033[K")  # clear what a longer line left behind
        self.stream.flush()
        self.shown = True
        if done >= of:
            self.done_before += of

    def finish(self) -> None:
        """End the current scenario's line (it stays on the terminal)."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False
