"""Spreadsheet feeds (``format: xlsx``): one sheet below its title rows, typed cells as text, bad workbooks set aside whole.

Real data: the City of Grants Pass's Avista "Billing History with Usage" workbook (title rows, merged
title cells, one table per premise; tests/fixtures/xlsx/SOURCES.md) and EPA's GHG Emission Factors
Hub 2021 workbook (in ../shared/realdata). Planted workbooks are written here with openpyxl.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from city_outcomes import warehouse
from city_outcomes.config import FeedConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.privacy import WITHHELD_LINE
from city_outcomes.feeds.reconcile import reconciliation_failures
from city_outcomes.feeds.xlsx_source import cell_text
from tests.conftest import REALDATA, write_city

AVISTA = Path(__file__).parent / "fixtures" / "xlsx" / "avista_usage_2022.xlsx"
EPA_HUB = REALDATA / "epa_ghg_ef_hub_2021" / "ghg-emission-factors-hub-2021.xlsx"
HEADER = ["Facility", "Month", "Commodity", "Usage", "UOM", "Cost"]
ENERGY = {
    "contract": "building_energy",
    "path": "energy/*.xlsx",
    "format": "xlsx",
    "columns": {"building_id": "Facility", "period_month": "Month", "energy_type": "Commodity", "quantity": "Usage", "unit": "UOM", "cost_usd": "Cost"},
    "values": {"energy_type": {"Electric": "electricity", "Gas": "natural_gas"}, "unit": {"KWH": "kWh", "THERMS": "therm"}},
}


def _ingest(tmp_path: Path, files: dict[str, bytes | Path], feed: dict | None = None, name: str = "building_energy", **city):
    city = write_city(tmp_path, feeds={name: feed or ENERGY}, **city)
    for file, content in files.items():
        target = city.inbox_dir / city.feeds[name].path.split("/")[0] / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, name)
    assert reconciliation_failures(conn, name) == []
    assert all(f.reconciles for f in outcome.files)
    return outcome, conn


def _workbook(tmp_path: Path, rows: list[list], title: str | None = "Utility bills, FY2024", sheet: str = "Bills", merge: bool = True) -> Path:
    """A workbook like a department's: a merged title row and a blank row above the header, unless ``title`` is None."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title is not None:
        ws.append([title])
        if merge:
            ws.merge_cells("A1:F1")
        ws.append([])
    for row in [HEADER, *rows]:
        ws.append(row)
    path = tmp_path / f"{sheet}.xlsx"
    book.save(path)
    return path


GOOD = [
    ["City Hall", date(2024, 1, 1), "Electric", 12.0, "KWH", 0.1 + 0.2],
    ["Library", datetime(2024, 2, 1), "Gas", 3.603, "THERMS", 1234.5],
]


def test_typed_cells_become_the_text_the_contracts_casts_read() -> None:
    assert [cell_text(v) for v in (12.0, 0.1, 0.1 + 0.2, 3596.2599999999998, 1e-7, -0.0, 7, True, "", None)] == [
        "12", "0.1", "0.3", "3596.26", "1e-07", "0", "7", "true", None, None,
    ]
    assert cell_text(datetime(2022, 1, 7), "mmm\\ d\\,\\ yyyy") == "2022-01-07"
    # Excel stores times as fractions of a day; a cell that shows seconds is read to the second.
    assert cell_text(datetime(2021, 12, 6, 8, 40, 45, 999000), "mmm\\ d\\,\\ yyyy\\ h:mm:ss\\ AM/PM") == "2021-12-06 08:40:46"
    assert cell_text(datetime(2024, 3, 1, 0, 0), "yyyy-mm-dd hh:mm") == "2024-03-01 00:00:00"
    assert cell_text(datetime(2024, 3, 1, 9, 5, 1, 250000), "hh:mm:ss.000") == "2024-03-01 09:05:01.250"
    assert cell_text(timedelta(hours=838, minutes=59, seconds=59), "[h]:mm:ss") == "838:59:59"


def test_a_sheet_below_a_merged_title_row_is_read_from_its_header_row(tmp_path: Path) -> None:
    outcome, conn = _ingest(tmp_path, {"bills.xlsx": _workbook(tmp_path, GOOD)}, {**ENERGY, "sheet": "Bills", "header_row": 3})
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (2, 2, 0)
    rows = conn.execute("SELECT building_id, period_month, energy_type, quantity, unit, cost_usd, _source_row FROM core.building_energy ORDER BY 7").fetchall()
    assert rows == [
        ("City Hall", date(2024, 1, 1), "electricity", 12.0, "kWh", 0.3, 1),
        ("Library", date(2024, 2, 1), "natural_gas", 3.603, "therm", 1234.5, 2),
    ]


