"""Calibration, forecast: the loss, the target rules, a reduced calibration end to end, the calibrated config;
what the commands write (only their output folder unless --write-docs; a stored forecast is never overwritten)
and the one-source rule of docs/calibration.md (figures of a run only in generated blocks)."""

from __future__ import annotations

import csv
import hashlib
import math
import re
import shutil
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from model.api import load_config as compose
from calibration.search import PARAMS, defaults
from calibration.targets import TARGETS, Target, check_targets, observations, score
from calibration import docs
from calibration.report import targets_block
from experiments import calibrate, forecast, validation
from model.validate import validate

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "conf" / "calibration"
DOC = ROOT / "docs" / "calibration.md"


def test_score_is_sum_of_squared_z_with_seed_spread():
    observed = observations()
    t = TARGETS[1]  # dt_2020_growth: observed +20 %, tolerance 3 points
    reps = [{t.name: 0.14}, {t.name: 0.18}]
    out = score(reps, observed, (t,))
    sd = math.sqrt(((0.14 - 0.16) ** 2 + (0.18 - 0.16) ** 2) / 1)
    z = (0.16 - 0.20) / math.sqrt(0.03 ** 2 + sd ** 2)
    assert out["targets"][t.name]["z"] == pytest.approx(z)
    assert out["loss"] == pytest.approx(z * z)


def test_targets_use_nothing_after_2021_and_need_published_growth():
    observed = observations()
    assert all(t.key[0] <= 2021 for t in TARGETS)
    with pytest.raises(ValueError, match="after 2021"):
        check_targets(observed, (Target("g23", (2023, "FY", "goods_trade_total"), "goods", "level", 0.05, ""),))
    with pytest.raises(ValueError, match="no published growth"):
        check_targets(observed, (Target("f", (2021, "FY", "firms_with_actual_trade"), "firms", "growth", .1, ""),))


def test_search_ranges_lie_inside_the_schema_ranges():
    cfg = compose("calibration=none")
    for p in PARAMS:
        validate(OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{p.key}={p.lo}"])))
        validate(OmegaConf.merge(cfg, OmegaConf.from_dotlist([f"{p.key}={p.hi}"])))
        assert p.lo <= defaults(cfg)[p.key] <= p.hi, p.key


REDUCED = ["--trials", "6", "--replicates", "2", "--scale", "0.02", "--recheck", "2", "--check-scale", "0.02",
           "--check-replicates", "2"]


def test_reduced_calibration_runs_end_to_end_and_is_reproducible(tmp_path):
    for out in ("a", "b"):
        assert calibrate.main(REDUCED + ["--out", str(tmp_path / out)]) == 0
    written = tmp_path / "a" / "zhejiang_2021.yaml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# @package _global_\n")
    values = OmegaConf.create(text)
    cfg = OmegaConf.merge(compose("calibration=none"), values)
    validate(cfg)
    trials_csv = tmp_path / "a" / "zhejiang_2021_trials.csv"
    rows = list(csv.DictReader(trials_csv.open(encoding="utf-8")))
    assert len(rows) == 6
    base = defaults(compose("calibration=none"))
    assert all(float(rows[0][p.key]) == pytest.approx(base[p.key], rel=1e-5) for p in PARAMS)  # trial 0 = defaults
    top = sorted(rows, key=lambda r: float(r["loss"]))[:2]  # the estimate is one of the re-checked best trials
    assert any(all(OmegaConf.select(values, p.key) == pytest.approx(float(r[p.key]), rel=1e-3) for p in PARAMS)
               for r in top)
    assert trials_csv.read_bytes() == (tmp_path / "b" / trials_csv.name).read_bytes()
    doc = (tmp_path / "a" / "calibration.md").read_text(encoding="utf-8")
    assert "<!-- calibration:begin -->" in doc and "dt_2020_growth" in doc and "<!-- targets:begin -->" in doc
    assert "](calibration_fit.png)" in doc  # the fragment's charts are beside it
    assert (tmp_path / "a" / "calibration_fit.png").stat().st_size > 10_000


