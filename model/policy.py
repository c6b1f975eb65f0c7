"""The plan's levers: where and when each acts (phasing), the money it may spend, and its stance each quarter.

One function per lever family turns the family's config, the phasing and its budget into this quarter's
per-city stance (`stances`). The phases read stances only, never coverage plus raw config, so a lever that is
off, or has ended, gives an all-False `cover` and zero terms: it stops acting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.vocabulary import CBEC, CITIES, CONTENT, FIRM_KINDS, SERVICE, TRADITIONAL, quarter_index, year_of

NEVER = 10_000  # quarter index of a city that never joins
# programme levers serve a share of their target firms that their budget pays for (`programme`)
PROGRAMMES = ("online_exhibitions", "trade_digitalisation", "digital_culture", "sandbox_ip", "data_flows")
LEVERS = ("fund", "tax", "market_access", "talent", "infrastructure", "cbec", "demo_bases", *PROGRAMMES)
# the zone's own levers: where any of them acts, the zone is open (entry and platform founding pick up);
# 5G and compute are built province-wide and do not make a city part of the zone
ZONE_LEVERS = ("fund", "tax", "market_access", "talent", "cbec", "demo_bases", *PROGRAMMES)
C, K = len(CITIES), len(FIRM_KINDS)


def rollout_quarters(phasing) -> np.ndarray:
    """(cities,) quarter index from which the zone covers each city."""
    return np.array([NEVER if phasing.rollout[c] == "never" else quarter_index(phasing.rollout[c])
                     for c in CITIES])


def coverage(lever, rollout: np.ndarray, q: int) -> np.ndarray:
    """(cities,) True where the lever acts in quarter q."""
    if not lever.enabled or not quarter_index(lever.start) <= q <= quarter_index(lever.end):
        return np.zeros(C, dtype=bool)
    if lever.coverage == "all":
        return np.ones(C, dtype=bool)
    return rollout <= q


def annual_limit(lever) -> float:
    """A lever's annual spending limit (the tax lever's is its tax-expenditure cap; market access spends none)."""
    return float(getattr(lever, "annual_cap_cny", getattr(lever, "annual_budget_cny", 0.0)))


class Budget:
    """An annual budget spent quarter by quarter; unspent money carries over within the year."""

    def __init__(self, annual: float):
        self.annual = float(annual)
        self.year = None
        self.spent_year = 0.0
        self.spent_total = 0.0

    def available(self, q: int) -> float:
        """What may be spent in quarter q: the year's allotment to date less what is spent."""
        if year_of(q) != self.year:
            self.year, self.spent_year = year_of(q), 0.0
        allotted = self.annual * (q % 4 + 1) / 4
        return max(allotted - self.spent_year, 0.0)

    def spend(self, q: int, amount: float) -> float:
        available = self.available(q)
        if amount > available * (1 + 1e-9) + 1e-6:
            raise AssertionError(f"spending {amount:.6g} exceeds the available {available:.6g}")
        self.spent_year += amount
        self.spent_total += amount
        return amount


def fund_in_order(priority: np.ndarray, amount: np.ndarray, weight: np.ndarray, budget: float) -> np.ndarray:
    """Fund candidates from the highest priority down while the budget lasts; returns a mask.

    Funding stops at the first candidate that no longer fits, so sum(amount * weight * funded) <= budget.
    """
    order = np.argsort(-priority, kind="stable")
    funded_sorted = np.cumsum((amount * weight)[order]) <= budget
    funded = np.zeros(len(priority), dtype=bool)
    funded[order] = funded_sorted
    return funded


# ----------------------------------------------------------------------------------------------- stances
@dataclass(frozen=True)
class Stance:
    """One lever family in one quarter. `cover` (cities,): where it acts; `money` (CNY): what it may spend this
    quarter (its budget's allotment to date less what it spent), 0 where it is off everywhere."""

    cover: np.ndarray
    money: float

    @property
    def acting(self) -> bool:
        return bool(self.cover.any())


