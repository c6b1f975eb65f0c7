"""Reports for policy readers: plain labels from the schema, effect colours, cost per yuan, contrasts within a second
factor, Holm's adjustment, and the report of a small real sweep (policy x world, 3 replicates, scale 0.02)."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import labels as L
from experiments.aggregate import (Sweep, contrast_factor, contrast_pairs, contrasts, cost_per_yuan, holm,
                                   paired_p, ratio_interval)
from model.config import FundCfg, PolicyCfg, WorldCfg

# ------------------------------------------------------------------------------------------------ labels


def test_labels_and_units_come_from_the_schema():
    assert L.label("policy.fund.annual_budget_cny") == "special fund: annual budget (CNY/year)"
    unit = next(f for f in dataclasses.fields(FundCfg) if f.name == "annual_budget_cny").metadata["unit"]
    assert L.unit("policy.fund.annual_budget_cny") == unit == "CNY/year"
    assert L.fmt_value("policy.fund.annual_budget_cny", 1e9) == "CNY 1 bn/year"
    assert L.fmt_value("policy.fund.annual_budget_cny", 2.5e9) == "CNY 2.5 bn/year"
    assert L.fmt_value("policy.fund.grant_cap_cny", 5e6) == "CNY 5 m per firm"
    assert L.label("policy.tax.super_deduction") == "tax incentives: super deduction (extra deduction per CNY of R&D)"
    # a key inside a dict-valued parameter takes its parameter's unit
    demand = next(f for f in dataclasses.fields(WorldCfg) if f.name == "demand_growth").metadata["unit"]
    assert L.label("world.demand_growth.us") == f"world: demand growth, US ({demand})"
    assert L.fmt_value("world.demand_growth.us", 0.02) == "2 %/year"
    assert L.setting("policy.fund.enabled", False) == "special fund off"
    # every lever family of the schema has a plain name
    assert set(L.LEVERS) == {f.name for f in dataclasses.fields(PolicyCfg)} - {"name"}


def test_labels_of_config_group_choices():
    assert L.label("world") == "world" and L.fmt_value("world", "weak_demand") == "weak demand"
    assert L.setting("world", "tariff_shock_2024") == "world: tariff shock 2024"
    assert L.setting("policy", "none") == "no plan (all levers off)"
    assert L.setting("experiment/lever_off", "fund") == "without special fund"
    assert L.setting("experiment/lever_off", "none") == "plan as written"
    assert L.setting("phasing", "hangzhou_only") == "zone roll-out: Hangzhou only"
    assert L.scenario_label({"policy": "plan", "world": "weak_demand"}) == "plan as written; world: weak demand"
    assert L.pair_label({"policy": "plan", "world": "baseline"}, {"policy": "none", "world": "baseline"}) == \
        "plan as written vs no plan (all levers off); with world: baseline"
    assert L.target_label("T1", {"threshold": 1e11, "unit": "USD/year"}, 2025) == "digital trade ≥ USD 100 bn in 2025"
    assert L.wrap("special fund: annual budget CNY 2 bn/year", 30) == "special fund: annual budget\nCNY 2 bn/year"


# ------------------------------------------------------------------------------------------------ statistics


def test_effects_are_coloured_by_whether_their_interval_excludes_zero():
    from experiments.scenario_charts import DOWN, UNCLEAR, UP, interval_colors

    lo = [0.5, -3.0, -1.0, -0.0001, math.nan]
    hi = [2.0, -1.0, 1.0, 5.0, math.nan]
    assert interval_colors(lo, hi) == [UP, DOWN, UNCLEAR, UNCLEAR, UNCLEAR]  # the sign of the mean plays no part


def test_holm_against_a_hand_computed_example():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> running max 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    out = holm([math.nan, 0.02, 0.04, 0.9])  # NaN is not a comparison: m = 3
    assert math.isnan(out[0]) and out[1:] == pytest.approx([0.06, 0.08, 0.9])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1


def test_paired_p_is_the_paired_t_test():
    from scipy.stats import ttest_rel

    a, b = np.array([3.1, 2.0, 4.4, 5.0, 3.3]), np.array([2.0, 2.5, 3.0, 3.9, 3.0])
    assert paired_p(a - b) == pytest.approx(ttest_rel(a, b).pvalue)
    assert paired_p(np.array([2.0, 2.0])) == 0.0 and paired_p(np.zeros(3)) == 1.0 and math.isnan(paired_p([1.0]))


# ------------------------------------------------------------------------------------------------ synthetic sweeps


def synthetic(swept: dict[str, list], t1: dict[int, list[float]], trade: dict[int, list[float]] | None = None,
              spending: dict[int, list[float]] | None = None, reference: int = 0) -> Sweep:
    """A Sweep built from DataFrames: jobs 0.. with the given swept values, T1 per replicate, and (optional)
    cumulative trade and public money per replicate, each split over two quarters."""
    n_jobs = len(next(iter(swept.values())))
    jobs = pd.DataFrame({"job": range(n_jobs), "status": "complete", **swept})
    jobs["scenario"] = jobs.apply(lambda r: " ".join(f"{k}={r[k]}" for k in swept), axis=1)
    jobs["label"] = jobs.apply(lambda r: L.scenario_label({k: r[k] for k in swept}), axis=1)
    summary = pd.DataFrame([{"job": j, "replicate": r, "target": "T1", "value": v, "met": v >= 100,
                             "unit": "USD/year"} for j, vals in t1.items() for r, v in enumerate(vals)])
    rows = []
    for metric, data in (("digital_trade_total", trade or {}), ("spending_fund", spending or {})):
        for j, vals in data.items():
            for r, v in enumerate(vals):
                rows += [{"job": j, "replicate": r, "quarter": q, "metric": metric, "value": v / 2}
                         for q in ("2020Q1", "2020Q2")]
    ts = pd.DataFrame(rows, columns=["job", "replicate", "quarter", "metric", "value"])
    return Sweep(Path("."), jobs, summary, ts, list(swept), reference)


def test_cost_per_yuan_arithmetic():
    # job 1 spends CNY 2 more than job 0 in every replicate and trades 10, 12, 14 more
    sweep = synthetic({"policy.fund.annual_budget_cny": [0.0, 2e9]}, {0: [1, 1, 1], 1: [1, 1, 1]},
                      trade={0: [100, 100, 100], 1: [110, 112, 114]}, spending={0: [10, 10, 10], 1: [12, 12, 12]})
    row = cost_per_yuan(sweep, [(1, 0)]).iloc[0]
    # R = mean dT / mean dS = 12 / 2; Z = dT - R dS = (-2, 0, 2), sd 2; se = 2 / (sqrt(3) * 2); t(0.975, 2) = 4.3027
    half = 4.302652729911275 * 2 / (math.sqrt(3) * 2)
    assert (row["job"], row["ref_job"], row["d_trade"], row["d_spending"]) == (1, 0, 12.0, 2.0)
    assert (row["ratio"], row["lo"], row["hi"]) == pytest.approx((6.0, 6.0 - half, 6.0 + half))
    # the pair the other way round is turned so that the first scenario spends more: the same row
    flipped = cost_per_yuan(sweep, [(0, 1)]).iloc[0]
    assert (flipped["job"], flipped["ref_job"]) == (1, 0) and flipped["ratio"] == pytest.approx(6.0)
    assert ratio_interval([10, 12, 14], [2, 2, 2]) == pytest.approx((6.0, 6.0 - half, 6.0 + half))


def test_cost_per_yuan_skips_pairs_without_a_policy_or_spending_difference():
    world = synthetic({"world": ["baseline", "weak_demand"]}, {0: [1, 1], 1: [1, 1]},
                      trade={0: [100, 100], 1: [90, 91]}, spending={0: [10, 10], 1: [12, 12]})
    assert cost_per_yuan(world, [(1, 0)]).empty  # a different world: its trade is not the policy's
    tiny = synthetic({"policy.tax.super_deduction": [0.75, 1.5]}, {0: [1, 1], 1: [1, 1]},
                     trade={0: [100, 100], 1: [110, 110]}, spending={0: [1000, 1000], 1: [1005, 1005]})
    assert cost_per_yuan(tiny, [(1, 0)]).empty  # public money differs by less than 1 %


def policy_x_world() -> Sweep:
    """plan/none x baseline/weak_demand; T1 of the plan 10 (baseline) and 4 (weak demand) above no plan."""
    return synthetic({"policy": ["plan", "plan", "none", "none"],
                      "world": ["baseline", "weak_demand", "baseline", "weak_demand"]},
                     {0: [120, 121, 125], 1: [104, 106, 105], 2: [110, 111, 115], 3: [100, 103, 100]})


def test_contrasts_pair_jobs_within_each_level_of_the_second_factor():
    sweep = policy_x_world()
    plan = contrast_factor(sweep)
    assert plan == {"factor": "policy", "reference": "none", "within": ["world"], "levels": ["plan"]}
    pairs = contrast_pairs(sweep, plan)
    assert [(p["job"], p["ref_job"], p["within"]) for p in pairs] == \
        [(0, 2, {"world": "baseline"}), (1, 3, {"world": "weak_demand"})]
    frame = contrasts(sweep, "T1")
    assert list(frame["mean"]) == pytest.approx([10.0, (4 + 3 + 5) / 3])
    assert frame["lo"].iloc[0] == frame["hi"].iloc[0] == pytest.approx(10.0)  # the same 10 in every replicate
    # --contrast world: the world's levels within each policy; no 'none' level, so the reference job's world
    other = contrast_factor(sweep, "world")
    assert other["factor"] == "world" and other["reference"] == "baseline" and other["within"] == ["policy"]
    assert list(contrasts(sweep, "T1", "world")["mean"]) == pytest.approx([-17.0, (-10 - 8 - 15) / 3])
    with pytest.raises(ValueError, match="not a swept key"):
        contrast_factor(sweep, "seed")


def test_contrast_factor_rule():
    numbers = synthetic({"world.fx": ["central", "central", "weak_usd", "weak_usd"],
                         "policy.fund.annual_budget_cny": [1e9, 0.0, 1e9, 0.0]},
                        {j: [1.0, 2.0] for j in range(4)})
    plan = contrast_factor(numbers)  # a lever parameter before a world key; 0 is its 'no intervention' level
    assert plan["factor"] == "policy.fund.annual_budget_cny" and plan["reference"] == 0.0
    assert contrast_factor(synthetic({"policy": ["plan", "none"]}, {0: [1.0], 1: [1.0]})) is None  # one key


# ------------------------------------------------------------------------------------------------ a real sweep

ARGS = ["-m", "scale=0.02", "chart=false", "replicates=3", "policy=plan,none", "world=baseline,weak_demand",
        "hydra.sweep.dir=sweep"]


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", *ARGS], cwd=root, capture_output=True,
                          text=True, timeout=600, env={**os.environ})
    assert proc.returncode == 0, proc.stderr[-3000:]
    from experiments.report import build

    build(root / "sweep", echo=False)  # chart=false keeps the jobs' own PNGs (and the sweep's) out: charts here
    return root / "sweep"


def test_report_of_a_real_sweep_reads_for_a_policy_reader(real):
    report = (real / "report.md").read_text()
    assert "P(all)" in report and "## Multiple comparisons" in report
    assert "This report shows **10 comparisons**" in report and "Holm" in report  # 3 + 3 against the ref, 2 + 2
    assert "## Plan as written against no plan (all levers off), within each world" in report
    assert "not value added" in report and "delta method" in report
    assert "against **plan as written; world: baseline** (job 0: `policy=plan world=baseline`)" in report
    for stem in ("scorecard", "fan_digital_trade_usd", "heatmap_p_t1", "effects_t1", "effects_t2", "contrasts",
                 "cost_per_yuan", "by_city", "by_kind"):
        assert (real / "charts" / f"{stem}.png").stat().st_size > 20_000, stem
        assert f"](charts/{stem}.png)" in report
    assert "policy=" not in "".join(line for line in report.splitlines() if line.startswith("### "))
    jobs = pd.read_csv(real / "jobs.csv")
    assert list(jobs["label"]) == ["plan as written; world: baseline", "plan as written; world: weak demand",
                                   "no plan (all levers off); world: baseline",
                                   "no plan (all levers off); world: weak demand"]


def test_report_contrast_option(real, tmp_path):
    from experiments.report import main

    sweep = tmp_path / "sweep"
    shutil.copytree(real, sweep)
    with pytest.raises(SystemExit) as exit_:
        main([str(sweep), "--contrast", "world", "--no-charts"])
    assert exit_.value.code == 0
    report = (sweep / "report.md").read_text()
    assert "## Weak demand against baseline, within each policy" in report and "Factor `world`" in report
    with pytest.raises(SystemExit) as exit_:
        main([str(sweep), "--contrast", "seed", "--no-charts"])
    assert "contrast seed: not a swept key" in str(exit_.value.code)
