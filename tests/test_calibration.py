"""Calibration, forecast: the loss, the target rules, a reduced calibration end to end, the calibrated config."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from model.api import load_config as compose
from calibration.search import PARAMS, defaults
from calibration.targets import TARGETS, Target, check_targets, observations, score
from experiments import calibrate, forecast
from model.validate import validate

CONF = Path(__file__).resolve().parent.parent / "conf" / "calibration"


def test_score_is_sum_of_squared_z_with_seed_spread():
    observed = observations()
    t = TARGETS[1]  # dt_2020_growth: observed +20 %, tolerance 3 points
    reps = [{t.name: 0.14}, {t.name: 0.18}]
    out = score(reps, observed, (t,))
    sd = math.sqrt(((0.14 - 0.16) ** 2 + (0.18 - 0.16) ** 2) / 1)
    z = (0.16 - 0.20) / math.sqrt(0.03 ** 2 + sd ** 2)
    assert out["targets"][t.name]["z"] == pytest.approx(z)
    assert out["loss"] == pytest.approx(z * z)


def test_targets_use_nothing_after_2021_and_need_published_growth():
    observed = observations()
    assert all(t.key[0] <= 2021 for t in TARGETS)
    with pytest.raises(ValueError, match="after 2021"):
        check_targets(observed, (Target("g23", (2023, "FY", "goods_trade_total"), "goods", "level", 0.05, ""),))
    with pytest.raises(ValueError, match="no published growth"):
        check_targets(observed, (Target("f", (2021, "FY", "firms_with_actual_trade"), "firms", "growth", .1, ""),))


def test_search_ranges_lie_inside_the_schema_ranges():
    cfg = compose("calibration=none")
    for p in PARAMS:
        validate(OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{p.key}={p.lo}"])))
        validate(OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{p.key}={p.hi}"])))
        assert p.lo <= defaults(cfg)[p.key] <= p.hi, p.key


REDUCED = ["--trials", "6", "--replicates", "2", "--scale", "0.02", "--recheck", "2", "--check-scale", "0.02",
           "--check-replicates", "2"]


def test_reduced_calibration_runs_end_to_end_and_is_reproducible(tmp_path):
    for out in ("a", "b"):
        assert calibrate.main(REDUCED + ["--out", str(tmp_path / out)]) == 0
    written = tmp_path / "a" / "conf" / "calibration" / "zhejiang_2021.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# @package _global_\n")
    values = OmegaConf.create(text)
    cfg = OmegaConf.merge(compose("calibration=none"), values)
    validate(cfg)
    trials_csv = tmp_path / "a" / "data" / "calibration" / "zhejiang_2021_trials.csv"
    rows = list(csv.DictReader(trials_csv.open(encoding="utf-8")))
    assert len(rows) == 6
    base = defaults(compose("calibration=none"))
    assert all(float(rows[0][p.key]) == pytest.approx(base[p.key], rel=1e-5) for p in PARAMS)  # trial 0 = defaults
    top = sorted(rows, key=lambda r: float(r["loss"]))[:2]  # the estimate is one of the re-checked best trials
    assert any(all(OmegaConf.select(values, p.key) == pytest.approx(float(r[p.key]), rel=1e-3) for p in PARAMS)
               for r in top)
    assert trials_csv.read_bytes() == (tmp_path / "b" / "data" / "calibration" / trials_csv.name).read_bytes()
    doc = (tmp_path / "a" / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert "<!-- calibration:begin -->" in doc and "dt_2020_growth" in doc
    assert (tmp_path / "a" / "docs" / "img" / "calibration_fit.png").stat().st_size > 10_000


def test_bad_override_is_one_line_error(capsys, tmp_path):
    assert calibrate.main(REDUCED + ["--out", str(tmp_path), "policy.fund.annual_budget_cny=-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("calibrate: error:")
    assert "policy.fund.annual_budget_cny=-1 is out of range" in err[0]
    with pytest.raises(SystemExit):  # the search owns the scale
        calibrate.main(REDUCED + ["--out", str(tmp_path), "scale=0.5"])


def test_calibration_group_composes_and_sets_every_searched_parameter():
    none, cal = compose("calibration=none"), compose("calibration=zhejiang_2021")
    validate(cal)
    assert compose() == cal  # the calibrated parameters are the default
    changed = [p.key for p in PARAMS if OmegaConf.select(cal, p.key) != OmegaConf.select(none, p.key)]
    assert changed == [p.key for p in PARAMS]
    assert (CONF / "zhejiang_2021.yaml").read_text(encoding="utf-8").startswith("# @package _global_")


def test_reduced_forecast_prints_years_intervals_and_target_odds(tmp_path, capsys):
    assert forecast.main(["--sets", "2", "--seeds", "1", "--scale", "0.02", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "data" / "calibration" / "zhejiang_2021_forecast.csv").open()))
    fy = {(r["year"], r["part"], r["measure"]) for r in rows}
    for year in ("2022", "2023", "2024", "2025"):
        for part in ("H1", "FY"):
            assert {(year, part, "CNY"), (year, part, "USD"), (year, part, "growth")} <= fy
    odds = [float(r["mean"]) for r in rows if r["measure"] == "met"]
    assert len(odds) == 5 and all(0.0 <= p <= 1.0 for p in odds)
    for r in rows:
        assert float(r["q5"]) <= float(r["q50"]) <= float(r["q95"])
    assert "2025 FY" in capsys.readouterr().out
