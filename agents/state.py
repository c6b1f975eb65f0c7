"""Column storage for a population of agents, and thin Mesa agents that view one row of it.

Each agent kind declares a GLOSSARY {column: (dtype, unit, meaning)}. The state holds one numpy array per
column (one row per agent, rows never move, capacity doubles as agents enter) so every phase of the quarter
is a vectorised function over whole columns. The Mesa agent keeps only its row number; its attributes read
and write the arrays, so `model.agents_by_type[Firm]` can be inspected agent by agent in a workshop.
"""

from __future__ import annotations

import mesa
import numpy as np


class ArrayState:
    """Columns of one agent kind. Subclasses set GLOSSARY; `n` rows are in use."""

    GLOSSARY: dict[str, tuple[str, str, str]] = {}
    FILL: dict[str, object] = {}  # value of a fresh row where zero is wrong (e.g. -1 for "none")
    SHAPES: dict[str, tuple[int, ...]] = {}  # trailing shape of matrix columns (e.g. platform slots)

    def __init__(self, capacity: int):
        self.n = 0
        self._cap = max(int(capacity), 1)
        for name, (dtype, _, _) in self.GLOSSARY.items():
            shape = (self._cap,) + self.SHAPES.get(name, ())
            setattr(self, name, np.full(shape, self.FILL.get(name, 0), dtype=dtype))

    def append(self, **columns: np.ndarray) -> np.ndarray:
        """Add rows; columns not given keep their fill value. Returns the new row indices."""
        unknown = set(columns) - set(self.GLOSSARY)
        if unknown:
            raise KeyError(f"unknown column(s) {sorted(unknown)} for {type(self).__name__}")
        k = len(next(iter(columns.values())))
        if self.n + k > self._cap:
            self._grow(self.n + k)
        rows = np.arange(self.n, self.n + k)
        for name, values in columns.items():
            getattr(self, name)[rows] = values
        self.n += k
        return rows

    def _grow(self, needed: int) -> None:
        new_cap = max(needed, 2 * self._cap)
        for name, (dtype, _, _) in self.GLOSSARY.items():
            old = getattr(self, name)
            grown = np.full((new_cap,) + old.shape[1:], self.FILL.get(name, 0), dtype=dtype)
            grown[: self._cap] = old
            setattr(self, name, grown)
        self._cap = new_cap

    def view(self, name: str) -> np.ndarray:
        """The used part of a column (a view, not a copy)."""
        return getattr(self, name)[: self.n]


def row_view(state_attr: str, glossary: dict[str, tuple[str, str, str]]):
    """Class decorator: give a mesa.Agent subclass one property per glossary column of model.<state_attr>."""

    def decorate(cls):
        for name, (_, unit, meaning) in glossary.items():
            def getter(self, _n=name):
                return getattr(getattr(self.model, state_attr), _n)[self.row]

            def setter(self, value, _n=name):
                getattr(getattr(self.model, state_attr), _n)[self.row] = value

            setattr(cls, name, property(getter, setter, doc=f"{meaning} [{unit}]"))
        return cls

    return decorate


def rows_where(rows: slice | np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The rows among `rows` (a slice 0..n of the whole state, or an array of row numbers) where `mask` holds;
    `mask` is aligned with `rows`."""
    idx = np.flatnonzero(mask)
    return idx + (rows.start or 0) if isinstance(rows, slice) else rows[idx]


def per_agent(rule):
    """An agent method that applies `rule(model, rnd, rows)` to this agent's row alone.

    The rule is written once over rows; the vectorised engine calls it on all rows at once (a slice), the
    reference engine on one Mesa agent after another (mesa-frames: one rule, two drivers)."""

    def method(self, rnd) -> None:
        rule(self.model, rnd, np.array([self.row]))

    method.__name__, method.__doc__ = rule.__name__, rule.__doc__
    return method


class RowAgent(mesa.Agent):
    """A Mesa agent that is a view of row `row` of an ArrayState."""

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        self.row = int(row)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(row={self.row})"


class RowAgents:
    """The Mesa agents of one ArrayState, made on demand: one per living row, none for the others.

    The vectorised phases never touch agent objects, and making ~100,000 of them costs ~0.6 s (Mesa
    registers each one), so they are made when someone looks (`model.agents_by_type`, the reference path).
    An agent stays the same object while its row lives; `sync` removes the agents of rows that died.
    """

    def __init__(self, model: mesa.Model, cls: type[RowAgent], state_attr: str, alive_column: str | None = None):
        self.model, self.cls, self.state_attr, self.alive_column = model, cls, state_attr, alive_column
        self.agent_of: dict[int, RowAgent] = {}
        self.has_agent = np.zeros(0, dtype=bool)

    def living_rows(self) -> np.ndarray:
        state = getattr(self.model, self.state_attr)
        if self.alive_column is None:
            return np.ones(state.n, dtype=bool)
        return state.view(self.alive_column)

    def sync(self) -> None:
        """Make agents for living rows without one; remove those whose row died."""
        living = self.living_rows()
        has = np.zeros(len(living), dtype=bool)
        has[: len(self.has_agent)] = self.has_agent
        for r in np.flatnonzero(has & ~living).tolist():
            self.agent_of.pop(r).remove()
        for r in np.flatnonzero(living & ~has).tolist():
            self.agent_of[r] = self.cls(self.model, r)
        self.has_agent = living.copy()
