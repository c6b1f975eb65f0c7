"""Firms: traditional goods traders, CBEC sellers, digital-service exporters, digital-content exporters.

State (one row per firm agent; `weight` real firms stand behind each row):

| symbol | column | unit | meaning |
|---|---|---|---|
| k | kind | code | FIRM_KINDS index |
| c | city | code | CITIES index |
| b | park | code | candidate park index, -1 outside any park |
| w | weight | firms | real firms this agent represents (1/scale, 1 in the take-all stratum) |
| Y | size | CNY/quarter | trade at end-2019 conditions (heavy-tailed) |
| A | productivity | index | idiosyncratic random walk, 1 at start |
| m | maturity | 0..1 | digital maturity; grows after transformation |
| T | trade | CNY/quarter | exports + imports this quarter |
| DT | digital_trade | CNY/quarter | the part of T that counts as digital trade |
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_pick
from agents.platform import MAX_MARKETS
from agents.state import ArrayState, RowAgent, row_view
from model.vocabulary import CBEC, CONTENT, FIRM_KINDS, SERVICE, TRADITIONAL

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
    "productivity": ("f8", "index", "idiosyncratic productivity"),
    "maturity": ("f8", "0..1", "digital maturity"),
    "transformed": ("?", "flag", "has digitally transformed"),
    "transform_quarter": ("i2", "quarter index", "when it transformed, -1 never / before 2020"),
    "cloud": ("i2", "code", "cloud provider row, -1 none"),
    "platforms": ("i2", "code", "platform rows it sells on (multi-homing), -1 empty slot"),
    "trade": ("f8", "CNY/quarter", "exports + imports"),
    "digital_trade": ("f8", "CNY/quarter", "digital trade (exports + imports)"),
    "digital_exports": ("f8", "CNY/quarter", "digital exports"),
    "digital_trade_recent": ("f8", "CNY/quarter", "digital trade of the last four quarters (ring by quarter)"),
    "digital_trade_year": ("f8", "CNY/year", "digital trade over the last four quarters"),
    "talent_need": ("f8", "workers", "digital workers needed at full output"),
    "talent_hired": ("f8", "workers", "digital workers employed"),
    "grants": ("f8", "CNY", "special-fund grants received, cumulative"),
    "tax_relief": ("f8", "CNY", "tax expenditure in its favour, cumulative"),
    "born": ("i2", "quarter index", "entry quarter, -1 incumbent at start"),
}


class FirmState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"park": -1, "cloud": -1, "platforms": -1, "transform_quarter": -1, "born": -1,
            "productivity": 1.0, "alive": True}
    SHAPES = {"platforms": (MAX_HOMING,), "digital_trade_recent": (4,)}


@row_view("firms", GLOSSARY)
class Firm(RowAgent):
    """One firm (or `weight` similar firms); a view onto its row of model.firms.

    Its methods are the per-agent reference path (`engine=reference`, model/reference.py): each reads the
    phase's round `rnd` (random numbers drawn per firm row, model-level tables) and the firm's own row, and
    writes its choice into its row or the round. The vectorised path (model/phases.py) applies the same pure
    functions below to whole columns.
    """

    @property
    def kind_name(self) -> str:
        return FIRM_KINDS[self.kind]

    @property
    def partners(self) -> np.ndarray:
        """Rows of its B2B partners (a partner linked twice appears twice)."""
        return self.model.b2b.partners(self.row)

    def transformed_partner_share(self) -> float:
        f = self.model.firms
        partners = self.partners
        living = f.alive[partners]
        count = int(living.sum())
        return int((living & f.transformed[partners]).sum()) / count if count else 0.0

    def weigh_transformation(self, rnd) -> None:
        """Untransformed: adopt if the gain beats the cost net of relief, or apply for a grant that would tip it."""
        if self.transformed:
            return
        m, r = self.model, self.row
        pol, city = m.params.policy, self.city
        pv, cost, relief = transformation_case(self.trade, self.kind, rnd.cost_index[city], m.base_member[r],
                                               m.cover["tax"][city], m.params.firm, pol)
        offer = grant_offer(cost, self.trade, m.cover["fund"][city], pol.fund)
        adopt, applies = transformation_choice(pv, cost, relief, offer, self.transformed_partner_share(),
                                               rnd.u[r], m.params.firm)
        rnd.adopt[r], rnd.applies[r], rnd.offer[r], rnd.relief[r] = adopt, applies, offer, relief
        rnd.priority[r] = grant_priority(pv, cost, rnd.u_priority[r], pol.fund.rule)

    def choose_cloud(self, rnd) -> None:
        """Transformed: pick a provider if it has none, or with a small probability reconsider it."""
        r = self.row
        if self.transformed and (self.cloud < 0 or rnd.u_switch[r] < self.model.params.firm.cloud_switch_rate):
            self.cloud = logit_pick(rnd.menus[self.city], rnd.u_pick[r])

    def reconsider_platforms(self, rnd) -> None:
        """A seller: join the best platform for its kind if it has a free slot, else swap out its worst one."""
        r = self.row
        if not seller_kind(self.kind, self.transformed) or not rnd.u_recon[r] < rnd.share:
            return
        best = logit_pick(rnd.menus[self.kind], rnd.u_pick[r])
        slots = self.platforms  # a view of its row
        if best < 0 or best in slots:
            return
        empty = [i for i in range(len(slots)) if slots[i] < 0]
        if empty and (rnd.u_add[r] < 0.5 or len(empty) == len(slots)):
            slots[empty[0]] = best
            return
        held = [i for i in range(len(slots)) if slots[i] >= 0]
        worst = min(held, key=lambda i: rnd.utility[slots[i]])
        if rnd.utility[best] > rnd.utility[slots[worst]]:
            slots[worst] = best

    def plan_output(self, rnd) -> None:
        """Trade at full talent this quarter, and the digital workers that needs."""
        m, r = self.model, self.row
        kind, market = self.kind, self.market
        cost = rnd.cost[self.city, kind, int(m.base_member[r])]
        markets = [m.platforms.markets[p] for p in self.platforms if p >= 0]
        T, DT, DX = potential_trade(self.size, self.productivity, kind, self.maturity, self.transformed,
                                    max(markets, default=0.0) / MAX_MARKETS, cost, rnd.demand[kind, market],
                                    rnd.exports[kind, market], m.params.firm)
        rnd.T[r], rnd.DT[r], rnd.DX[r] = T, DT, DX
        self.talent_need = rnd.intensity[kind] * DT / 1e6

    def hire(self) -> None:
        """Staff its need as far as the city's labour market fills it."""
        self.talent_hired = self.talent_need * self.model.fill[self.city]

    def realise_trade(self, rnd) -> None:
        """The digital part of trade is scaled by the city's talent fill; then productivity moves on."""
        r, q = self.row, rnd.quarter
        factor = rnd.factor[self.city]
        T, DT, DX = rnd.T[r], rnd.DT[r], rnd.DX[r]
        self.trade, self.digital_trade, self.digital_exports = T - DT + DT * factor, DT * factor, DX * factor
        recent = self.digital_trade_recent  # a view of its row
        recent[q % 4] = DT * factor
        self.digital_trade_year = recent[0] + recent[1] + recent[2] + recent[3]
        self.productivity = self.productivity * productivity_shock(rnd.shock[r], rnd.growth_sd)

    def claim_tax_relief(self, rnd) -> None:
        """A transformed firm mature enough in a covered city claims the reduced CIT rate on its digital trade."""
        m = self.model
        tax = m.params.policy.tax
        if self.transformed and self.maturity >= tax.qualify_maturity and m.cover["tax"][self.city]:
            rnd.qualifies[self.row] = True
            rnd.rate_cut[self.row] = reduced_rate_claim(self.digital_trade, tax, m.params.firm.profit_margin)

    def consider_exit(self, rnd) -> None:
        """Leave with the hazard of its size relative to its kind's median."""
        fc = self.model.params.firm
        if rnd.u[self.row] < exit_hazard(self.trade, rnd.median[self.kind], fc.exit_rate, fc.exit_size_elasticity):
            self.leave()

    def leave(self) -> None:
        """Close: off its platforms and cloud, out of the model's agent sets (the row stays, marked not alive)."""
        self.alive = False
        self.platforms = -1
        self.cloud = -1
        self.remove()


