"""Small pure pieces: quarters, world paths, network helpers."""

from __future__ import annotations

import numpy as np
import pytest

from model.config import Config
from model.network import B2BLayer, b2b_links
from agents.vocabulary import quarter_index, quarter_label
from model.world import build_world
from omegaconf import OmegaConf


def test_quarter_round_trip():
    assert quarter_index("2020Q1") == 0 and quarter_index("2025Q4") == 23
    assert all(quarter_label(quarter_index(quarter_label(i))) == quarter_label(i) for i in range(64))
    with pytest.raises(ValueError):
        quarter_index("2020Q5")


def test_world_uses_observed_fx_then_scenario():
    world = OmegaConf.structured(Config).world
    path = build_world(world, 24)
    assert path.fx[quarter_index("2021Q3")] == pytest.approx(6.4515)
    assert path.fx[quarter_index("2025Q1")] == pytest.approx(world.fx_scenarios.central)
    world.covid.enabled = False
    calm = build_world(world, 24)
    assert np.all(calm.goods_demand[0] > path.goods_demand[0])


def test_b2b_links_cluster_and_neighbour_share():
    rng = np.random.default_rng(0)
    n = 5000
    city = rng.integers(0, 11, n)
    park = np.where(rng.random(n) < 0.5, 2 * city + rng.integers(0, 2, n), -1)  # parks lie within a city
    links = b2b_links(np.arange(n), city, park, np.arange(n), 6.0, 0.4, 0.4, rng)
    same_city = (city[links[:, 0]] == city[links[:, 1]]).mean()
    assert same_city > 0.75  # 80 % drawn within the city (plus chance matches)
    assert 2 * len(links) / n == pytest.approx(6.0, rel=0.1)
    layer, flag, alive = B2BLayer(links), np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    assert np.all(layer.neighbour_share(flag, alive) == 0)
    has = np.bincount(links.ravel(), minlength=n) > 0
    assert np.all(layer.neighbour_share(~flag, alive)[has] == 1.0)
    half = rng.random(n) < 0.5  # the share over a subset of rows equals the share over all firms
    rows = np.flatnonzero(rng.random(n) < 0.3)
    assert np.allclose(layer.neighbour_share(half, alive, rows=rows), layer.neighbour_share(half, alive)[rows])
