"""The agents' decisions on whole columns: the vectorised twin of each agent method the reference path calls
(Firm.weigh_transformation -> weigh_transformation, ...). Each reads a round (model/rounds.py) and the state at
the start of its phase, and writes the agents' rows or the round.
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_picks
from agents.cloud import capacity_growth, reprice, utilisation
from agents.firm import (exit_hazard, grant_offer, grant_priority, potential_trade, productivity_shock,
                         reduced_rate_claim, seller_kind, transformation_case, transformation_choice)
from agents.platform import MAX_MARKETS, is_global, new_markets
from model.rounds import Round
from model.vocabulary import CITIES, FIRM_KINDS, MARKETS

K, C = len(FIRM_KINDS), len(CITIES)


def weigh_transformation(m, rnd: Round) -> None:
    """Each untransformed firm: adopt outright, or apply for the grant that would tip it (Firm.weigh_transformation)."""
    f, p = m.firms, m.params
    # adoption probabilities stay below adoption_max, so a firm whose draw is above it neither adopts nor
    # applies whatever its case: only the others (~adoption_max of them) need working out
    idx = np.flatnonzero(f.view("alive") & ~f.view("transformed") & (rnd.u < p.firm.adoption_max))
    kind, city, T = f.kind[idx], f.city[idx], f.trade[idx]
    pv, cost, relief = transformation_case(T, kind, rnd.cost_index[city], m.base_member[idx], m.cover["tax"][city],
                                           p.firm, p.policy)
    offer = grant_offer(cost, T, m.cover["fund"][city], p.policy.fund)
    peers = m.b2b.neighbour_share(f.view("transformed"), f.view("alive"), rows=idx)
    adopt, applies = transformation_choice(pv, cost, relief, offer, peers, rnd.u[idx], p.firm)
    rnd.adopt[idx], rnd.applies[idx], rnd.offer[idx], rnd.relief[idx] = adopt, applies, offer, relief
    rnd.priority[idx] = grant_priority(pv, cost, rnd.u_priority[idx], p.policy.fund.rule)


def choose_clouds(m, rnd: Round) -> None:
    f = m.firms
    cloud = f.view("cloud")
    users = f.view("alive") & f.view("transformed")
    rows = np.flatnonzero(users & ((cloud < 0) | (rnd.u_switch < m.params.firm.cloud_switch_rate)))
    if rows.size:
        cloud[rows] = logit_picks(rnd.menus, f.city[rows], rnd.u_pick[rows])


def reprice_and_invest(m) -> None:
    """Vectorised CloudProvider.reprice_and_invest: active providers reprice with utilisation and add capacity."""
    c, cc = m.clouds, m.params.cloud
    util = utilisation(c.view("demand"), c.view("capacity"))
    active = c.view("active")
    c.price[: c.n] = np.where(active, reprice(c.view("price"), util, cc.invest_threshold), c.view("price"))
    c.capacity[: c.n] *= np.where(active, capacity_growth(util, cc.invest_threshold, cc.invest_rate), 1.0)


def reconsider_platforms(m, rnd: Round) -> None:
    """Vectorised Firm.reconsider_platforms."""
    f = m.firms
    kind = f.view("kind")
    recon = np.flatnonzero(f.view("alive") & seller_kind(kind, f.view("transformed")) & (rnd.u_recon < rnd.share))
    if recon.size == 0 or m.platforms.n == 0:
        return
    best = logit_picks(rnd.menus, kind[recon], rnd.u_pick[recon])
    util = rnd.utility
    slots = f.platforms[recon]
    empty = slots < 0
    held_util = np.where(empty, np.inf, util[np.maximum(slots, 0)])
    worst = np.argmin(held_util, axis=1)
    add = empty.any(axis=1) & ((rnd.u_add[recon] < 0.5) | empty.all(axis=1))
    target = np.where(add, np.argmax(empty, axis=1), worst)
    better = util[np.maximum(best, 0)] > held_util[np.arange(len(recon)), worst]
    write = (best >= 0) & ~(slots == best[:, None]).any(axis=1) & (add | better)
    slots[write, target[write]] = best[write]
    f.platforms[recon] = slots


def expand_abroad(m, rnd: Round) -> None:
    """Vectorised Platform.expand_abroad."""
    p, pc = m.platforms, m.params.platform
    active = p.view("active")
    funds = pc.expansion_share * pc.fee * p.view("gmv") + rnd.grant
    p.markets[: p.n] += new_markets(funds, p.view("markets"), pc.market_cost_cny) * active
    p.global_[: p.n] = active & is_global(p.view("gmv"), p.view("markets"), rnd.fx, m.params.targets)


def close_thin_platforms(m, q: int) -> None:
    """Vectorised Platform.close_if_thin."""
    p = m.platforms
    closing = p.view("active") & (p.view("born") <= q - 4) & (p.view("sellers") < m.params.platform.exit_min_sellers)
    p.active[: p.n] &= ~closing


def plan_output(m, rnd: Round) -> None:
    """Vectorised Firm.plan_output: trade at full talent (zero for rows that left) and the talent it needs."""
    f = m.firms
    kind = f.view("kind")
    slots = f.view("platforms")
    markets = np.r_[m.platforms.view("markets"), 0.0]  # an empty slot (-1) reads the 0 at the end
    reach = markets[slots[:, 0]]
    for j in range(1, slots.shape[1]):
        np.maximum(reach, markets[slots[:, j]], out=reach)
    cell = f.view("city").astype(np.intp) * K + kind  # flat indices: one gather instead of a 3-d fancy index
    cost = rnd.cost.ravel().take(2 * cell + m.base_member)
    km = kind.astype(np.intp) * len(MARKETS) + f.view("market")
    T, DT, DX = potential_trade(f.view("size"), f.view("productivity"), kind, f.view("maturity"),
                                f.view("transformed"), reach / MAX_MARKETS, cost, rnd.demand.ravel().take(km),
                                rnd.exports.ravel().take(km), m.params.firm)
    alive = f.view("alive")
    np.multiply(T, alive, out=rnd.T)
    np.multiply(DT, alive, out=rnd.DT)
    np.multiply(DX, alive, out=rnd.DX)
    f.talent_need[: f.n] = rnd.intensity[kind] * rnd.DT / 1e6


def hire(m) -> None:
    """Vectorised Firm.hire."""
    f = m.firms
    f.talent_hired[: f.n] = f.view("talent_need") * m.fill[f.view("city")]


def realise_trade(m, rnd: Round) -> None:
    """Vectorised Firm.realise_trade."""
    f, n = m.firms, m.firms.n
    dt = rnd.DT * rnd.factor[f.view("city")]
    f.trade[:n] = rnd.T - rnd.DT + dt
    f.digital_trade[:n] = dt
    f.digital_exports[:n] = rnd.DX * rnd.factor[f.view("city")]
    recent = f.view("digital_trade_recent")
    recent[:, rnd.quarter % 4] = dt
    f.digital_trade_year[:n] = recent[:, 0] + recent[:, 1] + recent[:, 2] + recent[:, 3]
    f.productivity[:n] *= productivity_shock(rnd.shock, rnd.growth_sd)


def claim_tax_relief(m, rnd: Round) -> None:
    """Vectorised Firm.claim_tax_relief."""
    f, tx = m.firms, m.params.policy.tax
    rnd.qualifies[:] = f.view("alive") & f.view("transformed") & (f.view("maturity") >= tx.qualify_maturity) \
        & m.cover["tax"][f.view("city")]
    rnd.rate_cut[rnd.qualifies] = reduced_rate_claim(f.view("digital_trade")[rnd.qualifies], tx,
                                                     m.params.firm.profit_margin)


def consider_exit(m, rnd: Round) -> None:
    """Vectorised Firm.consider_exit (and Firm.leave)."""
    f, fc = m.firms, m.params.firm
    alive = f.view("alive")
    # the hazard falls with trade, so no firm of a kind faces more than its smallest one: only draws below that
    # bound (a few per cent) need the firm's own hazard (1e-12 of slack for the last bit of pow)
    kind = f.view("kind")
    smallest = np.full(K, np.inf)
    np.minimum.at(smallest, kind[alive], f.view("trade")[alive])
    bound = exit_hazard(np.minimum(smallest, 1e300), rnd.median, fc.exit_rate, fc.exit_size_elasticity) * (1 + 1e-12)
    idx = np.flatnonzero(alive & (rnd.u < bound[kind]))
    hazard = exit_hazard(f.trade[idx], rnd.median[f.kind[idx]], fc.exit_rate, fc.exit_size_elasticity)
    leaving = idx[rnd.u[idx] < hazard]
    f.alive[leaving] = False
    f.platforms[leaving] = -1
    f.cloud[leaving] = -1
