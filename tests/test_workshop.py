"""The workshop app's logic without a browser: presets, controls -> config and command, the counterfactual, the
live scorecard, separate sessions, one-line errors, and the views (the browser test is test_workshop_browser.py)."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from agents.vocabulary import quarter_index
from experiments.workshop import panels, views
from experiments.workshop.levers import CONTROLS
from experiments.workshop.session import WorkshopRun, so_far
from experiments.workshop.settings import Settings, presets
from model import config as schema
from model.api import CONF_DIR, load_config
from model.network import to_networkx
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


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_views_draw_and_the_network_sample_agrees_with_to_networkx():
    run = WorkshopRun(Settings(**SMALL))
    empty = _png(views.trade_figure(run))
    run.step(5)
    assert _png(views.trade_figure(run)) != empty and _png(views.city_kind_figure(run))[:4] == b"\x89PNG"
    state = run.model.rng.bit_generator.state
    sample = views.NetworkSample(run.model, seed=0)
    fig, g = views.network_figure(run, sample)
    assert run.model.rng.bit_generator.state == state  # drawing never touches the model's generator
    firms = [n for n, d in g.nodes(data=True) if d["kind"] == "firm"]
    assert 50 <= len(firms) <= 220 and g.number_of_nodes() <= 320
    full = to_networkx(run.model, sample=None)
    for a, b, d in g.edges(data=True):
        assert full.has_edge(a, b) and full.edges[a, b]["layer"] == d["layer"]
    assert g.number_of_edges() == full.subgraph(g.nodes).number_of_edges()
    assert _png(fig)[:4] == b"\x89PNG"


def test_panels_say_which_levers_are_on():
    run = WorkshopRun(Settings(preset="none", **SMALL).change("policy.tax.enabled", True))
    text = panels.explain_md(run)
    assert "**Tax incentives** (2020Q4–2025Q4" in text and "**Special fund (grants)**: off." in text
    card = panels.scorecard_md(run)
    assert all(key in card for key in ("T1", "T2", "T3", "T4", "T5")) and "per yuan spent" in card
