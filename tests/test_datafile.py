"""Empirical data files (issue 14 item 12): read fast, pinned by sha256, kept beside a run.

- A data file is read into one float64 array by the same rules however it is read: numpy's
  parser for an ordinary file, line by line for one it refuses (a line of spaces, ``1_000``).
- A given ``sha256`` is checked: a file that has changed is refused in one keyed line.
- A run copies each data file into its results folder (``data/KEY.PATH.csv``), names it in the
  resolved ``scenario.toml`` by that relative path and its sha256, and that scenario reruns to
  the same summary.json from any working folder; a copy changed since is refused, and a file
  changed while the run went on is not saved as if it had been simulated.

Large files are measured in ``benchmarks/datafile.py``, not here.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from conftest import MINIMAL, problems, summary, write
from contactsim import cli
from contactsim.config.datafile import forget_read, read_values
from contactsim.config.distributions import Distribution
from contactsim.config.loading import load_scenario
from contactsim.results.write import (
    OutputError,
    scenario_sha256,
    write_atomically,
    write_scenario,
)

EMPIRICAL = MINIMAL.replace('handle = { dist = "exponential", mean = 300 }',
                            'handle = { dist = "empirical", file = "data/handle.csv" }')
HANDLE = "handle_s\n300\n120,note\n450\n90\n600\n240\n"
QUICK = ["--days", "1", "--replications", "2", "--workers", "1", "--quiet", "--no-report"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    write(tmp_path, "data/handle.csv", HANDLE)
    return write(tmp_path, "s.toml", EMPIRICAL)


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("handle_s\n300\n120,note\n 450 \r\n\n90\n", [300, 120, 450, 90]),   # numpy's parser
    ("\ufeff300\n120\n", [300, 120]),                                    # a byte-order mark
    ("seconds\r300\r120\r", [300, 120]),                                # lone CRs
    ("seconds\n300\n   \n120\n", [300, 120]),                            # line by line
    ("1_000\n20\n", [1000, 20]),                                         # Python's float
])
def test_a_data_file_reads_by_one_set_of_rules(tmp_path: Path, text: str,
                                               expected: list[float]) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    values, digest = read_values(str(path))
    assert values.tolist() == expected
    assert values.dtype == np.float64
    assert not values.flags.writeable
    assert digest == sha(path)


@pytest.mark.parametrize("text", ["seconds\n300\nabout five minutes\n420\n",
                                  "seconds\n300\n  \nabout five minutes\n"])
def test_a_bad_line_is_named_by_its_number(scenario: Path, text: str) -> None:
    (scenario.parent / "data" / "handle.csv").write_text(text, encoding="utf-8")
    (line,) = problems(scenario)
    assert "categories.crime.handle.file: " in line
    assert f"line {text.splitlines().index('about five minutes') + 1}: 'about five minutes' " \
           "is not a number" in line


def test_a_file_that_is_not_numbers_is_named_but_none_of_its_content_quoted(
        scenario: Path) -> None:
    """Another kind of file named by mistake (or a system file reached with ``../..``) is said
    to be no file of numbers; its lines are not repeated in the message."""
    secret = "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin"
    text = "root:x:0:0:root:/root:/bin/bash\n" + f"{secret}\n" * 5 + "42\n"
    (scenario.parent / "data" / "handle.csv").write_text(text, encoding="utf-8")
    (line,) = problems(scenario)
    assert "categories.crime.handle.file: " in line
    assert "is not a file of numbers (5 of its 7 lines are not numbers)" in line
    assert "daemon" not in line
    assert "/bin/bash" not in line


def test_values_are_one_array_and_compare_by_value(scenario: Path) -> None:
    handle = load_scenario(scenario).categories["crime"].handle
    assert isinstance(handle.values, np.ndarray)
    assert handle.mean == pytest.approx(np.mean([300, 120, 450, 90, 600, 240]))
    same = Distribution("empirical", handle.mean, 0.0, (300, 120, 450, 90, 600, 240))
    assert handle == same
    assert hash(handle) == hash(same)
    assert handle != Distribution("empirical", handle.mean, 0.0, (300, 120, 450, 90, 600, 241))


# --- sha256 ----------------------------------------------------------------------------------


def test_a_given_sha256_is_checked(scenario: Path) -> None:
    data = scenario.parent / "data" / "handle.csv"
    pinned = scenario.read_text(encoding="utf-8").replace(
        'file = "data/handle.csv"', f'file = "data/handle.csv", sha256 = "{sha(data)}"')
    scenario.write_text(pinned, encoding="utf-8")
    assert load_scenario(scenario).categories["crime"].handle.values.size == 6
    data.write_text(HANDLE + "999\n", encoding="utf-8")
    (line,) = problems(scenario)
    assert line.startswith(f"error: {scenario}: categories.crime.handle.file: "), line
    assert "has changed since this scenario was saved" in line


@pytest.mark.parametrize(("handle", "key", "words"), [
    ('{ dist = "empirical", file = "data/handle.csv", sha256 = "abc" }',
     "categories.crime.handle.sha256", "must be the file's SHA-256 as 64 hexadecimal digits"),
    ('{ dist = "empirical", file = "data/handle.csv", sha256 = 7 }',
     "categories.crime.handle.sha256", "got 7"),
    ('{ dist = "empirical", values = [300], sha256 = "' + "0" * 64 + '" }',
     "categories.crime.handle.sha256", "checks a data file"),
])
def test_a_bad_sha256_is_keyed(scenario: Path, handle: str, key: str, words: str) -> None:
    text = scenario.read_text(encoding="utf-8").replace(
        'handle = { dist = "empirical", file = "data/handle.csv" }', f"handle = {handle}")
    scenario.write_text(text, encoding="utf-8")
    (line,) = problems(scenario)
    assert f": {key}: " in line, line
    assert words in line, line


# --- the results folder ----------------------------------------------------------------------


def test_a_run_keeps_its_data_and_reruns_from_anywhere(
        scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "first"
    assert cli.main(["run", str(scenario), "--out", str(first), *QUICK]) == 0
    saved = tomllib.loads((first / "scenario.toml").read_text(encoding="utf-8"))
    copy = first / "data" / "categories.crime.handle.csv"
    assert saved["categories"]["crime"]["handle"] == {
        "dist": "empirical", "file": "data/categories.crime.handle.csv", "sha256": sha(copy)}
    assert copy.read_bytes() == (scenario.parent / "data" / "handle.csv").read_bytes()
    (scenario.parent / "data" / "handle.csv").unlink()  # the folder needs only itself
    forget_read()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli.main(["run", "../first/scenario.toml", "--out", "again", *QUICK]) == 0
    assert summary(elsewhere / "again") == summary(first)
    for table in ("replications.csv", "hourly.csv"):
        assert (elsewhere / "again" / table).read_bytes() == (first / table).read_bytes()
    assert sorted(os.listdir(elsewhere / "again" / "data")) == ["categories.crime.handle.csv"]


def test_a_changed_copy_in_a_results_folder_is_refused(
        scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first"
    assert cli.main(["run", str(scenario), "--out", str(first), *QUICK]) == 0
    copy = first / "data" / "categories.crime.handle.csv"
    copy.write_text(copy.read_text(encoding="utf-8").replace("450", "451"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["run", str(first / "scenario.toml"), "--out", str(tmp_path / "again"),
                     *QUICK]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: {first / 'scenario.toml'}: categories.crime.handle.file: "
                          f"'{copy}' has changed since this scenario was saved"), err
    assert not (tmp_path / "again").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no litter


def test_a_file_named_twice_is_kept_once_and_fingerprinted_by_its_contents(
        scenario: Path, tmp_path: Path) -> None:
    twice = scenario.read_text(encoding="utf-8").replace(
        "[channels.999]\n", '[channels.999]\npatience = { dist = "empirical", '
        'file = "data/handle.csv" }\n')
    scenario.write_text(twice, encoding="utf-8")
    sc = load_scenario(scenario)
    out = tmp_path / "out"
    out.mkdir()
    write_scenario(out, sc.document, "")
    assert os.listdir(out / "data") == ["channels.999.patience.csv"]
    again = load_scenario(out / "scenario.toml")
    assert scenario_sha256(again.document) == scenario_sha256(sc.document)
    assert again.categories["crime"].handle == sc.categories["crime"].handle


def test_a_file_changed_during_the_run_is_not_saved(scenario: Path, tmp_path: Path) -> None:
    sc = load_scenario(scenario)
    (scenario.parent / "data" / "handle.csv").write_text(HANDLE + "30\n", encoding="utf-8")
    with pytest.raises(OutputError, match="changed while the run went on"):
        write_atomically(tmp_path / "out", lambda f: write_scenario(f, sc.document, ""))
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_the_real_cli_reruns_a_results_folder_from_another_folder(
        scenario: Path, tmp_path: Path) -> None:
    def run(*args: str, cwd: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "contactsim", "run", *args, *QUICK],
                              cwd=cwd, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr

    run(scenario.name, "--out", "first", cwd=scenario.parent)
    (tmp_path / "other").mkdir()
    run(str(tmp_path / "first" / "scenario.toml"), "--out", "again", cwd=tmp_path / "other")
    assert summary(tmp_path / "other" / "again") == summary(tmp_path / "first")
