"""The composite digital-trade index (model/index.py) and the scored 2022 milestone (model/targets.py): the base, the
aggregation identities, levers moving their pillars, the weight sensitivity, and what a run writes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from agents.vocabulary import CITIES
from experiments.outputs import write_replicates
from experiments.replicates import all_met, run_replicates, scorecard_rows
from model import index
from model.records import METRICS
from model.targets import MILESTONE_QUARTER, meets, milestone, milestone_criteria, milestone_from_records
from model.validate import ConfigError
from tests.conftest import compose_config, small_model

C = len(CITIES)
PROVINCE = C  # the province's column in the index arrays


def test_the_province_is_100_at_end_2019_whatever_the_weights():
    for overrides in ((), ("index.aggregation=geometric", "index.pillar_weight.content=3",
                           "index.indicator_weight.talent_fill=0.2")):
        rec = small_model(*overrides).recorder
        scores = rec.index.scores(rec.index.base)  # the end-2019 state, scored against itself
        np.testing.assert_allclose(scores[:, PROVINCE], 100.0, rtol=1e-12)
        pillars = rec.index.pillars(scores)
        np.testing.assert_allclose(pillars[:, PROVINCE], 100.0, rtol=1e-12)
        assert rec.index.composite(pillars)[PROVINCE] == pytest.approx(100.0, rel=1e-12)


def test_province_scores_are_the_den_weighted_means_of_the_cities(plan_run):
    rec = plan_run.recorder
    _, parts = rec._gather()  # the final quarter's state
    num, den = index.ratios(parts, rec.index.base)
    scores = rec.index.scores(parts)
    np.testing.assert_allclose(scores, rec.index_scores[-1])  # recorded scores are the final quarter's
    weight = den * index.IN_PROVINCE  # Hangzhou is outside the province's spill-over indicators
    mean = (weight * scores[:, :C]).sum(axis=1) / weight.sum(axis=1)
    np.testing.assert_allclose(scores[:, PROVINCE], mean, rtol=1e-10)
    # pillars are the within-pillar weighted means of indicator scores, the index the mean of the pillars, for
    # every quarter, city and the province, as recorded
    all_scores = np.stack(rec.index_scores)
    pillars = np.stack([rec.series(f"index_{p}") for p in index.PILLARS], axis=1)
    for k, pillar in enumerate(index.PILLARS):
        mine = index.PILLAR_OF == k
        np.testing.assert_allclose(pillars[:, k], all_scores[:, mine].mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(rec.series("index"), pillars.mean(axis=1), rtol=1e-12)
    assert rec.series("index").shape == (len(rec.quarters), C + 1)


def test_geometric_aggregation_is_the_geometric_mean_of_the_pillars():
    rec = small_model("index.aggregation=geometric", "horizon=2021Q4").run().recorder
    pillars = np.stack([rec.series(f"index_{p}") for p in index.PILLARS])
    np.testing.assert_allclose(rec.series("index"), np.exp(np.log(np.maximum(pillars, 1)).mean(axis=0)))


def _pillar_at(model, pillar: str, quarter: int = 11) -> np.ndarray:
    rec = model.recorder
    return rec.series(f"index_{pillar}")[rec.quarters.index(quarter)]


@pytest.mark.parametrize("lever, pillar, indicator", [
    ("cbec", "facilitation", "trade_cost_cut"),
    ("demo_bases", "clustering", "base_member_share"),
])
def test_a_lever_moves_its_pillar_in_a_paired_run(lever, pillar, indicator):
    """Same seed, the lever on and off: its pillar is lower without it at 2022Q4, in the province and in the cities
    the zone covers by then (Hangzhou, Ningbo, Jinhua)."""
    on = small_model("seed=2", "horizon=2022Q4").run()
    off = small_model("seed=2", "horizon=2022Q4", f"policy.{lever}.enabled=false").run()
    covered = [CITIES.index(c) for c in ("Hangzhou", "Ningbo", "Jinhua")] + [PROVINCE]
    assert np.all(_pillar_at(off, pillar)[covered] < _pillar_at(on, pillar)[covered])
    k = index.NAMES.index(indicator)  # through the indicator the lever acts on
    assert off.recorder.index_scores[-1][k, PROVINCE] < on.recorder.index_scores[-1][k, PROVINCE] - 20
    if lever == "demo_bases":  # no bases, no members: the indicator stays at its end-2019 level
        assert off.recorder.index_scores[-1][k, PROVINCE] == pytest.approx(100.0)


def test_weight_sensitivity(plan_run):
    rec = plan_run.recorder
    pillars = np.stack([rec.series(f"index_{p}")[-1] for p in index.PILLARS])
    out = index.weight_sensitivity(pillars, draws=300, seed=1)
    # equal weights reproduce the recorded index
    assert out["reference"]["province"] == pytest.approx(rec.series("index")[-1, PROVINCE], rel=1e-12)
    np.testing.assert_allclose(index.aggregate(pillars, np.full(5, 0.2)), rec.series("index")[-1], rtol=1e-12)
    assert out["reference"]["ranking"][0] == CITIES[int(np.argmax(rec.series("index")[-1, :C]))]
    rho = out["dirichlet"]["rank_correlation"]
    assert -1.0 <= rho["min"] <= rho["q05"] <= rho["median"] <= 1.0
    assert set(out["leave_one_out"]) == set(index.PILLARS)
    for check in [*out["leave_one_out"].values(), out["geometric"]]:
        assert -1.0 <= check["rank_correlation"] <= 1.0 and 0 <= check["max_rank_shift"] <= C - 1
    lo, hi = out["dirichlet"]["province"]["q05"], out["dirichlet"]["province"]["q95"]
    assert pillars[:, PROVINCE].min() <= lo <= hi <= pillars[:, PROVINCE].max()  # a mean of the pillars
    # Spearman's rank correlation itself
    x = np.arange(11.0)
    assert index.rank_correlation(x, x ** 3) == pytest.approx(1.0)
    assert index.rank_correlation(x, -x) == pytest.approx(-1.0)
    assert index.rank_correlation(x, np.ones(11)) == 0.0
    # the same draws with the same seed
    assert index.weight_sensitivity(pillars, draws=300, seed=1) == out


def test_weights_that_leave_a_pillar_empty_are_a_config_error():
    with pytest.raises(ConfigError, match="index.pillar_weight"):
        small_model(*(f"index.pillar_weight.{p}=0" for p in index.PILLARS))
    with pytest.raises(ConfigError, match="'content'"):
        small_model("index.indicator_weight.content_trade_per_firm=0", "index.indicator_weight.content_trade_share=0",
                    "index.indicator_weight.content_firm_density=0")


def test_milestone_from_the_model_and_from_its_records_agree(plan_run):
    card = milestone(plan_run)
    assert card == milestone_from_records(plan_run.recorder.to_frame())
    i = plan_run.recorder.quarters.index(11)  # 2022Q4
    cfg = plan_run.params.index
    assert card["scale"]["value"] == plan_run.recorder.series("index_scale")[i, PROVINCE]
    assert card["scale"]["threshold"] == cfg.m2022_scale
    outside = np.arange(C) != CITIES.index("Hangzhou")
    above = (plan_run.recorder.series("index")[i, :C][outside] >= cfg.m2022_spillover_index).sum()
    assert card["spillover"]["value"] == above and card["spillover"]["threshold"] == cfg.m2022_spillover_cities
    assert card["all"] == all(card[p]["met"] for p in index.PILLARS)
    short = small_model("horizon=2022Q3").run()  # the milestone quarter not simulated: nothing is scored
    assert milestone(short)["all"] is None and milestone(short)["scale"]["met"] is None


def test_a_run_writes_the_index_and_the_milestone(tmp_path):
    cfg = compose_config("scale=0.02", "replicates=3", "workers=1", "chart=true", "index.m2022_content=110")
    reps = run_replicates(cfg, progress=False)
    card = write_replicates(reps, cfg, tmp_path)
    doc = json.loads((tmp_path / "targets.json").read_text())
    # T1-T5 and "all" as before: all is P(all five targets), not the milestone
    assert {"T1", "T2", "T3", "T4", "T5", "all"} <= set(doc)
    assert doc["all"] == all_met(scorecard_rows(reps))
    # the milestone: well-formed, consistent with its criteria, summarised over replicates
    m = doc["M2022"]
    assert m["quarter"] == MILESTONE_QUARTER and set(m["dimensions"]) == set(index.PILLARS)
    per_rep = [milestone_from_records(r.frame) for r in reps]
    criteria = milestone_criteria(cfg.index)
    for p, e in m["dimensions"].items():
        assert {"criterion", "value", "threshold", "unit", "met", "median", "q05", "q95", "p_met", "p_met_ci",
                "n"} <= set(e)
        assert e["criterion"] == criteria[p] and e["n"] == 3
        assert e["met"] == meets(e["value"], e["threshold"]) and e["value"] == e["median"]
        values = [r[p]["value"] for r in per_rep]
        assert e["median"] == pytest.approx(np.median(values)) and e["q05"] <= e["median"] <= e["q95"]
        assert e["p_met"] == pytest.approx(np.mean([r[p]["met"] for r in per_rep]))
        lo, hi = e["p_met_ci"]
        assert 0 <= lo <= e["p_met"] <= hi <= 1
    assert m["dimensions"]["content"]["threshold"] == 110.0 and "≥ 110" in m["dimensions"]["content"]["criterion"]
    assert m["dimensions"]["spillover"]["unit"] == "cities"
    assert m["p_met"] == pytest.approx(np.mean([r["all"] for r in per_rep])) and m["n"] == 3
    assert m["met"] == all(e["met"] for e in m["dimensions"].values())
    # the index outcome: the province at the target year's Q4, median over replicates, growth beside the published
    ix = doc["index"]
    q4 = [r.frame.query("metric == 'index' and city == 'all' and quarter == '2025Q4'")["value"].item() for r in reps]
    assert ix["year"] == 2025 and ix["value"] == pytest.approx(np.median(q4)) and ix["p_met"] is None
    assert ix["growth_2020_2021"]["n"] == 3 and ix["growth_2020_2025"]["median"] is not None
    assert ix["published_growth_2017_2021"] == pytest.approx((123.9 / 80.9) ** 0.25 - 1)
    assert card["index"]["value"] == ix["value"]
    # the index metrics in timeseries.parquet, with units, the province as city 'all'
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    names = {n for n in METRICS if n.startswith("index")}
    assert names <= set(ts["metric"]) and {"index", *(f"index_{p}" for p in index.PILLARS)} <= names
    rows = ts[ts["metric"].isin(names)]
    assert rows["value"].notna().all() and (rows["unit"].str.len() > 0).all()
    pillars = rows[rows["metric"].str.fullmatch(r"index(_[a-z]+)?") & ~rows["metric"].str.startswith("index_m")]
    assert set(pillars["unit"]) == {index.UNIT} and set(pillars["city"]) == {*CITIES, "all"}
    assert (tmp_path / "index_by_city.png").stat().st_size > 10_000
