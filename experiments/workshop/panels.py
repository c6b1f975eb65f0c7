"""The page's text panels as Markdown: the live scorecard with money spent, and what the active levers do."""

from __future__ import annotations

from experiments.workshop import monitor
from experiments.workshop.levers import FAMILIES, SCENARIO_HELP
from experiments.workshop.session import WorkshopRun
from experiments.workshop.settings import describe


NAMES = {"T1": "digital trade", "T3": "global platforms", "T4": "key enterprises", "T5": "demonstration bases"}


def _money(cny: float) -> str:
    return f"CNY {cny / 1e9:,.1f} bn"


def _names(run: WorkshopRun) -> dict:
    return {**NAMES, "T2": f"growth since {run.cfg.targets.t2_base_year} (in CNY)"}


def _fmt(key: str, value, unit: bool = True) -> str:
    """A target's value as the scorecard shows it: T1 in USD bn (as the trade chart), T2 in %/yr, counts."""
    if value is None:
        return "—"
    if key == "T1":
        return f"USD {value / 1e9:,.1f} bn" if unit else f"{value / 1e9:,.1f}"
    if key == "T2":
        return f"{100 * value:.1f} %/yr" if unit else f"{100 * value:.1f}"
    return f"{value:,.0f}"


def _goal(key: str, thr) -> str:
    if key == "T1":
        return f"≥ USD {thr / 1e9:.0f} bn"
    if key == "T2":
        return f"≥ {100 * thr:.0f} %/yr"
    return f"{thr[0]}–{thr[1]}" if isinstance(thr, (list, tuple)) else f"≥ {thr}"


def _pct(p) -> str:
    return "—" if p is None else f"{100 * p:.0f} %"


def _ens_cell(key: str, stats: dict) -> str:
    """'**129.2** (124.6–138.5)<br>P(met) 100 %': the median, its 5-95 % range and P(met) (target_stats)."""
    if not stats or stats.get("median") is None:
        return "—"
    return (f"**{_fmt(key, stats['median'], unit=False)}** ({_fmt(key, stats['q05'], unit=False)}–"
            f"{_fmt(key, stats['q95'], unit=False)})<br>P(met) {_pct(stats['p_met'])}")


def per_yuan_text(per: dict | None) -> str:
    """'11.8 (95 % interval 10.4 to 13.2)' from experiments.aggregate.ratio_interval, or why there is none."""
    if per is None:
        return "— (spends no money)"
    if per["lo"] is None:
        return f"{per['ratio']:.1f} (no interval yet)"
    return f"**{per['ratio']:.1f}** (95 % interval {per['lo']:.1f} to {per['hi']:.1f})"


def ensemble_md(run: WorkshopRun, summary: dict | None, pins: tuple = (), members: int | None = None,
                error: str = "") -> str:
    """Where these settings end up: the ensemble's median, 5-95 % and P(met) per target (the project's one rule,
    experiments.replicates), P(all five), and the extra gross digital trade per yuan with its t interval
    (experiments.aggregate.ratio_interval on paired seeds); beside the no-plan ensemble and the pinned runs.
    `pins`: (name, summary) pairs."""
    year, seed = run.cfg.targets.year, run.cfg.seed
    if error:
        return f"**Ensemble failed**: {error} (the server's log has the details; Reset tries again)."
    if summary is None:
        return (f"**Ensemble**: running the first seeds of these settings and of the no-plan run "
                f"({members or ''} replicates of seed {seed}) in the background…")
    n, of = summary["n"], summary["of"]
    state = "" if summary["complete"] else f" — **{n} of {of} seeds so far**, still running"
    cols = [("this setting", summary), ("no plan", {"run": summary["none"]}), *pins]
    head = " | ".join([f"**{run.name}**", "no plan", *(f"pin {i + 1}: {name}" for i, (name, _) in enumerate(pins))])
    lines = [f"**Where these settings end up in {year}**: median (5–95 %) and P(met) over {n} seeds (replicates "
             f"0–{n - 1} of seed {seed}, each paired with the no-plan run of the same seed){state}.", "",
             f"| target | goal | {head} |", "|---|---|" + "---|" * len(cols)]
    first = summary["run"]["targets"]
    for key in monitor.TARGET_KEYS:
        cells = [_ens_cell(key, side["run"]["targets"][key] if side else None) for _, side in cols]
        lines.append(f"| **{key}** {_names(run)[key]} | {_goal(key, first[key]['threshold'])} | {' | '.join(cells)} |")
    cells = [f"P {_pct(side['run']['all']['p_met'])}" if side else "—" for _, side in cols]
    lines.append(f"| **all five** in the same seed | | {' | '.join(cells)} |")
    per = [per_yuan_text(summary["per_yuan"]), "—", *(per_yuan_text(p["per_yuan"]) if p else "—" for _, p in pins)]
    lines.append(f"| **extra digital trade per yuan** of public money, 2020–{year} | | {' | '.join(per)} |")
    lines += ["", "*Extra digital trade per yuan*: the extra gross digital trade (imports + exports, summed over the "
                  "quarters — not value added) over the no-plan run of the same seed, per yuan spent (tax: revenue "
                  "forgone); the ratio of the mean paired differences with its 95 % t interval. An interval that "
                  "spans zero means these seeds cannot tell the effect from noise."]
    return "\n".join(lines)


