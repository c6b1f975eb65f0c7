"""Digital talent: cohorts of digitally skilled workers by city, origin and skill.

| column | unit | meaning |
|---|---|---|
| city | code | city where they live and work |
| international | flag | international talent (visa, housing programme) |
| skill | efficiency units per worker | 1 mid-skilled, 1.5 highly skilled |
| headcount | workers | cohort size |
| employed | workers | employed by firms of the city |
| wage | CNY/quarter | average wage |
| support | CNY | talent-programme money received, cumulative |
"""

from __future__ import annotations

import numpy as np

from agents.state import ArrayState, RowAgent, row_view

GLOSSARY = {
    "city": ("i1", "code", "city"),
    "international": ("?", "flag", "international talent"),
    "skill": ("f8", "efficiency units/worker", "skill"),
    "headcount": ("f8", "workers", "cohort size"),
    "employed": ("f8", "workers", "employed"),
    "wage": ("f8", "CNY/quarter", "average wage"),
    "support": ("f8", "CNY", "talent-programme money received (housing subsidies, training places), cumulative"),
}

# (international, skill, share of a city's initial supply, wage CNY/quarter at end-2019); A: stated in ODD
COHORTS = ((False, 1.0, 0.62, 45_000.0), (False, 1.5, 0.35, 75_000.0), (True, 1.5, 0.03, 90_000.0))


class TalentState(ArrayState):
    GLOSSARY = GLOSSARY


@row_view("talent", GLOSSARY)
class Talent(RowAgent):
    """One cohort of digital workers; a view onto its row of model.talent."""


def migrate(headcount_by_city: np.ndarray, utility: np.ndarray, rate: float) -> np.ndarray:
    """Share `rate` of each city's workers re-choose a city by logit on utility; returns new headcounts."""
    probs = np.exp(utility - utility.max())
    probs /= probs.sum()
    movers = rate * headcount_by_city
    return headcount_by_city - movers + movers.sum() * probs


def fill_rate(supply: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Share of the talent demand that can be staffed (1 when supply suffices)."""
    return np.where(demand > 0, np.minimum(1.0, supply / np.maximum(demand, 1e-9)), 1.0)
