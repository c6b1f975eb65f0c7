"""Shared helpers: the real config (conf/, composed by model.api as dtsim composes it) and small seeded models."""

from __future__ import annotations

import pytest

from model.api import load_config
from model.model import DigitalTradeModel

SMALL = ["scale=0.02", "chart=false"]  # ~2,900 firm agents: the take-all stratum plus a 2 % sample


def compose_config(*overrides: str):
    return load_config(*overrides)


def small_model(*overrides: str) -> DigitalTradeModel:
    return DigitalTradeModel(compose_config(*SMALL, *overrides))


@pytest.fixture(scope="session")
def plan_run() -> DigitalTradeModel:
    """One small plan run to the 2025 horizon, shared by read-only tests."""
    return small_model("seed=1").run()
