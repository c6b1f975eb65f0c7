"""The model's own state is declared once (model/state.py): nothing is created outside set-up, and the glossary
lists exactly what the model holds besides its agents, config, recorder and Mesa's own attributes."""

from __future__ import annotations

import mesa

from model.state import GLOSSARY
from tests.conftest import small_model

# attributes that are not model state: Mesa's own, the config, the agents' column stores, records, bookkeeping
NOT_STATE = {"cfg", "params", "quarter", "firms", "platforms", "clouds", "talent", "b2b", "row_agents", "recorder"}


def own_attributes(m) -> set[str]:
    mesa_own = set(vars(mesa.Model(rng=0)))
    return {name for name in vars(m) if name not in mesa_own and name not in NOT_STATE}


def test_the_glossary_lists_exactly_the_model_state():
    m = small_model("seed=1")
    assert own_attributes(m) == set(GLOSSARY)
    for name, (unit, meaning, writer, reader) in GLOSSARY.items():
        assert unit and meaning and writer and reader, name


def test_no_phase_creates_an_attribute():
    m = small_model("seed=2", "horizon=2022Q4")
    before = set(vars(m))
    m.run()
    assert set(vars(m)) - before == set()


def test_no_getattr_fallbacks_in_the_model():
    """A phase reads declared state, never `getattr(m, name, default)` for an attribute that may not exist yet."""
    import re
    from pathlib import Path

    fallback = re.compile(r"getattr\(\s*(m|self|model|self\.model)\s*,[^,()]+,")  # the three-argument form
    root = Path(__file__).resolve().parent.parent
    for path in [*root.glob("model/*.py"), *root.glob("agents/*.py")]:
        assert not fallback.search(path.read_text()), path
