"""The workshop's controls, built from the model: one panel per lever family of model.policy.LEVERS, its on/off
switch and its parameters from the typed config schema (model/config.py: unit, valid range, choices, source), so a
new lever family or parameter appears in the app without a change here.

For the seven families the plan names, a hand-written title, the main values and a slider range narrower than the
schema's (so that a slider is usable) are kept below (CURATED, TEXTS; the wording follows docs/ODD.md, section 7);
a curated control whose key has left the schema is dropped, and a family without curated controls shows every
parameter the schema gives it. Tests check every slider stays inside the schema's valid range."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace

from model.policy import LEVERS


@dataclass(frozen=True)
class Control:
    key: str                 # dotted config key, e.g. "policy.fund.annual_budget_cny"
    label: str
    unit: str = ""           # of the shown value
    kind: str = "slider"     # "slider" | "switch" | "select"
    lo: float = 0.0          # slider range and step, in shown units
    hi: float = 1.0
    step: float = 0.1
    factor: float = 1.0      # config value = shown value × factor (CNY bn, percentage points)
    options: tuple = ()      # for "select"
    help: str = ""           # the tooltip: config key, unit, valid range and source, from the schema

    def shown(self, value):
        return value / self.factor if self.kind == "slider" else value

    def describe(self, value) -> str:
        """'budget 1 CNY bn/year', 'allocation rule competitive': a config value as the page shows it."""
        shown = f"{self.shown(value):g}" if self.kind == "slider" else str(value).lower()
        return " ".join(part for part in (self.label, shown, self.unit) if part)

    def stored(self, shown):
        """Config value of a shown value, rounded so that 3 % stays 0.03 and not 0.030000000000000002."""
        if self.kind != "slider":
            return shown
        value = float(f"{float(shown) * self.factor:.10g}")
        return int(value) if self.step >= 1 and self.factor == 1 else value


BN, PP = 1e9, 0.01  # CNY bn; percentage points ("pp") of an ad-valorem trade cost


def _on(family: str) -> Control:
    return Control(f"policy.{family}.enabled", "on", kind="switch")


_CURATED_FAMILIES: dict[str, tuple[str, list[Control], str]] = {
    "fund": ("Special fund (grants)", [
        _on("fund"),
        Control("policy.fund.annual_budget_cny", "budget", "CNY bn/year", hi=10, step=0.1, factor=BN),
        Control("policy.fund.rule", "allocation rule", kind="select", options=("competitive", "broad", "platform")),
    ], "Grants pay up to half of a firm's one-off digital-transformation cost (at most CNY 5 m a firm) in covered "
       "cities until the year's budget is spent. 'competitive' funds the best gain/cost first; 'broad' funds SMEs "
       "(trade under CNY 100 m/year) in random order; 'platform' gives the money to platforms to enter foreign "
       "markets instead. Grants also reach firms that would have transformed anyway."),
    "tax": ("Tax incentives", [
        _on("tax"),
        Control("policy.tax.super_deduction", "R&D super-deduction", "extra CNY per CNY", hi=3, step=0.05),
        Control("policy.tax.reduced_cit_rate", "reduced CIT rate", "%", hi=25, step=0.5, factor=PP),
        Control("policy.tax.annual_cap_cny", "tax-expenditure cap", "CNY bn/year", hi=10, step=0.1, factor=BN),
    ], "A firm deciding whether to transform counts the R&D super-deduction on half its transformation cost and the "
       "reduced corporate tax rate on its future digital margin; transformed firms with digital maturity ≥ 0.6 are "
       "then paid the reduced rate. What is paid each year is capped."),
    "market_access": ("Market-access easing", [
        _on("market_access"),
        Control("policy.market_access.data_flow_cost_cut", "data-flow trade-cost cut", "pp", hi=20, step=0.5,
                factor=PP),
        Control("policy.market_access.foreign_entry", "foreign entry", "extra entrants per foreign entrant", hi=5,
                step=0.1),
        Control("policy.market_access.foreign_cloud_entry", "foreign cloud providers may enter", kind="switch"),
    ], "Raises entry of foreign-invested firms and lets foreign cloud providers in (cheaper cloud makes "
       "transformation cheaper); in model versions that keep the data-flow pilots here, also cuts the trade cost of "
       "digital-service and content exporters. It spends no money."),
    "talent": ("Talent programme", [
        _on("talent"),
        Control("policy.talent.annual_budget_cny", "budget", "CNY bn/year", hi=5, step=0.05, factor=BN),
        Control("policy.talent.visa_easing", "extra international inflow (visa easing)", "× base", hi=5, step=0.1),
        Control("policy.talent.training_places", "training places", "per year", hi=100_000, step=1_000),
    ], "Housing subsidies and visa easing draw international digital talent to covered cities; funded training "
       "places add mid-skilled workers. It matters because a city's digital output is scaled down when its "
       "firms cannot hire the digital workers they need."),
    "infrastructure": ("Infrastructure (5G, compute)", [
        _on("infrastructure"),
        Control("policy.infrastructure.annual_budget_cny", "public investment", "CNY bn/year", hi=20, step=0.5,
                factor=BN),
    ], "Public 5G and compute investment, province-wide from 2020Q1 by default: it lowers each city's digital-cost "
       "index (transformation up to 30 % cheaper) and adds cloud capacity."),
    "cbec": ("CBEC facilitation", [
        _on("cbec"),
        Control("policy.cbec.customs_cost_cut", "customs-mode trade-cost cut", "pp", hi=20, step=0.5, factor=PP),
        Control("policy.cbec.warehouse_cost_cut", "overseas-warehouse trade-cost cut", "pp", hi=20, step=0.5,
                factor=PP),
    ], "Customs modes (1210/9610/9710/9810) and overseas warehouses cut cross-border e-commerce sellers' trade cost "
       "in covered cities (traditional traders get 30 % of the cut); trade responds with an elasticity of about 4."),
    "demo_bases": ("Demonstration bases", [
        _on("demo_bases"),
        Control("policy.demo_bases.max_total", "at most", "bases", hi=40, step=1),
    ], "Each fourth quarter, parks in covered cities with enough digital trade and transformed firms become bases "
       "(at most 5 a year); member firms get a trade-cost cut and 20 % off the transformation cost. T5 counts them."),
}

SCENARIO_HELP = {
    "phasing": "The quarter each city joins the zone. Levers with coverage 'phasing' act only in cities that have "
               "joined; infrastructure is province-wide.",
    "world.fx": "CNY per USD from 2025 on ({levels}); observed annual averages before. T1 is scored in USD, so a "
                "stronger dollar shrinks it even if trade in CNY were unchanged.",
}

SKIP = ("enabled", "start", "end", "coverage")  # the switch comes first; dates and coverage are the preset's
CURATED = {c.key: c for _, controls, _ in _CURATED_FAMILIES.values() for c in controls}
TEXTS = {family: (title, text) for family, (title, _, text) in _CURATED_FAMILIES.items()}


def _policy_cls():
    from model.config import PolicyCfg
    return PolicyCfg


def family_fields(family: str, policy_cls=None) -> dict[str, dataclasses.Field]:
    """name -> schema field (with its metadata) of a lever family's dataclass."""
    policy_cls = policy_cls or _policy_cls()
    section = next((f for f in dataclasses.fields(policy_cls) if f.name == family), None)
    if section is None:
        return {}
    return {f.name: f for f in dataclasses.fields(section.default_factory())}


