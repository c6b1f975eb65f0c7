"""Firms: traditional goods traders, CBEC sellers, digital-service exporters, digital-content exporters.

State (one row per firm agent; `weight` real firms stand behind each row):

| symbol | column | unit | meaning |
|---|---|---|---|
| k | kind | code | FIRM_KINDS index |
| c | city | code | CITIES index |
| b | park | code | candidate park index, -1 outside any park |
| w | weight | firms | real firms this agent represents (1/scale, 1 in the take-all stratum) |
| Y | size | CNY/quarter | trade at end-2019 conditions (heavy-tailed) |
| A | productivity | index | common growth of its lines (random walk, sd falling with n), 1 at start |
| n | lines | lines | destination-market x product lines; size moves when one is born or dies |
| h0, h1 | high_growth_from, high_growth_until | quarter index | its current or next high-growth phase |
| m | maturity | 0..1 | digital maturity; grows after transformation |
| T | trade | CNY/quarter | exports + imports this quarter |
| DT | digital_trade | CNY/quarter | the part of T that counts as digital trade |
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_picks
from agents.platform import MAX_MARKETS
from agents.state import ArrayState, RowAgent, per_agent, row_view, rows_where
from agents.vocabulary import CBEC, CONTENT, FIRM_KINDS, MARKETS, TRADITIONAL

MAX_HOMING = 3  # platforms a seller can be on at once (multi-homing)

GLOSSARY = {
    "kind": ("i1", "code", "firm kind (FIRM_KINDS index)"),
    "city": ("i1", "code", "city (CITIES index)"),
    "park": ("i2", "code", "candidate park, -1 none"),
    "market": ("i1", "code", "main foreign market group (MARKETS index)"),
    "foreign": ("?", "flag", "foreign-owned"),
    "alive": ("?", "flag", "operating"),
    "weight": ("f8", "firms", "real firms represented"),
    "size": ("f8", "CNY/quarter", "trade at end-2019 conditions"),
    "productivity": ("f8", "index", "growth of its lines since the start"),
    "lines": ("i4", "lines", "destination-market x product lines it trades (0: it exits)"),
    "maturity": ("f8", "0..1", "digital maturity"),
    "transformed": ("?", "flag", "has digitally transformed"),
    "rd_scale": ("f8", "x base outlay", "its transformation (R&D) outlay relative to the untaxed optimum"),
    "transform_quarter": ("i2", "quarter index", "when it transformed, -1 never / before 2020"),
    "cloud": ("i2", "code", "cloud provider row, -1 none"),
    "platforms": ("i2", "code", "platform rows it sells on (multi-homing), -1 empty slot"),
    "trade": ("f8", "CNY/quarter", "exports + imports"),
    "digital_trade": ("f8", "CNY/quarter", "digital trade (exports + imports)"),
    "digital_exports": ("f8", "CNY/quarter", "digital exports"),
    "exports": ("f8", "CNY/quarter", "exports, goods and digital"),
    "digital_trade_recent": ("f8", "CNY/quarter", "digital trade of the last four quarters (ring by quarter)"),
    "digital_trade_year": ("f8", "CNY/year", "digital trade over the last four quarters"),
    "talent_need": ("f8", "workers", "digital workers needed at full output"),
    "talent_hired": ("f8", "workers", "digital workers employed"),
    "grants": ("f8", "CNY", "special-fund grants received, cumulative"),
    "tax_relief": ("f8", "CNY", "tax expenditure in its favour, cumulative"),
    "born": ("i2", "quarter index", "entry quarter, -1 incumbent at start"),
    "high_growth_from": ("i2", "quarter index", "first quarter of its current or next high-growth phase"),
    "high_growth_until": ("i2", "quarter index", "last quarter of that phase"),
    "base_member": ("?", "flag", "in a park that is an active demonstration base this quarter"),
}


class FirmState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"park": -1, "cloud": -1, "platforms": -1, "transform_quarter": -1, "born": -1,
            "productivity": 1.0, "alive": True, "lines": 1, "rd_scale": 1.0}
    SHAPES = {"platforms": (MAX_HOMING,), "digital_trade_recent": (4,)}


@row_view("firms", GLOSSARY)
class Firm(RowAgent):
    """One firm (or `weight` similar firms); a view onto its row of model.firms.

    Its decision methods are the rules below applied to its row alone (the reference engine, `engine=reference`);
    the vectorised engine applies the same rules to all rows at once. Each rule reads the phase's round `rnd`
    (random numbers drawn per firm row, model-level tables), the state at the start of the phase and the levers'
    stances (`model.stance`), and writes the firms' rows or the round.
    """

    @property
    def kind_name(self) -> str:
        return FIRM_KINDS[self.kind]

    @property
    def partners(self) -> np.ndarray:
        """Rows of its B2B partners (a partner linked twice appears twice)."""
        return self.model.b2b.partners(self.row)


# ---------------------------------------------------------------------------------------------- rules over rows
def weigh_transformation(m, rnd, rows) -> None:
    """Untransformed: adopt if the gain beats the cost net of relief, or apply for a grant that would tip it.

    Adoption probabilities stay below adoption_max, so a firm whose draw is above it neither adopts nor applies
    whatever its case: only the others (~adoption_max of them) need working out."""
    f, fc = m.firms, m.params.firm
    idx = rows_where(rows, f.alive[rows] & ~f.transformed[rows] & (rnd.u[rows] < fc.adoption_max))
    tax, fund = m.stance["tax"], m.stance["fund"]
    kind, city, T = f.kind[idx], f.city[idx], f.trade[idx]
    td = m.stance["trade_digitalisation"]  # blockchain credit (plan 五(十一)): SMEs finance the cost more cheaply
    sme = 4 * T < m.params.population.sme_max_trade_cny
    cost_index = rnd.cost_index[city] * (1.0 - td.sme_credit_cut[city] * sme)
    rd = rd_outlay_scale(tax.cover[city], tax.user_cost, fc.rd_returns)
    pv, cost, relief = transformation_case(T, kind, cost_index, f.base_member[idx], tax.cover[city], tax,
                                           m.stance["demo_bases"].transform_support, fc, rd)
    offer = grant_offer(cost, sme, fund.cover[city], fund)
    peers = m.b2b.neighbour_share(f.view("transformed"), f.view("alive"), rows=idx)
    adopt, applies = transformation_choice(pv, cost, relief, offer, peers, rnd.u[idx], fc)
    rnd.adopt[idx], rnd.applies[idx], rnd.offer[idx], rnd.relief[idx] = adopt, applies, offer, relief
    rnd.rd_scale[idx] = rd
    rnd.priority[idx] = grant_priority(pv, cost, rnd.u_priority[idx], fund.rule)


def choose_cloud(m, rnd, rows) -> None:
    """Transformed: pick a provider if it has none or its provider stopped selling here, else with a small
    probability reconsider it; from its city's menu, the one for exporters (overseas regions count) if its digital
    trade is mostly exports (`rnd.menu`)."""
    f = m.firms
    cloud = f.cloud[rows]
    lost = (cloud >= 0) & ~m.clouds.active[np.maximum(cloud, 0)]
    reconsider = (cloud < 0) | lost | (rnd.u_switch[rows] < m.params.firm.cloud_switch_rate)
    idx = rows_where(rows, f.alive[rows] & f.transformed[rows] & reconsider)
    if idx.size:
        f.cloud[idx] = logit_picks(rnd.menus, rnd.menu[idx], rnd.u_pick[idx])


def reconsider_platforms(m, rnd, rows) -> None:
    """A seller: join the best platform for its kind if it has a free slot, else swap out its worst one."""
    f = m.firms
    recon = rows_where(rows, f.alive[rows] & seller_kind(f.kind[rows], f.transformed[rows])
                       & (rnd.u_recon[rows] < rnd.share))
    if recon.size == 0 or m.platforms.n == 0:
        return
    best = logit_picks(rnd.menus, f.kind[recon], rnd.u_pick[recon])
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


def plan_output(m, rnd, rows) -> None:
    """Trade at full talent this quarter (zero for rows that left), and the digital workers that needs."""
    f = m.firms
    kind = f.kind[rows]
    reach = rnd.reach[rows] = platform_reach(m, rows)
    cell = f.city[rows].astype(np.intp) * len(FIRM_KINDS) + kind  # flat indices: one gather, not a 3-d index
    cost = rnd.cost.ravel().take(2 * cell + f.base_member[rows])
    km = kind.astype(np.intp) * len(MARKETS) + f.market[rows]
    T, DT, DX = potential_trade(f.size[rows], f.productivity[rows], kind, f.maturity[rows], f.transformed[rows],
                                reach / MAX_MARKETS, cost, rnd.demand.ravel().take(km), rnd.exports.ravel().take(km),
                                m.params.firm, rd_gain(f.rd_scale[rows], m.params.firm.rd_returns))
    alive = f.alive[rows]
    export_share = rnd.exports.ravel().take(km) / rnd.demand.ravel().take(km)
    rnd.T[rows], rnd.DT[rows], rnd.DX[rows] = T * alive, DT * alive, DX * alive
    rnd.X[rows] = T * export_share * alive
    f.talent_need[rows] = rnd.intensity[kind] * rnd.DT[rows] / 1e6


def hire(m, rnd, rows) -> None:
    """Staff its need as far as the city's labour market fills it."""
    f = m.firms
    f.talent_hired[rows] = f.talent_need[rows] * m.fill[f.city[rows]]


