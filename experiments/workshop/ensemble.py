"""The workshop's ensemble: replicates 0..N-1 of the current settings and of their no-plan counterpart, run in the
background and summarised by the project's one rule, so the page shows bands and P(met) instead of one draw.

Replicate r of both runs is seeded by `SeedSequence(seed, spawn_key=(r,))` (model.api.replicate_seed), so run r and
no-plan r are paired (common random numbers) and the ensemble is the run of `dtsim <overrides> replicates=N`;
replicate 0 is the single draw the page steps through. Members run in worker processes (a process pool: the
server's own thread stays free for the pages) or, with workers=0, in one thread of this process (tests). Every
member is cached by its config's hash and replicate, so sessions with the same settings, and every setting's shared
no-plan counterpart, run each member once; members still queued that nobody waits for any more are cancelled.

Summaries: per quarter the median and 5-95 % of annualised digital trade (experiments.replicates' rule), per target
target_stats / all_met (median, 5-95 %, P(met) with its Wilson interval), and the extra digital trade per yuan of
public money with its t interval from experiments.aggregate.ratio_interval on the paired differences.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig, OmegaConf

from experiments.aggregate import ratio_interval
from experiments.outputs import config_hash
from experiments.replicates import TARGETS, Replicate, spread, all_met, scorecard_rows, target_stats
from model.api import simulate
from model.targets import meets

log = logging.getLogger("dtsim.workshop")
DEFAULT_MEMBERS = 10  # seeds per setting: enough for a 5-95 % band and P(met) in steps of 10 %
WORKERS_ENV = "DTSIM_ENSEMBLE_WORKERS"  # 0: one thread in this process; N: N processes; unset: cores - 1
MAX_CACHED = 5000  # members kept (a few KB each)


@dataclass(frozen=True)
class Member:
    """What one replicate leaves for the summaries (small: it crosses from a worker process)."""
    replicate: int
    card: dict          # model.targets.scorecard at the horizon
    usd: np.ndarray     # digital trade, USD per quarter
    cny: np.ndarray     # digital trade (gross, imports + exports), CNY per quarter
    fx: np.ndarray      # CNY per USD, per quarter
    spent: float        # public money over the run, CNY (tax: revenue forgone)


def run_member(cfg: DictConfig, replicate: int) -> Member:
    """Replicate `replicate` of `cfg` to the horizon (model.api.simulate); runs in a worker."""
    out = simulate(cfg=cfg, replicate=replicate, keep_model=True)
    rec = out.model.recorder
    return Member(replicate, out.scorecard, rec.series("digital_trade_usd"), rec.series("digital_trade_total"),
                  rec.series("fx"), float(sum(out.spending.values())))


def workers() -> int:
    """Worker processes for members (0: a thread of this process): the environment's, else all cores but one."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text:
        return max(int(text), 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores - 1, 4))


_POOL: Executor | None = None
_POOL_LOCK = threading.Lock()


def executor() -> Executor:
    """The server's one pool for members (made on first use; `warm` makes it at start)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            n = workers()
            if n == 0:
                _POOL = ThreadPoolExecutor(1, thread_name_prefix="dtsim-ensemble")
            else:  # forkserver: workers start from a clean process that imported the model once
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["experiments.workshop.ensemble"])
                _POOL = ProcessPoolExecutor(n, mp_context=ctx)
        return _POOL


def _reset_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        old, _POOL = _POOL, None
    if old is not None:
        old.shutdown(wait=False, cancel_futures=True)


def warm() -> None:
    """Start the pool's workers now (a process pool starts them on its first task), so the first band is quick."""
    pool = executor()
    if isinstance(pool, ProcessPoolExecutor):
        list(pool.map(_ready, range(2 * workers())))


def _ready(_) -> int:
    return os.getpid()


_DONE: OrderedDict[tuple, Member] = OrderedDict()
_PENDING: dict[tuple, list] = {}  # (config hash, r) -> [future, ensembles waiting for it]
_LOCK = threading.Lock()


def _member(cfg: DictConfig, key: str, r: int, waiter) -> Future:
    """The member's future: a done one from the cache, the one already queued, or a new task."""
    with _LOCK:
        if (key, r) in _DONE:
            _DONE.move_to_end((key, r))
            done: Future = Future()
            done.set_result(_DONE[(key, r)])
            return done
        if (key, r) in _PENDING:
            _PENDING[(key, r)][1].add(waiter)
            return _PENDING[(key, r)][0]
        try:
            future = executor().submit(run_member, cfg, r)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool for what follows
            log.error("ensemble: the worker pool broke; starting a new one")
            _reset_pool()
            future = executor().submit(run_member, cfg, r)
        _PENDING[(key, r)] = [future, {waiter}]

    def store(f: Future) -> None:
        with _LOCK:
            _PENDING.pop((key, r), None)
            if not f.cancelled() and f.exception() is None:
                _DONE[(key, r)] = f.result()
                while len(_DONE) > MAX_CACHED:
                    _DONE.popitem(last=False)
    future.add_done_callback(store)
    return future


def none_config(cfg: DictConfig, none_policy: DictConfig) -> DictConfig:
    """cfg with the policy section of `policy=none` (everything else, seed included, kept): the no-plan run."""
    return OmegaConf.merge(cfg, {"policy": none_policy})