def _nice(x: float, up: bool = True) -> float:
    """1, 2 or 5 times a power of ten, at or above (below) x."""
    if x <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(x))
    steps = [1, 2, 5, 10] if up else [10, 5, 2, 1]
    for m in steps:
        if (m * power >= x * (1 - 1e-12)) if up else (m * power <= x * (1 + 1e-12)):
            return float(f"{m * power:.12g}")
    return float(x)


def help_text(key: str, meta: dict) -> str:
    lo, hi = meta.get("range") or (None, None)
    valid = f"valid {lo:g} to {hi:g}" if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) else ""
    choices = f"one of {', '.join(meta['choices'])}" if meta.get("choices") else ""
    return " · ".join(part for part in (key, meta.get("unit", ""), valid or choices,
                                        f"source: {meta.get('source', '')}") if part)


def auto_control(key: str, field: dataclasses.Field, default) -> Control | None:
    """A control for a schema field: a switch (bool), a select (choices) or a slider in readable units (CNY bn or
    m, percentage points), from 0 (or the schema's low end) to about five times the default, within the schema."""
    from experiments.labels import name

    meta = field.metadata
    if "unit" not in meta:
        return None
    label = name(key).split(": ", 1)[-1]
    unit = str(meta["unit"])
    if isinstance(default, bool):
        return Control(key, label, kind="switch", help=help_text(key, meta))
    if meta.get("choices"):
        return Control(key, label, kind="select", options=tuple(meta["choices"]), help=help_text(key, meta))
    if not isinstance(default, (int, float)):
        return None
    factor, shown = 1.0, unit
    if unit.startswith("CNY"):
        factor, word = next(((f, w) for f, w in ((1e9, "bn"), (1e6, "m")) if abs(default) >= f / 10), (1.0, ""))
        shown = unit.replace("CNY", f"CNY {word}".strip(), 1)
    elif unit.startswith(("ad valorem", "rate", "share")):
        factor = 0.01
        shown = "pp" + unit[len("ad valorem"):] if unit.startswith("ad valorem") else "%"
    lo, hi = meta.get("range") or (0.0, None)
    lo = 0.0 if lo is None else float(lo)
    top = _nice(max(abs(default) * 5, factor)) if hi is None else min(float(hi), _nice(max(abs(default) * 5, factor)))
    top = max(top, float(default))
    step = _nice((top - lo) / factor / 100, up=False) or 1.0
    if isinstance(default, int) and not isinstance(default, bool):
        step = max(1.0, round(step))
    return Control(key, label, shown, lo=lo / factor, hi=top / factor, step=step, factor=factor,
                   help=help_text(key, meta))


