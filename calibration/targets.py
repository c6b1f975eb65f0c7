"""What each observed figure is compared with: every (metric, definition) of data/zhejiang_observed.csv is mapped to
one model series (calibration/observe.py::SERIES) or listed as not used, with the reason. Figures of different
definitions are never mixed: each measure compares one observation with the series its definition maps to, as a
level (in logs) or as its own published same-definition growth. The commerce department's monitoring of
cross-border e-commerce is several times the customs-platform figure and neither is the CBEC part of the digital-trade
statistics: each has its own mapping, and the two broad or narrow ones are compared only through their growth.

A measure has a tolerance `sigma` (observation and definition error, in log points or growth points). The ABC
distance is sqrt(sum over fitted measures of ((simulated - observed) / sigma)^2), one model run per particle, so the
model's own randomness is part of the fit (calibration/abc.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from calibration.observe import SERIES, Run, value
from model.data import DATA_FILE, DataError, Observation, load_observed

LAST_OBSERVED = 2023  # nothing observed later enters any fit (calibration is "through" a year up to this)

# (metric, definition) -> (model series, comparisons allowed, why)
MAPPING = {
    ("digital_trade_total", "zj_dt_2020"): ("digital_total", "level, growth",
                                           "the province's digital-trade statistics: CBEC + digitally deliverable "
                                           "services"),
    ("cbec_trade", "zj_cbec_2021"): ("cbec_group", "level, growth", "CBEC part of the digital-trade statistics"),
    ("digitally_deliverable_services_trade", "zj_dds_2021"): ("dds", "level, growth",
                                                              "services part of the digital-trade statistics"),
    ("cbec_trade", "cbec_commerce_monitoring"): ("cbec_group", "growth",
                                                 "commerce-department monitoring, a broader CBEC count: growth only"),
    ("cbec_exports", "cbec_commerce_monitoring"): ("cbec_group_exports", "growth", "as above, exports"),
    ("cbec_trade_customs_platforms", "cbec_customs_platforms"): ("cbec_sellers", "growth",
                                                                 "customs CBEC platforms only (narrow): platform "
                                                                 "sellers; growth only"),
    ("cbec_exports_customs_platforms", "cbec_customs_platforms"): ("cbec_sellers_exports", "growth",
                                                                   "as above, exports"),
    ("cbec_retail_trade", "cbec_retail_commerce_dept"): ("cbec_sellers", "growth",
                                                         "cross-border online retail (commerce department): platform "
                                                         "sellers; growth only"),
    ("cbec_retail_exports", "cbec_retail_commerce_dept"): ("cbec_sellers_exports", "growth", "as above, exports"),
    ("goods_trade_total", "customs_total"): ("goods_total", "level, growth", "customs goods trade"),
    ("goods_trade_us", "customs_by_partner"): ("goods_us", "growth", "trade with the US: firms whose main market "
                                               "is the US; growth only (a firm's whole trade counts for its market)"),
    ("goods_trade_eu", "customs_by_partner"): ("goods_eu", "growth", "trade with the EU, as for the US"),
    ("goods_trade_asean", "customs_by_partner"): ("goods_asia", "growth",
                                                  "ASEAN is part of the model's Asia group: a proxy, growth only"),
    ("firms_with_actual_trade", "customs_trading_firms"): ("firms", "level, growth",
                                                           "living firms of all kinds at the period's last quarter"),
}
# (metric, definition) -> why it is not compared with the model
UNUSED = {
    ("digital_trade_total", "zj_dt_report_2019"): "older, narrower definition; the 2020 total's growth is used",
    ("digitally_deliverable_services_trade", "zj_dds_report_2019"): "older, narrower definition (2019 report)",
    ("digital_trade_total", "zj_dt_cifts_2020"): "1,444 is a third of the 2020 total after seven months: another "
                                                 "definition",
    ("cbec_retail_imports", "cbec_retail_commerce_dept"): "imports only; the model's import ratios are inputs",
    ("cbec_active_online_stores", "as_published"): "stores, not firms (a firm runs several)",
    ("base_stations_5g", "as_published"): "infrastructure the model does not count",
    ("enterprises_on_cloud", "as_published"): "enterprises of every sector; the model's firms are trading firms",
    ("digital_economy_core_value_added", "as_published"): "value added of the whole digital economy",
    ("digital_trade_index", "zj_dt_index_2022"): "a 39-indicator index of another construction than the model's "
                                                 "(model/index.py); not comparable",
}


@dataclass(frozen=True)
class Measure:
    name: str
    key: tuple[int, str, str]  # (year, period, metric) of the observation
    stat: str                  # 'level' (log) or 'growth' (the published same-definition y/y growth)
    sigma: float               # log points (level) or growth points (growth)
    fitted: bool               # False: reported in the predictive checks only
    why: str

    def series(self, observed: dict) -> str:
        obs = observed[self.key]
        return MAPPING[(obs.metric, obs.definition)][0]

    def observed(self, obs: Observation) -> float:
        return math.log(obs.si_value) if self.stat == "level" else obs.yoy_pct / 100.0

    def simulated(self, r: Run, obs: Observation, series: str) -> float:
        months = obs.months or 12
        now = value(r, series, obs.year, months)
        if self.stat == "level":
            return math.log(now) if now > 0 else -50.0  # no activity at all: far from any observation
        before = value(r, series, obs.year - 1, months)
        return now / before - 1.0 if before > 0 else 50.0


def _m(name, year, period, metric, stat, sigma, why, fitted=True):
    return Measure(name, (year, period, metric), stat, sigma, fitted, why)


LEVEL, GROWTH = "level", "growth"
MEASURES = (
    _m("dt_2020", 2020, "FY", "digital_trade_total", LEVEL, 0.05, "published total; 5 % definition/revision error"),
    _m("dt_2020_growth", 2020, "FY", "digital_trade_total", GROWTH, 0.03, "same-definition growth; 3 points"),
    _m("cbec_retail_2020q1_growth", 2020, "Jan-Mar", "cbec_retail_trade", GROWTH, 0.05,
       "one quarter against the end-2019 quarter (no seasonality in the model); 5 points"),
    _m("cbec_retail_exports_2020q1_growth", 2020, "Jan-Mar", "cbec_retail_exports", GROWTH, 0.05,
       "the same release's exports", fitted=False),
    _m("cbec_2021_jan_sep", 2021, "Jan-Sep", "cbec_trade", LEVEL, 0.08,
       "three model quarters, no seasonality (Q4 peaks): 8 %"),
    _m("cbec_2021_jan_sep_growth", 2021, "Jan-Sep", "cbec_trade", GROWTH, 0.03, "same-definition growth; 3 points"),
    _m("dds_2021_jan_sep", 2021, "Jan-Sep", "digitally_deliverable_services_trade", LEVEL, 0.08, "as for CBEC"),
    _m("dds_2021_jan_sep_growth", 2021, "Jan-Sep", "digitally_deliverable_services_trade", GROWTH, 0.03,
       "same-definition growth; 3 points"),
    _m("firms_2021", 2021, "FY", "firms_with_actual_trade", LEVEL, 0.03, "customs count vs living firms at 2021Q4"),
    _m("goods_2021", 2021, "FY", "goods_trade_total", LEVEL, 0.05, "customs total; 5 %"),
    _m("goods_2021_growth", 2021, "FY", "goods_trade_total", GROWTH, 0.03, "customs growth; 3 points"),
    _m("goods_us_2021_growth", 2021, "FY", "goods_trade_us", GROWTH, 0.04, "by partner; 4 points"),
    _m("goods_eu_2021_growth", 2021, "FY", "goods_trade_eu", GROWTH, 0.04, "by partner; 4 points"),
    _m("goods_asean_2021_growth", 2021, "FY", "goods_trade_asean", GROWTH, 0.06, "ASEAN for Asia: 6 points"),
    _m("goods_2022_jan_apr_growth", 2022, "Jan-Apr", "goods_trade_total", GROWTH, 0.04,
       "four months (a third of Q2): 4 points"),
    _m("firms_2022_jan_apr_growth", 2022, "Jan-Apr", "firms_with_actual_trade", GROWTH, 0.03,
       "firms trading in Jan-Apr vs living firms at 2022Q2; 3 points"),
    _m("goods_2022_growth", 2022, "FY", "goods_trade_total", GROWTH, 0.03, "customs growth; 3 points"),
    _m("cbec_2022_growth", 2022, "FY", "cbec_trade", GROWTH, 0.04, "monitoring growth (growth only); 4 points"),
    _m("cbec_exports_2022_growth", 2022, "FY", "cbec_exports", GROWTH, 0.04, "monitoring growth; 4 points"),
    _m("goods_2023_jan_feb_growth", 2023, "Jan-Feb", "goods_trade_total", GROWTH, 0.06,
       "two months, Spring Festival timing: 6 points"),
    _m("goods_asean_2023_jan_feb_growth", 2023, "Jan-Feb", "goods_trade_asean", GROWTH, 0.08,
       "two months, a proxy market", fitted=False),
    _m("cbec_platforms_2023_jan_feb_growth", 2023, "Jan-Feb", "cbec_trade_customs_platforms", GROWTH, 0.15,
       "two months of the narrow customs-platform count against a depressed early 2022", fitted=False),
    _m("cbec_platform_exports_2023_jan_feb_growth", 2023, "Jan-Feb", "cbec_exports_customs_platforms", GROWTH, 0.15,
       "as above, exports", fitted=False),
    _m("cbec_2023_jan_apr_growth", 2023, "Jan-Apr", "cbec_trade", GROWTH, 0.05, "monitoring, four months: 5 points"),
    _m("cbec_exports_2023_jan_apr_growth", 2023, "Jan-Apr", "cbec_exports", GROWTH, 0.05, "as above, exports"),
    _m("goods_2023_growth", 2023, "FY", "goods_trade_total", GROWTH, 0.03, "customs growth; 3 points"),
)


def fitted(through: int = LAST_OBSERVED, measures=MEASURES) -> tuple[Measure, ...]:
    """The measures a calibration through `through` fits (observed in `through` or before)."""
    return tuple(m for m in measures if m.fitted and m.key[0] <= through)


def horizon(measures) -> str:
    """The last quarter the measures need simulated."""
    year, months = max((m.key[0], 12 if m.key[1] == "FY" else _months(m.key[1])) for m in measures)
    return f"{year}Q{(months - 1) // 3 + 1}"


def _months(period: str) -> int:
    from model.data import MONTHS
    return 12 if period == "FY" else 6 if period == "H1" else MONTHS.index(period.split("-")[-1]) + 1


def check(observed: dict, measures=MEASURES) -> None:
    """Every measure names an observation through LAST_OBSERVED whose (metric, definition) is mapped and allows the
    comparison; every row of the file is mapped or listed as unused (so no figure is silently ignored)."""
    for m in measures:
        obs = observed.get(m.key)
        if obs is None:
            raise ValueError(f"measure {m.name}: no observation {m.key} in the data file")
        if obs.year > LAST_OBSERVED:
            raise ValueError(f"measure {m.name}: {obs.label()} is after {LAST_OBSERVED}")
        mapped = MAPPING.get((obs.metric, obs.definition))
        if mapped is None:
            raise ValueError(f"measure {m.name}: definition {obs.definition!r} of {obs.metric} is not mapped")
        if m.stat not in mapped[1]:
            raise ValueError(f"measure {m.name}: {obs.definition} allows {mapped[1]} only, not {m.stat}")
        if m.stat == GROWTH and obs.yoy_pct is None:
            raise ValueError(f"measure {m.name}: {obs.label()} has no published growth")
        if mapped[0] not in SERIES:
            raise ValueError(f"measure {m.name}: unknown model series {mapped[0]!r}")
    for obs in observed.values():
        if (obs.metric, obs.definition) not in MAPPING and (obs.metric, obs.definition) not in UNUSED:
            raise ValueError(f"row {obs.row} ({obs.label()}): definition {obs.definition!r} is neither mapped to a "
                             "model series nor listed as unused (calibration/targets.py)")


def measure(r: Run, observed: dict, measures=MEASURES) -> dict[str, float]:
    """Simulated statistic of each measure for one run."""
    return {m.name: m.simulated(r, observed[m.key], m.series(observed)) for m in measures}


def observed_stats(observed: dict, measures=MEASURES) -> dict[str, float]:
    return {m.name: m.observed(observed[m.key]) for m in measures}


def observations(path=None) -> dict:
    """The observed data (default data/zhejiang_observed.csv), checked against the measures; DataError (one line
    naming the file) if a row or a measure does not fit."""
    observed = load_observed() if path is None else load_observed(path)
    try:
        check(observed)
    except ValueError as exc:
        raise DataError(f"{DATA_FILE if path is None else path}: {exc}") from None
    return observed
