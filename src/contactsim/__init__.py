"""contactsim: discrete-event simulation of police control rooms.

Load a scenario, run it, read 999, 101 and digital answer times with confidence intervals::

    from contactsim import load_scenario, run_experiment
    scenario = load_scenario("scenarios/baseline.toml")
    result = run_experiment(scenario)
"""

__version__ = "0.1.0"
