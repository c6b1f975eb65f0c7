"""The composite digital-trade index: the five dimensions of the plan's 2022 milestone, measured every quarter for
the province and each of the 11 cities from the model's own records.

Plan 一: 到2022年,初步建成数字贸易规模较大竞争力较强、数字产业集聚、数字内容丰富、数字贸易便利、辐射带动突出的数字贸易
先行示范区 — by 2022, a zone of large scale and strong competitiveness, clustered digital industries, rich digital
content, facilitated digital trade and strong spill-over to the rest of the province. Each of these is a pillar.

Construction follows the OECD/JRC *Handbook on Constructing Composite Indicators: Methodology and User Guide* (2008):

- **Indicators** (Handbook step 2): each a ratio num/den of sums over a city's living firms, platforms or labour
  market (`INDICATORS`), all "more is better". The province's value is the same ratio of the sums over the cities
  (over the cities outside Hangzhou for the spill-over indicators: diffusion beyond the core), so it is the
  den-weighted mean of the cities' values.
- **Normalisation** (step 5): score = 100 + 100 · (x − x₀) / d, where x₀ is the province's value at end-2019 (the
  model's initial state). d = x₀ for indicators with a positive base ("distance to a reference": score = 100 · x /
  x₀), and a fixed reference range from the config (`index.ref_*`) for indicators that are zero at end-2019 (base
  membership, trade-cost cut, digital-cost cut, zone coverage: min-max with a fixed range anchored at the base).
  The province is 100 at end-2019 on every indicator; scores are comparable over time, across cities and across
  runs, because nothing is rescaled by the sample.
- **Weighting and aggregation** (step 6): the weighted arithmetic mean of a pillar's indicator scores gives the
  pillar; the weighted mean of the pillars (arithmetic, or geometric with `index.aggregation=geometric`) gives the
  index. Equal weights by default (`index.pillar_weight`, `index.indicator_weight`). Because scores are linear in
  the indicators, the province's score on each indicator is the den-weighted mean of the cities' scores.
- **Robustness** (step 7): `weight_sensitivity` — random Dirichlet pillar weights and leave-one-pillar-out: how much
  the city ranking (Spearman rank correlation with the default ranking) and the province index move.

Scale: the model's index is 100 for the province at end-2019. The published Zhejiang digital-trade index (39
indicators; 80.9 in 2017, 123.9 in 2021; released Nov 2022) has another base and other indicators, so levels are
not comparable; growth rates are (`PUBLISHED`, `published_growth`). The model is never fitted to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.vocabulary import CITIES, CONTENT, FIRM_KINDS, TRADITIONAL
from model.policy import ZONE_LEVERS

C, K = len(CITIES), len(FIRM_KINDS)
HANGZHOU = CITIES.index("Hangzhou")
PROVINCE = "all"  # the province's label in the tidy records' city column (the city dimension summed)
UNIT = "index points (province end-2019 = 100)"
HANDBOOK = ("Nardo M., Saisana M., Saltelli A., Tarantola S., Hoffmann A., Giovannini E. (2008), Handbook on "
            "Constructing Composite Indicators: Methodology and User Guide, OECD Publishing / European Commission JRC, "
            "ISBN 978-92-64-04345-9")

PILLARS = ("scale", "clustering", "content", "facilitation", "spillover")
PILLAR_NAMES = {"scale": "scale and competitiveness", "clustering": "industrial clustering",
                "content": "digital content", "facilitation": "facilitation", "spillover": "spill-over"}
PLAN_WORDS = {"scale": "规模较大竞争力较强", "clustering": "数字产业集聚", "content": "数字内容丰富",
              "facilitation": "数字贸易便利", "spillover": "辐射带动突出"}

# The published index (data/zhejiang_observed.csv in the shared data: "2022 Zhejiang digital-trade index", China
# Institute for Digital Economy and Global Trade Rules with the Zhejiang Institute of Commerce, released Nov 2022;
# 39 indicators, index points). Shown beside the simulated growth, never fitted.
PUBLISHED = {2017: 80.9, 2021: 123.9}


@dataclass(frozen=True)
class Indicator:
    name: str
    pillar: str
    unit: str
    meaning: str
    reference: str | None = None   # IndexCfg field with a fixed reference range; None: d = the end-2019 value
    outside_hangzhou: bool = False  # the province's value is taken over the cities outside Hangzhou


INDICATORS = (
    Indicator("digital_trade_per_firm", "scale", "CNY/quarter per firm",
              "digital trade (imports + exports, with overseas cloud sales) per trading firm of end-2019 (a fixed "
              "denominator, so entry of small firms does not dilute it)"),
    Indicator("export_share", "scale", "share", "digital exports in digital trade (competitiveness abroad)"),
    Indicator("key_enterprise_density", "scale", "key enterprises per 10,000 firms of end-2019",
              "firms with digital trade ≥ targets.key_enterprise_min_cny over the last four quarters (T4)"),
    Indicator("digital_firm_share", "clustering", "share of firms",
              "CBEC sellers, digital-service and digital-content exporters among living trading firms"),
    Indicator("transformed_share", "clustering", "share of firms", "digitally transformed firms"),
    Indicator("base_member_share", "clustering", "share of firms", "firms in a designated demonstration base",
              reference="ref_base_member_share"),
    Indicator("platform_gmv_per_firm", "clustering", "CNY/quarter per firm",
              "GMV of the active platforms homed in the city, per trading firm of end-2019"),
    Indicator("content_trade_per_firm", "content", "CNY/quarter per firm",
              "digital-content trade per trading firm of end-2019 (how much content is traded)"),
    Indicator("content_trade_share", "content", "share", "digital-content trade in digital trade"),
    Indicator("content_firm_density", "content", "content firms per 10,000 firms of end-2019",
              "living digital-content exporters (how many produce it)"),
    Indicator("trade_cost_cut", "facilitation", "ad valorem",
              "lever trade-cost cut (customs modes, warehouses, data-flow pilots) on the average yuan of the "
              "city's firms' digital trade", reference="ref_trade_cost_cut"),
    Indicator("digital_cost_cut", "facilitation", "share of transformation cost",
              "1 − the digital-cost index (5G and compute)", reference="ref_digital_cost_cut"),
    Indicator("talent_fill", "facilitation", "share", "share of digital-talent demand staffed"),
    Indicator("zone_coverage", "spillover", "share", "share of the zone's six own levers acting in the city",
              reference="ref_zone_coverage", outside_hangzhou=True),
    Indicator("digital_trade_growth", "spillover", "ratio", "digital trade relative to the city's own end-2019",
              outside_hangzhou=True),
)
NAMES = tuple(i.name for i in INDICATORS)
PILLAR_OF = np.array([PILLARS.index(i.pillar) for i in INDICATORS])
I = len(INDICATORS)
# province aggregation mask (indicators, cities): every city, or every city but Hangzhou
IN_PROVINCE = np.ones((I, C))
IN_PROVINCE[[i.outside_hangzhou for i in INDICATORS], HANGZHOU] = 0.0


def parts(m, city: np.ndarray, w: np.ndarray, dt: np.ndarray, dx: np.ndarray,
          firms: np.ndarray, transformed: np.ndarray, key: np.ndarray) -> dict:
    """What the indicators are made of, by city, from arrays the Recorder already holds (`city`, `w`: the living
    rows' city and weight; `key`: the indices among them of key enterprises; `dt`, `dx`, `firms`, `transformed`:
    city x kind sums) plus three small bincounts (key enterprises, base members, platforms) and the model's per-city
    state."""
    f, p = m.firms, m.platforms
    active = p.view("active")
    member = np.flatnonzero(f.view("base_member") & f.view("alive"))  # few rows: no gather over all living rows
    return {
        "digital_trade": dt, "digital_exports": dx, "firms": firms, "transformed": transformed,
        "key": np.bincount(city[key], weights=w[key], minlength=C),
        "members": np.bincount(f.city[member], weights=f.weight[member], minlength=C),
        "gmv_home": np.bincount(p.view("city")[active], weights=p.view("gmv")[active], minlength=C),
        "cost_cut": m.trade_cost_cut, "digital_cost_index": m.digital_cost_index, "fill": m.fill,
        "talent_demand": m.talent_demand,
        "coverage": np.mean([m.stance[lever].cover for lever in ZONE_LEVERS], axis=0),
    }


def ratios(x: dict, base: dict) -> tuple[np.ndarray, np.ndarray]:
    """(num, den), each (indicators, cities), in the order of INDICATORS; `base` is the end-2019 `parts`."""
    dt, firms = x["digital_trade"], x["firms"]
    dt_c, firms_c = dt.sum(axis=1), firms.sum(axis=1)
    firms_2019, dt_2019 = base["firms"].sum(axis=1), base["digital_trade"].sum(axis=1)
    kinds = dt[:, :K]  # the firm kinds' digital trade (not the cloud column)
    rows = {
        "digital_trade_per_firm": (dt_c, firms_2019),
        "export_share": (x["digital_exports"].sum(axis=1), dt_c),
        "key_enterprise_density": (1e4 * x["key"], firms_2019),
        "digital_firm_share": (firms_c - firms[:, TRADITIONAL], firms_c),
        "transformed_share": (x["transformed"].sum(axis=1), firms_c),
        "base_member_share": (x["members"], firms_c),
        "platform_gmv_per_firm": (x["gmv_home"], firms_2019),
        "content_trade_per_firm": (dt[:, CONTENT], firms_2019),
        "content_trade_share": (dt[:, CONTENT], dt_c),
        "content_firm_density": (1e4 * firms[:, CONTENT], firms_2019),
        "trade_cost_cut": ((kinds * x["cost_cut"]).sum(axis=1), kinds.sum(axis=1)),
        "digital_cost_cut": (firms_c * (1.0 - x["digital_cost_index"]), firms_c),
        "talent_fill": (x["fill"] * x["talent_demand"], x["talent_demand"]),
        "zone_coverage": (firms_c * x["coverage"], firms_c),
        "digital_trade_growth": (dt_c, dt_2019),
    }
    return np.array([rows[n][0] for n in NAMES]), np.array([rows[n][1] for n in NAMES])


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


def values(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """(indicators, cities + 1): each city's indicator value, then the province's (ratio of the sums)."""
    province = _divide((num * IN_PROVINCE).sum(axis=1), (den * IN_PROVINCE).sum(axis=1))
    return np.column_stack([_divide(num, den), province])


def _get(node, key: str):
    return node[key] if isinstance(node, dict) else getattr(node, key)


def weights(index_cfg) -> tuple[np.ndarray, np.ndarray]:
    """(pillar weights (5,), within-pillar indicator weights (indicators,)), each group summing to 1. `index_cfg`:
    the config's `index` section (dataclass, DictConfig or plain dict, so a config check can call it); raises
    ValueError if all pillar weights, or all of one pillar's indicator weights, are 0 (model.validate checks it
    at start)."""
    pw = np.array([float(_get(_get(index_cfg, "pillar_weight"), p)) for p in PILLARS])
    iw = np.array([float(_get(_get(index_cfg, "indicator_weight"), n)) for n in NAMES])
    if pw.sum() <= 0:
        raise ValueError("index.pillar_weight: the pillar weights must not all be 0")
    per_pillar = np.bincount(PILLAR_OF, weights=iw, minlength=len(PILLARS))
    empty = [p for p, s in zip(PILLARS, per_pillar) if s <= 0]
    if empty:
        raise ValueError(f"index.indicator_weight: the indicators of pillar {empty[0]!r} all have weight 0")
    return pw / pw.sum(), iw / per_pillar[PILLAR_OF]


def aggregate(pillars: np.ndarray, pillar_weights: np.ndarray, rule: str = "arithmetic") -> np.ndarray:
    """The index from pillar values (5, …) and weights (5,) or (draws, 5) summing to 1: the weighted arithmetic
    mean, or the weighted geometric mean (pillars floored at 1 point, as a geometric mean needs positive values)."""
    pw = np.asarray(pillar_weights, dtype=float)
    if rule == "geometric":
        return np.exp(np.tensordot(pw, np.log(np.maximum(pillars, 1.0)), axes=(-1, 0)))
    return np.tensordot(pw, pillars, axes=(-1, 0))


class CompositeIndex:
    """The index of one run: weights, the end-2019 base, and the quarter's scores, pillars and index."""

    def __init__(self, index_cfg, base: dict):
        self.cfg = index_cfg
        self.rule = str(index_cfg.aggregation)
        self.pillar_weights, self.indicator_weights = weights(index_cfg)
        self.base = base = {k: np.array(v, dtype=float) for k, v in base.items()}  # a copy: parts alias the model
        x0 = values(*ratios(base, base))[:, -1]
        self.x0 = x0
        ref = np.array([float(getattr(index_cfg, i.reference)) if i.reference else x0[k]
                        for k, i in enumerate(INDICATORS)])
        # an indicator that is 0 for the province at end-2019 and has no reference range cannot be normalised
        # (e.g. no key enterprise at all under a very high threshold): it is left out of its pillar, and a pillar
        # left with no indicator is left out of the index
        self.left_out = [NAMES[k] for k in np.flatnonzero(ref <= 0)]
        self.indicator_weights = np.where(ref > 0, self.indicator_weights, 0.0)
        self.ref = np.where(ref > 0, ref, 1.0)
        # (pillars, indicators): a pillar is the weighted mean of its indicators' scores
        self.within = np.zeros((len(PILLARS), I))
        self.within[PILLAR_OF, np.arange(I)] = self.indicator_weights
        totals = self.within.sum(axis=1, keepdims=True)
        self.within = np.divide(self.within, totals, out=np.zeros_like(self.within), where=totals > 0)
        self.pillar_weights = np.where(totals[:, 0] > 0, self.pillar_weights, 0.0)
        if self.pillar_weights.sum() <= 0:
            raise ValueError("index: no pillar has an indicator that can be normalised at end-2019")
        self.pillar_weights = self.pillar_weights / self.pillar_weights.sum()

    def scores(self, x: dict) -> np.ndarray:
        """(indicators, cities + 1) normalised scores of a quarter's `parts`."""
        return 100.0 + 100.0 * (values(*ratios(x, self.base)) - self.x0[:, None]) / self.ref[:, None]

    def pillars(self, scores: np.ndarray) -> np.ndarray:
        return self.within @ scores

    def composite(self, pillars: np.ndarray) -> np.ndarray:
        return aggregate(pillars, self.pillar_weights, self.rule)


