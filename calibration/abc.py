"""Likelihood-free Bayesian calibration: ABC-SMC with pyabc (Toni et al. 2009, J R Soc Interface 6:187-202,
doi:10.1098/rsif.2008.0172; Beaumont et al. 2009, Biometrika 96(4):983-990; Klinger, Rickert & Hasenauer 2018,
Bioinformatics 34(20):3591-3593, doi:10.1093/bioinformatics/bty361).

Why pyabc rather than neural posterior estimation (sbi): the model runs in a fraction of a second, so a sequential
Monte Carlo sampler with one run per particle affords tens of thousands of runs on two cores; its SQLite history makes
a run resumable (`ABCSMC.load(db, run_id)`) and inspectable (every generation's particles, weights, distances and
summary statistics); it needs no torch install and no neural-network training to trust; and the same code runs on a
cluster through its Dask sampler.

A particle is one model run (one replicate, seeded from its parameter values through `model.api.replicate_seed`),
so the model's own randomness enters the posterior. The distance is sqrt(sum over fitted measures of z^2),
z = (simulated - observed) / sigma (calibration/targets.py). Each generation accepts the particles closer than the
median distance of the last (pyabc's QuantileEpsilon, alpha 0.5). It stops at the simulation budget, or when epsilon
reaches sqrt(number of fitted measures): the distance of a model that is off by one tolerance on every measure on
average; going tighter would treat the observations as exact.
"""

from __future__ import annotations

import hashlib
import math
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from calibration import observe
from calibration.priors import PRIORS, distribution, values, with_values
from calibration.targets import measure, observed_stats

ABC_LOGGERS = ("ABC", "ABC.Sampler", "ABC.Distance", "ABC.Epsilon", "ABC.History", "ABC.Adaptation",
               "ABC.Population", "ABC.Predictor", "ABC.Transition")
FAILED = 1e6  # a statistic a run could not produce: far from every observation
_LOCAL = threading.local()


def replicate_for(params: dict) -> int:
    """The replicate (child of SeedSequence(cfg.seed)) a particle runs as: a hash of its values, so the same
    parameters always give the same run, on any worker and in any order."""
    text = ";".join(f"{k}={float(v).hex()}" for k, v in sorted(params.items()))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") & 0x7FFFFFFF


@dataclass
class Simulator:
    """pyabc's model: particle -> summary statistics. Picklable (sent to worker processes and Dask workers)."""

    base: object                 # the composed config (typed): scale, horizon, overrides
    observed: dict               # data/zhejiang_observed.csv rows
    measures: tuple              # the fitted measures
    priors: tuple = PRIORS

    def __call__(self, particle) -> dict[str, float]:
        params = values(particle, self.priors)
        run = observe.run(self._config(params), replicate_for(params))
        stats = measure(run, self.observed, self.measures)
        return {k: (v if math.isfinite(v) else FAILED) for k, v in stats.items()}

    def _config(self, params: dict):
        """The base config with `params` set. Copying the typed config costs as much as a small run, so each thread
        keeps one copy and sets every calibrated key anew on each call (the model reads its config once, at start)."""
        cached = getattr(_LOCAL, "cfg", None)
        if cached is None or cached[0] is not self.base:
            cached = _LOCAL.cfg = (self.base, with_values(self.base, {}))
        for key, v in params.items():
            OmegaConf.update(cached[1], key, float(v), merge=False)
        return cached[1]


def make_sampler(kind: str, workers: int, scheduler: str | None = None):
    """'single' (reproducible: one process, numpy's global generator seeded by --seed), 'multicore' (forked
    processes on this machine) or 'dask' (a Dask scheduler at `scheduler`, e.g. tcp://host:8786: any number of
    machines running `dask worker tcp://host:8786` in this project's environment)."""
    from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler, SingleCoreSampler

    _quiet()
    if kind == "single":
        return SingleCoreSampler()
    if kind == "multicore":
        return MulticoreEvalParallelSampler(n_procs=workers)
    if kind == "dask":
        from distributed import Client

        if not scheduler:
            raise ValueError("--sampler dask needs --scheduler ADDRESS (tcp://host:8786)")
        return DaskDistributedSampler(dask_client=Client(scheduler), batch_size=1)
    raise ValueError(f"unknown sampler {kind!r}: single, multicore or dask")


