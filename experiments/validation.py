"""Validation report: stylized facts of firm dynamics and platform markets, simulated value vs literature.

    python -m experiments.validation                  # calibrated plan run, scale 1, seeds 0-2
    python -m experiments.validation --seeds 1 --horizon 2023Q4 --out /tmp/val
    python -m experiments.validation --write-docs     # ... and update docs/calibration.md
    python -m experiments.validation --no-responses   # the stylized facts only
    python -m experiments.validation --tail-seeds 0   # without the tail produced from log-normal sizes by 2035

Then every lever response beside its published estimate (experiments/responses.py, docs/evidence.md), run as the
study ran it with --response-seeds paired replicates at --response-scale.

Measured on the simulated end state and simulated growth (calibration/facts.py), never on inputs. Prints each
fact beside its literature value and range and writes by default only into a new folder,
outputs/validation/<time>/ (or --out DIR, new or empty): facts.csv, facts_firm_dynamics.png and validation.md
(the validation block of docs/calibration.md). With --write-docs it also updates docs/img/facts_firm_dynamics.png
and the validation block of docs/calibration.md. The time a run took is in its generated block.
Exit code 0 whether or not a fact is reproduced: the report says which are not.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from model.api import load_config as compose
from calibration import docs
from calibration.docs import OutputError, check_out, duration, md_table, output_dir
from calibration.facts import (LITERATURE, PRODUCED_TAIL, PRODUCED_TAIL_OVERRIDES, Fact, measure_facts, produced_tail,
                               simulate_panel)
from model.api import replicate_seeds
from model.validate import ConfigError
from agents.vocabulary import year_of, quarter_index



def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m experiments.validation", description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="replicate runs (spawned seeds)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--horizon", default="2025Q4", help="end quarter; growth is that year over the one before")
    ap.add_argument("--out", type=Path, default=None,
                    help="new or empty folder to write into (default: outputs/validation/<time>/)")
    ap.add_argument("--write-docs", action="store_true",
                    help="also update docs/img/facts_firm_dynamics.png and docs/calibration.md")
    ap.add_argument("--no-responses", dest="responses", action="store_false",
                    help="skip the lever responses beside the published evidence")
    ap.add_argument("--tail-seeds", type=int, default=8,
                    help="runs to 2035Q4 from log-normal initial sizes for the produced tail (the validation's "
                         "seeds and onwards; 0: skip)")
    ap.add_argument("--response-seeds", type=int, default=4, help="paired replicates of the lever responses")
    ap.add_argument("--response-scale", type=float, default=0.5, help="scale of the lever-response runs")
    ap.add_argument("overrides", nargs="*", help="Hydra overrides (default: the calibrated plan)")
    args = ap.parse_args(argv)
    if args.seeds < 1:
        ap.error("--seeds must be at least 1")
    if args.tail_seeds < 0:
        ap.error("--tail-seeds must be 0 or more")
    return args


def _facts(results: list[dict], tails: list[float]) -> list[tuple[str, Fact, np.ndarray]]:
    """(name, fact, value per seed) of every fact measured: LITERATURE's, then the produced tail if it was run."""
    out = [(name, fact, np.array([r["values"][name] for r in results])) for name, fact in LITERATURE.items()]
    return out + ([("tail_exponent_produced", PRODUCED_TAIL, np.array(tails))] if tails else [])


def report_rows(results: list[dict], tails: list[float] = ()) -> list[list]:
    rows = []
    for _, fact, v in _facts(results, list(tails)):
        spread = f" (seeds {v.min():.3f}–{v.max():.3f})" if len(v) > 1 else ""
        hi = "∞" if not np.isfinite(fact.hi) else f"{fact.hi:g}"
        rows.append([fact.name, f"{v.mean():.3f}{spread}", f"[{fact.lo:g}, {hi}]", fact.literature,
                     "yes" if fact.lo <= v.mean() <= fact.hi else "**no**"])
    return rows


