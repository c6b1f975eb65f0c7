"""Rolling-origin backtest: no observation after an origin enters its fit, the scores (CRPS, PIT, coverage) are
right on cases with known answers, and --write-docs stores the table as a new file, never over an old one."""

from __future__ import annotations

import csv
import math
import time

import numpy as np
import pytest

from calibration import predictive
from calibration.backtest import ORIGINS, held_out
from calibration.targets import MEASURES, fitted
from experiments import backtest
from tests.test_calibration import CHEAP, outside_blocks, project_copy, snapshot, ROOT  # noqa: F401 (fixture)


def test_each_origin_fits_only_what_was_observed_by_then_and_predicts_the_rest():
    for origin, years in ORIGINS.items():
        assert all(m.key[0] <= origin for m in fitted(origin))
        out = held_out(origin)
        assert out and all(m.key[0] in years for m in out)
        assert not {m.name for m in out} & {m.name for m in fitted(origin)}
    assert {m.key[0] for m in held_out(2021)} == {2022, 2023}
    assert len(held_out(2020)) == sum(m.key[0] == 2021 for m in MEASURES)


def test_crps_of_a_normal_ensemble_matches_the_closed_form():
    """CRPS(N(mu, s), y) = s [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)], z = (y - mu)/s (Gneiting & Raftery 2007);
    an ensemble of 20,000 quantiles of N(0, 2) agrees to 0.5 %."""
    from scipy import stats

    s, y = 2.0, 1.3
    x = stats.norm.ppf((np.arange(20_000) + 0.5) / 20_000, scale=s)
    z = y / s
    exact = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert predictive.crps(x, y) == pytest.approx(exact, rel=5e-3)
    assert predictive.crps(np.array([3.0, 3.0]), 1.0) == pytest.approx(2.0)  # a point forecast: absolute error


def test_scores_of_a_known_ensemble():
    m = next(m for m in MEASURES if m.stat == "growth")
    from calibration.targets import observations

    observed = observations()
    y = m.observed(observed[m.key])
    sims = [{m.name: y + d / 100} for d in np.linspace(-10, 10, 101)]  # observed at the median
    (row,) = predictive.score(sims, observed, (m,))
    assert row["q50"] == pytest.approx(100 * y) and row["pit"] == pytest.approx(0.5, abs=0.01)
    assert row["in50"] and row["in90"] and row["error"] == pytest.approx(0.0, abs=1e-9)
    far = predictive.score([{m.name: y + 1.0}] * 5, observed, (m,))[0]
    assert not far["in90"] and far["pit"] == 0.0 and far["crps"] == pytest.approx(100.0)
    cov = predictive.coverage([row, far])
    assert cov == {"n": 2, "in50": 0.5, "in90": 0.5, "crps": pytest.approx((row["crps"] + 100.0) / 2)}


def test_write_docs_stores_a_new_table_and_updates_only_its_block(project_copy, tmp_path):  # noqa: F811
    real = snapshot(ROOT)
    stored = project_copy / "data" / "calibration"
    taken = stored / f"backtest_{time.strftime('%Y-%m-%d')}.csv"
    if not taken.exists():
        taken.write_text("an earlier backtest of today\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in stored.iterdir()}
    doc_before = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert backtest.main(CHEAP["backtest"][1] + ["--out", str(tmp_path / "o"), "--write-docs"]) == 0
    (new,) = [p for p in stored.iterdir() if p.name not in before]
    assert new.name.startswith(f"backtest_{time.strftime('%Y-%m-%d')}_")
    assert new.read_bytes() == (tmp_path / "o" / "backtest.csv").read_bytes()
    assert all((stored / name).read_bytes() == data for name, data in before.items())  # none overwritten
    rows = list(csv.DictReader(new.open(encoding="utf-8")))
    assert len(rows) == len(held_out(2020)) and {r["origin"] for r in rows} == {"2020"}
    assert all(float(r["q5"]) <= float(r["q25"]) <= float(r["q50"]) <= float(r["q75"]) <= float(r["q95"])
               for r in rows)
    doc = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert f"Stored as `data/calibration/{new.name}`" in doc and "inside their 90 % interval" in doc
    assert outside_blocks(doc) == outside_blocks(doc_before)
    assert snapshot(ROOT) == real
