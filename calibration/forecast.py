"""Out-of-sample forecast of the calibrated model: 2022-2025 digital trade (CNY, USD), growth, target odds.

The ensemble crosses parameter sets with seeds: the point estimate plus a seeded draw of the accepted
calibration trials (parameter uncertainty), each run with several spawned seeds (the model's randomness).
Intervals are the 5th-95th percentiles over that ensemble. Nothing observed after 2021 enters; the world paths
after 2021 (foreign demand, the 2022 slowdown, observed CNY/USD 2022-2024, the 2025 FX scenario) are the
config's scenario inputs, so the forecast is conditional on them.
"""

from __future__ import annotations

import numpy as np

from calibration.observe import run_model
from calibration.search import with_params
from model.api import replicate_seed, replicate_seeds
from model.targets import scorecard
from agents.vocabulary import quarter_index

YEARS = (2021, 2022, 2023, 2024, 2025)  # 2021 is in-sample, shown for reference
QUANTILES = (0.05, 0.5, 0.95)


def ensemble(trials: list[dict], best: dict, n_sets: int, seed: int) -> list[dict]:
    """The estimate plus up to n_sets - 1 accepted trials drawn without replacement (seeded)."""
    accepted = [t["params"] for t in trials if t["accepted"]]
    rng = np.random.default_rng(replicate_seed(seed, 0))  # which accepted trials join the ensemble
    pick = rng.choice(len(accepted), size=min(n_sets - 1, len(accepted)), replace=False) if accepted else []
    return [best] + [accepted[i] for i in pick]


def run_statistics(run) -> dict:
    """H1 and full-year digital trade (CNY, USD) and y/y growth of each year; the 2025 scorecard."""
    q = {int(v): i for i, v in enumerate(run.quarters)}
    usd = run.extra["usd"]
    out = {}
    for year in YEARS + (YEARS[0] - 1,):
        first = quarter_index(f"{year}Q1")
        if first + 3 not in q:
            continue
        rows = [q[first + i] for i in range(4)]
        for part, n in (("H1", 2), ("FY", 4)):
            out[(year, part, "CNY")] = float(run.digital_total[rows[:n]].sum())
            out[(year, part, "USD")] = float(usd[rows[:n]].sum())
    for year in YEARS:
        for part in ("H1", "FY"):
            if (year - 1, part, "CNY") in out:
                out[(year, part, "growth")] = out[(year, part, "CNY")] / out[(year - 1, part, "CNY")] - 1
    card = scorecard(run.extra["model"])
    out.update({("2025", key, "met"): float(bool(v["met"])) for key, v in card.items()})
    out.update({("2025", key, "value"): float(v["value"]) for key, v in card.items() if v["value"] is not None})
    return out


def simulate_ensemble(cfg, sets: list[dict], seeds: int, seed: int, progress=None) -> list[dict]:
    """One statistics dict per (parameter set, seed); the seeds are spawned once and shared by every set
    (never those of the calibration's search or fit check)."""
    roots = replicate_seeds(seed, seeds, skip=2000)
    out = []
    for i, params in enumerate(sets):
        run_cfg = with_params(cfg, params)
        for ss in roots:
            out.append(run_statistics(run_model(run_cfg, ss)))
        if progress:
            progress(i + 1, len(sets))
    return out


def summarise(stats: list[dict]) -> dict:
    """Mean and QUANTILES of every statistic over the ensemble; probabilities for the 'met' flags."""
    keys = sorted({k for s in stats for k in s}, key=str)
    out = {}
    for k in keys:
        v = np.array([s[k] for s in stats if k in s])
        out[k] = {"mean": float(v.mean()), **{f"q{int(100 * p)}": float(np.quantile(v, p)) for p in QUANTILES},
                  "n": int(len(v))}
    return out
