"""The dtsim command as a user runs it: outputs of a run, and a small Hydra multirun."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

ROWS = ["T1", "T2", "T3", "T4", "T5"]


def dtsim(tmp_path, *args):
    proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_run_writes_scorecard_timeseries_and_chart(tmp_path):
    proc = dtsim(tmp_path, "scale=0.02", "seed=3", "hydra.run.dir=run")
    out = tmp_path / "run"
    targets = json.loads((out / "targets.json").read_text())
    for key in ROWS:
        assert {"value", "threshold", "unit", "met"} <= set(targets[key])
        assert isinstance(targets[key]["met"], bool)
        assert targets[key]["n"] == 1 and targets[key]["p_met"] == float(targets[key]["met"])  # replicate stats
        assert key in proc.stdout
    assert targets["seed"] == 3 and len(targets["config_hash"]) == 64 and targets["version"]
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns) == ["replicate", "quarter", "metric", "city", "kind", "value", "unit"]
    usd = frame.query("metric == 'digital_trade_usd'")
    assert usd["value"].iloc[-4:].sum() == targets["T1"]["value"]
    png = out / "digital_trade_usd.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert (out / ".hydra" / "config.yaml").exists()


def test_same_config_same_hash_and_values(tmp_path):
    dtsim(tmp_path, "scale=0.02", "chart=false", "hydra.run.dir=a")
    dtsim(tmp_path, "scale=0.02", "chart=false", "hydra.run.dir=b")
    a = json.loads((tmp_path / "a" / "targets.json").read_text())
    b = json.loads((tmp_path / "b" / "targets.json").read_text())
    assert a == b


def test_small_multirun(tmp_path):
    dtsim(tmp_path, "-m", "scale=0.02", "chart=false", "policy=plan,none", "hydra.sweep.dir=sweep")
    cards = [json.loads((tmp_path / "sweep" / str(i) / "targets.json").read_text()) for i in (0, 1)]
    assert [c["policy"] for c in cards] == ["plan", "none"]
    assert cards[0]["T1"]["value"] > cards[1]["T1"]["value"]


def test_run_writes_network_layer_distributions(tmp_path):
    dtsim(tmp_path, "scale=0.02", "chart=false", "seed=2", "hydra.run.dir=run")
    layers = pd.read_parquet(tmp_path / "run" / "network.parquet")
    assert set(layers["layer"]) == {"b2b", "platform", "cloud", "talent"}
    firms = pd.read_parquet(tmp_path / "run" / "timeseries.parquet").query(
        "metric == 'firms' and quarter == '2025Q4'")["value"].sum()
    by_degree = layers.query("statistic == 'firms_by_degree'")["value"].sum()
    assert abs(by_degree - firms) <= 1e-9 * firms  # every living firm counted once, weighted
    for stat in ("gmv_share", "spend_share"):
        assert abs(layers.query("statistic == @stat")["value"].sum() - 1.0) < 1e-9
