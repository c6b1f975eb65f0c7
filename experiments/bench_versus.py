"""This checkout's full-scale run against another commit's, timed in one session: the ratio of CPU seconds.

    python -m experiments.bench_versus 7191d0e               # 5 pairs, scale=1.0, seed 0
    python -m experiments.bench_versus HEAD~3 --pairs 9 --scale 0.25
    python -m experiments.bench_versus 7191d0e --write-docs  # and the table into README.md

The other commit is checked out into a temporary git worktree (removed afterwards) and run with this environment's
Python. Each timed process imports the model, warms up on a tiny run, then times `model.api.simulate(scale=...,
seed=...)` twice (CPU seconds: set-up and the quarters, not the imports): the first run is what one `dtsim` call
pays (its arrays are allocated for the first time), the second what each further run in a sweep worker pays, and
what `python -m experiments.bench` reports (best of three in one process). The two commits run in turn, this one
first (A B A B ...), and the ratio A/B is taken pair by pair, so a machine whose speed drifts during the call moves
both sides of a pair alike; the medians are quoted. Every result is appended to benchmarks/versus.jsonl. Exit 2 if
the commit is unknown or git is missing.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timezone
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tqdm.auto import tqdm

from experiments import bench_docs
from experiments.bench import commit

ROOT = bench_docs.ROOT

_TIMED = """
import sys, time
from model.api import simulate
simulate(scale=0.02, seed=0)  # imports and caches warm
for _ in range(2):
    t = time.process_time()
    simulate(scale=float(sys.argv[1]), seed=int(sys.argv[2]))
    print(time.process_time() - t)
"""
RUNS = ("first", "second")  # the runs a timed process makes


def timed(tree: Path, scale: float, seed: int) -> list[float]:
    """CPU seconds of the first and the second run of the model in `tree`, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", _TIMED, str(scale), str(seed)], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return [float(x) for x in out.stdout.split()[-len(RUNS):]]


def compare(rev: str, pairs: int, scale: float, seed: int) -> dict:
    """Alternated runs of this checkout (A) and of `rev` (B): per run (first, second), each side's times, medians
    and the pairwise ratios."""
    with tempfile.TemporaryDirectory(prefix="dtsim-versus-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True,
                       capture_output=True, text=True)
        try:
            a, b = [], []
            for _ in tqdm(range(pairs), desc=f"pairs vs {rev}", unit="pair", disable=None):
                a.append(timed(ROOT, scale, seed))
                b.append(timed(tree, scale, seed))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    out = {"rev": rev, "scale": scale, "seed": seed, "load": [round(x, 2) for x in os.getloadavg()]}
    for i, run in enumerate(RUNS):
        ai, bi = [x[i] for x in a], [x[i] for x in b]
        ratios = [x / y for x, y in zip(ai, bi)]
        out[run] = {"a_s": ai, "b_s": bi, "a_median": statistics.median(ai), "b_median": statistics.median(bi),
                    "ratios": ratios, "ratio_median": statistics.median(ratios)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m experiments.bench_versus", description=__doc__.split("\n")[0])
    ap.add_argument("rev", help="the other commit (any git revision)")
    ap.add_argument("--pairs", type=int, default=5, help="A-B pairs timed")
    ap.add_argument("--scale", type=float, default=1.0, help="model scale of the timed run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write-docs", action="store_true", help="also put the table into README.md's bench-versus block")
    args = ap.parse_args(argv)
    if args.pairs < 1 or not 0 < args.scale <= 1:
        ap.error("--pairs must be at least 1 and --scale in (0, 1]")
    try:
        r = compare(args.rev, args.pairs, args.scale, args.seed)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(f"bench_versus: error: {detail.strip().splitlines()[-1] if detail.strip() else exc}", file=sys.stderr)
        return 2
    head = commit()  # "+uncommitted" if model/ or agents/ differ from it
    r = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": head,
         "pairs": args.pairs, **r}
    bench_docs.append(bench_docs.VERSUS, r)
    print(f"scale={r['scale']}, seed {r['seed']}, {args.pairs} pairs, load average {r['load']} after")
    for run in RUNS:
        x = r[run]
        print(f"{run} run in a process:")
        print(f"  A this checkout ({head}): median {x['a_median']:.3f} s CPU "
              f"(min {min(x['a_s']):.3f}, max {max(x['a_s']):.3f})")
        print(f"  B {r['rev']}: median {x['b_median']:.3f} s CPU (min {min(x['b_s']):.3f}, max {max(x['b_s']):.3f})")
        print(f"  A/B pair by pair: median {x['ratio_median']:.2f} (min {min(x['ratios']):.2f}, "
              f"max {max(x['ratios']):.2f})")
    print(f"appended to {bench_docs.VERSUS}")
    if args.write_docs:
        print(f"updated {bench_docs.write('bench-versus', bench_docs.versus_block(r))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
