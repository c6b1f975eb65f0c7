"""The workshop's controls: which config keys the app exposes, on what slider range, and what each lever family
does in the model (the wording follows docs/ODD.md, section 7). Slider ranges are narrower than the schema's
(model/config.py) so that a slider is usable; tests check they stay inside the schema's valid range."""

from __future__ import annotations

from dataclasses import dataclass


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


FAMILIES: dict[str, tuple[str, list[Control], str]] = {
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
    ], "Cuts the trade cost of digital-service and content exporters (data-flow pilots), raises entry of "
       "foreign-invested firms and lets foreign cloud providers in (cheaper cloud makes transformation cheaper). "
       "It spends no money."),
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

CONTROLS = {c.key: c for _, controls, _ in FAMILIES.values() for c in controls}