# ---------------------------------------------------------------------------------------------- pure functions
def pareto_sizes(n: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """Heavy-tailed sizes with minimum 1 (rescaled later to observed totals)."""
    return (1.0 - rng.random(n)) ** (-1.0 / alpha)


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


def potential_trade(size, productivity, kind, maturity, transformed, reach, cost, demand, exports, fc):
    """(T, DT, DX): trade, digital trade and digital exports at full talent, CNY/quarter.

    `cost` is the firm's trade-cost term, `demand`/`exports` the demand indices of its kind and market group,
    `reach` the largest market reach among its platforms (0..1). Scalars or arrays alike.
    """
    base = size * productivity  # in place from here: size * productivity * cost * uplift * (1 + effect * reach)
    base *= cost
    base *= transformation_uplift(kind, maturity, transformed, fc.transform_gain, fc.digital_share_transformed)
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


def transformation_case(trade, kind, cost_index, base_member, tax_covered, fc, pol):
    """(pv, cost, relief) of transforming now: discounted gain (plus the reduced CIT rate where the tax lever
    acts), one-off cost (cheaper with infrastructure, cloud prices, base support), super-deduction relief."""
    annuity = annuity_factor(fc.horizon_years, fc.discount_rate)
    reach = np.where(kind == TRADITIONAL, fc.digital_share_transformed, 1.0)
    pv = fc.profit_margin * fc.transform_gain * reach * trade * annuity
    cost = fc.transform_cost_cny * (np.maximum(trade, 1.0) / 1e7) ** fc.transform_cost_elasticity \
        * cost_index * (1.0 - base_member * pol.demo_bases.transform_support)
    tax = pol.tax
    relief = tax_covered * tax.rd_share * cost * tax.super_deduction * tax.standard_cit_rate
    pv = pv + tax_covered * (tax.standard_cit_rate - tax.reduced_cit_rate) * fc.profit_margin \
        * reach * trade * (1.0 + fc.transform_gain) * annuity
    return pv, cost, relief


def grant_offer(cost, trade, fund_covered, fund):
    """Special-fund grant a firm could get: a share of the cost up to the cap (SMEs only under 'broad')."""
    if fund.rule == "platform":
        return cost * 0.0
    offer = np.minimum(fund.grant_cap_cny, (1.0 - fund.cofinancing_share) * cost) * fund_covered
    return offer * (4 * trade < fund.sme_max_trade_cny) if fund.rule == "broad" else offer


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


def productivity_shock(z, sd: float):
    """Mean-one log-normal productivity factor for a standard-normal draw z."""
    return np.exp(sd * z - sd ** 2 / 2)


def reduced_rate_claim(digital_trade, tax, profit_margin: float):
    """Quarterly tax saved by the reduced CIT rate on the profit of digital trade."""
    return (tax.standard_cit_rate - tax.reduced_cit_rate) * profit_margin * digital_trade


def exit_hazard(trade, kind_median, base: float, elasticity: float):
    """Quarterly exit probability, higher for firms small relative to their kind's median."""
    return np.clip(base * (np.maximum(trade, 1.0) / np.maximum(kind_median, 1.0)) ** -elasticity, 0.0, 0.5)


def platforms_held(slots: np.ndarray) -> np.ndarray:
    """Platforms each firm sells on (0..MAX_HOMING), summed column by column (faster than along a short axis)."""
    held = (slots[:, 0] >= 0).astype(np.int64)
    for j in range(1, slots.shape[1]):
        held += slots[:, j] >= 0
    return held


def kind_medians(trade: np.ndarray, kind: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Median trade of the living firms of each kind (1 where a kind has none)."""
    out = np.ones(len(FIRM_KINDS))
    for k in range(len(FIRM_KINDS)):  # four kinds, not firms
        values = trade[alive & (kind == k)]
        if values.size:
            half = values.size // 2  # np.median's definition, with one partial sort
            part = np.partition(values, [half - 1, half] if values.size % 2 == 0 else half)
            out[k] = part[half] if values.size % 2 else (part[half - 1] + part[half]) / 2
    return out


DIGITAL_KINDS = (CBEC, SERVICE, CONTENT)
