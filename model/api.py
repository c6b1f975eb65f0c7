"""The one way in: compose a config exactly as `dtsim` does, and run it to named outcomes.

    from model.api import load_config, simulate
    out = simulate("policy=none", seed=0, scale=0.25)   # the model `dtsim policy=none seed=0 scale=0.25` runs
    out.scorecard["T1"]["value"]                          # USD/year in 2025
    out.records                                           # tidy quarterly table (timeseries.parquet of one run)
    out.spending                                          # CNY spent per lever over the run

Replicate r of seed S is seeded by `SeedSequence(S, spawn_key=(r,))` (the r-th child of `SeedSequence(S)`), here,
in `dtsim replicates=N`, in sweeps, calibration and the workshop: `simulate(..., seed=S, replicate=r)` rebuilds any
replicate of any run. The CLI, replicates, sweeps, calibration, forecast, validation, workshop and bench all call
`load_config` and `simulate` (or `run_to_horizon` on a model they keep); nothing else composes configs or loops
to the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from omegaconf import DictConfig

from model.compose import CONF_DIR, compose_raw, failing_override, hydra_loader, load_config, one_line
from model.run import replicate_seed, replicate_seeds, run_to_horizon

__all__ = ["CONF_DIR", "Outcomes", "compose_raw", "failing_override", "hydra_loader", "load_config", "one_line",
           "replicate_seed", "replicate_seeds", "run_to_horizon", "simulate"]


@dataclass
class Outcomes:
    """What one run yields, by name (EMA Workbench's model-as-a-function)."""

    scorecard: dict               # {"T1": {value, threshold, unit, met}, ... "T5": ...} (model/targets.py)
    records: pd.DataFrame         # tidy quarterly records: quarter, metric, city, kind, value, unit
    spending: dict[str, float]    # CNY spent per lever family over the run
    seed: int                     # the run's seed (cfg.seed)
    replicate: int                # which child of SeedSequence(seed) seeded it
    firm_agents: int              # firm rows created (agents ever alive)
    layers: pd.DataFrame | None = None  # end-of-run network-layer distributions (model.network.layer_metrics)
    firms: pd.DataFrame | None = None   # the firm panel, one row per living firm and year-end (model/panel.py)
    model: object | None = field(default=None, repr=False)  # the model itself, with keep_model=True


def simulate(*overrides: str, cfg: DictConfig | None = None, seed: int | None = None, replicate: int = 0,
             horizon: str | None = None, scale: float | None = None, progress: bool = False,
             keep_model: bool = False, layers: bool = False, firms: bool | None = None,
             observer=None) -> Outcomes:
    """Run one replicate to the horizon and return its named outcomes.

    Either `overrides` (composed as `dtsim` composes them) or a ready `cfg`; `seed`, `horizon` and `scale` are
    shorthands for the overrides of the same name. `firms` (default: the config's outputs.firms) adds the firm
    panel."""
    from model.model import DigitalTradeModel
    from model.network import layer_metrics
    from model.panel import FirmPanel
    from model.policy import LEVERS
    from model.targets import scorecard

    extra = [f"{k}={v}" for k, v in (("seed", seed), ("horizon", horizon), ("scale", scale)) if v is not None]
    if cfg is None:
        cfg = load_config(*overrides, *extra)
    elif overrides or extra:
        raise TypeError("simulate: give overrides or a composed cfg, not both")
    panel = FirmPanel() if (cfg.outputs.firms if firms is None else firms) else None

    def observe(m) -> None:
        for watcher in (panel, observer):
            if watcher is not None:
                watcher(m)

    model = run_to_horizon(DigitalTradeModel(cfg, replicate=replicate), progress=progress, observer=observe)
    return Outcomes(scorecard=scorecard(model), records=model.recorder.to_frame(),
                    spending={lever: float(model.budgets[lever].spent_total) for lever in LEVERS},
                    seed=int(cfg.seed), replicate=int(replicate), firm_agents=int(model.firms.n),
                    layers=layer_metrics(model) if layers else None, firms=panel.frame() if panel else None,
                    model=model if keep_model else None)
