"""What each yuan buys: per lever family, extra digital trade in the target year (USD, T1) per extra CNY of public
money over the plan period, with paired replicates and 95 % intervals, and the marginal curve over budget levels.

Design: each family's budget at explore.cost.levels times the plan's, and the family switched off (the
reference); the other levers as in the plan. Replicate r runs with the same seed (and, if uncertainties are
picked, the same draw of them) at every level of every family, so differences are paired. The ratio and its
interval come from `experiments.aggregate.ratio_interval` (the project's one estimator of extra trade per extra
yuan: ratio of mean paired differences, delta-method t interval); the effect's interval from
`experiments.replicates.mean_difference`. "average": level against the lever switched off; "marginal": level
against the next lower level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.aggregate import MIN_SPENDING_SHARE, ratio_interval
from experiments.explore.factors import scenarios
from experiments.replicates import mean_difference
from model.policy import LEVERS
from model.validate import ConfigError

COLUMNS = ["family", "lever", "level", "budget_cny_per_year", "d_spending_cny", "d_T1_usd", "d_T1_lo", "d_T1_hi",
           "usd_per_cny", "lo", "hi", "marginal_usd_per_cny", "m_lo", "m_hi", "n", "P_T1", "p_all"]
OFF = 0.0  # the level of a family switched off


def levels(settings) -> list[float]:
    out = sorted(float(v) for v in settings.cost.levels)
    if not out or out[0] <= 0 or out[-1] > float(settings.lever_max):
        raise ConfigError(f"explore.cost.levels={list(settings.cost.levels)}: multiples of the plan's budget in "
                          f"(0, explore.lever_max={settings.lever_max}], e.g. [0.5,1,2]")
    return out


def design(st) -> pd.DataFrame:
    budgets = [f for f in st.factors if f.role == "lever"]
    uncertain = [f for f in st.factors if f.role == "uncertainty"]
    n = int(st.settings.samples)
    draws = scenarios(uncertain, n, st.seed, st.posterior)
    rows, point = [], 0
    for f in budgets:
        family = f.name.split(".")[1]
        for level in [OFF, *levels(st.settings)]:
            extra = {f"policy.{family}.enabled": False} if level == OFF else {f.name: level * f.default}
            for r in range(n):
                rows.append({"point": point, "family": family, "lever": f.name, "level": level, "replicate": r,
                             "extra": extra, **{u.name: draws.at[r, u.name] for u in uncertain}})
            point += 1
    return pd.DataFrame(rows)


def _pair(hi: pd.DataFrame, lo: pd.DataFrame, family: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Paired differences (replicate by replicate) of T1 and of all public money, and the family's own mean
    spending at the higher level."""
    a, b = hi.set_index("replicate"), lo.set_index("replicate")
    common = a.index.intersection(b.index)
    return ((a.loc[common, "T1"] - b.loc[common, "T1"]).to_numpy(float),
            (a.loc[common, "spending"] - b.loc[common, "spending"]).to_numpy(float),
            float(a[f"spending_{family}"].mean()))


def _ratio(d_t1, d_s, scale) -> tuple[float, float, float]:
    """A pair whose public money differs by < 1 % (aggregate.MIN_SPENDING_SHARE) of the family's own spending is
    not costed: ratio_interval would divide by noise. (aggregate.cost_per_yuan takes 1 % of all the money spent;
    a small programme's whole budget is less than that, so it would never be costed.)"""
    if not len(d_s) or not scale or abs(np.nanmean(d_s)) < MIN_SPENDING_SHARE * scale:
        return np.nan, np.nan, np.nan
    return ratio_interval(d_t1, d_s)


def analyse(runs: pd.DataFrame, default_budget: dict[str, float]) -> pd.DataFrame:
    rows = []
    for (family, lever), sub in runs.groupby(["family", "lever"], sort=False):
        by_level = {lv: g for lv, g in sub.groupby("level")}
        previous = by_level[OFF]
        for level in sorted(lv for lv in by_level if lv != OFF):
            here = by_level[level]
            d_t1, d_s, scale = _pair(here, by_level[OFF], family)
            ratio, mean_eff = _ratio(d_t1, d_s, scale), mean_difference(d_t1)
            marginal = _ratio(*_pair(here, previous, family))
            rows.append({"family": family, "lever": lever, "level": level,
                         "budget_cny_per_year": level * default_budget[lever], "d_spending_cny": float(np.mean(d_s)),
                         "d_T1_usd": mean_eff[0], "d_T1_lo": mean_eff[1], "d_T1_hi": mean_eff[2],
                         "usd_per_cny": ratio[0], "lo": ratio[1], "hi": ratio[2], "marginal_usd_per_cny": marginal[0],
                         "m_lo": marginal[1], "m_hi": marginal[2], "n": len(d_t1),
                         "P_T1": float(here["T1_met"].map({True: 1.0, False: 0.0}).mean()),
                         "p_all": float(here["all_met"].map({True: 1.0, False: 0.0}).mean())})
            previous = here
    return pd.DataFrame(rows, columns=COLUMNS)


def study(st) -> dict:
    runs = st.evaluate(design(st), "cost")
    table = analyse(runs, {f.name: f.default for f in st.factors if f.role == "lever"})
    table.to_csv(st.folder / "cost.csv", index=False)
    costed = {lever.split(".")[1] for lever in table["lever"]}
    return {"cost": table, "not_costed": [fam for fam in LEVERS if fam not in costed]}
