"""Rolling-origin backtest: calibrate on what was observed through an origin year, predict what was observed in the
following years, and score every held-out observation (median, 50 % and 90 % intervals, error, PIT, CRPS).

The procedure is the calibration's (calibration/abc.py, the same priors, measures and tolerances) with the data cut at
the origin; parameters the data up to the origin cannot inform stay near their priors, so world conditions after the
origin (the 2022 slowdown, demand growth) enter as prior uncertainty. The CNY/USD rates of the held-out years are the
config's observed ones (the forecast is conditional on them). Nothing here is tuned to the result.
"""

from __future__ import annotations

from pathlib import Path

from calibration import predictive
from calibration.abc import Simulator, calibrate
from calibration.priors import PRIORS
from calibration.targets import MEASURES, fitted, horizon
from model.api import load_config

# origin -> the years it predicts
ORIGINS = {2020: (2021,), 2021: (2022, 2023)}


def held_out(origin: int) -> tuple:
    """Every measure (fitted or check) observed in the years the origin predicts."""
    return tuple(m for m in MEASURES if m.key[0] in ORIGINS[origin])


def run_origin(origin: int, observed: dict, common: list[str], *, simulations: int, population: int, sampler,
               db: Path, draws: int, seed: int, workers: int, resume: bool = False, priors=PRIORS) -> dict:
    """Calibrate through `origin` into `db`, then `draws` predictive runs of its held-out observations."""
    measures = fitted(origin)
    base = load_config(*common, f"horizon={horizon(measures)}")
    result = calibrate(Simulator(base, observed, measures, priors), db, population=population, simulations=simulations,
                       sampler=sampler, resume=resume, seed=seed)
    targets = held_out(origin)
    pbase = load_config(*common, f"horizon={horizon(targets)}")
    sims = predictive.draws(pbase, observed, targets, result.particles, result.weights, draws, seed, workers,
                            f"predicting {'+'.join(map(str, ORIGINS[origin]))} from {origin}")
    rows = [{"origin": origin, **r} for r in predictive.score(sims, observed, targets)]
    return {"origin": origin, "result": result, "rows": rows, "fitted": len(measures)}
