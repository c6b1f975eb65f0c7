"""The workshop's ensemble, labels, presets, controls and comparisons without a browser: the members are the
replicates `dtsim ... replicates=N` runs (paired with the no-plan run of the same seed), the bands, P(met) and the
cost per yuan come from the project's one summary rule and `aggregate.ratio_interval`, queued members nobody waits
for are cancelled, labels say what runs, a preset resets every control, the lever controls follow model.policy.LEVERS
and the config schema, and the chart's units agree with the scorecard's."""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from agents.vocabulary import CITIES, quarter_index
from experiments.aggregate import ratio_interval
from experiments.replicates import target_stats
from experiments.workshop import ensemble, levers, panels, views
from experiments.workshop.session import MAX_PINS, WorkshopRun, none_config, pinned, so_far
from experiments.workshop.settings import Settings, preset_groups, presets
from model.api import simulate
from model.network import to_networkx
from model.policy import LEVERS
from model.targets import annual_digital_trade

SMALL = dict(scale=0.02, seed=3)


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """Members run in one thread of this process (no worker processes in the tests), with an empty cache."""
    pool = ThreadPoolExecutor(1)
    monkeypatch.setattr(ensemble, "_POOL", pool)
    monkeypatch.setattr(ensemble, "_DONE", type(ensemble._DONE)())
    monkeypatch.setattr(ensemble, "_PENDING", {})
    yield
    pool.shutdown(wait=True, cancel_futures=True)


def _fonts(node) -> list[float]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "fontSize"] + [x for v in node.values() for x in _fonts(v)]
    if isinstance(node, list):
        return [x for v in node for x in _fonts(v)]
    return []


def test_members_are_the_replicates_of_the_dtsim_run_paired_with_no_plan():
    settings = Settings(preset="none", **SMALL).change("policy.fund.enabled", True)
    run = WorkshopRun(settings)
    ens = run.ensemble(3).wait_complete(300)
    assert ens.complete and ens.pairs == [0, 1, 2]
    for r in range(3):  # replicate r of the run and of no plan: the runs of `dtsim ... replicates=3`
        for side, cfg in ((0, run.cfg), (1, none_config(run.cfg))):
            out = simulate(cfg=cfg, replicate=r)
            for key in ("T1", "T2", "T3", "T4", "T5"):
                assert ens.members[side][r].card[key]["value"] == pytest.approx(out.scorecard[key]["value"],
                                                                                rel=1e-12), (side, r, key)
            assert ens.members[side][r].spent == pytest.approx(sum(out.spending.values()), rel=1e-12)
    run.finish()  # replicate 0 is the one draw the page steps through, and its no-plan run the grey line
    assert ens.members[0][0].card["T1"]["value"] == pytest.approx(run.scorecard()["T1"]["value"], rel=1e-12)
    np.testing.assert_allclose(ens.members[1][0].usd, run.none.usd, rtol=1e-12)
    assert "replicates=3" in settings.command(3) and settings.command(3).endswith("seed=3 scale=0.02")


