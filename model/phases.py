"""The phases of a quarter, in the order of DigitalTradeModel.step, on whole columns (the vectorised engine).

A phase in which agents decide has three parts, so that the per-agent reference path (model/reference.py,
`engine=reference`) shares the first and the last and differs only in who decides:
- a round (model/rounds.py) draws the phase's random numbers as arrays indexed by agent row (one number per row
  and decision, used or not) and gathers model-level inputs (menus, price tables);
- the agents decide: here as whole columns (model/columns.py), there one Mesa agent at a time in shuffled order,
  each writing into its own row or the round. Decisions read the state at the start of the phase, so agent order
  does not matter;
- a settlement (model/rounds.py) does what only the model can: grant rationing in priority order, markets.
Phases where only the province acts (policy, investment, talent supply, bases) are here in full. Pure economics
lives in agents/*.py. Money is CNY per quarter unless a name says otherwise.
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_picks
from agents.cloud import overseas_sales, provider_menus, provider_utility
from agents.talent import COHORTS, migrate
from model import columns, rounds
from model.policy import LEVERS, coverage
from model.rounds import by_kind, spend
from model.setup import initial_talent
from model.vocabulary import CBEC, CITIES, CONTENT, FIRM_KINDS, SERVICE, TRADITIONAL

K, C = len(FIRM_KINDS), len(CITIES)


# ----------------------------------------------------------------------------------------------- set-up
def calibrate_initial_state(m) -> None:
    """Memberships, cloud customers, then size levels so that end-2019 totals match the configured ones."""
    f, p, rng = m.firms, m.params, m.rng
    m.tau0 = by_kind(p.firm.trade_cost)
    m.export_share = 1.0 / (1.0 + by_kind(p.firm.import_ratio))
    m.trade_cost_cut = np.zeros((C, K))
    m.base_member = np.zeros(f.n, dtype=bool)
    m.digital_cost_index = np.ones(C)
    m.fill = np.ones(C)
    m.cover = {lever: np.zeros(C, dtype=bool) for lever in LEVERS}
    m.tax_claims = (np.empty(0, dtype=np.int64), np.empty(0))
    m.cloud_price_index = 1.0  # demand-weighted cloud price; scales what digitalisation costs
    # sellers join one platform each; transformed firms use a cloud
    m.platforms.sellers[: m.platforms.n] = 0.0
    join_platforms(m, q=-1, share=1.0)
    users = np.flatnonzero(f.view("transformed"))
    c = m.clouds
    menus = provider_menus(provider_utility(c.view("price"), c.view("quality"), p.cloud.price_elasticity),
                           c.view("home"), c.view("active"), C)
    f.cloud[users] = logit_picks(menus, f.city[users], rng.random(len(users)))
    # size levels: kind totals of end-2019 (digital trade for digital kinds, total trade for traditional)
    pop = p.population
    target = np.array([pop.goods_trade_2019_cny - pop.cbec_trade_2019_cny, pop.cbec_trade_2019_cny,
                       pop.service_trade_2019_cny, pop.content_trade_2019_cny]) / 4
    T, DT, _ = _potential(m, -1)
    w, kind = f.view("weight"), f.view("kind")
    measured = np.bincount(kind, weights=w * np.where(kind == TRADITIONAL, T, DT), minlength=K)
    m.size_floor = target / measured
    f.size[: f.n] *= m.size_floor[kind]
    T, DT, DX = _potential(m, -1)
    f.trade[: f.n], f.digital_trade[: f.n], f.digital_exports[: f.n] = T, DT, DX
    f.digital_trade_recent[: f.n] = DT[:, None]
    f.digital_trade_year[: f.n] = 4 * DT
    # talent covering demand, cloud capacity covering spend, overseas cloud sales
    need = by_kind(p.firm.talent_intensity)[kind] * DT / 1e6
    f.talent_need[: f.n] = f.talent_hired[: f.n] = need
    m.talent.append(**initial_talent(np.bincount(f.view("city"), weights=w * need, minlength=C),
                                     p.talent.slack_2019))
    demand = np.bincount(f.cloud[users], weights=w[users] * p.firm.cloud_intensity * DT[users],
                         minlength=c.n)
    total = demand.sum()
    c.capacity[: c.n] *= total * p.cloud.capacity_headroom_2019
    c.demand[: c.n] = demand
    domestic = ~c.view("foreign")
    share = np.where(domestic, c.view("capacity"), 0.0)
    c.overseas_sales[: c.n] = p.cloud.overseas_sales_2019_cny / 4 * share / share.sum()
    m.cloud_capacity_2019 = c.view("capacity").copy()
    m.overseas_2019 = c.view("overseas_sales").copy()
    grow_platforms(m, q=-1)
    m.digital_firms_2019 = _digital_firms(m)


def _digital_firms(m) -> float:
    f = m.firms
    digital = f.view("alive") & (f.view("transformed") | (f.view("kind") != TRADITIONAL))
    return float(f.view("weight")[digital].sum())


def _potential(m, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rnd = rounds.output_round(m, q)
    columns.plan_output(m, rnd)
    return rnd.T, rnd.DT, rnd.DX


def set_policy_stance(m, q: int) -> None:
    """Coverage of each lever this quarter and the trade-cost cuts it implies."""
    pol = m.params.policy
    m.cover = {lever: coverage(getattr(pol, lever), m.rollout, q) for lever in LEVERS}
    m.spent = {lever: 0.0 for lever in LEVERS}
    cut = np.zeros((C, K))
    cb = m.cover["cbec"]
    goods_cut = pol.cbec.customs_cost_cut + pol.cbec.warehouse_cost_cut
    cut[cb, CBEC] += goods_cut
    cut[cb, TRADITIONAL] += goods_cut * pol.cbec.traditional_share
    if cb.any() and pol.cbec.annual_budget_cny > 0:  # warehouse and clearance programme spending
        spend(m, "cbec", q, min(pol.cbec.annual_budget_cny / 4, m.budgets["cbec"].available(q)))
    ma = m.cover["market_access"]
    cut[ma, SERVICE] += pol.market_access.data_flow_cost_cut
    cut[ma, CONTENT] += pol.market_access.data_flow_cost_cut
    m.trade_cost_cut = cut
    park = m.firms.view("park")
    active_base = m.designated & m.cover["demo_bases"][m.park_city]
    m.base_member = (park >= 0) & active_base[np.maximum(park, 0)]
    if ma.any() and pol.market_access.foreign_cloud_entry:
        m.clouds.active[: m.clouds.n] |= m.clouds.view("foreign")


def invest_in_infrastructure(m, q: int) -> None:
    """Public 5G/compute investment: lowers digitalisation cost in covered cities, adds cloud capacity."""
    cov, inf = m.cover["infrastructure"], m.params.policy.infrastructure
    if not cov.any() or inf.annual_budget_cny <= 0:
        return
    amount = spend(m, "infrastructure", q, min(inf.annual_budget_cny / 4, m.budgets["infrastructure"].available(q)))
    f = m.firms
    firms_c = np.bincount(f.view("city"), weights=f.view("weight") * f.view("alive"), minlength=C) * cov
    m.infra_invested += amount * firms_c / firms_c.sum()
    m.digital_cost_index = 1.0 - np.minimum(inf.max_cost_cut, inf.cost_cut_per_1e10 * m.infra_invested / 1e10)
    c = m.clouds
    domestic = c.view("active") & ~c.view("foreign")
    c.capacity[: c.n] *= np.where(domestic, 1.0 + inf.compute_capacity_per_1e10 * amount / 1e10, 1.0)


def supply_talent(m, q: int) -> None:
    """Graduates, training places, international inflow (visa, housing), attrition and migration."""
    tc, tp, t = m.params.talent, m.params.policy.talent, m.talent
    heads = t.headcount[: t.n].reshape(len(COHORTS), C)  # a view: writes go to the column
    wages = t.wage[: t.n].reshape(len(COHORTS), C)
    amenity = np.array([tc.amenity[c] for c in CITIES])
    attract = amenity ** 2 / (amenity ** 2).sum()
    grads = tc.graduates_per_year / 4 * attract
    heads[0] += 0.7 * grads
    heads[1] += 0.3 * grads
    cov = m.cover["talent"]
    housing_bonus = np.zeros(C)
    inflow_mult = np.ones(C)
    if cov.any():
        housing = tp.housing_subsidy_cny / 4 * heads[2][cov].sum()
        training = tp.training_places / 4 * tp.training_cost_cny
        wanted = housing + training
        factor = min(1.0, m.budgets["talent"].available(q) / wanted) if wanted > 0 else 0.0
        spend(m, "talent", q, wanted * factor)
        demand = getattr(m, "talent_demand", amenity) * cov
        heads[0] += tp.training_places / 4 * factor * demand / max(demand.sum(), 1e-9)
        housing_bonus = cov * tp.housing_subsidy_cny * factor / (4 * wages[2])
        inflow_mult = 1.0 + cov * (tp.visa_easing + housing_bonus)
    heads[2] += tc.international_inflow_per_year / 4 * amenity * inflow_mult / amenity.sum()
    heads *= 1.0 - tc.attrition_rate
    for r in range(len(COHORTS)):  # three cohorts, not firms
        utility = np.log(wages[r]) + amenity + (r == 2) * housing_bonus
        heads[r] = migrate(heads[r], utility, tc.migration_rate)


def decide_transformation(m, q: int) -> None:
    """Untransformed firms weigh the gain against the cost net of grants and tax relief, nudged by peers."""
    rnd = rounds.transformation_round(m, q)
    columns.weigh_transformation(m, rnd)
    rounds.settle_transformation(m, q, rnd)


def choose_cloud(m, q: int) -> None:
    """Transformed firms without a provider choose one, a few switch; providers reprice and invest."""
    rnd = rounds.cloud_round(m)
    columns.choose_clouds(m, rnd)
    rounds.cloud_demand(m)
    columns.reprice_and_invest(m)
    rounds.update_cloud_price_index(m)


def join_platforms(m, q: int, share: float | None = None) -> None:
    """Sellers reconsider platforms: join the best (logit), multi-home if a slot is free, else switch."""
    rnd = rounds.platform_round(m, m.params.firm.platform_join_rate if share is None else share)
    columns.reconsider_platforms(m, rnd)


def hire_talent(m, q: int) -> None:
    """City labour markets: firms' talent demand at full output meets cohort supply; wages adjust."""
    rnd = rounds.output_round(m, q)
    columns.plan_output(m, rnd)
    rounds.clear_labour_market(m, rnd)
    columns.hire(m)


