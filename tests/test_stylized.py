"""Stylized facts measured on a seeded simulated run, asserted within literature ranges (calibration/facts.py).

The measurements are first checked on synthetic data with known answers. A fact the model does not reproduce
is marked xfail(strict=True) naming the gap, so a model change that fixes it turns the test red until the
marker is removed.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.api import load_config as compose, replicate_seeds
from calibration.facts import (LITERATURE, PRODUCED_TAIL, PRODUCED_TAIL_OVERRIDES, growth_shape, growth_size_beta,
                               measure_facts, produced_tail, simulate_panel, tail_exponent)

RNG = np.random.default_rng(12345)


# ------------------------------------------------------------------------------- the measurements themselves
def test_tail_exponent_recovers_a_known_pareto():
    x = (1.0 - RNG.random(4_000)) ** (-1.0 / 1.0)  # CCDF exponent 1 (Zipf)
    assert tail_exponent(x, largest=1500)["value"] == pytest.approx(1.0, abs=0.1)
    y = (1.0 - RNG.random(4_000)) ** (-1.0 / 1.5)
    assert tail_exponent(y, largest=1500)["value"] == pytest.approx(1.5, abs=0.15)


def test_growth_shape_tells_laplace_from_normal():
    kind = np.zeros(50_000, dtype=int)
    lap = growth_shape(RNG.laplace(0.0, 0.1, 50_000), kind)
    nor = growth_shape(RNG.normal(0.0, 0.1, 50_000), kind)
    assert lap["shape"] == pytest.approx(1.0, abs=0.1) and lap["laplace_gain"] > 0
    assert nor["shape"] == pytest.approx(2.0, abs=0.15) and nor["laplace_gain"] < 0


def test_growth_size_beta_recovers_a_known_slope():
    log_size = RNG.normal(0.0, 2.0, 100_000)
    g = RNG.normal(0.0, 1.0, log_size.size) * 0.2 * np.exp(-0.2 * log_size)
    kind = np.zeros(log_size.size, dtype=int)
    assert growth_size_beta(g, log_size, kind)["value"] == pytest.approx(0.2, abs=0.03)


# ------------------------------------------------------------------------------- on a seeded simulated run
@pytest.fixture(scope="module")
def facts() -> dict:
    """Eight calibrated plan runs, one agent per firm, 2020Q1-2023Q4 (sizes at 2023Q4, growth 2023 over 2022):
    each fact's mean over the seeds, as `python -m experiments.validation` reports it. Eight, because one seed's
    platform HHI ranges over about 0.15-0.45 (a market tips to one platform in some runs): a mean over three
    still moves by +-0.05."""
    cfg = compose("scale=1.0", "horizon=2023Q4", "chart=false")
    runs = [measure_facts(simulate_panel(cfg, np.random.default_rng(ss)), 2023)["values"]
            for ss in replicate_seeds(7, 8)]
    return {name: float(np.mean([r[name] for r in runs])) for name in runs[0]}


def _within(name: str, value: float) -> bool:
    return LITERATURE[name].lo <= value <= LITERATURE[name].hi


def test_firm_size_tail_is_zipf(facts):
    assert _within("tail_exponent", facts["tail_exponent"]), facts["tail_exponent"]


# growth comes from structure (agents/firm.py renew_lines): lines born and dropped move a firm in jumps, and a firm
# with n lines moves by line_growth_sd / sqrt(n) -- nothing in the config states a growth shape or a beta
def test_growth_rates_are_tent_shaped(facts):
    assert _within("growth_shape", facts["growth_shape"]), facts["growth_shape"]


def test_laplace_fits_growth_better_than_normal(facts):
    assert _within("growth_laplace_gain", facts["growth_laplace_gain"]), facts["growth_laplace_gain"]


def test_growth_spread_falls_with_size(facts):
    assert _within("growth_size_beta", facts["growth_size_beta"]), facts["growth_size_beta"]


@pytest.mark.slow
def test_zipf_tail_is_produced_from_lognormal_sizes_by_2035():
    """From log-normal initial sizes (top-tail ML exponent ~1.8 at 2025) the high-growth phases build a Zipf tail
    by 2035: the mean over the fixture's eight seeds, as `python -m experiments.validation` reports it (one seed's
    exponent moves by about 0.05, more than a fit's own standard error)."""
    cfg = compose(*PRODUCED_TAIL_OVERRIDES)
    values = [produced_tail(cfg, np.random.default_rng(ss))["value"] for ss in replicate_seeds(7, 8)]
    assert PRODUCED_TAIL.lo <= float(np.mean(values)) <= PRODUCED_TAIL.hi, values


def test_platform_markets_are_concentrated(facts):
    assert _within("platform_hhi_end", facts["platform_hhi_end"]), facts["platform_hhi_end"]


def test_platform_concentration_persists(facts):
    assert _within("platform_hhi_min", facts["platform_hhi_min"]), facts["platform_hhi_min"]