def realise_trade(m, rnd, rows) -> None:
    """The digital part of trade is scaled by the city's talent fill; then productivity moves on."""
    f = m.firms
    factor = rnd.factor[f.city[rows]]
    dt = rnd.DT[rows] * factor
    f.trade[rows] = rnd.T[rows] - rnd.DT[rows] + dt
    f.digital_trade[rows] = dt
    f.digital_exports[rows] = rnd.DX[rows] * factor
    f.exports[rows] = rnd.X[rows] - rnd.DX[rows] + f.digital_exports[rows]
    recent = f.digital_trade_recent
    recent[rows, rnd.quarter % 4] = dt
    f.digital_trade_year[rows] = recent[rows, 0] + recent[rows, 1] + recent[rows, 2] + recent[rows, 3]
    f.productivity[rows] *= productivity_shock(rnd.shock[rows], rnd.growth_sd / np.sqrt(np.maximum(f.lines[rows], 1)))


def renew_lines(m, rnd, rows) -> None:
    """Lines born (rnd.births) and dropped (rnd.deaths) this quarter move the firm's size in jumps: each line is
    a share of the firm's size, new and dropped lines dispersed around its mean line (line_size_sd). A firm whose
    high-growth phase ended takes its next one (rnd.phase_from, rnd.phase_until)."""
    f = m.firms
    nxt = rows_where(rows, rnd.next_phase[rows])  # their high-growth phase ended: the next one is drawn
    f.high_growth_from[nxt], f.high_growth_until[nxt] = rnd.phase_from[nxt], rnd.phase_until[nxt]
    idx = rows_where(rows, (rnd.births[rows] > 0) | (rnd.deaths[rows] > 0))  # the others keep their lines
    f.size[idx], f.lines[idx] = portfolio_change(f.size[idx], f.lines[idx], rnd.births[idx], rnd.deaths[idx],
                                                 rnd.z_birth[idx], rnd.z_death[idx], rnd.size_sd)