def build(levers=LEVERS, policy_cls=None) -> dict[str, tuple[str, list[Control], str]]:
    """family -> (title, controls, what it does) for every lever family of `levers` that the schema has."""
    from experiments.labels import LEVERS as NAMES, words

    out = {}
    for family in levers:
        fields = family_fields(family, policy_cls)
        if not fields:
            continue
        defaults = {n: getattr(fields[n], "default", None) for n in fields}
        for n, f in fields.items():
            if f.default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
                defaults[n] = f.default_factory()
        title, text = TEXTS.get(family, (None, None))
        if title is None:
            title = NAMES.get(family) or words(family)
            title = title[0].upper() + title[1:]
            cls = type(_instance(family, policy_cls))
            doc = cls.__doc__ or ""
            text = doc if doc and not doc.startswith(cls.__name__ + "(") else \
                "Its parameters as the config schema (model/config.py) states them; hover a control for its unit, " \
                "valid range and source."
        curated = [CURATED[k] for k in CURATED if k.startswith(f"policy.{family}.")
                   and k.rsplit(".", 1)[1] in fields and k.rsplit(".", 1)[1] != "enabled"]
        if curated:
            controls = [replace(c, help=help_text(c.key, fields[c.key.rsplit(".", 1)[1]].metadata)) for c in curated]
        else:
            controls = [c for n, f in fields.items() if n not in SKIP
                        for c in [auto_control(f"policy.{family}.{n}", f, defaults[n])] if c is not None]
        switch = Control(f"policy.{family}.enabled", "on", kind="switch",
                         help=help_text(f"policy.{family}.enabled", fields["enabled"].metadata))
        out[family] = (title, [switch, *controls], text)
    return out


def _instance(family: str, policy_cls=None):
    policy_cls = policy_cls or _policy_cls()
    return next(f for f in dataclasses.fields(policy_cls) if f.name == family).default_factory()


FAMILIES = build()
CONTROLS = {c.key: c for _, controls, _ in FAMILIES.values() for c in controls}
