"""Simulation-based estimation of the uncertain parameters: seeded optuna TPE over replicate-averaged losses.

Every trial runs the model R times with the same spawned seeds (common random numbers, so trials differ by
their parameters, not by luck) and scores the replicate means against the targets (calibration/targets.py).
The best few trials are then re-run with fresh seeds and the point estimate is the best of those (this removes
the optimism of picking the luckiest trial). Uncertainty: every trial whose replicate mean lies within 2
standard errors of every target is "accepted" (rejection ABC on the trials); the accepted set's range is what
the data cannot tell apart. TPE concentrates trials near the optimum, so the accepted set is not a posterior
sample: its ranges are reported as the set of parameter values consistent with the data, not as credible
intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from omegaconf import OmegaConf

from calibration.observe import run_model
from calibration.targets import measure, score
from model.api import replicate_seeds


@dataclass(frozen=True)
class Param:
    key: str      # dotted config key
    lo: float
    hi: float
    log: bool
    why: str


# Searched ranges: inside the schema's ranges (model/config.py), wide around the stated assumptions.
PARAMS = (
    Param("population.cbec_trade_2019_cny", 1.0e11, 2.6e11, True,
          "2019 CBEC (retail + B2B) under the 2020 definition is unpublished"),
    Param("population.service_trade_2019_cny", 0.8e11, 2.0e11, True,
          "2019 digitally deliverable services under the 2020 definition is unpublished"),
    # the 2020-21 surge is a lasting level shift (world.digital_boom), not a trend: data through 2021 cannot
    # identify the growth after it, so world.digital_shift and world.domestic_growth stay stated assumptions
    Param("world.digital_boom.level", 1.0, 2.0, False, "lasting pandemic shift toward digital trade, reached end-2021"),
    Param("firm.adoption_max", 0.01, 0.2, True, "pace of digital transformation"),
    Param("firm.transform_gain", 0.05, 0.8, False, "trade gain of a transformed firm"),
    Param("firm.digital_share_transformed", 0.05, 0.5, False, "digitally ordered share after transformation"),
    Param("firm.entry_rate", 0.005, 0.04, False, "gross entry; the firm count 2021 pins net entry"),
    Param("firm.talent_elasticity", 0.0, 1.5, False, "how much a digital-talent shortage binds digital trade"),
)
ACCEPT_Z = 2.0


def with_params(cfg, params: dict):
    """A copy of `cfg` with the dotted keys of `params` set."""
    out = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    for key, value in params.items():
        OmegaConf.update(out, key, float(value), merge=False)
    return out


def evaluate(cfg, params: dict, seeds, observed) -> tuple[dict, list[dict]]:
    """Score of `params` over the replicates `seeds` (each a SeedSequence child, model.api.replicate_seeds)."""
    run_cfg = with_params(cfg, params)
    reps = [measure(run_model(run_cfg, s), observed) for s in seeds]
    return score(reps, observed), reps


def defaults(cfg) -> dict:
    return {p.key: float(OmegaConf.select(cfg, p.key)) for p in PARAMS}


@dataclass
class Result:
    trials: list[dict]       # one row per trial: number, params, loss, z and mean per target, accepted
    best: dict               # point estimate (params)
    best_recheck: dict       # its score on fresh seeds
    rechecked: list[dict]    # the re-run trials: number, loss on fresh seeds


def calibrate(cfg, observed, *, n_trials: int, replicates: int, seed: int, recheck: int = 5,
              recheck_replicates: int | None = None, progress=None) -> Result:
    """Run the TPE search and the re-check; `cfg` is the composed base config (horizon through 2021)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seeds = replicate_seeds(seed, replicates)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(5, n_trials // 4), multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial(defaults(cfg))  # trial 0: the stated assumptions, as a reference
    rows: list[dict] = []

    def objective(trial) -> float:
        params = {p.key: trial.suggest_float(p.key, p.lo, p.hi, log=p.log) for p in PARAMS}
        sc, _ = evaluate(cfg, params, seeds, observed)
        rows.append(_row(trial.number, params, sc))
        if progress:
            progress(trial.number, sc["loss"])
        return sc["loss"] if math.isfinite(sc["loss"]) else 1e12

    study.optimize(objective, n_trials=n_trials)
    fresh = replicate_seeds(seed, recheck_replicates or replicates, skip=replicates)
    top = sorted(rows, key=lambda r: r["loss"])[:recheck]
    rechecked = []
    for r in top:
        sc, _ = evaluate(cfg, r["params"], fresh, observed)
        rechecked.append({"number": r["number"], "loss": sc["loss"], "score": sc})
    winner = min(rechecked, key=lambda r: r["loss"])
    best = next(r for r in rows if r["number"] == winner["number"])
    return Result(trials=rows, best=best["params"], best_recheck=winner["score"], rechecked=rechecked)


def _row(number: int, params: dict, sc: dict) -> dict:
    zs = {name: v["z"] for name, v in sc["targets"].items()}
    return {"number": number, "params": params, "loss": sc["loss"], "z": zs,
            "mean": {name: v["mean"] for name, v in sc["targets"].items()},
            "accepted": all(abs(z) <= ACCEPT_Z for z in zs.values())}


def accepted_ranges(trials: list[dict]) -> dict[str, tuple[float, float, float, int]]:
    """(min, median, max, count) of each parameter over the accepted trials (empty dict if none)."""
    acc = [t for t in trials if t["accepted"]]
    if not acc:
        return {}
    out = {}
    for p in PARAMS:
        v = np.array([t["params"][p.key] for t in acc])
        out[p.key] = (float(v.min()), float(np.median(v)), float(v.max()), len(v))
    return out

