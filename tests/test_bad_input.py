"""Bad input through the real command line: a typo must cost a clear message, never a traceback.

A planner who mistypes a scenario file or a command line must get exit code 2 and one line per
problem, ``error: FILE: KEY.PATH: what is wrong``, naming the file that holds the bad key (the
parent, for a key inherited through ``extends``), with every problem of a file reported in one
pass, no traceback, and nothing written where the results would have gone.

The scenario corpus lives in ``tests/bad_scenarios/``: one malformed scenario per file, each
opening with the errors it must give, as ``# expect: KEY.PATH: words that must appear`` (``...``
between fragments that must appear in that order), or ``# expect in OTHER.toml: KEY.PATH: ...``
when the problem is reported against a file it extends. A file
that cannot carry a comment (an empty or UTF-16 file) has its lines in ``NAME.toml.expect``.
Files whose names start with ``_`` are parents used by the ``extends`` cases, and ``data/``
holds their empirical CSV files. A file must give exactly as many error lines as it has
``# expect`` lines, so no problem goes unreported and no noise slips in.

A subprocess costs about half a CPU-second (a fresh interpreter importing the package), so the
real command line (``python -m contactsim``) is started twice: the whole corpus through
``validate`` and through ``run``, one subprocess each, their stderr split by file. The sample of
single files and the bad command lines go through the same ``cli.main`` that
``python -m contactsim`` calls, in this process, with its stdout, stderr, exit code (argparse's
``SystemExit`` included) and working folder captured as a subprocess would give them, and an
uncaught exception turned into the traceback and exit code 1 Python would give: what the
subprocess would add is the interpreter's start, which the two batches check.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from conftest import MINIMAL
from contactsim import cli as contactsim_cli

CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
EXPECT = re.compile(r"^# expect(?: in (?P<file>\S+))?: (?P<key>.+?): (?P<words>.+)$")
#: Stand-ins in the command lines below, filled in with real paths at run time.
GOOD, OUT, MISSING, FOLDER = "{good}", "{out}", "{missing}", "{folder}"


@dataclass(frozen=True)
class Expect:
    file: str  # the file the error line must name
    key: str
    words: str

    def matches(self, line: str) -> bool:
        """The line names this file and key, and holds the words (``...`` between parts
        that must appear in this order)."""
        prefix = f"error: {self.file}: {self.key}: "
        if not line.startswith(prefix):
            return False
        at = len(prefix)
        for part in self.words.split(" ... "):
            at = line.find(part, at)
            if at < 0:
                return False
            at += len(part)
        return True


@dataclass(frozen=True)
class Case:
    path: Path
    expects: tuple[Expect, ...]

    @property
    def name(self) -> str:
        return self.path.relative_to(CORPUS).as_posix()

    @property
    def files(self) -> set[str]:
        """Every file this case's error lines may name."""
        return {e.file for e in self.expects} | {str(self.path)}


def _expect_lines(path: Path) -> list[str]:
    sidecar = path.with_name(path.name + ".expect")
    raw = sidecar.read_bytes() if sidecar.exists() else path.read_bytes()
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return [line for line in text.splitlines() if line.startswith("# expect")]


def load_case(path: Path) -> Case:
    expects = []
    for line in _expect_lines(path):
        m = EXPECT.match(line)
        assert m, f"{path.name}: malformed expectation {line!r}"
        target = os.path.normpath(path.parent / m["file"]) if m["file"] else str(path)
        expects.append(Expect(target, m["key"], m["words"]))
    assert expects, f"{path.name} says nothing about the error it must give"
    return Case(path, tuple(expects))


def corpus() -> list[Case]:
    files = sorted(p for p in CORPUS.rglob("*.toml") if not p.name.startswith("_"))
    return [load_case(p) for p in files]


CASES = corpus()


# --- running the command line ---------------------------------------------------------------


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contactsim", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, check=False)


