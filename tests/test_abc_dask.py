"""The distributed path: pyabc's Dask sampler on a local Dask cluster that this test starts and stops (two worker
processes, as `dask scheduler` + `dask worker` would run on other machines; docs/calibration.md)."""

from __future__ import annotations

import pytest

from calibration import abc
from calibration.priors import select
from calibration.targets import fitted, horizon, observations
from model.api import load_config


@pytest.mark.slow
def test_calibration_runs_on_a_local_dask_cluster(tmp_path):
    from distributed import LocalCluster

    measures = fitted(2020)
    base = load_config("calibration=none", "scale=0.02", "chart=false", f"horizon={horizon(measures)}")
    sim = abc.Simulator(base, observations(), measures, select(["world.digital_boom.level", "world.digital_shift"]))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        sampler = abc.make_sampler("dask", 2, cluster.scheduler_address)
        try:
            result = abc.calibrate(sim, tmp_path / "dask.db", population=5, simulations=20, sampler=sampler,
                                   progress=False)
        finally:
            sampler.shutdown()  # the client first, then the cluster (no reconnect attempts)
    assert result.simulations >= 20 and len(result.weights) == 5
    assert set(result.particles.columns) == {p.key for p in sim.priors}
    # the same particle gives the same statistics on the cluster and here (its replicate comes from its values)
    stats = result.history.get_weighted_sum_stats()[1][0]
    params = result.history.get_distribution(m=0)[0].iloc[0].to_dict()
    assert set(stats) == {m.name for m in measures} and params
