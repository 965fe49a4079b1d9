"""Nothing a planner had is lost: two scenario files of one name run to two folders, and
``reference --out`` writes over nothing but a reference it wrote itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINIMAL, write
from contactsim.cli import main


def test_two_files_of_one_name_run_to_two_folders_named_as_compare_names_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(tmp_path, "a/good.toml", MINIMAL)
    second = write(tmp_path, "b/good.toml", MINIMAL.replace("per_day = 200", "per_day = 100"))
    out = tmp_path / "X"
    assert main(["run", str(first), str(second), "--out", str(out), "--no-report",
                 "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["good", "good-2"]
    offered = [json.loads((out / name / "summary.json").read_text())["channels"]["999"]
               ["offered"]["mean"] for name in ("good", "good-2")]
    assert offered[0] > 1.5 * offered[1]  # each folder holds its own file's run
    monkeypatch.chdir(tmp_path)  # without --out: results/good and results/good-2
    assert main(["run", str(first), str(second), "--no-report", "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["good", "good-2"]


@pytest.mark.parametrize("through_link", [False, True])
def test_reference_out_refuses_to_overwrite_a_file_it_did_not_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], through_link: bool) -> None:
    victim = write(tmp_path, "victim.toml", "name = 'my scenario'\n")
    out = victim
    if through_link:
        out = tmp_path / "ref.md"
        out.symlink_to(victim)
    assert main(["reference", "--out", str(out)]) == 2
    assert victim.read_text() == "name = 'my scenario'\n"
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (f"error: {out}: (file): cannot write: it exists and is not a scenario "
                    "reference that contactsim wrote; give a new file name, or remove the file "
                    "first")


def test_reference_out_writes_a_new_file_and_rewrites_its_own(tmp_path: Path) -> None:
    out = tmp_path / "reference.md"
    assert main(["reference", "--out", str(out)]) == 0
    first = out.read_text()
    assert first.startswith("# Scenario file reference\n")
    out.write_text(first.replace("every key", "EVERY KEY"))
    assert main(["reference", "--out", str(out)]) == 0
    assert out.read_text() == first


@pytest.mark.parametrize("other", [None, "notes.docx", ".git/HEAD"])
def test_out_replaces_a_folder_only_if_contactsim_wrote_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], other: str | None) -> None:
    """A planner's folder that happens to hold a summary.json (a file of their own, or a copy
    of contactsim's beside their own files) is refused whole, not replaced."""
    scenario = write(tmp_path, "m.toml", MINIMAL)
    mine = tmp_path / "mine"
    write(mine, "summary.json", '{"total": 12}\n')
    write(mine, "budget.csv", "month,pounds\njan,100\n")
    if other is not None:  # contactsim's own summary beside a file of the planner's
        assert main(["run", str(scenario), "--out", str(tmp_path / "r"), "--no-report",
                     "--quiet"]) == 0
        (mine / "summary.json").write_bytes((tmp_path / "r" / "summary.json").read_bytes())
        write(mine, other, "mine\n")
    before = {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()}
    assert main(["run", str(scenario), "--out", str(mine), "--no-report", "--quiet"]) == 2
    assert {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()} == before
    assert "holds files that are not contactsim results" in capsys.readouterr().err


@pytest.mark.slow  # three runs with their reports
def test_out_replaces_contactsims_own_folder(tmp_path: Path) -> None:
    scenario = write(tmp_path, "m.toml", MINIMAL)
    out = tmp_path / "r"
    for _ in range(2):
        assert main(["run", str(scenario), "--out", str(out), "--quiet"]) == 0
    (out / ".DS_Store").write_bytes(b"\0")  # a desktop's litter does not make it foreign
    assert main(["run", str(scenario), "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").is_file()