def cli_in_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``contactsim ARGS`` through ``cli.main`` in this process, run in ``cwd``: what a
    subprocess would give (an exit message and code from argparse, a traceback and exit code 1
    from an exception nobody caught)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = contactsim_cli.main(list(args))
        except SystemExit as exc:
            if isinstance(exc.code, str):
                err.write(exc.code + "\n")
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except Exception:
            traceback.print_exc(file=err)
            code = 1
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def split_by_case(stderr: str) -> tuple[dict[str, list[str]], list[str]]:
    """Error lines grouped by the corpus case whose files they name, and lines nobody owns."""
    owner = {f: case.name for case in CASES for f in case.files}
    by_case: dict[str, list[str]] = {case.name: [] for case in CASES}
    orphans = []
    for line in stderr.splitlines():
        # Longest file first, so "a.toml" does not claim the lines of "dir/a.toml".
        file = next((f for f in sorted(owner, key=len, reverse=True)
                     if line.startswith(f"error: {f}: ")), None)
        if file is None:
            orphans.append(line)
        else:
            by_case[owner[file]].append(line)
    return by_case, orphans


#: Single files also run through ``run`` on their own (the batch could hide a per-file path).
SAMPLE = ("syntax_unclosed_table.toml", "empty.toml", "not_utf8.toml", "several_problems.toml",
          "extends_cycle.toml", "extends_child_and_parent_bad.toml",
          "empirical_file_non_numeric.toml", "absurd_million_days.toml")


@dataclass(frozen=True)
class Runs:
    """Every subprocess of this module, run at once: the corpus batches, the sample, the
    command lines, and where each one was told to write."""

    validate: subprocess.CompletedProcess[str]
    run: subprocess.CompletedProcess[str]
    sample: dict[str, subprocess.CompletedProcess[str]]
    command_lines: dict[int, subprocess.CompletedProcess[str]]
    root: Path
    good: Path

    @cached_property
    def batch_lines(self) -> list[dict[str, list[str]]]:
        """Each batch's error lines, by corpus case."""
        return [split_by_case(done.stderr)[0] for done in (self.validate, self.run)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("bad-input")
    good = root / "good.toml"
    good.write_text(MINIMAL, encoding="utf-8")
    (root / "folder.toml").mkdir()
    paths = [str(c.path) for c in CASES]
    batches: dict[str, tuple[str, ...]] = {
        "validate": ("validate", *paths),
        "run": ("run", *paths, "--out", str(root / "out-batch"), "--workers", "1"),
    }
    jobs: dict[str, tuple[str, ...]] = {}
    for name in SAMPLE:
        jobs[f"sample:{name}"] = ("run", str(CORPUS / name), "--out", str(root / f"out-{name}"))
    for i, (args, _) in enumerate(COMMAND_LINES):
        jobs[f"cl:{i}"] = tuple(_fill(a, root, good, i) for a in args)
    # The two subprocesses run while this process works through the rest.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(cli, *args, cwd=root) for k, args in batches.items()}
        done = {k: cli_in_process(*args, cwd=root) for k, args in jobs.items()}
        done.update({k: f.result() for k, f in futures.items()})
    return Runs(done["validate"], done["run"],
                {n: done[f"sample:{n}"] for n in SAMPLE},
                {i: done[f"cl:{i}"] for i in range(len(COMMAND_LINES))}, root, good)


def _fill(arg: str, root: Path, good: Path, i: int) -> str:
    return (arg.replace(GOOD, str(good)).replace(OUT, str(root / f"out-cl{i}"))
            .replace(MISSING, str(root / "no-such-scenario.toml"))
            .replace(FOLDER, str(root / "folder.toml")))


# --- the corpus -----------------------------------------------------------------------------


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CASES) >= 60
    claimed = [f for case in CASES for f in case.files]
    assert len(claimed) == len(set(claimed)), "two cases claim the same file's error lines"
    helpers = set(CORPUS.rglob("_*.toml"))
    named = {Path(e.file) for case in CASES for e in case.expects}
    # valid links and parents, named by no error
    chained = {CORPUS / "extends" / "_middle.toml", CORPUS / "extends" / "_parent_mix.toml"}
    assert helpers - chained <= named, "a helper parent that no case uses"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_scenario_gives_its_errors(runs: Runs, case: Case) -> None:
    for by_case in runs.batch_lines:
        check_lines(case, by_case[case.name])


