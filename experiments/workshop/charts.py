"""What every workshop chart shares: projector-sized text (FONT px at least; titles TITLE), the colours, each chart's
height on the page, and small helpers that turn numbers into an ECharts option (no animation, an aria description
that ECharts writes into the chart's aria-label). views.py, network_view.py and index_view.py build the charts."""

from __future__ import annotations

import math

import numpy as np

from agents.vocabulary import quarter_label

KIND_COLOURS = {"traditional": "#8c6d31", "cbec": "#e6550d", "service": "#3182bd", "content": "#756bb1",
                "cloud": "#d62728", "platform": "#31a354"}
PILLAR_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4")
ZONE_COLOUR = "rgba(49, 163, 84, 0.13)"
STAR = ("path://M50,0 L61,35 L98,35 L68,57 L79,91 L50,70 L21,91 L32,57 L2,35 L39,35 Z")  # T1's marker
HEIGHTS = {"trade": 470, "city": 400, "network": 600, "monitor": 1000, "fx": 420}  # px, each chart's box
MONITOR_COLUMNS = 3
FONT, TITLE = 14, 16  # px: the smallest text on any chart, and titles (readable on a projector)
PIN_COLOURS = ("#d62728", "#9467bd", "#2ca02c")  # up to three pinned runs
RUN, NONE = "#1f77b4", "#7f7f7f"
__all__ = ["KIND_COLOURS", "PILLAR_COLOURS", "ZONE_COLOUR", "STAR", "HEIGHTS", "MONITOR_COLUMNS", "FONT", "TITLE",
           "PIN_COLOURS", "RUN", "NONE"]


def _num(values, digits: int = 4) -> list:
    """Numbers for the browser: a few significant digits (a smaller message), None for NaN (a gap)."""
    out = []
    for v in np.asarray(values, dtype=float).ravel():
        out.append(None if not math.isfinite(v) else float(f"{v:.{digits}g}"))
    return out


def _labels(n_quarters: int) -> list[str]:
    return [quarter_label(q) for q in range(n_quarters)]


def _text(size: int = FONT, **rest) -> dict:
    return {"fontSize": size, **rest}


def _option(title: str, description: str, **rest) -> dict:
    """What every chart shares: no animation (30 pages redraw at once on one machine), a title, the aria text,
    projector-sized text everywhere (ECharts' default is 12 px)."""
    return {"animation": False, "aria": {"enabled": True, "label": {"description": description}},
            "textStyle": _text(), "title": {"text": title, "left": "center", "textStyle": _text(TITLE)},
            "tooltip": {"trigger": "axis", "textStyle": _text()}, **rest}


def _legend(names: list[str], **rest) -> dict:
    return {"data": names, "bottom": 0, "textStyle": _text(), "itemHeight": 12, "itemGap": 14, **rest}


def _legend_room(names: list[str], width: int = 620) -> int:
    """px to keep under the plot for a bottom legend of these names, at a chart `width` (~ the narrowest page):
    ~7.5 px a character and 40 px of symbol and gap per entry, rows of 24 px."""
    rows, used = 1, 0.0
    for name in names:
        w = 7.5 * len(name) + 40
        if used and used + w > width:
            rows, used = rows + 1, 0.0
        used += w
    return 36 + 24 * rows


def _quarter_axis(labels: list[str], grid: int = 0, every: int = 4, **rest) -> dict:
    # margin: the first quarter's label sits below the y axis's lowest label, not over it
    return {"type": "category", "data": labels, "gridIndex": grid, "boundaryGap": False,
            "axisLabel": {"interval": every - 1, "fontSize": FONT, "hideOverlap": True, "margin": 14}, **rest}


def _value_axis(name: str = "", grid: int = 0, **rest) -> dict:
    axis = {"type": "value", "gridIndex": grid, "axisLabel": _text(), "nameTextStyle": _text()}
    if name:
        axis["name"] = name
    return {**axis, **rest}
