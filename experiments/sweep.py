"""The Hydra callback of a `dtsim -m` sweep: a progress bar over its jobs, and the aggregate report at the end.

Registered in conf/config.yaml (hydra.callbacks.sweep). The bar counts the jobs' completion markers in the sweep
folder, so it works with every launcher (basic, joblib, submitit, ray) and in a log file. When the sweep ends,
`report.build` writes summary.parquet, timeseries.parquet, the charts and report.md and prints a one-screen summary.
State lives in this module, not on the callback: launchers pickle the callback to their workers.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from tqdm.auto import tqdm

from experiments.jobs import DONE, FAILED

_state: dict[str, Any] = {"failed": False}


def last_sweep_failed() -> bool:
    """Whether the last sweep of this process had a failed job (dtsim then exits 1)."""
    return bool(_state["failed"])


def _finished(sweep_dir: Path, since: float) -> tuple[int, int]:
    """(jobs complete, jobs failed since `since`) among the sweep's job folders."""
    done = failed = 0
    for d in sweep_dir.glob("*/"):
        if (d / DONE).exists():
            done += 1
        elif (d / FAILED).exists() and (d / FAILED).stat().st_mtime >= since:
            failed += 1
    return done, failed


def _watch(sweep_dir: Path, total: int, since: float, reused: int, stop: threading.Event) -> None:
    """Print a progress bar line each time a job finishes. A line, not a bar redrawn in place: the jobs (in this
    process or in workers) print their own lines meanwhile, which would garble an in-place bar."""
    last, stopping = reused, False
    while not stopping:
        stopping = stop.wait(0.5)
        done, failed = _finished(sweep_dir, since) if sweep_dir.exists() else (0, 0)
        n = min(total, done + failed)
        if n != last:
            meter = tqdm.format_meter(n, total, time.time() - since, ncols=100, prefix="sweep", unit="job",
                                      initial=reused)
            print(meter + (f" — {failed} failed" if failed else ""), file=sys.stderr, flush=True)
            last = n


class SweepCallback(Callback):
    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from experiments.precheck import sweep_jobs

        sweep_dir = Path(config.hydra.sweep.dir)
        start = time.time()
        try:
            total = len(sweep_jobs(config))
        except Exception:  # a sweep this cannot expand: no progress bar, the sweep itself goes on
            total = 0
        reused = _finished(sweep_dir, start)[0] if sweep_dir.exists() else 0
        launcher = str(config.hydra.launcher.get("_target_", "")).rsplit(".", 1)[-1]
        message = f"sweep: {total or '?'} jobs into {sweep_dir} ({launcher})"
        if reused:
            message += f"; {reused} found complete there (skipped if their config is unchanged)"
        print(message, flush=True)
        stop = threading.Event()
        thread = None
        if total:
            thread = threading.Thread(target=_watch, args=(sweep_dir, total, start, reused, stop), daemon=True)
            thread.start()
        _state.update(failed=False, stop=stop, thread=thread, reused=reused, start=start)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from experiments.report import build

        if _state.get("thread") is not None:
            _state["stop"].set()
            _state["thread"].join()
        sweep_dir = Path(config.hydra.sweep.dir)
        _state["failed"] = _finished(sweep_dir, _state.get("start", 0.0))[1] > 0
        try:
            build(sweep_dir, charts=bool(config.chart), reused=_state.get("reused", 0))
        except Exception as exc:  # the jobs' results are on disk whatever happens here
            _state["failed"] = True
            print(f"dtsim: the sweep's report failed ({type(exc).__name__}: {' '.join(str(exc).split())}); "
                  f"job results are kept in {sweep_dir}; rebuild with: dtsim-report {sweep_dir}", file=sys.stderr)
