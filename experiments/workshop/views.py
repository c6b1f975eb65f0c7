"""The workshop's charts as ECharts options (plain dicts of numbers and labels) built from a WorkshopRun and its
ensemble summary: the server sends the data and the participant's browser draws it (solara.FigureEcharts; ECharts
ships with solara-assets, so no request leaves the machine). Building an option is a few milliseconds of the
server's time, so many sessions stepping at once do not queue behind one another's drawing. Tests build the options
headless.

The network view is in network_view.py, the index's small multiples in index_view.py, what they share in
charts.py; this module re-exports them, so `views.<name>_option` is every chart. Every option carries
`aria.label.description`: ECharts writes it into the chart's `aria-label`, so screen readers
(and the browser test) can read what a chart shows and up to which quarter. Every text is at least FONT px (a
projector at 1280x720); the browser test measures the fonts ECharts actually draws.
"""

from __future__ import annotations

import numpy as np

from agents.vocabulary import CITIES, FIRST_YEAR, quarter_index, quarter_label
from experiments.workshop.charts import (FONT, HEIGHTS, KIND_COLOURS, NONE, PIN_COLOURS, RUN, STAR, TITLE, _labels,
                                         _legend, _legend_room, _num, _option, _quarter_axis, _text, _value_axis)
from experiments.workshop.index_view import monitor_option
from experiments.workshop.network_view import NETWORK_CATEGORIES, network_data, network_option
from model.records import TRADE_KINDS
from model.targets import annual_digital_trade
from model.world import fx_path

__all__ = ["FONT", "TITLE", "HEIGHTS", "PIN_COLOURS", "KIND_COLOURS", "NETWORK_CATEGORIES", "city_kind_option",
           "fx_option", "monitor_option", "network_data", "network_option", "t2_path_usd", "trade_option"]


def _band(name: str, stats: dict, colour: str, scale: float = 1e9, stack: str = "") -> list[dict]:
    """A median line and its 5-95 % band (ECharts: the 5 % line, then the 95-5 % difference stacked on it and
    filled), under one legend name; two invisible lines carry the 5 % and 95 % values to the tooltip."""
    lo, hi, mid = (np.array([np.nan if v is None else v for v in stats[k]], dtype=float) / scale
                   for k in ("q05", "q95", "median"))
    stack = stack or f"band {name}"
    quiet = {"type": "line", "showSymbol": False, "silent": True, "tooltip": {"show": False}}
    return [{**quiet, "name": name, "stack": stack, "data": _num(lo), "lineStyle": {"opacity": 0}, "color": colour},
            {**quiet, "name": name, "stack": stack, "data": _num(hi - lo), "lineStyle": {"opacity": 0},
             "areaStyle": {"color": colour, "opacity": 0.22}, "color": colour},
            {"name": name, "type": "line", "data": _num(mid), "color": colour, "showSymbol": False,
             "lineStyle": {"width": 2.5}},
            {"name": f"{name}: 5 %", "type": "line", "data": _num(lo), "showSymbol": False,
             "lineStyle": {"opacity": 0}, "color": colour},
            {"name": f"{name}: 95 %", "type": "line", "data": _num(hi), "showSymbol": False,
             "lineStyle": {"opacity": 0}, "color": colour}]


def fx_years(cfg, n: int) -> np.ndarray:
    """(n,) CNY per USD of a config's world over the horizon (model.world.fx_path: the rate the model uses)."""
    return fx_path(cfg.world, n)


def t2_path_usd(run) -> tuple[list[str], list[float], float]:
    """T2 as a path on the USD chart: the target's growth applied to the base year's digital trade *in CNY* (as
    the scorecard measures T2), each year divided by that year's CNY per USD (the rate the run uses): a calendar
    year's total at or above the path meets T2's growth to that year. The base year from this run once simulated,
    else from the no-plan run of the same seed."""
    model, tg = run.model, run.cfg.targets
    n = model.n_quarters
    fx = fx_years(run.cfg, n)
    base = annual_digital_trade(model.recorder, tg.t2_base_year)
    if base is None:
        first = quarter_index(f"{tg.t2_base_year}Q1")
        base = float(run.none.cny[first: first + 4].sum())
    labels, values = [], []
    for year in range(tg.t2_base_year, tg.year + 1):
        q4 = quarter_index(f"{year}Q4")
        if q4 < n:
            labels.append(quarter_label(q4))
            values.append(base * (1 + tg.t2_growth) ** (year - tg.t2_base_year) / fx[q4] / 1e9)
    return labels, values, base


