"""Scenario charts of a sweep (seaborn/matplotlib, PNG and SVG): sized and labelled for a report or a slide.

fan       — annual digital trade in USD per scenario, replicate bands, against the T1 target and growth path
heatmap   — P(T1 met) over two swept values
effects   — each scenario's change in 2025 digital trade from the reference scenario, with 95 % intervals
scorecard — scenario x T1..T5 coloured by P(met)
by_city, by_kind — annual digital trade in USD by city and by kind, mean over replicates
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from experiments.aggregate import Sweep, fmt_number, short, target_entry  # noqa: E402
from experiments.aggregate import effects as paired_effects  # noqa: E402
from experiments.charts import annual_usd, draw_target_path  # noqa: E402
from experiments.outputs import NAMES, fmt_target  # noqa: E402
from experiments.replicates import TARGETS  # noqa: E402

MAX_FACETS = 24


def _units() -> dict[str, str]:
    from model.params import parameter_rows
    return {r["name"]: r["unit"] for r in parameter_rows()}


def axis_label(key: str) -> str:
    """'policy.fund.annual_budget_cny' -> 'fund.annual_budget_cny (CNY/year)'; a config group stays its name."""
    unit = _units().get(key)
    name = ".".join(key.split(".")[-2:])
    return f"{name} ({unit})" if unit else name.replace("/", " ")


def _save(fig, out: Path, stem: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    for fmt in ("png", "svg"):
        tmp = out / f"{stem}.{fmt}.tmp"
        fig.savefig(tmp, dpi=110, format=fmt, bbox_inches="tight")
        tmp.replace(out / f"{stem}.{fmt}")
    plt.close(fig)
    return stem


def _complete(sweep: Sweep) -> pd.DataFrame:
    return sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job")


def _ref_config(sweep: Sweep):
    return sweep.config(sweep.reference if sweep.reference is not None else int(_complete(sweep)["job"].iloc[0]))


def fan(sweep: Sweep, out: Path) -> str:
    jobs = _complete(sweep).head(MAX_FACETS)
    annual = annual_usd(sweep.timeseries[sweep.timeseries["job"].isin(jobs["job"])], by=["job"])
    cfg = _ref_config(sweep)
    grid = len(sweep.swept) == 2 and len(jobs) == len(sweep.jobs)
    if grid:  # the facets laid out as the grid of the two swept values
        rows_key, cols_key = sweep.swept
        row_vals, col_vals = (list(dict.fromkeys(jobs[k])) for k in sweep.swept)
        nrows, ncols = len(row_vals), len(col_vals)
    else:
        ncols = min(4, len(jobs))
        nrows = math.ceil(len(jobs) / ncols)
    sns.set_theme(style="whitegrid", context="talk")
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 4.2 * nrows + 1.2), sharex=True, sharey=True,
                             squeeze=False)
    for ax in axes.flat:
        ax.set_visible(False)
    for i, job in enumerate(jobs.to_dict("records")):
        ax = axes[row_vals.index(job[rows_key]), col_vals.index(job[cols_key])] if grid else axes.flat[i]
        ax.set_visible(True)
        draw_target_path(ax, annual[annual["job"] == job["job"]], cfg.targets,
                         float(cfg.world.fx_observed["2020"]), legend=False)
        ax.set_title(job["scenario"], fontsize=13)
        ax.tick_params(labelsize=12)
    _label_outer(axes, "year", "USD bn per year")
    handles, labels = next(ax for ax in axes.flat if ax.get_visible()).get_legend_handles_labels()
    height = fig.get_figheight()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=13, frameon=False)
    shown = "" if len(jobs) == len(_complete(sweep)) else f" (the first {len(jobs)} of {len(_complete(sweep))})"
    fig.suptitle(f"Digital trade in USD by scenario{shown}, against the plan's target path")
    fig.tight_layout(rect=(0, 1.1 / height, 1, 1))  # leave the bottom 1.1 inch to the legend
    return _save(fig, out, "fan_digital_trade_usd")


def _label_outer(axes, xlabel: str, ylabel: str) -> None:
    """Axis labels on the lowest visible panel of each column (shared x hides the others') and the first column."""
    for col in axes.T:
        shown = [ax for ax in col if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel(xlabel)
            shown[-1].tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)


def _p_met(sweep: Sweep, target: str) -> pd.DataFrame:
    """Per job: P(target met) over replicates and the mean value."""
    s = sweep.summary[(sweep.summary["target"] == target)]
    return s.groupby("job", observed=True).agg(p=("met", "mean"), mean=("value", "mean"), n=("met", "count"))


def heatmap(sweep: Sweep, out: Path, target: str = "T1") -> str | None:
    if len(sweep.swept) < 2:
        return None
    rows_key, cols_key = sweep.swept[:2]
    data = _complete(sweep)[["job", rows_key, cols_key]].join(_p_met(sweep, target), on="job")
    p = data.pivot_table(index=rows_key, columns=cols_key, values="p", aggfunc="mean", sort=False)
    mean = data.pivot_table(index=rows_key, columns=cols_key, values="mean", aggfunc="mean", sort=False)
    scale = 1e9 if target == "T1" else 1.0
    labels = p.map(lambda v: f"{v:.2f}" if pd.notna(v) else "") + "\n" + (mean / scale).map(
        lambda v: (f"USD {v:,.0f} bn" if scale > 1 else f"{v:.3g}") if pd.notna(v) else "")
    for table in (p, labels):
        table.index = table.index.map(fmt_number)
        table.columns = table.columns.map(fmt_number)
    n = int(data["n"].max())
    sns.set_theme(style="white", context="talk")
    fig, ax = plt.subplots(figsize=(2.3 * p.shape[1] + 4, 1.5 * p.shape[0] + 2.5))
    sns.heatmap(p.astype(float), annot=labels, fmt="", vmin=0, vmax=1, cmap="RdYlGn", linewidths=1, ax=ax,
                annot_kws={"fontsize": 13}, cbar_kws={"label": f"P({target} met)"})
    ax.set(xlabel=axis_label(cols_key), ylabel=axis_label(rows_key))
    ax.tick_params(axis="y", rotation=0)
    others = [short(k) for k in sweep.swept[2:]]
    pooled = f", pooled over {', '.join(others)}" if others else ""
    goal = fmt_target(target_entry(sweep.summary, target))
    ax.set_title(f"P({target} met: {NAMES[target]} {goal}) — {n} replicates per cell{pooled}\n"
                 "(cell: P, mean 2025 value)", fontsize=14)
    return _save(fig, out, f"heatmap_p_{target.lower()}")


def effects(sweep: Sweep, out: Path) -> str | None:
    """Tornado: each scenario's 2025 digital trade minus the reference's, replicate by replicate (same seeds)."""
    data = paired_effects(sweep, "T1")
    if data.empty:
        return None
    data = data.assign(**{c: data[c] / 1e9 for c in ("mean", "lo", "hi")}).sort_values("mean", key=abs)
    ref_label = sweep.jobs.loc[sweep.jobs["job"] == sweep.reference, "scenario"].iloc[0]
    sns.set_theme(style="whitegrid", context="talk")
    fig, ax = plt.subplots(figsize=(12, 0.55 * len(data) + 2.5))
    colors = np.where(data["mean"] >= 0, "tab:green", "tab:red")
    ax.barh(data["scenario"], data["mean"], color=colors, alpha=0.8)
    err = np.array([data["mean"] - data["lo"], data["hi"] - data["mean"]])
    if np.isfinite(err).all():
        ax.errorbar(data["mean"], data["scenario"], xerr=err, fmt="none", ecolor="black", capsize=4)
    ax.axvline(0, color="black", lw=1)
    n = int(data["n"].max())
    ax.set(xlabel="change in 2025 digital trade, USD bn per year"
                  + (f" (mean of {n} paired replicates, 95 % interval)" if n > 1 else ""), ylabel="")
    ax.set_title(f"Effect on 2025 digital trade, against {ref_label}", fontsize=15)
    return _save(fig, out, "effects_t1")


def scorecard(sweep: Sweep, out: Path) -> str:
    jobs = _complete(sweep)
    cells = pd.DataFrame({t: _p_met(sweep, t)["p"] for t in TARGETS}).reindex(jobs["job"])
    cells.index = jobs["scenario"]
    cells.columns = [f"{t}\n{NAMES[t]}\n{fmt_target(target_entry(sweep.summary, t))}" for t in TARGETS]
    n = int(_p_met(sweep, "T1")["n"].max())
    sns.set_theme(style="white", context="talk")
    fig, ax = plt.subplots(figsize=(14, 0.6 * len(cells) + 3))
    sns.heatmap(cells.astype(float), annot=True, fmt=".2f", vmin=0, vmax=1, cmap="RdYlGn", linewidths=1, ax=ax,
                annot_kws={"fontsize": 13}, cbar_kws={"label": "P(target met)"})
    ax.set(xlabel="", ylabel="")
    ax.tick_params(axis="x", labelsize=12, rotation=0)
    ax.set_title(f"Targets for {int(_ref_config(sweep).targets.year)}: P(met) over {n} replicates", fontsize=15)
    return _save(fig, out, "scorecard")


def _trade_usd_by(sweep: Sweep, dim: str, jobs: list[int]) -> pd.DataFrame:
    """Annual digital trade in USD bn by `dim` (city or kind) per job, mean over replicates."""
    ts = sweep.timeseries[sweep.timeseries["job"].isin(jobs)]
    trade = ts[ts["metric"] == "digital_trade"]
    fx = ts[ts["metric"] == "fx"][["job", "replicate", "quarter", "value"]].rename(columns={"value": "fx"})
    trade = trade.merge(fx, on=["job", "replicate", "quarter"])
    trade = trade.assign(usd=trade["value"] / trade["fx"] / 1e9, year=trade["quarter"].astype(str).str[:4])
    full = trade.groupby(["job", "replicate", "year"], observed=True)["quarter"].transform("nunique") == 4
    annual = trade[full].groupby(["job", "replicate", "year", dim], observed=True)["usd"].sum()
    return annual.groupby(level=["job", "year", dim], observed=True).mean().reset_index()


def _featured(sweep: Sweep) -> list[int]:
    """Up to 6 scenarios: all if few, else the reference and those with the lowest and highest 2025 trade."""
    jobs = list(_complete(sweep)["job"])
    if len(jobs) <= 6:
        return jobs
    order = list(_p_met(sweep, "T1").sort_values("mean").index)
    picked = [sweep.reference, *order[:2], *order[-2:]]
    return [j for j in jobs if j in picked]


def trade_by(sweep: Sweep, out: Path, dim: str) -> str | None:
    jobs = _featured(sweep)
    data = _trade_usd_by(sweep, dim, jobs)
    if data.empty:  # no whole year simulated (a horizon before the first Q4)
        return None
    labels = _complete(sweep).set_index("job")["scenario"]
    ncols = 2 if len(jobs) in (2, 4) else min(3, len(jobs))
    nrows = math.ceil(len(jobs) / ncols)
    sns.set_theme(style="whitegrid", context="talk")
    fig, axes = plt.subplots(nrows, ncols, figsize=(7 * ncols, 5 * nrows + 1), sharey=True, squeeze=False)
    order = data.groupby(dim, observed=True)["usd"].sum().sort_values(ascending=False).index
    palette = sns.color_palette("tab20" if dim == "city" else "Set2", len(order))
    for ax in axes.flat[len(jobs):]:
        ax.set_visible(False)
    for ax, job in zip(axes.flat, jobs):
        wide = data[data["job"] == job].pivot(index="year", columns=dim, values="usd").reindex(columns=order)
        ax.stackplot(wide.index.astype(int), wide.fillna(0).T.to_numpy(), labels=list(order), colors=palette,
                     alpha=0.9)
        ax.set_title(labels[job], fontsize=13)
    _label_outer(axes, "year", "digital trade, USD bn per year")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=13, frameon=False,
               title=dim)
    subset = "" if len(jobs) == len(_complete(sweep)) else \
        "\nthe reference scenario and those with the lowest and highest 2025 digital trade"
    fig.suptitle(f"Digital trade by {dim} (mean over replicates){subset}")
    fig.tight_layout()
    return _save(fig, out, f"by_{dim}")


def make_all(sweep: Sweep, out: Path) -> dict[str, str]:
    """Every chart that the sweep's shape allows: {title: file stem}."""
    if _complete(sweep).empty:
        return {}
    charts = {"Digital trade in USD, replicate bands, against the target path": fan(sweep, out),
              "P(T1 met) over two swept values": heatmap(sweep, out),
              "Effect on 2025 digital trade against the reference scenario": effects(sweep, out),
              "Scorecard: P(met) for T1–T5": scorecard(sweep, out),
              "Digital trade by city": trade_by(sweep, out, "city"),
              "Digital trade by kind": trade_by(sweep, out, "kind")}
    return {title: stem for title, stem in charts.items() if stem}
