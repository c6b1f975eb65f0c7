"""The multi-layer network: firm-firm B2B links (arrays), firm-platform, firm-cloud and firm-talent layers
(read from the agents' columns), with networkx views for inspection and layer metrics."""

from __future__ import annotations

import networkx as nx
import numpy as np


def _pick_within(groups: np.ndarray, members: np.ndarray, wanted: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """For each entry of `wanted` (a group id), a random member row of that group (-1 if the group is empty)."""
    order = members[np.argsort(groups[members], kind="stable")]
    sorted_groups = groups[order]
    lo = np.searchsorted(sorted_groups, wanted, side="left")
    hi = np.searchsorted(sorted_groups, wanted, side="right")
    size = hi - lo
    pick = lo + np.floor(rng.random(len(wanted)) * np.maximum(size, 1)).astype(np.int64)
    return np.where(size > 0, order[np.minimum(pick, len(order) - 1)], -1)


def b2b_links(sources: np.ndarray, city: np.ndarray, park: np.ndarray, candidates: np.ndarray,
              degree: float, same_park: float, same_city: float, rng: np.random.Generator) -> np.ndarray:
    """New B2B links (E, 2) from `sources` to partners among `candidates`, clustered by park and city.

    Each source draws Poisson(degree / 2) partners (a link counts for both ends, so mean degree ≈ degree).
    """
    stubs = np.repeat(sources, rng.poisson(degree / 2.0, len(sources)))
    if len(stubs) == 0 or len(candidates) == 0:
        return np.empty((0, 2), dtype=np.int64)
    u = rng.random(len(stubs))
    target = candidates[rng.integers(0, len(candidates), len(stubs))]  # province-wide by default
    in_city = u < same_park + same_city
    target[in_city] = _pick_within(city, candidates, city[stubs[in_city]], rng)
    in_park = (u < same_park) & (park[stubs] >= 0)
    target[in_park] = _pick_within(park, candidates, park[stubs[in_park]], rng)
    keep = (target >= 0) & (target != stubs)
    return np.stack([stubs[keep], target[keep]], axis=1).astype(np.int64)


def neighbour_share(links: np.ndarray, flag: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Share of each firm's living B2B neighbours with `flag` set (0 for firms without neighbours)."""
    n = len(flag)
    a, b = links[:, 0], links[:, 1]
    both = np.concatenate([a, b])
    other = np.concatenate([b, a])
    live = alive[other].astype(float)
    count = np.bincount(both, weights=live, minlength=n)
    hits = np.bincount(both, weights=live * flag[other], minlength=n)
    return np.divide(hits, count, out=np.zeros(n), where=count > 0)


def degree_histogram(links: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Counts of living firms by B2B degree (links to living partners)."""
    live = alive[links[:, 0]] & alive[links[:, 1]]
    deg = np.bincount(links[live].ravel(), minlength=len(alive))[alive]
    return np.bincount(deg)


def to_networkx(model, sample: int | None = 300, seed: int = 0) -> nx.Graph:
    """A networkx multi-layer view: firms, platforms and cloud providers as nodes with a `layer` on each edge.

    `sample` limits the firms drawn (with their own generator, so inspection never disturbs the model's).
    """
    firms = model.firms
    alive = np.flatnonzero(firms.view("alive"))
    if sample is not None and sample < len(alive):
        alive = np.sort(np.random.default_rng(seed).choice(alive, sample, replace=False))
    keep = set(alive.tolist())
    g = nx.Graph()
    for r in alive:
        g.add_node(f"firm:{r}", kind="firm", firm_kind=int(firms.kind[r]), city=int(firms.city[r]))
    for a, b in model.links:
        if a in keep and b in keep:
            g.add_edge(f"firm:{a}", f"firm:{b}", layer="b2b")
    for r in alive:
        for p in firms.platforms[r]:
            if p >= 0:
                g.add_edge(f"firm:{r}", f"platform:{p}", layer="platform")
        if firms.cloud[r] >= 0:
            g.add_edge(f"firm:{r}", f"cloud:{firms.cloud[r]}", layer="cloud")
    for node in g.nodes:
        g.nodes[node].setdefault("kind", node.split(":")[0])
    return g
