"""What the monitoring view shows, as plain data: the composite digital-trade index and its pillars by city over the
quarters simulated so far, the zone's phasing (which cities are in the zone in which quarter), and the 2022
milestone (the scorecard's entries other than T1–T5, e.g. M2022, and the criteria the recorder keeps for it). No
Solara, no drawing: views.py draws, panels.py writes.

The index is whatever the recorder records under a name starting with "index" (model.records.METRICS): by city
("city": the 11 cities; "city_all": the cities, then the province), "index" is the composite and every other such
name a pillar ("index_<pillar>"); a province-level number ("" dimensions) is a criterion of the milestone, with its
threshold under the same name + "_threshold". Nothing here names a pillar, so a model version that records other
pillars, or none, needs no change here; without any, `index_series` returns None and the page says the index is
not available in this model version.
"""

from __future__ import annotations

import re

import numpy as np

from agents.vocabulary import CITIES, quarter_label
from model import records
from model.policy import ZONE_LEVERS, coverage

COMPOSITE = "index"
BY_CITY = ("city", "city_all")  # (cities,) and (cities + 1,): the province last
TARGET_KEYS = ("T1", "T2", "T3", "T4", "T5")
THRESHOLD = "_threshold"


def _dims(spec) -> str:
    return tuple(spec)[1]


def index_metrics(metrics: dict | None = None) -> dict[str, tuple[str, str]]:
    """name -> (unit, dimensions) of the index metrics by city, the composite first, then its pillars in the
    recorder's order."""
    metrics = records.METRICS if metrics is None else metrics
    found = {name: spec for name, spec in metrics.items() if name.startswith(COMPOSITE) and _dims(spec) in BY_CITY}
    return dict(sorted(found.items(), key=lambda kv: kv[0] != COMPOSITE))


def criteria_metrics(metrics: dict | None = None) -> dict[str, tuple[str, str]]:
    """name -> (unit, dimensions) of the province-level index metrics (the milestone's criteria), thresholds
    excluded."""
    metrics = records.METRICS if metrics is None else metrics
    return {name: spec for name, spec in metrics.items() if name.startswith(COMPOSITE) and _dims(spec) == ""
            and not name.endswith(THRESHOLD)}


def pillar_name(metric: str) -> str:
    """'index' -> 'composite index'; 'index_clustering' -> the model's name of the pillar if it has one
    (model.index.PILLAR_NAMES), else 'clustering'."""
    if metric == COMPOSITE:
        return "composite index"
    short = metric[len(COMPOSITE):].lstrip("_")
    try:
        from model.index import PILLAR_NAMES
    except ImportError:  # a model version without the index module
        PILLAR_NAMES = {}
    return PILLAR_NAMES.get(short, short.replace("_", " ")) or metric


def _recorded(recorder, names) -> list[str]:
    data = getattr(recorder, "data", {})
    return [name for name in names if name in data]


def index_series(recorder, metrics: dict | None = None) -> dict[str, np.ndarray] | None:
    """metric -> (T, cities) or (T, cities + 1) values so far (the province last); None when the model records no
    index by city."""
    found = index_metrics(metrics)
    names = _recorded(recorder, found)
    if not names:
        return None
    width = {"city": len(CITIES), "city_all": len(CITIES) + 1}
    return {name: np.asarray(recorder.series(name), dtype=float).reshape(len(recorder.quarters), -1)
            if recorder.quarters else np.empty((0, width[_dims(found[name])])) for name in names}


def criteria(recorder, metrics: dict | None = None) -> list[dict]:
    """The milestone's criteria as recorded in the last quarter: name, unit, value and threshold (None before
    the first quarter, or without a threshold metric)."""
    metrics = records.METRICS if metrics is None else metrics
    data = getattr(recorder, "data", {})
    out = []
    for name, spec in criteria_metrics(metrics).items():
        if name not in data:
            continue
        last = float(np.asarray(recorder.series(name))[-1]) if recorder.quarters else None
        limit = name + THRESHOLD
        threshold = float(np.asarray(recorder.series(limit))[-1]) if recorder.quarters and limit in data else None
        out.append({"name": name, "unit": tuple(spec)[0], "value": last, "threshold": threshold})
    return out


def zone_by_quarter(model) -> np.ndarray:
    """(quarters, cities) True where at least one of the zone's own levers acts (model.policy.coverage of each
    lever, as set_policy_stance computes it each quarter) — the whole horizon, the quarters not yet run included:
    the plan's phasing as the participant set it."""
    policy = model.params.policy
    return np.array([np.logical_or.reduce([coverage(getattr(policy, lever), model.rollout, q)
                                           for lever in ZONE_LEVERS]) for q in range(model.n_quarters)])


def spans(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a (quarters,) array as (first, last) quarter indices."""
    out, start = [], None
    for q, on in enumerate(list(flags) + [False]):
        if on and start is None:
            start = q
        elif not on and start is not None:
            out.append((start, q - 1))
            start = None
    return out


def phasing_rows(model) -> list[dict]:
    """Per city: when it is in the zone (over the horizon) and which levers act there this quarter
    (model.stance[lever].cover)."""
    zone = zone_by_quarter(model)
    acting = {lever: np.asarray(st.cover, dtype=bool) for lever, st in model.stance.items()}
    rows = []
    for c, city in enumerate(CITIES):
        periods = [f"{quarter_label(a)}–{quarter_label(b)}" if b > a else quarter_label(a)
                   for a, b in spans(zone[:, c])]
        rows.append({"city": city, "zone": ", ".join(periods) or "never",
                     "now": [lever for lever, cover in acting.items() if cover[c]]})
    return rows


def milestones(card: dict) -> dict[str, dict]:
    """The scorecard's entries other than the five targets (e.g. M2022), as they are."""
    return {key: entry for key, entry in card.items() if key not in TARGET_KEYS}


def scored_milestone(model) -> dict | None:
    """model.targets.milestone(model) — {dimension: {value, threshold, unit, met}, "all": met}, judged at the
    milestone quarter — if this model version scores the milestone; else None."""
    try:
        from model.targets import milestone
    except ImportError:
        return None
    return milestone(model)


def milestone_quarter() -> str:
    try:
        from model.targets import MILESTONE_QUARTER
    except ImportError:
        return "2022Q4"
    return MILESTONE_QUARTER


def criterion_dimension(metric: str) -> str:
    """'index_m2022_clustering' -> 'clustering': the milestone dimension a recorded criterion measures."""
    return re.sub(r"^index_m\d{4}_", "", metric)


def milestone_quarters(card: dict | None = None, metrics: dict | None = None) -> list[str]:
    """The quarters the milestones are judged at: the Q4 of each year named by a milestone key (M2022) or by a
    criterion metric (index_m2022_…)."""
    metrics = records.METRICS if metrics is None else metrics
    names = [*milestones(card or {}), *criteria_metrics(metrics)]
    years = {int(m.group(1)) for name in names if (m := re.search(r"(?:^|_)[mM](\d{4})(?:_|$)", name))}
    return [f"{year}Q4" for year in sorted(years)]
