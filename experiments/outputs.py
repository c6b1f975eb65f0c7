"""What a run writes: targets.json, timeseries.parquet and the target-path chart (each written atomically)."""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from model.model import DigitalTradeModel
from model.targets import scorecard
from model.vocabulary import quarter_label


def package_version() -> str:
    try:
        return version("dtsim")
    except PackageNotFoundError:
        return "unknown"


def config_hash(cfg: DictConfig) -> str:
    """SHA-256 of the resolved config without Hydra's own settings (same config => same hash)."""
    plain = OmegaConf.to_container(cfg, resolve=True)
    plain.pop("hydra", None)
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


def simulate(cfg: DictConfig, progress: bool = True) -> DigitalTradeModel:
    model = DigitalTradeModel(cfg)
    with tqdm(total=model.n_quarters, desc="quarters", unit="q", disable=not progress or None,
              leave=False) as bar:
        while model.quarter < model.n_quarters - 1:
            model.step()
            bar.set_postfix_str(quarter_label(model.quarter))
            bar.update()
    return model


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_outputs(model: DigitalTradeModel, cfg: DictConfig, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    card = scorecard(model)
    doc = {**card, "seed": int(cfg.seed), "config_hash": config_hash(cfg), "version": package_version(),
           "policy": str(cfg.policy.name), "phasing": str(cfg.phasing.name), "scale": float(cfg.scale),
           "horizon": str(cfg.horizon), "firm_agents": int(model.firms.n)}
    _atomic(out / "targets.json", lambda p: p.write_text(json.dumps(doc, indent=2)))
    frame = model.recorder.to_frame()
    _atomic(out / "timeseries.parquet", lambda p: frame.to_parquet(p, index=False))
    if cfg.chart:
        from experiments.charts import target_path_chart
        _atomic(out / "digital_trade_usd.png", lambda p: target_path_chart(model, p))
    return card


def _fmt(entry: dict) -> str:
    value = entry["value"]
    if value is None:
        return "not simulated"
    if entry["unit"] == "USD/year":
        return f"USD {value / 1e9:,.1f} bn (target ≥ {entry['threshold'] / 1e9:,.0f} bn)"
    if entry["unit"] == "1/year":
        return f"{100 * value:.1f} %/year (target ≥ {100 * entry['threshold']:.0f} %)"
    thr = entry["threshold"]
    target = f"{thr[0]}–{thr[1]}" if isinstance(thr, list) else f"≥ {thr}"
    return f"{value:,.0f} {entry['unit']} (target {target})"


NAMES = {"T1": "digital trade", "T2": "average annual growth", "T3": "global platforms",
         "T4": "key enterprises", "T5": "demonstration bases"}


def print_scorecard(card: dict, model: DigitalTradeModel, out: Path) -> None:
    cfg = model.cfg
    print(f"\nZhejiang digital-trade targets, {cfg.targets.year} — policy={cfg.policy.name} "
          f"phasing={cfg.phasing.name} world.fx={cfg.world.fx} seed={cfg.seed} scale={cfg.scale:g} "
          f"({model.firms.n:,} firm agents)")
    for key, entry in card.items():
        mark = {True: "met    ", False: "not met", None: "—      "}[entry["met"]]
        print(f"  {key} {mark}  {NAMES[key]:<22} {_fmt(entry)}")
    print(f"outputs: {out}")