@dataclass
class Result:
    history: object                       # pyabc.History (the SQLite record)
    db: Path
    run_id: int
    particles: object                     # DataFrame: the last population, natural values, one column per key
    weights: np.ndarray
    generations: list[dict] = field(default_factory=list)  # t, epsilon, accepted, simulations, ess, seconds
    seconds: float = 0.0                  # wall time of this call
    simulations: int = 0                  # model runs in the whole history (all calls, resumed ones included)
    stopped: str = ""                     # why it stopped
    sampling_seconds: float = 0.0         # wall time of every generation in the history (resumed sessions summed)


def ess(weights) -> float:
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum())


def _quiet() -> None:
    import logging

    for name in ABC_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def calibrate(sim: Simulator, db: Path, *, population: int, simulations: int, sampler, resume: bool = False,
              seed: int = 0, min_acceptance: float = 0.02, min_epsilon: float | None = None,
              progress: bool = True) -> Result:
    """Run (or, with `resume`, continue) ABC-SMC into the SQLite history `db` until `simulations` model runs in all
    (checked after each generation, so the last one may go past it), epsilon <= `min_epsilon` (default sqrt of the
    fitted measures) or a generation that would need more than population / `min_acceptance` runs (it is dropped:
    this bounds the cost of one generation). A resumed history that already has `simulations` runs is reported as
    it is. Each generation is a fresh pyabc.ABCSMC loaded from the history (as a resumed run is), its proposal
    fitted to the last population (calibration/proposal.py)."""
    import pyabc
    from tqdm.auto import tqdm

    from calibration.proposal import proposal

    _quiet()
    observe.preload()
    np.random.seed(seed)  # pyabc draws from numpy's global generator; seeding it makes the single sampler repeatable
    names = [m.name for m in sim.measures]
    prior = distribution(sim.base, sim.priors)
    url = f"sqlite:///{Path(db).resolve()}"
    observed = observed_stats(sim.observed, sim.measures)

    def smc(transition=None):
        return pyabc.ABCSMC(sim, prior, pyabc.PNormDistance(p=2, fixed_weights={m.name: 1.0 / m.sigma
                                                                             for m in sim.measures}),
                            population_size=population, eps=pyabc.QuantileEpsilon(alpha=0.5), sampler=sampler,
                            transitions=transition)

    if resume:
        if not Path(db).is_file():
            raise ValueError(f"{db}: no ABC history to resume")
        run_id = _last_run(url)
        stored = pyabc.History(url, _id=run_id).observed_sum_stat()
        if sorted(stored) != sorted(names) or any(abs(stored[k] - observed[k]) > 1e-12 for k in names):
            raise ValueError(f"{db}: its history was made with other observations or measures; start a new one")
    elif Path(db).exists():
        raise ValueError(f"{db} exists: resume it (--resume) or give a new --db")
    else:
        run_id = smc().new(url, observed).id
    history = pyabc.History(url, _id=run_id)
    gens: list[dict] = []
    bar = tqdm(total=simulations, initial=min(history.total_nr_simulations, simulations), unit="sim",
               desc="ABC-SMC", disable=None if progress else True, dynamic_ncols=True)  # a bar on a terminal only
    sampler.show_progress = progress and sys.stderr.isatty()  # pyabc's bar of one generation, on a terminal only
    min_eps = math.sqrt(len(names)) if min_epsilon is None else min_epsilon
    t0 = time.perf_counter()
    stopped = "simulation budget"
    try:
        while history.total_nr_simulations < simulations:
            last = history.max_t
            if last >= 0 and float(history.get_all_populations()["epsilon"].iloc[-1]) <= min_eps:
                stopped = "epsilon reached its floor"
                break
            abc = smc(proposal(history, sim.priors, prior) if last >= 0 else None)  # calibration/proposal.py
            abc.load(url, run_id)
            _watch(abc.history, bar, gens, t0, progress)
            history = abc.run(minimum_epsilon=min_eps, min_acceptance_rate=min_acceptance, max_nr_populations=1,
                              max_total_nr_simulations=simulations)
            if history.max_t == last:  # the generation was dropped: it needed too many runs
                stopped = f"acceptance rate below its floor ({min_acceptance:g})"
                break
    finally:
        bar.close()
    if history.max_t < 0:
        raise ValueError(f"{db}: no generation finished (acceptance below {min_acceptance:g} from the start)")
    df, w = history.get_distribution(m=0, t=history.max_t)
    natural = df[[p.key for p in sim.priors]].apply(lambda col: col.map(_to_value(col.name, sim.priors)))
    pops = history.get_all_populations()
    if float(pops["epsilon"].iloc[-1]) <= min_eps:
        stopped = "epsilon reached its floor"
    return Result(history=history, db=Path(db), run_id=history.id, particles=natural.reset_index(drop=True),
                  weights=np.asarray(w, dtype=float), generations=gens, seconds=time.perf_counter() - t0,
                  simulations=int(history.total_nr_simulations), stopped=stopped,
                  sampling_seconds=float(pops["wall_time"].fillna(0).sum()))