@dataclass(frozen=True)
class FundStance(Stance):
    rule: str               # broad | competitive | platform (plan 八(二十二))
    grant_share: float      # share of a firm's transformation cost the fund pays
    grant_cap: float        # CNY per firm
    platform_grants: float  # CNY this quarter for platform cultivation ('platform' rule)


@dataclass(frozen=True)
class TaxStance(Stance):
    deduction: float        # CNY of tax saved per CNY of transformation cost (R&D super-deduction)
    rate_cut: float         # standard minus reduced CIT rate on the profit of digital trade
    qualify_maturity: float  # digital maturity from which a firm claims the reduced rate
    user_cost: float        # B-index of R&D where it acts: (1 - tau (1 + super-deducted share)) / (1 - tau)


@dataclass(frozen=True)
class MarketAccessStance(Stance):
    foreign_entry: np.ndarray  # (cities,) extra foreign entrants per foreign entrant
    foreign_clouds: bool       # foreign-invested clouds may sell in Zhejiang this quarter


@dataclass(frozen=True)
class TalentStance(Stance):
    housing_subsidy: float  # CNY per international worker per year where it acts
    visa_easing: float      # extra international inflow share where it acts
    training_places: float  # workers/year, province total
    training_cost: float    # CNY per place


@dataclass(frozen=True)
class InfrastructureStance(Stance):
    invest: float             # CNY invested this quarter
    cost_cut_per_cny: float   # cut in the cost of digitalisation per CNY invested in a city
    max_cost_cut: float
    capacity_per_cny: float   # cloud-capacity growth per CNY invested
    productivity_per_cny: float   # output gain per firm per CNY invested in its city
    max_productivity_gain: float


@dataclass(frozen=True)
class CbecStance(Stance):
    goods_cut: np.ndarray     # (cities,) ad valorem cut in CBEC sellers' trade cost (customs modes, warehouses)
    traditional_share: float  # share of that cut reaching traditional traders
    programme: float          # CNY spent this quarter on warehouses and clearance


@dataclass(frozen=True)
class DemoBasesStance(Stance):
    trade_cost_cut: float     # ad valorem, member firms of an active base
    transform_support: float  # share of transformation cost, member firms
    support_per_base: float   # CNY per base per year
    min_park_trade: float     # CNY/year, designation criterion
    min_park_firms: float     # transformed firms, designation criterion
    max_new_per_year: int
    max_total: int
    affordable: int           # bases the annual budget can support


@dataclass(frozen=True)
class ProgrammeStance(Stance):
    outlay: float            # CNY to spend this quarter (serving the covered target firms)
    allocation: np.ndarray   # (cities,) shares of the outlay by city, summing to 1 (0 without outlay)
    served: np.ndarray       # (cities,) share of the city's target firms the programme serves this quarter


@dataclass(frozen=True)
class OnlineExhibitionsStance(ProgrammeStance):
    # (cities,) extra new destination-market lines per living firm this quarter, city mean; firms' line births add
    # it to their expected births (model/rounds.py::lines_round)
    buyer_matches: np.ndarray


@dataclass(frozen=True)
class TradeDigitalisationStance(ProgrammeStance):
    settlement_cut: np.ndarray  # (cities,) ad valorem trade-cost cut, all kinds (settlement and finance)
    sme_credit_cut: np.ndarray  # (cities,) share of an SME's transformation cost saved by cheaper credit


@dataclass(frozen=True)
class DigitalCultureStance(ProgrammeStance):
    content_cut: np.ndarray  # (cities,) ad valorem trade-cost cut, content firms


@dataclass(frozen=True)
class SandboxIpStance(ProgrammeStance):
    trust_cut: np.ndarray  # (cities,) ad valorem trade-cost cut, service and content firms


@dataclass(frozen=True)
class DataFlowsStance(ProgrammeStance):
    data_flow_cut: np.ndarray  # (cities,) ad valorem trade-cost cut, service and content firms


