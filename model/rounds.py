"""Within a phase: the round (random numbers drawn per agent row, model-level inputs) before the agents decide,
and the settlement after (budgets in priority order, markets, entry). See model/phases.py for how a phase is put
together and model/engine.py for the two ways the decisions in between are made.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from agents.cloud import menu_row, provider_menus, provider_utility, served_factor
from agents.firm import (exit_hazard, high_growth_phase, initial_lines, kind_median_and_min, line_births_expected,
                         platforms_held)
from agents.platform import MAX_MARKETS, initial_fees, platform_menus, seller_utility
from agents.talent import COHORTS, fill_rate
from model.network import search_probability, supplier_search
from model.policy import fund_in_order, zone
from model.setup import assign_parks, median_size, platform_serves, relative_sizes, take_all_size
from agents.vocabulary import CITIES, FIRM_KINDS, MARKETS, PLATFORM_KINDS, TRADITIONAL

K, C = len(FIRM_KINDS), len(CITIES)


class Round(SimpleNamespace):
    """One phase's shared inputs (draws per agent row, model-level tables) and the agents' choices."""


def by_kind(mapping) -> np.ndarray:
    return np.array([float(mapping[k]) for k in FIRM_KINDS])


def spend(m, lever: str, q: int, amount: float) -> float:
    m.spent[lever] += m.budgets[lever].spend(q, amount)
    return amount


def transformation_round(m, q: int) -> Round:
    """Per firm row: a uniform to adopt (or apply) and one for the grant lottery ('broad'); slots for the choices."""
    n = m.firms.n
    return Round(u=m.rng.random(n), u_priority=m.rng.random(n),
                 cost_index=m.digital_cost_index * m.cloud_price_index,
                 adopt=np.zeros(n, dtype=bool), applies=np.zeros(n, dtype=bool), offer=np.zeros(n),
                 rd_scale=np.ones(n),
                 relief=np.zeros(n), priority=np.zeros(n))


def settle_transformation(m, q: int, rnd: Round) -> None:
    """Grants to applicants in priority order while the budget lasts; adopters transform; transformed firms mature."""
    f, fc = m.firms, m.params.firm
    applicants = np.flatnonzero(rnd.applies)  # in row order, whatever order the agents applied in
    if applicants.size:
        funded = fund_in_order(rnd.priority[applicants], rnd.offer[applicants], f.weight[applicants],
                               m.stance["fund"].money)
        winners = applicants[funded]
        grant = rnd.offer[winners]
        spend(m, "fund", q, float((f.weight[winners] * grant).sum()))
        f.grants[winners] += grant
        rnd.adopt[winners] = True
    rows = np.flatnonzero(rnd.adopt)
    f.transformed[rows] = True
    f.transform_quarter[rows] = q
    f.rd_scale[rows] = rnd.rd_scale[rows]
    m.tax_claims = Round(rows=rows, relief=rnd.relief[rows])
    grown = f.view("alive") & f.view("transformed")
    f.maturity[: f.n] += grown * fc.maturity_gain * (1.0 - f.view("maturity"))


def cloud_round(m) -> Round:
    """Logit menus of providers for firms of each city (one for firms whose digital trade is mostly exports, who
    value overseas regions), each firm row's menu, and two uniforms per firm row (switch? which?)."""
    c, f, cc, n = m.clouds, m.firms, m.params.cloud, m.firms.n
    utility = provider_utility(c.view("price"), c.view("quality"), cc.price_elasticity)
    return Round(menus=provider_menus(utility, c.view("home"), c.view("active"), c.view("abroad"), C, cc.abroad_bonus),
                 menu=menu_row(f.view("city"), f.view("digital_exports"), f.view("digital_trade"),
                               cc.abroad_export_share),
                 u_switch=m.rng.random(n), u_pick=m.rng.random(n))


def cloud_demand(m) -> None:
    """Each provider's demand: its customers' cloud spend (last quarter's digital trade)."""
    f, c = m.firms, m.clouds
    users = np.flatnonzero(f.view("alive") & f.view("transformed"))
    outlay = f.weight[users] * m.params.firm.cloud_intensity * f.digital_trade[users]
    c.demand[: c.n] = np.bincount(f.cloud[users], weights=outlay, minlength=c.n)


def update_cloud_price_index(m) -> None:
    c = m.clouds
    demand = c.view("demand")
    if demand.sum() > 0:
        m.cloud_price_index = float((c.view("price") * demand).sum() / demand.sum())


