"""Global sensitivity by Sobol indices (SALib 1.6): first-order S1 and total ST with bootstrap 95 % intervals.

Design: Saltelli's scheme on a scrambled Sobol sequence, N base points, N·(D+2) runs (no second-order indices).
Convergence: the design of N/2 is the first half of the design of N (the Sobol sequence is prefix-stable and
SALib lays out the runs base point by base point), so the indices are estimated at N/2 and at N from the same
runs and shown side by side; intervals that shrink and estimates that stay put mean N was enough.
Seed noise: with explore.seed_factor the replicate seed is a factor like any other; its ST is the share of the
variance that is luck, and a factor whose ST interval overlaps the seed's is not told apart from noise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from model.validate import ConfigError

COLUMNS = ["method", "outcome", "factor", "N", "S1", "S1_conf", "ST", "ST_conf"]


def problem(factors) -> dict:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[f.lo, f.hi] for f in factors]}


def check(n: int) -> None:
    if n < 4 or n & (n - 1):
        raise ConfigError(f"explore.samples={n}: Sobol needs a power of 2, at least 4 (N/2 and N are compared)")


def design(factors, n: int, seed: int) -> pd.DataFrame:
    """N·(D+2) points: columns point and one per factor."""
    from SALib.sample import sobol

    check(n)
    x = sobol.sample(problem(factors), n, calc_second_order=False, scramble=True, seed=seed)
    frame = pd.DataFrame(x, columns=[f.name for f in factors])
    frame.insert(0, "point", np.arange(len(frame)))
    return frame


def analyse(factors, points: pd.DataFrame, outcomes, seed: int, resamples: int = 200) -> pd.DataFrame:
    """Indices of each outcome at N/2 and N (points ordered by `point`); an outcome without variance (or with a
    missing value) is skipped."""
    from SALib.analyze import sobol

    d = len(factors)
    points = points.sort_values("point")
    n = len(points) // (d + 2)
    rows = []
    for outcome in outcomes:
        y = points[outcome].to_numpy(dtype=float)
        if np.isnan(y).any() or np.ptp(y) == 0:
            continue
        for size in (n // 2, n):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = sobol.analyze(problem(factors), y[: size * (d + 2)], calc_second_order=False,
                                    num_resamples=resamples, conf_level=0.95, seed=seed)
            for i, f in enumerate(factors):
                rows.append({"method": "sobol", "outcome": outcome, "factor": f.name, "N": size,
                             "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    return pd.DataFrame(rows, columns=COLUMNS)


def top(sens: pd.DataFrame, outcome: str, k: int = 5) -> pd.DataFrame:
    """The k factors with the largest total index of an outcome at the full N."""
    sub = sens[(sens["outcome"] == outcome) & (sens["N"] == sens["N"].max())]
    return sub.sort_values("ST", ascending=False).head(k)


def study(st) -> dict:
    n = int(st.settings.samples)
    points = st.evaluate(design(st.factors, n, st.seed), "sobol")
    summary = st.summarise(points)
    sens = analyse(st.factors, summary, st.outcomes, st.seed)
    sens.to_csv(st.folder / "sensitivity.csv", index=False)
    return {"sensitivity": sens, "points": summary}
