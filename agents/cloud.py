"""Cloud providers: capacity, price, quality, city presence; foreign providers wait for market-access easing.

| column | unit | meaning |
|---|---|---|
| foreign | flag | foreign-invested provider |
| active | flag | selling in Zhejiang |
| home | code | home city |
| capacity | CNY/quarter | cloud spend it can serve |
| price | index | 1 at end-2019 |
| quality | utility | service quality |
| demand | CNY/quarter | cloud spend of its customers |
| overseas_sales | CNY/quarter | cloud services sold abroad (digital-trade exports) |
"""

from __future__ import annotations

import numpy as np

from agents.state import ArrayState, RowAgent, row_view

GLOSSARY = {
    "foreign": ("?", "flag", "foreign-invested"),
    "active": ("?", "flag", "selling in Zhejiang"),
    "home": ("i1", "code", "home city"),
    "capacity": ("f8", "CNY/quarter", "serviceable cloud spend"),
    "price": ("f8", "index", "price, 1 at end-2019"),
    "quality": ("f8", "utility", "service quality"),
    "demand": ("f8", "CNY/quarter", "customers' cloud spend"),
    "overseas_sales": ("f8", "CNY/quarter", "cloud services sold abroad"),
}


class CloudState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"price": 1.0}


@row_view("clouds", GLOSSARY)
class CloudProvider(RowAgent):
    """One cloud provider; a view onto its row of model.clouds."""


def choose_provider(firm_city: np.ndarray, price: np.ndarray, quality: np.ndarray, home: np.ndarray,
                    active: np.ndarray, price_elasticity: float, rng: np.random.Generator) -> np.ndarray:
    """Logit choice among active providers (Gumbel-max); a provider is preferred in its home city."""
    utility = quality[None, :] - price_elasticity * np.log(price)[None, :] \
        + 0.5 * (firm_city[:, None] == home[None, :])
    utility = np.where(active[None, :], utility, -np.inf)
    return np.argmax(utility + rng.gumbel(size=utility.shape), axis=1).astype(np.int16)


def reprice(price: np.ndarray, utilisation: np.ndarray, target: float) -> np.ndarray:
    """Prices rise when capacity is tight, fall when idle (at most 5 % a quarter)."""
    return price * (1.0 + np.clip(0.1 * (utilisation - target), -0.05, 0.05))