def cloud_customer_exports(m) -> None:
    """Each provider's customers' digital exports this quarter (weighted; leavers have no provider)."""
    f, c = m.firms, m.clouds
    users = np.flatnonzero(f.view("cloud") >= 0)
    c.customer_exports[: c.n] = np.bincount(f.cloud[users], weights=f.weight[users] * f.digital_exports[users],
                                            minlength=c.n)


def cloud_rationed(m, pot: Round) -> Round:
    """Output at full talent (`pot`: T, DT, DX per firm row, from hire_talent) less what unserved cloud demand
    costs: a provider's customers keep (share of its demand served)^`cloud.ration_elasticity` of their digital trade
    and exports. In place (trade_round is the only reader)."""
    c, f = m.clouds, m.firms
    served = served_factor(c.view("capacity"), c.view("demand"), m.params.cloud.ration_elasticity)
    if served.min(initial=1.0) >= 1.0:  # spare capacity everywhere
        return pot
    cloud = f.view("cloud")
    rows = np.flatnonzero(np.r_[served < 1.0, False][cloud])  # customers of a busy provider (-1: none)
    factor = served[cloud[rows]]
    lost = pot.DT[rows] * (1.0 - factor)
    pot.T[rows] -= lost
    pot.DT[rows] -= lost
    pot.DX[rows] *= factor
    return pot


def platform_round(m, share: float) -> Round:
    """Each platform's pull on sellers, a logit menu per firm kind, three uniforms per firm row."""
    p, pc, n = m.platforms, m.params.platform, m.firms.n
    utility = seller_utility(p.view("markets"), p.view("sellers"), p.view("fee"), pc.network_exponent, pc.fee_weight)
    return Round(share=share, utility=utility, menus=platform_menus(utility, m.platform_kind_serves,
                                                                    p.view("active"), K),
                 u_recon=m.rng.random(n), u_pick=m.rng.random(n), u_add=m.rng.random(n))


def platform_sales(m) -> None:
    """Sellers (weighted) and GMV of each platform; a multi-homing seller splits its exports over its platforms."""
    f, p = m.firms, m.platforms
    held = platforms_held(f.view("platforms"))
    rows = np.flatnonzero(held)
    slots, k, w = f.platforms[rows], held[rows], f.weight[rows]
    member = slots >= 0
    on = slots[member]  # row by row, so np.repeat lines each seller's values up with its slots
    z = np.bincount(on, weights=np.repeat(w * f.digital_exports[rows] / k, k), minlength=p.n)
    p.sellers[: p.n] = np.bincount(on, weights=np.repeat(w, k), minlength=p.n)
    p.gmv[: p.n] = z * (1.0 + p.view("external_ratio")) * p.view("active")


def expansion_round(m, q: int) -> Round:
    """Cultivation grants per platform (fund rule 'platform', by GMV in covered cities) and the year's CNY/USD."""
    p, fund = m.platforms, m.stance["fund"]
    grant = np.zeros(p.n)
    if fund.platform_grants > 0:
        eligible = p.view("gmv") * fund.cover[p.view("city")]
        if eligible.sum() > 0:  # nothing is spent when no platform in a covered city qualifies
            grant = spend(m, "fund", q, fund.platform_grants) * eligible / eligible.sum()
            p.grants[: p.n] += grant
    fx = m.world.fx[q] if q >= 0 else float(m.params.world.fx_observed["2019"])
    return Round(grant=grant, fx=fx)


def fee_round(m) -> Round:
    """Sellers on the active platforms of each kind (weighted), against which a platform reads its share."""
    p = m.platforms
    return Round(kind_sellers=np.bincount(p.view("kind"), weights=p.view("sellers") * p.view("active"),
                                          minlength=len(PLATFORM_KINDS)))


def drop_closed_platforms(m, was_active: np.ndarray) -> None:
    """Sellers lose their slot on a platform that closed this quarter."""
    closed = was_active & ~m.platforms.view("active")
    if closed.any():
        slots = m.firms.view("platforms")
        slots[(slots >= 0) & closed[np.maximum(slots, 0)]] = -1


def digital_firms(m) -> np.ndarray:
    """(cities,) living digital firms (weighted): the digital kinds and transformed traditional traders."""
    f = m.firms
    digital = f.view("alive") & (f.view("transformed") | (f.view("kind") != TRADITIONAL))
    return np.bincount(f.view("city")[digital], weights=f.view("weight")[digital], minlength=C)


