"""Scenario discovery with PRIM (ema_workbench 3.0; Friedman & Fisher 1999, Bryant & Lempert 2010): boxes of the
uncertainty space in which a target is missed under the plan.

Design: a Latin hypercube over the picked uncertainties, levers at the plan. A point "misses" a case (T1, T2,
or T1|T2: either) when the target is met in fewer than half of its replicates. With explore.seed_factor every
point has a seed of its own (the seed is a nuisance dimension PRIM is not offered: boxes average over luck).
The box kept: on the peeling trajectory, the densest box whose coverage is at least explore.prim.min_coverage
(ties: fewer restricted dimensions, then more coverage). Its significance: the quasi-p value of each restricted
dimension (a one-sided binomial test of the box with that restriction dropped, Bryant & Lempert 2010); with
explore.prim.max_qp, restrictions less significant than that are dropped one by one (least significant first),
as Bryant & Lempert advise, so the box names only the conditions that matter (peeling on a few hundred points
restricts many dimensions by chance).

CART (ema_workbench's classification tree, Breiman et al. 1984; Lempert et al. 2008 compare it with PRIM) is run
on the same points beside it: its leaves that are mostly misses (density >= 0.5) are a second, independent
description of the same region, in cart_boxes.csv (leaves with at least explore.prim.cart_mass of the points).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from experiments.explore.factors import lhs, scenarios

BOX_COLUMNS = ["case", "box", "factor", "min", "max", "range_lo", "range_hi", "qp_lo", "qp_hi", "coverage",
               "density", "mass", "res_dim", "misses", "points"]


def missed(points: pd.DataFrame, case: str) -> np.ndarray:
    """True where the case is missed: any of its targets met in fewer than half of the point's replicates."""
    out = np.zeros(len(points), dtype=bool)
    for target in case.split("|"):
        out |= points[f"P_{target}"].to_numpy(dtype=float) < 0.5
    return out


def _prune(box, i: int, max_qp: float) -> int:
    """Drop, one at a time, the restriction whose limits are least significant while any has all its quasi-p
    values above max_qp (ema_workbench appends each pruned box to the trajectory); return the final box's index."""
    while True:
        _, limits = box.inspect(i, style="data")[0]
        worst = limits.iloc[:, 2:].min(axis=1, skipna=True)  # a limit's most significant side
        worst = worst[worst > max_qp]
        if worst.empty or len(limits) == len(worst) == 1:
            return i
        box.drop_restriction(str(worst.idxmax()), i)
        i = len(box.peeling_trajectory) - 1


def find(x: pd.DataFrame, y: np.ndarray, min_coverage: float, max_qp: float | None = None):
    """(trajectory, chosen box index, stats, limits) of PRIM's first box; None if y is all one value."""
    if y.all() or not y.any():
        return None
    with warnings.catch_warnings():  # pandas 3 warns from inside PRIM, ema_workbench about ipyparallel: harmless
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        box = prim.Prim(x.reset_index(drop=True), y).find_box()
        traj = box.peeling_trajectory.copy()
        ok = traj[traj["coverage"] >= min_coverage]
        order = ok.sort_values(["density", "res_dim", "coverage"], ascending=[False, True, False])
        pick = int(order.index[0]) if len(ok) else 0
        if max_qp is not None and pick:
            pick = _prune(box, pick, float(max_qp))
        traj = box.peeling_trajectory.copy()
        stats, limits = box.inspect(pick, style="data")[0]
    return traj, pick, stats, limits


CART_COLUMNS = ["case", "leaf", "factor", "min", "max", "coverage", "density", "mass", "res_dim"]


def cart_leaves(x: pd.DataFrame, y: np.ndarray, mass_min: float) -> pd.DataFrame:
    """The CART leaves in which the case is mostly missed (density >= 0.5): one row per restricted dimension
    (a leaf restricting none: one row without factor)."""
    if y.all() or not y.any():
        return pd.DataFrame(columns=CART_COLUMNS[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart

        # a leaf of at least one point: ema_workbench takes int(mass_min x points) as sklearn's min_samples_leaf
        tree = cart.CART(x.reset_index(drop=True), y, mass_min=max(mass_min, 1.5 / len(y)))
        tree.build_tree()
        stats, limits = tree.stats_to_dataframe(), tree.boxes_to_dataframe()
    lo, hi = x.min(), x.max()
    rows = []
    for i, (leaf, s) in enumerate(stats.iterrows()):
        if s["density"] < 0.5:
            continue
        common = {"leaf": i + 1, "coverage": float(s["coverage"]), "density": float(s["density"]),
                  "mass": float(s["mass"]), "res_dim": int(s["res dim"])}
        box = limits[leaf] if leaf in limits.columns.get_level_values(0) else pd.DataFrame()
        restricted = [(f, r["min"], r["max"]) for f, r in box.iterrows() if r["min"] > lo[f] or r["max"] < hi[f]]
        rows += [{**common, "factor": f, "min": float(a), "max": float(b)} for f, a, b in restricted] or [common]
    return pd.DataFrame(rows, columns=CART_COLUMNS[1:])


def analyse(points: pd.DataFrame, factors, cases, min_coverage: float,
            max_qp: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(boxes: one row per restricted dimension of each case's chosen box, trajectories)."""
    names = [f.name for f in factors if f.role == "uncertainty"]
    rng = {f.name: (f.lo, f.hi) for f in factors}
    rows, trajectories = [], []
    for case in cases:
        y = missed(points, case)
        found = find(points[names], y, min_coverage, max_qp)
        base = {"case": case, "misses": int(y.sum()), "points": len(y)}
        if found is None:
            rows.append({**base, "box": None})
            continue
        traj, pick, stats, limits = found
        trajectories.append(traj.assign(case=case, chosen=traj.index == pick))
        limits.columns = ["min", "max", "qp_lo", "qp_hi"]
        common = {**base, "box": pick, **{k: float(stats[k]) for k in ("coverage", "density", "mass")},
                  "res_dim": int(stats["res_dim"])}
        if limits.empty:
            rows.append(common)
        for factor, lim in limits.iterrows():
            rows.append({**common, "factor": factor, "min": float(lim["min"]), "max": float(lim["max"]),
                         "range_lo": rng[factor][0], "range_hi": rng[factor][1],
                         "qp_lo": float(lim["qp_lo"]), "qp_hi": float(lim["qp_hi"])})
    traj = pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
    return pd.DataFrame(rows, columns=BOX_COLUMNS), traj


def study(st) -> dict:
    uncertain = [f for f in st.factors if f.role == "uncertainty"]
    seeds = [f for f in st.factors if f.role == "seed"]
    n = int(st.settings.samples)
    design = scenarios(uncertain, n, st.seed, st.posterior)
    if seeds:
        design["seed"] = lhs(seeds, n, st.seed + 1)["seed"]
    summary = st.summarise(st.evaluate(design, "prim"))
    p = st.settings.prim
    boxes, traj = analyse(summary, st.factors, list(p.cases), float(p.min_coverage), p.max_qp)
    names = [f.name for f in st.factors if f.role == "uncertainty"]
    leaves = pd.concat([cart_leaves(summary[names], missed(summary, str(case)), float(p.cart_mass)).assign(
        case=str(case)) for case in p.cases], ignore_index=True)[CART_COLUMNS]
    boxes.to_csv(st.folder / "prim_boxes.csv", index=False)
    traj.to_csv(st.folder / "prim_trajectory.csv", index=False)
    leaves.to_csv(st.folder / "cart_boxes.csv", index=False)
    return {"boxes": boxes, "trajectory": traj, "points": summary, "cart": leaves}
