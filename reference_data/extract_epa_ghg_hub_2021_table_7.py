"""Extract Table 7 (Steam and Heat: CO2, CH4 and N2O per mmBtu of steam or heat purchased) from EPA's GHG Emission Factors Hub 2021.

Run: python reference_data/extract_epa_ghg_hub_2021_table_7.py ghg-emission-factors-hub-2021.xlsx
It writes reference_data/sources/ghg-emission-factors-hub-2021_table_7.csv, in the columns of the
Tables 1-4 and 6 extract beside it (table, category, fuel_or_subregion, field, value, unit), values as
stored in the workbook's cells, plus the table's note (which says what the factors assume). The workbook
is the one in ../shared/realdata/epa_ghg_ef_hub_2021/ (see reference_data/SOURCES.md); the buildings'
default factors for purchased district steam and hot water come from this table.
"""

from __future__ import annotations

import csv
import sys
import warnings
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "sources" / "ghg-emission-factors-hub-2021_table_7.csv"
TABLE = "Table 7 Steam and Heat"
COLUMNS = ["table", "category", "fuel_or_subregion", "field", "value", "unit"]
# The workbook's column of each factor, the header it must carry, and the field and unit written for it.
FIELDS = {
    "D": ("CO2 Factor", "kg / mmBtu", "co2_factor", "kg CO2 per mmBtu"),
    "E": ("CH4 Factor", "g / mmBtu", "ch4_factor", "g CH4 per mmBtu"),
    "F": ("N2O Factor", "g / mmBtu", "n2o_factor", "g N2O per mmBtu"),
}


def extract(workbook: Path) -> list[dict[str, str]]:
    """Table 7's rows: one per gas of its one line (Steam and Heat), then its note."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the workbook's header/footer and an extension
        sheet = openpyxl.load_workbook(workbook, data_only=True, read_only=True).active
        cells = [{c.column_letter: c.value for c in row if getattr(c, "column_letter", None) and c.value is not None} for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(cells) if row.get("B") == "Table 7")
    if str(cells[start].get("C", "")).strip() != "Steam and Heat":
        raise ValueError(f"{workbook}: Table 7 is not 'Steam and Heat': {cells[start]}")
    header = next(i for i in range(start, start + 5) if "D" in cells[i])
    # The header must be the one this script was written against: a changed layout stops here.
    for column, (name, unit, _, _) in FIELDS.items():
        text = " ".join(str(cells[header].get(column, "")).split())
        if not (text.startswith(name) and unit in text):
            raise ValueError(f"{workbook}: Table 7 column {column} is not '{name} ({unit})': {cells[header]}")
    line, note = cells[header + 1], cells[header + 2].get("C", "")
    if str(line.get("C", "")).strip() != "Steam and Heat" or not str(note).startswith("Note:"):
        raise ValueError(f"{workbook}: Table 7 is not one 'Steam and Heat' line and its note: {line}, {note!r}")
    rows = [
        {"table": TABLE, "category": "Steam and Heat", "fuel_or_subregion": "Steam and Heat", "field": field, "value": _number(line[column]), "unit": unit}
        for column, (_, _, field, unit) in FIELDS.items()
    ]
    rows.append({"table": TABLE, "category": "Steam and Heat", "fuel_or_subregion": "Steam and Heat", "field": "note", "value": " ".join(str(note).split()), "unit": ""})
    return rows


def _number(value: object) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def write(rows: list[dict[str, str]], target: Path = OUTPUT) -> None:
    """Write the rows as CSV, LF line ends."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write(extract(Path(sys.argv[1])))
