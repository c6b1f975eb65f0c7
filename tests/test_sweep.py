"""Sweeps as a user runs them: `dtsim -m` (a 2x2 grid, 2 replicates, scale 0.02), launchers, resume, failures."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.precheck import precheck_sweep
from model.validate import ConfigError

GRID = ["scale=0.02", "chart=false", "replicates=2",
        "policy.fund.annual_budget_cny=0,2e9", "policy.tax.super_deduction=0,1.5"]
KEYS = ["job", "replicate", "target"]
CONF = Path(__file__).resolve().parent.parent / "conf"


def dtsim(cwd, *args, ok=True, script=None, env=None):
    cmd = [sys.executable, str(script)] if script else [sys.executable, "-m", "experiments.dtsim"]
    proc = subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    if ok:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def stamps(sweep: Path) -> dict[str, int]:
    """mtime (ns) of every result file of every job: any recomputation would change one."""
    return {str(p.relative_to(sweep)): p.stat().st_mtime_ns for p in sorted(sweep.glob("*/*"))
            if p.name in ("done.json", "targets.json", "timeseries.parquet", "replicates.parquet")}


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> Path:
    """A 2x2 sweep with 2 replicates a job, basic launcher."""
    root = tmp_path_factory.mktemp("grid")
    proc = dtsim(root, "-m", *GRID, "hydra.sweep.dir=sweep")
    assert "Sweep sweep — 4 jobs: 4 complete, 0 failed" in proc.stdout
    return root / "sweep"


def test_summary_one_row_per_job_replicate_target_with_swept_columns(grid):
    summary = pd.read_parquet(grid / "summary.parquet")
    assert len(summary) == 4 * 2 * 5
    for col in ["job", "policy.fund.annual_budget_cny", "policy.tax.super_deduction", "scenario", "replicate",
                "target", "value", "threshold_min", "threshold_max", "unit", "met"]:
        assert col in summary.columns
    assert sorted(summary["policy.fund.annual_budget_cny"].unique()) == [0.0, 2e9]
    assert sorted(summary["policy.tax.super_deduction"].unique()) == [0.0, 1.5]
    swept = ["policy.fund.annual_budget_cny", "policy.tax.super_deduction"]
    assert (summary.groupby("job")[swept].nunique() == 1).all().all()
    assert len(summary.drop_duplicates(swept)) == 4
    # replicate r of every job has the same seed: child r of SeedSequence(seed), and every job has seed 0
    assert {json.loads((grid / str(job) / "targets.json").read_text())["seed"] for job in range(4)} == {0}
    # the job's targets.json agrees with the summary and records the job's overrides and replicate statistics
    for job in range(4):
        card = json.loads((grid / str(job) / "targets.json").read_text())
        t1 = summary.query("job == @job and target == 'T1'")["value"]
        assert card["T1"]["mean"] == pytest.approx(t1.mean()) and card["T1"]["value"] == card["T1"]["mean"]
        assert card["replicates"] == 2 and "spawn_key=(r,)" in card["seeding"]
        assert "policy.tax.super_deduction=" + ("0" if job % 2 == 0 else "1.5") in card["overrides"]
        lo, hi = card["T1"]["p_met_ci"]
        assert 0 <= lo <= card["T1"]["p_met"] <= hi <= 1 and card["T1"]["q05"] <= card["T1"]["q95"]
    ts = pd.read_parquet(grid / "timeseries.parquet")
    assert set(ts["job"]) == {0, 1, 2, 3} and set(ts["replicate"]) == {0, 1}
    assert {"policy.fund.annual_budget_cny", "scenario", "quarter", "metric", "value"} <= set(ts.columns)
    assert (grid / "report.md").read_text().count("| annual_budget_cny=") == 4


def test_joblib_launcher_gives_the_same_results_as_basic(grid, tmp_path):
    dtsim(tmp_path, "-m", *GRID, "hydra.sweep.dir=sweep", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    basic = pd.read_parquet(grid / "summary.parquet").sort_values(KEYS, ignore_index=True)
    joblib = pd.read_parquet(tmp_path / "sweep" / "summary.parquet").sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(basic, joblib)


def test_killed_sweep_resumes_without_recomputing_finished_jobs(tmp_path):
    sweep = tmp_path / "sweep"
    args = [sys.executable, "-m", "experiments.dtsim", "-m", *GRID, "hydra.sweep.dir=sweep"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list(sweep.glob("*/done.json")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the process group this test started
        proc.wait()
    finished = stamps(sweep)
    done = {p.parent.name for p in sweep.glob("*/done.json")}
    assert done and len(done) < 4, "the kill should land between the first and the last job"
    out = dtsim(tmp_path, "-m", *GRID, "hydra.sweep.dir=sweep").stdout
    assert out.count("already complete — skipped") == len(done)
    after = stamps(sweep)
    assert {k: after[k] for k in finished if k.split("/")[0] in done} == \
        {k: v for k, v in finished.items() if k.split("/")[0] in done}
    assert len(list(sweep.glob("*/done.json"))) == 4
    assert len(pd.read_parquet(sweep / "summary.parquet")) == 40


FAILING = """
import model.model as mm

