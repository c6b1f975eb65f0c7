"""Bayesian calibration (ABC-SMC, pyabc) of the model to every observed Zhejiang figure through a year.

    python -m experiments.calibrate                          # zhejiang_2023: 10,000 runs, all cores
    python -m experiments.calibrate --simulations 300 --population 40 --scale 0.02 --ppc 20 --out /tmp/cal  # smoke
    python -m experiments.calibrate --db outputs/calibrate/<time>/abc.db --resume   # continue a killed run
    python -m experiments.calibrate --sampler dask --scheduler tcp://HOST:8786      # on a Dask cluster
    python -m experiments.calibrate --write-docs             # ... and adopt it: update the tracked files below

Writes by default only into a new folder, outputs/calibrate/<time>/ (or --out DIR, new or empty): abc.db (the pyabc
SQLite history, unless --db names one), <name>.yaml (the posterior medoid as a Hydra calibration option),
<name>_posterior.csv (the last population: the posterior sample), <name>_ppc.csv (posterior predictive checks),
calibration_{posterior,pairs,ppc}.png and calibration.md (the targets and calibration blocks of docs/calibration.md).
With --write-docs it also updates conf/calibration/<name>.yaml, data/calibration/<name>_posterior.csv and _ppc.csv,
docs/img/calibration_*.png and those two blocks. Method: calibration/abc.py; priors: calibration/priors.py; what
is compared with what: calibration/targets.py. Extra arguments are Hydra overrides of the base config (the policy
is the plan as written); the calibrated parameters start from calibration=none.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import docs, plots, predictive
from calibration import posterior as store
from calibration.abc import Simulator, calibrate, generations, make_sampler, medoid
from calibration.docs import OutputError, check_out, duration, md_table, output_dir
from calibration.priors import check as check_priors, distribution, select, values
from calibration.report import (POSTERIOR_HEADER, check_header, check_rows, coverage_line, generations_table,
                                posterior_rows, targets_block, write_config, write_rows)
from calibration.targets import LAST_OBSERVED, MEASURES, fitted, horizon, observations
from model.api import load_config as compose
from model.data import DataError
from model.validate import ConfigError


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.split("\n")[0])
    ap.add_argument("--through", type=int, default=LAST_OBSERVED, help="fit observations up to this year")
    ap.add_argument("--simulations", type=int, default=10_000, help="model runs in all (default 10,000)")
    ap.add_argument("--population", type=int, default=500, help="particles per generation (default 500)")
    ap.add_argument("--scale", type=float, default=0.05, help="agents per firm (default 0.05)")
    ap.add_argument("--ppc", type=int, default=200, help="posterior predictive runs (default 200)")
    ap.add_argument("--workers", type=int, default=0, help="processes (default 0: every core)")
    ap.add_argument("--sampler", choices=("auto", "single", "multicore", "dask"), default="auto",
                    help="auto: multicore with more than one worker, else single (reproducible)")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address for --sampler dask")
    ap.add_argument("--db", type=Path, default=None, help="SQLite history (default: abc.db in the output folder)")
    ap.add_argument("--resume", action="store_true", help="continue the last run in --db up to --simulations")
    ap.add_argument("--seed", type=int, default=0, help="root of every seed")
    ap.add_argument("--parameters", nargs="+", default=None, metavar="KEY",
                    help="calibrate only these parameters of calibration/priors.py (default: all)")
    ap.add_argument("--name", default=None, help="calibration option written (default zhejiang_<through>)")
    ap.add_argument("--data", default=None, help="observed-data file (default data/zhejiang_observed.csv)")
    ap.add_argument("--out", type=Path, default=None, help="new or empty folder (default outputs/calibrate/<time>/)")
    ap.add_argument("--write-docs", action="store_true", help="also update the tracked files (see above)")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides of the base config")
    args = ap.parse_args(argv)
    fixed = [o for o in args.overrides if o.split("=")[0].lstrip("+~") in ("scale", "horizon", "calibration")]
    if fixed:
        ap.error(f"{fixed[0]}: the calibration sets scale (--scale), horizon and calibration itself")
    for name, least in (("simulations", 1), ("population", 2), ("ppc", 2), ("workers", 0)):
        if getattr(args, name) < least:
            ap.error(f"--{name} must be at least {least}")
    if args.resume and args.db is None:
        ap.error("--resume needs --db (the history to continue)")
    if not 2020 <= args.through <= LAST_OBSERVED:
        ap.error(f"--through must lie in 2020-{LAST_OBSERVED}")
    args.name = args.name or f"zhejiang_{args.through}"
    args.workers = args.workers or os.cpu_count() or 1
    if args.sampler == "auto":
        args.sampler = "multicore" if args.workers > 1 else "single"
    return args


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the sampler's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    args = parse(argv)
    t0, started, cpu0 = time.perf_counter(), time.time(), cpu_seconds()
    measures = fitted(args.through)
    checked = tuple(m for m in MEASURES if m.key[0] <= args.through)
    common = ["calibration=none", "chart=false", f"scale={args.scale}", *args.overrides]
    try:
        check_out(args.out)
        observed = observations(args.data)
        base = compose(*common, f"horizon={horizon(measures)}")
        ppc_base = compose(*common, f"horizon={horizon(checked)}")
        priors = select(args.parameters)
        check_priors(priors, base=base)
        if args.population <= len(priors):
            raise ValueError(f"--population {args.population}: must exceed the number of parameters "
                             f"({len(priors)}) so that their covariance can be estimated")
        if args.db is not None and args.db.exists() != args.resume:
            raise ValueError(f"--db {args.db}: " + ("exists: add --resume to continue it, or give a new path"
                                                    if args.db.exists() else "no such history to resume"))
        sampler = make_sampler(args.sampler, args.workers, args.scheduler)
    except (ConfigError, DataError, OutputError, ValueError, OSError) as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return 2
    out = output_dir(args.out, "calibrate", started)
    db = args.db or out / "abc.db"
    print(f"calibrating {len(priors)} parameters to {len(measures)} measures through {args.through}: ABC-SMC, "
          f"population {args.population}, up to {args.simulations} runs at scale {args.scale:g}, {args.sampler} "
          f"sampler on {args.workers} worker(s); history {db}", file=sys.stderr)
    try:
        result = calibrate(Simulator(base, observed, measures, priors), db, population=args.population,
                           simulations=args.simulations, sampler=sampler, resume=args.resume, seed=args.seed)
    except ValueError as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return 2
    took, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    point = medoid(result.particles, result.weights)
    rows = predictive.score(predictive.draws(ppc_base, observed, checked, result.particles, result.weights, args.ppc,
                                             args.seed, args.workers, "predictive checks"), observed, checked)
    ppc_took = duration(time.perf_counter() - t0 - took)
    gens = generations(result.history)
    command = "python -m experiments.calibrate " + " ".join(argv if argv is not None else sys.argv[1:])
    name = args.name
    conf = write_config(point, out / f"{name}.yaml", (
        f"Calibrated to the observed Zhejiang figures through {args.through} (data/zhejiang_observed.csv) by ABC-SMC.\n"
        f"Made by: {command.strip()}\n"
        f"These are the posterior medoid (a central posterior draw); the posterior sample is {name}_posterior.csv\n"
        f"in data/calibration/. Method, fit and checks: docs/calibration.md."))
    post = store.write(result.particles, result.weights, out / f"{name}_posterior.csv")
    ppc_csv = write_rows(rows, out / f"{name}_ppc.csv")
    prior = distribution(base, priors)
    np.random.seed(args.seed + 1)  # pyabc's random variables draw from numpy's global generator
    prior_sample = pd.DataFrame([values(prior.rvs(), priors) for _ in range(1000)])
    pngs = [out / f"calibration_{k}.png" for k in ("posterior", "pairs", "ppc")]
    plots.posterior_marginals(priors, result.particles, result.weights, prior_sample, point, pngs[0])
    plots.posterior_pairs(priors, result.particles, result.weights, pngs[1])
    plots.checks(rows, pngs[2], f"Posterior predictive checks through {args.through}")
    cov = predictive.coverage([r for r in rows if r["fitted"]])
    last = gens[-1]

    def blocks(img: str, where: str) -> dict[str, str]:
        return {"targets": targets_block(observed), "calibration": "\n\n".join([
            f"Made by `{command.strip()}`: {result.simulations} model runs in the ABC history "
            f"(`{Path(db).name}`), population {args.population}, scale {args.scale:g}, {len(measures)} fitted "
            f"measures through {args.through}, {len(priors)} parameters; {args.sampler} sampler on {args.workers} "
            f"worker process(es) of a machine shared with other work. Sampling took "
            f"{duration(result.sampling_seconds)} of wall time (this command {duration(took)}, "
            f"{duration(cpu)} of CPU in all its processes), the predictive checks {ppc_took}. Stopped by the "
            f"{result.stopped}; last epsilon {last['epsilon']:.3g} (floor √{len(measures)} = "
            f"{len(measures) ** 0.5:.2f}); effective sample size of the last population {last['ess']:.0f} of "
            f"{last['accepted']}.",
            "**Generations** (ABC-SMC, each accepting the runs closer than the last one's median distance):",
            generations_table(gens),
            f"**Posterior** (last population, weighted; the YAML holds its medoid, {where}):",
            md_table(POSTERIOR_HEADER, posterior_rows(priors, result.particles, result.weights, base, point)),
            f"**Posterior predictive checks**: {args.ppc} runs, each one posterior draw with a fresh seed, against "
            f"every observation through {args.through} (checks included). Fitted measures: {coverage_line(cov)}. "
            "PIT = share of runs below the observation (near 0 or 1: the observation is in a tail).",
            md_table(check_header(), check_rows(rows, observed)),
            f"![posterior]({img}calibration_posterior.png)\n\n![pairs]({img}calibration_pairs.png)\n\n"
            f"![checks]({img}calibration_ppc.png)"])}

    written = [conf, post, ppc_csv, *pngs, docs.write_fragment(
        out / "calibration.md", "Calibration (fragment of docs/calibration.md)",
        blocks("", f"`{conf.name}` beside this file; `--write-docs` writes it to `conf/calibration/`"))]
    if args.db is None:
        written.append(db)
    if args.write_docs:
        written += [docs.copy_tracked(conf, f"conf/calibration/{conf.name}"),
                    docs.copy_tracked(post, f"data/calibration/{post.name}"),
                    docs.copy_tracked(ppc_csv, f"data/calibration/{ppc_csv.name}"),
                    *(docs.copy_tracked(p, f"docs/img/{p.name}") for p in pngs),
                    docs.write_blocks(blocks("img/", f"written to `conf/calibration/{conf.name}`"))]
    print(md_table(POSTERIOR_HEADER, posterior_rows(priors, result.particles, result.weights, base, point)))
    print(f"\n{coverage_line(cov)}\n{result.simulations} runs, {duration(took)} (CPU {duration(cpu)}), "
          f"stopped by the {result.stopped}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
