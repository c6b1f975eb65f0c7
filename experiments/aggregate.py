"""Gather a sweep's job folders into tidy tables: one row per job x replicate x target, every swept value a column.

Works from what the jobs left on disk (`.hydra/`, `done.json`, `failed.json`, `replicates.parquet`,
`timeseries.parquet`), so it can be rebuilt at any time, during a sweep or after one was killed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.jobs import DONE, FAILED, describe, read_marker, typed_value
from experiments.labels import scenario_label
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
    contrast: str | None = None         # the swept key contrasted within the others' levels (None: by the rule)

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


def plain_labels(jobs: pd.DataFrame, swept: list[str]) -> pd.Series:
    """The scenario in plain words for charts and captions ('no plan (all levers off); world: weak demand')."""
    if not swept:
        return jobs["policy"].map(lambda v: scenario_label({"policy": v})) if "policy" in jobs else \
            jobs["job"].map(lambda j: f"job {j}")
    return jobs.apply(lambda r: scenario_label({k: r[k] for k in swept}), axis=1)


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


EFFECT_COLUMNS = ["job", "scenario", "label", "mean", "lo", "hi", "n", "p"]


def _paired(values: pd.DataFrame, job: int, ref: int) -> dict:
    """Mean paired difference job - ref over replicates (same seed), its 95 % t interval and two-sided p value."""
    diffs = (values[job] - values[ref]).to_numpy(dtype=float)
    mean, lo, hi = mean_difference(diffs)
    return {"n": int((~np.isnan(diffs)).sum()), "mean": mean, "lo": lo, "hi": hi, "p": paired_p(diffs)}


def paired_p(diffs: np.ndarray) -> float:
    """Two-sided p value of the paired t test that the mean difference is zero (NaN with fewer than two pairs;
    0 or 1 when every pair differs by the same amount)."""
    from scipy.stats import t

    diffs = np.asarray(diffs, dtype=float)
    diffs = diffs[~np.isnan(diffs)]
    if diffs.size < 2:
        return math.nan
    sd = diffs.std(ddof=1)
    if sd == 0:
        return 1.0 if diffs.mean() == 0 else 0.0
    stat = diffs.mean() / (sd / math.sqrt(diffs.size))
    return float(2 * t.sf(abs(stat), diffs.size - 1))


def _values(sweep: Sweep, target: str) -> pd.DataFrame:
    """replicate x job table of a target's values (complete jobs)."""
    done = _done(sweep)
    return sweep.summary[sweep.summary["target"] == target].pivot_table(
        index="replicate", columns="job", values="value", observed=True).reindex(columns=done["job"])


def _done(sweep: Sweep) -> pd.DataFrame:
    return sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job")


def effects(sweep: Sweep, target: str = "T1") -> pd.DataFrame:
    """Per complete job other than the reference: mean paired difference of `target` from the reference (replicate r
    against replicate r: same seed), its 95 % t interval and paired-t p value; columns job, scenario (the raw
    swept values), label (plain words), mean, lo, hi, n, p."""
    done = _done(sweep)
    if sweep.reference is None or len(done) < 2:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    values = _values(sweep, target)  # the reference all NaN when the target year was not simulated
    rows = [{"job": job, "scenario": scenario, "label": label, **_paired(values, job, sweep.reference)}
            for job, scenario, label in zip(done["job"], done["scenario"], _labels(done))
            if job != sweep.reference]
    frame = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    return frame[frame["n"] > 0].reset_index(drop=True)


def _labels(jobs: pd.DataFrame) -> pd.Series:
    return jobs["label"] if "label" in jobs else jobs["scenario"]


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p values (family-wise error): sort ascending, p_(i) x (m - i + 1), running maximum,
    capped at 1. NaN p values are left NaN and not counted in m."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    out[order] = adjusted
    return out


