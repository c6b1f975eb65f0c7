"""The stored posterior sample (data/calibration/<name>_posterior.csv): the last ABC-SMC population, one particle a
row, its normalised weight and its parameter values (natural units, one column per config key). Forecasts and
sensitivity studies draw from it:

    from calibration.posterior import load, draw
    particles, weights = load("zhejiang_2023")
    sets = draw("zhejiang_2023", 100, seed=1)   # 100 {config key: value} dicts, drawn by weight
    simulate(cfg=with_values(load_config(...), sets[0]), ...)   # calibration.priors.with_values
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

STORE = Path(__file__).resolve().parent.parent / "data" / "calibration"


def path(name: str, folder: Path | None = None) -> Path:
    return (folder or STORE) / f"{name}_posterior.csv"


def write(particles: pd.DataFrame, weights, where: Path) -> Path:
    where.parent.mkdir(parents=True, exist_ok=True)
    w = np.asarray(weights, dtype=float)
    with where.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["weight", *particles.columns])
        for wi, row in zip(w / w.sum(), particles.itertuples(index=False)):
            out.writerow([f"{wi:.10g}", *(f"{v:.10g}" for v in row)])
    return where


def load(name_or_path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """(particles, weights) of a stored posterior; ValueError (one line) if the file is missing or malformed."""
    p = Path(name_or_path)
    if p.suffix != ".csv":
        p = path(str(name_or_path))
    if not p.is_file():
        raise ValueError(f"{p}: no stored posterior sample")
    df = pd.read_csv(p)
    if "weight" not in df.columns or df.shape[0] == 0 or df.shape[1] < 2:
        raise ValueError(f"{p}: not a posterior sample (needs a 'weight' column and parameter columns)")
    w = df.pop("weight").to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0 or not np.all(np.isfinite(df.to_numpy(float))):
        raise ValueError(f"{p}: weights must be non-negative and values finite")
    return df, w / w.sum()


def draw(name_or_path, n: int, seed: int = 0) -> list[dict[str, float]]:
    from calibration.abc import resample

    particles, weights = load(name_or_path)
    return resample(particles, weights, n, np.random.default_rng(seed))
