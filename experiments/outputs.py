"""What a run writes: targets.json, replicates.parquet, timeseries.parquet, the target-path and index charts, and
with outputs.firms=true the firm panel firms.parquet.

Each file is written atomically (a temporary name, then a rename), so a run killed midway leaves no half file.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.labels import NAMES, target_goal
from experiments.replicates import Replicate, scorecard_rows, summarise


def package_version() -> str:
    try:
        return version("dtsim")
    except PackageNotFoundError:
        return "unknown"


def config_hash(cfg: DictConfig) -> str:
    """SHA-256 of the resolved config without Hydra's own settings (same config => same hash).

    `workers` is left out: it changes how fast replicates run, never what they compute.
    """
    plain = OmegaConf.to_container(cfg, resolve=True)
    plain.pop("hydra", None)
    plain.pop("workers", None)
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


def atomic(path: Path, write) -> None:
    """Call `write(tmp)` and rename tmp to `path`: readers see the whole file or none."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, doc: dict) -> None:
    atomic(path, lambda p: p.write_text(json.dumps(doc, indent=2)))


def write_replicates(reps: list[Replicate], cfg: DictConfig, out: Path, **extra) -> dict:
    """targets.json (scorecard + replicate statistics), replicates.parquet, timeseries.parquet, the charts.

    Returns the per-target summary (value = the median over replicates, met = whether the median meets the target,
    plus median, q05, q95, mean, p_met, p_met_ci, n), "all" (P(all five met together), its interval, n), "M2022"
    (the 2022 milestone by dimension, by the same rule, with its criteria in words) and "index" (the province's
    composite index at the target year's Q4 and its growth; `p_met` None). `extra` (e.g. the job's overrides) is
    recorded in targets.json.
    """
    out.mkdir(parents=True, exist_ok=True)
    card = summarise(reps)
    complete_card(card, cfg)
    doc = {**card, "seed": int(cfg.seed), "config_hash": config_hash(cfg), "version": package_version(),
           "policy": str(cfg.policy.name), "phasing": str(cfg.phasing.name), "scale": float(cfg.scale),
           "horizon": str(cfg.horizon), "firm_agents": reps[0].firm_agents, "replicates": len(reps),
           "seeding": "replicate r: numpy.random.SeedSequence(seed, spawn_key=(r,)); "
                      "model.api.simulate(..., seed=seed, replicate=r) rebuilds it", **extra}
    rows = scorecard_rows(reps)
    atomic(out / "replicates.parquet", lambda p: rows.to_parquet(p, index=False))
    frame = pd.concat([r.frame.assign(replicate=r.index) for r in reps], ignore_index=True)
    frame = frame[["replicate", *reps[0].frame.columns]]
    atomic(out / "timeseries.parquet", lambda p: frame.to_parquet(p, index=False))
    if all(r.layers is not None for r in reps):
        layers = pd.concat([r.layers.assign(replicate=r.index) for r in reps], ignore_index=True)
        atomic(out / "network.parquet", lambda p: layers.to_parquet(p, index=False))
    if all(r.firms is not None for r in reps):
        panel = pd.concat([r.firms.assign(replicate=r.index) for r in reps], ignore_index=True)
        atomic(out / "firms.parquet", lambda p: panel.to_parquet(p, index=False))
    if cfg.chart:
        from experiments.charts import target_path_chart
        atomic(out / "digital_trade_usd.png", lambda p: target_path_chart(frame, cfg, p))
        from experiments.charts import index_chart
        atomic(out / "index_by_city.png", lambda p: index_chart(frame, cfg, p))
    write_json(out / "targets.json", doc)  # last: its presence means the others are there
    return card


def index_at(entry: dict, year: int) -> dict:
    """The summarised index (`summarise`'s "index") at the target year: its Q4 value over replicates (value = the
    median) and the average annual growth of its annual mean 2020→2021 and 2020→year, beside the published
    index's 2017–2021 growth."""
    at = entry["by_year"].get(str(year), {})
    stats = {k: at.get(k) for k in ("median", "q05", "q95", "mean")}
    growth = {"growth_2020_2021": entry["by_year"].get("2021", {}).get("growth_from_2020"),
              f"growth_2020_{year}": at.get("growth_from_2020")}
    return {**entry, "year": int(year), "value": stats["median"], **stats, "n": at.get("n", 0), **growth,
            "note": "levels are not comparable with the published index (base: the province at end-2019 = 100; "
                    "other indicators); growth rates are. The model is never fitted to the published index"}


def complete_card(card: dict, cfg: DictConfig) -> dict:
    """What the config adds to `summarise`'s card: the index at the target year, the milestone's criteria in words."""
    from model.targets import milestone_criteria

    card["index"] = index_at(card["index"], int(cfg.targets.year))
    for dim, text in milestone_criteria(cfg.index).items():
        card["M2022"]["dimensions"][dim]["criterion"] = text
    return card


def _number(value: float, unit: str) -> str:
    if unit == "USD/year":
        return f"{value / 1e9:,.1f}"
    return f"{100 * value:.1f}" if unit == "1/year" else f"{value:,.0f}"


