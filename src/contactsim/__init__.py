"""contactsim: discrete-event simulation of police control rooms.

Load a scenario, run it, read 999, 101 and digital answer times with confidence intervals::

    from contactsim import load_scenario, run_experiment, summary
    scenario = load_scenario("scenarios/baseline.toml", ["pools.handlers.scale=1.1"])
    result = run_experiment(scenario, workers=2)
    print(summary(result)["channels"]["999"]["service_level"])

The names below load on first use, so ``import contactsim`` (and the command line's start-up,
during which Ctrl-C must already be handled) stays light.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported at start-up: Ctrl-C may come early
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

#: The public API: name -> the module that defines it.
_API = {
    "load_scenario": "config.loading",
    "Scenario": "config.spec",
    "ScenarioError": "config.kinds",
    "run_experiment": "analysis.experiment",
    "run_experiments": "analysis.experiment",
    "Experiment": "analysis.experiment",
    "summary": "results.write",
    "write_tables": "results.write",
    "mean_ci": "analysis.stats",
    "paired_difference": "analysis.stats",
    "Estimate": "analysis.stats",
    "erlang_a_result": "analysis.erlang",
    "erlang_c_result": "analysis.erlang",
    "agents_needed": "analysis.erlang",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'contactsim' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
