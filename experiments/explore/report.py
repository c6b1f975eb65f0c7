"""report.md of a study: what was run (command, factors, seed-noise handling, runs and their cost) and what it
found, every number read from the study's own tables."""

from __future__ import annotations

import math

import pandas as pd

BN = 1e9
KIND_TITLE = {"sobol": "global sensitivity (Sobol)", "morris": "screening (Morris)",
              "prim": "scenario discovery (PRIM)", "cost": "cost per yuan", "pareto": "cheapest robust lever mix"}


def num(v, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}g}" if isinstance(v, float) else str(v)


def ci(v, lo, hi, scale: float = 1.0) -> str:
    return f"{num(v / scale)} [{num(lo / scale)}, {num(hi / scale)}]"


def table(frame: pd.DataFrame) -> list[str]:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rows = ["| " + " | ".join(num(v) if isinstance(v, float) else str(v) for v in r) + " |"
            for r in frame.itertuples(index=False)]
    return [head, "|" + "---|" * len(frame.columns), *rows, ""]


def seed_noise(st) -> str:
    s = st.settings
    if s.seed_factor:
        return ("the replicate seed is a factor of its own (explore.seed_factor): each design point runs one seed, "
                "drawn like the other factors" + (", and its index measures how much of the outcome is luck."
                                                 if s.kind in ("sobol", "morris") else
                                                 "; PRIM is not offered it, so boxes average over luck."))
    if int(s.replicates) > 1:
        return (f"each design point is the mean of {s.replicates} replicates, and replicate r has the same seed at "
                "every point (common random numbers: points differ by their factors, not by luck).")
    return ("one replicate per design point, the same seed at every point (common random numbers): differences "
            "between points are not luck, but the results hold for that seed; raise explore.replicates to average.")


def header(st, command: str, results: dict) -> list[str]:
    s, runs = st.settings, st.stats
    data = pd.concat(st.parts, ignore_index=True)
    cpu = float(data["cpu_s"].mean())
    rate = runs["computed"] / runs["wall_s"] if runs["wall_s"] else float("nan")
    out = [f"# {s.name}: {KIND_TITLE[s.kind]}", "", f"Command: `{command}`", "",
           f"Model: {' '.join(st.overrides) or 'the defaults'} (horizon {st.cfg.horizon}, scale {st.cfg.scale:g}, "
           f"seed {st.cfg.seed}). Seed noise: {seed_noise(st)}", "",
           f"Runs: {runs['runs']} ({runs['computed']} run now, {runs['reused']} found in the folder); "
           f"{runs['wall_s']:.1f} s running them, {num(rate)} runs/s; {num(cpu)} CPU s per run "
           f"(mean over the study's runs).", "", "## Factors", ""]
    rows = [{"factor": f.name, "role": f.role, "range": f"[{num(f.lo)}, {num(f.hi)}]", "range from": f.source,
             "base": num(f.default), "unit": f.unit} for f in st.factors]
    if not rows:
        return out + ["(none: the plan as composed)", ""]
    return out + table(pd.DataFrame(rows)) + posterior_note(st)


def posterior_note(st) -> list[str]:
    fitted = [f.name for f in st.factors if f.source == "posterior"]
    if not fitted:
        return []
    share = f"{100 * float(st.settings.posterior_interval):g} %"
    how = ("drawn jointly from it (their correlations kept)" if st.settings.kind in ("prim", "pareto", "cost")
           else f"varied independently over its central {share} interval (Sobol and Morris need independent "
                "factors: the posterior's correlations are not kept)")
    return [f"Uncertainties the calibration fitted (`range from` posterior) come from the posterior sample "
            f"`data/calibration/{st.posterior.name}_posterior.csv`, {how}; the rest span their base value "
            f"x (1 ± {st.settings.spread:g}).", ""]


