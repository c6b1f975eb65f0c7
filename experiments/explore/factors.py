"""Factors of a study, declared by the schema (model/config.py), never retyped here.

- Uncertainties: the parameters marked `uncertain=True`, each dict-valued one split by key
  (`world.demand_growth.us`). Range: the composed value (the calibrated one where calibration set it) times
  (1 ± explore.spread), inside the schema's valid range; the schema's own range is the validity bound, too wide
  to sample (transform_cost_cny spans 1e4-1e9).
- Levers: every numeric setting of a lever family in `model.policy.LEVERS` (a family added to the model and the
  schema appears here by itself). Range: from 0 (off) to explore.lever_max times the plan's value, inside the
  schema's range.
- `explore.ranges` sets any factor's range by name. A preset picks factors by name or shell pattern
  (`policy.*.annual_budget_cny`); `seed` (explore.seed_factor) is the replicate seed as a factor.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass
from typing import Any, Iterator

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


def pick(settings, cfg: DictConfig) -> list["Factor"]:
    """The study's factors: explore.uncertainties, then explore.levers (names or patterns), then the seed."""
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
    unused = sorted(set(given) - set(chosen))
    if unused:
        raise ConfigError(f"explore.ranges.{unused[0]}: not a factor of this study{hint(unused[0], chosen)}")
    factors = list(chosen.values())
    if settings.seed_factor:
        factors.append(Factor(SEED, "seed", 0.0, 1.0, 0.0, "position in the replicate seeds"))
    return factors


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