def claim_tax_relief(m, rnd, rows) -> None:
    """A transformed firm mature enough in a covered city claims the reduced CIT rate on its digital trade."""
    f, tax = m.firms, m.stance["tax"]
    idx = rows_where(rows, f.alive[rows] & f.transformed[rows] & (f.maturity[rows] >= tax.qualify_maturity)
                     & tax.cover[f.city[rows]])
    rnd.qualifies[idx] = True
    rnd.rate_cut[idx] = reduced_rate_claim(f.digital_trade[idx], tax.rate_cut, m.params.firm.profit_margin)


def consider_exit(m, rnd, rows) -> None:
    """Leave when its last line died, or with the hazard of its size relative to its kind's median: off its
    platforms and cloud.

    The hazard falls with trade, so no firm of a kind faces more than its smallest one (`rnd.bound`): only draws
    below that bound (a few per cent) need the firm's own hazard."""
    f, fc = m.firms, m.params.firm
    idx = rows_where(rows, f.alive[rows] & (rnd.u[rows] < rnd.bound[f.kind[rows]]))
    hazard = exit_hazard(f.trade[idx], rnd.median[f.kind[idx]], fc.exit_rate, fc.exit_size_elasticity)
    leaving = np.union1d(idx[rnd.u[idx] < hazard], rows_where(rows, f.alive[rows] & (f.lines[rows] == 0)))
    f.alive[leaving] = False
    f.platforms[leaving] = -1
    f.cloud[leaving] = -1


