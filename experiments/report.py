"""`dtsim-report SWEEP_DIR`: rebuild a sweep's aggregate tables, charts and report.md from its job folders.

    dtsim-report multirun/fund_x_tax/2025-01-01_12-00-00
    dtsim-report SWEEP_DIR --reference "lever_off=none"   # the scenario effects are measured against
    dtsim-report SWEEP_DIR --contrast policy               # contrast policy's levels within each other swept level
    dtsim-report SWEEP_DIR --no-charts

Writes into SWEEP_DIR: summary.parquet and summary.csv (one row per job x replicate x target, every override a
column), timeseries.parquet (all jobs), jobs.csv (status, overrides, error, seconds of each job), charts/ (PNG
and SVG) and report.md. A multirun of `dtsim` runs this by itself when it ends.

Contrasts: when two or more keys are swept, one of them (the factor) is contrasted with its reference level within
each level of the others, replicate by replicate (e.g. plan against no plan within each world), from the runs the
sweep already has. The factor is `--contrast KEY` if given, else the first swept policy group (policy,
experiment/lever_off), else the first lever parameter (policy.*), else phasing, else the first swept key; its
reference level is a "no intervention" level (none, 0, false) when it has one, else the reference job's level.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from experiments import labels as L
from experiments.aggregate import (COST_METHOD, Analysis, Sweep, analyse, effects, fmt_number, load, period,
                                   target_entry)
from experiments.labels import NAMES
from experiments.outputs import atomic, fmt_value
from experiments.replicates import TARGETS, all_met, target_stats

SCREEN_ROWS = 20


def scenario_table(sweep: Sweep) -> pd.DataFrame:
    """Per complete job: scenario, each target's median and 5-95 % and P(met) with its interval (target_stats: the
    one summary rule), T1's effect against the reference, and P(all five met in the same replicate)."""
    rows = []
    effect = effects(sweep, "T1").set_index("job")
    for job in sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job").itertuples():
        s = sweep.summary[sweep.summary["job"] == job.job]
        row = {"job": job.job, "scenario": job.scenario, "seconds": job.seconds,
               "effect": effect.loc[job.job].to_dict() if job.job in effect.index else None}
        for t in TARGETS:
            sub = s[s["target"] == t]
            unit = sub["unit"].iloc[0]
            row[t] = {**target_stats(sub["value"], sub["met"], unit), "unit": unit}
        row["all"] = all_met(s[["replicate", "met"]])
        rows.append(row)
    return pd.DataFrame(rows)


def _p(stats: dict, ci: bool = True) -> str:
    if stats["p_met"] is None:
        return "—"
    lo, hi = stats["p_met_ci"]
    return f"{stats['p_met']:.2f} [{lo:.2f}–{hi:.2f}]" if ci else f"{stats['p_met']:.2f}"


def _t1(stats: dict) -> str:
    """'USD 140.4 bn (USD 129.1–156.1 bn)': the median and 5-95 % of the replicates."""
    if stats["median"] is None:
        return "—"
    text = fmt_value(stats["median"], stats["unit"])
    return text if stats["n"] < 2 else f"{text} ({fmt_value(stats['q05'], stats['unit'], stats['q95'])})"


def _effect(e: dict | None) -> str:
    """'-24.1 USD bn [-28.3, -18.9]': mean paired difference in USD bn and its 95 % interval; '—' for the reference."""
    if e is None:
        return "—"
    text = f"{e['mean'] / 1e9:+.1f} USD bn"
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
             "P(met): share of replicates meeting the target, with its 95 % Wilson interval; P(all): share of "
             "replicates meeting all five at once. T1: median over replicates (5–95 % of replicates); against the "
             "reference: mean paired difference (95 % interval).", "",
             "| job | scenario | T1 " + NAMES["T1"] + " | T1 against the reference | " + " | ".join(
                 f"P({t}) {_target_text(sweep, t)}" for t in TARGETS) + " | P(all) | s |",
             "|---|---|---|---|" + "---|" * len(TARGETS) + "---|---|"]
    for r in table.to_dict("records"):
        secs = "" if pd.isna(r["seconds"]) else f"{r['seconds']:.0f}"
        lines.append(f"| {r['job']} | {r['scenario']} | {_t1(r['T1'])} | {_effect(r['effect'])} | "
                     + " | ".join(_p(r[t]) for t in TARGETS) + f" | {_p(r['all'])} | {secs} |")
    return lines


