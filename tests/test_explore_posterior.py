"""Uncertainties from the calibration posterior (explore.posterior): the default composes the stored sample of the
default calibration; a fitted uncertainty spans its weighted central interval; scenarios draw fitted uncertainties
jointly (whole particles), the others by Latin hypercube; explore.ranges wins; a bad name is one ConfigError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.explore.factors import Posterior, pick, scenarios
from model.api import CONF_DIR, load_config
from model.validate import ConfigError

FITTED = "firm.transform_gain"      # in calibration/priors.py, so in every stored posterior
NOT_FITTED = "firm.peer_effect"     # uncertain, not calibrated


def settings(**changes):
    s = OmegaConf.load(f"{CONF_DIR}/explore/base.yaml")
    for key, value in changes.items():
        OmegaConf.update(s, key, value, merge=False)
    return s


def test_weighted_interval_inverts_the_weighted_ecdf():
    """Values 0..99, the upper half weighted 3x: the weighted 5 % and 95 % quantiles are known exactly."""
    x = np.arange(100.0)
    w = np.where(x >= 50, 3.0, 1.0)
    post = Posterior("synthetic", pd.DataFrame({"a": x[::-1]}), (w / w.sum())[::-1])  # order must not matter
    lo, hi = post.interval("a", 0.893)  # a mass whose ends fall inside ECDF steps, not on them
    # the ECDF climbs 1/200 a value below 50, 3/200 above: 5.35 % is first reached at 10, 94.65 % at 96
    assert (lo, hi) == (10.0, 96.0)


def test_auto_is_the_default_calibrations_sample_and_none_without_one():
    post = Posterior.resolve("auto", ())
    assert post is not None and FITTED in post.particles and np.isclose(post.weights.sum(), 1.0)
    assert Posterior.resolve("auto", ("calibration=none",)) is None
    assert Posterior.resolve("none", ()) is None
    with pytest.raises(ConfigError, match="explore.posterior=no_such_fit"):
        Posterior.resolve("no_such_fit", ())


def test_fitted_uncertainties_span_their_posterior_and_ranges_win():
    cfg, post = load_config(), Posterior.resolve("auto", ())
    chosen = {f.name: f for f in pick(settings(uncertainties=[FITTED, NOT_FITTED]), cfg, post)}
    gain, peer = chosen[FITTED], chosen[NOT_FITTED]
    sample = post.particles[FITTED]
    assert gain.source == "posterior" and sample.min() <= gain.lo < gain.hi <= sample.max()
    assert (gain.lo, gain.hi) == post.interval(FITTED, 0.9)
    assert peer.source == "range" and np.isclose(peer.hi, 1.5 * cfg.firm.peer_effect)  # the spread rule
    given = pick(settings(uncertainties=[FITTED], ranges={FITTED: [0.1, 0.2]}), cfg, post)[0]
    assert (given.lo, given.hi, given.source) == (0.1, 0.2, "range")


def test_scenarios_draw_whole_particles_for_fitted_uncertainties():
    cfg, post = load_config(), Posterior.resolve("auto", ())
    other = "firm.adoption_max"  # also fitted: drawn with FITTED from the same particles
    factors = pick(settings(uncertainties=[FITTED, other, NOT_FITTED]), cfg, post)
    draws = scenarios(factors, 64, seed=5, posterior=post)
    assert list(draws.columns) == ["point", FITTED, other, NOT_FITTED]
    particles = set(map(tuple, post.particles[[FITTED, other]].to_numpy()))
    assert all(tuple(row) in particles for row in draws[[FITTED, other]].to_numpy())  # joint, not re-paired
    peer = next(f for f in factors if f.name == NOT_FITTED)
    assert draws[NOT_FITTED].between(peer.lo, peer.hi).all()
    assert draws.equals(scenarios(factors, 64, seed=5, posterior=post))  # seeded
