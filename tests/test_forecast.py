"""Forecast: world draws span the stated ranges, the stored table has the columns and rows it promises (T1b too),
runs come from the stored posterior, and --write-docs never overwrites a stored forecast."""

from __future__ import annotations

import csv
import time

import numpy as np
import pandas as pd
import pytest

from calibration import posterior as store
from calibration.forecast import ELASTICITY_RANGE, T1B, TARIFF_RANGE, Runner, plan, summarise, world
from experiments import forecast
from model.api import load_config
from tests.test_calibration import project_copy, snapshot, ROOT  # noqa: F401 (fixture)

COLUMNS = ["year", "part", "measure", "unit", "mean", "q5", "q25", "q50", "q75", "q95", "runs"]


def test_world_draws_cover_the_stated_ranges():
    base = load_config("calibration=none")
    rng = np.random.default_rng(0)
    draws = pd.DataFrame([world(base, {}, rng) for _ in range(4000)])
    scen = base.world.fx_scenarios
    q5, q95 = np.quantile(draws["world.fx_scenarios.central"], [0.05, 0.95])
    assert q5 == pytest.approx(float(scen.weak_usd), abs=0.03) and q95 == pytest.approx(float(scen.strong_usd),
                                                                                          abs=0.03)
    goods = draws["world.tariff_2025.goods_multiplier"]
    lo = (1 + TARIFF_RANGE[1]) ** -ELASTICITY_RANGE[1]
    hi = (1 + TARIFF_RANGE[0]) ** -ELASTICITY_RANGE[0]
    assert lo <= goods.min() and goods.max() <= hi and goods.max() - goods.min() > 0.5 * (hi - lo)
    digital = draws["world.tariff_2025.digital_multiplier"]
    assert ((goods <= digital) & (digital <= 1.0)).all()  # services are not tariffed: digital falls less


def test_met_rows_are_shares_with_bootstrap_intervals():
    stats = [{("2025", "T1", "met"): float(i < 30), ("2025", "T1", "value"): float(i)} for i in range(100)]
    s = summarise(stats, seed=1)
    assert s[("2025", "T1", "met")]["mean"] == pytest.approx(0.30)
    assert 0.2 < s[("2025", "T1", "met")]["q5"] < 0.30 < s[("2025", "T1", "met")]["q95"] < 0.4
    v = s[("2025", "T1", "value")]
    assert v["q5"] <= v["q25"] <= v["q50"] <= v["q75"] <= v["q95"] and v["n"] == 100


def test_a_run_scores_t1b_from_its_own_cny_total():
    cfg = load_config("calibration=none", "scale=0.02", "chart=false", "horizon=2025Q4")
    out = Runner(cfg, (2024, 2025))(({}, {}, 7))
    assert out[("2025", "T1b", "value")] == out[(2025, "FY", "CNY")]
    assert out[("2025", "T1b", "met")] == float(out[(2025, "FY", "CNY")] >= T1B["threshold"])
    assert out[(2025, "FY", "growth")] == pytest.approx(out[(2025, "FY", "CNY")] / out[(2024, "FY", "CNY")] - 1)


def test_runs_draw_from_the_stored_posterior(tmp_path, monkeypatch):
    particles = pd.DataFrame({"world.digital_shift": [0.01, 0.09], "firm.entry_rate": [0.01, 0.03]})
    store.write(particles, [0.0, 1.0], tmp_path / "zhejiang_2021_posterior.csv")
    monkeypatch.setattr(store, "STORE", tmp_path)
    p, w = store.load("zhejiang_2021")
    items = plan(p, w, 5, 2, 0, load_config("calibration=none"))
    assert len(items) == 10 and all(params["world.digital_shift"] == 0.09 for params, _, _ in items)
    assert len({r for _, _, r in items}) == 10 and items[0][1] == items[1][1]  # a set's seeds share its world


def test_forecast_table_and_write_docs_never_overwrite(project_copy, tmp_path, capsys):  # noqa: F811
    real = snapshot(ROOT)
    stored = project_copy / "data" / "calibration"
    taken = stored / f"forecast_zhejiang_2021_{time.strftime('%Y-%m-%d')}.csv"
    if not taken.exists():
        taken.write_bytes(b"an earlier forecast of today\n")
    before = {p.name: p.read_bytes() for p in stored.iterdir()}
    argv = ["--calibration", "zhejiang_2021", "--sets", "2", "--seeds", "1", "--scale", "0.02", "--workers", "1"]
    assert forecast.main(argv + ["--out", str(tmp_path / "o"), "--write-docs"]) == 0
    (new,) = [p for p in stored.iterdir() if p.name not in before]
    (made,) = (tmp_path / "o").glob("forecast_zhejiang_2021_*.csv")
    assert new.name.startswith(f"forecast_zhejiang_2021_{time.strftime('%Y-%m-%d')}_") and \
        new.read_bytes() == made.read_bytes()
    assert all((stored / name).read_bytes() == data for name, data in before.items())  # none overwritten
    rows = list(csv.DictReader(new.open(encoding="utf-8")))
    assert list(rows[0]) == COLUMNS
    keys = {(r["year"], r["part"], r["measure"]) for r in rows}
    for year in ("2024", "2025", "2026", "2027"):
        for part in ("H1", "FY"):
            assert {(year, part, "CNY"), (year, part, "USD"), (year, part, "growth")} <= keys
    for t in ("T1", "T2", "T3", "T4", "T5", "T1b"):
        assert {("2025", t, "value"), ("2025", t, "met")} <= keys
    assert ("world", "world.tariff_2025.goods_multiplier", "x demand") in keys
    for r in rows:
        assert float(r["q5"]) <= float(r["q25"]) <= float(r["q50"]) <= float(r["q75"]) <= float(r["q95"]), r
    doc = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert f"Stored as `data/calibration/{new.name}`" in doc
    assert "2027 FY" in capsys.readouterr().out
    assert snapshot(ROOT) == real
