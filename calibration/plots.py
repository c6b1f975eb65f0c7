"""Charts of the calibration, the predictive checks, the backtest and the forecast (matplotlib, Agg)."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _coord(p, x):
    """A parameter's values in the coordinate its prior is normal in (log for scales)."""
    return np.log(x) if p.log else np.asarray(x, dtype=float)


def posterior_marginals(priors, particles, weights, prior_sample, point: dict, path) -> None:
    """One panel per parameter: weighted posterior histogram, prior (a sample of it) and the YAML's value."""
    plt = _plt()
    cols = 4
    rows = -(-len(priors) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(16, 3 * rows))
    for ax, p in zip(axes.ravel(), priors):
        post, pri = _coord(p, particles[p.key]), _coord(p, prior_sample[p.key])
        bins = np.linspace(min(post.min(), np.quantile(pri, 0.005)), max(post.max(), np.quantile(pri, 0.995)), 30)
        ax.hist(pri, bins=bins, density=True, histtype="step", color="0.5", label="prior")
        ax.hist(post, bins=bins, weights=weights, density=True, alpha=0.6, color="tab:blue", label="posterior")
        ax.axvline(_coord(p, point[p.key]), color="black", lw=1, label="in the YAML")
        ax.set_title(("log " if p.log else "") + p.key, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(priors):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle("ABC-SMC posterior (last population, weighted) against the prior")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def posterior_pairs(priors, particles, weights, path) -> None:
    """Lower triangle: weighted 2-D histograms of every pair; diagonal: marginals (log coordinates for scales)."""
    plt = _plt()
    n = len(priors)
    x = {p.key: _coord(p, particles[p.key]) for p in priors}
    fig, axes = plt.subplots(n, n, figsize=(1.3 * n, 1.3 * n))
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j > i:
                ax.axis("off")
            elif i == j:
                ax.hist(x[pi.key], bins=20, weights=weights, color="tab:blue")
            else:
                ax.hist2d(x[pj.key], x[pi.key], bins=15, weights=weights, cmap="Blues")
            if i == n - 1:
                ax.set_xlabel(pj.key.split(".")[-1], fontsize=6, rotation=45)
            if j == 0:
                ax.set_ylabel(pi.key.split(".")[-1], fontsize=6, rotation=45)
    fig.suptitle("Posterior pairs (weighted; log coordinates for scale parameters)")
    fig.savefig(path, dpi=70)
    plt.close(fig)


def checks(rows: list[dict], path, title: str) -> None:
    """Each observation against its predictive distribution, as the distance from the observation in points
    (log points for levels, percentage points for growth): 90 % line, 50 % bar, median tick; 0 = observed."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.2))
    for k, r in enumerate(rows):
        y = len(rows) - 1 - k
        c = "tab:blue" if r["in90"] else "tab:red"
        ax.plot([r["q5"] - r["observed"], r["q95"] - r["observed"]], [y, y], color=c, lw=1)
        ax.plot([r["q25"] - r["observed"], r["q75"] - r["observed"]], [y, y], color=c, lw=5, alpha=0.6)
        ax.plot([r["q50"] - r["observed"]], [y], "|", color="black", ms=10)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(rows)), [r["measure"] + ("" if r["fitted"] else " (check)") for r in rows][::-1],
                  fontsize=7)
    ax.set_xlabel("simulated − observed (log points for levels, percentage points for growth)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def forecast(summary: dict, years: tuple, observed_2020: float, t1: float, t1b: float, target_year: int,
             path) -> None:
    """Full-year digital trade in CNY and USD: median, 50 % and 90 % bands; the observed 2020 total; T1 and T1b."""
    plt = _plt()
    ys = [y for y in years if (y, "FY", "CNY") in summary]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, unit, scale, label in ((axes[0], "CNY", 1e8, "CNY 100 m"), (axes[1], "USD", 1e9, "USD bn")):
        q = {k: [summary[(y, "FY", unit)][k] / scale for y in ys] for k in ("q5", "q25", "q50", "q75", "q95")}
        ax.fill_between(ys, q["q5"], q["q95"], alpha=0.2, color="tab:blue", label="90 %")
        ax.fill_between(ys, q["q25"], q["q75"], alpha=0.35, color="tab:blue", label="50 %")
        ax.plot(ys, q["q50"], marker="o", color="tab:blue", label="median")
        ax.set_ylabel(label)
        ax.set_title(f"Zhejiang digital trade, full year, {unit}")
    axes[0].scatter([2020], [observed_2020 / 1e8], color="black", zorder=5, label="observed 2020")
    axes[0].axhline(t1b / 1e8, color="tab:orange", ls="--", label=f"T1b: {target_year} (CNY)")
    axes[1].axhline(t1 / 1e9, color="tab:red", ls="--", label=f"T1: {target_year} (USD)")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
