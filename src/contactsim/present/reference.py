"""The scenario file reference, generated from the schema.

``contactsim reference --out docs/scenario-reference.md`` rewrites the reference; a test fails
when the committed file differs from what the schema generates, so the docs cannot go stale.
"""

from __future__ import annotations

from typing import Any

from contactsim.config import distributions, loading
from contactsim.config.distributions import KINDS, PARAMS, Distribution
from contactsim.config.kinds import MAX_WEIGHT
from contactsim.config.schema import MAX_CONTACTS, MAX_ON_DUTY, SCENARIO
from contactsim.config.tables import Field, Named, Table, TableList
from contactsim.engine import MAX_TRIES, MAX_WAITING

INTRO = """\
# Scenario file reference

A scenario is one TOML file. This page lists every key: its type, unit, default and an example.
It is generated from the schema by `contactsim reference --out docs/scenario-reference.md`;
do not edit it by hand.

- Every duration is in **seconds**; times of day are `"HH:MM"` strings on the 24-hour clock.
- Volumes are contacts per day (`per_day`), averaged over the week before the profiles shape them.
- Unknown keys are errors (with a suggestion), and every problem is reported in one pass as
  `error: FILE: KEY.PATH: what is wrong`.
- `extends = "baseline.toml"` loads that file first and merges this one over it: tables merge
  key by key, every other value (lists included) replaces. A share table (a `mix`, whose shares
  add up to 1) is one value: setting it replaces the parent's whole mix, so write every category
  the child needs. A distribution (`{ dist = ... }`) is one value too: a child's
  replaces the parent's whole. A problem is reported against the file that set the value.
- On the command line, `--set KEY.PATH=VALUE` overrides one key (the value in TOML syntax),
  e.g. `--set pools.handlers.scale=1.1` or `--set 'channels.999.per_day=360'`.
"""

DISTRIBUTIONS = """\
## Distributions

A duration is a bare number of seconds (a constant) or a table naming its distribution:

| form | parameters | meaning |
|---|---|---|
| `40` | | always 40 s |
| `{ dist = "constant", value = 40 }` | value | always `value` |
| `{ dist = "exponential", mean = 90 }` | mean | memoryless; the classic patience and Erlang model |
| `{ dist = "lognormal", mean = 420, sd = 240 }` | mean, sd | skewed, with a long tail |
| `{ dist = "gamma", mean = 420, sd = 240 }` | mean, sd | skewed, lighter tail than lognormal |
| `{ dist = "weibull", mean = 420, sd = 240 }` | mean, sd | skewed, lighter tail than lognormal; \
with sd below the mean, the longer a contact has run the likelier it is to end soon |
| `{ dist = "uniform", low = 2, high = 7 }` | low, high | equally likely anywhere between |
| `{ dist = "empirical", values = [120, 300, 410] }` | values | resampled from observed values |
| `{ dist = "empirical", file = "handle.csv" }` | file, sha256 | as values, read from a file: one \
number per line (a header line is allowed; anything after a comma is ignored), its path relative \
to the scenario file; with `sha256` (the file's SHA-256, as `sha256sum` prints it) a file that \
has changed is refused |

Lognormal, gamma and Weibull take the mean and standard deviation of the durations themselves
(what a control room's own data shows), not the parameters of the underlying distribution
(`contactsim fit` chooses among exponential, lognormal, gamma and Weibull).

A run keeps a copy of each empirical data file in its results folder, `data/KEY.PATH.csv` (such
as `data/categories.crime.handle.csv`), and its resolved `scenario.toml` names the copy by that
path and its `sha256`, so `contactsim run RESULTS/scenario.toml` reproduces `summary.json` from
any working folder, however large the file; a copy that has changed since is refused.
"""


LIMITS = f"""\
## Limits

Far beyond any real control room, these keep a typo from filling the memory or the disk:

- a scenario file at most {loading.MAX_FILE_BYTES // 1_000_000} MB, its tables and lists nested \
at most {loading.MAX_NESTING} deep; an empirical distribution's file at most \
{distributions.MAX_FILE_BYTES // 1_000_000} MB (about 8 million durations written to 0.1 s, \
read in a few seconds);
- at most {MAX_CONTACTS:,} contacts in one replication (all channels, warm-up included) and \
{MAX_ON_DUTY:,} people on duty at once in a pool;
- durations at most {distributions.MAX_SECONDS / 86_400:g} days; a standard deviation at most \
{distributions.MAX_CV:g} times its mean; profile weights from 0 to {MAX_WEIGHT:,.0f};
- a caller who keeps hanging up tries at most {MAX_TRIES} times about one incident (the first \
contact, then redials and switches) and then gives up;
- a run whose queues hold more than {MAX_WAITING:,} waiting contacts at the start of a day is \
overloaded: it stops, keeps what it measured, and says so in its warnings.
"""


def _default(f: Field) -> str:
    if f.required:
        return "required"
    value = f.default
    if value is None:
        return "absent"
    if isinstance(value, Distribution):
        return value.describe()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[]" if not value else str(list(value))
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(fields: tuple[Field, ...]) -> list[str]:
    rows = ["| key | type | unit | default | example | meaning |", "|---|---|---|---|---|---|"]
    for f in fields:
        doc = f.doc + (f" **Not supported yet**: {f.not_yet}." if f.not_yet else "")
        kind = "table (below)" if isinstance(f.kind, Table | Named | TableList) else \
            f.kind.doc_type()
        example = f"`{f.example}`" if f.example else ""
        rows.append(f"| `{f.name}` | {kind} | {f.unit} | {_default(f)} | {example} | "
                    f"{doc.replace('|', '/')} |")
    return rows


def _sections(table: Table, heading: str, out: list[str]) -> None:
    out += ["", f"## `{heading}`", ""]
    if table.doc:
        out += [table.doc, ""]
    out += _rows(table.fields)
    for f in table.fields:
        sub: Any = f.kind
        if isinstance(sub, Named):
            _sections(sub.item, f"[{_join(heading, f.name)}.NAME]", out)
        elif isinstance(sub, TableList):
            _sections(sub.item, f"{_join(heading, f.name)} = [{{ ... }}, ...]", out)
        elif isinstance(sub, Table) and sub.fields:
            _sections(sub, f"{_join(heading, f.name)}", out)


def _join(heading: str, name: str) -> str:
    base = heading.strip("[]").split(" = ")[0]
    return name if base == "top level" else f"{base}.{name}"


def reference_markdown() -> str:
    """The whole reference page."""
    out = [INTRO.rstrip()]
    _sections(SCENARIO, "top level", out)
    out += ["", DISTRIBUTIONS.rstrip(), "",
            "Distributions available: " + ", ".join(f"`{k}` ({', '.join(PARAMS[k])})"
                                                    for k in KINDS) + ".", "", LIMITS.rstrip()]
    return "\n".join(out) + "\n"