def _watch(history, bar, gens: list, t0: float, progress: bool) -> None:
    """After every generation the history records: a progress line, the bar, and the generation's row."""
    append = history.append_population

    def recorded(t, eps, pop, n_sim, model_names, **kw):
        append(t, eps, pop, n_sim, model_names, **kw)
        bar.update(n_sim)
        if t < 0:  # the prior sample that sets the first epsilon
            return
        w = pop.get_weighted_distances()["w"].to_numpy()
        row = {"t": t, "epsilon": float(eps), "accepted": len(w), "simulations": int(n_sim), "ess": ess(w),
               "seconds": time.perf_counter() - t0}
        gens.append(row)
        if progress:
            bar.write(f"generation {t}: epsilon {eps:.3g}, accepted {len(w)}/{n_sim} ({len(w) / n_sim:.1%}), "
                      f"ESS {row['ess']:.0f}, {history.total_nr_simulations} runs in all, {row['seconds']:.0f} s",
                      file=sys.stderr)

    history.append_population = recorded


def _to_value(key, priors):
    prior = next(p for p in priors if p.key == key)
    return prior.to_value


def _last_run(url: str) -> int:
    import pyabc

    runs = pyabc.History(url, create=False).all_runs()
    if not runs:
        raise ValueError(f"{url}: no ABC run to resume")
    return int(max(r.id for r in runs))


def generations(history) -> list[dict]:
    """Every generation of a history (a resumed one too): t, epsilon, accepted, simulations, ESS."""
    pops = history.get_all_populations()
    out = []
    for row in pops[pops["t"] >= 0].itertuples():
        _, w = history.get_distribution(m=0, t=int(row.t))
        out.append({"t": int(row.t), "epsilon": float(row.epsilon), "accepted": int(row.particles),
                    "simulations": int(row.samples), "ess": ess(w)})
    return out


def medoid(particles, weights) -> dict[str, float]:
    """The posterior particle closest (standardised, weighted) to all others: a real, central draw, used as the
    calibrated point values of conf/calibration/<name>.yaml."""
    x = particles.to_numpy(dtype=float)
    z = (x - np.average(x, axis=0, weights=weights)) / np.maximum(x.std(axis=0), 1e-300)
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2)) @ np.asarray(weights)
    return {k: float(v) for k, v in zip(particles.columns, x[int(np.argmin(d))])}


def resample(particles, weights, n: int, rng: np.random.Generator) -> list[dict[str, float]]:
    """n parameter sets drawn with replacement in proportion to the weights."""
    idx = rng.choice(len(weights), size=n, replace=True, p=np.asarray(weights) / np.sum(weights))
    return [particles.iloc[i].to_dict() for i in idx]


def parallel_map(fn, items: list, workers: int, progress: str | None = None) -> list:
    """[fn(x) for x in items], in forked processes when workers > 1; order kept, so results do not depend on it."""
    from tqdm.auto import tqdm

    observe.preload()
    if workers <= 1:
        return [fn(x) for x in tqdm(items, desc=progress, disable=True if progress is None else None, leave=False)]
    import multiprocessing as mp

    with mp.get_context("fork").Pool(workers) as pool:
        return list(tqdm(pool.imap(fn, items, chunksize=1), total=len(items), desc=progress,
                         disable=True if progress is None else None, leave=False))
