"""Shared helpers: compose the real Hydra config (conf/) with overrides, and small seeded models."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir

from experiments.dtsim import CONF_DIR
from model.config import register
from model.model import DigitalTradeModel

SMALL = ["scale=0.02", "chart=false"]  # ~2,900 firm agents: the take-all stratum plus a 2 % sample


def compose_config(*overrides: str):
    register()
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides))


def small_model(*overrides: str) -> DigitalTradeModel:
    return DigitalTradeModel(compose_config(*SMALL, *overrides))


@pytest.fixture(scope="session")
def plan_run() -> DigitalTradeModel:
    """One small plan run to the 2025 horizon, shared by read-only tests."""
    return small_model("seed=1").run()
