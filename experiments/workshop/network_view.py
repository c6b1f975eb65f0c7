"""The network view: the model's multi-layer network aggregated to what a room can read on a projector, redrawn
every quarter at fixed places (so what moves is the model, not the layout). Platforms grouped by kind and global
status (T3), the 11 cities (in the zone or not, digital trade, share of firms transformed), the cloud providers
(domestic, foreign, not yet entered), linked by the number of firms (each agent counted for the firms it stands
for). Chosen over a sample of firm dots: every firm counts, nothing depends on a sampling seed, every node is
labelled."""

from __future__ import annotations

import math

import numpy as np

from agents.vocabulary import CITIES, FIRM_KINDS, PLATFORM_KINDS, PLATFORM_SERVES
from experiments.workshop import monitor
from experiments.workshop.charts import FONT, KIND_COLOURS, _legend, _option, _text

ZONE_IN, ZONE_OUT = "#31a354", "#bdbdbd"
NETWORK_CATEGORIES = ("city in the zone", "city not in the zone", *(f"{k} platforms" for k in PLATFORM_KINDS),
                      "cloud, domestic", "cloud, foreign", "not operating")
_CLOUD = len(PLATFORM_KINDS) + 2  # category of the first cloud entry


def network_data(model) -> dict:
    """The network aggregated to what a class can read: the 11 cities; the platforms grouped by kind and by
    global status (T3); the cloud providers one by one; and links weighted by the firms they join (each firm
    agent counted for the real firms it stands for). From the model's columns as they are now (every quarter)."""
    f, p, c = model.firms, model.platforms, model.clouds
    alive = f.view("alive").astype(bool)
    w = np.where(alive, f.view("weight"), 0.0)
    city, n_city = f.view("city"), len(CITIES)
    rec = model.recorder
    if rec.quarters:
        trade = np.asarray(rec.series("digital_trade"))[-1].sum(axis=1) * 4 / np.asarray(rec.series("fx"))[-1] / 1e9
        firms, done = (np.asarray(rec.series(m))[-1].sum(axis=1) for m in ("firms", "firms_transformed"))
    else:
        trade = np.zeros(n_city)
        firms = np.bincount(city, weights=w, minlength=n_city)
        done = np.bincount(city, weights=w * f.view("transformed"), minlength=n_city)
    q = model.quarter
    zone = monitor.zone_by_quarter(model)[q] if q >= 0 else np.zeros(n_city, dtype=bool)
    # platforms: group = kind x global
    kind, glob, active = p.view("kind"), p.view("global_").astype(bool), p.view("active").astype(bool)
    group = kind * 2 + (~glob).astype(int)  # 2k: global, 2k+1: not global
    n_group = 2 * len(PLATFORM_KINDS)
    slots = f.view("platforms")
    rows, col = np.nonzero((slots >= 0) & alive[:, None])
    member = slots[rows, col]
    ok = active[member]
    pairs = np.unique(np.stack([rows[ok], group[member[ok]]], axis=1), axis=0) if ok.any() else np.empty((0, 2), int)
    to_group = np.bincount(city[pairs[:, 0]] * n_group + pairs[:, 1], weights=w[pairs[:, 0]],
                           minlength=n_city * n_group).reshape(n_city, n_group)
    groups = [{"kind": PLATFORM_KINDS[g // 2], "global": g % 2 == 0,
               "count": int((active & (group == g)).sum()), "gmv": float(p.view("gmv")[active & (group == g)].sum())}
              for g in range(n_group)]
    cloud = f.view("cloud")
    uses = alive & (cloud >= 0)
    to_cloud = np.bincount(city[uses] * c.n + cloud[uses], weights=w[uses], minlength=n_city * c.n) \
        .reshape(n_city, c.n)
    links = model.links
    same = city[links[:, 0]] == city[links[:, 1]] if len(links) else np.zeros(0, bool)
    within = np.bincount(city[links[same, 0]], minlength=n_city) if len(links) else np.zeros(n_city)
    ends = np.bincount(city[links.ravel()], minlength=n_city) if len(links) else np.zeros(n_city)
    return {"cities": [{"name": CITIES[i], "zone": bool(zone[i]), "trade": float(trade[i]),
                        "transformed": float(done[i] / firms[i]) if firms[i] > 0 else 0.0,
                        "b2b_within": float(2 * within[i] / ends[i]) if ends[i] > 0 else 0.0}
                       for i in range(n_city)],
            "groups": groups, "to_group": to_group,
            "clouds": [{"foreign": bool(c.view("foreign")[k]), "active": bool(c.view("active")[k]),
                        "home": CITIES[int(c.view("home")[k])], "demand": float(c.view("demand")[k])}
                       for k in range(c.n)],
            "to_cloud": to_cloud}


def _group_name(g: dict) -> str:
    return f"{g['kind']} platforms, {'global' if g['global'] else 'not global'}"


def _cloud_name(k: int, cl: dict) -> str:
    return f"{'foreign' if cl['foreign'] else 'domestic'} cloud {k + 1} ({cl['home']})"


def network_option(run) -> dict:
    """The network as three columns at fixed places, so that what changes from quarter to quarter is the model,
    not the layout: platform groups (left), cities (middle, green while in the zone, sized by digital trade, with
    the share of their firms digitally transformed), cloud providers (right); a line's width is the number of firms
    of the city on those platforms or with that provider."""
    d = network_data(run.model)
    n_city = len(d["cities"])
    height = 100.0

    def ys(n: int) -> list[float]:
        return [height * (i + 0.5) / n for i in range(n)]
    nodes, links = [], []
    trade_max = max([c["trade"] for c in d["cities"]] + [1e-9])
    for c, y in zip(d["cities"], ys(n_city)):
        nodes.append({"name": c["name"], "x": 50.0, "y": y, "category": 0 if c["zone"] else 1,
                      "symbolSize": 12 + 26 * math.sqrt(c["trade"] / trade_max),
                      "value": round(c["trade"], 2),
                      "label": {"show": True, "position": "top", "fontSize": FONT, "distance": 2,
                                "formatter": f"{c['name']} · {100 * c['transformed']:.0f} % digital",
                                "backgroundColor": "rgba(255,255,255,0.85)"},
                      "tooltip": {"formatter": f"{c['name']}: digital trade USD {c['trade']:.1f} bn/yr; "
                                               f"{100 * c['transformed']:.0f} % of firms digitally transformed; "
                                               f"{100 * c['b2b_within']:.0f} % of B2B links within the city"}})
    shown = [(i, g) for i, g in enumerate(d["groups"]) if g["count"] > 0]
    gmv_max = max([g["gmv"] for _, g in shown] + [1e-9])
    for (_, g), y in zip(shown, ys(max(len(shown), 1))):
        name = _group_name(g)
        nodes.append({"name": name, "x": 0.0, "y": y, "category": 2 + PLATFORM_KINDS.index(g["kind"]),
                      "symbol": "rect", "symbolSize": 10 + 22 * math.sqrt(g["gmv"] / gmv_max),
                      "itemStyle": {"borderColor": "#000" if g["global"] else "#fff", "borderWidth": 3},
                      "label": {"show": True, "position": "right", "fontSize": FONT,
                                "formatter": f"{g['count']} {g['kind']}{', global (T3)' if g['global'] else ''}",
                                "backgroundColor": "rgba(255,255,255,0.85)"}})
    demand_max = max([cl["demand"] for cl in d["clouds"]] + [1e-9])
    for k, (cl, y) in enumerate(zip(d["clouds"], ys(max(len(d["clouds"]), 1)))):
        nodes.append({"name": _cloud_name(k, cl), "x": 100.0, "y": y,
                      "category": (_CLOUD + 1 if cl["foreign"] else _CLOUD) if cl["active"] else _CLOUD + 2,
                      "symbol": "triangle",
                      "symbolSize": 10 + 20 * math.sqrt(cl["demand"] / demand_max),
                      "label": {"show": True, "position": "left", "fontSize": FONT,
                                "formatter": f"{'foreign' if cl['foreign'] else 'cloud'} {k + 1}"
                                             f"{'' if cl['active'] else ' (not entered)'}",
                                "backgroundColor": "rgba(255,255,255,0.85)"}})
    weights = [*d["to_group"].ravel(), *d["to_cloud"].ravel()]
    top = max(weights + [1e-9])

    def width(v: float) -> float:
        return round(0.4 + 9 * math.sqrt(v / top), 2)
    for i, c in enumerate(d["cities"]):
        for j, g in shown:
            v = float(d["to_group"][i, j])
            if v > 0:
                links.append({"source": _group_name(g), "target": c["name"], "value": round(v),
                              "lineStyle": {"width": width(v),
                                            "color": KIND_COLOURS[FIRM_KINDS[PLATFORM_SERVES[g["kind"]]]]}})
        for k, cl in enumerate(d["clouds"]):
            v = float(d["to_cloud"][i, k])
            if v > 0:
                links.append({"source": c["name"], "target": _cloud_name(k, cl), "value": round(v),
                              "lineStyle": {"width": width(v), "color": "#d62728" if cl["foreign"] else "#e6a0a0"}})
    colours = [ZONE_IN, ZONE_OUT, *(KIND_COLOURS[FIRM_KINDS[PLATFORM_SERVES[k]]] for k in PLATFORM_KINDS),
               "#e6a0a0", "#d62728", "#dddddd"]
    n_global = sum(g["count"] for g in d["groups"] if g["global"])
    n_zone = sum(c["zone"] for c in d["cities"])
    foreign = sum(cl["foreign"] and cl["active"] for cl in d["clouds"])
    option = _option(f"Network in {run.label} (one draw): platforms, cities, cloud providers",
                     f"Network in {run.label}: {n_zone} of {n_city} cities in the zone, {n_global} global platforms, "
                     f"{foreign} foreign cloud providers operating; line width: firms linked.",
                     legend=_legend(list(NETWORK_CATEGORIES)),
                     series=[{"type": "graph", "layout": "none", "roam": False, "data": nodes, "links": links,
                              "categories": [{"name": name, "itemStyle": {"color": colour}}
                                             for name, colour in zip(NETWORK_CATEGORIES, colours)],
                              "lineStyle": {"opacity": 0.45, "curveness": 0.08},
                              "emphasis": {"focus": "adjacency", "lineStyle": {"opacity": 0.9}},
                              "left": 30, "right": 30, "top": 60, "bottom": 90}])
    option["tooltip"] = {"trigger": "item", "textStyle": _text()}
    return option
