"""The community inventory as a GPC reporting table, in CSV and XLSX: the shape cities copy into CDP-ICLEI Track and CIRIS.

One line per inventory year, GPC subsector, activity and gas, from ``out.community_inventory``: sector, subsector,
reference number, scope, gas, activity and its unit, emission factor and its source, emissions, notation key and
explanation. Every text cell goes through :func:`city_outcomes.publish.safe_text.csv_cell` in both formats, so a
name or explanation that starts like a formula (``=HYPERLINK(...)``) is shown as text, never run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook

from city_outcomes.config import CityConfig
from city_outcomes.metrics.community import COMMUNITY_INVENTORY_TABLE
from city_outcomes.publish.safe_text import csv_cell
from city_outcomes.warehouse import table_exists

FILE_STEM = "gpc_inventory"
# (column of out.community_inventory, header in the reporting table)
COLUMNS = [
    ("inventory_year", "Inventory year"),
    ("sector", "Sector"),
    ("subsector", "Sub-sector"),
    ("gpc_reference", "GPC reference number"),
    ("scope", "Scope"),
    ("gas", "Gas"),
    ("activity", "Activity"),
    ("activity_value", "Activity data"),
    ("activity_unit", "Activity unit"),
    ("emission_factor", "Emission factor"),
    ("factor_unit", "Emission factor unit"),
    ("factor_source", "Emission factor source"),
    ("emissions_tonnes", "Emissions (t of the gas; t CO2e on CO2e lines)"),
    ("notation_key", "Notation key"),
    ("explanation", "Explanation"),
]


class ExportError(ValueError):
    """An export that cannot be made (no inventory yet, or a year it does not hold); the message says what to do."""


@dataclass
class GpcExport:
    """What an export wrote."""

    files: list[Path] = field(default_factory=list)
    lines: int = 0


def inventory_lines(conn: duckdb.DuckDBPyConnection, year: int | None = None) -> list[tuple[Any, ...]]:
    """The reporting table's lines (values in COLUMNS order), for one inventory year or all of them."""
    if not table_exists(conn, *COMMUNITY_INVENTORY_TABLE.split(".")):
        raise ExportError(f"no community inventory yet ({COMMUNITY_INVENTORY_TABLE} does not exist): run `city-outcomes run` first")
    years = [row[0] for row in conn.execute(f"SELECT DISTINCT inventory_year FROM {COMMUNITY_INVENTORY_TABLE} ORDER BY 1").fetchall()]
    if year is not None and year not in years:
        raise ExportError(f"the community inventory has no year {year}; its years are: {', '.join(map(str, years)) or 'none (no community feed has rows)'}")
    selected = ", ".join(name for name, _ in COLUMNS)
    # The table's own order (community_inventory.sql: year, the GPC's order of subsectors, activity, gas).
    return conn.execute(
        f"SELECT {selected} FROM (SELECT *, row_number() OVER () AS _line FROM {COMMUNITY_INVENTORY_TABLE}) "
        "WHERE CAST(? AS INTEGER) IS NULL OR inventory_year = ? ORDER BY _line",
        [year, year],
    ).fetchall()


def _safe(value: Any) -> Any:
    if isinstance(value, float):
        # Sums and quotients carry binary noise (1384300.0000000002): 12 significant digits are far beyond any input's.
        return float(f"{value:.12g}")
    return csv_cell(value) if isinstance(value, str) else value


def write_gpc_export(conn: duckdb.DuckDBPyConnection, city: CityConfig, out_dir: Path, year: int | None = None) -> GpcExport:
    """Write ``gpc_inventory[_YEAR].csv`` and ``.xlsx`` into ``out_dir``; return the files and the number of lines."""
    lines = [tuple(_safe(value) for value in line) for line in inventory_lines(conn, year)]
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = FILE_STEM if year is None else f"{FILE_STEM}_{year}"
    headers = [header for _, header in COLUMNS]

    csv_path = out_dir / f"{stem}.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(["" if value is None else value for value in line] for line in lines)

    xlsx_path = out_dir / f"{stem}.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "GPC inventory"
    sheet.append(headers)
    for line in lines:
        sheet.append(list(line))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl reads any string starting with "=" as a formula; a text cell is always stored as text.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    for label, value in (
        ("City", city.city.name),
        ("Protocol", "GPC 1.1 (WRI, C40, ICLEI 2021), BASIC subsectors"),
        ("GWP set", city.city.gwp_set),
        ("Notation keys", "NO not occurring; NE not estimated; IE included elsewhere; C confidential"),
        ("Made by", "city-outcomes export gpc (out.community_inventory)"),
    ):
        about.append([label, _safe(value)])
        about.cell(about.max_row, 2).data_type = "s"
    book.save(xlsx_path)
    return GpcExport(files=[csv_path, xlsx_path], lines=len(lines))
