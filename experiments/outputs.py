"""What a run writes: targets.json, replicates.parquet, timeseries.parquet and the target-path chart.

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
    """targets.json (scorecard + replicate statistics), replicates.parquet, timeseries.parquet, the chart.

    Returns the per-target summary (value = the median over replicates, met = whether the median meets the target,
    plus median, q05, q95, mean, p_met, p_met_ci, n) and "all" (P(all five met together), its interval, n).
    `extra` (e.g. the job's overrides) is recorded in targets.json.
    """
    out.mkdir(parents=True, exist_ok=True)
    card = summarise(reps)
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
    if cfg.chart:
        from experiments.charts import target_path_chart
        atomic(out / "digital_trade_usd.png", lambda p: target_path_chart(frame, cfg, p))
    write_json(out / "targets.json", doc)  # last: its presence means the others are there
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
    from experiments.labels import target_goal

    return f"target {target_goal(entry)}"


def _fmt(entry: dict) -> str:
    text = fmt_value(entry["value"], entry["unit"])
    if entry["value"] is None:
        return text
    if entry.get("n", 1) > 1:  # several replicates: the median and the 5-95 % of replicates
        text = f"median {text}, 5–95 %: {fmt_value(entry['q05'], entry['unit'], entry['q95'])}"
    return f"{text} ({fmt_target(entry)})"


NAMES = {"T1": "digital trade", "T2": "average annual growth", "T3": "global platforms",
         "T4": "key enterprises", "T5": "demonstration bases"}
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
    print(f"outputs: {out}")
