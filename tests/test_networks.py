"""The network layers move: B2B links form and end each quarter, platforms set their own fees and the fees steer
sellers, busy cloud providers ration, overseas cloud follows exporters; the layers are recorded every quarter.

Pure pieces are checked against brute force on small made-up graphs; the mechanisms on small seeded runs, each
against the same run with the mechanism switched off. Statistical checks state their tolerance."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agents.cloud import menu_row, overseas_sales, provider_menus, served_factor
from agents.platform import hhi, next_fee, seller_utility
from agents.vocabulary import CITIES, PLATFORM_KINDS
from model import phases, rounds
from model.network import (B2BLayer, b2b_links, ends_of, linked, local_partners, partner_of, search_probability,
                           supplier_search)
from model.records import METRICS
from tests.conftest import small_model

RNG = np.random.default_rng(2024)


def random_layer(n: int = 400, links: int = 900) -> B2BLayer:
    pairs = RNG.integers(0, n, (links, 2))
    return B2BLayer(pairs[pairs[:, 0] != pairs[:, 1]])


# ----------------------------------------------------------------------------------------------- the B2B layer
def test_layer_keeps_degree_and_ends_in_step_with_its_links():
    n = 400
    layer = random_layer(n)
    for _ in range(5):  # links end and form, as each quarter
        layer.keep(RNG.random(layer.n_links) > 0.2)
        layer.add(RNG.integers(0, n, (50, 2)))
        a, b = layer.pairs()
        assert np.array_equal(layer.degree(n), np.bincount(np.r_[a, b], minlength=n))
        assert np.array_equal(layer.links, np.stack([a, b], axis=1))
    rows = np.sort(RNG.choice(n, 40, replace=False))
    owner, partner = ends_of(a, b, rows, n)
    asked = set(rows.tolist())
    brute = [(x, y) for x, y in zip(a.tolist(), b.tolist()) if x in asked] + \
        [(y, x) for x, y in zip(a.tolist(), b.tolist()) if y in asked]
    assert sorted(zip(owner.tolist(), partner.tolist())) == sorted(brute)
    assert np.all(np.diff(owner) >= 0)


def test_degree_summary_counts_living_partners_only():
    n = 300
    layer = random_layer(n, 700)
    alive = RNG.random(n) > 0.15
    a, b = layer.pairs()
    live = alive[a] & alive[b]
    degree = np.bincount(np.r_[a[live], b[live]], minlength=n)[alive]
    s = layer.degree_summary(alive)
    assert s["mean"] == pytest.approx(degree.mean(), rel=1e-12)
    assert s["p50"] == np.quantile(degree, 0.5, method="inverted_cdf")
    assert s["p90"] == np.quantile(degree, 0.9, method="inverted_cdf")
    assert s["max"] == degree.max()


def test_partner_of_picks_each_partner_uniformly_and_none_for_isolates():
    layer = B2BLayer(np.array([[0, k] for k in range(1, 6)]))  # a star: 0 with partners 1..5; firm 6 has none
    a, b = layer.pairs()
    draws = 50_000
    owner, partner = ends_of(a, b, np.array([0, 6]), 7)
    picks = partner_of(owner, partner, np.zeros(draws, dtype=np.int64), RNG.random(draws))
    counts = np.bincount(picks, minlength=6)[1:]
    assert counts.sum() == draws and np.all(np.abs(counts - draws / 5) < 4 * np.sqrt(draws * 0.2 * 0.8))
    assert partner_of(owner, partner, np.array([6]), np.array([0.5]))[0] == -1
    assert linked(owner, partner, np.array([0, 0, 6]), np.array([3, 6, 0]), 7).tolist() == [True, False, False]


def test_search_probability_rises_with_missing_partners():
    assert search_probability(np.array([0, 2, 3, 4, 9]), 4.0, 0.1).tolist() == pytest.approx([0.4, 0.2, 0.1, 0.0, 0.0])
    assert search_probability(np.array([0]), 4.0, 0.5)[0] == 1.0


def test_local_search_stays_in_the_park_or_city_it_is_told():
    n = 6000
    city = RNG.integers(0, 11, n).astype(np.int8)
    park = np.where(RNG.random(n) < 0.5, 2 * city + RNG.integers(0, 2, n), -1).astype(np.int16)  # parks by city
    src, cand = np.arange(n), np.flatnonzero(RNG.random(n) < 0.9)
    u = RNG.random(n)
    in_park = local_partners(src, city, park, cand, np.zeros(n), u, 1.0, 0.0)  # u_way 0 < same_park
    has = park >= 0
    assert np.all(park[in_park[has]] == park[has]) and np.isin(in_park, cand).all()
    assert np.all(city[in_park[~has]] == city[~has])  # outside a park: its city instead
    in_city = local_partners(src, city, park, cand, np.full(n, 0.5), u, 0.0, 1.0)
    assert np.all(city[in_city] == city)
    anywhere = local_partners(src, city, park, cand, np.full(n, 0.99), u, 0.4, 0.4)
    assert (city[anywhere] != city).mean() > 0.8  # province-wide: 10 of 11 cities are others


def test_triadic_search_closes_triangles_and_never_repeats_a_link():
    # a path 0-1-2 and a pair 3-4; every firm in one park of one city
    layer = B2BLayer(np.array([[0, 1], [1, 2], [3, 4]]))
    city, park = np.zeros(5, dtype=np.int8), np.zeros(5, dtype=np.int16)
    net = SimpleNamespace(triadic_share=1.0, same_park=1.0, same_city=0.0)
    none, no_u = np.empty(0, dtype=np.int64), np.empty((0, 2))
    # firm 0 asks 1 (its only partner), who names one of its own two partners: 2 closes the triangle; 0 itself
    # sends firm 0 to its park, where the only other candidate, 1, is already a partner: no link
    found = [supplier_search(layer, np.array([0]), np.array([[0.0, 0.0, u_name, 0.5]]), none, no_u, city, park,
                             np.array([0, 1]), net).tolist()
             for u_name in (0.01, 0.99)]
    assert sorted(found) == [[], [[0, 2]]]
    # entrants' stubs link near by, never to themselves
    stubs = np.array([3, 3, 4])
    new = supplier_search(layer, np.empty(0, dtype=np.int64), np.empty((0, 4)), stubs, RNG.random((3, 2)), city, park,
                          np.arange(5), net)
    assert len(new) <= 3 and np.all(new[:, 0] != new[:, 1])


def test_b2b_links_of_entrants_are_clustered():
    n = 5000
    city = RNG.integers(0, 11, n)
    park = np.where(RNG.random(n) < 0.5, 2 * city + RNG.integers(0, 2, n), -1)
    links = b2b_links(np.arange(n), city, park, np.arange(n), 6.0, 0.4, 0.4, RNG)
    assert (city[links[:, 0]] == city[links[:, 1]]).mean() > 0.75
    assert 2 * len(links) / n == pytest.approx(6.0, rel=0.1)


# ----------------------------------------------------------------------------------------------- B2B in the model
# plan_run (tests/conftest.py): one small plan run to 2025Q4, seed 1, shared by read-only tests
def test_mean_degree_holds_with_rewiring_and_falls_without(plan_run):
    degree = plan_run.recorder.series("b2b_mean_degree")
    target = plan_run.params.network.b2b_degree
    assert degree[-1] == pytest.approx(degree[0], rel=0.05) and np.all(np.abs(degree / target - 1) < 0.1)
    static = small_model("seed=1", "network.link_decay=0", "network.search_rate=0").run()
    # without search, exits thin the network (entrants still link in): the old drift down
    assert static.recorder.series("b2b_mean_degree")[-1] < 0.9 * static.recorder.series("b2b_mean_degree")[0]


def test_links_join_living_firms_after_every_quarter():
    m = small_model("seed=3", "horizon=2021Q4")
    for _ in range(m.n_quarters):
        m.step()
        a, b = m.b2b.pairs()
        alive = m.firms.view("alive")
        assert alive[a].all() and alive[b].all() and not (a == b).any()
        assert np.array_equal(m.b2b.degree(m.firms.n), np.bincount(np.r_[a, b], minlength=m.firms.n))


def test_links_decay_at_the_configured_rate():
    """Links whose two firms both stay end by decay alone: their number over the quarters is a binomial draw and
    stays within 4 sd of link_decay × such links; every link to a firm that left ends."""
    m = small_model("seed=4", "horizon=2022Q4")
    decay, kept, decayed, exits = m.params.network.link_decay, 0, 0, 0
    for _ in range(m.n_quarters):
        a, b = (x.copy() for x in m.b2b.pairs())
        m.step()
        alive = m.firms.view("alive")
        both = int(np.count_nonzero(alive[a] & alive[b]))
        kept, decayed, exits = kept + both, decayed + m.b2b.ended - (len(a) - both), exits + len(a) - both
    sd = np.sqrt(kept * decay * (1 - decay))
    assert abs(decayed - decay * kept) < 4 * sd, (decayed, decay * kept, sd)
    assert exits > 0 and sum(m.recorder.series("b2b_links_formed")) > 0


# ----------------------------------------------------------------------------------------------- platform fees
def test_next_fee_follows_the_seller_share_within_bounds():
    fee = np.full(5, 0.05)
    share, last = np.array([0.2, 0.1, 0.1, 0.0, 0.5]), np.array([0.1, 0.2, 0.1, 0.3, 0.01])
    new = next_fee(fee, share, last, 0.5, 0.01, 0.06)
    assert new[0] == pytest.approx(0.06)  # grew: up, to the cap
    assert new[1] == pytest.approx(0.05 * 0.5 ** 0.5)  # lost half its share: down
    assert new[2] == 0.05 and new[3] == 0.05  # unchanged share; no sellers left
    assert new[4] == pytest.approx(0.06)


def test_the_fee_lowers_a_platform_in_sellers_eyes():
    u = seller_utility(np.full(3, 10.0), np.full(3, 100.0), np.array([0.02, 0.05, 0.10]), 0.5, 10.0)
    assert u[0] > u[1] > u[2] and u[0] - u[2] == pytest.approx(0.8)


def test_platforms_start_with_fees_spread_around_the_configured_one(plan_run):
    start = small_model("seed=1")
    pc, log_fee = start.params.platform, np.log(start.platforms.view("fee"))
    assert len(log_fee) >= 20  # sd of a sample sd of 30 normal draws: σ / sqrt(2 × 29) ≈ 0.04
    assert np.exp(np.median(log_fee)) == pytest.approx(pc.fee, rel=0.3)
    assert abs(log_fee.std(ddof=1) - pc.fee_dispersion) < 0.15
    fees = plan_run.platforms.view("fee")  # and they move within the bounds
    assert np.all((fees >= pc.fee_floor) & (fees <= pc.fee_cap))
    assert plan_run.recorder.series("platform_fee_sd").min() > 0


def test_a_dear_platform_loses_sellers_to_a_cheap_one():
    """Same seed, fees frozen (fee_response 0): platform 0 at the cap against platform 0 at the floor."""
    sellers = {}
    for fee in ("fee_cap", "fee_floor"):
        m = small_model("seed=2", "platform.fee_response=0", "horizon=2021Q4")
        m.platforms.fee[0] = getattr(m.params.platform, fee)
        m.run()
        sellers[fee] = m.platforms.sellers[0]
    # 8 quarters with 8 % of sellers reconsidering a quarter: about a fifth fewer sellers on the dear platform
    assert sellers["fee_cap"] < 0.9 * sellers["fee_floor"], sellers


# ----------------------------------------------------------------------------------------------- cloud
def test_served_factor_rations_only_busy_providers():
    f = served_factor(np.array([100.0, 100.0, 50.0]), np.array([50.0, 100.0, 100.0]), 0.1)
    assert f.tolist() == pytest.approx([1.0, 1.0, 0.5 ** 0.1])


def test_customers_of_a_busy_provider_lose_a_little_digital_output():
    m = small_model("seed=5")
    m.run(quarters=2)
    q = m.quarter = 2
    for phase in ("set_policy_stance", "invest_in_infrastructure", "supply_talent", "decide_transformation",
                  "choose_cloud", "join_platforms", "hire_talent"):
        getattr(phases, phase)(m, q)
    c, cloud = m.clouds, m.firms.view("cloud")
    c.capacity[: c.n] = np.maximum(c.view("capacity"), 2 * c.view("demand"))  # spare capacity everywhere...
    c.capacity[0] = 0.5 * c.demand[0]  # ...but provider 0
    before = {k: getattr(m.potential, k).copy() for k in ("T", "DT", "DX")}
    rnd = rounds.trade_round(m, q)
    cut = 0.5 ** m.params.cloud.ration_elasticity
    on0 = cloud == 0
    assert on0.any() and (~on0).any()
    np.testing.assert_allclose(rnd.DT[on0], before["DT"][on0] * cut, rtol=1e-12)
    np.testing.assert_allclose(rnd.DX[on0], before["DX"][on0] * cut, rtol=1e-12)
    np.testing.assert_allclose(rnd.T[on0], before["T"][on0] - before["DT"][on0] * (1 - cut), rtol=1e-12)
    for k in ("T", "DT", "DX"):
        assert np.array_equal(getattr(rnd, k)[~on0], before[k][~on0])


def test_exporters_prefer_providers_with_overseas_regions():
    menus = provider_menus(np.zeros(3), np.array([0, 0, 0]), np.ones(3, dtype=bool), np.array([False, True, True]),
                           len(CITIES), 1.0)
    share = np.diff(np.r_[0.0, menus[1]]) / menus[1, -1]  # city 1, not an exporter
    share_x = np.diff(np.r_[0.0, menus[len(CITIES) + 1]]) / menus[len(CITIES) + 1, -1]  # city 1, an exporter
    assert share == pytest.approx([1 / 3] * 3) and share_x[0] < share[0] and share_x[1] > share[1]
    rows = menu_row(np.array([1, 1, 1]), np.array([8.0, 2.0, 0.0]), np.array([10.0, 10.0, 0.0]), 0.5)
    assert rows.tolist() == [len(CITIES) + 1, 1, 1]


def test_overseas_sales_follow_customers_exports_for_providers_abroad():
    args = dict(sales_2019=np.array([10.0, 10.0]), growth=1.0, capacity=np.array([1.0, 1.0]),
                capacity_2019=np.array([1.0, 1.0]), export_value=1.0, customer_exports=np.array([4.0, 4.0]),
                customer_exports_2019=np.array([1.0, 1.0]))
    assert overseas_sales(**args, follow=np.array([1.0, 0.0])).tolist() == pytest.approx([20.0, 10.0])
    assert overseas_sales(**args, follow=np.array([0.5, 0.5])).tolist() == pytest.approx([15.0, 15.0])


def test_providers_start_with_room_for_their_own_customers():
    m = small_model("seed=1")
    c = m.clouds
    served = c.view("demand") > 0
    assert np.all(c.view("capacity")[served] >= c.view("demand")[served])
    assert c.view("abroad")[c.view("foreign")].all() and c.view("abroad").sum() >= 1


# ----------------------------------------------------------------------------------------------- records
def test_the_layers_are_recorded_every_quarter(plan_run):
    frame = plan_run.recorder.to_frame()
    for name in ("b2b_degree_p50", "b2b_degree_p90", "b2b_degree_max", "b2b_links_formed", "b2b_links_ended",
                 "platform_hhi_kind", "platform_fee_mean", "platform_fee_sd", "cloud_unserved"):
        assert name in METRICS and (frame["metric"] == name).sum() >= plan_run.n_quarters
    by_kind = frame[(frame.metric == "platform_hhi_kind") & (frame.quarter == "2025Q4")]
    assert by_kind["kind"].tolist() == list(PLATFORM_KINDS)
    p = plan_run.platforms
    gmv, kind = p.view("gmv") * p.view("active"), p.view("kind")
    np.testing.assert_allclose(by_kind["value"], [hhi(gmv[kind == k]) for k in range(len(PLATFORM_KINDS))],
                               rtol=1e-12)
    s = plan_run.b2b.degree_summary(plan_run.firms.view("alive"))
    assert plan_run.recorder.series("b2b_degree_p90")[-1] == s["p90"]
    assert plan_run.recorder.series("b2b_mean_degree")[-1] == pytest.approx(s["mean"], rel=1e-12)
    assert np.all(plan_run.recorder.series("b2b_degree_p50") <= plan_run.recorder.series("b2b_degree_p90"))


def test_fee_floor_above_cap_is_refused():
    from model.validate import ConfigError

    with pytest.raises(ConfigError, match="platform.fee_floor=0.2 exceeds platform.fee_cap=0.1"):
        small_model("platform.fee_floor=0.2", "platform.fee_cap=0.1")