def check_lines(case: Case, lines: list[str]) -> None:
    missing = [e for e in case.expects if not any(e.matches(line) for line in lines)]
    assert not missing, f"expected {missing}\ngot {lines}"
    assert len(lines) == len(case.expects), f"one line per problem expected, got {lines}"
    for line in lines:
        assert "Traceback" not in line
        assert re.match(r"^error: [^:]+\.toml: [^:]+: \S", line), line


@pytest.mark.parametrize("command", ["validate", "run"])
def test_batches_exit_2_with_only_error_lines(runs: Runs, command: str) -> None:
    done = getattr(runs, command)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    _, orphans = split_by_case(done.stderr)
    assert orphans == []
    assert not (runs.root / "out-batch").exists()


@pytest.mark.parametrize("name", SAMPLE)
def test_single_files_run_alone(runs: Runs, name: str) -> None:
    done = runs.sample[name]
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    case = next(c for c in CASES if c.name == name)
    check_lines(case, done.stderr.splitlines())
    assert not (runs.root / f"out-{name}").exists()


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    from contactsim.config.loading import load_scenario

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_scenario(path).name == "minimal"


# --- command lines --------------------------------------------------------------------------

USAGE = "usage"
#: Each bad command line and what stderr must show: the usage hint, or error lines as
#: ``(file, key, words)`` with ``{good}`` and friends standing for real paths.
COMMAND_LINES: list[tuple[tuple[str, ...], str | list[tuple[str, str, str]]]] = [
    ((), USAGE),
    (("frobnicate", GOOD), USAGE),
    (("run",), USAGE),
    (("validate",), USAGE),
    (("run", GOOD, "--frobnicate"), USAGE),
    (("run", GOOD, "--out", OUT, "-x"), USAGE),
    (("run", GOOD, "--unknown-flag=3"), USAGE),
    (("run", GOOD, "--replications", "0"), USAGE),
    (("run", GOOD, "--replications", "-1"), USAGE),
    (("run", GOOD, "--replications", "abc"), USAGE),
    (("run", GOOD, "--replications", "1.5"), USAGE),
    (("run", GOOD, "--days", "0"), USAGE),
    (("run", GOOD, "--days", "-2"), USAGE),
    (("run", GOOD, "--days", "abc"), USAGE),
    (("run", GOOD, "--days", "1e9"), USAGE),
    (("run", GOOD, "--days", "nan"), USAGE),
    (("run", GOOD, "--days", "inf"), USAGE),
    (("run", GOOD, "--seed", "-1"), USAGE),
    (("run", GOOD, "--seed", "abc"), USAGE),
    (("run", GOOD, "--seed", str(2**64)), USAGE),
    (("run", GOOD, "--workers", "0"), USAGE),
    (("run", GOOD, "--workers", "-3"), USAGE),
    (("run", GOOD, "--set"), USAGE),
    (("run", GOOD, "--set", "nonsense"), USAGE),
    (("run", GOOD, "--set", "=5"), USAGE),
    (("validate", GOOD, "--set", "channels.999.per_day"), USAGE),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_dya=3"),
     [(GOOD, "channels.999.per_dya", 'unknown key (did you mean "per_day"?)')]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day=-3"),
     [(GOOD, "channels.999.per_day", "must be a number > 0")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day=lots"),
     [(GOOD, "channels.999.per_day", "got 'lots' (from --set)")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.101.per_day=3"),
     [(GOOD, "channels.101.per_day", "'channels.101' is not a table in this scenario")]),
    (("run", GOOD, "--out", OUT, "--set", "nosuch.key=3"),
     [(GOOD, "nosuch.key", "'nosuch' is not a table in this scenario")]),
    (("run", GOOD, "--out", OUT, "--set", "pools.handlers.roster=3"),
     [(GOOD, "pools.handlers.roster", "must be a list of tables, got 3")]),
    (("run", GOOD, "--out", OUT, "--set", "run.days=1e9"),
     [(GOOD, "run.days", "<= 3660")]),
    (("run", GOOD, "--out", OUT, "--set", "run.days=nan"),
     [(GOOD, "run.days", "finite")]),
    (("run", GOOD, "--out", OUT, "--set", "run.seed=99999999999999999999999"),
     [(GOOD, "run.seed", "must be an integer >= 0")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day="),
     [(GOOD, "channels.999.per_day", "has no value")]),
    (("run", GOOD, "--out", OUT, "--set", "extends=other.toml"),
     [(GOOD, "extends", "can only be given in a scenario file")]),
    (("run", GOOD, "--out", OUT, "--set", "name.first=x"),
     [(GOOD, "name.first", "'name' is not a table")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.hourly=[1, 2]"),
     [(GOOD, "channels.999.hourly", "24 weights")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day=" + "9" * 5000),
     [(GOOD, "channels.999.per_day", "too long a number")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day=1\nname = 'x'"),
     [(GOOD, "channels.999.per_day", "must be a number")]),
    (("run", GOOD, "--out", OUT, "--set", "channels.999.per_day=0", "--set", "run.days=0"),
     [(GOOD, "channels.999.per_day", "> 0"), (GOOD, "run.days", "> 0")]),
    (("validate", GOOD, "--set", "pools.handlers.scale=0"),
     [(GOOD, "pools.handlers.roster", "no staff at any time of the week after scale")]),
    (("validate", str(CORPUS / "volume_zero.toml"), "--set", "channels.101.per_day=3"),
     [(str(CORPUS / "volume_zero.toml"), "channels.999.per_day", "> 0"),
      (str(CORPUS / "volume_zero.toml"), "channels.101.per_day", "is not a table")]),
    (("run", MISSING, "--out", OUT), [(MISSING, "(file)", "file not found")]),
    (("run", FOLDER, "--out", OUT), [(FOLDER, "(file)", "is a folder")]),
    (("validate", GOOD, MISSING), [(MISSING, "(file)", "file not found")]),
]


def _id(args: tuple[str, ...]) -> str:
    text = " ".join(args).replace("\n", "\\n") or "(none)"
    return text if len(text) <= 70 else text[:67] + "..."


@pytest.mark.parametrize(("i", "expected"), list(enumerate(e for _, e in COMMAND_LINES)),
                         ids=[_id(a) for a, _ in COMMAND_LINES])
def test_bad_command_lines(runs: Runs, i: int,
                           expected: str | list[tuple[str, str, str]]) -> None:
    done = runs.command_lines[i]
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip()
    if isinstance(expected, str):
        assert "usage:" in done.stderr
        assert "--help" in done.stderr
    else:
        lines = done.stderr.splitlines()
        assert len(lines) == len(expected), lines
        for file, key, words in expected:
            wanted = Expect(_fill(file, runs.root, runs.good, i), key, words)
            assert any(wanted.matches(line) for line in lines), (wanted, lines)
    assert not (runs.root / f"out-cl{i}").exists()
    assert not (runs.root / "results").exists()


def test_nothing_written_anywhere(runs: Runs) -> None:
    """No results folder, no temporary folder, from any of the failed commands above."""
    leftovers = [p.name for p in runs.root.iterdir()
                 if p.name not in ("good.toml", "folder.toml")]
    assert leftovers == []