def scorecard_md(run: WorkshopRun, card: dict | None = None) -> str:
    """One draw: T1–T5 so far (or in the target year) beside the no-plan run of the same seed *at the same
    quarter*, then the money spent and the trade gained in this draw, then the milestones if the model scores any."""
    year, seed = run.cfg.targets.year, run.cfg.seed
    card = run.scorecard() if card is None else card
    final = card["T1"]["final"]
    when = str(year) if final else f"so far, {run.label}"
    lines = [f"**One draw** (seed {seed}, the run stepped above — to explain mechanisms, not a result), {when}:", "",
             f"| target | goal | one draw | | no plan, same seed, {year if final else 'same quarter'} |",
             "|---|---|---|---|---|"]
    for key in monitor.TARGET_KEYS:
        e = card[key]
        mark = {True: "met" if e["final"] else "reached", False: "not met" if e["final"] else "not yet",
                None: ""}[e["met"]]
        lines.append(f"| **{key}** {_names(run)[key]} | {_goal(key, e['threshold'])} | {_fmt(key, e['value'])} "
                     f"| {mark} | {_fmt(key, e['none'])} |")
    lines += ["", "T1 and T2 over the last complete calendar year (T1 in USD, as the chart; T2's growth in CNY)."]
    money = run.spending()
    spent = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in money["spent"].items() if v > 0) or "none"
    per = "—" if money["per_yuan"] is None else f"{money['per_yuan']:.1f}"
    lines += ["", f"This draw to {run.label}: public money spent {_money(money['total'])} ({spent}; CNY bn, tax = "
              f"revenue forgone); gross digital trade above the no-plan draw {_money(money['gain'])}: {per} yuan "
              f"per yuan spent — one draw's noise included (the ensemble above gives the interval)."]
    if monitor.milestones(card):
        lines += ["", milestones_md(run)]
    return "\n".join(lines)


def status_md(run: WorkshopRun, summary: dict | None, members: int, error: str = "") -> str:
    """The top line: what runs (its effective settings, not the preset's name), the quarter of the one draw, the
    ensemble's progress, and both as dtsim commands."""
    done = "failed" if error else "off" if not members else "starting" if summary is None else \
        (f"{summary['n']} seeds" if summary["complete"] else f"{summary['n']} of {summary['of']} seeds, running")
    return (f"**{run.name}** · one draw at **{run.label}** · ensemble: {done} · {run.model.firms.n:,} firm agents "
            f"(scale {run.cfg.scale:g})<br>one draw: `{run.settings.command()}` · ensemble: "
            f"`{run.settings.command(members)}`")


def _value(entry: dict) -> str:
    value, unit = entry.get("value"), entry.get("unit") or ""
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
        return f"{text} {unit}".strip()
    return str(value)


def _threshold(entry: dict) -> str:
    thr = entry.get("threshold")
    if thr is None:
        return ""
    if isinstance(thr, (list, tuple)):
        return f"{thr[0]}–{thr[1]}"
    return f"≥ {thr:,.4g}" if isinstance(thr, (int, float)) else str(thr)


def _status(met, final: bool) -> str:
    return {True: "met" if final else "reached so far", False: "not met" if final else "not yet", None: ""}[met]


