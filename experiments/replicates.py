"""Replicates: N independent runs of one config, and their statistics.

Replicate r is seeded by `SeedSequence(cfg.seed, spawn_key=(r,))` (model.api.replicate_seed, the r-th child of
SeedSequence(cfg.seed)) whatever N is, so adding replicates never changes the ones already run, and replicate r of
two jobs of a sweep shares its seed (common random numbers: paired differences between scenarios are less noisy).
`model.api.simulate(..., replicate=r)` rebuilds any one of them.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from tqdm.auto import tqdm

from model.api import simulate
from model.index import PILLARS, UNIT as INDEX_UNIT, average_growth, published_growth
from model.targets import MILESTONE_QUARTER, index_path, meets, milestone_from_records

TARGETS = ("T1", "T2", "T3", "T4", "T5")
# Measured here: a process pool takes ~2.5 s to start (its workers import the model). With workers=0 (auto) the
# first replicate is timed and the pool used for the rest only if that saves more than twice its start-up
# (measured: 8 runs at scale 1.0 took 10-11 s serially, 5.3 s on a started pool of 2; 40 runs at scale 0.25, ~0.4 s
# each, gained nothing with one core busy elsewhere).
_POOL_START_SECONDS = 2.5
_PARALLEL_LAUNCHERS = ("joblib", "ray")  # these already run one job per core


@dataclass
class Replicate:
    index: int           # r: seeded by SeedSequence(cfg.seed, spawn_key=(r,))
    card: dict          # the scorecard: {"T1": {value, threshold, unit, met}, …}
    frame: pd.DataFrame  # the tidy time series of the run
    firm_agents: int
    layers: pd.DataFrame | None = None  # end-of-run network-layer distributions (model.network.layer_metrics)
    firms: pd.DataFrame | None = None   # the firm panel with outputs.firms=true (model/panel.py)


def run_one(cfg: DictConfig, index: int, progress: bool = False) -> Replicate:
    out = simulate(cfg=cfg, replicate=index, progress=progress, layers=True)
    return Replicate(index, out.scorecard, out.records, out.firm_agents, out.layers, out.firms)


def workers_for(cfg: DictConfig, launcher: str = "") -> int:
    """Processes for a job's replicates: `cfg.workers`, or (0 = auto) all cores unless the launcher already runs
    jobs in parallel."""
    n = int(cfg.replicates)
    if int(cfg.workers) > 0:
        return min(int(cfg.workers), n)
    if any(name in launcher for name in _PARALLEL_LAUNCHERS):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, n)


def _pool_pays(rest: int, seconds: float, workers: int) -> bool:
    return rest * seconds * (1 - 1 / workers) > 2 * _POOL_START_SECONDS


class Progress:
    """Replicates done so far: a tqdm bar on a terminal; elsewhere (a log, CI) a plain line every 10 s and at the
    end, so a long job is never silent."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled
        self.tty = enabled and sys.stderr.isatty()
        self.bar = tqdm(total=total, desc="replicates", unit="run", leave=False) if self.tty else None
        self.start = self.last = time.perf_counter()

    def update(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
        elif self.enabled and (time.perf_counter() - self.last >= 10 or self.done == self.total):
            self.last = time.perf_counter()
            print(f"replicates: {self.done}/{self.total} done, {self.last - self.start:.0f} s", file=sys.stderr,
                  flush=True)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def run_replicates(cfg: DictConfig, workers: int = 1, progress: bool = True,
                   adaptive: bool = False) -> list[Replicate]:
    """All `cfg.replicates` runs, in replicate order; the same results whatever `workers` is.

    With `adaptive`, replicate 0 runs here first and timed; the others go to `workers` processes only if that pays.
    """
    n = int(cfg.replicates)
    if n == 1:
        return [run_one(cfg, 0, progress=progress)]
    results: dict[int, Replicate] = {}
    with Progress(n, progress) as bar:
        todo = list(range(n))
        if adaptive and workers > 1:
            tic = time.perf_counter()
            results[0] = run_one(cfg, 0)
            bar.update()
            todo = todo[1:]
            if not _pool_pays(len(todo), time.perf_counter() - tic, workers):
                workers = 1
        if workers <= 1:
            for i in todo:
                results[i] = run_one(cfg, i)
                bar.update()
        else:
            # forkserver: workers fork from a clean server that imported the model once (no fork of a threaded
            # parent); each worker then only pickles its config and returns its scorecard and frame
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["experiments.replicates", "model.model"])
            with ProcessPoolExecutor(min(workers, len(todo)), mp_context=ctx) as pool:
                for fut in as_completed([pool.submit(run_one, cfg, i) for i in todo]):
                    rep = fut.result()
                    results[rep.index] = rep
                    bar.update()
    return [results[i] for i in range(n)]


