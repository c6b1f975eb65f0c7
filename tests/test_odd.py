"""docs/ODD.md lists every parameter of the typed config, and every parameter states its unit and source."""

from pathlib import Path

from model.params import missing_names, parameter_rows

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def test_odd_names_every_parameter():
    missing = missing_names(ODD.read_text(encoding="utf-8"))
    assert not missing, f"docs/ODD.md lacks {len(missing)} parameter(s): {', '.join(missing)}"


def test_every_parameter_has_unit_and_source():
    rows = parameter_rows()
    assert rows
    bad = [r["name"] for r in rows if not str(r["unit"]).strip() or not str(r["source or assumption"]).strip()]
    assert not bad, f"parameters without unit or source: {', '.join(bad)}"


def test_names_are_unique_and_dotted_for_nested_sections():
    names = [r["name"] for r in parameter_rows()]
    assert len(names) == len(set(names))
    assert "policy.fund.annual_budget_cny" in names and "world.covid.goods_multiplier" in names


def test_odd_table_is_the_generated_one():
    """The table in docs/ODD.md matches model/config.py (regenerate: python -m model.params --write docs/ODD.md)."""
    from model.params import replace_table

    text = ODD.read_text(encoding="utf-8")
    assert replace_table(text) == text
