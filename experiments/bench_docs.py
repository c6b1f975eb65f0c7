"""The README's performance tables, rendered from stored benchmark results (no figure typed by hand).

`python -m experiments.bench --write-docs` and `python -m experiments.bench_versus REV --write-docs` store their
result (benchmarks/results.jsonl, benchmarks/versus.jsonl) and put the table rendered from it between the README's
`<!-- bench:begin/end -->` or `<!-- bench-versus:begin/end -->` markers. Each block names the time of its result,
so tests/test_bench_docs.py can render that stored result again and compare.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results.jsonl"
VERSUS = ROOT / "benchmarks" / "versus.jsonl"


def stored(path: Path, date: str) -> dict:
    """The stored result made at `date` (its ISO time stamp)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r.get("date") == date:
            return r
    raise KeyError(f"{path.name}: no result made at {date}")


def append(path: Path, r: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(r) + "\n")


def _goal(key: str, goals: dict) -> str:
    op, value = goals[key]
    sign = "≤" if op == "<=" else "≥"
    unit = {"full_scale_wall_s": f"{value:g} s", "speedup_vs_reference": f"{value:g}×",
            "sweep_1000_runs_min": f"{value:g} min", "peak_rss_full_mb": f"{value / 1024:g} GB"}.get(key, f"{value:g}")
    return f"{sign} {unit}"


def bench_block(r: dict, goals: dict) -> str:
    """The README table of one `python -m experiments.bench` result."""
    fs, ref, sw, sc = r["full_scale"], r["reference"], r["sweep"], r["scaling"]
    sizes = " / ".join(f"{int(n) // 1000}k" for n in sc)
    times = " / ".join(f"{row['wall_s']:.2f}" for row in sc.values())
    mem, big = r["memory_full"], r.get("memory_300k")
    rows = [
        ("full provincial scale, 2020Q1–2025Q4 (`scale=1.0`: "
         f"{fs['firms_start']:,} firms at start, {fs['firm_rows_end']:,} rows at the end, + platforms, cloud "
         "providers, talent cohorts; set-up included)",
         f"{fs['wall_s']:.2f} s (best of {len(fs['wall_s_all'])}, median {fs['wall_s_median']:.2f} s); "
         f"{fs['agent_quarters_per_s'] / 1e6:.1f} M agent-quarters/s", _goal("full_scale_wall_s", goals)),
        (f"vectorised vs per-agent reference (`engine=reference`), {ref['firms']:,} firms, to {ref['horizon']}",
         f"{ref['vectorised_s']:.2f} s vs {ref['reference_s']:.1f} s: {ref['speedup']:.0f}×",
         _goal("speedup_vs_reference", goals)),
        (f"time vs firms at {sizes} (`scale=1.0`, best of {len(fs['wall_s_all'])})",
         f"{times} s" + (f"; 300k/100k = {r['ratio_300k_100k']:.2f}" if r.get("ratio_300k_100k") else ""),
         _goal("ratio_300k_100k", goals)),
        (f"peak memory (resident, fresh process incl. ~{mem['after_imports_mb']:.0f} MB of imports)",
         f"{mem['peak_rss_mb']:.0f} MB full scale" + (f", {big['peak_rss_mb']:.0f} MB at 300k firms" if big else ""),
         _goal("peak_rss_full_mb", goals)),
        (f"sweep at `scale={sw['scale']}`, {sw['workers']} worker processes",
         f"{sw['runs']} runs in {sw['wall_s']:.0f} s = {sw['runs_per_min']:.0f} runs/min ({sw['cpu_s_per_run']:.2f} "
         f"CPU s a run) → 1,000 runs in {sw['min_for_1000_runs']:.1f} min", _goal("sweep_1000_runs_min", goals)),
    ]
    head = (f"Measured by `python -m experiments.bench` at {r['date']} (commit {r['commit']}, {r['cpus']} "
            f"cores, load average {r['load_before'][0]:.2f} before and {r['load_after'][0]:.2f} after; every run is "
            "kept in `benchmarks/results.jsonl`):")
    return "\n".join([head, "", "| figure | measured | goal |", "|---|---|---|",
                      *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def versus_block(r: dict) -> str:
    """The README table of one `python -m experiments.bench_versus` result."""
    label = {"first": "first (one `dtsim` call)",
             "second": "second (each further run of a sweep worker; what `experiments.bench` reports)"}
    rows = [f"| {label[run]} | {r[run]['a_median']:.2f} s | {r[run]['b_median']:.2f} s | "
            f"{r[run]['ratio_median']:.2f} ({min(r[run]['ratios']):.2f}–{max(r[run]['ratios']):.2f}) |"
            for run in ("first", "second")]
    head = (f"Measured by `python -m experiments.bench_versus {r['rev']} --pairs {r['pairs']}` at {r['date']} "
            f"(this checkout: {r['commit']}; scale={r['scale']}, seed {r['seed']}; load average {r['load'][0]:.2f} "
            "after; every run is kept in `benchmarks/versus.jsonl`):")
    return "\n".join([head, "", f"| run in a process | this checkout, CPU | {r['rev']}, CPU | ratio (median of pairs) |",
                      "|---|---|---|---|", *rows])


def block_date(name: str, text: str | None = None) -> str:
    """The time stamp a README block names (its result's `date`)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    body = text.split(f"<!-- {name}:begin -->")[1].split(f"<!-- {name}:end -->")[0]
    return body.split("` at ", 1)[1].split(" ", 1)[0]


def write(name: str, body: str) -> Path:
    from calibration.docs import replace_block

    replace_block(README, name, body)
    return README