def write_facts_csv(results: list[dict], path: Path, tails: list[float] = ()) -> None:
    """Each fact: simulated value per seed, their mean, the asserted range and whether it is reproduced."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["fact", "seeds", "mean", "min", "max", "lo", "hi", "reproduced"])
        for name, fact, v in _facts(results, list(tails)):
            w.writerow([name, len(v), f"{v.mean():.6g}", f"{v.min():.6g}", f"{v.max():.6g}", f"{fact.lo:g}",
                        f"{fact.hi:g}", int(fact.lo <= v.mean() <= fact.hi)])


def charts(results: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = results[0]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    b = r["beta"]
    axes[0].plot(b["log_size_by_bin"], b["sd_by_bin"], marker="o", label=f"simulated, β = {b['value']:.3f}")
    x0, y0 = b["log_size_by_bin"][0], b["sd_by_bin"][0]
    xs = np.array(b["log_size_by_bin"])
    axes[0].plot(xs, y0 * np.exp(-0.2 * (xs - x0)), ls="--", color="0.4", label="literature slope β = 0.2")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("log size relative to the kind median")
    axes[0].set_ylabel("sd of annual log growth")
    axes[0].set_title("Growth spread vs size")
    axes[0].legend(fontsize=8)
    s = r["shape"]
    axes[1].set_title(f"Annual log growth: Subbotin b = {s['shape']:.2f} (Laplace 1, normal 2)")
    axes[1].text(0.02, 0.95, f"excess kurtosis {s['excess_kurtosis']:.2f}\nn = {s['n']:,}", transform=axes[1].transAxes,
                 va="top", fontsize=8)
    axes[1].hist(r["growth"], bins=120, density=True, log=True, color="tab:blue", alpha=0.6)
    axes[1].set_xlabel("annual log growth, less the kind mean")
    p = r["platforms"]
    quarters = np.arange(len(p["series"]))
    axes[2].plot(2020 + quarters / 4, p["series"], label="GMV-weighted within-kind HHI")
    axes[2].axhspan(0.2, 0.4, color="0.9", label="literature 0.2–0.4")
    axes[2].set_title("Platform market concentration")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse(argv)
    t0, started = time.perf_counter(), time.time()
    try:
        check_out(args.out)
        cfg = compose("scale=1.0", f"horizon={args.horizon}", "chart=false", *args.overrides)
        year = year_of(quarter_index(args.horizon))
    except (ConfigError, OutputError, ValueError) as exc:
        print(f"validation: error: {exc}", file=sys.stderr)
        return 2
    results, agents = [], []
    for i, ss in enumerate(replicate_seeds(args.seed, args.seeds, skip=3000)):
        panel = simulate_panel(cfg, ss)
        results.append(measure_facts(panel, year))
        agents.append((int(panel.alive[0].sum()), int(panel.alive.shape[1]), int(panel.alive[-1].sum())))
        print(f"  seed {i + 1}/{args.seeds} done", file=sys.stderr, flush=True)
    tails = []
    if args.tail_seeds:
        tail_cfg = compose(*PRODUCED_TAIL_OVERRIDES, *args.overrides)
        for i, ss in enumerate(replicate_seeds(args.seed, args.tail_seeds, skip=3000)):
            tails.append(produced_tail(tail_cfg, ss)["value"])
            print(f"  tail from log-normal sizes, seed {i + 1}/{args.tail_seeds} done", file=sys.stderr, flush=True)
    rows = report_rows(results, tails)
    took = duration(time.perf_counter() - t0)
    out = output_dir(args.out, "validation", started)
    facts_csv, png = out / "facts.csv", out / "facts_firm_dynamics.png"
    write_facts_csv(results, facts_csv, tails)
    charts(results, png)
    command = "python -m experiments.validation " + " ".join(argv if argv is not None else sys.argv[1:])
    kinds = ", ".join(f"{k} {v:.2f}" for k, v in results[0]["platforms"]["by_kind_end"].items())
    table = md_table(["stylized fact", "simulated (mean over seeds)", "asserted range", "literature",
                      "reproduced"], rows)
    first, rows_made, last = agents[0]
    produced = (f" The produced tail: {args.tail_seeds} run(s) of the same seeds to 2035Q4 from log-normal initial "
                f"sizes (`{' '.join(PRODUCED_TAIL_OVERRIDES)}`)." if tails else "")

    def block(img: str) -> dict[str, str]:
        return {"validation": (
            f"Made by `{command.strip()}` in {took}: {args.seeds} seed(s), scale 1 (one agent per "
            f"firm; first seed: {first:,} firm agents alive in the first quarter, {last:,} at {args.horizon}, "
            f"{rows_made:,} ever alive), growth {year - 1}→{year}, sizes at {args.horizon}; overrides: "
            f"{' '.join(args.overrides) or 'none (the default config)'}.{produced}\n\n{table}\n\n"
            f"Platform HHI by kind at {args.horizon} (first seed): {kinds}. Tail fit: xmin "
            f"{results[0]['tail']['xmin'] / 1e6:,.1f} m CNY/quarter, {results[0]['tail']['n_tail']} firms in the "
            f"tail, standard error {results[0]['tail']['se']:.3f}.\n\n![facts]({img}facts_firm_dynamics.png)")}

    written = [facts_csv, png, docs.write_fragment(out / "validation.md",
                                                   "Validation (fragment of docs/calibration.md)", block(""))]
    if args.write_docs:
        written += [docs.copy_tracked(png, f"docs/img/{png.name}"), docs.write_blocks(block("img/"))]
    print(table)
    if args.responses:  # the policy responses beside their sources (docs/evidence.md is made the same way)
        import pandas as pd

        from experiments import responses
        frame = responses.run(args.response_seeds, args.response_scale, args.horizon, args.seed,
                              tuple(args.overrides), progress=True)
        frame.to_csv(out / "responses.csv", index=False, float_format="%.10g")
        written.append(out / "responses.csv")
        print("\n" + responses.block(pd.read_csv(out / "responses.csv", keep_default_na=False)))
        took = duration(time.perf_counter() - t0)
    print(f"\n{took}")
    docs.report_written(written, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
