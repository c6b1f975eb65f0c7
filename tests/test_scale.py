"""Estimates agree across scales: the same provincial figures whatever share of firms is simulated.

At `scale` < 1, firms below the take-all size are sampled with weight 1/scale (incumbents and entrants alike), so
every provincial figure is an unbiased estimate of the scale-1 one. The test: replicates at each scale (seeds
spawned from a root of their own, so the samples are independent); for T1 (USD) and 2025 digital trade by kind
(CNY), the mean (Welch t-test) and the 5 %, 50 % and 95 % quantiles (difference over its bootstrap standard error,
normal p-value) at each scale are compared with scale 1.0. All p-values together are held to a family-wise 1 %
(Holm). Power: the test also asserts that the smallest difference of T1's mean it detects with 80 % power is under
`MDE_SHARE` (10 %) of T1, so it would catch the drift with scale seen before entrants were sampled like incumbents
(mean T1 without the plan 126 bn at scale 0.05 against 110 bn at scale 1: 15 %).
The one-quarter jump: no replicate's digital trade changes by more than `MAX_QUARTER_FACTOR` in one quarter.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.replicates import run_replicates
from model.api import load_config
from agents.vocabulary import FIRM_KINDS

MAX_QUARTER_FACTOR = 1.3  # largest one-quarter change of provincial digital trade, either way
FAMILY_ALPHA = 0.01
MDE_SHARE = 0.10
KINDS = (*FIRM_KINDS, "cloud")


def measure(scale: float, n: int, seed: int, *overrides: str) -> dict[str, np.ndarray]:
    """Per replicate: T1 (USD/year), 2025 digital trade by kind (CNY/year) and the largest one-quarter factor."""
    cfg = load_config(f"scale={scale}", f"replicates={n}", f"seed={seed}", "chart=false", *overrides)
    out: dict[str, list] = {"T1": [], "jump": [], **{k: [] for k in KINDS}}
    for rep in run_replicates(cfg, workers=2, progress=False):
        out["T1"].append(rep.card["T1"]["value"])
        frame = rep.frame
        dt = frame[(frame["metric"] == "digital_trade") & frame["quarter"].str.startswith("2025")]
        by_kind = dt.groupby("kind")["value"].sum()
        for k in KINDS:
            out[k].append(by_kind[k])
        total = frame[frame["metric"] == "digital_trade_total"]["value"].to_numpy()
        ratio = total[1:] / total[:-1]
        out["jump"].append(max(ratio.max(), 1 / ratio.min()))
    return {k: np.array(v) for k, v in out.items()}


def quantile_p(a: np.ndarray, b: np.ndarray, q: float, rng: np.random.Generator, draws: int = 400) -> float:
    """Two-sided p-value of equal q-quantiles: difference over its bootstrap standard error."""
    boot = [np.quantile(rng.choice(a, len(a)), q) - np.quantile(rng.choice(b, len(b)), q) for _ in range(draws)]
    se = np.std(boot, ddof=1)
    diff = np.quantile(a, q) - np.quantile(b, q)
    return 1.0 if se == 0 else float(2 * stats.norm.sf(abs(diff) / se))


def holm_rejects(pvalues: dict[str, float], alpha: float) -> list[str]:
    """Names of the hypotheses Holm's step-down procedure rejects at family-wise `alpha`."""
    ranked = sorted(pvalues.items(), key=lambda kv: kv[1])
    rejected = []
    for i, (name, p) in enumerate(ranked):
        if p > alpha / (len(ranked) - i):
            break
        rejected.append(name)
    return rejected


def compare(samples: dict[float, dict[str, np.ndarray]], reference: float, names) -> dict[str, float]:
    rng = np.random.default_rng(0)  # the bootstrap's own, fixed: the test is deterministic
    ref, pvalues = samples[reference], {}
    for scale, s in samples.items():
        if scale == reference:
            continue
        for name in names:
            pvalues[f"{name} mean, scale {scale}"] = float(stats.ttest_ind(s[name], ref[name], equal_var=False).pvalue)
            for q in (0.05, 0.5, 0.95):
                pvalues[f"{name} q{int(100 * q)}, scale {scale}"] = quantile_p(s[name], ref[name], q, rng)
    return pvalues


def minimal_detectable_share(a: np.ndarray, b: np.ndarray, alpha: float) -> float:
    """Smallest difference of means (share of the mean) a two-sided test at `alpha` detects with 80 % power."""
    se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float((stats.norm.isf(alpha / 2) + stats.norm.isf(0.2)) * se / b.mean())


def check(samples: dict, reference: float, names, n_tests_alpha: float) -> None:
    rejected = holm_rejects(compare(samples, reference, names), FAMILY_ALPHA)
    assert not rejected, f"estimates differ across scales: {rejected}"
    for s in samples.values():
        assert s["jump"].max() < MAX_QUARTER_FACTOR
    smallest = min(samples)
    assert minimal_detectable_share(samples[smallest]["T1"], samples[reference]["T1"], n_tests_alpha) < MDE_SHARE


def test_small_scales_agree_on_t1():
    """The default run's quick version: scale 0.05 against 0.25, T1 only."""
    samples = {0.05: measure(0.05, 24, 101, "policy=none"), 0.25: measure(0.25, 24, 102, "policy=none")}
    check(samples, 0.25, ["T1"], FAMILY_ALPHA / 4)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["plan", "none"])
def test_estimates_agree_across_scales(policy):
    samples = {scale: measure(scale, n, seed, f"policy={policy}")
               for scale, n, seed in ((0.05, 60, 201), (0.1, 60, 202), (0.25, 60, 203), (1.0, 40, 204))}
    names = ["T1", *KINDS]
    check(samples, 1.0, names, FAMILY_ALPHA / (3 * 4 * len(names)))
