"""The firm panel (outputs.firms=true): one row per living firm and year-end, flows summed over the year."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from model.api import simulate
from model.panel import COLUMNS

RUN = dict(seed=3, scale=0.03, horizon="2021Q4")


@pytest.fixture(scope="module")
def run():
    quarters = []  # a second path: every quarter's columns, summed here

    def keep(m) -> None:
        f = m.firms
        quarters.append({name: f.view(name).copy() for name in ("trade", "digital_trade", "exports", "alive")})

    out = simulate(**RUN, firms=True, observer=keep)
    return out, quarters


def test_panel_has_the_documented_columns_and_years(run):
    out, _ = run
    panel = out.firms
    assert list(panel.columns) == list(COLUMNS)
    assert sorted(panel["year"].unique()) == [2020, 2021]
    assert not panel.duplicated(["firm", "year"]).any()
    assert (panel["digital_trade"] <= panel["trade"] * (1 + 1e-12)).all()
    assert (panel["exports"] <= panel["trade"] * (1 + 1e-12)).all() and (panel["exports"] > 0).any()


def test_panel_flows_are_the_year_of_quarters(run):
    out, quarters = run
    panel = out.firms.set_index(["year", "firm"])
    for year, first in ((2020, 0), (2021, 4)):
        rows = np.flatnonzero(quarters[first + 3]["alive"])
        for name in ("trade", "digital_trade", "exports"):
            summed = sum(np.r_[q[name], np.zeros(len(quarters[-1][name]) - len(q[name]))]
                         for q in quarters[first:first + 4])
            got = panel.loc[year].loc[rows, name].to_numpy()
            np.testing.assert_allclose(got, summed[rows], rtol=1e-12, err_msg=f"{name} {year}")


def test_dtsim_writes_the_same_panel(run, tmp_path):
    out, _ = run
    cmd = [sys.executable, "-m", "experiments.dtsim", *(f"{k}={v}" for k, v in RUN.items()), "outputs.firms=true",
           "chart=false", f"hydra.run.dir={tmp_path}"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    written = pd.read_parquet(tmp_path / "firms.parquet")
    assert (written["replicate"] == 0).all()
    pd.testing.assert_frame_equal(written.drop(columns="replicate"), out.firms, check_categorical=False,
                                  rtol=1e-12)
