"""The phases of a quarter: each reads and writes whole columns of the agents' state (no loop over firms).

Pure economics lives in agents/*.py; these functions apply it to the model's arrays in the order of
DigitalTradeModel.step. Money is CNY per quarter unless a name says otherwise.
"""

from __future__ import annotations

import numpy as np

from agents.cloud import choose_provider, reprice
from agents.firm import (adoption_probability, annuity_factor, digital_share, exit_hazard,
                         transformation_uplift)
from agents.platform import MAX_MARKETS, seller_utility, new_markets
from agents.talent import COHORTS, fill_rate, migrate
from model.network import b2b_links, neighbour_share
from model.policy import LEVERS, coverage, fund_in_order
from model.setup import assign_parks, initial_talent
from model.vocabulary import (CBEC, CITIES, CONTENT, FIRM_KINDS, MARKETS, PLATFORM_KINDS, SERVICE,
                              TRADITIONAL)
from model.setup import platform_serves

K, C = len(FIRM_KINDS), len(CITIES)


def _by_kind(mapping) -> np.ndarray:
    return np.array([float(mapping[k]) for k in FIRM_KINDS])


def _spend(m, lever: str, q: int, amount: float) -> float:
    m.spent[lever] += m.budgets[lever].spend(q, amount)
    return amount


# ----------------------------------------------------------------------------------------------- set-up
def calibrate_initial_state(m) -> None:
    """Memberships, cloud customers, then size levels so that end-2019 totals match the configured ones."""
    f, cfg, rng = m.firms, m.cfg, m.rng
    m.tau0 = _by_kind(cfg.firm.trade_cost)
    m.export_share = 1.0 / (1.0 + _by_kind(cfg.firm.import_ratio))
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
    f.cloud[users] = choose_provider(f.city[users], c.view("price"), c.view("quality"), c.view("home"),
                                     c.view("active"), cfg.cloud.price_elasticity, rng)
    # size levels: kind totals of end-2019 (digital trade for digital kinds, total trade for traditional)
    pop = cfg.population
    target = np.array([pop.goods_trade_2019_cny - pop.cbec_trade_2019_cny, pop.cbec_trade_2019_cny,
                       pop.service_trade_2019_cny, pop.content_trade_2019_cny]) / 4
    T, DT, _ = potential_trade(m, -1)
    w, kind = f.view("weight"), f.view("kind")
    measured = np.bincount(kind, weights=w * np.where(kind == TRADITIONAL, T, DT), minlength=K)
    m.size_floor = target / measured
    f.size[: f.n] *= m.size_floor[kind]
    T, DT, DX = potential_trade(m, -1)
    f.trade[: f.n], f.digital_trade[: f.n], f.digital_exports[: f.n] = T, DT, DX
    f.digital_trade_recent[: f.n] = DT[:, None]
    f.digital_trade_year[: f.n] = 4 * DT
    # talent covering demand, cloud capacity covering spend, overseas cloud sales
    need = _by_kind(cfg.firm.talent_intensity)[kind] * DT / 1e6
    f.talent_need[: f.n] = f.talent_hired[: f.n] = need
    m.talent.append(**initial_talent(np.bincount(f.view("city"), weights=w * need, minlength=C),
                                     cfg.talent.slack_2019))
    demand = np.bincount(f.cloud[users], weights=w[users] * cfg.firm.cloud_intensity * DT[users],
                         minlength=c.n)
    total = demand.sum()
    c.capacity[: c.n] *= total * cfg.cloud.capacity_headroom_2019
    c.demand[: c.n] = demand
    domestic = ~c.view("foreign")
    share = np.where(domestic, c.view("capacity"), 0.0)
    c.overseas_sales[: c.n] = cfg.cloud.overseas_sales_2019_cny / 4 * share / share.sum()
    m.cloud_capacity_2019 = c.view("capacity").copy()
    m.overseas_2019 = c.view("overseas_sales").copy()
    grow_platforms(m, q=-1)
    m.digital_firms_2019 = _digital_firms(m)


def _digital_firms(m) -> float:
    f = m.firms
    digital = f.view("alive") & (f.view("transformed") | (f.view("kind") != TRADITIONAL))
    return float(f.view("weight")[digital].sum())


