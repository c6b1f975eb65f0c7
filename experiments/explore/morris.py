"""Screening by Morris elementary effects (SALib 1.6): mu* (mean absolute effect, with its bootstrap 95 %
interval) and sigma (spread: non-linearity or interactions), for many factors at r·(D+1) runs.

Effects are in the outcome's units per full range of the factor (SALib scales each factor's step to its range),
so mu* compares factors directly. Seed noise: with explore.seed_factor the seed is screened too; its mu* is the
size of a change that luck alone makes, and factors below it are not told apart from noise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

LEVELS = 4
COLUMNS = ["method", "outcome", "factor", "N", "mu", "mu_star", "mu_star_conf", "sigma"]


def problem(factors) -> dict:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[f.lo, f.hi] for f in factors]}


def design(factors, trajectories: int, seed: int) -> pd.DataFrame:
    from SALib.sample import morris

    x = morris.sample(problem(factors), trajectories, num_levels=LEVELS, seed=seed)
    frame = pd.DataFrame(x, columns=[f.name for f in factors])
    frame.insert(0, "point", np.arange(len(frame)))
    return frame


def analyse(factors, points: pd.DataFrame, outcomes, seed: int) -> pd.DataFrame:
    from SALib.analyze import morris

    points = points.sort_values("point")
    x = points[[f.name for f in factors]].to_numpy(dtype=float)
    rows = []
    for outcome in outcomes:
        y = points[outcome].to_numpy(dtype=float)
        if np.isnan(y).any() or np.ptp(y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = morris.analyze(problem(factors), x, y, num_resamples=200, conf_level=0.95, num_levels=LEVELS,
                                 seed=seed)
        for i, f in enumerate(factors):
            rows.append({"method": "morris", "outcome": outcome, "factor": f.name,
                         "N": len(points) // (len(factors) + 1), "mu": res["mu"][i], "mu_star": res["mu_star"][i],
                         "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows, columns=COLUMNS)


def study(st) -> dict:
    points = st.evaluate(design(st.factors, int(st.settings.samples), st.seed), "morris")
    summary = st.summarise(points)
    sens = analyse(st.factors, summary, st.outcomes, st.seed)
    sens.to_csv(st.folder / "sensitivity.csv", index=False)
    return {"sensitivity": sens, "points": summary}
