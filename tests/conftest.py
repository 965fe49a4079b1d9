"""Shared helpers: small scenario files written to a temporary folder, the CLI in a subprocess.

Two tiers. ``make check`` runs ``pytest -m "not slow"``: the loader, the bad-input corpus, the
engine on small runs and against the Erlang C and A formulas on one short case each
(test_queueing.py), measures, Erlang formulas and plots on small data, in under a minute of CPU
on a two-core machine. ``make test`` (and CI) runs everything. Marked ``slow``: statistical
checks (long simulations against queueing theory, paired directions of effect, the golden
summary, staffing searches), tests that start the CLI in a subprocess, the two 600-example
loader fuzzers of test_properties.py, and the full-length runs of its --set fuzzer and engine
properties (the fast tier runs those three on fewer examples).
Three subprocess checks stay in the fast tier on purpose: the bad-input corpus through
``validate`` and ``run`` (test_bad_input.py, two subprocesses; its single files and bad command
lines go through ``cli.main`` in process), one real ``contactsim run`` end to end
(test_plots.py::test_no_report_writes_no_plots) and the import-lightness check (test_api.py).
No test times the machine: what must be quick is counted (work done, files read), not clocked.

Hypothesis has two profiles. "ci", loaded when the environment variable CI is set (``.ci/run``
runs with CI=true) or HYPOTHESIS_PROFILE=ci: the same examples on every run (derandomize), no
example database, and a failure prints the blob that reproduces it. "dev", otherwise: fresh
random examples each run, remembered in .hypothesis/ so a failure is tried first next time.
HYPOTHESIS_PROFILE names either one explicitly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from contactsim.analysis.stats import mean_ci

if TYPE_CHECKING:
    from contactsim.config.spec import Scenario
    from contactsim.engine.dispatch import DispatchOutput

ROOT = Path(__file__).resolve().parents[1]

# Timing on shared machines is too noisy for a per-example deadline to mean anything, so neither
# profile has one (the @settings in the test files agree); CI also drops the too-slow health
# check, which would fail a derandomized run for the machine's load rather than for the code.
# Both start from Hypothesis's own defaults: a profile given no parent inherits whatever profile
# is active, and Hypothesis itself switches to its built-in "ci" when it sees CI in the
# environment (even CI=false), which would leave "dev" derandomized.
_DEFAULTS = settings.get_profile("default")
settings.register_profile("ci", _DEFAULTS, derandomize=True, database=None, print_blob=True,
                          deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", _DEFAULTS, print_blob=True, deadline=None)


def _profile() -> str:
    named = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if named:
        return named
    return "ci" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false") else "dev"


settings.load_profile(_profile())

#: A small valid scenario: one channel, one category, one pool on duty around the clock.
MINIMAL = """\
name = "minimal"
[run]
days = 2
warmup_days = 0.5
replications = 2
seed = 7
[channels.999]
per_day = 200
answer_target_s = 10
[categories.crime]
handle = { dist = "exponential", mean = 300 }
[pools.handlers]
skills = ["999"]
roster = [ { days = "mon-sun", start = "00:00", end = "24:00", staff = 2 } ]
"""


#: A room for dispatch tests (tests/test_dispatch*.py): 999 calls of one category, all
#: deployed, handled at once by 40 handlers, so incidents reach the officers as they arise;
#: the officers' tables follow it.
DISPATCH_ROOM = """\
name = "dispatch queue"
[run]
days = {days}
warmup_days = 0.25
replications = {reps}
seed = {seed}
[channels.999]
per_day = {per_day}
answer_target_s = 10
mix = {{ crime = 1.0 }}
[categories.crime]
handle = 1
deploy = 1.0
officer_hours = 0.25
on_scene_s = {{ dist = "exponential", mean = {on_scene} }}
grade = {grade}
[pools.handlers]
skills = ["999"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = 40 }} ]
"""


def dispatch_outputs(sc: Scenario) -> list[DispatchOutput]:
    """Each replication's DispatchOutput of a scenario with officers."""
    from contactsim.engine import simulate

    out = []
    for r in range(sc.run.replications):
        d = simulate(sc, r).dispatch
        assert d is not None
        out.append(d)
    return out


def problems(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    """The problems loading ``path`` (with ``overrides``) reports, one string each."""
    from contactsim.config.loading import load_scenario
    from contactsim.problems import ScenarioError

    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return [str(p) for p in info.value.problems]


def summary(folder: Path) -> dict[str, object]:
    """A results folder's summary.json without wall_s (the one figure a rerun changes)."""
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data.pop("wall_s")
    return dict(data)


def results_fill(tag: str) -> Callable[[Path], None]:
    """A filler for ``write_atomically``: a results folder as contactsim writes one (its
    summary's marker keys, so ``--out`` may replace it), told apart by ``tag``."""
    def fill(folder: Path) -> None:
        summary = {"contactsim_version": "test", "channels": {}, "tag": tag}
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return fill


def results_tag(folder: Path) -> str:
    """The tag of a folder ``results_fill`` wrote."""
    return str(json.loads((folder / "summary.json").read_text(encoding="utf-8"))["tag"])


#: The confidence level of the engine-against-theory checks (test_queueing, test_dispatch).
LEVEL = 0.999


def erlang_c(agents: int, load: float) -> float:
    """P(wait) in M/M/c, from the Erlang B recursion (independent of contactsim.erlang)."""
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return agents * b / (agents - load * (1 - b))


def assert_within(values: list[float], theory: float, what: str) -> None:
    est = mean_ci(values, level=LEVEL)
    assert est.ci_low <= theory <= est.ci_high, (
        f"{what}: theory {theory:.6g} outside the {LEVEL:.1%} interval "
        f"[{est.ci_low:.6g}, {est.ci_high:.6g}] (mean {est.mean:.6g}, n={est.n})")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def mm_scenario(*, per_hour: float, handle_s: float, agents: int, days: float = 28,
                reps: int = 10, target_s: float = 20, patience_s: float | None = None,
                seed: int = 11, warmup_days: float = 1) -> str:
    """An M/M/c (or M/M/c+M) scenario: flat Poisson arrivals, exponential handle times."""
    patience = (f'patience = {{ dist = "exponential", mean = {patience_s} }}\n'
                if patience_s else "")
    return f"""\
name = "M/M/{agents}{'+M' if patience_s else ''}"
[run]
days = {days}
warmup_days = {warmup_days}
replications = {reps}
seed = {seed}
[channels.q]
per_day = {per_hour * 24}
answer_target_s = {target_s}
{patience}[categories.x]
handle = {{ dist = "exponential", mean = {handle_s} }}
[pools.p]
skills = ["q"]
roster = [ {{ days = "mon-sun", start = "00:00", end = "24:00", staff = {agents} }} ]
"""


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m contactsim ARGS`` in a subprocess, as a planner would run it."""
    return subprocess.run([sys.executable, "-m", "contactsim", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          check=False)


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return write(tmp_path, "minimal.toml", MINIMAL)
