"""The commit-versus-commit timer runs both sides, pairs them and leaves no worktree behind (timings themselves
are never asserted: they belong to the benchmark's printout)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from experiments import bench_versus

pytestmark = pytest.mark.skipif(shutil.which("git") is None or subprocess.run(
    ["git", "rev-parse", "HEAD"], cwd=bench_versus.ROOT, capture_output=True).returncode != 0,
    reason="needs git and a git checkout")


def worktrees() -> str:
    return subprocess.run(["git", "worktree", "list"], cwd=bench_versus.ROOT, capture_output=True, text=True).stdout


def test_compare_pairs_both_sides_and_cleans_up():
    before = worktrees()
    r = bench_versus.compare("HEAD", pairs=2, scale=0.02, seed=0)
    for run in bench_versus.RUNS:
        x = r[run]
        assert len(x["a_s"]) == len(x["b_s"]) == len(x["ratios"]) == 2
        assert all(t > 0 for t in x["a_s"] + x["b_s"])
        assert x["ratios"] == [a / b for a, b in zip(x["a_s"], x["b_s"])]
    assert worktrees() == before


def test_an_unknown_commit_is_one_line_and_exit_2(capsys):
    assert bench_versus.main(["no-such-revision-x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("bench_versus: error:") and "no-such-revision-x" in err[0]
