"""Scenario charts of a sweep (seaborn/matplotlib, PNG and SVG), written for a policy reader: plain labels and units
from the config schema (experiments.labels), every amount with its currency, titles that say what, where and when.

One summary rule throughout: values are medians over replicates with their 5-95 % band; a target is P(met) with
its 95 % Wilson interval (experiments.replicates.target_stats / all_met); an effect is the mean paired difference
against a reference (replicate r against replicate r: the same seed) with its 95 % t interval, coloured by whether
that interval excludes zero, and starred when it survives Holm's adjustment over the chart's comparisons.

fan          — annual digital trade in USD per scenario: median, 5-95 % band, T1 target and T2 growth path
heatmap      — P(T1 met) (Wilson interval) and median T1 over two swept values
effects_t1/2 — each scenario's change in T1 (USD bn) and T2 (percentage points) against the reference
contrasts    — the first factor's levels against its reference level within each level of the other swept keys
cost_per_yuan — extra cumulative digital trade (CNY) per CNY of extra public money, paired replicates
scorecard    — scenario x T1..T5 and all five together, P(met) with its interval
by_city, by_kind — annual digital trade in USD by city and by kind, median over replicates
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from experiments import labels as L  # noqa: E402
from experiments.aggregate import COST_METHOD, Analysis, Sweep, analyse, period, target_entry  # noqa: E402
from experiments.charts import annual_usd, draw_target_path  # noqa: E402
from experiments.labels import NAMES  # noqa: E402
from experiments.replicates import TARGETS, all_met, target_stats  # noqa: E402

MAX_FACETS = 24
WRAP = 44  # characters per line of a tick label
STEMS = ("scorecard", "fan_digital_trade_usd", "heatmap_p_t1", "effects_t1", "effects_t2", "contrasts",
         "cost_per_yuan", "by_city", "by_kind")
UP, DOWN, UNCLEAR = "#1f4e79", "#c55a11", "#a6a6a6"  # dark blue, dark orange, grey (colour-blind safe pair)
STAR = "★"
# effect of a target: (scale from the stored value, unit on the axis, short unit in annotations)
EFFECT_UNITS = {"T1": (1e-9, "USD bn per year", "bn"), "T2": (100.0, "percentage points (of %/year)", "pp")}


@dataclass
class Chart:
    stem: str
    title: str
    caption: str


# ------------------------------------------------------------------------------------------------ helpers
def _save(fig, out: Path, stem: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    for fmt in ("png", "svg"):
        tmp = out / f"{stem}.{fmt}.tmp"
        fig.savefig(tmp, dpi=110, format=fmt, bbox_inches="tight")
        tmp.replace(out / f"{stem}.{fmt}")
    plt.close(fig)
    return stem


def _complete(sweep: Sweep) -> pd.DataFrame:
    return sweep.jobs[sweep.jobs["status"] == "complete"].sort_values("job")


def _ref_config(sweep: Sweep):
    return sweep.config(sweep.reference if sweep.reference is not None else int(_complete(sweep)["job"].iloc[0]))


def _label(sweep: Sweep, job: int) -> str:
    jobs = sweep.jobs.set_index("job")
    return str(jobs.at[job, "label"] if "label" in jobs else jobs.at[job, "scenario"])


def pair_label(sweep: Sweep, job: int, ref: int) -> str:
    """'plan as written vs no plan (all levers off); with world: baseline': what differs, then what is shared."""
    jobs = sweep.jobs.set_index("job")
    return L.pair_label({k: jobs.at[job, k] for k in sweep.swept}, {k: jobs.at[ref, k] for k in sweep.swept})


def _year(sweep: Sweep) -> int:
    return int(_ref_config(sweep).targets.year)


def target_label(sweep: Sweep, target: str) -> str:
    """'digital trade ≥ USD 100 bn in 2025' for the sweep's targets."""
    t = _ref_config(sweep).targets
    return L.target_label(target, target_entry(sweep.summary, target), int(t.year), int(t.t2_base_year))


def _replicates(sweep: Sweep) -> int:
    s = sweep.summary
    return int(s.groupby("job", observed=True)["replicate"].nunique().max()) if len(s) else 0


