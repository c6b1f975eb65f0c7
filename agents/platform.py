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
| born | quarter index | founding quarter, -1 incumbent |
| grants | CNY | cultivation grants received, cumulative |
| fee | share of GMV | take rate it charges sellers (set each quarter) |
| seller_share | share | its share of the sellers on platforms of its kind, at the last fee setting |

Each platform sets its own fee (`set_fee`): up while its share of its kind's sellers grows, down while sellers
leave; sellers weigh the fee against reach and network size (`seller_utility`), so fees steer their choice.
"""

from __future__ import annotations

import numpy as np

from agents.choice import logit_menu
from agents.state import ArrayState, RowAgent, per_agent, row_view
from agents.vocabulary import PLATFORM_KINDS

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
    "grants": ("f8", "CNY", "special-fund cultivation grants received ('platform' rule), cumulative"),
    "fee": ("f8", "share of GMV", "take rate it charges sellers"),
    "seller_share": ("f8", "share", "its share of its kind's sellers at the last fee setting"),
}


class PlatformState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"active": True, "born": -1}


@row_view("platforms", GLOSSARY)
class Platform(RowAgent):
    """One platform; a view onto its row of model.platforms. Its decision methods are the rules below on its row."""

    @property
    def kind_name(self) -> str:
        return PLATFORM_KINDS[self.kind]


def expand_abroad(m, rnd, rows) -> None:
    """Reinvested fees (plus its share of cultivation grants) buy foreign markets; then its global status."""
    p, pc = m.platforms, m.params.platform
    active = p.active[rows]
    funds = pc.expansion_share * p.fee[rows] * p.gmv[rows] + rnd.grant[rows]
    p.markets[rows] += new_markets(funds, p.markets[rows], pc.market_cost_cny) * active
    p.global_[rows] = active & is_global(p.gmv[rows], p.markets[rows], rnd.fx, m.params.targets)


def close_if_thin(m, rnd, rows) -> None:
    """A platform older than a year with too few Zhejiang sellers closes."""
    p = m.platforms
    closing = p.active[rows] & (p.born[rows] <= rnd.quarter - 4) \
        & (p.sellers[rows] < m.params.platform.exit_min_sellers)
    p.active[rows] &= ~closing


def set_fee(m, rnd, rows) -> None:
    """An active platform moves its fee with its share of its kind's sellers (`rnd.kind_sellers`): up while the
    share grows, down while sellers leave, within the floor and the cap. The share is kept for next quarter."""
    p, pc = m.platforms, m.params.platform
    total = rnd.kind_sellers[p.kind[rows]]
    share = np.divide(p.sellers[rows], total, out=np.zeros(len(total)), where=total > 0)
    fee = next_fee(p.fee[rows], share, p.seller_share[rows], pc.fee_response, pc.fee_floor, pc.fee_cap)
    p.fee[rows] = np.where(p.active[rows], fee, p.fee[rows])
    p.seller_share[rows] = share


for _rule in (expand_abroad, close_if_thin, set_fee):
    setattr(Platform, _rule.__name__, per_agent(_rule))


def seller_utility(markets: np.ndarray, sellers: np.ndarray, fee, exponent: float, fee_weight: float) -> np.ndarray:
    """What a seller expects from a platform: buyer reach and the seller side's pull, less its fee."""
    return exponent * np.log1p(markets) + exponent * np.log1p(sellers) / 2 - fee_weight * fee


def initial_fees(median: float, dispersion: float, z: np.ndarray) -> np.ndarray:
    """Fees log-normal around `median` from standard-normal draws z."""
    return median * np.exp(dispersion * z)


def next_fee(fee, share, last_share, response: float, floor: float, cap: float):
    """fee × (share / last share)^response, within [floor, cap]; unchanged while either share is zero (a new
    platform without sellers yet, or one that lost them all)."""
    both = (share > 0) & (last_share > 0)
    ratio = np.divide(share, last_share, out=np.ones(len(share)), where=both)
    return np.clip(fee * ratio ** response, floor, cap)


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
