"""docs/workshop.md: its figures come from generated blocks, and the blocks are what the exercises make today.

The rule for the guide's hand-written prose (everything outside the generated blocks `<!-- name:begin -->` …
`<!-- name:end -->`, which `python -m experiments.workshop.exercises --write-docs` writes):

- Code (fenced blocks and `inline code`) is exempt: commands, overrides and addresses are inputs, not results.
- Every other number written in digits must be one of
  * a year or quarter (2000–2099, e.g. 2025, 2020Q4, 2020–2025);
  * a seed, a scale, an exercise, a step, a pin or a replicate number: written right after "seed"/"seeds",
    "scale", "Exercise", "step", "pin" or "replicate"; or the number of a numbered list item ("2. ");
  * a minute count of the session plan: "N minutes" in a heading, or the first cell of a timetable row;
  * the levels of the project's one summary rule, which are definitions, not results: "5–95 %" (the band) and
    "95 %" (an interval);
  * a config value named next to it: a backticked config key (`world.usd_invoicing`) within 80 characters whose
    value — or one of its entries, or the length of a list in it — equals the number as written (to the decimals
    shown, as it is, in % or in bn), in the default config or under `calibration=none`.
- No duration ("4.4 s", "about a minute") outside headings and the timetable: measured times belong to the browser
  test's output (outputs/workshop-test/timings.json), not to the guide.

Not caught (left to review): numbers spelled out ("five targets", "about half") and qualitative claims ("lower in
every seed"); those must be re-read against the tables whenever the blocks change.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from experiments.workshop import exercises
from model.api import load_config

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "workshop.md"
BLOCK = re.compile(r"^<!-- (\w+):begin -->\n(.*?)^<!-- \1:end -->$", re.M | re.S)
MARKER = re.compile(r"^<!-- (\w+):(begin|end) -->$", re.M)
NAMES = ["workshop_runs", "seed_0", *(f"exercise_{n}" for n in range(1, len(exercises.EXERCISES) + 1))]
NAMES.insert(NAMES.index(f"exercise_{exercises.ENSEMBLE_EXERCISE}") + 1, f"ensemble_{exercises.ENSEMBLE_EXERCISE}")

NUM = r"\d+(?:[.,]\d+)*"
NUMBER = re.compile(rf"(?<![\w.]){NUM}(?:\s*[–-]\s*{NUM})?")
TIMETABLE_ROW = re.compile(r"^\| (\d+–\d+) \|")  # its first cell: the minutes of the session plan
KEY = re.compile(r"`([A-Za-z_]\w*(?:\.\w+)+)`")
DURATION = re.compile(r"\b(?:\d[\d.,–-]*|an?|one|two|three|four|five|six|seven|eight|nine|ten|few|several)\s+"
                      r"(?:ms|s|secs?|seconds?|mins?|minutes?|hours?)\b", re.I)
WINDOW = 80


def blocks(text: str) -> dict[str, str]:
    return {name: body.rstrip("\n") for name, body in BLOCK.findall(text)}


def _blank(text: str, pattern: str, flags: int = 0) -> str:
    """Replace each match by spaces of the same length (newlines kept), so positions stay comparable."""
    return re.sub(pattern, lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=flags)


def _leaves(value) -> list[float]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [float(len(value))] + [x for v in value for x in _leaves(v)]
    return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


@pytest.fixture(scope="module")
def configs() -> list[dict]:
    return [OmegaConf.to_container(load_config(*o), resolve=True) for o in ((), ("calibration=none",))]


def _config_value(number: str, keys: list[str], configs: list[dict]) -> bool:
    shown = float(number.replace(",", ""))
    digits = len(number.split(".")[1]) if "." in number else 0
    for cfg in configs:
        for key in keys:
            node = cfg
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            for leaf in _leaves(node):
                if any(round(leaf * factor, digits) == shown for factor in (1, 100, 1e-9)):
                    return True
    return False


def stray_figures(text: str, configs: list[dict]) -> list[str]:
    """The numbers and durations of the prose that the module docstring's rule does not allow, with context."""
    prose = _blank(text, BLOCK.pattern, re.M | re.S)
    masked = _blank(_blank(prose, r"```.*?```", re.S), r"`[^`]*`")
    found = []
    for m in NUMBER.finditer(masked):
        line_start = masked.rfind("\n", 0, m.start()) + 1
        line, before, after = masked[line_start:].split("\n", 1)[0], masked[:m.start()][-20:], masked[m.end():]
        ends = re.split(r"\s*[–-]\s*", m.group(0))
        keys = [k.group(1) for k in KEY.finditer(prose, max(0, m.start() - WINDOW), m.end() + WINDOW)]
        if (all(re.fullmatch(r"20\d\d", e) for e in ends)
                or (m.group(0) in ("5–95", "95") and re.match(r"\s*%", after))
                or re.search(r"\b(?:seeds?|scale|exercise|step|pin|replicates?)\s+$", before, re.I)
                or (re.fullmatch(r"\s*", line[: m.start() - line_start]) and re.match(r"\. ", after))
                or (line.startswith("#") and re.match(r"\s*minutes\b", after))
                or (m.start() == line_start + 2 and TIMETABLE_ROW.match(line)
                    and TIMETABLE_ROW.match(line).group(1) == m.group(0))
                or all(_config_value(e, keys, configs) for e in ends)):
            continue
        found.append(f"{m.group(0)!r} in ...{text[max(0, m.start() - 50):m.end() + 30]!r}...")
    for line in masked.splitlines():
        if not line.startswith("#") and not TIMETABLE_ROW.match(line):
            found += [f"a duration {d.group(0)!r} in {line.strip()!r}" for d in DURATION.finditer(line)]
    return found