_step = mm.DigitalTradeModel.step


def step(self):  # test-only: a run whose fund grant cap is 1234 CNY fails mid-run
    if float(self.cfg.policy.fund.grant_cap_cny) == 1234.0:
        raise RuntimeError("deliberate failure for the test")
    return _step(self)


mm.DigitalTradeModel.step = step
from experiments.dtsim import main

main()
"""


def test_failing_job_is_reported_and_the_others_are_kept(tmp_path):
    script = tmp_path / "failing_dtsim.py"
    script.write_text(FAILING)
    args = ["-m", "scale=0.02", "chart=false", "policy.fund.grant_cap_cny=5e6,1234,1e6", "hydra.sweep.dir=sweep"]
    proc = dtsim(tmp_path, *args, ok=False, script=script)
    assert proc.returncode == 1
    assert "job 1 FAILED: RuntimeError: deliberate failure for the test — scale=0.02" in proc.stderr
    assert "FAILED job 1: RuntimeError: deliberate failure" in proc.stdout  # in the end-of-sweep summary too
    sweep = tmp_path / "sweep"
    failed = json.loads((sweep / "1" / "failed.json").read_text())
    assert "policy.fund.grant_cap_cny=1234" in failed["overrides"] and "Traceback" in failed["traceback"]
    assert (sweep / "0" / "done.json").exists() and (sweep / "2" / "done.json").exists()
    assert not (sweep / "1" / "done.json").exists()
    assert set(pd.read_parquet(sweep / "summary.parquet")["job"]) == {0, 2}
    jobs = pd.read_csv(sweep / "jobs.csv").set_index("job")
    assert list(jobs["status"]) == ["complete", "failed", "complete"]
    assert "job 1 **failed**" in (sweep / "report.md").read_text()
    # re-run without the fault: only the failed job runs again
    before = stamps(sweep)
    proc = dtsim(tmp_path, *args)
    assert proc.stdout.count("already complete — skipped") == 2 and not (sweep / "1" / "failed.json").exists()
    assert {k: v for k, v in stamps(sweep).items() if not k.startswith("1/")} == before


def test_a_bad_value_in_any_sweep_job_stops_before_the_first_job(tmp_path):
    env = {"HYDRA_FULL_ERROR": "0"}
    for args, expected in [
        (["policy.fund.annual_budget_cny=0,-1"], "policy.fund.annual_budget_cny=-1 is out of range"),
        (["experiment=fund_x_tax", "policy.tax.super_deduction=0,9"], "policy.tax.super_deduction=9 is out of range"),
        (["experiment=fund_x_tx"], "experiment"),
        (["policy.fnd.enabled=true,false"], "fnd"),
    ]:
        proc = dtsim(tmp_path, "-m", *args, ok=False, env=env)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr
        assert lines[0].startswith("dtsim: config error:") and expected in lines[0]
        assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("preset,jobs", [("fund_x_tax", 16), ("lever_ablation", 14), ("phasing_alternatives", 3),
                                         ("world_scenarios", 6)])
def test_experiment_presets_expand_and_every_job_validates(preset, jobs):
    assert precheck_sweep([f"experiment={preset}"]) == jobs


def test_job_expansion_matches_the_jobs_hydra_starts(tmp_path):
    """experiments.precheck.expand mirrors Hydra's basic sweeper with Hydra's public override parser; if Hydra
    ever expands sweeps differently (order, precedence of the command line over a preset, glob), this fails."""
    from experiments.precheck import expand, sweeper_params
    from model.api import compose_raw

    args = ["experiment=phasing_alternatives", "horizon=2020Q1", "scale=0.01", "chart=false", "replicates=1",
            "seed=1,2", "world=glob(weak_*)"]
    dtsim(tmp_path, "-m", *args, "hydra.sweep.dir=sweep")
    started = {int(d.name): [o for o in (d / ".hydra" / "overrides.yaml").read_text().splitlines()]
               for d in (tmp_path / "sweep").iterdir() if d.is_dir() and d.name.isdigit()}
    started = [[o.removeprefix("- ").strip("'") for o in started[k]] for k in sorted(started)]
    master = compose_raw(("experiment=phasing_alternatives",), return_hydra_config=True)
    assert expand(sweeper_params(master), args) == started
    assert len(started) == 3 * 2 * 2  # three phasings x two seeds x weak_demand, weak_usd


def test_every_experiment_preset_holds_only_its_changes():
    for path in CONF.glob("experiment/**/*.yaml"):
        assert path.read_text().startswith("# @package _global_"), path


def test_precheck_names_the_job_of_a_bad_combination():
    with pytest.raises(ConfigError, match=r"policy.fund.start=2026Q1 is after .* \(sweep job 1: "):
        precheck_sweep(["policy.fund.start=2021Q1,2026Q1"])


def test_submitit_local_launcher(tmp_path):
    """The SLURM path (submitit_slurm) runs through the same plugin; here its local executor."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    dtsim(tmp_path, "-m", "scale=0.02", "chart=false", "policy=plan,none", "hydra.sweep.dir=sweep",
          "hydra/launcher=submitit_local")
    summary = pd.read_parquet(tmp_path / "sweep" / "summary.parquet")
    assert sorted(summary["policy"].unique()) == ["none", "plan"] and len(summary) == 2 * 5


