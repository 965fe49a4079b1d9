"""Replications on a Dask cluster give exactly the results of a local run.

A real ``LocalCluster`` (two worker processes on loopback) stands in for a cluster of machines:
each replication is sent to a worker, run there and sent back, and the experiment must be the
same, measure for measure, as one run in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL, run_cli, write
from contactsim.analysis.experiment import DaskUnavailableError, run_experiment
from contactsim.config.loading import load_scenario
from contactsim.results.write import summary

PATIENT = MINIMAL.replace("per_day = 200", "per_day = 200\npatience = 120")

pytestmark = [pytest.mark.slow,  # a real LocalCluster of worker processes
              # Imported by each test, not at collection: make check, which skips these
              # tests, need not pay the second distributed takes to import.
              pytest.mark.usefixtures("distributed")]


@pytest.fixture(scope="module")
def distributed() -> Any:
    return pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler(distributed: Any) -> Iterator[str]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_dask_results_identical_to_local(scheduler: str, tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, "s.toml", PATIENT), ["run.replications=5"])
    local = run_experiment(sc, workers=1)
    remote = run_experiment(sc, dask=scheduler)
    assert [r.channels for r in remote.replications] == [r.channels for r in local.replications]
    assert [r.pools for r in remote.replications] == [r.pools for r in local.replications]
    a, b = summary(local), summary(remote)
    a.pop("wall_s")
    b.pop("wall_s")
    assert a == b


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("contactsim.analysis.experiment.DASK_CONNECT_TIMEOUT_S", 1)
    sc = load_scenario(write(tmp_path, "s.toml", MINIMAL))
    with pytest.raises(DaskUnavailableError, match="cannot reach the Dask scheduler"):
        run_experiment(sc, dask="tcp://127.0.0.1:9")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path; summary.json without its wall_s line."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "summary.json":
                data = b"".join(line for line in data.splitlines(keepends=True)
                                if b'"wall_s"' not in line)
            out[str(path.relative_to(folder))] = data
    return out


@pytest.mark.parametrize("command", [
    ("run",),
    ("sweep", "--vary", "pools.handlers.scale=0.9,1.1"),
])
def test_cli_dask_output_byte_identical(scheduler: str, tmp_path: Path,
                                        command: tuple[str, ...]) -> None:
    file = write(tmp_path, "s.toml", PATIENT)
    local, remote = tmp_path / "local", tmp_path / "remote"
    for out, extra in ((local, ("--workers", "2")), (remote, ("--dask", scheduler))):
        done = run_cli(command[0], file, *command[1:], "--out", out, "--replications", "4",
                       "--no-report", "--quiet", *extra)
        assert done.returncode == 0, done.stderr
    a, b = _files(local), _files(remote)
    assert "summary.json" in a or any(k.endswith("summary.json") for k in a)
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def test_cli_unreachable_scheduler_exit_2(tmp_path: Path) -> None:
    file = write(tmp_path, "s.toml", MINIMAL)
    done = run_cli("run", file, "--out", tmp_path / "out", "--dask", "tcp://127.0.0.1:9",
                   "--quiet")
    assert done.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
