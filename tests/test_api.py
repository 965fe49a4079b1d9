"""The small public API: ``from contactsim import load_scenario, run_experiment, summary``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import contactsim
from conftest import MINIMAL, summary, write


def test_importing_contactsim_is_light() -> None:
    # The command line imports the package before it can handle Ctrl-C; nothing heavy loads.
    code = "import sys, contactsim; print('numpy' in sys.modules, 'simpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]


def test_every_public_name_resolves() -> None:
    assert dir(contactsim) == sorted(contactsim.__all__)
    assert all(callable(getattr(contactsim, name)) for name in contactsim.__all__
               if name != "__version__")
    assert re.fullmatch(r"\d+\.\d+\.\d+", contactsim.__version__)
    assert issubclass(contactsim.ScenarioError, Exception)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = contactsim.nonesuch  # type: ignore[attr-defined]


def test_the_formulas_give_the_published_reference_case() -> None:
    """200 calls an hour of 3 minutes, 20 s target: the textbook case (P(wait) 0.17413 and
    service level 0.88835 with 14 agents; 13 reach only 0.79560, so 80% needs 14)."""
    c = contactsim.erlang_c_result(200, 180, 14, 20)
    assert (c.p_wait, c.service_level) == (pytest.approx(0.17413, abs=5e-6),
                                           pytest.approx(0.88835, abs=5e-6))
    assert contactsim.erlang_a_result(200, 180, 14, 300, 20).service_level == \
        pytest.approx(0.91679, abs=1e-5)
    assert contactsim.erlang_c_result(200, 180, 13, 20).service_level < 0.8
    assert contactsim.agents_needed(200, 180, 20, 0.8) == 14


def test_the_documented_example_runs(tmp_path: Path) -> None:
    """The package docstring's example on the small scenario: load with an override, run,
    summarise; and the statistics and table writing it leads to."""
    path = write(tmp_path, "minimal.toml", MINIMAL)
    scenario = contactsim.load_scenario(path, ["pools.handlers.scale=1.5"])
    assert isinstance(scenario, contactsim.Scenario)
    assert scenario.run.replications == 2
    with pytest.raises(contactsim.ScenarioError, match=r"run\.days"):
        contactsim.load_scenario(path, ["run.days=0"])
    result = contactsim.run_experiment(scenario, workers=1)
    assert isinstance(result, contactsim.Experiment)
    assert result.scenario is scenario
    assert len(result.replications) == 2
    figures = contactsim.summary(result)
    levels = [r.channels["999"]["service_level"] for r in result.replications]
    est = contactsim.mean_ci(levels)
    assert isinstance(est, contactsim.Estimate)
    assert figures["channels"]["999"]["service_level"]["mean"] == pytest.approx(est.mean)
    assert 0 < est.mean <= 1
    same = contactsim.paired_difference(levels, levels)
    assert (same.mean, same.ci_low, same.ci_high) == (0, 0, 0)
    [again] = contactsim.run_experiments([scenario], workers=1)
    assert [r.channels for r in again.replications] == [r.channels for r in result.replications]
    out = tmp_path / "out"
    out.mkdir()
    contactsim.write_tables(result, out)
    assert summary(out) == {k: v for k, v in figures.items() if k != "wall_s"}
