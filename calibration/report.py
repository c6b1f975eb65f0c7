"""The Markdown tables of docs/calibration.md's generated blocks and the files a calibration writes (config YAML,
tables). Pure formatting apart from the writers at the end; the charts are in calibration/plots.py."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from calibration.docs import md_table
from calibration.observe import SERIES
from calibration.predictive import natural
from calibration.targets import LAST_OBSERVED, MAPPING, MEASURES, UNUSED


def fmt(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    a = abs(x)
    return f"{x:,.0f}" if a >= 100 else f"{x:,.1f}" if a >= 10 else f"{x:.3g}"


def wquantile(x, w, q) -> np.ndarray:
    """Weighted quantiles (inverse of the weighted empirical distribution, midpoint rule)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


# ----------------------------------------------------------------------------------------------- targets block
def targets_block(observed: dict) -> str:
    """The generated `targets` block: the mapping of every definition, the measures, and what is not used
    (tests/test_calibration.py checks that the page holds the block this code makes)."""
    maps = [[f"`{metric}`", f"`{defn}`", f"`{series}`: {SERIES[series]}", allowed, why]
            for (metric, defn), (series, allowed, why) in MAPPING.items()]
    rows = []
    for m in MEASURES:
        obs = observed[m.key]
        unit, conv = natural({"stat": m.stat}, obs)
        tol = f"{100 * m.sigma:g} % (log)" if m.stat == "level" else f"{100 * m.sigma:g} points"
        rows.append([f"`{m.name}`", obs.label(), f"`{obs.definition}`",
                     f"{fmt(conv(100 * m.observed(obs)))} {unit}", m.stat, tol,
                     "fitted" if m.fitted else "check", m.why])
    unused = [[f"`{metric}`", f"`{defn}`", why] for (metric, defn), why in UNUSED.items()]
    n_fit = sum(m.fitted for m in MEASURES)
    return "\n\n".join([
        "**Definitions → model series** (`calibration/targets.py::MAPPING`; every row of the data file is mapped or "
        "listed as not used):",
        md_table(["metric", "definition", "model series", "compared as", "why"], maps),
        f"**Measures**: {n_fit} fitted and {len(MEASURES) - n_fit} checks, all observed by {LAST_OBSERVED}; a "
        "calibration through an earlier year fits those observed by then:",
        md_table(["measure", "observation", "definition", "observed", "compared as", "tolerance σ", "role", "note"],
                 rows),
        "**Not compared with the model**:",
        md_table(["metric", "definition", "why"], unused)])


# ----------------------------------------------------------------------------------------------- calibration block
def posterior_rows(priors, particles, weights, base, point: dict) -> list[list]:
    rows = []
    for p in priors:
        x = particles[p.key].to_numpy(dtype=float)
        lo, med, hi = wquantile(x, weights, [0.05, 0.5, 0.95])
        c = p.centre_value(base)
        spread = f"×/÷ e^{p.spread:g}" if p.log else f"± {p.spread:g}"
        rows.append([f"`{p.key}`", f"{c:.4g} {spread}", f"**{med:.4g}**", f"{lo:.4g} – {hi:.4g}",
                     f"{point[p.key]:.4g}", p.source.split(";")[0][:90]])
    return rows


POSTERIOR_HEADER = ["parameter", "prior (centre, sd)", "posterior median", "90 % interval", "in the YAML",
                    "prior's source"]


def generations_table(gens: list[dict]) -> str:
    return md_table(["generation", "epsilon", "accepted / runs", "acceptance", "ESS"],
                    [[g["t"], f"{g['epsilon']:.3g}", f"{g['accepted']} / {g['simulations']}",
                      f"{g['accepted'] / g['simulations']:.1%}", f"{g['ess']:.0f}"] for g in gens])


def check_rows(rows: list[dict], observed: dict, error: bool = False) -> list[list]:
    """Observation vs its predictive distribution, in the reader's units (亿元, firms, % y/y)."""
    out = []
    by_name = {m.name: m for m in MEASURES}
    for r in rows:
        unit, conv = natural(r, observed[by_name[r["measure"]].key])
        cells = [f"`{r['measure']}`" + ("" if r["fitted"] else " (check)"), r["observation"],
                 f"{fmt(conv(r['observed']))} {unit}", f"{fmt(conv(r['q50']))}",
                 f"{fmt(conv(r['q25']))} – {fmt(conv(r['q75']))}", f"{fmt(conv(r['q5']))} – {fmt(conv(r['q95']))}"]
        if error:
            cells.append(f"{r['error']:+.1f}")
        cells += [f"{r['pit']:.2f}", "yes" if r["in90"] else "**no**", f"{r['crps']:.2f}"]
        out.append(cells)
    return out


def check_header(error: bool = False) -> list[str]:
    return (["measure", "observation", "observed", "median", "50 % interval", "90 % interval"]
            + (["error (points)"] if error else []) + ["PIT", "in 90 %", "CRPS (points)"])


def coverage_line(cov: dict) -> str:
    return (f"{cov['n']} observations: {100 * cov['in50']:.0f} % inside their 50 % interval, "
            f"{100 * cov['in90']:.0f} % inside their 90 % interval; mean CRPS {cov['crps']:.2f} points")


# ----------------------------------------------------------------------------------------------- writers
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


def write_config(params: dict, path: Path, header: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = OmegaConf.to_yaml(OmegaConf.create(nested(params)))
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    path.write_text("# @package _global_\n" + comments + body, encoding="utf-8")
    return path


def write_rows(rows: list[dict], path: Path) -> Path:
    """A list of flat dicts as CSV (floats with 6 significant digits)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()} for r in rows)
    return path
