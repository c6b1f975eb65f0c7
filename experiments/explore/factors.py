"""Factors of a study, declared by the schema (model/config.py), never retyped here.

- Uncertainties: the parameters marked `uncertain=True`, each dict-valued one split by key
  (`world.demand_growth.us`). Range: the composed value (the calibrated one where calibration set it) times
  (1 ± explore.spread), inside the schema's valid range; the schema's own range is the validity bound, too wide
  to sample (transform_cost_cny spans 1e4-1e9).
- Levers: every numeric setting of a lever family in `model.policy.LEVERS` (a family added to the model and the
  schema appears here by itself). Range: from 0 (off) to explore.lever_max times the plan's value, inside the
  schema's range.
- With a calibration posterior (explore.posterior: `auto` = the stored sample of the composed calibration,
  data/calibration/<name>_posterior.csv), an uncertainty the calibration fitted takes its range from the
  posterior instead: the central explore.posterior_interval of its weighted marginal (Sobol, Morris: independent
  ranges), and `scenarios` draws the fitted ones jointly from the posterior (PRIM, Pareto, cost: their
  correlations kept). Uncertainties the calibration did not fit keep the spread rule.
- `explore.ranges` sets any factor's range by name (it wins over the posterior). A preset picks factors by name or shell pattern
  (`policy.*.annual_budget_cny`); `seed` (explore.seed_factor) is the replicate seed as a factor.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from model.config import Config, LeverCfg, PolicyCfg
from model.policy import LEVERS
from model.suggest import hint
from model.validate import ConfigError

SEED = "seed"
SEED_SPAN = 2**20  # the seed factor u in [0, 1) runs replicate int(u * SEED_SPAN) of the study's seed


@dataclass(frozen=True)
class Factor:
    name: str        # dotted config key, or "seed"
    role: str        # "uncertainty" | "lever" | "seed"
    lo: float
    hi: float
    default: float   # value in the composed base config (the plan, calibrated where calibrated)
    unit: str
    integer: bool = False
    source: str = "range"  # where lo, hi come from: "range" (spread, lever_max or explore.ranges) | "posterior"

    def value(self, x: float):
        """The config value of a sampled number (integers rounded)."""
        return int(round(x)) if self.integer else float(x)


def leaves(node: Any = None, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """(dotted name, field metadata) of every parameter of the schema; a dict parameter is walked one level
    down, so its keys (`world.demand_growth.us`) are parameters of their own with the dict's metadata."""
    node = Config() if node is None else node
    for f in dataclasses.fields(node):
        value, name = getattr(node, f.name), prefix + f.name
        if "unit" not in f.metadata:
            yield from leaves(value, name + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(item, (dict, list)):
                    yield f"{name}.{key}", f.metadata
        else:
            yield name, f.metadata


def _numeric(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _lever_names() -> set[str]:
    base = {f.name for f in dataclasses.fields(LeverCfg)}  # enabled, start, end, coverage: when and where
    return {f"policy.{family}.{f.name}" for family in LEVERS
            for f in dataclasses.fields(getattr(PolicyCfg(), family)) if f.name not in base}


def catalogue(cfg: DictConfig) -> dict[str, dict[str, dict]]:
    """{"uncertainty": {name: meta}, "lever": {name: meta}}: the numeric parameters a study may vary."""
    levers = _lever_names()
    out: dict[str, dict[str, dict]] = {"uncertainty": {}, "lever": {}}
    for name, meta in leaves():
        if not _numeric(OmegaConf.select(cfg, name)):
            continue
        if meta["uncertain"]:
            out["uncertainty"][name] = meta
        if name in levers:
            out["lever"][name] = meta
    return out


def flat_ranges(ranges) -> dict[str, list]:
    """explore.ranges as {dotted name: [lo, hi]}, whether written with dotted keys or nested (command line)."""
    plain = OmegaConf.to_container(ranges) if isinstance(ranges, DictConfig) else dict(ranges or {})
    out: dict[str, list] = {}

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out[f"{prefix}{k}"] = v
    walk(plain, "")
    return out


def _range(name: str, role: str, default: float, meta: dict, settings, given: dict) -> tuple[float, float]:
    lo_valid, hi_valid = meta["range"]
    if name in given:
        pair = given[name]
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_numeric, pair))):
            raise ConfigError(f"explore.ranges.{name}={pair!r} must be [lo, hi]")
        lo, hi = float(pair[0]), float(pair[1])
        if (lo_valid is not None and lo < lo_valid) or (hi_valid is not None and hi > hi_valid):
            raise ConfigError(f"explore.ranges.{name}=[{lo:g}, {hi:g}] leaves the valid range "
                              f"[{lo_valid}, {hi_valid}] ({meta['unit']})")
    elif default == 0:
        raise ConfigError(f"{name} is 0 in the base config: give its range, explore.ranges.{name}=[lo,hi]")
    elif role == "lever":
        lo, hi = 0.0, float(settings.lever_max) * default
    else:
        lo, hi = sorted((default * (1 - float(settings.spread)), default * (1 + float(settings.spread))))
    lo = lo if lo_valid is None else max(lo, float(lo_valid))
    hi = hi if hi_valid is None else min(hi, float(hi_valid))
    if not lo < hi:
        raise ConfigError(f"{name}: empty range [{lo:g}, {hi:g}]; set explore.ranges.{name}=[lo,hi]")
    return lo, hi


