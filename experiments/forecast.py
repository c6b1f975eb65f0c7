"""Forecast digital trade to 2027 with the calibrated model: values, growth, 50/90 % intervals, P(each 2025 target).

    python -m experiments.forecast                      # zhejiang_2023: 400 posterior x world draws, scale 0.05
    python -m experiments.forecast --sets 8 --seeds 1 --scale 0.02 --out /tmp/fc   # quick look
    python -m experiments.forecast --write-docs         # ... and store it, and show it in docs/calibration.md

Each run draws a parameter set from the calibration's stored posterior (data/calibration/<calibration>_posterior.csv;
without one, the calibration's point values only), a world after 2023 (CNY/USD from 2025, the 2025 US tariffs:
calibration/forecast.py) and a replicate seed. Prints the tables and writes by default only into a new folder,
outputs/forecast/<time>/ (or --out DIR, new or empty): forecast_<calibration>_<date>.csv, forecast_digital_trade.png
and forecast.md (the forecast block of docs/calibration.md). With --write-docs the forecast as made is also stored
as a NEW file data/calibration/forecast_<calibration>_<YYYY-MM-DD>[_n].csv (never overwritten), and the chart and
the block (which names the stored file) are updated. Extra arguments are Hydra overrides (e.g. policy=none).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

from calibration import docs, plots
from calibration import posterior as store
from calibration.abc import parallel_map
from calibration.docs import check_out, duration, md_table, new_file, output_dir
from calibration.forecast import T1B, Runner, plan, summarise
from model.api import load_config as compose
from model.validate import ConfigError

YEARS = (2022, 2023, 2024, 2025, 2026, 2027)
OBSERVED_THROUGH = 2023  # years up to it are the calibration period (marked in the table)


def target_names(cfg) -> dict[str, str]:
    """'digital trade ≥ USD 100 bn in 2025', … from the config's targets (never retyped), and T1b."""
    from experiments.labels import target_label
    from model.targets import goals

    tg = cfg.targets
    names = {key: target_label(key, goal, int(tg.year), int(tg.t2_base_year)) for key, goal in goals(tg).items()}
    return {**names, "T1b": T1B["name"]}


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.forecast", description=__doc__.split("\n")[0])
    ap.add_argument("--calibration", default="zhejiang_2023", help="conf/calibration option (and its posterior)")
    ap.add_argument("--sets", type=int, default=400, help="parameter sets drawn from the posterior (default 400)")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per parameter set (default 1)")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=0, help="processes (default 0: every core)")
    ap.add_argument("--fixed-world", action="store_true", help="the config's world after 2023, not drawn")
    ap.add_argument("--out", type=Path, default=None,
                    help="new or empty folder to write into (default: outputs/forecast/<time>/)")
    ap.add_argument("--write-docs", action="store_true",
                    help="also store the forecast as a new data/calibration/forecast_<calibration>_<date>.csv and "
                         "update docs/img/forecast_digital_trade.png and docs/calibration.md")
    ap.add_argument("overrides", nargs="*")
    args = ap.parse_args(argv)
    if args.sets < 1 or args.seeds < 1 or args.workers < 0:
        ap.error("--sets and --seeds must be at least 1, --workers at least 0")
    args.workers = args.workers or os.cpu_count() or 1
    return args


def _q(s: dict, scale: float = 1.0, pct: bool = False, digits: int | None = None) -> list[str]:
    def f(v):
        v = 100 * v if pct else v / scale
        if digits:
            return f"{v:.{digits}g}"
        return f"{v:+.1f}" if pct else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}")
    return [f(s["q50"]), f"{f(s['q25'])} – {f(s['q75'])}", f"{f(s['q5'])} – {f(s['q95'])}"]


def tables(summary: dict, cfg) -> tuple[list[list], list[list], list[list]]:
    rows = []
    for year in YEARS:
        for part in ("H1", "FY"):
            if (year, part, "CNY") not in summary:
                continue
            g = summary.get((year, part, "growth"))
            rows.append([f"{year} {part}" + (" (observed period)" if year <= OBSERVED_THROUGH else ""),
                         *_q(summary[(year, part, "CNY")], 1e8), *_q(summary[(year, part, "USD")], 1e9),
                         *(_q(g, pct=True) if g else ["—"] * 3)])
    ty = str(int(cfg.targets.year))
    odds = []
    for key, name in target_names(cfg).items():
        if (ty, key, "met") not in summary:
            continue
        p, v = summary[(ty, key, "met")], summary[(ty, key, "value")]
        scale = 1e9 if key == "T1" else 1e8 if key == "T1b" else 1.0
        odds.append([key, name, f"**{100 * p['mean']:.0f} %** ({100 * p['q5']:.0f} – {100 * p['q95']:.0f})",
                     *_q(v, scale, pct=key == "T2")])
    worlds = [[label, *_q(summary[("world", key, unit)], digits=3)] for key, unit, label in WORLD_ROWS
              if ("world", key, unit) in summary]
    return rows, odds, worlds


WORLD_ROWS = (("world.fx_scenarios.central", "CNY per USD", "CNY per USD from 2025"),
              ("world.tariff_2025.tariff", "ad valorem", "additional US tariff from 2025"),
              ("world.tariff_2025.elasticity", "elasticity", "trade elasticity (absolute)"),
              ("world.tariff_2025.goods_multiplier", "x demand", "US goods demand multiplier"),
              ("world.tariff_2025.digital_multiplier", "x demand", "US digital demand multiplier"))