def trade_option(run, summary: dict | None = None, pins: tuple = ()) -> dict:
    """Digital trade in USD bn per year: the ensemble of these settings (median and 5-95 % of its seeds) and of
    the no-plan run, the one draw stepped so far (and its calendar-year totals), the no-plan draw of the same seed,
    T2 as a path in USD at each year's rate, T1, and the pinned runs' ensemble medians. `pins`: (name, summary)."""
    model, tg = run.model, run.cfg.targets
    rec, t, n = model.recorder, len(model.recorder.quarters), model.n_quarters
    labels = _labels(n)
    series, names = [], []
    if summary:
        seeds = f"{summary['n']} seeds" if summary["complete"] else f"{summary['n']} of {summary['of']} seeds so far"
        for side, name, colour in (("none", f"no plan: median, 5–95 % of {seeds}", NONE),
                                   ("run", f"{run.name}: median, 5–95 % of {seeds}", RUN)):
            series += _band(name, summary[side], colour)
            names.append(name)
    draw = f"one draw (seed {run.cfg.seed}): {run.name}"
    latest = ""
    none_name = f"no plan, one draw (seed {run.cfg.seed})"
    series.append({"name": none_name, "type": "line", "data": _num(run.none.usd * 4 / 1e9), "color": NONE,
                   "showSymbol": False, "lineStyle": {"width": 1.5, "type": "dotted"}})
    names.append(none_name)
    if t:
        usd = rec.series("digital_trade_usd") * 4 / 1e9
        latest = f", latest quarter USD {usd[-1]:,.1f} bn a year"
        series.append({"name": draw, "type": "line", "data": _num(usd), "color": "#0b3d91", "showSymbol": False,
                       "lineStyle": {"width": 3},
                       "markLine": {"silent": True, "symbol": "none", "label": {"show": False},
                                    "lineStyle": {"type": "dotted", "color": "#0b3d91"},
                                    "data": [{"xAxis": labels[t - 1]}]}})
        names.append(draw)
    q4 = {year: quarter_index(f"{year}Q4") for year in range(FIRST_YEAR, FIRST_YEAR + n // 4 + 1)}
    years = [y for y in q4 if q4[y] < n and annual_digital_trade(rec, y) is not None]
    if years:
        totals = "calendar-year totals (one draw, at Q4)"
        series.append({"name": totals, "type": "scatter", "color": "#0b3d91", "symbolSize": 10,
                       "data": [[labels[q4[y]], _num([annual_digital_trade(rec, y, "USD") / 1e9])[0]]
                                for y in years]})
        names.append(totals)
    path_labels, path, _ = t2_path_usd(run)
    t2 = f"T2: {100 * tg.t2_growth:.0f} %/yr in CNY from {tg.t2_base_year}, in USD at each year's rate"
    series.append({"name": t2, "type": "line", "color": "#000000", "lineStyle": {"type": "dashed", "width": 1.5},
                   "showSymbol": False, "data": [[x, y] for x, y in zip(path_labels, _num(path))]})
    names.append(t2)
    if q4.get(tg.year, n) < n:
        t1 = f"T1: USD {tg.t1_digital_trade_usd / 1e9:.0f} bn in {tg.year}"
        series.append({"name": t1, "type": "scatter", "symbol": STAR, "symbolSize": 20, "color": "crimson",
                       "data": [[labels[q4[tg.year]], _num([tg.t1_digital_trade_usd / 1e9])[0]]]})
        names.append(t1)
    for i, (name, pinned) in enumerate(pins):
        if not pinned:
            continue
        label = f"pin {i + 1}: {name} (median)"
        series.append({"name": label, "type": "line", "color": PIN_COLOURS[i % len(PIN_COLOURS)],
                       "showSymbol": False, "lineStyle": {"width": 2.5, "type": [8, 4]},
                       "data": _num(np.array([np.nan if v is None else v for v in pinned["run"]["median"]]) / 1e9)})
        names.append(label)
    band = "" if not summary else (f"; ensemble of {summary['n']} of {summary['of']} seeds"
                                   + (" (complete)" if summary["complete"] else " (still running)"))
    return _option("Digital trade (imports + exports), USD bn per year",
                   f"Digital trade in USD bn per year: one draw of {run.name} to {run.label}{latest}, against the "
                   f"no-plan run of the same seed, the T2 path and T1{band}; pinned runs: {len(pins)}.",
                   legend=_legend(names), grid={"top": 44, "bottom": _legend_room(names),
                                                "left": 16, "right": 28, "containLabel": True},
                   xAxis=_quarter_axis(labels), yAxis=_value_axis("USD bn/yr", min=0), series=series)


def fx_option(run, pins: tuple = ()) -> dict:
    """CNY per USD over the horizon: the rate this run uses (model.world.fx_path of its world; observed annual
    averages, then its scenario), every scenario of `world.fx_scenarios` beside it, and the pinned runs' rates."""
    n = run.model.n_quarters
    labels = _labels(n)
    world = run.cfg.world
    series, names = [], []
    for i, scenario in enumerate(world.fx_scenarios):
        if scenario == world.fx:
            continue
        other = {**{k: world[k] for k in ("fx_observed", "fx_scenarios")}, "fx": scenario}
        name = f"world.fx={scenario} ({float(world.fx_scenarios[scenario]):.2f} from {_first_unobserved(world)})"
        series.append({"name": name, "type": "line", "data": _num(fx_path(_Obj(other), n)), "showSymbol": False,
                       "color": ("#aaaaaa", "#cc9966", "#66aa99", "#9999cc")[i % 4],
                       "lineStyle": {"type": "dashed", "width": 1.5}})
        names.append(name)
    used = fx_years(run.cfg, n)
    this = f"this run: world.fx={world.fx} ({float(world.fx_scenarios[world.fx]):.2f})"
    t = len(run.model.recorder.quarters)
    series.append({"name": this, "type": "line", "data": _num(used), "color": RUN, "showSymbol": False,
                   "lineStyle": {"width": 3},
                   **({"markLine": {"silent": True, "symbol": "none", "label": {"show": False},
                                    "lineStyle": {"type": "dotted", "color": RUN},
                                    "data": [{"xAxis": labels[t - 1]}]}} if t else {})})
    names.append(this)
    for i, (name, pinned) in enumerate(pins):
        if pinned is None:
            continue
        label = f"pin {i + 1}: {name}"
        series.append({"name": label, "type": "line", "data": _num(pinned["run"]["fx"]), "showSymbol": False,
                       "color": PIN_COLOURS[i % len(PIN_COLOURS)], "lineStyle": {"width": 2, "type": [8, 4]}})
        names.append(label)
    return _option("Exchange rate: CNY per US dollar (T1 is scored in USD)",
                   f"CNY per USD to {labels[-1]}: this run uses world.fx={world.fx} ({run.label}); the other "
                   f"scenarios and the pinned runs beside it.",
                   legend=_legend(names), grid={"top": 44, "bottom": _legend_room(names), "left": 16, "right": 28,
                                                "containLabel": True},
                   xAxis=_quarter_axis(labels), yAxis=_value_axis("CNY per USD", scale=True), series=series)


def _first_unobserved(world) -> int:
    year = FIRST_YEAR
    while str(year) in world.fx_observed:
        year += 1
    return year


class _Obj(dict):
    """A dict read by attribute (fx_path reads world.fx_observed, world.fx_scenarios, world.fx)."""
    __getattr__ = dict.__getitem__


def city_kind_option(run) -> dict:
    """Digital trade of the last quarter by city (stacked by kind), and by kind over time; USD bn per year."""
    model = run.model
    rec, t = model.recorder, len(model.recorder.quarters)
    if not t:
        return _option("Digital trade by city and by kind", f"No quarter simulated yet ({run.label}).",
                       graphic=[{"type": "text", "left": "center", "top": "middle",
                                 "style": {"text": "press Step or Play", "fontSize": TITLE, "fill": "#666"}}])
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
    option = _option(f"Digital trade by city ({run.label}) and by kind (one draw), USD bn per year",
                     f"Digital trade by city in {run.label}, stacked by kind (largest: {top}), and the province's "
                     f"by kind over time.",
                     legend=_legend(list(kinds)),
                     grid=[{"left": 8, "width": "38%", "top": 44, "bottom": 44, "containLabel": True},
                           {"left": "55%", "right": 20, "top": 44, "bottom": 44, "containLabel": True}],
                     xAxis=[_value_axis(grid=0, splitNumber=3), _quarter_axis(labels, grid=1, every=8)],
                     yAxis=[{"type": "category", "gridIndex": 0, "data": [CITIES[i] for i in order],
                             "axisLabel": _text(interval=0)},
                            _value_axis(grid=1, min=0)],
                     series=series)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}, "textStyle": _text()}
    return option
