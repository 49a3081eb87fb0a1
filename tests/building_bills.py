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
GOAL_PAYLOADS = ["<script>alert(6)</script> Halve building emissions", "<img src=x onerror=alert(7)> Hold building emissions"]
INITIATIVE_PAYLOADS = ["<iframe src=javascript:alert(8)>", "@SUM(1+1) <b onmouseover=alert(9)>retrofits</b>"]


def write_payload_city(folder: Path, registries: bool = False) -> CityConfig:
    """Three buildings whose names and departments are payloads; each misses one 2024 bill, so the
    dashboard names them among the missing bills, and 2023 is compared with 2025. With ``registries``,
    goals and initiatives whose titles, technology, department and vendor are payloads too."""
    buildings = [
        {"id": f"B-{i}", "name": name, "department": department}
        for i, (name, department) in enumerate(zip(BUILDING_PAYLOADS, DEPARTMENT_PAYLOADS, strict=True), start=1)
    ]
    rows = []
    for i, building in enumerate(buildings, start=1):
        rows += bills(building["id"], 2023, 1000 * i)
        rows += bills(building["id"], 2024, 950 * i, months=[m for m in range(1, 13) if m != i])
        rows += bills(building["id"], 2025, 900 * i)
    city = write_bill_city(folder, buildings, rows, name=CITY_PAYLOAD)
    return _add_payload_registries(city) if registries else city


def _add_payload_registries(city: CityConfig) -> CityConfig:
    """The goals and initiatives feeds, as the demo maps them, with payloads in every text a page shows."""
    demo_feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    config = yaml.safe_load(city.config_path.read_text())
    config["feeds"].update({name: demo_feeds[name] for name in ("goals", "initiatives")})
    city.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    folder = city.inbox_dir / "registries"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "goals.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["goal_id", "title", "metric", "direction", "baseline_year", "target_year", "target_value", "target_change", "unit", "source_document"])
        writer.writerow(["halve-buildings", GOAL_PAYLOADS[0], "building_co2e_tonnes", "decrease", 2023, 2030, "", -0.5, "t CO2e", DEPARTMENT_PAYLOADS[0]])
        writer.writerow(["hold-buildings", GOAL_PAYLOADS[1], "building_co2e_tonnes", "decrease", 2023, 2030, 40, "", "<i>t</i> CO2e", DEPARTMENT_PAYLOADS[1]])
    with (folder / "initiatives.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["initiative_id", "title", "technology", "department", "vendor", "start_date", "end_date", "goal_ids", "scope", "budget_usd"])
        writer.writerow(["retrofits", INITIATIVE_PAYLOADS[0], BUILDING_PAYLOADS[0], DEPARTMENT_PAYLOADS[0], BUILDING_PAYLOADS[1], "2024-01-01", "", "halve-buildings;hold-buildings", "B-1;B-2", 1000])
        writer.writerow(["controls", INITIATIVE_PAYLOADS[1], BUILDING_PAYLOADS[2], DEPARTMENT_PAYLOADS[2], "", "2024-06-01", "2024-12-31", "hold-buildings", "B-3", ""])
    from city_outcomes.config import load_city_config

    return load_city_config(city.config_path)
