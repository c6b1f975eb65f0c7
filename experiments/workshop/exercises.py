"""The workshop guide's exercises, run the way the app runs them (so a facilitator can refresh the guide's numbers
after the model changes):

    .venv/bin/python -m experiments.workshop.exercises            # seeds 0 1 2, scale 0.05 (~2 min)
    .venv/bin/python -m experiments.workshop.exercises --seeds 0  # one seed
"""

from __future__ import annotations

import argparse

import numpy as np

from experiments.workshop.session import WorkshopRun
from experiments.workshop.settings import DEFAULT_SCALE, Settings

EXERCISES = {
    "1 Can Hangzhou alone reach the targets?": [
        ("plan", "plan", ()),
        ("Hangzhou only", "plan", (("phasing", "hangzhou_only"),)),
        ("all cities 2020", "plan", (("phasing", "all_2020"),)),
    ],
    "2 Grants or tax incentives: more trade per yuan?": [
        ("fund only", "none", (("policy.fund.enabled", True),)),
        ("tax only", "none", (("policy.tax.enabled", True),)),
        ("fund only, CNY 3 bn/yr", "none", (("policy.fund.enabled", True), ("policy.fund.annual_budget_cny", 3e9))),
    ],
    "3 What if the dollar strengthens?": [
        ("central", "plan", ()),
        ("strong USD", "plan", (("world.fx", "strong_usd"),)),
        ("weak USD", "plan", (("world.fx", "weak_usd"),)),
    ],
    "4 Which lever family carries the plan?": [
        (f"plan without {family}", "plan", ((f"policy.{family}.enabled", False),))
        for family in ("fund", "tax", "market_access", "talent", "infrastructure", "cbec", "demo_bases")
    ],
}


def measure(preset: str, changes: tuple, seed: int, scale: float = DEFAULT_SCALE) -> dict:
    settings = Settings(preset, seed, scale)
    for key, value in changes:
        settings = settings.change(key, value)
    run = WorkshopRun(settings).finish()
    card, money = run.scorecard(), run.spending()
    return {"command": settings.command(), "card": card, "money": money}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--only", type=int, help="run only this exercise (1 to 4)")
    args = parser.parse_args()
    print(f"seeds {args.seeds}, scale {args.scale}; mean (min–max) over seeds; 'extra trade' is 2020–25 digital "
          "trade above the policy=none run of the same seed")
    for number, (title, rows) in enumerate(EXERCISES.items(), start=1):
        if args.only and number != args.only:
            continue
        print(f"\n## Exercise {title}\n")
        print("| scenario | T1, USD bn | T2, %/yr | T5, bases | runs meeting T1 / all five | spent, CNY bn "
              "| extra trade, CNY bn | per yuan | command (seed 0) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for label, preset, changes in rows:
            runs = [measure(preset, changes, seed, args.scale) for seed in args.seeds]
            col = {k: np.array([r["card"][k]["value"] for r in runs]) for k in ("T1", "T2", "T5")}
            spent = np.array([r["money"]["total"] for r in runs])
            gain = np.array([r["money"]["gain"] for r in runs])
            t1_met = sum(bool(r["card"]["T1"]["met"]) for r in runs)
            all_met = sum(all(e["met"] for e in r["card"].values()) for r in runs)
            print(f"| {label} | {_mmm(col['T1'] / 1e9)} | {_mmm(100 * col['T2'])} | {_mmm(col['T5'], 0)} "
                  f"| {t1_met} / {all_met} of {len(runs)} | {spent.mean() / 1e9:.1f} | {_mmm(gain / 1e9, 0)} "
                  f"| {gain.mean() / spent.mean():.1f} | `{runs[0]['command']}` |")
        nones = np.array([measure("none", (), seed, args.scale)["card"]["T1"]["value"] for seed in args.seeds])
        print(f"| no plan (policy=none) | {_mmm(nones / 1e9)} | | | | 0 | | | |")


def _mmm(x: np.ndarray, digits: int = 1) -> str:
    return f"{x.mean():.{digits}f} ({x.min():.{digits}f}–{x.max():.{digits}f})"


if __name__ == "__main__":
    main()
