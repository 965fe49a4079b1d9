"""Start-up: the quick commands load no plotting or statistics library.

``contactsim validate`` is run many times a day while a scenario is being written; matplotlib
and scipy together cost about a second to import. Which modules a command leaves loaded is
counted in a fresh interpreter, so the check is about the code, never the machine's speed.
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PROBE = """\
import sys
from contactsim.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help
    code = exc.code
sys.stdout.flush()
print("\\n#", code, " ".join(sorted(sys.modules)))
"""


def loaded_after(*argv: str) -> set[str]:
    """The modules loaded once ``contactsim ARGV`` has run (it must exit 0)."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    last = done.stdout.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith("# "), done.stdout + done.stderr
    code, *modules = last[2:].split(" ")
    assert code == "0", done.stderr
    return set(modules)


def heavy(modules: set[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules} & {"matplotlib", "scipy"}


def test_validate_loads_neither_matplotlib_nor_scipy() -> None:
    modules = loaded_after("validate", "scenarios/baseline.toml")
    assert "contactsim.config.loading" in modules  # the probe sees what the command loaded
    assert heavy(modules) == set()


def test_help_loads_no_job() -> None:
    modules = loaded_after("--help")
    assert "contactsim.cli" in modules
    assert not any(m.startswith("contactsim.jobs") for m in modules)
    assert heavy(modules) == set()
