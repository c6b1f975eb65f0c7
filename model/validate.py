"""Range and consistency checks of a composed config against the schema's metadata.

`validate(cfg)` raises ConfigError whose message is one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any, Iterator

from omegaconf import DictConfig, OmegaConf

from agents.vocabulary import CITIES, FIRM_KINDS, MARKETS, PLATFORM_KINDS, quarter_index
from model.config import Config
from model.index import weights as index_weights
from model.suggest import hint, moved


class ConfigError(ValueError):
    """A config value outside its allowed range or inconsistent with another."""


def _leaves(value: Any) -> Iterator[tuple[str, Any]]:
    """(suffix, scalar) pairs of a scalar, list or (nested) dict value."""
    if isinstance(value, dict):
        for k, v in value.items():
            for suffix, leaf in _leaves(v):
                yield f".{k}{suffix}", leaf
    elif isinstance(value, list):
        for i, v in enumerate(value):
            for suffix, leaf in _leaves(v):
                yield f"[{i}]{suffix}", leaf
    else:
        yield "", value


def _check_field(path: str, value: Any, meta: dict) -> None:
    lo, hi = meta["range"]
    unit = meta["unit"]
    for suffix, leaf in _leaves(value):
        key = path + suffix
        if meta["choices"] is not None and leaf not in meta["choices"]:
            raise ConfigError(f"{key}={leaf!r} is not one of {', '.join(map(str, meta['choices']))}"
                              f"{hint(leaf, meta['choices'])}")
        if meta["quarter"]:
            try:
                q = quarter_index(leaf)
            except ValueError:
                raise ConfigError(f"{key}={leaf!r} is not a quarter like 2021Q3") from None
            if not quarter_index(lo) <= q <= quarter_index(hi):
                raise ConfigError(f"{key}={leaf} is out of range [{lo}, {hi}]")
            continue
        if isinstance(leaf, (int, float)) and not isinstance(leaf, bool):
            if not math.isfinite(leaf):
                raise ConfigError(f"{key}={leaf} must be finite ({unit})")
            if (lo is not None and leaf < lo) or (hi is not None and leaf > hi):
                raise ConfigError(f"{key}={leaf:g} is out of range [{lo:g}, {hi:g}] ({unit})")


def _walk(schema: type, node: dict, prefix: str = "") -> None:
    names = [f.name for f in dataclasses.fields(schema)]
    unknown = sorted(set(node) - set(names), key=str)
    if unknown:  # Hydra's '+key=value' can add keys even to a typed config; they are never used, so refuse them
        added = next((suffix for suffix, _ in _leaves(node[unknown[0]])), "")  # the key as typed: +a.b.c=1
        raise ConfigError(f"{prefix}{unknown[0]}{added} is not a parameter"
                          f"{moved(prefix + unknown[0]) or hint(unknown[0], names)}; "
                          f"{prefix.rstrip('.') or 'the top level'} has: {', '.join(names)}")
    for f in dataclasses.fields(schema):
        path = f"{prefix}{f.name}"
        if f.name not in node:  # Hydra's '~key' deletes even a typed key
            raise ConfigError(f"{path} is missing (removed with ~{path}?); every parameter needs a value")
        if "unit" in f.metadata:  # a parameter made by config.P
            _check_field(path, node[f.name], f.metadata)
        else:  # a nested config section
            _walk(type(f.default_factory()), node[f.name], path + ".")


def _require_keys(path: str, mapping: dict, allowed: tuple, exact: bool = True) -> None:
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}{hint(unknown[0], allowed)}; allowed: "
                          f"{', '.join(allowed)}")
    missing = sorted(set(allowed) - set(mapping)) if exact else []
    if missing:
        raise ConfigError(f"{path}: missing key {missing[0]!r}")


def _check_consistency(c: dict) -> None:
    try:
        index_weights(c["index"])  # not all weights 0, no pillar without a weighted indicator
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    pop, world, net, tgt = c["population"], c["world"], c["network"], c["targets"]
    _require_keys("population.transformed_share_2019", pop["transformed_share_2019"], FIRM_KINDS)
    _require_keys("population.city_share", pop["city_share"], FIRM_KINDS)
    for kind, shares in pop["city_share"].items():
        _require_keys(f"population.city_share.{kind}", shares, CITIES)
        if sum(shares.values()) <= 0:
            raise ConfigError(f"population.city_share.{kind} must have a positive sum")
    _require_keys("population.parks", pop["parks"], CITIES, exact=False)
    for kind_dict in ("trade_cost", "import_ratio", "talent_intensity"):
        _require_keys(f"firm.{kind_dict}", c["firm"][kind_dict], FIRM_KINDS)
    _require_keys("platform.n_initial", c["platform"]["n_initial"], PLATFORM_KINDS)
    _require_keys("talent.amenity", c["talent"]["amenity"], CITIES)
    _require_keys("world.demand_growth", world["demand_growth"], MARKETS)
    _require_keys("world.market_share", world["market_share"], MARKETS)
    if abs(sum(world["market_share"].values()) - 1.0) > 1e-6:
        raise ConfigError(f"world.market_share must sum to 1 (sums to {sum(world['market_share'].values()):g})")
    if world["fx"] not in world["fx_scenarios"]:
        raise ConfigError(f"world.fx={world['fx']!r} is not one of {', '.join(world['fx_scenarios'])}"
                          f"{hint(world['fx'], world['fx_scenarios'])}")
    odd = [y for y in world["fx_observed"] if not re.fullmatch(r"\d{4}", str(y))]
    if odd:
        raise ConfigError(f"world.fx_observed.{odd[0]} is not a year")
    years = sorted(int(y) for y in world["fx_observed"])
    if 2019 not in years or years != list(range(years[0], years[-1] + 1)):
        raise ConfigError("world.fx_observed must hold consecutive years, 2019 among them")
    if net["same_park"] + net["same_city"] > 1.0:
        raise ConfigError("network.same_park + network.same_city must not exceed 1")
    if c["platform"]["fee_floor"] > c["platform"]["fee_cap"]:
        raise ConfigError(f"platform.fee_floor={c['platform']['fee_floor']} exceeds "
                          f"platform.fee_cap={c['platform']['fee_cap']}")
    if tgt["t5_min"] > tgt["t5_max"]:
        raise ConfigError(f"targets.t5_min={tgt['t5_min']} exceeds targets.t5_max={tgt['t5_max']}")
    if tgt["t2_base_year"] >= tgt["year"]:
        raise ConfigError(f"targets.t2_base_year={tgt['t2_base_year']} must precede targets.year={tgt['year']}")
    _require_keys("phasing.rollout", c["phasing"]["rollout"], CITIES)
    for city, start in c["phasing"]["rollout"].items():
        if start != "never":
            _check_field(f"phasing.rollout.{city}", start,
                         dict(range=("2020Q1", "2035Q4"), unit="quarter", choices=None, quarter=True))
    for name, lever in c["policy"].items():
        if isinstance(lever, dict) and quarter_index(lever["start"]) > quarter_index(lever["end"]):
            raise ConfigError(f"policy.{name}.start={lever['start']} is after policy.{name}.end={lever['end']}")
    for name in ("digital_boom", "covid", "slowdown_2022", "tariff_2025"):
        shock = world[name]
        if quarter_index(shock["start"]) > quarter_index(shock["end"]):
            raise ConfigError(f"world.{name}.start={shock['start']} is after world.{name}.end={shock['end']}")


def validate(cfg: DictConfig | Config) -> None:
    """Check every value of a composed config; raise ConfigError (one line) on the first problem."""
    if dataclasses.is_dataclass(cfg):
        cfg = OmegaConf.structured(cfg)
    try:
        plain = OmegaConf.to_container(cfg, resolve=True)
    except Exception as exc:  # an interpolation like ${oops} that does not resolve, or resolves to the wrong type
        text = " ".join(str(exc).split()).split(" full_key:")[0]
        raise ConfigError(f"{getattr(exc, 'full_key', None) or 'an interpolation'}: {text}") from None
    plain = {k: v for k, v in plain.items() if k != "hydra"}
    _walk(Config, plain)
    _check_consistency(plain)
