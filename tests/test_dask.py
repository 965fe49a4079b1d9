"""Replications on a Dask cluster give exactly the results of a local run.

A real ``LocalCluster`` (two worker processes on loopback) stands in for a cluster of machines:
each replication is sent to a worker, run there and sent back, and the experiment must be the
same, measure for measure, as one run in this process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL, write
from contactsim.experiment import DaskUnavailableError, run_experiment
from contactsim.loading import load_scenario
from contactsim.output import summary

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_dask_results_identical_to_local(scheduler: str, tmp_path: Path) -> None:
    text = MINIMAL.replace("per_day = 200", "per_day = 200\npatience = 120")
    sc = load_scenario(write(tmp_path, "s.toml", text), ["run.replications=5"])
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
    monkeypatch.setattr("contactsim.experiment.DASK_CONNECT_TIMEOUT_S", 1)
    sc = load_scenario(write(tmp_path, "s.toml", MINIMAL))
    with pytest.raises(DaskUnavailableError, match="cannot reach the Dask scheduler"):
        run_experiment(sc, dask="tcp://127.0.0.1:9")
