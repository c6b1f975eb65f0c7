"""World conditions as paths over quarters: foreign demand by market group, CNY/USD, shocks. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.vocabulary import MARKETS, quarter_index, year_of


@dataclass(frozen=True)
class WorldPath:
    """Indices for quarters 0..T-1 (2020Q1 on); index 1 = 2019 on average (initial sizes match 2019 totals)."""

    goods_demand: np.ndarray    # (T, markets) foreign demand for goods trade
    digital_demand: np.ndarray  # (T, markets) foreign demand for CBEC, services, content
    domestic_demand: np.ndarray  # (T,) import demand of traditional traders
    digital_import_demand: np.ndarray  # (T,) import demand of the digital kinds (carries the digital boom)
    fx: np.ndarray              # (T,) CNY per USD
    export_value: np.ndarray    # (T,) CNY value of exports per unit at 2019 rate
    import_value: np.ndarray    # (T,) CNY value of imports per unit at 2019 rate


def fx_path(world, n_quarters: int) -> np.ndarray:
    """Annual average CNY/USD: observed years, then the chosen scenario level."""
    observed = {int(y): float(v) for y, v in world.fx_observed.items()}
    level = float(world.fx_scenarios[world.fx])
    return np.array([observed.get(year_of(q), level) for q in range(n_quarters)])


def _shock_multiplier(shock, n_quarters: int) -> tuple[np.ndarray, np.ndarray]:
    """(goods, digital) multipliers (T, markets) while the shock is on."""
    goods = np.ones((n_quarters, len(MARKETS)))
    digital = np.ones((n_quarters, len(MARKETS)))
    if shock.enabled:
        q0, q1 = quarter_index(shock.start), quarter_index(shock.end)
        rows = slice(q0, min(q1, n_quarters - 1) + 1)
        cols = [MARKETS.index("us")] if shock.us_only else slice(None)
        goods[rows, cols] = shock.goods_multiplier
        digital[rows, cols] = shock.digital_multiplier
    return goods, digital


def boom_path(boom, n_quarters: int) -> np.ndarray:
    """(T,) a lasting level shift toward digital trade, reached in log-linear steps between start and end."""
    if not boom.enabled:
        return np.ones(n_quarters)
    q0, q1 = quarter_index(boom.start), quarter_index(boom.end)
    progress = np.clip((np.arange(n_quarters) - q0 + 1) / (q1 - q0 + 1), 0.0, 1.0)
    return float(boom.level) ** progress


def build_world(world, n_quarters: int) -> WorldPath:
    # years from mid-2019 to the middle of each quarter: initial sizes match 2019 annual totals (index 1)
    t = (0.5 + (np.arange(n_quarters) + 0.5) / 4.0)[:, None]
    growth = np.array([world.demand_growth[m] for m in MARKETS])[None, :]
    boom = boom_path(world.digital_boom, n_quarters)
    goods = (1.0 + growth) ** t
    digital = (1.0 + growth + world.digital_shift) ** t * boom[:, None]
    for shock in (world.covid, world.slowdown_2022, world.tariff_2025):
        g, d = _shock_multiplier(shock, n_quarters)
        goods, digital = goods * g, digital * d
    fx = fx_path(world, n_quarters)
    rel = fx / float(world.fx_observed["2019"])
    invoicing = 1.0 - world.usd_invoicing + world.usd_invoicing * rel
    eps = world.fx_volume_elasticity
    domestic = (1.0 + world.domestic_growth) ** t[:, 0]
    return WorldPath(goods_demand=goods, digital_demand=digital, domestic_demand=domestic,
                     digital_import_demand=domestic * boom, fx=fx,
                     export_value=invoicing * rel ** eps, import_value=invoicing * rel ** -eps)