def interval_colors(lo, hi) -> list[str]:
    """Dark blue where the 95 % interval lies above zero, dark orange below, grey where it crosses zero (or is
    unknown: fewer than two replicates)."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    return [UP if a > 0 else DOWN if b < 0 else UNCLEAR for a, b in zip(lo, hi)]


def _interval_handles(holm_m: int | None) -> list:
    handles = [Patch(color=UP, label="95 % interval above zero"), Patch(color=DOWN, label="95 % interval below zero"),
               Patch(color=UNCLEAR, label="95 % interval includes zero")]
    if holm_m and holm_m > 1:
        handles.append(plt.Line2D([], [], ls="none", marker="$" + STAR + "$", color="black", markersize=12,
                                  label=f"holds after Holm adjustment\nfor {holm_m} comparisons\n"
                                        "(family-wise 5 %)"))
    return handles


def _interval_legend(ax, holm_m: int | None) -> None:
    """The colour key outside the plot, on its right (never over a bar)."""
    ax.legend(handles=_interval_handles(holm_m), fontsize=11, loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False)


def _signed(value: float, unit: str) -> str:
    """'+1.2 bn', '−0.4 pp', '0.0 pp' (no sign on what rounds to zero); a bare number without a unit."""
    number = f"{value:+,.1f}"
    number = number[1:] if number[1:] == "0.0" else number
    return (number + (f" {unit}" if unit else "")).replace("-", "\u2212")


def _bars(ax, names: list[str], mean, lo, hi, holds, unit: str) -> None:
    """Horizontal bars with 95 % intervals, coloured by interval, the value written at the bar's end."""
    y = np.arange(len(names))
    mean, lo, hi = (np.asarray(v, dtype=float) for v in (mean, lo, hi))
    ax.barh(y, mean, color=interval_colors(lo, hi), height=0.6)
    err = np.array([mean - lo, hi - mean])
    ok = np.isfinite(err).all(axis=0)
    if ok.any():
        ax.errorbar(mean[ok], y[ok], xerr=err[:, ok], fmt="none", ecolor="black", capsize=4, lw=1.5)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, [L.wrap(n, WRAP) for n in names], fontsize=12)
    if not ax.yaxis_inverted():  # first row on top (a shared y axis is inverted once)
        ax.invert_yaxis()
    ends = np.where(ok, np.where(mean >= 0, hi, lo), mean)
    span = np.nanmax(np.abs(np.concatenate([lo[ok], hi[ok], mean]))) if len(mean) else 1.0
    for yi, m, end, star in zip(y, mean, ends, holds):
        side = 1 if m >= 0 else -1
        ax.text(end + side * 0.02 * span, yi, _signed(m, unit) + (f" {STAR}" if star else ""),
                va="center", ha="left" if side > 0 else "right", fontsize=11)
    low = min(np.nanmin(np.where(ok, lo, mean)), np.nanmin(mean))
    high = max(np.nanmax(np.where(ok, hi, mean)), np.nanmax(mean))
    ax.set_xlim(low - 0.3 * span if low < 0 else -0.05 * span, high + 0.3 * span if high > 0 else 0.05 * span)
    ax.tick_params(axis="x", labelsize=12)


def _colorbar(ax) -> None:
    bar = ax.collections[0].colorbar
    bar.ax.tick_params(labelsize=12)
    bar.set_label(bar.ax.get_ylabel(), fontsize=14)


