"""Cloud providers: capacity, price, quality, city presence, overseas regions; foreign providers wait for
market-access easing.

A busy provider raises its price, and demand above its capacity goes unserved, which costs its customers a little
digital output (`served_factor`). Firms whose digital trade is mostly exports prefer providers with overseas
regions (`provider_menus`), and part of such a provider's overseas sales follows its customers' digital exports
(`overseas_sales`): overseas cloud is a channel of firms abroad, not only a price index.

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
| abroad | flag | runs overseas regions |
| customer_exports, customer_exports_2019 | CNY/quarter | its customers' digital exports, now and at end-2019 |
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_menu
from agents.state import ArrayState, RowAgent, per_agent, row_view
from agents.vocabulary import CITIES

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
    "abroad": ("?", "flag", "runs overseas regions"),
    "customer_exports": ("f8", "CNY/quarter", "its customers' digital exports"),
    "customer_exports_2019": ("f8", "CNY/quarter", "its customers' digital exports at end-2019"),
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
    c.price[rows] = np.where(active, reprice(c.price[rows], util, cc.invest_threshold, cc.price_response,
                                             cc.price_step_max), c.price[rows])
    c.capacity[rows] *= np.where(active, capacity_growth(util, cc.invest_threshold, cc.invest_rate), 1.0)


def sell_abroad(m, rnd, rows) -> None:
    """Overseas sales grow with the IaaS-abroad trend (`rnd.growth`), with the provider's capacity and, where it
    runs overseas regions, with its customers' digital exports."""
    c = m.clouds
    follow = m.params.cloud.follow_share * c.abroad[rows]
    c.overseas_sales[rows] = overseas_sales(c.overseas_2019[rows], rnd.growth, c.capacity[rows],
                                            c.capacity_2019[rows], rnd.export_value, c.customer_exports[rows],
                                            c.customer_exports_2019[rows], follow)


for _rule in (reprice_and_invest, sell_abroad):
    setattr(CloudProvider, _rule.__name__, per_agent(_rule))


def provider_utility(price: np.ndarray, quality: np.ndarray, price_elasticity: float) -> np.ndarray:
    """What a firm expects from each provider before the home-city bonus."""
    return quality - price_elasticity * np.log(price)


def provider_menus(utility: np.ndarray, home: np.ndarray, active: np.ndarray, abroad: np.ndarray, n_cities: int,
                   abroad_bonus: float) -> np.ndarray:
    """Cumulative logit weights over active providers, (2 × cities, providers): row c for a firm in city c, row
    cities + c for one there whose digital trade is mostly exports (it values overseas regions). A provider is
    preferred in its home city."""
    bonus = 0.5 * (np.arange(n_cities)[:, None] == home[None, :])
    bonus = np.concatenate([bonus, bonus + abroad_bonus * abroad[None, :]])
    return logit_menu(utility[None, :] + bonus, active[None, :])


def menu_row(city, digital_exports, digital_trade, export_share: float):
    """A firm's row of `provider_menus`: its city, in the second half if exports are more than `export_share` of
    its digital trade."""
    return city + len(CITIES) * (digital_exports > export_share * digital_trade)  # none without digital trade


def served_factor(capacity, demand, elasticity: float):
    """Output factor of a provider's customers: (share of its demand served)^elasticity, 1 with spare capacity."""
    served = np.minimum(1.0, capacity / np.maximum(demand, 1e-9))
    return served ** elasticity


def utilisation(demand, capacity):
    return demand / np.maximum(capacity, 1e-9)


def reprice(price, utilisation, target: float, response: float, step_max: float):
    """Prices rise when capacity is tight, fall when idle (at most `step_max` a quarter)."""
    return price * (1.0 + np.clip(response * (utilisation - target), -step_max, step_max))


def capacity_growth(utilisation, threshold: float, rate: float):
    return 1.0 + rate * (utilisation > threshold)


def overseas_sales(sales_2019, growth: float, capacity, capacity_2019, export_value: float, customer_exports,
                   customer_exports_2019, follow):
    """Overseas cloud sales: the 2019 level grown by the trend and export values, and by the square root of the
    growth of the provider's customers' digital exports (a share `follow`) or of its capacity (the rest)."""
    by_capacity = np.sqrt(capacity / np.maximum(capacity_2019, 1e-9))
    by_customers = np.sqrt(np.divide(customer_exports, customer_exports_2019, out=np.ones_like(by_capacity),
                                      where=customer_exports_2019 > 0))
    return sales_2019 * growth * export_value * ((1.0 - follow) * by_capacity + follow * by_customers)
