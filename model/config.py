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
    initial_sizes: str = P("pareto", "distribution", source="pareto: Zipf tail (size_tail_alpha) as observed "
                           "(Axtell 2001); lognormal: a thin tail (lognormal_sigma), to check that the dynamics "
                           "produce a Zipf tail rather than inherit it", choices=("pareto", "lognormal"))
    lognormal_sigma: float = P(1.5, "sd of log size", 0.1, 4.0,
                               "A: for initial_sizes=lognormal; narrow enough that its top tail lies outside "
                               "the Zipf range (tests/test_stylized.py)")
    lines_per_median: float = P(3.0, "lines of a firm at its kind's median size (plus one)", 0.1, 100.0,
                                "A: lines rise in proportion to size at the start and at entry (Bernard, Redding & Schott "
                                "2010: large firms span more products and destinations)", uncertain=True)
    sme_max_trade_cny: float = P(4e8, "CNY/year", 0.0, 1e11,
                                 "SMEs (the fund's 'broad' grants, trade digitalisation's credit): MIIT/NBS/NDRC/MoF "
                                 "2011 (Gongxinbu lianqiye [2011] 300), wholesale firms with revenue below CNY 400 m; "
                                 "trade read as revenue")
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
    rd_returns: float = P(0.35, "elasticity of the transformation gain to its outlay", 0.0, 0.9,
                          "set so the model's R&D user-cost elasticity (intensive 1/(1 - x) plus adoption) matches "
                          "Chen, Liu, Suarez Serrato & Xu 2021, AER 111(7), doi:10.1257/aer.20191758 (~2 reported, "
                          "1.1 real) and Qian, Zhan & Pan 2023, doi:10.1111/cwe.12505 (1.58, 2.05): "
                          "docs/evidence.md", uncertain=True)
    transform_cost_elasticity: float = P(0.6, "elasticity to size", 0.0, 1.0, "A: scale economies")
    profit_margin: float = P(0.08, "share of trade", 0.01, 0.5, "A: operating margin on trade")
    horizon_years: float = P(5.0, "years", 1.0, 20.0, "A: payback horizon of a transformation")
    discount_rate: float = P(0.08, "1/year", 0.0, 0.5, "A: firms' discount rate")
    adoption_max: float = P(0.06, "1/quarter", 0.0, 1.0,
                            "A: max quarterly adoption probability", uncertain=True)
    adoption_slope: float = P(0.8, "log-odds per log(gain/cost)", 0.0, 10.0,
                              "Chen, Liu, Suárez Serrato & Xu 2021, AER 111(7):2065-2100, doi:10.1257/aer.20191758: "
                              "the high-tech CIT notch raised reported R&D 18.8 % (intent to treat), ~10 % real (45 % "
                              "relabelling). The model's notch response rises with the slope (experiments/responses.py "
                              "under zhejiang_2023 before this slope was fitted, 4 seeds, scale 1: 11 at 0.6, 14 at "
                              "0.8, 22 at 1.0, 32 at 1.5); 0.8 sits between the real and the reported effects, and "
                              "the R&D user-cost elasticity stays in Chen et al.'s and Qian, Zhan & Pan's (2023, "
                              "doi:10.1111/cwe.12505) range. Uncertain: the calibration's prior is centred here "
                              "(calibration/priors.py) and docs/evidence.md checks the fitted value",
                              uncertain=True)
    peer_effect: float = P(2.0, "log-odds per transformed-neighbour share", 0.0, 10.0,
                           "A: B2B adoption spillover", uncertain=True)
    maturity_gain: float = P(0.05, "maturity/quarter", 0.0, 1.0, "A: learning after transformation")
    trade_elasticity: float = P(4.0, "elasticity to (1 - trade cost)", 1.0, 10.0,
                                "Head & Mayer 2014: trade elasticity ~4-5", uncertain=True)
    trade_cost: Dict[str, float] = P({"traditional": 0.12, "cbec": 0.15, "service": 0.10, "content": 0.10},
                                     "ad valorem", 0.0, 0.9, "A: baseline trade cost by kind")
    # growth from structure: a firm is a portfolio of destination-market x product lines that are born, grow and
    # die (Klette & Kortum 2004, JPE 112(5), doi:10.1086/422563; Fu, Pammolli, Buldyrev et al. 2005, PNAS 102(52),
    # doi:10.1073/pnas.0505115102); its growth is lumpy and diversifies with the number of lines
    line_growth_sd: float = P(0.08, "log points/quarter", 0.0, 1.0,
                              "A: sd of one line's quarterly log growth; a firm with n lines moves by sd/sqrt(n) "
                              "(Fu et al. 2005)", uncertain=True)
    line_birth_rate: float = P(0.05, "new lines per line per quarter", 0.0, 1.0,
                               "Bernard, Redding & Schott 2010, AER 100(1), doi:10.1257/aer.100.1.70: firms add "
                               "and drop products often (most firms change their mix within 5 years); A: the "
                               "quarterly rate", uncertain=True)
    line_death_rate: float = P(0.05, "dropped lines per line per quarter", 0.0, 1.0,
                               "Bernard, Redding & Schott 2010 (as line_birth_rate); Eaton, Kortum & Kramarz "
                               "2011, Econometrica 79(5), doi:10.3982/ECTA8318: exporters churn destinations; A: "
                               "the quarterly rate", uncertain=True)
    line_size_sd: float = P(1.0, "sd of log(line size / firm's mean line)", 0.0, 3.0,
                            "A: new and dropped lines differ in size (sales across destinations are dispersed, "
                            "Eaton, Kortum & Kramarz 2011)", uncertain=True)
    high_growth_share: float = P(0.06, "share of firms in a high-growth phase at a time", 0.0, 0.5,
                                 "NESTA 2009 (The vital 6 per cent), in OECD 2021 (Understanding firm growth, "
                                 "doi:10.1787/1431ac1f-en): ~6 % of UK firms with 10+ employees grew 20 %+ a year "
                                 "over 2005-08; Eurostat 2019: 11.3 % of EU firms grew 10 %+ a year over 2014-17. "
                                 "A high-growth phase makes the size distribution's tail (Reed 2001, Econ. Letters "
                                 "74:15; Luttmer 2011, Rev. Econ. Stud. 78:1042; Gabaix, Lasry, Lions & Moll 2016, "
                                 "Econometrica 84:2071: growth-type switches speed the tail's build-up)",
                                 uncertain=True)
    high_growth_years: float = P(3.0, "years (mean length of a phase)", 0.25, 20.0,
                                 "the OECD-Eurostat window (average growth over 3 years); high growth rarely "
                                 "persists: Daunfeldt & Halvarsson 2015, Small Bus. Econ. 44:361, "
                                 "doi:10.1007/s11187-014-9599-8 ('one-hit wonders')", uncertain=True)
    high_growth_boost: float = P(1.5, "extra line births in a phase, x line_birth_rate", 0.0, 20.0,
                                 "A: a firm in a phase opens 2.5x the usual lines, so its lines grow well past the "
                                 "20 % a year that defines a high-growth firm (OECD-Eurostat 2007 Manual on Business "
                                 "Demography Statistics): 45 % in 2022 for firms in a phase all year, 2 % for the "
                                 "rest (seed 3, scale 0.25, calibration zhejiang_2023)", uncertain=True)
    line_reach_effect: float = P(0.5, "extra line births at full platform reach", 0.0, 5.0,
                                 "A: platforms' foreign reach lets sellers open destination markets",
                                 uncertain=True)
    exit_rate: float = P(0.005, "1/quarter", 0.0, 0.5,
                         "A: exit hazard of a median-size firm for reasons outside its lines (a firm whose last "
                         "line dies exits as well)", uncertain=True)
    exit_size_elasticity: float = P(0.3, "elasticity", 0.0, 2.0, "A: small firms exit more")
    import_ratio: Dict[str, float] = P({"traditional": 0.33, "cbec": 0.35, "service": 2.93, "content": 0.3},
                                       "imports per CNY of exports", 0.0, 20.0,
                                       "2019: services 750.49/255.74 (annual report); CBEC 274.4/777.1 (China "
                                       "Daily); A: traditional, content")
    entry_policy_boost: float = P(0.12, "extra entry (and platform founding) where the zone is active", 0.0, 5.0,
                                  "Yuan, Ji, Zhang & Lei 2024, Sustainability 16(5):1802, doi:10.3390/su16051802: "
                                  "CBEC comprehensive pilot zones raised new-firm registrations 13.3 % (staggered "
                                  "DiD, 278 cities 2010-2020); set so that the same DiD on the plan's roll-out finds "
                                  "that (experiments/responses.py, docs/evidence.md)", uncertain=True)
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
    fee: float = P(0.05, "share of GMV", 0.0, 0.5,
                   "median initial take rate. Alibaba Group 20-F FY2016 (SEC; year to March 2016): China retail "
                   "marketplace revenue RMB 80.0 bn on GMV RMB 3,092 bn = 2.6 %; A: 5 % for cross-border and B2B "
                   "platforms (headline referral fees run 5-15 %)", uncertain=True)
    fee_dispersion: float = P(0.3, "sd of log fee", 0.0, 2.0,
                              "A: initial fees log-normal around `fee` (a take rate of 3.7-6.7 % for the middle "
                              "two thirds)", uncertain=True)
    fee_response: float = P(0.5, "elasticity of the fee to its seller share", 0.0, 5.0,
                            "A: a platform raises its fee while its share of its kind's sellers grows and cuts it "
                            "while sellers leave (two-sided pricing: Rochet & Tirole 2003, JEEA 1(4):990-1029, "
                            "doi:10.1162/154247603322493212)", uncertain=True)
    fee_floor: float = P(0.01, "share of GMV", 0.0, 0.5, "A: lowest fee a platform charges")
    fee_cap: float = P(0.15, "share of GMV", 0.0, 0.5, "A: highest fee, about Amazon's common referral fee")
    fee_weight: float = P(10.0, "logit utility per unit of fee", 0.0, 100.0,
                          "A: sellers' weight on the fee in platform choice (a 1-point higher fee = -0.1)",
                          uncertain=True)
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
    price_response: float = P(0.1, "price change per unit of utilisation above the threshold", 0.0, 2.0,
                              "A: busy providers raise prices, idle ones cut them", uncertain=True)
    price_step_max: float = P(0.05, "share/quarter", 0.0, 0.5, "A: largest price change in a quarter")
    ration_elasticity: float = P(0.1, "elasticity of digital output to the share of cloud demand served", 0.0, 1.0,
                                 "A: demand above a provider's capacity goes unserved and costs its customers a "
                                 "little digital output (bridged in part by other providers or own servers)",
                                 uncertain=True)
    n_abroad: int = P(2, "providers", 0, 50,
                      "A: the largest domestic providers (the anchor and a national one) run overseas regions; "
                      "foreign providers always do")
    abroad_export_share: float = P(0.5, "digital exports / digital trade", 0.0, 1.0,
                                   "A: firms whose digital trade is mostly exports look for overseas regions")
    abroad_bonus: float = P(1.0, "logit utility", 0.0, 10.0,
                            "A: what overseas regions are worth to such a firm in its choice of provider",
                            uncertain=True)
    follow_share: float = P(0.5, "share of overseas sales", 0.0, 1.0,
                            "A: part of a provider's overseas sales that follows its customers' digital exports "
                            "(providers with overseas regions only; the rest grows with capacity)", uncertain=True)


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
    link_decay: float = P(0.019, "1/quarter", 0.0, 0.5,
                          "Mizuno, Souma & Watanabe 2014, PLOS ONE 9(7):e100712, doi:10.1371/journal.pone.0100712: "
                          "92 % of customer and 93 % of supplier links survive a year (Japan, 2008-12): "
                          "1 - 0.925^(1/4), read as links between surviving firms (links to exiting firms end apart). "
                          "Far more churn in Hungarian VAT data: 55 % of links gone within a year "
                          "(Reisch, Borsos & Thurner 2025, arXiv:2503.20594)", uncertain=True)
    search_rate: float = P(0.1, "search probability per missing partner, 1/quarter", 0.0, 1.0,
                           "A: a firm below `b2b_degree` partners searches for one with this probability per partner "
                           "it lacks; set so that the mean degree holds near `b2b_degree` (link formation matching "
                           "the decay, as the stable degree distributions in Mizuno et al. 2014)", uncertain=True)
    triadic_share: float = P(0.3, "share of searches", 0.0, 1.0,
                             "A: searches through an existing partner (a partner's partner: triadic closure); the rest "
                             "search near by, where search costs are low (Bernard, Moxnes & Saito 2019, JPE "
                             "127(2):639-688, doi:10.1086/700764)", uncertain=True)


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
    annual_budget_cny: float = P(1e9, "CNY/year", 0.0, 1e11,
                                 "A: plan 八(二十二) names the fund, not its size. Of the order of the central SME "
                                 "digital-transformation city pilots: at most CNY 150 m (Hangzhou, Ningbo) or 100 m "
                                 "(other cities) per city over two years (MoF/MIIT notice of June 2023, Xinhua "
                                 "2023-06-14)", uncertain=True)
    rule: str = P("competitive", "rule", source="plan 八(二十二); A: how grants are allocated",
                  choices=("broad", "competitive", "platform"))
    cofinancing_share: float = P(0.5, "share paid by the firm", 0.0, 1.0,
                                 "A: a usual matching requirement; no published share for this fund", uncertain=True)
    grant_cap_cny: float = P(5e6, "CNY per firm", 0.0, 1e9, "A: no published cap for this fund", uncertain=True)


