"""Forecast 2022-2025 digital trade with the calibrated model: values, growth, intervals, P(each 2025 target).

    python -m experiments.forecast                    # 16 parameter sets x 3 seeds at scale 0.25
    python -m experiments.forecast --sets 4 --seeds 2 --scale 0.05 --out /tmp/fc   # quick look
    python -m experiments.forecast --write-docs       # ... and store it, and show it in docs/calibration.md

Prints the table and writes by default only into a new folder, outputs/forecast/<time>/ (or --out DIR, new or
empty): forecast_<calibration>_<date>.csv, forecast_digital_trade.png and forecast.md (the forecast block of
docs/calibration.md). With --write-docs the forecast as made is also stored as a NEW file
data/calibration/forecast_<calibration>_<YYYY-MM-DD>[_n].csv (an existing file is never overwritten: _2, _3, ...
are added), and docs/img/forecast_digital_trade.png and the forecast block of docs/calibration.md (which names
the stored file) are updated. The time a run took is in its generated block.
Extra arguments are Hydra overrides (e.g. world.fx=strong_usd); the default is the plan as written.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

from model.api import load_config as compose
from calibration import docs
from calibration.docs import check_out, duration, md_table, new_file, output_dir
from calibration.forecast import YEARS, ensemble, simulate_ensemble, summarise
from calibration.report import read_trials
from calibration.search import defaults
from model.validate import ConfigError



def target_names(cfg) -> dict[str, str]:
    """'digital trade ≥ USD 100 bn in 2025', … from the config's targets (never retyped)."""
    from experiments.labels import target_label
    from model.targets import goals

    tg = cfg.targets
    return {key: target_label(key, goal, int(tg.year), int(tg.t2_base_year)) for key, goal in goals(tg).items()}


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.forecast", description=__doc__.split("\n")[0])
    ap.add_argument("--calibration", default="zhejiang_2021", help="conf/calibration option to forecast with")
    ap.add_argument("--sets", type=int, default=16, help="parameter sets: the estimate + accepted trials")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per parameter set")
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None,
                    help="new or empty folder to write into (default: outputs/forecast/<time>/)")
    ap.add_argument("--write-docs", action="store_true",
                    help="also store the forecast as a new data/calibration/forecast_<calibration>_<date>.csv and "
                         "update docs/img/forecast_digital_trade.png and docs/calibration.md")
    ap.add_argument("overrides", nargs="*")
    args = ap.parse_args(argv)
    if args.sets < 1 or args.seeds < 1:
        ap.error("--sets and --seeds must be at least 1")
    return args


def _cell(s: dict, scale: float = 1.0, pct: bool = False) -> str:
    f = (lambda v: f"{100 * v:+.1f}") if pct else (lambda v: f"{v / scale:,.0f}" if v / scale >= 100
                                                   else f"{v / scale:,.1f}")
    return f"{f(s['q50'])} [{f(s['q5'])}, {f(s['q95'])}]"


def tables(summary: dict, cfg) -> tuple[list[list], list[list]]:
    rows = []
    for year in YEARS:
        for part in ("H1", "FY"):
            if (year, part, "CNY") not in summary:
                continue
            g = summary.get((year, part, "growth"))
            rows.append([f"{year} {part}" + (" (in sample)" if year == YEARS[0] else ""),
                         _cell(summary[(year, part, "CNY")], 1e8), _cell(summary[(year, part, "USD")], 1e9),
                         _cell(g, pct=True) if g else "—"])
    odds = [[key, name, f"{100 * summary[('2025', key, 'met')]['mean']:.0f} %",
             _cell(summary[("2025", key, "value")], 1e9 if key == "T1" else 1.0, pct=key == "T2")]
            for key, name in target_names(cfg).items() if ("2025", key, "met") in summary]
    return rows, odds


def csv_text(summary: dict) -> str:
    """The forecast table (one row per statistic: mean, 5/50/95 % over the ensemble, runs), as stored."""
    fh = io.StringIO(newline="")
    w = csv.writer(fh)
    w.writerow(["year", "part", "measure", "unit", "mean", "q5", "q50", "q95", "runs"])
    for (year, part, measure), s in summary.items():
        unit = {"CNY": "CNY", "USD": "USD", "growth": "y/y", "met": "probability"}.get(measure, "target value")
        w.writerow([year, part, measure, unit] + [f"{s[k]:.6g}" for k in ("mean", "q5", "q50", "q95")] + [s["n"]])
    return fh.getvalue()


