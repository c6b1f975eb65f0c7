"""ABC-SMC (calibration/abc.py): a run is repeatable with the single sampler, a stopped or killed run resumes from its
SQLite history, a history of other data is refused, and the posterior sample round-trips through its CSV."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from calibration import abc
from calibration import posterior as store
from calibration.priors import select
from calibration.targets import fitted, horizon, observations
from model.api import load_config

ROOT = Path(__file__).resolve().parent.parent
P3 = ["world.digital_boom.level", "world.digital_shift", "population.cbec_trade_2019_cny"]
P2 = P3[:2]  # two parameters: a population of five estimates their covariance, and the tests stay quick


@pytest.fixture(scope="module")
def sim() -> abc.Simulator:
    measures = fitted(2020)
    base = load_config("calibration=none", "scale=0.02", "chart=false", f"horizon={horizon(measures)}")
    return abc.Simulator(base, observations(), measures, select(P2))


def _run(sim, db, simulations, seed=5, resume=False):
    return abc.calibrate(sim, db, population=5, simulations=simulations, seed=seed, progress=False, resume=resume,
                         sampler=abc.make_sampler("single", 1))


@pytest.fixture(scope="module")
def first(sim, tmp_path_factory):
    return _run(sim, tmp_path_factory.mktemp("abc") / "a.db", 12)


def test_a_particle_always_runs_the_same_replicate(sim):
    p = {k: 1.0 + i for i, k in enumerate(P3)}
    assert abc.replicate_for(p) == abc.replicate_for(dict(reversed(list(p.items()))))
    assert abc.replicate_for(p) != abc.replicate_for({**p, P3[0]: 1.0 + 1e-12})
    particle = {"world.digital_boom.level": np.log(1.2), "world.digital_shift": 0.03}
    a, b = sim(particle), sim(particle)
    assert a == b and set(a) == {m.name for m in sim.measures}


def test_single_sampler_repeats_and_a_stopped_run_resumes(sim, first, tmp_path):
    again = _run(sim, tmp_path / "b.db", 12)
    assert np.array_equal(first.particles.to_numpy(), again.particles.to_numpy())
    before = abc.generations(first.history)
    more = _run(sim, first.db, first.simulations + 10, seed=6, resume=True)
    later = abc.generations(more.history)
    assert later[:len(before)] == before and len(later) > len(before)  # continued, nothing redone
    assert more.simulations >= first.simulations + 10
    with pytest.raises(ValueError, match="exists: resume it"):
        _run(sim, first.db, 5)


def test_a_history_of_other_measures_is_refused(sim, first):
    other = abc.Simulator(sim.base, sim.observed, sim.measures[:2], sim.priors)
    with pytest.raises(ValueError, match="other observations or measures"):
        _run(other, first.db, 40, resume=True)


@pytest.mark.slow
def test_a_killed_calibration_resumes(tmp_path):
    """The command killed (SIGKILL) after its first generation; --resume continues the same history."""
    db, out = tmp_path / "abc.db", tmp_path / "o1"
    args = [sys.executable, "-m", "experiments.calibrate", "--through", "2020", "--parameters", *P3,
            "--population", "6", "--scale", "0.02", "--workers", "1", "--ppc", "2", "--db", str(db)]
    proc = subprocess.Popen(args + ["--simulations", "100000", "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = 0
    try:
        deadline = time.time() + 60
        while time.time() < deadline and done < 2:
            time.sleep(0.5)
            if db.exists():
                import pyabc
                try:
                    done = pyabc.History(f"sqlite:///{db}", create=False).max_t + 1
                except Exception:  # the history is being written
                    done = 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert done >= 2, proc.stderr.read()
    import pyabc

    before = pyabc.History(f"sqlite:///{db}", create=False)
    n0, t0 = before.total_nr_simulations, before.max_t
    res = subprocess.run(args + ["--simulations", str(n0 + 30), "--resume", "--out", str(tmp_path / "o2")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    after = pyabc.History(f"sqlite:///{db}", create=False)
    assert after.max_t > t0 and after.total_nr_simulations >= n0 + 30
    assert (tmp_path / "o2" / "zhejiang_2020_posterior.csv").exists()


def test_posterior_sample_round_trips_and_a_bad_one_is_one_line(tmp_path):
    import pandas as pd

    particles = pd.DataFrame({P3[0]: [1.1, 1.2, 1.3], P3[1]: [0.01, 0.02, 0.03]})
    path = store.write(particles, [1.0, 2.0, 1.0], tmp_path / "x_posterior.csv")
    back, w = store.load(path)
    assert np.allclose(back.to_numpy(), particles.to_numpy()) and np.allclose(w, [0.25, 0.5, 0.25])
    sets = store.draw(path, 50, seed=1)
    assert len(sets) == 50 and set(sets[0]) == set(particles.columns)
    assert abc.medoid(particles, np.array([1.0, 2.0, 1.0]))[P3[0]] == 1.2
    (tmp_path / "bad_posterior.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a 'weight' column") as err:
        store.load(tmp_path / "bad_posterior.csv")
    assert "\n" not in str(err.value)


def test_the_proposal_draws_the_parameters_the_data_left_alone_from_their_priors():
    """Only parameters the population moved are perturbed jointly; the rest come from their priors (weight 1)."""
    import pandas as pd

    from calibration.priors import distribution
    from calibration.proposal import PriorTransition, informed

    priors = select(P2)
    base = load_config("calibration=none")
    prior = distribution(base, priors)
    a, b = (prior[p.key] for p in priors)
    rng = np.random.default_rng(2)
    moved = a.mean() + a.std() * (1.0 + 0.3 * rng.standard_normal(400))  # shifted and narrow
    alone = b.mean() + b.std() * rng.standard_normal(400)                 # like prior draws
    particles = pd.DataFrame({priors[0].key: moved, priors[1].key: alone})
    assert informed(particles, np.ones(400), priors, prior) == [priors[0].key]
    t = PriorTransition({priors[1].key: b})
    x = pd.DataFrame({priors[1].key: [b.mean(), b.mean() + b.std()]})
    assert np.allclose(t.pdf(x), b.pdf(x[priors[1].key].to_numpy()), rtol=1e-12)
