"""The chart of a run: annual digital trade in USD against the plan's target (Agg backend: works without a screen).

With several replicates the median is drawn with its 5-95 % band (the one summary rule: medians with 5-95 % of the
replicates); `draw_target_path` is shared with the sweep's fan chart (experiments/scenario_charts.py).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

OBSERVED_2020_CNY = 4334e8  # Zhejiang digital trade 2020 (data/zhejiang_observed.csv)


def annual_usd(frame: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Annual digital trade in USD (full years only) from tidy records: `by` columns + replicate, year, value."""
    by = [c for c in (by or []) + ["replicate"] if c in frame.columns]
    usd = frame[frame["metric"] == "digital_trade_usd"]
    usd = usd.assign(year=usd["quarter"].str[:4].astype(int))
    out = usd.groupby(by + ["year"], observed=True)["value"].agg(["sum", "count"]).reset_index()
    return out[out["count"] == 4].drop(columns="count").rename(columns={"sum": "value"})


def draw_target_path(ax, annual: pd.DataFrame, targets, fx_2020: float, label: str = "simulated",
                     legend: bool = True) -> None:
    """Median annual USD bn with its 5-95 % replicate band, the T1 target, the T2 growth path and observed 2020."""
    by_year = annual.groupby("year")["value"]
    q = pd.DataFrame({p: by_year.quantile(p) for p in (0.05, 0.5, 0.95)}) / 1e9
    years = q.index.to_numpy()
    n = annual["replicate"].nunique() if "replicate" in annual else 1
    if n > 1:
        ax.fill_between(years, q[0.05], q[0.95], alpha=0.25, color="C0", lw=0, label="5–95 % of replicates")
    ax.plot(years, q[0.5], marker="o", lw=3, color="C0", label=label + (f" (median of {n})" if n > 1 else ""))
    base, year, growth = int(targets.t2_base_year), int(targets.year), float(targets.t2_growth)
    if base in q.index:
        path = np.arange(base, year + 1)
        ax.plot(path, q.loc[base, 0.5] * (1 + growth) ** (path - base), ls="--", color="grey",
                label=f"T2 path: {100 * growth:.0f} %/year from simulated {base}")
    t1 = float(targets.t1_digital_trade_usd) / 1e9
    ax.scatter([year], [t1], marker="*", s=400, color="crimson", zorder=5,
               label=f"T1 target: USD {t1:,.0f} bn in {year}")
    usd_2020 = OBSERVED_2020_CNY / fx_2020 / 1e9
    ax.scatter([2020], [usd_2020], marker="D", s=120, color="black", zorder=5,
               label=f"observed 2020: CNY {OBSERVED_2020_CNY / 1e9:,.1f} bn = USD {usd_2020:,.1f} bn")
    if legend:
        ax.legend(fontsize=12, loc="upper left")


def target_path_chart(frame: pd.DataFrame, cfg, path, fmt: str = "png") -> None:
    """Annual digital trade in USD bn of one run (all its replicates) against the 2025 target and growth path."""
    from experiments.labels import choice

    sns.set_theme(style="whitegrid", context="talk")
    fig, ax = plt.subplots(figsize=(10, 6))
    draw_target_path(ax, annual_usd(frame), cfg.targets, float(cfg.world.fx_observed["2020"]),
                     label=f"simulated: {choice('policy', cfg.policy.name)}")
    years = annual_usd(frame)["year"]
    span = f", {years.min()}–{years.max()}" if len(years) else ""
    ax.set(xlabel="year", ylabel="digital trade, USD bn per year")
    ax.set_title(f"Zhejiang digital trade (imports + exports){span}, against the plan's target", fontsize=15)
    fig.tight_layout()
    fig.savefig(path, dpi=110, format=fmt)
    plt.close(fig)


def _quarter_end(labels: pd.Series) -> np.ndarray:
    """'2020Q1' -> 2020.25 (the end of the quarter: end-2019, the index's base, is 2020.0)."""
    return labels.str[:4].astype(int).to_numpy() + labels.str[-1].astype(int).to_numpy() / 4


def index_chart(frame: pd.DataFrame, cfg, path, fmt: str = "png") -> None:
    """The composite digital-trade index by quarter: the province, then each city (small multiples), median over
    the replicates with the 5-95 % band when there are several; the province repeated in grey in every city's
    panel; 100 = the province at end-2019; the 2022 milestone quarter and its spill-over bar marked."""
    from experiments.labels import choice
    from model.index import PROVINCE
    from agents.vocabulary import CITIES

    sns.set_theme(style="whitegrid", context="notebook")
    data = frame[frame["metric"] == "index"]
    n = data["replicate"].nunique() if "replicate" in data else 1
    by = data.groupby(["city", "quarter"], observed=True)["value"]
    q = pd.DataFrame({p: by.quantile(p) for p in (0.05, 0.5, 0.95)}).reset_index()
    q["t"] = _quarter_end(q["quarter"].astype(str))
    province = q[q["city"] == PROVINCE]
    fig, axes = plt.subplots(3, 4, figsize=(15, 10), sharex=True, sharey=True)
    for ax, city in zip(axes.ravel(), (PROVINCE, *CITIES)):
        own = q[q["city"] == city]
        colour = "black" if city == PROVINCE else "C0"
        if city != PROVINCE:
            ax.plot(province["t"], province[0.5], color="grey", lw=1.5, ls="--", label="province")
        if n > 1:
            ax.fill_between(own["t"], own[0.05], own[0.95], color=colour, alpha=0.2, lw=0,
                            label="5–95 % of replicates")
        ax.plot(own["t"], own[0.5], color=colour, lw=2.5, label="median" if n > 1 else "simulated")
        ax.axhline(100, color="grey", lw=0.8)
        ax.axvline(2023.0, color="crimson", lw=0.8, ls=":")  # end of 2022Q4: the milestone
        if city not in (PROVINCE, "Hangzhou"):
            ax.scatter([2023.0], [float(cfg.index.m2022_spillover_index)], marker="_", s=200, color="crimson")
        ax.set_title("Zhejiang province" if city == PROVINCE else city, fontsize=12,
                     fontweight="bold" if city == PROVINCE else "normal")
    axes[0, 0].legend(fontsize=9, loc="upper left")
    axes[0, 1].legend(fontsize=9, loc="upper left")
    for ax in axes[-1]:
        ax.set_xlabel("end of quarter")
    for ax in axes[:, 0]:
        ax.set_ylabel("index (province end-2019 = 100)")
    runs = f"median of {n} replicates" if n > 1 else f"seed {cfg.seed}"
    fig.suptitle(f"Digital-trade index by city — {choice('policy', cfg.policy.name)}, {runs}; red dotted line: the "
                 f"2022 milestone (a city outside Hangzhou counts for spill-over at ≥ "
                 f"{float(cfg.index.m2022_spillover_index):g})", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format=fmt)
    plt.close(fig)
