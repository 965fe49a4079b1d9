"""``contactsim plot`` on a damaged results folder: bad input, never a traceback.

One small real run is made per module; each test copies it, damages one file and checks that
``plot`` exits 2 with one ``error: FILE: KEY: what is wrong`` line naming the damaged file, no
traceback, and leaves the earlier report.html byte for byte as it was (nothing is drawn before
the folder has been read and checked in full). Also here: ``reference --out`` written
atomically on a full disk, and ``plot`` on a full disk saying so in one line.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, write
from contactsim import cli

Damage = Callable[[Path], str]  # damages a copied folder, returns the file to be named
DATA = "data/categories.crime.handle.csv"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run with its report (the report every test keeps), whose handle times come from a
    data file kept in its folder's data/: one run and one drawing serve every test here."""
    base = tmp_path_factory.mktemp("made")
    write(base, "handle.csv", "handle_s\n300\n120\n450\n90\n")
    scenario = write(base, "minimal.toml", MINIMAL.replace(
        'handle = { dist = "exponential", mean = 300 }',
        'handle = { dist = "empirical", file = "handle.csv" }'))
    out = base / "run"
    assert cli.main(["run", str(scenario), "--out", str(out), "--replications", "2",
                     "--days", "1", "--workers", "1", "--quiet"]) == 0
    assert (out / DATA).is_file()
    assert (out / "report.html").is_file()
    return out


def _summary(change: Callable[[dict[str, object]], object]) -> Damage:
    def damage(folder: Path) -> str:
        path = folder / "summary.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")
        return "summary.json"
    return damage


def _text(name: str, text: str | bytes) -> Damage:
    def damage(folder: Path) -> str:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return name
    return damage


def _csv(name: str, edit: Callable[[list[str]], list[str]]) -> Damage:
    def damage(folder: Path) -> str:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
        return name
    return damage


def _remove(name: str) -> Damage:
    def damage(folder: Path) -> str:
        (folder / name).unlink()
        return name
    return damage


def _cell(line: int, column: str, value: str) -> Callable[[list[str]], list[str]]:
    """Set one cell of a CSV (line 1 is the header)."""
    def edit(lines: list[str]) -> list[str]:
        header = lines[0].split(",")
        cells = lines[line - 1].split(",")
        cells[header.index(column)] = value
        lines[line - 1] = ",".join(cells)
        return lines
    return edit


def _rename_column(old: str, new: str) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        lines[0] = ",".join(new if c == old else c for c in lines[0].split(","))
        return lines
    return edit


def _fifo(name: str) -> Damage:
    def damage(folder: Path) -> str:
        (folder / name).unlink(missing_ok=True)
        os.mkfifo(folder / name)
        return name
    return damage


def _link(name: str, target: str) -> Damage:
    def damage(folder: Path) -> str:
        (folder / name).unlink()
        (folder / name).symlink_to(target)
        return name
    return damage


def _set(key: str, value: object) -> Callable[[dict[str, object]], object]:
    return lambda data: data.__setitem__(key, value)


def _first_channel(value: object) -> Callable[[dict[str, object]], object]:
    def change(data: dict[str, object]) -> None:
        channels = data["channels"]
        assert isinstance(channels, dict)
        channels[next(iter(channels))] = value
    return change


def _one_estimate(value: object) -> Callable[[dict[str, object]], object]:
    def change(data: dict[str, object]) -> None:
        channels = data["channels"]
        assert isinstance(channels, dict)
        channels["999"]["service_level"]["mean"] = value
    return change