def found_platforms(m, q: int) -> None:
    """New platforms (Poisson), more where the zone is open; kind and city drawn by the incumbents' mix."""
    pc = m.params.platform
    by_city = digital_firms(m)
    boost = 1.0 + m.params.firm.entry_policy_boost * (by_city * zone(m.stance)).sum() / max(by_city.sum(), 1e-9)
    n_new = m.rng.poisson(pc.entry_per_quarter * by_city.sum() / m.digital_firms_2019.sum() * boost)
    if n_new == 0:
        return
    weights = np.array([pc.n_initial[k] for k in PLATFORM_KINDS], dtype=float) + 1.0
    kinds = m.rng.choice(len(PLATFORM_KINDS), n_new, p=weights / weights.sum())
    m.platforms.append(kind=kinds, city=m.rng.choice(C, n_new, p=by_city / by_city.sum()),
                       markets=np.full(n_new, 3.0), born=np.full(n_new, q),
                       external_ratio=np.exp(np.log(max(pc.external_gmv_ratio, 1e-9)) + m.rng.standard_normal(n_new)),
                       fee=initial_fees(pc.fee, pc.fee_dispersion, m.rng.standard_normal(n_new)))
    m.platform_kind_serves = platform_serves(m.platforms.view("kind"))


def output_round(m, q: int) -> Round:
    """Demand indices by kind x market group and trade-cost terms by city x kind x base membership.

    q = -1 gives end-2019 conditions (all world indices 1).
    """
    p, n = m.params, m.firms.n
    if q < 0:
        foreign = np.ones((K, len(MARKETS)))
        domestic, vx, vm = 1.0, 1.0, 1.0
    else:
        wp = m.world
        traditional = (np.arange(K) == TRADITIONAL)[:, None]
        foreign = np.where(traditional, wp.goods_demand[q][None, :], wp.digital_demand[q][None, :])
        domestic = np.where(traditional, wp.domestic_demand[q], wp.digital_import_demand[q])  # (kinds, 1)
        vx, vm = wp.export_value[q], wp.import_value[q]
    es = m.export_share[:, None]
    exports = es * foreign * vx
    demand = exports + (1.0 - es) * domestic * vm
    tau0 = m.tau0[None, :, None]
    cut = m.trade_cost_cut[:, :, None] + np.array([0.0, m.stance["demo_bases"].trade_cost_cut])  # non-member, member
    tau = np.clip(tau0 - cut, 0.0, None)
    cost = ((1.0 - tau) / (1.0 - tau0)) ** p.firm.trade_elasticity
    cost = cost * m.infra_productivity[:, None, None]  # 5G and compute: output per firm (Broadband China evidence)
    return Round(quarter=q, demand=demand, exports=exports, cost=cost, intensity=by_kind(p.firm.talent_intensity),
                 T=np.zeros(n), DT=np.zeros(n), DX=np.zeros(n), X=np.zeros(n), reach=np.zeros(n))


def clear_labour_market(m) -> None:
    """Talent demand per city against cohort supply: fill rate, employment, wages."""
    f, t, tc = m.firms, m.talent, m.params.talent
    alive = np.flatnonzero(f.view("alive"))
    demand = np.bincount(f.city[alive], weights=f.weight[alive] * f.talent_need[alive], minlength=C)
    heads = t.headcount[: t.n].reshape(len(COHORTS), C)
    skill = t.skill[: t.n].reshape(len(COHORTS), C)
    supply = (heads * skill).sum(axis=0)
    m.fill[:], m.talent_demand[:], m.talent_supply[:] = fill_rate(supply, demand), demand, supply
    t.employed[: t.n] = (heads * np.minimum(1.0, demand / np.maximum(supply, 1e-9))).ravel()
    pressure = np.clip(tc.wage_elasticity * (demand / np.maximum(supply, 1e-9) - 1.0) / 4, -0.05, 0.05)
    t.wage[: t.n] *= np.tile(1.0 + pressure, len(COHORTS))


def trade_round(m, q: int) -> Round:
    """Output at full talent (from hire_talent), the talent factor by city, one productivity draw per firm row."""
    fc, pot = m.params.firm, cloud_rationed(m, m.potential)
    return Round(quarter=q, T=pot.T, DT=pot.DT, DX=pot.DX, X=pot.X, factor=m.fill ** fc.talent_elasticity,
                 growth_sd=fc.line_growth_sd, shock=m.rng.standard_normal(m.firms.n))