def with_holm(frame: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """`frame` (a p column) with p_holm and holds (the effect survives at family-wise `alpha`): one family."""
    adjusted = holm(frame["p"]) if len(frame) else np.array([])
    return frame.assign(p_holm=adjusted, holds=adjusted <= alpha)


# ------------------------------------------------------------------------- contrasts within a second factor
POLICY_GROUPS = ("policy", "experiment/lever_off")
NULL_LEVELS = ("none", "0", "0.0", "False", "false", "off")


def is_policy_key(key: str) -> bool:
    """A key that sets what the government does (a policy group or a lever parameter), not the world or method."""
    return key in POLICY_GROUPS or key.startswith("policy.") or key == "phasing" or key.startswith("phasing.")


def contrast_factor(sweep: Sweep, key: str | None = None) -> dict | None:
    """The factor whose levels are contrasted within each level of the other swept keys, and its reference level.

    Rule: `key` if given (full key or its last part); else the first swept key that is a policy group (policy,
    experiment/lever_off), else the first lever parameter (policy.*), else phasing, else the first swept key.
    Its reference level is a 'no intervention' level when it has one (none, 0, false), else the reference job's.
    None when fewer than two keys are swept (then the effects against the reference say it all)."""
    swept = sweep.swept
    if key is not None:
        factor = next((k for k in swept if key in (k, short(k), k.lstrip("+"))), None)
        if factor is None:
            raise ValueError(f"contrast {key}: not a swept key; swept: {', '.join(swept) or 'none'}")
    elif len(swept) < 2:
        return None
    else:
        ranked = ([k for k in swept if k in POLICY_GROUPS] + [k for k in swept if k.startswith("policy.")]
                  + [k for k in swept if k.startswith("phasing")] + swept)
        factor = ranked[0]
    within = [k for k in swept if k != factor]
    done = _done(sweep)
    if not within or done.empty:
        return None
    levels = list(dict.fromkeys(done[factor]))
    null = [v for v in levels if str(v) in NULL_LEVELS]
    if null:
        ref_level = null[0]
    elif sweep.reference is not None:
        ref_level = done.loc[done["job"] == sweep.reference, factor].iloc[0]
    else:
        ref_level = levels[0]
    return {"factor": factor, "reference": ref_level, "within": within,
            "levels": [v for v in levels if str(v) != str(ref_level)]}


def contrast_pairs(sweep: Sweep, plan: dict) -> list[dict]:
    """{job, ref_job, level, within} per level of the other swept keys x non-reference level of the factor: the two
    jobs share every other swept value, so they differ in the factor only."""
    factor, within, ref_level = plan["factor"], plan["within"], str(plan["reference"])
    pairs = []
    for _, jobs in _done(sweep).groupby([_done(sweep)[k].astype(str) for k in within], sort=False):
        records = jobs.to_dict("records")
        ref = [r for r in records if str(r[factor]) == ref_level]
        if not ref:
            continue
        pairs += [{"job": int(r["job"]), "ref_job": int(ref[0]["job"]), "level": r[factor],
                   "within": {k: r[k] for k in within}} for r in records if str(r[factor]) != ref_level]
    return pairs


def contrasts(sweep: Sweep, target: str = "T1", key: str | None = None) -> pd.DataFrame:
    """The factor's levels against its reference level within each level of the other swept keys, paired by
    replicate; columns job, ref_job, factor, level, reference, within (dict), mean, lo, hi, n, p."""
    plan = contrast_factor(sweep, key)
    columns = ["job", "ref_job", "factor", "level", "reference", "within", "mean", "lo", "hi", "n", "p"]
    if plan is None:
        return pd.DataFrame(columns=columns)
    values = _values(sweep, target)
    rows = [{**pair, "factor": plan["factor"], "reference": plan["reference"],
             **_paired(values, pair["job"], pair["ref_job"])} for pair in contrast_pairs(sweep, plan)]
    frame = pd.DataFrame(rows, columns=columns)
    return frame[frame["n"] > 0].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ cost per yuan
COST_METHOD = ("ratio of the mean paired differences (extra cumulative digital trade / extra public money, "
               "replicate r against replicate r), 95 % interval by the delta method: "
               "R ± t(0.975, n-1) · sd(ΔT_r − R·ΔS_r) / (√n · |mean ΔS|)")
MIN_SPENDING_SHARE = 0.01  # a pair whose public money differs by less than 1 % of the larger is not costed


def cumulative(sweep: Sweep) -> pd.DataFrame:
    """Per job x replicate: cumulative digital trade (CNY, metric digital_trade_total) and public money (CNY, the
    sum of metrics spending_<lever>: budgets spent and tax revenue forgone) over every simulated quarter."""
    ts = sweep.timeseries
    metric = ts["metric"].astype(str)
    keep = (metric == "digital_trade_total") | metric.str.startswith("spending_")
    data = ts[keep].assign(what=np.where(metric[keep] == "digital_trade_total", "trade", "spending"))
    out = data.groupby(["job", "replicate", "what"], observed=True)["value"].sum().unstack("what")
    return out.reindex(columns=["trade", "spending"]).fillna(0.0)


def ratio_interval(d_trade: np.ndarray, d_spend: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of means mean(ΔT)/mean(ΔS) with its delta-method t interval (NaN bounds with fewer than 2 pairs)."""
    from scipy.stats import t

    d_trade, d_spend = np.asarray(d_trade, float), np.asarray(d_spend, float)
    ok = ~(np.isnan(d_trade) | np.isnan(d_spend))
    d_trade, d_spend = d_trade[ok], d_spend[ok]
    n = d_trade.size
    if n == 0 or d_spend.mean() == 0:
        return math.nan, math.nan, math.nan
    ratio = d_trade.mean() / d_spend.mean()
    if n < 2:
        return float(ratio), math.nan, math.nan
    se = (d_trade - ratio * d_spend).std(ddof=1) / (math.sqrt(n) * abs(d_spend.mean()))
    half = float(t.ppf(0.5 + level / 2, n - 1) * se)
    return float(ratio), float(ratio - half), float(ratio + half)


def policy_only(sweep: Sweep, job: int, ref: int) -> bool:
    """Whether two jobs differ only in policy keys (so a difference in trade is the policy's, not the world's)."""
    jobs = sweep.jobs.set_index("job")
    differ = [k for k in sweep.swept if str(jobs.at[job, k]) != str(jobs.at[ref, k])]
    return bool(differ) and all(is_policy_key(k) for k in differ)


def cost_per_yuan(sweep: Sweep, pairs: list[tuple[int, int]]) -> pd.DataFrame:
    """Per (job, ref_job) pair that differs only in policy keys and in public money (by at least 1 %): extra
    cumulative digital trade (CNY) per CNY of extra public money, replicate by replicate (COST_METHOD). Each pair
    is turned so that `job` spends more than `ref_job` (a lever switched off is costed as the lever switched on).
    Columns job, ref_job, d_trade, d_spending (means, CNY; d_spending > 0), ratio, lo, hi, n."""
    columns = ["job", "ref_job", "d_trade", "d_spending", "ratio", "lo", "hi", "n"]
    if not pairs or sweep.timeseries.empty:
        return pd.DataFrame(columns=columns)
    cum = cumulative(sweep)
    trade, spend = cum["trade"].unstack("job"), cum["spending"].unstack("job")
    rows = []
    for job, ref in pairs:
        if job not in trade or ref not in trade or not policy_only(sweep, job, ref):
            continue
        d_trade, d_spend = (trade[job] - trade[ref]).to_numpy(), (spend[job] - spend[ref]).to_numpy()
        scale = max(np.nanmean(spend[job]), np.nanmean(spend[ref]))
        if not scale or abs(np.nanmean(d_spend)) < MIN_SPENDING_SHARE * scale:
            continue
        if np.nanmean(d_spend) < 0:  # put the scenario that spends more first: extra trade per extra yuan
            job, ref, d_trade, d_spend = ref, job, -d_trade, -d_spend
        ratio, lo, hi = ratio_interval(d_trade, d_spend)
        rows.append({"job": job, "ref_job": ref, "d_trade": float(np.nanmean(d_trade)),
                     "d_spending": float(np.nanmean(d_spend)), "ratio": ratio, "lo": lo, "hi": hi,
                     "n": int((~np.isnan(d_trade)).sum())})
    return pd.DataFrame(rows, columns=columns)


def period(sweep: Sweep) -> str:
    """'2020Q1–2025Q4': the quarters the sweep's time series cover."""
    quarters = sorted(sweep.timeseries["quarter"].astype(str).unique()) if len(sweep.timeseries) else []
    return f"{quarters[0]}–{quarters[-1]}" if quarters else ""


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
    jobs["label"] = plain_labels(jobs, swept)
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


EFFECT_TARGETS = ("T1", "T2")  # the targets with a value to measure effects on (T3-T5 are counts met or not)


@dataclass
class Analysis:
    """What a report shows beyond the scenario table: effects against the reference (T1, T2), the contrasts within a
    second factor (T1, T2), cost per yuan; every effects table carries Holm-adjusted p values (one family each)."""
    effects: dict[str, pd.DataFrame]
    contrast: dict | None
    contrasts: dict[str, pd.DataFrame]
    cost: pd.DataFrame

    def families(self) -> list[tuple[str, int]]:
        """(name, comparisons) of every family of tests shown, e.g. [('T1 against the reference', 8), …]."""
        out = [(f"{t} against the reference", len(f)) for t, f in self.effects.items() if len(f)]
        out += [(f"{t} within each level of {', '.join(self.contrast['within'])}", len(f))
                for t, f in self.contrasts.items() if len(f)]
        return out


def analyse(sweep: Sweep) -> Analysis:
    effects_ = {t: with_holm(effects(sweep, t)) for t in EFFECT_TARGETS}
    plan = contrast_factor(sweep, sweep.contrast)
    contrasts_ = {t: with_holm(contrasts(sweep, t, sweep.contrast)) for t in EFFECT_TARGETS} if plan else {}
    pairs = [(int(r["job"]), int(r["ref_job"])) for r in contrast_pairs(sweep, plan)] if plan else []
    seen = {frozenset(p) for p in pairs}
    if sweep.reference is not None:
        pairs += [(int(j), sweep.reference) for j in _done(sweep)["job"]
                  if j != sweep.reference and frozenset((int(j), sweep.reference)) not in seen]
    return Analysis(effects_, plan, contrasts_, cost_per_yuan(sweep, pairs))
