"""The plan's five 2025 targets, scored from the simulated records (never from inputs)."""

from __future__ import annotations

import numpy as np

from agents.vocabulary import quarter_index


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

    def entry(value, threshold, unit):
        return {"value": value, "threshold": threshold, "unit": unit, "met": meets(value, threshold)}

    return {
        "T1": entry(usd, tg.t1_digital_trade_usd, "USD/year"),
        "T2": entry(growth, tg.t2_growth, "1/year"),
        "T3": entry(platforms, tg.t3_platforms, "platforms"),
        "T4": entry(firms, tg.t4_enterprises, "firms"),
        "T5": entry(bases, [tg.t5_min, tg.t5_max], "bases"),
    }