def sobol_section(res: dict) -> list[str]:
    sens = res["sensitivity"]
    if sens.empty:
        return ["No outcome varied: no indices."]
    n = int(sens["N"].max())
    out = [f"## Top five factors by total index (N={n}, 95 % bootstrap intervals)", ""]
    for outcome, d in sens[sens["N"] == n].groupby("outcome", sort=False):
        top = d.sort_values("ST", ascending=False).head(5)
        out += [f"**{outcome}**", ""] + table(pd.DataFrame({
            "factor": top["factor"], "ST": [f"{num(a)} ± {num(b)}" for a, b in zip(top["ST"], top["ST_conf"])],
            "S1": [f"{num(a)} ± {num(b)}" for a, b in zip(top["S1"], top["S1_conf"])]}))
    out += [f"## Convergence: total indices at N={n // 2} and N={n} (the first half of the same runs)", ""]
    wide = sens.pivot_table(index=["outcome", "factor"], columns="N", values=["ST", "ST_conf"], sort=False)
    for outcome in dict.fromkeys(sens["outcome"]):
        if outcome not in ("T1", "T2"):
            continue
        w = wide.loc[outcome].sort_values(("ST", n), ascending=False)
        out += [f"**{outcome}**", ""] + table(pd.DataFrame({
            "factor": w.index, f"ST at N={n // 2}": [f"{num(a)} ± {num(b)}" for a, b in
                                                     zip(w[("ST", n // 2)], w[("ST_conf", n // 2)])],
            f"ST at N={n}": [f"{num(a)} ± {num(b)}" for a, b in zip(w[("ST", n)], w[("ST_conf", n)])]}))
    return out


def morris_section(res: dict) -> list[str]:
    out = ["## Morris screening (mu*: mean absolute effect over the factor's range, 95 % bootstrap)", ""]
    for outcome, d in res["sensitivity"].groupby("outcome", sort=False):
        d = d.sort_values("mu_star", ascending=False)
        noise = d.loc[d["factor"] == "seed", "mu_star"]
        note = f" (seed's mu*: {num(float(noise.iloc[0]))}, the size of luck)" if len(noise) else ""
        out += [f"**{outcome}**{note}", ""] + table(d.head(10)[["factor", "mu_star", "mu_star_conf", "sigma"]])
    return out


def prim_section(res: dict) -> list[str]:
    out = ["## Where the targets are missed under the plan (PRIM)", ""]
    for case, b in res["boxes"].groupby("case", sort=False):
        first = b.iloc[0]
        out.append(f"**{case} missed** in {int(first['misses'])} of {int(first['points'])} scenarios.")
        if pd.isna(first["box"]):
            out += ["No box: the case is missed everywhere or nowhere.", ""]
            continue
        out += [f"Chosen box (trajectory step {int(first['box'])}): coverage {num(first['coverage'])}, density "
                f"{num(first['density'])}, mass {num(first['mass'])}, {int(first['res_dim'])} restricted "
                "dimension(s); quasi-p of each limit (Bryant & Lempert 2010):", ""]
        lim = b.dropna(subset=["factor"])
        out += table(lim[["factor", "min", "max", "range_lo", "range_hi", "qp_lo", "qp_hi"]]) if len(lim) else [""]
    return out + cart_section(res.get("cart"))


def cart_section(leaves) -> list[str]:
    if leaves is None or leaves.empty:
        return []
    out = ["## The same question by CART (leaves where the case is mostly missed)", "",
           "A classification tree on the same points (ema_workbench `cart`): each leaf below is a box in which "
           "at least half the points miss the case; compare its limits with PRIM's box.", ""]
    for (case, leaf), b in leaves.groupby(["case", "leaf"], sort=False):
        first = b.iloc[0]
        out.append(f"**{case}**, leaf {int(leaf)}: coverage {num(first['coverage'])}, density "
                   f"{num(first['density'])}, mass {num(first['mass'])}.")
        lim = b.dropna(subset=["factor"])
        out += [""] + (table(lim[["factor", "min", "max"]]) if len(lim) else ["(no restriction)", ""])
    return out


def cost_section(res: dict) -> list[str]:
    t = res["cost"]
    out = ["## USD of target-year digital trade (T1) per CNY of public money over the plan period", "",
           "Each level against the family switched off, paired replicates, 95 % intervals "
           "(experiments.aggregate.ratio_interval); marginal: against the next lower level.", ""]
    rows = pd.DataFrame({"family": t["family"], "level": t["level"], "budget CNY bn/yr": t["budget_cny_per_year"] / BN,
                         "extra money CNY bn": t["d_spending_cny"] / BN,
                         "extra T1 USD bn": [ci(*v, BN) for v in zip(t["d_T1_usd"], t["d_T1_lo"], t["d_T1_hi"])],
                         "USD per CNY": [ci(*v) for v in zip(t["usd_per_cny"], t["lo"], t["hi"])],
                         "marginal": [ci(*v) for v in zip(t["marginal_usd_per_cny"], t["m_lo"], t["m_hi"])],
                         "n": t["n"]})
    out += table(rows)
    if res["not_costed"]:
        out += [f"Not costed (no budget in the schema, or not picked): {', '.join(res['not_costed'])}.", ""]
    return out


def pareto_section(res: dict, objective: str) -> list[str]:
    trials, reg = res["trials"], res["regret"]
    front = trials[trials["on_front"]].sort_values("cost")
    levers = [c for c in trials.columns if c.startswith("policy.")]
    out = [f"## Pareto front ({len(front)} of {len(trials)} trials; objective {objective})", ""]
    shown = front[["trial", "cost", "p_all", "p_all_lo", "p_all_hi", "t1_q05"] + levers].copy()
    shown["cost"] = shown["cost"] / BN
    out += table(shown.rename(columns={"cost": "cost CNY bn"}))
    k = front[front["knee"]].iloc[0]
    out += [f"Knee: trial {int(k['trial'])}, CNY {num(k['cost'] / BN)} bn, P(all) {num(k['p_all'])}, "
            f"T1 5 % quantile USD {num(k['t1_q05'] / BN)} bn.", "", "## Regret across the world presets", ""]
    column, scale, what = (("regret_p_all", 1.0, "P(all)") if objective == "p_all" else
                           ("regret_t1_usd", BN, "median T1 (USD bn)"))
    wide = reg.pivot_table(index="mix", columns="world", values=column, sort=False) / scale
    wide["max regret"] = wide.max(axis=1)
    out += table(wide.reset_index())
    out += [f"Regret: the best {what} any compared mix reaches in that world minus the mix's own "
            f"({int(reg['runs'].iloc[0])} runs each); both regrets are in regret.csv.", ""]
    return out


def write(st, results: dict, command: str, charts: list[str]) -> str:
    kind = st.settings.kind
    body = {"sobol": sobol_section, "morris": morris_section, "prim": prim_section, "cost": cost_section,
            "pareto": lambda r: pareto_section(r, str(st.settings.pareto.objective))}[kind](results)
    lines = header(st, command, results) + body + [f"![{c}]({c})" for c in charts]
    text = "\n".join(lines) + "\n"
    (st.folder / "report.md").write_text(text, encoding="utf-8")
    return text