# ------------------------------------------------------------------------------------------- reading records
def series_from_frame(frame, metric: str = "index"):
    """A metric by quarter (rows) and city (columns: the 11 cities, then 'all' = the province), median over the
    replicates if there are several."""
    import pandas as pd

    sub = frame[frame["metric"] == metric]
    table = sub.groupby(["quarter", "city"], observed=True)["value"].median().unstack("city")
    return table[[*CITIES, PROVINCE]].sort_index() if not table.empty else pd.DataFrame(columns=[*CITIES, PROVINCE])


def pillars_at(frame, quarter: str) -> np.ndarray:
    """(5, cities + 1) pillar values at `quarter` (median over replicates)."""
    return np.array([series_from_frame(frame, f"index_{p}").loc[quarter].to_numpy() for p in PILLARS])


def annual_means(frame, metric: str = "index", city: str = PROVINCE) -> dict:
    """{year: mean of its four quarters} of one replicate's index (full years only)."""
    sub = frame[(frame["metric"] == metric) & (frame["city"] == city)]
    years = sub["quarter"].str[:4].astype(int)
    grouped = sub.groupby(years.to_numpy())["value"].agg(["mean", "count"])
    return {int(y): float(r["mean"]) for y, r in grouped.iterrows() if r["count"] == 4}


