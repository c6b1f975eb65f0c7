"""The workshop's charts as matplotlib Figures built from a WorkshopRun (object API, no pyplot: sessions render
in their own threads). The app only displays them; tests build them headless."""

from __future__ import annotations

import networkx as nx
import numpy as np
from matplotlib.figure import Figure

from model.records import TRADE_KINDS
from model.targets import annual_digital_trade
from agents.vocabulary import CITIES, FIRM_KINDS, FIRST_YEAR, quarter_index, year_of

KIND_COLOURS = {"traditional": "#8c6d31", "cbec": "#e6550d", "service": "#3182bd", "content": "#756bb1",
                "cloud": "#d62728", "platform": "#31a354"}


def _years(n_quarters: int) -> np.ndarray:
    return FIRST_YEAR + (np.arange(n_quarters) + 0.5) / 4  # quarter midpoints, in years


def trade_figure(run) -> Figure:
    """Digital trade in USD (annualised quarters, and calendar-year totals) against the target path, beside the
    policy=none run of the same seed."""
    model, tg = run.model, run.cfg.targets
    rec, t = model.recorder, len(model.recorder.quarters)
    x = _years(model.n_quarters)
    fig = Figure(figsize=(7.2, 4.0))  # fixed margins: a layout engine doubles the drawing time
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.92)
    ax = fig.add_subplot()
    ax.plot(x, run.none.usd * 4 / 1e9, color="grey", lw=2, label="policy=none, same seed (whole run)")
    if t:
        ax.plot(x[:t], rec.series("digital_trade_usd") * 4 / 1e9, color="C0", lw=3,
                label=f"this run ({run.settings.preset}), to {run.label}")
        ax.axvline(x[t - 1], color="C0", lw=0.8, ls=":")
    years = [y for y in range(FIRST_YEAR, year_of(model.n_quarters - 1) + 1)
             if annual_digital_trade(rec, y) is not None]
    ax.plot([y + 0.5 for y in years], [annual_digital_trade(rec, y, "USD") / 1e9 for y in years], "o",
            color="C0", ms=7, label="calendar-year total")
    base = annual_digital_trade(rec, tg.t2_base_year, "USD")
    if base is None:  # before the base year is complete, draw the path from the no-plan run's base year
        first = quarter_index(f"{tg.t2_base_year}Q1")
        base = run.none.usd[first: first + 4].sum()
    path = np.arange(tg.t2_base_year, tg.year + 1)
    ax.plot(path + 0.5, base * (1 + tg.t2_growth) ** (path - tg.t2_base_year) / 1e9, ls="--", color="black",
            lw=1, label=f"T2 path: {100 * tg.t2_growth:.0f} %/year from {tg.t2_base_year}")
    ax.plot([tg.year + 0.5], [tg.t1_digital_trade_usd / 1e9], "*", ms=18, color="crimson",
            label=f"T1: USD {tg.t1_digital_trade_usd / 1e9:.0f} bn in {tg.year}")
    ax.set(xlim=(FIRST_YEAR, FIRST_YEAR + model.n_quarters / 4), ylim=(0, None), xlabel="year",
           ylabel="USD bn per year", title="Digital trade (imports + exports)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def city_kind_figure(run) -> Figure:
    """Digital trade of the last quarter by city (stacked by kind), and by kind over time; USD bn per year."""
    model = run.model
    rec, t = model.recorder, len(model.recorder.quarters)
    fig = Figure(figsize=(7.2, 3.6))
    fig.subplots_adjust(left=0.13, right=0.98, bottom=0.14, top=0.91, wspace=0.25)
    left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
    if not t:
        for ax in (left, right):
            ax.text(0.5, 0.5, "press Step or Play", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
        return fig
    fx = rec.series("fx")
    usd = rec.series("digital_trade") * 4 / fx[:, None, None] / 1e9  # (T, cities, kinds + cloud)
    kinds = TRADE_KINDS[: usd.shape[2]]
    order = np.argsort(usd[-1].sum(axis=1))
    bottom = np.zeros(len(CITIES))
    for k, kind in enumerate(kinds):
        left.barh(np.array(CITIES)[order], usd[-1][order, k], left=bottom, color=KIND_COLOURS[kind], label=kind)
        bottom += usd[-1][order, k]
    left.set(xlabel="USD bn per year", title=f"by city, {run.label}")
    left.tick_params(axis="y", labelsize=8)
    x = _years(model.n_quarters)[:t]
    right.stackplot(x, usd.sum(axis=1).T, colors=[KIND_COLOURS[k] for k in kinds], labels=kinds)
    end = FIRST_YEAR + model.n_quarters / 4
    right.set(xlim=(FIRST_YEAR, end), xticks=np.arange(FIRST_YEAR, end + 0.1, 2), xlabel="year", title="by kind")
    right.legend(fontsize=7, loc="upper left")
    return fig


class NetworkSample:
    """A sample of firms drawn once per run — random seeds plus their B2B partners, so the peer layer shows — with
    its own generator (the model's is never touched), and a layout kept between redraws."""

    def __init__(self, model, firms: int = 220, seeds: int = 60, seed: int = 0):
        rng = np.random.default_rng(seed)
        alive = np.flatnonzero(model.firms.view("alive"))
        start = rng.choice(alive, min(seeds, len(alive)), replace=False)
        links = model.links
        touching = np.isin(links[:, 0], start) | np.isin(links[:, 1], start)
        partners = np.setdiff1d(links[touching].ravel(), start)
        partners = rng.permutation(partners[model.firms.view("alive")[partners]])
        self.rows = np.sort(np.concatenate([start, partners[: max(firms - len(start), 0)]]))
        self.pos: dict[str, np.ndarray] = {}

    def graph(self, model) -> nx.Graph:
        """Firms of the sample still alive, with their B2B links among them, platforms and cloud providers."""
        f = model.firms
        rows = self.rows[f.view("alive")[self.rows]]
        g = nx.Graph()
        for r in rows:
            g.add_node(f"firm:{r}", kind="firm", firm_kind=int(f.view("kind")[r]),
                       transformed=bool(f.view("transformed")[r]))
        links = model.links
        inside = links[np.isin(links[:, 0], rows) & np.isin(links[:, 1], rows)]
        g.add_edges_from((f"firm:{a}", f"firm:{b}") for a, b in inside if a != b)
        nx.set_edge_attributes(g, "b2b", "layer")
        for r, slots in zip(rows, f.view("platforms")[rows]):
            for p in slots[slots >= 0]:
                g.add_edge(f"firm:{r}", f"platform:{p}", layer="platform")
        for r, c in zip(rows, f.view("cloud")[rows]):
            if c >= 0:
                g.add_edge(f"firm:{r}", f"cloud:{c}", layer="cloud")
        for node in g.nodes:
            g.nodes[node].setdefault("kind", node.split(":")[0])
        return g

    def layout(self, g: nx.Graph) -> dict:
        """Positions: nodes placed before stay put; only new ones are placed (a few spring iterations)."""
        known = [n for n in g if n in self.pos]
        if len(known) < len(g):
            pos = nx.spring_layout(g, pos={n: self.pos[n] for n in known} or None, fixed=known or None,
                                   iterations=30, seed=0)
            self.pos.update(pos)
        return {n: self.pos[n] for n in g}


def network_figure(run, sample: NetworkSample) -> tuple[Figure, nx.Graph]:
    g = sample.graph(run.model)
    pos = sample.layout(g)
    fig = Figure(figsize=(7.2, 5.0))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.94)
    ax = fig.add_subplot()
    for layer, colour in (("b2b", "#444444"), ("platform", "#9bd39b"), ("cloud", "#f2a3a3")):
        edges = [(a, b) for a, b, d in g.edges(data=True) if d["layer"] == layer]
        nx.draw_networkx_edges(g, pos, edgelist=edges, ax=ax, edge_color=colour, width=0.6, alpha=0.8)
    for k, kind in enumerate(FIRM_KINDS):
        for done, alpha in ((True, 1.0), (False, 0.3)):
            nodes = [n for n, d in g.nodes(data=True)
                     if d["kind"] == "firm" and d["firm_kind"] == k and d["transformed"] == done]
            nx.draw_networkx_nodes(g, pos, nodelist=nodes, ax=ax, node_size=18, alpha=alpha,
                                   node_color=KIND_COLOURS[kind], label=f"{kind}" if done else None)
    for kind, shape in (("platform", "s"), ("cloud", "^")):
        nodes = [n for n, d in g.nodes(data=True) if d["kind"] == kind]
        nx.draw_networkx_nodes(g, pos, nodelist=nodes, ax=ax, node_size=70, node_shape=shape,
                               node_color=KIND_COLOURS[kind], label=kind)
    n_firms = sum(1 for _, d in g.nodes(data=True) if d["kind"] == "firm")
    ax.set_title(f"{n_firms} sampled firms (faded: not yet digitally transformed), {run.label}", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", markerscale=1.2)
    ax.set_axis_off()
    return fig, g
