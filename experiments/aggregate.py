"""Gather a sweep's job folders into tidy tables: one row per job x replicate x target, every swept value a column.

Works from what the jobs left on disk (`.hydra/`, `done.json`, `failed.json`, `replicates.parquet`,
`timeseries.parquet`), so it can be rebuilt at any time, during a sweep or after one was killed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.jobs import DONE, FAILED, describe, read_marker, typed_value
from experiments.precheck import is_hydra_override
from experiments.replicates import mean_difference


@dataclass
class Sweep:
    root: Path
    jobs: pd.DataFrame                  # job, status, scenario, seconds, error, finished, overrides, swept values
    summary: pd.DataFrame               # job x replicate x target
    timeseries: pd.DataFrame            # job x replicate x quarter x metric (x city x kind)
    swept: list[str] = field(default_factory=list)  # override keys whose value differs between jobs
    reference: int | None = None        # the job the effects are measured against

    def config(self, job: int) -> DictConfig:
        """The resolved config of a job (read from its folder when needed: YAML parsing is slow)."""
        folder = self.jobs.loc[self.jobs["job"] == job, "folder"].iloc[0]
        return OmegaConf.load(Path(folder) / ".hydra" / "config.yaml")


def job_dirs(root: Path) -> list[Path]:
    """Job folders of a sweep (numbered sub-folders with .hydra/), or the folder itself for a single run."""
    subs = [d for d in root.iterdir() if d.is_dir() and (d / ".hydra" / "config.yaml").exists()]
    if not subs and (root / ".hydra" / "config.yaml").exists():
        return [root]
    return sorted(subs, key=lambda d: (not d.name.isdigit(), int(d.name) if d.name.isdigit() else 0, d.name))


def fmt_number(value) -> str:
    """1e9 -> '1e9', 0.75 -> '0.75', 0.0 -> '0'; other values as str."""
    if isinstance(value, float):
        return f"{value:.3g}".replace("e+0", "e").replace("e+", "e")
    return str(value)


def short(key: str) -> str:
    return key.replace("/", ".").split(".")[-1]


def scenario_labels(jobs: pd.DataFrame, swept: list[str]) -> pd.Series:
    """'annual_budget_cny=1e9 super_deduction=0.75' from the swept values (the policy if nothing varies)."""
    if not swept:
        return jobs["policy"].astype(str) if "policy" in jobs else jobs["job"].map(lambda j: f"job {j}")
    return jobs.apply(lambda r: " ".join(f"{short(k)}={fmt_number(r[k])}" for k in swept), axis=1)


def _reference(jobs: pd.DataFrame, swept: list[str], master: DictConfig | None) -> int | None:
    """The job closest to the sweep's base config: most swept values equal to the base's (ties: lowest job)."""
    done = jobs[jobs["status"] == "complete"]
    if done.empty:
        return None
    if master is None or not swept:
        return int(done["job"].iloc[0])
    choices = master.hydra.runtime.choices if "hydra" in master else {}

    def base(key):
        return choices.get(key) if key in choices else typed_value(master, key, "")

    matches = done.apply(lambda r: sum(str(r[k]) == str(base(k)) for k in swept), axis=1)
    return int(done.loc[matches.idxmax(), "job"])


def effects(sweep: Sweep, target: str = "T1") -> pd.DataFrame:
    """Per complete job other than the reference: mean paired difference of `target` from the reference (replicate r
    against replicate r: same seed) and its 95 % t interval; columns job, scenario, mean, lo, hi, n."""
    done = sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job")
    if sweep.reference is None or len(done) < 2:
        return pd.DataFrame(columns=["job", "scenario", "mean", "lo", "hi", "n"])
    values = sweep.summary[sweep.summary["target"] == target].pivot_table(
        index="replicate", columns="job", values="value", observed=True).reindex(columns=done["job"])
    ref = values[sweep.reference]  # all NaN when the target year was not simulated (horizon before it)
    rows = [{"job": job, "scenario": label, "n": int((values[job] - ref).notna().sum()),
             **dict(zip(("mean", "lo", "hi"), mean_difference((values[job] - ref).to_numpy())))}
            for job, label in zip(done["job"], done["scenario"]) if job != sweep.reference]
    frame = pd.DataFrame(rows, columns=["job", "scenario", "mean", "lo", "hi", "n"])
    return frame[frame["n"] > 0].reset_index(drop=True)


def target_entry(summary: pd.DataFrame, target: str) -> dict:
    """{threshold, unit} of a target as in a scorecard (T5's threshold is a [min, max] range)."""
    row = summary[summary["target"] == target].iloc[0]
    lo, hi, unit = row["threshold_min"], row["threshold_max"], row["unit"]
    if unit not in ("USD/year", "1/year"):  # counts: platforms, firms, bases
        lo, hi = int(lo), None if pd.isna(hi) else int(hi)
    return {"threshold": lo if pd.isna(hi) else [lo, hi], "unit": unit}


def _job_info(d: Path, done: dict | None, failed: dict | None) -> dict:
    """overrides, typed values and names of a job: from its marker, or (killed job) from its .hydra files."""
    marker = done or failed
    if marker and "values" in marker:
        return marker
    overrides = [o for o in OmegaConf.load(d / ".hydra" / "overrides.yaml") or [] if not is_hydra_override(o)]
    return describe(OmegaConf.load(d / ".hydra" / "config.yaml"), overrides)


def load(root: Path, reference: str | None = None) -> Sweep:
    """Read every job folder under `root`; `reference` ('key=value …' of swept values) picks the base job."""
    root = Path(root)
    rows, summaries, frames, keys = [], [], [], {}
    for num, d in enumerate(job_dirs(root)):
        job = int(d.name) if d.name.isdigit() else num
        done, failed = read_marker(d / DONE), read_marker(d / FAILED)
        info = _job_info(d, done, failed)
        rows.append({"job": job, "status": "complete" if done else "failed" if failed else "incomplete",
                     "seconds": (done or {}).get("seconds"), "finished": (done or {}).get("finished"),
                     "error": (failed or {}).get("error"), "overrides": " ".join(info["overrides"]),
                     "folder": str(d), **{k: info[k] for k in ("policy", "phasing", "world.fx")},
                     **info["values"]})
        keys.update(dict.fromkeys(info["values"]))
        if done:
            summaries.append(pd.read_parquet(d / "replicates.parquet").assign(job=job))
            frames.append(pd.read_parquet(d / "timeseries.parquet").assign(job=job))
    if not rows:
        raise FileNotFoundError(f"{root}: no job folders (a folder with .hydra/config.yaml) found")
    jobs = pd.DataFrame(rows)
    swept = [k for k in keys if jobs[k].astype(str).nunique(dropna=False) > 1]
    jobs["scenario"] = scenario_labels(jobs, swept)
    cols = ["job", *keys, "scenario"]  # keys: every override seen, in order
    master = OmegaConf.load(root / "multirun.yaml") if (root / "multirun.yaml").exists() else None
    sweep = Sweep(root, jobs, _merge(summaries, jobs[cols]), _merge(frames, jobs[cols]), swept)
    sweep.reference = _pick(jobs, swept, reference) if reference else _reference(jobs, swept, master)
    return sweep


def _pick(jobs: pd.DataFrame, swept: list[str], reference: str) -> int:
    """The first complete job whose swept values match 'key=value …' (keys may be given by their last part)."""
    ok = jobs["status"] == "complete"
    for item in reference.split():
        key, value = item.split("=", 1)
        col = next((k for k in swept if key in (k, short(k))), None)
        if col is None:
            raise ValueError(f"reference {key}: not a swept key; swept: {', '.join(swept) or 'none'}")
        column = jobs[col]
        if pd.api.types.is_bool_dtype(column):
            ok &= column == (value.lower() == "true")
        elif pd.api.types.is_numeric_dtype(column):
            ok &= column == float(value)
        else:
            ok &= column.astype(str) == value
    if not ok.any():
        raise ValueError(f"reference {reference!r} matches no complete job")
    return int(jobs.loc[ok, "job"].iloc[0])


def _merge(parts: list[pd.DataFrame], jobs: pd.DataFrame) -> pd.DataFrame:
    """Concatenate per-job tables and put the job's columns (number, swept values, scenario) in front."""
    if not parts:
        return pd.DataFrame(columns=list(jobs.columns))
    data = pd.concat(parts, ignore_index=True)
    merged = jobs.merge(data, on="job", how="inner")
    for col in ("city", "kind", "metric", "unit", "quarter", "scenario", "target"):
        if col in merged:  # few distinct strings repeated many times
            merged[col] = merged[col].astype("category")
    return merged
