"""Digital-trade platforms: CBEC B2C, B2B, content and service marketplaces with two-sided network effects.

| column | unit | meaning |
|---|---|---|
| kind | code | PLATFORM_KINDS index |
| city | code | home city |
| active | flag | operating |
| markets | count | foreign markets reached (buyer side) |
| external_ratio | ratio | GMV from sellers outside Zhejiang per Zhejiang GMV |
| sellers | firms | Zhejiang sellers on it (weighted) |
| gmv | CNY/quarter | gross merchandise/service value |
| global_ | flag | "globally influential" (T3 thresholds) |
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_menu
from agents.state import ArrayState, RowAgent, row_view
from model.vocabulary import PLATFORM_KINDS

MAX_MARKETS = 230.0  # roughly every country and territory

GLOSSARY = {
    "kind": ("i1", "code", "platform kind (PLATFORM_KINDS index)"),
    "city": ("i1", "code", "home city"),
    "active": ("?", "flag", "operating"),
    "markets": ("f8", "count", "foreign markets reached"),
    "external_ratio": ("f8", "ratio", "GMV from sellers outside Zhejiang per Zhejiang GMV"),
    "sellers": ("f8", "firms", "Zhejiang sellers (weighted)"),
    "gmv": ("f8", "CNY/quarter", "gross merchandise/service value"),
    "global_": ("?", "flag", "globally influential (T3)"),
    "born": ("i2", "quarter index", "founding quarter, -1 incumbent"),
}


class PlatformState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"active": True, "born": -1}


@row_view("platforms", GLOSSARY)
class Platform(RowAgent):
    """One platform; a view onto its row of model.platforms. Methods: the per-agent reference path."""

    @property
    def kind_name(self) -> str:
        return PLATFORM_KINDS[self.kind]

    def expand_abroad(self, rnd) -> None:
        """Reinvested fees (plus its share of cultivation grants) buy foreign markets; then its global status."""
        if not self.active:
            self.global_ = False
            return
        pc = self.model.params.platform
        funds = pc.expansion_share * pc.fee * self.gmv + rnd.grant[self.row]
        self.markets = self.markets + new_markets(funds, self.markets, pc.market_cost_cny)
        self.global_ = is_global(self.gmv, self.markets, rnd.fx, self.model.params.targets)

    def close_if_thin(self, q: int) -> None:
        """A platform older than a year with too few Zhejiang sellers closes."""
        if self.active and self.born <= q - 4 and self.sellers < self.model.params.platform.exit_min_sellers:
            self.active = False


def seller_utility(markets: np.ndarray, sellers: np.ndarray, fee: float, exponent: float) -> np.ndarray:
    """What a seller expects from a platform: buyer reach and the seller side's pull, less the fee."""
    return exponent * np.log1p(markets) + exponent * np.log1p(sellers) / 2 - 10.0 * fee


def new_markets(funds: np.ndarray, markets: np.ndarray, cost_per_market: float) -> np.ndarray:
    """Markets opened this quarter: funds buy entries, harder as the world fills up."""
    return funds / cost_per_market * np.clip(1.0 - markets / MAX_MARKETS, 0.0, 1.0)


def hhi(shares: np.ndarray) -> float:
    """Herfindahl-Hirschman index of market shares (0..1)."""
    total = shares.sum()
    return float(((shares / total) ** 2).sum()) if total > 0 else 0.0


def platform_menus(utility: np.ndarray, serves: np.ndarray, active: np.ndarray, n_kinds: int) -> np.ndarray:
    """Cumulative logit weights over the active platforms serving each firm kind: (kinds, platforms)."""
    return logit_menu(utility[None, :], (serves[None, :] == np.arange(n_kinds)[:, None]) & active[None, :])


def is_global(gmv, markets, fx: float, tg):
    """'Globally influential' (T3): annual GMV in USD and foreign markets above the thresholds."""
    return (4 * gmv / fx >= tg.global_platform_min_gmv_usd) & (markets >= tg.global_platform_min_markets)
