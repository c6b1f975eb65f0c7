"""Per-quarter records kept as arrays while the model runs; one tidy table built at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.firm import platforms_held
from agents.platform import hhi
from model import index
from model.policy import LEVERS
from agents.vocabulary import CITIES, FIRM_KINDS, PLATFORM_KINDS, quarter_label

TRADE_KINDS = FIRM_KINDS + ("cloud",)  # overseas cloud sales count as digital trade of the "cloud" kind
K, C = len(FIRM_KINDS), len(CITIES)

# metric -> (unit, dimensions); dimensions: "city_kind" (C, K or K+1), "city" (C,), "city_all" (C + 1,: the
# cities, then the province as city 'all'), "platform_kind" (PLATFORM_KINDS, city 'all'), "" (scalar)
METRICS = {
    "digital_trade": ("CNY/quarter", "city_kind"),
    "digital_exports": ("CNY/quarter", "city_kind"),
    "firms": ("firms", "city_kind"),
    "firms_transformed": ("firms", "city_kind"),
    "talent_supply": ("efficiency units", "city"),
    "talent_demand": ("efficiency units", "city"),
    "talent_fill": ("share", "city"),
    "wage_high_skill": ("CNY/quarter", "city"),
    "digital_cost_index": ("index", "city"),
    "digital_trade_total": ("CNY/quarter", ""),
    "digital_trade_usd": ("USD/quarter", ""),
    "fx": ("CNY per USD", ""),
    "platforms_active": ("platforms", ""),
    "platforms_global": ("platforms", ""),
    "platform_hhi": ("0..1", ""),
    "platform_hhi_kind": ("0..1", "platform_kind"),  # HHI of GMV among the active platforms of each kind
    "platform_fee_mean": ("share of GMV", ""),  # GMV-weighted mean fee of the active platforms
    "platform_fee_sd": ("share of GMV", ""),  # standard deviation of the active platforms' fees (unweighted)
    "multihoming": ("platforms per seller", ""),
    "key_enterprises": ("firms", ""),
    "demo_bases": ("bases", ""),
    "cloud_utilisation": ("share", ""),
    "cloud_hhi": ("0..1", ""),
    "cloud_unserved": ("share", ""),  # customers' cloud demand above their provider's capacity, share of all
    # B2B layer over living firm agents (links to living partners; a link counts at both ends)
    "b2b_mean_degree": ("links per firm", ""),
    "b2b_degree_p50": ("links per firm", ""),
    "b2b_degree_p90": ("links per firm", ""),
    "b2b_degree_max": ("links per firm", ""),
    "b2b_links_formed": ("links/quarter", ""),  # agent links formed this quarter (entrants and searchers)
    "b2b_links_ended": ("links/quarter", ""),  # agent links ended this quarter (partner left, or decay)
    **{f"spending_{lever}": ("CNY/quarter", "") for lever in LEVERS},
    # the composite digital-trade index and its pillars (model/index.py)
    "index": (index.UNIT, "city_all"),
    **{f"index_{pillar}": (index.UNIT, "city_all") for pillar in index.PILLARS},
    # the 2022 milestone's criteria (model/targets.py::milestone): what each measures, and its threshold
    **{f"index_m2022_{pillar}{end}": ("cities" if pillar == "spillover" else "index points", "")
       for pillar in index.PILLARS for end in ("", "_threshold")},
}


def _platform_rows(p) -> dict:
    """Concentration by platform kind and the spread of fees, over the active platforms."""
    gmv, kind, fee = p.view("gmv") * p.view("active"), p.view("kind"), p.view("fee")
    on = p.view("active")
    return {"platform_hhi_kind": np.array([hhi(gmv[kind == k]) for k in range(len(PLATFORM_KINDS))]),
            "platform_fee_mean": float((fee * gmv).sum() / gmv.sum()) if gmv.sum() > 0 else 0.0,
            "platform_fee_sd": float(fee[on].std()) if on.any() else 0.0}


def _domestic_high_skill_wage(talent) -> np.ndarray:
    """(cities,) wage of the domestic highly skilled cohort, found by its columns rather than its row order."""
    rows = np.flatnonzero(~talent.view("international") & (talent.view("skill") > 1.0))
    return talent.wage[rows[np.argsort(talent.city[rows])]].copy()


class Recorder:
    """Collects the model's aggregates each quarter into arrays (no per-agent data collection)."""

    def __init__(self, model):
        self.model = model
        self.quarters: list[int] = []
        self.data: dict[str, list[np.ndarray | float]] = {name: [] for name in METRICS}
        self.index_scores: list[np.ndarray] = []  # (indicators, cities + 1) normalised scores by quarter
        # the index's base: the model's end-2019 state, before the first quarter
        self.index = index.CompositeIndex(model.params.index, self._gather()[1])

    def _gather(self) -> tuple[dict, dict]:
        """The quarter's city x kind sums over the living firm rows (gathered once) and the index's `parts`."""
        m, f = self.model, self.model.firms
        alive = np.flatnonzero(f.view("alive"))  # the living rows, gathered once
        w = f.weight[alive]
        city = f.city[alive].astype(np.intp)
        cell = city * K + f.kind[alive]

        def by_cell(weights: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=weights, minlength=C * K).reshape(C, K)

        c = m.clouds
        cloud_by_city = np.bincount(c.view("home"), weights=c.view("overseas_sales"), minlength=C)
        w_dt = w * f.digital_trade[alive]
        key = np.flatnonzero(f.digital_trade_year[alive] >= m.params.targets.key_enterprise_min_cny)
        sums = {"alive": alive, "w": w, "w_dt": w_dt, "key": key,
                "digital_trade": np.column_stack([by_cell(w_dt), cloud_by_city]),
                "digital_exports": np.column_stack([by_cell(w * f.digital_exports[alive]), cloud_by_city]),
                "firms": by_cell(w), "firms_transformed": by_cell(w * f.transformed[alive])}
        parts = index.parts(m, city, w, sums["digital_trade"], sums["digital_exports"], sums["firms"],
                            sums["firms_transformed"], key)
        return sums, parts

    def _index_row(self, parts: dict) -> dict:
        """The quarter's index, pillars and milestone criteria (model/targets.py::milestone)."""
        cfg = self.model.params.index
        scores = self.index.scores(parts)
        pillars = self.index.pillars(scores)
        composite = self.index.composite(pillars)
        self.index_scores.append(scores)
        outside = np.arange(C) != index.HANGZHOU
        row = {"index": composite, **{f"index_{p}": pillars[k] for k, p in enumerate(index.PILLARS)}}
        for k, p in enumerate(index.PILLARS):
            if p == "spillover":
                row["index_m2022_spillover"] = float((composite[:C][outside] >= cfg.m2022_spillover_index).sum())
                row["index_m2022_spillover_threshold"] = float(cfg.m2022_spillover_cities)
            else:
                row[f"index_m2022_{p}"] = pillars[k, C]
                row[f"index_m2022_{p}_threshold"] = float(getattr(cfg, f"m2022_{p}"))
        return row

    def record(self, q: int) -> None:
        m, f = self.model, self.model.firms
        sums, parts = self._gather()
        alive, w, w_dt = sums["alive"], sums["w"], sums["w_dt"]
        c, p = m.clouds, m.platforms
        dt = sums["digital_trade"]
        # the province total is summed over firms directly, not over the city x kind cells (an identity tested)
        total = float(w_dt.sum() + c.view("overseas_sales").sum())
        members = platforms_held(f.view("platforms"))[alive]
        sellers = members > 0
        capacity = c.view("capacity")[c.view("active")].sum()
        degree = m.b2b.degree_summary(f.view("alive"))
        row = {
            "digital_trade": dt,
            "digital_exports": sums["digital_exports"],
            "firms": sums["firms"],
            "firms_transformed": sums["firms_transformed"],
            "talent_supply": m.talent_supply, "talent_demand": m.talent_demand, "talent_fill": m.fill,
            "wage_high_skill": _domestic_high_skill_wage(m.talent),
            "digital_cost_index": m.digital_cost_index.copy(),
            "digital_trade_total": total,
            "digital_trade_usd": total / m.world.fx[q],
            "fx": float(m.world.fx[q]),
            "platforms_active": float(p.view("active").sum()),
            "platforms_global": float(p.view("global_").sum()),
            "platform_hhi": hhi(p.view("gmv")),
            **_platform_rows(p),
            "multihoming": float((w * members)[sellers].sum() / max(w[sellers].sum(), 1e-9)),
            "key_enterprises": float(w[sums["key"]].sum()),
            "demo_bases": float(m.designated.sum()),
            "cloud_utilisation": float(c.view("demand").sum() / max(capacity, 1e-9)),
            "cloud_hhi": hhi(c.view("demand")),
            "cloud_unserved": float(np.maximum(c.view("demand") - c.view("capacity"), 0.0).sum()
                                    / max(c.view("demand").sum(), 1e-9)),
            "b2b_mean_degree": degree["mean"], "b2b_degree_p50": degree["p50"], "b2b_degree_p90": degree["p90"],
            "b2b_degree_max": degree["max"],
            "b2b_links_formed": float(m.b2b.formed), "b2b_links_ended": float(m.b2b.ended),
            **{f"spending_{lever}": m.spent[lever] for lever in LEVERS},
            **self._index_row(parts),
        }
        for name, value in row.items():
            self.data[name].append(np.array(value, dtype=float, copy=True))
        self.quarters.append(q)

    def series(self, name: str) -> np.ndarray:
        """Stacked values of a metric over recorded quarters: (T,), (T, C), (T, C + 1) (the index: the cities, then
        the province) or (T, C, kinds)."""
        return np.stack(self.data[name]) if self.quarters else np.empty(0)

    def to_frame(self) -> pd.DataFrame:
        """Tidy records: quarter, metric, city, kind, value, unit ('all' where a dimension is summed/absent).

        Rows by metric (in METRICS order), then quarter, city and kind; the columns are built as whole arrays and
        the table once (a DataFrame per metric cost ~0.5 ms each)."""
        labels = np.array([quarter_label(q) for q in self.quarters], dtype=object)
        t = len(labels)
        if t == 0:
            return pd.DataFrame({col: pd.Series(dtype=float if col == "value" else object)
                                 for col in ("quarter", "metric", "city", "kind", "value", "unit")})
        columns = {"quarter": [], "metric": [], "city": [], "kind": [], "value": [], "unit": []}
        cities, with_province = np.array(CITIES, dtype=object), np.array((*CITIES, index.PROVINCE), dtype=object)
        for name, (unit, dims) in METRICS.items():
            arr = self.series(name)
            if dims == "city_kind":
                kinds = np.array(TRADE_KINDS[: arr.shape[2]], dtype=object)
                city, kind = np.tile(np.repeat(cities, len(kinds)), t), np.tile(kinds, t * C)
            elif dims in ("city", "city_all"):
                names = cities if dims == "city" else with_province
                city, kind = np.tile(names, t), np.full(t * len(names), "all", dtype=object)
            elif dims == "platform_kind":
                kind = np.tile(np.array(PLATFORM_KINDS, dtype=object), t)
                city = np.full(len(kind), "all", dtype=object)
            else:
                city = kind = np.full(t, "all", dtype=object)
            n = len(city)
            columns["quarter"].append(np.repeat(labels, n // t))
            columns["city"].append(city)
            columns["kind"].append(kind)
            columns["value"].append(np.asarray(arr, dtype=float).ravel())
            columns["metric"].append(np.full(n, name, dtype=object))
            columns["unit"].append(np.full(n, unit, dtype=object))
        return pd.DataFrame({col: np.concatenate(parts) for col, parts in columns.items()})
