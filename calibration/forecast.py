"""Forecast 2024-2027 from posterior x world x seeds: each run draws a parameter set from the stored posterior sample,
a world after 2023 and a replicate seed. Nothing observed after the calibration's last year enters.

World uncertainty is sampled explicitly, not fixed:
- foreign demand growth by market: from the posterior (`world.demand_growth.*`, `world.digital_shift`,
  `world.domestic_growth` are calibrated through 2023; the model's growth rates hold from 2019 on, so the world after
  2023 follows the posterior trend: the model has no growth break);
- CNY/USD from 2025 (`world.fx_scenarios.central`, with `world.fx=central`): normal around the config's central rate
  with the sd that puts the config's own strong- and weak-USD scenarios at the 5th and 95th percentiles;
- the 2025 US tariff increases (`world.tariff_2025`, US market, from the config's start quarter on): an additional
  tariff tau and a trade elasticity eps drawn from the ranges below; US goods demand x (1 + tau)^-eps; the digital
  kinds' US demand falls by the CBEC share of digital trade times the goods loss (services are not tariffed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from omegaconf import OmegaConf

from calibration import observe
from calibration.priors import with_values
from model.targets import meets

# Additional US tariff on Chinese goods from 2025: 0.10 = only the 10 % "reciprocal" tariff the Geneva statement kept
# (White House / MOFCOM joint statement, 2025-05-12, e.g. caixinglobal.com/2025-05-12/...-102318875.html); 0.30 = that
# plus the 20 % fentanyl tariffs (the rate after Geneva: econwatcher.com/en/article-6821baed1bafbb1f6db78998.html);
# 0.60 = 0.30 plus the April-May 145 % episode averaged over a year and a risk of renewed escalation. The end of the
# de minimis exemption for Chinese parcels (2025-05-02: 30 % of value or USD 25-50 per postal item,
# retail-insight-network.com/newsletters/trump-de-minimis-china) hits CBEC at similar rates.
TARIFF_RANGE = (0.10, 0.60)
# Trade elasticity: -0.76 in the year after a tariff change, -1.75 to -2.25 in the long run (Boehm, Levchenko &
# Pandalai-Nayar 2023, AER 113(4):861-905, doi:10.1257/aer.20210225).
ELASTICITY_RANGE = (0.76, 2.25)
Z95 = 1.6448536269514722  # standard-normal 95th percentile
# T1b: digital trade of CNY 1 trillion in 2025, the 14th Five-Year digital-economy plan of Zhejiang (China Daily
# Zhejiang, 2021-07-05). Not one of the plan's five targets (model/targets.py), so stated here, once.
T1B = {"threshold": 1e12, "unit": "CNY/year", "name": "digital trade ≥ CNY 1 trillion (14th FYP digital economy)",
       "source": "China Daily Zhejiang, 2021-07-05"}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def world(base, params: dict, rng: np.random.Generator) -> dict[str, float]:
    """One draw of the world after 2023 (config keys -> values); `params` are the run's calibrated values."""
    w = base.world
    scen = w.fx_scenarios
    sd = (float(scen.strong_usd) - float(scen.weak_usd)) / (2 * Z95)
    lo, hi = 1.0, 20.0  # inside any sensible range; the model validates the value against the schema anyway
    fx = float(np.clip(rng.normal(float(scen.central), sd), lo, hi))
    tau, eps = rng.uniform(*TARIFF_RANGE), rng.uniform(*ELASTICITY_RANGE)
    goods = (1.0 + tau) ** -eps
    pop = {k: float(params.get(f"population.{k}", OmegaConf.select(base, f"population.{k}")))
           for k in ("cbec_trade_2019_cny", "service_trade_2019_cny", "content_trade_2019_cny")}
    cbec_share = pop["cbec_trade_2019_cny"] / sum(pop.values())
    return {"world.fx_scenarios.central": fx, "world.tariff_2025.goods_multiplier": goods,
            "world.tariff_2025.digital_multiplier": 1.0 - cbec_share * (1.0 - goods),
            "world.tariff_2025.tariff": tau, "world.tariff_2025.elasticity": eps}


