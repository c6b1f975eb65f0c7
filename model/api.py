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

import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from model.config import register
from model.suggest import explain
from model.validate import ConfigError, validate

CONF_DIR = str(Path(__file__).resolve().parent.parent / "conf")


def one_line(exc: BaseException) -> str:
    """The message of an exception and of its causes, on one line (Hydra nests the useful part), led by the key
    OmegaConf names (`full_key`) when the text does not name it (a bad value inside a config group's YAML)."""
    parts, key = [], None
    while exc is not None:
        text = " ".join(str(exc).split()).split(" full_key:")[0]
        if text and text != "None" and "$VALUE" not in text and not any(text in p for p in parts):
            parts.append(text)
        key = key or getattr(exc, "full_key", None) or None
        exc = exc.__cause__ or exc.__context__
    message = " — ".join(parts) or "invalid override"
    return f"{key}: {message}" if key and str(key) not in message else message


def failing_override(overrides: tuple[str, ...], message: str) -> str | None:
    """The override a failed composition choked on, when its message names no override's key: the first one
    whose prefix of the command line fails to compose (only on this error path). None if the message names one."""
    if any(k and k in message for k in (o.lstrip("+~").partition("=")[0].strip() for o in overrides)):
        return None
    for n in range(1, len(overrides)):
        try:
            compose_raw(overrides[:n])
        except Exception:
            return overrides[n - 1]
    return overrides[-1] if overrides else None


@contextmanager
def hydra_loader():
    """Hydra initialised on conf/, yielding its config loader. Works inside a running Hydra app too: the app's
    global Hydra is set aside meanwhile and put back after."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register()
    gh = GlobalHydra.instance()
    running = gh.hydra if gh.is_initialized() else None
    gh.clear()
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            yield gh.config_loader()
    finally:
        if running is not None:  # initialize_config_dir swaps the singleton object: ask for it anew
            GlobalHydra.instance().clear()
            GlobalHydra.instance().initialize(running)


def compose_raw(overrides: tuple[str, ...], return_hydra_config: bool = False) -> DictConfig:
    """Compose conf/config.yaml with `overrides` (not validated)."""
    from hydra import compose

    with hydra_loader():
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=return_hydra_config)


@lru_cache(maxsize=256)
def _composed(overrides: tuple[str, ...]) -> DictConfig:
    try:
        cfg = compose_raw(overrides)
    except Exception as exc:  # Hydra/OmegaConf raise several kinds; all mean "bad override"
        message = explain(one_line(exc))
        culprit = failing_override(overrides, message)
        raise ConfigError(f"{culprit!r}: {message}" if culprit is not None else message) from None
    validate(cfg)
    return cfg


def load_config(*overrides: str) -> DictConfig:
    """The validated config `dtsim` runs with these overrides (conf/ defaults, calibration included).

    Raises ConfigError (one line naming the key) on a bad override or value. Each call returns a fresh copy."""
    return copy.deepcopy(_composed(tuple(str(o) for o in overrides)))


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate `replicate` of a run with `seed`: the replicate-th child of SeedSequence(seed)."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))


def replicate_seeds(seed: int, n: int, skip: int = 0) -> list[np.random.SeedSequence]:
    """Seeds of replicates skip .. skip+n-1 (prefix-stable: replicate r's seed does not depend on n)."""
    return [replicate_seed(seed, r) for r in range(skip, skip + n)]


def run_to_horizon(model, progress: bool = False, observer=None):
    """Step `model` to its horizon; `observer(model)` after each quarter; a quarter bar if `progress`."""
    from tqdm.auto import tqdm

    from agents.vocabulary import quarter_label

    with tqdm(total=model.n_quarters - 1 - model.quarter, desc="quarters", unit="q", leave=False,
              disable=not progress or None) as bar:
        while model.quarter < model.n_quarters - 1:
            model.step()
            if observer is not None:
                observer(model)
            bar.set_postfix_str(quarter_label(model.quarter))
            bar.update()
    return model


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
    model: object | None = field(default=None, repr=False)  # the model itself, with keep_model=True


def simulate(*overrides: str, cfg: DictConfig | None = None, seed: int | None = None, replicate: int = 0,
             horizon: str | None = None, scale: float | None = None, progress: bool = False,
             keep_model: bool = False, layers: bool = False, observer=None) -> Outcomes:
    """Run one replicate to the horizon and return its named outcomes.

    Either `overrides` (composed as `dtsim` composes them) or a ready `cfg`; `seed`, `horizon` and `scale` are
    shorthands for the overrides of the same name."""
    from model.model import DigitalTradeModel
    from model.network import layer_metrics
    from model.policy import LEVERS
    from model.targets import scorecard

    extra = [f"{k}={v}" for k, v in (("seed", seed), ("horizon", horizon), ("scale", scale)) if v is not None]
    if cfg is None:
        cfg = load_config(*overrides, *extra)
    elif overrides or extra:
        raise TypeError("simulate: give overrides or a composed cfg, not both")
    model = run_to_horizon(DigitalTradeModel(cfg, replicate=replicate), progress=progress, observer=observer)
    return Outcomes(scorecard=scorecard(model), records=model.recorder.to_frame(),
                    spending={lever: float(model.budgets[lever].spent_total) for lever in LEVERS},
                    seed=int(cfg.seed), replicate=int(replicate), firm_agents=int(model.firms.n),
                    layers=layer_metrics(model) if layers else None, model=model if keep_model else None)
