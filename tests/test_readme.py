"""The README's first screen prints what `dtsim` prints today (no stale numbers)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from experiments.outputs import print_scorecard
from experiments.replicates import run_replicates, summarise
from model.api import load_config

README = Path(__file__).resolve().parent.parent / "README.md"


def printed(*overrides: str) -> list[str]:
    cfg = load_config("chart=false", *overrides)
    reps = run_replicates(cfg, progress=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_scorecard(summarise(reps), cfg, Path("out"), reps[0].firm_agents)
    return [line for line in buf.getvalue().splitlines() if line.startswith(("Zhejiang", "  "))]


def test_readme_scorecards_are_what_dtsim_prints():
    block = README.read_text(encoding="utf-8").split("```text\n", 1)[1].split("```", 1)[0]
    runs = re.split(r"^\$ .*$", block, flags=re.M)[1:]
    plan = [line for line in runs[0].splitlines() if line.startswith(("Zhejiang", "  "))]
    none = [line for line in runs[1].splitlines() if line.startswith("  ")]
    assert plan == printed()
    assert none == printed("policy=none")[1:]
