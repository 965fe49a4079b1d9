"""Worker processes for replications on this machine, stopped cleanly by Ctrl-C or SIGTERM.

``multiprocessing.Pool`` alone can hang for ever when interrupted. A terminal's Ctrl-C (or
``kill`` of the process group) reaches the workers too; a worker waiting for its next task
holds the task queue's lock, and a worker killed while holding it leaves that lock taken, so
``Pool.terminate()`` in the parent waits on it for ever (CPython's ``_help_stuff_finish``).
Orphaned workers then keep the command's output pipes open. So:

- the workers start with Ctrl-C and SIGTERM blocked (a signal cannot land while a worker is
  half set up), in a process group of their own (a signal to the command's group reaches only
  the parent, which stops them), with SIGINT ignored and SIGTERM ending them at once (the pool
  stops its workers with SIGTERM), and on Linux they die with the parent;
- stopping the pool is bounded: if ``terminate`` has not finished after ``STOP_WAIT_S``, the
  workers still alive are killed and the command carries on cleaning up and exits.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
from collections.abc import Iterator

#: Signals a worker must not see until it is set up (the parent handles them).
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
#: How long stopping the pool may take before its workers are killed outright.
STOP_WAIT_S = 10.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Linux only: the kernel kills this worker if the command dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _start_worker(parent: int) -> None:
    # Runs in the new worker, its stop signals still blocked from the parent's mask.
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


def _block() -> set[int | signal.Signals]:
    """Hold Ctrl-C and SIGTERM back in this thread; the mask it had, to restore."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        return set()
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def _restore(mask: set[int | signal.Signals]) -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _stop(pool: multiprocessing.pool.Pool) -> None:
    """Terminate the pool and wait for it, at most ``STOP_WAIT_S``, then kill what is left."""
    def terminate() -> None:
        pool.terminate()
        pool.join()

    stopper = threading.Thread(target=terminate, name="contactsim-pool-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_WAIT_S)
    if stopper.is_alive():  # a worker died holding a queue's lock: terminate cannot finish
        for process in list(getattr(pool, "_pool", ())):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of ``workers`` processes (forked where the platform can), stopped on leaving.

    Ctrl-C and SIGTERM stay blocked while the pool starts (its own threads keep them blocked,
    so workers it starts later are born the same way) and while it stops, then arrive as usual.
    """
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    mask = _block()
    try:
        pool = context.Pool(workers, initializer=_start_worker, initargs=(os.getpid(),))
    finally:
        _restore(mask)
    try:
        yield pool
        pool.close()
    finally:
        mask = _block()
        try:
            _stop(pool)
        finally:
            _restore(mask)
