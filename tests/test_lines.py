"""Growth from structure: a firm's destination-market x product lines (agents/firm.py renew_lines)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.firm import NEVER, high_growth_phase, line_births_expected, lines_size_sum, portfolio_change
from model.api import load_config
from model.model import DigitalTradeModel

RNG = np.random.default_rng(2024)


@pytest.mark.parametrize("n", [1, 3, 40])
def test_sum_of_line_sizes_has_the_mean_and_variance_of_n_lines(n):
    sd = 0.9
    z = RNG.standard_normal(400_000)
    total = lines_size_sum(np.full(z.size, n), z, sd)
    assert total.mean() == pytest.approx(n, rel=0.01)
    assert total.var() == pytest.approx(n * np.expm1(sd ** 2), rel=0.05)
    assert (lines_size_sum(np.zeros(3), np.ones(3), sd) == 0).all()


def test_portfolio_change_moves_size_in_jumps_and_never_below_zero():
    size, lines = np.full(5, 100.0), np.array([1, 4, 4, 4, 2])
    births, deaths = np.array([0, 2, 0, 0, 0]), np.array([1, 0, 1, 4, 1])
    z = np.zeros(5)
    new_size, new_lines = portfolio_change(size, lines, births, deaths, z, z, 0.0)
    np.testing.assert_array_equal(new_lines, [0, 6, 3, 0, 1])
    np.testing.assert_allclose(new_size, [0.0, 150.0, 75.0, 0.0, 50.0], rtol=1e-12)
    big = portfolio_change(size, lines, births, deaths, np.full(5, 5.0), np.full(5, 5.0), 2.0)[0]
    assert (big >= 0).all() and big[2] > 0  # a huge dropped line leaves the survivors something


def test_more_lines_more_births_and_reach_adds_births():
    lines = np.array([1, 10])
    assert np.allclose(line_births_expected(lines, 0.0, 0.05, 0.5, 0.0), [0.05, 0.5])
    assert line_births_expected(1, 1.0, 0.05, 0.5, 0.0) == pytest.approx(0.075)
    assert line_births_expected(1, 1.0, 0.05, 0.5, 0.2) == pytest.approx(0.275)  # matched buyers add lines


def test_high_growth_phases_keep_their_share_and_boost_births():
    """A renewal process of phases (mean 12 quarters) and waits: after a burn-in, the share of firms in a phase is
    high_growth_share (binomial sd at 20,000 firms ~0.002; tolerance 0.01); new firms are in one with that
    probability; share 0 means never; a phase multiplies expected births by 1 + boost."""
    rng, n, share, mean = np.random.default_rng(3), 20_000, 0.06, 12.0
    first, last = high_growth_phase(0, share, mean, rng.standard_exponential(n), rng.standard_exponential(n),
                                    rng.random(n))
    assert abs((first == 0).mean() - share) < 0.01
    for q in range(200):  # what lines_round and renew_lines do each quarter
        ended = last <= q
        first[ended], last[ended] = high_growth_phase(q, share, mean, rng.standard_exponential(ended.sum()),
                                                      rng.standard_exponential(ended.sum()))
        assert (first[ended] > q).all()  # the next phase starts after this quarter
    assert abs(((first <= 200) & (200 <= last)).mean() - share) < 0.01
    never = high_growth_phase(0, 0.0, mean, np.ones(3), np.ones(3), np.zeros(3))
    assert (never[0] == NEVER).all() and (never[1] == NEVER).all()
    assert line_births_expected(2, 0.0, 0.05, 0.5, 0.0, boost=1.5) == pytest.approx(0.25)


def test_lines_stock_and_flow_each_quarter():
    """Lines after a quarter = lines before - dropped + born, for every row; a row with no line has left."""
    m = DigitalTradeModel(load_config("scale=0.03", "seed=5", "horizon=2021Q4"))
    seen = {}
    import model.phases as phases
    original = phases.rounds.lines_round

    def spy(model, q):
        rnd = original(model, q)
        seen[q] = (model.firms.view("lines").copy(), rnd.births.copy(), rnd.deaths.copy())
        return rnd

    phases.rounds.lines_round = spy
    try:
        for _ in range(8):
            m.step()
            before, born, dropped = seen[m.quarter]
            n = before.size
            alive_after = m.firms.view("alive")[:n]
            expected = before - dropped + born
            np.testing.assert_array_equal(m.firms.view("lines")[:n][alive_after], expected[alive_after])
            assert not (alive_after & (m.firms.view("lines")[:n] == 0)).any()
    finally:
        phases.rounds.lines_round = original


def test_dropped_lines_are_binomial_per_firm():
    from model.rounds import dropped_lines
    rng = np.random.default_rng(11)
    lines = np.tile(np.array([1, 2, 7, 40, 500]), 50_000)
    drawn = dropped_lines(lines, 0.05, rng).reshape(-1, 5)
    assert drawn.shape == (50_000, 5) and (drawn <= lines[:5]).all()
    for j, n in enumerate((1, 2, 7, 40, 500)):  # Binomial(n, 0.05): mean n p, variance n p (1 - p); 50,000 draws each
        assert drawn[:, j].mean() == pytest.approx(n * 0.05, rel=0.05)
        assert drawn[:, j].var() == pytest.approx(n * 0.05 * 0.95, rel=0.06)
    assert (dropped_lines(np.array([3, 0, 2]), 1.0, rng) == [3, 0, 2]).all()
    assert (dropped_lines(np.array([3, 0, 2]), 0.0, rng) == 0).all()
