"""dtsim-explore's wiring: the Sobol analysis on a function with known indices, the prefix design behind the
convergence check, factors read from the schema, the workers' fast path against model.api.simulate, P(all)
against replicates.all_met, a study interrupted and resumed, and a study run on a dask cluster."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.explore import charts, prim, sobol
from experiments.explore.factors import Factor, catalogue, pick
from experiments.explore.outcomes import by_point
from experiments.explore.store import Store
from experiments.explore.study import Study
from experiments.replicates import TARGETS, all_met
from model.api import CONF_DIR, load_config, simulate


def settings(**changes):
    s = OmegaConf.load(f"{CONF_DIR}/explore/base.yaml")
    s.n_jobs = 1
    for key, value in changes.items():
        OmegaConf.update(s, key, value, merge=False)
    return s


def test_sobol_ishigami_known_indices():
    """Ishigami (a=7, b=0.1) on [-pi, pi]^3: S1 = .314, .442, 0; ST = .558, .442, .244 (Saltelli et al. 2008)."""
    factors = [Factor(f"x{i}", "uncertainty", -np.pi, np.pi, 0.0, "") for i in (1, 2, 3)]
    x = sobol.design(factors, 2048, seed=1)
    y = np.sin(x["x1"]) + 7 * np.sin(x["x2"]) ** 2 + 0.1 * x["x3"] ** 4 * np.sin(x["x1"])
    sens = sobol.analyse(factors, x.assign(y=y), ["y"], seed=1).query("N == 2048").set_index("factor")
    assert np.allclose(sens["S1"], [0.314, 0.442, 0.0], atol=0.03)
    assert np.allclose(sens["ST"], [0.558, 0.442, 0.244], atol=0.03)
    assert (sens["ST_conf"] < 0.1).all()


def test_prim_finds_a_known_box(tmp_path):
    """Misses where x0 < 0.3 (30 % of a Latin hypercube over 6 factors): PRIM's box bounds x0 near 0.3 from
    above, covers most misses and holds few others; its limit on x0 is significant (quasi-p < 0.05), and the
    restrictions peeling made by chance on the other factors are pruned (max_qp=0.05)."""
    factors = [Factor(f"x{i}", "uncertainty", 0.0, 1.0, 0.5, "") for i in range(6)]
    points = prim.lhs(factors, 300, seed=2)
    points["P_T1"] = (points["x0"] >= 0.3).astype(float)  # met where x0 >= 0.3
    points["P_T2"] = 1.0
    boxes, traj = prim.analyse(points, factors, ["T1", "T2"], min_coverage=0.8, max_qp=0.05)
    assert list(boxes.loc[boxes["case"] == "T1", "factor"]) == ["x0"]
    x0 = boxes[(boxes["case"] == "T1") & (boxes["factor"] == "x0")].iloc[0]
    assert abs(x0["max"] - 0.3) < 0.05 and x0["coverage"] >= 0.8 and x0["density"] >= 0.9 and x0["qp_hi"] < 0.05
    assert boxes.loc[boxes["case"] == "T2", "box"].isna().all()  # never missed: no box
    leaves = prim.cart_leaves(points[[f.name for f in factors]], prim.missed(points, "T1"), 0.05)
    assert list(leaves["factor"]) == ["x0"] and abs(leaves["max"].iloc[0] - 0.3) < 0.05  # CART: the same region
    assert leaves["density"].iloc[0] >= 0.9 and leaves["coverage"].iloc[0] >= 0.9
    assert charts.prim_charts(boxes, traj, tmp_path) == ["prim_tradeoff.png", "prim_box.png"]


def test_sobol_design_of_n_is_the_first_half_of_2n():
    factors = [Factor(f"x{i}", "uncertainty", 0.0, 1.0, 0.5, "") for i in range(4)]
    small, big = sobol.design(factors, 8, seed=3), sobol.design(factors, 16, seed=3)
    assert small.equals(big.iloc[: len(small)])


def test_factors_come_from_the_schema():
    cfg = load_config()
    cat = catalogue(cfg)
    assert "world.demand_growth.us" in cat["uncertainty"]        # a dict parameter, by key
    assert "policy.fund.annual_budget_cny" in cat["lever"]
    assert not any(n.startswith("policy.") for n in cat["uncertainty"] if n not in cat["lever"])
    s = settings(levers=["policy.*.annual_budget_cny"], uncertainties=["firm.transform_gain"], seed_factor=True)
    factors = {f.name: f for f in pick(s, cfg)}
    gain = factors["firm.transform_gain"]
    assert gain.default == cfg.firm.transform_gain and np.isclose(gain.hi, 1.5 * gain.default)  # spread 0.5
    fund = factors["policy.fund.annual_budget_cny"]
    assert (fund.lo, fund.hi) == (0.0, 2 * cfg.policy.fund.annual_budget_cny)  # lever_max 2
    assert "seed" in factors


def test_workers_fast_path_equals_simulate(tmp_path):
    """The typed config cached in a worker, factor values set and put back, gives what simulate(*overrides)
    gives for the same run (rtol 1e-9: the same code path after composition)."""
    s = settings(uncertainties=["world.digital_shift"], levers=["policy.fund.annual_budget_cny"], replicates=2)
    study = Study(s, ("scale=0.02",), tmp_path)
    design = pd.DataFrame({"point": [0, 0, 1], "replicate": [0, 1, 0], "world.digital_shift": [0.05, 0.05, 0.03],
                           "policy.fund.annual_budget_cny": [2e9, 2e9, 5e8]})
    runs = study.evaluate(design, "check")
    for row in runs.itertuples():
        out = simulate("scale=0.02", f"world.digital_shift={design.at[row.Index, 'world.digital_shift']}",
                       f"policy.fund.annual_budget_cny={design.at[row.Index, 'policy.fund.annual_budget_cny']}",
                       replicate=row.replicate)
        assert np.isclose(row.T1, out.scorecard["T1"]["value"], rtol=1e-9)
        assert np.isclose(row.spending, sum(out.spending.values()), rtol=1e-9)  # horizon = target year's Q4


def test_defaults_quoted_in_the_docs_are_base_yaml():
    text = (Path(CONF_DIR).parent / "docs" / "explore.md").read_text(encoding="utf-8")
    quoted = re.findall(r"`explore\.([\w.]+)`\s+\(default ([^)]+)\)", text)
    base = OmegaConf.load(f"{CONF_DIR}/explore/base.yaml")
    assert len(quoted) >= 4
    for key, value in quoted:
        assert float(OmegaConf.select(base, key)) == float(value), key


def test_p_all_is_the_replicates_rule():
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"point": np.repeat([0, 1, 2], 5), "replicate": np.tile(range(5), 3)})
    for t in TARGETS:
        runs[f"{t}_met"] = rng.random(15) < 0.8
        runs[t] = rng.random(15)
    runs["all_met"] = runs[[f"{t}_met" for t in TARGETS]].all(axis=1)
    mine = by_point(runs)
    for point, g in runs.groupby("point"):
        rows = g.melt(id_vars="replicate", value_vars=[f"{t}_met" for t in TARGETS], value_name="met")
        assert mine.loc[mine["point"] == point, "p_all"].item() == all_met(rows)["p_met"]


def test_interrupted_study_resumes_without_recomputing(tmp_path, monkeypatch):
    s = settings(kind="sobol", samples=4, batch=6, seed_factor=True,
                 uncertainties=["world.digital_shift"], levers=["policy.fund.annual_budget_cny"])
    real_write, written = Store.write, []

    def write_then_interrupt(self, rows):  # Ctrl-C while the third batch runs
        written.append(real_write(self, rows))
        if len(written) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(Store, "write", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        Study(s, ("scale=0.02",), tmp_path, progress=False).run()
    monkeypatch.setattr(Store, "write", real_write)
    kept = Store(tmp_path).done_keys()
    assert len(kept) == 12
    (tmp_path / "runs" / ".batch-half-written.parquet.tmp").write_bytes(b"PAR1")  # a kill mid-write: ignored
    study = Study(s, ("scale=0.02",), tmp_path, progress=False)
    study.run()
    assert study.stats["reused"] == 12 and study.stats["computed"] == 4 * 5 - 12
    assert len(Store(tmp_path).frame()) == 20  # no run stored twice


def test_dask_local_cluster_runs_a_study(tmp_path):
    """A LocalCluster this test starts (2 in-process workers) runs a tiny study; same outcomes as in-process."""
    distributed = pytest.importorskip("distributed")
    s = settings(kind="sobol", samples=4, seed_factor=True, uncertainties=["world.digital_shift"],
                 levers=["policy.fund.annual_budget_cny"])
    here = Study(s, ("scale=0.02",), tmp_path / "here", progress=False)
    here.run()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        s.update({"backend": "dask", "scheduler": cluster.scheduler_address, "n_jobs": 2})
        there = Study(s, ("scale=0.02",), tmp_path / "there", progress=False)
        there.run()
    a, b = (pd.read_parquet(p / "experiments.parquet").sort_values("key") for p in (tmp_path / "here",
                                                                                    tmp_path / "there"))
    assert there.stats["computed"] == len(b) == 20
    assert np.allclose(a["T1"], b["T1"], rtol=1e-9)
