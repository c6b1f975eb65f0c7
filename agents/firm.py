"""Firms: traditional goods traders, CBEC sellers, digital-service exporters, digital-content exporters.

State (one row per firm agent; `weight` real firms stand behind each row):

| symbol | column | unit | meaning |
|---|---|---|---|
| k | kind | code | FIRM_KINDS index |
| c | city | code | CITIES index |
| b | park | code | candidate park index, -1 outside any park |
| w | weight | firms | real firms this agent represents (1/scale, 1 in the take-all stratum) |
| Y | size | CNY/quarter | trade at end-2019 conditions (heavy-tailed) |
| A | productivity | index | idiosyncratic random walk, 1 at start |
| m | maturity | 0..1 | digital maturity; grows after transformation |
| T | trade | CNY/quarter | exports + imports this quarter |
| DT | digital_trade | CNY/quarter | the part of T that counts as digital trade |
"""

from __future__ import annotations

import numpy as np

from agents.state import ArrayState, RowAgent, row_view
from model.vocabulary import CBEC, CONTENT, FIRM_KINDS, SERVICE, TRADITIONAL

MAX_HOMING = 3  # platforms a seller can be on at once (multi-homing)

GLOSSARY = {
    "kind": ("i1", "code", "firm kind (FIRM_KINDS index)"),
    "city": ("i1", "code", "city (CITIES index)"),
    "park": ("i2", "code", "candidate park, -1 none"),
    "market": ("i1", "code", "main foreign market group (MARKETS index)"),
    "foreign": ("?", "flag", "foreign-owned"),
    "alive": ("?", "flag", "operating"),
    "weight": ("f8", "firms", "real firms represented"),
    "size": ("f8", "CNY/quarter", "trade at end-2019 conditions"),
    "productivity": ("f8", "index", "idiosyncratic productivity"),
    "maturity": ("f8", "0..1", "digital maturity"),
    "transformed": ("?", "flag", "has digitally transformed"),
    "transform_quarter": ("i2", "quarter index", "when it transformed, -1 never / before 2020"),
    "cloud": ("i2", "code", "cloud provider row, -1 none"),
    "platforms": ("i2", "code", "platform rows it sells on (multi-homing), -1 empty slot"),
    "trade": ("f8", "CNY/quarter", "exports + imports"),
    "digital_trade": ("f8", "CNY/quarter", "digital trade (exports + imports)"),
    "digital_exports": ("f8", "CNY/quarter", "digital exports"),
    "digital_trade_recent": ("f8", "CNY/quarter", "digital trade of the last four quarters (ring by quarter)"),
    "digital_trade_year": ("f8", "CNY/year", "digital trade over the last four quarters"),
    "talent_need": ("f8", "workers", "digital workers needed at full output"),
    "talent_hired": ("f8", "workers", "digital workers employed"),
    "grants": ("f8", "CNY", "special-fund grants received, cumulative"),
    "tax_relief": ("f8", "CNY", "tax expenditure in its favour, cumulative"),
    "born": ("i2", "quarter index", "entry quarter, -1 incumbent at start"),
}


class FirmState(ArrayState):
    GLOSSARY = GLOSSARY
    FILL = {"park": -1, "cloud": -1, "platforms": -1, "transform_quarter": -1, "born": -1,
            "productivity": 1.0, "alive": True}
    SHAPES = {"platforms": (MAX_HOMING,), "digital_trade_recent": (4,)}


@row_view("firms", GLOSSARY)
class Firm(RowAgent):
    """One firm (or `weight` similar firms); a view onto its row of model.firms."""

    @property
    def kind_name(self) -> str:
        return FIRM_KINDS[self.kind]


# ---------------------------------------------------------------------------------------------- pure functions
def pareto_sizes(n: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """Heavy-tailed sizes with minimum 1 (rescaled later to observed totals)."""
    return (1.0 - rng.random(n)) ** (-1.0 / alpha)


def annuity_factor(horizon_years: float, discount_rate: float) -> float:
    """Present value of CNY 1 a quarter for the horizon."""
    r = discount_rate / 4
    n = 4 * horizon_years
    return n if r == 0 else (1 - (1 + r) ** -n) / r


def digital_share(kind: np.ndarray, maturity: np.ndarray, transformed: np.ndarray,
                  share_untransformed: float, share_transformed: float) -> np.ndarray:
    """Share of a firm's trade that is digital trade: all of it for the digital kinds."""
    trad = share_untransformed + transformed * maturity * (share_transformed - share_untransformed)
    return np.where(kind == TRADITIONAL, trad, 1.0)


def transformation_uplift(kind: np.ndarray, maturity: np.ndarray, transformed: np.ndarray, gain: float,
                          share_transformed: float) -> np.ndarray:
    """Trade multiplier from transformation (traditional traders gain on their digital channel only)."""
    reach = np.where(kind == TRADITIONAL, share_transformed, 1.0)
    return 1.0 + gain * reach * maturity * transformed


def adoption_probability(pv_gain: np.ndarray, net_cost: np.ndarray, neighbour_share: np.ndarray,
                         p_max: float, slope: float, peer: float) -> np.ndarray:
    """Quarterly probability to transform: logistic in log(gain/cost), raised by transformed B2B neighbours."""
    ratio = np.log(np.maximum(pv_gain, 1e-9) / np.maximum(net_cost, 1e-9))
    return p_max / (1.0 + np.exp(-(slope * ratio + peer * neighbour_share)))


def exit_hazard(trade: np.ndarray, kind: np.ndarray, alive: np.ndarray, base: float,
                elasticity: float) -> np.ndarray:
    """Quarterly exit probability, higher for firms small relative to their kind's median."""
    hazard = np.zeros_like(trade)
    for k in range(len(FIRM_KINDS)):
        sel = alive & (kind == k)
        if sel.any():
            med = np.median(trade[sel])
            hazard[sel] = base * (np.maximum(trade[sel], 1.0) / max(med, 1.0)) ** -elasticity
    return np.clip(hazard, 0.0, 0.5)


DIGITAL_KINDS = (CBEC, SERVICE, CONTENT)