def _target_text(sweep: Sweep, target: str) -> str:
    """'digital trade ≥ USD 100 bn in 2025' (the threshold with its currency and year)."""
    t = sweep.config(sweep.reference if sweep.reference is not None else
                     int(sweep.jobs.loc[sweep.jobs["status"] == "complete", "job"].iloc[0])).targets
    return L.target_label(target, target_entry(sweep.summary, target), int(t.year), int(t.t2_base_year))


def _plain(sweep: Sweep, job: int) -> str:
    return str(sweep.jobs.set_index("job").at[job, "label"])


def _num(value: float, digits: int = 1) -> str:
    return "—" if pd.isna(value) else f"{value:+,.{digits}f}"


def _pval(value: float) -> str:
    return "—" if pd.isna(value) else ("< 0.001" if value < 0.001 else f"{value:.3f}")


EFFECT_UNITS = {"T1": (1e-9, "USD bn/year"), "T2": (100.0, "percentage points")}


def _effect_rows(frame: pd.DataFrame, names: list[str], target: str) -> list[str]:
    scale, unit = EFFECT_UNITS[target]
    lines = [f"| scenario | change in {target}, {unit} | 95 % interval | p | p (Holm) | holds at family-wise 5 % |",
             "|---|---|---|---|---|---|"]
    for name, r in zip(names, frame.to_dict("records")):
        interval = "—" if pd.isna(r["lo"]) else f"{_num(r['lo'] * scale)} to {_num(r['hi'] * scale)}"
        lines.append(f"| {name} | {_num(r['mean'] * scale)} | {interval} | {_pval(r['p'])} | {_pval(r['p_holm'])} | "
                     f"{'yes ★' if r['holds'] else 'no'} |")
    return lines


def _what(sweep: Sweep, target: str) -> str:
    year = _target_text(sweep, "T1").rsplit(" ", 1)[-1]
    return f"T1: digital trade in {year}" if target == "T1" else "T2: average annual growth of digital trade"


def effects_lines(sweep: Sweep, analysis: Analysis) -> list[str]:
    """The effects against the reference (T1, T2), the contrasts, cost per yuan and the multiple-testing caveat."""
    lines = []
    shown = {t: f for t, f in analysis.effects.items() if len(f)}
    if shown:
        ref = _plain(sweep, sweep.reference)
        n = int(max(f["n"].max() for f in shown.values()))
        lines += ["## Effects against the reference", "",
                  f"Each scenario minus **{ref}**, replicate r against replicate r (the same seed): mean of {n} "
                  "paired differences, its 95 % t interval and the paired t test's p value; Holm: the p value "
                  "adjusted for the comparisons of the table (see Multiple comparisons below).", ""]
        for t, frame in shown.items():
            lines += [f"### {_what(sweep, t)}", "", *_effect_rows(frame, list(frame["label"]), t), ""]
    plan = analysis.contrast
    if plan is not None and any(len(f) for f in analysis.contrasts.values()):
        from experiments.scenario_charts import contrast_title
        title = contrast_title(plan)
        lines += [f"## {title[0].upper() + title[1:]}", "",
                  f"Within each level of {' × '.join(L.name(k) for k in plan['within'])}, the jobs that differ only "
                  f"in {L.name(plan['factor'])} are compared replicate by replicate (same seeds), with the sweep's "
                  f"own runs. Factor `{plan['factor']}`, reference level `{fmt_number(plan['reference'])}` (chosen "
                  "by the rule in `dtsim-report --help`; `--contrast KEY` picks another).", ""]
        several = len(plan["levels"]) > 1
        for t, frame in analysis.contrasts.items():
            if not len(frame):
                continue
            names = ["; ".join(L.setting(k, v) for k, v in w.items()) for w in frame["within"]]
            if several:
                names = [f"{L.fmt_value(plan['factor'], lv)} — {nm}" for lv, nm in zip(frame["level"], names)]
            lines += [f"### {_what(sweep, t)}", "", *_effect_rows(frame, names, t), ""]
    if len(analysis.cost):
        when = period(sweep)
        lines += ["## Extra digital trade per yuan of extra public money", "",
                  f"CNY of extra cumulative digital trade {when} per CNY of extra public money (budgets spent and tax "
                  "relief forgone), for pairs of scenarios that differ in policy only. **Extra trade is gross "
                  "cumulative digital trade (imports plus exports), not value added**: it is not a fiscal multiplier "
                  "and not a return on public money. Method: " + COST_METHOD + ".", "",
                  "| comparison (jobs) | extra trade, CNY bn | extra public money, CNY bn | CNY of trade per CNY | "
                  "95 % interval |", "|---|---|---|---|---|"]
        from experiments.scenario_charts import pair_label
        for r in analysis.cost.to_dict("records"):
            interval = "—" if pd.isna(r["lo"]) else f"{r['lo']:,.1f} to {r['hi']:,.1f}"
            lines.append(f"| {pair_label(sweep, r['job'], r['ref_job'])} ({r['job']} vs {r['ref_job']}) | "
                         f"{_num(r['d_trade'] / 1e9)} | {_num(r['d_spending'] / 1e9)} | {r['ratio']:,.1f} | "
                         f"{interval} |")
        lines.append("")
    families = analysis.families()
    total = sum(m for _, m in families)
    if total > 1:
        parts = "; ".join(f"{_family_name(sweep, name, plan)}: {m}" for name, m in families)
        lines += ["## Multiple comparisons", "",
                  f"This report shows **{total} comparisons** ({parts}). Each 95 % interval and p value above holds "
                  f"for one comparison read on its own: with {total} of them, about {total / 20:.1f} would exclude "
                  "zero by chance alone even if no scenario made any difference. The Holm column (Holm's step-down "
                  "adjustment, 1979) controls the family-wise error within each table at 5 %: an effect marked "
                  "'yes ★' holds even allowing for the other comparisons of its table. Tables are not adjusted "
                  "against one another; the cost-per-yuan intervals are not adjusted.", ""]
    return lines


