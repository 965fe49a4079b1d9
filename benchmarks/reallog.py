"""A real room's month in, the same room out: ``fit`` then ``backtest`` on a public log.

Reads the "Anonymous Bank" call-centre data (an Israeli bank's call centre, 1999; the Technion
SEE laboratory's public archive, analysed by Brown et al., JASA 2005): one month's file, one
tab-separated row per call with the columns ``vru+line, call_id, customer_id, priority, type,
date, vru_entry, vru_exit, vru_time, q_start, q_exit, q_time, outcome, ser_start, ser_exit,
ser_time, server``. The data are not shipped (their licence is unclear): give the file's path.

The month is converted to contactsim's contact log (docs/contact-log.md), one channel ``bank``:

- PHANTOM rows (no call behind them) and calls that hung up in the voice-response unit before
  asking for an agent (no ``q_start``, not answered) are left out: they were never offered;
- ``arrived`` = ``vru_exit`` (the answer clock starts when the caller leaves the recorded
  menus), ``queued`` = ``q_start`` (or ``vru_exit`` for a call answered at once);
- ``answered`` = ``ser_start`` for outcome AGENT; ``abandoned`` = ``q_exit`` for HANG;
- an AGENT row with no service record (``ser_start``, ``ser_exit`` and ``ser_time`` all zero:
  50 rows of February) is answered at ``q_exit`` (at ``vru_exit`` where it never queued) with
  no ``talk_s``: read as times, its zeros would put the answer at the next midnight, up to 12
  hours after the call, and a few such calls make an hour's mean answer time minutes long;
- ``talk_s`` = ``ser_time``; ``category`` = ``type``; ``caller`` = ``customer_id`` (0 = none);
  ``agent`` = ``server`` (NO_SERVER = none);
- the systems' clocks disagree by a second or two (``ser_start`` before ``q_exit``): a later
  time that falls before an earlier one is clamped to it, and counted;
- a time before the call's arrival by more than 12 hours is on the next day (after midnight).

Then runs ``contactsim fit LOG`` (no base) and ``contactsim backtest`` of the fitted scenario
on the same log (in-sample), and again fitted on the first half of the month's days and
back-tested on the second half; prints the share of hours inside the back-test's band for
contacts offered, service level, mean answer time and abandoned, and writes them as JSON.

Run: ``python benchmarks/reallog.py /work/data/anonymous_bank_february.txt`` (``--work DIR``
for where the logs and results go, default a temporary folder; ``--replications N``, default
20; ``--without-agent`` to leave out who answered, so the staff come from the contacts in
service alone; ``--json FILE``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

MEASURES = ("offered", "service_level", "mean_answer_s", "abandon_rate")
COLUMNS = ("arrived", "channel", "category", "queued", "answered", "abandoned", "talk_s",
           "caller", "agent")
ZERO = {"", "0:00:00", "00:00:00"}


def _clock(day: dt.date, text: str, after: dt.datetime | None) -> dt.datetime:
    h, m, s = (int(x) for x in text.strip().split(":"))
    t = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=h, minutes=m, seconds=s)
    if after is not None and (after - t).total_seconds() > 12 * 3600:
        t += dt.timedelta(days=1)
    return t


def _no_service_record(r: dict[str, str]) -> bool:
    """An AGENT row whose service times are all zero (50 rows of February 1999): read as
    times they would put the answer at the next midnight, up to 12 hours after the call."""
    return r["ser_start"] in ZERO and r["ser_exit"] in ZERO and r["ser_time"] in ("", "0")


def convert(source: Path) -> tuple[list[dict[str, str]], Counter[str]]:
    """The month's offered calls as contact-log rows (ordered by arrival), and what was done."""
    rows: list[tuple[dt.datetime, dict[str, str]]] = []
    counts: Counter[str] = Counter()
    stamp = "%Y-%m-%d %H:%M:%S"
    with source.open(newline="", encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t"):
            r = {k.strip(): (v or "").strip() for k, v in r.items() if k}
            counts["rows"] += 1
            outcome = r["outcome"]
            if outcome == "PHANTOM":
                counts["phantom left out"] += 1
                continue
            if r["q_start"] in ZERO and outcome != "AGENT":
                counts["hung up in the VRU, left out"] += 1
                continue
            day = dt.datetime.strptime(r["date"], "%y%m%d").date()
            arrived = _clock(day, r["vru_exit"], _clock(day, r["vru_entry"], None))
            queued = arrived if r["q_start"] in ZERO else _clock(day, r["q_start"], arrived)
            if queued < arrived:
                counts["queued clamped to arrived"] += 1
                queued = arrived
            row = {"arrived": arrived.strftime(stamp), "channel": "bank",
                   "category": r["type"], "queued": queued.strftime(stamp), "answered": "",
                   "abandoned": "", "talk_s": "", "caller": "", "agent": ""}
            if outcome == "AGENT" and _no_service_record(r):
                # served, but the service record is lost: answered when the caller left the
                # queue (at once where never queued), talk time unknown
                counts["answered without a service record (talk unknown)"] += 1
                left = queued if r["q_start"] in ZERO else _clock(day, r["q_exit"], queued)
                row["answered"] = max(left, queued).strftime(stamp)
                row["agent"] = "" if r["server"] == "NO_SERVER" else r["server"]
            elif outcome == "AGENT":
                answered = _clock(day, r["ser_start"], arrived)
                if answered < queued:
                    counts["answered clamped to queued"] += 1
                    answered = queued
                row["answered"] = answered.strftime(stamp)
                row["talk_s"] = str(int(r["ser_time"]))
                row["agent"] = "" if r["server"] == "NO_SERVER" else r["server"]
            else:
                left = _clock(day, r["q_exit"], arrived)
                if left < queued:
                    counts["abandoned clamped to queued"] += 1
                    left = queued
                row["abandoned"] = left.strftime(stamp)
            if r["customer_id"] not in ("", "0"):
                row["caller"] = r["customer_id"]
            counts["offered"] += 1
            rows.append((arrived, row))
    rows.sort(key=lambda x: x[0])
    return [r for _, r in rows], counts


def write_log(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.DictWriter(handle, fieldnames=[c for c in COLUMNS if not rows or c in rows[0]])
        w.writeheader()
        w.writerows(rows)


def _run(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "contactsim", *args], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"contactsim {' '.join(args)} failed:\n{done.stderr}")


def fit_and_backtest(fit_log: Path, test_log: Path, work: Path, tag: str,
                     replications: int) -> dict[str, float]:
    """Coverage per measure of the back-test on ``test_log`` of the fit of ``fit_log``."""
    fitted, tested = work / f"fit-{tag}", work / f"backtest-{tag}"
    _run("fit", str(fit_log), "--out", str(fitted), "--quiet")
    _run("backtest", str(fitted / "scenario.toml"), str(test_log), "--out", str(tested),
         "--replications", str(replications), "--no-report", "--quiet")
    summary = json.loads((tested / "summary.json").read_text(encoding="utf-8"))
    return {m: float(summary["coverage"][m]) for m in MEASURES}


def halves(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The rows of the first half of the month's dates and of the second."""
    days = sorted({r["arrived"][:10] for r in rows})
    cut = days[len(days) // 2]
    return [r for r in rows if r["arrived"][:10] < cut], [r for r in rows
                                                           if r["arrived"][:10] >= cut]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("month", type=Path, help="one month's file of the Anonymous Bank data")
    parser.add_argument("--work", type=Path, help="folder for the logs and results")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--without-agent", action="store_true",
                        help="leave the agent column out (fit estimates the staff from the "
                             "contacts in service alone)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="contactsim-reallog-"))
    work.mkdir(parents=True, exist_ok=True)
    rows, counts = convert(args.month)
    if args.without_agent:
        for r in rows:
            del r["agent"]
    print(f"{args.month.name}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    whole, first, second = work / "month.csv", work / "first.csv", work / "second.csv"
    write_log(rows, whole)
    a, b = halves(rows)
    write_log(a, first)
    write_log(b, second)
    out = {"in_sample": fit_and_backtest(whole, whole, work, "month", args.replications),
           "out_of_sample": fit_and_backtest(first, second, work, "half", args.replications),
           "conversion": dict(counts), "work": str(work)}
    print(f"{'share of hours inside the band':32s}" + "".join(f"{m:>15s}" for m in MEASURES))
    for label in ("in_sample", "out_of_sample"):
        print(f"{label:32s}" + "".join(f"{out[label][m]:>15.1%}" for m in MEASURES))
    print(f"(results in {work})")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
