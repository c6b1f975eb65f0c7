"""The page's text panels as Markdown: the live scorecard with money spent, and what the active levers do."""

from __future__ import annotations

from experiments.workshop import monitor
from experiments.workshop.levers import FAMILIES, SCENARIO_HELP
from experiments.workshop.session import WorkshopRun
from experiments.workshop.settings import describe


def _money(cny: float) -> str:
    return f"CNY {cny / 1e9:,.1f} bn"


def scorecard_md(run: WorkshopRun, card: dict | None = None) -> str:
    """T1–T5 now (or in the target year) beside the no-plan run, then money spent and trade gained per yuan, then
    the milestones if the model scores any."""
    names = {"T1": "digital trade", "T2": f"growth since {run.cfg.targets.t2_base_year}", "T3": "global platforms",
             "T4": "key enterprises", "T5": "demonstration bases"}

    def fmt(key, value):
        if value is None:
            return "—"
        if key == "T1":
            return f"USD {value / 1e9:,.1f} bn"
        return f"{100 * value:.1f} %/yr" if key == "T2" else f"{value:,.0f}"

    def target(key, thr):
        if key == "T1":
            return f"≥ USD {thr / 1e9:.0f} bn"
        if key == "T2":
            return f"≥ {100 * thr:.0f} %/yr"
        return f"{thr[0]}–{thr[1]}" if isinstance(thr, (list, tuple)) else f"≥ {thr}"

    year = run.cfg.targets.year
    lines = [f"| target ({year}) | | this run | | no plan |", "|---|---|---|---|---|"]
    card = run.scorecard() if card is None else card
    for key in monitor.TARGET_KEYS:
        e = card[key]
        mark = {True: "met" if e["final"] else "reached", False: "not met" if e["final"] else "not yet",
                None: ""}[e["met"]]
        lines.append(f"| **{key}** {names[key]} | {target(key, e['threshold'])} | {fmt(key, e['value'])} | {mark} "
                     f"| {fmt(key, e['none'])} |")
    lines += ["", f"*This run*: the value {'in ' + str(year) if card['T1']['final'] else 'so far'} "
              f"(T1 and T2 over the last complete year). *No plan*: the policy=none run of the same seed, {year}."]
    money = run.spending()
    spent = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in money["spent"].items() if v > 0) or "none"
    per = "—" if money["per_yuan"] is None else f"{money['per_yuan']:.1f}"
    lines += ["", f"Public money spent to {run.label}: **{_money(money['total'])}** ({spent}; CNY bn, tax = "
              f"revenue forgone). Digital trade above the no-plan run: **{_money(money['gain'])}**, i.e. "
              f"**{per} yuan of extra digital trade per yuan spent**."]
    if monitor.milestones(card):
        lines += ["", milestones_md(run)]
    return "\n".join(lines)


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
