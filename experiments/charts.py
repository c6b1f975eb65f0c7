"""Charts of a run (matplotlib/seaborn, Agg backend so they work without a screen)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402

from model.targets import annual_digital_trade  # noqa: E402

OBSERVED_2020_CNY = 4334e8  # Zhejiang digital trade 2020 (data/zhejiang_observed.csv)


def target_path_chart(model, path) -> None:
    """Annual digital trade in USD bn against the plan's 2025 target and the 15 %-growth path."""
    tg, rec = model.cfg.targets, model.recorder
    years = [y for y in range(2020, 2036) if annual_digital_trade(rec, y) is not None]
    usd = np.array([annual_digital_trade(rec, y, "USD") for y in years]) / 1e9
    sns.set_theme(style="whitegrid", context="talk")
    fig, ax = plt.subplots(figsize=(10, 6))
    ax.plot(years, usd, marker="o", lw=3, label=f"simulated (policy={model.cfg.policy.name})")
    base = years.index(tg.t2_base_year) if tg.t2_base_year in years else None
    if base is not None:
        path_years = np.arange(tg.t2_base_year, tg.year + 1)
        ax.plot(path_years, usd[base] * (1 + tg.t2_growth) ** (path_years - tg.t2_base_year), ls="--",
                color="grey", label=f"{100 * tg.t2_growth:.0f} %/year from simulated {tg.t2_base_year}")
    ax.scatter([tg.year], [tg.t1_digital_trade_usd / 1e9], marker="*", s=400, color="crimson", zorder=5,
               label=f"T1 target: USD {tg.t1_digital_trade_usd / 1e9:.0f} bn")
    fx_2020 = float(model.cfg.world.fx_observed["2020"])
    ax.scatter([2020], [OBSERVED_2020_CNY / fx_2020 / 1e9], marker="D", s=120, color="black", zorder=5,
               label="observed 2020 (CNY 433.4 bn)")
    ax.set(xlabel="year", ylabel="digital trade, USD bn per year",
           title="Zhejiang digital trade (imports + exports) against the plan's target")
    ax.legend(fontsize=12, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