# ------------------------------------------------------------------------------------------- statistics
def scorecard_rows(reps: list[Replicate]) -> pd.DataFrame:
    """One row per replicate x target: replicate, target, value, threshold_min/max, unit, met."""
    rows = []
    for rep in reps:
        for key in TARGETS:
            e = rep.card[key]
            lo, hi = (e["threshold"] if isinstance(e["threshold"], list) else (e["threshold"], None))
            rows.append({"replicate": rep.index, "target": key, "value": e["value"],
                         "threshold_min": lo, "threshold_max": hi, "unit": e["unit"], "met": e["met"]})
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(float)  # None (target year not simulated) -> NaN
    for col in ("threshold_min", "threshold_max"):
        frame[col] = frame[col].astype(float)
    frame["met"] = frame["met"].astype("boolean")  # None stays <NA>
    return frame


def p_met_interval(k: int, n: int, level: float = 0.95) -> list[float]:
    """Wilson score interval of a proportion k/n (good coverage even for few replicates and P near 0 or 1).

    Written out (Wilson 1927) rather than taken from scipy.stats, whose import costs ~2 s in every job process;
    tests check it against scipy's binomtest(k, n).proportion_ci(method="wilson").
    """
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return [max(0.0, centre - half), min(1.0, centre + half)]


# T3-T5 and the milestone's spill-over are counts: summarised by replicates' own values
COUNT_UNITS = ("platforms", "firms", "bases", "cities")


def target_stats(values: pd.Series, met: pd.Series, unit: str = "") -> dict:
    """The one summary rule: median and 5-95 % of the replicates' values (for counts, values some replicate had:
    no 17.5 bases), P(met) and its 95 % Wilson interval; the mean is kept for reference only. None where nothing
    was simulated."""
    values, met = values.dropna().astype(float), met.dropna()
    n = int(len(met))
    if n == 0:
        return {"n": 0, "median": None, "q05": None, "q95": None, "mean": None, "p_met": None, "p_met_ci": None}
    k = int(met.sum())
    method = "inverted_cdf" if unit in COUNT_UNITS else "linear"
    q05, median, q95 = np.quantile(values, [0.05, 0.5, 0.95], method=method)
    return {"n": n, "median": float(median), "q05": float(q05), "q95": float(q95), "mean": float(values.mean()),
            "p_met": k / n, "p_met_ci": p_met_interval(k, n)}


def all_met(rows: pd.DataFrame) -> dict:
    """P(all five targets met in the same replicate), with its Wilson interval (None if a target was not
    simulated). `rows`: one row per replicate x target with a boolean `met` (scorecard_rows)."""
    per_rep = rows.groupby("replicate")["met"].agg(lambda m: None if m.isna().any() else bool(m.all()))
    per_rep = per_rep.dropna()
    n, k = int(len(per_rep)), int(per_rep.astype(bool).sum())
    if n == 0:
        return {"n": 0, "p_met": None, "p_met_ci": None}
    return {"n": n, "p_met": k / n, "p_met_ci": p_met_interval(k, n)}


