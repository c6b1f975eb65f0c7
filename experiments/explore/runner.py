"""Runs of a study, in batches, on worker processes: joblib (loky, a persistent pool on this machine) or a dask
distributed cluster; each finished batch is written to the study's store at once (store.py).

Overhead per run is what decides a large study (a run at scale 0.05 costs ~0.08 s), so:
- a worker composes nothing: it gets the composed base config as a plain dict with each batch, types it once
  (cached per worker thread, by a token of its overrides) and then only sets the run's factor values, runs
  `model.api.simulate(cfg=..., replicate=r)` and puts the values back;
- runs travel in batches (one task = up to ~64 runs), so scheduling and pickling cost per batch, not per run;
- the loky pool outlives one call (a Pareto search reuses it generation after generation).
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from experiments.explore.factors import set_values
from experiments.explore.outcomes import outcome_row
from experiments.explore.store import Store, run_key

_LOCAL = threading.local()  # per worker thread: dask's in-process workers share the module


@dataclass(frozen=True)
class Run:
    key: str
    base: tuple[str, ...]     # model overrides the config is composed with (scale=, horizon=, world=, ...)
    settings: tuple           # ((dotted key, value), ...) set on top of the composed config
    replicate: int            # seeded by model.api.replicate_seed(cfg.seed, replicate)


def make_run(base: tuple[str, ...], settings: dict, replicate: int) -> Run:
    return Run(run_key(base, settings, replicate), tuple(base), tuple(settings.items()), int(replicate))


def _config(token: str, container: dict) -> DictConfig:
    """The typed config of a base, built once per worker thread (typing it costs ~0.1 s; a run ~0.08 s)."""
    from model.config import Config

    cache = getattr(_LOCAL, "configs", None)
    if cache is None:
        cache = _LOCAL.configs = {}
    if token not in cache:
        cache[token] = OmegaConf.merge(OmegaConf.structured(Config), container)
    return cache[token]


def run_batch(token: str, container: dict, items: list[tuple]) -> list[dict]:
    """Run (key, settings, replicate) items on one base config; one outcome row each, with its CPU and wall time."""
    from model.api import simulate

    cfg = _config(token, container)
    rows = []
    for key, settings, replicate in items:
        cpu, wall = time.thread_time(), time.perf_counter()
        old = set_values(cfg, dict(settings))
        try:
            out = simulate(cfg=cfg, replicate=replicate)
            row = outcome_row(out, cfg)
        finally:
            set_values(cfg, old)
        rows.append({"key": key, **row, "cpu_s": time.thread_time() - cpu, "wall_s": time.perf_counter() - wall})
    return rows


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def batches(runs: list[Run], n_jobs: int, size: int = 0) -> list[list[Run]]:
    """Runs grouped by base, cut in batches of `size` (0: about 8 batches per worker, between 1 and 64 runs)."""
    if not size:
        size = max(1, min(64, math.ceil(len(runs) / (8 * n_jobs))))
    by_base: dict[tuple, list[Run]] = {}
    for run in runs:
        by_base.setdefault(run.base, []).append(run)
    return [group[i:i + size] for group in by_base.values() for i in range(0, len(group), size)]


def _tasks(groups, containers):
    for group in groups:
        token = run_key(group[0].base, {}, 0)
        yield token, containers[group[0].base], [(r.key, r.settings, r.replicate) for r in group]


def _joblib(groups, containers, n_jobs):
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered", batch_size=1,
                        pre_dispatch="2*n_jobs")
    yield from parallel(delayed(run_batch)(*task) for task in _tasks(groups, containers))


def _dask(groups, containers, n_jobs, scheduler):
    from distributed import Client, LocalCluster, as_completed

    own = None
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:  # a cluster of this machine's cores for this call (a standing one: give explore.scheduler)
        own = LocalCluster(n_workers=n_jobs, threads_per_worker=1, dashboard_address=None)
        client = Client(own, set_as_default=False)
    try:
        with client.as_current():  # as_completed looks for the current client
            futures = [client.submit(run_batch, *task, pure=False) for task in _tasks(groups, containers)]
            for future in as_completed(futures):
                yield future.result()
    finally:
        client.close()
        if own is not None:
            own.close()


def execute(runs: list[Run], store: Store, bases: dict[tuple, DictConfig], settings, desc: str = "runs",
            progress: bool = True) -> dict:
    """Run what the store lacks; return {"runs", "reused", "computed", "wall_s"}."""
    unique = list({r.key: r for r in runs}.values())
    done = store.done_keys()
    todo = [r for r in unique if r.key not in done]
    n_jobs = int(settings.n_jobs) or cores()
    stats = {"runs": len(unique), "reused": len(unique) - len(todo), "computed": 0, "wall_s": 0.0}
    if not todo:
        return stats
    containers = {b: OmegaConf.to_container(bases[b], resolve=True) for b in {r.base for r in todo}}
    groups = batches(todo, n_jobs, int(settings.batch))
    backend = "serial" if n_jobs == 1 and settings.backend == "joblib" else str(settings.backend)
    if backend == "serial":
        results = (run_batch(*task) for task in _tasks(groups, containers))
    elif backend == "dask":
        results = _dask(groups, containers, n_jobs, settings.scheduler)
    else:
        results = _joblib(groups, containers, n_jobs)
    tty = sys.stderr.isatty()
    start = time.perf_counter()
    with tqdm(total=len(unique), initial=stats["reused"], desc=desc, unit="run", disable=not progress,
              mininterval=0.5 if tty else 10, file=sys.stderr) as bar:
        for rows in results:
            store.write(rows)
            stats["computed"] += len(rows)
            bar.update(len(rows))
    stats["wall_s"] = time.perf_counter() - start
    return stats