def chart(summary: dict, path: Path, cfg) -> None:
    """Full-year digital trade in CNY and USD, the observed 2020 total (data/zhejiang_observed.csv) and the T1
    target (cfg.targets), never retyped."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = [y for y in (2020,) + YEARS if (y, "FY", "CNY") in summary]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, unit, scale, label in ((axes[0], "CNY", 1e8, "CNY 100 m (亿元)"), (axes[1], "USD", 1e9, "USD bn")):
        q = {k: [summary[(y, "FY", unit)][k] / scale for y in years] for k in ("q5", "q50", "q95")}
        ax.fill_between(years, q["q5"], q["q95"], alpha=0.3, label="5-95 % (parameters x seeds)")
        ax.plot(years, q["q50"], marker="o", label="median")
        ax.axvspan(2019.5, 2021.5, color="0.92", label="calibration period")
        ax.set_ylabel(label.replace("(亿元)", ""))
        ax.set_title(f"Zhejiang digital trade, full year, {unit}")
    from model.data import load_observed

    observed = load_observed()[(2020, "FY", "digital_trade_total")].si_value / 1e8
    t1 = float(cfg.targets.t1_digital_trade_usd) / 1e9
    axes[0].scatter([2020], [observed], color="black", zorder=5, label=f"observed 2020 ({observed:,.0f})")
    axes[1].axhline(t1, color="tab:red", ls="--", label=f"{cfg.targets.year} target USD {t1:,.0f} bn")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    trials_path = docs.ROOT / "data" / "calibration" / f"{args.calibration}_trials.csv"
    try:
        check_out(args.out)
        cfg = compose(f"calibration={args.calibration}", f"scale={args.scale}", "horizon=2025Q4", "chart=false",
                      *args.overrides)
        trials = read_trials(trials_path) if trials_path.exists() else []
    except (ConfigError, OSError, KeyError, ValueError) as exc:  # OutputError is a ValueError
        print(f"forecast: error: {exc}", file=sys.stderr)
        return 2
    sets = ensemble(trials, defaults(cfg), args.sets, args.seed)
    print(f"forecast: {len(sets)} parameter sets x {args.seeds} seeds at scale {args.scale:g}", file=sys.stderr)
    stats = simulate_ensemble(cfg, sets, args.seeds, args.seed,
                              progress=lambda i, n: print(f"  set {i}/{n}", file=sys.stderr, flush=True))
    summary = summarise(stats)
    rows, odds = tables(summary, cfg)
    took = duration(time.perf_counter() - t0)
    out = output_dir(args.out, "forecast", started)
    stem = f"forecast_{args.calibration}_{time.strftime('%Y-%m-%d', time.localtime(started))}"
    data = csv_text(summary).encode("utf-8")
    table = new_file(out, stem, ".csv", data)
    png = out / "forecast_digital_trade.png"
    chart(summary, png, cfg)
    command = "python -m experiments.forecast " + " ".join(argv if argv is not None else sys.argv[1:])
    t1 = md_table(["period", "digital trade, 亿元", "USD bn", "growth y/y, %"], rows)
    t2 = md_table(["target", "", "P(met)", "2025 value median [5 %, 95 %]"], odds)

    def block(stored: str, img: str) -> dict[str, str]:
        return {"forecast": (
            f"Made by `{command.strip()}` in {took}: {len(sets)} parameter sets (the estimate and "
            f"accepted calibration trials) × {args.seeds} seeds = {len(stats)} runs at scale {args.scale:g}, "
            f"`calibration={args.calibration}`, overrides: {' '.join(args.overrides) or 'none'}. Median "
            f"[5 %, 95 %]. H1 = first two quarters (the model has no seasonality). Stored as {stored}.\n\n{t1}\n\n"
            f"**2025 targets** (share of runs meeting each):\n\n{t2}\n\n![forecast]({img}forecast_digital_trade.png)")}

    stored = None
    if args.write_docs:  # the forecast as made: a new file, never one that exists
        stored = new_file(docs.ROOT / "data" / "calibration", stem, ".csv", data)
    where = (f"`{stored.relative_to(docs.ROOT).as_posix()}` (the forecast as made, never overwritten)" if stored
             else f"`{table.name}` beside this file (`--write-docs` stores it in `data/calibration/`)")
    written = [table, png, docs.write_fragment(out / "forecast.md", "Forecast (fragment of docs/calibration.md)",
                                               block(where, ""))]
    if stored:
        written += [stored, docs.copy_tracked(png, f"docs/img/{png.name}"), docs.write_blocks(block(where, "img/"))]
    print(t1 + "\n\n" + t2)
    print(f"\n{len(stats)} runs, {took}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