def _family_name(sweep: Sweep, name: str, plan: dict | None) -> str:
    target, _, rest = name.partition(" ")
    if rest.startswith("within") and plan is not None:
        return f"{target} within each level of {' × '.join(L.name(k) for k in plan['within'])}"
    return f"{target} against the reference"


CAVEATS = [
    "Values (T1, T2, digital trade) are medians over replicates with the 5–95 % of replicates; targets are P(met), "
    "the share of replicates meeting them, with a 95 % Wilson interval; P(all) is the share meeting all five in the "
    "same replicate.",
    "Effects are mean paired differences: replicate r of every job has the same seed, so most of the luck of the "
    "draw cancels in a difference. The intervals are over replicates of this model, not over the "
    "uncertainty in its assumptions (the calibration and the `uncertain` parameters of model/config.py).",
    "Amounts in USD are converted at each year's CNY/USD rate (observed to 2024, the world's scenario from 2025).",
]


def markdown(sweep: Sweep, charts: list, analysis: Analysis | None = None) -> str:
    table = scenario_table(sweep)
    lines = [f"# Sweep report: `{sweep.root}`", "", *[f"{x}  " for x in _header(sweep)], ""]
    if sweep.reference is not None and len(table) > 1:
        ref = table.loc[table["job"] == sweep.reference, "scenario"].iloc[0]
        lines += [f"Effects are measured against **{_plain(sweep, sweep.reference)}** (job {sweep.reference}: "
                  f"`{ref}`); replicate r of every job shares its seed, so differences are paired.", ""]
    if table.empty:
        lines += ["No job is complete yet.", ""]
    else:
        lines += _table_lines(sweep, table)
        lines += ["", "Scenarios in plain words: " + "; ".join(
            f"job {j}: {_plain(sweep, j)}" for j in table["job"]) + ".", ""]
        lines += effects_lines(sweep, analysis if analysis is not None else analyse(sweep))
    bad = sweep.jobs[sweep.jobs["status"] != "complete"]
    if len(bad):
        lines += ["", "## Jobs not complete", ""]
        for r in bad.to_dict("records"):
            why = r["error"] if r["status"] == "failed" else "no done.json (killed or still running)"
            lines.append(f"- job {r['job']} **{r['status']}** (`{r['overrides']}`): {why} — `{r['folder']}`")
        lines += ["", "Re-run the same command with the same `hydra.sweep.dir=...` to run only these."]
    if charts:
        lines += ["", "## Charts", ""]
        for chart in charts:
            lines += [f"### {chart.title}", "", f"![{chart.title}](charts/{chart.stem}.png)", "", chart.caption, "",
                      f"[SVG](charts/{chart.stem}.svg)", ""]
    if not table.empty:
        lines += ["", "## Reading the numbers", "", *[f"- {c}" for c in CAVEATS]]
    lines += ["", "## Files", "",
              "- `summary.parquet`, `summary.csv`: one row per job × replicate × target; every override a column",
              "- `timeseries.parquet`: the quarterly records of every job and replicate",
              "- `jobs.csv`: status, overrides, error and seconds of each job, and the scenario in plain words "
              "(`label`); `<job>/failed.json` has the traceback", f"- rebuild all of it: `dtsim-report {sweep.root}`"]
    return "\n".join(lines) + "\n"


