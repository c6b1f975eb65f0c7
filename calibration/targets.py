"""Calibration targets: observed figures through 2021, what the model must produce to match them, and the loss.

Levels are compared in logs, growth rates in growth points, each against its published y/y growth under the
same definition (so the 2019 narrow total is never chained with the 2020 one). Each target has a tolerance
`sigma` (observation and definition error); the model's own seed-to-seed spread is added to it, because the
observed history is one draw of a random world. z = (replicate mean - observed) / sqrt(sigma^2 + replicate var).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from calibration.observe import Run, firms_at_end, flow
from model.data import DATA_FILE, DataError, Observation, load_observed

LAST_FIT_YEAR = 2021  # nothing observed later enters the fit


@dataclass(frozen=True)
class Target:
    name: str
    key: tuple[int, str, str]  # (year, period, metric) of the observation
    what: str                  # 'total', 'cbec', 'dds', 'goods' (observe.flow) or 'firms'
    stat: str                  # 'level' (log) or 'growth' (published y/y)
    sigma: float               # log points (level) or growth points (growth)
    why: str

    def observed(self, obs: Observation) -> float:
        return math.log(obs.si_value) if self.stat == "level" else obs.yoy_pct / 100.0

    def simulated(self, run: Run, obs: Observation) -> float:
        year, months = obs.year, obs.months or 12
        if self.what == "firms":
            return math.log(firms_at_end(run, year))
        now = flow(run, self.what, year, months)
        if self.stat == "level":
            return math.log(now)
        return now / flow(run, self.what, year - 1, months) - 1.0


DT20, CBEC21, DDS21 = (2020, "FY", "digital_trade_total"), (2021, "Jan-Sep", "cbec_trade"), \
    (2021, "Jan-Sep", "digitally_deliverable_services_trade")
TARGETS = (
    Target("dt_2020", DT20, "total", "level", 0.05, "published total; 5 % definition/revision error"),
    Target("dt_2020_growth", DT20, "total", "growth", 0.03, "same-definition growth; 3 points"),
    Target("cbec_2021_jan_sep", CBEC21, "cbec", "level", 0.08,
           "Jan-Sep level vs three model quarters: no seasonality in the model (Q4 peak), 8 %"),
    Target("cbec_2021_jan_sep_growth", CBEC21, "cbec", "growth", 0.03, "same-definition growth; 3 points"),
    Target("dds_2021_jan_sep", DDS21, "dds", "level", 0.08, "as for CBEC"),
    Target("dds_2021_jan_sep_growth", DDS21, "dds", "growth", 0.03, "same-definition growth; 3 points"),
    Target("firms_2021", (2021, "FY", "firms_with_actual_trade"), "firms", "level", 0.03,
           "customs count of trading firms vs living firms of all kinds at 2021Q4"),
)
# Reported beside the fit, not fitted: the world's goods-demand path is a scenario input with constant growth,
# which cannot follow 2021's +22 % goods boom without extrapolating it to 2025.
CHECKS = (
    Target("goods_2021", (2021, "FY", "goods_trade_total"), "goods", "level", 0.05, "not fitted (check)"),
    Target("goods_2021_growth", (2021, "FY", "goods_trade_total"), "goods", "growth", 0.03, "not fitted (check)"),
)
# Not used, and why (the report prints these):
UNUSED = {
    "digital_trade_total 2019 FY": "older narrow definition; not comparable with the 2020 total (growth is used)",
    "digital_trade_total 2020 Jan-Jul": "1,444 is 33 % of the FY 4,334 after 7 months: another definition",
    "enterprises_on_cloud 2020": "410,000 enterprises of every sector; the model's firms are only trading firms",
    "2019 CBEC retail and services figures": "narrow 2019 definitions; they inform the initial kind totals only",
    "anything after 2021": "held out for the forecast",
}


def check_targets(observed: dict, targets=TARGETS + CHECKS) -> None:
    """Every target names a 2021-or-earlier observation with published growth where growth is compared."""
    for t in targets:
        obs = observed.get(t.key)
        if obs is None:
            raise ValueError(f"target {t.name}: no observation {t.key} in the data file")
        if obs.year > LAST_FIT_YEAR:
            raise ValueError(f"target {t.name}: {obs.label()} is after {LAST_FIT_YEAR}")
        if t.stat == "growth" and obs.yoy_pct is None:
            raise ValueError(f"target {t.name}: {obs.label()} has no published growth")


def measure(run: Run, observed: dict, targets=TARGETS + CHECKS) -> dict[str, float]:
    """Simulated statistic of each target for one run."""
    return {t.name: t.simulated(run, observed[t.key]) for t in targets}


def score(replicates: list[dict[str, float]], observed: dict, targets=TARGETS) -> dict:
    """Replicate mean, spread and z of each target, and the loss (sum of z^2 over `targets`)."""
    out, loss = {}, 0.0
    for t in targets:
        values = np.array([r[t.name] for r in replicates])
        sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        obs = t.observed(observed[t.key])
        z = (float(values.mean()) - obs) / math.sqrt(t.sigma ** 2 + sd ** 2)
        out[t.name] = {"mean": float(values.mean()), "sd": sd, "observed": obs, "z": z}
        loss += z * z
    return {"targets": out, "loss": loss}


def observations(path=None) -> dict:
    """The observed data (default data/zhejiang_observed.csv), checked against the targets; DataError (one line
    naming the file) if a file lacks what a target needs."""
    observed = load_observed() if path is None else load_observed(path)
    try:
        check_targets(observed)
    except ValueError as exc:
        raise DataError(f"{DATA_FILE if path is None else path}: {exc}") from None
    return observed