def average_growth(levels: dict, start: int, end: int) -> float | None:
    """Average annual growth between two years' levels, (end/start)^(1/years) − 1; None if either is missing."""
    if start not in levels or end not in levels or end <= start or levels[start] <= 0:
        return None
    return (levels[end] / levels[start]) ** (1.0 / (end - start)) - 1.0


def published_growth() -> float:
    """Average annual growth of the published index, 2017–2021 (80.9 → 123.9: about 11.2 %/year)."""
    return average_growth(PUBLISHED, 2017, 2021)


# ------------------------------------------------------------------------------------------- robustness
def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n of x (ties share their average rank)."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(1, len(x) + 1)
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    return (np.bincount(inverse, weights=ranks) / counts)[inverse]


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (Pearson's on average ranks); 1 if both are constant, 0 if one is."""
    ra, rb = _ranks(np.asarray(a, float)), _ranks(np.asarray(b, float))
    sa, sb = ra.std(), rb.std()
    if sa == 0 or sb == 0:
        return 1.0 if sa == sb else 0.0
    return float(np.clip(((ra - ra.mean()) * (rb - rb.mean())).mean() / (sa * sb), -1.0, 1.0))


def weight_sensitivity(pillars: np.ndarray, pillar_weights=None, rule: str = "arithmetic", draws: int = 1000,
                       alpha: float = 1.0, seed: int = 0) -> dict:
    """How much the city ranking and the province index move with the pillar weights (Handbook step 7).

    `pillars`: (5, cities + 1) pillar values (the 11 cities, then the province), e.g. `pillars_at(frame, "2025Q4")`.
    Reference: `pillar_weights` (default equal) with `rule`. Two checks: `draws` random weight vectors from a
    Dirichlet(alpha, …, alpha) distribution (alpha = 1: uniform over all weightings), and leaving out one pillar at
    a time (the others' weights renormalised). For each: the Spearman rank correlation of the 11 cities' index with
    the reference ranking, the largest change of a city's rank, and the province index."""
    pillars = np.asarray(pillars, dtype=float)
    n = len(PILLARS)
    ref_w = np.full(n, 1.0 / n) if pillar_weights is None else np.asarray(pillar_weights, float) / np.sum(
        pillar_weights)
    ref = aggregate(pillars, ref_w, rule)
    ref_rank = _ranks(-ref[:C])

    def judge(index: np.ndarray) -> dict:
        rank = _ranks(-index[:C])
        return {"rank_correlation": rank_correlation(ref[:C], index[:C]),
                "max_rank_shift": float(np.abs(rank - ref_rank).max()), "province": float(index[C])}

    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.full(n, float(alpha)), size=int(draws))
    runs = [judge(index) for index in aggregate(pillars, w, rule)]
    rho = np.array([r["rank_correlation"] for r in runs])
    shift = np.array([r["max_rank_shift"] for r in runs])
    prov = np.array([r["province"] for r in runs])
    leave_out = {}
    for k, pillar in enumerate(PILLARS):
        w_k = ref_w.copy()
        w_k[k] = 0.0
        leave_out[pillar] = judge(aggregate(pillars, w_k / w_k.sum(), rule))
    return {
        "reference": {"weights": ref_w.tolist(), "rule": rule, "province": float(ref[C]),
                      "ranking": [CITIES[i] for i in np.argsort(-ref[:C], kind="stable")]},
        "dirichlet": {"draws": int(draws), "alpha": float(alpha),
                      "rank_correlation": {"median": float(np.median(rho)), "q05": float(np.quantile(rho, 0.05)),
                                           "min": float(rho.min())},
                      "max_rank_shift": {"median": float(np.median(shift)), "q95": float(np.quantile(shift, 0.95))},
                      "province": {"median": float(np.median(prov)), "q05": float(np.quantile(prov, 0.05)),
                                   "q95": float(np.quantile(prov, 0.95))}},
        "leave_one_out": leave_out,
        "geometric" if rule == "arithmetic" else "arithmetic": judge(
            aggregate(pillars, ref_w, "geometric" if rule == "arithmetic" else "arithmetic")),
    }
