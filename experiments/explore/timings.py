"""Measure the five presets as a user runs them (the command, in a fresh process, into a fresh folder) and write
the table of commands and times into the generated blocks of README.md and docs/explore.md (--write-docs).

    python -m experiments.explore.timings                 # measure and print the block
    python -m experiments.explore.timings --write-docs    # ... and replace the blocks `explore-presets`
    python -m experiments.explore.timings --keep DIR      # keep the five study folders (reports, charts) in DIR
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = "explore-presets"
SIZES = {  # preset: its size for the measured command (a few minutes at most on 2 shared cores)
    "sobol_plan": ["explore.samples=16"],
    "morris_screen": ["explore.samples=4"],
    "prim_targets": ["explore.samples=128"],
    "cost_effectiveness": ["explore.samples=5"],
    "pareto_budget": ["explore.samples=24"],
}
MODEL = ["scale=0.05"]


def command(preset: str) -> list[str]:
    return ["dtsim-explore", f"explore={preset}", *SIZES[preset], *MODEL]


def measure(preset: str, folder: Path) -> dict:
    args = command(preset)[1:] + [f"explore.dir={folder}", "explore.n_jobs=2"]
    tic = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "experiments.explore.cli", *args], capture_output=True, text=True,
                          cwd=ROOT)
    seconds = time.perf_counter() - tic
    if proc.returncode:
        errors = [line for line in proc.stderr.splitlines() if "Error" in line or "error:" in line]
        raise SystemExit(f"{preset} failed (exit {proc.returncode}): {(errors or proc.stderr.splitlines())[-1]}")
    runs = int(re.search(r"^(\d+) runs \(", proc.stdout, re.M).group(1))
    return {"preset": preset, "runs": runs, "seconds": seconds}


def block(rows: list[dict], load: tuple) -> str:
    lines = ["| command | runs | measured |", "|---|---|---|"]
    lines += [f"| `{' '.join(command(r['preset']))}` | {r['runs']} | {r['seconds']:.0f} s |" for r in rows]
    lines += ["", f"Measured {time.strftime('%Y-%m-%d')} by `python -m experiments.explore.timings --write-docs`: "
              f"each command end to end in a fresh process (2 workers, runs, analysis, charts, report.md) on 2 CPU "
              f"cores shared with other users (load average {load[0]:.1f} before). A study's size is "
              "`explore.samples`; the presets' own sizes are larger (docs/explore.md)."]
    return "\n".join(lines)


def main() -> None:
    from calibration.docs import replace_block

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write-docs", action="store_true", help="replace the blocks in README.md and docs/explore.md")
    ap.add_argument("--keep", type=Path, help="keep the study folders in this (new) folder")
    a = ap.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        where = a.keep or Path(tmp)
        rows = [measure(p, where / p) for p in SIZES]
    text = block(rows, load)
    print(text)
    if a.write_docs:
        for doc in ("README.md", "docs/explore.md"):
            replace_block(ROOT / doc, BLOCK, text)


if __name__ == "__main__":
    main()
