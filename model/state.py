"""The model's own state, declared once: every attribute a phase reads or writes that is not an agent column.

The agents' columns are declared in their GLOSSARY (agents/*.py). Everything below is created in
`DigitalTradeModel.__init__` (`declare`) and only updated after that; tests/test_state.py checks that no phase
creates an attribute and that this table lists exactly what the model holds.

| name | unit | meaning | written by | read by |
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from agents.vocabulary import CITIES, FIRM_KINDS
from model.policy import LEVERS, PROGRAMMES, Budget, annual_limit, off, rollout_quarters
from model.rounds import by_kind

C, K = len(CITIES), len(FIRM_KINDS)

# name: (unit, meaning, written by, read by)
GLOSSARY = {
    # set once (set-up)
    "scale": ("agents per real firm", "sampling rate of firms below the take-all size", "set-up", "entry"),
    "n_quarters": ("quarters", "2020Q1 to the horizon", "set-up", "run, records"),
    "world": ("WorldPath", "demand indices, CNY/USD and export values by quarter", "set-up", "rounds, records"),
    "rollout": ("quarter index (cities,)", "when each city joins the zone", "set-up", "set_policy_stance"),
    "park_names": ("names", "candidate parks", "set-up", "designate_bases, network"),
    "park_city": ("code (parks,)", "city of each candidate park", "set-up", "set_policy_stance, bases"),
    "tau0": ("ad valorem (kinds,)", "baseline trade cost by firm kind", "set-up", "output_round"),
    "export_share": ("share (kinds,)", "exports in a kind's trade at end-2019", "set-up", "output_round"),
    "size_floor": ("CNY/quarter (kinds,)", "size unit that matches end-2019 kind totals", "calibrate_initial_state",
                   "entry"),
    "digital_firms_2019": ("firms (cities,)", "digital firms at end-2019", "calibrate_initial_state",
                           "found_platforms"),
    "platform_kind_serves": ("code (platforms,)", "firm kind each platform serves", "set-up, found_platforms",
                             "platform_round"),
    # the levers
    "budgets": ("Budget by lever", "annual limits, spent this year and in all", "spend", "stances, tests"),
    "stance": ("Stance by lever", "where each lever acts this quarter and what it may spend",
               "set_policy_stance", "every phase"),
    "spent": ("CNY/quarter by lever", "money spent this quarter", "spend", "records"),
    "trade_cost_cut": ("ad valorem (cities, kinds)", "cut from customs modes, warehouses, settlement, data flows, "
                       "trust, digital culture", "set_policy_stance", "output_round"),
    "designated": ("flag (parks,)", "named a demonstration base", "designate_bases",
                   "set_policy_stance, records"),
    "base_support": ("CNY (parks,)", "base support received, cumulative", "designate_bases", "tests"),
    "infra_invested": ("CNY (cities,)", "public 5G/compute investment, cumulative", "invest_in_infrastructure",
                       "invest_in_infrastructure, tests"),
    "cbec_invested": ("CNY (cities,)", "warehouse and clearance programme, cumulative", "set_policy_stance",
                      "tests"),
    "programme_funds": ("CNY (cities,) by programme lever", "money the five programme levers paid out by city, "
                        "cumulative", "set_policy_stance", "tests"),
    "infra_productivity": ("index (cities,)", "output per firm from 5G and compute, 1 without investment",
                           "invest_in_infrastructure", "output_round"),
    "digital_cost_index": ("index (cities,)", "cost of digitalisation, 1 without investment",
                           "invest_in_infrastructure", "transformation_round, records"),
    "tax_claims": ("rows, CNY", "this quarter's super-deduction claims (rows and relief per firm)",
                   "settle_transformation", "settle_tax"),
    # markets between phases
    "cloud_price_index": ("index", "demand-weighted cloud price", "choose_cloud", "transformation_round"),
    "potential": ("Round: T, DT, DX CNY/quarter per firm row", "output at full talent (trade_round takes off what "
                  "unserved cloud demand costs)", "hire_talent, trade_round", "trade"),
    "talent_demand": ("efficiency units (cities,)", "firms' digital-talent need", "hire_talent", "supply_talent"),
    "talent_supply": ("efficiency units (cities,)", "cohorts' headcount x skill", "hire_talent", "records"),
    "fill": ("share (cities,)", "share of talent demand staffed", "hire_talent", "hire, trade_round, records"),
}


def declare(m) -> None:
    """Create every attribute of GLOSSARY on model `m` with its end-2019 value (the set-up fills some in)."""
    p = m.params
    m.scale = float(p.scale)
    m.rollout = rollout_quarters(p.phasing)
    m.tau0 = by_kind(p.firm.trade_cost)
    m.export_share = 1.0 / (1.0 + by_kind(p.firm.import_ratio))
    m.size_floor = np.ones(K)
    m.digital_firms_2019 = np.zeros(C)
    m.budgets = {lever: Budget(annual_limit(getattr(p.policy, lever))) for lever in LEVERS}
    m.stance = off(p.policy)
    m.spent = dict.fromkeys(LEVERS, 0.0)
    m.trade_cost_cut = np.zeros((C, K))
    m.designated = np.zeros(len(m.park_names), dtype=bool)
    m.base_support = np.zeros(len(m.park_names))
    m.infra_invested = np.zeros(C)
    m.cbec_invested = np.zeros(C)
    m.programme_funds = {lever: np.zeros(C) for lever in PROGRAMMES}
    m.digital_cost_index = np.ones(C)
    m.infra_productivity = np.ones(C)
    m.tax_claims = SimpleNamespace(rows=np.empty(0, dtype=np.int64), relief=np.empty(0))
    m.cloud_price_index = 1.0
    m.potential = None
    m.talent_demand = np.zeros(C)
    m.talent_supply = np.zeros(C)
    m.fill = np.ones(C)
