"""Run the model and measure what the observations measure, from the simulated records (never from inputs).

The model's records start at 2020Q1; the end-2019 state (one quarter at end-2019 conditions) is read once
before the first step, so that 2019 annual digital trade is 4 x that quarter, as the kind totals were set.
Goods trade is not among the records, so it is summed from the firms' columns after each quarter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.api import run_to_horizon
from model.model import DigitalTradeModel
from model.records import TRADE_KINDS
from agents.vocabulary import CBEC, TRADITIONAL, quarter_index

# Observed aggregates as sums of the model's kinds of digital trade (model/records.py TRADE_KINDS):
# cross-border e-commerce = CBEC sellers + the digitally ordered (B2B e-commerce) part of traditional traders;
# digitally deliverable services = service and content exporters + overseas cloud sales. The two add up to
# the model's total digital trade, as CBEC + digitally deliverable services make up Zhejiang's published total.
KIND_GROUPS = {
    "cbec": ("traditional", "cbec"),
    "dds": ("service", "content", "cloud"),
}


@dataclass
class Run:
    """What one simulation yields for measurement: quarterly series and the end-2019 quarter."""

    quarters: np.ndarray                 # quarter indices recorded (0 = 2020Q1)
    digital_by_kind: np.ndarray          # (T, kinds) CNY/quarter, summed over cities
    digital_total: np.ndarray            # (T,) CNY/quarter
    goods_trade: np.ndarray              # (T,) CNY/quarter, traditional + CBEC firms' total trade
    firms: np.ndarray                    # (T,) living firms (weighted)
    digital_2019_by_kind: np.ndarray     # (kinds,) CNY/quarter at end-2019
    goods_2019: float                    # CNY/quarter at end-2019
    extra: dict = field(default_factory=dict)


def _goods_trade(m) -> float:
    f = m.firms
    goods = f.view("alive") & np.isin(f.view("kind"), (TRADITIONAL, CBEC))
    return float((f.view("weight") * f.view("trade"))[goods].sum())


def _digital_by_kind_now(m) -> np.ndarray:
    f = m.firms
    alive = f.view("alive")
    by_kind = np.bincount(f.view("kind")[alive], weights=(f.view("weight") * f.view("digital_trade"))[alive],
                          minlength=len(TRADE_KINDS) - 1)
    return np.r_[by_kind, m.clouds.view("overseas_sales").sum()]


def run_model(cfg, rng: np.random.SeedSequence | np.random.Generator | None = None, observer=None) -> Run:
    """Simulate `cfg` to its horizon (seeded by `rng`, or replicate 0); `observer(model)` after each quarter."""
    m = DigitalTradeModel(cfg, rng=rng)
    dt2019, goods2019 = _digital_by_kind_now(m), _goods_trade(m)
    goods = []

    def observe(model) -> None:
        goods.append(_goods_trade(model))
        if observer is not None:
            observer(model)

    run_to_horizon(m, observer=observe)
    rec = m.recorder
    return Run(quarters=np.array(rec.quarters), digital_by_kind=rec.series("digital_trade").sum(axis=1),
               digital_total=rec.series("digital_trade_total"), goods_trade=np.array(goods),
               firms=rec.series("firms").sum(axis=(1, 2)), digital_2019_by_kind=dt2019, goods_2019=goods2019,
               extra={"usd": rec.series("digital_trade_usd"), "model": m})


def _rows(run: Run, year: int, months: int) -> np.ndarray:
    """Rows of the first `months` // 3 quarters of `year` (all must have been simulated)."""
    first = quarter_index(f"{year}Q1")
    want = np.arange(first, first + months // 3)
    rows = np.searchsorted(run.quarters, want)
    if rows.size == 0 or rows[-1] >= len(run.quarters) or not np.array_equal(run.quarters[rows], want):
        raise ValueError(f"{year} (first {months} months) was not simulated")
    return rows


def flow(run: Run, what: str, year: int, months: int = 12) -> float:
    """CNY over the first `months` of `year` of `what`: 'total', 'goods', or a KIND_GROUPS name.

    2019 (before the first step) is the end-2019 quarter times the number of quarters.
    """
    idx = [TRADE_KINDS.index(k) for k in KIND_GROUPS.get(what, ())]
    if year == 2019:
        quarter = {"total": run.digital_2019_by_kind.sum(), "goods": run.goods_2019}.get(what)
        quarter = run.digital_2019_by_kind[idx].sum() if quarter is None else quarter
        return float(quarter * months / 3)
    rows = _rows(run, year, months)
    series = {"total": run.digital_total, "goods": run.goods_trade}.get(what)
    series = run.digital_by_kind[:, idx].sum(axis=1) if series is None else series
    return float(series[rows].sum())


def firms_at_end(run: Run, year: int) -> float:
    return float(run.firms[_rows(run, year, 12)[-1]])
