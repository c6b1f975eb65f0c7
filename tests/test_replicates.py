"""Replicates: seeds spawned with SeedSequence, results independent of the number of worker processes, statistics."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from experiments.replicates import mean_difference, p_met_interval, run_replicates, scorecard_rows, summarise
from model.api import replicate_seeds, simulate
from tests.conftest import SMALL, compose_config


def test_seeds_are_spawned_children_and_prefix_stable():
    seeds = replicate_seeds(7, 5)
    spawned = np.random.SeedSequence(7).spawn(5)
    assert [s.spawn_key for s in seeds] == [s.spawn_key for s in spawned]  # the same tree, not integers from it
    assert [s.generate_state(4).tolist() for s in seeds] == [s.generate_state(4).tolist() for s in spawned]
    assert [s.spawn_key for s in replicate_seeds(7, 3)] == [s.spawn_key for s in seeds[:3]]  # prefix-stable
    assert replicate_seeds(0, 1)[0].generate_state(1) != replicate_seeds(1, 1)[0].generate_state(1)


def test_a_replicate_of_a_job_is_rebuilt_from_python():
    """Replicate 1 of `dtsim replicates=2` is `simulate(..., replicate=1)`: the same seeding end to end."""
    cfg = compose_config(*SMALL, "replicates=2", "horizon=2020Q4")
    reps = run_replicates(cfg, workers=1, progress=False)
    again = simulate(*SMALL, "horizon=2020Q4", replicate=1)
    assert again.scorecard["T4"] == reps[1].card["T4"]
    pd.testing.assert_frame_equal(again.records, reps[1].frame)


def test_parallel_replicates_equal_serial_ones():
    cfg = compose_config(*SMALL, "replicates=2", "horizon=2021Q4")
    serial = scorecard_rows(run_replicates(cfg, workers=1, progress=False))
    parallel_reps = run_replicates(cfg, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial, scorecard_rows(parallel_reps))
    adaptive = run_replicates(cfg, workers=2, progress=False, adaptive=True)  # times replicate 0, then decides
    pd.testing.assert_frame_equal(serial, scorecard_rows(adaptive))
    assert [r.index for r in parallel_reps] == [0, 1]
    assert not serial["value"].iloc[0:5].equals(serial["value"].iloc[5:10])  # two different runs


def test_wilson_interval_matches_scipy():
    from scipy.stats import binomtest

    assert [round(x, 3) for x in p_met_interval(8, 10)] == [0.490, 0.943]
    for k, n in [(0, 1), (1, 1), (0, 4), (4, 4), (3, 7), (50, 200), (199, 200)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert p_met_interval(k, n) == pytest.approx([ci.low, ci.high], abs=1e-12)


def test_mean_difference_interval():
    mean, lo, hi = mean_difference(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0 and (round(lo, 3), round(hi, 3)) == (-0.484, 4.484)  # t(0.975, 2) = 4.303
    assert np.isnan(mean_difference(np.array([1.0]))[1])


def test_summary_stats_of_replicates(tmp_path):
    cfg = compose_config(*SMALL, "replicates=3")
    reps = run_replicates(cfg, progress=False)
    card = summarise(reps)
    t1 = [r.card["T1"]["value"] for r in reps]
    assert card["T1"]["mean"] == pytest.approx(np.mean(t1)) and card["T1"]["n"] == 3
    assert card["T1"]["q05"] == pytest.approx(np.quantile(t1, 0.05))
    met = [r.card["T4"]["met"] for r in reps]
    assert card["T4"]["p_met"] == pytest.approx(sum(met) / 3) and card["T4"]["met"] == (sum(met) / 3 > 0.5)


def test_dtsim_replicates_writes_replicate_column_and_stats(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", *SMALL, "replicates=2", "hydra.run.dir=run"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2 replicates from seed=0" in proc.stdout and "P(met)" in proc.stdout
    out = tmp_path / "run"
    card = json.loads((out / "targets.json").read_text())
    for key in ("T1", "T2", "T3", "T4", "T5"):
        assert {"value", "threshold", "unit", "met", "mean", "q05", "q95", "p_met", "p_met_ci", "n"} <= set(card[key])
    assert card["replicates"] == 2 and "spawn_key=(r,)" in card["seeding"]
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns)[0] == "replicate" and set(frame["replicate"]) == {0, 1}
    usd = frame.query("metric == 'digital_trade_usd'")
    per_rep = usd.groupby("replicate")["value"].apply(lambda v: v.iloc[-4:].sum())
    assert card["T1"]["mean"] == pytest.approx(per_rep.mean())
    rows = pd.read_parquet(out / "replicates.parquet")
    assert len(rows) == 10 and list(rows.query("target == 'T1'")["value"]) == pytest.approx(list(per_rep))