def programme(c, cover, money, targets) -> tuple[float, np.ndarray, np.ndarray]:
    """(outlay, allocation, served) of a programme lever whose target firms are `targets` (cities,), weighted.

    It serves annual_budget_cny / cost_per_firm_cny firm-years, spread evenly over the covered cities' target
    firms, so each covered city has the same share served; it spends what serving them costs this quarter, at most
    its quarterly allotment and what its budget still allows (`money`). No target firms: nothing spent or served."""
    none = np.zeros(C)
    reach = targets * cover if targets is not None else none
    n = float(reach.sum())
    if n <= 0:
        return 0.0, none, none
    need = c.cost_per_firm_cny / 4 * n
    if need <= 0:  # a programme that costs nothing serves everyone it covers
        return 0.0, none, cover.astype(float)
    outlay = min(c.annual_budget_cny / 4, money, need)
    return outlay, reach / n if outlay > 0 else none, cover * (outlay / need)


def fund_stance(c, cover, money) -> FundStance:
    platform = c.rule == "platform" and cover.any()
    return FundStance(cover, money, c.rule, 1.0 - c.cofinancing_share, c.grant_cap_cny,
                      min(c.annual_budget_cny / 4, money) if platform else 0.0)


def tax_stance(c, cover, money) -> TaxStance:
    deduction = c.rd_share * c.super_deduction * c.standard_cit_rate
    return TaxStance(cover, money, deduction, c.standard_cit_rate - c.reduced_cit_rate, c.qualify_maturity,
                     max(0.05, 1.0 - deduction / (1.0 - c.standard_cit_rate)))  # floor: extreme settings


def market_access_stance(c, cover, money) -> MarketAccessStance:
    return MarketAccessStance(cover, money, cover * c.foreign_entry, bool(cover.any() and c.foreign_cloud_entry))


def talent_stance(c, cover, money) -> TalentStance:
    return TalentStance(cover, money, c.housing_subsidy_cny, c.visa_easing, c.training_places, c.training_cost_cny)


def infrastructure_stance(c, cover, money) -> InfrastructureStance:
    invest = min(c.annual_budget_cny / 4, money) if cover.any() else 0.0
    return InfrastructureStance(cover, money, invest, c.cost_cut_per_1e10 / 1e10, c.max_cost_cut,
                                c.compute_capacity_per_1e10 / 1e10, c.productivity_per_1e10 / 1e10,
                                c.max_productivity_gain)


def cbec_stance(c, cover, money) -> CbecStance:
    programme = min(c.annual_budget_cny / 4, money) if cover.any() else 0.0
    return CbecStance(cover, money, cover * (c.customs_cost_cut + c.warehouse_cost_cut), c.traditional_share,
                      programme)


