"""Typed configuration schema: every parameter with its unit, valid range and source.

The dataclasses below are registered in Hydra's ConfigStore, so an unknown key or a wrong type fails when the
config is composed; `validate` then checks every value against the range stated here. The same metadata
generates the parameter table of docs/ODD.md (`python -m model.params`).

Defaults are the plan as written (`policy=plan`); `uncertain=True` marks world conditions and behavioural
parameters a sweep or calibration should vary. "A:" in a source means a stated modelling assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from hydra.core.config_store import ConfigStore

from agents.vocabulary import CITIES

QUARTER_RANGE = ("2020Q1", "2035Q4")


def P(default: Any, unit: str, lo: Any = None, hi: Any = None, source: str = "", *,
      uncertain: bool = False, choices: tuple | None = None, quarter: bool = False):
    """A parameter: default plus metadata (unit, inclusive range or choices, source, uncertainty)."""
    meta = dict(unit=unit, range=(lo, hi), source=source, uncertain=uncertain,
                choices=choices, quarter=quarter)
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


def Q(default: str, source: str):
    return P(default, "quarter", *QUARTER_RANGE, source, quarter=True)


# ----------------------------------------------------------------------------------------------- initial state
@dataclass
class PopulationCfg:
    n_traditional: int = P(60_000, "firms", 100, 1_000_000,
                           "A: share of the 96,115 firms with actual trade in 2021 (Hangzhou Customs review)")
    n_cbec: int = P(25_000, "firms", 100, 1_000_000,
                    "A: ~97,000 active CBEC online stores in 2019 (China Daily 2020-05-07), ~4 stores per firm")
    n_service: int = P(9_000, "firms", 10, 500_000, "A: digitally-deliverable-service exporters, end-2019")
    n_content: int = P(2_000, "firms", 10, 200_000, "A: digital-content exporters, end-2019")
    goods_trade_2019_cny: float = P(3.08e12, "CNY/year", 1e11, 1e13,
                                    "observed: goods trade 3.08 tn yuan in 2019 (Xinhua 2020-01-20)")
    cbec_trade_2019_cny: float = P(1.45e11, "CNY/year", 1e9, 1e12,
                                   "A: CBEC retail 1,051.5 (2019 report) plus B2B CBEC, broad 2020 definition",
                                   uncertain=True)
    service_trade_2019_cny: float = P(1.45e11, "CNY/year", 1e9, 1e12,
                                      "A: digitally deliverable services 1,006 (2019 narrow def.) widened",
                                      uncertain=True)
    content_trade_2019_cny: float = P(1.5e10, "CNY/year", 1e8, 1e12, "A: digital-content trade, 2019",
                                      uncertain=True)
    transformed_share_2019: Dict[str, float] = P(
        {"traditional": 0.04, "cbec": 0.30, "service": 0.40, "content": 0.35}, "share of firms", 0.0, 1.0,
        "A: digitally transformed firms at end-2019; 410,000 firms on cloud in 2020 (People's Daily)",
        uncertain=True)
    size_tail_alpha: float = P(1.1, "Pareto exponent", 0.8, 3.0,
                               "Axtell 2001: firm sizes Zipf, exponent ~1.06", uncertain=True)
    foreign_share: float = P(0.08, "share of firms", 0.0, 0.5, "A: foreign-invested trading firms")
    in_park_share: float = P(0.35, "share of firms", 0.0, 1.0, "A: firms located in a candidate park")
    take_all_quantile: float = P(0.99, "quantile of size", 0.5, 1.0,
                                 "method: incumbents above it are kept with weight 1 at any scale; entrants start "
                                 "below it")
    entrant_size: float = P(0.5, "x an incumbent's size scale", 0.01, 10.0,
                            "A: entrants start small, Pareto sizes at this scale below the take-all size (young "
                            "firms are small and right-skewed: Cabral & Mata 2003, AER 93(4), "
                            "doi:10.1257/000282803769206205)", uncertain=True)
    city_share: Dict[str, Dict[str, float]] = P({
        "traditional": {"Hangzhou": .20, "Ningbo": .24, "Wenzhou": .09, "Jiaxing": .08, "Huzhou": .04,
                        "Shaoxing": .08, "Jinhua": .13, "Quzhou": .02, "Zhoushan": .02, "Taizhou": .08,
                        "Lishui": .02},
        "cbec": {"Hangzhou": .25, "Ningbo": .18, "Wenzhou": .08, "Jiaxing": .05, "Huzhou": .03,
                 "Shaoxing": .04, "Jinhua": .28, "Quzhou": .02, "Zhoushan": .01, "Taizhou": .05, "Lishui": .01},
        "service": {"Hangzhou": .62, "Ningbo": .12, "Wenzhou": .04, "Jiaxing": .04, "Huzhou": .03,
                    "Shaoxing": .03, "Jinhua": .04, "Quzhou": .01, "Zhoushan": .03, "Taizhou": .03,
                    "Lishui": .01},
        "content": {"Hangzhou": .70, "Ningbo": .08, "Wenzhou": .03, "Jiaxing": .03, "Huzhou": .03,
                    "Shaoxing": .02, "Jinhua": .06, "Quzhou": .01, "Zhoushan": .01, "Taizhou": .02,
                    "Lishui": .01}},
        "weight", 0.0, 1.0, "A: city weights by kind (normalised); digital services cluster in Hangzhou")
    parks: Dict[str, List[str]] = P({
        "Hangzhou": ["Binjiang IoT park", "Yuhang cloud town", "Qiantang new area", "Xiaoshan CBEC park"],
        "Ningbo": ["Yongjiang science corridor", "Ningbo bonded zone"],
        "Wenzhou": ["Wenzhou digital park", "Wenzhou CBEC zone"], "Jiaxing": ["Jiaxing G60 park", "Jiaxing port e-hub"],
        "Huzhou": ["Huzhou digital park", "Moganshan hi-tech zone"],
        "Shaoxing": ["Keqiao textile e-hub", "Shaoxing digital park"],
        "Jinhua": ["Yiwu international trade zone", "Jinhua CBEC park", "Yiwu digital services park"],
        "Quzhou": ["Quzhou digital park"], "Zhoushan": ["Zhoushan maritime services"],
        "Taizhou": ["Taizhou digital park", "Taizhou CBEC park"], "Lishui": ["Lishui digital park"]},
        "park names", None, None, "plan 二: Binjiang, Yuhang, Qiantang, Yiwu-Ningbo-Zhoushan corridor; A: others")


# ----------------------------------------------------------------------------------------------- behaviour
@dataclass
class FirmCfg:
    transform_gain: float = P(0.25, "share of trade", 0.0, 2.0,
                              "A: trade gain of a digitally transformed digital-kind firm", uncertain=True)
    digital_share_untransformed: float = P(0.01, "share of goods trade", 0.0, 0.2,
                                           "A: traditional trade already ordered digitally", uncertain=True)
    digital_share_transformed: float = P(0.20, "share of goods trade", 0.0, 1.0,
                                         "A: traditional trade ordered digitally after transformation",
                                         uncertain=True)
    transform_cost_cny: float = P(2e6, "CNY", 1e4, 1e9,
                                  "A: one-off cost for a firm trading CNY 10m a quarter", uncertain=True)
    transform_cost_elasticity: float = P(0.6, "elasticity to size", 0.0, 1.0, "A: scale economies")
    profit_margin: float = P(0.08, "share of trade", 0.01, 0.5, "A: operating margin on trade")
    horizon_years: float = P(5.0, "years", 1.0, 20.0, "A: payback horizon of a transformation")
    discount_rate: float = P(0.08, "1/year", 0.0, 0.5, "A: firms' discount rate")
    adoption_max: float = P(0.06, "1/quarter", 0.0, 1.0,
                            "A: max quarterly adoption probability", uncertain=True)
    adoption_slope: float = P(1.5, "log-odds per log(gain/cost)", 0.0, 10.0, "A", uncertain=True)
    peer_effect: float = P(2.0, "log-odds per transformed-neighbour share", 0.0, 10.0,
                           "A: B2B adoption spillover", uncertain=True)
    maturity_gain: float = P(0.05, "maturity/quarter", 0.0, 1.0, "A: learning after transformation")
    trade_elasticity: float = P(4.0, "elasticity to (1 - trade cost)", 1.0, 10.0,
                                "Head & Mayer 2014: trade elasticity ~4-5", uncertain=True)
    trade_cost: Dict[str, float] = P({"traditional": 0.12, "cbec": 0.15, "service": 0.10, "content": 0.10},
                                     "ad valorem", 0.0, 0.9, "A: baseline trade cost by kind")
    growth_sd: float = P(0.08, "log points/quarter", 0.0, 1.0,
                         "A: idiosyncratic productivity shock", uncertain=True)
    exit_rate: float = P(0.015, "1/quarter", 0.0, 0.5, "A: exit hazard of a median-size firm", uncertain=True)
    exit_size_elasticity: float = P(0.3, "elasticity", 0.0, 2.0, "A: small firms exit more")
    import_ratio: Dict[str, float] = P({"traditional": 0.33, "cbec": 0.35, "service": 2.93, "content": 0.3},
                                       "imports per CNY of exports", 0.0, 20.0,
                                       "2019: services 750.49/255.74 (annual report); CBEC 274.4/777.1 (China "
                                       "Daily); A: traditional, content")
    entry_policy_boost: float = P(0.25, "extra entry where the zone is active", 0.0, 5.0, "A", uncertain=True)
    entry_rate: float = P(0.02, "1/quarter, share of incumbents", 0.0, 0.5,
                          "A: gross entry; net growth of CBEC stores +15,000 in 2019", uncertain=True)
    talent_intensity: Dict[str, float] = P({"traditional": 0.3, "cbec": 0.5, "service": 2.0, "content": 2.5},
                                           "workers per CNY 1m quarterly digital trade", 0.0, 100.0,
                                           "A: digital workers needed", uncertain=True)
    talent_elasticity: float = P(0.8, "elasticity of digital output to talent fill", 0.0, 2.0,
                                 "A: a shortage binds output", uncertain=True)
    cloud_intensity: float = P(0.02, "CNY cloud spend per CNY digital trade", 0.0, 1.0, "A")
    cloud_switch_rate: float = P(0.02, "1/quarter", 0.0, 1.0, "A: share reconsidering their provider")
    platform_join_rate: float = P(0.08, "1/quarter", 0.0, 1.0, "A: share reconsidering platforms")
    platform_reach_effect: float = P(0.15, "trade gain at full platform reach", 0.0, 2.0,
                                     "A: reach of platforms a seller is on", uncertain=True)


@dataclass
class PlatformCfg:
    n_initial: Dict[str, int] = P({"cbec_b2c": 12, "b2b": 8, "content": 5, "service": 5}, "platforms", 0, 200,
                                  "A: Zhejiang-based digital-trade platforms, end-2019")
    fee: float = P(0.05, "share of GMV", 0.0, 0.5, "A: take rate")
    external_gmv_ratio: float = P(1.5, "GMV from sellers outside Zhejiang per Zhejiang GMV", 0.0, 50.0,
                                  "A: median; log-normal across platforms", uncertain=True)
    markets_2019_median: float = P(10.0, "foreign markets", 1.0, 200.0, "A: median market reach, end-2019")
    market_cost_cny: float = P(5e7, "CNY per new market", 1e5, 1e10,
                               "A: cost of entering one foreign market", uncertain=True)
    expansion_share: float = P(0.3, "share of fee revenue", 0.0, 1.0, "A: reinvested in expansion")
    network_exponent: float = P(0.5, "elasticity", 0.0, 1.0, "A: two-sided network effect", uncertain=True)
    entry_per_quarter: float = P(0.5, "platforms/quarter, before policy", 0.0, 20.0,
                                 "A: new platforms founded in the province", uncertain=True)
    exit_min_sellers: float = P(20.0, "firms", 0.0, 1e4, "A: platforms below it close")


@dataclass
class CloudCfg:
    n_domestic: int = P(6, "providers", 1, 50, "A: anchor (Yuhang cloud town) plus national and local clouds")
    n_foreign: int = P(3, "providers", 0, 20, "A: foreign clouds that enter only under market-access easing")
    capacity_headroom_2019: float = P(1.3, "capacity / demand", 1.0, 5.0, "A: end-2019 spare capacity")
    invest_threshold: float = P(0.8, "utilisation", 0.1, 1.0, "A: providers add capacity above it")
    invest_rate: float = P(0.08, "capacity share/quarter", 0.0, 1.0, "A")
    price_elasticity: float = P(3.0, "logit weight on log price", 0.0, 20.0, "A", uncertain=True)
    overseas_sales_2019_cny: float = P(6e9, "CNY/year", 0.0, 1e12, "A: overseas cloud sales counted as digital trade",
                                       uncertain=True)
    overseas_growth: float = P(0.15, "1/year", -0.5, 2.0, "A: IaaS-abroad growth", uncertain=True)


@dataclass
class TalentCfg:
    graduates_per_year: float = P(15_000, "workers/year", 0.0, 1e6, "A: digital graduates entering the province")
    attrition_rate: float = P(0.025, "1/quarter", 0.0, 0.5, "A: retire or leave the digital workforce")
    migration_rate: float = P(0.03, "1/quarter", 0.0, 1.0, "A: share of workers reconsidering their city")
    wage_elasticity: float = P(0.5, "wage change per excess demand", 0.0, 5.0, "A")
    slack_2019: float = P(0.05, "spare workers / demand", 0.0, 1.0, "A: end-2019 labour-market slack")
    international_inflow_per_year: float = P(2_000, "workers/year", 0.0, 1e5,
                                             "A: international digital talent without the programme",
                                             uncertain=True)
    amenity: Dict[str, float] = P({"Hangzhou": 1.0, "Ningbo": 0.8, "Wenzhou": 0.6, "Jiaxing": 0.6,
                                   "Huzhou": 0.55, "Shaoxing": 0.6, "Jinhua": 0.65, "Quzhou": 0.4,
                                   "Zhoushan": 0.45, "Taizhou": 0.5, "Lishui": 0.4},
                                  "index", 0.0, 2.0, "A: relative city amenity for migration")


@dataclass
class NetworkCfg:
    b2b_degree: float = P(4.0, "links per firm", 0.0, 50.0, "A: B2B/supply partners per firm")
    same_park: float = P(0.4, "share of links", 0.0, 1.0, "A: clustering by park")
    same_city: float = P(0.4, "share of links", 0.0, 1.0, "A: clustering by city (rest province-wide)")


# ----------------------------------------------------------------------------------------------- world
@dataclass
class ShockCfg:
    enabled: bool = P(True, "switch", source="A")
    start: str = Q("2020Q1", "A")
    end: str = Q("2020Q2", "A")
    goods_multiplier: float = P(1.0, "x foreign demand for goods", 0.0, 2.0, "A", uncertain=True)
    digital_multiplier: float = P(1.0, "x foreign demand for digital kinds", 0.0, 2.0, "A", uncertain=True)
    us_only: bool = P(False, "switch", source="A: shock hits the US market group only")


@dataclass
class BoomCfg:
    enabled: bool = P(True, "switch", source="A")
    start: str = Q("2020Q1", "pandemic shift to online trade")
    end: str = Q("2021Q4", "A: the shift is complete by end-2021")
    level: float = P(1.15, "x demand for the digital kinds, lasting", 0.5, 3.0,
                     "A: level reached at `end` and kept; fitted by calibration (2020-21 growth)", uncertain=True)


@dataclass
class WorldCfg:
    demand_growth: Dict[str, float] = P({"us": 0.04, "eu": 0.03, "asia": 0.07, "other": 0.05}, "1/year",
                                        -0.5, 1.0, "A: nominal foreign demand growth by market group",
                                        uncertain=True)
    market_share: Dict[str, float] = P({"us": 0.30, "eu": 0.25, "asia": 0.30, "other": 0.15}, "share of firms",
                                       0.0, 1.0, "A: main market of a firm")
    digital_shift: float = P(0.04, "1/year", -0.5, 1.0,
                             "A: extra demand growth for CBEC, services, content (WTO: digitally delivered "
                             "services grew ~8%/yr)", uncertain=True)
    domestic_growth: float = P(0.05, "1/year", -0.5, 1.0, "A: import demand growth", uncertain=True)
    fx: str = P("central", "scenario name", source="one of fx_scenarios")
    fx_observed: Dict[str, float] = P({"2019": 6.8985, "2020": 6.8976, "2021": 6.4515, "2022": 6.7261,
                                       "2023": 7.0467, "2024": 7.1217}, "CNY per USD", 1.0, 20.0,
                                      "NBS Statistical Communiqués 2019-2024, annual average rate")
    fx_scenarios: Dict[str, float] = P({"central": 7.18, "strong_usd": 7.60, "weak_usd": 6.80}, "CNY per USD",
                                       1.0, 20.0, "A: level from 2025 on", uncertain=True)
    usd_invoicing: float = P(0.6, "share of trade", 0.0, 1.0, "A: trade invoiced in USD", uncertain=True)
    fx_volume_elasticity: float = P(0.3, "elasticity", 0.0, 3.0, "A: export volume to CNY/USD", uncertain=True)
    digital_boom: BoomCfg = field(default_factory=BoomCfg)
    covid: ShockCfg = field(default_factory=lambda: ShockCfg(
        start="2020Q1", end="2020Q2", goods_multiplier=0.82, digital_multiplier=1.0))
    slowdown_2022: ShockCfg = field(default_factory=lambda: ShockCfg(
        start="2022Q2", end="2023Q2", goods_multiplier=0.95, digital_multiplier=0.97))
    tariff_2025: ShockCfg = field(default_factory=lambda: ShockCfg(
        start="2025Q2", end="2035Q4", goods_multiplier=0.80, digital_multiplier=0.95, us_only=True))


# ----------------------------------------------------------------------------------------------- policy
@dataclass
class LeverCfg:
    enabled: bool = P(True, "switch", source="plan")
    start: str = Q("2020Q4", "plan published in the second half of 2020")
    end: str = Q("2025Q4", "plan horizon")
    coverage: str = P("phasing", "rule", source="phasing = the plan's roll-out; all = every city from start",
                      choices=("phasing", "all"))


@dataclass
class FundCfg(LeverCfg):
    annual_budget_cny: float = P(1e9, "CNY/year", 0.0, 1e11, "A: plan 八(二十二) names the fund, not its size",
                                 uncertain=True)
    rule: str = P("competitive", "rule", source="plan 八(二十二); A: how grants are allocated",
                  choices=("broad", "competitive", "platform"))
    cofinancing_share: float = P(0.5, "share paid by the firm", 0.0, 1.0, "A: typical matching requirement")
    grant_cap_cny: float = P(5e6, "CNY per firm", 0.0, 1e9, "A")
    sme_max_trade_cny: float = P(1e8, "CNY/year", 0.0, 1e11, "A: 'broad' grants go to firms below it")


@dataclass
class TaxCfg(LeverCfg):
    super_deduction: float = P(0.75, "extra deduction per CNY of R&D", 0.0, 3.0,
                               "MoF/STA 2018 No.99: 75% R&D super-deduction")
    reduced_cit_rate: float = P(0.15, "rate", 0.0, 0.25, "high-tech enterprise CIT rate")
    standard_cit_rate: float = P(0.25, "rate", 0.0, 0.5, "PRC Enterprise Income Tax Law")
    rd_share: float = P(0.5, "share of transformation cost", 0.0, 1.0, "A: deductible R&D part")
    qualify_maturity: float = P(0.6, "digital maturity", 0.0, 1.0, "A: qualifies for the reduced rate")
    annual_cap_cny: float = P(3e9, "CNY/year", 0.0, 1e11, "A: tax-expenditure ceiling")


@dataclass
class MarketAccessCfg(LeverCfg):
    foreign_entry: float = P(0.5, "extra foreign entrants per foreign entrant", 0.0, 5.0, "A: plan 七(十六)")
    foreign_cloud_entry: bool = P(True, "switch", source="plan 四(八): foreign-invested cloud")
    data_flow_cost_cut: float = P(0.02, "ad valorem", 0.0, 0.5, "A: plan 七(十七) data-flow pilots")


@dataclass
class TalentPolicyCfg(LeverCfg):
    annual_budget_cny: float = P(5e8, "CNY/year", 0.0, 1e11, "A: plan 八(二十三)")
    housing_subsidy_cny: float = P(5e4, "CNY per international worker per year", 0.0, 1e6, "A")
    visa_easing: float = P(0.5, "extra international inflow share", 0.0, 5.0, "A")
    training_places: float = P(2e4, "workers/year", 0.0, 1e6, "A: digital-trade college and academies")
    training_cost_cny: float = P(1e4, "CNY per place", 0.0, 1e6, "A")


@dataclass
class InfrastructureCfg(LeverCfg):
    start: str = Q("2020Q1", "5G build-out under way in 2020 (15,770 stations end-2019)")
    coverage: str = P("all", "rule", source="A: 5G and compute are built province-wide, not by the zone's phasing",
                      choices=("phasing", "all"))
    annual_budget_cny: float = P(5e9, "CNY/year", 0.0, 1e12, "A: public share of 5G and compute investment")
    cost_cut_per_1e10: float = P(0.1, "share of transformation cost per CNY 10 bn", 0.0, 1.0, "A",
                                 uncertain=True)
    max_cost_cut: float = P(0.3, "share", 0.0, 0.9, "A")
    compute_capacity_per_1e10: float = P(0.1, "cloud capacity share per CNY 10 bn", 0.0, 5.0, "A")


@dataclass
class CbecCfg(LeverCfg):
    customs_cost_cut: float = P(0.03, "ad valorem", 0.0, 0.5, "A: 1210/9610/9710/9810 customs modes",
                                uncertain=True)
    warehouse_cost_cut: float = P(0.02, "ad valorem", 0.0, 0.5, "A: overseas warehouses", uncertain=True)
    annual_budget_cny: float = P(3e8, "CNY/year", 0.0, 1e11, "A: warehouse and clearance support")
    traditional_share: float = P(0.3, "share of the cut reaching traditional traders", 0.0, 1.0, "A")


@dataclass
class DemoBasesCfg(LeverCfg):
    min_park_trade_cny: float = P(5e9, "CNY/year digital trade in the park", 0.0, 1e12, "A: designation criterion")
    min_park_firms: float = P(100.0, "transformed firms in the park", 0.0, 1e5, "A: designation criterion")
    max_new_per_year: int = P(5, "bases/year", 0, 100, "A")
    max_total: int = P(20, "bases", 0, 200, "plan 一(二): 10-20 bases")
    support_cny: float = P(2e7, "CNY per base per year", 0.0, 1e10, "A")
    annual_budget_cny: float = P(4e8, "CNY/year", 0.0, 1e11, "A: support for up to 20 bases")
    cost_cut: float = P(0.02, "ad valorem trade-cost cut, member firms", 0.0, 0.5, "A")
    transform_support: float = P(0.2, "share of transformation cost, member firms", 0.0, 1.0, "A")


@dataclass
class PolicyCfg:
    name: str = P("plan", "label", source="preset name")
    fund: FundCfg = field(default_factory=FundCfg)
    tax: TaxCfg = field(default_factory=TaxCfg)
    market_access: MarketAccessCfg = field(default_factory=MarketAccessCfg)
    talent: TalentPolicyCfg = field(default_factory=TalentPolicyCfg)
    infrastructure: InfrastructureCfg = field(default_factory=InfrastructureCfg)
    cbec: CbecCfg = field(default_factory=CbecCfg)
    demo_bases: DemoBasesCfg = field(default_factory=DemoBasesCfg)


@dataclass
class PhasingCfg:
    name: str = P("plan", "label", source="preset name")
    rollout: Dict[str, str] = P({"Hangzhou": "2020Q4", "Ningbo": "2021Q1", "Jinhua": "2021Q1",
                                 "Wenzhou": "2023Q1", "Jiaxing": "2023Q1", "Huzhou": "2023Q1",
                                 "Shaoxing": "2023Q1", "Quzhou": "2023Q1", "Zhoushan": "2023Q1",
                                 "Taizhou": "2023Q1", "Lishui": "2023Q1"}, "quarter or never", None, None,
                                "plan 二: Hangzhou 2020, Ningbo and Jinhua-Yiwu 2021-22, whole province by 2025")


# ----------------------------------------------------------------------------------------------- targets
@dataclass
class TargetsCfg:
    year: int = P(2025, "year", 2021, 2035, "plan 一(二)")
    t1_digital_trade_usd: float = P(1e11, "USD/year", 0.0, 1e13, "plan: USD 100 bn")
    t2_growth: float = P(0.15, "1/year", -1.0, 2.0, "plan: average annual growth >= 15%")
    t2_base_year: int = P(2020, "year", 2020, 2034, "A: growth measured from 2020")
    t3_platforms: int = P(10, "platforms", 0, 1000, "plan: 10 globally influential platforms")
    t4_enterprises: int = P(100, "firms", 0, 100_000, "plan: 100 key enterprises")
    t5_min: int = P(10, "bases", 0, 1000, "plan: 10-20 demonstration bases")
    t5_max: int = P(20, "bases", 0, 1000, "plan: 10-20 demonstration bases")
    key_enterprise_min_cny: float = P(5e8, "CNY/year digital trade", 0.0, 1e12, "A: plan gives no definition")
    global_platform_min_gmv_usd: float = P(1e9, "USD/year GMV", 0.0, 1e13, "A: plan gives no definition")
    global_platform_min_markets: float = P(50.0, "foreign markets", 0.0, 250.0, "A: plan gives no definition")


# ----------------------------------------------------------------------------------------------- index
_HANDBOOK = "OECD/JRC Handbook on Constructing Composite Indicators (2008)"


def _w(default: float = 1.0):
    return P(default, "relative weight", 0.0, 100.0, f"{_HANDBOOK}, step 6 (weighting): equal weights as the default")


def _ref(default: float, unit: str, hi: float, why: str):
    return P(default, f"{unit} per 100 index points", 1e-6, hi,
             f"A: fixed reference range (min-max normalisation with a fixed range anchored at end-2019, "
             f"{_HANDBOOK}, step 5): {why}")


@dataclass
class PillarWeightsCfg:
    scale: float = _w()
    clustering: float = _w()
    content: float = _w()
    facilitation: float = _w()
    spillover: float = _w()


@dataclass
class IndicatorWeightsCfg:
    digital_trade_per_firm: float = _w()
    export_share: float = _w()
    key_enterprise_density: float = _w()
    digital_firm_share: float = _w()
    transformed_share: float = _w()
    base_member_share: float = _w()
    platform_gmv_per_firm: float = _w()
    content_trade_per_firm: float = _w()
    content_trade_share: float = _w()
    content_firm_density: float = _w()
    trade_cost_cut: float = _w()
    digital_cost_cut: float = _w()
    talent_fill: float = _w()
    zone_coverage: float = _w()
    digital_trade_growth: float = _w()


_M2022 = "A: interpretation of plan 一 (到2022年,初步建成…的数字贸易先行示范区)"


@dataclass
class IndexCfg:
    """The composite digital-trade index (model/index.py) and the scored 2022 milestone (model/targets.py)."""

    pillar_weight: PillarWeightsCfg = field(default_factory=PillarWeightsCfg)
    indicator_weight: IndicatorWeightsCfg = field(default_factory=IndicatorWeightsCfg)
    aggregation: str = P("arithmetic", "rule", source=f"{_HANDBOOK}, step 6 (aggregation): linear across pillars; "
                         "geometric for the sensitivity check (less compensation between pillars)",
                         choices=("arithmetic", "geometric"))
    ref_base_member_share: float = _ref(0.1, "share of firms", 1.0, "one firm in ten in a demonstration base")
    ref_trade_cost_cut: float = _ref(0.05, "ad valorem", 0.5, "the plan's default CBEC cut (customs 0.03 + "
                                     "warehouses 0.02)")
    ref_digital_cost_cut: float = _ref(0.3, "share of transformation cost", 0.9,
                                       "policy.infrastructure.max_cost_cut")
    ref_zone_coverage: float = _ref(1.0, "share of the zone's levers acting", 1.0, "a city fully in the zone")
    m2022_scale: float = P(152.0, "index points", 0.0, 1000.0,
                           f"{_M2022} 规模较大竞争力较强: province scale pillar at 2022Q4 on the path of T2's 15 %/year "
                           "from end-2019 (100 × 1.15³)", uncertain=True)
    m2022_clustering: float = P(120.0, "index points", 0.0, 1000.0,
                                f"{_M2022} 数字产业集聚: province clustering pillar at 2022Q4, a clear gain (+20 "
                                "points) over end-2019", uncertain=True)
    m2022_content: float = P(120.0, "index points", 0.0, 1000.0,
                             f"{_M2022} 数字内容丰富: province content pillar at 2022Q4, +20 points over end-2019",
                             uncertain=True)
    m2022_facilitation: float = P(120.0, "index points", 0.0, 1000.0,
                                  f"{_M2022} 数字贸易便利: province facilitation pillar at 2022Q4, +20 points over "
                                  "end-2019", uncertain=True)
    m2022_spillover_cities: int = P(4, "cities outside Hangzhou", 0, 10,
                                    f"{_M2022} 辐射带动突出 and 二 (Ningbo, Jinhua-Yiwu by 2022): radiation beyond the "
                                    "zone's own cities: the two extension cities and at least two more", uncertain=True)
    m2022_spillover_index: float = P(120.0, "index points", 0.0, 1000.0,
                                     f"{_M2022} 辐射带动突出: the composite index a city outside Hangzhou must reach at "
                                     "2022Q4 to count (+20 points, as for the pillars)", uncertain=True)


@dataclass
class Config:
    seed: int = P(0, "integer", 0, 2**32 - 1, "replicate seeds are spawned from it")
    scale: float = P(0.25, "agents per real firm", 0.001, 1.0,
                     "method: 1.0 = one agent per firm; smaller samples with weights")
    horizon: str = Q("2025Q4", "plan horizon; up to 2035Q4")
    replicates: int = P(1, "runs", 1, 1000, "method: independent seeds spawned from `seed` (SeedSequence)")
    workers: int = P(0, "processes", 0, 256, "method: processes for a job's replicates; 0 = all cores when that "
                     "pays and the launcher does not already run jobs in parallel; results do not depend on it")
    engine: str = P("vectorised", "path", source="method: vectorised columns, or the per-agent reference path",
                    choices=("vectorised", "reference"))
    population: PopulationCfg = field(default_factory=PopulationCfg)
    firm: FirmCfg = field(default_factory=FirmCfg)
    platform: PlatformCfg = field(default_factory=PlatformCfg)
    cloud: CloudCfg = field(default_factory=CloudCfg)
    talent: TalentCfg = field(default_factory=TalentCfg)
    network: NetworkCfg = field(default_factory=NetworkCfg)
    world: WorldCfg = field(default_factory=WorldCfg)
    policy: PolicyCfg = field(default_factory=PolicyCfg)
    phasing: PhasingCfg = field(default_factory=PhasingCfg)
    targets: TargetsCfg = field(default_factory=TargetsCfg)
    index: IndexCfg = field(default_factory=IndexCfg)
    chart: bool = P(True, "switch", source="write the PNG chart")


def register() -> None:
    ConfigStore.instance().store(name="dtsim_schema", node=Config)


__all__ = ["Config", "register", "CITIES"]