def summarise(reps: list[Replicate]) -> dict:
    """Per target: the keys of one scorecard with `value` = the median over replicates and `met` = whether that
    median meets the target (so the two never contradict), plus target_stats; "all": P(all five met); "M2022": the
    2022 milestone by the same rule; "index": the province's composite index by year (no target, `p_met` None)."""
    rows = scorecard_rows(reps)
    out = {}
    for key in TARGETS:
        sub = rows[rows["target"] == key]
        first = reps[0].card[key]
        stats = target_stats(sub["value"], sub["met"], first["unit"])
        out[key] = {"value": stats["median"], "threshold": first["threshold"], "unit": first["unit"],
                    "met": meets(stats["median"], first["threshold"]), **stats}
    out["all"] = all_met(rows)
    out["M2022"] = summarise_milestone(reps)
    out["index"] = summarise_index(reps)
    return out


def summarise_milestone(reps: list[Replicate]) -> dict:
    """The 2022 milestone over replicates, by the same rule as the targets: per dimension the median value (and
    whether it meets the criterion), 5-95 %, P(met) with its Wilson interval; `p_met`: P(all five dimensions met in
    the same replicate). Read from each replicate's records (model.targets.milestone_from_records)."""
    cards = [milestone_from_records(r.frame) for r in reps]
    dims = {}
    for p in PILLARS:
        values = pd.Series([c[p]["value"] for c in cards], dtype=float)
        met = pd.Series([c[p]["met"] for c in cards], dtype=object)
        threshold, unit = cards[0][p]["threshold"], cards[0][p]["unit"]
        stats = target_stats(values, met, unit)
        dims[p] = {"value": stats["median"], "threshold": threshold, "unit": unit,
                   "met": meets(stats["median"], threshold), **stats}
    both = [c["all"] for c in cards if c["all"] is not None]
    k, n = sum(both), len(both)
    met = [dims[p]["met"] for p in PILLARS]
    return {"quarter": MILESTONE_QUARTER, "dimensions": dims, "met": None if None in met else all(met), "n": n,
            "p_met": k / n if n else None, "p_met_ci": p_met_interval(k, n) if n else None}


def spread(values: list[float]) -> dict:
    """Median and 5-95 % of replicates (the one summary rule), mean for reference."""
    values = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if values.size == 0:
        return {"n": 0, "median": None, "q05": None, "q95": None, "mean": None}
    q05, median, q95 = np.quantile(values, [0.05, 0.5, 0.95])
    return {"n": int(values.size), "median": float(median), "q05": float(q05), "q95": float(q95),
            "mean": float(values.mean())}


def summarise_index(reps: list[Replicate]) -> dict:
    """The province's composite index over replicates: at Q4 of every simulated year, and the average annual growth
    of its annual mean from 2020 to each later year (median, 5-95 %); the published index's 2017-2021 growth beside
    it for comparison (levels are not comparable: different base and indicators; never fitted). No target: no
    P(met). `experiments.outputs.index_at` picks the target year."""
    paths = [index_path(r.frame) for r in reps]
    years = sorted(set().union(*(p["q4"] for p in paths)))
    by_year = {}
    for year in years:
        entry = spread([p["q4"].get(year) for p in paths])
        if year > 2020:
            entry["growth_from_2020"] = spread([average_growth(p["annual"], 2020, year) for p in paths])
        by_year[str(year)] = entry
    return {"unit": INDEX_UNIT, "quarter": "Q4", "by_year": by_year, "p_met": None,
            "published_growth_2017_2021": published_growth()}


def mean_difference(diffs: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of paired differences and its t interval (NaN bounds with fewer than two pairs)."""
    from scipy.stats import t  # here only: the report, not every job, pays for importing scipy.stats

    diffs = np.asarray(diffs, dtype=float)
    diffs = diffs[~np.isnan(diffs)]
    if diffs.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(diffs.mean())
    if diffs.size < 2:
        return mean, math.nan, math.nan
    half = float(t.ppf(0.5 + level / 2, diffs.size - 1) * diffs.std(ddof=1) / math.sqrt(diffs.size))
    return mean, mean - half, mean + half