DEEP = "[" * 100_000 + "]" * 100_000
DAMAGE: dict[str, Damage] = {
    # summary.json: not JSON, too big or too deep to read, the wrong shape
    "summary truncated": lambda f: _text("summary.json", (f / "summary.json").read_text(
        encoding="utf-8")[:200])(f),
    "summary 5000-digit integer": _text("summary.json", '{"replications": ' + "9" * 5000
                                        + "}"),
    "summary nested 100000 deep": _text("summary.json", '{"channels": ' + DEEP + "}"),
    "summary nested 40 deep": _text("summary.json", '{"x": ' + "[" * 40 + "]" * 40 + "}"),
    "summary NaN": _text("summary.json", '{"replications": NaN}'),
    "summary huge float": _text("summary.json", '{"days": 1e999}'),
    "summary a list": _text("summary.json", "[1, 2]"),
    "summary empty object": _text("summary.json", "{}"),
    "summary binary": _text("summary.json", b"\xff\xfe\x00garbage\x81"),
    "summary removed": _remove("summary.json"),
    "summary a named pipe": _fifo("summary.json"),
    "summary channels a string": _summary(_set("channels", "999")),
    "summary channels empty": _summary(_set("channels", {})),
    "summary channel a list": _summary(_first_channel([1, 2])),
    "summary estimate a string": _summary(_one_estimate("high")),
    "summary pools null": _summary(_set("pools", None)),
    "summary diversions a list": _summary(_set("diversions", [])),
    "summary replications a string": _summary(_set("replications", "two")),
    "summary days huge": _summary(_set("days", 1e12)),
    "summary warnings a string": _summary(_set("warnings", "careful")),
    # scenario.toml
    "scenario binary": _text("scenario.toml", b"\x89PNG\r\n\x1a\n\x00\xff\xfe"),
    "scenario a folder": lambda f: (_remove("scenario.toml")(f), (f / "scenario.toml").mkdir(),
                                    "scenario.toml")[2],
    # the tables
    "hourly wrong columns": _csv("hourly.csv", _rename_column("service_level", "sl")),
    "hourly header only": _csv("hourly.csv", lambda lines: lines[:1]),
    "hourly non-numeric": _csv("hourly.csv", _cell(5, "offered", "many")),
    "hourly infinite": _csv("hourly.csv", _cell(5, "offered", "inf")),
    "hourly 5000 digits": _csv("hourly.csv", _cell(5, "offered", "9" * 5000)),
    "hourly hour out of range": _csv("hourly.csv", _cell(3, "hour_of_week", "168")),
    "hourly hour fractional": _csv("hourly.csv", _cell(3, "hour_of_week", "2.5")),
    "hourly replication empty": _csv("hourly.csv", _cell(3, "replication", "")),
    "hourly ragged line": _csv("hourly.csv", lambda lines: [*lines[:3], "0,999",
                                                            *lines[3:]]),
    "hourly empty file": _text("hourly.csv", ""),
    "hourly binary": _text("hourly.csv", b"\xff\xfe\x00\x81\x82"),
    "hourly removed": _remove("hourly.csv"),
    "hourly a link to /dev/zero": _link("hourly.csv", "/dev/zero"),
    "hourly a named pipe": _fifo("hourly.csv"),
    "answer times wrong columns": _csv("answer_times.csv",
                                       _rename_column("answer_s", "seconds")),
    "answer times uneven grid": _csv("answer_times.csv", lambda lines: lines[:-1]),
    "pools hourly non-numeric": _csv("pools_hourly.csv", _cell(40, "staff_busy", "x")),
    "pools removed": _remove("pools.csv"),
    "replications wrong columns": _csv("replications.csv", _rename_column("channel", "ch")),
    "stray named pipe": _fifo("notes"),
    # the officers' and workforce's tables, read when present
    "dispatch hourly wrong columns": _text("dispatch_hourly.csv",
                                           "replication,hour_of_week,waiting\n0,0,1\n"),
    "dispatch hourly hour out of range": _text(
        "dispatch_hourly.csv", "replication,hour_of_week,incidents_waiting\n0,168,1\n"),
    "dispatch hourly non-numeric": _text(
        "dispatch_hourly.csv", "replication,hour_of_week,incidents_waiting\n0,5,lots\n"),
    "workforce wrong columns": _text("workforce.csv", "month,pool,available\n2025-01,h,5\n"),
    "cost non-numeric": _text("cost.csv", "replication,cost,total\n0,year,lots\n"),
    "dispatch non-numeric": _text("dispatch.csv", "replication,dispatch,mean_arrival_s\n"
                                  "0,immediate,soon\n"),
    "dispatch areas no area": _text("dispatch_areas.csv", "replication,dispatch,mean_arrival_s\n"
                                    "0,immediate,600\n"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_plot_of_a_damaged_folder_is_bad_input(made: Path, tmp_path: Path, case: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _plot_refuses(made, DAMAGE[case], case, tmp_path, capsys)


DATA_DAMAGE: dict[str, Damage] = {
    "data file removed": _remove(DATA),
    "data file altered": lambda f: _text(DATA, (f / DATA).read_text(
        encoding="utf-8").replace("450", "451"))(f),
    "data file emptied": _text(DATA, ""),
    "data file a named pipe": _fifo(DATA),
    "data file a link to /dev/zero": _link(DATA, "/dev/zero"),
    "data folder removed": lambda f: (shutil.rmtree(f / "data"), DATA)[1],
}


@pytest.mark.parametrize("case", list(DATA_DAMAGE))
def test_plot_of_a_folder_with_a_damaged_data_file_is_bad_input(
        made: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _plot_refuses(made, DATA_DAMAGE[case], case, tmp_path, capsys)
    words = {"data file altered": "has changed since the run saved it",
             "data file emptied": "has changed since the run saved it",
             "data file a named pipe": "is a named pipe"}.get(
                 case, "scenario.toml reads it for categories.crime.handle")
    assert words in err, err


def _plot_refuses(made: Path, damage: Damage, case: str, tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> str:
    """Damage a copy of ``made``; plot must exit 2 in one line naming the damaged file, and
    leave the report and plots as they were, with no litter. Returns the line."""
    folder = tmp_path / "damaged"
    shutil.copytree(made, folder, symlinks=True)
    report = (folder / "report.html").read_bytes()
    plots = {p.name: p.read_bytes() for p in (folder / "plots").iterdir()}
    named = damage(folder)
    capsys.readouterr()
    code = cli.main(["plot", str(folder)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    file = str(folder) if case == "summary removed" else str(folder / named)
    assert f"error: {file}: " in lines[0], err
    assert (folder / "report.html").read_bytes() == report
    assert {p.name: p.read_bytes() for p in (folder / "plots").iterdir()} == plots
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no litter
    return lines[0]


def test_messages_say_what_is_wrong(made: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    expected = {
        "hourly wrong columns": 'hourly.csv: (file): missing column "service_level"',
        "hourly header only": "hourly.csv: (file): has no rows for channel '999'",
        "hourly non-numeric": "hourly.csv: offered: line 5: 'many' is not a number",
        "summary 5000-digit integer": "summary.json: (file): cannot read: a whole number of "
                                      "5,000 digits (at most 100)",
        "summary nested 100000 deep": "summary.json: (file): nests more than 32 deep",
        "summary empty object": "summary.json: replications: must be a number, not null",
        "summary channels a string": "summary.json: channels: must be an object of channels, "
                                     "not a string",
        "summary pools null": "summary.json: pools: must be an object of pools, not null",
        "scenario binary": "scenario.toml: (file): is not UTF-8 text",
        "hourly a named pipe": "hourly.csv: (file): is a named pipe",
    }
    for case, text in expected.items():
        folder = tmp_path / case.replace(" ", "-")
        shutil.copytree(made, folder)
        DAMAGE[case](folder)
        capsys.readouterr()
        assert cli.main(["plot", str(folder)]) == 2
        assert text in capsys.readouterr().err, case


def test_a_sound_copy_still_redraws(made: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sound"
    shutil.copytree(made, folder)
    assert cli.main(["plot", str(folder)]) == 0
    assert (folder / "report.html").read_bytes() == (made / "report.html").read_bytes()


# --- reference --out, atomically ------------------------------------------------------------


def test_reference_out_on_a_full_disk_keeps_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reference.md"
    out.write_text("# Scenario file reference\nthe previous one\n", encoding="utf-8")
    real_write = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:
        real_write(self, bytes(data)[:100])  # part of it lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    code = cli.main(["reference", "--out", str(out)])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {out}: (file): cannot write: No space left on device"), err
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "# Scenario file reference\nthe previous one\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reference.md"]


def test_reference_out_writes_the_whole_reference(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reference.md"
    out.write_text("# Scenario file reference\nan older one", encoding="utf-8")
    assert cli.main(["reference", "--out", str(out)]) == 0
    assert cli.main(["reference"]) == 0
    assert out.read_text(encoding="utf-8") == capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reference.md"]


def test_reference_out_into_a_missing_folder_is_bad_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no" / "such" / "reference.md"
    assert cli.main(["reference", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: (file): cannot write: "), err


def test_a_replaced_file_has_an_ordinary_mode_or_keeps_its_own(tmp_path: Path) -> None:
    from contactsim.atomic import replacing

    fresh, kept = tmp_path / "fresh.md", tmp_path / "kept.md"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    mask = os.umask(0o022)
    try:
        for target in (fresh, kept):
            with replacing(target) as tmp:
                tmp.write_text("new", encoding="utf-8")
    finally:
        os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o644  # not the temporary file's private 0600
    assert kept.stat().st_mode & 0o777 == 0o640
    assert fresh.read_text(encoding="utf-8") == kept.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.md", "kept.md"]


# --- plot on a full disk ---------------------------------------------------------------------


def test_plot_on_a_full_disk_says_one_line(made: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The copy of the tables fails on every file: shutil.copytree gathers the failures into
    one shutil.Error holding a list as long as the folder. The error is one line naming the
    folder, the first reason and the file it was copying; nothing is lost or left behind."""
    folder = tmp_path / "run"
    shutil.copytree(made, folder)
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    copied = sum(1 for p in folder.rglob("*") if p.is_file() and p.parent.name != "plots"
                 and p.name != "report.html")
    assert copied > 5

    def full_disk(src: str, dst: str, *, follow_symlinks: bool = True) -> str:
        raise OSError(errno.ENOSPC, "No space left on device", dst)

    monkeypatch.setattr(shutil, "copyfile", full_disk)
    code = cli.main(["plot", str(folder)])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: {folder}: cannot write results: No space left on device; "
                          f"{copied - 1} more files failed too (copying {folder}/"), err
    assert err.endswith("); earlier results were left as they were\n"), err
    assert "[(" not in err
    assert ".partial-" not in err
    assert len(err) < 400
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
