"""The monitoring view's chart: the composite digital-trade index and its pillars by city as small multiples, with
the zone's quarters shaded and the milestone's quarter marked (the data from monitor.py)."""

from __future__ import annotations

import math

import numpy as np

from agents.vocabulary import CITIES
from experiments.workshop import monitor
from experiments.workshop.charts import (FONT, HEIGHTS, MONITOR_COLUMNS, PILLAR_COLOURS, TITLE, ZONE_COLOUR, _labels,
                                         _legend, _num, _quarter_axis, _text)

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
    top0, height, gap = 44, (HEIGHTS["monitor"] - 44 - 90) / rows, 64
    pillars = [name for name in found if name != monitor.COMPOSITE]
    colours = {monitor.COMPOSITE: "#111111", **{name: PILLAR_COLOURS[i % len(PILLAR_COLOURS)]
                                                for i, name in enumerate(pillars)}}
    judged = [q for q in monitor.milestone_quarters(metrics=metrics) if q in labels]
    marks = {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#b00020", "width": 1},
             "label": {"formatter": "milestone", "position": "insideEndTop", "fontSize": FONT, "color": "#b00020"},
             "data": [{"xAxis": q} for q in judged]} if judged else None
    grids, xs, ys, titles, series = [], [], [], [], []
    for i, (name, c) in enumerate(panels):
        row, col = divmod(i, MONITOR_COLUMNS)
        left, top = 3 + col * (96 / MONITOR_COLUMNS), top0 + row * height + 18
        grids.append({"left": f"{left + 3:.1f}%", "width": f"{96 / MONITOR_COLUMNS - 6:.1f}%",
                      "top": round(top), "height": round(height - gap)})
        titles.append({"text": name, "left": f"{left + 3:.1f}%", "top": round(top - 20),
                       "textStyle": {"fontSize": FONT, "fontWeight": "bold"}})
        xs.append(_quarter_axis(labels, grid=i, every=8))
        ys.append({"type": "value", "gridIndex": i, "min": _num([lo])[0], "max": _num([hi])[0], "splitNumber": 2,
                   "axisLabel": {"fontSize": FONT, "show": col == 0}})
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
            "title": [{"text": f"Digital-trade index by city, one draw ({run.label}); shaded: in the zone"
                               + ("; dashed: milestone" if judged else ""), "left": "center",
                       "textStyle": _text(TITLE)}, *titles],
            "aria": {"enabled": True, "label": {"description": (
                f"Digital-trade index to {run.label}, one panel per city: {', '.join(names)}; the quarters each "
                f"city is in the zone are shaded.")}},
            "textStyle": _text(), "tooltip": {"trigger": "axis", "textStyle": _text()},
            "legend": _legend([*names, "in the zone"]),
            "grid": grids, "xAxis": xs, "yAxis": ys, "series": series}
