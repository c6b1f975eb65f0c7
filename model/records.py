"""Per-quarter records kept as arrays while the model runs; one tidy table built at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.firm import platforms_held
from agents.platform import hhi
from model.policy import LEVERS
from agents.vocabulary import CITIES, FIRM_KINDS, quarter_label

TRADE_KINDS = FIRM_KINDS + ("cloud",)  # overseas cloud sales count as digital trade of the "cloud" kind
K, C = len(FIRM_KINDS), len(CITIES)

# metric -> (unit, dimensions); dimensions: "city_kind" (C, K or K+1), "city" (C,), "" (scalar)
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
    "multihoming": ("platforms per seller", ""),
    "key_enterprises": ("firms", ""),
    "demo_bases": ("bases", ""),
    "cloud_utilisation": ("share", ""),
    "cloud_hhi": ("0..1", ""),
    "b2b_mean_degree": ("links per firm", ""),
    **{f"spending_{lever}": ("CNY/quarter", "") for lever in LEVERS},
}


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

    def record(self, q: int) -> None:
        m, f = self.model, self.model.firms
        alive = np.flatnonzero(f.view("alive"))  # the living rows, gathered once
        w = f.weight[alive]
        cell = f.city[alive].astype(np.intp) * K + f.kind[alive]

        def by_cell(weights: np.ndarray) -> np.ndarray:
            return np.bincount(cell, weights=weights, minlength=C * K).reshape(C, K)

        c, p = m.clouds, m.platforms
        cloud_by_city = np.bincount(c.view("home"), weights=c.view("overseas_sales"), minlength=C)
        w_dt = w * f.digital_trade[alive]
        dt = np.column_stack([by_cell(w_dt), cloud_by_city])
        # the province total is summed over firms directly, not over the city x kind cells (an identity tested)
        total = float(w_dt.sum() + c.view("overseas_sales").sum())
        members = platforms_held(f.view("platforms"))[alive]
        sellers = members > 0
        capacity = c.view("capacity")[c.view("active")].sum()
        row = {
            "digital_trade": dt,
            "digital_exports": np.column_stack([by_cell(w * f.digital_exports[alive]), cloud_by_city]),
            "firms": by_cell(w),
            "firms_transformed": by_cell(w * f.transformed[alive]),
            "talent_supply": m.talent_supply, "talent_demand": m.talent_demand, "talent_fill": m.fill,
            "wage_high_skill": _domestic_high_skill_wage(m.talent),
            "digital_cost_index": m.digital_cost_index.copy(),
            "digital_trade_total": total,
            "digital_trade_usd": total / m.world.fx[q],
            "fx": float(m.world.fx[q]),
            "platforms_active": float(p.view("active").sum()),
            "platforms_global": float(p.view("global_").sum()),
            "platform_hhi": hhi(p.view("gmv")),
            "multihoming": float((w * members)[sellers].sum() / max(w[sellers].sum(), 1e-9)),
            "key_enterprises": float(w[f.digital_trade_year[alive] >= m.params.targets.key_enterprise_min_cny].sum()),
            "demo_bases": float(m.designated.sum()),
            "cloud_utilisation": float(c.view("demand").sum() / max(capacity, 1e-9)),
            "cloud_hhi": hhi(c.view("demand")),
            "b2b_mean_degree": m.b2b.mean_degree(f.view("alive")),
            **{f"spending_{lever}": m.spent[lever] for lever in LEVERS},
        }
        for name, value in row.items():
            self.data[name].append(np.array(value, dtype=float, copy=True))
        self.quarters.append(q)

    def series(self, name: str) -> np.ndarray:
        """Stacked values of a metric over recorded quarters: (T,), (T, C) or (T, C, kinds)."""
        return np.stack(self.data[name]) if self.quarters else np.empty(0)

    def to_frame(self) -> pd.DataFrame:
        """Tidy records: quarter, metric, city, kind, value, unit ('all' where a dimension is summed/absent)."""
        labels = [quarter_label(q) for q in self.quarters]
        frames = []
        for name, (unit, dims) in METRICS.items():
            arr = self.series(name)
            if dims == "city_kind":
                kinds = TRADE_KINDS[: arr.shape[2]]
                idx = pd.MultiIndex.from_product([labels, CITIES, kinds], names=["quarter", "city", "kind"])
            elif dims == "city":
                idx = pd.MultiIndex.from_product([labels, CITIES], names=["quarter", "city"])
            else:
                idx = pd.Index(labels, name="quarter")
            frame = pd.DataFrame({"value": arr.ravel()}, index=idx).reset_index()
            frames.append(frame.assign(metric=name, unit=unit))
        out = pd.concat(frames, ignore_index=True)
        out[["city", "kind"]] = out[["city", "kind"]].fillna("all")
        return out[["quarter", "metric", "city", "kind", "value", "unit"]]