def test_the_default_header_row_on_a_merged_title_says_which_row_holds_the_columns(tmp_path: Path) -> None:
    outcome, _ = _ingest(tmp_path, {"bills.xlsx": _workbook(tmp_path, GOOD)})
    error = outcome.files[0].file_error
    assert "required column(s) missing: " in error and "'Facility' (for building_id)" in error
    assert error.endswith("the feed's column names are on row 3 (6 of 6 found there): set `header_row: 3`")
    # The rows below row 1 are its records: the blank row, the header and the two bills (withheld).
    assert (outcome.files[0].rows_read, outcome.files[0].rows_quarantined) == (4, 4)


def test_record_numbers_are_rows_below_the_header_and_the_quarantine_shows_them(tmp_path: Path) -> None:
    """Record N is spreadsheet row header_row + N: a blank row in the table is a record (quarantined),
    so the row the quarantine names is the row people find in Excel."""
    rows = [GOOD[0], [], ["Library", date(2024, 2, 1), "Gas", -5, "THERMS", 10]]
    outcome, conn = _ingest(tmp_path, {"bills.xlsx": _workbook(tmp_path, rows)}, {**ENERGY, "header_row": 3})
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (3, 1, 2)
    quarantined = conn.execute("SELECT source_row, failed_rules, raw_values->>'Usage' FROM meta.quarantine ORDER BY 1").fetchall()
    assert quarantined[1] == (3, ["quantity: greater_than_or_equal_to(0)"], "-5")  # spreadsheet row 6
    assert quarantined[0][0] == 2 and "building_id: not_nullable" in quarantined[0][1]  # the blank row 5
    assert conn.execute("SELECT _source_row FROM core.building_energy").fetchall() == [(1,)]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"sheet": "Usage"}, "has no sheet 'Usage'; its sheets are 'Bills': set `sheet:` to one of them"),
        ({"sheet": "bills"}, "has no sheet 'bills' (did you mean 'Bills'? sheet names are matched exactly); its sheets are 'Bills': set `sheet:` to one of them"),
        ({"header_row": 40}, "header_row 40 is below the last row of sheet 'Bills' that holds a value (row 5): set `header_row:` to the row that holds the column "
         "names; the feed's column names are on row 3 (6 of 6 found there): set `header_row: 3`"),
        ({"header_row": 2}, "header row 2 of sheet 'Bills' is empty: set `header_row:` to the row that holds the column names; the feed's column names are on "
         "row 3 (6 of 6 found there): set `header_row: 3`"),
    ],
)
def test_a_wrong_sheet_or_header_row_says_which_setting_reads_it(tmp_path: Path, settings: dict, problem: str) -> None:
    outcome, _ = _ingest(tmp_path, {"bills.xlsx": _workbook(tmp_path, GOOD)}, {**ENERGY, **settings})
    assert outcome.files[0].file_error.endswith(problem)
    file = outcome.files[0]
    assert file.rows_read == file.rows_quarantined  # whatever could be counted is quarantined, nothing is lost


def test_an_empty_workbook_a_header_only_sheet_and_a_repeated_column_are_set_aside(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    outcome, _ = _ingest(tmp_path, {"a_empty.xlsx": empty, "b_header.xlsx": _workbook(tmp_path, [], title=None)})
    assert outcome.files[0].file_error.endswith("sheet 'Sheet' is empty: no cell holds a value")
    assert outcome.files[1].file_error.endswith("no data rows: sheet 'Bills' has its header row (1) and nothing below it")
    assert [(f.rows_read, f.rows_quarantined) for f in outcome.files] == [(0, 0), (0, 0)]
    book = Workbook()
    book.active.append([*HEADER, "Usage"])
    book.active.append(["City Hall", date(2024, 1, 1), "Electric", 1, "KWH", 1, 2])
    twice = tmp_path / "twice.xlsx"
    book.save(twice)
    other = tmp_path / "other"
    other.mkdir()
    outcome, _ = _ingest(other, {"twice.xlsx": twice})
    assert "column 'Usage' appears twice in header row 1 of sheet 'Sheet' (columns D and G)" in outcome.files[0].file_error


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "is an Excel 97-2003 .xls workbook (or another OLE2 file), not .xlsx: open it in Excel and save it as .xlsx"),
        (b"Facility,Month\nCity Hall,2024-01-01\n", "is not an Excel .xlsx workbook (an .xlsx file is a ZIP archive; this one is not): a CSV export needs `format: csv`"),
    ],
)
def test_a_file_that_is_not_an_xlsx_workbook_says_what_it_is_and_is_not_read_as_lines(tmp_path: Path, content: bytes, problem: str) -> None:
    outcome, conn = _ingest(tmp_path, {"bills.xlsx": content})
    assert outcome.files[0].file_error.endswith(problem)
    assert (outcome.files[0].rows_read, outcome.files[0].rows_quarantined) == (0, 0)
    assert conn.execute("SELECT count(*) FROM meta.quarantine").fetchone() == (0,)