# ------------------------------------------------------------------------------------------------ charts
def fan(sweep: Sweep, out: Path) -> Chart:
    jobs = _complete(sweep).head(MAX_FACETS)
    annual = annual_usd(sweep.timeseries[sweep.timeseries["job"].isin(jobs["job"])], by=["job"])
    cfg = _ref_config(sweep)
    grid = len(sweep.swept) == 2 and len(jobs) == len(sweep.jobs)
    if grid:  # the facets laid out as the grid of the two swept values
        rows_key, cols_key = sweep.swept
        row_vals, col_vals = (list(dict.fromkeys(jobs[k])) for k in sweep.swept)
        nrows, ncols = len(row_vals), len(col_vals)
    else:
        ncols = min(4 if len(jobs) != 9 else 3, len(jobs))
        nrows = math.ceil(len(jobs) / ncols)
    sns.set_theme(style="whitegrid", context="talk")
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 4.4 * nrows + 2.2), sharex=True, sharey=True,
                             squeeze=False)
    for ax in axes.flat:
        ax.set_visible(False)
    for i, job in enumerate(jobs.to_dict("records")):
        ax = axes[row_vals.index(job[rows_key]), col_vals.index(job[cols_key])] if grid else axes.flat[i]
        ax.set_visible(True)
        draw_target_path(ax, annual[annual["job"] == job["job"]], cfg.targets,
                         float(cfg.world.fx_observed["2020"]), legend=False)
        ax.set_title(L.wrap(job["label"], 40), fontsize=12)
        ax.tick_params(labelsize=11)
    _label_outer(axes, "year", "USD bn per year")
    handles, names = next(ax for ax in axes.flat if ax.get_visible()).get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)) if ncols > 2 else 2, fontsize=12,
               frameon=False)
    n = _replicates(sweep)
    shown = "" if len(jobs) == len(_complete(sweep)) else f" (the first {len(jobs)} of {len(_complete(sweep))})"
    years = annual["year"]
    span = f"{years.min()}–{years.max()}" if len(years) else ""
    fig.suptitle(f"Zhejiang digital trade (imports + exports), USD bn per year, {span}, by scenario{shown}\n"
                 f"median and 5–95 % of {n} replicates, against the T1 target and the T2 growth path", fontsize=16)
    legend_inches = 0.33 * math.ceil(len(names) / (min(4, len(names)) if ncols > 2 else 2)) + 0.3
    fig.tight_layout(rect=(0, legend_inches / fig.get_figheight(), 1, 1))
    caption = (f"Each panel is one scenario: the line is the median over {n} replicates of the province's annual "
               "digital trade (goods and services traded digitally, imports plus exports) converted to USD at the "
               "year's exchange rate, the band the 5–95 % of replicates; the star is the plan's T1 target "
               f"({target_label(sweep, 'T1')}), the dashed line 15 % a year from the simulated 2020 (T2), the "
               "diamond the observed 2020 value.")
    return Chart(_save(fig, out, "fan_digital_trade_usd"), "Digital trade in USD by scenario, 2020 to the horizon",
                 caption)


def _label_outer(axes, xlabel: str, ylabel: str) -> None:
    """Axis labels on the lowest visible panel of each column (shared x hides the others') and the first column."""
    for col in axes.T:
        shown = [ax for ax in col if ax.get_visible()]
        if shown:
            shown[-1].set_xlabel(xlabel)
            shown[-1].tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)


def _cell_stats(sweep: Sweep, jobs: list[int], target: str) -> dict:
    s = sweep.summary[(sweep.summary["target"] == target) & sweep.summary["job"].isin(jobs)]
    unit = str(s["unit"].iloc[0]) if len(s) else ""
    return target_stats(s["value"], s["met"], unit)


