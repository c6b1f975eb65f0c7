"""The paired runs behind experiments/responses.py and what they record each quarter.

Replicate r of every variant is seeded alike (`DigitalTradeModel(cfg, replicate=r)`: the r-th child of
SeedSequence(cfg.seed)), so a variant and the plan differ by the lever alone, not by their draws.
`Tracker` is the run's observer: after each quarter it keeps, by city, what the published studies measured
(entrants, adopters' transformation outlays, trade per firm) and where the levers acted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.vocabulary import CITIES
from model.api import load_config, run_to_horizon
from model.model import DigitalTradeModel
from model.policy import zone

C = len(CITIES)
STEP = 0.25  # the super-deduction steps China took (50 % -> 75 % in 2018, -> 100 % in 2023)


class Tracker:
    """Observer of one run: per quarter and city, entrants, adopters' outlays, trade and firms; lever coverage.

    An adopter's outlay is its transformation cost as it weighed it (agents/firm.py `transformation_case`, the one
    place the cost is defined), read back from the super-deduction claim the model filed for it: relief =
    deduction x cost where the tax lever acts (tests/test_responses.py pins that identity). So outlays are known
    where and when the tax lever acts with a positive deduction, which is where the tax experiments measure them."""

    def __init__(self, m):
        self.q = []
        self.zone, self.tax_cover, self.infra_on = [], [], []
        self.entrants, self.outlay, self.trade, self.firms = [], [], [], []
        self.prev_n = m.firms.n

    def __call__(self, m) -> None:
        f, st = m.firms, m.stance
        rows, relief = m.tax_claims.rows, m.tax_claims.relief  # this quarter's adopters (settle_transformation)
        city, w, tax = f.city[rows], f.weight[rows], st["tax"]
        claimed = tax.cover[city]
        cost = relief[claimed] / tax.deduction if tax.deduction > 0 else np.zeros(int(claimed.sum()))
        new = np.arange(self.prev_n, f.n)
        new = new[f.born[new] == m.quarter]  # entrants of this quarter (model/rounds.py `enter`)
        alive = f.view("alive")
        self.q.append(m.quarter)
        self.zone.append(zone(st))
        self.tax_cover.append(tax.cover & (tax.deduction > 0))
        self.infra_on.append(st["infrastructure"].acting)
        self.entrants.append(np.bincount(f.city[new], weights=f.weight[new], minlength=C))
        self.outlay.append(np.bincount(city[claimed], weights=w[claimed] * cost, minlength=C))
        self.trade.append(np.bincount(f.view("city")[alive], weights=(f.view("weight") * f.view("trade"))[alive],
                                      minlength=C))
        self.firms.append(np.bincount(f.view("city")[alive], weights=f.view("weight")[alive], minlength=C))
        self.prev_n = f.n

    def arrays(self) -> "Track":
        return Track(**{k: np.array(getattr(self, k)) for k in Track.__dataclass_fields__})


@dataclass
class Track:
    """(quarters, cities) arrays of one run; `q` the quarter indices, `infra_on` (quarters,); `outlay` is known
    (and `tax_cover` True) where the tax lever acted with a positive deduction."""

    q: np.ndarray
    zone: np.ndarray
    tax_cover: np.ndarray
    infra_on: np.ndarray
    entrants: np.ndarray
    outlay: np.ndarray
    trade: np.ndarray
    firms: np.ndarray


def run_tracked(cfg, replicate: int) -> Track:
    m = DigitalTradeModel(cfg, replicate=replicate)
    tracker = Tracker(m)
    run_to_horizon(m, observer=tracker)
    return tracker.arrays()


def variants(base: tuple[str, ...], scale: float, horizon: str, seed: int) -> dict:
    """The composed configs of the plan and of each counterfactual the experiments compare it with."""
    common = (*base, f"scale={scale}", f"horizon={horizon}", f"seed={seed}", "chart=false")
    plan = load_config(*common)
    tax = plan.policy.tax
    if not tax.enabled or tax.super_deduction <= STEP or tax.rd_share <= 0 or tax.standard_cit_rate <= 0:
        raise ValueError(f"the tax experiments read outlays from super-deduction claims: they need "
                         f"policy.tax.enabled, super_deduction > {STEP}, rd_share > 0 and standard_cit_rate > 0")
    return {
        "plan": plan,
        # the super-deduction 25 points below and above the plan's: 50 % (EIT Law regulations art. 95) and 100 %
        # (MoF/STA 2023 No.7) about the 75 % of MoF/STA/MoST 2018 No.99
        **{name: load_config(*common, f"policy.tax.super_deduction={value}") for name, value in
           (("deduction_low", tax.super_deduction - STEP), ("deduction_up", tax.super_deduction + STEP))},
        # no notch: qualifying firms keep the standard rate (Chen et al. 2021 compare with and without it)
        "no_notch": load_config(*common, f"policy.tax.reduced_cit_rate={tax.standard_cit_rate}"),
        "no_infrastructure": load_config(*common, "policy.infrastructure.enabled=false"),
        # the placebo of the roll-out DiD: the same seeds and roll-out labels with no lever acting
        "none": load_config(*common, "policy=none"),
    }
