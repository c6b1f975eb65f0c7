"""Lever responses beside published micro-evidence: each study's experiment run through the model as it was run.

    python -m experiments.responses                          # 10 paired replicates at scale 1 (the doc's table)
    python -m experiments.responses --seeds 4 --scale 0.25 --out /tmp/responses
    python -m experiments.responses --write-docs             # ... and update docs/evidence.md, docs/evidence.csv

Replicate r of the plan and of each counterfactual share their seed (experiments/response_runs.py), so each
replicate gives one paired estimate; the table shows their mean with a 95 % Student-t interval over replicates
beside the published estimate and a range asserted from the evidence (tests/test_responses.py asserts it).
Effects are 100 x log ratios ("log points", as the studies' log-outcome coefficients). The estimators are in
experiments/estimators.py. Writes by default only into outputs/responses/<time>/ (or --out DIR): responses.csv
(one row per experiment and replicate) and evidence.md (the block of docs/evidence.md); --write-docs also
copies the CSV to docs/evidence.csv and replaces the block. Exit 0 whether or not an estimate is in range.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import docs
from calibration.docs import OutputError, check_out, md_table, output_dir
from experiments.estimators import arc_elasticity, not_yet_treated_att, rd_user_cost, t_interval, twfe_did
from experiments.response_runs import Track, run_tracked, variants
from model.validate import ConfigError

DOC = Path("docs") / "evidence.md"   # relative to docs.ROOT
CSV = Path("docs") / "evidence.csv"
BLOCK = "responses"


@dataclass(frozen=True)
class Evidence:
    experiment: str  # what the study did, in the plan's words
    published: str   # its estimate and source
    model: str       # how the model is run and measured
    lo: float        # the range asserted (tests/test_responses.py)
    hi: float
    why: str         # where the range comes from


CHEN = "Chen, Liu, Suárez Serrato & Xu 2021, AER 111(7):2065–2100, doi:10.1257/aer.20191758"
QIAN = "Qian, Zhan & Pan 2023, China & World Economy, doi:10.1111/cwe.12505"
YUAN = "Yuan, Ji, Zhang & Lei 2024, Sustainability 16(5):1802, doi:10.3390/su16051802"
LI = "Li, Zhang & Xu 2026, Economies 14(6):237"

EVIDENCE = {
    "rd_elasticity": Evidence(
        "R&D super-deduction 50 % vs 100 %: elasticity of R&D to its user cost",
        f"1.58 (2013 change), 2.05 (2016 change): {QIAN}; 2 reported, 1.14 real: {CHEN}",
        "adopters' transformation outlays in tax-covered city-quarters, `super_deduction` 0.25 below vs 0.25 above "
        "the plan's; user cost: Hall–Jorgenson B-index (1 − τ(1 + θs))/(1 − τ), τ the standard rate, θ `rd_share`",
        1.0, 2.5, "the published real (1.14) to reported (2.05) elasticities, widened"),
    "notch_itt": Evidence(
        "High-tech CIT rate 15 % instead of 25 % (the notch): effect on R&D",
        f"+18.8 % intent-to-treat, 45 % of it relabelling, so ≈ +10 % real: {CHEN}",
        "the same outlays, plan vs `reduced_cit_rate` = standard rate",
        5.0, 25.0, "the real response (≈ 10) to the reported one (18.8), widened"),
    "cbec_entry": Evidence(
        "CBEC comprehensive pilot zones, staggered by city: new-firm entry",
        f"+13.3 % (two-way FE DiD, 278 cities 2010–2020): {YUAN}",
        "log entrants by city and quarter of the plan run on the zone's roll-out dummy, city and quarter fixed "
        "effects (two-way FE OLS, as the study)",
        5.0, 25.0, "the published 13.3 within about a factor of two"),
    "infrastructure": Evidence(
        "Digital infrastructure (Broadband China pilots): revenue per employee",
        f"+4.1 % (two-way FE DiD), positive but not significant with Callaway–Sant'Anna: {LI}",
        "trade per living firm, plan vs `policy.infrastructure.enabled=false`, mean over the quarters it acts",
        1.0, 10.0, "of the order of the published +4.1: a quarter of it to 2.5 times it"),
}
CHECKS = {
    "cbec_entry_cs": Evidence(
        "Check: the roll-out DiD with Callaway–Sant'Anna comparisons", "",
        "group-time ATTs against not-yet-treated cities, log cohort totals, cohort-size weights", 5.0, 25.0,
        "as the two-way FE estimate"),
    "cbec_entry_placebo": Evidence(
        "Check: the roll-out DiD on the no-plan runs (placebo)", "",
        "two-way FE DiD of `policy=none` with the plan's roll-out dummy, same seeds", -5.0, 5.0,
        "no lever, no effect: the model's cities trend in parallel"),
}


def estimates(runs: dict[str, Track], configs: dict) -> dict[str, float]:
    """One replicate's estimate of each experiment and check from its paired runs (`configs`: their configs)."""
    plan = runs["plan"]
    covered = plan.tax_cover  # the same in every tax variant: coverage is the phasing's

    def rd(track: Track) -> float:
        total = float((track.outlay * covered).sum())
        if total <= 0:
            raise ValueError("no adopter claimed the super-deduction before the horizon: give a later --horizon")
        return total

    cost = [rd_user_cost(t.standard_cit_rate, t.super_deduction, t.rd_share)
            for t in (configs["deduction_low"].policy.tax, configs["deduction_up"].policy.tax)]
    treated = plan.zone.T  # (cities, quarters): the zone open in the city (model.policy.zone)
    first = np.where(treated.any(axis=1), treated.argmax(axis=1), treated.shape[1])
    with np.errstate(divide="ignore"):
        log_entry, log_placebo = np.log(plan.entrants.T), np.log(runs["none"].entrants.T)
    on = plan.infra_on
    per_firm = {k: runs[k].trade.sum(axis=1) / runs[k].firms.sum(axis=1) for k in ("plan", "no_infrastructure")}
    return {
        "rd_elasticity": float(arc_elasticity(rd(runs["deduction_low"]), rd(runs["deduction_up"]), *cost)),
        "notch_itt": 100 * float(np.log(rd(plan) / rd(runs["no_notch"]))),
        "cbec_entry": 100 * twfe_did(log_entry, treated),
        "infrastructure": 100 * float(np.log(per_firm["plan"][on] / per_firm["no_infrastructure"][on]).mean()),
        "cbec_entry_cs": 100 * not_yet_treated_att(plan.entrants.T, first),
        "cbec_entry_placebo": 100 * twfe_did(log_placebo, treated),
    }


