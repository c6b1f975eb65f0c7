"""Observed Zhejiang figures (data/zhejiang_observed.csv): load, validate, look up, compare without chaining.

Each row is one published figure with its unit, the statistical definition it was published under and, where the
source gives it, the year-on-year growth under that same definition. Figures of different definitions are never
chained: `same_definition_growth` refuses, naming both rows. Any malformed row stops loading with one line naming
the file, the row (as numbered in a spreadsheet, header = 1) and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "zhejiang_observed.csv"
COLUMNS = ("year", "period", "metric", "value", "unit", "definition", "yoy_pct", "note", "source_url",
           "source_title")
UNITS = {"100m_CNY": 1e8, "firms": 1.0, "stores": 1.0, "stations": 1.0, "index_points": 1.0}  # -> CNY, counts
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PERIOD = re.compile(r"^(FY|end|H1|Jan-(?:%s)|(?:%s))$" % ("|".join(MONTHS[1:]), "|".join(MONTHS)))
# The unit each known metric is published in: a figure in another unit is a data-entry error.
METRIC_UNITS = {
    "digital_trade_total": "100m_CNY", "digitally_deliverable_services_trade": "100m_CNY",
    "cbec_trade": "100m_CNY", "cbec_exports": "100m_CNY", "cbec_trade_customs_platforms": "100m_CNY",
    "cbec_exports_customs_platforms": "100m_CNY", "cbec_retail_trade": "100m_CNY", "cbec_retail_exports": "100m_CNY",
    "cbec_retail_imports": "100m_CNY", "goods_trade_total": "100m_CNY", "goods_trade_eu": "100m_CNY",
    "goods_trade_us": "100m_CNY", "goods_trade_asean": "100m_CNY", "digital_economy_core_value_added": "100m_CNY",
    "cbec_active_online_stores": "stores", "base_stations_5g": "stations", "enterprises_on_cloud": "firms",
    "firms_with_actual_trade": "firms", "digital_trade_index": "index_points",
}
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
YEARS = (2010, 2035)


class DataError(ValueError):
    """A malformed observed-data file or a forbidden comparison; the message is one line."""


@dataclass(frozen=True)
class Observation:
    year: int
    period: str
    metric: str
    value: float          # in `unit`
    unit: str
    definition: str
    yoy_pct: float | None  # growth on the same period a year earlier, same definition
    note: str
    source_url: str
    source_title: str
    row: int               # line in the file (header = 1)

    @property
    def si_value(self) -> float:
        """The value in CNY (money) or in units (counts)."""
        return self.value * UNITS[self.unit]

    @property
    def months(self) -> int | None:
        """Months covered by a flow period (FY 12, H1 6, Jan-Sep 9); None for a point in time."""
        if self.period == "FY":
            return 12
        if self.period == "H1":
            return 6
        if self.period.startswith("Jan-"):
            return MONTHS.index(self.period[4:]) + 1
        return None

    def label(self) -> str:
        return f"{self.metric} {self.year} {self.period}"


def _parse_row(raw: dict, line: int, where: str) -> Observation:
    def bad(col: str, why: str) -> DataError:
        return DataError(f"{where}: row {line}, column '{col}': {why} (got {raw.get(col)!r})")

    try:
        year = int(raw["year"])
    except ValueError:
        raise bad("year", "not an integer year") from None
    if not YEARS[0] <= year <= YEARS[1]:
        raise bad("year", f"outside {YEARS[0]}-{YEARS[1]}")
    if not PERIOD.match(raw["period"]):
        raise bad("period", "not FY, H1, end, a month (Apr) or Jan-<month> (Jan-Sep)")
    for col in ("metric", "definition"):
        if not NAME.match(raw[col]):
            raise bad(col, "not a lower_snake_case name")
    try:
        value = float(raw["value"])
    except ValueError:
        raise bad("value", "not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise bad("value", "must be a positive finite number")
    if raw["unit"] not in UNITS:
        raise bad("unit", f"unknown unit; allowed: {', '.join(UNITS)}")
    if raw["metric"] not in METRIC_UNITS:
        raise bad("metric", f"unknown metric; known: {', '.join(sorted(METRIC_UNITS))}")
    if raw["unit"] != METRIC_UNITS[raw["metric"]]:
        raise bad("unit", f"{raw['metric']} is measured in {METRIC_UNITS[raw['metric']]}")
    yoy = None
    if raw["yoy_pct"].strip():
        try:
            yoy = float(raw["yoy_pct"])
        except ValueError:
            raise bad("yoy_pct", "not a number") from None
        if not math.isfinite(yoy) or yoy <= -100:
            raise bad("yoy_pct", "must be a finite growth above -100 %")
    for col in ("source_url", "source_title"):
        if not raw[col].strip():
            raise bad(col, "every figure needs its source")
    return Observation(year, raw["period"], raw["metric"], value, raw["unit"], raw["definition"], yoy,
                       raw["note"], raw["source_url"], raw["source_title"], line)


def _records(path: Path, where: str):
    """(row number as a spreadsheet shows it, header = 1; fields) of each non-blank record of a CSV file; a file
    that is not UTF-8 text (an Excel byte-order mark is fine) or not CSV raises DataError naming the row."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1
        raise DataError(f"{where}: row {row}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                        "save the file as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    row = 0
    while True:
        row += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"{where}: row {row}: not valid CSV ({' '.join(str(exc).split())})") from None
        if fields and any(f.strip() for f in fields):
            yield row, fields


