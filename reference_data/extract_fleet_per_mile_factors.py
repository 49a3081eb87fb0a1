"""Build fleet_per_mile_factors.csv: on-road CH4 and N2O per vehicle-mile by vehicle class, fuel and model year.

Run: python reference_data/extract_fleet_per_mile_factors.py
It reads the shipped extract of EPA's GHG Emission Factors Hub 2021 (sources/ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv:
Table 3, on-road gasoline; Table 4, on-road diesel) and writes one row per class, fuel, model-year range and gas, the
Hub's values as they are. The fleet metric uses them where the fleet inventory (the fleet_vehicles contract) gives a
vehicle's class and model year and its odometer gives the miles (city_outcomes/sql/fleet_per_mile_factors.sql).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "sources" / "ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv"
OUTPUT = HERE / "fleet_per_mile_factors.csv"
COLUMNS = ["factor_set", "vehicle_class", "fuel", "model_year_from", "model_year_to", "gas", "value", "unit",
           "source_document", "source_table", "source_year", "data_year"]
DOCUMENT = ("US EPA Center for Corporate Climate Leadership, Emission Factors for Greenhouse Gas Inventories "
            "(GHG Emission Factors Hub), last modified 15 September 2021")
# The Hub's categories, by the fleet_vehicles contract's classes. The extract splits "Gasoline Light-Duty Trucks
# (Vans, Pickup Trucks, SUVs)" at its comma: most of its rows carry the parenthesis as the category.
CATEGORIES = {
    "Gasoline Passenger Cars": ("passenger_car", "gasoline", "Gasoline Passenger Cars"),
    "Gasoline Light-Duty Trucks": ("light_truck", "gasoline", "Gasoline Light-Duty Trucks (Vans, Pickup Trucks, SUVs)"),
    "(Vans, Pickup Trucks, SUVs)": ("light_truck", "gasoline", "Gasoline Light-Duty Trucks (Vans, Pickup Trucks, SUVs)"),
    "Gasoline Heavy-Duty Vehicles": ("heavy_duty", "gasoline", "Gasoline Heavy-Duty Vehicles"),
    "Gasoline Motorcycles": ("motorcycle", "gasoline", "Gasoline Motorcycles"),
    "Passenger Cars | Diesel": ("passenger_car", "diesel", "Diesel Passenger Cars"),
    "Light-Duty Trucks | Diesel": ("light_truck", "diesel", "Diesel Light-Duty Trucks"),
    "Medium- and Heavy-Duty Vehicles | Diesel": ("heavy_duty", "diesel", "Diesel Medium- and Heavy-Duty Vehicles"),
}
GASES = {"ch4_factor": "CH4", "n2o_factor": "N2O"}
EARLIEST = 1960  # the tables' first model year (Table 4's 1960-1982)


def model_years(text: str) -> tuple[int, int, str]:
    """The first and last model year a row covers ("1973-74", "1984-93", "1988-1989", "2018"), and a note.

    "<1981" (Gasoline Heavy-Duty Vehicles) is taken through 1981, which the table lists under no other row."""
    text = text.strip()
    if text.startswith("<"):
        year = int(text[1:])
        return EARLIEST, year, f"; model years {text}, applied through {year}, which the table lists under no other row"
    found = re.fullmatch(r"(\d{4})(?:-(\d{2,4}))?", text)
    if not found:
        raise ValueError(f"{SOURCE.name}: model year {text!r} is not a year or a range")
    first = int(found.group(1))
    last = found.group(2)
    if last is None:
        return first, first, ""
    return first, int(last) if len(last) == 4 else first // 100 * 100 + int(last), ""


def extract(source: Path = SOURCE) -> list[dict[str, str]]:
    """The per-mile rows, sorted by class, fuel, gas and first model year."""
    rows = []
    with source.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if not record["table"].startswith(("Table 3", "Table 4")) or record["category"] not in CATEGORIES or record["field"] not in GASES:
                continue
            vehicle_class, fuel, name = CATEGORIES[record["category"]]
            first, last, note = model_years(record["fuel_or_subregion"])
            table = record["table"].split(" Mobile")[0]
            rows.append({
                "factor_set": "epa_ghg_hub_2021", "vehicle_class": vehicle_class, "fuel": fuel,
                "model_year_from": str(first), "model_year_to": str(last), "gas": GASES[record["field"]],
                "value": record["value"], "unit": "g/mi", "source_document": DOCUMENT,
                "source_table": f"{record['table']}: {name}, model year {record['fuel_or_subregion'].strip()}{note} ({table} of the Hub's workbook)",
                "source_year": "2021", "data_year": str(last),
            })
    rows.sort(key=lambda r: (r["vehicle_class"], r["fuel"], r["gas"], int(r["model_year_from"])))
    for a, b in zip(rows, rows[1:], strict=False):  # ranges of a class, fuel and gas must not overlap
        if (a["vehicle_class"], a["fuel"], a["gas"]) == (b["vehicle_class"], b["fuel"], b["gas"]) and int(b["model_year_from"]) <= int(a["model_year_to"]):
            raise ValueError(f"{SOURCE.name}: {a['source_table']} overlaps {b['source_table']}")
    return rows


def write(rows: list[dict[str, str]], target: Path = OUTPUT) -> None:
    """Write the rows as the shipped CSV (LF line endings)."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write(extract())
