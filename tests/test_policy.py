"""Policy effects, rules and budget arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from model.policy import Budget, coverage, fund_in_order, rollout_quarters
from model.targets import annual_digital_trade
from agents.vocabulary import CITIES, quarter_index
from tests.conftest import compose_config, small_model


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plan_beats_none_on_2025_digital_trade(seed):
    plan = small_model("policy=plan", f"seed={seed}").run()
    none = small_model("policy=none", f"seed={seed}").run()
    assert annual_digital_trade(plan.recorder, 2025) > annual_digital_trade(none.recorder, 2025)


def test_fund_in_order_respects_budget_and_priority():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = rng.integers(1, 50)
        amount, weight = rng.uniform(0, 10, n), rng.uniform(1, 5, n)
        budget = rng.uniform(0, 200)
        funded = fund_in_order(rng.random(n), amount, weight, budget)
        assert (amount * weight * funded).sum() <= budget + 1e-9
    funded = fund_in_order(np.array([1.0, 3.0, 2.0]), np.ones(3), np.ones(3), 2.0)
    assert funded.tolist() == [False, True, True]


def test_budget_allots_by_quarter_and_carries_within_year():
    b = Budget(400.0)
    assert b.available(0) == 100.0
    b.spend(0, 40.0)
    assert b.available(1) == 160.0  # 60 carried over plus the second quarter's 100
    with pytest.raises(AssertionError):
        b.spend(1, 161.0)
    assert b.available(4) == 100.0  # a new year starts afresh


def test_phasing_decides_coverage():
    cfg = compose_config()
    rollout = rollout_quarters(cfg.phasing)
    fund = cfg.policy.fund
    hz, nb, ls = CITIES.index("Hangzhou"), CITIES.index("Ningbo"), CITIES.index("Lishui")
    assert not coverage(fund, rollout, quarter_index("2020Q3")).any()  # before the plan
    q4 = coverage(fund, rollout, quarter_index("2020Q4"))
    assert q4[hz] and not q4[nb]
    assert coverage(fund, rollout, quarter_index("2021Q1"))[nb]
    assert coverage(fund, rollout, quarter_index("2023Q1"))[ls]
    only = rollout_quarters(compose_config("phasing=hangzhou_only").phasing)
    assert coverage(fund, only, quarter_index("2025Q4")).sum() == 1


def test_hangzhou_only_spends_only_in_hangzhou_and_reaches_less():
    full = small_model("seed=1").run()
    hz = small_model("seed=1", "phasing=hangzhou_only").run()
    # the levers' direct reach: fewer firms transform outside Hangzhou (measured over seeds 0-3 at this scale:
    # 6-30 % fewer, depending on the calibration; 2025 digital trade differs by less, at times within one
    # seed's noise)
    outside = [c for c in range(len(CITIES)) if CITIES[c] != "Hangzhou"]
    transformed = {name: m.recorder.series("firms_transformed")[-1, outside].sum() for name, m in
                   (("full", full), ("hz", hz))}
    assert transformed["hz"] < transformed["full"]
    grants = hz.firms.view("grants") > 0
    assert set(hz.firms.view("city")[grants]) <= {CITIES.index("Hangzhou")}
