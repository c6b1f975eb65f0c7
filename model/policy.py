"""Where and when each lever applies (the plan's phasing), and the budget rules that keep spending within limits."""

from __future__ import annotations

import numpy as np

from model.vocabulary import CITIES, quarter_index, year_of

NEVER = 10_000  # quarter index of a city that never joins
LEVERS = ("fund", "tax", "market_access", "talent", "infrastructure", "cbec", "demo_bases")


def rollout_quarters(phasing) -> np.ndarray:
    """(cities,) quarter index from which the zone covers each city."""
    return np.array([NEVER if phasing.rollout[c] == "never" else quarter_index(phasing.rollout[c])
                     for c in CITIES])


def coverage(lever, rollout: np.ndarray, q: int) -> np.ndarray:
    """(cities,) True where the lever acts in quarter q."""
    if not lever.enabled or not quarter_index(lever.start) <= q <= quarter_index(lever.end):
        return np.zeros(len(CITIES), dtype=bool)
    if lever.coverage == "all":
        return np.ones(len(CITIES), dtype=bool)
    return rollout <= q


def fund_in_order(priority: np.ndarray, amount: np.ndarray, weight: np.ndarray, budget: float) -> np.ndarray:
    """Fund candidates from the highest priority down while the budget lasts; returns a mask.

    Funding stops at the first candidate that no longer fits, so sum(amount * weight * funded) <= budget.
    """
    order = np.argsort(-priority, kind="stable")
    cost = (amount * weight)[order]
    funded_sorted = np.cumsum(cost) <= budget
    funded = np.zeros(len(priority), dtype=bool)
    funded[order] = funded_sorted
    return funded


class Budget:
    """An annual budget spent quarter by quarter; unspent money carries over within the year."""

    def __init__(self, annual: float):
        self.annual = float(annual)
        self.year = None
        self.spent_year = 0.0
        self.spent_total = 0.0

    def available(self, q: int) -> float:
        """What may be spent in quarter q: the year's allotment to date less what is spent."""
        if year_of(q) != self.year:
            self.year, self.spent_year = year_of(q), 0.0
        allotted = self.annual * (q % 4 + 1) / 4
        return max(allotted - self.spent_year, 0.0)

    def spend(self, q: int, amount: float) -> float:
        available = self.available(q)
        if amount > available * (1 + 1e-9) + 1e-6:
            raise AssertionError(f"spending {amount:.6g} exceeds the available {available:.6g}")
        self.spent_year += amount
        self.spent_total += amount
        return amount