def heatmap(sweep: Sweep, out: Path, target: str = "T1") -> Chart | None:
    if len(sweep.swept) < 2:
        return None
    rows_key, cols_key = sweep.swept[:2]
    done = _complete(sweep)
    row_vals, col_vals = (list(dict.fromkeys(done[k])) for k in (rows_key, cols_key))
    p = pd.DataFrame(np.nan, index=range(len(row_vals)), columns=range(len(col_vals)))
    text = pd.DataFrame("", index=p.index, columns=p.columns)
    n = 0
    for i, rv in enumerate(row_vals):
        for j, cv in enumerate(col_vals):
            cell = done[(done[rows_key].astype(str) == str(rv)) & (done[cols_key].astype(str) == str(cv))]
            st = _cell_stats(sweep, list(cell["job"]), target)
            if not st["n"]:
                continue
            n = max(n, st["n"])
            lo, hi = st["p_met_ci"]
            median = (L.money(st["median"], "USD") if target == "T1" else f"{100 * st['median']:.1f} %/year")
            p.iloc[i, j] = st["p_met"]
            text.iloc[i, j] = f"P = {st['p_met']:.2f}\n({lo:.2f}–{hi:.2f})\nmedian {median}"
    sns.set_theme(style="white", context="talk")
    fig, ax = plt.subplots(figsize=(2.9 * len(col_vals) + 4.5, 1.7 * len(row_vals) + 3))
    sns.heatmap(p.astype(float), annot=text, fmt="", vmin=0, vmax=1, cmap="YlGnBu", linewidths=1, ax=ax,
                annot_kws={"fontsize": 12}, cbar_kws={"label": f"P({target} met)", "shrink": 0.8})
    _colorbar(ax)
    ax.set_xticklabels([L.wrap(L.fmt_value(cols_key, v), 16) for v in col_vals], fontsize=13)
    ax.set_yticklabels([L.wrap(L.fmt_value(rows_key, v), 16) for v in row_vals], fontsize=13, rotation=0)
    ax.set_xlabel(L.wrap(L.label(cols_key), 50), fontsize=14)
    ax.set_ylabel(L.wrap(L.label(rows_key), 30), fontsize=14)
    others = [L.name(k) for k in sweep.swept[2:]]
    pooled = f"; pooled over {', '.join(others)}" if others else ""
    ax.set_title(f"P({target} met: {target_label(sweep, target)}), Zhejiang\n{n} replicates per cell{pooled}; "
                 "cell: P(met), its 95 % Wilson interval, median", fontsize=14)
    caption = (f"Share of replicates in which Zhejiang meets {target} ({target_label(sweep, target)}) for each "
               f"combination of {L.name(rows_key)} (rows) and {L.name(cols_key)} (columns), with its 95 % Wilson "
               f"interval and the median {NAMES[target]} over the cell's replicates"
               + (f"; cells pool the replicates of every {', '.join(others)}." if others else "."))
    return Chart(_save(fig, out, f"heatmap_p_{target.lower()}"),
                 f"P({target} met) over {L.name(rows_key)} and {L.name(cols_key)}", caption)


def effects(sweep: Sweep, out: Path, target: str = "T1", analysis: Analysis | None = None) -> Chart | None:
    """Each scenario's change in `target` from the reference, replicate by replicate (same seeds)."""
    data = (analysis or analyse(sweep)).effects.get(target)
    if data is None or data.empty:
        return None
    scale, axis_unit, short = EFFECT_UNITS[target]
    data = data.assign(**{c: data[c] * scale for c in ("mean", "lo", "hi")}).sort_values("mean", ascending=False)
    ref = _label(sweep, sweep.reference)
    n = int(data["n"].max())
    sns.set_theme(style="whitegrid", context="talk")
    lines = sum(L.wrap(lb, WRAP).count("\n") + 1 for lb in data["label"])
    fig, ax = plt.subplots(figsize=(14, 0.27 * lines + 0.3 * len(data) + 3))
    _bars(ax, list(data["label"]), data["mean"], data["lo"], data["hi"], list(data["holds"]), short)
    what = f"T1, digital trade in {_year(sweep)}" if target == "T1" else \
        f"T2, average annual growth of digital trade {_ref_config(sweep).targets.t2_base_year}–{_year(sweep)}"
    ax.set_xlabel(f"change, {axis_unit}" + (f"\nmean of {n} paired replicates with its 95 % interval" if n > 1 else ""),
                  fontsize=13)
    ax.set_title(f"Zhejiang: change in {what}\nagainst: {ref}", fontsize=15)
    _interval_legend(ax, len(data))
    caption = (f"Each bar: {what} in the scenario minus that in **{ref}**, replicate r against replicate r (the "
               f"same seed), mean of {n} pairs"
               + (f" in {axis_unit}" if target == "T1" else " in percentage points")
               + "; whiskers: 95 % t interval. Blue: the interval lies above zero; orange: below; grey: it includes "
               f"zero. {STAR}: the effect holds after Holm's adjustment for the {len(data)} comparisons of this "
               "chart (family-wise 5 %).")
    return Chart(_save(fig, out, f"effects_{target.lower()}"),
                 f"Effects on {target} against {ref}", caption)


