"""The jobs that simulate nothing: ``validate``, ``reference`` and ``erlang``.

They start fast: this module imports only what loading a scenario needs (no matplotlib, no
scipy), and each job imports the rest when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contactsim.config.loading import load_scenario
from contactsim.config.spec import Scenario
from contactsim.problems import Problem, ScenarioError


def load_all(files: Sequence[str], overrides: Sequence[str]) -> list[Scenario]:
    """Load every scenario, reporting the problems of all of them before giving up."""
    scenarios, problems = [], []
    for file in files:
        try:
            scenarios.append(load_scenario(file, overrides))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def validate_job(files: Sequence[str], overrides: Sequence[str]) -> None:
    """``contactsim validate``: an ``ok:`` line per good file and its warnings, or every
    problem of every file (ScenarioError)."""
    from contactsim.analysis.warnings import scenario_warnings

    for sc in load_all(files, overrides):
        print(f"ok: {sc.file}: {sc.name} ({len(sc.channels)} channels, {len(sc.pools)} pools)")
        for warning in scenario_warnings(sc):
            print(f"warning: {sc.file}: {warning}", file=sys.stderr)


def reference_job(out: Path | None) -> None:
    """``contactsim reference``: the scenario file reference, printed or written to ``out``.

    Written atomically (contactsim.atomic): a full disk or Ctrl-C leaves the previous file
    whole; a link is kept and the file it points to is written.
    """
    from contactsim.atomic import replacing
    from contactsim.present.reference import reference_markdown
    from contactsim.results.write import follow_link

    text = reference_markdown()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        target = follow_link(out, "file")
        if target.is_dir():
            raise IsADirectoryError(0, "it is a folder; give a file name, such as "
                                    "docs/scenario-reference.md")
        if target.exists() and not _is_reference(target, text):
            raise FileExistsError(0, "it exists and is not a scenario reference that contactsim "
                                  "wrote; give a new file name, or remove the file first")
        with replacing(target) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise ScenarioError([Problem(str(out), "(file)",
                                     f"cannot write: {exc.strerror or exc}")]) from None


def _is_reference(path: Path, text: str) -> bool:
    """Whether ``path`` holds a reference contactsim wrote (its first line), so writing over it
    loses nothing: any other file (a scenario, say) is refused, not overwritten."""
    first = text.split("\n", 1)[0].encode("utf-8")
    try:
        with path.open("rb") as f:
            return f.read(len(first) + 1).rstrip(b"\r\n") == first
    except OSError:
        return False


def erlang_job(values: dict[str, Any], *, as_json: bool) -> None:
    """``contactsim erlang``: the formula's figures for one queue (and the handlers needed for
    ``target_sl``), printed. Bad figures raise the formulas' ErlangInputError or ValueError."""
    from contactsim.analysis.erlang import agents_needed, evaluate
    from contactsim.present.words import erlang_text

    result = evaluate(values["per_hour"], values["handle_s"], values["agents"],
                      values["target_s"], values["patience_s"])
    needed = None if values["target_sl"] is None else agents_needed(
        values["per_hour"], values["handle_s"], values["target_s"],
        values["target_sl"], values["patience_s"], values["max_abandon"])
    sys.stdout.write(erlang_text(values, result, needed, as_json=as_json))
