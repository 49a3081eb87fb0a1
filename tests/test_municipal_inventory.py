"""The municipal operations inventory (issue 12, item 1): streetlights and traffic signals, water and wastewater
facilities, public EV charging and the fleet at the same per-year electricity edition as the buildings, one table by
sector, department, source, scope and gas, and its invariants (each shown to fail on a planted fault).

Expected figures are worked out here by hand from the published values (typed from EPA's documents, as
tests/test_emissions.py and tests/test_fleet_emissions.py quote them), not read from the project's tables.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from city_outcomes.config import CityConfig, load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import MissingFactorError, refresh_building_emissions, write_unit_conversions
from city_outcomes.metrics.fleet import refresh_fleet_emissions
from city_outcomes.metrics.inventory import (
    inventory_by_sector_and_scope,
    inventory_invariant_failures,
    refresh_municipal_inventory,
    refresh_municipal_inventory_annual,
)
from city_outcomes.metrics.public_ev_charging import refresh_public_ev_charging_emissions
from city_outcomes.metrics.streetlights import refresh_streetlight_emissions
from tests.conftest import write_city

KG_PER_LB = 0.45359237
# eGRID2023 RFCE total output CO2e, lb/MWh (EPA Power Profiler subregion.json): the default edition for 2024.
RFCE_2023_CO2E = 599.17
# eGRID2022 RFCE total output CO2e, lb/MWh, same source: the edition a city may name for 2024 instead.
RFCE_2022_CO2E = 660.311
E_2023 = RFCE_2023_CO2E * KG_PER_LB / 1000  # = 0.27177894 kg CO2e per kWh
# Hub 2021 Table 1 natural gas per MMBtu: CO2 53.06 kg, CH4 1.0 g, N2O 0.1 g; AR4 GWPs 25 and 298.
GAS_CO2, GAS_CH4_CO2E, GAS_N2O_CO2E = 53.06, 0.001 * 25, 0.0001 * 298
# Hub 2021: gasoline 8.78 kg CO2/gal (Table 2), 5.58 g CH4 and 0.2 g N2O per gallon (Table 5): 8.9791 kg CO2e/gal.
GASOLINE_CO2E = 8.78 + 0.00558 * 25 + 0.0002 * 298
SUPPLIER_KG_PER_KWH = 0.25  # a test utility's own CO2e rate for data year 2024 (market-based)
MONTHS = (date(2024, 1, 1), date(2024, 3, 1))
OWN = "Riverton Electric, 2024 emission factor disclosure (a test document)"

BUILDINGS = [
    ["B-OFF", "City Hall", "General Services", "office", 50000, 1950, "42077000100"],
    ["B-WTP", "Water Plant", "Water Utility", "water treatment plant", 40000, 1970, "42077000100"],
    ["B-LS", "North Lift Station", "Sewer Utility", "Lift Station", 2000, 1990, "42077000100"],  # any case matches
]
BILLS = [
    ["B-OFF", "2024-01-01", "electricity", 1000, "kWh", ""],
    ["B-OFF", "2024-01-01", "natural_gas", 10, "therm", ""],  # 1 MMBtu
    ["B-WTP", "2024-01-01", "electricity", 2000, "kWh", ""],
    ["B-LS", "2024-02-01", "electricity", 500, "kWh", ""],
]
FIXTURES = [["SL1", "LED", 40, "streetlight", "Public Works"], ["TS1", "LED", 120, "traffic_signal", "Transportation"], ["SL2", "HPS", 117, "", ""]]
STREETLIGHT_BILLS = [["SL1", "2024-01-01", 100, "true"], ["TS1", "2024-01-01", 50, "true"], ["SL1", "2024-02-01", 90, "true"], ["SL2", "2024-02-01", 40, "true"]]
FUEL = [["V1", "Police", "2024-01-15", "gasoline", 10, "gal", ""], ["V2", "Public Works", "2024-01-20", "electricity", 100, "kWh", ""]]
CHARGING = [["ST1", "2024-01-05", "day", 30, 3, 2], ["ST1", "2024-01-06", "day", 20, 2, 2], ["DEPOT", "2024-01-05", "day", 100, 4, 4]]
SUPPLIER = [["riverton_electric_2024", "electricity", "Riverton Electric service area", "supplier_specific", "CO2e", SUPPLIER_KG_PER_KWH,
             "kg/kWh", "I.x.2", OWN, "Table B", 2025, 2024]]
COLUMNS = {
    "buildings": ["building_id", "building_name", "department", "building_type", "floor_area_sqft", "year_built", "tract_geoid"],
    "building_energy": ["building_id", "period_month", "energy_type", "quantity", "unit", "cost_usd"],
    "streetlight_fixtures": ["fixture_id", "technology", "wattage", "fixture_class", "department"],
    "streetlight_energy": ["fixture_id", "period_month", "energy_kwh", "is_estimated"],
    "fleet_fuel": ["vehicle_id", "department", "purchase_date", "fuel_type", "quantity", "unit", "cost_usd"],
    "ev_charging_energy": ["station_id", "period_start", "period_grain", "energy_kwh", "sessions", "port_count"],
    "city_factors": ["factor_set", "activity", "region", "rate_basis", "gas", "value", "unit", "sector", "source_document", "source_table", "source_year", "data_year"],
}


def _write(path: Path, columns: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def _city(folder: Path, supplier: bool = False, charging: list[list] = CHARGING, **city: object) -> CityConfig:
    data = {"buildings": BUILDINGS, "building_energy": BILLS, "streetlight_fixtures": FIXTURES, "streetlight_energy": STREETLIGHT_BILLS,
            "fleet_fuel": FUEL, "ev_charging_energy": charging}
    if supplier:
        data["city_factors"] = SUPPLIER
    feeds = {name: {"contract": "emission_factors" if name == "city_factors" else name, "path": f"{name}/*.csv"} for name in data}
    config = write_city(folder, feeds=feeds, grid_subregion="RFCE", first_month="2024-01-01", fleet_charging_stations=["DEPOT"], **city)
    for name, rows in data.items():
        _write(config.inbox_dir / name / f"{name}.csv", COLUMNS[name], rows)
    return config


def _build(conn, city: CityConfig) -> None:
    for name in ("emission_factors", "global_warming_potentials", *city.feeds):
        outcome = ingest_feed(conn, city, name)
        assert all(f.rows_quarantined == 0 for f in outcome.files), (name, outcome.top_rules)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, MONTHS)
    refresh_fleet_emissions(conn, city, MONTHS)
    refresh_streetlight_emissions(conn, city, MONTHS)
    refresh_public_ev_charging_emissions(conn, city, MONTHS)
    refresh_municipal_inventory(conn, city, MONTHS)
    refresh_municipal_inventory_annual(conn, city)


def _city_of(folder: Path) -> CityConfig:
    return load_city_config(folder / "city.yaml")


@pytest.fixture
def built(tmp_path: Path, conn):
    _build(conn, _city(tmp_path, supplier=True))
    return conn


def _sum(conn, where: str, column: str = "co2e_tonnes", table: str = "out.municipal_inventory_monthly") -> float:
    return conn.execute(f"SELECT coalesce(sum({column}), 0) FROM {table} WHERE {where}").fetchone()[0]


def test_a_streetlight_kwh_times_the_years_factor(built) -> None:
    row = built.execute(
        "SELECT activity_quantity, co2e_tonnes, co2e_tonnes_market, factor_set, scope, fixture_class, department "
        "FROM out.streetlight_emissions_monthly WHERE fixture_id = 'SL1' AND period_month = DATE '2024-01-01'"
    ).fetchone()
    # 100 kWh x 599.17 lb/MWh x 0.45359237 kg/lb / 1000 kWh/MWh = 27.177894 kg = 0.027177894 t CO2e (location);
    # 100 kWh x 0.25 kg/kWh = 25 kg = 0.025 t (market, the utility's own rate).
    assert row[1] == pytest.approx(0.027177894, rel=1e-7) and row[1] == pytest.approx(100 * E_2023 / 1000, rel=1e-12)
    assert row[2] == pytest.approx(0.025, rel=1e-12)
    assert (row[0], row[3], row[4], row[5], row[6]) == (100, "egrid2023", 2, "streetlight", "Public Works")
    # A fixture with no class or department is a streetlight, 'Not recorded'.
    assert built.execute("SELECT fixture_class, department FROM out.streetlight_emissions_monthly WHERE fixture_id = 'SL2'").fetchone() == ("streetlight", "Not recorded")


def test_a_traffic_signal_lands_in_its_sector_and_subsector(built) -> None:
    rows = built.execute(
        "SELECT sector, subsector, department, gas, co2e_tonnes FROM out.municipal_inventory_monthly WHERE subsector = 'Traffic signals'"
    ).fetchall()
    # eGRID2023 gives CO2e only: one row of gas CO2e, 50 kWh x 0.27177894 kg/kWh = 13.588947 kg.
    assert [r[:4] for r in rows] == [("Streetlights and traffic signals", "Traffic signals", "Transportation", "CO2e")]
    assert rows[0][4] == pytest.approx(50 * E_2023 / 1000, rel=1e-12)
    january = _sum(built, "sector = 'Streetlights and traffic signals' AND period_month = DATE '2024-01-01'")
    assert january == pytest.approx((100 + 50) * E_2023 / 1000, rel=1e-12)


def test_water_and_wastewater_facilities_are_their_own_sectors(built) -> None:
    assert _sum(built, "sector = 'Water delivery facilities'") == pytest.approx(2000 * E_2023 / 1000, rel=1e-12)
    assert _sum(built, "sector = 'Wastewater facilities'") == pytest.approx(500 * E_2023 / 1000, rel=1e-12)  # 'Lift Station'
    # The office: 1000 kWh, and 1 MMBtu of gas split by gas (53.06 kg CO2, 1 g CH4 x 25, 0.1 g N2O x 298).
    gases = dict(built.execute(
        "SELECT gas, co2e_tonnes FROM out.municipal_inventory_monthly WHERE sector = 'Buildings and facilities' AND source_kind = 'natural_gas'"
    ).fetchall())
    assert gases == pytest.approx({"CO2": GAS_CO2 / 1000, "CH4": GAS_CH4_CO2E / 1000, "N2O": GAS_N2O_CO2E / 1000}, rel=1e-12)
    assert _sum(built, "sector = 'Buildings and facilities'") == pytest.approx((1000 * E_2023 + GAS_CO2 + GAS_CH4_CO2E + GAS_N2O_CO2E) / 1000, rel=1e-12)


def test_public_charging_sums_days_to_the_month_and_leaves_the_fleets_station_out(built) -> None:
    rows = built.execute(
        "SELECT source_rows, activity, co2e_tonnes FROM out.municipal_inventory_monthly WHERE sector = 'Public EV charging'"
    ).fetchall()
    assert len(rows) == 1 and rows[0][:2] == (2, 50)  # 30 + 20 kWh; DEPOT is in city.fleet_charging_stations
    assert rows[0][2] == pytest.approx(50 * E_2023 / 1000, rel=1e-12)


def test_the_sources_of_a_sector_department_and_month_are_summed_into_one_row(tmp_path: Path, conn, monkeypatch: pytest.MonkeyPatch) -> None:
    # A second Public Works streetlight billed in January: the inventory has one row for both (the sector table keeps each).
    monkeypatch.setattr(sys.modules[__name__], "FIXTURES", [*FIXTURES, ["SL3", "LED", 40, "streetlight", "Public Works"]])
    monkeypatch.setattr(sys.modules[__name__], "STREETLIGHT_BILLS", [*STREETLIGHT_BILLS, ["SL3", "2024-01-01", 30, "true"]])
    _build(conn, _city(tmp_path))
    rows = conn.execute(
        "SELECT gas, activity, source_rows, co2e_tonnes FROM out.municipal_inventory_monthly "
        "WHERE subsector = 'Streetlights' AND department = 'Public Works' AND period_month = DATE '2024-01-01'"
    ).fetchall()
    assert [r[:3] for r in rows] == [("CO2e", 130, 2)]  # SL1's 100 kWh + SL3's 30 kWh
    assert rows[0][3] == pytest.approx(130 * E_2023 / 1000, rel=1e-12)
    assert conn.execute("SELECT count(*) FROM out.streetlight_emissions_monthly WHERE period_month = DATE '2024-01-01'").fetchone()[0] == 3
    assert inventory_invariant_failures(conn) == []


def test_every_kwh_of_a_year_uses_the_same_edition(tmp_path: Path, conn) -> None:
    # The city names eGRID2022 for 2024: buildings, fleet charging, streetlights and public chargers all take it.
    _build(conn, _city(tmp_path, electricity_factors={2024: "egrid2022"}))
    per_kwh = conn.execute(
        """
        SELECT DISTINCT factor_set, round(co2e_tonnes / activity * 1e6, 6) FROM out.municipal_inventory_monthly
        WHERE source_kind = 'electricity'
        """
    ).fetchall()
    # t/kWh x 1e6 = kg/MWh: 660.311 lb/MWh x 0.45359237 kg/lb = 299.512031 kg/MWh, on every kWh of 2024.
    assert len(per_kwh) == 1 and per_kwh[0][0] == "egrid2022"
    assert per_kwh[0][1] == pytest.approx(RFCE_2022_CO2E * KG_PER_LB, abs=1e-6)
    sectors = {r[0] for r in conn.execute("SELECT DISTINCT sector FROM out.municipal_inventory_monthly WHERE source_kind = 'electricity'").fetchall()}
    assert sectors == {"Buildings and facilities", "Water delivery facilities", "Wastewater facilities", "Vehicle fleet",
                       "Streetlights and traffic signals", "Public EV charging"}


def test_the_run_summary_figures_by_sector_and_scope(built) -> None:
    summary = {(r["sector"], r["scope"]): r for r in inventory_by_sector_and_scope(built)}
    assert summary[("Vehicle fleet", 1)]["co2e_tonnes"] == pytest.approx(10 * GASOLINE_CO2E / 1000, rel=1e-12)  # 10 gal x 8.9791 kg
    assert summary[("Vehicle fleet", 2)]["co2e_tonnes"] == pytest.approx(100 * E_2023 / 1000, rel=1e-12)
    streetlights = summary[("Streetlights and traffic signals", 2)]
    assert streetlights["co2e_tonnes"] == pytest.approx((100 + 50 + 90 + 40) * E_2023 / 1000, rel=1e-12)
    assert streetlights["co2e_tonnes_market"] == pytest.approx((100 + 50 + 90 + 40) * SUPPLIER_KG_PER_KWH / 1000, rel=1e-12)
    assert streetlights["months"] == 2 and {r["inventory_year"] for r in summary.values()} == {2024}


# --- the invariants: they hold on the built warehouse, and each fails on a planted fault ---------------------------


def test_the_invariants_hold_and_totals_are_the_hand_computed_ones(built) -> None:
    assert inventory_invariant_failures(built) == []
    scope_2_kwh = 1000 + 2000 + 500 + 100 + 50 + 90 + 40 + 100 + 50  # buildings, streetlights, fleet charging, public
    scope_1 = (GAS_CO2 + GAS_CH4_CO2E + GAS_N2O_CO2E + 10 * GASOLINE_CO2E) / 1000
    location = _sum(built, "true")
    market = _sum(built, "true", "co2e_tonnes_market")
    assert location == pytest.approx(scope_1 + scope_2_kwh * E_2023 / 1000, rel=1e-12)
    # Sectors sum to the total; monthly sums to annual; location and market differ only in scope 2 (by its kWh
    # x (location rate - supplier rate)).
    sectors = built.execute("SELECT sum(t) FROM (SELECT sector, sum(co2e_tonnes) AS t FROM out.municipal_inventory_monthly GROUP BY 1)").fetchone()[0]
    assert sectors == pytest.approx(location, rel=1e-12)
    assert _sum(built, "inventory_year = 2024", table="out.municipal_inventory_annual") == pytest.approx(location, rel=1e-12)
    assert location - market == pytest.approx(scope_2_kwh * (E_2023 - SUPPLIER_KG_PER_KWH) / 1000, rel=1e-9)
    assert _sum(built, "scope = 1") == _sum(built, "scope = 1", "co2e_tonnes_market")


def test_a_duplicated_sector_row_breaks_sectors_sum_to_the_total(built, tmp_path: Path) -> None:
    built.execute("INSERT INTO out.municipal_inventory_monthly SELECT * FROM out.municipal_inventory_monthly WHERE subsector = 'Traffic signals'")
    refresh_municipal_inventory_annual(built, _city_of(tmp_path))  # the annual table agrees with the months: only the sector check fails
    failures = inventory_invariant_failures(built)
    assert [f["invariant"] for f in failures] == ["sectors sum to the total"]
    assert failures[0]["detail"].startswith("Streetlights and traffic signals 2024-01")


def test_an_annual_figure_off_its_months_breaks_monthly_sums_to_annual(built) -> None:
    built.execute("UPDATE out.municipal_inventory_annual SET co2e_tonnes = co2e_tonnes * 1.01 WHERE sector = 'Wastewater facilities'")
    assert [f["invariant"] for f in inventory_invariant_failures(built)] == ["monthly sums to annual"]


def test_a_scope_1_market_figure_off_the_location_one_breaks_the_scope_2_only_invariant(built, tmp_path: Path) -> None:
    built.execute("UPDATE out.municipal_inventory_monthly SET co2e_tonnes_market = co2e_tonnes_market + 0.001 WHERE source_kind = 'gasoline' AND gas = 'CO2'")
    refresh_municipal_inventory_annual(built, _city_of(tmp_path))
    invariants = {f["invariant"] for f in inventory_invariant_failures(built)}
    # The sector total no longer matches the fleet table's market figure either.
    assert invariants == {"location and market differ only in scope 2", "sectors sum to the total"}


# --- rows that cannot be computed stop the run -----------------------------------------------------------------------


def test_a_streetlight_year_without_a_whole_factor_stops_the_run_naming_the_row(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, electricity_factors={2024: "egrid2020"})  # CO2 only: no whole figure
    for name in ("emission_factors", "global_warming_potentials", "streetlight_fixtures", "streetlight_energy"):
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    with pytest.raises(MissingFactorError) as raised:
        refresh_streetlight_emissions(conn, city, MONTHS)
    message = str(raised.value)
    assert "feed streetlight_energy: streetlight_energy.csv row 1 and 3 more row(s) like it: inventory year 2024" in message
    assert "factor set 'egrid2020' has no electricity total_output factor for grid_subregion 'RFCE' in kg/kWh" in message
    assert "Fix: name an edition that has it under city.electricity_factors" in message
    assert not conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'streetlight_emissions_monthly'").fetchone()[0]


def test_a_station_month_reported_by_day_and_by_month_stops_the_run(tmp_path: Path, conn) -> None:
    charging = [*CHARGING, ["ST1", "2024-01-01", "month", 50, 5, 2]]
    city = _city(tmp_path, charging=charging)
    for name in ("emission_factors", "global_warming_potentials", "ev_charging_energy"):
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    with pytest.raises(MissingFactorError, match=r"station ST1 reports 2024-01 both by day and as a month: its kWh would be counted twice"):
        refresh_public_ev_charging_emissions(conn, city, MONTHS)


def test_the_catalog_entries_name_columns_and_a_grain_of_the_built_tables(built) -> None:
    from city_outcomes.metrics.catalog import catalog

    tables = {"out.streetlight_emissions_monthly", "out.public_ev_charging_emissions_monthly", "out.municipal_inventory_monthly", "out.municipal_inventory_annual"}
    entries = [entry for entry in catalog() if entry.table in tables]
    assert {entry.table for entry in entries} == tables
    for entry in entries:
        schema, table = entry.table.split(".")
        columns = {r[0] for r in built.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()}
        assert {entry.value_column, *entry.grain, *entry.dimensions} <= columns, entry.name
        rows, distinct = built.execute(f"SELECT count(*), count(DISTINCT ({', '.join(entry.grain)})) FROM {entry.table}").fetchone()
        assert rows == distinct > 0, f"{entry.name}: the grain does not identify a row"


def test_trace_follows_a_streetlight_month_to_its_bill_and_factor(built) -> None:
    from city_outcomes.trace import trace_metric

    traced = trace_metric(built, "streetlight_co2e_tonnes", "2024-01", {"fixture_id": "TS1"})
    assert traced.rows == 1 and traced.value == pytest.approx(50 * E_2023 / 1000, rel=1e-12)
    assert [(f["factor_set"], f["gas"], f["value"], f["unit"]) for f in traced.factors] == [("egrid2023", "CO2e", RFCE_2023_CO2E, "lb/MWh")]
    assert [(s.feed, s.row_numbers) for s in traced.sources] == [("streetlight_energy", "2")]  # TS1 is data row 2 of the file
    inventory = trace_metric(built, "municipal_co2e_tonnes", "2024", {"sector": "Public EV charging"})
    assert inventory.value == pytest.approx(50 * E_2023 / 1000, rel=1e-12)


def test_streetlight_rows_name_their_years_factor_terms_kept_once_and_keep_them_when_the_edition_changes(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, supplier=True)
    _build(conn, city)
    columns = {r[0] for r in conn.execute("DESCRIBE out.streetlight_emissions_monthly_rows").fetchall()}
    assert "terms_id" in columns and not columns & {"factor_set", "factor_choice", "market_method", "gwp_set", "gpc_reference"}
    shown = "factor_set, factor_basis, factor_value, market_method, market_factor_set, gwp_set, grid_subregion"
    # One inventory year, one set of terms, shared by the streetlights and the public chargers: eGRID2023 RFCE
    # (CO2e only, 599.17 lb/MWh = 0.27177894 kg/kWh) and the utility's own rate for market-based.
    assert conn.execute(f"SELECT {shown} FROM out.electricity_factor_terms").fetchall() == [
        ("egrid2023", "CO2e", pytest.approx(E_2023, rel=1e-12), "supplier-specific", "riverton_electric_2024", city.city.gwp_set, "RFCE")]
    refresh_streetlight_emissions(conn, city, MONTHS)
    assert conn.execute("SELECT count(*) FROM out.electricity_factor_terms").fetchone()[0] == 1  # the same terms, kept once

    # The city names eGRID2022 for 2024 and refreshes February only: February's rows name new terms, January's
    # keep theirs (a published month does not change under it until it is recomputed).
    raw = yaml.safe_load(city.config_path.read_text())
    raw["city"]["electricity_factors"] = {2024: "egrid2022"}
    city.config_path.write_text(yaml.safe_dump(raw, sort_keys=False))
    renamed = load_city_config(city.config_path)
    refresh_streetlight_emissions(conn, renamed, (date(2024, 2, 1), date(2024, 3, 1)))
    by_month = conn.execute(
        "SELECT period_month, factor_set, sum(co2e_tonnes), sum(activity_quantity) FROM out.streetlight_emissions_monthly GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert [(m.month, f) for m, f, _, _ in by_month] == [(1, "egrid2023"), (2, "egrid2022")]
    assert by_month[0][2] == pytest.approx(150 * E_2023 / 1000, rel=1e-12)  # SL1 100 + TS1 50 kWh
    assert by_month[1][2] == pytest.approx(130 * RFCE_2022_CO2E * KG_PER_LB / 1e6, rel=1e-12)  # SL1 90 + SL2 40 kWh
    assert conn.execute("SELECT count(*) FROM out.electricity_factor_terms").fetchone()[0] == 2


def test_a_streetlight_row_whose_terms_were_lost_shows_them_blank_and_stays_in_the_totals(built) -> None:
    before = built.execute("SELECT count(*), sum(co2e_tonnes) FROM out.streetlight_emissions_monthly").fetchone()
    built.execute("DELETE FROM out.electricity_factor_terms")  # planted: the view's join finds no terms
    after = built.execute("SELECT count(*), sum(co2e_tonnes), count(factor_set) FROM out.streetlight_emissions_monthly").fetchone()
    assert after == (before[0], before[1], 0) and before[0] == 4


def test_a_fixture_table_of_the_previous_contract_version_gets_the_new_optional_columns(tmp_path: Path, conn) -> None:
    from city_outcomes.feeds.ingest import ensure_core_table
    from city_outcomes.feeds.privacy import PrivacyPolicy
    from data_contracts import get_contract

    city = _city(tmp_path)
    conn.execute("CREATE SCHEMA IF NOT EXISTS core")
    # streetlight_fixtures 1.2.0 had no fixture_class or department.
    conn.execute("CREATE TABLE core.streetlight_fixtures (fixture_id VARCHAR, technology VARCHAR, wattage DOUBLE, _feed VARCHAR NOT NULL)")
    conn.execute("INSERT INTO core.streetlight_fixtures VALUES ('SL1', 'LED', 40, 'streetlight_fixtures')")
    ensure_core_table(conn, get_contract("streetlight_fixtures"), PrivacyPolicy.load(city))
    assert conn.execute("SELECT fixture_id, fixture_class, department FROM core.streetlight_fixtures").fetchall() == [("SL1", None, None)]


def test_the_cli_summary_prints_the_inventory_by_sector_and_scope(tmp_path: Path, conn) -> None:
    import re

    from typer.testing import CliRunner

    from pipelines.cli import app

    city = _city(tmp_path, supplier=True)
    _build(conn, city)
    conn.close()
    result = CliRunner().invoke(app, ["summary", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    output = re.sub(r"[ \t]+", " ", result.output)
    assert "Municipal operations inventory 2024 (2 months), t CO2e" in output
    # Vehicle fleet 2024: scope 1 = 10 gal x 8.9791 kg = 0.09 t; scope 2 = 100 kWh x 0.27178 kg = 0.03 t (location),
    # 100 kWh x 0.25 kg = 0.03 t (market); total 0.12 t.
    assert re.search(r"Vehicle fleet │ 0\.1 │ 0\.0 │ 0\.0 │ 0\.1 │", output), output
    # Location total 2024: scope 1 (0.0531 + 0.0898 t) + 3,930 kWh x 0.27178 kg (1.0681 t) = 1.211 t -> "1 t".
    assert "Inventory totals (location-based): 2024 1 t CO2e." in output


# --- scope 3 T&D losses (city.td_losses) ------------------------------------------------------------------------------

# eGRID grid gross loss for RFCE (the Eastern interconnect), EPA Power Profiler app/data/subregion.json field grid_loss:
# eGRID2023 4.2% (the default edition for 2024), eGRID2019 5.1% (the edition of Hub 2021's Table 6).
LOSS_2023, LOSS_2019 = 0.042, 0.051


def _losses(conn, where: str = "true") -> list[dict]:
    cursor = conn.execute(f"SELECT * FROM out.municipal_td_losses_monthly WHERE {where} ORDER BY ALL")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_td_losses_are_the_lost_kwh_at_the_location_rate_beside_the_inventory(tmp_path: Path, conn) -> None:
    from city_outcomes.metrics.td_losses import refresh_td_losses

    city = _city(tmp_path, supplier=True, td_losses=True)
    _build(conn, city)
    before = _sum(conn, "true")
    assert refresh_td_losses(conn, city, MONTHS) == 9  # one row per scope 2 electricity row of the inventory
    ratio = LOSS_2023 / (1 - LOSS_2023)  # kWh generated = kWh used / (1 - loss): lost = used x loss / (1 - loss)
    # SL1's 100 kWh in January (Public Works streetlights): 100 x 0.042 / 0.958 = 4.384134 kWh lost, x 0.27177894 kg
    # CO2e/kWh = 1.191515 kg. Scope 3, GPC I.2.3; not dual-reported: the market figure is the location one, not the
    # utility's 0.25 kg/kWh.
    (light,) = _losses(conn, "subsector = 'Streetlights' AND department = 'Public Works' AND period_month = DATE '2024-01-01'")
    assert light["activity"] == pytest.approx(4.384134, rel=1e-6) and light["activity"] == pytest.approx(100 * ratio, rel=1e-12)
    assert light["co2e_tonnes"] == pytest.approx(0.001191515, rel=1e-6) and light["co2e_tonnes"] == pytest.approx(100 * ratio * E_2023 / 1000, rel=1e-12)
    assert light["co2e_tonnes_market"] == light["co2e_tonnes"]
    assert (light["scope"], light["gas"], light["gpc_reference"], light["factor_set"], light["grid_gross_loss"]) == (3, "CO2e", "I.2.3", "egrid2023", LOSS_2023)
    assert "eGRID2023" in light["loss_source_document"] and light["loss_data_year"] == 2023
    # City Hall's 1,000 kWh; the fleet's 100 kWh of charging is transport (II.1.3).
    (office,) = _losses(conn, "subsector = 'office'")
    assert office["co2e_tonnes"] == pytest.approx(1000 * ratio * E_2023 / 1000, rel=1e-12)
    (fleet,) = _losses(conn, "sector = 'Vehicle fleet'")
    assert (fleet["gpc_reference"], fleet["activity"]) == ("II.1.3", pytest.approx(100 * ratio, rel=1e-12))
    # Every grid kWh, no gas or gasoline: 3,930 kWh x ratio x the location rate; the inventory's totals are untouched.
    assert _sum(conn, "true", table="out.municipal_td_losses_monthly") == pytest.approx(3930 * ratio * E_2023 / 1000, rel=1e-12)
    assert _sum(conn, "source_kind <> 'electricity'", table="out.municipal_td_losses_monthly") == 0
    assert _sum(conn, "true") == before and inventory_invariant_failures(conn) == []
    # trace names the loss applied, with its edition's document.
    from city_outcomes.trace import trace_metric

    traced = trace_metric(conn, "municipal_td_losses_co2e_tonnes", "2024-01", {"subsector": "Streetlights"})
    assert traced.rows == 1 and traced.value == pytest.approx(100 * ratio * E_2023 / 1000, rel=1e-12)
    assert [(f["rate_basis"], f["value"], f["factor_set"], f["region"], f["data_year"]) for f in traced.factors] == [("grid_gross_loss", LOSS_2023, "egrid2023", "RFCE", 2023)]
    assert "eGRID2023" in traced.factors[0]["source_document"]


def test_td_losses_of_per_gas_factors_are_per_gas_and_leave_the_suppliers_market_row_out(tmp_path: Path, conn) -> None:
    from city_outcomes.metrics.td_losses import refresh_td_losses

    # Hub 2021 (eGRID2019's RFCE CO2 695.0, CH4 0.053, N2O 0.007 lb/MWh) for 2024, with the utility's market rate: the
    # inventory's office group has CO2, CH4 and N2O rows (location) and a CO2e row (market, 0 location-based).
    city = _city(tmp_path, supplier=True, td_losses=True, electricity_factors={2024: "epa_ghg_hub_2021"})
    _build(conn, city)
    refresh_td_losses(conn, city, MONTHS)
    office = {r["gas"]: r for r in _losses(conn, "subsector = 'office'")}
    assert set(office) == {"CO2", "CH4", "N2O"}
    ratio = LOSS_2019 / (1 - LOSS_2019)
    # 1 MWh x 695.0 lb x 0.45359237 kg/lb = 315.2467 kg CO2, x 0.051 / 0.949 = 16.9416 kg lost with it.
    assert office["CO2"]["mass_tonnes"] == pytest.approx(0.0169416, rel=1e-5)
    assert office["CO2"]["mass_tonnes"] == pytest.approx(695.0 * KG_PER_LB / 1000 * ratio, rel=1e-12)
    assert office["N2O"]["co2e_tonnes"] == pytest.approx(0.007 * 298 * KG_PER_LB / 1000 * ratio, rel=1e-12)
    total = sum(r["co2e_tonnes"] for r in office.values())
    assert total == pytest.approx((695.0 + 0.053 * 25 + 0.007 * 298) * KG_PER_LB / 1000 * ratio, rel=1e-12)
    assert sum(r["co2e_tonnes_market"] for r in office.values()) == pytest.approx(total, rel=1e-12)
    assert {r["grid_gross_loss"] for r in office.values()} == {LOSS_2019}


def test_a_year_at_the_citys_own_grid_factor_has_no_grid_loss_and_stops_the_run(tmp_path: Path, conn, monkeypatch: pytest.MonkeyPatch) -> None:
    from city_outcomes.metrics.td_losses import TD_LOSSES_TABLE, refresh_td_losses
    from city_outcomes.warehouse import table_exists

    own = ["riverton_grid_2024", "electricity", "RFCE", "total_output", "CO2e", 0.3, "kg/kWh", "I.x.2", OWN, "Table C", 2025, 2024]
    monkeypatch.setattr(sys.modules[__name__], "SUPPLIER", [*SUPPLIER, own])
    city = _city(tmp_path, supplier=True, td_losses=True, electricity_factors={2024: "riverton_grid_2024"})
    _build(conn, city)
    with pytest.raises(MissingFactorError) as raised:
        refresh_td_losses(conn, city, MONTHS)
    message = str(raised.value)
    assert "inventory year 2024: factor set 'riverton_grid_2024' has no grid gross loss for grid_subregion 'RFCE' (9 row(s)" in message
    assert "electricity_factors: {2024: egrid2023}" in message and "city.td_losses: false" in message and str(city.config_path) in message
    assert not table_exists(conn, *TD_LOSSES_TABLE.split("."))  # nothing written, no row left out


def test_a_grid_loss_given_as_a_percentage_is_refused(tmp_path: Path, conn, monkeypatch: pytest.MonkeyPatch) -> None:
    from city_outcomes.metrics import td_losses

    shipped = td_losses.GRID_LOSS_FILE.read_text(encoding="utf-8")
    planted = tmp_path / "grid_gross_loss.csv"
    planted.write_text(shipped.replace("egrid2023,RFCE,0.042,", "egrid2023,RFCE,4.2,"), encoding="utf-8")
    monkeypatch.setattr(td_losses, "GRID_LOSS_FILE", planted)
    with pytest.raises(ValueError, match=r"egrid2023 RFCE: grid gross loss 4\.2 is not a share between 0 and 0\.5"):
        td_losses.write_grid_gross_loss(conn)
    monkeypatch.undo()  # the shipped file loads: one row per edition and subregion (and Hub 2021's alias)
    assert td_losses.write_grid_gross_loss(conn) == shipped.count("\n") - 1 == 164


def test_the_summary_and_the_page_show_td_losses_in_their_own_column_not_in_the_totals(tmp_path: Path, conn) -> None:
    import re

    from typer.testing import CliRunner

    from city_outcomes.metrics.td_losses import refresh_td_losses
    from city_outcomes.publish.pages.emissions import _latest_inventory
    from pipelines.cli import app

    city = _city(tmp_path, supplier=True, td_losses=True)
    _build(conn, city)
    refresh_td_losses(conn, city, MONTHS)
    ratio = LOSS_2023 / (1 - LOSS_2023)
    page = _latest_inventory(conn)
    rows = {r["sector"]: r for r in page["rows"]}
    assert page["td_losses"] and page["td_losses_applied"] == "egrid2023 4.2%"
    lights = rows["Streetlights and traffic signals"]
    assert lights["scope3_td"] == pytest.approx((100 + 50 + 90 + 40) * ratio * E_2023 / 1000, rel=1e-12)
    assert lights["total_location"] == pytest.approx((100 + 50 + 90 + 40) * E_2023 / 1000, rel=1e-12)  # not in it
    assert rows["All sectors"]["scope3_td"] == pytest.approx(3930 * ratio * E_2023 / 1000, rel=1e-12)
    conn.close()
    result = CliRunner().invoke(app, ["summary", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    output = re.sub(r"[ \t]+", " ", result.output)
    # The column (every sector's losses are under 0.05 t here) and the year's total: 3,930 kWh x 0.042 / 0.958 x
    # 0.27177894 kg = 46.83 kg -> "0.0 t".
    assert re.search(r"Vehicle fleet │ 0\.1 │ 0\.0 │ 0\.0 │ 0\.1 │ 0\.0 │", output) and "scope 3 T&D" in output, output
    assert "Scope 3 T&D losses (city.td_losses), beside the totals, not in them: 2024 0.0 t CO2e." in output
    assert "Inventory totals (location-based): 2024 1 t CO2e." in output  # 1.211 t, as without the losses
