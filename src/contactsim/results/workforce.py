"""The workforce and cost tables of a run: workforce.csv, cost.csv and their summary.json keys.

``workforce.csv`` (DESIGN §11) has one row per measured month and pool with a workforce:
``month, pool``, then each of ``headcount, training, ramping, available, leavers, joiners`` as
the mean over replications followed by its 95% interval (``_lo``, ``_hi``). Stocks are people
on the month's last day, flows are the month's totals (see
:mod:`contactsim.analysis.workforce`). ``workforce_replications.csv`` holds the same six
measures per replication (``replication, month, pool``), so ``compare`` can pair the change in
people month by month. ``cost.csv`` holds each replication's year of cost by
part, so ``compare`` can pair the change in cost like any other measure. summary.json gains,
additively, ``workforce`` (per pool: who it starts with and where it ends) and ``cost`` (a
year's pounds, with its parts), each only where the scenario has a workforce or a price.
"""

from __future__ import annotations

from typing import Any

from contactsim.analysis.experiment import Experiment
from contactsim.analysis.measures import measure_estimate
from contactsim.analysis.workforce import COST_PARTS, YEAR_DAYS, months, recruits_within
from contactsim.engine.workforce import FLOWS, MONTHLY as MONTHLY, STOCKS

WORKFORCE_CSV = "workforce.csv"
WORKFORCE_REPLICATIONS_CSV = "workforce_replications.csv"
COST_CSV = "cost.csv"
#: cost.csv's key column and the one value in it: the kind and name compare.csv gives cost.
COST_KIND, COST_NAME = "cost", "year"


def _est(values: Any, measure: str = "") -> dict[str, float | None]:
    return measure_estimate((float(v) for v in values), measure).as_dict()


def workforce_summary(exp: Experiment) -> dict[str, Any]:
    """summary.json's additive ``workforce`` and ``cost`` keys (absent where they do not
    apply)."""
    sc, reps = exp.scenario, exp.replications
    out: dict[str, Any] = {}
    kept = [r.workforce for r in reps if r.workforce is not None]
    if kept and len(kept) == len(reps) and sc.calendar is not None:
        out["workforce"] = {}
        for pool, table in kept[0].items():
            spec = sc.pools[pool].workforce
            assert spec is not None
            out["workforce"][pool] = {
                "headcount_start": spec.headcount, "roster_for": spec.roster_for,
                "attrition": spec.attrition,
                "recruits": recruits_within(sc.pools[pool], sc.calendar.start_date,
                                            len(months(sc)[1])),
                "months": len(table["headcount"]),
                "end": {m: _est(w[pool][m][-1] for w in kept) for m in STOCKS},
                "available_lowest_month": _est(w[pool]["available"].min() for w in kept),
                **{m: _est(w[pool][m].sum() for w in kept) for m in FLOWS},
            }
    costs = [r.cost for r in reps if r.cost is not None]
    if costs and len(costs) == len(reps):
        out["cost"] = {"currency": "GBP", "per_days": YEAR_DAYS,
                       **{part: _est(c[part] for c in costs) for part in COST_PARTS}}
    return out


def workforce_tables(exp: Experiment) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """workforce.csv, workforce_replications.csv and cost.csv (file name -> header and rows),
    where the run has a workforce or a price."""
    sc, reps = exp.scenario, exp.replications
    out: dict[str, tuple[list[str], list[list[Any]]]] = {}
    kept = [r.workforce for r in reps if r.workforce is not None]
    if kept and len(kept) == len(reps):
        labels = months(sc)[0]
        rows = []
        for pool in kept[0]:
            for i, label in enumerate(labels):
                cells: list[Any] = [label, pool]
                for m in MONTHLY:
                    est = measure_estimate((float(w[pool][m][i]) for w in kept), m)
                    cells += [est.mean, est.ci_low, est.ci_high]
                rows.append(cells)
        out[WORKFORCE_CSV] = (
            ["month", "pool", *(f"{m}{s}" for m in MONTHLY for s in ("", "_lo", "_hi"))], rows)
        out[WORKFORCE_REPLICATIONS_CSV] = (
            ["replication", "month", "pool", *MONTHLY],
            [[r.index, label, pool, *(float(w[pool][m][i]) for m in MONTHLY)]
             for r, w in zip(reps, kept, strict=True) for pool in w
             for i, label in enumerate(labels)])
    costs = [(r.index, r.cost) for r in reps if r.cost is not None]
    if costs and len(costs) == len(reps):
        out[COST_CSV] = (["replication", COST_KIND, *COST_PARTS],
                         [[i, COST_NAME, *(float(c[p]) for p in COST_PARTS)] for i, c in costs])
    return out
