"""The estimators experiments/responses.py applies to simulated data, each the one a published study used.

- `rd_user_cost`: the tax-adjusted user cost of R&D (Hall & Jorgenson 1967, AER 57(3):391-414; written as the
  B-index of Bloom, Griffith & Van Reenen 2002, J. Public Econ. 85(1):1-31, doi:10.1016/S0047-2727(01)00086-X):
  rho = (r + delta) * (1 - tau * (1 + theta * s)) / (1 - tau), where all of a transformation outlay is expensed at
  the CIT rate tau and its R&D part theta gets the super-deduction s on top; (r + delta) cancels in a log change.
- `arc_elasticity`: d log(R&D) / d log(user cost) between two policies.
- `twfe_did`: two-way fixed-effects OLS of an outcome on a treatment dummy with unit and period effects (the
  design of Yuan et al. 2024 and Li et al. 2026).
- `not_yet_treated_att`: Callaway & Sant'Anna (2021, J. Econometrics 225(2):200-230,
  doi:10.1016/j.jeconom.2020.12.001) group-time ATTs with not-yet-treated controls, on log cohort totals, against
  each cohort's whole pre-period, averaged with cohort-size weights: robust to effects that vary by cohort and time.
- `t_interval`: mean and 95 % Student-t interval over independent (paired) replicates.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def rd_user_cost(tax_rate, super_deduction, rd_share):
    """B-index (user cost relative to r + delta) of a CNY of transformation outlay."""
    return (1.0 - tax_rate * (1.0 + rd_share * super_deduction)) / (1.0 - tax_rate)


def arc_elasticity(spend_base, spend_treat, cost_base, cost_treat):
    """Log-change elasticity of spending to the user cost (positive when spending rises as the cost falls)."""
    return -(np.log(spend_treat) - np.log(spend_base)) / (np.log(cost_treat) - np.log(cost_base))


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, lo, hi): Student-t interval of the mean of independent replicate estimates (NaN bounds for n < 2)."""
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if v.size < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return mean, mean - half, mean + half


def twfe_did(y: np.ndarray, treated: np.ndarray) -> float:
    """OLS coefficient of `treated` in y[u, t] = a_u + b_t + beta * treated[u, t] + e; cells with a non-finite y
    (log of zero entrants) are left out, as a log outcome leaves them out of the published regressions."""
    U, T = y.shape
    keep = np.isfinite(y).ravel()
    unit, period = np.divmod(np.arange(U * T), T)
    X = np.column_stack([treated.ravel().astype(float), np.eye(U)[unit], np.eye(T)[period][:, 1:]])[keep]
    beta = np.linalg.lstsq(X, y.ravel()[keep], rcond=None)[0]
    return float(beta[0])


def not_yet_treated_att(counts: np.ndarray, start: np.ndarray) -> float:
    """Average ATT on log counts[u, t] of units first treated in period start[u] (>= T: never in the window).

    For each cohort g with a pre-period and each t >= g with a not-yet-treated unit (start > t):
    ATT(g, t) = [log Y_g(t) - log mean_{s<g} Y_g(s)] - [log Y_c(t) - log mean_{s<g} Y_c(s)],
    Y summed over the cohort's units (so single cells may be zero), c the units not yet treated at t."""
    U, T = counts.shape
    atts, weights = [], []
    for g in np.unique(start[(start >= 1) & (start < T)]):
        cohort = start == g
        for t in range(g, T):
            control = start > t
            if not control.any():
                continue
            yg, yc = counts[cohort].sum(axis=0), counts[control].sum(axis=0)
            atts.append(np.log(yg[t] / yg[:g].mean()) - np.log(yc[t] / yc[:g].mean()))
            weights.append(cohort.sum())
    if not atts:
        raise ValueError("no cohort has both a pre-period and a not-yet-treated comparison")
    return float(np.average(atts, weights=weights))
