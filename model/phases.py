"""The phases of a quarter, in the order of DigitalTradeModel.step.

A phase in which agents decide has three parts:
- a round (model/rounds.py) draws the phase's random numbers as arrays indexed by agent row (one number per row
  and decision, used or not) and gathers model-level inputs (menus, price tables);
- the agents decide: `m.decide(population, rule, rnd)` applies a rule written once over rows (agents/*.py) with
  the engine the config picks (model/engine.py: all rows at once, or one Mesa agent at a time);
- a settlement (model/rounds.py) does what only the model can: grant rationing in priority order, markets.
Phases where only the province acts (policy, investment, talent supply, bases) are here in full. Levers are read
through their stances (model/policy.py), never raw config. Money is CNY per quarter unless a name says otherwise.
"""

from __future__ import annotations

import numpy as np

from agents import cloud, firm, platform
from agents.choice import logit_picks
from agents.cloud import provider_menus, provider_utility
from agents.talent import COHORTS, migrate
from agents.vocabulary import CBEC, CITIES, FIRM_KINDS, TRADITIONAL
from model import rounds
from model.policy import LEVERS, PROGRAMMES, stances, trade_cost_cut
from model.rounds import Round, by_kind, spend
from model.setup import initial_talent

K, C = len(FIRM_KINDS), len(CITIES)


# ----------------------------------------------------------------------------------------------- set-up
def calibrate_initial_state(m) -> None:
    """Memberships, cloud customers, then size levels so that end-2019 totals match the configured ones."""
    f, p, rng = m.firms, m.params, m.rng
    # platforms' own fees, log-normal around the configured take rate; sellers join one platform each
    pl = m.platforms
    pl.fee[: pl.n] = platform.initial_fees(p.platform.fee, p.platform.fee_dispersion, rng.standard_normal(pl.n))
    pl.sellers[: pl.n] = 0.0
    join_platforms(m, q=-1, share=1.0)
    # transformed firms use a cloud; the largest domestic providers and the foreign ones run overseas regions,
    # which firms whose digital trade is mostly exports value (at end-2019 that share is their kind's export share)
    users = np.flatnonzero(f.view("transformed"))
    c = m.clouds
    c.abroad[: c.n] = c.view("foreign") | (np.arange(c.n) < p.cloud.n_abroad)
    menus = provider_menus(provider_utility(c.view("price"), c.view("quality"), p.cloud.price_elasticity),
                           c.view("home"), c.view("active"), c.view("abroad"), C, p.cloud.abroad_bonus)
    menu = cloud.menu_row(f.city[users], m.export_share[f.kind[users]], 1.0, p.cloud.abroad_export_share)
    f.cloud[users] = logit_picks(menus, menu, rng.random(len(users)))
    # size levels: kind totals of end-2019 (digital trade for digital kinds, total trade for traditional)
    pop = p.population
    target = np.array([pop.goods_trade_2019_cny - pop.cbec_trade_2019_cny, pop.cbec_trade_2019_cny,
                       pop.service_trade_2019_cny, pop.content_trade_2019_cny]) / 4
    rnd = _potential(m, -1)
    w, kind = f.view("weight"), f.view("kind")
    measured = np.bincount(kind, weights=w * np.where(kind == TRADITIONAL, rnd.T, rnd.DT), minlength=K)
    m.size_floor[:] = target / measured
    f.size[: f.n] *= m.size_floor[kind]
    rnd = _potential(m, -1)
    f.trade[: f.n], f.digital_trade[: f.n], f.digital_exports[: f.n], f.exports[: f.n] = rnd.T, rnd.DT, rnd.DX, rnd.X
    f.digital_trade_recent[: f.n] = rnd.DT[:, None]
    f.digital_trade_year[: f.n] = 4 * rnd.DT
    # talent covering demand, cloud capacity covering spend, overseas cloud sales
    need = by_kind(p.firm.talent_intensity)[kind] * rnd.DT / 1e6
    f.talent_need[: f.n] = f.talent_hired[: f.n] = need
    m.talent_demand[:] = np.bincount(f.view("city"), weights=w * need, minlength=C)
    m.talent.append(**initial_talent(m.talent_demand, p.talent.slack_2019))
    m.talent_supply[:] = (m.talent.view("headcount") * m.talent.view("skill")).reshape(len(COHORTS), C).sum(axis=0)
    demand = np.bincount(f.cloud[users], weights=w[users] * p.firm.cloud_intensity * rnd.DT[users], minlength=c.n)
    share = np.where(~c.view("foreign"), c.view("capacity"), 0.0)  # capacity shares, before they become CNY
    c.overseas_sales[: c.n] = p.cloud.overseas_sales_2019_cny / 4 * share / share.sum()
    # each provider's capacity covers its own customers' spend with headroom (no one is short at the start); a
    # provider without customers yet keeps its share of the total
    c.capacity[: c.n] = np.where(demand > 0, demand, c.view("capacity") * demand.sum()) * p.cloud.capacity_headroom_2019
    c.demand[: c.n] = demand
    c.capacity_2019[: c.n] = c.view("capacity")
    c.overseas_2019[: c.n] = c.view("overseas_sales")
    c.customer_exports[: c.n] = np.bincount(f.cloud[users], weights=w[users] * rnd.DX[users], minlength=c.n)
    c.customer_exports_2019[: c.n] = c.view("customer_exports")
    grow_platforms(m, q=-1)
    m.digital_firms_2019 = rounds.digital_firms(m)