def test_the_summary_is_the_one_rule_and_the_cost_per_yuan_is_ratio_interval():
    run = WorkshopRun(Settings(preset="none", **SMALL).change("policy.tax.enabled", True))
    summary = run.ensemble(4).wait_complete(300).summary()
    assert summary["n"] == 4 and summary["complete"]
    # independently: each replicate through model.api.simulate, summarised by experiments.replicates.target_stats
    outs = [[simulate(cfg=cfg, replicate=r) for r in range(4)] for cfg in (run.cfg, none_config(run.cfg))]
    for key in ("T1", "T4"):
        values = pd.Series([o.scorecard[key]["value"] for o in outs[0]], dtype=float)
        met = pd.Series([o.scorecard[key]["met"] for o in outs[0]], dtype=object)
        expect = target_stats(values, met, outs[0][0].scorecard[key]["unit"])
        got = summary["run"]["targets"][key]
        for stat in ("median", "q05", "q95", "p_met"):
            assert got[stat] == pytest.approx(expect[stat], rel=1e-12), (key, stat)
    usd = np.stack([o.model.recorder.series("digital_trade_usd") if o.model else
                    o.records[o.records.metric == "digital_trade_usd"].value.to_numpy() for o in outs[0]]) * 4
    np.testing.assert_allclose(summary["run"]["median"], np.median(usd, axis=0), rtol=1e-12)
    np.testing.assert_allclose(summary["run"]["q95"], np.quantile(usd, 0.95, axis=0), rtol=1e-12)

    def trade(o):
        return o.records[o.records.metric == "digital_trade_total"].value.sum()
    d_trade = np.array([trade(a) - trade(b) for a, b in zip(*outs)])
    d_spend = np.array([sum(a.spending.values()) - sum(b.spending.values()) for a, b in zip(*outs)])
    ratio, lo, hi = ratio_interval(d_trade, d_spend)
    assert summary["per_yuan"]["ratio"] == pytest.approx(ratio, rel=1e-9)
    assert (summary["per_yuan"]["lo"], summary["per_yuan"]["hi"]) == pytest.approx((lo, hi), rel=1e-9)
    text = panels.ensemble_md(run, summary)
    assert f"{ratio:.1f}" in text and f"{lo:.1f} to {hi:.1f}" in text and "not value added" in text
    trade_chart = views.trade_option(run, summary)
    assert any(s["name"].startswith("tax only: median, 5–95 % of 4 seeds") for s in trade_chart["series"])


def test_queued_members_nobody_waits_for_are_cancelled_and_shared_ones_are_not():
    blocker = ensemble.executor().submit(lambda: __import__("time").sleep(1.0))  # the one worker is busy
    a = WorkshopRun(Settings(**SMALL)).ensemble(4)
    b = WorkshopRun(Settings(**SMALL).change("phasing", "hangzhou_only")).ensemble(4)
    shared = WorkshopRun(Settings(**SMALL)).ensemble(4)  # the same settings as `a`: waits on a's members
    b.cancel()
    a.cancel()
    blocker.result()
    shared.wait_complete(300)  # a's cancel did not cancel what `shared` waits for
    assert shared.complete and not a.error
    ensemble.executor().submit(lambda: None).result()  # the queue has drained
    assert not b.pairs and not b.complete  # b's members were cancelled before they ran
    again = WorkshopRun(Settings(**SMALL)).ensemble(4)
    assert again.complete  # every member cached: complete as soon as it starts, nothing run again


def test_labels_say_what_runs_not_the_preset():
    none = Settings(preset="none", **SMALL)
    assert none.change("policy.fund.enabled", True).label() == "fund only"
    assert none.change("policy.fund.enabled", True).change("policy.tax.enabled", True).label() == "fund + tax only"
    assert Settings(**SMALL).change("phasing", "hangzhou_only").label() == "plan, phasing=hangzhou_only"
    assert Settings("experiment=lever_ablation +experiment/lever_off=cbec", **SMALL).label() == "plan without cbec"
    assert none.label() == "no plan"
    assert none.change("policy.fund.enabled", True).change("policy.fund.annual_budget_cny", 3e9).label() == \
        "fund only, policy.fund.annual_budget_cny=3e9"
    # the world preset sets the USD path: the control shows the path that is used, and so does the label
    strong = Settings(**SMALL).change("world", "strong_usd")
    assert strong.value("world.fx") == "strong_usd" and strong.config().world.fx == "strong_usd"
    assert "world.fx=strong_usd" in strong.label()
    assert strong.change("world.fx", "weak_usd").config().world.fx == "weak_usd"
    # picking a world preset drops a path chosen inside the previous world
    assert Settings(**SMALL).change("world.fx", "weak_usd").change("world", "strong_usd").value("world.fx") == \
        "strong_usd"
    run = WorkshopRun(none.change("policy.fund.enabled", True))
    run.step(2)
    names = [s["name"] for s in views.trade_option(run)["series"]]
    assert "one draw (seed 3): fund only" in names and not any("none" in n or "(plan)" in n for n in names)


