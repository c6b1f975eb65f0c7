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
| capacity_2019, overseas_2019 | CNY/quarter | the same at end-2019 (growth is measured from them) |
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_menu
from agents.state import ArrayState, RowAgent, per_agent, row_view

GLOSSARY = {
    "foreign": ("?", "flag", "foreign-invested"),
    "active": ("?", "flag", "selling in Zhejiang"),
    "home": ("i1", "code", "home city"),
    "capacity": ("f8", "CNY/quarter", "serviceable cloud spend"),
    "price": ("f8", "index", "price, 1 at end-2019"),
    "quality": ("f8", "utility", "service quality"),
    "demand": ("f8", "CNY/quarter", "customers' cloud spend"),
    "overseas_sales": ("f8", "CNY/quarter", "cloud services sold abroad"),
    "capacity_2019": ("f8", "CNY/quarter", "capacity at end-2019"),
    "overseas_2019": ("f8", "CNY/quarter", "overseas sales at end-2019"),
}


class CloudState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"price": 1.0}


@row_view("clouds", GLOSSARY)
class CloudProvider(RowAgent):
    """One cloud provider; a view onto its row of model.clouds. Its decision methods are the rules below on its row."""


def reprice_and_invest(m, rnd, rows) -> None:
    """Active: the price follows utilisation; capacity grows when utilisation is above the threshold."""
    c, cc = m.clouds, m.params.cloud
    util = utilisation(c.demand[rows], c.capacity[rows])
    active = c.active[rows]
    c.price[rows] = np.where(active, reprice(c.price[rows], util, cc.invest_threshold), c.price[rows])
    c.capacity[rows] *= np.where(active, capacity_growth(util, cc.invest_threshold, cc.invest_rate), 1.0)


def sell_abroad(m, rnd, rows) -> None:
    """Overseas sales grow with the IaaS-abroad trend (`rnd.growth`) and with the provider's capacity."""
    c = m.clouds
    c.overseas_sales[rows] = overseas_sales(c.overseas_2019[rows], rnd.growth, c.capacity[rows],
                                            c.capacity_2019[rows], rnd.export_value)


for _rule in (reprice_and_invest, sell_abroad):
    setattr(CloudProvider, _rule.__name__, per_agent(_rule))


def provider_utility(price: np.ndarray, quality: np.ndarray, price_elasticity: float) -> np.ndarray:
    """What a firm expects from each provider before the home-city bonus."""
    return quality - price_elasticity * np.log(price)


def provider_menus(utility: np.ndarray, home: np.ndarray, active: np.ndarray, n_cities: int) -> np.ndarray:
    """Cumulative logit weights over active providers for a firm in each city (a provider is preferred in its
    home city): (cities, providers)."""
    bonus = 0.5 * (np.arange(n_cities)[:, None] == home[None, :])
    return logit_menu(utility[None, :] + bonus, active[None, :])


def utilisation(demand, capacity):
    return demand / np.maximum(capacity, 1e-9)


def reprice(price, utilisation, target: float):
    """Prices rise when capacity is tight, fall when idle (at most 5 % a quarter)."""
    return price * (1.0 + np.clip(0.1 * (utilisation - target), -0.05, 0.05))


def capacity_growth(utilisation, threshold: float, rate: float):
    return 1.0 + rate * (utilisation > threshold)


def overseas_sales(sales_2019, growth: float, capacity, capacity_2019, export_value: float):
    """Overseas cloud sales: the 2019 level grown by the trend and by the square root of capacity growth."""
    return sales_2019 * growth * np.sqrt(capacity / np.maximum(capacity_2019, 1e-9)) * export_value
