"""Extract Table 5 (mobile CH4 and N2O for non-road vehicles, g per gallon) from EPA's GHG Emission Factors Hub 2021.

Run: python reference_data/extract_epa_ghg_hub_2021_table_5.py ghg-emission-factors-hub-2021.xlsx
It writes reference_data/sources/ghg-emission-factors-hub-2021_table_5.csv, in the columns of the
Tables 1-4 and 6 extract beside it (table, category, fuel_or_subregion, field, value, unit), values as
stored in the workbook's cells. The workbook is the one in ../shared/realdata/epa_ghg_ef_hub_2021/
(see reference_data/SOURCES.md); the fleet metric's per-gallon CH4/N2O default comes from this table.
"""

from __future__ import annotations

import csv
import re
import sys
import warnings
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "sources" / "ghg-emission-factors-hub-2021_table_5.csv"
TABLE = "Table 5 Mobile CH4/N2O Non-Road"
COLUMNS = ["table", "category", "fuel_or_subregion", "field", "value", "unit"]
# The workbook's column headers for the two factors, and the unit each is in.
FIELDS = {"E": ("ch4_factor", "g CH4 per gallon"), "F": ("n2o_factor", "g N2O per gallon")}


def _clean(name: str) -> str:
    # Footnote letters are glued to names ("Agricultural EquipmentA"): a capital after a lower-case
    # letter at the end of a name is a footnote mark, not part of the name.
    return re.sub(r"(?<=[a-z])[A-Z]$", "", name.strip())


def extract(workbook: Path) -> list[dict[str, str]]:
    """Table 5's rows, in the workbook's order: one row per vehicle type, fuel type and gas."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the workbook's header/footer and an extension
        sheet = openpyxl.load_workbook(workbook, data_only=True, read_only=True).active
        cells = [{c.column_letter: c.value for c in row if getattr(c, "column_letter", None) and c.value is not None} for row in sheet.iter_rows()]
    start = next(i for i, row in enumerate(cells) if row.get("B") == "Table 5")
    header = next(i for i in range(start, start + 5) if str(cells[i].get("C", "")).strip() == "Vehicle Type")
    # The header must be the one this script was written against: a changed layout stops here.
    if not (str(cells[header]["E"]).startswith("CH4 Factor") and str(cells[header]["F"]).startswith("N2O Factor") and "g / gallon" in cells[header]["E"]):
        raise ValueError(f"{workbook}: Table 5 header is not 'Vehicle Type, Fuel Type, CH4 Factor (g / gallon), N2O Factor (g / gallon)': {cells[header]}")
    rows: list[dict[str, str]] = []
    vehicle = None
    for row in cells[header + 1:]:
        if "D" not in row:  # the source note below the table ends it
            break
        vehicle = _clean(row["C"]) if "C" in row else vehicle  # a vehicle type is written once, on its first fuel
        for column, (field, unit) in FIELDS.items():
            rows.append({"table": TABLE, "category": vehicle, "fuel_or_subregion": row["D"].strip(), "field": field, "value": _number(row[column]), "unit": unit})
    return rows


def _number(value: object) -> str:
    # Cells hold numbers, except one zero stored as text ('0', aircraft jet fuel CH4).
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