def contrasts(sweep: Sweep, out: Path, analysis: Analysis | None = None) -> Chart | None:
    """The factor's levels against its reference level within each level of the other swept keys (T1 and T2)."""
    analysis = analysis or analyse(sweep)
    plan = analysis.contrast
    if plan is None or all(f.empty for f in analysis.contrasts.values()):
        return None
    factor, within = plan["factor"], plan["within"]
    several = len(plan["levels"]) > 1
    sns.set_theme(style="whitegrid", context="talk")
    rows = max(len(f) for f in analysis.contrasts.values())
    fig, axes = plt.subplots(1, 2, figsize=(19, 0.95 * rows + 4.2), sharey=True, squeeze=False)
    n, sizes = 0, []
    for ax, target in zip(axes.flat, ("T1", "T2")):
        data = analysis.contrasts.get(target)
        if data is None or data.empty:
            ax.set_visible(False)
            continue
        scale, axis_unit, short = EFFECT_UNITS[target]
        n = max(n, int(data["n"].max()))
        names = ["; ".join(L.setting(k, v) for k, v in w.items()) for w in data["within"]]
        if several:
            names = [f"{L.fmt_value(factor, lv)} — {nm}" for lv, nm in zip(data["level"], names)]
        _bars(ax, names, data["mean"] * scale, data["lo"] * scale, data["hi"] * scale, list(data["holds"]), short)
        ax.set_xlabel(f"change, {axis_unit}", fontsize=13)
        t = _ref_config(sweep).targets
        ax.set_title(f"T1: digital trade in {t.year}" if target == "T1" else
                     f"T2: average annual growth {t.t2_base_year}–{t.year}", fontsize=14)
        sizes.append(len(data))
    title = contrast_title(plan)
    fig.suptitle(f"Zhejiang: {L.wrap(title, 110)}\npaired by replicate within each level, mean of {n} pairs with "
                 "its 95 % interval", fontsize=15)
    handles = _interval_handles(max(sizes))
    handles[-1:] = [plt.Line2D([], [], ls="none", marker="$" + STAR + "$", color="black", markersize=12,
                               label=f"holds after Holm adjustment for the {max(sizes)} comparisons of its "
                                     "panel (family-wise 5 %)")] if max(sizes) > 1 else handles[-1:]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=12, frameon=False)
    fig.tight_layout(rect=(0, 0.9 / fig.get_figheight(), 1, 1))
    caption = (f"{title[0].upper() + title[1:]}: for each level of {', '.join(L.name(k) for k in within)}, the "
               f"jobs that differ only in {L.name(factor)} are compared replicate by replicate (same seeds), so no "
               "extra runs are needed. Colours and " + STAR + " as in the effects charts; Holm's adjustment is over "
               "the comparisons of each panel.")
    return Chart(_save(fig, out, "contrasts"), title[0].upper() + title[1:], caption)


def contrast_title(plan: dict) -> str:
    """'plan as written against no plan (all levers off), within each world'."""
    factor, ref = plan["factor"], plan["reference"]
    levels = ", ".join(L.fmt_value(factor, v) for v in plan["levels"])
    what = levels if L.is_group(factor) else f"{L.name(factor)} {levels}"
    within = " × ".join(L.name(k) for k in plan["within"])
    level = "" if len(plan["within"]) == 1 and L.is_group(plan["within"][0]) else "level of "
    return f"{what} against {L.fmt_value(factor, ref)}, within each {level}{within}"


def cost_per_yuan(sweep: Sweep, out: Path, analysis: Analysis | None = None) -> Chart | None:
    data = (analysis or analyse(sweep)).cost
    if data is None or data.empty:
        return None
    data = data.sort_values("ratio", ascending=False)
    names = [L.wrap(pair_label(sweep, j, r), 44) for j, r in zip(data["job"], data["ref_job"])]
    n = int(data["n"].max())
    sns.set_theme(style="whitegrid", context="talk")
    height = 0.3 * sum(nm.count("\n") + 1 for nm in names) + 0.4 * len(names) + 3
    fig, ax = plt.subplots(figsize=(13, height))
    _bars(ax, names, data["ratio"], data["lo"], data["hi"], [False] * len(data), "")
    when = period(sweep)
    ax.set_xlabel("CNY of extra cumulative digital trade per CNY of extra public money\n"
                  f"(ratio of mean paired differences over {n} replicates, 95 % delta-method interval)", fontsize=13)
    ax.set_title(f"Zhejiang, {when}: extra digital trade per yuan of extra public money\n"
                 "each pair: the scenario that spends more vs the one that spends less", fontsize=15)
    _interval_legend(ax, None)
    caption = (f"Extra trade is gross cumulative digital trade {when} (imports plus exports, CNY; metric "
               "digital_trade_total), not value added and not a fiscal multiplier; public money is the CNY the "
               "levers spend or forgo (budgets and tax relief, metrics spending_<lever>), summed over the same "
               "quarters. Each pair is turned so that the scenario named first spends more (a lever switched off "
               "is costed as that lever switched on). Levers that work through rules rather than money (market access, "
               "customs modes) cost little here, so their trade per yuan is large. Only pairs that differ in policy "
               "alone and whose public money differs by at least 1 % are shown. Method: " + COST_METHOD + ".")
    return Chart(_save(fig, out, "cost_per_yuan"), "Extra digital trade per yuan of extra public money", caption)