def demo_bases_stance(c, cover, money) -> DemoBasesStance:
    affordable = int(c.annual_budget_cny // c.support_cny) if c.support_cny > 0 else c.max_total
    return DemoBasesStance(cover, money, c.cost_cut, c.transform_support, c.support_cny, c.min_park_trade_cny,
                           c.min_park_firms, c.max_new_per_year, c.max_total, affordable)


# `firms` (cities, kinds): living firms, weighted; the programme levers serve a share of them
def online_exhibitions_stance(c, cover, money, firms=None) -> OnlineExhibitionsStance:
    """Online fairs and matchmaking (plan 五(十二)): served exporters (all kinds) open new destination lines."""
    outlay, allocation, served = programme(c, cover, money, None if firms is None else firms.sum(axis=1))
    return OnlineExhibitionsStance(cover, money, outlay, allocation, served, served * c.new_lines_per_firm / 4)


def trade_digitalisation_stance(c, cover, money, firms=None) -> TradeDigitalisationStance:
    """Single window, blockchain credit, settlement centre (plan 五(十一)): cheaper settlement for every kind,
    cheaper credit for SMEs' transformation."""
    outlay, allocation, served = programme(c, cover, money, None if firms is None else firms.sum(axis=1))
    return TradeDigitalisationStance(cover, money, outlay, allocation, served, served * c.settlement_cost_cut,
                                     served * c.sme_credit_cut)


def digital_culture_stance(c, cover, money, firms=None) -> DigitalCultureStance:
    """Digital culture going out (plan 四(六)): content exporters' trade cost falls."""
    outlay, allocation, served = programme(c, cover, money, None if firms is None else firms[:, CONTENT])
    return DigitalCultureStance(cover, money, outlay, allocation, served, served * c.content_cost_cut)


def sandbox_ip_stance(c, cover, money, firms=None) -> SandboxIpStance:
    """Regulatory sandbox, IP and privacy protection (plan 七(十八)): trust lowers service and content export costs."""
    outlay, allocation, served = programme(c, cover, money,
                                           None if firms is None else firms[:, SERVICE] + firms[:, CONTENT])
    return SandboxIpStance(cover, money, outlay, allocation, served, served * c.trust_cost_cut)


def data_flows_stance(c, cover, money, firms=None) -> DataFlowsStance:
    """Cross-border data-flow pilots (plan 七(十七)): service and content exporters' trade cost falls."""
    outlay, allocation, served = programme(c, cover, money,
                                           None if firms is None else firms[:, SERVICE] + firms[:, CONTENT])
    return DataFlowsStance(cover, money, outlay, allocation, served, served * c.cost_cut)


STANCE_OF = {"fund": fund_stance, "tax": tax_stance, "market_access": market_access_stance,
             "talent": talent_stance, "infrastructure": infrastructure_stance, "cbec": cbec_stance,
             "demo_bases": demo_bases_stance, "online_exhibitions": online_exhibitions_stance,
             "trade_digitalisation": trade_digitalisation_stance, "digital_culture": digital_culture_stance,
             "sandbox_ip": sandbox_ip_stance, "data_flows": data_flows_stance}


def stances(policy, rollout: np.ndarray, budgets: dict[str, Budget], q: int,
            firms: np.ndarray | None = None) -> dict[str, Stance]:
    """Every lever family's stance in quarter q (money is what each budget allows in q); `firms` (cities, kinds),
    the living firms weighted, are what the programme levers serve."""
    out = {}
    for lever in LEVERS:
        c = getattr(policy, lever)
        cover = coverage(c, rollout, q)
        money = budgets[lever].available(q) if cover.any() else 0.0
        out[lever] = (STANCE_OF[lever](c, cover, money, firms) if lever in PROGRAMMES
                      else STANCE_OF[lever](c, cover, money))
    return out


def zone(st: dict[str, Stance]) -> np.ndarray:
    """(cities,) True where the zone is open this quarter: any of its own levers acts there."""
    return np.logical_or.reduce([st[lever].cover for lever in ZONE_LEVERS])


def trade_cost_cut(st: dict[str, Stance]) -> np.ndarray:
    """(cities, kinds) ad valorem trade-cost cut from customs modes and warehouses (CBEC sellers, a share for
    traditional traders), settlement and finance (every kind), data-flow pilots and trust (services and content),
    and digital culture going out (content)."""
    cut = np.zeros((C, K))
    cb = st["cbec"]
    cut[:, CBEC] += cb.goods_cut
    cut[:, TRADITIONAL] += cb.goods_cut * cb.traditional_share
    cut += st["trade_digitalisation"].settlement_cut[:, None]
    digital_services = st["data_flows"].data_flow_cut + st["sandbox_ip"].trust_cut
    cut[:, SERVICE] += digital_services
    cut[:, CONTENT] += digital_services + st["digital_culture"].content_cut
    return cut


def off(policy) -> dict[str, Stance]:
    """Stances before the first quarter (end-2019): nothing acts."""
    return {lever: STANCE_OF[lever](getattr(policy, lever), np.zeros(C, dtype=bool), 0.0) for lever in LEVERS}
