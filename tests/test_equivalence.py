"""The per-agent reference path (`engine=reference`, Mesa agents one at a time) gives the vectorised path's results.

Both engines call the same rule functions (agents/*.py) on the same state and draws; the reference engine on one
agent's row at a time, in shuffled order. Floats are compared with a relative tolerance of 1e-9, never bit for bit:
numpy's SIMD loops for exp/log/pow (and summation order) differ between a whole column and a single element, and
between CPUs, by an ulp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agents import CloudProvider, Firm, Platform, Talent
from model import phases
from model.model import DigitalTradeModel
from tests.conftest import compose_config

# DigitalTradeModel.step, one phase a line (test_phase_list_is_the_step checks it is the same order)
PHASES = ("set_policy_stance", "invest_in_infrastructure", "supply_talent", "decide_transformation", "choose_cloud",
          "join_platforms", "hire_talent", "trade", "renew_lines", "grow_platforms", "sell_cloud_abroad",
          "designate_bases", "pay_tax_expenditure", "enter_and_exit", "rewire_b2b")
RTOL = 1e-9  # relative; what one ulp here and there adds up to over a run is far below it
TINY = ("scale=0.01", "chart=false")  # ~1,900 firm agents: the take-all stratum plus a 1 % sample


def pair(*overrides: str) -> tuple[DigitalTradeModel, DigitalTradeModel]:
    fast = DigitalTradeModel(compose_config(*TINY, *overrides))
    slow = DigitalTradeModel(compose_config(*TINY, *overrides, "engine=reference"))
    slow.random.seed(12345)  # another agent order in shuffle_do: it must not matter
    return fast, slow


def state(m: DigitalTradeModel) -> dict[str, np.ndarray]:
    """Everything a phase may change: the living firms' rows, all rows of the other kinds, model-level arrays."""
    out = {}
    alive = m.firms.view("alive")
    out["firms.alive"] = alive.copy()
    for name in m.firms.GLOSSARY:
        out[f"firms.{name}"] = m.firms.view(name)[alive]
    for kind in ("platforms", "clouds", "talent"):
        s = getattr(m, kind)
        out.update({f"{kind}.{name}": s.view(name) for name in s.GLOSSARY})
    out.update({f"cover.{k}": s.cover for k, s in m.stance.items()})
    out.update({f"money.{k}": np.array(s.money) for k, s in m.stance.items()})
    out.update({f"spent.{k}": np.array(v) for k, v in m.spent.items()})
    out.update({f"budget.{k}": np.array([b.spent_year, b.spent_total]) for k, b in m.budgets.items()})
    for name in ("fill", "digital_cost_index", "infra_invested", "cbec_invested", "designated", "base_support",
                 "trade_cost_cut", "talent_demand", "talent_supply"):
        out[name] = np.asarray(getattr(m, name))
    out["cloud_price_index"] = np.array(m.cloud_price_index)
    out["links"] = m.links
    out["tax_claims.rows"], out["tax_claims.relief"] = m.tax_claims.rows, m.tax_claims.relief
    out["rng"] = np.array(str(m.rng.bit_generator.state))  # both paths drew the same numbers
    return out


def assert_same(a: dict, b: dict, where: str) -> None:
    assert a.keys() == b.keys()
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.shape == y.shape, f"{where}: {key} has shape {x.shape} vs {y.shape}"
        if x.dtype.kind == "f":
            np.testing.assert_allclose(y, x, rtol=RTOL, atol=0, err_msg=f"{where}: {key}")
        else:
            assert np.array_equal(x, y), f"{where}: {key} differs"


def assert_same_records(fast, slow) -> None:
    a, b = fast.recorder.to_frame(), slow.recorder.to_frame()
    pd.testing.assert_frame_equal(a.drop(columns="value"), b.drop(columns="value"))
    np.testing.assert_allclose(b["value"], a["value"], rtol=RTOL, atol=1e-6)  # atol: CNY, for records that are 0


@pytest.mark.parametrize("rule, quarters", [("competitive", 8), ("broad", 5), ("platform", 5)])
def test_every_phase_agrees(rule, quarters):
    """Phase by phase from the same state: vectorised on one model, agent by agent on the other."""
    fast, slow = pair("seed=3", f"policy.fund.rule={rule}")
    assert_same(state(fast), state(slow), "set-up")
    for q in range(quarters):  # 2020Q4 (q = 3) brings the fund, tax and base levers; q = 3 also names bases
        fast.quarter = slow.quarter = q
        for phase in PHASES:
            getattr(phases, phase)(fast, q)
            getattr(phases, phase)(slow, q)
            assert_same(state(fast), state(slow), f"quarter {q}, {phase}")
        fast.recorder.record(q)
        slow.recorder.record(q)
    assert_same_records(fast, slow)
    # the quarters checked exercised what they were meant to: adoption, grants, exit and entry
    f = slow.firms
    assert (f.view("transform_quarter") >= 0).any() and not f.view("alive").all() and (f.view("born") >= 0).any()
    if rule == "platform":
        assert slow.recorder.series("spending_fund").sum() > 0 and not f.view("grants").any()
    else:
        assert (f.view("grants") > 0).any()


def test_phase_list_is_the_step():
    stepped = DigitalTradeModel(compose_config(*TINY, "seed=4"))
    by_phase = DigitalTradeModel(compose_config(*TINY, "seed=4"))
    for q in range(2):
        stepped.step()
        by_phase.quarter = q
        for phase in PHASES:
            getattr(phases, phase)(by_phase, q)
        by_phase.recorder.record(q)
    assert_same(state(stepped), state(by_phase), "step vs phase list")


def test_whole_run_agrees_and_reference_uses_mesa_agents():
    fast, slow = pair("seed=5", "horizon=2022Q4")
    fast.run()
    slow.run()
    assert_same_records(fast, slow)
    assert_same(state(fast), state(slow), "2022Q4")
    # the reference path ran through the agents: one Firm agent per living row, entrants included
    firms = slow.agents_by_type[Firm]
    assert sorted(a.row for a in firms) == np.flatnonzero(slow.firms.view("alive")).tolist()
    assert slow.firms.view("born").max() > 0


def test_agents_are_made_on_demand_and_follow_entry_and_exit():
    m = DigitalTradeModel(compose_config(*TINY, "seed=6"))
    m.run(quarters=2)
    assert not m.row_agents[Firm].agent_of  # the vectorised path never needed them
    firms = m.agents_by_type[Firm]
    assert len(firms) == int(m.firms.view("alive").sum())
    first = {a.row: a for a in firms}
    m.run(quarters=2)  # exits and entries
    now = {a.row: a for a in m.agents_by_type[Firm]}
    alive = m.firms.view("alive")
    assert set(now) == set(np.flatnonzero(alive).tolist())
    assert any(r not in first for r in now) and any(r not in now for r in first)
    kept = [r for r in first if r in now]
    assert kept and all(now[r] is first[r] for r in kept)  # an agent stays the same object while its row lives
    assert all(a not in m.agents for r, a in first.items() if r not in now)  # leavers are removed from Mesa
    for cls, state_attr in ((Platform, "platforms"), (CloudProvider, "clouds"), (Talent, "talent")):
        assert len(m.agents_by_type[cls]) == getattr(m, state_attr).n


def test_engine_choice_is_validated():
    from model.validate import ConfigError

    with pytest.raises(ConfigError, match="engine='agents' is not one of vectorised, reference"):
        DigitalTradeModel(compose_config(*TINY, "engine=agents"))