def lines_round(m, q: int) -> Round:
    """Per firm row: lines born (Poisson, expected number from the firm's lines, platform reach and whether it is
    in a high-growth phase) and dropped (binomial over its lines), one normal draw each for their sizes, and the
    next high-growth phase of rows whose phase ends this quarter. Rows that left draw zeros."""
    f, fc, n, rng = m.firms, m.params.firm, m.firms.n, m.rng
    live = np.flatnonzero(f.view("alive"))  # draws for living rows only; the same rows in either engine
    lines = f.lines[live]
    matched = m.stance["online_exhibitions"].buyer_matches[f.city[live]]  # plan 五(十二)
    reach = m.potential.reach[live] / MAX_MARKETS  # memberships as this quarter's output was planned with
    births, deaths = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    in_phase = (f.high_growth_from[live] <= q) & (q <= f.high_growth_until[live])
    births[live] = rng.poisson(line_births_expected(lines, reach, fc.line_birth_rate, fc.line_reach_effect, matched,
                                                    fc.high_growth_boost * in_phase))
    deaths[live] = dropped_lines(lines, fc.line_death_rate, rng)
    z_birth, z_death = np.zeros(n), np.zeros(n)  # a size draw only where a line is born or dropped
    for z, events in ((z_birth, births), (z_death, deaths)):
        at = np.flatnonzero(events)
        z[at] = rng.standard_normal(len(at))
    next_phase = np.zeros(n, dtype=bool)  # the phase ends this quarter: its next one is drawn
    next_phase[live] = f.high_growth_until[live] <= q
    k = int(next_phase.sum())
    phase_from, phase_until = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    phase_from[next_phase], phase_until[next_phase] = high_growth_phase(
        q, fc.high_growth_share, 4 * fc.high_growth_years, rng.standard_exponential(k), rng.standard_exponential(k))
    return Round(births=births, deaths=deaths, z_birth=z_birth, z_death=z_death, size_sd=fc.line_size_sd,
                 next_phase=next_phase, phase_from=phase_from, phase_until=phase_until)


def dropped_lines(lines: np.ndarray, rate: float, rng, many: int = 64) -> np.ndarray:
    """Binomial(lines, rate) per firm. Firms with up to `many` lines (most of them): each line's Bernoulli(rate) in
    one pass, the gaps between dropped lines (all their lines end to end) being geometric -- twice as fast as
    numpy's binomial over ~100k firms; the few large ones: numpy's binomial."""
    out = np.zeros(lines.size, dtype=np.int64)
    if rate <= 0 or lines.size == 0:
        return out
    big = lines > many
    out[big] = rng.binomial(lines[big], rate)
    small = np.flatnonzero(~big)
    end = np.cumsum(lines[small], dtype=np.int64)
    total = int(end[-1]) if end.size else 0
    if total == 0:
        return out
    batch = int(total * rate + 6 * np.sqrt(total * rate)) + 16
    dropped = np.cumsum(rng.geometric(rate, batch)) - 1  # positions of the dropped lines
    while dropped[-1] < total:  # rarely: the batch did not reach the last line
        dropped = np.r_[dropped, dropped[-1] + np.cumsum(rng.geometric(rate, batch))]
    out[small] = np.bincount(np.searchsorted(end, dropped[dropped < total], side="right"), minlength=small.size)
    return out


def tax_round(m) -> Round:
    n = m.firms.n
    return Round(qualifies=np.zeros(n, dtype=bool), rate_cut=np.zeros(n))


def settle_tax(m, q: int, rnd: Round) -> None:
    """All claims are paid in the same proportion, at most the cap's available amount."""
    f = m.firms
    rows, relief = m.tax_claims.rows, m.tax_claims.relief
    qualifying = np.flatnonzero(rnd.qualifies)
    rate_cut = rnd.rate_cut[qualifying]
    wanted = float((f.weight[rows] * relief).sum() + (f.weight[qualifying] * rate_cut).sum())
    if wanted <= 0:
        return
    factor = min(1.0, m.stance["tax"].money / wanted)
    spend(m, "tax", q, wanted * factor)
    f.tax_relief[rows] += relief * factor
    f.tax_relief[qualifying] += rate_cut * factor


def exit_round(m) -> Round:
    """One uniform per firm row, each kind's median trade, and each kind's highest hazard (its smallest firm's)."""
    f, fc = m.firms, m.params.firm
    alive, kind = f.view("alive"), f.view("kind")
    median, smallest = kind_median_and_min(f.view("trade"), kind, alive)
    # 1e-12 of slack for the last bit of pow: the bound only skips firms that surely stay
    bound = exit_hazard(np.minimum(smallest, 1e300), median, fc.exit_rate, fc.exit_size_elasticity) * (1 + 1e-12)
    return Round(u=m.rng.random(f.n), median=median, bound=bound)


