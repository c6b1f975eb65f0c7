"""What a calibration writes: the Hydra config of the estimate, the trials table, the fit and parameter charts,
and the Markdown tables of the report (the targets, the fit, the parameters). Pure formatting apart from the
writers at the end."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from omegaconf import OmegaConf

from calibration.docs import md_table
from calibration.search import PARAMS
from calibration.targets import CHECKS, LAST_FIT_YEAR, TARGETS


def natural(target, value: float) -> float:
    """A target's statistic in the units a reader knows: 亿元 (CNY 100m), firms, or % growth."""
    if target.stat == "growth":
        return 100.0 * value
    return math.exp(value) / (1.0 if target.what == "firms" else 1e8)


def _unit(target) -> str:
    return "% y/y" if target.stat == "growth" else ("firms" if target.what == "firms" else "亿元")


def _fmt(x: float) -> str:
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"


def fit_rows(before: dict, after: dict, observed: dict) -> list[list]:
    """Observed vs simulated (replicate mean ± sd) before and after calibration, error and z, per target."""
    rows = []
    for t in TARGETS + CHECKS:
        obs = observed[t.key]
        b, a = before["targets"].get(t.name), after["targets"].get(t.name)
        sim = natural(t, a["mean"])
        ref = natural(t, a["observed"])
        err = sim - ref if t.stat == "growth" else 100 * (sim / ref - 1)
        rows.append([t.name + ("" if t in TARGETS else " (check, not fitted)"), f"{obs.label()}",
                     f"{_fmt(ref)} {_unit(t)}", f"{_fmt(natural(t, b['mean']))}", f"{b['z']:+.1f}",
                     f"{_fmt(sim)} ± {_sd(t, a):.1f}", f"{err:+.1f} {'pts' if t.stat == 'growth' else '%'}",
                     f"{a['z']:+.1f}"])
    return rows


def _sd(t, a: dict) -> float:
    """Replicate sd in the natural unit (delta method for the log levels)."""
    return 100 * a["sd"] if t.stat == "growth" else natural(t, a["mean"]) * a["sd"]


FIT_HEADER = ["target", "observation", "observed", "uncalibrated", "z", "calibrated (mean ± sd)", "error", "z"]


def param_rows(best: dict, default: dict, ranges: dict) -> list[list]:
    rows = []
    for p in PARAMS:
        lo, med, hi, n = ranges.get(p.key, (math.nan, math.nan, math.nan, 0))
        rows.append([f"`{p.key}`", f"{default[p.key]:.4g}", f"**{best[p.key]:.4g}**",
                     f"{lo:.3g} – {hi:.3g} (median {med:.3g})" if n else "none accepted",
                     f"{p.lo:g} – {p.hi:g}{' (log)' if p.log else ''}", p.why])
    return rows


PARAM_HEADER = ["parameter", "stated assumption", "estimate", "accepted trials: range", "searched", "what it is"]


def target_rows(observed: dict) -> list[list]:
    """What each target compares, from calibration/targets.py and the observed-data file (no run needed)."""
    rows = []
    for t in TARGETS + CHECKS:
        obs = observed[t.key]
        tol = f"{100 * t.sigma:g} % (log)" if t.stat == "level" else f"{100 * t.sigma:g} points"
        rows.append([f"`{t.name}`" + ("" if t in TARGETS else " (check, not fitted)"), obs.label(),
                     f"{_fmt(natural(t, t.observed(obs)))} {_unit(t)}",
                     "log level" if t.stat == "level" else "same-definition y/y growth", tol, t.why])
    return rows


TARGET_HEADER = ["target", "observation", "observed", "compared as", "tolerance σ", "note"]


def targets_block(observed: dict) -> str:
    """The generated `targets` block of docs/calibration.md (tests/test_calibration.py checks it is current)."""
    return (f"{len(TARGETS)} fitted targets and {len(CHECKS)} checks, all observed by {LAST_FIT_YEAR} "
            f"(`calibration/targets.py`, `data/zhejiang_observed.csv`):\n\n"
            + md_table(TARGET_HEADER, target_rows(observed)))


def fit_table(before, after, observed) -> str:
    return md_table(FIT_HEADER, fit_rows(before, after, observed))


