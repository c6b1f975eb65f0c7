"""Priors of the calibrated parameters: which `uncertain=True` parameters of model/config.py the observations can
inform, and what is known of each before the data.

Bounds are the schema's ranges (read from the field metadata of model/config.py, never retyped); the centre is the
stated assumption (the value under `calibration=none`) unless a source gives another. A prior is a normal in the
parameter's unit or, for scales (levels, rates), a normal in its logarithm, truncated to the schema's range. pyabc
samples "log" priors in log space (the ABC history stores logs); everything else here sees natural values.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from omegaconf import OmegaConf

from model.config import Config


def schema_field(key: str) -> dict:
    """The metadata of the schema field behind a dotted config key (a dict field's entries share its metadata)."""
    cls, meta = Config, None
    for part in key.split("."):
        if cls is None:  # inside a dict-valued field: its entries share the field's metadata
            break
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if part not in fields:
            raise KeyError(f"{key}: no such parameter in model/config.py")
        f = fields[part]
        meta = dict(f.metadata)
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None)
        cls = type(default) if dataclasses.is_dataclass(default) else None
    if not meta or cls is not None:
        raise KeyError(f"{key}: not a parameter of model/config.py")
    return meta


@dataclass(frozen=True)
class Prior:
    key: str              # dotted config key of an uncertain=True parameter
    log: bool             # normal in log(value) (scales) or in the value itself
    spread: float         # sd of the normal (in log points if log)
    source: str           # where centre and spread come from ("A: ..." = stated assumption)
    centre: float | None = None  # None: the stated assumption (calibration=none)

    def bounds(self) -> tuple[float, float]:
        lo, hi = schema_field(self.key)["range"]
        return float(lo), float(hi)

    def centre_value(self, base) -> float:
        return float(OmegaConf.select(base, self.key)) if self.centre is None else float(self.centre)

    def to_value(self, x: float) -> float:
        """pyabc's sampled coordinate -> the parameter's value."""
        return math.exp(x) if self.log else float(x)

    def rv(self, base):
        """The pyabc random variable (truncated normal in the sampled coordinate)."""
        import pyabc

        lo, hi = self.bounds()
        mu = self.centre_value(base)
        if self.log:
            mu, lo, hi = math.log(mu), (math.log(lo) if lo > 0 else -math.inf), math.log(hi)
        return pyabc.RV("truncnorm", (lo - mu) / self.spread, (hi - mu) / self.spread, loc=mu, scale=self.spread)


_WEO = ("IMF WEO Oct 2023 (Navigating Global Divergences): real growth 2023-24 advanced economies 1.5/1.4 %, "
        "emerging 4.0 %, world 2000-19 average 3.8 %; WTO Oct 2023: goods trade volume +0.8 % (2023), +3.3 % "
        "(2024) (telsglobal.com/media_center/tels_news/imf-and-wto-updated-global-economic-and-trade-forecasts/). "
        "Nominal demand adds inflation; sd 3 points spans these")
PRIORS = (
    Prior("population.cbec_trade_2019_cny", True, 0.3,
          "A: 2019 CBEC under the 2020 definition is unpublished; retail alone was 1,051.5 亿元 (2019 report)"),
    Prior("population.service_trade_2019_cny", True, 0.3,
          "A: 2019 services under the 2020 definition unpublished; 1,006 亿元 under the narrow 2019 one"),
    Prior("world.digital_boom.level", True, 0.2, "A: lasting pandemic shift toward digital trade"),
    Prior("world.digital_shift", False, 0.04,
          "WTO (2023-06-06, wam.ae/en/details/1395303166107): digitally delivered services +8.1 %/yr 2005-22 vs "
          "goods +5.6 % (2.5 points); China customs: CBEC 1.06 trn yuan (2018) to 2.38 trn (2023), about 11 "
          "points a year above goods (wucea.com/news/5274.html); sd 4 points spans both"),
    *(Prior(f"world.demand_growth.{m}", False, 0.03, _WEO) for m in ("us", "eu", "asia", "other")),
    Prior("world.domestic_growth", False, 0.03, "A: import demand; " + _WEO.split(";")[0]),
    Prior("world.covid.goods_multiplier", False, 0.08, "A: the 2020H1 goods slump"),
    Prior("world.slowdown_2022.goods_multiplier", False, 0.05, "A: the 2022-23 slowdown, goods"),
    Prior("world.slowdown_2022.digital_multiplier", False, 0.05, "A: the 2022-23 slowdown, digital kinds"),
    Prior("firm.adoption_max", True, 0.5, "A: pace of digital transformation"),
    Prior("firm.adoption_slope", True, 0.25,
          "the CIT notch's effect on R&D (Chen, Liu, Suárez Serrato & Xu 2021, doi:10.1257/aer.20191758): slopes "
          "exp(+-0.25 x 1.64) = 0.53-1.2 around the schema's 0.8 span notch responses of about 9-26 (model/config.py)"),
    Prior("firm.transform_gain", True, 0.4, "A: trade gain of a transformed firm"),
    Prior("firm.digital_share_transformed", True, 0.4, "A: digitally ordered share after transformation"),
    Prior("firm.entry_rate", True, 0.4, "A: gross entry (net CBEC stores +15,000 in 2019)"),
    Prior("firm.exit_rate", True, 0.4, "A: exit hazard of a median-size firm"),
    Prior("firm.talent_elasticity", False, 0.4, "A: how much a talent shortage binds digital output"),
)


def select(keys: list[str] | None) -> tuple[Prior, ...]:
    """The priors of `keys` (all of them if None), in PRIORS order; ValueError naming an unknown key."""
    if not keys:
        return PRIORS
    known = {p.key: p for p in PRIORS}
    for k in keys:
        if k not in known:
            raise ValueError(f"--parameters {k}: not a calibrated parameter (calibration/priors.py: "
                             f"{', '.join(known)})")
    return tuple(p for p in PRIORS if p.key in keys)


def check(priors=PRIORS, base=None) -> None:
    """Every prior is an uncertain=True parameter of the schema whose centre lies inside its range."""
    for p in priors:
        meta = schema_field(p.key)
        if not meta.get("uncertain"):
            raise ValueError(f"prior {p.key}: not marked uncertain=True in model/config.py")
        if base is not None:
            lo, hi = p.bounds()
            if not lo <= p.centre_value(base) <= hi:
                raise ValueError(f"prior {p.key}: centre outside the schema range [{lo:g}, {hi:g}]")


def distribution(base, priors=PRIORS):
    """The pyabc prior over the sampled coordinates, named by config key."""
    import pyabc

    return pyabc.Distribution(**{p.key: p.rv(base) for p in priors})


def values(particle: dict, priors=PRIORS) -> dict[str, float]:
    """A pyabc particle (sampled coordinates) -> {config key: value}."""
    return {p.key: p.to_value(particle[p.key]) for p in priors}


def with_values(cfg, params: dict):
    """A copy of the composed (typed) config `cfg` with the dotted keys of `params` set (validated by the model)."""
    import copy

    out = copy.deepcopy(cfg)
    for key, v in params.items():
        OmegaConf.update(out, key, float(v), merge=False)
    return out
