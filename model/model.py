"""DigitalTradeModel: Zhejiang's digital-trade ecosystem, one quarter a step, 2020Q1 to the horizon."""

from __future__ import annotations

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from agents import CloudProvider, Firm, Platform, Talent
from agents.cloud import CloudState
from agents.firm import FirmState
from agents.platform import PlatformState
from agents.state import RowAgents
from agents.talent import TalentState
from model import phases, reference
from model.config import Config
from model.network import B2BLayer, b2b_links
from model.policy import LEVERS, Budget, rollout_quarters
from model.records import Recorder
from model.setup import initial_clouds, initial_platforms, park_table, platform_serves, sample_firms
from model.validate import validate
from model.vocabulary import CITIES, quarter_index
from model.world import build_world


def as_config(cfg: Config | DictConfig | None) -> DictConfig:
    """A typed (structured) config from a dataclass, a composed Hydra config or None (the defaults)."""
    if isinstance(cfg, DictConfig) and OmegaConf.get_type(cfg) is Config and "hydra" not in cfg:
        return cfg  # already typed (a composed Hydra config, or one made here): merging it again costs ~0.1 s
    base = OmegaConf.structured(Config)
    if cfg is None:
        return base
    if isinstance(cfg, DictConfig) and "hydra" in cfg:
        cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    return OmegaConf.merge(base, cfg)


def _annual_budget(lever) -> float:
    """A lever's annual spending limit (the tax lever's is its tax-expenditure cap; market access spends none)."""
    if hasattr(lever, "annual_cap_cny"):
        return float(lever.annual_cap_cny)
    return float(getattr(lever, "annual_budget_cny", 0.0))


class DigitalTradeModel(mesa.Model):
    """The plan's ecosystem: firms, platforms, cloud providers and talent cohorts on a multi-layer network.

    State lives in columns (`self.firms`, `self.platforms`, `self.clouds`, `self.talent`); the Mesa agents
    are views of their rows, made when first asked for (`agents_by_type`). `self.b2b` holds the B2B layer
    (`self.links`: an (E, 2) array of firm rows). `cfg.engine` picks who runs the phases: `model/phases.py`
    (whole columns) or `model/reference.py` (one Mesa agent at a time); same seed, same results.
    """

    def __init__(self, cfg: Config | DictConfig | None = None, *, rng: int | np.random.Generator | None = None):
        cfg = as_config(cfg)
        validate(cfg)
        super().__init__(rng=cfg.seed if rng is None else rng)
        self.cfg = cfg
        self.params: Config = OmegaConf.to_object(cfg)  # plain dataclasses: read ~500x faster than a DictConfig
        self.engine = reference if cfg.engine == "reference" else phases
        p = self.params
        self.scale = float(p.scale)
        self.n_quarters = quarter_index(p.horizon) + 1
        self.quarter = -1  # end-2019; step() advances to 2020Q1 first
        self.world = build_world(p.world, self.n_quarters)
        self.rollout = rollout_quarters(p.phasing)
        self.budgets = {lever: Budget(_annual_budget(getattr(p.policy, lever))) for lever in LEVERS}
        self.spent = {lever: 0.0 for lever in LEVERS}  # this quarter, CNY
        self.park_names, self.park_city = park_table(p.population.parks)
        self.designated = np.zeros(len(self.park_names), dtype=bool)
        self.infra_invested = np.zeros(len(CITIES))  # cumulative public investment, CNY
        self._populate()
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------------------------------- set-up
    def _populate(self) -> None:
        cfg, rng = self.params, self.rng
        cols = sample_firms(cfg.population, cfg.world.market_share, self.scale, self.park_city, rng)
        self.firms = FirmState(2 * len(cols["size"]))  # room for entrants to 2025 without copying the columns
        self.firms.append(**cols)
        city_share = np.bincount(cols["city"], weights=cols["weight"], minlength=len(CITIES))
        self.platforms = PlatformState(64)
        self.platforms.append(**initial_platforms(cfg, city_share / city_share.sum(), rng))
        self.platform_kind_serves = platform_serves(self.platforms.view("kind"))
        self.clouds = CloudState(16)
        self.clouds.append(**initial_clouds(cfg.cloud, rng))
        n = self.firms.n
        self.b2b = B2BLayer(b2b_links(np.arange(n), self.firms.view("city"), self.firms.view("park"), np.arange(n),
                                      cfg.network.b2b_degree, cfg.network.same_park, cfg.network.same_city, rng))
        self.talent = TalentState(3 * len(CITIES))
        phases.calibrate_initial_state(self)  # sizes, memberships, cloud and talent match end-2019 totals
        self.row_agents = {Firm: RowAgents(self, Firm, "firms", "alive"),
                           Platform: RowAgents(self, Platform, "platforms"),
                           CloudProvider: RowAgents(self, CloudProvider, "clouds"),
                           Talent: RowAgents(self, Talent, "talent")}

    # ------------------------------------------------------------------------------------------- the quarter
    def step(self) -> None:
        """One quarter of the plan's ecosystem, in the order things happen."""
        q = self.quarter = self.quarter + 1
        run = self.engine                   # model.phases (whole columns) or model.reference (agent by agent)
        run.set_policy_stance(self, q)      # which levers act where (phasing), trade-cost cuts, budgets
        run.invest_in_infrastructure(self, q)  # 5G and compute: cheaper digitalisation, more cloud capacity
        run.supply_talent(self, q)          # graduates, training, international inflow, attrition, migration
        run.decide_transformation(self, q)  # grants, tax relief and B2B peers -> firms digitalise
        run.choose_cloud(self, q)           # firms pick or switch a provider; providers reprice and invest
        run.join_platforms(self, q)         # sellers join, switch and multi-home on platforms
        run.hire_talent(self, q)            # city labour markets staff firms' digital-talent demand
        run.trade(self, q)                  # exports and imports against world demand and trade costs
        run.grow_platforms(self, q)         # GMV, expansion into foreign markets, platform entry and exit
        run.sell_cloud_abroad(self, q)      # overseas cloud sales count as digital trade
        run.designate_bases(self, q)        # demonstration bases named each fourth quarter
        run.pay_tax_expenditure(self, q)    # reduced CIT for qualifying firms, within the annual cap
        run.enter_and_exit(self, q)         # firms exit (small ones more often) and enter
        self.recorder.record(q)             # columns -> per-quarter arrays

    def run(self, quarters: int | None = None) -> "DigitalTradeModel":
        """Step to the horizon (or `quarters` more quarters)."""
        remaining = self.n_quarters - 1 - self.quarter
        for _ in range(remaining if quarters is None else min(quarters, remaining)):
            self.step()
        return self

    # ------------------------------------------------------------------------------------------- agents
    @property
    def agents(self):
        """All Mesa agents (Mesa's own set), after making the agents of new rows and removing those of dead ones."""
        self.sync_agents()
        return super().agents

    @property
    def agents_by_type(self):
        """Mesa's agent sets by type, e.g. `model.agents_by_type[Firm]`: the living firms, as views of their rows."""
        self.sync_agents()
        return super().agents_by_type

    def sync_agents(self) -> None:
        for row_agents in self.__dict__.get("row_agents", {}).values():  # none yet while Mesa itself initialises
            row_agents.sync()

    @property
    def links(self) -> np.ndarray:
        """The B2B layer as an (E, 2) array of firm rows."""
        return self.b2b.links
