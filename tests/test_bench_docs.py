"""The README's performance tables are rendered from stored benchmark results: each block names its result's time,
and rendering that stored result again gives the block (no figure typed by hand)."""

from __future__ import annotations

import pytest

from experiments import bench, bench_docs

TEXT = bench_docs.README.read_text(encoding="utf-8")


def block(name: str) -> str:
    return TEXT.split(f"<!-- {name}:begin -->\n")[1].split(f"\n<!-- {name}:end -->")[0]


@pytest.mark.parametrize("name, path, render", [
    ("bench", bench_docs.RESULTS, lambda r: bench_docs.bench_block(r, bench.GOALS)),
    ("bench-versus", bench_docs.VERSUS, bench_docs.versus_block),
])
def test_readme_performance_block_is_its_stored_result(name, path, render):
    r = bench_docs.stored(path, bench_docs.block_date(name, TEXT))
    assert block(name) == render(r)


def test_an_unknown_time_is_named():
    with pytest.raises(KeyError, match="results.jsonl: no result made at 1999"):
        bench_docs.stored(bench_docs.RESULTS, "1999")