RULES = (weigh_transformation, choose_cloud, reconsider_platforms, plan_output, hire, realise_trade, renew_lines,
         claim_tax_relief, consider_exit)
for _rule in RULES:  # Firm.weigh_transformation(rnd) etc.: the rule on the agent's own row
    setattr(Firm, _rule.__name__, per_agent(_rule))


# ---------------------------------------------------------------------------------------------- pure functions
def annuity_factor(horizon_years: float, discount_rate: float) -> float:
    """Present value of CNY 1 a quarter for the horizon."""
    r = discount_rate / 4
    n = 4 * horizon_years
    return n if r == 0 else (1 - (1 + r) ** -n) / r


def digital_share(kind, maturity, transformed, share_untransformed: float, share_transformed: float):
    """Share of a firm's trade that is digital trade: all of it for the digital kinds."""
    trad = transformed * maturity  # in place from here: these run on every firm each quarter
    trad *= share_transformed - share_untransformed
    trad += share_untransformed
    return np.where(kind == TRADITIONAL, trad, 1.0)


def transformation_uplift(kind, maturity, transformed, gain: float, share_transformed: float):
    """Trade multiplier from transformation (traditional traders gain on their digital channel only)."""
    uplift = gain * np.where(kind == TRADITIONAL, share_transformed, 1.0)
    uplift *= maturity
    uplift *= transformed
    uplift += 1.0
    return uplift


def potential_trade(size, productivity, kind, maturity, transformed, reach, cost, demand, exports, fc,
                    gain_scale=1.0):
    """(T, DT, DX): trade, digital trade and digital exports at full talent, CNY/quarter.

    `cost` is the firm's trade-cost term, `demand`/`exports` the demand indices of its kind and market group,
    `reach` the largest market reach among its platforms (0..1). Scalars or arrays alike.
    """
    base = size * productivity  # in place from here: size * productivity * cost * uplift * (1 + effect * reach)
    base *= cost
    base *= transformation_uplift(kind, maturity, transformed, fc.transform_gain * gain_scale,
                                  fc.digital_share_transformed)
    pull = fc.platform_reach_effect * reach
    pull += 1.0
    base *= pull
    digital = digital_share(kind, maturity, transformed, fc.digital_share_untransformed, fc.digital_share_transformed)
    digital *= base
    return base * demand, digital * demand, digital * exports


def adoption_probability(pv_gain, net_cost, neighbour_share, p_max: float, slope: float, peer: float):
    """Quarterly probability to transform: logistic in log(gain/cost), raised by transformed B2B neighbours."""
    ratio = np.log(np.maximum(pv_gain, 1e-9) / np.maximum(net_cost, 1e-9))
    return p_max / (1.0 + np.exp(-(slope * ratio + peer * neighbour_share)))


