"""Run the model through `model.api.simulate` and measure what the observations measure, from the simulated records
and firms (never from inputs).

A run yields quarterly series (CNY per quarter, or firms) from 2020Q1 and the end-2019 quarter, which is the base the
recorder keeps for its index (`recorder.index.base`: the model's state before the first quarter). Annual 2019 flows
are that quarter times the number of quarters, as the model sets its kind totals (index 1 = 2019 on average). The
model has no seasonality: a period of months that ends inside a quarter takes the matching share of that quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.vocabulary import CBEC, FIRM_KINDS, MARKETS, TRADITIONAL, quarter_index
from model.api import simulate

K = len(FIRM_KINDS)
KIND = {name: i for i, name in enumerate(FIRM_KINDS + ("cloud",))}  # columns of the recorder's digital_trade
# Model series an observation can be compared with (calibration/targets.py maps each definition to one of them).
# Zhejiang's published digital trade is cross-border e-commerce (CBEC) plus digitally deliverable services; the
# model's digital trade is CBEC sellers + the digitally ordered (B2B e-commerce) trade of traditional traders +
# service and content exporters + overseas cloud sales: the two groups below add up to the model's total.
SERIES = {
    "digital_total": "digital trade of every kind",
    "digital_usd": "digital trade of every kind in USD (at the year's CNY/USD)",
    "cbec_group": "digital trade of CBEC sellers and the digitally ordered trade of traditional traders",
    "cbec_group_exports": "digital exports of CBEC sellers and traditional traders",
    "cbec_sellers": "digital trade of CBEC sellers only (platform sellers)",
    "cbec_sellers_exports": "digital exports of CBEC sellers only",
    "dds": "digital trade of service and content exporters and overseas cloud sales",
    "goods_total": "total trade of traditional traders and CBEC sellers (goods)",
    **{f"goods_{mk}": f"goods trade of firms whose main market is {mk}" for mk in MARKETS},
    "firms": "living firms of every kind (a count)",
}
GROUPS = {"digital_total": tuple(KIND.values()), "cbec_group": (TRADITIONAL, CBEC), "cbec_sellers": (CBEC,),
          "dds": (KIND["service"], KIND["content"], KIND["cloud"])}
STOCKS = ("firms",)


@dataclass
class Run:
    """What one simulation yields for measurement."""

    quarters: np.ndarray            # quarter indices recorded (0 = 2020Q1)
    series: dict[str, np.ndarray]   # SERIES name -> (T,) CNY/quarter (flows) or firms (stocks)
    base: dict[str, float]          # SERIES name -> the end-2019 quarter (only what the recorder's base holds)
    outcomes: object = None         # model.api.Outcomes of the run (scorecard, records)


class _Watch:
    """Observer for `simulate`: goods trade by market after every quarter, the end-2019 base at the first call."""

    def __init__(self):
        self.goods: list[np.ndarray] = []
        self.base = None

    def __call__(self, m) -> None:
        if self.base is None:
            self.base = {k: np.array(v, dtype=float) for k, v in m.recorder.index.base.items()
                         if k in ("digital_trade", "digital_exports", "firms")}
        f = m.firms
        alive = f.view("alive")
        goods = alive & np.isin(f.view("kind"), (TRADITIONAL, CBEC))
        self.goods.append(np.bincount(f.view("market")[goods], weights=(f.view("weight") * f.view("trade"))[goods],
                                      minlength=len(MARKETS)))


def preload() -> None:
    """Import every module a run needs now. Samplers fork worker processes (pyabc's multicore sampler anew for each
    generation); without this a worker would import the model's modules at its first run, from whatever is on disk
    then, and a long calibration could mix two versions of the model."""
    import model.model  # noqa: F401  (agents, phases, rounds, policy, records, ...)
    import model.network  # noqa: F401
    import model.targets  # noqa: F401
    for name in ("model.panel",):  # imported lazily by model.api.simulate where it exists
        try:
            __import__(name)
        except ImportError:
            pass


def run(cfg, replicate: int = 0, keep: bool = False) -> Run:
    """Simulate `cfg` (a composed config) as replicate `replicate` of cfg.seed (model.api.replicate_seed)."""
    watch = _Watch()
    out = simulate(cfg=cfg, replicate=replicate, observer=watch, keep_model=True)
    rec = out.model.recorder
    dt = rec.series("digital_trade").sum(axis=1)      # (T, kinds + cloud), summed over cities
    dx = rec.series("digital_exports").sum(axis=1)
    goods = np.array(watch.goods)
    series = {name: dt[:, list(cols)].sum(axis=1) for name, cols in GROUPS.items()}
    series["digital_total"] = rec.series("digital_trade_total")
    series["digital_usd"] = rec.series("digital_trade_usd")
    series["cbec_group_exports"] = dx[:, [TRADITIONAL, CBEC]].sum(axis=1)
    series["cbec_sellers_exports"] = dx[:, CBEC]
    series.update({"goods_total": goods.sum(axis=1), **{f"goods_{mk}": goods[:, i] for i, mk in enumerate(MARKETS)}})
    series["firms"] = rec.series("firms").sum(axis=(1, 2))
    b = watch.base
    base = {name: float(b["digital_trade"].sum(axis=0)[list(cols)].sum()) for name, cols in GROUPS.items()}
    base["cbec_group_exports"] = float(b["digital_exports"].sum(axis=0)[[TRADITIONAL, CBEC]].sum())
    base["cbec_sellers_exports"] = float(b["digital_exports"].sum(axis=0)[CBEC])
    base["firms"] = float(b["firms"].sum())
    if not keep:
        out.model = None  # the model's columns are large: drop them unless asked
    return Run(quarters=np.array(rec.quarters), series=series, base=base, outcomes=out)


def _overlap(year: int, months: int) -> tuple[int, list[tuple[int, float]]]:
    """(first quarter index, [(quarter offset, share of it in the period)]) for the first `months` of `year`."""
    full, part = divmod(months, 3)
    return quarter_index(f"{year}Q1"), [(i, 1.0) for i in range(full)] + ([(full, part / 3)] if part else [])


def flow(r: Run, name: str, year: int, months: int = 12) -> float:
    """CNY (or firm-quarters) of `name` over the first `months` of `year`; 2019 from the end-2019 quarter."""
    if name in STOCKS:
        raise ValueError(f"{name} is a count, not a flow: use stock()")
    if year == 2019:
        if name not in r.base:
            raise ValueError(f"{name}: the model keeps no end-2019 value")
        return r.base[name] * months / 3
    q0, parts = _overlap(year, months)
    rows = np.searchsorted(r.quarters, [q0 + i for i, _ in parts])
    if rows[-1] >= len(r.quarters) or not np.array_equal(r.quarters[rows], [q0 + i for i, _ in parts]):
        raise ValueError(f"{year} (first {months} months) was not simulated")
    return float(sum(share * r.series[name][row] for row, (_, share) in zip(rows, parts)))


def stock(r: Run, name: str, year: int, months: int = 12) -> float:
    """A count at the end of the quarter holding the period's last month (end-2019: the base)."""
    if year == 2019:
        return r.base[name]
    q = quarter_index(f"{year}Q1") + (months - 1) // 3
    row = int(np.searchsorted(r.quarters, q))
    if row >= len(r.quarters) or r.quarters[row] != q:
        raise ValueError(f"{year} (first {months} months) was not simulated")
    return float(r.series[name][row])


def value(r: Run, name: str, year: int, months: int = 12) -> float:
    return stock(r, name, year, months) if name in STOCKS else flow(r, name, year, months)