def scorecard(sweep: Sweep, out: Path) -> Chart | None:
    jobs = _complete(sweep)
    columns = [*TARGETS, "all"]
    p = pd.DataFrame(np.nan, index=range(len(jobs)), columns=columns)
    text = pd.DataFrame("", index=p.index, columns=columns)
    for i, job in enumerate(jobs["job"]):
        s = sweep.summary[sweep.summary["job"] == job]
        stats = {t: target_stats(s.loc[s["target"] == t, "value"], s.loc[s["target"] == t, "met"],
                                 str(s.loc[s["target"] == t, "unit"].iloc[0])) for t in TARGETS}
        stats["all"] = all_met(s[["replicate", "met"]])
        for c, st in stats.items():
            if st["p_met"] is not None:
                lo, hi = st["p_met_ci"]
                p.loc[i, c] = st["p_met"]
                text.loc[i, c] = f"{st['p_met']:.2f}\n({lo:.2f}–{hi:.2f})"
    if p.isna().all().all():  # the horizon ends before the target year: nothing to score
        return None
    text = text.mask(p.isna(), "—")
    p.index = text.index = [L.wrap(lb, 34) for lb in jobs["label"]]
    base = int(_ref_config(sweep).targets.t2_base_year)
    what = {t: NAMES[t] + (f" {base}–{_year(sweep)}" if t == "T2" else "") for t in TARGETS}
    heads = [f"{t}\n{L.wrap(what[t], 15)}\n{L.target_goal(target_entry(sweep.summary, t))}" for t in TARGETS]
    p.columns = text.columns = [*heads, "all five\nin the same\nreplicate"]
    n = _replicates(sweep)
    sns.set_theme(style="white", context="talk")
    height = max(0.95, 0.3 * max(lb.count("\n") + 1 for lb in p.index) + 0.6)
    fig, ax = plt.subplots(figsize=(16, height * len(p) + 3.2))
    sns.heatmap(p.astype(float), annot=text, fmt="", vmin=0, vmax=1, cmap="YlGnBu", linewidths=1, ax=ax,
                annot_kws={"fontsize": 12}, cbar_kws={"label": "P(target met)", "shrink": 0.7})
    ax.axvline(len(TARGETS), color="black", lw=3)
    _colorbar(ax)
    ax.set(xlabel="", ylabel="")
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", labelsize=12, rotation=0, length=0)
    ax.tick_params(axis="y", labelsize=12, rotation=0)
    ax.set_title(f"Zhejiang's targets for {_year(sweep)}: P(met) over {n} replicates (95 % Wilson interval)",
                 fontsize=15, pad=16)
    caption = (f"Share of the {n} replicates of each scenario in which Zhejiang meets each target in {_year(sweep)}, "
               "with its 95 % Wilson interval; the last column is the share meeting all five in the same replicate "
               "(P(all)), which can be lower than every single P(met).")
    return Chart(_save(fig, out, "scorecard"), f"Scorecard: P(met) for T1–T5 and all five, {_year(sweep)}", caption)


def _trade_usd_by(sweep: Sweep, dim: str, jobs: list[int]) -> pd.DataFrame:
    """Annual digital trade in USD bn by `dim` (city or kind) per job, median over replicates."""
    ts = sweep.timeseries[sweep.timeseries["job"].isin(jobs)]
    trade = ts[ts["metric"] == "digital_trade"]
    fx = ts[ts["metric"] == "fx"][["job", "replicate", "quarter", "value"]].rename(columns={"value": "fx"})
    trade = trade.merge(fx, on=["job", "replicate", "quarter"])
    trade = trade.assign(usd=trade["value"] / trade["fx"] / 1e9, year=trade["quarter"].astype(str).str[:4])
    full = trade.groupby(["job", "replicate", "year"], observed=True)["quarter"].transform("nunique") == 4
    annual = trade[full].groupby(["job", "replicate", "year", dim], observed=True)["usd"].sum()
    return annual.groupby(level=["job", "year", dim], observed=True).median().reset_index()


