"""Calibration: what is compared with what (every definition mapped or set aside, never mixed), the measurements
(two code paths agree), the priors (schema ranges, never retyped), the calibrated config; what the commands write
(only their output folder unless --write-docs) and the one-source rule of docs/calibration.md."""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf

from calibration import docs, observe
from calibration.priors import PRIORS, schema_field, with_values
from calibration.report import targets_block
from calibration.targets import (LAST_OBSERVED, MAPPING, MEASURES, UNUSED, check, fitted, horizon, measure,
                                 observations)
from experiments import backtest, calibrate, forecast, validation
from model.api import load_config as compose
from model.validate import validate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "calibration.md"
P3 = ["world.digital_boom.level", "world.digital_shift", "population.cbec_trade_2019_cny"]


# ------------------------------------------------------------------------------------------ definitions and measures
def test_every_row_is_mapped_or_set_aside_and_measures_fit_their_definition():
    observed = observations()
    for obs in observed.values():
        assert ((obs.metric, obs.definition) in MAPPING) != ((obs.metric, obs.definition) in UNUSED), obs.label()
    assert all(m.key[0] <= LAST_OBSERVED for m in MEASURES)
    assert {m.key[0] for m in fitted(2021)} == {2020, 2021}  # a calibration through 2021 sees nothing later


def test_the_broad_and_narrow_cbec_counts_are_compared_by_growth_only():
    """Monitoring (several times the customs-platform figure) and customs platforms: never a level."""
    observed = observations()
    for defn in ("cbec_commerce_monitoring", "cbec_customs_platforms"):
        assert all(allowed == "growth" for (_, d), (_, allowed, _) in MAPPING.items() if d == defn)
    level = replace(next(m for m in MEASURES if m.name == "cbec_2022_growth"), stat="level")
    with pytest.raises(ValueError, match="allows growth only"):
        check(observed, (level,))


def test_an_unmapped_definition_stops_loading_with_one_line_naming_the_row(tmp_path):
    from model.data import DATA_FILE, DataError

    bad = tmp_path / "observed.csv"
    bad.write_text(DATA_FILE.read_text(encoding="utf-8").replace(",customs_by_partner,", ",some_new_source,", 1),
                   encoding="utf-8")
    with pytest.raises(DataError) as err:
        observations(bad)
    assert "\n" not in str(err.value) and str(bad) in str(err.value) and "some_new_source" in str(err.value)


def _fake(values: dict, base: dict) -> observe.Run:
    return observe.Run(quarters=np.arange(8), series={k: np.asarray(v, float) for k, v in values.items()}, base=base)


def test_partial_periods_take_their_share_of_a_quarter_and_2019_is_the_base_quarter():
    r = _fake({"goods_total": np.arange(1.0, 9.0), "firms": np.arange(10.0, 18.0)}, {"goods_total": 0.5, "firms": 9})
    assert observe.flow(r, "goods_total", 2021, 4) == pytest.approx(5 + 6 / 3)  # Jan-Apr = Q1 + a third of Q2
    assert observe.flow(r, "goods_total", 2020, 2) == pytest.approx(2 / 3)       # Jan-Feb = two thirds of Q1
    assert observe.flow(r, "goods_total", 2019, 12) == pytest.approx(2.0)        # the end-2019 quarter x 4
    assert observe.stock(r, "firms", 2021, 4) == 15 and observe.stock(r, "firms", 2020, 12) == 13
    with pytest.raises(ValueError, match="not simulated"):
        observe.flow(r, "goods_total", 2022, 3)


@pytest.fixture(scope="module")
def small_run():
    return observe.run(compose("calibration=none", "scale=0.02", "chart=false", "horizon=2021Q4"), 3, keep=True)


def test_measurements_agree_with_the_tidy_records(small_run):
    """Two code paths: the calibration's series vs model.api's tidy records table, to a relative 1e-9."""
    rec = small_run.outcomes.records
    total = rec[(rec.metric == "digital_trade_total")].set_index("quarter")["value"]
    fy2021 = sum(total[f"2021Q{q}"] for q in range(1, 5))
    assert observe.flow(small_run, "digital_total", 2021) == pytest.approx(fy2021, rel=1e-9)
    dt = rec[(rec.metric == "digital_trade") & rec.kind.isin(["traditional", "cbec"]) & (rec.quarter == "2021Q2")]
    assert observe.flow(small_run, "cbec_group", 2021, 6) - observe.flow(small_run, "cbec_group", 2021, 3) == \
        pytest.approx(dt["value"].sum(), rel=1e-9)
    assert observe.flow(small_run, "digital_total", 2019) > 0 and small_run.base["firms"] > 0
    goods = sum(observe.flow(small_run, f"goods_{mk}", 2021) for mk in ("us", "eu", "asia", "other"))
    assert goods == pytest.approx(observe.flow(small_run, "goods_total", 2021), rel=1e-9)