@dataclass
class TaxCfg(LeverCfg):
    super_deduction: float = P(0.75, "extra deduction per CNY of R&D", 0.0, 3.0,
                               "MoF/STA/MoST 2018 No.99: 75 % from 2018 (extended to 2023 by MoF/STA 2021 No.6); "
                               "100 % for manufacturers from 2021 (MoF/STA 2021 No.13) and all firms from 2023 "
                               "(MoF/STA 2023 No.7); 50 % before 2018 (EIT Law implementing regulations art. 95)")
    reduced_cit_rate: float = P(0.15, "rate", 0.0, 0.25,
                                "EIT Law art. 28: high and new technology enterprises pay 15 %")
    standard_cit_rate: float = P(0.25, "rate", 0.0, 0.5, "EIT Law art. 4: 25 %")
    rd_share: float = P(0.5, "share of transformation cost", 0.0, 1.0,
                        "A: the part of a transformation outlay that qualifies as R&D; no published share",
                        uncertain=True)
    qualify_maturity: float = P(0.6, "digital maturity", 0.0, 1.0,
                                "HNTE recognition measures (MoST/MoF/STA 2016 No.32) art. 11: high-tech products "
                                "and services at least 60 % of revenue; A: read as digital maturity", uncertain=True)
    annual_cap_cny: float = P(3e9, "CNY/year", 0.0, 1e11,
                              "A: ceiling on the tax expenditure for the zone's firms; no published figure",
                              uncertain=True)


