"""The smaller things a planner trips over (issue 15, item 6), each held by a test.

Errors name the option the planner typed (``--replications``, not ``--set``); every argument of
every command has a help text; and the words and units of the terminal and the report agree.
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import pytest

from conftest import MINIMAL, write
from contactsim.cli import build_parser, main
from contactsim.config.kinds import ScenarioError
from contactsim.config.loading import FlagOverride, load_scenario


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
