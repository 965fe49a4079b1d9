"""Output safety: where and how results are written.

- ``--out`` as a symlink, for every command that writes a folder (and ``reference``, which
  writes a file): a link to results replaces the folder it points to and keeps the link; a
  dangling link, a loop, a link to a file or to a folder of other files is refused before
  anything is simulated, in one line naming the path, and nothing is left behind.
- Two runs writing the same folder at once swap one after the other (last one wins, whole).
- Results folders and files take the modes ``mkdir`` and ``open`` give (the umask), not 0700.

A results folder rerunning from its resolved scenario, data files and all, is test_datafile's.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, results_fill, results_tag, write
from contactsim import cli
from contactsim.analysis import staffing
from contactsim.jobs import run as run_jobs, staff as staff_jobs
from contactsim.results import place as output
from contactsim.results.write import OutputError, out_location, write_atomically


def litter(parent: Path) -> list[str]:
    """Hidden leftovers of a write (``.NAME.partial-*``, ``.NAME.old-*``, ``.NAME.lock``)."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def one_line_error(err: str, start: str) -> None:
    """One line on stderr, starting as given, and no traceback."""
    assert "Traceback" not in err, err
    assert err.count("\n") == 1, err
    assert err.startswith(start), err


def never(*args: object, **kwargs: object) -> None:
    raise AssertionError("simulated before the output place was checked")


