"""One workshop session: the model built from Settings and its `policy=none` counterfactual of the same seed,
stepped a quarter at a time, with the live scorecard and the money spent. No Solara here: tested headless."""

from __future__ import annotations

import itertools
import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from omegaconf import DictConfig

from agents.vocabulary import FIRST_YEAR, quarter_label, year_of
from experiments.outputs import config_hash
from experiments.workshop import ensemble, monitor
from experiments.workshop.settings import Settings, compose
from model.api import run_to_horizon, simulate
from model.model import DigitalTradeModel
from model.policy import LEVERS
from model.targets import annual_digital_trade, scorecard


KEPT = ("digital_trade_usd", "digital_trade_total", "fx", "platforms_global", "key_enterprises", "demo_bases")


class Records:
    """The recorded series a scorecard reads (KEPT), up to a quarter: `so_far` of a finished run at any quarter."""

    def __init__(self, quarters: list, data: dict[str, np.ndarray]):
        self.quarters, self.data = list(quarters), data

    @classmethod
    def of(cls, recorder) -> "Records":
        data = {name: np.asarray(recorder.series(name)) for name in KEPT}
        for v in data.values():
            v.flags.writeable = False  # shared between sessions: read-only
        return cls(recorder.quarters, data)

    def upto(self, t: int) -> "Records":
        """The first t quarters."""
        return Records(self.quarters[:t], {k: v[:t] for k, v in self.data.items()})

    def series(self, name: str) -> np.ndarray:
        return self.data[name]


@dataclass(frozen=True)
class Counterfactual:
    """The `policy=none` run of the same config and seed, kept as the series the views draw."""
    usd: np.ndarray  # digital trade, USD per quarter
    cny: np.ndarray  # digital trade, CNY per quarter
    card: dict       # its scorecard at the horizon
    milestone: dict | None = None  # its 2022 milestone (model.targets.milestone), if the model scores one
    records: Records | None = None  # what so_far needs, to compare at the same quarter


_CF: dict[str, Counterfactual] = {}  # read-only results, so sessions may share them (their models they never share)
_CF_LOCK = threading.Lock()


_CF_BY_ARGS: dict[tuple, Counterfactual] = {}  # the same, found by a run's dtsim overrides: no merge, no hash


def counterfactual(cfg: DictConfig, args: tuple | None = None) -> Counterfactual:
    """Run `policy=none` with everything else of cfg (seed included) to the horizon, once per distinct config.
    `args`, the overrides cfg was composed from, finds a config seen before without merging and hashing it (most
    sessions open with the same settings)."""
    with _CF_LOCK:
        if args is not None and args in _CF_BY_ARGS:
            return _CF_BY_ARGS[args]
    none = none_config(cfg)
    key = config_hash(none)
    with _CF_LOCK:
        if key in _CF:
            if args is not None:
                if len(_CF_BY_ARGS) > 256:
                    _CF_BY_ARGS.clear()
                _CF_BY_ARGS[args] = _CF[key]
            return _CF[key]
    out = simulate(cfg=none, keep_model=True)  # replicate 0 of its seed: the run of `dtsim policy=none ...`
    records = Records.of(out.model.recorder)
    result = Counterfactual(records.series("digital_trade_usd"), records.series("digital_trade_total"),
                            out.scorecard, monitor.scored_milestone(out.model), records)
    with _CF_LOCK:
        if len(_CF) > 64:
            _CF.clear()
            _CF_BY_ARGS.clear()
        _CF[key] = result
        if args is not None:
            _CF_BY_ARGS[args] = result
    return result


@lru_cache(maxsize=1)
def _none_policy() -> DictConfig:
    return compose("policy=none").policy


def none_config(cfg: DictConfig) -> DictConfig:
    """cfg with the policy section of `dtsim policy=none` (everything else, seed included, kept): the no-plan run."""
    return ensemble.none_config(cfg, _none_policy())


def so_far(model, records=None) -> dict:
    """The five targets as they stand after the last recorded quarter, by model/targets.py's measures: T1 and T2
    over the last complete calendar year (annual_digital_trade; T2 from cfg.targets.t2_base_year), T3–T5 now.
    `records`: read these (another run's, up to a quarter) with the model's targets."""
    rec, tg = (model.recorder if records is None else records), model.cfg.targets
    if not rec.quarters:
        return {key: None for key in ("T1", "T2", "T3", "T4", "T5")}
    year = year_of(rec.quarters[-1])
    if annual_digital_trade(rec, year) is None:
        year -= 1  # the current year is not complete: the last complete one (if any)
    usd = annual_digital_trade(rec, year, "USD")  # None before the first year is complete
    now, base = annual_digital_trade(rec, year), annual_digital_trade(rec, tg.t2_base_year)
    growth = None if now is None or base is None or year <= tg.t2_base_year else \
        (now / base) ** (1 / (year - tg.t2_base_year)) - 1
    out = {"T1": usd, "T2": growth}
    for key, metric in (("T3", "platforms_global"), ("T4", "key_enterprises"), ("T5", "demo_bases")):
        out[key] = float(rec.series(metric)[-1])
    return out


def _meets(value, threshold) -> bool | None:
    """Whether a value meets a scorecard threshold: at least a number, or within a [min, max] pair."""
    if value is None:
        return None
    lo, hi = threshold if isinstance(threshold, (list, tuple)) else (threshold, math.inf)
    return bool(lo <= value <= hi)


_ids = itertools.count(1)


