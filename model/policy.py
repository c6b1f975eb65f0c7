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
LEVERS = ("fund", "tax", "market_access", "talent", "infrastructure", "cbec", "demo_bases")
# the zone's own levers: where any of them acts, the zone is open (entry and platform founding pick up);
# 5G and compute are built province-wide and do not make a city part of the zone
ZONE_LEVERS = ("fund", "tax", "market_access", "talent", "cbec", "demo_bases")
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
    sme_max_trade: float    # CNY/year; 'broad' grants go to firms below it
    platform_grants: float  # CNY this quarter for platform cultivation ('platform' rule)


@dataclass(frozen=True)
class TaxStance(Stance):
    deduction: float        # CNY of tax saved per CNY of transformation cost (R&D super-deduction)
    rate_cut: float         # standard minus reduced CIT rate on the profit of digital trade
    qualify_maturity: float  # digital maturity from which a firm claims the reduced rate


@dataclass(frozen=True)
class MarketAccessStance(Stance):
    data_flow_cut: np.ndarray  # (cities,) ad valorem trade-cost cut for services and content (data-flow pilots)
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


def fund_stance(c, cover, money) -> FundStance:
    platform = c.rule == "platform" and cover.any()
    return FundStance(cover, money, c.rule, 1.0 - c.cofinancing_share, c.grant_cap_cny, c.sme_max_trade_cny,
                      min(c.annual_budget_cny / 4, money) if platform else 0.0)


def tax_stance(c, cover, money) -> TaxStance:
    return TaxStance(cover, money, c.rd_share * c.super_deduction * c.standard_cit_rate,
                     c.standard_cit_rate - c.reduced_cit_rate, c.qualify_maturity)


def market_access_stance(c, cover, money) -> MarketAccessStance:
    return MarketAccessStance(cover, money, cover * c.data_flow_cost_cut, cover * c.foreign_entry,
                              bool(cover.any() and c.foreign_cloud_entry))


def talent_stance(c, cover, money) -> TalentStance:
    return TalentStance(cover, money, c.housing_subsidy_cny, c.visa_easing, c.training_places, c.training_cost_cny)


def infrastructure_stance(c, cover, money) -> InfrastructureStance:
    invest = min(c.annual_budget_cny / 4, money) if cover.any() else 0.0
    return InfrastructureStance(cover, money, invest, c.cost_cut_per_1e10 / 1e10, c.max_cost_cut,
                                c.compute_capacity_per_1e10 / 1e10)


def cbec_stance(c, cover, money) -> CbecStance:
    programme = min(c.annual_budget_cny / 4, money) if cover.any() else 0.0
    return CbecStance(cover, money, cover * (c.customs_cost_cut + c.warehouse_cost_cut), c.traditional_share,
                      programme)


def demo_bases_stance(c, cover, money) -> DemoBasesStance:
    affordable = int(c.annual_budget_cny // c.support_cny) if c.support_cny > 0 else c.max_total
    return DemoBasesStance(cover, money, c.cost_cut, c.transform_support, c.support_cny, c.min_park_trade_cny,
                           c.min_park_firms, c.max_new_per_year, c.max_total, affordable)


STANCE_OF = {"fund": fund_stance, "tax": tax_stance, "market_access": market_access_stance,
             "talent": talent_stance, "infrastructure": infrastructure_stance, "cbec": cbec_stance,
             "demo_bases": demo_bases_stance}


def stances(policy, rollout: np.ndarray, budgets: dict[str, Budget], q: int) -> dict[str, Stance]:
    """Every lever family's stance in quarter q (money is what each budget allows in q)."""
    out = {}
    for lever in LEVERS:
        c = getattr(policy, lever)
        cover = coverage(c, rollout, q)
        out[lever] = STANCE_OF[lever](c, cover, budgets[lever].available(q) if cover.any() else 0.0)
    return out


def zone(st: dict[str, Stance]) -> np.ndarray:
    """(cities,) True where the zone is open this quarter: any of its own levers acts there."""
    return np.logical_or.reduce([st[lever].cover for lever in ZONE_LEVERS])


def trade_cost_cut(st: dict[str, Stance]) -> np.ndarray:
    """(cities, kinds) ad valorem trade-cost cut from customs modes and warehouses (CBEC sellers, a share for
    traditional traders) and from data-flow pilots (services and content)."""
    cut = np.zeros((C, K))
    cb, ma = st["cbec"], st["market_access"]
    cut[:, CBEC] += cb.goods_cut
    cut[:, TRADITIONAL] += cb.goods_cut * cb.traditional_share
    cut[:, SERVICE] += ma.data_flow_cut
    cut[:, CONTENT] += ma.data_flow_cut
    return cut


def off(policy) -> dict[str, Stance]:
    """Stances before the first quarter (end-2019): nothing acts."""
    return {lever: STANCE_OF[lever](getattr(policy, lever), np.zeros(C, dtype=bool), 0.0) for lever in LEVERS}
