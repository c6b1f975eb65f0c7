"""The per-agent reference path (`engine=reference`): the quarter's rules as ordinary Mesa agent methods.

Each phase shares its round and its settlement (model/rounds.py) with the vectorised engine (model/phases.py) and
hands the decisions to the agents, one at a time, through `AgentSet.shuffle_do` (or `do` where order is not even a
question): `Firm.weigh_transformation`, `Firm.choose_cloud`, `Firm.reconsider_platforms`, `Firm.plan_output`,
`Firm.hire`, `Firm.realise_trade`, `Firm.claim_tax_relief`, `Firm.consider_exit`, `CloudProvider.reprice_and_invest`,
`CloudProvider.sell_abroad`, `Platform.expand_abroad`, `Platform.close_if_thin`. The round's random numbers are
drawn per agent row before the agents act, and each agent decides from the state at the start of the phase, so
the shuffled order changes nothing and the same seed gives the vectorised path's results
(tests/test_equivalence.py).

Model-level in both paths (the province, not an agent, acts): lever coverage, public investment, talent supply
and migration (cohorts move between city pools), grant rationing in priority order, the labour market, platform
sales, platform founding, base designation, the tax cap, and firm entry with its B2B links.
"""

from __future__ import annotations

from agents import CloudProvider, Firm, Platform
from model import rounds
from model.phases import designate_bases, invest_in_infrastructure, set_policy_stance, supply_talent

__all__ = ["set_policy_stance", "invest_in_infrastructure", "supply_talent", "decide_transformation",
           "choose_cloud", "join_platforms", "hire_talent", "trade", "grow_platforms", "sell_cloud_abroad",
           "designate_bases", "pay_tax_expenditure", "enter_and_exit"]


def _agents(m, cls):
    return m.agents_by_type[cls]  # makes the agents of this quarter's entrants first


def decide_transformation(m, q: int) -> None:
    rnd = rounds.transformation_round(m, q)
    _agents(m, Firm).shuffle_do("weigh_transformation", rnd)
    rounds.settle_transformation(m, q, rnd)  # grants in priority order, then the adopters transform


def choose_cloud(m, q: int) -> None:
    rnd = rounds.cloud_round(m)
    _agents(m, Firm).shuffle_do("choose_cloud", rnd)
    rounds.cloud_demand(m)
    _agents(m, CloudProvider).shuffle_do("reprice_and_invest", m.params.cloud)
    rounds.update_cloud_price_index(m)


def join_platforms(m, q: int) -> None:
    rnd = rounds.platform_round(m, m.params.firm.platform_join_rate)
    if m.platforms.n:
        _agents(m, Firm).shuffle_do("reconsider_platforms", rnd)


def hire_talent(m, q: int) -> None:
    rnd = rounds.output_round(m, q)
    _agents(m, Firm).shuffle_do("plan_output", rnd)
    rounds.clear_labour_market(m, rnd)
    _agents(m, Firm).do("hire")


def trade(m, q: int) -> None:
    _agents(m, Firm).shuffle_do("realise_trade", rounds.trade_round(m, q))


def grow_platforms(m, q: int) -> None:
    rounds.platform_sales(m)
    _agents(m, Platform).shuffle_do("expand_abroad", rounds.expansion_round(m, q))
    was_active = m.platforms.view("active").copy()
    _agents(m, Platform).shuffle_do("close_if_thin", q)
    rounds.drop_closed_platforms(m, was_active)
    rounds.found_platforms(m, q)


def sell_cloud_abroad(m, q: int) -> None:
    _agents(m, CloudProvider).do("sell_abroad", *rounds.cloud_abroad_trend(m, q))


def pay_tax_expenditure(m, q: int) -> None:
    if not m.cover["tax"].any():
        return
    rnd = rounds.tax_round(m)
    _agents(m, Firm).shuffle_do("claim_tax_relief", rnd)
    rounds.settle_tax(m, q, rnd)  # every claim paid in the same proportion, within the cap


def enter_and_exit(m, q: int) -> None:
    rnd = rounds.exit_round(m)
    _agents(m, Firm).shuffle_do("consider_exit", rnd)
    rounds.enter(m, q)