@dataclass
class MarketAccessCfg(LeverCfg):
    foreign_entry: float = P(0.5, "extra foreign entrants per foreign entrant", 0.0, 5.0, "A: plan 七(十六)")
    foreign_cloud_entry: bool = P(True, "switch", source="plan 四(八): foreign-invested cloud")


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
    annual_budget_cny: float = P(5e9, "CNY/year", 0.0, 1e12,
                                 "A: public share of 5G and compute investment. Zhejiang planned nearly CNY 1 tn of "
                                 "'new infrastructure' in 2020-22, with 120,000 5G base stations and 25 large data "
                                 "centres by 2022 (Xinhua 2020-07-13)", uncertain=True)
    cost_cut_per_1e10: float = P(0.1, "share of transformation cost per CNY 10 bn", 0.0, 1.0,
                                 "A: no published estimate of how much cheaper infrastructure makes digitalising. "
                                 "Broadband China pilots raised revenue per employee ~4 % (Li, Zhang & Xu 2026, "
                                 "Economies 14(6):237), the effect the lever is checked against (docs/evidence.md)",
                                 uncertain=True)
    max_cost_cut: float = P(0.3, "share", 0.0, 0.9, "A: no published estimate", uncertain=True)
    productivity_per_1e10: float = P(0.15, "output gain per firm per CNY 10 bn invested in its city", 0.0, 1.0,
                                     "Li, Zhang & Xu 2026, Economies 14(6):237: Broadband China pilots raised revenue "
                                     "per employee ~4 %, not significant under robust staggered estimators; set so the "
                                     "lever's paired effect is of that order (docs/evidence.md)", uncertain=True)
    max_productivity_gain: float = P(0.1, "share", 0.0, 0.5, "A: 2.5 times the Broadband China estimate",
                                     uncertain=True)
    compute_capacity_per_1e10: float = P(0.1, "cloud capacity share per CNY 10 bn", 0.0, 5.0,
                                         "A: no published estimate", uncertain=True)


