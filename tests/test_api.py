"""One way in: the Python API and `dtsim` give the same model for the same overrides and seed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from omegaconf import OmegaConf

from model.api import CONF_DIR, load_config, simulate
from model.model import DigitalTradeModel
from model.targets import scorecard
from model.validate import ConfigError

RUN = ("scale=0.02", "chart=false", "seed=3")


def test_python_api_and_dtsim_give_the_same_t1(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", *RUN, "hydra.run.dir=run"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads((tmp_path / "run" / "targets.json").read_text())["T1"]["value"]
    api = simulate(*RUN).scorecard["T1"]["value"]
    model = scorecard(DigitalTradeModel(load_config(*RUN)).run())["T1"]["value"]
    # two processes, the same code path: equal to a relative 1e-12 (never compared bit for bit)
    assert api == pytest.approx(cli, rel=1e-12) and model == pytest.approx(cli, rel=1e-12)


def test_the_default_model_is_the_one_dtsim_runs():
    """No config means dtsim's defaults, calibration included, not the schema's stated assumptions."""
    default = OmegaConf.to_container(DigitalTradeModel().cfg)
    assert default == OmegaConf.to_container(load_config())
    calibrated = OmegaConf.load(CONF_DIR + "/calibration/zhejiang_2023.yaml")
    assert default["world"]["digital_boom"]["level"] == calibrated.world.digital_boom.level
    assert OmegaConf.to_container(load_config("calibration=none"))["world"]["digital_boom"]["level"] \
        != calibrated.world.digital_boom.level


def test_keywords_are_overrides_and_configs_are_fresh_copies():
    a = simulate("scale=0.02", "horizon=2020Q4", seed=4)
    b = simulate(horizon="2020Q4", scale=0.02, seed=4)
    assert a.scorecard == b.scorecard and a.seed == 4 and a.replicate == 0
    cfg = load_config("seed=4")
    cfg.seed = 5
    assert load_config("seed=4").seed == 4  # the cache hands out copies


@pytest.mark.parametrize("override, culprit", [("policy.fund.annual_budget_cny=-1", "policy.fund.annual_budget_cny"),
                                               ("polcy=none", "polcy"), ("horizon=2021Q5", "horizon")])
def test_a_bad_override_is_one_line_naming_it(override, culprit):
    with pytest.raises(ConfigError) as err:
        load_config(override)
    assert culprit in str(err.value) and "\n" not in str(err.value)


def test_load_config_works_inside_a_running_hydra_app():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from model.api import CONF_DIR

    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        outer = GlobalHydra.instance().hydra
        assert load_config("seed=9").seed == 9
        assert GlobalHydra.instance().hydra is outer  # the app's Hydra is put back
        assert compose(config_name="config").seed == 0