def test_picking_a_preset_resets_every_control_it_does_not_set():
    s = Settings(preset="none", **SMALL).change("policy.fund.enabled", True).change("phasing", "hangzhou_only")
    picked = s.pick("none")  # the same preset again: the guide's "preset none, then only Tax on"
    assert picked.changes == () and not picked.value("policy.fund.enabled") and picked.value("phasing") == "plan"
    assert (picked.seed, picked.scale) == (s.seed, s.scale)
    assert picked.change("policy.tax.enabled", True).label() == "tax only"


def test_presets_are_grouped_in_plain_words_with_their_overrides():
    groups = preset_groups()
    assert groups[0][1][:2] == [("plan", "the plan as written"), ("none", "no plan (all levers off)")]
    listed = [preset for _, items in groups for preset, _ in items]
    assert len(listed) == len(set(listed)) and set(listed) <= set(presets())
    swept = {p.split()[0] for p in presets() if " " in p}
    assert set(presets()) - set(listed) <= swept  # only an experiment's bare entry, when its points are listed
    for _, items in groups:
        for preset, name in items:
            assert name and "experiment=" not in name and "_" not in name.replace("cbec_b2c", ""), (preset, name)


def test_lever_controls_follow_the_levers_and_the_schema(monkeypatch):
    from model.config import PolicyCfg
    assert [f for f in levers.FAMILIES] == [f for f in LEVERS if levers.family_fields(f)]
    for title, controls, text in levers.FAMILIES.values():
        assert controls[0].key.endswith(".enabled") and controls[0].kind == "switch" and title and text
        assert all(c.help.startswith(c.key) and "source:" in c.help for c in controls)

    @dataclasses.dataclass
    class SandboxCfg(type(PolicyCfg().fund).__mro__[1]):  # a new family, as another developer would add it
        annual_budget_cny: float = dataclasses.field(default=4e8, metadata=dict(
            unit="CNY/year", range=(0.0, 1e11), source="A: test", uncertain=True, choices=None, quarter=False))
        trust_cost_cut: float = dataclasses.field(default=0.01, metadata=dict(
            unit="ad valorem", range=(0.0, 0.5), source="A: test", uncertain=True, choices=None, quarter=False))
        rule: str = dataclasses.field(default="a", metadata=dict(
            unit="rule", range=(None, None), source="A: test", uncertain=False, choices=("a", "b"), quarter=False))

    Policy = dataclasses.make_dataclass("Policy", [("sandbox", SandboxCfg, dataclasses.field(
        default_factory=SandboxCfg))], bases=(PolicyCfg,))
    built = levers.build((*LEVERS, "sandbox"), Policy)
    title, controls, _ = built["sandbox"]
    by_key = {c.key: c for c in controls}
    assert title == "Sandbox" and set(by_key) == {"policy.sandbox.enabled", "policy.sandbox.annual_budget_cny",
                                                 "policy.sandbox.trust_cost_cut", "policy.sandbox.rule"}
    budget, cut = by_key["policy.sandbox.annual_budget_cny"], by_key["policy.sandbox.trust_cost_cut"]
    assert budget.unit == "CNY bn/year" and budget.stored(budget.shown(4e8)) == 4e8
    assert 0 <= budget.stored(budget.lo) and budget.stored(budget.hi) <= 1e11 and budget.lo <= 0.4 <= budget.hi
    assert cut.unit == "pp" and cut.stored(cut.hi) <= 0.5 and cut.lo <= 1 <= cut.hi
    assert by_key["policy.sandbox.rule"].options == ("a", "b")
    # a curated control whose key has left the schema is dropped, not shown broken
    monkeypatch.setitem(levers.CURATED, "policy.fund.gone_cny", levers.Control("policy.fund.gone_cny", "gone"))
    assert "policy.fund.gone_cny" not in {c.key for c in levers.build(("fund",))["fund"][1]}


