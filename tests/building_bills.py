"""A small city written by hand: a buildings inventory and monthly bills, in the demo city's export format.

Tests name each building's department and monthly use, so every figure can be worked out by hand.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import yaml

from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import refresh_building_emissions, write_unit_conversions
from tests.conftest import write_city

# EPA GHG Emission Factors Hub 2021, Table 6, eGRID2019 RFCE total output (lb/MWh), AR4 GWPs: tonnes CO2e per kWh.
KG_PER_LB = 0.45359237
T_CO2E_PER_KWH = KG_PER_LB * (695.0 + 0.053 * 25 + 0.007 * 298) / 1_000_000
BILL_FEEDS = ("emission_factors", "global_warming_potentials", "buildings", "building_energy")


def bills(building_id: str, year: int, kwh: float, months: Iterable[int] = range(1, 13), commodity: str = "Electric") -> list[tuple]:
    """Monthly bills of one building: (building_id, month, commodity, use) for the given months of ``year``."""
    unit = "KWH" if commodity == "Electric" else "THERMS"
    return [(building_id, date(year, month, 1), commodity, kwh, unit) for month in months]


def write_bill_city(folder: Path, buildings: list[dict], rows: list[tuple], **city_overrides) -> CityConfig:
    """A city with only the buildings and building_energy feeds (mapped as the demo city maps them).

    ``buildings``: dicts with id, name and department; ``rows``: from :func:`bills`.
    """
    demo_feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    # These cities test which years are complete, not factor editions: every year is pinned to the Hub 2021's
    # eGRID2019 rates, so T_CO2E_PER_KWH holds whatever the default edition of a year would be.
    city_overrides.setdefault("electricity_factors", {year: "epa_ghg_hub_2021" for year in sorted({row[1].year for row in rows})})
    city = write_city(folder, feeds={name: demo_feeds[name] for name in ("buildings", "building_energy")}, **city_overrides)
    names = {b["id"]: b["name"] for b in buildings}
    inventory = city.inbox_dir / "facilities" / "facility_inventory.csv"
    inventory.parent.mkdir(parents=True, exist_ok=True)
    with inventory.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["FacilityID", "Name", "Dept", "UseType", "GrossSqFt", "YearBuilt", "CensusTract"])
        for b in buildings:
            writer.writerow([b["id"], b["name"], b["department"], "office", 20_000, 1970, "42999000100"])
    by_year: dict[int, list[tuple]] = {}
    for row in rows:
        by_year.setdefault(row[1].year, []).append(row)
    folder_bills = city.inbox_dir / "building_energy"
    folder_bills.mkdir(parents=True, exist_ok=True)
    for year, year_rows in by_year.items():
        with (folder_bills / f"utility_bills_{year}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["Facility ID", "Facility Name", "Service Month", "Commodity", "Usage", "UOM", "Cost ($)"])
            for building_id, month, commodity, use, unit in year_rows:
                writer.writerow([building_id, names.get(building_id, ""), month.strftime("%m/%Y"), commodity, use, unit, round(use * 0.13, 2)])
    return city


def build_emissions(conn, city: CityConfig, months: tuple[date, date] = (date(2022, 1, 1), date(2026, 12, 1))) -> None:
    """Ingest the city's feeds and compute building emissions for ``months`` (half-open)."""
    for name in BILL_FEEDS:
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, months)


# Markup, script-breaking text and spreadsheet formulas in every name a city's files can carry.
CITY_PAYLOAD = '<script>alert("city")</script> Riverton & "Sons"'
DEPARTMENT_PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "=HYPERLINK(\"http://example.invalid\",\"x\")"]
BUILDING_PAYLOADS = ["<img src=x onerror=alert(3)>", "<svg onload=alert(4)>", "</script><!--<script>alert(5)//\u2028"]


def write_payload_city(folder: Path) -> CityConfig:
    """Three buildings whose names and departments are payloads; each misses one 2024 bill, so the
    dashboard names them among the missing bills, and 2023 is compared with 2025."""
    buildings = [
        {"id": f"B-{i}", "name": name, "department": department}
        for i, (name, department) in enumerate(zip(BUILDING_PAYLOADS, DEPARTMENT_PAYLOADS, strict=True), start=1)
    ]
    rows = []
    for i, building in enumerate(buildings, start=1):
        rows += bills(building["id"], 2023, 1000 * i)
        rows += bills(building["id"], 2024, 950 * i, months=[m for m in range(1, 13) if m != i])
        rows += bills(building["id"], 2025, 900 * i)
    return write_bill_city(folder, buildings, rows, name=CITY_PAYLOAD)