@pytest.fixture
def no_simulating(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any simulation fails the test: output checks must come first."""
    monkeypatch.setattr(run_jobs, "run_experiment", never)
    monkeypatch.setattr(run_jobs, "run_experiments", never)
    monkeypatch.setattr(staffing, "plan", never)


QUICK = ("--days", "0.5", "--replications", "1", "--workers", "1", "--quiet", "--no-report")


def command(name: str, folder: Path, out: Path) -> list[str]:
    """The command line of each command that writes a results folder, writing ``out``."""
    m = write(folder, "m.toml", MINIMAL)
    if name == "run":
        return ["run", str(m), "--out", str(out), *QUICK]
    if name == "compare":
        n = write(folder, "n.toml", MINIMAL.replace("staff = 2", "staff = 3"))
        return ["compare", str(m), str(n), "--out", str(out), *QUICK]
    if name == "sweep":
        return ["sweep", str(m), "--vary", "pools.handlers.scale=1,1.5", "--out", str(out),
                *QUICK]
    assert name == "staff"
    return ["staff", str(m), "--channel", "999", "--out", str(out), "--quiet", "--no-report"]


COMMANDS = ("run", "compare", "sweep", "staff")


def _links(base: Path) -> dict[str, tuple[Path, str]]:
    """Each bad --out: the path and the words its error must hold."""
    (base / "docs").mkdir()
    (base / "docs" / "board-paper.docx").write_text("precious", encoding="utf-8")
    (base / "notes.txt").write_text("keep", encoding="utf-8")
    links = {"dangling": ("dangling", "gone"), "loop-a": ("loop-a", "loop-b"),
             "loop-b": ("loop-b", "loop-a"), "to-file": ("to-file", "notes.txt"),
             "to-docs": ("to-docs", "docs"), "self": ("self", "self")}
    for name, target in links.values():
        (base / name).symlink_to(target)
    return {
        "dangling": (base / "dangling", "it is a symlink to 'gone', which does not exist"),
        "loop": (base / "loop-a", "it is a symlink loop"),
        "self-loop": (base / "self", "it is a symlink loop"),
        "to a file": (base / "to-file", "it is a symlink to a file"),
        "to other files": (base / "to-docs", "holds files that are not contactsim results"),
        "under a dangling link": (base / "dangling" / "run",
                                  f"{base / 'dangling'} is a symlink to 'gone'"),
        "under a loop": (base / "loop-a" / "run", f"{base / 'loop-a'} is a symlink loop"),
    }


def _state(base: Path) -> dict[str, str]:
    """Every entry of ``base`` (links by where they point, files by their text)."""
    out = {}
    for p in sorted(base.rglob("*")) if base.exists() else []:
        if p.is_symlink():
            out[str(p)] = "-> " + os.readlink(p)
        elif p.is_file():
            out[str(p)] = p.read_text(encoding="utf-8")
    return out


LINK_CASES = ("dangling", "loop", "self-loop", "to a file", "to other files",
              "under a dangling link", "under a loop")


@pytest.mark.parametrize("name", COMMANDS)
def test_bad_symlinks_as_out_are_refused_before_simulating(
        tmp_path: Path, name: str, no_simulating: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "place"
    base.mkdir()
    cases = _links(base)
    scenarios = tmp_path / "scenarios"
    for case in LINK_CASES:
        out, words = cases[case]
        before = _state(base)
        capsys.readouterr()
        code = cli.main(command(name, scenarios, out))
        err = capsys.readouterr().err
        assert code == 2, (case, err)
        one_line_error(err, f"error: {out}: cannot write results: ")
        assert words in err, (case, err)
        assert _state(base) == before, case  # links, files and documents as they were
        assert litter(base) == [], case
        assert not (base / "gone").exists()


@pytest.mark.parametrize("name", COMMANDS)
def test_an_output_link_to_earlier_results_replaces_them_and_keeps_the_link(
        tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "place"
    real = base / "runs" / "latest"
    assert cli.main(command("run", tmp_path, real)) == 0
    link = base / "latest"
    link.symlink_to(Path("runs") / "latest")
    if name == "staff":  # the search takes minutes; its folder is written the same way
        monkeypatch.setattr(staffing, "plan", lambda *a, **k: None)
        monkeypatch.setattr(staff_jobs, "save_staffing", lambda result, final, folder, plot: (
            folder / "staffing.json").write_text("{}", encoding="utf-8"))
    assert cli.main(command(name, tmp_path, link)) == 0
    assert os.readlink(link) == str(Path("runs") / "latest")
    marker = {"run": "summary.json", "compare": "compare.json", "sweep": "sweep.json",
              "staff": "staffing.json"}[name]
    assert (real / marker).is_file()
    assert litter(base) == []
    assert litter(real.parent) == []
    assert sorted(p.name for p in base.iterdir()) == ["latest", "runs"]


def test_out_location_follows_a_link_to_a_folder(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    (tmp_path / "chain").symlink_to("link")
    assert out_location(tmp_path / "link") == (tmp_path / "real").resolve()
    assert out_location(tmp_path / "chain") == (tmp_path / "real").resolve()
    assert out_location(tmp_path / "link" / "sub") == tmp_path / "link" / "sub"
    assert out_location(tmp_path / "new") == tmp_path / "new"


def test_plot_through_a_link_redraws_the_folder_behind_it(tmp_path: Path) -> None:
    real = tmp_path / "runs" / "latest"
    assert cli.main([*command("run", tmp_path, real), "--no-report"]) == 0  # plot draws it
    link = tmp_path / "latest"
    link.symlink_to(real)
    assert cli.main(["plot", str(link)]) == 0
    assert link.is_symlink()
    assert (real / "report.html").is_file()
    assert litter(tmp_path) == []
    assert litter(real.parent) == []


@pytest.mark.parametrize("case", ["dangling", "loop"])
def test_plot_of_a_bad_link_is_bad_input(tmp_path: Path, case: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cases = _links(tmp_path)
    out, _ = cases[case]
    code = cli.main(["plot", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    one_line_error(err, f"error: {out}")
    assert litter(tmp_path) == []


def test_reference_through_a_link_writes_the_file_behind_it(tmp_path: Path) -> None:
    (tmp_path / "ref.md").write_text("# Scenario file reference\nold", encoding="utf-8")
    (tmp_path / "link.md").symlink_to("ref.md")
    assert cli.main(["reference", "--out", str(tmp_path / "link.md")]) == 0
    assert os.readlink(tmp_path / "link.md") == "ref.md"
    assert (tmp_path / "ref.md").read_text(encoding="utf-8").startswith("# Scenario")
    assert litter(tmp_path) == []


@pytest.mark.parametrize("case", ["dangling", "loop", "self-loop", "to other files",
                                  "under a dangling link", "under a loop"])
def test_reference_to_a_bad_link_is_bad_input(tmp_path: Path, case: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cases = _links(tmp_path)
    out, _ = cases[case]
    before = _state(tmp_path)
    code = cli.main(["reference", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    one_line_error(err, f"error: {out}: (file): cannot write: ")
    words = {"to other files": "it is a folder"}.get(case, "symlink")
    assert words in err, err
    assert _state(tmp_path) == before
    assert litter(tmp_path) == []


# --- two runs writing the same folder at once --------------------------------------------------

#: Runs contactsim with every rename slowed by 0.3 s, so the swaps of runs started together
#: overlap (unguarded, one run renames the folder away while another renames its own in).
SLOW_SWAP = """\
import os, sys, time
real_replace = os.replace
def replace(src, dst):
    real_replace(src, dst)
    time.sleep(0.3)
os.replace = replace
from contactsim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _whole(folder: Path) -> int:
    """The seed of the one run whose results ``folder`` holds, checked to be that run's alone:
    its summary, its resolved scenario and its replications table agree."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    seed = summary["seed"]
    assert f"seed = {seed}\n" in (folder / "scenario.toml").read_text(encoding="utf-8")
    rows = (folder / "replications.csv").read_text(encoding="utf-8").splitlines()
    header, (row,) = rows[0].split(","), rows[1:]  # one replication
    offered = float(row.split(",")[header.index("offered")])
    assert summary["channels"]["999"]["offered"]["mean"] == offered
    return int(seed)


@pytest.mark.slow
def test_runs_writing_the_same_folder_at_once_swap_in_turn(tmp_path: Path) -> None:
    """Five trials of three runs started together (different seeds) into one --out, their
    swaps widened to overlap: every run exits 0, the folder is whole and one run's (the one
    that swapped last), and nothing is left beside it. Unguarded, most trials fail with
    "Directory not empty" and leave .out.old-* folders."""
    scenario = write(tmp_path, "m.toml", MINIMAL)
    driver = write(tmp_path, "slow_swap.py", SLOW_SWAP)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    winners = []
    for trial in range(5):
        seeds = [10 * trial + k for k in (1, 2, 3)]
        procs = [subprocess.Popen(
            [sys.executable, str(driver), "run", str(scenario), "--out", str(out), "--days",
             "1", "--replications", "1", "--workers", "1", "--no-report", "--quiet",
             "--seed", str(seed)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env) for seed in seeds]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        winners.append(_whole(out))
        assert winners[-1] in seeds
        assert litter(tmp_path) == []
    assert len(winners) == 5


class SecondWriter:
    """os.replace that, at the first rename of a swap, starts a second writer of ``target`` in
    a thread and notes whether it is kept waiting (its try for the swap lock refused) while
    this swap goes on. Events, not a clock: this swap goes on once the second writer has been
    refused the lock, or has finished (swapped, not kept waiting)."""

    def __init__(self, target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.target = target
        self.real_replace = os.replace
        self.thread: threading.Thread | None = None
        self.refused = threading.Event()
        self.waited = False
        real_flock = fcntl.flock

        def flock(fd: int, operation: int) -> None:
            try:
                real_flock(fd, operation)
            except BlockingIOError:
                if threading.current_thread() is self.thread:
                    self.refused.set()
                raise

        monkeypatch.setattr(output.fcntl, "flock", flock)

    def __call__(self, src: str, dst: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=write_atomically,
                                           args=(self.target, results_fill("second")))
            self.thread.start()
            while self.thread.is_alive() and not self.refused.wait(0.01):
                pass
            self.waited = self.refused.is_set() and self.thread.is_alive()
        self.real_replace(src, dst)


def test_a_second_writer_waits_for_the_swap_in_hand(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out"
    write_atomically(target, results_fill("old"))
    second = SecondWriter(target, monkeypatch)
    monkeypatch.setattr(output.os, "replace", second)
    write_atomically(target, results_fill("first"))
    assert second.thread is not None
    second.thread.join(timeout=30)
    assert second.waited
    assert results_tag(target) == "second"  # swapped last
    assert litter(tmp_path) == []


def test_a_writer_kept_waiting_too_long_gives_up_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        no_simulating: None) -> None:
    target = tmp_path / "out"
    write_atomically(target, results_fill("old"))
    monkeypatch.setattr(output, "LOCK_WAIT_S", 0.3)
    fd = os.open(tmp_path / ".out.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another run, in the middle of its swap
        with pytest.raises(OutputError, match="another contactsim run is writing this folder"):
            write_atomically(target, results_fill("new"))
    finally:
        os.close(fd)
    assert results_tag(target) == "old"
    assert litter(tmp_path) == [".out.lock"]  # the other run's, which it removes when done


# --- modes: colleagues can open results -----------------------------------------------------

@pytest.mark.parametrize(("mask", "folder_mode", "file_mode"), [
    (0o022, 0o755, 0o644),
    # A second umask draws every plot again for the same code path: the full suite's.
    pytest.param(0o027, 0o750, 0o640, marks=pytest.mark.slow),
])
def test_results_folders_take_the_umask_like_mkdir(tmp_path: Path, mask: int, folder_mode: int,
                                                   file_mode: int) -> None:
    before = os.umask(mask)
    try:
        out = tmp_path / "results" / "run"
        # The tables only (the modes checked are those plot leaves), then plot rewrites the
        # folder in place, a new folder again, and draws its plots and report.
        assert cli.main([*command("run", tmp_path, out), "--no-report"]) == 0
        assert cli.main(["plot", str(out)]) == 0
    finally:
        os.umask(before)
    assert out.stat().st_mode & 0o777 == folder_mode
    assert (out / "plots").stat().st_mode & 0o777 == folder_mode
    for name in ("summary.json", "scenario.toml", "hourly.csv", "report.html"):
        assert (out / name).stat().st_mode & 0o777 == file_mode, name
    assert litter(out.parent) == []