class WorkshopRun:
    """A session's model, built from Settings; every browser session makes its own."""

    def __init__(self, settings: Settings):
        self.id = next(_ids)  # the views redraw when it changes (a new run after Reset)
        self.settings = settings
        self.cfg = settings.config()
        self.model = DigitalTradeModel(self.cfg)  # replicate 0 of cfg.seed: the run of settings.command()
        self.none = counterfactual(self.cfg, tuple(settings.overrides()))
        self.name = settings.label()  # what runs, in words (not the preset's name)
        self.lock = threading.Lock()  # Step and Play may come from different threads

    @property
    def quarter(self) -> int:
        """The last quarter stepped (-1: none yet); after release, the one it had reached."""
        model = self.model
        return model.quarter if model is not None else self._last_quarter

    @property
    def label(self) -> str:
        return f"end-{FIRST_YEAR - 1} (not started)" if self.quarter < 0 else quarter_label(self.quarter)

    @property
    def done(self) -> bool:
        """At the horizon (or released: nothing more to step)."""
        model = self.model
        return model is None or model.quarter >= model.n_quarters - 1

    def ensemble(self, n: int = ensemble.DEFAULT_MEMBERS) -> ensemble.Ensemble:
        """Replicates 0..n-1 of this run's config and of its no-plan run, started in the background."""
        return ensemble.ensemble_for(self.cfg, none_config(self.cfg), n)

    def step(self, quarters: int = 1) -> int:
        """Advance up to `quarters` quarters (Step, +1 year, Play; never past the horizon); returns how many."""
        with self.lock:
            before = self.model.quarter
            self.model.run(quarters)
            return self.model.quarter - before

    def finish(self) -> "WorkshopRun":
        """Run to the horizon (model.api.run_to_horizon)."""
        with self.lock:
            run_to_horizon(self.model)
        return self

    def release(self) -> None:
        """Drop the model (the session closed or expired): its memory is freed even while the page keeps a
        reference to this object. Waits for a step in progress."""
        with self.lock:
            if self.model is not None:
                self._last_quarter = self.model.quarter
            self.model = None

    def scorecard(self) -> dict:
        """T1–T5: the final value once the target year is simulated, else the value so far; beside the no-plan
        run's value at the same quarter (so far, by the same measure; its final value once this one is final).
        Other entries of model.targets.scorecard (a milestone such as M2022) are passed on as they are, with
        "final" once they have a value."""
        final, now = scorecard(self.model), so_far(self.model)
        t = len(self.model.recorder.quarters)
        none_now = so_far(self.model, self.none.records.upto(t)) if self.none.records is not None else {}
        rows = {}
        for key, entry in final.items():
            is_final = entry.get("value") is not None
            live = {} if is_final or key not in now else \
                {"value": now[key], "met": _meets(now[key], entry["threshold"])}
            none = self.none.card.get(key, {}).get("value") if is_final or key not in none_now else none_now[key]
            rows[key] = {**entry, **live, "final": is_final, "none": none}
        return rows

    def milestone(self) -> dict | None:
        """The 2022 milestone by dimension as model.targets.milestone scores it (at its quarter, once simulated),
        beside the no-plan run's; before that quarter each dimension's value so far — its criterion as recorded in
        the last quarter, against its threshold — like the targets' live values. None if this model version scores
        no milestone."""
        final = monitor.scored_milestone(self.model)
        if final is None:
            return None
        now = {monitor.criterion_dimension(c["name"]): c for c in monitor.criteria(self.model.recorder)}
        none = self.none.milestone or {}
        rows = {}
        for dim, entry in final.items():
            if not isinstance(entry, dict):
                continue
            is_final = entry.get("value") is not None
            live = {}
            if not is_final and dim in now:
                c = now[dim]
                live = {"value": c["value"], "threshold": c["threshold"], "met": _meets(c["value"], c["threshold"])}
            other = none.get(dim) if isinstance(none.get(dim), dict) else {}
            rows[dim] = {**entry, **live, "final": is_final, "none": other.get("value"), "none_met": other.get("met")}
        return {"quarter": monitor.milestone_quarter(), "dimensions": rows, "all": final.get("all"),
                "none_all": none.get("all")}

    def spending(self) -> dict:
        """Public money spent so far by lever (CNY; tax = revenue forgone) and digital trade gained over no plan."""
        rec = self.model.recorder
        t = len(rec.quarters)
        spent = {lever: float(rec.series(f"spending_{lever}").sum()) if t else 0.0 for lever in LEVERS}
        gain = float((rec.series("digital_trade_total") - self.none.cny[:t]).sum()) if t else 0.0
        total = sum(spent.values())
        return {"spent": spent, "total": total, "gain": gain, "per_yuan": gain / total if total > 0 else None}


MAX_PINS = 3


@dataclass(frozen=True, eq=False)
class Pin:
    """A run kept for comparison: its settings (as a dtsim command), what runs in words, and its ensemble."""
    settings: Settings
    name: str
    ensemble: ensemble.Ensemble | None

    def summary(self) -> dict | None:
        return None if self.ensemble is None else self.ensemble.summary()


def pinned(pins: tuple, run: WorkshopRun, ens) -> tuple[tuple, str]:
    """`pins` with this run added (at most MAX_PINS; the same settings once), and a message if it was not."""
    if any(p.settings == run.settings for p in pins):
        return pins, "this run is already pinned"
    if len(pins) >= MAX_PINS:
        return pins, f"at most {MAX_PINS} pinned runs: remove one first"
    return (*pins, Pin(run.settings, run.name, ens)), ""