def transformation_case(trade, kind, cost_index, base_member, tax_covered, tax, base_support: float, fc, rd=1.0):
    """(pv, cost, relief) of transforming now: discounted gain (plus the reduced CIT rate where the tax lever
    acts), one-off cost (cheaper with infrastructure, cloud prices, base support), super-deduction relief.
    `tax` is the tax lever's stance; `base_support` the share of the cost a demonstration base pays; `rd` the
    outlay relative to the untaxed optimum (rd_outlay_scale): it costs rd times as much and gains rd^rd_returns."""
    annuity = annuity_factor(fc.horizon_years, fc.discount_rate)
    reach = np.where(kind == TRADITIONAL, fc.digital_share_transformed, 1.0)
    gain = fc.transform_gain * rd_gain(rd, fc.rd_returns)
    pv = fc.profit_margin * gain * reach * trade * annuity
    cost = fc.transform_cost_cny * (np.maximum(trade, 1.0) / 1e7) ** fc.transform_cost_elasticity \
        * cost_index * (1.0 - base_member * base_support) * rd
    relief = tax_covered * tax.deduction * cost
    pv = pv + tax_covered * tax.rate_cut * fc.profit_margin * reach * trade * (1.0 + gain) * annuity
    return pv, cost, relief


def rd_outlay_scale(tax_covered, user_cost: float, returns: float):
    """Outlay relative to the untaxed optimum: with gains rising as outlay^returns, the optimal outlay moves with
    the user cost (B-index) as B^(-1/(1 - returns)); 1 where the tax lever does not act."""
    return np.where(tax_covered, user_cost ** (-1.0 / (1.0 - returns)), 1.0)


def grant_offer(cost, sme, fund_covered, fund):
    """Special-fund grant a firm could get (`fund`: the lever's stance; `sme`: below the SME threshold): a share of
    the cost up to the cap, SMEs only under 'broad', none under 'platform' (that rule cultivates platforms instead)."""
    if fund.rule == "platform":
        return cost * 0.0
    offer = np.minimum(fund.grant_cap, fund.grant_share * cost) * fund_covered
    return offer * sme if fund.rule == "broad" else offer


def transformation_choice(pv, cost, relief, offer, peers, u, fc):
    """(adopt, applies): adopt outright if u is below the adoption probability; apply for the grant if only the
    grant brings the probability above u (one uniform u per firm serves both)."""
    net = np.maximum(cost - relief, 0.1 * cost)
    adopt = u < adoption_probability(pv, net, peers, fc.adoption_max, fc.adoption_slope, fc.peer_effect)
    with_grant = adoption_probability(pv, np.maximum(net - offer, 0.1 * cost), peers, fc.adoption_max,
                                      fc.adoption_slope, fc.peer_effect)
    return adopt, (offer > 0) & (u < with_grant)


def grant_priority(pv, cost, u_priority, rule: str):
    """Place in the grant queue: gain/cost ratio under 'competitive', a lottery otherwise."""
    return np.log(np.maximum(pv, 1e-9) / cost) if rule == "competitive" else u_priority


def seller_kind(kind, transformed):
    """Firms that sell on platforms: CBEC and content firms, and any firm once transformed."""
    return transformed | (kind == CBEC) | (kind == CONTENT)


def rd_gain(rd_scale, returns: float):
    """rd_scale ** returns: the gain of a larger R&D outlay; most firms have the base outlay (1), whose power is 1."""
    return np.power(rd_scale, returns, out=np.ones(np.shape(rd_scale)), where=rd_scale != 1.0)


def productivity_shock(z, sd):
    """Mean-one log-normal productivity factor for a standard-normal draw z."""
    return np.exp(sd * z - sd ** 2 / 2)


def platform_reach(m, rows) -> np.ndarray:
    """Largest foreign-market reach (markets) among the platforms each firm sells on, 0 if none."""
    slots = m.firms.platforms[rows]
    markets = np.r_[m.platforms.view("markets"), 0.0]  # an empty slot (-1) reads the 0 at the end
    reach = markets[slots[:, 0]]
    for j in range(1, slots.shape[1]):
        np.maximum(reach, markets[slots[:, j]], out=reach)
    return reach


def initial_lines(size, kind_median, per_median: float, rng) -> np.ndarray:
    """Lines of a firm at start (or entry): 1 + Poisson(per_median x size / its kind's median), so lines rise in
    proportion to size."""
    return 1 + rng.poisson(per_median * size / kind_median)


NEVER = 32767  # a quarter index past any horizon (the columns are int16)


