"""Plain labels for a policy reader: a key's name and unit from the config schema (model/config.py), not the key.

    label("policy.fund.annual_budget_cny")          -> 'special fund: annual budget (CNY/year)'
    fmt_value("policy.fund.annual_budget_cny", 1e9) -> 'CNY 1 bn/year'
    setting("world", "weak_demand")                 -> 'world: weak demand'
    scenario_label({"experiment/lever_off": "fund"}) -> 'plan without the special fund'

The plain name is derived from the key path (section, then the field's words; a trailing `_cny`/`_usd` goes into
the unit); the unit comes from the field's metadata. Only the lever families, the config groups and a few
abbreviations have hand-written names (LEVERS, GROUPS, WORDS below); everything else follows the schema, so a new
parameter gets a label without touching this file.
"""

from __future__ import annotations

import dataclasses
import math
import re
import textwrap
from functools import lru_cache

LEVERS = {"fund": "special fund", "tax": "tax incentives", "market_access": "market access",
          "talent": "talent programme", "infrastructure": "5G and compute", "cbec": "CBEC customs modes",
          "demo_bases": "demonstration bases", "online_exhibitions": "online exhibitions and matchmaking",
          "trade_digitalisation": "trade digitalisation", "digital_culture": "digital culture going out",
          "sandbox_ip": "regulatory sandbox and IP protection", "data_flows": "cross-border data flows"}
GROUPS = {"policy": "policy", "phasing": "zone roll-out", "world": "world", "experiment/lever_off": "lever off",
          "calibration": "calibration", "experiment": "experiment"}
# choices of config groups that the words of their name do not say
CHOICES = {("policy", "plan"): "plan as written", ("policy", "none"): "no plan (all levers off)",
           ("experiment/lever_off", "none"): "plan as written",
           ("experiment/lever_off", "all"): "all levers off", ("phasing", "plan"): "plan's roll-out",
           ("world", "baseline"): "baseline"}
WORDS = {"fx": "exchange rate", "usd": "USD", "cny": "CNY", "cit": "CIT", "rd": "R&D", "gmv": "GMV", "hhi": "HHI",
         "b2b": "B2B", "b2c": "B2C", "cbec": "CBEC", "sme": "SME", "us": "US", "eu": "EU", "5g": "5G",
         "covid": "COVID", "min": "minimum", "max": "maximum", "t1": "T1", "t2": "T2"}
NOT_UNITS = {"label", "switch", "rule", "scenario name", "integer", "path", "quarter or never"}
PERCENT_UNITS = {"1/year": " %/year", "1/quarter": " %/quarter", "rate": " %", "ad valorem": " % ad valorem"}
_CURRENCY = re.compile(r"^(CNY|USD)\b\s*(.*)$")


def _config():
    from model.config import Config
    return Config()


@lru_cache(maxsize=None)
def meta(key: str) -> dict | None:
    """The schema metadata (unit, range, choices, source) of a dotted key; a key inside a dict-valued parameter
    (world.demand_growth.us) has its parameter's metadata; None for a config group or an unknown key."""
    node = _config()
    for part in key.replace("/", ".").split("."):
        if not dataclasses.is_dataclass(node):
            return None
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            return None
        if "unit" in fields[part].metadata:
            return dict(fields[part].metadata)
        node = getattr(node, part)
    return None


def is_group(key: str) -> bool:
    return key.lstrip("+~") in GROUPS


def words(text: str) -> str:
    """'weak_demand' -> 'weak demand', 'strong_usd' -> 'strong USD', 'hangzhou_only' -> 'Hangzhou only'."""
    from agents.vocabulary import CITIES
    out = []
    for w in str(text).replace("/", " ").split("_"):
        out.append(WORDS.get(w.lower(), w.capitalize() if w.capitalize() in CITIES else w))
    return " ".join(out)


def _field_words(name: str) -> str:
    parts = [p for p in name.split("_") if p.lower() not in ("cny", "usd")] or [name]
    return words("_".join(parts))


def name(key: str) -> str:
    """The plain name of a key, without its unit: 'special fund: annual budget', 'world: demand growth, US'."""
    key = key.lstrip("+~")
    if is_group(key):
        return GROUPS[key]
    parts = key.split(".")
    if len(parts) >= 2 and parts[0] == "policy" and parts[1] in LEVERS:
        head, rest = LEVERS[parts[1]], parts[2:]
    elif len(parts) >= 2 and parts[0] == "talent":  # the labour market, not the talent programme
        head, rest = "talent market", parts[1:]
    elif len(parts) >= 2:
        head, rest = words(parts[0]), parts[1:]
    else:
        head, rest = "", parts
    if not rest:
        return head
    body = _field_words(rest[0]) + "".join(f", {words(p)}" for p in rest[1:])
    return f"{head}: {body}" if head else body


def unit(key: str) -> str | None:
    """The schema unit of a key when it is a unit ('CNY/year', '1/year'), None for names, switches and groups."""
    m = meta(key.lstrip("+~"))
    if not m or m["unit"] in NOT_UNITS:
        return None
    return m["unit"]


def label(key: str) -> str:
    """Axis or legend label: plain name and unit, e.g. 'special fund: annual budget (CNY/year)'."""
    u = unit(key)
    return f"{name(key)} ({u})" if u else name(key)


