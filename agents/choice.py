"""Random-utility (logit) choice with one uniform per chooser (inverse CDF of the logit probabilities: the same
distribution as adding Gumbel noise to the utilities and taking the best), so that one chooser or a whole column
of them read the same draw and pick the same alternative."""

from __future__ import annotations

import numpy as np


def logit_menu(utility: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Cumulative logit weights along the last axis (one row per menu; disallowed alternatives weigh 0)."""
    v = np.where(allowed, utility, -np.inf)
    top = v.max(axis=-1, keepdims=True)
    weight = np.where(allowed, np.exp(v - np.where(np.isfinite(top), top, 0.0)), 0.0)
    return np.cumsum(weight, axis=-1)


def logit_picks(cums: np.ndarray, menu: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The alternative each chooser takes: chooser i uses menu row `menu[i]` of `cums` and uniform u[i]; -1 where
    the menu allows nothing."""
    pick = np.full(len(menu), -1, dtype=np.int64)
    for g in np.unique(menu):  # a few menus (firm kinds, cities), not choosers
        rows = np.flatnonzero(menu == g)
        total = cums[g, -1]
        if total > 0:
            pick[rows] = np.searchsorted(cums[g], u[rows] * total, side="right")
    return pick
