"""Benchmark: how fast and how big a run is, measured in one go on this machine; figures appended to a file.

    python -m experiments.bench              # everything (~4 min on 2 idle cores)
    python -m experiments.bench --quick      # a smoke run of every measurement with small sizes (~1 min)
    python -m experiments.bench --profile    # only a pyinstrument profile of a full-scale run (needs .[bench])
    python -m experiments.bench --write-docs # everything, and the table into README.md (experiments/bench_docs.py)

It prints, and appends as one JSON line to benchmarks/results.jsonl (with the commit, so figures can be compared
across commits):
- full provincial scale (scale=1.0: ~96,000 firms growing to ~160,000, plus platforms, cloud providers and
  talent cohorts), 2020Q1-2025Q4: wall and CPU time (model set-up included; best and median of --repeat runs)
  and agent-quarters per second;
- the vectorised path against the per-agent reference path (engine=reference) on the same ~10,000-firm run;
- time against firms at 10k / 30k / 100k / 300k firms (scale=1.0, population.n_* scaled; best of --repeat), and
  the ratio 300k/100k;
- peak memory of a full-scale run and of a 300k-firm run, each in a fresh process;
- sweep throughput: runs a minute at scale=0.1 with 2 worker processes (pool start-up included), and the CPU
  seconds a run takes, which give the time on otherwise idle cores.
The machine is shared: the load average before and after is printed and stored with the figures, and CPU times
are given beside wall times.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from experiments import bench_docs

ROOT = Path(__file__).resolve().parent.parent
RESULTS = bench_docs.RESULTS
DEFAULT_FIRMS = {"n_traditional": 60_000, "n_cbec": 25_000, "n_service": 9_000, "n_content": 2_000}
GOALS = {  # the goals, for the printed verdicts
    "full_scale_wall_s": ("<=", 2.0), "speedup_vs_reference": (">=", 50.0),
    "sweep_1000_runs_min": ("<=", 5.0), "peak_rss_full_mb": ("<=", 1024.0), "ratio_300k_100k": ("<=", 3.5),
}


def config(*overrides: str):
    """The config a `dtsim` run with these overrides uses (model.api.load_config), without the chart."""
    from model.api import load_config

    return load_config("chart=false", *overrides)


def firms_overrides(n: int) -> list[str]:
    """scale=1.0 with the default kind mix, n firms in all (one agent per firm)."""
    total = sum(DEFAULT_FIRMS.values())
    return ["scale=1.0"] + [f"population.{k}={round(v * n / total)}" for k, v in DEFAULT_FIRMS.items()]


def timed_run(cfg, seed: int = 0) -> dict:
    """One run to the horizon: wall and CPU seconds (set-up included) and living agent-quarters."""
    from model.api import run_to_horizon
    from model.model import DigitalTradeModel

    w0, c0 = time.perf_counter(), time.process_time()
    m = DigitalTradeModel(cfg, replicate=seed)
    setup = time.perf_counter() - w0
    agent_quarters = [0]

    def count(model) -> None:
        agent_quarters[0] += int(model.firms.view("alive").sum()) + model.platforms.n + model.clouds.n + model.talent.n

    run_to_horizon(m, observer=count)
    agent_quarters = agent_quarters[0]
    return {"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0, "setup_s": setup,
            "agent_quarters": agent_quarters, "firms_start": int((m.firms.view("born") < 0).sum()),
            "firm_rows_end": int(m.firms.n), "quarters": m.n_quarters}


def full_scale(repeat: int) -> dict:
    runs = [timed_run(config("scale=1.0"), seed) for seed in range(repeat)]
    walls = [r["wall_s"] for r in runs]
    best = runs[int(np.argmin(walls))]
    return {**best, "wall_s_median": float(np.median(walls)), "wall_s_all": walls,
            "cpu_s_all": [r["cpu_s"] for r in runs],
            "agent_quarters_per_s": best["agent_quarters"] / best["wall_s"]}


def reference_ratio(firms: int, horizon: str) -> dict:
    over = [*firms_overrides(firms), f"horizon={horizon}"]
    fast = timed_run(config(*over))
    slow = timed_run(config(*over, "engine=reference"))
    return {"firms": firms, "horizon": horizon, "vectorised_s": fast["wall_s"], "reference_s": slow["wall_s"],
            "vectorised_cpu_s": fast["cpu_s"], "reference_cpu_s": slow["cpu_s"],
            "speedup": slow["wall_s"] / fast["wall_s"], "speedup_cpu": slow["cpu_s"] / fast["cpu_s"]}


def scaling(sizes: list[int], repeat: int) -> dict:
    """Best wall and best CPU time of `repeat` runs at each size."""
    rows = {}
    for n in sizes:
        runs = [timed_run(config(*firms_overrides(n)), seed) for seed in range(repeat)]
        wall, cpu = min(r["wall_s"] for r in runs), min(r["cpu_s"] for r in runs)
        rows[str(n)] = {"wall_s": wall, "cpu_s": cpu, "firm_rows_end": runs[0]["firm_rows_end"],
                        "us_per_firm_quarter": 1e6 * wall / (n * runs[0]["quarters"])}
    return rows


_PEAK = """
import sys
from experiments.bench import config, high_water_mb
from model.model import DigitalTradeModel
base = high_water_mb()
m = DigitalTradeModel(config(*sys.argv[1:])).run()
m.recorder.to_frame()
print(base, high_water_mb(), m.firms.n)
"""


def high_water_mb() -> float:
    """Peak resident memory of this process so far (VmHWM; unlike getrusage's ru_maxrss it is not inherited
    from the parent across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise OSError("no VmHWM in /proc/self/status")


def peak_memory(overrides: list[str]) -> dict:
    """Peak resident memory of a fresh process that imports the model, runs it and builds its table."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *overrides], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout.split()
    base, peak, rows = float(out[-3]), float(out[-2]), int(out[-1])
    return {"peak_rss_mb": peak, "after_imports_mb": base, "model_mb": peak - base, "firm_rows": rows}


def _sweep_job(seed: int) -> tuple[bool, float]:  # seed: the replicate index
    from model.model import DigitalTradeModel
    from model.targets import scorecard

    c0 = time.process_time()
    met = bool(scorecard(DigitalTradeModel(_SWEEP_CFG, replicate=seed).run())["T1"]["met"])
    return met, time.process_time() - c0


_SWEEP_CFG = None


def _init_sweep(scale: float) -> None:
    global _SWEEP_CFG
    _SWEEP_CFG = config(f"scale={scale}")


def sweep(runs: int, workers: int, scale: float) -> dict:
    """`runs` replicate runs (replicates 0..runs-1 of seed 0) on a pool of `workers` processes."""
    seeds = list(range(runs))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=_init_sweep, initargs=(scale,)) as pool:
        met, cpu = zip(*pool.map(_sweep_job, seeds, chunksize=4))
    wall = time.perf_counter() - t0
    # what the same runs need on `workers` otherwise idle cores (the machine is shared: wall time is not only ours)
    cpu_per_run = float(np.mean(cpu))
    return {"runs": runs, "workers": workers, "scale": scale, "wall_s": wall, "runs_per_min": 60 * runs / wall,
            "min_for_1000_runs": 1000 * wall / runs / 60, "cpu_s_per_run": cpu_per_run,
            "min_for_1000_runs_cpu_bound": 1000 * cpu_per_run / workers / 60, "share_T1_met": float(np.mean(met))}


def profile_full_scale() -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install pyinstrument")
        return
    from model.model import DigitalTradeModel

    cfg = config("scale=1.0")
    with Profiler(interval=0.001) as prof:
        DigitalTradeModel(cfg).run()
    print(prof.output_text(unicode=False, color=False))


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "model", "agents"], capture_output=True,
                               text=True, cwd=ROOT).stdout.strip()
        return head.stdout.strip() + ("+uncommitted" if dirty else "")
    except OSError:
        return "unknown"


def verdicts(r: dict) -> dict:
    if r["quick"]:
        return {key: None for key in GOALS}  # --quick measures other sizes: no verdicts
    measured = {"full_scale_wall_s": r["full_scale"]["wall_s"], "speedup_vs_reference": r["reference"]["speedup"],
                "sweep_1000_runs_min": r["sweep"]["min_for_1000_runs"],
                "peak_rss_full_mb": r["memory_full"]["peak_rss_mb"], "ratio_300k_100k": r.get("ratio_300k_100k")}
    out = {}
    for key, (op, goal) in GOALS.items():
        value = measured[key]
        out[key] = None if value is None else bool(value <= goal if op == "<=" else value >= goal)
    return out


def report(r: dict) -> None:
    fs, ref, sw = r["full_scale"], r["reference"], r["sweep"]
    print(f"\ndtsim benchmark — commit {r['commit']}, {r['cpus']} cores, load average {r['load_before']} before, "
          f"{r['load_after']} after")
    print(f"full scale (scale=1.0, {fs['firms_start']:,} firms at start, {fs['firm_rows_end']:,} firm rows at the "
          f"end, {fs['quarters']} quarters):")
    print(f"  wall {fs['wall_s']:.2f} s best of {len(fs['wall_s_all'])} (median {fs['wall_s_median']:.2f} s; "
          f"set-up {fs['setup_s']:.2f} s), CPU {min(fs['cpu_s_all']):.2f} s, "
          f"{fs['agent_quarters_per_s']:,.0f} agent-quarters/s")
    print(f"vectorised vs reference at {ref['firms']:,} firms ({ref['horizon']}): {ref['vectorised_s']:.2f} s vs "
          f"{ref['reference_s']:.1f} s -> {ref['speedup']:.0f}x (CPU {ref['speedup_cpu']:.0f}x)")
    print("time vs firms (scale=1.0):")
    for n, row in r["scaling"].items():
        print(f"  {int(n):>8,} firms  {row['wall_s']:6.2f} s wall  {row['cpu_s']:6.2f} s CPU  "
              f"{row['us_per_firm_quarter']:.2f} us per firm-quarter")
    if r.get("ratio_300k_100k") is not None:
        print(f"  time(300k) / time(100k) = {r['ratio_300k_100k']:.2f} wall, {r['ratio_300k_100k_cpu']:.2f} CPU")
    for key, label in (("memory_full", "full scale"), ("memory_300k", "300k firms")):
        mem = r.get(key)
        if mem:
            print(f"peak memory, {label}: {mem['peak_rss_mb']:.0f} MB resident (imports {mem['after_imports_mb']:.0f} "
                  f"MB, model +{mem['model_mb']:.0f} MB)")
    print(f"sweep: {sw['runs']} runs at scale={sw['scale']} on {sw['workers']} workers in {sw['wall_s']:.1f} s = "
          f"{sw['runs_per_min']:.0f} runs/min -> 1,000 runs in {sw['min_for_1000_runs']:.1f} min "
          f"({sw['cpu_s_per_run']:.2f} CPU s a run: {sw['min_for_1000_runs_cpu_bound']:.1f} min on "
          f"{sw['workers']} idle cores)")
    print("goals: " + ", ".join(f"{k} {'met' if v else 'NOT met' if v is not None else 'not judged'}"
                                for k, v in r["goals_met"].items()))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the benchmark itself runs")
    ap.add_argument("--repeat", type=int, default=3, help="full-scale runs timed (best and median reported)")
    ap.add_argument("--sweep-runs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reference-horizon", default="2025Q4", help="horizon of the reference-vs-vectorised run")
    ap.add_argument("--profile", action="store_true", help="only profile one full-scale run (needs pyinstrument)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--write-docs", action="store_true", help="also put the table into README.md's bench block")
    args = ap.parse_args(argv)
    if args.write_docs and (args.quick or args.out != RESULTS):
        ap.error("--write-docs needs the full benchmark stored in benchmarks/results.jsonl (no --quick or --out)")
    if args.profile:
        profile_full_scale()
        return {}
    quick = args.quick
    r = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": commit(),
         "python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
         "load_before": [round(x, 2) for x in os.getloadavg()], "quick": quick}
    timed_run(config("scale=0.02"))  # warm-up: imports, caches
    r["full_scale"] = full_scale(1 if quick else args.repeat)
    r["reference"] = reference_ratio(2_000 if quick else 10_000, "2020Q4" if quick else args.reference_horizon)
    sizes = [10_000, 30_000] if quick else [10_000, 30_000, 100_000, 300_000]
    r["scaling"] = scaling(sizes, 1 if quick else args.repeat)
    if "300000" in r["scaling"]:
        big, small = r["scaling"]["300000"], r["scaling"]["100000"]
        r["ratio_300k_100k"] = big["wall_s"] / small["wall_s"]
        r["ratio_300k_100k_cpu"] = big["cpu_s"] / small["cpu_s"]
    r["memory_full"] = peak_memory(["scale=1.0"])
    if not quick:
        r["memory_300k"] = peak_memory(firms_overrides(300_000))
    r["sweep"] = sweep(20 if quick else args.sweep_runs, args.workers, 0.1)
    r["load_after"] = [round(x, 2) for x in os.getloadavg()]
    r["goals_met"] = verdicts(r)
    report(r)
    bench_docs.append(args.out, r)
    print(f"appended to {args.out}")
    if args.write_docs:
        print(f"updated {bench_docs.write('bench', bench_docs.bench_block(r, GOALS))}")
    return r


if __name__ == "__main__":
    main()
