"""What a planner reads: errors name the option typed (``--replications``, not ``--set``), every
argument of every command has a help text, and the words and units of the terminal and the
report agree.
"""

from __future__ import annotations

import argparse
import io
import math
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import MINIMAL, write
from contactsim.analysis.experiment import run_experiment
from contactsim.analysis.measures import contact_measures
from contactsim.cli import build_parser, main
from contactsim.config.loading import FlagOverride, load_scenario
from contactsim.engine.records import ABANDONED, ANSWERED
from contactsim.present.report import run_html
from contactsim.present.run_words import print_summary
from contactsim.present.words import MEANINGS, fmt_ci, label
from contactsim.problems import ScenarioError
from contactsim.results.read import read_run
from contactsim.results.write import write_tables


@pytest.mark.parametrize(("args", "said"), [
    (["--replications", "20000"], "run.replications: must be an integer >= 1 and <= 10,000, "
     "got 20000 (from --replications)"),
    (["--set", "run.replications=20000"], "got 20000 (from --set)"),
])
def test_errors_name_the_option_typed(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      args: list[str], said: str) -> None:
    file = write(tmp_path, "s.toml", MINIMAL)
    out = tmp_path / "out"
    assert main(["run", str(file), "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"error: {file}: run.replications: ")
    assert err[0].endswith(said)
    assert not out.exists()


def test_a_flag_override_is_its_text_and_survives_pickling(tmp_path: Path) -> None:
    flag = FlagOverride("run.seed=-1", "--seed")
    assert flag == "run.seed=-1"
    again = pickle.loads(pickle.dumps(flag))
    assert (again, again.flag) == ("run.seed=-1", "--seed")
    with pytest.raises(ScenarioError, match=r"run\.seed: .*\(from --seed\)$"):
        load_scenario(write(tmp_path, "s.toml", MINIMAL), [again])


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def test_every_argument_of_every_command_has_help() -> None:
    parser = build_parser()
    subs = _subcommands(parser)
    assert {"run", "validate", "compare", "sweep", "plot", "staff", "erlang"} <= set(subs)
    bare = [f"{name} {a.dest}" for name, cmd in {"contactsim": parser, **subs}.items()
            for a in cmd._actions
            if not isinstance(a, argparse._HelpAction) and not a.help]
    assert not bare, f"arguments without a help text: {bare}"


# --- the two waits, and one unit rule for terminal and report ---------------------------------

def test_mean_wait_is_over_all_offered_and_mean_answer_over_answered() -> None:
    """Two answered calls (5 s connection, 1 s and 3 s in queue) and one caller who hung up
    after 100 s: mean wait in queue (34.7 s) is larger than mean answer time (7 s), as DESIGN
    section 5 defines them, and the report's words say why."""
    wait = np.array([1.0, 3.0, 100.0])
    answer = np.array([6.0, 8.0, math.nan])
    outcome = np.array([ANSWERED, ANSWERED, ABANDONED])
    m = contact_measures(answer, wait, outcome, np.zeros(3, dtype=outcome.dtype), 10.0)
    assert m["mean_wait_s"] == pytest.approx(104 / 3)
    assert m["mean_answer_s"] == pytest.approx(7.0)
    assert "all offered" in label("mean_wait_s")
    assert "hung up" in MEANINGS["mean_wait_s"]
    assert "not counted" in MEANINGS["mean_wait_s"]
    assert "answered contacts only" in MEANINGS["mean_answer_s"]


ONLINE = MINIMAL + """\
[channels.online]
kind = "digital"
per_day = 60
answer_target_s = 3600
[pools.desk]
skills = ["online"]
roster = [ { days = "mon-sun", start = "09:00", end = "17:00", staff = 1 } ]
"""


def test_terminal_and_report_show_times_in_the_same_unit(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "online.toml", ONLINE))
    exp = run_experiment(sc, workers=1)
    folder = tmp_path / "out"
    folder.mkdir()
    write_tables(exp, folder)
    run = read_run(folder)
    terminal = io.StringIO()
    print_summary(exp, folder, terminal)
    rows = {line.split()[0]: line for line in terminal.getvalue().splitlines()[2:]
            if line.strip() and not line.lstrip().startswith(("results", "warning"))}
    table = run_html(run, [])  # the report's table of every channel measure, in its page
    for channel in ("999", "online"):
        shown = fmt_ci("mean_answer_s", run.estimate("channels", channel, "mean_answer_s"))
        assert shown in rows[channel]
        assert f"<td class=\"num\">{shown}</td>" in table
    # online contacts wait overnight for the desk: hours, in both places; 999 in seconds
    assert re.search(r" h \([\d.]+ to [\d.]+ h\)", rows["online"]), rows["online"]
    assert re.search(r" s \([\d.]+ to [\d.]+ s\)", rows["999"]), rows["999"]
    assert rows["online"].split()[1:3] == ["1", "h"]  # the target, in the same words
    assert MEANINGS["mean_wait_s"] in table
