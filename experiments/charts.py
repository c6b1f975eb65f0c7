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
