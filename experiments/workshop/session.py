"""One workshop session: the model built from Settings and its `policy=none` counterfactual of the same seed,
stepped a quarter at a time, with the live scorecard and the money spent. No Solara here: tested headless."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig, OmegaConf

from experiments.dtsim import CONF_DIR
from experiments.outputs import config_hash
from experiments.workshop.settings import Settings, composed
from model.model import DigitalTradeModel
from model.policy import LEVERS
from model.targets import annual_digital_trade, scorecard
from agents.vocabulary import quarter_label


def dtsim_seed(cfg: DictConfig) -> int:
    """The generator seed `dtsim` gives a config's run (replicate 0 of its `seed`), so that the app's run is exactly
    the run of its one-line command."""
    from experiments.replicates import replicate_seeds
    return replicate_seeds(int(cfg.seed), 1)[0]


@dataclass(frozen=True)
class Counterfactual:
    """The `policy=none` run of the same config and seed, kept as the series the views draw."""
    usd: np.ndarray  # digital trade, USD per quarter
    cny: np.ndarray  # digital trade, CNY per quarter
    card: dict       # its scorecard at the horizon


_CF: dict[str, Counterfactual] = {}  # read-only results, so sessions may share them (their models they never share)
_CF_LOCK = threading.Lock()


def counterfactual(cfg: DictConfig, conf_dir: str = CONF_DIR) -> Counterfactual:
    """Run `policy=none` with everything else of cfg (seed included) to the horizon, once per distinct config."""
    none = OmegaConf.merge(cfg, {"policy": composed(conf_dir, ("policy=none",)).policy})
    key = config_hash(none)
    with _CF_LOCK:
        if key in _CF:
            return _CF[key]
    model = DigitalTradeModel(none, rng=dtsim_seed(none)).run()
    usd, cny = model.recorder.series("digital_trade_usd"), model.recorder.series("digital_trade_total")
    usd.flags.writeable = cny.flags.writeable = False  # shared between sessions: read-only
    result = Counterfactual(usd, cny, scorecard(model))
    with _CF_LOCK:
        if len(_CF) > 64:
            _CF.clear()
        _CF[key] = result
    return result


def so_far(recorder, targets) -> dict:
    """The five targets as they stand after the last recorded quarter (T1 and T2 over the last four quarters)."""
    n, out = len(recorder.quarters), {}
    if n == 0:
        return {key: None for key in ("T1", "T2", "T3", "T4", "T5")}
    last = recorder.quarters[-1]
    usd, cny = recorder.series("digital_trade_usd"), recorder.series("digital_trade_total")
    out["T1"] = float(usd[-4:].sum()) if n >= 4 else None
    base = annual_digital_trade(recorder, targets.t2_base_year)
    years = (last - (4 * (targets.t2_base_year - 2020) + 3)) / 4
    out["T2"] = None if base is None or years < 1 else float((cny[-4:].sum() / base) ** (1 / years) - 1)
    for key, metric in (("T3", "platforms_global"), ("T4", "key_enterprises"), ("T5", "demo_bases")):
        out[key] = float(recorder.series(metric)[-1])
    return out


def _meets(key: str, value, threshold) -> bool | None:
    if value is None:
        return None
    return threshold[0] <= value <= threshold[1] if key == "T5" else value >= threshold


_ids = itertools.count(1)


class WorkshopRun:
    """A session's model, built from Settings; every browser session makes its own."""

    def __init__(self, settings: Settings):
        self.id = next(_ids)  # the views redraw when it changes (a new run after Reset)
        self.settings = settings
        self.cfg = settings.config()
        self.model = DigitalTradeModel(self.cfg, rng=dtsim_seed(self.cfg))
        self.none = counterfactual(self.cfg, settings.conf_dir)
        self.lock = threading.Lock()  # Step and Play may come from different threads

    @property
    def quarter(self) -> int:
        return self.model.quarter

    @property
    def label(self) -> str:
        return "end-2019 (not started)" if self.quarter < 0 else quarter_label(self.quarter)

    @property
    def done(self) -> bool:
        return self.model.quarter >= self.model.n_quarters - 1

    def step(self, quarters: int = 1) -> int:
        """Advance up to `quarters` quarters (never past the horizon); returns how many were stepped."""
        stepped = 0
        with self.lock:
            while stepped < quarters and not self.done:
                self.model.step()
                stepped += 1
        return stepped

    def scorecard(self) -> dict:
        """T1–T5: the final value once the target year is simulated, else the value so far; with the no-plan run."""
        final, now = scorecard(self.model), so_far(self.model.recorder, self.cfg.targets)
        rows = {}
        for key, entry in final.items():
            is_final = entry["value"] is not None
            value = entry["value"] if is_final else now[key]
            rows[key] = {**entry, "value": value, "met": _meets(key, value, entry["threshold"]),
                         "final": is_final, "none": self.none.card[key]["value"]}
        return rows

    def spending(self) -> dict:
        """Public money spent so far by lever (CNY; tax = revenue forgone) and digital trade gained over no plan."""
        rec = self.model.recorder
        t = len(rec.quarters)
        spent = {lever: float(rec.series(f"spending_{lever}").sum()) if t else 0.0 for lever in LEVERS}
        gain = float((rec.series("digital_trade_total") - self.none.cny[:t]).sum()) if t else 0.0
        total = sum(spent.values())
        return {"spent": spent, "total": total, "gain": gain, "per_yuan": gain / total if total > 0 else None}
