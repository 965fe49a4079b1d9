"""The small public API: ``from contactsim import load_scenario, run_experiment, summary``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import contactsim


def test_importing_contactsim_is_light() -> None:
    # The command line imports the package before it can handle Ctrl-C; nothing heavy loads.
    code = "import sys, contactsim; print('numpy' in sys.modules, 'simpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]


def test_every_public_name_resolves() -> None:
    for name in contactsim.__all__:
        assert getattr(contactsim, name) is not None
    assert contactsim.erlang_a_result(200, 180, 14, 300, 20).service_level == \
        pytest.approx(0.91679, abs=1e-5)
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        _ = contactsim.nonesuch  # type: ignore[attr-defined]
