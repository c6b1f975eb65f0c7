"""`dtsim-report SWEEP_DIR`: rebuild a sweep's aggregate tables, charts and report.md from its job folders.

    dtsim-report multirun/fund_x_tax/2025-01-01_12-00-00
    dtsim-report SWEEP_DIR --reference "lever_off=none"   # the scenario effects are measured against
    dtsim-report SWEEP_DIR --no-charts

Writes into SWEEP_DIR: summary.parquet and summary.csv (one row per job x replicate x target, every override a
column), timeseries.parquet (all jobs), jobs.csv (status, overrides, error, seconds of each job), charts/ (PNG
and SVG) and report.md. A multirun of `dtsim` runs this by itself when it ends.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from experiments.aggregate import Sweep, effects, fmt_number, load, target_entry
from experiments.outputs import NAMES, atomic, fmt_target, fmt_value
from experiments.replicates import TARGETS, target_stats

SCREEN_ROWS = 20


def scenario_table(sweep: Sweep) -> pd.DataFrame:
    """Per complete job: scenario, T1 mean and 5-95 %, its effect against the reference, P(met) and its interval."""
    rows = []
    effect = effects(sweep, "T1").set_index("job")
    for job in sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job").itertuples():
        s = sweep.summary[sweep.summary["job"] == job.job]
        row = {"job": job.job, "scenario": job.scenario, "seconds": job.seconds,
               "effect": effect.loc[job.job].to_dict() if job.job in effect.index else None}
        for t in TARGETS:
            sub = s[s["target"] == t]
            row[t] = {**target_stats(sub["value"], sub["met"]), "unit": sub["unit"].iloc[0]}
        rows.append(row)
    return pd.DataFrame(rows)


def _p(stats: dict, ci: bool = True) -> str:
    if stats["p_met"] is None:
        return "—"
    lo, hi = stats["p_met_ci"]
    return f"{stats['p_met']:.2f} [{lo:.2f}–{hi:.2f}]" if ci else f"{stats['p_met']:.2f}"


def _t1(stats: dict) -> str:
    if stats["mean"] is None:
        return "—"
    text = fmt_value(stats["mean"], stats["unit"])
    return text if stats["n"] < 2 else f"{text} ({fmt_value(stats['q05'], stats['unit'], stats['q95'])})"


def _effect(e: dict | None) -> str:
    """'-24.1 bn [-28.3, -18.9]': mean paired difference in USD bn and its 95 % interval; '—' for the reference."""
    if e is None:
        return "—"
    text = f"{e['mean'] / 1e9:+.1f} bn"
    return text if pd.isna(e["lo"]) else f"{text} [{e['lo'] / 1e9:+.1f}, {e['hi'] / 1e9:+.1f}]"


def _header(sweep: Sweep) -> list[str]:
    jobs, summary = sweep.jobs, sweep.summary
    counts = jobs["status"].value_counts()
    reps = int(summary.groupby("job", observed=True)["replicate"].nunique().max()) if len(summary) else 0
    lines = [f"{len(jobs)} job{'s' if len(jobs) != 1 else ''}: {counts.get('complete', 0)} complete, "
             f"{counts.get('failed', 0)} failed, {counts.get('incomplete', 0)} incomplete; "
             f"{reps} replicate(s) per job"]
    if sweep.swept:
        lines.append("swept: " + "; ".join(f"{k} = {', '.join(map(fmt_number, dict.fromkeys(jobs[k])))}"
                                             for k in sweep.swept))
    return lines


def _table_lines(sweep: Sweep, table: pd.DataFrame) -> list[str]:
    lines = ["## Targets by scenario", "",
             "P(met): share of replicates meeting the target, with its 95 % Wilson interval. "
             "T1: mean over replicates (5–95 % of replicates); against the reference: mean paired difference "
             "(95 % interval).", "",
             "| job | scenario | T1 " + NAMES["T1"] + " | T1 against the reference | " + " | ".join(
                 f"P({t}) {fmt_target(target_entry(sweep.summary, t))}" for t in TARGETS) + " | s |",
             "|---|---|---|---|" + "---|" * len(TARGETS) + "---|"]
    for r in table.to_dict("records"):
        secs = "" if pd.isna(r["seconds"]) else f"{r['seconds']:.0f}"
        lines.append(f"| {r['job']} | {r['scenario']} | {_t1(r['T1'])} | {_effect(r['effect'])} | "
                     + " | ".join(_p(r[t]) for t in TARGETS) + f" | {secs} |")
    return lines


def markdown(sweep: Sweep, charts: dict[str, str]) -> str:
    table = scenario_table(sweep)
    lines = [f"# Sweep report: `{sweep.root}`", "", *[f"{x}  " for x in _header(sweep)], ""]
    if sweep.reference is not None and len(table) > 1:
        ref = table.loc[table["job"] == sweep.reference, "scenario"].iloc[0]
        lines += [f"Effects are measured against **{ref}** (job {sweep.reference}); replicate r of every job shares "
                  "its seed, so differences are paired.", ""]
    if table.empty:
        lines += ["No job is complete yet.", ""]
    else:
        lines += _table_lines(sweep, table)
    bad = sweep.jobs[sweep.jobs["status"] != "complete"]
    if len(bad):
        lines += ["", "## Jobs not complete", ""]
        for r in bad.to_dict("records"):
            why = r["error"] if r["status"] == "failed" else "no done.json (killed or still running)"
            lines.append(f"- job {r['job']} **{r['status']}** (`{r['overrides']}`): {why} — `{r['folder']}`")
        lines += ["", "Re-run the same command with the same `hydra.sweep.dir=...` to run only these."]
    if charts:
        lines += ["", "## Charts", ""]
        for title, stem in charts.items():
            lines += [f"### {title}", "", f"![{title}](charts/{stem}.png)", "",
                      f"[SVG](charts/{stem}.svg)", ""]
    lines += ["", "## Files", "",
              "- `summary.parquet`, `summary.csv`: one row per job × replicate × target; every override a column",
              "- `timeseries.parquet`: the quarterly records of every job and replicate",
              "- `jobs.csv`: status, overrides, error and seconds of each job; `<job>/failed.json` has the "
              "traceback", f"- rebuild all of it: `dtsim-report {sweep.root}`"]
    return "\n".join(lines) + "\n"


def screen(sweep: Sweep, out: Path, reused: int = 0) -> str:
    """The one-screen summary printed at the end of a sweep."""
    table = scenario_table(sweep)
    lines = ["", f"Sweep {sweep.root} — " + _header(sweep)[0]
             + (f" ({reused} reused from an earlier run)" if reused else "")] + _header(sweep)[1:]
    if len(table):
        width = max(12, min(48, int(table["scenario"].str.len().max())))
        lines.append(f"  {'scenario':<{width}}  {'T1 digital trade 2025':<34} "
                     + " ".join(f"P({t})" for t in TARGETS))
        for r in table.head(SCREEN_ROWS).to_dict("records"):
            lines.append(f"  {r['scenario'][:width]:<{width}}  {_t1(r['T1']):<34} "
                         + " ".join(f"{_p(r[t], ci=False):>5}" for t in TARGETS))
        if len(table) > SCREEN_ROWS:
            lines.append(f"  … {len(table) - SCREEN_ROWS} more in report.md")
    for r in sweep.jobs[sweep.jobs["status"] == "failed"].to_dict("records"):
        lines.append(f"  FAILED job {r['job']}: {r['error']} — {r['overrides']}")
    lines.append(f"summary: {out / 'summary.parquet'}  report: {out / 'report.md'}")
    return "\n".join(lines)


def build(root: Path, charts: bool = True, reference: str | None = None, reused: int = 0,
          echo: bool = True) -> Sweep:
    """Aggregate the job folders under `root`, write the tables, charts and report.md; print the summary."""
    root = Path(root)
    sweep = load(root, reference)
    atomic(root / "summary.parquet", lambda p: sweep.summary.to_parquet(p, index=False))
    atomic(root / "summary.csv", lambda p: sweep.summary.to_csv(p, index=False))
    atomic(root / "timeseries.parquet", lambda p: sweep.timeseries.to_parquet(p, index=False))
    atomic(root / "jobs.csv", lambda p: sweep.jobs.to_csv(p, index=False))
    made = {}
    if charts:
        from experiments.scenario_charts import make_all
        made = make_all(sweep, root / "charts")
    atomic(root / "report.md", lambda p: p.write_text(markdown(sweep, made), encoding="utf-8"))
    if echo:
        print(screen(sweep, root, reused), flush=True)
    return sweep


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dtsim-report", description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", type=Path, help="a multirun folder (hydra.sweep.dir) or a single run folder")
    parser.add_argument("--reference", help="swept values of the reference scenario, e.g. 'lever_off=none'")
    parser.add_argument("--no-charts", action="store_true", help="tables and report.md only")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        sys.exit(f"dtsim-report: {args.sweep_dir} is not a folder")
    try:
        sweep = build(args.sweep_dir, charts=not args.no_charts, reference=args.reference)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f"dtsim-report: {' '.join(str(exc).split())}")
    sys.exit(1 if (sweep.jobs["status"] == "failed").any() else 0)


if __name__ == "__main__":
    main()