def csv_text(summary: dict) -> str:
    """The forecast table (one row per statistic: mean, 5/25/50/75/95 %, runs), as stored. For 'met' rows the mean
    is P(met) and the quantiles those of P(met) over bootstrap resamples of the runs."""
    fh = io.StringIO(newline="")
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["year", "part", "measure", "unit", "mean", "q5", "q25", "q50", "q75", "q95", "runs"])
    units = {"CNY": "CNY", "USD": "USD", "growth": "y/y", "met": "probability"}
    for (year, part, measure), s in summary.items():
        unit = units.get(measure, "target value") if year != "world" else measure
        w.writerow([year, part, measure, unit] + [f"{s[k]:.6g}" for k in ("mean", "q5", "q25", "q50", "q75", "q95")]
                   + [s["n"]])
    return fh.getvalue()


def simulate_ensemble(cfg, items: list, workers: int) -> list[dict]:
    """Every run's statistics plus its world draw (recorded as ('world', key, unit) entries)."""
    stats = parallel_map(Runner(cfg, YEARS), items, workers, "forecast runs")
    units = {k: u for k, u, _ in WORLD_ROWS}
    for s, (_, wld, _) in zip(stats, items):
        s.update({("world", k, units[k]): v for k, v in wld.items() if k in units})
    return stats


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    try:
        check_out(args.out)
        cfg = compose(f"calibration={args.calibration}", f"scale={args.scale}", f"horizon={YEARS[-1]}Q4",
                      "chart=false", *args.overrides)
        post = store.path(args.calibration)
        particles, weights = store.load(post) if post.exists() else (None, None)
        if particles is not None:
            from calibration.priors import with_values
            with_values(cfg, particles.iloc[0].to_dict())  # a posterior key the schema lacks fails here
    except (ConfigError, OSError, KeyError, ValueError) as exc:  # OutputError is a ValueError
        print(f"forecast: error: {exc}", file=sys.stderr)
        return 2
    items = plan(particles, weights, args.sets, args.seeds, args.seed, cfg, world_draws=not args.fixed_world)
    source = (f"{args.sets} parameter sets drawn from `{post.relative_to(docs.ROOT).as_posix()}`" if particles is not
              None else f"the point values of `calibration={args.calibration}` ({args.sets} sets: no stored posterior,"
              " so parameter uncertainty is left out)")
    print(f"forecast: {source} x {args.seeds} seed(s), world {'fixed' if args.fixed_world else 'drawn'}, scale "
          f"{args.scale:g}, {len(items)} runs on {args.workers} worker(s)", file=sys.stderr)
    stats = simulate_ensemble(cfg, items, args.workers)
    summary = summarise(stats, seed=args.seed)
    rows, odds, worlds = tables(summary, cfg)
    took = duration(time.perf_counter() - t0)
    out = output_dir(args.out, "forecast", started)
    stem = f"forecast_{args.calibration}_{time.strftime('%Y-%m-%d', time.localtime(started))}"
    data = csv_text(summary).encode("utf-8")
    table = new_file(out, stem, ".csv", data)
    png = out / "forecast_digital_trade.png"
    from model.data import load_observed

    plots.forecast(summary, (2021,) + YEARS, load_observed()[(2020, "FY", "digital_trade_total")].si_value,
                   float(cfg.targets.t1_digital_trade_usd), T1B["threshold"], int(cfg.targets.year), png)
    command = "python -m experiments.forecast " + " ".join(argv if argv is not None else sys.argv[1:])
    t1 = md_table(["period", "亿元 median", "50 %", "90 %", "USD bn median", "50 %", "90 %", "growth y/y % median",
                   "50 %", "90 %"], rows)
    t2 = md_table(["target", "", "P(met) (90 % Monte Carlo interval)", f"{cfg.targets.year} value median", "50 %",
                   "90 %"], odds)
    t3 = md_table(["world draw", "median", "50 %", "90 %"], worlds) if worlds else "(world fixed: --fixed-world)"

    def block(stored: str, img: str) -> dict[str, str]:
        return {"forecast": (
            f"Made by `{command.strip()}` in {took}: {source} × {args.seeds} seed(s) = {len(stats)} runs at scale "
            f"{args.scale:g}, each with its own world draw; overrides: {' '.join(args.overrides) or 'none'}. Stored "
            f"as {stored}. H1 = first two quarters (the model has no seasonality). T2 values in % a year; T1 in USD "
            f"bn, T1b in 亿元.\n\n{t1}\n\n**{cfg.targets.year} targets** (share of runs meeting each; the interval is "
            f"the Monte Carlo uncertainty of that share):\n\n{t2}\n\n**World after 2023** (drawn per run):\n\n{t3}\n\n"
            f"![forecast]({img}forecast_digital_trade.png)")}

    stored = None
    if args.write_docs:  # the forecast as made: a new file, never one that exists
        stored = new_file(docs.ROOT / "data" / "calibration", stem, ".csv", data)
    where = (f"`{stored.relative_to(docs.ROOT).as_posix()}` (the forecast as made, never overwritten)" if stored
             else f"`{table.name}` beside this file (`--write-docs` stores it in `data/calibration/`)")
    written = [table, png, docs.write_fragment(out / "forecast.md", "Forecast (fragment of docs/calibration.md)",
                                               block(where, ""))]
    if stored:
        written += [stored, docs.copy_tracked(png, f"docs/img/{png.name}"), docs.write_blocks(block(where, "img/"))]
    print(t1 + "\n\n" + t2 + "\n\n" + t3)
    print(f"\n{len(stats)} runs, {took}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