def trade(m, q: int) -> None:
    """Realised trade: the digital part is scaled by the talent fill rate; productivity then moves on."""
    columns.realise_trade(m, rounds.trade_round(m, q))


def grow_platforms(m, q: int) -> None:
    """GMV from member sellers, reinvested fees (plus cultivation grants) buy foreign markets; exit, entry."""
    rounds.platform_sales(m)
    rnd = rounds.expansion_round(m, q)
    columns.expand_abroad(m, rnd)
    if q < 0:
        return
    was_active = m.platforms.view("active").copy()
    columns.close_thin_platforms(m, q)
    rounds.drop_closed_platforms(m, was_active)
    rounds.found_platforms(m, q)


def sell_cloud_abroad(m, q: int) -> None:
    """Overseas cloud sales grow with the IaaS-abroad trend and with providers' capacity."""
    c, k = m.clouds, len(m.cloud_capacity_2019)
    growth, export_value = rounds.cloud_abroad_trend(m, q)
    c.overseas_sales[:k] = overseas_sales(m.overseas_2019, growth, c.capacity[:k], m.cloud_capacity_2019,
                                          export_value)


def designate_bases(m, q: int) -> None:
    """Each fourth quarter, parks meeting the criteria in covered cities become demonstration bases."""
    db, cov, budget = m.params.policy.demo_bases, m.cover["demo_bases"], m.budgets["demo_bases"]
    if q % 4 == 3 and cov.any():
        f = m.firms
        park, alive = f.view("park"), f.view("alive")
        inside = np.flatnonzero((park >= 0) & alive)
        w = f.weight[inside]
        park_trade = np.bincount(park[inside], weights=w * f.digital_trade_year[inside], minlength=len(m.park_names))
        park_firms = np.bincount(park[inside], weights=w * f.transformed[inside], minlength=len(m.park_names))
        candidate = ~m.designated & cov[m.park_city] & (park_trade >= db.min_park_trade_cny) \
            & (park_firms >= db.min_park_firms)
        affordable = int(db.annual_budget_cny // db.support_cny) if db.support_cny > 0 else db.max_total
        room = max(0, min(db.max_new_per_year, db.max_total - m.designated.sum(), affordable - m.designated.sum()))
        ranked = np.flatnonzero(candidate)[np.argsort(-park_trade[candidate], kind="stable")]
        m.designated[ranked[:room]] = True
    if cov.any() and m.designated.any():
        spend(m, "demo_bases", q, min(m.designated.sum() * db.support_cny / 4, budget.available(q)))


def pay_tax_expenditure(m, q: int) -> None:
    """Super-deduction on this quarter's transformations and the reduced CIT rate, pro-rated to the cap."""
    if not m.cover["tax"].any():
        return
    rnd = rounds.tax_round(m)
    columns.claim_tax_relief(m, rnd)
    rounds.settle_tax(m, q, rnd)


def enter_and_exit(m, q: int) -> None:
    """Exit by size-dependent hazard; entry by kind and city, more where the zone is active."""
    rnd = rounds.exit_round(m)
    columns.consider_exit(m, rnd)
    rounds.enter(m, q)
