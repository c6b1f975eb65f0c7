"""The multi-layer network: firm-firm B2B links (arrays), firm-platform, firm-cloud and firm-talent layers
(read from the agents' columns), with networkx views for inspection and layer metrics."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from agents.vocabulary import CITIES


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


class B2BLayer:
    """The firm-firm B2B layer: links as an (E, 2) array of firm rows, growing as entrants link.

    Keeps both ends of every link in growable arrays (appending copies the old links only when the capacity
    doubles) for whole-population counts, and, built on demand, each firm's partner list for the per-agent path.
    """

    def __init__(self, links: np.ndarray):
        self._links = np.empty((0, 2), dtype=np.int64)
        self._firm_end = np.empty(0, dtype=np.int64)
        self._partner_end = np.empty(0, dtype=np.int64)
        self.n_links = 0
        self._adjacency: tuple[np.ndarray, np.ndarray] | None = None
        self.add(links)

    @property
    def links(self) -> np.ndarray:
        return self._links[: self.n_links]

    def add(self, links: np.ndarray) -> None:
        e, k = self.n_links, len(links)
        if e + k > len(self._links):
            cap = max(e + k, 2 * len(self._links))
            self._links = np.resize(self._links, (cap, 2))
            self._firm_end = np.resize(self._firm_end, 2 * cap)
            self._partner_end = np.resize(self._partner_end, 2 * cap)
        self._links[e: e + k] = links
        self._firm_end[2 * e: 2 * e + 2 * k] = np.r_[links[:, 0], links[:, 1]]
        self._partner_end[2 * e: 2 * e + 2 * k] = np.r_[links[:, 1], links[:, 0]]
        self.n_links = e + k
        self._adjacency = None

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """(firm, partner) for both directions of every link."""
        return self._firm_end[: 2 * self.n_links], self._partner_end[: 2 * self.n_links]

    def partners(self, row: int) -> np.ndarray:
        """Partner rows of one firm."""
        if self._adjacency is None:
            firm, partner = self.ends()
            order = np.argsort(firm, kind="stable")
            starts = np.searchsorted(firm[order], np.arange(int(firm.max(initial=-1)) + 2))
            self._adjacency = starts, partner[order]
        starts, partners = self._adjacency
        return partners[starts[row]: starts[row + 1]] if row + 1 < len(starts) else partners[:0]

    def neighbour_share(self, flag: np.ndarray, alive: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Share of living B2B partners with `flag` set, for every firm or for `rows` only (sorted)."""
        if rows is not None and len(rows) <= 8:  # a few firms (the reference engine): their partner lists
            out = np.zeros(len(rows))
            for i, row in enumerate(rows):
                partners = self.partners(int(row))
                living = int(np.count_nonzero(alive[partners]))
                out[i] = np.count_nonzero(alive[partners] & flag[partners]) / living if living else 0.0
            return out
        firm, partner = self.ends()
        if rows is None:
            return partner_share(firm, partner, flag, alive, len(flag))
        wanted = np.zeros(len(flag), dtype=bool)
        wanted[rows] = True
        ends = np.flatnonzero(wanted[firm])
        place = np.searchsorted(rows, firm[ends])  # rows are sorted (np.flatnonzero)
        return partner_share(place, partner[ends], flag, alive, len(rows))

    def mean_degree(self, alive: np.ndarray) -> float:
        """Mean number of links to living partners over living firms (each link counts at both ends)."""
        links = self.links
        live = alive[links[:, 0]] & alive[links[:, 1]]
        return float(2 * int(np.count_nonzero(live)) / max(int(np.count_nonzero(alive)), 1))


def partner_share(firm: np.ndarray, partner: np.ndarray, flag: np.ndarray, alive: np.ndarray, n: int) -> np.ndarray:
    """Share of flagged partners among living ones for firms 0..n-1, from (firm, partner) link ends."""
    live = alive[partner]
    count = np.bincount(firm, weights=live, minlength=n)
    hits = np.bincount(firm, weights=live & flag[partner], minlength=n)
    return np.divide(hits, count, out=np.zeros(n), where=count > 0)


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


def layer_metrics(model) -> pd.DataFrame:
    """End-of-run distributions of each layer, tidy (layer, statistic, key, value), at provincial scale.

    b2b: firms by degree (links to living partners); platform: sellers and GMV share of each active platform;
    cloud: customers' spend share of each active provider; talent: employed workers by city.
    """
    f, p, c = model.firms, model.platforms, model.clouds
    alive, w = f.view("alive"), f.view("weight")
    firm, partner = model.b2b.ends()  # both directions of every link
    degree = np.bincount(firm[alive[firm] & alive[partner]], minlength=f.n)[alive]
    by_degree = np.bincount(degree, weights=w[alive])
    rows = [("b2b", "firms_by_degree", str(k), v) for k, v in enumerate(by_degree) if v > 0]
    active = np.flatnonzero(p.view("active"))
    gmv = p.view("gmv")[active]
    share = gmv / gmv.sum() if gmv.sum() > 0 else np.zeros(len(active))
    rows += [("platform", "sellers", str(r), float(p.sellers[r])) for r in active]
    rows += [("platform", "gmv_share", str(r), float(s)) for r, s in zip(active, share)]
    on = np.flatnonzero(c.view("active"))
    demand = c.view("demand")[on]
    rows += [("cloud", "spend_share", str(r), float(d / demand.sum()) if demand.sum() > 0 else 0.0)
             for r, d in zip(on, demand)]
    employed = np.bincount(model.talent.view("city"), weights=model.talent.view("employed"), minlength=len(CITIES))
    rows += [("talent", "employed", city, float(e)) for city, e in zip(CITIES, employed)]
    return pd.DataFrame(rows, columns=["layer", "statistic", "key", "value"])