@dataclass
class CbecCfg(LeverCfg):
    customs_cost_cut: float = P(0.03, "ad valorem", 0.0, 0.5,
                                "A: 1210/9610/9710/9810 customs modes and the zones' tax treatment; no published "
                                "trade-cost equivalent. For scale: the full trade-facilitation package cuts trade "
                                "costs 13.2 % in upper-middle-income countries (Moïsé & Sorescu 2013, OECD Trade "
                                "Policy Papers 144, doi:10.1787/5k4bw6kg6ws2-en)", uncertain=True)
    warehouse_cost_cut: float = P(0.02, "ad valorem", 0.0, 0.5, "A: overseas warehouses; no published estimate",
                                  uncertain=True)
    annual_budget_cny: float = P(3e8, "CNY/year", 0.0, 1e11,
                                 "A: warehouse and clearance support; no published figure", uncertain=True)
    traditional_share: float = P(0.3, "share of the cut reaching traditional traders", 0.0, 1.0,
                                 "A: no published estimate", uncertain=True)


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


# Programme levers: each serves annual_budget_cny / cost_per_firm_cny firm-years of its target firms, spread over the
# covered cities (model/policy.py::programme); its effect in a city is its intensity times the share served there.
_SERVED = "CNY per target firm served per year"


@dataclass
class OnlineExhibitionsCfg(LeverCfg):
    annual_budget_cny: float = P(2e8, "CNY/year", 0.0, 1e11,
                                 "A: plan 五(十二) (online exhibitions, buyer-exhibitor matchmaking) names no budget",
                                 uncertain=True)
    cost_per_firm_cny: float = P(2e4, _SERVED, 0.0, 1e8,
                                 "A: plan 五(十二); online booth, matchmaking and interpreting for one exporter-year",
                                 uncertain=True)
    new_lines_per_firm: float = P(0.3, "new destination-market lines per served firm per year", 0.0, 10.0,
                                  "plan 五(十二); export promotion helps firms reach new destination countries "
                                  "(Volpe Martincus & Carballo 2010, Rev. World Econ. 146:437-467, "
                                  "doi:10.1007/s10290-010-0062-x); trade-fair attendance raises export status "
                                  "(Makioka 2020, RIETI DP 20-E-007); A: the magnitude (no estimate for online "
                                  "fairs)", uncertain=True)


