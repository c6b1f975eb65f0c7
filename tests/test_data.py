"""The observed-data file loads and validates; a malformed file fails with one line naming file, row, column."""

from __future__ import annotations

import csv
import shutil

import pytest

from model.data import (DATA_FILE, COLUMNS, DataError, implied_previous, load_observed,
                        same_definition_growth)


def test_project_data_file_loads_with_sources():
    rows = load_observed()
    dt2020 = rows[(2020, "FY", "digital_trade_total")]
    assert dt2020.value == 4334 and dt2020.unit == "100m_CNY" and dt2020.yoy_pct == 20
    assert dt2020.si_value == pytest.approx(4.334e11)
    assert all(r.source_url and r.source_title for r in rows.values())
    assert rows[(2021, "Jan-Sep", "cbec_trade")].months == 9


def test_2019_and_2020_totals_are_never_chained():
    rows = load_observed()
    narrow, broad = rows[(2019, "FY", "digital_trade_total")], rows[(2020, "FY", "digital_trade_total")]
    with pytest.raises(DataError, match="different definitions"):
        same_definition_growth(broad, narrow)
    # the comparable 2019 base comes from the published growth under the 2020 definition
    assert implied_previous(broad) == pytest.approx(3611.67, abs=0.01)


def test_rows_through_2023_only_and_the_shared_rows_are_all_here():
    """The repo's file is ../shared/data/zhejiang_observed.csv plus `definition` and `yoy_pct` (and rows found later
    with their sources): every shared row is present with the same value, and nothing is from 2024 on."""
    rows = load_observed()
    assert max(r.year for r in rows.values()) <= 2023
    shared = DATA_FILE.parent.parent.parent / "shared" / "data" / "zhejiang_observed.csv"
    if not shared.exists():
        pytest.skip("../shared/data/zhejiang_observed.csv is not beside this checkout")
    with shared.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            ours = rows[(int(r["year"]), r["period"], r["metric"])]
            assert ours.value == pytest.approx(float(r["value"])) and ours.unit == r["unit"], r


def test_the_two_cbec_definitions_are_never_chained():
    """Commerce-department monitoring (several times larger) and the customs-platform count of CBEC."""
    rows = load_observed()
    monitoring = rows[(2023, "Jan-Apr", "cbec_trade")]
    customs = rows[(2023, "Jan-Feb", "cbec_trade_customs_platforms")]
    assert monitoring.definition != customs.definition
    with pytest.raises(DataError, match="different definitions"):
        same_definition_growth(monitoring, rows[(2021, "Jan-Sep", "cbec_trade")])
    assert monitoring.yoy_pct == 23.4 and customs.yoy_pct == 49.7


def test_same_definition_growth_is_allowed():
    rows = load_observed()
    g = same_definition_growth(rows[(2021, "FY", "goods_trade_total")], rows[(2019, "FY", "goods_trade_total")])
    assert g == pytest.approx(41400 / 30800 - 1)


def _write(path, edit):
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = edit(rows) or list(COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def _set(row_index, column, value):
    def edit(rows):
        rows[row_index][column] = value
    return edit


MALFORMED = {
    "year": (_set(2, "year", "20x9"), "row 4, column 'year': not an integer year"),
    "year range": (_set(0, "year", "1999"), "row 2, column 'year': outside"),
    "period": (_set(3, "period", "Q5"), "row 5, column 'period'"),
    "value text": (_set(9, "value", "4,334"), "row 11, column 'value': not a number"),
    "value negative": (_set(9, "value", "-4334"), "row 11, column 'value': must be a positive"),
    "unit": (_set(9, "unit", "bn_USD"), "row 11, column 'unit': unknown unit"),
    "unit for count": (_set(14, "unit", "100m_CNY"),
                       "row 16, column 'unit': firms_with_actual_trade is measured in firms"),
    "metric": (_set(9, "metric", "digital_trade_sum"), "row 11, column 'metric': unknown metric"),
    "growth": (_set(9, "yoy_pct", "twenty"), "row 11, column 'yoy_pct': not a number"),
    "source": (_set(9, "source_url", " "), "row 11, column 'source_url': every figure needs its source"),
    "definition": (_set(9, "definition", "New Def"), "row 11, column 'definition'"),
    "duplicate": (lambda rows: rows.append(dict(rows[9])), "column 'metric': duplicate of row 11"),
    "missing column": (lambda rows: [c for c in COLUMNS if c != "unit"], "row 1 (header): missing column 'unit'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_rejected_with_one_line(case, tmp_path):
    edit, message = MALFORMED[case]
    path = tmp_path / "observed.csv"
    _write(path, edit)
    with pytest.raises(DataError) as err:
        load_observed(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(path)) and message in text, text


def test_missing_file_and_short_row(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_observed(tmp_path / "nope.csv")
    path = tmp_path / "short.csv"
    shutil.copy(DATA_FILE, path)
    lines = len(DATA_FILE.read_text(encoding="utf-8").splitlines())
    with path.open("a", encoding="utf-8") as fh:
        fh.write("2021,FY,x_trade,1\n")
    with pytest.raises(DataError, match=rf"row {lines + 1}: expected 10 fields"):
        load_observed(path)
