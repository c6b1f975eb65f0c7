"""The plan's five 2025 targets and its 2022 milestone, scored from the simulated records (never from inputs)."""

from __future__ import annotations

import numpy as np

from agents.vocabulary import quarter_index
from model import index


def _year_rows(recorder, year: int) -> np.ndarray:
    rows = [i for i, q in enumerate(recorder.quarters) if 4 * (year - 2020) <= q < 4 * (year - 2019)]
    return np.array(rows, dtype=int) if len(rows) == 4 else np.empty(0, dtype=int)


def annual_digital_trade(recorder, year: int, currency: str = "CNY") -> float | None:
    """Digital trade summed over the year's four quarters (None if the year was not fully simulated)."""
    rows = _year_rows(recorder, year)
    if rows.size == 0:
        return None
    name = "digital_trade_usd" if currency == "USD" else "digital_trade_total"
    return float(recorder.series(name)[rows].sum())


def meets(value: float | None, threshold) -> bool | None:
    """Whether a value meets a target: at least the threshold, or within [min, max] (T5); None if not simulated."""
    if value is None:
        return None
    if isinstance(threshold, (list, tuple)):
        return bool(threshold[0] <= value <= threshold[1])
    return bool(value >= threshold)


def scorecard(model) -> dict:
    """{"T1": {value, threshold, unit, met}, … "T5": …}; value and met are None if the year is not simulated."""
    tg, rec = model.cfg.targets, model.recorder
    year_end = [i for i, q in enumerate(rec.quarters) if q == quarter_index(f"{tg.year}Q4")]
    end = year_end[0] if year_end else None

    def at_end(metric: str) -> float | None:
        return None if end is None else float(rec.series(metric)[end])

    usd = annual_digital_trade(rec, tg.year, "USD")
    now, base = annual_digital_trade(rec, tg.year), annual_digital_trade(rec, tg.t2_base_year)
    growth = None if now is None or base is None else (now / base) ** (1 / (tg.year - tg.t2_base_year)) - 1
    platforms, firms, bases = at_end("platforms_global"), at_end("key_enterprises"), at_end("demo_bases")

    values = {"T1": usd, "T2": growth, "T3": platforms, "T4": firms, "T5": bases}
    return {key: {"value": values[key], **goal, "met": meets(values[key], goal["threshold"])}
            for key, goal in goals(tg).items()}


def goals(tg) -> dict:
    """{"T1": {threshold, unit}, … "T5": …}: the plan's five targets as the config states them (`targets.*`)."""
    return {"T1": {"threshold": tg.t1_digital_trade_usd, "unit": "USD/year"},
            "T2": {"threshold": tg.t2_growth, "unit": "1/year"},
            "T3": {"threshold": tg.t3_platforms, "unit": "platforms"},
            "T4": {"threshold": tg.t4_enterprises, "unit": "firms"},
            "T5": {"threshold": [tg.t5_min, tg.t5_max], "unit": "bases"}}


# ----------------------------------------------------------------------------------------------- 2022 milestone
MILESTONE_QUARTER = "2022Q4"  # plan 一: 到2022年,初步建成… — judged at the end of 2022
MILESTONE_UNITS = {p: "cities" if p == "spillover" else "index points" for p in index.PILLARS}


def milestone_criteria(index_cfg) -> dict:
    """{dimension: the criterion in words} — each an interpretation of the plan's words (plan 一), thresholds from
    the config (`index.m2022_*`)."""
    out = {p: f"province {index.PILLAR_NAMES[p]} pillar ≥ {float(getattr(index_cfg, f'm2022_{p}')):g} index points "
              f"at {MILESTONE_QUARTER} (plan 一: {index.PLAN_WORDS[p]})" for p in index.PILLARS if p != "spillover"}
    out["spillover"] = (f"≥ {int(index_cfg.m2022_spillover_cities)} cities outside Hangzhou with index ≥ "
                        f"{float(index_cfg.m2022_spillover_index):g} at {MILESTONE_QUARTER} (plan 一: "
                        f"{index.PLAN_WORDS['spillover']})")
    return out


def _milestone(value_at) -> dict:
    """{dimension: {value, threshold, unit, met}, "all": met} from `value_at(metric)` (None if not simulated)."""
    out = {}
    for p in index.PILLARS:
        value, threshold = value_at(f"index_m2022_{p}"), value_at(f"index_m2022_{p}_threshold")
        out[p] = {"value": value, "threshold": threshold, "unit": MILESTONE_UNITS[p], "met": meets(value, threshold)}
    met = [out[p]["met"] for p in index.PILLARS]
    out["all"] = None if any(m is None for m in met) else all(met)
    return out


def milestone(model) -> dict:
    """The 2022 milestone of a run scored from its records at 2022Q4: per dimension {value, threshold, unit, met},
    and "all" (all five met); values and met are None if 2022Q4 was not simulated."""
    rec = model.recorder
    q = quarter_index(MILESTONE_QUARTER)
    row = rec.quarters.index(q) if q in rec.quarters else None
    return _milestone(lambda metric: None if row is None else float(rec.series(metric)[row]))


def milestone_from_records(frame) -> dict:
    """`milestone` from one replicate's tidy records (timeseries.parquet rows of one replicate)."""
    at = frame[(frame["quarter"] == MILESTONE_QUARTER) & frame["metric"].str.startswith("index_m2022_")]
    values = dict(zip(at["metric"], at["value"].astype(float)))
    return _milestone(values.get)


def index_path(frame) -> dict:
    """The province index of one replicate's tidy records: {"q4": {year: index at Q4}, "annual": {year: mean of its
    four quarters}} for every fully simulated year."""
    sub = frame[(frame["metric"] == "index") & (frame["city"] == index.PROVINCE)]
    q4 = {int(q[:4]): float(v) for q, v in zip(sub["quarter"], sub["value"]) if q.endswith("Q4")}
    return {"q4": q4, "annual": index.annual_means(frame)}
