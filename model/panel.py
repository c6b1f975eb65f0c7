"""The firm panel: one row per living firm agent and year-end (what Mesa's agent reporters would collect).

    dtsim outputs.firms=true            # also writes firms.parquet beside timeseries.parquet
    simulate(..., firms=True).firms     # the same table from the Python API

Flows are summed over the year's four quarters, so `trade` is CNY/year. `firm` is the agent's row, which never
changes (rows are appended, never reused). `weight` is the number of real firms the agent stands for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.vocabulary import CITIES, FIRM_KINDS, year_of

FLOWS = ("trade", "digital_trade", "exports", "digital_exports")  # CNY/quarter columns summed to CNY/year
COLUMNS = {"firm": "row id", "year": "calendar year", "kind": "firm kind", "city": "city", "park": "candidate park",
           "trade": "CNY/year", "digital_trade": "CNY/year", "exports": "CNY/year", "digital_exports": "CNY/year",
           "transformed": "flag", "lines": "lines at year-end", "weight": "firms"}


class FirmPanel:
    """An observer for `run_to_horizon`: sums each row's flows over the year, keeps living rows at each Q4."""

    def __init__(self):
        self.sums = {name: np.zeros(0) for name in FLOWS}
        self.frames: list[pd.DataFrame] = []

    def __call__(self, m) -> None:
        f, n = m.firms, m.firms.n
        for name in FLOWS:
            grown = np.zeros(n)
            grown[: self.sums[name].size] = self.sums[name]
            self.sums[name] = grown + f.view(name)
        if m.quarter % 4 != 3:
            return
        rows = np.flatnonzero(f.view("alive"))
        park = f.view("park")[rows]
        names = np.array([*m.park_names, ""], dtype=object)
        self.frames.append(pd.DataFrame({
            "firm": rows, "year": year_of(m.quarter),
            "kind": np.array(FIRM_KINDS, dtype=object)[f.view("kind")[rows]],
            "city": np.array(CITIES, dtype=object)[f.view("city")[rows]], "park": names[park],
            **{name: self.sums[name][rows] for name in FLOWS},
            "transformed": f.view("transformed")[rows], "lines": f.view("lines")[rows],
            "weight": f.view("weight")[rows]}))
        self.sums = {name: np.zeros(n) for name in FLOWS}

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({name: [] for name in COLUMNS})
        out = pd.concat(self.frames, ignore_index=True)
        return out.astype({"kind": "category", "city": "category", "park": "category"})