def test_a_growth_measure_is_the_ratio_of_its_two_periods(small_run):
    observed = observations()
    ms = fitted(2021)
    stats = measure(small_run, observed, ms)
    m = next(m for m in ms if m.name == "cbec_2021_jan_sep_growth")
    ratio = observe.flow(small_run, "cbec_group", 2021, 9) / observe.flow(small_run, "cbec_group", 2020, 9) - 1
    assert stats[m.name] == pytest.approx(ratio, rel=1e-12)
    assert stats["dt_2020"] == pytest.approx(math.log(observe.flow(small_run, "digital_total", 2020)), rel=1e-12)
    assert horizon(ms) == "2021Q4" and horizon(fitted(2023)) == "2023Q4"


# ------------------------------------------------------------------------------------------ priors
def test_priors_are_uncertain_schema_parameters_with_the_schema_range():
    import dataclasses
    from model.config import WorldCfg

    keys = {p.key for p in PRIORS}
    assert {"world.digital_shift", "world.domestic_growth"} | {f"world.demand_growth.{m}" for m in
                                                               ("us", "eu", "asia", "other")} <= keys
    growth = {f.name: f for f in dataclasses.fields(WorldCfg)}["demand_growth"].metadata["range"]
    assert next(p for p in PRIORS if p.key == "world.demand_growth.us").bounds() == tuple(map(float, growth))
    for p in PRIORS:
        assert schema_field(p.key)["uncertain"], p.key
        assert p.source.strip(), p.key


def test_prior_draws_lie_in_range_and_make_valid_configs():
    from calibration.priors import distribution, values

    base = compose("calibration=none", "scale=0.02", "chart=false", "horizon=2020Q4")
    dist = distribution(base)
    np.random.seed(3)
    for _ in range(3):
        v = values(dist.rvs())
        for p in PRIORS:
            lo, hi = p.bounds()
            assert lo <= v[p.key] <= hi, p.key
        validate(with_values(base, v))


# ------------------------------------------------------------------------------------------ the calibrated configs
def test_calibration_options_compose_and_the_default_is_the_latest():
    for name in ("zhejiang_2021", "zhejiang_2023"):
        path = ROOT / "conf" / "calibration" / f"{name}.yaml"
        if not path.exists():
            continue
        assert path.read_text(encoding="utf-8").startswith("# @package _global_")
        validate(compose(f"calibration={name}"))
    default = OmegaConf.load(ROOT / "conf" / "config.yaml")["defaults"][1]["calibration"]
    assert (ROOT / "conf" / "calibration" / f"{default}.yaml").exists()
    if default == "zhejiang_2023":  # adopted only with its posterior sample and predictive checks stored
        from calibration.posterior import load

        particles, weights = load(default)
        assert set(particles.columns) == {p.key for p in PRIORS} and weights.sum() == pytest.approx(1.0)
        assert (ROOT / "data" / "calibration" / f"{default}_ppc.csv").exists()


# ------------------------------------------------------------------------------- what the commands write
TRACKED = ("docs/calibration.md", "docs/img", "data/calibration", "conf/calibration")
SMALL = ["--scale", "0.02", "--workers", "1"]
CHEAP = {"calibrate": (calibrate, ["--through", "2020", "--parameters", *P3, "--population", "6", "--simulations",
                                   "20", "--ppc", "3", *SMALL]),
         "backtest": (backtest, ["--origins", "2020", "--parameters", *P3, "--population", "6", "--simulations",
                                 "20", "--draws", "3", *SMALL]),
         "forecast": (forecast, ["--calibration", "zhejiang_2021", "--sets", "2", "--seeds", "1", *SMALL]),
         "validation": (validation, ["--seeds", "1", "--horizon", "2021Q4", "--tail-seeds", "1"])}
MADE = {"calibrate": {"abc.db", "zhejiang_2020.yaml", "zhejiang_2020_posterior.csv", "zhejiang_2020_ppc.csv",
                      "calibration_posterior.png", "calibration_pairs.png", "calibration_ppc.png", "calibration.md"},
        "backtest": {"backtest_2020.db", "backtest_2020_posterior.csv", "backtest.csv", "backtest.png",
                     "backtest.md"},
        "forecast": {"forecast_zhejiang_2021_{date}.csv", "forecast_digital_trade.png", "forecast.md"},
        "validation": {"facts.csv", "facts_firm_dynamics.png", "validation.md", "responses.csv"}}


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
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
    module, argv = CHEAP[command]
    monkeypatch.setattr(docs, "OUTPUTS", tmp_path / "outputs")
    before = snapshot(ROOT)
    assert module.main(list(argv)) == 0
    assert snapshot(ROOT) == before
    (folder,) = (tmp_path / "outputs" / command).iterdir()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", folder.name)
    assert {p.name for p in folder.iterdir()} == {n.format(date=today()) for n in MADE[command]}
    block = command.replace("calibrate", "calibration")
    fragment = (folder / f"{block}.md").read_text(encoding="utf-8")
    assert f"<!-- {block}:begin -->" in fragment and "Made by `" in fragment
    out = capsys.readouterr().out
    assert f"wrote to {folder}" in out and "no tracked file changed" in out