def test_the_guide_has_one_well_formed_block_per_table():
    text = GUIDE.read_text(encoding="utf-8")
    markers = MARKER.findall(text)
    assert markers == [(name, edge) for name in NAMES for edge in ("begin", "end")], \
        "each block once, begin before end, in this order: " + ", ".join(NAMES)
    found = blocks(text)
    assert list(found) == NAMES
    for name, body in found.items():
        assert body.strip(), f"block {name} is empty: run python -m experiments.workshop.exercises --write-docs"
        rows = [line for line in body.splitlines() if line.startswith("|")]
        assert name == "workshop_runs" or rows, f"block {name} has no table"
        assert len({row.count(" | ") for row in rows if not row.startswith("|---")}) <= 1, f"ragged table in {name}"
    assert re.search(r"--seeds [\d ]+ --scale [\d.]+ --write-docs", found["workshop_runs"])


def test_the_prose_outside_the_blocks_retypes_no_figure(configs):
    found = stray_figures(GUIDE.read_text(encoding="utf-8"), configs)
    assert not found, ("figures typed by hand in docs/workshop.md (point at a generated table, or name the config "
                       "key next to a config value):\n  " + "\n  ".join(found))


def test_the_rule_catches_the_figures_it_names(configs):
    stale = ["Seed 0: T1 USD 136.9 bn, T2 19.2 %/year.", "fund only spends CNY 5.1 bn: 9.5 yuan per yuan",
             "T1 128.7 (119.1–134.4) under a strong USD", "the no-plan run alone ranges from USD 104.0 to 119.6 bn",
             "Refresh them (it took about a minute here).", "a page loads in 4.4–6.8 s",
             "Ningbo has 4 candidate parks (`population.parks.Ningbo`)", "(`world.usd_invoicing` 0.7)",
             "| plan | 131.0 | 18.4 |", "P(met) 90 % over the seeds", "a 5–90 % band", "the budget at 3 bn. 2. Reset"]
    for sample in stale:
        assert stray_figures(f"Some text.\n{sample}\n", configs), sample
    fine = ["## Warm-up (10 minutes)", "| 0–10 | The plan |", "Seed 0, seeds 0–4, scale 0.05, Exercise 2.",
            "2. Reset; Pin (pin 2); replicate 0 is the draw (step 2).",
            "From 2020Q4 to 2025, 2020–2025.", "60 % of trade (`world.usd_invoicing`)",
            "Hangzhou has 4 candidate parks (`population.parks`)", "`dtsim seed=3 scale=0.02`",
            f"(`firm.talent_elasticity`, {OmegaConf.select(load_config(), 'firm.talent_elasticity'):.2g} in the "
            "calibration against 0.8 with `calibration=none`)",  # the default calibration's value, whichever it is
            "USD 100 bn (`targets.t1_digital_trade_usd`)", "<!-- seed_0:begin -->\n| x | 136.9 |\n<!-- seed_0:end -->",
            "the median and its 5–95 % band, with its 95 % interval"]
    for sample in fine:
        assert not stray_figures(f"Some text.\n{sample}\n", configs), sample


def test_write_docs_replaces_only_the_blocks(tmp_path):
    copy = tmp_path / "workshop.md"
    shutil.copyfile(GUIDE, copy)
    before = copy.read_text(encoding="utf-8")
    exercises.write_docs({"exercise_2": "| new | table |\n|---|---|"}, copy)
    after = copy.read_text(encoding="utf-8")
    assert blocks(after)["exercise_2"] == "| new | table |\n|---|---|"
    assert BLOCK.sub("", after) == BLOCK.sub("", before)  # the prose and the markers untouched
    assert {k: v for k, v in blocks(after).items() if k != "exercise_2"} == \
        {k: v for k, v in blocks(before).items() if k != "exercise_2"}
    with pytest.raises(SystemExit, match="no markers for block"):
        exercises.write_docs({"exercise_9": "x"}, copy)


@pytest.mark.slow
def test_the_blocks_are_what_the_exercises_make_today():
    """Re-run the exercises with the seeds and scale the guide's blocks state; regenerate if this fails."""
    stored = blocks(GUIDE.read_text(encoding="utf-8"))
    seeds, scale = re.search(r"--seeds ([\d ]+) --scale ([\d.]+)", stored["workshop_runs"]).groups()
    made = exercises.blocks([int(s) for s in seeds.split()], float(scale))
    for name in NAMES:
        assert stored[name] == made[name].rstrip("\n"), (
            f"block {name} of docs/workshop.md is stale: run .venv/bin/python -m experiments.workshop.exercises "
            f"--seeds {seeds} --scale {scale} --write-docs and re-read the prose around it")
