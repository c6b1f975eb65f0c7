"""Initial conditions at end-2019: firms sampled with weights, platforms, cloud providers, talent cohorts."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from agents.firm import MAX_HOMING, initial_lines
from agents.platform import MAX_MARKETS
from agents.talent import COHORTS
from agents.vocabulary import CITIES, FIRM_KINDS, MARKETS, PLATFORM_KINDS, PLATFORM_SERVES


def take_all_size(pop) -> float:
    """Relative size above which firms are kept one agent per firm at any scale (the take-all quantile of the
    initial size distribution: Pareto with minimum 1, or log-normal with median 1)."""
    if pop.take_all_quantile >= 1.0:
        return float("inf")
    if pop.initial_sizes == "lognormal":
        return float(np.exp(pop.lognormal_sigma * ndtri(pop.take_all_quantile)))
    return (1.0 - pop.take_all_quantile) ** (-1.0 / pop.size_tail_alpha)


def median_size(pop) -> float:
    """Median of the initial relative-size distribution (Pareto: 2^(1/alpha); log-normal: 1)."""
    return 1.0 if pop.initial_sizes == "lognormal" else 2.0 ** (1.0 / pop.size_tail_alpha)


def relative_sizes(u: np.ndarray, pop, x0: float = np.inf) -> np.ndarray:
    """Initial-distribution draws (`pop.initial_sizes`) conditional on < x0, by inverse CDF from uniforms u."""
    if pop.initial_sizes == "lognormal":
        sigma = pop.lognormal_sigma
        return np.exp(sigma * ndtri(u * ndtr(np.log(x0) / sigma)))
    return pareto_below(u, x0, pop.size_tail_alpha)


def pareto_below(u: np.ndarray, x0: float, alpha: float) -> np.ndarray:
    """Pareto(alpha, minimum 1) draws conditional on < x0, by inverse CDF from uniforms u (x0 = inf: no bound)."""
    return (1.0 - u * (1.0 - x0 ** -alpha)) ** (-1.0 / alpha)


def park_table(parks_cfg) -> tuple[list[str], np.ndarray]:
    """Flat list of candidate parks and the city index of each."""
    names, cities = [], []
    for ci, city in enumerate(CITIES):
        for name in parks_cfg.get(city, []):
            names.append(name)
            cities.append(ci)
    return names, np.array(cities, dtype=np.int64)


def _normalised(mapping, keys) -> np.ndarray:
    p = np.array([float(mapping[k]) for k in keys])
    return p / p.sum()


def sample_firms(pop, market_share, scale: float, park_city: np.ndarray, rng: np.random.Generator) -> dict:
    """Columns of the initial firm agents. Sizes are relative (minimum 1); `calibrate_sizes` sets levels.

    Firms above the take-all size quantile are kept with weight 1; the rest are sampled with probability
    `scale` and carry weight 1/scale, so provincial totals are unbiased at any scale.
    """
    cols: dict[str, list] = {k: [] for k in ("kind", "size", "weight", "lines")}
    for k, kind in enumerate(FIRM_KINDS):
        n_real = int(getattr(pop, f"n_{kind}"))
        size = relative_sizes(rng.random(n_real), pop)
        take_all = size >= np.quantile(size, pop.take_all_quantile)
        keep = take_all | (rng.random(n_real) < scale)
        cols["kind"].append(np.full(keep.sum(), k))
        cols["size"].append(size[keep])
        cols["lines"].append(initial_lines(size[keep], median_size(pop), pop.lines_per_median, rng))
        cols["weight"].append(np.where(take_all[keep], 1.0, 1.0 / scale))
    out = {k: np.concatenate(v) for k, v in cols.items()}
    n = len(out["size"])
    city = np.empty(n, dtype=np.int64)
    for k, kind in enumerate(FIRM_KINDS):
        sel = out["kind"] == k
        city[sel] = rng.choice(len(CITIES), sel.sum(), p=_normalised(pop.city_share[kind], CITIES))
    out["city"] = city
    out["park"] = assign_parks(city, pop.in_park_share, park_city, rng)
    out["market"] = rng.choice(len(MARKETS), n, p=_normalised(market_share, MARKETS))
    out["foreign"] = rng.random(n) < pop.foreign_share
    shares = np.array([pop.transformed_share_2019[k] for k in FIRM_KINDS])
    out["transformed"] = rng.random(n) < shares[out["kind"]]
    out["maturity"] = np.where(out["transformed"], rng.uniform(0.3, 1.0, n), rng.uniform(0.0, 0.3, n))
    return out


def assign_parks(city: np.ndarray, in_park_share: float, park_city: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """A park in the firm's own city for a share of firms (uniform among that city's parks), else -1."""
    park = np.full(len(city), -1, dtype=np.int64)
    counts = np.bincount(park_city, minlength=len(CITIES))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    inside = (rng.random(len(city)) < in_park_share) & (counts[city] > 0)
    pick = np.floor(rng.random(inside.sum()) * counts[city[inside]]).astype(np.int64)
    park[inside] = first[city[inside]] + pick
    return park


def initial_platforms(cfg, firm_city_share: np.ndarray, rng: np.random.Generator) -> dict:
    """Columns of the initial platforms: home city, market reach and outside-GMV ratio are heavy-tailed."""
    kinds = np.concatenate([np.full(int(cfg.platform.n_initial[pk]), i) for i, pk in enumerate(PLATFORM_KINDS)])
    n = len(kinds)
    markets = np.exp(np.log(cfg.platform.markets_2019_median) + 0.8 * rng.standard_normal(n))
    return dict(kind=kinds, city=rng.choice(len(CITIES), n, p=firm_city_share),
                markets=np.clip(markets, 1.0, MAX_MARKETS),
                external_ratio=np.exp(np.log(max(cfg.platform.external_gmv_ratio, 1e-9))
                                      + rng.standard_normal(n)))


def platform_serves(platform_kind: np.ndarray) -> np.ndarray:
    """Firm kind served by each platform."""
    return np.array([PLATFORM_SERVES[PLATFORM_KINDS[k]] for k in platform_kind], dtype=np.int64)


def initial_clouds(cloud_cfg, rng: np.random.Generator) -> dict:
    """Domestic providers (an anchor in Hangzhou, then smaller ones) and dormant foreign ones.

    Capacities are shares here; `calibrate_sizes` turns them into CNY once cloud demand is known.
    """
    nd, nf = int(cloud_cfg.n_domestic), int(cloud_cfg.n_foreign)
    share = 1.0 / np.arange(1, nd + 1)
    share /= share.sum()
    home = np.concatenate([[0], rng.choice(len(CITIES), nd - 1)]) if nd > 1 else np.array([0])
    return dict(foreign=np.r_[np.zeros(nd, bool), np.ones(nf, bool)],
                active=np.r_[np.ones(nd, bool), np.zeros(nf, bool)],
                home=np.r_[home, np.zeros(nf, dtype=np.int64)],
                capacity=np.r_[share, np.full(nf, 0.1)],
                quality=np.r_[1.0, rng.uniform(0.5, 0.9, nd - 1), np.full(nf, 1.0)][: nd + nf],
                price=np.r_[np.ones(nd), np.full(nf, 1.1)])


def initial_talent(need_by_city: np.ndarray, slack: float) -> dict:
    """Cohorts (city x origin x skill) whose efficiency units cover end-2019 demand plus slack."""
    rows = {k: [] for k in ("city", "international", "skill", "headcount", "wage")}
    for international, skill, share, wage in COHORTS:
        rows["city"].append(np.arange(len(CITIES)))
        rows["international"].append(np.full(len(CITIES), international))
        rows["skill"].append(np.full(len(CITIES), skill))
        rows["headcount"].append(need_by_city * (1 + slack) * share / skill)
        rows["wage"].append(np.full(len(CITIES), wage))
    out = {k: np.concatenate(v) for k, v in rows.items()}
    out["employed"] = out["headcount"] / (1 + slack)
    return out


__all__ = ["park_table", "sample_firms", "initial_platforms", "initial_clouds", "initial_talent",
           "platform_serves", "MAX_HOMING"]
