"""One job (a run, or one point of a sweep): its replicates, its outputs and its completion marker.

A job writes `done.json` last, after every output is in place (each written atomically), so `done.json` means
"complete". In a sweep a job whose folder already holds `done.json` for the same config is skipped, so a sweep
re-run with the same `hydra.sweep.dir` recomputes nothing that finished; a job that raises writes `failed.json`
(its overrides, the error and the traceback) instead, and the sweep goes on.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from omegaconf import DictConfig, ListConfig, OmegaConf

from experiments.outputs import config_hash, fmt_value, print_scorecard, write_json, write_replicates
from experiments.precheck import is_hydra_override
from experiments.replicates import run_replicates, workers_for
from model.validate import validate

DONE, FAILED = "done.json", "failed.json"


def read_marker(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def override_items(overrides: list[str]) -> list[tuple[str, str]]:
    """(key, value) of each non-Hydra override; '+'/'~' prefixes dropped from keys."""
    return [(key.lstrip("+~"), value) for key, sep, value in (o.partition("=") for o in overrides)
            if sep and not is_hydra_override(key)]


def typed_value(cfg: DictConfig, key: str, text: str):
    """The value an override set, typed as in the config (floats stay floats); a group choice stays a name."""
    try:
        value = OmegaConf.select(cfg, key, throw_on_missing=False)
    except Exception:  # a group path like experiment/lever_off is not a config key
        value = None
    return text if value is None or isinstance(value, (DictConfig, ListConfig)) else value


def describe(cfg: DictConfig, overrides: list[str]) -> dict:
    """What the aggregate needs of a job without parsing its config again: overrides, typed values, names."""
    return {"overrides": overrides, "values": {k: typed_value(cfg, k, v) for k, v in override_items(overrides)},
            "policy": str(cfg.policy.name), "phasing": str(cfg.phasing.name), "world.fx": str(cfg.world.fx)}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def one_line(num: int, card: dict, seconds: float, overrides: list[str]) -> str:
    """The line a sweep prints for a finished job: T1's median and P(met) of each target and of all five."""
    t1 = card["T1"]
    ps = " ".join(f"{k} {e['p_met']:.2f}" for k, e in card.items() if e["p_met"] is not None)
    return (f"job {num} done in {seconds:.1f} s: T1 median {fmt_value(t1['value'], t1['unit'])}; P(met) {ps}"
            f" — {' '.join(overrides)}")


def run_job(cfg: DictConfig, out: Path, *, overrides: list[str], num: int = 0, launcher: str = "",
            multirun: bool = False) -> dict:
    """Run (or, in a sweep, reuse) one job; in a sweep an error is recorded in failed.json, not raised."""
    validate(cfg)
    digest = config_hash(cfg)
    done = read_marker(out / DONE)
    if multirun and done is not None and done.get("config_hash") == digest:
        print(f"job {num} already complete — skipped: {' '.join(overrides)}", flush=True)
        return {"status": "skipped", **done}
    for stale in (DONE, FAILED):  # another config ran in this folder before, or this job failed before
        (out / stale).unlink(missing_ok=True)
    started, tic = _now(), time.perf_counter()
    try:
        reps = run_replicates(cfg, workers_for(cfg, launcher), progress=not multirun,
                              adaptive=int(cfg.workers) == 0)
        card = write_replicates(reps, cfg, out, overrides=overrides)
    except Exception as exc:
        if not multirun:
            raise
        info = {"job": num, **describe(cfg, overrides), "config_hash": digest, "started": started, "failed": _now(),
                "error": f"{type(exc).__name__}: {' '.join(str(exc).split())}", "traceback": traceback.format_exc()}
        write_json(out / FAILED, info)
        print(f"job {num} FAILED: {info['error']} — {' '.join(overrides)}", file=sys.stderr, flush=True)
        return {"status": "failed", **info}
    seconds = time.perf_counter() - tic
    write_json(out / DONE, {"job": num, **describe(cfg, overrides), "config_hash": digest, "replicates": len(reps),
                            "started": started, "finished": _now(), "seconds": round(seconds, 3)})
    if multirun:
        print(one_line(num, card, seconds, overrides), flush=True)
    else:
        print_scorecard(card, cfg, out, reps[0].firm_agents)
    return {"status": "complete", "card": card}
