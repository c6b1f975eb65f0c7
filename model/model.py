"""DigitalTradeModel: Zhejiang's digital-trade ecosystem, one quarter a step, 2020Q1 to the horizon."""

from __future__ import annotations

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from agents import CloudProvider, Firm, Platform, Talent
from agents.cloud import CloudState
from agents.firm import FirmState
from agents.platform import PlatformState
from agents.talent import TalentState
from model import phases
from model.config import Config
from model.network import b2b_links
from model.policy import LEVERS, Budget, rollout_quarters
from model.records import Recorder
from model.setup import initial_clouds, initial_platforms, park_table, platform_serves, sample_firms
from model.validate import validate
from model.vocabulary import CITIES, FIRM_KINDS, quarter_index
from model.world import build_world


def as_config(cfg: Config | DictConfig | None) -> DictConfig:
    """A typed (structured) config from a dataclass, a composed Hydra config or None (the defaults)."""
    base = OmegaConf.structured(Config)
    if cfg is None:
        return base
    if isinstance(cfg, DictConfig) and "hydra" in cfg:
        cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    return OmegaConf.merge(base, cfg)


def _annual_budget(lever) -> float:
    """A lever's annual spending limit (the tax lever's is its tax-expenditure cap; market access spends none)."""
    if "annual_cap_cny" in lever:
        return float(lever.annual_cap_cny)
    return float(lever.get("annual_budget_cny", 0.0))


class DigitalTradeModel(mesa.Model):
    """The plan's ecosystem: firms, platforms, cloud providers and talent cohorts on a multi-layer network.

    State lives in columns (`self.firms`, `self.platforms`, `self.clouds`, `self.talent`); the Mesa agents
    are views of their rows. `self.links` holds the B2B layer as an (E, 2) array of firm rows.
    """

    def __init__(self, cfg: Config | DictConfig | None = None, *, rng: int | np.random.Generator | None = None):
        cfg = as_config(cfg)
        validate(cfg)
        super().__init__(rng=cfg.seed if rng is None else rng)
        self.cfg = cfg
        self.scale = float(cfg.scale)
        self.n_quarters = quarter_index(cfg.horizon) + 1
        self.quarter = -1  # end-2019; step() advances to 2020Q1 first
        self.world = build_world(cfg.world, self.n_quarters)
        self.rollout = rollout_quarters(cfg.phasing)
        self.budgets = {lever: Budget(_annual_budget(cfg.policy[lever])) for lever in LEVERS}
        self.spent = {lever: 0.0 for lever in LEVERS}  # this quarter, CNY
        self.park_names, self.park_city = park_table(cfg.population.parks)
        self.designated = np.zeros(len(self.park_names), dtype=bool)
        self.infra_invested = np.zeros(len(CITIES))  # cumulative public investment, CNY
        self._populate()
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------------------------------- set-up
    def _populate(self) -> None:
        cfg, rng = self.cfg, self.rng
        cols = sample_firms(cfg.population, cfg.world.market_share, self.scale, self.park_city, rng)
        self.firms = FirmState(int(len(cols["size"]) * 1.6))
        self.firms.append(**cols)
        city_share = np.bincount(cols["city"], weights=cols["weight"], minlength=len(CITIES))
        self.platforms = PlatformState(64)
        self.platforms.append(**initial_platforms(cfg, city_share / city_share.sum(), rng))
        self.platform_kind_serves = platform_serves(self.platforms.view("kind"))
        self.clouds = CloudState(16)
        self.clouds.append(**initial_clouds(cfg.cloud, rng))
        n = self.firms.n
        self.links = b2b_links(np.arange(n), self.firms.view("city"), self.firms.view("park"), np.arange(n),
                               cfg.network.b2b_degree, cfg.network.same_park, cfg.network.same_city, rng)
        self.talent = TalentState(3 * len(CITIES))
        phases.calibrate_initial_state(self)  # sizes, memberships, cloud and talent match end-2019 totals
        self.firm_agents = [Firm(self, r) for r in range(n)]
        self.platform_agents = [Platform(self, r) for r in range(self.platforms.n)]
        self.cloud_agents = [CloudProvider(self, r) for r in range(self.clouds.n)]
        self.talent_agents = [Talent(self, r) for r in range(self.talent.n)]

    # ------------------------------------------------------------------------------------------- the quarter
    def step(self) -> None:
        """One quarter of the plan's ecosystem, in the order things happen."""
        q = self.quarter = self.quarter + 1
        phases.set_policy_stance(self, q)      # which levers act where (phasing), trade-cost cuts, budgets
        phases.invest_in_infrastructure(self, q)  # 5G and compute: cheaper digitalisation, more cloud capacity
        phases.supply_talent(self, q)          # graduates, training, international inflow, attrition, migration
        phases.decide_transformation(self, q)  # grants, tax relief and B2B peers -> firms digitalise
        phases.choose_cloud(self, q)           # firms pick or switch a provider; providers reprice and invest
        phases.join_platforms(self, q)         # sellers join, switch and multi-home on platforms
        phases.hire_talent(self, q)            # city labour markets staff firms' digital-talent demand
        phases.trade(self, q)                  # exports and imports against world demand and trade costs
        phases.grow_platforms(self, q)         # GMV, expansion into foreign markets, platform entry and exit
        phases.sell_cloud_abroad(self, q)      # overseas cloud sales count as digital trade
        phases.designate_bases(self, q)        # demonstration bases named each fourth quarter
        phases.pay_tax_expenditure(self, q)    # reduced CIT for qualifying firms, within the annual cap
        phases.enter_and_exit(self, q)         # firms exit (small ones more often) and enter
        self.recorder.record(q)                # columns -> per-quarter arrays

    def run(self, quarters: int | None = None) -> "DigitalTradeModel":
        """Step to the horizon (or `quarters` more quarters)."""
        remaining = self.n_quarters - 1 - self.quarter
        for _ in range(remaining if quarters is None else min(quarters, remaining)):
            self.step()
        return self

    # ------------------------------------------------------------------------------------------- helpers
    def add_firm_agents(self, rows: np.ndarray) -> None:
        self.firm_agents.extend(Firm(self, r) for r in rows)

    def add_platform_agents(self, rows: np.ndarray) -> None:
        self.platform_agents.extend(Platform(self, r) for r in rows)

    def remove_firm_agents(self, rows: np.ndarray) -> None:
        for r in rows:
            self.firm_agents[r].remove()

    @property
    def kinds(self) -> tuple[str, ...]:
        return FIRM_KINDS
