"""The multi-layer network: firm-firm B2B links (arrays), firm-platform, firm-cloud and firm-talent layers
(read from the agents' columns), with networkx views for inspection and layer metrics.

B2B links form and end each quarter (`rewire_b2b` in model/phases.py): links to firms that left and a share
`network.link_decay` of the others end; entrants link to living firms near by (park, city, province); firms short
of partners search for one, through a partner (triadic closure) or near by.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from agents.vocabulary import CITIES


def local_partners(sources: np.ndarray, city: np.ndarray, park: np.ndarray, candidates: np.ndarray,
                   u_way: np.ndarray, u_pick: np.ndarray, same_park: float, same_city: float) -> np.ndarray:
    """A partner among `candidates` for each source: in its park (u_way < same_park, if it is in one), else in its
    city (u_way < same_park + same_city), else anywhere in the province; u_pick picks the firm. -1 where none.

    The candidates are sorted once by (city, park) (a firm's park lies in its city), so that a city and each park
    are runs of that order."""
    if len(sources) == 0 or len(candidates) == 0:
        return np.full(len(sources), -1, dtype=np.int64)
    width = int(park.max(initial=-1)) + 2  # park + 1 in 0..width-1
    dtype = np.int16 if (int(city.max(initial=0)) + 1) * width < 2 ** 15 else np.int64  # int16: a radix sort
    key = city.take(candidates).astype(dtype)
    key *= dtype(width)
    key += park.take(candidates).astype(dtype)
    key += dtype(1)
    order = np.argsort(key, kind="stable")
    members, key = candidates[order], key[order]
    src_city, src_park = city[sources].astype(np.int64), park[sources].astype(np.int64)
    lo, hi = np.zeros(len(sources), dtype=np.int64), np.full(len(sources), len(members), dtype=np.int64)
    in_city = u_way < same_park + same_city
    lo[in_city] = np.searchsorted(key, src_city[in_city] * width, side="left")
    hi[in_city] = np.searchsorted(key, (src_city[in_city] + 1) * width, side="left")
    in_park = (u_way < same_park) & (src_park >= 0)
    own = src_city[in_park] * width + src_park[in_park] + 1
    lo[in_park] = np.searchsorted(key, own, side="left")
    hi[in_park] = np.searchsorted(key, own, side="right")
    size = hi - lo
    pick = np.minimum(lo + np.floor(u_pick * size).astype(np.int64), len(members) - 1)
    return np.where(size > 0, members[pick], -1).astype(np.int64)


def b2b_links(sources: np.ndarray, city: np.ndarray, park: np.ndarray, candidates: np.ndarray,
              degree: float, same_park: float, same_city: float, rng: np.random.Generator) -> np.ndarray:
    """New B2B links (E, 2) from `sources` to partners among `candidates`, clustered by park and city.

    Each source draws Poisson(degree / 2) partners (a link counts for both ends, so mean degree ≈ degree).
    """
    stubs = np.repeat(sources, rng.poisson(degree / 2.0, len(sources)))
    if len(stubs) == 0 or len(candidates) == 0:
        return np.empty((0, 2), dtype=np.int64)
    u_way, u_pick = rng.random(len(stubs)), rng.random(len(stubs))
    target = local_partners(stubs, city, park, candidates, u_way, u_pick, same_park, same_city)
    keep = (target >= 0) & (target != stubs)
    return np.stack([stubs[keep], target[keep]], axis=1).astype(np.int64)


def search_probability(degree: np.ndarray, target: float, rate: float) -> np.ndarray:
    """Quarterly probability that a firm searches for one new partner: `rate` per partner it lacks below the
    target degree (capped at 1), none at or above it."""
    return np.clip(rate * (target - degree), 0.0, 1.0)


def ends_of(a: np.ndarray, b: np.ndarray, rows: np.ndarray, n: int,
            sort: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(owner, partner) of every link end that belongs to one of `rows` (links (a[i], b[i])), sorted by owner
    unless `sort` is False."""
    asked = np.zeros(n, dtype=bool)
    asked[rows] = True
    ia, ib = np.flatnonzero(asked.take(a)), np.flatnonzero(asked.take(b))
    owner, partner = np.concatenate([a[ia], b[ib]]), np.concatenate([b[ia], a[ib]])
    if not sort:
        return owner, partner
    order = np.argsort(owner)  # deterministic; the order among one owner's ends does not matter (u picks any)
    return owner[order].astype(np.int64), partner[order].astype(np.int64)


def partner_of(owner: np.ndarray, partner: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """For each of `rows` (repeats allowed), the partner uniform u points to among its link ends (owner sorted,
    from `ends_of`); -1 if it has none."""
    if len(owner) == 0:
        return np.full(len(rows), -1, dtype=np.int64)
    lo = np.searchsorted(owner, rows, side="left")
    size = np.searchsorted(owner, rows, side="right") - lo
    pick = np.minimum(lo + np.floor(u * size).astype(np.int64), len(owner) - 1)
    return np.where(size > 0, partner[pick], -1)


def linked(owner: np.ndarray, partner: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Whether each pair (a[i], b[i]) is already linked, from link ends (owner, partner) that include every a[i]."""
    if len(owner) == 0:
        return np.zeros(len(a), dtype=bool)
    held = np.sort(owner * n + partner)
    key = a.astype(np.int64) * n + b
    return held[np.minimum(np.searchsorted(held, key), len(held) - 1)] == key


def supplier_search(layer: "B2BLayer", rows: np.ndarray, u: np.ndarray, stubs: np.ndarray, u_stub: np.ndarray,
                    city: np.ndarray, park: np.ndarray, candidates: np.ndarray, net) -> np.ndarray:
    """New links (E, 2) among living `candidates`: one search by each searching firm of `rows` (sorted; four
    uniforms each, u[:, 0..3]: where to look, which partner to ask, whom it names, whom it finds near by), and
    one link for each entrant stub of `stubs` (two uniforms each: where, whom).

    With probability `net.triadic_share` a searcher asks a random partner for one of its partners (triadic
    closure: well-connected firms are reached more often, a preferential attachment); otherwise, or when that
    finds no new firm, it searches near by as entrants do (park, city, province: `net.same_park`, `net.same_city`).
    A search that lands on itself or on a partner it already has ends without a link this quarter.
    """
    n, tau = len(city), net.triadic_share
    u_way, u_ask, u_name, u_near = u.T
    a, b = layer.pairs()
    owner, partner = ends_of(a, b, rows, n)  # the searchers' own links: whom to ask, and whom they already have
    triadic = u_way < tau
    target = np.full(len(rows), -1, dtype=np.int64)
    via = partner_of(owner, partner, rows[triadic], u_ask[triadic])
    has = via >= 0
    if has.any():
        far = np.full(len(via), -1, dtype=np.int64)
        far[has] = partner_of(*ends_of(a, b, via[has], n), via[has], u_name[triadic][has])
        target[triadic] = far
    target[target == rows] = -1
    local = np.flatnonzero(target < 0)  # the same uniform, rescaled to U(0, 1) on either side of tau, says where
    way = np.where(triadic, u_way / max(tau, 1e-12), (u_way - tau) / max(1.0 - tau, 1e-12))[local]
    found = local_partners(np.concatenate([rows[local], stubs]), city, park, candidates,
                           np.concatenate([way, u_stub[:, 0]]), np.concatenate([u_near[local], u_stub[:, 1]]),
                           net.same_park, net.same_city)  # searchers near by and entrants: one sort of candidates
    target[local] = found[: len(local)]
    ok = (target >= 0) & (target != rows)
    ok[ok] = ~linked(owner, partner, rows[ok], target[ok], n)
    stub_target = found[len(local):]
    fresh = (stub_target >= 0) & (stub_target != stubs)
    return np.concatenate([np.stack([rows[ok], target[ok]], axis=1),
                           np.stack([stubs[fresh], stub_target[fresh]], axis=1)]).astype(np.int64)


class B2BLayer:
    """The firm-firm B2B layer: links as pairs of firm rows (a[i], b[i]), added by entrants and the quarterly
    search, removed when they end.

    Both ends live in growable int64 arrays (appending copies them only when the capacity doubles), each firm's
    degree in a count kept up to date on every change; the (firm, partner) view of both directions and each
    firm's partner list are built on demand (layer metrics, networkx views, the per-agent path).
    """

    def __init__(self, links: np.ndarray):
        self._a = np.empty(0, dtype=np.int64)
        self._b = np.empty(0, dtype=np.int64)
        self.n_links = 0
        self.formed = self.ended = 0  # links formed and ended by the last rewiring (records)
        self._ends: tuple[np.ndarray, np.ndarray] | None = None
        self._adjacency: tuple[np.ndarray, np.ndarray] | None = None
        self._degree = np.zeros(0, dtype=np.int64)  # links of rows 0..len-1, kept up to date on every change
        self.add(links)

    @property
    def links(self) -> np.ndarray:
        """(E, 2) firm rows of every link."""
        return np.stack([self._a[: self.n_links], self._b[: self.n_links]], axis=1).astype(np.int64)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(a, b): the two ends of every link (views)."""
        return self._a[: self.n_links], self._b[: self.n_links]

    def _changed(self) -> None:
        self._ends = self._adjacency = None

    def add(self, links: np.ndarray) -> None:
        e, k = self.n_links, len(links)
        if e + k > len(self._a):
            cap = max(e + k, 2 * len(self._a))
            self._a, self._b = np.resize(self._a, cap), np.resize(self._b, cap)
        self._a[e: e + k], self._b[e: e + k] = links[:, 0], links[:, 1]
        self.n_links = e + k
        self._changed()
        self._count(links.ravel(), +1)

    def keep(self, mask: np.ndarray) -> None:
        """Keep the links where `mask` (one flag per link) holds, in order; the others end."""
        a, b = self.pairs()
        k = int(np.count_nonzero(mask))
        gone = np.flatnonzero(~mask)
        self._count(np.concatenate([a[gone], b[gone]]), -1)
        self._a[:k], self._b[:k] = a[mask], b[mask]
        self.n_links = k
        self._changed()

    def _count(self, rows: np.ndarray, step: int) -> None:
        """Add `step` to the degree of each row in `rows` (a whole bincount when they are many)."""
        top = int(rows.max(initial=-1)) + 1
        if top > len(self._degree):
            self._degree = np.concatenate([self._degree, np.zeros(max(top, 2 * len(self._degree)) - len(self._degree),
                                                                  dtype=np.int64)])
        if len(rows) > len(self._degree):  # the initial links
            self._degree += step * np.bincount(rows, minlength=len(self._degree))
        else:
            np.add.at(self._degree, rows, step)

    def degree(self, n: int) -> np.ndarray:
        """Links of each of firm rows 0..n-1 (a link counts at both ends; a view: do not write to it)."""
        if n > len(self._degree):
            self._degree = np.concatenate([self._degree, np.zeros(n - len(self._degree), dtype=np.int64)])
        return self._degree[:n]

    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """(firm, partner) for both directions of every link."""
        if self._ends is None:
            a, b = self.pairs()
            self._ends = np.concatenate([a, b]), np.concatenate([b, a])
        return self._ends

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
        a, b = self.pairs()
        if rows is None:
            return partner_share((a, b), (b, a), flag, alive, len(flag))
        owner, partner = ends_of(a, b, rows, len(flag), sort=False)
        return partner_share((np.searchsorted(rows, owner),), (partner,), flag, alive, len(rows))

    def degree_summary(self, alive: np.ndarray) -> dict[str, float]:
        """Mean, median, 90th percentile and maximum of living firms' links to living partners."""
        n = len(alive)
        degree = self.degree(n)
        firms = np.bincount(degree, weights=alive)  # living firms by degree
        k = np.arange(len(firms))
        if (firms * k).sum() != 2 * self.n_links:  # links to firms that left (before the quarter's rewiring)
            a, b = self.pairs()
            live = alive.take(a) & alive.take(b)
            firms = np.bincount(np.bincount(a[live], minlength=n) + np.bincount(b[live], minlength=n), weights=alive)
            k = np.arange(len(firms))
        living = firms.sum()
        if living == 0:
            return {"mean": 0.0, "p50": 0.0, "p90": 0.0, "max": 0.0}
        count = np.cumsum(firms)  # quantiles from the histogram (np.quantile's 'inverted_cdf')
        p50, p90 = (int(np.searchsorted(count, q * living)) for q in (0.5, 0.9))
        return {"mean": float((firms * k).sum() / living), "p50": float(p50), "p90": float(p90),
                "max": float(np.flatnonzero(firms)[-1])}


def partner_share(firm: tuple, partner: tuple, flag: np.ndarray, alive: np.ndarray, n: int) -> np.ndarray:
    """Share of flagged partners among living ones for firms 0..n-1, from link ends given as parts (firm[j],
    partner[j]) (e.g. both directions of the links, without joining them)."""
    count, hits = np.zeros(n), np.zeros(n)
    for f, p in zip(firm, partner):
        live = alive[p]
        count += np.bincount(f, weights=live, minlength=n)
        hits += np.bincount(f, weights=live & flag[p], minlength=n)
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

    b2b: firms by degree (links to living partners); platform: sellers, GMV share and fee of each active platform;
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
    rows += [("platform", "fee", str(r), float(p.fee[r])) for r in active]
    on = np.flatnonzero(c.view("active"))
    demand = c.view("demand")[on]
    rows += [("cloud", "spend_share", str(r), float(d / demand.sum()) if demand.sum() > 0 else 0.0)
             for r, d in zip(on, demand)]
    employed = np.bincount(model.talent.view("city"), weights=model.talent.view("employed"), minlength=len(CITIES))
    rows += [("talent", "employed", city, float(e)) for city, e in zip(CITIES, employed)]
    return pd.DataFrame(rows, columns=["layer", "statistic", "key", "value"])