@dataclass
class TradeDigitalisationCfg(LeverCfg):
    annual_budget_cny: float = P(3e8, "CNY/year", 0.0, 1e11,
                                 "A: plan 五(十一) (single window, blockchain credit, smart settlement centre) names "
                                 "no budget", uncertain=True)
    cost_per_firm_cny: float = P(5e3, _SERVED, 0.0, 1e8,
                                 "A: plan 五(十一); onboarding a firm to single-window, credit and settlement "
                                 "services", uncertain=True)
    settlement_cost_cut: float = P(0.01, "ad valorem, all kinds", 0.0, 0.5,
                                   "plan 五(十一); the full trade-facilitation package cuts total trade costs 13.2 % "
                                   "for upper-middle-income countries (Moïsé & Sorescu 2013, OECD Trade Policy "
                                   "Papers 144, doi:10.1787/5k4bw6kg6ws2-en), i.e. ~0.016 of a 0.12 trade cost; "
                                   "single windows raise trade (Martínez-Zarzoso & Chelala 2020, World Economy "
                                   "43(10):2549-2573, doi:10.1111/twec.12945); A: settlement and finance are "
                                   "part of it", uncertain=True)
    sme_credit_cut: float = P(0.1, "share of an SME's transformation cost", 0.0, 0.9,
                              "plan 五(十一); platform credit lines raise small vendors' sales growth (Hau, Huang, "
                              "Lin, Shan, Sheng & Wei, FinTech Credit and Entrepreneurial Growth, J. Finance, "
                              "doi:10.2139/ssrn.3899863); A: the saving on financing a transformation",
                              uncertain=True)


