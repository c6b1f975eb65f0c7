"""Every config group composes and validates; every kind of bad input fails at start with one line."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model.validate import ConfigError, validate
from tests.conftest import compose_config

CONF = Path(__file__).resolve().parent.parent / "conf"


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


@pytest.mark.parametrize("policy,world,phasing",
                         list(itertools.product(options("policy"), options("world"), options("phasing"))))
def test_every_group_combination_composes_and_validates(policy, world, phasing):
    cfg = compose_config(f"policy={policy}", f"world={world}", f"phasing={phasing}")
    validate(cfg)
    assert cfg.policy.name == policy and cfg.phasing.name == phasing


def test_policy_none_switches_every_lever_off():
    cfg = compose_config("policy=none")
    assert not any(lever.enabled for lever in cfg.policy.values() if hasattr(lever, "enabled"))


BAD = {
    "policy.fund.annual_budget_cny=-1": "policy.fund.annual_budget_cny=-1 is out of range",
    "scale=0": "scale=0 is out of range",
    "policy.tax.super_deduction=9": "policy.tax.super_deduction=9 is out of range",
    "policy.fund.rule=lottery": "policy.fund.rule='lottery' is not one of",
    "world.fx=euro": "world.fx='euro' is not one of",
    "horizon=2040Q1": "horizon=2040Q1 is out of range",
    "policy.fund.start=2026Q1": "policy.fund.start=2026Q1 is after policy.fund.end",
    "phasing.rollout.Ningbo=soon": "phasing.rollout.Ningbo='soon' is not a quarter",
    "policy.fnd.enabled=false": "policy.fnd is not a parameter — did you mean 'fund'?",
    "scale=big": "could not be converted to Float",
    "world.market_share.us=0.9": "world.market_share must sum to 1",
    "+policy.fund.bonus=1": "policy.fund.bonus is not a parameter",
}


@pytest.mark.parametrize("override", list(BAD))
def test_dtsim_bad_config_one_line_no_output(override, tmp_path):
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    proc = subprocess.run([sys.executable, "-m", "experiments.dtsim", override], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("dtsim: config error:") and BAD[override] in lines[0]
    assert "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_no_user_target_can_instantiate_classes():
    """A `_target_` added with '+' is refused as an unknown key (and the code never calls instantiate)."""
    with pytest.raises(ConfigError, match="policy.fund._target_ is not a parameter"):
        validate(compose_config("+policy.fund._target_=os.system"))
    assert "instantiate" not in "".join(p.read_text() for p in Path("model").glob("*.py"))


@pytest.mark.parametrize("override, suggestion", [
    ("policy.fund.anual_budget_cny=2e9", "did you mean 'annual_budget_cny'?"),
    ("polcy=none", "did you mean 'policy'?"),
    ("policy=nonee", "did you mean 'none'?"),
    ("policy.fund.rule=competitve", "did you mean 'competitive'?"),
    ("world.fx=strong_usdd", "did you mean 'strong_usd'?"),
    ("phasing.rollout.Hangzou=2021Q1", "did you mean 'Hangzhou'?"),
])
def test_a_misspelt_key_or_value_gets_the_closest_name(override, suggestion):
    from model.api import load_config

    with pytest.raises(ConfigError) as err:
        load_config(override)
    message = str(err.value)
    assert suggestion in message and "+" not in message.split("did you mean")[0] and "\n" not in message