def test_report_command_rebuilds_tables_charts_and_report(grid, tmp_path):
    from experiments.report import main

    sweep = tmp_path / "sweep"
    shutil.copytree(grid, sweep)
    for name in ("summary.parquet", "timeseries.parquet", "report.md", "jobs.csv"):
        (sweep / name).unlink()
    with pytest.raises(SystemExit) as exit_:
        main([str(sweep), "--reference", "annual_budget_cny=2e9 super_deduction=0"])
    assert exit_.value.code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / "summary.parquet"), pd.read_parquet(grid / "summary.parquet"))
    report = (sweep / "report.md").read_text()
    assert ("against **special fund: annual budget CNY 2 bn/year; tax incentives: super deduction 0** (job 2: "
            "`annual_budget_cny=2e9 super_deduction=0`)") in report
    for stem in ("fan_digital_trade_usd", "heatmap_p_t1", "effects_t1", "effects_t2", "contrasts", "cost_per_yuan",
                 "scorecard", "by_city", "by_kind"):
        png, svg = sweep / "charts" / f"{stem}.png", sweep / "charts" / f"{stem}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000, stem
        assert "<svg" in svg.read_text()[:500] and svg.stat().st_size > 20_000, stem
        assert f"](charts/{stem}.png)" in report


def test_report_command_one_line_error_on_a_folder_without_jobs(tmp_path, capsys):
    from experiments.report import main

    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path)])
    assert "no job folders" in str(exit_.value.code)


def test_report_of_a_sweep_with_no_complete_job(grid, tmp_path):
    from experiments.report import build

    sweep = tmp_path / "sweep"
    shutil.copytree(grid / "0", sweep / "0")
    (sweep / "0" / "done.json").unlink()  # as if killed before it finished
    built = build(sweep, echo=False)
    assert list(built.jobs["status"]) == ["incomplete"] and built.summary.empty
    assert "No job is complete yet" in (sweep / "report.md").read_text()
    assert "job 0 **incomplete**" in (sweep / "report.md").read_text()
