"""What one run yields for a study (one row), and the replicate summary of a design point.

Per run: each target's value and met flag (T1 is the target year's digital trade in USD), `all_met` (all five in
the same run), `spending` (public money, CNY, summed over the plan period up to the target year's Q4: budgets
spent and tax revenue forgone, the metrics spending_<lever>) and `index` (the province's composite index at the
target year's Q4, model/index.py). Per point (over its replicates): means, P(met) of each target and `p_all`,
by the one summary rule of experiments/replicates.py (P(all) = share of replicates meeting all five).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.replicates import TARGETS
from model.index import PROVINCE, UNIT as INDEX_UNIT

OUTCOMES = {  # name: (unit, meaning) — the outcomes a study may analyse
    **{t: ("", f"{t} value") for t in TARGETS},
    "p_all": ("probability", "P(all five targets met), share of replicates"),
    "spending": ("CNY", "public money over the plan period"),
    "index": (INDEX_UNIT, "province composite index, target year Q4"),
}
TARGET_UNITS = {"T1": "USD/year", "T2": "1/year", "T3": "platforms", "T4": "firms", "T5": "bases"}


def outcome_row(out, cfg) -> dict:
    """One run's outcomes from `model.api.Outcomes`."""
    row: dict = {}
    for t in TARGETS:
        entry = out.scorecard[t]
        row[t] = np.nan if entry["value"] is None else float(entry["value"])
        row[f"{t}_met"] = entry["met"]
    met = [row[f"{t}_met"] for t in TARGETS]
    row["all_met"] = None if None in met else all(met)
    rec = out.records
    last = f"{int(cfg.targets.year)}Q4"
    quarter = rec["quarter"].to_numpy()
    metric = rec["metric"].to_numpy()
    spent = np.char.startswith(metric.astype(str), "spending_") & (quarter <= last)
    row["spending"] = float(rec["value"].to_numpy()[spent].sum())
    at = (metric == "index") & (rec["city"].to_numpy() == PROVINCE) & (quarter == last)
    row["index"] = float(rec["value"].to_numpy()[at][0]) if at.any() else np.nan
    for lever, amount in out.spending.items():
        row[f"spending_{lever}"] = float(amount)
    return row


def as_share(flags: pd.Series) -> pd.Series:
    """Met flags as 1.0 / 0.0, unknown (None: the target year was not simulated) as NaN."""
    return flags.map({True: 1.0, False: 0.0}).astype("float64")


def by_point(runs: pd.DataFrame, keys=("point",)) -> pd.DataFrame:
    """Replicate summary per design point: mean values, P(met) of each target and p_all. `p_all` counts a
    replicate whose target year was not simulated as unknown (NaN), as replicates.all_met does."""
    keys = list(keys)
    numeric = [c for c in runs.columns if c not in keys and c != "replicate" and c != "key"
               and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])]
    flags = runs[keys].copy()
    for t in TARGETS:
        flags[f"P_{t}"] = as_share(runs[f"{t}_met"])
    flags["p_all"] = as_share(runs["all_met"])
    grouped = runs.groupby(keys, sort=True)
    out = grouped[numeric].mean()
    out = out.join(flags.groupby(keys, sort=True).mean())
    out["replicates"] = grouped.size()
    return out.reset_index()