def pick(settings, cfg: DictConfig, posterior: Posterior | None = None) -> list[Factor]:
    """The study's factors: explore.uncertainties, then explore.levers (names or patterns), then the seed; an
    uncertainty the posterior holds (and explore.ranges does not set) spans its central posterior interval."""
    cat, given = catalogue(cfg), flat_ranges(settings.ranges)
    chosen: dict[str, Factor] = {}
    for role, key in (("uncertainty", "uncertainties"), ("lever", "levers")):
        for pattern in settings[key] or []:
            names = [n for n in cat[role] if fnmatch.fnmatchcase(n, str(pattern))]
            if not names:
                raise ConfigError(f"explore.{key}: {pattern!r} matches no {role} parameter"
                                  f"{hint(pattern, cat[role])}")
            for name in names:
                if name in chosen and chosen[name].role != role:
                    raise ConfigError(f"{name} is picked both as an uncertainty and as a lever")
                meta, default = cat[role][name], float(OmegaConf.select(cfg, name))
                lo, hi = _range(name, role, default, meta, settings, given)
                chosen[name] = Factor(name, role, lo, hi, default, meta["unit"],
                                      isinstance(OmegaConf.select(cfg, name), int))
    if posterior is not None:
        for name, f in chosen.items():
            if f.role == "uncertainty" and name in posterior.particles and name not in given:
                lo, hi = posterior.interval(name, float(settings.posterior_interval))
                if lo < hi:  # a marginal collapsed to a point keeps the spread rule
                    chosen[name] = dataclasses.replace(f, lo=lo, hi=hi, source="posterior")
    unused = sorted(set(given) - set(chosen))
    if unused:
        raise ConfigError(f"explore.ranges.{unused[0]}: not a factor of this study{hint(unused[0], chosen)}")
    factors = list(chosen.values())
    if settings.seed_factor:
        factors.append(Factor(SEED, "seed", 0.0, 1.0, 0.0, "position in the replicate seeds"))
    return factors