def test_an_unreadable_sheets_records_are_withheld_for_a_personal_feed_and_shown_when_declared_non_personal(tmp_path: Path) -> None:
    feed = {**ENERGY, "header_row": 3, "columns": {**ENERGY["columns"], "building_id": "Facility #"}}
    outcome, conn = _ingest(tmp_path, {"bills.xlsx": _workbook(tmp_path, GOOD)}, feed)
    assert (outcome.files[0].rows_read, outcome.files[0].rows_quarantined) == (2, 2)
    assert {line for (line,) in conn.execute("SELECT raw_values->>'line' FROM meta.quarantine").fetchall()} == {WITHHELD_LINE}
    other = tmp_path / "other"
    other.mkdir()
    outcome, conn = _ingest(other, {"bills.xlsx": _workbook(other, GOOD)}, {**feed, "non_personal_columns": ["*"]})
    lines = conn.execute("SELECT source_row, raw_values->>'line' FROM meta.quarantine ORDER BY 1").fetchall()
    assert lines == [(1, "City Hall\t2024-01-01\tElectric\t12\tKWH\t0.3"), (2, "Library\t2024-02-01 00:00:00\tGas\t3.603\tTHERMS\t1234.5")]
    # (openpyxl gave the datetime cell a format with hours, so its midnight is shown; the date cell has none)


def test_the_real_avista_workbook_is_read_below_its_title_rows_as_typed_text(tmp_path: Path) -> None:
    """Grants Pass's Avista bills: rows 1-9 are one merged logo cell, row 10-15 the report's titles,
    row 19 the first premise's header, rows 20-31 its twelve 2022 bills (values read in Excel)."""
    feed = {
        **ENERGY, "sheet": "Page1", "header_row": 19, "last_row": 31, "non_personal_columns": ["*"],
        "columns": {"period_month": "Bill Date", "quantity": "Therms", "cost_usd": "Current Amount"},
        "constants": {"building_id": "000 INDEPENDENCE DR", "energy_type": "natural_gas", "unit": "therm"},
    }
    outcome, conn = _ingest(tmp_path, {"avista_usage_2022.xlsx": AVISTA}, feed, first_month="2022-01-01")
    # Avista dates its bills on the day they are issued (7 January...), not on the first of a month:
    # every bill breaks the monthly contract, and the quarantine names each by its record number.
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (12, 0, 12)
    rows = conn.execute(
        "SELECT source_row, failed_rules, raw_values->>'Bill Date', raw_values->>'Therms', raw_values->>'Current Amount', raw_values->>'Start Read Date' "
        "FROM meta.quarantine ORDER BY 1"
    ).fetchall()
    assert rows[0] == (1, ["period_month: must be the first day of a month"], "2022-01-07", "0", "17.34", "2021-12-06 08:40:46")
    assert rows[2][2:5] == ("2022-03-11", "3.603", "21.53")  # spreadsheet row 22
    assert [r[0] for r in rows] == list(range(1, 13))


@pytest.mark.skipif(not EPA_HUB.is_file(), reason=f"EPA's workbook is in the shared real data samples ({EPA_HUB}), which are absent")
def test_epas_real_workbook_table_is_read_between_its_title_and_its_notes(tmp_path: Path) -> None:
    feed = {
        "contract": "global_warming_potentials", "path": "hub/*.xlsx", "format": "xlsx", "sheet": "Emission Factors Hub",
        "header_row": 485, "last_row": 488, "columns": {"gas": "Gas", "gwp_100yr": "100-Year GWP"},
        "constants": {"gwp_set": "AR4", "source_document": "EPA GHG Emission Factors Hub 2021, Table 11", "source_year": "2007"},
    }
    outcome, conn = _ingest(tmp_path, {"hub.xlsx": EPA_HUB}, feed, name="global_warming_potentials")
    assert (outcome.rows_read, outcome.rows_written) == (3, 3)
    # IPCC AR4 100-year GWPs (WG1 Table 2.14): CO2 1, CH4 25, N2O 298.
    assert conn.execute("SELECT gas, gwp_100yr FROM core.global_warming_potentials ORDER BY _source_row").fetchall() == [("CO2", 1), ("CH4", 25), ("N2O", 298)]


def test_spreadsheet_keys_belong_to_xlsx_feeds_and_last_row_below_the_header() -> None:
    with pytest.raises(ValueError, match=r"`sheet` is only for `format: xlsx` \(this feed's format is csv\)"):
        FeedConfig(contract="building_energy", path="x", sheet="Bills")
    with pytest.raises(ValueError, match=r"`namespaces` is only for `format: xml`"):
        FeedConfig(contract="building_energy", path="x", format="xlsx", namespaces={"o": "urn:x"})
    with pytest.raises(ValueError, match=r"last_row \(3\) must be below header_row \(3\)"):
        FeedConfig(contract="building_energy", path="x", format="xlsx", header_row=3, last_row=3)