def screen(sweep: Sweep, out: Path, reused: int = 0) -> str:
    """The one-screen summary printed at the end of a sweep."""
    table = scenario_table(sweep)
    lines = ["", f"Sweep {sweep.root} — " + _header(sweep)[0]
             + (f" ({reused} reused from an earlier run)" if reused else "")] + _header(sweep)[1:]
    if len(table):
        width = max(12, min(48, int(table["scenario"].str.len().max())))
        lines.append(f"  {'scenario':<{width}}  {'T1 digital trade 2025, median (5–95 %)':<40} "
                     + " ".join(f"P({t})" for t in TARGETS) + " P(all)")
        for r in table.head(SCREEN_ROWS).to_dict("records"):
            lines.append(f"  {r['scenario'][:width]:<{width}}  {_t1(r['T1']):<40} "
                         + " ".join(f"{_p(r[t], ci=False):>5}" for t in TARGETS) + f" {_p(r['all'], ci=False):>6}")
        if len(table) > SCREEN_ROWS:
            lines.append(f"  … {len(table) - SCREEN_ROWS} more in report.md")
    for r in sweep.jobs[sweep.jobs["status"] == "failed"].to_dict("records"):
        lines.append(f"  FAILED job {r['job']}: {r['error']} — {r['overrides']}")
    lines.append(f"summary: {out / 'summary.parquet'}  report: {out / 'report.md'}")
    return "\n".join(lines)


def build(root: Path, charts: bool = True, reference: str | None = None, reused: int = 0,
          echo: bool = True, contrast: str | None = None) -> Sweep:
    """Aggregate the job folders under `root`, write the tables, charts and report.md; print the summary.
    `contrast`: the swept key whose levels are contrasted within each level of the others (default: the rule in
    the module's docstring)."""
    root = Path(root)
    sweep = load(root, reference)
    sweep.contrast = contrast
    analysis = analyse(sweep)
    atomic(root / "summary.parquet", lambda p: sweep.summary.to_parquet(p, index=False))
    atomic(root / "summary.csv", lambda p: sweep.summary.to_csv(p, index=False))
    atomic(root / "timeseries.parquet", lambda p: sweep.timeseries.to_parquet(p, index=False))
    atomic(root / "jobs.csv", lambda p: sweep.jobs.to_csv(p, index=False))
    made = []
    if charts:
        from experiments.scenario_charts import make_all
        made = make_all(sweep, root / "charts", analysis)
    atomic(root / "report.md", lambda p: p.write_text(markdown(sweep, made, analysis), encoding="utf-8"))
    if echo:
        print(screen(sweep, root, reused), flush=True)
    return sweep


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dtsim-report", description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep_dir", type=Path, help="a multirun folder (hydra.sweep.dir) or a single run folder")
    parser.add_argument("--reference", help="swept values of the reference scenario, e.g. 'lever_off=none'")
    parser.add_argument("--contrast", metavar="KEY",
                        help="swept key contrasted with its reference level within each level of the other swept "
                             "keys, e.g. 'policy' (default: the first swept policy group, else the first policy.* "
                             "key, else phasing, else the first swept key; reference level: none/0/false if "
                             "present, else the reference job's)")
    parser.add_argument("--no-charts", action="store_true", help="tables and report.md only")
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        sys.exit(f"dtsim-report: {args.sweep_dir} is not a folder")
    try:
        sweep = build(args.sweep_dir, charts=not args.no_charts, reference=args.reference, contrast=args.contrast)
    except (FileNotFoundError, ValueError) as exc:
        sys.exit(f"dtsim-report: {' '.join(str(exc).split())}")
    sys.exit(1 if (sweep.jobs["status"] == "failed").any() else 0)


if __name__ == "__main__":
    main()