def run(seeds: int, scale: float, horizon: str = "2025Q4", seed: int = 0, overrides: tuple[str, ...] = (),
        progress: bool = False) -> pd.DataFrame:
    """Every experiment, `seeds` paired replicates: one row per experiment and replicate."""
    configs = variants(overrides, scale, horizon, seed)
    rows = []
    for r in range(seeds):
        runs = {name: run_tracked(cfg, r) for name, cfg in configs.items()}
        for name, value in estimates(runs, configs).items():
            rows.append({"experiment": name, "replicate": r, "estimate": value, "seed": seed, "scale": scale,
                         "horizon": horizon, "overrides": " ".join(overrides)})
        if progress:
            print(f"  replicate {r + 1}/{seeds} done", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def summary(frame: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """experiment -> (mean, lo, hi) over its replicates."""
    return {name: t_interval(group["estimate"].to_numpy()) for name, group in frame.groupby("experiment", sort=False)}


def in_range(name: str, value: float) -> bool:
    e = {**EVIDENCE, **CHECKS}[name]
    return e.lo <= value <= e.hi


def _fmt(name: str, mean: float, lo: float, hi: float) -> str:
    digits = 2 if name == "rd_elasticity" else 1

    def num(v: float) -> str:
        text = f"{v:.{digits}f}"
        return text.lstrip("-") if float(text) == 0 else text  # no "-0.0"
    return f"{num(mean)} ({num(lo)} to {num(hi)})"


def command(frame: pd.DataFrame) -> str:
    first = frame.iloc[0]
    parts = [f"--seeds {frame['replicate'].nunique()}", f"--scale {first['scale']:g}"]
    if int(first["seed"]) != 0:
        parts.append(f"--seed {int(first['seed'])}")
    if first["horizon"] != "2025Q4":
        parts.append(f"--horizon {first['horizon']}")
    overrides = first["overrides"] if isinstance(first["overrides"], str) else ""
    return " ".join(["python -m experiments.responses", *parts, "--write-docs", overrides]).strip()


def block(frame: pd.DataFrame) -> str:
    """The generated block of docs/evidence.md, made from the per-replicate table alone."""
    s = summary(frame)
    n = frame["replicate"].nunique()

    def rows(table: dict[str, Evidence], published: bool) -> list[list]:
        out = []
        for name, e in table.items():
            mean, lo, hi = s[name]
            verdict = "yes" if in_range(name, mean) else "**no**"
            out.append([e.experiment, *([e.published] if published else []), _fmt(name, mean, lo, hi),
                        f"[{e.lo:g}, {e.hi:g}] ({e.why})", verdict])
        return out

    main = md_table(["experiment", "published estimate", "model: mean (95 % interval)", "asserted range",
                     "in range"], rows(EVIDENCE, True))
    checks = md_table(["design check", "model: mean (95 % interval)", "asserted range", "in range"],
                      rows(CHECKS, False))
    how = "\n".join(f"- **{e.experiment}**: {e.model}." for e in {**EVIDENCE, **CHECKS}.values())
    first = frame.iloc[0]
    return (f"Made by `{command(frame)}`: {n} paired replicates (replicate seeds of seed {int(first['seed'])}), "
            f"scale {first['scale']:g}, to {first['horizon']}. Effects in log points × 100 (the elasticity as "
            f"it is); intervals: Student-t over the paired replicates.\n\n{main}\n\n{checks}\n\nHow each is "
            f"measured:\n\n{how}")


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.responses", description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10, help="paired replicates (spawned seeds)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="agents per real firm (1 = one per firm)")
    ap.add_argument("--horizon", default="2025Q4")
    ap.add_argument("--out", type=Path, default=None,
                    help="new or empty folder to write into (default: outputs/responses/<time>/)")
    ap.add_argument("--write-docs", action="store_true", help="also update docs/evidence.md and docs/evidence.csv")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides (default: the calibrated plan)")
    args = ap.parse_args(argv)
    if args.seeds < 2:
        ap.error("--seeds must be at least 2 (an interval needs two replicates)")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    try:
        check_out(args.out)
        frame = run(args.seeds, args.scale, args.horizon, args.seed, tuple(args.overrides), progress=True)
    except (ConfigError, OutputError, ValueError) as exc:
        print(f"responses: error: {exc}", file=sys.stderr)
        return 2
    out = output_dir(args.out, "responses", started)
    csv = out / "responses.csv"
    frame.to_csv(csv, index=False, float_format="%.10g")
    text = block(pd.read_csv(csv, keep_default_na=False))  # from the stored table, as the doc test makes it
    written = [csv, docs.write_fragment(out / "evidence.md", "Lever responses (fragment of docs/evidence.md)",
                                        {BLOCK: text})]
    if args.write_docs:
        written.append(docs.copy_tracked(csv, CSV))
        docs.replace_block(docs.ROOT / DOC, BLOCK, text)
        written.append(docs.ROOT / DOC)
    print(text)
    print(f"\n{docs.duration(time.perf_counter() - t0)}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
