"""The community inventory's contracts: a utility's deliveries by sector, and annual vehicle-miles."""

from __future__ import annotations

from pathlib import Path

from city_outcomes.feeds.ingest import ingest_feed
from tests.conftest import write_city

ENERGY = """Utility,Rate Class,Commodity,Month,Delivered,Units,Accounts
Riverton Electric,residential,electricity,2023-01-01,41250000,kWh,18204
Riverton Electric,commercial_institutional,electricity,2023-01-01,30100000,kWh,2210
Riverton Gas,residential,natural_gas,2023-01-01,2150000,therm,15400
Riverton Gas,residential,natural_gas,2023-01-01,-5,therm,15400
Riverton Gas,industrial,natural_gas,2023-01-01,900000,therm,12
Riverton Electric,residential,electricity,2023-02-01,39800000,therm,18190
Riverton Electric,residential,electricity,2023-02-15,39800000,kWh,18190
"""
VMT = """Year,Class,Fuel,VMT,Method,Source
2023,passenger_car,gasoline,512000000,in_boundary,DVRPC travel model 2023
2023,light_truck,diesel,88000000,in_boundary,DVRPC travel model 2023
2023,bus,diesel,4100000,origin_destination,Transit agency odometers
2023,bus,diesel,4100000,origin_destination,Transit agency odometers
2023,tractor,diesel,1000,in_boundary,DVRPC travel model 2023
2023,motorcycle,gasoline,3000000,guess,DVRPC travel model 2023
"""


def _city(tmp_path: Path):
    feeds = {
        "community_energy": {
            "contract": "community_energy",
            "path": "energy/*.csv",
            "columns": {"utility": "Utility", "sector": "Rate Class", "energy_type": "Commodity", "period_month": "Month",
                        "quantity": "Delivered", "unit": "Units", "customers": "Accounts"},
        },
        "community_vmt": {
            "contract": "community_vmt",
            "path": "vmt/*.csv",
            "columns": {"year": "Year", "vehicle_class": "Class", "fuel": "Fuel", "vehicle_miles": "VMT", "method": "Method", "source": "Source"},
        },
    }
    city = write_city(tmp_path, feeds=feeds)
    for folder, text in (("energy", ENERGY), ("vmt", VMT)):
        (city.inbox_dir / folder).mkdir(parents=True)
        (city.inbox_dir / folder / f"{folder}.csv").write_text(text)
    return city


def _rules(conn, feed: str) -> dict[int, list[str]]:
    return {row: list(rules) for row, rules in conn.execute("SELECT source_row, failed_rules FROM meta.quarantine WHERE feed = ? ORDER BY 1", [feed]).fetchall()}


def test_utility_deliveries_are_checked_row_by_row(tmp_path: Path, conn) -> None:
    outcome = ingest_feed(conn, _city(tmp_path), "community_energy")
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (7, 3, 4)
    rules = _rules(conn, "community_energy")
    assert rules[4] == ["quantity: greater_than_or_equal_to(0)"]
    assert any(rule.startswith("sector: isin") for rule in rules[5])
    assert rules[6] == ["unit_fits_energy_type: unit must be a unit of the energy type (e.g. not therm for electricity)"]
    assert rules[7] == ["period_month: must be the first day of a month"]


def test_vehicle_miles_are_checked_row_by_row(tmp_path: Path, conn) -> None:
    outcome = ingest_feed(conn, _city(tmp_path), "community_vmt")
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (6, 3, 3)
    rules = _rules(conn, "community_vmt")
    assert rules[4] == ["duplicate: an exact copy of row 3 of vmt.csv, which is kept"]
    assert any(rule.startswith("vehicle_class: isin") for rule in rules[5])
    assert any(rule.startswith("method: isin") for rule in rules[6])
