"""Stock-flow consistency, checked after every quarter: what enters or leaves a stock is accounted for.

Firms: start + entrants - exits = living (rows and weighted firms). Talent: migration moves workers, never makes or
loses them; headcount changes only by graduates, training, international inflow and attrition. Money: no lever spends
more than its budget allows, and what it spends someone receives (cumulative, CNY). Platform GMV is its sellers'
exports. Cities add up to the province. No stock goes negative. Floats: relative tolerance 1e-9, never bit for bit.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agents.talent import COHORTS, migrate
from agents.vocabulary import CITIES
from model import phases, state
from model.policy import LEVERS, PROGRAMMES, Budget, Stance
from model.model import DigitalTradeModel
from tests.conftest import compose_config

RTOL = 1e-9
C, R = len(CITIES), len(COHORTS)
RUNS = {"vectorised": ("scale=0.02", "seed=2"),  # ~3,500 firm rows to 2025Q4
        "reference": ("scale=0.01", "seed=3", "horizon=2021Q4", "engine=reference")}  # per agent: tiny and short
NOT_STOCKS = {("clouds", "quality")}  # a utility, may be any sign


def close(a, b) -> bool:
    return bool(np.isclose(a, b, rtol=RTOL, atol=0.0))


# ----------------------------------------------------------------------------------------------- checks
def snapshot(m) -> SimpleNamespace:
    """What the flows of the coming quarter are measured from."""
    f, t = m.firms, m.talent
    return SimpleNamespace(alive=f.view("alive").copy(), weight=f.view("weight").copy(),
                           heads=t.view("headcount").reshape(R, C).copy(),
                           wage_intl=t.view("wage").reshape(R, C)[2].copy(), demand=m.talent_demand.copy())


def check_firm_population(m, b) -> None:
    f, q, n0 = m.firms, m.quarter, len(b.alive)
    alive, w = f.view("alive"), f.view("weight")
    entrants = f.view("born") == q
    exits = b.alive & ~alive[:n0]
    rows = int(b.alive.sum() + entrants.sum() - exits.sum())
    assert alive.sum() == rows, f"q{q}: {alive.sum()} living rows, start + entrants - exits = {rows}"
    start, entered, left = (b.weight * b.alive).sum(), w[entrants].sum(), b.weight[exits].sum()
    recorded = m.recorder.data["firms"][-1].sum()  # (cities, kinds) at the end of the quarter
    for name, living in (("columns", (w * alive).sum()), ("recorded", recorded)):
        assert close(living, start + entered - left), \
            f"q{q}: {name} firms {living:.9g} != {start:.9g} + {entered:.9g} - {left:.9g}"


def talent_inflow(m, b) -> np.ndarray:
    """(cohorts,) workers added before attrition: graduates, training places, international inflow, derived from
    the config and the talent stance as phases.supply_talent derives them."""
    tc, ts = m.params.talent, m.stance["talent"]
    amenity = np.array([tc.amenity[c] for c in CITIES])
    inflow = np.array([0.7, 0.3, 0.0]) * tc.graduates_per_year / 4
    mult = np.ones(C)
    if ts.acting:
        housing = ts.housing_subsidy / 4 * (b.heads[2] * ts.cover).sum()
        wanted = housing + ts.training_places / 4 * ts.training_cost
        factor = min(1.0, ts.money / wanted) if wanted > 0 else 0.0
        inflow[0] += ts.training_places / 4 * factor * ((b.demand * ts.cover).sum() > 0)
        mult = 1.0 + ts.cover * (ts.visa_easing + ts.cover * ts.housing_subsidy * factor / (4 * b.wage_intl))
    inflow[2] += tc.international_inflow_per_year / 4 * (amenity * mult).sum() / amenity.sum()
    return inflow


def check_talent(m, b) -> None:
    after = m.talent.view("headcount").reshape(R, C).sum(axis=1)
    expected = (b.heads.sum(axis=1) + talent_inflow(m, b)) * (1.0 - m.params.talent.attrition_rate)
    np.testing.assert_allclose(after, expected, rtol=RTOL, atol=0, err_msg=f"q{m.quarter}: headcount by cohort")


def received(m) -> dict[str, float]:
    """Cumulative CNY each lever's money reached, summed over those who got it."""
    f = m.firms
    w = f.view("weight")
    return {"fund": (w * f.view("grants")).sum() + m.platforms.view("grants").sum(),
            "tax": (w * f.view("tax_relief")).sum(), "market_access": 0.0,
            "talent": m.talent.view("support").sum(), "infrastructure": m.infra_invested.sum(),
            "cbec": m.cbec_invested.sum(), "demo_bases": m.base_support.sum(),
            **{lever: m.programme_funds[lever].sum() for lever in PROGRAMMES}}