def test_bad_override_is_one_line_error(capsys, tmp_path):
    assert calibrate.main(REDUCED + ["--out", str(tmp_path), "policy.fund.annual_budget_cny=-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("calibrate: error:")
    assert "policy.fund.annual_budget_cny=-1 is out of range" in err[0]
    with pytest.raises(SystemExit):  # the search owns the scale
        calibrate.main(REDUCED + ["--out", str(tmp_path), "scale=0.5"])


def test_calibration_group_composes_and_sets_every_searched_parameter():
    none, cal = compose("calibration=none"), compose("calibration=zhejiang_2021")
    validate(cal)
    assert compose() == cal  # the calibrated parameters are the default
    changed = [p.key for p in PARAMS if OmegaConf.select(cal, p.key) != OmegaConf.select(none, p.key)]
    assert changed == [p.key for p in PARAMS]
    assert (CONF / "zhejiang_2021.yaml").read_text(encoding="utf-8").startswith("# @package _global_")


def test_reduced_forecast_prints_years_intervals_and_target_odds(tmp_path, capsys):
    assert forecast.main(["--sets", "2", "--seeds", "1", "--scale", "0.02", "--out", str(tmp_path)]) == 0
    (table,) = tmp_path.glob("forecast_zhejiang_2021_*.csv")
    rows = list(csv.DictReader(table.open()))
    fy = {(r["year"], r["part"], r["measure"]) for r in rows}
    for year in ("2022", "2023", "2024", "2025"):
        for part in ("H1", "FY"):
            assert {(year, part, "CNY"), (year, part, "USD"), (year, part, "growth")} <= fy
    odds = [float(r["mean"]) for r in rows if r["measure"] == "met"]
    assert len(odds) == 5 and all(0.0 <= p <= 1.0 for p in odds)
    for r in rows:
        assert float(r["q5"]) <= float(r["q50"]) <= float(r["q95"])
    assert "2025 FY" in capsys.readouterr().out


# ------------------------------------------------------------------------------- what the commands write
TRACKED = ("docs/calibration.md", "docs/img", "data/calibration", "conf/calibration")
CHEAP = {"calibrate": (calibrate, REDUCED),
         "forecast": (forecast, ["--sets", "2", "--seeds", "1", "--scale", "0.02"]),
         "validation": (validation, ["--seeds", "1", "--horizon", "2021Q4"])}
MADE = {"calibrate": {"zhejiang_2021.yaml", "zhejiang_2021_trials.csv", "calibration_fit.png",
                      "calibration_params.png", "calibration.md"},
        "forecast": {f"forecast_zhejiang_2021_{{date}}.csv", "forecast_digital_trade.png", "forecast.md"},
        "validation": {"facts.csv", "facts_firm_dynamics.png", "validation.md"}}


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Bytes (sha256) and mtime of every file the commands could write under `root`."""
    files = []
    for rel in TRACKED:
        path = root / rel
        files += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in files}


def today() -> str:
    return time.strftime("%Y-%m-%d")


@pytest.mark.parametrize("command", list(CHEAP))
def test_command_writes_only_a_new_output_folder_by_default(command, tmp_path, monkeypatch, capsys):
    """Default options: no tracked file of the project changes; outputs/<command>/<time>/ holds the results."""
    module, argv = CHEAP[command]
    monkeypatch.setattr(docs, "OUTPUTS", tmp_path / "outputs")  # not the checkout's outputs/
    before = snapshot(ROOT)
    assert module.main(list(argv)) == 0
    assert snapshot(ROOT) == before
    (folder,) = (tmp_path / "outputs" / command).iterdir()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", folder.name)
    assert {p.name for p in folder.iterdir()} == {n.format(date=today()) for n in MADE[command]}
    fragment = (folder / f"{'calibration' if command == 'calibrate' else command}.md").read_text(encoding="utf-8")
    assert f"<!-- {command.replace('calibrate', 'calibration')}:begin -->" in fragment and "Made by `" in fragment
    out = capsys.readouterr().out
    assert f"wrote to {folder}" in out and "no tracked file changed" in out


def test_out_must_be_a_new_or_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert forecast.main(["--sets", "1", "--seeds", "1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("forecast: error: --out") and "not a new or empty folder" in err[0]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    """The tracked files the commands update, copied; --write-docs then writes into the copy."""
    root = tmp_path / "project"
    for rel in TRACKED:
        src = ROOT / rel
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / rel)
    monkeypatch.setattr(docs, "ROOT", root)
    return root


def outside_blocks(text: str) -> str:
    return re.sub(r"<!-- (\w+):begin -->.*?<!-- \1:end -->", "", text, flags=re.S)


def test_forecast_write_docs_stores_a_new_file_and_never_overwrites_one(project_copy, tmp_path, capsys):
    real = snapshot(ROOT)
    stored = project_copy / "data" / "calibration"
    record = (stored / "zhejiang_2021_forecast.csv").read_bytes()  # the forecast as made on its date
    taken = stored / f"forecast_zhejiang_2021_{today()}.csv"
    taken.write_bytes(b"an earlier forecast of today\n")
    doc_before = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    argv = ["--sets", "2", "--seeds", "1", "--scale", "0.02", "--write-docs"]
    for n, out in ((2, "o1"), (3, "o2")):
        assert forecast.main(argv + ["--out", str(tmp_path / out)]) == 0
        new = stored / f"forecast_zhejiang_2021_{today()}_{n}.csv"
        (made,) = (tmp_path / out).glob("forecast_zhejiang_2021_*.csv")
        assert new.read_bytes() == made.read_bytes()
        assert f"data/calibration/{new.name}" in capsys.readouterr().out
    assert taken.read_bytes() == b"an earlier forecast of today\n"
    assert (stored / "zhejiang_2021_forecast.csv").read_bytes() == record
    doc = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert f"Stored as `data/calibration/forecast_zhejiang_2021_{today()}_3.csv`" in doc
    assert outside_blocks(doc) == outside_blocks(doc_before)  # hand-written text untouched
    assert (project_copy / "docs" / "img" / "forecast_digital_trade.png").read_bytes() == \
        (tmp_path / "o2" / "forecast_digital_trade.png").read_bytes()
    assert snapshot(ROOT) == real


def test_calibrate_write_docs_updates_config_trials_charts_and_blocks(project_copy, tmp_path):
    real = snapshot(ROOT)
    assert calibrate.main(REDUCED + ["--out", str(tmp_path / "out"), "--write-docs"]) == 0
    out = tmp_path / "out"
    for made, tracked in (("zhejiang_2021.yaml", "conf/calibration"), ("zhejiang_2021_trials.csv", "data/calibration"),
                          ("calibration_fit.png", "docs/img"), ("calibration_params.png", "docs/img")):
        assert (project_copy / tracked / made).read_bytes() == (out / made).read_bytes(), made
    doc = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert "--trials 6 --replicates 2" in doc and "](img/calibration_fit.png)" in doc
    assert outside_blocks(doc) == outside_blocks(DOC.read_text(encoding="utf-8"))
    assert snapshot(ROOT) == real


# ------------------------------------------------------------------------------- one source for each figure
FIGURE_RULES = {
    "a percentage": r"\d\s*%",
    "an amount of money": r"(?:USD|CNY|RMB)\s*~?\d|\d\s*(?:bn|亿元|billion|million)\b|\d\s*亿",
    "a run time": r"\d\s*(?:min|minutes?|s|sec|seconds?|h|hours?)\b",
    "a count of a run": r"\b(?:(?!(?:19|20)\d\d\b)\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                        r"twelve|twenty)\s+"
                        r"(?:fresh\s+)?(?:agents?|firm agents?|trials?|seeds?|replicates?|runs?|parameter sets?|"
                        r"parameters?|targets?|firms?)\b",
    "a scale": r"\bscale\s+[\d.]",
    "a fit statistic": r"\b(?:loss|z)\s*[=≈]?\s*[-−+]?\d",
    "an approximate figure": r"[~≈]\s*[-−+]?\d",
}


def test_hand_written_text_of_calibration_doc_carries_no_figure_of_a_run():
    """One source for each documented time and count: docs/calibration.md's hand-written text repeats no figure.

    The rule: outside the generated blocks (`<!-- name:begin -->` … `<!-- name:end -->`, written by
    experiments.calibrate / .forecast / .validation with --write-docs, or tested against the code like the targets
    block), the page contains no percentage ("20 %"), no amount of money ("USD 149 bn", "4,334 亿元"), no run time
    ("4.5 min", "~1 s"), no count of a run's trials, seeds, replicates, runs, agents, firms, parameters or targets
    ("200 trials", "Seven targets"), no scale ("scale 0.05"), no loss or z ("loss 2.6", "z = −1.8") and no
    approximate figure ("~0.08", "≈ 1.8"). Such figures belong in a block, made from what the run measured; prose
    that needs one points at the block. What the rule does not catch (a bare number such as "1.05–1.10") is left to
    review: years, quarters, section numbers, citations and method constants (|z| ≤ 2, ten bins) are allowed.
    """
    text = outside_blocks(DOC.read_text(encoding="utf-8"))
    found = [(what, m.group(0), text[max(0, m.start() - 40):m.end() + 20].replace("\n", " "))
             for what, rule in FIGURE_RULES.items() for m in re.finditer(rule, text, flags=re.I)]
    assert not found, "figures typed by hand in docs/calibration.md (put them in a generated block):\n" + \
        "\n".join(f"  {what}: {fig!r} in ...{ctx}..." for what, fig, ctx in found)


def test_the_rule_catches_the_figures_it_names():
    for sample in ("USD 149 bn", "22–34 % a year", "in 4.5 min", "~1 s a replicate set", "200 trials",
                   "Seven targets", "10 fresh seeds", "at scale 0.05", "(loss 2.6)", "z = −1.8", "~0.08",
                   "(~96,000 at the start)", "33,339 firm agents"):
        assert any(re.search(rule, sample, flags=re.I) for rule in FIGURE_RULES.values()), sample
    for fine in ("2020–21", "2021Q4", "§5", "Axtell 2001", "|z_i| ≤ 2", "ten equal-count bins", "b = 2",
                 "each 2025 target"):
        assert not any(re.search(rule, fine, flags=re.I) for rule in FIGURE_RULES.values()), fine


def test_targets_block_of_the_doc_is_the_one_the_code_makes():
    """The targets table is generated (calibrate writes it); this keeps the stored page in step with the code."""
    doc = DOC.read_text(encoding="utf-8")
    block = doc.split("<!-- targets:begin -->\n", 1)[1].split("\n<!-- targets:end -->", 1)[0]
    assert block == targets_block(observations()), "run python -m experiments.calibrate --write-docs"
