"""The cheapest robust mix: a multi-objective search over lever settings (optuna's NSGA-II, seeded), then the
regret of a few mixes on the Pareto front across the world presets (robust decision making, Lempert et al. 2006).

Objectives per trial: public money over the plan period (mean over its runs, minimised) and either P(all five
targets met) (explore.pareto.objective=p_all, by experiments.replicates.all_met) or the 5 % quantile of T1
(t1_q05, by replicates.target_stats), maximised, under explore.pareto.scenarios draws of the picked
uncertainties. Draw k runs replicate k in every trial (common random numbers: trials differ by their levers,
not by luck). Generations are asked and told whole; their runs go to the workers together.

Knee: the front member closest to the ideal point (least money, best objective) with both objectives scaled to
[0, 1] over the front. Trial 0 is the plan (its lever values), so it is scored like the others. Regret of a mix
in a world: the best P(all) any compared mix reaches there minus its own; a robust mix has a small largest regret
(Savage's minimax regret). The plan, the knee, the cheapest and the best front member are compared.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.explore.factors import scenarios
from experiments.replicates import TARGETS, all_met, target_stats
from model.api import CONF_DIR
from model.validate import ConfigError

OBJECTIVES = ("p_all", "t1_q05")


def worlds(settings) -> list[str]:
    """explore.pareto.worlds, or every option of conf/world (baseline first)."""
    options = sorted(p.stem for p in (Path(CONF_DIR) / "world").glob("*.yaml"))
    chosen = list(settings.pareto.worlds or sorted(options, key=lambda w: (w != "baseline", w)))
    unknown = [w for w in chosen if w not in options]
    if unknown:
        raise ConfigError(f"explore.pareto.worlds: {unknown[0]!r} is not in conf/world ({', '.join(options)})")
    return chosen


def score(runs: pd.DataFrame) -> dict:
    """Cost, P(all) with its Wilson interval, T1's median and 5 % quantile over one mix's runs."""
    rows = runs.melt(id_vars="replicate", value_vars=[f"{t}_met" for t in TARGETS], value_name="met")
    both = all_met(rows)
    t1 = target_stats(runs["T1"], runs["T1_met"], "USD/year")
    lo, hi = both["p_met_ci"] or (np.nan, np.nan)
    return {"cost": float(runs["spending"].mean()), "p_all": both["p_met"], "p_all_lo": lo, "p_all_hi": hi,
            "t1_q05": t1["q05"], "t1_median": t1["median"], "runs": len(runs)}


def knee(front: pd.DataFrame, objective: str) -> int:
    """Index (in `front`) of the member closest to the ideal point, objectives scaled over the front."""
    def unit(v):
        span = v.max() - v.min()
        return (v - v.min()) / span if span > 0 else v * 0.0
    distance = np.hypot(unit(front["cost"]), 1.0 - unit(front[objective]))
    return int(distance.idxmin())


def search(st) -> pd.DataFrame:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    p, objective = st.settings.pareto, str(st.settings.pareto.objective)
    levers = [f for f in st.factors if f.role == "lever"]
    uncertain = [f for f in st.factors if f.role == "uncertainty"]
    draws = scenarios(uncertain, int(p.scenarios), st.seed, st.posterior)
    sampler = optuna.samplers.NSGAIISampler(population_size=int(p.population), seed=st.seed)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    plan = {f.name: f.default for f in levers}
    if all(f.lo <= f.default <= f.hi for f in levers):  # trial 0 is the plan: on the chart, and compared
        study.enqueue_trial(plan)
    n, records = int(st.settings.samples), []
    while len(study.trials) < n:
        trials = [study.ask() for _ in range(min(int(p.population), n - len(study.trials)))]
        params = {t.number: {f.name: (t.suggest_int(f.name, int(f.lo), int(f.hi)) if f.integer
                                      else t.suggest_float(f.name, f.lo, f.hi)) for f in levers} for t in trials}
        design = pd.DataFrame([{"point": num, "replicate": k, **values, **draws.drop(columns="point").iloc[k]}
                               for num, values in params.items() for k in range(int(p.scenarios))])
        runs = st.evaluate(design, "pareto")
        for t in trials:
            s = score(runs[runs["point"] == t.number])
            study.tell(t, [s["cost"], s[objective]])
            records.append({"trial": t.number, **params[t.number], **s})
    trials = pd.DataFrame(records)
    front = {t.number for t in study.best_trials}
    trials["on_front"] = trials["trial"].isin(front)
    trials["knee"] = False
    on = trials[trials["on_front"]]
    trials.loc[knee(on, objective), "knee"] = True
    return trials


def members(trials: pd.DataFrame, objective: str, plan: dict) -> dict[str, dict]:
    """The mixes compared across worlds: the plan, and the front's knee, cheapest and best member (each once)."""
    front = trials[trials["on_front"]]
    levers = [c for c in trials.columns if c.startswith("policy.")]
    picks = {"knee": front[front["knee"]].index[0], "cheapest": front["cost"].idxmin(),
             "best": front.sort_values([objective, "cost"], ascending=[False, True]).index[0]}
    is_plan = (trials[list(plan)] == pd.Series(plan)).all(axis=1)
    out = {"plan": {"_trial": int(trials.loc[is_plan, "trial"].iloc[0])} if is_plan.any() else {}}
    for role, idx in picks.items():
        if all(trials.at[idx, "trial"] != m.get("_trial") for m in out.values()):
            out[role] = {"_trial": int(trials.at[idx, "trial"]), **{k: trials.at[idx, k] for k in levers}}
    return out


def regret(st, mixes: dict[str, dict]) -> pd.DataFrame:
    names, reps = worlds(st.settings), int(st.settings.pareto.regret_replicates)
    rows, point = [], 0
    for role, values in mixes.items():
        settings = {k: v for k, v in values.items() if k != "_trial"}
        for world in names:
            rows += [{"point": point, "mix": role, "world": world, "replicate": r, **settings} for r in range(reps)]
            point += 1
    runs = st.evaluate(pd.DataFrame(rows), "regret")
    table = pd.DataFrame([{"mix": mix, "world": world, **score(g)}
                          for (mix, world), g in runs.groupby(["mix", "world"], sort=False)])
    best = table.groupby("world")[["p_all", "t1_median"]].transform("max")
    table["regret_p_all"] = best["p_all"] - table["p_all"]
    table["regret_t1_usd"] = best["t1_median"] - table["t1_median"]
    return table


def study(st) -> dict:
    if str(st.settings.pareto.objective) not in OBJECTIVES:
        raise ConfigError(f"explore.pareto.objective={st.settings.pareto.objective}: one of {', '.join(OBJECTIVES)}")
    trials = search(st)
    plan = {f.name: f.default for f in st.factors if f.role == "lever"}
    mixes = members(trials, str(st.settings.pareto.objective), plan)
    for role, values in mixes.items():
        if "_trial" in values:
            trials.loc[trials["trial"] == values["_trial"], "member"] = role
    table = regret(st, mixes)
    trials.to_parquet(st.folder / "pareto.parquet", index=False)
    table.to_csv(st.folder / "regret.csv", index=False)
    return {"trials": trials, "regret": table, "mixes": mixes}