WORLD_ONLY = ("world.tariff_2025.tariff", "world.tariff_2025.elasticity")  # recorded, not config keys


@dataclass
class Runner:
    """One forecast run: (parameter values, world values, replicate) -> statistics. Picklable for worker processes."""

    base: object      # composed config: calibration, policy, scale, horizon (2027Q4), overrides
    years: tuple

    def __call__(self, item) -> dict:
        params, wld, replicate = item
        settings = {**params, **{k: v for k, v in wld.items() if k not in WORLD_ONLY}}
        cfg = with_values(self.base, settings)
        if wld:  # the drawn rate is the central scenario's level
            OmegaConf.update(cfg, "world.fx", "central", merge=False)
        return statistics(observe.run(cfg, replicate), self.years, cfg)


def statistics(run, years: tuple, cfg) -> dict:
    """H1 and full-year digital trade (CNY, USD) and y/y growth per year; each target's value and met (T1b too)."""
    out = {}
    for year in (years[0] - 1,) + tuple(years):
        for part, months in (("H1", 6), ("FY", 12)):
            try:
                out[(year, part, "CNY")] = observe.flow(run, "digital_total", year, months)
                out[(year, part, "USD")] = observe.flow(run, "digital_usd", year, months)
            except ValueError:  # not simulated
                continue
    for year in years:
        for part in ("H1", "FY"):
            if (year - 1, part, "CNY") in out and (year, part, "CNY") in out:
                out[(year, part, "growth")] = out[(year, part, "CNY")] / out[(year - 1, part, "CNY")] - 1
    card = run.outcomes.scorecard
    target_year = str(int(cfg.targets.year))
    for key, v in card.items():
        if v["value"] is not None:
            out[(target_year, key, "value")] = float(v["value"])
            out[(target_year, key, "met")] = float(bool(v["met"]))
    t1b = out.get((int(cfg.targets.year), "FY", "CNY"))
    if t1b is not None:
        out[(target_year, "T1b", "value")] = t1b
        out[(target_year, "T1b", "met")] = float(bool(meets(t1b, T1B["threshold"])))
    return out


def summarise(stats: list[dict], seed: int = 0, boot: int = 1000) -> dict:
    """Mean and QUANTILES of every statistic over the runs. For the 'met' flags the mean is P(met) and the
    quantiles are those of P(met) over `boot` bootstrap resamples of the runs (its Monte Carlo uncertainty)."""
    keys = sorted({k for s in stats for k in s}, key=str)
    rng = np.random.default_rng(seed)
    out = {}
    for k in keys:
        v = np.array([s[k] for s in stats if k in s], dtype=float)
        if k[2] == "met":
            p = v[rng.integers(0, len(v), size=(boot, len(v)))].mean(axis=1)
            q = np.quantile(p, QUANTILES)
        else:
            q = np.quantile(v, QUANTILES)
        out[k] = {"mean": float(v.mean()), **{f"q{round(100 * a)}": float(x) for a, x in zip(QUANTILES, q)},
                  "n": int(len(v))}
    return out


def plan(posterior, weights, n_sets: int, n_seeds: int, seed: int, base, world_draws: bool = True) -> list:
    """The runs: n_sets parameter sets (drawn from the posterior by weight, or the calibration's values if there is
    no posterior) x n_seeds replicates, each set with its own world draw. Seeded: the same arguments give the same
    runs. Replicates start at 3,000,000 so that they never repeat a calibration run's seed."""
    from calibration.abc import resample
    from model.api import replicate_seed

    rng = np.random.default_rng(replicate_seed(seed, 0))
    sets = resample(posterior, weights, n_sets, rng) if posterior is not None else [{}] * n_sets
    items = []
    for i, params in enumerate(sets):
        wld = world(base, params, rng) if world_draws else {}
        items += [(params, wld, 3_000_000 + i * n_seeds + s) for s in range(n_seeds)]
    return items