def amount(value: float) -> str:
    """A money amount without currency: 0, 50,000, 5 m, 1 bn, 2.5 bn, 1.2 tn."""
    v = abs(float(value))
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if v >= size:
            return f"{value / size:,.3g} {word}".replace(",", "")
    return f"{value:,.0f}"


def money(value: float, currency: str = "CNY", per: str = "") -> str:
    """'CNY 1 bn/year', 'USD 100 bn', 'CNY 5 m per firm'."""
    sign = "−" if value < 0 else ""
    tail = per if per.startswith("/") or not per else f" {per}"
    return f"{sign}{currency} {amount(abs(value))}{tail}"


def choice(group: str, value) -> str:
    """The plain name of a config-group choice: ('policy', 'none') -> 'no plan (all levers off)'."""
    group, value = group.lstrip("+~"), str(value)
    if (group, value) in CHOICES:
        return CHOICES[(group, value)]
    if group == "experiment/lever_off" and value in LEVERS:
        return f"without {LEVERS[value]}"
    return words(value)


def fmt_value(key: str, value) -> str:
    """A value with its unit, as a reader writes it: 'CNY 1 bn/year', '4 %/year', 'weak demand', 'off'."""
    key = key.lstrip("+~")
    if is_group(key):
        return choice(key, value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    u = unit(key) or ""
    if isinstance(value, str):
        return words(value)
    m = _CURRENCY.match(u)
    if m:
        return money(float(value), m.group(1), m.group(2))
    if u in PERCENT_UNITS:
        return f"{100 * float(value):g}{PERCENT_UNITS[u]}"
    if u.startswith("share"):
        return f"{100 * float(value):g} %"
    v = float(value)
    number = f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:g}"
    return f"{number} {u}" if u and len(u) <= 16 else number


def setting(key: str, value) -> str:
    """One swept value in words: 'world: weak demand', 'special fund: annual budget CNY 2 bn/year'."""
    key = key.lstrip("+~")
    if key in ("policy", "experiment/lever_off"):
        return choice(key, value)
    if is_group(key):
        return f"{GROUPS[key]}: {choice(key, value)}"
    if key.endswith(".enabled") and isinstance(value, bool):
        return f"{name(key.rsplit('.', 1)[0])} {fmt_value(key, value)}"
    joint = " = " if isinstance(value, str) else " "
    return f"{name(key)}{joint}{fmt_value(key, value)}"


def scenario_label(values: dict) -> str:
    """A scenario from its swept values: 'no plan (all levers off); world: weak demand'."""
    return "; ".join(setting(k, v) for k, v in values.items()) or "the run"


def pair_label(values: dict, against: dict) -> str:
    """Two scenarios by what differs, then what they share: 'special fund: annual budget CNY 2 bn/year vs CNY 0/year;
    with tax incentives: super deduction 0'. `values`, `against`: swept key -> value of each."""
    differ, same = [], []
    for key, value in values.items():
        other = against.get(key)
        if str(value) == str(other):
            same.append(setting(key, value))
        elif key.lstrip("+~") in ("policy", "experiment/lever_off"):
            differ.append(f"{choice(key, value)} vs {choice(key, other)}")
        elif is_group(key):
            differ.append(f"{GROUPS[key.lstrip('+~')]}: {choice(key, value)} vs {choice(key, other)}")
        else:
            differ.append(f"{name(key)} {fmt_value(key, value)} vs {fmt_value(key, other)}")
    return "; ".join(differ) + ("; with " + ", ".join(same) if same else "")


_AMOUNT = re.compile(r"\b(CNY|USD) (−?[\d.,]+)(?: (tn|bn|m)\b)?")


def wrap(text: str, width: int = 34) -> str:
    """Line breaks for a tick label: after '; ' first, then between words, never inside an amount (CNY 2 bn)."""
    def fill(part: str) -> str:
        kept = _AMOUNT.sub(lambda m: "\u00a0".join(g for g in m.groups() if g), part)
        return textwrap.fill(kept, width, break_long_words=False).replace("\u00a0", " ")
    return "\n".join(fill(part) for part in str(text).split("; "))


NAMES = {"T1": "digital trade", "T2": "average annual growth", "T3": "global platforms",
         "T4": "key enterprises", "T5": "demonstration bases"}  # the plan's five 2025 targets in plain words


def target_goal(entry: dict) -> str:
    """The threshold with its unit: '≥ USD 100 bn', '≥ 15 %/year', '≥ 10', '10–20'. `entry`: {threshold, unit}."""
    thr, u = entry["threshold"], entry["unit"]
    if u == "USD/year":
        return f"≥ {money(float(thr), 'USD')}"
    if u == "1/year":
        return f"≥ {100 * float(thr):g} %/year"
    return f"{thr[0]}–{thr[1]}" if isinstance(thr, list) else f"≥ {thr}"


def target_label(target: str, entry: dict, year: int | None = None, base_year: int | None = None) -> str:
    """'digital trade ≥ USD 100 bn in 2025', 'average annual growth 2020–2025 ≥ 15 %/year', 'key enterprises ≥ 100
    in 2025'. `entry`: {threshold, unit} (aggregate.target_entry)."""
    when = f" in {year}" if year else ""
    if entry["unit"] == "1/year":
        span = f" {base_year}–{year}" if base_year and year else when
        return f"{NAMES[target]}{span} {target_goal(entry)}"
    return f"{NAMES[target]} {target_goal(entry)}{when}"
