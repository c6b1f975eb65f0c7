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
from agents.vocabulary import CITIES, quarter_index
from model import phases
from model.compose import load_config
from model.config import Config
from model.engine import ENGINES
from model.network import B2BLayer, b2b_links
from model.records import Recorder
from model.rounds import phases_of_new_firms
from model.run import replicate_seed, run_to_horizon
from model.setup import initial_clouds, initial_platforms, park_table, platform_serves, sample_firms
from model.state import declare
from model.validate import validate
from model.world import build_world


def as_config(cfg: Config | DictConfig | None) -> DictConfig:
    """A typed (structured) config: None gives what `dtsim` runs (conf/ with its defaults, calibration
    included: `model.compose.load_config()`); a dataclass or a composed Hydra config is merged onto the schema."""
    if cfg is None:
        return load_config()
    if isinstance(cfg, DictConfig) and OmegaConf.get_type(cfg) is Config and "hydra" not in cfg:
        return cfg  # already typed (a composed Hydra config, or one made here): merging it again costs ~0.1 s
    if isinstance(cfg, DictConfig) and "hydra" in cfg:
        cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    return OmegaConf.merge(OmegaConf.structured(Config), cfg)


class DigitalTradeModel(mesa.Model):
    """The plan's ecosystem: firms, platforms, cloud providers and talent cohorts on a multi-layer network.

    State lives in columns (`self.firms`, `self.platforms`, `self.clouds`, `self.talent`, each with its glossary
    in agents/*.py) and in the model attributes declared in model/state.py; the Mesa agents are views of their
    rows, made when first asked for (`agents_by_type`). `self.b2b` holds the B2B layer. `cfg.engine` picks who
    applies the agents' rules (model/engine.py): whole columns, or one Mesa agent at a time; same results.

    `DigitalTradeModel()` is the model `dtsim` runs; `DigitalTradeModel(cfg, replicate=r)` is replicate r of
    `dtsim replicates=N` (seeded by the r-th child of SeedSequence(cfg.seed)); `rng=` seeds it directly instead.
    """

    def __init__(self, cfg: Config | DictConfig | None = None, *, replicate: int = 0,
                 rng: int | np.random.SeedSequence | np.random.Generator | None = None):
        cfg = as_config(cfg)
        validate(cfg)
        super().__init__(rng=replicate_seed(cfg.seed, replicate) if rng is None else rng)
        self.cfg = cfg
        self.params: Config = OmegaConf.to_object(cfg)  # plain dataclasses: read ~500x faster than a DictConfig
        p = self.params
        self.n_quarters = quarter_index(p.horizon) + 1
        self.quarter = -1  # end-2019; step() advances to 2020Q1 first
        self.world = build_world(p.world, self.n_quarters)
        self.park_names, self.park_city = park_table(p.population.parks)
        declare(self)  # the model's own state (model/state.py)
        self._populate()
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------------------------------- set-up
    def _populate(self) -> None:
        cfg, rng = self.params, self.rng
        cols = sample_firms(cfg.population, cfg.world.market_share, self.scale, self.park_city, rng)
        cols.update(phases_of_new_firms(0, cfg.firm, len(cols["size"]), rng))  # who is in a high-growth phase
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
        self.row_agents = {Firm: RowAgents(self, Firm, "firms", "alive"),
                           Platform: RowAgents(self, Platform, "platforms"),
                           CloudProvider: RowAgents(self, CloudProvider, "clouds"),
                           Talent: RowAgents(self, Talent, "talent")}
        phases.calibrate_initial_state(self)  # sizes, memberships, cloud and talent match end-2019 totals

    # ------------------------------------------------------------------------------------------- the quarter
    def step(self) -> None:
        """One quarter of the plan's ecosystem, in the order things happen."""
        q = self.quarter = self.quarter + 1
        phases.set_policy_stance(self, q)        # each lever stance: where it acts (phasing), what it may spend
        phases.invest_in_infrastructure(self, q) # 5G and compute: cheaper digitalisation, more cloud capacity
        phases.supply_talent(self, q)            # graduates, training, international inflow, attrition, migration
        phases.decide_transformation(self, q)    # grants, tax relief and B2B peers -> firms digitalise
        phases.choose_cloud(self, q)             # firms pick or switch a provider; providers reprice and invest
        phases.join_platforms(self, q)           # sellers join, switch and multi-home on platforms
        phases.hire_talent(self, q)              # city labour markets staff firms' digital-talent demand
        phases.trade(self, q)                    # exports and imports against world demand and trade costs
        phases.renew_lines(self, q)              # firms open and drop destination-market x product lines
        phases.grow_platforms(self, q)           # GMV, expansion into foreign markets, platform entry and exit
        phases.sell_cloud_abroad(self, q)        # overseas cloud sales count as digital trade
        phases.designate_bases(self, q)          # demonstration bases named each fourth quarter
        phases.pay_tax_expenditure(self, q)      # reduced CIT for qualifying firms, within the annual cap
        phases.enter_and_exit(self, q)           # firms exit (small ones more often) and enter
        phases.rewire_b2b(self, q)               # B2B links end (exit, decay) and form (search, triadic closure)
        self.recorder.record(q)                  # columns -> per-quarter arrays

    def decide(self, population: str, rule, rnd) -> None:
        """Apply an agent rule (agents/*.py) to a population ("firms", "platforms", "clouds") with the engine the
        config picks: all rows at once, or one Mesa agent at a time (model/engine.py)."""
        ENGINES[self.params.engine](self, population, rule, rnd)

    def run(self, quarters: int | None = None) -> "DigitalTradeModel":
        """Step to the horizon (model.run.run_to_horizon), or `quarters` more quarters."""
        if quarters is None:
            return run_to_horizon(self)
        for _ in range(min(quarters, self.n_quarters - 1 - self.quarter)):
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
