"""The study's charts (seaborn on matplotlib's Agg): Sobol bars with intervals, Morris mu*-sigma, PRIM trade-off
and box, Pareto front, cost curves. Each function writes PNGs into the study folder and returns their names."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

BN = 1e9


def _save(fig, folder: Path, name: str) -> str:
    fig.tight_layout()
    fig.savefig(Path(folder) / name, dpi=110)
    plt.close(fig)
    return name


def _panels(n: int, width: float = 5.5, height: float = 4.0):
    sns.set_theme(style="whitegrid", context="notebook")
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False)
    return fig, axes[0]


def sobol_bars(sens: pd.DataFrame, folder: Path, outcomes=("T1", "T2")) -> list[str]:
    """Total (ST) and first-order (S1) indices with their 95 % bootstrap intervals, largest N, by outcome."""
    sub = sens[(sens["N"] == sens["N"].max()) & sens["outcome"].isin(outcomes)]
    shown = [o for o in outcomes if o in set(sub["outcome"])]
    if not shown:
        return []
    fig, axes = _panels(len(shown), width=7.5, height=0.35 * sub["factor"].nunique() + 1.5)
    for ax, outcome in zip(axes, shown):
        d = sub[sub["outcome"] == outcome].sort_values("ST", ascending=False)
        long = pd.concat([d.assign(index="ST", value=d["ST"], conf=d["ST_conf"]),
                          d.assign(index="S1", value=d["S1"], conf=d["S1_conf"])])
        sns.barplot(long, y="factor", x="value", hue="index", ax=ax, errorbar=None, orient="h")
        for k, (name, g) in enumerate(long.groupby("index", sort=False)):
            offset = (k - 0.5) * 0.4
            ax.errorbar(g["value"], np.arange(len(g)) + offset, xerr=g["conf"], fmt="none", ecolor="black", lw=1)
        ax.set(title=f"{outcome}: Sobol indices, N={int(d['N'].iloc[0])} (95 % bootstrap)", xlabel="index", ylabel="")
    return [_save(fig, folder, "sobol.png")]


def morris_scatter(sens: pd.DataFrame, folder: Path, outcomes=("T1", "T2")) -> list[str]:
    shown = [o for o in outcomes if o in set(sens["outcome"])]
    if not shown:
        return []
    fig, axes = _panels(len(shown), height=5)
    for ax, outcome in zip(axes, shown):
        d = sens[sens["outcome"] == outcome]
        ax.errorbar(d["mu_star"], d["sigma"], xerr=d["mu_star_conf"], fmt="o", ms=4, alpha=0.7)
        for _, r in d.nlargest(6, "mu_star").iterrows():
            ax.annotate(r["factor"].split(".", 1)[-1], (r["mu_star"], r["sigma"]), fontsize=7)
        if "seed" in set(d["factor"]):
            ax.axvline(d.loc[d["factor"] == "seed", "mu_star"].iloc[0], color="grey", ls="--", label="seed (noise)")
            ax.legend()
        ax.set(title=f"{outcome}: Morris screening", xlabel="mu* (per full range)", ylabel="sigma")
    return [_save(fig, folder, "morris.png")]


def prim_charts(boxes: pd.DataFrame, traj: pd.DataFrame, folder: Path) -> list[str]:
    if traj.empty:
        return []
    cases = list(dict.fromkeys(traj["case"]))
    fig, axes = _panels(len(cases), width=4.5)
    for ax, case in zip(axes, cases):
        t = traj[traj["case"] == case]
        sns.scatterplot(t, x="coverage", y="density", hue="res_dim", palette="viridis", ax=ax, s=30)
        c = t[t["chosen"]]
        ax.scatter(c["coverage"], c["density"], s=160, facecolors="none", edgecolors="red", label="chosen box")
        ax.legend(loc="lower left", fontsize=7, title="restricted dims", title_fontsize=7)
        ax.set(title=f"missed: {case}", xlim=(0, 1.02), ylim=(0, 1.02))
    names = [_save(fig, folder, "prim_tradeoff.png")]
    lim = boxes.dropna(subset=["factor"])
    if len(lim):
        fig, axes = _panels(len(cases), width=5, height=0.5 * lim.groupby("case").size().max() + 1.5)
        for ax, case in zip(axes, cases):
            b = lim[lim["case"] == case]
            span = (b["range_hi"] - b["range_lo"]).to_numpy()
            lo, hi = (b["min"] - b["range_lo"]) / span, (b["max"] - b["range_lo"]) / span
            ax.barh(b["factor"], hi - lo, left=lo, color="tab:red", alpha=0.6)
            for y, (_, r) in enumerate(b.iterrows()):
                ax.text(1.01, y, f"[{r['min']:.3g}, {r['max']:.3g}]", va="center", fontsize=7)
            ax.set(xlim=(0, 1.35), title=f"box where {case} is missed" if len(b) else f"{case}: no box",
                   xlabel="share of the factor's range")
        names.append(_save(fig, folder, "prim_box.png"))
    return names


def pareto_front(trials: pd.DataFrame, objective: str, folder: Path) -> list[str]:
    fig, axes = _panels(1, width=7, height=5)
    ax = axes[0]
    y_scale = 1.0 if objective == "p_all" else BN
    t = trials.assign(x=trials["cost"] / BN, y=trials[objective] / y_scale)
    ax.scatter(t["x"], t["y"], color="lightgrey", label="trials")
    front = t[t["on_front"]].sort_values("x")
    ax.step(front["x"], front["y"], where="post", color="tab:blue", label="Pareto front")
    ax.scatter(front["x"], front["y"], color="tab:blue")
    for role in ("plan", "knee", "cheapest", "best"):
        m = t[t.get("member", pd.Series(dtype=str)) == role]
        if len(m):
            ax.scatter(m["x"], m["y"], s=140, marker="*", zorder=3)
            ax.annotate(role, (m["x"].iloc[0], m["y"].iloc[0]), xytext=(5, 5), textcoords="offset points")
    label = "P(all five targets met)" if objective == "p_all" else "T1, 5 % quantile (USD bn)"
    ax.set(xlabel="public money over the plan period (CNY bn)", ylabel=label, title="Lever mixes: cost and robustness")
    ax.legend(loc="lower right")
    return [_save(fig, folder, "pareto_front.png")]


def cost_curves(table: pd.DataFrame, folder: Path) -> list[str]:
    """One panel per lever family: extra T1 against extra public money, from the family switched off (0, 0) through
    its budget levels, with 95 % paired intervals; the slope of each segment is the marginal USD per CNY."""
    if table.empty:
        return []
    families = list(dict.fromkeys(table["family"]))
    cols = min(4, len(families))
    rows = -(-len(families) // cols)
    sns.set_theme(style="whitegrid", context="notebook")
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False)
    for ax, family in zip(axes.flat, families):
        d = table[table["family"] == family].sort_values("level")
        x = np.r_[0.0, d["d_spending_cny"]] / BN
        y = np.r_[0.0, d["d_T1_usd"]] / BN
        ax.plot(x, y, marker="o")
        ax.errorbar(d["d_spending_cny"] / BN, d["d_T1_usd"] / BN, fmt="none", capsize=3,
                    yerr=[(d["d_T1_usd"] - d["d_T1_lo"]) / BN, (d["d_T1_hi"] - d["d_T1_usd"]) / BN])
        for _, r in d.iterrows():
            ax.annotate(f"{r['level']:g}x", (r["d_spending_cny"] / BN, r["d_T1_usd"] / BN), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(family, fontsize=10)
    for ax in axes.flat[len(families):]:
        ax.set_visible(False)
    fig.supxlabel("extra public money over the plan period, CNY bn (against the family switched off)")
    fig.supylabel("extra T1, USD bn/year (95 % paired)")
    return [_save(fig, folder, "cost_curves.png")]
