"""Benchmark of dtsim-explore: a Sobol study of sobol_plan's 16 factors at scale 0.05 to 2025Q4, end to end (runs,
analysis, charts, report), with the cost of one run in this process beside it. A benchmark, not a test: it prints
what it measured (and what it extrapolates, labelled as such); nothing asserts a time.

    .venv/bin/python benchmarks/explore_bench.py                 # N=32: 576 runs on 2 workers
    .venv/bin/python benchmarks/explore_bench.py --samples 64 --n-jobs 2 --json

runs/s: runs finished per wall second while the study ran them (the worker pool's start included).
CPU s/run: the workers' thread CPU time per run (measured inside each run). Overhead: wall time x workers per run
over the in-process wall time of one run (1.0 = no overhead; more when the cores are shared, as they are here).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from omegaconf import OmegaConf

ISSUE_RUNS = 17_408  # the issue's size: N=512 of a 16-factor Saltelli design with second-order terms, 512 (2D+2)


def in_process(overrides: tuple[str, ...], n: int = 8) -> dict:
    """Wall and CPU seconds of one run here (typed config built once, as a worker does)."""
    from experiments.explore.runner import run_batch
    from model.api import load_config

    container = OmegaConf.to_container(load_config(*overrides), resolve=True)
    run_batch("bench", container, [("warm", (), 0)])
    wall, cpu = time.perf_counter(), time.process_time()
    run_batch("bench", container, [(f"r{i}", (), i) for i in range(1, n + 1)])
    return {"wall_s": (time.perf_counter() - wall) / n, "cpu_s": (time.process_time() - cpu) / n}


def analysis_at(n: int, factors: int, outcomes: int = 5) -> float:
    """Seconds of the Sobol analysis (N/2 and N, bootstrap) at N on synthetic outcomes: no model runs needed."""
    import numpy as np
    import pandas as pd

    from experiments.explore import sobol
    from experiments.explore.factors import Factor

    fs = [Factor(f"x{i}", "uncertainty", 0.0, 1.0, 0.5, "") for i in range(factors)]
    x = sobol.design(fs, n, seed=0)
    y = {f"y{k}": np.sin(x.iloc[:, 1 + k]) + x.iloc[:, 1:].sum(axis=1) for k in range(outcomes)}
    tic = time.perf_counter()
    sobol.analyse(fs, pd.concat([x, pd.DataFrame(y)], axis=1), list(y), seed=0)
    return time.perf_counter() - tic


def study(samples: int, n_jobs: int, overrides: tuple[str, ...], folder: Path) -> dict:
    from experiments.explore import report
    from experiments.explore.cli import compose_settings, draw
    from experiments.explore.study import Study

    settings = compose_settings("sobol_plan", [f"explore.samples={samples}", f"explore.n_jobs={n_jobs}"])
    tic = time.perf_counter()
    st = Study(settings, overrides, folder, progress=False)
    results = st.run()
    analysed = time.perf_counter()
    charts = draw(st, results)
    report.write(st, results, f"dtsim-explore explore=sobol_plan explore.samples={samples} explore.n_jobs={n_jobs} "
                              f"{' '.join(overrides)}  (run by benchmarks/explore_bench.py)", charts)
    total = time.perf_counter() - tic
    data = st.write_experiments()
    return {"factors": len(st.factors), "runs": st.stats["computed"], "run_phase_s": st.stats["wall_s"],
            "analysis_s": analysed - tic - st.stats["wall_s"], "charts_report_s": total - (analysed - tic),
            "total_s": total, "cpu_s_per_run": float(data["cpu_s"].mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=32, help="Sobol N (power of 2)")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    ap.add_argument("--dir", type=Path, default=None,
                    help="keep the study in this new folder (its report.md, sensitivity.csv, charts) instead of a "
                         "temporary one")
    ap.add_argument("--write-docs", action="store_true", help="put the text into docs/explore.md (block explore-bench)")
    a = ap.parse_args()
    overrides = (f"scale={a.scale}", "horizon=2025Q4")
    load = os.getloadavg()
    single = in_process(overrides)
    if a.dir is not None:
        if a.dir.exists() and any(a.dir.iterdir()):
            raise SystemExit(f"explore_bench: --dir {a.dir} is not empty: a benchmark times runs made now")
        s = study(a.samples, a.n_jobs, overrides, a.dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            s = study(a.samples, a.n_jobs, overrides, Path(tmp))
    rate = s["runs"] / s["run_phase_s"]
    s["analysis_n512_s"] = analysis_at(512, s["factors"])
    fixed = s["analysis_n512_s"] + s["charts_report_s"]
    out = {"samples": a.samples, "n_jobs": a.n_jobs, "scale": a.scale, **s, "runs_per_s": rate,
           "in_process_s_per_run": single["wall_s"], "in_process_cpu_s_per_run": single["cpu_s"],
           "overhead": s["run_phase_s"] * a.n_jobs / s["runs"] / single["wall_s"],
           "load_before": load, "load_after": os.getloadavg(),
           "extrapolated_min_n512_first_total": (512 * (s["factors"] + 2) / rate + fixed) / 60,
           "extrapolated_min_17408_runs": (ISSUE_RUNS / rate + fixed) / 60}
    if a.json:
        print(json.dumps(out))
        return
    text = describe(out, a)
    print(text)
    if a.write_docs:
        from calibration.docs import replace_block

        body = "\n".join(["```text", f"$ .venv/bin/python benchmarks/explore_bench.py --samples {a.samples} "
                          f"--n-jobs {a.n_jobs}  # {time.strftime('%Y-%m-%d')}", text, "```"])
        replace_block(Path(__file__).resolve().parents[1] / "docs" / "explore.md", "explore-bench", body)


def describe(o: dict, a) -> str:
    rate, big = o["runs_per_s"], 512 * (o["factors"] + 2)
    return "\n".join([
        f"Sobol, {o['factors']} factors, N={a.samples}: {o['runs']} runs at scale {a.scale} on {a.n_jobs} workers "
        f"(load average before {o['load_before'][0]:.1f}, after {o['load_after'][0]:.1f})",
        f"  runs {o['run_phase_s']:.1f} s, analysis {o['analysis_s']:.1f} s, charts+report "
        f"{o['charts_report_s']:.1f} s, total {o['total_s']:.1f} s",
        f"  measured: {rate:.2f} runs/s; {o['cpu_s_per_run']:.3f} CPU s/run in the workers; one run in-process "
        f"{o['in_process_s_per_run']:.3f} s wall, {o['in_process_cpu_s_per_run']:.3f} s CPU; overhead "
        f"x{o['overhead']:.2f}",
        f"  analysis alone at N=512 on synthetic outcomes: {o['analysis_n512_s']:.1f} s",
        f"  extrapolated (not measured) at {rate:.2f} runs/s: "
        + (f"N=512 first/total indices ({big} runs) {o['extrapolated_min_n512_first_total']:.1f} min; "
           if a.samples != 512 else "")
        + f"the issue's 17,408 runs {o['extrapolated_min_17408_runs']:.1f} min",
        f"  extrapolated (not measured) from CPU s/run on 2 unshared cores: {big} runs "
        f"{big * o['cpu_s_per_run'] / 2 / 60:.1f} min; 17,408 runs {ISSUE_RUNS * o['cpu_s_per_run'] / 2 / 60:.1f} min"])


if __name__ == "__main__":
    main()
