"""A golden summary of the baseline: any change to the model's numbers is seen, and deliberate.

The baseline (7 measured days, 4 replications, its own seed) is simulated and every measure's
mean compared with ``tests/golden/baseline.json``. The tolerance is a quarter of the golden
confidence interval's half-width: far above floating-point noise between machines, far below
the shift a real change in the model makes (a change in how random numbers are drawn moves the
means by about a half-width; a change in behaviour, by more). When such a change is intended,
refresh the file and say why in the commit:

    python tests/test_golden.py --refresh
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "baseline.json"
OVERRIDES = ["run.days=7", "run.replications=4"]
#: Parts of summary.json that describe the run, not the model's numbers.
VOLATILE = ("wall_s", "contactsim_version", "scenario")
pytestmark = pytest.mark.slow  # a statistical comparison with the golden intervals


def current() -> dict[str, Any]:
    from contactsim import load_scenario, run_experiment, summary

    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", OVERRIDES)
    data = summary(run_experiment(scenario, workers=2))
    for key in VOLATILE:
        data.pop(key)
    return data


def estimates(data: Any, path: str = "") -> dict[str, dict[str, float | None]]:
    """Every {mean, ci_low, ci_high} in a summary, by its dotted path."""
    if isinstance(data, dict) and "mean" in data:
        return {path: data}
    if isinstance(data, dict):
        out: dict[str, dict[str, float | None]] = {}
        for key, value in data.items():
            out.update(estimates(value, f"{path}.{key}" if path else key))
        return out
    return {}


def test_baseline_matches_its_golden_summary() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = current()
    assert {k: v for k, v in now.items() if k not in ("channels", "pools", "diversions",
                                                      "officer_hours")} == \
        {k: v for k, v in golden.items() if k not in ("channels", "pools", "diversions",
                                                      "officer_hours")}
    want, got = estimates(golden), estimates(now)
    assert want.keys() == got.keys()
    assert len(want) > 40
    moved = []
    for key, g in want.items():
        mean, low, high = g["mean"], g["ci_low"], g["ci_high"]
        value = got[key]["mean"]
        if mean is None or value is None:
            if mean != value:
                moved.append(f"{key}: {mean} -> {value}")
            continue
        half = (high - low) / 2 if low is not None and high is not None else 0.0
        if abs(value - mean) > 0.25 * half + 1e-9 * max(1.0, abs(mean)):
            moved.append(f"{key}: {mean:.6g} -> {value:.6g} (tolerance {0.25 * half:.3g})")
    assert not moved, ("the model's numbers changed; if intended, run "
                       "'python tests/test_golden.py --refresh':\n" + "\n".join(moved))


def refresh() -> None:
    data = current()
    GOLDEN.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    n = len(estimates(data))
    print(f"wrote {GOLDEN.relative_to(ROOT)}: {n} estimates")
    assert all(not isinstance(v["mean"], float) or math.isfinite(v["mean"])
               for v in estimates(data).values())


if __name__ == "__main__":
    if sys.argv[1:] != ["--refresh"]:
        sys.exit(__doc__)
    refresh()