def enter(m, q: int) -> None:
    """Entrants by kind and city (Poisson), with sizes, parks and markets (their B2B links form in rewire_b2b)."""
    f, fc, rng = m.firms, m.params.firm, m.rng
    alive = f.view("alive")
    cell = f.view("kind").astype(np.int64) * C + f.view("city")
    incumbents = np.bincount(cell[alive], weights=f.view("weight")[alive], minlength=K * C).reshape(K, C)
    ma = m.stance["market_access"].foreign_entry  # (cities,) extra foreign entrants per foreign entrant
    fs = m.params.population.foreign_share
    expected = fc.entry_rate * incumbents * (1.0 + fc.entry_policy_boost * zone(m.stance)) * (1.0 + fs * ma)
    pop = m.params.population
    entrants = rng.poisson(expected * m.scale)  # agent rows per kind x city, each standing for 1/scale firms
    total = int(entrants.sum())
    if total == 0:
        return
    kind = np.repeat(np.repeat(np.arange(K), C), entrants.ravel())
    city = np.repeat(np.tile(np.arange(C), K), entrants.ravel())
    foreign_p = fs * (1.0 + ma[city]) / (1.0 + fs * ma[city])
    # entrants start below the incumbents' take-all size (they reach the tail by growing), so weight x size stays
    # below take-all size / scale and no single draw stands for many giants
    x0 = take_all_size(pop) / pop.entrant_size
    size = m.size_floor[kind] * pop.entrant_size * relative_sizes(rng.random(total), pop, x0)
    lines = initial_lines(size, m.size_floor[kind] * median_size(pop), pop.lines_per_median, rng)  # as at start
    f.append(kind=kind, city=city, park=assign_parks(city, pop.in_park_share, m.park_city, rng),
             market=rng.choice(len(MARKETS), total, p=_market_p(m)), foreign=rng.random(total) < foreign_p,
             weight=np.full(total, 1.0 / m.scale), size=size, lines=lines,
             maturity=rng.uniform(0.0, 0.2, total),
             born=np.full(total, q), **phases_of_new_firms(q, fc, total, rng))


def phases_of_new_firms(q: int, fc, n: int, rng) -> dict:
    """high_growth_from/until columns of n new firms (at start or entry): `high_growth_share` of them in a phase."""
    first, last = high_growth_phase(q, fc.high_growth_share, 4 * fc.high_growth_years, rng.standard_exponential(n),
                                    rng.standard_exponential(n), rng.random(n))
    return {"high_growth_from": first, "high_growth_until": last}


def b2b_round(m, q: int) -> Round:
    """B2B rewiring: which links decay (each with probability `network.link_decay`: a binomial number of them,
    drawn without replacement) and, for each entrant of the quarter, a Poisson(`network.b2b_degree` / 2) number of
    links it makes. The numbers come from the rewiring's own generator (also for the search, in the settlement),
    seeded by one draw from m.rng: how many the network needs (links, searchers) then never shifts the draws of
    other phases, so runs paired on a seed stay paired."""
    rng = np.random.default_rng(m.rng.integers(2 ** 63))
    e, net = m.b2b.n_links, m.params.network
    entrants = np.flatnonzero(m.firms.view("born") == q)
    return Round(rng=rng, decayed=rng.choice(e, rng.binomial(e, net.link_decay), replace=False, shuffle=False),
                 entrants=entrants, stubs=np.repeat(entrants, rng.poisson(net.b2b_degree / 2.0, len(entrants))))


def rewire_b2b(m, rnd: Round) -> None:
    """Links to firms that left and the decayed ones end; entrants link to living firms near by, and living
    firms short of partners search for one (model.network.supplier_search; one uniform per firm below the target
    degree, then uniforms per searcher and per entrant link, in row order, from the round's generator). The counts
    go to the records."""
    f, net, b2b = m.firms, m.params.network, m.b2b
    alive = f.view("alive")
    a, b = b2b.pairs()
    staying = alive.take(a) & alive.take(b)
    staying[rnd.decayed] = False
    ended = b2b.n_links - int(np.count_nonzero(staying))
    b2b.keep(staying)
    degree, entrant = b2b.degree(f.n), np.zeros(f.n, dtype=bool)
    entrant[rnd.entrants] = True  # entrants link through their stubs this quarter
    short = np.flatnonzero(alive & (degree < net.b2b_degree) & ~entrant)
    chance = search_probability(degree[short], net.b2b_degree, net.search_rate)
    rows = short[rnd.rng.random(len(short)) < chance]
    new = supplier_search(b2b, rows, rnd.rng.random((len(rows), 4)), rnd.stubs, rnd.rng.random((len(rnd.stubs), 2)),
                          f.view("city"), f.view("park"), np.flatnonzero(alive), net)
    b2b.add(new)
    b2b.formed, b2b.ended = len(new), ended


def _market_p(m) -> np.ndarray:
    share = np.array([m.params.world.market_share[k] for k in MARKETS])
    return share / share.sum()