# ----------------------------------------------------------------------------------------------- trade equation
def potential_trade(m, q: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T, DT, DX) per firm at full talent: trade, digital trade and digital exports, CNY/quarter.

    q = -1 gives end-2019 conditions (all world indices 1, no policy).
    """
    f, fc = m.firms, m.cfg.firm
    kind, market, city = f.view("kind"), f.view("market"), f.view("city")
    if q < 0:
        foreign = np.ones(f.n)
        domestic, vx, vm = 1.0, 1.0, 1.0
    else:
        wp = m.world
        foreign = np.where(kind == TRADITIONAL, wp.goods_demand[q, market], wp.digital_demand[q, market])
        domestic, vx, vm = wp.domestic_demand[q], wp.export_value[q], wp.import_value[q]
    es = m.export_share[kind]
    exports = es * foreign * vx
    demand = exports + (1.0 - es) * domestic * vm
    tau0 = m.tau0[kind]
    cut = m.trade_cost_cut[city, kind] + m.base_member * m.cfg.policy.demo_bases.cost_cut
    tau = np.clip(tau0 - cut, 0.0, None)
    cost = ((1.0 - tau) / (1.0 - tau0)) ** fc.trade_elasticity
    transformed, maturity = f.view("transformed"), f.view("maturity")
    uplift = transformation_uplift(kind, maturity, transformed, fc.transform_gain, fc.digital_share_transformed)
    slots = f.view("platforms")
    reach = np.where(slots >= 0, m.platforms.markets[np.maximum(slots, 0)], 0.0).max(axis=1) / MAX_MARKETS
    base = f.view("size") * f.view("productivity") * cost * uplift * (1.0 + fc.platform_reach_effect * reach)
    base = base * f.view("alive")
    share = digital_share(kind, maturity, transformed, fc.digital_share_untransformed,
                          fc.digital_share_transformed)
    return base * demand, share * base * demand, share * base * exports


# ----------------------------------------------------------------------------------------------- phases
def set_policy_stance(m, q: int) -> None:
    """Coverage of each lever this quarter and the trade-cost cuts it implies."""
    pol = m.cfg.policy
    m.cover = {lever: coverage(pol[lever], m.rollout, q) for lever in LEVERS}
    m.spent = {lever: 0.0 for lever in LEVERS}
    cut = np.zeros((C, K))
    cb = m.cover["cbec"]
    goods_cut = pol.cbec.customs_cost_cut + pol.cbec.warehouse_cost_cut
    cut[cb, CBEC] += goods_cut
    cut[cb, TRADITIONAL] += goods_cut * pol.cbec.traditional_share
    if cb.any() and pol.cbec.annual_budget_cny > 0:  # warehouse and clearance programme spending
        _spend(m, "cbec", q, min(pol.cbec.annual_budget_cny / 4, m.budgets["cbec"].available(q)))
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
    cov, inf = m.cover["infrastructure"], m.cfg.policy.infrastructure
    if not cov.any() or inf.annual_budget_cny <= 0:
        return
    spend = _spend(m, "infrastructure", q, min(inf.annual_budget_cny / 4, m.budgets["infrastructure"].available(q)))
    f = m.firms
    firms_c = np.bincount(f.view("city"), weights=f.view("weight") * f.view("alive"), minlength=C) * cov
    m.infra_invested += spend * firms_c / firms_c.sum()
    m.digital_cost_index = 1.0 - np.minimum(inf.max_cost_cut, inf.cost_cut_per_1e10 * m.infra_invested / 1e10)
    c = m.clouds
    domestic = c.view("active") & ~c.view("foreign")
    c.capacity[: c.n] *= np.where(domestic, 1.0 + inf.compute_capacity_per_1e10 * spend / 1e10, 1.0)


def supply_talent(m, q: int) -> None:
    """Graduates, training places, international inflow (visa, housing), attrition and migration."""
    tc, tp, t = m.cfg.talent, m.cfg.policy.talent, m.talent
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
        _spend(m, "talent", q, wanted * factor)
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
    f, fc, pol, rng = m.firms, m.cfg.firm, m.cfg.policy, m.rng
    alive, transformed = f.view("alive"), f.view("transformed")
    idx = np.flatnonzero(alive & ~transformed)
    kind, city, w, T = f.kind[idx], f.city[idx], f.weight[idx], f.trade[idx]
    annuity = annuity_factor(fc.horizon_years, fc.discount_rate)
    reach = np.where(kind == TRADITIONAL, fc.digital_share_transformed, 1.0)
    pv = fc.profit_margin * fc.transform_gain * reach * T * annuity
    cost = fc.transform_cost_cny * (np.maximum(T, 1.0) / 1e7) ** fc.transform_cost_elasticity \
        * m.digital_cost_index[city] * m.cloud_price_index \
        * (1.0 - m.base_member[idx] * pol.demo_bases.transform_support)
    tax_cov = m.cover["tax"][city]
    relief = tax_cov * pol.tax.rd_share * cost * pol.tax.super_deduction * pol.tax.standard_cit_rate
    pv = pv + tax_cov * (pol.tax.standard_cit_rate - pol.tax.reduced_cit_rate) * fc.profit_margin \
        * reach * T * (1.0 + fc.transform_gain) * annuity
    net = np.maximum(cost - relief, 0.1 * cost)
    peers = neighbour_share(m.links, transformed, alive)[idx]
    p_without = adoption_probability(pv, net, peers, fc.adoption_max, fc.adoption_slope, fc.peer_effect)
    u = rng.random(len(idx))
    priority_draw = rng.random(len(idx))
    adopt = u < p_without
    fund, fund_cov = pol.fund, m.cover["fund"][city]
    if fund.rule != "platform" and fund_cov.any():
        offer = np.minimum(fund.grant_cap_cny, (1.0 - fund.cofinancing_share) * cost) * fund_cov
        if fund.rule == "broad":
            offer = offer * (4 * T < fund.sme_max_trade_cny)
        p_with = adoption_probability(pv, np.maximum(net - offer, 0.1 * cost), peers, fc.adoption_max,
                                      fc.adoption_slope, fc.peer_effect)
        applicants = np.flatnonzero((offer > 0) & (u < p_with))
        priority = np.log(np.maximum(pv, 1e-9) / cost) if fund.rule == "competitive" else priority_draw
        funded = np.zeros(len(idx), dtype=bool)
        funded[applicants] = fund_in_order(priority[applicants], offer[applicants], w[applicants],
                                           m.budgets["fund"].available(q))
        grant = offer * funded
        _spend(m, "fund", q, float((w * grant).sum()))
        f.grants[idx] += grant
        adopt |= funded
    rows = idx[adopt]
    f.transformed[rows] = True
    f.transform_quarter[rows] = q
    m.tax_claims = (rows, relief[adopt])
    grown = f.view("transformed")
    f.maturity[: f.n] += grown * fc.maturity_gain * (1.0 - f.view("maturity"))


def choose_cloud(m, q: int) -> None:
    """Transformed firms without a provider choose one, a few switch; providers reprice and invest."""
    f, c, cc = m.firms, m.clouds, m.cfg.cloud
    users = f.view("alive") & f.view("transformed")
    cloud = f.view("cloud")
    rows = np.flatnonzero(users & ((cloud < 0) | (m.rng.random(f.n) < m.cfg.firm.cloud_switch_rate)))
    if rows.size:
        cloud[rows] = choose_provider(f.city[rows], c.view("price"), c.view("quality"), c.view("home"),
                                      c.view("active"), cc.price_elasticity, m.rng)
    spend = f.view("weight") * m.cfg.firm.cloud_intensity * f.view("digital_trade")
    demand = np.bincount(cloud[users], weights=spend[users], minlength=c.n)
    c.demand[: c.n] = demand
    util = demand / np.maximum(c.view("capacity"), 1e-9)
    active = c.view("active")
    c.price[: c.n] = np.where(active, reprice(c.view("price"), util, cc.invest_threshold), c.view("price"))
    c.capacity[: c.n] *= 1.0 + cc.invest_rate * (active & (util > cc.invest_threshold))
    if demand.sum() > 0:
        m.cloud_price_index = float((c.view("price") * demand).sum() / demand.sum())


def join_platforms(m, q: int, share: float | None = None) -> None:
    """Sellers reconsider platforms: join the best (logit), multi-home if a slot is free, else switch."""
    f, p, rng = m.firms, m.platforms, m.rng
    share = m.cfg.firm.platform_join_rate if share is None else share
    kind = f.view("kind")
    eligible = f.view("alive") & (f.view("transformed") | (kind == CBEC) | (kind == CONTENT))
    recon = np.flatnonzero(eligible & (rng.random(f.n) < share))
    if recon.size == 0 or p.n == 0:
        return
    util = seller_utility(p.view("markets"), p.view("sellers"), m.cfg.platform.fee,
                          m.cfg.platform.network_exponent)
    fits = (m.platform_kind_serves[None, :] == kind[recon][:, None]) & p.view("active")[None, :]
    U = np.where(fits, util[None, :] + rng.gumbel(size=fits.shape), -np.inf)
    best = np.argmax(U, axis=1)
    found = np.isfinite(U[np.arange(len(recon)), best])
    slots = f.platforms[recon]
    empty = slots < 0
    slot_util = np.where(empty, np.inf, util[np.maximum(slots, 0)])
    worst = np.argmin(slot_util, axis=1)
    add = empty.any(axis=1) & ((rng.random(len(recon)) < 0.5) | empty.all(axis=1))
    target = np.where(add, np.argmax(empty, axis=1), worst)
    better = util[best] > slot_util[np.arange(len(recon)), worst]
    write = found & ~(slots == best[:, None]).any(axis=1) & (add | better)
    slots[write, target[write]] = best[write]
    f.platforms[recon] = slots


def hire_talent(m, q: int) -> None:
    """City labour markets: firms' talent demand at full output meets cohort supply; wages adjust."""
    f, t, tc = m.firms, m.talent, m.cfg.talent
    m.potential = potential_trade(m, q)
    city = f.view("city")
    need = _by_kind(m.cfg.firm.talent_intensity)[f.view("kind")] * m.potential[1] / 1e6
    demand = np.bincount(city, weights=f.view("weight") * need, minlength=C)
    heads = t.headcount[: t.n].reshape(len(COHORTS), C)
    skill = t.skill[: t.n].reshape(len(COHORTS), C)
    supply = (heads * skill).sum(axis=0)
    m.fill = fill_rate(supply, demand)
    m.talent_demand, m.talent_supply = demand, supply
    t.employed[: t.n] = (heads * np.minimum(1.0, demand / np.maximum(supply, 1e-9))).ravel()
    pressure = np.clip(tc.wage_elasticity * (demand / np.maximum(supply, 1e-9) - 1.0) / 4, -0.05, 0.05)
    t.wage[: t.n] *= np.tile(1.0 + pressure, len(COHORTS))
    f.talent_need[: f.n] = need
    f.talent_hired[: f.n] = need * m.fill[city]


