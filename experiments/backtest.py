"""Rolling-origin backtest of the calibration: through 2020 -> predict 2021; through 2021 -> predict 2022 and 2023.

    python -m experiments.backtest                     # both origins, 4,000 ABC runs each, 200 predictive runs
    python -m experiments.backtest --simulations 200 --population 30 --draws 20 --scale 0.02 --out /tmp/bt  # smoke
    python -m experiments.backtest --db-dir outputs/backtest/<time> --resume   # continue killed calibrations
    python -m experiments.backtest --write-docs        # ... and store the table, update docs/calibration.md

Each origin is a full ABC-SMC calibration (calibration/abc.py) on the observations through it, then a posterior
predictive of every observation of the years after it (calibration/backtest.py). Writes by default only into a new
folder, outputs/backtest/<time>/ (or --out DIR): backtest_<origin>.db (the ABC histories, unless --db-dir),
backtest_<origin>_posterior.csv, backtest.csv (every held-out observation), backtest.png and backtest.md (the backtest
block of docs/calibration.md). With --write-docs the table as made is also stored as a NEW file
data/calibration/backtest_<date>[_n].csv (never overwritten), and docs/img/backtest.png and the block are updated.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from calibration import docs, plots, predictive
from calibration import posterior as store
from calibration.abc import ess, make_sampler
from calibration.backtest import ORIGINS, run_origin
from calibration.priors import select
from calibration.docs import OutputError, check_out, duration, md_table, new_file, output_dir
from calibration.report import check_header, check_rows, coverage_line, write_rows
from calibration.targets import observations
from model.data import DataError
from model.validate import ConfigError


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.backtest", description=__doc__.split("\n")[0])
    ap.add_argument("--origins", type=int, nargs="+", default=list(ORIGINS), choices=list(ORIGINS))
    ap.add_argument("--simulations", type=int, default=4000, help="ABC runs per origin (default 4,000)")
    ap.add_argument("--population", type=int, default=300, help="particles per generation (default 300)")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--draws", type=int, default=200, help="predictive runs per origin (default 200)")
    ap.add_argument("--workers", type=int, default=0, help="processes (default 0: every core)")
    ap.add_argument("--sampler", choices=("auto", "single", "multicore", "dask"), default="auto")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address for --sampler dask")
    ap.add_argument("--db-dir", type=Path, default=None, help="folder of the ABC histories (default: --out)")
    ap.add_argument("--resume", action="store_true", help="continue the histories in --db-dir")
    ap.add_argument("--parameters", nargs="+", default=None, metavar="KEY",
                    help="calibrate only these parameters of calibration/priors.py (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides of the base config")
    args = ap.parse_args(argv)
    if any(o.split("=")[0].lstrip("+~") in ("scale", "horizon", "calibration") for o in args.overrides):
        ap.error("the backtest sets scale (--scale), horizon and calibration itself")
    for name, least in (("simulations", 1), ("population", 2), ("draws", 2), ("workers", 0)):
        if getattr(args, name) < least:
            ap.error(f"--{name} must be at least {least}")
    if args.resume and args.db_dir is None:
        ap.error("--resume needs --db-dir")
    args.workers = args.workers or os.cpu_count() or 1
    if args.sampler == "auto":
        args.sampler = "multicore" if args.workers > 1 else "single"
    return args


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    common = ["calibration=none", "chart=false", f"scale={args.scale}", *args.overrides]
    try:
        check_out(args.out)
        observed = observations(args.data)
        from model.api import load_config
        load_config(*common)  # a bad override fails here, before anything runs
        priors = select(args.parameters)
        if args.population <= len(priors):
            raise ValueError(f"--population {args.population}: must exceed the number of parameters "
                             f"({len(priors)}) so that their covariance can be estimated")
    except (ConfigError, DataError, OutputError, ValueError) as exc:
        print(f"backtest: error: {exc}", file=sys.stderr)
        return 2
    out = output_dir(args.out, "backtest", started)
    dbs = args.db_dir or out
    origins, rows, written = [], [], []
    for origin in sorted(args.origins):
        print(f"backtest: calibrating through {origin} ({args.simulations} runs), predicting "
              f"{', '.join(map(str, ORIGINS[origin]))}", file=sys.stderr)
        try:
            o = run_origin(origin, observed, common, simulations=args.simulations, population=args.population,
                           sampler=make_sampler(args.sampler, args.workers, args.scheduler),
                           db=dbs / f"backtest_{origin}.db", draws=args.draws, seed=args.seed,
                           workers=args.workers, resume=args.resume, priors=priors)
        except ValueError as exc:
            print(f"backtest: error: {exc}", file=sys.stderr)
            return 2
        origins.append(o)
        rows += o["rows"]
        written.append(store.write(o["result"].particles, o["result"].weights,
                                   out / f"backtest_{origin}_posterior.csv"))
    took = duration(time.perf_counter() - t0)
    table = write_rows(rows, out / "backtest.csv")
    png = out / "backtest.png"
    plots.checks([{**r, "measure": f"{r['origin']}→ {r['measure']}"} for r in rows], png,
                 "Rolling-origin backtest: held-out observations against their predictive distributions")
    command = "python -m experiments.backtest " + " ".join(argv if argv is not None else sys.argv[1:])
    per = [f"through {o['origin']}: {o['result'].simulations} ABC runs on {o['fitted']} fitted measures "
           f"(stopped by the {o['result'].stopped}, ESS {ess(o['result'].weights):.0f} of "
           f"{len(o['result'].weights)})" for o in origins]
    lines = [f"- predicting {', '.join(map(str, ORIGINS[o['origin']]))} from {o['origin']}: "
             f"{coverage_line(predictive.coverage(o['rows']))}" for o in origins]
    lines.append(f"- **all held-out observations**: {coverage_line(predictive.coverage(rows))}")

    def block(stored: str, img: str) -> dict[str, str]:
        body = md_table(["origin"] + check_header(error=True),
                        [[r["origin"], *c] for r, c in zip(rows, check_rows(rows, observed, error=True))])
        return {"backtest": "\n\n".join([
            f"Made by `{command.strip()}` in {took} on {args.workers} worker(s), scale {args.scale:g}, "
            f"{args.draws} predictive runs per origin; {'; '.join(per)}. Stored as {stored}.",
            "\n".join(lines), body, f"![backtest]({img}backtest.png)"])}

    stored = None
    if args.write_docs:
        stored = new_file(docs.ROOT / "data" / "calibration", f"backtest_{time.strftime('%Y-%m-%d')}", ".csv",
                          table.read_bytes())
    where = (f"`{stored.relative_to(docs.ROOT).as_posix()}` (as made, never overwritten)" if stored
             else f"`{table.name}` beside this file")
    written += [table, png, docs.write_fragment(out / "backtest.md", "Backtest (fragment of docs/calibration.md)",
                                                block(where, ""))]
    written += [out / f"backtest_{o['origin']}.db" for o in origins if args.db_dir is None]
    if stored:
        written += [stored, docs.copy_tracked(png, f"docs/img/{png.name}"), docs.write_blocks(block(where, "img/"))]
    print("\n".join(lines))
    print(f"\n{len(rows)} held-out observations, {took}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
