"""Interruption and faults: Ctrl-C, SIGTERM, unwritable or full output locations.

Real subprocesses and real signals: a planner who presses Ctrl-C part-way through a long run
must get exit code 130, the results folder they had before, and no temporary folders.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, results_fill, results_tag, run_cli, write
from contactsim import cli
from contactsim.analysis import pool
from contactsim.interrupts import from_interrupt
from contactsim.jobs import run as run_jobs
from contactsim.results import place as output
from contactsim.results.write import OutputError, write_atomically


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def ready(proc: subprocess.Popen[str]) -> None:
    """Wait until the command handles Ctrl-C and SIGTERM (or has set them aside, finished).

    A signal that lands before Python has started kills the process as any program dies of a
    signal: that is no fault of contactsim, and on a busy machine it can take far longer than a
    test's chosen delay for Python to start. So a test's delay counts from this moment, read from
    the kernel's record of the signals the process catches (Linux; elsewhere it returns at once).
    """
    mask = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except OSError:
            return
        if "SigCgt" not in fields:
            return
        caught, ignored = int(fields["SigCgt"], 16), int(fields["SigIgn"], 16)
        if caught & mask == mask or ignored & mask == mask:
            return
        time.sleep(0.002)


def leftovers(parent: Path) -> list[str]:
    """Temporary folders a write would leave behind if it did not clean up."""
    return [p.name for p in parent.iterdir() if p.name.startswith(".")]


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A results folder from an earlier run, and its contents."""
    out = tmp_path / "results" / "baseline"
    done = run_cli("run", write(tmp_path, "m.toml", MINIMAL), "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    return out, snapshot(out)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_signal_during_a_run_exits_130_and_keeps_earlier_results(
        previous: tuple[Path, dict[str, bytes]], sig: int, workers: str) -> None:
    out, before = previous
    # 200 years of the baseline (about 700 CPU-s here): far longer than the moment we let it
    # run on any machine; interrupted after 3 s, it costs no more than a short run.
    proc = subprocess.Popen(
        [sys.executable, "-m", "contactsim", "run", str(ROOT / "scenarios" / "baseline.toml"),
         "--out", str(out), "--days", "365", "--replications", "200", "--workers", workers],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready(proc)
    time.sleep(3)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: earlier results were left as they were" in err
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert leftovers(out.parent) == []


@pytest.mark.slow
@pytest.mark.parametrize("delay_s", [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4])
def test_ctrl_c_while_loading_exits_130_without_traceback(tmp_path: Path,
                                                          delay_s: float) -> None:
    # Early on the command is still importing numpy, scipy and simpy; a little later it is
    # reading the scenario, or already done. Whenever Ctrl-C lands: 130 (or 0 if it had
    # finished), never a traceback or death by signal.
    proc = subprocess.Popen([sys.executable, "-m", "contactsim", "validate",
                             str(write(tmp_path, "m.toml", MINIMAL))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready(proc)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_ctrl_c_at_random_moments_of_a_run_always_exits_130(
        previous: tuple[Path, dict[str, bytes]]) -> None:
    # Seeded, so a failure can be replayed: each trial a random signal at a random moment of
    # the first 2.5 s (loading, planning, the workers starting, simulating). 200 years of the
    # baseline, so no machine finishes before the signal.
    out, before = previous
    rng = random.Random(20261202)
    for trial in range(16):
        sig = rng.choice([signal.SIGINT, signal.SIGTERM])
        delay_s = rng.uniform(0.0, 2.5)
        workers = rng.choice(["1", "2"])
        # A terminal's Ctrl-C signals the whole process group (the workers too); kill(1)
        # signals the command alone.
        group = rng.random() < 0.5
        proc = subprocess.Popen(
            [sys.executable, "-m", "contactsim", "run", str(ROOT / "scenarios" / "baseline.toml"),
             "--out", str(out), "--days", "365", "--replications", "200", "--workers", workers],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        ready(proc)
        time.sleep(delay_s)
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        where = (f"trial {trial}: {signal.Signals(sig).name} to the "
                 f"{'process group' if group else 'command'} after {delay_s:.2f} s, "
                 f"{workers} workers")
        assert proc.returncode == 130, f"{where}\n{err}"
        assert "Traceback" not in err, f"{where}\n{err}"
        assert "Exception ignored" not in err, f"{where}\n{err}"
        assert snapshot(out) == before, where
        assert leftovers(out.parent) == [], where


@pytest.mark.slow
def test_ctrl_c_at_random_moments_of_plotting_exits_130_and_keeps_the_report(
        previous: tuple[Path, dict[str, bytes]]) -> None:
    # `plot` only draws: matplotlib is busy for the whole command. Seeded random moments.
    out, before = previous
    rng = random.Random(20261203)
    for trial in range(10):
        delay_s = rng.uniform(0.2, 2.5)
        proc = subprocess.Popen([sys.executable, "-m", "contactsim", "plot", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready(proc)
        time.sleep(delay_s)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        where = f"trial {trial}: SIGINT after {delay_s:.2f} s"
        assert proc.returncode in (0, 130), f"{where}\n{err}"
        assert "Traceback" not in err, f"{where}\n{err}"
        assert "Exception ignored" not in err, f"{where}\n{err}"
        if proc.returncode == 130:
            assert snapshot(out) == before, where
        else:  # finished first: the same folder, redrawn
            assert sorted(snapshot(out)) == sorted(before), where
        assert leftovers(out.parent) == [], where


def _worker_state(_: int) -> tuple[int, bool]:
    return os.getpgrp(), signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_workers_live_in_their_own_process_group_and_leave_ctrl_c_to_the_command() -> None:
    # A terminal's Ctrl-C signals the command's process group; the workers are not in it, so
    # none can die holding the task queue's lock (which once hung a CI run for ever).
    # Python's own Ctrl-C handler, as a command started from a terminal has (pytest started in
    # the background inherits SIGINT ignored).
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pool.worker_pool(2) as workers:
            seen = set(workers.map(_worker_state, range(8)))
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # kept
    finally:
        signal.signal(signal.SIGINT, before)
    assert all(group != os.getpgrp() for group, _ in seen)
    assert all(ignores for _, ignores in seen)


def _busy(ready: str) -> None:
    """A task that says it has started (creates ``ready``), then keeps its worker busy."""
    Path(ready).touch()
    time.sleep(120)


def test_a_pool_whose_worker_died_holding_the_queue_lock_still_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An idle worker holds the task queue's lock while it waits; killed then, it leaves the
    # lock taken and multiprocessing's Pool.terminate() waits for it for ever. worker_pool
    # gives up after STOP_WAIT_S and kills what is left: leaving the block at all is the check
    # (it once hung), then every worker, the first two and any the pool started in their
    # place, is gone. No clock: the busy worker says when it has its task.
    monkeypatch.setattr(pool, "STOP_WAIT_S", 1.0)
    ready = tmp_path / "busy"
    with pool.worker_pool(2) as workers:
        workers.apply_async(_busy, (str(ready),))  # one worker busy, the other waiting
        while not ready.exists():
            time.sleep(0.01)  # polling for the event, however long it takes
        processes = list(workers._pool)  # type: ignore[attr-defined]
        for process in processes:
            os.kill(process.pid, signal.SIGKILL)
    for process in [*processes, *workers._pool]:  # type: ignore[attr-defined]
        process.join()
        assert not process.is_alive()


def _wrapped(error: Exception, *, cause: bool) -> None:
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as ctrl_c:
        if cause:
            raise error from ctrl_c
        raise error from None


def test_an_error_caused_by_an_interrupt_counts_as_the_interrupt() -> None:
    # numpy's import turns a Ctrl-C inside it into "ImportError: PyCapsule_Import could not
    # import module 'datetime'", raised from the KeyboardInterrupt.
    with pytest.raises(ImportError) as wrapped:
        _wrapped(ImportError("PyCapsule_Import could not import module"), cause=True)
    assert from_interrupt(wrapped.value)
    with pytest.raises(ValueError, match="while handling") as context_only:
        _wrapped(ValueError("while handling it"), cause=False)
    assert from_interrupt(context_only.value)  # __context__ still holds the interrupt
    assert from_interrupt(KeyboardInterrupt())
    assert not from_interrupt(ImportError("No module named 'numpy'"))


def test_an_interrupt_python_could_not_raise_is_raised_again() -> None:
    # Ctrl-C inside a weak reference's callback: Python cannot raise it there and would print
    # "Exception ignored ... KeyboardInterrupt" and carry on. The command's hook raises it again
    # once ordinary code runs.
    # The child spins until the interrupt comes back (however long that takes): if it were
    # lost, the spin would never end and the generous timeout, a guard against a hang and not
    # a measure of speed, fails the test. SIGINT gets Python's own handler, as under a
    # terminal (a child of a background job inherits it ignored, and then no Ctrl-C arrives).
    script = """
import signal, sys, weakref
signal.signal(signal.SIGINT, signal.default_int_handler)
from contactsim.__main__ import _interrupt_again
sys.unraisablehook = _interrupt_again
class Thing: pass
def callback(ref): raise KeyboardInterrupt
thing = Thing()
ref = weakref.ref(thing, callback)
try:
    del thing
    print("still running")
    while True:
        pass
except KeyboardInterrupt:
    print("raised again")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600)
    assert done.stdout.split() == ["still", "running", "raised", "again"], done.stderr
    assert done.stderr == ""


# --- the atomic swap, in process --------------------------------------------------------------



def test_a_failed_fill_leaves_the_old_folder_and_no_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_atomically(target, results_fill("old"))

    def broken(folder: Path) -> None:
        (folder / "summary.json").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, broken)
    assert results_tag(target) == "old"
    assert leftovers(tmp_path) == []


def test_a_signal_during_the_swap_waits_until_it_is_done(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out"
    write_atomically(target, results_fill("old"))
    real_replace = os.replace

    def replace_with_ctrl_c(src: str, dst: str) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives between the two renames
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", replace_with_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, results_fill("new"))
    # The interruption was held back until the new folder was in place and the old one gone.
    assert results_tag(target) == "new"
    assert leftovers(tmp_path) == []


def test_a_failure_between_the_renames_puts_the_old_folder_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out"
    write_atomically(target, results_fill("old"))
    real_replace = os.replace
    calls = []

    def second_fails(src: str, dst: str) -> None:
        calls.append(src)
        if len(calls) == 2:  # the new folder into place
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", second_fails)
    with pytest.raises(OutputError, match="cannot write results: Input/output error"):
        write_atomically(target, results_fill("new"))
    monkeypatch.setattr(output.os, "replace", real_replace)
    assert results_tag(target) == "old"
    assert leftovers(tmp_path) == []


# --- unwritable and full output locations ------------------------------------------------------

def test_output_under_a_file_is_refused_before_simulating(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    blocker = write(tmp_path, "not-a-folder", "x")
    simulated: list[object] = []  # refused up front, not after a year's simulation: counted

    def simulate(*args: object, **kwargs: object) -> None:
        simulated.append(args)
        raise AssertionError("simulated before refusing the output location")

    monkeypatch.setattr(run_jobs, "run_experiment", simulate)
    monkeypatch.setattr(run_jobs, "run_experiments", simulate)
    code = cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--out",
                     str(blocker / "out"), "--days", "365"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"error: {blocker / 'out'}: cannot write results" in err
    assert "Traceback" not in err
    assert simulated == []
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.slow
def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = write(tmp_path, "results.txt", "keep me")
    done = run_cli("run", write(tmp_path, "m.toml", MINIMAL), "--out", target)
    assert done.returncode == 2
    assert "cannot write results" in done.stderr
    assert "not a folder" in done.stderr
    assert target.read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
def test_a_full_disk_loses_nothing(previous: tuple[Path, dict[str, bytes]],
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out, before = previous

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "hourly.csv"))

    monkeypatch.setattr(run_jobs, "write_tables", full)
    code = cli.main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(out),
                     "--days", "1",
                     "--replications", "1", "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {out}: cannot write results: No space left on device")
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert leftovers(out.parent) == []


@pytest.mark.slow
@pytest.mark.parametrize("where", ["other-files", "current", "parent-of-current"])
def test_a_folder_that_is_not_results_is_never_replaced(tmp_path: Path, where: str) -> None:
    # Results replace the whole --out folder: a planner's documents, or the folder they are
    # in, must be refused, not deleted.
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "board-paper.docx").write_text("precious", encoding="utf-8")
    out = {"other-files": "docs", "current": ".", "parent-of-current": ".."}[where]
    done = run_cli("run", write(tmp_path, "m.toml", MINIMAL), "--out", out, "--quiet", cwd=work)
    assert done.returncode == 2, done.stderr
    assert "cannot write results" in done.stderr
    assert "Traceback" not in done.stderr
    assert (work / "docs" / "board-paper.docx").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in work.iterdir()) == ["docs"]


@pytest.mark.slow
def test_an_empty_folder_or_earlier_results_are_replaced(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    file = write(tmp_path, "m.toml", MINIMAL)
    for _ in range(2):  # the second time, the folder holds the first run's results
        done = run_cli("run", file, "--out", empty, "--quiet", "--no-report")
        assert done.returncode == 0, done.stderr
        assert (empty / "summary.json").is_file()