def trade(m, q: int) -> None:
    """Realised trade: the digital part is scaled by the talent fill rate; productivity then moves on."""
    f, fc = m.firms, m.cfg.firm
    T, DT, DX = m.potential
    factor = m.fill[f.view("city")] ** fc.talent_elasticity
    f.trade[: f.n] = T - DT + DT * factor
    f.digital_trade[: f.n] = DT * factor
    f.digital_exports[: f.n] = DX * factor
    f.digital_trade_recent[: f.n, q % 4] = DT * factor
    f.digital_trade_year[: f.n] = f.view("digital_trade_recent").sum(axis=1)
    shock = m.rng.standard_normal(f.n)
    f.productivity[: f.n] *= np.exp(fc.growth_sd * shock - fc.growth_sd ** 2 / 2)


def grow_platforms(m, q: int) -> None:
    """GMV from member sellers, reinvested fees (plus cultivation grants) buy foreign markets; entry, exit."""
    f, p, pc, pol = m.firms, m.platforms, m.cfg.platform, m.cfg.policy
    slots = f.view("platforms")
    member = slots >= 0
    per_slot = f.view("weight") * f.view("digital_exports") / np.maximum(member.sum(axis=1), 1)
    z = np.bincount(slots[member], weights=np.broadcast_to(per_slot[:, None], slots.shape)[member],
                    minlength=p.n)
    sellers = np.bincount(slots[member], weights=np.broadcast_to(f.view("weight")[:, None],
                                                                  slots.shape)[member], minlength=p.n)
    active = p.view("active")
    p.sellers[: p.n] = sellers
    p.gmv[: p.n] = z * (1.0 + p.view("external_ratio")) * active
    funds = pc.expansion_share * pc.fee * p.view("gmv")
    if q >= 0 and pol.fund.rule == "platform" and m.cover["fund"].any():
        eligible = p.view("gmv") * m.cover["fund"][p.view("city")]
        grant = _spend(m, "fund", q, min(pol.fund.annual_budget_cny / 4, m.budgets["fund"].available(q)))
        funds = funds + grant * eligible / max(eligible.sum(), 1e-9) if eligible.sum() > 0 else funds
    p.markets[: p.n] += new_markets(funds, p.view("markets"), pc.market_cost_cny) * active
    fx = m.world.fx[max(q, 0)] if q >= 0 else float(m.cfg.world.fx_observed["2019"])
    tg = m.cfg.targets
    p.global_[: p.n] = active & (4 * p.view("gmv") / fx >= tg.global_platform_min_gmv_usd) \
        & (p.view("markets") >= tg.global_platform_min_markets)
    if q < 0:
        return
    closing = active & (p.view("born") <= q - 4) & (sellers < pc.exit_min_sellers)
    if closing.any():
        p.active[: p.n] &= ~closing
        slots[closing[np.maximum(slots, 0)] & member] = -1
    _found_platforms(m, q)