@dataclass(frozen=True)
class Posterior:
    """A stored calibration posterior sample (calibration/posterior.py): particles (one column per config key)
    and their normalised weights."""
    name: str
    particles: pd.DataFrame
    weights: np.ndarray

    @classmethod
    def resolve(cls, setting, overrides: tuple[str, ...]) -> Posterior | None:
        """explore.posterior: null/none -> None; auto -> the composed calibration's sample if one is stored;
        a name (zhejiang_2023) or a .csv path -> that sample (ConfigError naming it if it is not one)."""
        from calibration import posterior

        if setting is None or str(setting) == "none":
            return None
        name = calibration_choice(overrides) if str(setting) == "auto" else str(setting)
        if str(setting) == "auto" and (name in (None, "none") or not posterior.path(name).is_file()):
            return None
        try:
            particles, weights = posterior.load(name)
        except ValueError as exc:
            raise ConfigError(f"explore.posterior={setting}: {exc}") from None
        return cls(name, particles, weights)

    def interval(self, name: str, mass: float) -> tuple[float, float]:
        """The central `mass` interval of the weighted marginal of `name` (inverse of the weighted ECDF)."""
        x = self.particles[name].to_numpy(dtype=float)
        order = np.argsort(x, kind="stable")
        cdf = np.cumsum(self.weights[order])
        cdf /= cdf[-1]
        at = np.searchsorted(cdf, [(1 - mass) / 2, (1 + mass) / 2], side="left")
        lo, hi = x[order][np.minimum(at, x.size - 1)]
        return float(lo), float(hi)

    def draw(self, names: list[str], n: int, seed: int) -> pd.DataFrame:
        """n joint draws of `names` from the posterior, in proportion to the weights (seeded)."""
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0x504F5354]))  # "POST": apart from the design's
        idx = rng.choice(len(self.weights), size=n, replace=True, p=self.weights)
        return self.particles[names].iloc[idx].reset_index(drop=True)


def calibration_choice(overrides: tuple[str, ...]) -> str | None:
    """The conf/calibration option the overrides compose (the default's unless calibration= is given)."""
    from model.compose import compose_raw

    return OmegaConf.select(compose_raw(tuple(overrides), return_hydra_config=True), "hydra.runtime.choices.calibration")


def lhs(factors, n: int, seed: int) -> pd.DataFrame:
    """n points of a Latin hypercube over the factors (scipy, seeded): columns point and one per factor."""
    from scipy.stats import qmc  # imported here: scipy is slow to import and only designs need it

    x = qmc.LatinHypercube(d=len(factors), seed=seed).random(n) if factors else np.empty((n, 0))
    frame = pd.DataFrame({f.name: f.lo + x[:, i] * (f.hi - f.lo) for i, f in enumerate(factors)})
    frame.insert(0, "point", np.arange(n))
    return frame


def scenarios(factors: list[Factor], n: int, seed: int, posterior: Posterior | None = None) -> pd.DataFrame:
    """n scenarios of the uncertainties: a Latin hypercube over those with a range, joint posterior draws for
    those whose range is the posterior's (columns: point and one per factor)."""
    fitted = [f.name for f in factors if f.source == "posterior"]
    frame = lhs([f for f in factors if f.source != "posterior"], n, seed)
    if fitted and posterior is not None:
        frame = pd.concat([frame, posterior.draw(fitted, n, seed)], axis=1)
    return frame[["point", *[f.name for f in factors]]]


def budget_levers(cfg: DictConfig) -> list[str]:
    """Each lever family's budget key, found as model.policy.annual_limit finds it (the tax lever's is its
    tax-expenditure cap; a family without one, e.g. market access, spends no money and is left out)."""
    out = []
    for family in LEVERS:
        node = cfg.policy[family]
        key = next((k for k in ("annual_cap_cny", "annual_budget_cny") if k in node), None)
        if key is not None:
            out.append(f"policy.{family}.{key}")
    return out


def replicate_of(u: float) -> int:
    """The replicate a value of the seed factor runs."""
    return int(min(max(u, 0.0), 1.0 - 1e-12) * SEED_SPAN)


def set_values(cfg: DictConfig, values: dict) -> dict:
    """Set dotted keys of `cfg` in place; return the values they had (to put back after the run)."""
    old = {}
    for key, value in values.items():
        old[key] = OmegaConf.select(cfg, key)
        OmegaConf.update(cfg, key, value, merge=False)
    return old
