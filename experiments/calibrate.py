"""Calibrate the uncertain parameters to observed Zhejiang figures through 2021 (method: calibration/search.py).

    python -m experiments.calibrate                      # the full calibration (its time: the generated block)
    python -m experiments.calibrate --trials 12 --replicates 2 --check-replicates 2 --out /tmp/cal  # smoke
    python -m experiments.calibrate --write-docs         # ... and adopt it: update the tracked files below

Writes by default only into a new folder, outputs/calibrate/<time>/ (or --out DIR, new or empty): <name>.yaml
(the estimate, a candidate Hydra config group option), <name>_trials.csv (every trial), calibration_fit.png,
calibration_params.png and calibration.md (the targets and calibration blocks of docs/calibration.md).
With --write-docs it also updates the tracked conf/calibration/<name>.yaml, data/calibration/<name>_trials.csv,
docs/img/calibration_{fit,params}.png and those two blocks of docs/calibration.md. Extra arguments are Hydra
overrides of the base config (e.g. policy=plan, the default); the search itself starts from calibration=none.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from model.api import load_config as compose
from calibration import docs
from calibration.docs import OutputError, check_out, duration, md_table, output_dir
from calibration.report import (fit_table, param_table, plot_fit, plot_params, targets_block, write_config,
                                write_trials)
from calibration.search import accepted_ranges, calibrate, defaults, evaluate
from model.api import replicate_seeds
from calibration.targets import CHECKS, TARGETS, UNUSED, observations, score
from model.data import DataError
from model.validate import ConfigError


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=200, help="optuna trials (default 200)")
    ap.add_argument("--replicates", type=int, default=6, help="seeds per trial (default 6)")
    ap.add_argument("--scale", type=float, default=0.05, help="agents per firm during the search (default 0.05)")
    ap.add_argument("--recheck", type=int, default=5, help="best trials re-run on fresh seeds (default 5)")
    ap.add_argument("--check-scale", type=float, default=0.25, help="scale of the reported fit (default 0.25)")
    ap.add_argument("--check-replicates", type=int, default=10, help="fresh seeds of the reported fit")
    ap.add_argument("--seed", type=int, default=0, help="root of the sampler's and the replicates' seeds")
    ap.add_argument("--name", default="zhejiang_2021", help="name of the calibration config written")
    ap.add_argument("--data", default=None, help="observed-data file (default data/zhejiang_observed.csv)")
    ap.add_argument("--out", type=Path, default=None,
                    help="new or empty folder to write into (default: outputs/calibrate/<time>/)")
    ap.add_argument("--write-docs", action="store_true",
                    help="also update conf/calibration/<name>.yaml, data/calibration/<name>_trials.csv, "
                         "docs/img/calibration_*.png and docs/calibration.md")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides of the base config")
    args = ap.parse_args(argv)
    fixed = [o for o in args.overrides if o.split("=")[0].lstrip("+~") in ("scale", "horizon", "calibration")]
    if fixed:
        ap.error(f"{fixed[0]}: the search sets scale (--scale, --check-scale), horizon (2021Q4) and calibration")
    for name in ("trials", "replicates", "recheck", "check_replicates"):
        if getattr(args, name) < (2 if "replicates" in name else 1):
            ap.error(f"--{name.replace('_', '-')} must be at least {2 if 'replicates' in name else 1}")
    return args


def _progress(total: int):
    best = [float("inf")]

    def show(number: int, loss: float) -> None:
        best[0] = min(best[0], loss)
        if number % 10 == 0 or number == total - 1:
            print(f"  trial {number + 1}/{total}: loss {loss:.2f} (best {best[0]:.2f})", file=sys.stderr, flush=True)
    return show


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    common = ["calibration=none", "horizon=2021Q4", "chart=false", *args.overrides]
    try:
        check_out(args.out)
        observed = observations(args.data)
        base = compose(*common, f"scale={args.scale}")
        check = compose(*common, f"scale={args.check_scale}")
    except (ConfigError, DataError, OutputError, ValueError) as exc:
        print(f"calibrate: error: {exc}", file=sys.stderr)
        return 2
    print(f"calibrating {len(TARGETS)} targets, {args.trials} trials x {args.replicates} replicates at scale "
          f"{args.scale:g} (seed {args.seed})", file=sys.stderr)
    result = calibrate(base, observed, n_trials=args.trials, replicates=args.replicates, seed=args.seed,
                       recheck=args.recheck, progress=_progress(args.trials))
    # the reported fit: default scale, seeds never used in the search
    fresh = replicate_seeds(args.seed, args.check_replicates, skip=1000)
    default = defaults(base)
    _, before_reps = evaluate(check, default, fresh, observed)
    _, after_reps = evaluate(check, result.best, fresh, observed)
    everything = TARGETS + CHECKS
    before, after = score(before_reps, observed, everything), score(after_reps, observed, everything)
    loss_before, loss_after = score(before_reps, observed)["loss"], score(after_reps, observed)["loss"]
    took = duration(time.perf_counter() - t0)

    ranges = accepted_ranges(result.trials)
    n_acc = sum(t["accepted"] for t in result.trials)
    command = "python -m experiments.calibrate " + " ".join(argv if argv is not None else sys.argv[1:])
    out = output_dir(args.out, "calibrate", started)
    conf_path, trials_path = out / f"{args.name}.yaml", out / f"{args.name}_trials.csv"
    fit_png, params_png = out / "calibration_fit.png", out / "calibration_params.png"
    write_config(result.best, conf_path,
                 f"Calibrated to observed Zhejiang figures through 2021 (data/zhejiang_observed.csv).\n"
                 f"Made by: {command.strip()}\n"
                 f"Method and fit: docs/calibration.md. Loss (sum of z^2 over {len(TARGETS)} targets, "
                 f"{args.check_replicates} fresh seeds at scale {args.check_scale:g}): {loss_after:.2f} "
                 f"(uncalibrated {loss_before:.2f}).")
    write_trials(result.trials, trials_path)
    plot_fit(before_reps, after_reps, observed, fit_png)
    plot_params(result.trials, result.best, default, params_png)

    def blocks(img: str, where: str) -> dict[str, str]:
        return {"targets": targets_block(observed), "calibration": "\n\n".join([
            f"Made by `{command.strip()}` in {took}: {args.trials} trials × {args.replicates} "
            f"replicates at scale {args.scale:g}, the best {args.recheck} re-run on fresh seeds; fit below at scale "
            f"{args.check_scale:g} on {args.check_replicates} seeds never used in the search. Loss Σz² over the "
            f"{len(TARGETS)} fitted targets: **{loss_after:.2f}** calibrated, {loss_before:.2f} uncalibrated. "
            f"Accepted trials (|z| ≤ 2 on every target): {n_acc} of {len(result.trials)}.",
            "**Fit** (levels in 亿元 = CNY 100 m; error = calibrated − observed; z uses tolerance and seed spread):",
            fit_table(before, after, observed),
            f"**Parameters** ({where}):",
            param_table(result.best, default, ranges),
            "**Observations not used in the fit**:",
            md_table(["observation", "why not"], [[k, v] for k, v in UNUSED.items()]),
            f"![fit]({img}calibration_fit.png)\n\n![trials]({img}calibration_params.png)",
        ])}

    written = [conf_path, trials_path, fit_png, params_png,
               docs.write_fragment(out / "calibration.md", "Calibration (fragment of docs/calibration.md)",
                                   blocks("", f"in `{conf_path.name}` beside this file; `--write-docs` "
                                              f"writes it to `conf/calibration/`"))]
    if args.write_docs:
        written += [docs.copy_tracked(conf_path, f"conf/calibration/{conf_path.name}"),
                    docs.copy_tracked(trials_path, f"data/calibration/{trials_path.name}"),
                    docs.copy_tracked(fit_png, f"docs/img/{fit_png.name}"),
                    docs.copy_tracked(params_png, f"docs/img/{params_png.name}"),
                    docs.write_blocks(blocks("img/", f"written to `conf/calibration/{conf_path.name}`"))]
    print(fit_table(before, after, observed))
    print()
    print(param_table(result.best, default, ranges))
    print(f"\nloss {loss_after:.2f} (uncalibrated {loss_before:.2f}); {n_acc} accepted trials; {took}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