def _featured(sweep: Sweep) -> list[int]:
    """Up to 6 scenarios: all if few, else the reference and those with the lowest and highest median T1."""
    jobs = list(_complete(sweep)["job"])
    if len(jobs) <= 6:
        return jobs
    t1 = sweep.summary[sweep.summary["target"] == "T1"].groupby("job", observed=True)["value"].median()
    order = list(t1.sort_values().index)
    picked = [sweep.reference, *order[:2], *order[-2:]]
    return [j for j in jobs if j in picked]


def trade_by(sweep: Sweep, out: Path, dim: str) -> Chart | None:
    jobs = _featured(sweep)
    data = _trade_usd_by(sweep, dim, jobs)
    if data.empty:  # no whole year simulated (a horizon before the first Q4)
        return None
    data[dim] = data[dim].astype(str).map(L.words)
    ncols = 2 if len(jobs) in (2, 4) else min(3, len(jobs))
    nrows = math.ceil(len(jobs) / ncols)
    sns.set_theme(style="whitegrid", context="talk")
    fig, axes = plt.subplots(nrows, ncols, figsize=(7 * ncols, 5 * nrows + 1.4), sharey=True, squeeze=False)
    order = data.groupby(dim, observed=True)["usd"].sum().sort_values(ascending=False).index
    palette = sns.color_palette("tab20" if dim == "city" else "Set2", len(order))
    for ax in axes.flat[len(jobs):]:
        ax.set_visible(False)
    for ax, job in zip(axes.flat, jobs):
        wide = data[data["job"] == job].pivot(index="year", columns=dim, values="usd").reindex(columns=order)
        ax.stackplot(wide.index.astype(int), wide.fillna(0).T.to_numpy(), labels=list(order), colors=palette,
                     alpha=0.9)
        ax.set_title(L.wrap(_label(sweep, job), 44), fontsize=12)
        ax.tick_params(labelsize=11)
    _label_outer(axes, "year", "USD bn per year")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles[::-1], names[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=12,
               frameon=False, title="city" if dim == "city" else "kind of trade")
    n = _replicates(sweep)
    subset = "" if len(jobs) == len(_complete(sweep)) else \
        "\nthe reference scenario and those with the lowest and highest median 2025 digital trade"
    fig.suptitle(f"Zhejiang digital trade by {'city' if dim == 'city' else 'kind'}, USD bn per year "
                 f"(median over {n} replicates){subset}", fontsize=15)
    fig.tight_layout()
    caption = (f"Annual digital trade in USD by {'city' if dim == 'city' else 'kind of trade'}: each band is the "
               f"median over {n} replicates of that {'city' if dim == 'city' else 'kind'}'s trade, so the top of the "
               "stack (a sum of medians) can differ slightly from the median total in the fan chart.")
    return Chart(_save(fig, out, f"by_{dim}"), f"Digital trade by {'city' if dim == 'city' else 'kind'}", caption)


def make_all(sweep: Sweep, out: Path, analysis: Analysis | None = None) -> list[Chart]:
    """Every chart that the sweep's shape allows, in reading order."""
    if _complete(sweep).empty:
        return []
    analysis = analysis or analyse(sweep)
    charts = [scorecard(sweep, out), fan(sweep, out), heatmap(sweep, out),
              effects(sweep, out, "T1", analysis), effects(sweep, out, "T2", analysis),
              contrasts(sweep, out, analysis), cost_per_yuan(sweep, out, analysis),
              trade_by(sweep, out, "city"), trade_by(sweep, out, "kind")]
    made = [c for c in charts if c is not None]
    for stem in set(STEMS) - {c.stem for c in made}:  # a chart of an earlier build this sweep no longer allows
        for fmt in ("png", "svg"):
            (out / f"{stem}.{fmt}").unlink(missing_ok=True)
    return made
