"""Rebuild emission_factors_egrid.csv (and grid_gross_loss_egrid.csv) from EPA's eGRID2019-2023 subregion
total-output rates (and grid gross loss).

Run: python reference_data/extract_egrid_output_rates.py reference_data/sources/egrid_subregion_output_rates_2019_2023.csv
The source file ships in reference_data/sources/ with EPA's MIT licence (see reference_data/SOURCES.md): one row per
edition and subregion, one column per gas (CO2; CO2e from eGRID2021 on, blank before). Each edition becomes its own
factor set (``egrid2021``), one row per published gas; a blank cell is a rate EPA did not publish, so no row.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "emission_factors_egrid.csv"
GRID_LOSS_OUTPUT = HERE / "grid_gross_loss_egrid.csv"
GRID_LOSS_COLUMNS = ["factor_set", "region", "grid_gross_loss", "source_document", "source_table", "source_year", "data_year"]
# EPA GHG Emission Factors Hub 2021's electricity factors (its Table 6) are eGRID2019's: its inventory years take
# eGRID2019's grid gross loss, said so in the row.
HUB_2021 = ("epa_ghg_hub_2021", "eGRID2019")
COLUMNS = ["factor_set", "activity", "region", "rate_basis", "gas", "value", "unit", "sector", "source_document", "source_table", "source_year", "data_year"]
GAS_COLUMNS = {"co2_lb_per_mwh": "CO2", "co2e_lb_per_mwh": "CO2e"}
# The Power Profiler file calls the US average "National"; the Hub 2021 factors (and so the project) call it "US".
REGION_NAMES = {"National": "US"}
DOCUMENT = "US EPA, Emissions & Generation Resource Integrated Database ({edition}), subregion total output emission rates, as loaded in EPA's Power Profiler"


def extract(source: Path) -> list[dict[str, str]]:
    """The factor rows the project ships, in a stable order (a record listed twice gives its rows once)."""
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    with source.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            edition = record["egrid_edition"]
            for column, gas in GAS_COLUMNS.items():
                value = record[column].strip()
                if not value:
                    continue
                row = {
                    "factor_set": edition.lower(),
                    "activity": "electricity",
                    "region": REGION_NAMES.get(record["subregion"], record["subregion"]),
                    "rate_basis": "total_output",
                    "gas": gas,
                    "value": value,
                    "unit": "lb/MWh",
                    "sector": "I.x.2 grid-supplied energy (scope 2)",
                    "source_document": DOCUMENT.format(edition=edition),
                    "source_table": f"{record['source_repo']} {record['source_path']} at commit {record['source_commit']}, field {column}",
                    # eGRID editions are named by their data year; the edition is the document, so its year is the source year.
                    "source_year": edition.removeprefix("eGRID"),
                    "data_year": record["data_year"],
                }
                key = tuple(row[k] for k in ("factor_set", "activity", "region", "rate_basis", "gas"))
                if key in rows and rows[key] != row:
                    raise ValueError(f"{source}: {edition} {record['subregion']} {gas} is given twice with different values")
                rows[key] = row  # eGRID2019 lists PRMS twice, identically: one factor
    return sorted(rows.values(), key=lambda r: (r["factor_set"], r["region"], r["gas"]))


def write(rows: list[dict[str, str]], target: Path = OUTPUT) -> None:
    """Write the rows as the shipped CSV (LF line endings, the contract's column order)."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def extract_grid_loss(source: Path) -> list[dict[str, str]]:
    """The grid gross loss rows the project ships (a fraction of net generation lost in transmission and
    distribution, per edition and subregion), in a stable order; the Hub 2021 set gets eGRID2019's."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    with source.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            edition, value = record["egrid_edition"], record["grid_loss"].strip()
            if not value:
                continue
            region = REGION_NAMES.get(record["subregion"], record["subregion"])
            aliases = [(edition.lower(), "")] + ([(HUB_2021[0], "; applied to EPA GHG Emission Factors Hub 2021, whose electricity factors (Table 6) are eGRID2019's")]
                                                 if edition == HUB_2021[1] else [])
            for factor_set, note in aliases:
                row = {
                    "factor_set": factor_set,
                    "region": region,
                    "grid_gross_loss": value,
                    "source_document": DOCUMENT.format(edition=edition).replace("total output emission rates", "grid gross loss"),
                    "source_table": f"{record['source_repo']} {record['source_path']} at commit {record['source_commit']}, field grid_loss{note}",
                    "source_year": edition.removeprefix("eGRID"),
                    "data_year": record["data_year"],
                }
                if (factor_set, region) in rows and rows[(factor_set, region)] != row:
                    raise ValueError(f"{source}: {edition} {record['subregion']} grid loss is given twice with different values")
                rows[(factor_set, region)] = row
    return sorted(rows.values(), key=lambda r: (r["factor_set"], r["region"]))


def write_grid_loss(rows: list[dict[str, str]], target: Path = GRID_LOSS_OUTPUT) -> None:
    """Write the grid gross loss rows as the shipped CSV (LF line endings)."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=GRID_LOSS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write(extract(Path(sys.argv[1])))
    write_grid_loss(extract_grid_loss(Path(sys.argv[1])))
