"""Posterior predictive distributions of the observed measures, and how well they cover the observations.

Used twice: the posterior predictive checks of a calibration (every observation through its last year against its
simulated distribution) and the rolling-origin backtest (calibrate through an origin year, predict the observations of
the following years). Each predictive run draws one parameter set from the posterior by weight and runs it once,
with a replicate seed no calibration run uses, so the spread covers parameters and the model's randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration import observe
from calibration.abc import parallel_map, resample
from calibration.priors import with_values
from calibration.targets import measure

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
PPC_REPLICATES = 2_000_000  # first replicate of the predictive runs (calibration replicates are hashes below 2^31,
# so a clash is possible but as unlikely as any two hashes meeting; forecasts start at 3,000,000)


@dataclass
class Measurer:
    """(parameter values, replicate) -> the measures' simulated statistics. Picklable for worker processes."""

    base: object
    observed: dict
    measures: tuple

    def __call__(self, item) -> dict[str, float]:
        params, replicate = item
        return measure(observe.run(with_values(self.base, params), replicate), self.observed, self.measures)


def draws(base, observed, measures, particles, weights, n: int, seed: int, workers: int,
          progress: str | None = None) -> list[dict[str, float]]:
    """n predictive runs (seeded), each one posterior draw x one replicate."""
    from model.api import replicate_seed

    rng = np.random.default_rng(replicate_seed(seed, 1))
    sets = resample(particles, weights, n, rng)
    items = [(params, PPC_REPLICATES + i) for i, params in enumerate(sets)]
    return parallel_map(Measurer(base, observed, measures), items, workers, progress)


def crps(samples: np.ndarray, y: float) -> float:
    """Continuous ranked probability score of an ensemble (Gneiting & Raftery 2007, eq. 21; lower is better):
    E|X - y| - E|X - X'|/2, the second term from the sorted sample in O(n log n)."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    spread = 2.0 * np.sum(x * (2 * np.arange(1, n + 1) - n - 1)) / n ** 2
    return float(np.mean(np.abs(x - y)) - 0.5 * spread)


def score(sims: list[dict], observed: dict, measures) -> list[dict]:
    """Per measure: observed, the simulated quantiles, error of the median, PIT (share of runs below the
    observation), inside the central 50 % and 90 % intervals, and CRPS; statistics in 'points' (x 100: log points for
    levels, percentage points for growth) so that levels and growth rates share one scale."""
    rows = []
    for m in measures:
        x = 100.0 * np.array([s[m.name] for s in sims], dtype=float)
        y = 100.0 * m.observed(observed[m.key])
        q = dict(zip(QUANTILES, np.quantile(x, QUANTILES)))
        rows.append({"measure": m.name, "observation": observed[m.key].label(), "stat": m.stat, "fitted": m.fitted,
                     "observed": y, **{f"q{round(100 * a)}": float(v) for a, v in q.items()},
                     "error": float(q[0.5] - y), "pit": float(np.mean(x < y)),
                     "in50": bool(q[0.25] <= y <= q[0.75]), "in90": bool(q[0.05] <= y <= q[0.95]),
                     "crps": crps(x, y), "runs": int(len(x))})
    return rows


def coverage(rows: list[dict]) -> dict:
    """Share of observations inside the 50 % and 90 % intervals, mean CRPS (points) and count."""
    n = len(rows)
    return {"n": n, "in50": sum(r["in50"] for r in rows) / n if n else float("nan"),
            "in90": sum(r["in90"] for r in rows) / n if n else float("nan"),
            "crps": float(np.mean([r["crps"] for r in rows])) if n else float("nan")}


def natural(row: dict, observed_value) -> tuple[str, callable]:
    """(unit, converter from points) to show a row in the reader's units: levels in 亿元 or firms, growth in %."""
    import math

    if row["stat"] == "growth":
        return "% y/y", lambda p: p
    unit = observed_value.unit
    scale = 1.0 if unit == "firms" else 1e8
    return ("firms" if unit == "firms" else "亿元"), (lambda p: math.exp(p / 100.0) / scale)