def fmt_value(value: float | None, unit: str, upper: float | None = None) -> str:
    """'USD 137.6 bn', '20.8 %/year', '11 platforms'; a range 'USD 98.1–125.0 bn' when `upper` is given."""
    if value is None:
        return "not simulated"
    pre, post = {"USD/year": ("USD ", " bn"), "1/year": ("", " %/year")}.get(unit, ("", f" {unit}"))
    number = _number(value, unit) + ("" if upper is None else f"–{_number(upper, unit)}")
    return pre + number + post


def fmt_target(entry: dict) -> str:
    """'target ≥ USD 100 bn', 'target ≥ 15 %/year', 'target 10–20' (experiments.labels.target_goal)."""
    return f"target {target_goal(entry)}"


def _fmt(entry: dict) -> str:
    text = fmt_value(entry["value"], entry["unit"])
    if entry["value"] is None:
        return text
    if entry.get("n", 1) > 1:  # several replicates: the median and the 5-95 % of replicates
        text = f"median {text}, 5–95 %: {fmt_value(entry['q05'], entry['unit'], entry['q95'])}"
    return f"{text} ({fmt_target(entry)})"


TARGET_KEYS = tuple(NAMES)


def fmt_p(entry: dict) -> str:
    """P(met) with its 95 % interval, e.g. 'P(met) 0.80 [0.49–0.94]'."""
    if entry.get("p_met") is None:
        return "P(met) —              "
    lo, hi = entry["p_met_ci"]
    return f"P(met) {entry['p_met']:.2f} [{lo:.2f}–{hi:.2f}]"


def print_scorecard(card: dict, cfg: DictConfig, out: Path, firm_agents: int) -> None:
    """One line per target; with replicates, P(met) [95 % interval] and the median with its 5-95 % band; last, the
    five targets together."""
    n = int(cfg.replicates)
    runs = f"{n} replicates from seed={cfg.seed}" if n > 1 else f"seed={cfg.seed}"
    print(f"\nZhejiang digital-trade targets, {cfg.targets.year} — policy={cfg.policy.name} "
          f"phasing={cfg.phasing.name} world.fx={cfg.world.fx} {runs} scale={cfg.scale:g} "
          f"({firm_agents:,} firm agents)")
    for key in TARGET_KEYS:
        entry = card[key]
        mark = fmt_p(entry) if n > 1 else {True: "met    ", False: "not met", None: "—      "}[entry["met"]]
        print(f"  {key} {mark}  {NAMES[key]:<22} {_fmt(entry)}")
    both = card.get("all")
    if both and both["p_met"] is not None:
        if n > 1:
            print(f"  all {fmt_p(both)}  all five targets in the same replicate")
        else:
            missed = [k for k in TARGET_KEYS if card[k]["met"] is False]
            print("  all five met" if not missed else f"  not all five met (missed: {', '.join(missed)})")
    _print_milestone(card.get("M2022"), n)
    _print_index(card.get("index"), int(cfg.targets.year), n)
    print(f"outputs: {out}")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %/year"


def _print_milestone(m: dict | None, n: int) -> None:
    """One line: the 2022 milestone, all five dimensions (criteria: docs/ODD.md, targets.json)."""
    if not m or m["p_met"] is None:
        return
    dims = m["dimensions"]

    def name(p: str) -> str:
        return "spill-over" if p == "spillover" else p

    def shown(p: str, bar: bool = False) -> str:
        e = dims[p]
        return (f"{name(p)} {e['value']:.0f}" + (f" < {e['threshold']:g}" if bar else "")
                + (" cities" if p == "spillover" else ""))

    if n > 1:
        each = ", ".join(f"{name(p)} {dims[p]['p_met']:.2f}" for p in dims)
        print(f"  M2022 {fmt_p(m)}  2022 milestone, all five dimensions at {m['quarter']} (P by dimension: {each})")
        return
    missed = [p for p in dims if dims[p]["met"] is False]
    if not missed:
        print(f"  M2022 met      2022 milestone at {m['quarter']}: all five dimensions "
              f"({', '.join(shown(p) for p in dims)})")
    else:
        what = ", ".join(shown(p, bar=True) for p in missed)
        print(f"  M2022 not met  2022 milestone at {m['quarter']}: {5 - len(missed)} of 5 dimensions (missed: {what})")


def _print_index(entry: dict | None, year: int, n: int) -> None:
    """Two lines: the province index at the target year, and its growth beside the published index's."""
    if not entry or "by_year" not in entry:
        return
    e = index_at(entry, year)
    if e["value"] is None:
        return
    level = f"{e['value']:.1f}" if n == 1 else f"median {e['value']:.1f}, 5–95 %: {e['q05']:.1f}–{e['q95']:.1f}"
    print(f"  index          digital-trade index   province {level} at {year}Q4 (province end-2019 = 100)")

    def growth(key: str) -> str:
        return _pct(None if e.get(key) is None else e[key]["median"])

    what = "index growth" if n == 1 else "median growth"
    print(f"                 {what:<21} 2020→21 {growth('growth_2020_2021')}, 2020–{str(year)[2:]} "
          f"{growth(f'growth_2020_{year}')}; published 2017–21: {_pct(e['published_growth_2017_2021'])} (not fitted)")
