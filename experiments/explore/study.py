"""A study: its settings (explore.*), the model overrides it runs under, its folder; the runs of its designs
(through runner.py into the folder's store) and its outputs: experiments.parquet (tidy: one row per run, its
factor values and outcomes), the kind's tables, charts and report.md.

Seed noise, stated per study in report.md: explore.replicates > 1 averages each design point over that many
replicates, and replicate r has the same seed at every point (common random numbers: points differ by their
factors, not by luck); explore.seed_factor makes the seed a factor of its own (Sobol, Morris: its index measures
the noise; PRIM: each point has its own seed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.explore import cost, morris, pareto, prim, sobol
from experiments.explore.factors import SEED, Posterior, budget_levers, pick, replicate_of
from experiments.explore.outcomes import OUTCOMES, by_point
from experiments.explore.runner import execute, make_run
from experiments.explore.store import Store
from model.api import load_config
from model.suggest import hint
from model.validate import ConfigError

KINDS = {"sobol": sobol, "morris": morris, "prim": prim, "cost": cost, "pareto": pareto}
BACKENDS = ("joblib", "dask")


def resolved(settings: DictConfig, cfg: DictConfig) -> DictConfig:
    """The settings with kind-specific defaults filled in (cost: every family's budget when none is picked)."""
    settings = OmegaConf.create(OmegaConf.to_container(settings, resolve=True))
    if settings.kind == "cost" and not settings.levers:
        settings.levers = budget_levers(cfg)
    return settings


def check(settings: DictConfig, cfg: DictConfig, posterior: Posterior | None = None) -> list:
    """Raise ConfigError (one line) on a bad setting; return the study's factors."""
    if settings.kind not in KINDS:
        raise ConfigError(f"explore.kind={settings.kind!r} is not one of {', '.join(KINDS)}"
                          f"{hint(settings.kind, KINDS)}")
    for key in ("samples", "replicates", "pareto.scenarios", "pareto.population", "pareto.regret_replicates"):
        value = OmegaConf.select(settings, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"explore.{key}={value!r} must be a whole number >= 1")
    for key, lo, hi in (("spread", 0, 1), ("lever_max", 0, None), ("prim.min_coverage", 0, 1),
                        ("posterior_interval", 0, 1)):
        value = OmegaConf.select(settings, key)
        if not isinstance(value, (int, float)) or not lo < value or (hi is not None and value > hi):
            raise ConfigError(f"explore.{key}={value!r} must be a number in ({lo}, {hi if hi else 'inf'}]")
    qp = settings.prim.max_qp
    if qp is not None and (not isinstance(qp, (int, float)) or not 0 < qp <= 1):
        raise ConfigError(f"explore.prim.max_qp={qp!r} must be in (0, 1], or null to keep every restriction")
    if not isinstance(settings.batch, int) or settings.batch < 0:
        raise ConfigError(f"explore.batch={settings.batch!r} must be 0 (automatic) or more runs per task")
    if settings.backend not in BACKENDS:
        raise ConfigError(f"explore.backend={settings.backend!r} is not one of {', '.join(BACKENDS)}")
    if not isinstance(settings.n_jobs, int) or settings.n_jobs < 0:
        raise ConfigError(f"explore.n_jobs={settings.n_jobs!r} must be 0 (all cores) or more")
    if settings.seed_factor and settings.replicates > 1:
        raise ConfigError("explore.seed_factor=true runs one seed per point: set explore.replicates=1")
    bad = [o for o in settings.outcomes if o not in OUTCOMES]
    if bad:
        raise ConfigError(f"explore.outcomes: {bad[0]!r} is not one of {', '.join(OUTCOMES)}{hint(bad[0], OUTCOMES)}")
    if str(cfg.horizon) < f"{int(cfg.targets.year)}Q4":
        raise ConfigError(f"horizon={cfg.horizon} ends before the targets' year: the study needs "
                          f"horizon>={int(cfg.targets.year)}Q4")
    factors = pick(settings, cfg, posterior)
    roles = {f.role for f in factors}
    if settings.kind == "sobol":
        sobol.check(int(settings.samples))
    if settings.kind in ("sobol", "morris") and len(factors) < 2:
        raise ConfigError(f"explore.kind={settings.kind} needs at least two factors")
    if settings.kind == "prim":
        if "uncertainty" not in roles or "lever" in roles:
            raise ConfigError("explore.kind=prim varies uncertainties only (levers at the plan): pick "
                              "explore.uncertainties, leave explore.levers empty")
        cases = [t for case in settings.prim.cases for t in str(case).split("|")]
        wrong = [t for t in cases if f"{t}_met" not in ("T1_met", "T2_met", "T3_met", "T4_met", "T5_met")]
        if wrong or not cases:
            raise ConfigError(f"explore.prim.cases: {wrong[0] if wrong else '[]'!r}: targets like T1, T2 or T1|T2")
    if settings.kind == "cost":
        cost.levels(settings)
    if settings.kind == "pareto":
        if "lever" not in roles:
            raise ConfigError("explore.kind=pareto searches lever settings: pick explore.levers")
        if str(settings.pareto.objective) not in pareto.OBJECTIVES:
            raise ConfigError(f"explore.pareto.objective={settings.pareto.objective!r}: one of "
                              f"{', '.join(pareto.OBJECTIVES)}")
        pareto.worlds(settings)
    return factors


@dataclass
class Study:
    settings: DictConfig
    overrides: tuple[str, ...]           # model overrides: scale=0.05 horizon=2025Q4 world=... (not explore.*)
    folder: Path
    progress: bool = True
    parts: list = field(default_factory=list)
    stats: dict = field(default_factory=lambda: {"runs": 0, "reused": 0, "computed": 0, "wall_s": 0.0})

    def __post_init__(self):
        self.overrides = tuple(self.overrides)
        self.folder = Path(self.folder)
        self.cfg = load_config(*self.overrides)
        self.settings = resolved(self.settings, self.cfg)
        self.posterior = Posterior.resolve(self.settings.posterior, self.overrides)
        self.factors = check(self.settings, self.cfg, self.posterior)
        self.seed = int(self.settings.seed)
        self.outcomes = list(self.settings.outcomes)
        self.store = Store(self.folder)
        self._bases: dict[tuple, DictConfig] = {self.overrides: self.cfg}

    def base(self, world: str | None) -> tuple[str, ...]:
        key = self.overrides + ((f"world={world}",) if world else ())
        if key not in self._bases:
            self._bases[key] = load_config(*key)
        return key

    def evaluate(self, design: pd.DataFrame, stage: str) -> pd.DataFrame:
        """Run every row of a design (columns: point, replicate or seed, factor values, optional `extra`: a dict of
        more settings, optional `world`: a conf/world option) and return it with the outcomes of its runs."""
        names = [f.name for f in self.factors if f.role != "seed" and f.name in design]
        design = design.copy()
        if SEED in design:
            design["replicate"] = design[SEED].map(replicate_of)
        types = {f.name: f for f in self.factors}
        runs = []
        for row in design.to_dict("records"):
            settings = {k: types[k].value(row[k]) for k in names if not pd.isna(row[k])}  # NaN: not set here
            settings.update(row.get("extra") or {})
            base = self.base(row.get("world"))
            cfg = self._bases[base]
            settings = {k: v for k, v in settings.items() if OmegaConf.select(cfg, k) != v}  # same run, same key
            runs.append(make_run(base, settings, int(row["replicate"])))
        stats = execute(runs, self.store, self._bases, self.settings, desc=stage, progress=self.progress)
        for k in ("runs", "reused", "computed", "wall_s"):
            self.stats[k] += stats[k]
        outcomes = self.store.frame([r.key for r in runs])
        out = design.assign(key=[r.key for r in runs]).merge(outcomes, on="key", how="left")
        self.parts.append(out.assign(stage=stage))
        return out

    def summarise(self, runs: pd.DataFrame) -> pd.DataFrame:
        """Per design point: factor values and replicate-averaged outcomes (outcomes.by_point)."""
        names = [f.name for f in self.factors]
        summary = by_point(runs.drop(columns=[c for c in names if c in runs] + ["extra"], errors="ignore"))
        factors = runs.groupby("point")[[n for n in names if n in runs]].first()
        return summary.merge(factors, left_on="point", right_index=True)

    def run(self) -> dict:
        start = time.perf_counter()
        self.folder.mkdir(parents=True, exist_ok=True)
        results = KINDS[self.settings.kind].study(self)
        self.write_experiments()
        results["seconds_runs"] = time.perf_counter() - start
        return results

    def write_experiments(self) -> pd.DataFrame:
        data = pd.concat(self.parts, ignore_index=True)
        if "extra" in data:
            data["extra"] = data["extra"].map(lambda d: " ".join(f"{k}={v}" for k, v in (d or {}).items()))
        data.to_parquet(self.folder / "experiments.parquet", index=False)
        return data