def load_observed(path: str | Path = DATA_FILE) -> dict[tuple[int, str, str], Observation]:
    """All rows keyed by (year, period, metric); raises DataError (one line) on the first malformed row."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise DataError(f"{where}: observed-data file not found")
    records = _records(path, where)
    first = next(records, None)
    header = tuple(first[1]) if first is not None and first[0] == 1 else ()
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    doubled = [c for c in COLUMNS if header.count(c) > 1]
    if missing or extra or doubled:
        what = (f"missing column '{missing[0]}'" if missing else f"unknown column {extra[0]!r}" if extra
                else f"column '{doubled[0]}' appears twice")
        raise DataError(f"{where}: row 1 (header): {what}; expected {', '.join(COLUMNS)}")
    rows: dict[tuple[int, str, str], Observation] = {}
    for line, fields in records:
        if len(fields) != len(header):
            raise DataError(f"{where}: row {line}: expected {len(COLUMNS)} fields, got {len(fields)}")
        obs = _parse_row(dict(zip(header, fields)), line, where)
        key = (obs.year, obs.period, obs.metric)
        if key in rows:
            raise DataError(f"{where}: row {line}, column 'metric': duplicate of row {rows[key].row} "
                            f"({obs.label()})")
        rows[key] = obs
    if not rows:
        raise DataError(f"{where}: no data rows")
    return rows


def same_definition_growth(later: Observation, earlier: Observation) -> float:
    """Growth later/earlier - 1, only between figures of one definition, unit and period length."""
    if later.definition != earlier.definition:
        raise DataError(f"cannot chain {earlier.label()} (definition {earlier.definition}, row {earlier.row}) "
                        f"with {later.label()} (definition {later.definition}, row {later.row}): "
                        "different definitions; compare published growth rates instead")
    if later.unit != earlier.unit or later.months != earlier.months:
        raise DataError(f"cannot compare {earlier.label()} with {later.label()}: different unit or period")
    return later.value / earlier.value - 1.0


def implied_previous(obs: Observation) -> float:
    """The same period a year earlier under the same definition, from the published growth (in `unit`)."""
    if obs.yoy_pct is None:
        raise DataError(f"{obs.label()} (row {obs.row}) has no published year-on-year growth")
    return obs.value / (1.0 + obs.yoy_pct / 100.0)