def _potential(m, q: int) -> Round:
    rnd = rounds.output_round(m, q)
    m.decide("firms", firm.plan_output, rnd)
    return rnd


# ----------------------------------------------------------------------------------------------- the quarter
def set_policy_stance(m, q: int) -> None:
    """Each lever family's stance (where it acts, what it may spend) and what follows at once: the programme
    levers' spending, trade-cost cuts, base membership, whether foreign clouds may sell here, the CBEC programme's
    spending."""
    f, c = m.firms, m.clouds
    cell = f.view("city").astype(np.int64) * K + f.view("kind")
    firms = np.bincount(cell, weights=f.view("weight") * f.view("alive"), minlength=C * K).reshape(C, K)
    m.stance = st = stances(m.params.policy, m.rollout, m.budgets, q, firms)
    m.spent = dict.fromkeys(LEVERS, 0.0)
    for lever in PROGRAMMES:  # what the served firms receive: their programme's outlay, by city
        if st[lever].outlay > 0:
            m.programme_funds[lever] += spend(m, lever, q, st[lever].outlay) * st[lever].allocation
    m.trade_cost_cut = trade_cost_cut(st)
    park = f.view("park")
    active_base = m.designated & st["demo_bases"].cover[m.park_city]
    f.base_member[: f.n] = (park >= 0) & active_base[np.maximum(park, 0)]
    c.active[: c.n] = np.where(c.view("foreign"), st["market_access"].foreign_clouds, c.view("active"))
    cb = st["cbec"]
    if cb.programme > 0:  # warehouses and clearance, where CBEC sellers are
        sellers = firms[:, CBEC] * cb.cover  # living CBEC sellers by city
        if sellers.sum() > 0:  # nobody to serve, nothing spent
            m.cbec_invested += spend(m, "cbec", q, cb.programme) * sellers / sellers.sum()