def _found_platforms(m, q: int) -> None:
    pc, f = m.cfg.platform, m.firms
    zone = m.cover["fund"] | m.cover["market_access"]
    digital = f.view("alive") & (f.view("transformed") | (f.view("kind") != TRADITIONAL))
    by_city = np.bincount(f.view("city")[digital], weights=f.view("weight")[digital], minlength=C)
    boost = 1.0 + m.cfg.firm.entry_policy_boost * (by_city * zone).sum() / max(by_city.sum(), 1e-9)
    n_new = m.rng.poisson(pc.entry_per_quarter * by_city.sum() / m.digital_firms_2019 * boost)
    if n_new == 0:
        return
    weights = np.array([pc.n_initial[k] for k in PLATFORM_KINDS], dtype=float) + 1.0
    kinds = m.rng.choice(len(PLATFORM_KINDS), n_new, p=weights / weights.sum())
    rows = m.platforms.append(kind=kinds, city=m.rng.choice(C, n_new, p=by_city / by_city.sum()),
                              markets=np.full(n_new, 3.0), born=np.full(n_new, q),
                              external_ratio=np.exp(np.log(max(pc.external_gmv_ratio, 1e-9))
                                                    + m.rng.standard_normal(n_new)))
    m.platform_kind_serves = platform_serves(m.platforms.view("kind"))
    m.add_platform_agents(rows)