def test_the_no_plan_column_is_read_at_the_same_quarter():
    run = WorkshopRun(Settings(**SMALL))
    run.step(quarter_index("2021Q3") + 1)
    card, rec = run.scorecard(), run.none.records
    t = len(run.model.recorder.quarters)
    assert card["T3"]["none"] == rec.series("platforms_global")[t - 1]
    assert card["T1"]["none"] == pytest.approx(annual_digital_trade(rec.upto(t), 2020, "USD"), rel=1e-12)
    assert card["T1"]["none"] != run.none.card["T1"]["value"]
    assert so_far(run.model, rec.upto(t))["T4"] == card["T4"]["none"]
    assert "no plan, same seed, same quarter" in panels.scorecard_md(run)
    run.finish()
    assert run.scorecard()["T1"]["none"] == run.none.card["T1"]["value"]  # at the end: the no-plan run's 2025


def test_the_t2_path_is_the_scorecards_cny_target_in_usd_at_each_years_rate():
    run = WorkshopRun(Settings(**SMALL).change("world.fx", "strong_usd")).finish()
    tg, rec = run.cfg.targets, run.model.recorder
    labels, path, base = views.t2_path_usd(run)
    assert base == annual_digital_trade(rec, tg.t2_base_year)  # in CNY, as model.targets.scorecard measures T2
    fx = rec.series("fx")
    for label, value in zip(labels, path):
        year, q = int(label[:4]), quarter_index(label)
        assert value * 1e9 * fx[q] == pytest.approx(base * (1 + tg.t2_growth) ** (year - tg.t2_base_year), rel=1e-12)
    # so the chart and the scorecard agree: the target year's dot is on or above the path iff T2 is met
    usd_total = annual_digital_trade(rec, tg.year, "USD") / 1e9
    assert (usd_total >= path[-1] * (1 - 1e-12)) == run.scorecard()["T2"]["met"]
    fx_chart = views.fx_option(run)
    used = next(s for s in fx_chart["series"] if s["name"].startswith("this run: world.fx=strong_usd"))
    np.testing.assert_allclose(used["data"], fx, rtol=1e-3)  # the rate the run used, sent to 4 digits


def test_every_chart_text_is_projector_sized_and_the_network_agrees_with_the_model():
    run = WorkshopRun(Settings(**SMALL))
    run.step(9)
    summary = run.ensemble(2).wait_complete(300).summary()
    options = [views.trade_option(run, summary, (("x", summary),)), views.city_kind_option(run),
               views.network_option(run), views.fx_option(run, (("x", summary),)), views.monitor_option(run)]
    for option in options:
        json.dumps(option, allow_nan=False)
        sizes = _fonts(option)
        assert sizes and min(sizes) >= views.FONT, option["title"]
    net = views.network_option(run)
    assert net["title"]["text"].startswith("Network in 2022Q1") and "2022Q1" in net["aria"]["label"]["description"]
    data = views.network_data(run.model)
    full = to_networkx(run.model, sample=None)
    weight = run.model.firms.view("weight")
    for k in range(run.model.clouds.n):  # firms of each city using cloud k, weighted: from the networkx view
        users = [int(n.split(":")[1]) for n in full.neighbors(f"cloud:{k}")] if f"cloud:{k}" in full else []
        by_city = np.bincount([full.nodes[f"firm:{r}"]["city"] for r in users], weights=weight[users],
                              minlength=len(CITIES))
        np.testing.assert_allclose(data["to_cloud"][:, k], by_city, rtol=1e-9)
    assert {n["name"] for n in net["series"][0]["data"]} >= set(CITIES)
    run.step(1)
    assert views.network_option(run)["title"]["text"].startswith("Network in 2022Q2")  # redrawn every quarter


def test_at_most_three_pins_each_settings_once():
    pins, message = (), ""
    for budget in (1e9, 2e9, 3e9, 4e9):
        run = WorkshopRun(Settings(**SMALL).change("policy.fund.annual_budget_cny", budget))
        pins, message = pinned(pins, run, None)
    assert len(pins) == MAX_PINS and "at most" in message
    again, message = pinned(pins[:1], WorkshopRun(pins[0].settings), None)
    assert len(again) == 1 and "already pinned" in message
    assert pins[0].name == "plan" and pins[1].name == "plan, policy.fund.annual_budget_cny=2e9"