def invest_in_infrastructure(m, q: int) -> None:
    """Public 5G/compute investment: lowers digitalisation cost in covered cities, adds cloud capacity."""
    inf, f = m.stance["infrastructure"], m.firms
    firms_c = np.bincount(f.view("city"), weights=f.view("weight") * f.view("alive"), minlength=C) * inf.cover
    if inf.invest <= 0 or firms_c.sum() <= 0:
        return
    amount = spend(m, "infrastructure", q, inf.invest)
    m.infra_invested += amount * firms_c / firms_c.sum()
    m.digital_cost_index[:] = 1.0 - np.minimum(inf.max_cost_cut, inf.cost_cut_per_cny * m.infra_invested)
    m.infra_productivity[:] = 1.0 + np.minimum(inf.max_productivity_gain, inf.productivity_per_cny * m.infra_invested)
    c = m.clouds
    domestic = c.view("active") & ~c.view("foreign")
    c.capacity[: c.n] *= np.where(domestic, 1.0 + inf.capacity_per_cny * amount, 1.0)


def supply_talent(m, q: int) -> None:
    """Graduates, training places, international inflow (visa, housing), attrition and migration."""
    tc, ts, t = m.params.talent, m.stance["talent"], m.talent
    heads = t.headcount[: t.n].reshape(len(COHORTS), C)  # views: writes go to the columns
    wages = t.wage[: t.n].reshape(len(COHORTS), C)
    support = t.support[: t.n].reshape(len(COHORTS), C)
    amenity = np.array([tc.amenity[c] for c in CITIES])
    attract = amenity ** 2 / (amenity ** 2).sum()
    grads = tc.graduates_per_year / 4 * attract
    heads[0] += 0.7 * grads
    heads[1] += 0.3 * grads
    cov = ts.cover
    housing_bonus, inflow_mult = np.zeros(C), np.ones(C)
    if ts.acting:
        housing = ts.housing_subsidy / 4 * heads[2] * cov
        demand = m.talent_demand * cov  # training places go where the demand is; none without demand
        training = ts.training_places / 4 * ts.training_cost * (demand.sum() > 0)
        wanted = housing.sum() + training
        factor = min(1.0, ts.money / wanted) if wanted > 0 else 0.0
        spend(m, "talent", q, wanted * factor)
        trained = ts.training_places / 4 * factor * demand / max(demand.sum(), 1e-9)
        heads[0] += trained
        support[0] += trained * ts.training_cost
        support[2] += housing * factor
        housing_bonus = cov * ts.housing_subsidy * factor / (4 * wages[2])
        inflow_mult = 1.0 + cov * (ts.visa_easing + housing_bonus)
    heads[2] += tc.international_inflow_per_year / 4 * amenity * inflow_mult / amenity.sum()
    heads *= 1.0 - tc.attrition_rate
    for r in range(len(COHORTS)):  # three cohorts, not firms
        utility = np.log(wages[r]) + amenity + (r == 2) * housing_bonus
        heads[r] = migrate(heads[r], utility, tc.migration_rate)


def decide_transformation(m, q: int) -> None:
    """Untransformed firms weigh the gain against the cost net of grants and tax relief, nudged by peers."""
    rnd = rounds.transformation_round(m, q)
    m.decide("firms", firm.weigh_transformation, rnd)
    rounds.settle_transformation(m, q, rnd)


def choose_cloud(m, q: int) -> None:
    """Transformed firms without a provider choose one, a few switch; providers reprice and invest."""
    m.decide("firms", firm.choose_cloud, rounds.cloud_round(m))
    rounds.cloud_demand(m)
    m.decide("clouds", cloud.reprice_and_invest, Round())
    rounds.update_cloud_price_index(m)


def join_platforms(m, q: int, share: float | None = None) -> None:
    """Sellers reconsider platforms: join the best (logit), multi-home if a slot is free, else switch."""
    rnd = rounds.platform_round(m, m.params.firm.platform_join_rate if share is None else share)
    m.decide("firms", firm.reconsider_platforms, rnd)


def hire_talent(m, q: int) -> None:
    """City labour markets: firms' talent demand at full output meets cohort supply; wages adjust."""
    m.potential = _potential(m, q)
    rounds.clear_labour_market(m)
    m.decide("firms", firm.hire, Round())


