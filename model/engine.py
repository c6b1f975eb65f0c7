"""Who applies a rule written over rows (agents/*.py): the vectorised engine, all rows of a population at once,
or the reference engine, one Mesa agent after another in shuffled order (`engine=reference`).

Both call the same function, so a rule changes in one place; tests/test_equivalence.py keeps the two drivers
honest. Each phase draws its random numbers per agent row before anyone decides, and a rule reads the state at
the start of its phase and writes only its own rows, so the agents' order changes nothing.
"""

from __future__ import annotations

from agents import CloudProvider, Firm, Platform

AGENT_OF = {"firms": Firm, "platforms": Platform, "clouds": CloudProvider}


def vectorised(m, population: str, rule, rnd) -> None:
    """The rule on every row of the population at once (a slice: whole columns, no copies)."""
    rule(m, rnd, slice(0, getattr(m, population).n))


def reference(m, population: str, rule, rnd) -> None:
    """Each living agent of the population applies the rule to its own row (Mesa's AgentSet.shuffle_do)."""
    m.agents_by_type[AGENT_OF[population]].shuffle_do(rule.__name__, rnd)


ENGINES = {"vectorised": vectorised, "reference": reference}
