"""dtsim-explore as a user runs it: each preset end to end at a tiny size, a re-run that reuses its runs, and bad
overrides (one line, exit 2, nothing written). In this process through `main()` (the same code path as the
command), scale 0.02, one worker (n_jobs=1) except Morris, which runs on a loky pool of two."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from experiments.explore import findings
from experiments.explore.cli import main, precheck

SMALL = ["scale=0.02", "explore.n_jobs=1"]
PRESETS = {  # preset: (its small-size overrides, the files it must write)
    "sobol_plan": (["explore.samples=4"], ["sensitivity.csv", "sobol.png"]),
    # one trajectory of ~80 factors (sigma needs two: NaN here) on a loky pool of two workers
    "morris_screen": (["explore.samples=1", "explore.n_jobs=2"], ["sensitivity.csv", "morris.png"]),
    "prim_targets": (["explore.samples=16"], ["prim_boxes.csv", "prim_trajectory.csv", "cart_boxes.csv"]),  # boxes: analysis test
    "cost_effectiveness": (["explore.samples=2", "explore.cost.levels=[1,2]"], ["cost.csv", "cost_curves.png"]),
    "pareto_budget": (["explore.samples=4", "explore.pareto.population=4", "explore.pareto.scenarios=2",
                       "explore.pareto.regret_replicates=1", "explore.pareto.worlds=[baseline,weak_demand]"],
                      ["pareto.parquet", "regret.csv", "pareto_front.png"]),
}


def report_section(report: str, kind: str) -> str:
    """The first data row of the kind's findings section in report.md (else its first line: a count): rendered
    again from the kept tables, it must read the same."""
    heading = {"sobol": "## Top five", "prim": "## Where the targets", "cost": "## USD of", "pareto": "## Pareto"}[kind]
    lines = report.split(heading, 1)[1].splitlines()[1:]
    rows = [line for line in lines if line.startswith("| ")]  # header, separator, then data rows
    return rows[2] if len(rows) > 2 else next(line for line in lines if line.strip())


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_runs_end_to_end(tmp_path, preset, capsys):
    overrides, files = PRESETS[preset]
    main([f"explore={preset}", *SMALL, *overrides, f"explore.dir={tmp_path}"])
    for name in ["experiments.parquet", "report.md", "explore.yaml", ".hydra/config.yaml", *files]:
        assert (tmp_path / name).exists(), name
    data = pd.read_parquet(tmp_path / "experiments.parquet")
    assert data["T1"].notna().all() and (data["spending"] > 0).all()
    report = (tmp_path / "report.md").read_text()
    assert "Seed noise:" in report and "runs/s" in report
    kind = {spec[0]: k for k, spec in findings.STUDIES.items()}.get(preset)
    if kind is not None:  # the findings page keeps this study's tables and renders its report section again
        findings.keep(kind, tmp_path, data=tmp_path / "kept", img=tmp_path / "img")
        page = findings.render(tmp_path / "kept", tmp_path / "img")
        assert f"`explore={preset}`" in page and f"dtsim-explore explore={preset}" in page
        assert report_section(report, kind) in page
    if preset == "sobol_plan":
        sens = pd.read_csv(tmp_path / "sensitivity.csv")
        assert {"outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"} <= set(sens.columns)
        assert set(sens["N"]) == {2, 4}  # the convergence check: N/2 and N from the same runs
        assert sens["factor"].nunique() == 16 and len(data) == 4 * (16 + 2)
        capsys.readouterr()
        main([f"explore={preset}", *SMALL, *overrides, f"explore.dir={tmp_path}"])  # the same folder: reused
        assert f"{len(data)} runs (0 new)" in capsys.readouterr().out
    if preset == "morris_screen":
        assert {"mu_star", "mu_star_conf", "sigma"} <= set(pd.read_csv(tmp_path / "sensitivity.csv").columns)
    if preset == "cost_effectiveness":
        cost = pd.read_csv(tmp_path / "cost.csv")
        assert {"fund", "tax"} <= set(cost["family"]) and (cost["n"] == 2).all()
    if preset == "pareto_budget":
        trials = pd.read_parquet(tmp_path / "pareto.parquet")
        assert len(trials) == 4 and trials["on_front"].any() and trials["knee"].sum() == 1
        assert (trials.loc[trials["trial"] == 0, "member"] == "plan").all()  # trial 0 is the plan
        assert set(pd.read_csv(tmp_path / "regret.csv")["world"]) == {"baseline", "weak_demand"}


@pytest.mark.parametrize("args, culprit", [
    (["explore=sobol_plna"], "sobol_plan"),                        # misspelt preset: did you mean
    (["explore.sampels=8"], "samples"),                             # misspelt setting
    (["explore.samples=6"], "power of 2"),                          # Sobol's N
    (["explore.uncertainties=[firm.tranform_gain]"], "firm.transform_gain"),  # not an uncertain parameter
    (["explore=prim_targets", "explore.levers=[policy.fund.annual_budget_cny]"], "uncertainties only"),
    (["scale=7"], "scale"),                                         # a model override out of range
    (["policy.fund.anual_budget_cny=1e9"], "annual_budget_cny"),    # a misspelt model key
])
def test_bad_override_one_line_exit_2_nothing_written(tmp_path, capsys, args, culprit):
    with pytest.raises(SystemExit) as exc:
        main([*SMALL, "explore.samples=4", f"explore.dir={tmp_path / 'study'}", *args])  # args last: they win
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("dtsim-explore: config error:") and culprit in err
    assert not (tmp_path / "study").exists()


def test_readme_commands_are_the_presets_and_valid():
    """The generated README table (python -m experiments.explore.timings --write-docs) names each preset once, and
    each command still passes the checks a run starts with."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- explore-presets:begin -->")[1].split("<!-- explore-presets:end -->")[0]
    commands = [c.split() for c in re.findall(r"`dtsim-explore ([^`]*)`", block)]
    assert sorted(c[0] for c in commands) == sorted(f"explore={p}" for p in PRESETS)
    for args in commands:
        precheck(args)
