"""The ABC-SMC proposal: informed parameters perturbed jointly, the others drawn afresh from their priors.

Importance sampling is exact under any proposal that covers the prior; the choice only decides how many particles
stay effective. With a Gaussian kernel over all parameters, the prior / proposal ratios of the many weakly identified
dimensions multiply, and the effective sample size fell to a few particles per generation (with Silverman's narrow
kernel, with one and with twice the weighted covariance, Beaumont et al. 2009). The priors are independent, so a
parameter drawn from its own prior has weight ratio 1: only the parameters the data have moved carry weight.
"""

from __future__ import annotations

import math

import numpy as np
from pyabc.parameters import Parameter
from pyabc.transition import AggregatedTransition, MultivariateNormalTransition, Transition

# A parameter counts as informed by the last population when its weighted mean has moved by this many prior standard
# deviations, or its weighted sd has shrunk below this share of the prior's (in the coordinate it is sampled in).
INFORMED_SHIFT, INFORMED_SPREAD = 0.2, 0.8


class PriorTransition(Transition):
    """Proposes its parameters from their (independent) priors, whatever the population."""

    def __init__(self, rvs: dict | None = None):
        self.rvs = rvs or {}

    def fit(self, X, w) -> None:  # nothing to fit
        pass

    def rvs_single(self) -> Parameter:
        return Parameter({k: float(rv.rvs()) for k, rv in self.rvs.items()})

    def pdf(self, x):
        dens = 1.0
        for k, rv in self.rvs.items():
            dens = dens * rv.pdf(np.asarray(x[k], dtype=float))
        return dens


def full_width(n: int, d: int) -> float:
    """Bandwidth factor 1: the kernel is the weighted covariance of the last population's informed parameters."""
    return 1.0


def informed(particles, weights, priors, prior) -> list[str]:
    """The parameters the last population has moved away from their priors (the rest look like prior draws)."""
    out = []
    for p in priors:
        rv = prior[p.key]
        x = particles[p.key].to_numpy(dtype=float)
        mean = np.average(x, weights=weights)
        sd = math.sqrt(np.average((x - mean) ** 2, weights=weights))
        if abs(mean - rv.mean()) > INFORMED_SHIFT * rv.std() or sd < INFORMED_SPREAD * rv.std():
            out.append(p.key)
    return out


def proposal(history, priors, prior) -> AggregatedTransition:
    """The next generation's proposal, from the last population in `history` (pyabc.History)."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    keys = informed(df, w, priors, prior)
    rest = tuple(p.key for p in priors if p.key not in keys)
    mapping = {}
    if keys:
        mapping[tuple(keys)] = MultivariateNormalTransition(scaling=1.0, bandwidth_selector=full_width)
    if rest:
        mapping[rest] = PriorTransition({k: prior[k] for k in rest})
    return AggregatedTransition(mapping)