def param_table(best, default, ranges) -> str:
    return md_table(PARAM_HEADER, param_rows(best, default, ranges))


# ------------------------------------------------------------------------------------------------ writers
def nested(params: dict) -> dict:
    """{'a.b': 1} -> {'a': {'b': 1}}, values rounded to 4 significant digits (estimates, not exact values)."""
    out: dict = {}
    for key, value in params.items():
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = float(f"{value:.4g}")
    return out


def write_config(params: dict, path: Path, header: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = OmegaConf.to_yaml(OmegaConf.create(nested(params)))
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    path.write_text("# @package _global_\n" + comments + body, encoding="utf-8")


def write_trials(trials: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [t.name for t in TARGETS]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["trial", "loss", "accepted"] + [p.key for p in PARAMS] + [f"z_{n}" for n in names]
                   + [f"sim_{n}" for n in names])
        for t in trials:
            w.writerow([t["number"], f"{t['loss']:.6g}", int(t["accepted"])]
                       + [f"{t['params'][p.key]:.6g}" for p in PARAMS]
                       + [f"{t['z'][n]:.4f}" for n in names] + [f"{t['mean'][n]:.6g}" for n in names])


def read_trials(path: Path) -> list[dict]:
    """The trials table written by `write_trials` (parameters, loss, accepted)."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [{"number": int(r["trial"]), "loss": float(r["loss"]), "accepted": r["accepted"] == "1",
             "params": {p.key: float(r[p.key]) for p in PARAMS}} for r in rows]


def plot_fit(before_reps: list[dict], after_reps: list[dict], observed: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    targets = TARGETS + CHECKS
    fig, axes = plt.subplots(2, (len(targets) + 1) // 2, figsize=(15, 6.5))
    for ax, t in zip(axes.ravel(), targets):
        obs = natural(t, t.observed(observed[t.key]))
        lo, hi = (obs - 100 * t.sigma, obs + 100 * t.sigma) if t.stat == "growth" else \
            (obs * math.exp(-t.sigma), obs * math.exp(t.sigma))
        ax.axhspan(lo, hi, color="0.85", label="observed ± tolerance")
        ax.axhline(obs, color="black", lw=1.5, label="observed")
        for x, reps, colour, label in ((0, before_reps, "tab:grey", "uncalibrated"),
                                       (1, after_reps, "tab:blue", "calibrated")):
            ys = [natural(t, r[t.name]) for r in reps]
            ax.scatter([x] * len(ys), ys, color=colour, alpha=0.7, label=label)
        ax.set_xticks([0, 1], ["before", "after"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(t.name + ("" if t in TARGETS else "\n(check, not fitted)"), fontsize=9)
        ax.set_ylabel(_unit(t).replace("亿元", "CNY 100 m"), fontsize=8)  # no CJK font in matplotlib
    for ax in axes.ravel()[len(targets):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7, loc="best")
    fig.suptitle("Calibration to observed Zhejiang figures through 2021: replicates before and after")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_params(trials: list[dict], best: dict, default: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, (len(PARAMS) + 1) // 2, figsize=(15, 6.5))
    loss = [t["loss"] for t in trials]
    for ax, p in zip(axes.ravel(), PARAMS):
        x = [t["params"][p.key] for t in trials]
        acc = [t["accepted"] for t in trials]
        ax.scatter([v for v, a in zip(x, acc) if not a], [v for v, a in zip(loss, acc) if not a], s=8,
                   color="0.6", label="trial")
        ax.scatter([v for v, a in zip(x, acc) if a], [v for v, a in zip(loss, acc) if a], s=12,
                   color="tab:blue", label="accepted (|z| ≤ 2 on every target)")
        ax.axvline(default[p.key], color="tab:red", ls="--", lw=1, label="stated assumption")
        ax.axvline(best[p.key], color="black", lw=1.2, label="estimate")
        ax.set_yscale("log")
        if p.log:
            ax.set_xscale("log")
        ax.set_title(p.key, fontsize=9)
        ax.set_ylabel("loss (Σ z²)", fontsize=8)
    for ax in axes.ravel()[len(PARAMS):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle("Calibration trials: loss against each parameter")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