def sell_cloud_abroad(m, q: int) -> None:
    """Overseas cloud sales grow with the IaaS-abroad trend and with providers' capacity."""
    c, cc = m.clouds, m.cfg.cloud
    growth = (1.0 + cc.overseas_growth) ** ((q + 1) / 4)
    capacity = c.view("capacity")[: len(m.cloud_capacity_2019)]
    ratio = np.sqrt(capacity / np.maximum(m.cloud_capacity_2019, 1e-9))
    c.overseas_sales[: len(ratio)] = m.overseas_2019 * growth * ratio * m.world.export_value[q]


def designate_bases(m, q: int) -> None:
    """Each fourth quarter, parks meeting the criteria in covered cities become demonstration bases."""
    db, cov, budget = m.cfg.policy.demo_bases, m.cover["demo_bases"], m.budgets["demo_bases"]
    if q % 4 == 3 and cov.any():
        f = m.firms
        park, alive = f.view("park"), f.view("alive")
        inside = (park >= 0) & alive
        w = f.view("weight")[inside]
        park_trade = np.bincount(park[inside], weights=w * f.view("digital_trade_year")[inside],
                                 minlength=len(m.park_names))
        park_firms = np.bincount(park[inside], weights=w * f.view("transformed")[inside],
                                 minlength=len(m.park_names))
        candidate = ~m.designated & cov[m.park_city] & (park_trade >= db.min_park_trade_cny) \
            & (park_firms >= db.min_park_firms)
        affordable = int(db.annual_budget_cny // db.support_cny) if db.support_cny > 0 else db.max_total
        room = max(0, min(db.max_new_per_year, db.max_total - m.designated.sum(), affordable - m.designated.sum()))
        ranked = np.flatnonzero(candidate)[np.argsort(-park_trade[candidate], kind="stable")]
        m.designated[ranked[:room]] = True
    if cov.any() and m.designated.any():
        _spend(m, "demo_bases", q, min(m.designated.sum() * db.support_cny / 4, budget.available(q)))


def pay_tax_expenditure(m, q: int) -> None:
    """Super-deduction on this quarter's transformations and the reduced CIT rate, pro-rated to the cap."""
    f, tx, cov = m.firms, m.cfg.policy.tax, m.cover["tax"]
    if not cov.any():
        return
    rows, relief = m.tax_claims
    qualifying = np.flatnonzero(f.view("alive") & f.view("transformed") & (f.view("maturity") >= tx.qualify_maturity)
                                & cov[f.view("city")])
    rate_cut = (tx.standard_cit_rate - tx.reduced_cit_rate) * m.cfg.firm.profit_margin \
        * f.digital_trade[qualifying]
    wanted = float((f.weight[rows] * relief).sum() + (f.weight[qualifying] * rate_cut).sum())
    if wanted <= 0:
        return
    factor = min(1.0, m.budgets["tax"].available(q) / wanted)
    _spend(m, "tax", q, wanted * factor)
    f.tax_relief[rows] += relief * factor
    f.tax_relief[qualifying] += rate_cut * factor


def enter_and_exit(m, q: int) -> None:
    """Exit by size-dependent hazard; entry by kind and city, more where the zone is active."""
    f, fc, rng = m.firms, m.cfg.firm, m.rng
    alive = f.view("alive")
    hazard = exit_hazard(f.view("trade"), f.view("kind"), alive, fc.exit_rate, fc.exit_size_elasticity)
    leaving = np.flatnonzero(alive & (rng.random(f.n) < hazard))
    f.alive[leaving] = False
    f.platforms[leaving] = -1
    f.cloud[leaving] = -1
    m.remove_firm_agents(leaving)
    alive = f.view("alive")
    cell = f.view("kind").astype(np.int64) * C + f.view("city")
    incumbents = np.bincount(cell[alive], weights=f.view("weight")[alive], minlength=K * C).reshape(K, C)
    zone = m.cover["fund"] | m.cover["tax"] | m.cover["infrastructure"] | m.cover["cbec"]
    ma = m.cover["market_access"] * m.cfg.policy.market_access.foreign_entry
    fs = m.cfg.population.foreign_share
    expected = fc.entry_rate * incumbents * (1.0 + fc.entry_policy_boost * zone) * (1.0 + fs * ma)
    agents = rng.poisson(expected * m.scale)
    total = int(agents.sum())
    if total == 0:
        return
    kind = np.repeat(np.repeat(np.arange(K), C), agents.ravel())
    city = np.repeat(np.tile(np.arange(C), K), agents.ravel())
    foreign_p = fs * (1.0 + ma[city]) / (1.0 + fs * ma[city])
    size = m.size_floor[kind] * 0.5 * (1.0 - rng.random(total)) ** (-1.0 / m.cfg.population.size_tail_alpha)
    rows = f.append(kind=kind, city=city, park=assign_parks(city, m.cfg.population.in_park_share, m.park_city, rng),
                    market=rng.choice(len(MARKETS), total, p=_market_p(m)), foreign=rng.random(total) < foreign_p,
                    weight=np.full(total, 1.0 / m.scale), size=size, maturity=rng.uniform(0.0, 0.2, total),
                    born=np.full(total, q))
    m.base_member = np.r_[m.base_member, np.zeros(total, dtype=bool)]
    incumbents_rows = np.flatnonzero(f.view("alive"))
    new_links = b2b_links(rows, f.view("city"), f.view("park"), incumbents_rows, m.cfg.network.b2b_degree,
                          m.cfg.network.same_park, m.cfg.network.same_city, rng)
    m.links = np.concatenate([m.links, new_links])
    m.add_firm_agents(rows)


def _market_p(m) -> np.ndarray:
    share = np.array([m.cfg.world.market_share[k] for k in MARKETS])
    return share / share.sum()