def trade(m, q: int) -> None:
    """Realised trade: the digital part is scaled by the talent fill rate; productivity then moves on."""
    m.decide("firms", firm.realise_trade, rounds.trade_round(m, q))


def renew_lines(m, q: int) -> None:
    """Firms open destination-market x product lines (more with platform reach) and drop others: lumpy growth."""
    m.decide("firms", firm.renew_lines, rounds.lines_round(m, q))


def grow_platforms(m, q: int) -> None:
    """GMV from member sellers, reinvested fees (plus cultivation grants) buy foreign markets; exit, entry."""
    rounds.platform_sales(m)
    m.decide("platforms", platform.expand_abroad, rounds.expansion_round(m, q))
    m.decide("platforms", platform.set_fee, rounds.fee_round(m))  # next quarter's fees, from the seller shares
    if q < 0:
        return
    was_active = m.platforms.view("active").copy()
    m.decide("platforms", platform.close_if_thin, Round(quarter=q))
    rounds.drop_closed_platforms(m, was_active)
    rounds.found_platforms(m, q)


def sell_cloud_abroad(m, q: int) -> None:
    """Overseas cloud sales grow with the IaaS-abroad trend, with providers' capacity and, for providers with
    overseas regions, with their customers' digital exports."""
    growth = (1.0 + m.params.cloud.overseas_growth) ** ((q + 1) / 4)
    rounds.cloud_customer_exports(m)
    m.decide("clouds", cloud.sell_abroad, Round(growth=growth, export_value=float(m.world.export_value[q])))


def designate_bases(m, q: int) -> None:
    """Each fourth quarter, parks meeting the criteria in covered cities become demonstration bases; the bases
    in covered cities receive their annual support a quarter at a time."""
    db = m.stance["demo_bases"]
    if not db.acting:
        return
    if q % 4 == 3:
        f = m.firms
        park, alive = f.view("park"), f.view("alive")
        inside = np.flatnonzero((park >= 0) & alive)
        w, n_parks = f.weight[inside], len(m.park_names)
        park_trade = np.bincount(park[inside], weights=w * f.digital_trade_year[inside], minlength=n_parks)
        park_firms = np.bincount(park[inside], weights=w * f.transformed[inside], minlength=n_parks)
        candidate = ~m.designated & db.cover[m.park_city] & (park_trade >= db.min_park_trade) \
            & (park_firms >= db.min_park_firms)
        room = max(0, min(db.max_new_per_year, db.max_total - m.designated.sum(), db.affordable - m.designated.sum()))
        ranked = np.flatnonzero(candidate)[np.argsort(-park_trade[candidate], kind="stable")]
        m.designated[ranked[:room]] = True
    if m.designated.any():
        amount = spend(m, "demo_bases", q, min(m.designated.sum() * db.support_per_base / 4, db.money))
        m.base_support[m.designated] += amount / m.designated.sum()


def pay_tax_expenditure(m, q: int) -> None:
    """Super-deduction on this quarter's transformations and the reduced CIT rate, pro-rated to the cap."""
    if not m.stance["tax"].acting:
        return
    rnd = rounds.tax_round(m)
    m.decide("firms", firm.claim_tax_relief, rnd)
    rounds.settle_tax(m, q, rnd)


def enter_and_exit(m, q: int) -> None:
    """Exit by size-dependent hazard; entry by kind and city, more where the zone is open."""
    m.decide("firms", firm.consider_exit, rounds.exit_round(m))
    rounds.enter(m, q)


def rewire_b2b(m, q: int) -> None:
    """B2B links to firms that left end, and a share of the others; entrants link to firms near by (park, city,
    province); firms short of partners search for one, through a partner (triadic closure) or near by. Links join
    two firms, so the model matches them (a settlement) from draws made per link, firm row and searcher."""
    rounds.rewire_b2b(m, rounds.b2b_round(m, q))