def check_money(m) -> None:
    q, got = m.quarter, received(m)
    for lever in LEVERS:
        spent, budget = m.recorder.series(f"spending_{lever}"), m.budgets[lever]  # index = quarter
        allowed = budget.annual * (q % 4 + 1) / 4  # the year's allotment to date
        year = spent[q - q % 4: q + 1].sum()
        assert spent[q] >= 0 and year <= allowed * (1 + RTOL), f"q{q} {lever}: {year:.9g} spent of {allowed:.9g}"
        assert close(budget.spent_total, spent.sum()), f"q{q} {lever}: budget and records disagree"
        assert close(got[lever], spent.sum()), f"q{q} {lever}: spent {spent.sum():.9g}, received {got[lever]:.9g}"


def check_cities_sum_to_province(m) -> None:
    rec = m.recorder.data
    total = rec["digital_trade_total"][-1]  # summed over firms and clouds, not over the cells
    assert close(rec["digital_trade"][-1].sum(), total), f"q{m.quarter}: cities x kinds != province"
    f = m.firms
    assert close(rec["firms"][-1].sum(), (f.view("weight") * f.view("alive")).sum()), f"q{m.quarter}: firms"


def numbers(value, name: str):
    """(name, float array) for every number held in a model attribute (dicts, budgets, stances, rounds)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numbers(v, f"{name}.{k}")
    elif isinstance(value, (Budget, Stance, SimpleNamespace)):
        yield from numbers(vars(value), name)
    elif isinstance(value, (float, np.ndarray)) and np.asarray(value).dtype.kind == "f":
        yield name, np.asarray(value)


def check_no_negative_stock(m) -> None:
    for kind in ("firms", "platforms", "clouds", "talent"):
        s = getattr(m, kind)
        for col, (dtype, _, _) in s.GLOSSARY.items():
            if dtype == "f8" and (kind, col) not in NOT_STOCKS:
                assert (s.view(col) >= 0).all(), f"q{m.quarter}: negative {kind}.{col}"
    for attr in state.GLOSSARY:
        for name, arr in numbers(getattr(m, attr), attr):
            assert (arr >= 0).all(), f"q{m.quarter}: negative {name}"


def gmv_probe(grow_platforms):
    """phases.grow_platforms, then GMV checked against the sellers' exports realised in `trade` (read before it)."""
    def probe(m, q):
        f, p = m.firms, m.platforms
        slots, w, dx = f.view("platforms").copy(), f.view("weight").copy(), f.view("digital_exports").copy()
        n, ext, active = p.n, p.view("external_ratio").copy(), p.view("active").copy()
        grow_platforms(m, q)
        held = (slots >= 0).sum(axis=1)
        expected = np.zeros(n)
        for j in range(slots.shape[1]):  # slot by slot, seller by seller
            on = slots[:, j] >= 0
            np.add.at(expected, slots[on, j], w[on] * dx[on] / held[on])
        np.testing.assert_allclose(p.gmv[:n], expected * (1 + ext) * active, rtol=RTOL, atol=0,
                                   err_msg=f"q{q}: platform GMV")
        assert (p.gmv[n: p.n] == 0).all(), f"q{q}: a new platform starts with GMV"
    return probe


def run_checked(m, monkeypatch) -> DigitalTradeModel:
    """Step to the horizon, every stock-flow check after every quarter."""
    monkeypatch.setattr(phases, "grow_platforms", gmv_probe(phases.grow_platforms))
    while m.quarter < m.n_quarters - 1:
        before = snapshot(m)
        m.step()
        check_firm_population(m, before)
        check_talent(m, before)
        check_money(m)
        check_cities_sum_to_province(m)
        check_no_negative_stock(m)
    return m


# ----------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("rule", ["competitive", "broad", "platform"])
@pytest.mark.parametrize("engine", ["vectorised", "reference"])
def test_stocks_and_flows_every_quarter(engine, rule, monkeypatch):
    m = run_checked(DigitalTradeModel(compose_config("chart=false", *RUNS[engine], f"policy.fund.rule={rule}")),
                    monkeypatch)
    # the checks had something to check: entry, exit, GMV, and the money of the levers that act by then
    f = m.firms
    assert (f.view("born") >= 0).any() and not f.view("alive").all() and m.platforms.view("gmv").sum() > 0
    spending = ("fund", "tax", "talent", "infrastructure", "cbec", "demo_bases", *PROGRAMMES)  # not market access
    for lever in spending:
        assert m.budgets[lever].spent_total > 0, lever
    grants = m.platforms.view("grants") if rule == "platform" else f.view("grants")
    assert grants.sum() > 0 and (m.platforms.view("grants").any() == (rule == "platform"))


def test_migration_moves_workers_without_making_or_losing_any():
    rng = np.random.default_rng(0)
    for rate in (0.0, 0.03, 0.5, 1.0):
        for _ in range(50):
            heads, utility = rng.uniform(0, 1e5, C), rng.normal(0, 3, C)
            moved = migrate(heads, utility, rate)
            assert close(moved.sum(), heads.sum()) and (moved >= 0).all()
            if rate == 0:
                np.testing.assert_allclose(moved, heads, rtol=RTOL)
    # with all utilities equal and everyone reconsidering, workers spread evenly
    np.testing.assert_allclose(migrate(np.arange(C, dtype=float), np.zeros(C), 1.0), np.full(C, (C - 1) / 2),
                               rtol=RTOL)