def high_growth_phase(q: int, share: float, mean_quarters: float, e_wait, e_len, u=None):
    """(first, last) quarter of a firm's next high-growth phase, from two standard exponential draws: phases of mean
    length `mean_quarters` alternate with waits of mean `mean_quarters` (1 - share) / share, so `share` of firms
    are in one at a time. A new firm (`u`, uniform) is in one from quarter q with probability `share`."""
    if share <= 0:
        return np.full(np.shape(e_wait), NEVER), np.full(np.shape(e_wait), NEVER)
    wait = np.floor(e_wait * mean_quarters * (1 - share) / share).astype(np.int64) + 1
    if u is not None:
        wait = np.where(u < share, 0, wait)
    first = np.minimum(q + wait, NEVER - 1)
    return first, np.minimum(first + np.floor(e_len * mean_quarters).astype(np.int64), NEVER - 1)


def line_births_expected(lines, reach, base: float, reach_effect: float, matched, boost=0.0):
    """Expected new lines this quarter: proportional to the lines it has (Klette & Kortum 2004), more with
    platform reach (0..1) and in a high-growth phase (`boost`, per firm), plus the lines that matchmaking with
    foreign buyers brings (`matched`, per firm)."""
    return base * lines * (1.0 + reach_effect * reach) * (1.0 + boost) + matched


def lines_size_sum(n, z, sd: float):
    """Sum of n line sizes, each log-normal with mean 1 and log-sd `sd`, from one normal draw z per firm
    (Fenton-Wilkinson: a log-normal with the sum's mean n and variance n(e^sd^2 - 1)); 0 where n = 0."""
    n = np.asarray(n, dtype=float)
    s2 = np.log1p(np.expm1(sd ** 2) / np.maximum(n, 1.0))
    return np.where(n > 0, n * np.exp(np.sqrt(s2) * z - s2 / 2), 0.0)


def portfolio_change(size, lines, births, deaths, z_birth, z_death, sd: float):
    """(size, lines) after `births` new lines and `deaths` dropped ones. A dropped line takes its share of size (at
    most what the survivors leave: 5 % of the mean line stays per surviving line); all dropped: size 0."""
    n = np.maximum(lines, 1).astype(float)
    survivors = lines - deaths
    lost = np.minimum(lines_size_sum(deaths, z_death, sd) / n, 1.0 - 0.05 * survivors / n)
    lost = np.where(survivors <= 0, 1.0, lost)
    gained = lines_size_sum(births, z_birth, sd) / n
    return size * (1.0 - lost + gained), survivors + births


def reduced_rate_claim(digital_trade, rate_cut: float, profit_margin: float):
    """Quarterly tax saved by the reduced CIT rate (`rate_cut` below the standard one) on digital-trade profit."""
    return rate_cut * profit_margin * digital_trade


def exit_hazard(trade, kind_median, base: float, elasticity: float):
    """Quarterly exit probability, higher for firms small relative to their kind's median."""
    return np.clip(base * (np.maximum(trade, 1.0) / np.maximum(kind_median, 1.0)) ** -elasticity, 0.0, 0.5)


def platforms_held(slots: np.ndarray) -> np.ndarray:
    """Platforms each firm sells on (0..MAX_HOMING), summed column by column (faster than along a short axis)."""
    held = (slots[:, 0] >= 0).astype(np.int64)
    for j in range(1, slots.shape[1]):
        held += slots[:, j] >= 0
    return held


def kind_median_and_min(trade: np.ndarray, kind: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(median, smallest) trade of the living firms of each kind (1 and inf where a kind has none)."""
    out, smallest = np.ones(len(FIRM_KINDS)), np.full(len(FIRM_KINDS), np.inf)
    living = np.flatnonzero(alive)  # gathered once, then split by kind
    trade, kind = trade.take(living), kind.take(living)
    for k in range(len(FIRM_KINDS)):  # four kinds, not firms
        values = trade[kind == k]
        if values.size:
            half = values.size // 2  # np.median's definition, with one partial sort
            part = np.partition(values, [half - 1, half] if values.size % 2 == 0 else half)
            out[k] = part[half] if values.size % 2 else (part[half - 1] + part[half]) / 2
            smallest[k] = part[: half + 1].min()  # the partition put the smallest below the median
    return out, smallest