def test_out_must_be_a_new_or_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert forecast.main(["--sets", "1", "--seeds", "1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("forecast: error: --out") and "not a new or empty folder" in err[0]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("argv, message", [
    (["policy.fund.annual_budget_cny=-1"], "policy.fund.annual_budget_cny=-1 is out of range"),
    (["--parameters", "firm.no_such_rate"], "--parameters firm.no_such_rate: not a calibrated parameter"),
    (["--population", "3"], "--population 3: must exceed the number of parameters"),
])
def test_bad_input_is_one_line(argv, message, capsys, tmp_path):
    args = CHEAP["calibrate"][1] + ["--out", str(tmp_path / "o")]
    if "--parameters" in argv:
        args = [a for a in args if a not in P3 and a != "--parameters"]
    assert calibrate.main(args + argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("calibrate: error:") and message in err[0], err
    assert not (tmp_path / "o").exists()


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    for rel in TRACKED:
        src = ROOT / rel
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / rel)
    monkeypatch.setattr(docs, "ROOT", root)
    return root


def outside_blocks(text: str) -> str:
    return re.sub(r"<!-- (\w+):begin -->.*?<!-- \1:end -->", "", text, flags=re.S)


def test_calibrate_write_docs_updates_config_posterior_charts_and_blocks(project_copy, tmp_path):
    real = snapshot(ROOT)
    assert calibrate.main(CHEAP["calibrate"][1] + ["--out", str(tmp_path / "out"), "--write-docs"]) == 0
    out = tmp_path / "out"
    for made, tracked in (("zhejiang_2020.yaml", "conf/calibration"), ("zhejiang_2020_posterior.csv",
                                                                         "data/calibration"),
                          ("calibration_ppc.png", "docs/img")):
        assert (project_copy / tracked / made).read_bytes() == (out / made).read_bytes(), made
    doc = (project_copy / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert "--population 6 --simulations 20" in doc and "](img/calibration_ppc.png)" in doc
    assert outside_blocks(doc) == outside_blocks(DOC.read_text(encoding="utf-8"))
    assert snapshot(ROOT) == real


# ------------------------------------------------------------------------------- one source for each figure
FIGURE_RULES = {
    "a percentage": r"\d\s*%",
    "an amount of money": r"(?:USD|CNY|RMB)\s*~?\d|\d\s*(?:bn|亿元|billion|million|trillion)\b|\d\s*亿",
    "a run time": r"\d\s*(?:min|minutes?|s|sec|seconds?|h|hours?)\b",
    "a count of a run": r"\b(?:(?!(?:19|20)\d\d\b)\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                        r"twelve|twenty)\s+"
                        r"(?:fresh\s+)?(?:agents?|firm agents?|trials?|seeds?|replicates?|runs?|parameter sets?|"
                        r"parameters?|targets?|firms?|simulations?|particles?|measures?|observations?|draws?)\b",
    "a scale": r"\bscale\s+[\d.]",
    "a fit statistic": r"\b(?:loss|z|ESS|CRPS|epsilon|coverage)\s*[=≈]?\s*[-−+]?\d",
    "an approximate figure": r"[~≈]\s*[-−+]?\d",
}


def test_hand_written_text_of_calibration_doc_carries_no_figure_of_a_run():
    """docs/calibration.md's hand-written text (outside the generated `<!-- name:begin -->` … `<!-- name:end -->`
    blocks) repeats no figure of a run: no percentage, amount, run time, count of runs, scale, fit statistic or
    approximate figure. Such figures live in the blocks the commands generate; prose points at them."""
    text = outside_blocks(DOC.read_text(encoding="utf-8"))
    found = [(what, m.group(0), text[max(0, m.start() - 40):m.end() + 20].replace("\n", " "))
             for what, rule in FIGURE_RULES.items() for m in re.finditer(rule, text, flags=re.I)]
    assert not found, "figures typed by hand in docs/calibration.md (put them in a generated block):\n" + \
        "\n".join(f"  {what}: {fig!r} in ...{ctx}..." for what, fig, ctx in found)


def test_the_rule_catches_the_figures_it_names():
    for sample in ("USD 149 bn", "22–34 % a year", "in 4.5 min", "~1 s a replicate set", "200 trials",
                   "Seven targets", "10 fresh seeds", "at scale 0.05", "(loss 2.6)", "z = −1.8", "~0.08",
                   "10,000 simulations", "ESS 41", "CNY 1 trillion", "22 measures"):
        assert any(re.search(rule, sample, flags=re.I) for rule in FIGURE_RULES.values()), sample
    for fine in ("2020–21", "2021Q4", "§5", "Axtell 2001", "|z_i| ≤ 2", "ten equal-count bins", "b = 2",
                 "each 2025 target", "through 2023"):
        assert not any(re.search(rule, fine, flags=re.I) for rule in FIGURE_RULES.values()), fine


def test_targets_block_of_the_doc_is_the_one_the_code_makes():
    doc = DOC.read_text(encoding="utf-8")
    block = doc.split("<!-- targets:begin -->\n", 1)[1].split("\n<!-- targets:end -->", 1)[0]
    assert block == targets_block(observations()), "run python -m experiments.calibrate --write-docs"