def milestones_md(run: WorkshopRun, metrics: dict | None = None) -> str:
    """The 2022 milestone: the scorecard's own milestone entries if it has any (e.g. M2022); else the dimensions
    model.targets.milestone scores (at the milestone quarter once simulated, so far before), beside the no-plan run;
    else the criteria the recorder keeps (province-level index metrics and their thresholds, last quarter); or that
    this model version has none."""
    card = run.scorecard()
    found = monitor.milestones(card)
    if found:
        lines = ["| milestone | threshold | this run | status | no plan |", "|---|---|---|---|---|"]
        for key, e in found.items():
            status = _status(e.get("met"), e.get("final", True)) or "not yet simulated"
            name = e.get("label") or e.get("name") or e.get("description") or ""
            none = "—" if e.get("none") is None else _value({**e, "value": e["none"]})
            lines.append(f"| **{key}** {name} | {_threshold(e)} | {_value(e)} | {status} | {none} |")
        return "\n".join(lines)
    scored = run.milestone()
    if scored:
        q, dims = scored["quarter"], scored["dimensions"]
        final = all(d["final"] for d in dims.values())
        verdict = {True: "**met** (all dimensions)", False: "**not met**", None: "not yet judged"}[scored["all"]]
        none_all = {True: "met", False: "not met", None: "—"}[scored["none_all"]]
        lines = [f"The plan's 2022 milestone, judged at {q}: {verdict}; the no-plan run: {none_all}.", "",
                 f"| dimension | threshold | this run | | no plan, {q} |", "|---|---|---|---|---|"]
        for dim, d in dims.items():
            thr = "" if d.get("threshold") is None else f"≥ {d['threshold']:,.4g} {d.get('unit', '')}".strip()
            none = "—" if d["none"] is None else f"{_value({'value': d['none']})} ({_status(d['none_met'], True)})"
            lines.append(f"| {monitor.pillar_name('index_' + dim)} | {thr} | {_value({'value': d.get('value')})} "
                         f"| {_status(d.get('met'), d['final'])} | {none} |")
        lines += ["", f"*This run*: the value at {q}{'' if final else ' once simulated; until then, the value so far'}"
                      ". Criteria: the `index.m2022_…` keys of the config, model/targets.py."]
        return "\n".join(lines)
    return criteria_md(run.model.recorder, run.label, metrics)


def criteria_md(recorder, label: str, metrics: dict | None = None) -> str:
    """The milestone's criteria as the recorder keeps them (a model version that records them but scores no
    milestone), or that this model version has none."""
    crit = monitor.criteria(recorder, metrics)
    if not crit:
        return "*Milestone (M2022): not available in this model version.*"
    lines = ["*This model version scores no milestone; its criteria as recorded:*", "",
             f"| criterion | {label} | threshold | |", "|---|---|---|---|"]
    for c in crit:
        mark = "" if c["value"] is None or c["threshold"] is None else \
            ("at or above" if c["value"] >= c["threshold"] else "below")
        lines.append(f"| {c['name'][len(monitor.COMPOSITE):].lstrip('_').replace('_', ' ')} "
                     f"| {_value({'value': c['value'], 'unit': ''})} "
                     f"| {_value({'value': c['threshold'], 'unit': ''})} {c['unit']} | {mark} |")
    return "\n".join(lines)


def phasing_md(run: WorkshopRun) -> str:
    """Which cities are in the zone when (the whole horizon, as set), and which levers act in each this quarter."""
    lines = [f"| city | in the zone | levers acting in {run.label} |", "|---|---|---|"]
    for row in monitor.phasing_rows(run.model):
        lines.append(f"| {row['city']} | {row['zone']} | {', '.join(row['now']) or '—'} |")
    return "\n".join(lines)


def _rollout(cfg) -> str:
    by_quarter: dict[str, list[str]] = {}
    for city, q in cfg.phasing.rollout.items():
        by_quarter.setdefault(q, []).append(city)
    return "; ".join(f"{q}: {', '.join(c)}" for q, c in sorted(by_quarter.items(), key=lambda kv: kv[0]))


def explain_md(run: WorkshopRun) -> str:
    """Each lever family: off, or its dates, coverage, values and what it does; then phasing, world, preset."""
    cfg, out = run.cfg, []
    for family, (title, controls, text) in FAMILIES.items():
        lever = cfg.policy[family]
        if not lever.enabled:
            out.append(f"- **{title}**: off.")
            continue
        values = ", ".join(c.describe(lever[c.key.rsplit(".", 1)[1]]) for c in controls[1:])
        out.append(f"- **{title}** ({lever.start}–{lever.end}, coverage {lever.coverage}; {values}): {text}")
    s = run.settings
    levels = ", ".join(f"{k} {v}" for k, v in cfg.world.fx_scenarios.items())
    world = s.value("world")
    phasing = cfg.phasing.name
    out += [f"- **Phasing** `{phasing}` ({_rollout(cfg)}): {describe('phasing', phasing)} "
            f"{SCENARIO_HELP['phasing']}",
            f"- **World** `{world}`: {describe('world', world)} **USD path** `{cfg.world.fx}`: "
            f"{SCENARIO_HELP['world.fx'].format(levels=levels)}"]
    if s.preset.startswith("experiment="):
        name = s.preset.split()[0].split("=", 1)[1]
        out.insert(0, f"- **Preset** `{s.preset}`: {describe('experiment', name)} (the app runs one "
                      f"seed of it; the sweep itself is `dtsim -m experiment={name}`)")
    return "\n".join(out)
