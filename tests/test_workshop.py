"""The workshop app's logic without a browser: presets, controls -> config and command, the counterfactual, the
live scorecard, separate sessions, one-line errors, and the views (the browser test is test_workshop_browser.py)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from agents.vocabulary import CITIES, quarter_index
from experiments.workshop import monitor, panels, views
from experiments.workshop.levers import CONTROLS
from experiments.workshop.session import WorkshopRun, so_far
from experiments.workshop.settings import Settings, presets
from model import config as schema
from model import targets as model_targets
from model.api import CONF_DIR, load_config
from model.targets import annual_digital_trade, scorecard
from model.validate import ConfigError
from tests.conftest import compose_config

SMALL = dict(scale=0.02, seed=2)


def _field(key: str):
    """The schema field (with unit and range metadata) of a dotted config key."""
    cls, parts = schema.Config, key.split(".")
    for part in parts[:-1]:
        cls = type(next(f for f in dataclasses.fields(cls) if f.name == part).default_factory())
    return next(f for f in dataclasses.fields(cls) if f.name == parts[-1])


def test_every_control_is_a_config_key_and_its_slider_stays_in_the_schema_range():
    plan = Settings()
    for key, control in CONTROLS.items():
        value = plan.value(key)  # raises if the key is not in the composed config
        meta = _field(key).metadata
        if control.kind == "slider":
            lo, hi = meta["range"]
            assert lo <= control.stored(control.lo) and control.stored(control.hi) <= hi, key
            assert control.lo <= control.shown(value) <= control.hi, f"{key}: the plan's value is off the slider"
        elif control.kind == "select":
            assert set(control.options) <= set(meta["choices"]), key
        else:
            assert isinstance(value, bool), key


def test_a_changed_control_gives_the_config_of_the_one_line_dtsim_command():
    s = Settings(preset="none", **SMALL).change("policy.fund.enabled", True) \
        .change("policy.fund.annual_budget_cny", CONTROLS["policy.fund.annual_budget_cny"].stored(2.5)) \
        .change("phasing", "hangzhou_only").change("world.fx", "strong_usd")
    assert s.command() == ("dtsim policy=none phasing=hangzhou_only policy.fund.enabled=true "
                           "policy.fund.annual_budget_cny=2.5e9 world.fx=strong_usd seed=2 scale=0.02")
    cfg = s.config()
    assert cfg == compose_config(*s.command().split()[1:])
    assert cfg.policy.fund.enabled and not cfg.policy.tax.enabled and cfg.policy.fund.annual_budget_cny == 2.5e9
    # setting a control back to the preset's value removes the change
    assert s.change("phasing", "plan").value("phasing") == "plan"
    assert "phasing" not in s.change("phasing", "plan").command()


def test_presets_are_listed_from_conf_experiment_with_their_sweep_points(tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    shutil.rmtree(conf / "experiment", ignore_errors=True)
    (conf / "experiment").mkdir()
    assert presets(str(conf)) == ["plan", "none"]
    (conf / "experiment" / "rollouts.yaml").write_text(
        "# @package _global_\n# Two roll-outs.\nreplicates: 5\nhydra:\n  sweeper:\n    params:\n"
        "      phasing: plan,hangzhou_only\n")
    found = presets(str(conf))  # a new file shows up without a code change
    assert found == ["plan", "none", "experiment=rollouts", "experiment=rollouts phasing=plan",
                     "experiment=rollouts phasing=hangzhou_only"]
    # a point of a sweep of conf/experiment/ (runs are composed from conf/ only, by model.api.load_config)
    point = "experiment=phasing_alternatives phasing=hangzhou_only"
    assert point in presets()
    s = Settings(preset=point, **SMALL)
    assert s.value("phasing") == "hangzhou_only"
    assert "replicates=1" in s.command()  # the app runs one seed of a sweep's point, and says so
    assert s.config().phasing.rollout.Ningbo == "never"
    assert s.config() == load_config(*s.command().split()[1:])


def test_the_app_run_and_its_counterfactual_are_the_runs_of_the_dtsim_commands(tmp_path):
    settings = Settings(**SMALL).change("policy.fund.annual_budget_cny", 3e9)
    run = WorkshopRun(settings).finish()
    for name, command, card in (("run", settings.command(), run.scorecard()),
                                ("none", "dtsim policy=none seed=2 scale=0.02", run.none.card)):
        proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", *command.split()[1:], "chart=false",
                               f"hydra.run.dir={name}"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        targets = json.loads((tmp_path / name / "targets.json").read_text())
        for key in ("T1", "T2", "T3", "T4", "T5"):
            assert card[key]["value"] == pytest.approx(targets[key]["value"], rel=1e-9), (command, key)


def test_live_scorecard_becomes_the_scorecard_at_the_target_year():
    run = WorkshopRun(Settings(**SMALL))
    tg, rec = run.cfg.targets, run.model.recorder
    assert all(v is None for v in so_far(run.model).values())
    run.step(3)
    early = run.scorecard()
    assert early["T1"]["value"] is None and early["T3"]["value"] is not None and not early["T3"]["final"]
    assert early["T3"]["value"] == rec.series("platforms_global")[-1]  # T3–T5: now
    run.step(quarter_index(f"{tg.t2_base_year + 1}Q2") - run.quarter)  # mid-way through the year after the base
    assert run.scorecard()["T1"]["value"] == annual_digital_trade(rec, tg.t2_base_year, "USD")  # its last full year
    assert run.scorecard()["T2"]["value"] is None
    run.step(2)  # the year after the base year complete: T2 is its growth over the base year
    growth = annual_digital_trade(rec, tg.t2_base_year + 1) / annual_digital_trade(rec, tg.t2_base_year) - 1
    live = run.scorecard()
    assert live["T2"]["value"] == pytest.approx(growth) and live["T2"]["met"] == (growth >= tg.t2_growth)
    run.finish()
    assert run.done and run.step(1) == 0  # never past the horizon
    final, live = scorecard(run.model), so_far(run.model)
    for key in final:
        assert live[key] == pytest.approx(final[key]["value"], rel=1e-12), key  # same measures, reached live
        assert run.scorecard()[key]["final"] and run.scorecard()[key]["met"] == final[key]["met"]


def test_two_sessions_have_their_own_model_and_the_same_seed_gives_the_same_run():
    a, b = WorkshopRun(Settings(**SMALL)), WorkshopRun(Settings(**SMALL))
    assert a.model is not b.model
    a.step(4)
    assert b.quarter == -1 and b.model.recorder.quarters == []
    b.step(4)
    np.testing.assert_array_equal(a.model.recorder.series("digital_trade_usd"),
                                  b.model.recorder.series("digital_trade_usd"))


@pytest.mark.parametrize("settings, culprit", [
    (Settings(seed=-1), "seed=-1"),
    (Settings(seed="x"), "seed='x'"),
    (Settings(changes=(("policy.fund.annual_budget_cny", -5.0),)), "policy.fund.annual_budget_cny=-5"),
    (Settings(preset="experiment=nothing_here"), "preset='experiment=nothing_here'"),
])
def test_bad_input_is_a_one_line_error_naming_the_culprit(settings, culprit):
    with pytest.raises(ConfigError) as err:
        WorkshopRun(settings)
    assert culprit in str(err.value) and "\n" not in str(err.value)


def test_money_and_gain_count_only_the_levers_switched_on():
    run = WorkshopRun(Settings(preset="none", **SMALL).change("policy.fund.enabled", True))
    assert run.spending()["per_yuan"] is None
    run.step(12)
    money = run.spending()
    assert money["spent"]["fund"] > 0 and all(v == 0 for k, v in money["spent"].items() if k != "fund")
    gain = (run.model.recorder.series("digital_trade_total") - run.none.cny[:12]).sum()
    assert money["gain"] == pytest.approx(gain) and money["per_yuan"] == pytest.approx(gain / money["total"])


def test_views_are_echarts_options_of_the_run():
    run = WorkshopRun(Settings(**SMALL))
    empty = views.trade_option(run)
    assert "press Step" in json.dumps(views.city_kind_option(run))
    run.step(5)
    trade, city = views.trade_option(run), views.city_kind_option(run)
    for option in (trade, city):
        json.dumps(option, allow_nan=False)  # plain data the browser can take as it is
        assert option["animation"] is False and run.label in option["aria"]["label"]["description"]
    names = [s["name"] for s in trade["series"]]
    assert trade != empty and "one draw (seed 2): plan" in names  # this run's line appears, named for what runs
    this = next(s for s in trade["series"] if s["name"].startswith("one draw"))
    usd = run.model.recorder.series("digital_trade_usd") * 4 / 1e9
    np.testing.assert_allclose(this["data"], usd, rtol=1e-3)  # sent to 4 significant digits
    assert "calendar-year totals (one draw, at Q4)" in names  # 2020 is complete
    bars = [s for s in city["series"] if s["type"] == "bar"]
    assert sum(sum(s["data"]) for s in bars) == pytest.approx(
        (run.model.recorder.series("digital_trade")[-1] * 4 / run.model.recorder.series("fx")[-1] / 1e9).sum(),
        rel=1e-2)
    state = run.model.rng.bit_generator.state
    views.network_option(run)
    assert run.model.rng.bit_generator.state == state  # drawing never touches the model's generator


class _FakeRecorder:
    """A recorder of a model version that records an index: the composite and two pillars by city (the province
    last), and one milestone criterion with its threshold."""

    def __init__(self, quarters: int):
        rng = np.random.default_rng(0)
        self.quarters = list(range(quarters))
        self.data = {"index": list(100 + rng.random((quarters, len(CITIES) + 1))),
                     "index_alpha": list(90 + rng.random((quarters, len(CITIES) + 1))),
                     "index_beta": list(110 + rng.random((quarters, len(CITIES) + 1))),
                     "index_m2022_alpha": [95.0] * quarters, "index_m2022_alpha_threshold": [120.0] * quarters,
                     "digital_trade_usd": [1.0] * quarters}

    def series(self, name):
        return np.stack(self.data[name]) if self.quarters else np.empty(0)


FAKE_METRICS = {"digital_trade_usd": ("USD/quarter", ""), "index": ("points", "city_all"),
                "index_alpha": ("points", "city_all"), "index_beta": ("points", "city_all"),
                "index_m2022_alpha": ("points", ""), "index_m2022_alpha_threshold": ("points", "")}
NO_INDEX = {"digital_trade_usd": ("USD/quarter", "")}


def test_the_monitoring_view_draws_any_index_metrics_and_says_when_there_are_none(monkeypatch):
    run = WorkshopRun(Settings(**SMALL))
    run.step(9)
    # a model version without the index: no chart, and no milestone (the page says so)
    assert views.monitor_option(run, NO_INDEX) is None and monitor.index_series(run.model.recorder, NO_INDEX) is None
    monkeypatch.setattr(monitor, "scored_milestone", lambda model: None)
    assert run.milestone() is None
    assert "not available in this model version" in panels.milestones_md(run, metrics=NO_INDEX)
    # a model version that records an index, its pillars and the milestone's criteria (but scores no milestone)
    real = run.model.recorder
    run.model.recorder = _FakeRecorder(len(real.quarters))
    try:
        option = views.monitor_option(run, FAKE_METRICS)
        text = panels.criteria_md(run.model.recorder, run.label, FAKE_METRICS)
    finally:
        run.model.recorder = real
    json.dumps(option, allow_nan=False)
    assert len(option["grid"]) == len(CITIES) + 1  # a panel per city, and the province
    names = {s["name"] for s in option["series"]}
    assert names == {"composite index", "alpha", "beta", "in the zone"}
    composite = [s for s in option["series"] if s["name"] == "composite index"]
    assert len(composite) == len(CITIES) + 1 and all(len(s["data"]) == 9 for s in composite)
    # the zone's quarters, shaded per city: Hangzhou and Ningbo from the plan's rollout quarters on
    bands = [s["markArea"]["data"] for s in option["series"] if s["name"] == "in the zone"]
    rollout = run.cfg.phasing.rollout
    assert bands[CITIES.index("Hangzhou")][0][0]["xAxis"] == max(rollout.Hangzhou, run.cfg.policy.fund.start)
    assert option["series"][0]["markLine"]["data"] == [{"xAxis": "2022Q4"}]  # when the milestone is judged
    assert "m2022 alpha" in text and "below" in text and "120" in text  # a criterion, as recorded, vs its threshold
    # the model of this checkout: the view follows whatever index metrics it records, or says it has none
    if monitor.index_metrics():
        assert views.monitor_option(run) is not None
    else:
        assert views.monitor_option(run) is None


def test_phasing_rows_say_which_cities_are_in_the_zone_when():
    run = WorkshopRun(Settings(**SMALL).change("phasing", "hangzhou_only"))
    run.step(6)
    rows = {r["city"]: r for r in monitor.phasing_rows(run.model)}
    assert rows["Ningbo"]["zone"] == "never" and rows["Hangzhou"]["zone"].startswith(run.cfg.policy.fund.start)
    assert "fund" in rows["Hangzhou"]["now"] and "fund" not in rows["Ningbo"]["now"]
    assert rows["Ningbo"]["now"] == ["infrastructure"]  # province-wide, not the zone
    zone = monitor.zone_by_quarter(run.model)
    assert zone.shape == (run.model.n_quarters, len(CITIES)) and not zone[:, CITIES.index("Ningbo")].any()
    assert "| Ningbo | never | infrastructure |" in panels.phasing_md(run)


def test_a_milestone_in_the_scorecard_is_shown_beside_the_targets(monkeypatch):
    import experiments.workshop.session as session

    def with_milestone(model):
        card = scorecard(model)
        done = len(model.recorder.quarters) >= quarter_index("2022Q4") + 1
        card["M2022"] = {"value": 3.0 if done else None, "threshold": 4, "unit": "pillars", "met": False if done
                         else None}
        return card
    monkeypatch.setattr(session, "scorecard", with_milestone)
    run = WorkshopRun(Settings(**SMALL))
    run.step(4)
    card = run.scorecard()
    assert card["M2022"]["value"] is None and not card["M2022"]["final"]
    assert "| **M2022**" in panels.scorecard_md(run) and "not yet simulated" in panels.scorecard_md(run)
    run.step(quarter_index("2022Q4") + 1 - 4)
    assert "| **M2022**  | ≥ 4 | 3 pillars | not met |" in panels.milestones_md(run)
    assert monitor.milestone_quarters(run.scorecard(), NO_INDEX) == ["2022Q4"]


@pytest.mark.skipif(not hasattr(model_targets, "milestone"), reason="this model version scores no 2022 milestone")
def test_the_scored_milestone_is_live_before_its_quarter_and_final_after():
    from model.targets import milestone
    run = WorkshopRun(Settings(**SMALL))
    run.step(6)
    live = run.milestone()
    dims = live["dimensions"]
    assert live["all"] is None and all(not d["final"] for d in dims.values())
    rec = run.model.recorder
    for dim, d in dims.items():  # so far: the criterion as recorded in the last quarter, against its threshold
        assert d["value"] == rec.series(f"index_m2022_{dim}")[-1] and d["met"] == (d["value"] >= d["threshold"])
    assert "the value so far" in panels.milestones_md(run) and "not yet judged" in panels.milestones_md(run)
    run.step(quarter_index(live["quarter"]) + 1 - 6)
    run.step(4)  # past the milestone quarter: the values stay those of that quarter
    final, scored = run.milestone(), milestone(run.model)
    for dim, d in final["dimensions"].items():
        assert d["final"] and d["value"] == scored[dim]["value"] and d["met"] == scored[dim]["met"]
        assert d["none"] == run.none.milestone[dim]["value"]
    assert final["all"] == scored["all"]
    text = panels.milestones_md(run)
    assert ("**met** (all dimensions)" if final["all"] else "**not met**") in text and "so far" not in text


def test_panels_say_which_levers_are_on():
    run = WorkshopRun(Settings(preset="none", **SMALL).change("policy.tax.enabled", True))
    text = panels.explain_md(run)
    assert "**Tax incentives** (2020Q4–2025Q4" in text and "**Special fund (grants)**: off." in text
    card = panels.scorecard_md(run)
    assert all(key in card for key in ("T1", "T2", "T3", "T4", "T5")) and "per yuan spent" in card
