"""The page's text panels as Markdown: the live scorecard with money spent, and what the active levers do."""

from __future__ import annotations

from experiments.workshop.levers import FAMILIES, SCENARIO_HELP
from experiments.workshop.session import WorkshopRun
from experiments.workshop.settings import describe


def _money(cny: float) -> str:
    return f"CNY {cny / 1e9:,.1f} bn"


def scorecard_md(run: WorkshopRun) -> str:
    """T1–T5 now (or in the target year) beside the no-plan run, then money spent and trade gained per yuan."""
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
    card = run.scorecard()
    for key, e in card.items():
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
