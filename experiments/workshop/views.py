"""The workshop's charts as ECharts options (plain dicts of numbers and labels) built from a WorkshopRun: the server
sends the data and the participant's browser draws it (solara.FigureEcharts; ECharts ships with solara-assets, so
no request leaves the machine). Building an option is a few milliseconds of the server's time, so many sessions
stepping at once do not queue behind one another's drawing. Tests build the options headless.

Every option carries `aria.label.description`: ECharts writes it into the chart's `aria-label`, so screen readers
(and the browser test) can read what a chart shows and up to which quarter.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from agents.vocabulary import CITIES, FIRM_KINDS, FIRST_YEAR, quarter_index, quarter_label
from experiments.workshop import monitor
from model.records import TRADE_KINDS
from model.targets import annual_digital_trade

KIND_COLOURS = {"traditional": "#8c6d31", "cbec": "#e6550d", "service": "#3182bd", "content": "#756bb1",
                "cloud": "#d62728", "platform": "#31a354"}
PILLAR_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4")
ZONE_COLOUR = "rgba(49, 163, 84, 0.13)"
STAR = ("path://M50,0 L61,35 L98,35 L68,57 L79,91 L50,70 L21,91 L32,57 L2,35 L39,35 Z")  # T1's marker
HEIGHTS = {"trade": 380, "city": 340, "network": 520, "monitor": 660}  # px, of each chart's box on the page
MONITOR_COLUMNS = 4


def _num(values, digits: int = 4) -> list:
    """Numbers for the browser: a few significant digits (a smaller message), None for NaN (a gap)."""
    out = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(None if not math.isfinite(v) else float(f"{v:.{digits}g}"))
    return out


def _labels(n_quarters: int) -> list[str]:
    return [quarter_label(q) for q in range(n_quarters)]


def _option(title: str, description: str, **rest) -> dict:
    """What every chart shares: no animation (30 pages redraw at once on one machine), a title, the aria text."""
    return {"animation": False, "aria": {"enabled": True, "label": {"description": description}},
            "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
            "tooltip": {"trigger": "axis"}, **rest}


def _quarter_axis(labels: list[str], grid: int = 0, every: int = 4, **rest) -> dict:
    return {"type": "category", "data": labels, "gridIndex": grid, "boundaryGap": False,
            "axisLabel": {"interval": every - 1, "fontSize": 10}, **rest}


def trade_option(run) -> dict:
    """Digital trade in USD (annualised quarters, and calendar-year totals at each year's Q4) against the target
    path, beside the policy=none run of the same seed."""
    model, tg = run.model, run.cfg.targets
    rec, t, n = model.recorder, len(model.recorder.quarters), model.n_quarters
    labels = _labels(n)
    series = [{"name": "policy=none, same seed (whole run)", "type": "line", "data": _num(run.none.usd * 4 / 1e9),
               "color": "#999999", "lineStyle": {"width": 2}, "showSymbol": False}]
    latest = ""
    if t:
        usd = rec.series("digital_trade_usd") * 4 / 1e9
        latest = f", latest quarter USD {usd[-1]:,.1f} bn a year"
        series.append({"name": f"this run ({run.settings.preset})", "type": "line", "data": _num(usd),
                       "color": "#1f77b4", "lineStyle": {"width": 3}, "showSymbol": False,
                       "markLine": {"silent": True, "symbol": "none", "label": {"show": False},
                                    "lineStyle": {"type": "dotted", "color": "#1f77b4"},
                                    "data": [{"xAxis": labels[t - 1]}]}})
    q4 = {year: quarter_index(f"{year}Q4") for year in range(FIRST_YEAR, FIRST_YEAR + n // 4 + 1)}
    years = [y for y in q4 if q4[y] < n and annual_digital_trade(rec, y) is not None]
    series.append({"name": "calendar-year total (at its Q4)", "type": "scatter", "color": "#1f77b4",
                   "symbolSize": 9, "data": [[labels[q4[y]], _num([annual_digital_trade(rec, y, "USD") / 1e9])[0]]
                                             for y in years]})
    base = annual_digital_trade(rec, tg.t2_base_year, "USD")
    if base is None:  # before the base year is complete, the path starts from the no-plan run's base year
        first = quarter_index(f"{tg.t2_base_year}Q1")
        base = float(run.none.usd[first: first + 4].sum())
    path = [y for y in range(tg.t2_base_year, tg.year + 1) if q4.get(y, n) < n]
    series.append({"name": f"T2 path: {100 * tg.t2_growth:.0f} %/year from {tg.t2_base_year}", "type": "line",
                   "color": "#000000", "lineStyle": {"type": "dashed", "width": 1}, "showSymbol": False,
                   "data": [[labels[q4[y]], _num([base * (1 + tg.t2_growth) ** (y - tg.t2_base_year) / 1e9])[0]]
                            for y in path]})
    if q4.get(tg.year, n) < n:
        series.append({"name": f"T1: USD {tg.t1_digital_trade_usd / 1e9:.0f} bn in {tg.year}", "type": "scatter",
                       "symbol": STAR, "symbolSize": 18, "color": "crimson",
                       "data": [[labels[q4[tg.year]], _num([tg.t1_digital_trade_usd / 1e9])[0]]]})
    return _option("Digital trade (imports + exports), USD bn per year",
                   f"Digital trade in USD bn per year: this run to {run.label}{latest}, against the policy=none "
                   f"run of the same seed, the T2 path and T1.",
                   legend={"top": 24, "textStyle": {"fontSize": 10}, "itemHeight": 8},
                   grid={"top": 78, "bottom": 28, "left": 48, "right": 16},
                   xAxis=_quarter_axis(labels), yAxis={"type": "value", "min": 0, "name": "USD bn/yr",
                                                       "nameTextStyle": {"fontSize": 10}},
                   series=series)


def city_kind_option(run) -> dict:
    """Digital trade of the last quarter by city (stacked by kind), and by kind over time; USD bn per year."""
    model = run.model
    rec, t = model.recorder, len(model.recorder.quarters)
    if not t:
        return _option("Digital trade by city and by kind", f"No quarter simulated yet ({run.label}).",
                       graphic=[{"type": "text", "left": "center", "top": "middle",
                                 "style": {"text": "press Step or Play", "fontSize": 14, "fill": "#666"}}])
    fx = rec.series("fx")
    usd = rec.series("digital_trade") * 4 / fx[:, None, None] / 1e9  # (T, cities, kinds + cloud)
    kinds = TRADE_KINDS[: usd.shape[2]]
    order = np.argsort(usd[-1].sum(axis=1))  # the largest city on top
    labels = _labels(model.n_quarters)
    series = []
    for k, kind in enumerate(kinds):
        series.append({"name": kind, "type": "bar", "stack": "city", "xAxisIndex": 0, "yAxisIndex": 0,
                       "color": KIND_COLOURS[kind], "data": _num(usd[-1][order, k], 3)})
    for k, kind in enumerate(kinds):
        series.append({"name": kind, "type": "line", "stack": "kind", "areaStyle": {}, "showSymbol": False,
                       "xAxisIndex": 1, "yAxisIndex": 1, "color": KIND_COLOURS[kind], "lineStyle": {"width": 0.5},
                       "data": _num(usd[:, :, k].sum(axis=1), 3)})
    top = CITIES[order[-1]]
    option = _option(f"Digital trade by city ({run.label}) and by kind, USD bn per year",
                     f"Digital trade by city in {run.label}, stacked by kind (largest: {top}), and the province's "
                     f"by kind over time.",
                     legend={"top": 24, "data": list(kinds), "textStyle": {"fontSize": 10}, "itemHeight": 8},
                     grid=[{"left": 70, "width": "36%", "top": 60, "bottom": 28},
                           {"left": "57%", "right": 12, "top": 60, "bottom": 28}],
                     xAxis=[{"type": "value", "gridIndex": 0, "axisLabel": {"fontSize": 10}},
                            _quarter_axis(labels, grid=1, every=8)],
                     yAxis=[{"type": "category", "gridIndex": 0, "data": [CITIES[i] for i in order],
                             "axisLabel": {"fontSize": 10}},
                            {"type": "value", "gridIndex": 1, "min": 0, "axisLabel": {"fontSize": 10}}],
                     series=series)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    return option


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


def network_option(run, sample: NetworkSample) -> tuple[dict, nx.Graph]:
    """The sample as an ECharts graph at the layout's positions (placed on the server, once per new node)."""
    g = sample.graph(run.model)
    pos = sample.layout(g)
    categories = [*FIRM_KINDS, "platform", "cloud"]
    shape = {"platform": "rect", "cloud": "triangle"}
    nodes = []
    for n, d in g.nodes(data=True):
        x, y = pos[n]
        node = {"name": n, "x": round(float(x) * 400, 1), "y": round(-float(y) * 400, 1)}
        if d["kind"] == "firm":
            node.update(category=d["firm_kind"], symbolSize=6)
            if not d["transformed"]:
                node["itemStyle"] = {"opacity": 0.3}
        else:
            node.update(category=categories.index(d["kind"]), symbolSize=11, symbol=shape[d["kind"]])
        nodes.append(node)
    colour = {"b2b": "#444444", "platform": "#9bd39b", "cloud": "#f2a3a3"}
    links = [{"source": a, "target": b, "lineStyle": {"color": colour[d["layer"]]}} for a, b, d in g.edges(data=True)]
    n_firms = sum(1 for _, d in g.nodes(data=True) if d["kind"] == "firm")
    option = _option(f"{n_firms} sampled firms (faded: not yet digitally transformed), {run.label}",
                     f"Network sample in {run.label}: {n_firms} firms, {g.number_of_edges()} links to B2B partners, "
                     f"platforms (squares) and cloud providers (triangles).",
                     legend={"bottom": 4, "data": categories, "textStyle": {"fontSize": 10}},
                     series=[{"type": "graph", "layout": "none", "roam": True, "data": nodes, "links": links,
                              "categories": [{"name": c, "itemStyle": {"color": KIND_COLOURS[c]}}
                                             for c in categories],
                              "lineStyle": {"width": 0.6, "opacity": 0.8}, "emphasis": {"focus": "adjacency"},
                              "top": 40, "bottom": 40}])
    option["tooltip"] = {"trigger": "item"}
    return option, g


def monitor_option(run, metrics: dict | None = None) -> dict | None:
    """Small multiples, one panel per city (and one for the province when the recorder keeps it): the composite
    index (black) and its pillars over the quarters so far, on one shared scale, with the quarters in which the city
    is in the zone shaded (the phasing, over the whole horizon). None if the model records no index."""
    model = run.model
    found = monitor.index_series(model.recorder, metrics)
    if found is None:
        return None
    labels = _labels(model.n_quarters)
    zone = monitor.zone_by_quarter(model)
    panels = [(city, c) for c, city in enumerate(CITIES)]
    if any(v.shape[1] > len(CITIES) for v in found.values()):
        panels.append(("Zhejiang (province)", len(CITIES)))
    values = np.concatenate([v.ravel() for v in found.values()])
    values = values[np.isfinite(values)]
    lo = float(min(values.min(), 0.0)) if values.size else 0.0
    hi = float(values.max()) if values.size and values.max() > lo else lo + 100.0
    step = 50.0 if hi - lo > 100 else 10.0 if hi - lo > 10 else 1.0
    hi = math.ceil(hi / step) * step  # a round top for the shared scale
    rows = math.ceil(len(panels) / MONITOR_COLUMNS)
    top0, height, gap = 64, (HEIGHTS["monitor"] - 64 - 20) / rows, 34
    pillars = [name for name in found if name != monitor.COMPOSITE]
    colours = {monitor.COMPOSITE: "#111111", **{name: PILLAR_COLOURS[i % len(PILLAR_COLOURS)]
                                                for i, name in enumerate(pillars)}}
    judged = [q for q in monitor.milestone_quarters(metrics=metrics) if q in labels]
    marks = {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#b00020", "width": 1},
             "label": {"formatter": "milestone", "fontSize": 9, "color": "#b00020"},
             "data": [{"xAxis": q} for q in judged]} if judged else None
    grids, xs, ys, titles, series = [], [], [], [], []
    for i, (name, c) in enumerate(panels):
        row, col = divmod(i, MONITOR_COLUMNS)
        left, top = 4 + col * (96 / MONITOR_COLUMNS), top0 + row * height + 16
        grids.append({"left": f"{left + 2.5:.1f}%", "width": f"{96 / MONITOR_COLUMNS - 4:.1f}%",
                      "top": round(top), "height": round(height - gap)})
        titles.append({"text": name, "left": f"{left + 2.5:.1f}%", "top": round(top - 17),
                       "textStyle": {"fontSize": 11, "fontWeight": "normal"}})
        xs.append(_quarter_axis(labels, grid=i, every=8))
        ys.append({"type": "value", "gridIndex": i, "min": _num([lo])[0], "max": _num([hi])[0], "splitNumber": 2,
                   "axisLabel": {"fontSize": 9, "show": col == 0}})
        # the zone's quarters of a city (the province: of any city), shaded on a series of its own
        bands = monitor.spans(zone[:, c] if c < len(CITIES) else zone.any(axis=1))
        series.append({"name": "in the zone", "type": "line", "xAxisIndex": i, "yAxisIndex": i, "silent": True,
                       "data": [None] * len(labels), "color": "rgba(49, 163, 84, 0.5)",
                       "markArea": {"silent": True, "itemStyle": {"color": ZONE_COLOUR},
                                    "data": [[{"xAxis": labels[a]}, {"xAxis": labels[b]}] for a, b in bands]},
                       **({"markLine": marks} if marks else {})})
        for metric, v in found.items():
            if c >= v.shape[1]:
                continue
            composite = metric == monitor.COMPOSITE
            series.append({"name": monitor.pillar_name(metric), "type": "line", "xAxisIndex": i, "yAxisIndex": i,
                           "data": _num(v[:, c], 4), "showSymbol": False, "color": colours[metric],
                           "lineStyle": {"width": 2.5 if composite else 1.2}, "z": 3 if composite else 2})
    names = [monitor.pillar_name(m) for m in found]
    return {"animation": False,
            "title": [{"text": f"Digital-trade index by city: composite and pillars ({run.label}); shaded: in the "
                               "zone" + ("; dashed: when the milestone is judged" if judged else ""), "left": "center",
                       "textStyle": {"fontSize": 13}}, *titles],
            "aria": {"enabled": True, "label": {"description": (
                f"Digital-trade index to {run.label}, one panel per city: {', '.join(names)}; the quarters each "
                f"city is in the zone are shaded.")}},
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 22, "data": [*names, "in the zone"], "textStyle": {"fontSize": 10}, "itemHeight": 8},
            "grid": grids, "xAxis": xs, "yAxis": ys, "series": series}