class Ensemble:
    """Replicates 0..n-1 of `cfg` and of `none_cfg`, arriving in the background; `summary()` at any time."""

    def __init__(self, cfg: DictConfig, none_cfg: DictConfig, n: int = DEFAULT_MEMBERS):
        self.cfg, self.none_cfg, self.n = cfg, none_cfg, int(n)
        self.keys = (config_hash(cfg), config_hash(none_cfg))
        self.members: tuple[dict[int, Member], dict[int, Member]] = ({}, {})
        self.error = ""
        self.started = time.perf_counter()
        self.complete_s: float | None = None  # seconds from start until every member had arrived
        self._cond = threading.Condition()
        self._futures: list[tuple[tuple, Future]] = []
        self.version = 0  # bumped on every arrival: the page redraws when it changes

    def start(self) -> "Ensemble":
        """Queue the members pair by pair (run r, then no-plan r), so complete pairs arrive in order."""
        for r in range(self.n):
            for side, (cfg, key) in enumerate(((self.cfg, self.keys[0]), (self.none_cfg, self.keys[1]))):
                try:
                    future = _member(cfg, key, r, self)
                except Exception as exc:  # the pool cannot take it: say so on the page, never break the page
                    log.exception("ensemble: queueing member %d failed", r)
                    with self._cond:
                        self.error = f"could not queue the ensemble: {type(exc).__name__}: {exc}"
                        self.version += 1
                        self._cond.notify_all()
                    return self
                self._futures.append(((key, r), future))
                future.add_done_callback(lambda f, side=side, r=r: self._arrived(side, r, f))
        return self

    def _arrived(self, side: int, r: int, future: Future) -> None:
        with self._cond:
            if future.cancelled():
                return
            if future.exception() is not None:
                exc = future.exception()
                first = str(exc).splitlines()[0] if str(exc) else ""
                self.error = f"ensemble member {r} failed: {type(exc).__name__}: {first}"
                log.error("%s (%s)", self.error, "the no-plan run" if side else "the run")
            else:
                self.members[side][r] = future.result()
                if self.complete and self.complete_s is None:
                    self.complete_s = time.perf_counter() - self.started
            self.version += 1
            self._cond.notify_all()

    @property
    def pairs(self) -> list[int]:
        """Replicates whose run and no-plan run have both arrived."""
        run, none = self.members
        return sorted(set(run) & set(none))

    @property
    def complete(self) -> bool:
        return len(self.pairs) >= self.n

    def wait(self, version: int, timeout: float) -> int:
        """Block until something arrives after `version` (or the timeout); returns the version now."""
        with self._cond:
            if self.version == version and not self.complete and not self.error:
                self._cond.wait(timeout)
            return self.version

    def wait_complete(self, timeout: float = 600.0) -> "Ensemble":
        deadline = time.monotonic() + timeout
        while not self.complete and not self.error:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"ensemble not complete within {timeout:g} s ({len(self.pairs)} of {self.n})")
            self.wait(self.version, min(left, 1.0))
        if self.error:
            raise RuntimeError(self.error)
        return self

    def cancel(self) -> None:
        """Cancel the queued members that no other ensemble waits for (settings changed, session closed)."""
        lonely = []
        with _LOCK:
            for key, future in self._futures:
                entry = _PENDING.get(key)
                if entry is not None:
                    entry[1].discard(self)
                    if not entry[1]:
                        lonely.append(future)
        for future in lonely:  # outside the lock: a cancelled future runs its callbacks (`store` takes the lock)
            future.cancel()

    def summary(self) -> dict | None:
        """Bands, target statistics and the cost per yuan over the pairs arrived so far (None before the first)."""
        with self._cond:
            pairs = self.pairs
            run = [self.members[0][r] for r in pairs]
            none = [self.members[1][r] for r in pairs]
        if not pairs:
            return None
        d_trade = np.array([a.cny.sum() - b.cny.sum() for a, b in zip(run, none)])
        d_spend = np.array([a.spent - b.spent for a, b in zip(run, none)])
        ratio, lo, hi = ratio_interval(d_trade, d_spend) if d_spend.mean() > 0 else (None, None, None)
        return {"n": len(pairs), "of": self.n, "complete": len(pairs) >= self.n,
                "run": _side(run), "none": _side(none),
                "extra_trade": spread(d_trade), "spent": spread(d_spend),
                "per_yuan": None if ratio is None else {"ratio": ratio, "lo": _finite(lo), "hi": _finite(hi)}}


def _finite(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def _side(members: list[Member]) -> dict:
    """One side of the ensemble: per quarter median and 5-95 % of annualised USD trade (and CNY per USD); per target
    target_stats with `value` (the median) and `met` (whether the median meets the target); P(all five met)."""
    usd = np.stack([m.usd for m in members]) * 4  # annualised, USD per year
    band = [spread(usd[:, q]) for q in range(usd.shape[1])]
    rows = scorecard_rows([Replicate(m.replicate, m.card, None, 0) for m in members])
    targets = {}
    for key in TARGETS:
        sub = rows[rows["target"] == key]
        first = members[0].card[key]
        stats = target_stats(sub["value"], sub["met"], first["unit"])
        targets[key] = {"threshold": first["threshold"], "unit": first["unit"], **stats,
                        "value": stats["median"], "met": meets(stats["median"], first["threshold"])}
    return {"median": [b["median"] for b in band], "q05": [b["q05"] for b in band],
            "q95": [b["q95"] for b in band], "fx": members[0].fx, "targets": targets, "all": all_met(rows)}


def ensemble_for(cfg: DictConfig, none_cfg: DictConfig, n: int = DEFAULT_MEMBERS) -> Ensemble:
    """A started ensemble of these configs for one page (members are shared through the cache, not the object, so
    one page cancelling its ensemble never cancels what another page waits for)."""
    return Ensemble(cfg, none_cfg, n).start()