@dataclass
class DigitalCultureCfg(LeverCfg):
    annual_budget_cny: float = P(1e8, "CNY/year", 0.0, 1e11, "A: plan 四(六) (digital culture going out) names no "
                                 "budget", uncertain=True)
    cost_per_firm_cny: float = P(5e4, _SERVED, 0.0, 1e8,
                                 "A: plan 四(六); translation, subtitling and overseas promotion for one content "
                                 "firm-year", uncertain=True)
    content_cost_cut: float = P(0.02, "ad valorem, content firms", 0.0, 0.5,
                                "plan 四(六); China's 2014 cultural-trade policy raised cultural exports and lowered "
                                "cultural trade costs (Ding, Li, Wang & Huang 2026, Economic Modelling 157:107498, "
                                "doi:10.1016/j.econmod.2026.107498); A: the magnitude", uncertain=True)


@dataclass
class SandboxIpCfg(LeverCfg):
    annual_budget_cny: float = P(1e8, "CNY/year", 0.0, 1e11,
                                 "A: plan 七(十八) (regulatory sandbox, IP and privacy protection) names no budget",
                                 uncertain=True)
    cost_per_firm_cny: float = P(1e4, _SERVED, 0.0, 1e8,
                                 "A: plan 七(十八); fast-track IP protection and sandbox supervision per firm-year",
                                 uncertain=True)
    trust_cost_cut: float = P(0.01, "ad valorem, service and content firms", 0.0, 0.5,
                              "plan 七(十八); stronger IP rights in the exporting country raise its exports "
                              "(Ndubuisi & Foster-McGregor 2018, UNU-MERIT WP 2018-035); sandbox entry +15 % "
                              "capital raised (Cornelli, Doerr, Gambacorta & Merrouche 2024, Rev. Finance "
                              "28(1):203-233, doi:10.1093/rof/rfad017); A: the trade-cost equivalent",
                              uncertain=True)


@dataclass
class DataFlowsCfg(LeverCfg):
    annual_budget_cny: float = P(3e8, "CNY/year", 0.0, 1e11,
                                 "A: plan 七(十七) data-flow pilots; enough to serve every service and content firm",
                                 uncertain=True)
    cost_per_firm_cny: float = P(1e4, _SERVED, 0.0, 1e8,
                                 "A: plan 七(十七); data-export assessment and compliance support per firm-year",
                                 uncertain=True)
    cost_cut: float = P(0.02, "ad valorem, service and content firms", 0.0, 0.5,
                        "plan 七(十七); restrictive cross-border data policies lower data-intense services trade "
                        "(Ferracane & van der Marel 2021, Rev. World Econ. 157:727-776, "
                        "doi:10.1007/s10290-021-00417-2); A: the magnitude", uncertain=True)


# keys that moved: an override of the old key fails with "did you mean <new key>?" (model/suggest.py)
MOVED = {"policy.market_access.data_flow_cost_cut": "policy.data_flows.cost_cut"}


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
    online_exhibitions: OnlineExhibitionsCfg = field(default_factory=OnlineExhibitionsCfg)
    trade_digitalisation: TradeDigitalisationCfg = field(default_factory=TradeDigitalisationCfg)
    digital_culture: DigitalCultureCfg = field(default_factory=DigitalCultureCfg)
    sandbox_ip: SandboxIpCfg = field(default_factory=SandboxIpCfg)
    data_flows: DataFlowsCfg = field(default_factory=DataFlowsCfg)


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
class OutputsCfg:
    firms: bool = P(False, "switch", source="method: also write firms.parquet, one row per living firm and year-end "
                    "(model/panel.py)")


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
    outputs: OutputsCfg = field(default_factory=OutputsCfg)


def register() -> None:
    ConfigStore.instance().store(name="dtsim_schema", node=Config)


__all__ = ["Config", "register", "CITIES"]
