"""How long until the workshop's ensemble band is complete: N seeds of a setting and of its no-plan run at the
default workshop scale, run as the app runs them (experiments/workshop/ensemble.py: the server's pool of worker
processes, or one thread with --workers 0), from a cold cache.

    .venv/bin/python benchmarks/workshop_ensemble.py                    # the plan, 10 seeds, the default pool
    .venv/bin/python benchmarks/workshop_ensemble.py --workers 0        # in one thread of this process
    .venv/bin/python benchmarks/workshop_ensemble.py --preset none --set policy.fund.enabled=true --seeds 20

Prints the seconds until the first complete pair and until the band is complete (both sides, every seed), the
pool's start-up (paid once per server, before the first visitor), and appends them to
outputs/workshop-load/ensemble.jsonl. The browser test measures the same in the page
(outputs/workshop-test/timings.json: band_complete_*).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "outputs" / "workshop-load" / "ensemble.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="plan")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a control, as an override")
    parser.add_argument("--seeds", type=int, default=None, help="ensemble size (default: the app's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=None, help="default: the app's default scale")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (0: a thread; default: the app's)")
    args = parser.parse_args()
    if args.workers is not None:
        os.environ["DTSIM_ENSEMBLE_WORKERS"] = str(args.workers)
    from experiments.workshop import ensemble
    from experiments.workshop.session import WorkshopRun
    from experiments.workshop.settings import DEFAULT_SCALE, Settings

    settings = Settings(args.preset, args.seed, args.scale or DEFAULT_SCALE)
    for item in args.set:
        key, value = item.split("=", 1)
        settings = settings.change(key, {"true": True, "false": False}.get(value, _number(value)))
    n = args.seeds or ensemble.DEFAULT_MEMBERS
    tic = time.perf_counter()
    ensemble.warm()
    pool_s = time.perf_counter() - tic
    run = WorkshopRun(settings)
    tic = time.perf_counter()
    ens = run.ensemble(n)
    first = None
    while not ens.complete:
        if ens.error:
            raise SystemExit(ens.error)
        ens.wait(ens.version, 1.0)
        if first is None and ens.pairs:
            first = time.perf_counter() - tic
    result = {"command": " ".join([Path(sys.executable).name, "benchmarks/workshop_ensemble.py", *sys.argv[1:]]),
              "settings": settings.command(n), "seeds": n, "workers": ensemble.workers(),
              "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
              "pool_start_s": round(pool_s, 3), "first_pair_s": round(first or ens.complete_s, 3),
              "band_complete_s": round(ens.complete_s, 3), "runs": 2 * n,
              "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a") as f:
        f.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


if __name__ == "__main__":
    main()
