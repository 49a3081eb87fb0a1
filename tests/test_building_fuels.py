"""Buildings' other fuels (district steam, hot and chilled water, fuel oils, propane) and annual benchmarking rows
(issue 12, Deliver 1 and 4).

Expected figures are worked out here by hand from EPA's published tables, typed from the documents (EPA GHG
Emission Factors Hub 2021: Table 1 stationary combustion, Table 7 steam and heat; shared/DOMAIN.md section 3), not
read from the project's tables: activity -> MMBtu x kg per MMBtu of each gas x AR4 GWP.
"""

from __future__ import annotations

import csv
import importlib.util
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from city_outcomes import warehouse
from city_outcomes.config import REFERENCE_DATA, CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.benchmarking import BENCHMARKING_TABLE, refresh_benchmarking_emissions, uncounted_benchmarking_rows
from city_outcomes.metrics.emissions import MissingFactorError, refresh_building_emissions, write_unit_conversions
from city_outcomes.metrics.fleet import refresh_fleet_emissions
from city_outcomes.metrics.inventory import inventory_invariant_failures, refresh_municipal_inventory, refresh_municipal_inventory_annual
from city_outcomes.metrics.public_ev_charging import refresh_public_ev_charging_emissions
from city_outcomes.metrics.streetlights import refresh_streetlight_emissions
from city_outcomes.units import unit_conversions
from tests.conftest import REALDATA, write_city
from tests.test_factor_editions import ENERGY_COLUMNS, FACTOR_COLUMNS, LB_PER_TONNE, _rows, _write_csv

AR4_CH4, AR4_N2O = 25, 298
# Hub 2021 Table 7, Steam and Heat, per mmBtu of steam or heat purchased: 66.33 kg CO2, 1.25 g CH4, 0.125 g N2O.
STEAM_KG_PER_MMBTU = 66.33 + 1.25 / 1000 * AR4_CH4 + 0.125 / 1000 * AR4_N2O  # = 66.33 + 0.03125 + 0.03725 = 66.3985
# Hub 2021 Table 1, Distillate Fuel Oil No. 2: 0.138 mmBtu/gal; 73.96 kg CO2, 3 g CH4, 0.6 g N2O per mmBtu.
OIL_2_MMBTU_PER_GAL, OIL_2_CO2 = 0.138, 73.96
OIL_2_KG_PER_MMBTU = 73.96 + 3 / 1000 * AR4_CH4 + 0.6 / 1000 * AR4_N2O  # = 73.96 + 0.075 + 0.1788 = 74.2138
# Hub 2021 Table 1, Propane: 0.091 mmBtu/gal; 62.87 kg CO2, 3 g CH4, 0.6 g N2O per mmBtu (DOMAIN.md section 3: 5.72 kg CO2/gal).
PROPANE_MMBTU_PER_GAL, PROPANE_CO2 = 0.091, 62.87
PROPANE_KG_PER_MMBTU = 62.87 + 3 / 1000 * AR4_CH4 + 0.6 / 1000 * AR4_N2O  # = 63.1238
# eGRID2023 NWPP total output CO2e (EPA Power Profiler), the default edition for 2023 (tests/test_factor_editions.py).
NWPP_2023_CO2E = 635.267
GAS_KG_PER_MMBTU = 53.06 + 1.0 / 1000 * AR4_CH4 + 0.1 / 1000 * AR4_N2O
STEAM_SUPPLIER = "Riverton District Energy, 2023 steam emission factor disclosure (a test document)"
BENCHMARKING_COLUMNS = ["property_id", "property_name", "calendar_year", "property_type", "gross_floor_area_sqft",
                        "electricity_grid_kwh", "district_steam_kbtu", "propane_kbtu", "fuel_oil_5_6_kbtu"]


def _city(folder: Path, bills: list[list], factors: list[list] | None = None, benchmarking: list[list] | None = None,
          benchmarking_feed: dict | None = None, **settings: object) -> CityConfig:
    """A city with one bills file (contract columns), optionally its own factors and a benchmarking export."""
    feeds: dict[str, dict] = {"building_energy": {"contract": "building_energy", "path": "bills/*.csv"}}
    if factors is not None:
        feeds["city_factors"] = {"contract": "emission_factors", "path": "factors/*.csv", "description": "the city's own factors"}
    if benchmarking is not None:
        feeds["benchmarking"] = {"contract": "building_benchmarking", "path": "benchmarking/*.csv", **(benchmarking_feed or {})}
    city = write_city(folder, feeds=feeds, first_month="2019-01-01", grid_subregion="NWPP", **settings)
    _write_csv(city.inbox_dir / "bills" / "bills.csv", ENERGY_COLUMNS, bills)
    if factors is not None:
        _write_csv(city.inbox_dir / "factors" / "factors.csv", FACTOR_COLUMNS, factors)
    if benchmarking is not None:
        _write_csv(city.inbox_dir / "benchmarking" / "pm_export.csv", BENCHMARKING_COLUMNS, benchmarking)
    return city


def _run(conn, city: CityConfig, months: tuple[date, date] = (date(2019, 1, 1), date(2026, 1, 1))) -> None:
    for name in city.feeds:
        outcome = ingest_feed(conn, city, name)
        assert all(f.rows_quarantined == 0 for f in outcome.files), (name, outcome.top_rules)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, months)


# --- monthly bills of the other fuels --------------------------------------------------------------------------------


def test_a_steam_kbtu_at_the_epa_default(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, [["B1", "2023-01-01", "district_steam", 1000, "kBtu", ""], ["B1", "2023-02-01", "district_steam", 2.5, "MMBtu", ""]])
    _run(conn, city)
    jan, feb = _rows(conn)
    # 1,000 kBtu = 1 MMBtu x 66.3985 kg CO2e/MMBtu = 0.0663985 t; 2.5 MMBtu x 66.3985 = 0.16599625 t.
    assert jan["co2e_tonnes"] == pytest.approx(0.0663985, rel=1e-12)
    assert feb["co2e_tonnes"] == pytest.approx(0.16599625, rel=1e-12)
    assert jan["co2_kg"] == pytest.approx(66.33, rel=1e-12) and jan["ch4_kg"] == pytest.approx(0.00125, rel=1e-12)
    assert (jan["activity_quantity"], jan["activity_unit"]) == (pytest.approx(1.0), "MMBtu")
    # Purchased steam is scope 2 (GPC I.x.2), the same figure in both methods.
    assert (jan["scope"], jan["gpc_reference"], jan["factor_basis"], jan["factor_set"]) == (2, "I.2.2", "per_gas", "epa_ghg_hub_2021")
    assert jan["factor_choice"] == "default: city.factor_set, no district_steam supplier factor with data year <= 2023"
    assert jan["co2e_tonnes_market"] == jan["co2e_tonnes"] and jan["market_method"] == "district energy: default factor, same as location-based"
    assert {f["source_table"] for f in jan["factors_applied"]} == {"Table 7 Steam and Heat"}
    assert {f["rate_basis"] for f in jan["factors_applied"]} == {"purchased_default"}


def test_a_co2e_only_steam_supplier_factor_is_used_for_steam_and_recorded(tmp_path: Path, conn) -> None:
    # The steam supplier discloses 70.0 kg CO2e per MMBtu delivered (no per-gas split), for data year 2022.
    factors = [["riverton_steam_2023", "district_steam", "Riverton District Energy loop", "supplier_specific", "CO2e", 70.0, "kg/MMBtu", "I.x.2", STEAM_SUPPLIER, "Table 2", 2023, 2022]]
    bills = [
        ["B1", "2023-01-01", "district_steam", 500, "kBtu", ""],
        ["B1", "2021-01-01", "district_steam", 500, "kBtu", ""],  # before the supplier's data year: the EPA default
        ["B1", "2023-01-01", "natural_gas", 10, "therm", ""],
    ]
    city = _city(tmp_path, bills, factors)
    _run(conn, city)
    rows = {(r["period_month"].year, r["energy_type"]): r for r in _rows(conn)}
    steam = rows[(2023, "district_steam")]
    # 500 kBtu = 0.5 MMBtu x 70.0 kg CO2e/MMBtu = 35 kg = 0.035 t, the CO2e factor taken as published (no GWP).
    assert steam["co2e_tonnes"] == pytest.approx(0.035, rel=1e-12)
    assert (steam["factor_set"], steam["factor_basis"], steam["co2_kg"], steam["ch4_kg"]) == ("riverton_steam_2023", "CO2e", None, None)
    assert steam["factor_choice"] == "supplier-specific: the district_steam supplier's factor, latest data year <= 2023"
    [applied] = steam["factors_applied"]
    assert (applied["gas"], applied["value"], applied["source_document"], applied["rate_basis"], applied["data_year"]) == ("CO2e", 70.0, STEAM_SUPPLIER, "supplier_specific", 2022)
    assert steam["co2e_tonnes_market"] == steam["co2e_tonnes"] and steam["market_method"] == "district energy: supplier-specific, same as location-based"
    # 2021 precedes the supplier's data year: 0.5 MMBtu x 66.3985 kg at Hub Table 7.
    assert rows[(2021, "district_steam")]["co2e_tonnes"] == pytest.approx(0.5 * STEAM_KG_PER_MMBTU / 1000, rel=1e-12)
    assert rows[(2021, "district_steam")]["factor_set"] == "epa_ghg_hub_2021"
    # The shipped factors are still there: gas at Hub Table 1 (10 therms = 1 MMBtu).
    assert rows[(2023, "natural_gas")]["co2e_tonnes"] == pytest.approx(GAS_KG_PER_MMBTU / 1000, rel=1e-12)


def test_a_fuel_oil_gallon_and_a_propane_gallon(tmp_path: Path, conn) -> None:
    bills = [["B1", "2023-01-01", "fuel_oil_2", 100, "gal", ""], ["B2", "2023-01-01", "stationary_propane", 100, "gal", ""]]
    city = _city(tmp_path, bills)
    _run(conn, city)
    [oil], [propane] = _rows(conn, "building_id = 'B1'"), _rows(conn, "building_id = 'B2'")
    # No. 2 oil: 100 gal x 0.138 = 13.8 MMBtu; CO2 13.8 x 73.96 = 1,020.648 kg; CO2e 13.8 x 74.2138 = 1,024.15044 kg.
    assert oil["activity_quantity"] == pytest.approx(13.8, rel=1e-12)
    assert oil["co2_kg"] == pytest.approx(1020.648, rel=1e-12)
    assert oil["co2e_tonnes"] == pytest.approx(1.02415044, rel=1e-12)
    # Hub Table 1 also prints 10.21 kg CO2 per gallon: the per-MMBtu route agrees to its rounding (1,021 kg).
    assert oil["co2_kg"] == pytest.approx(100 * 10.21, rel=1e-3)
    # Propane: 100 gal x 0.091 = 9.1 MMBtu; CO2 9.1 x 62.87 = 572.117 kg (DOMAIN.md: 5.72 kg CO2/gal); CO2e 9.1 x 63.1238 = 574.42658 kg.
    assert propane["co2_kg"] == pytest.approx(572.117, rel=1e-12) and propane["co2_kg"] == pytest.approx(100 * 5.72, rel=1e-3)
    assert propane["co2e_tonnes"] == pytest.approx(0.57442658, rel=1e-12)
    for row, table in ((oil, "Table 1 Stationary Combustion: Distillate Fuel Oil No. 2"), (propane, "Table 1 Stationary Combustion: Propane")):
        assert (row["scope"], row["gpc_reference"], row["factor_basis"], row["market_method"]) == (1, "I.2.1", "per_gas", "scope 1: same as location-based")
        assert {f["source_table"] for f in row["factors_applied"]} == {table}


def test_chilled_water_in_ton_hours_needs_and_uses_the_suppliers_factor(tmp_path: Path, conn) -> None:
    bills = [["B1", "2023-07-01", "district_chilled_water", 1000, "ton-hour", ""], ["B1", "2023-08-01", "district_chilled_water", 800, "ton-hour", ""]]
    (tmp_path / "a").mkdir()
    with pytest.raises(MissingFactorError) as raised:
        _run(conn, _city(tmp_path / "a", bills))
    message = str(raised.value)
    assert "feed building_energy: bills.csv row 1 and 1 more row(s) like it: district_chilled_water, inventory year 2023 (2023-07)" in message
    assert "chilled water has no EPA default factor (the Hub has none): add the chilled-water supplier's factor" in message
    assert "2 activity row(s) found no emission factor" in message

    factors = [["riverton_chw_2023", "district_chilled_water", "Riverton cooling plant", "supplier_specific", "CO2e", 40.0, "kg/MMBtu", "I.x.2", STEAM_SUPPLIER, "Table 3", 2023, 2023]]
    (tmp_path / "b").mkdir()
    city = _city(tmp_path / "b", bills, factors)
    other = warehouse.connect(city.warehouse_path)  # the second city's own warehouse
    try:
        _run(other, city)
        july = _rows(other, "period_month = DATE '2023-07-01'")[0]
    finally:
        other.close()
    # 1,000 ton-hours x 12,000 Btu = 12 MMBtu x 40.0 kg CO2e/MMBtu = 480 kg = 0.48 t; scope 2.
    assert july["activity_quantity"] == pytest.approx(12.0, rel=1e-12)
    assert july["co2e_tonnes"] == pytest.approx(0.48, rel=1e-12) and july["scope"] == 2


def test_a_citys_own_fuel_set_is_added_to_the_shipped_one_a_fuel_it_lacks_takes_the_shipped_factor(tmp_path: Path, conn) -> None:
    # The city's fuel factor set is its gas utility's: natural gas at its CO2e rate, and for steam (which it has no
    # factor for, and the steam supplier gave none) EPA's default from the shipped Hub 2021, said on the row.
    factors = [["riverton_gas_2024", "natural_gas", "US", "combustion", "CO2e", 54.0, "kg/MMBtu", "I.x.1", STEAM_SUPPLIER, "Table A", 2024, 2023]]
    bills = [["B1", "2023-01-01", "natural_gas", 10, "therm", ""], ["B2", "2024-03-01", "district_steam", 900, "kBtu", ""]]
    city = _city(tmp_path, bills, factors, factor_set="riverton_gas_2024")
    _run(conn, city)
    gas, steam = (_rows(conn, f"energy_type = '{t}'")[0] for t in ("natural_gas", "district_steam"))
    assert gas["co2e_tonnes"] == pytest.approx(10 * 0.1 * 54.0 / 1000, rel=1e-12)  # 1 MMBtu x 54.0 kg
    assert (gas["factor_set"], gas["factor_choice"]) == ("riverton_gas_2024", "configured: city.factor_set")
    # 900 kBtu = 0.9 MMBtu x 66.3985 kg CO2e/MMBtu (Hub 2021 Table 7, AR4) = 59.759 kg.
    assert steam["co2e_tonnes"] == pytest.approx(0.9 * STEAM_KG_PER_MMBTU / 1000, rel=1e-12)
    assert (steam["factor_set"], steam["scope"]) == ("epa_ghg_hub_2021", 2)
    assert steam["factor_choice"] == "default: shipped epa_ghg_hub_2021, city.factor_set riverton_gas_2024 has no district_steam purchased_default factor"
    assert {f["factor_set"] for f in steam["factors_applied"]} == {"epa_ghg_hub_2021"}


def test_a_planted_missing_steam_factor_stops_the_run_naming_the_row_fuel_and_year(tmp_path: Path, conn) -> None:
    # The city's own set has a steam factor, but CO2 only: no whole figure, and no mixing with the shipped set's
    # CH4 and N2O; the steam supplier gave none.
    factors = [["riverton_gas_2024", "natural_gas", "US", "combustion", "CO2e", 54.0, "kg/MMBtu", "I.x.1", STEAM_SUPPLIER, "Table A", 2024, 2023],
               ["riverton_gas_2024", "district_steam", "US", "purchased_default", "CO2", 66.0, "kg/MMBtu", "I.x.2", STEAM_SUPPLIER, "Table A", 2024, 2023]]
    bills = [["B1", "2023-01-01", "natural_gas", 10, "therm", ""], ["B2", "2024-03-01", "district_steam", 900, "kBtu", ""]]
    city = _city(tmp_path, bills, factors, factor_set="riverton_gas_2024")
    with pytest.raises(MissingFactorError) as raised:
        _run(conn, city)
    message = str(raised.value)
    assert "1 activity row(s) found no emission factor" in message  # the gas row has its factor
    assert "feed building_energy: bills.csv row 2: district_steam, inventory year 2024 (2024-03): location-based: factor set " \
           "'riverton_gas_2024' has no district_steam purchased_default factor in kg/MMBtu or a unit convertible to it: needs CO2, CH4 and N2O, or CO2e (found: CO2)" in message
    assert "Fix: add the district_steam supplier's factor (rate_basis supplier_specific, data year <= 2024)" in message
    assert not conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'building_emissions_monthly'").fetchone()[0]


# --- annual benchmarking rows, kept apart from the monthly bills -----------------------------------------------------


def test_a_benchmarking_year_overlapping_monthly_bills_is_not_counted_twice(tmp_path: Path, conn) -> None:
    # B1 has twelve monthly electricity bills of 1,000 kWh in 2023, and a benchmarking row of 2023 giving 12,500 kWh
    # of electricity (the same meter, read another way) and 10,000 kBtu of steam (not billed monthly). B2 only benchmarks.
    bills = [["B1", f"2023-{m:02d}-01", "electricity", 1000, "kWh", ""] for m in range(1, 13)]
    benchmarking = [
        ["B1", "City Hall", 2023, "Office", 50000, 12500, 10000, "", ""],
        ["B2", "Fire Station 2", 2023, "Fire Station", 9000, 20000, "", 5000, ""],
    ]
    city = _city(tmp_path, bills, benchmarking=benchmarking)
    _run(conn, city)
    assert refresh_benchmarking_emissions(conn, city) == 4
    rows = {(r[0], r[1]): r for r in conn.execute(
        f"SELECT building_id, energy_type, counted_in_inventory, co2e_tonnes, exclusion_reason, scope, factor_choice FROM {BENCHMARKING_TABLE}").fetchall()}
    # B1 electricity is kept out, with its reason; its steam counts (no steam bills).
    assert rows[("B1", "electricity")][2:4] == (False, None)
    assert rows[("B1", "electricity")][4] == ("kept out: building B1 has monthly bills of electricity in 2023 (12 month(s), 12 row(s) of "
                                              "core.building_energy), counted from the bills")
    # B1 steam: 10,000 kBtu = 10 MMBtu x 66.3985 = 663.985 kg. B2: 20 MWh x 635.267 lb/MWh / 2,204.62262 lb/t;
    # propane 5,000 kBtu = 5 MMBtu x 63.1238 = 315.619 kg.
    assert rows[("B1", "district_steam")][2:4] == (True, pytest.approx(0.663985, rel=1e-12))
    assert rows[("B2", "electricity")][3] == pytest.approx(20 * NWPP_2023_CO2E / LB_PER_TONNE, rel=1e-8)
    assert rows[("B2", "electricity")][6] == "default: latest edition with data year <= 2023"
    assert rows[("B2", "stationary_propane")][2:4] == (True, pytest.approx(0.315619, rel=1e-12))
    assert (rows[("B1", "district_steam")][5], rows[("B2", "stationary_propane")][5]) == (2, 1)
    # The inventory (bills + counted benchmarking) holds B1's electricity once: 12 MWh of bills, not 12 + 12.5.
    monthly = conn.execute("SELECT sum(co2e_tonnes) FROM out.building_emissions_monthly").fetchone()[0]
    annual = conn.execute(f"SELECT sum(co2e_tonnes) FROM {BENCHMARKING_TABLE}").fetchone()[0]
    by_hand = 12 * NWPP_2023_CO2E / LB_PER_TONNE + 0.663985 + 20 * NWPP_2023_CO2E / LB_PER_TONNE + 0.315619
    assert monthly + annual == pytest.approx(by_hand, rel=1e-8)
    assert uncounted_benchmarking_rows(conn) == []


def test_counted_benchmarking_rows_join_the_annual_inventory_once_split_by_gas(tmp_path: Path, conn) -> None:
    # The same city as above: B1's billed electricity is in the inventory from its monthly rows; B1's steam and B2's
    # electricity and propane from the benchmarking rows (basis 'annual benchmarking'), each once.
    bills = [["B1", f"2023-{m:02d}-01", "electricity", 1000, "kWh", ""] for m in range(1, 13)]
    benchmarking = [
        ["B1", "City Hall", 2023, "Office", 50000, 12500, 10000, "", ""],
        ["B2", "Fire Station 2", 2023, "Fire Station", 9000, 20000, "", 5000, ""],
    ]
    city = _city(tmp_path, bills, benchmarking=benchmarking)
    months = (date(2019, 1, 1), date(2026, 1, 1))
    _run(conn, city, months)
    refresh_benchmarking_emissions(conn, city)
    for refresh in (refresh_fleet_emissions, refresh_streetlight_emissions, refresh_public_ev_charging_emissions, refresh_municipal_inventory):
        refresh(conn, city, months)  # the other sectors: no feeds, no rows
    refresh_municipal_inventory_annual(conn, city)
    rows = {(r[0], r[1], r[2]): r[3:] for r in conn.execute(
        "SELECT basis, source_kind, gas, activity, co2e_tonnes, co2e_tonnes_market, months FROM out.municipal_inventory_annual "
        "WHERE inventory_year = 2023").fetchall()}
    electricity_2023 = NWPP_2023_CO2E * 0.45359237 / 1000  # t CO2e per MWh (lb/MWh x kg/lb); eGRID2023 gives CO2e only: one CO2e row
    assert rows[("monthly rows", "electricity", "CO2e")] == pytest.approx((12000, 12 * electricity_2023, 12 * electricity_2023, 12), rel=1e-12)
    assert rows[("annual benchmarking", "electricity", "CO2e")][:3] == pytest.approx((20000, 20 * electricity_2023, 20 * electricity_2023), rel=1e-12)
    assert rows[("annual benchmarking", "electricity", "CO2e")][3] == 12  # a benchmarking row reports a whole year
    # Steam, 10 MMBtu (Hub Table 7): CO2 663.3 kg, CH4 12.5 g x 25, N2O 1.25 g x 298. Propane, 5 MMBtu: CO2 314.35 kg.
    assert rows[("annual benchmarking", "district_steam", "CO2")][1] == pytest.approx(0.6633, rel=1e-12)
    assert rows[("annual benchmarking", "district_steam", "CH4")][1] == pytest.approx(0.0125 * AR4_CH4 / 1000, rel=1e-9)
    assert rows[("annual benchmarking", "district_steam", "N2O")][1] == pytest.approx(0.00125 * AR4_N2O / 1000, rel=1e-9)
    assert rows[("annual benchmarking", "stationary_propane", "CO2")][1] == pytest.approx(5 * PROPANE_CO2 / 1000, rel=1e-12)
    assert ("annual benchmarking", "electricity", "CO2e") in rows and ("monthly rows", "district_steam", "CO2") not in rows
    total = conn.execute("SELECT sum(co2e_tonnes) FROM out.municipal_inventory_annual WHERE inventory_year = 2023").fetchone()[0]
    assert total == pytest.approx(12 * electricity_2023 + 0.663985 + 20 * electricity_2023 + 0.315619, rel=1e-8)
    assert inventory_invariant_failures(conn) == []
    # Planted: a benchmarking row lost from the annual table breaks the invariant that counts them.
    conn.execute("DELETE FROM out.municipal_inventory_annual WHERE basis = 'annual benchmarking' AND source_kind = 'stationary_propane'")
    assert [f["invariant"] for f in inventory_invariant_failures(conn)] == ["counted benchmarking rows are in the annual inventory once"]


def test_a_property_maps_to_a_building_in_the_feed_and_a_factorless_fuel_stops_the_run(tmp_path: Path, conn) -> None:
    # The export's Portfolio Manager ids map to the city's building ids in the feed's `values`; a property reporting
    # "Fuel Oil #5 & 6" (no EPA factor for the mix) stops the run, naming the row, the fuel and the year.
    benchmarking = [["PM-555", "Library", 2023, "Library", 9000, 1000, "", "", 2000], ["PM-556", "Pool", 2023, "Pool", 9000, 1000, "", "", ""]]
    feed = {"values": {"property_id": {"PM-555": "B-LIB", "PM-556": "B-POOL"}}}
    city = _city(tmp_path, [["B-LIB", "2023-01-01", "electricity", 10, "kWh", ""]], benchmarking=benchmarking, benchmarking_feed=feed)
    _run(conn, city)
    with pytest.raises(MissingFactorError) as raised:
        refresh_benchmarking_emissions(conn, city)
    message = str(raised.value)
    assert "feed benchmarking: pm_export.csv row 1: fuel_oil_5_6, inventory year 2023 (2023-01): location-based: factor set " \
           "'epa_ghg_hub_2021' has no fuel_oil_5_6 combustion factor in kg/MMBtu" in message
    assert "1 activity row(s) found no emission factor" in message  # B-LIB's electricity is kept out, not counted: no factor needed
    # Without the mix the mapping holds: B-LIB's electricity overlaps its bill, B-POOL's counts.
    _write_csv(city.inbox_dir / "benchmarking" / "pm_export.csv", BENCHMARKING_COLUMNS, [row[:-1] + [""] for row in benchmarking])
    ingest_feed(conn, city, "benchmarking")
    refresh_benchmarking_emissions(conn, city)
    assert conn.execute(f"SELECT building_id, counted_in_inventory FROM {BENCHMARKING_TABLE} ORDER BY 1").fetchall() == [("B-LIB", False), ("B-POOL", True)]


# --- reference data and units ----------------------------------------------------------------------------------------

SHIPPED_TABLE_7 = REFERENCE_DATA / "sources" / "ghg-emission-factors-hub-2021_table_7.csv"
SHARED_WORKBOOK = REALDATA / "epa_ghg_ef_hub_2021" / "ghg-emission-factors-hub-2021.xlsx"


@pytest.mark.skipif(not SHARED_WORKBOOK.is_file(), reason=f"the EPA workbook is not at {SHARED_WORKBOOK}")
def test_the_shipped_table_7_extract_is_what_the_workbook_holds(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("table_7", REFERENCE_DATA / "extract_epa_ghg_hub_2021_table_7.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = tmp_path / SHIPPED_TABLE_7.name
    module.write(module.extract(SHARED_WORKBOOK), rebuilt)
    assert rebuilt.read_bytes() == SHIPPED_TABLE_7.read_bytes()


def test_shipped_steam_and_fuel_factors_have_their_published_values() -> None:
    with (REFERENCE_DATA / "emission_factors.csv").open() as handle:
        rows = {(r["activity"], r["rate_basis"], r["gas"]): r for r in csv.DictReader(handle)}
    # Typed from the workbook: Table 7 (row 377) and Table 1.
    for activity in ("district_steam", "district_hot_water"):
        assert [float(rows[(activity, "purchased_default", gas)]["value"]) for gas in ("CO2", "CH4", "N2O")] == [66.33, 1.25, 0.125]
        assert rows[(activity, "purchased_default", "CO2")]["source_table"] == "Table 7 Steam and Heat"
    assert float(rows[("fuel_oil_2", "combustion", "CO2")]["value"]) == 73.96
    assert float(rows[("stationary_propane", "combustion", "CO2")]["value"]) == 62.87
    assert float(rows[("fuel_oil_6", "combustion", "CO2")]["value"]) == 75.1
    assert float(rows[("kerosene", "combustion", "N2O")]["value"]) == 0.6
    assert not any(a == "district_chilled_water" for a, _, _ in rows)  # EPA publishes no chilled-water default


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("fuel_oil_2", "gal", 0.138),  # Hub 2021 Table 1 heat content, MMBtu/gal
        ("stationary_propane", "gal", 0.091),
        ("fuel_oil_6", "gal", 0.15),
        ("stationary_propane", "L", 0.091 / 3.785411784),
        ("district_steam", "kBtu", 0.001),
        ("district_hot_water", "GJ", 1e9 / 1055.056 / 1e6),
        ("district_chilled_water", "ton-hour", 0.012),  # a ton of refrigeration is 12,000 Btu per hour
        ("natural_gas", "kBtu", 0.001),
    ],
)
def test_fuel_unit_multipliers(quantity: str, unit: str, expected: float) -> None:
    table = unit_conversions()
    [multiplier] = table[(table.quantity == quantity) & (table.from_unit == unit)].multiplier
    assert multiplier == pytest.approx(expected, rel=1e-9)


# --- the demo city ---------------------------------------------------------------------------------------------------


def test_the_demo_city_benchmarks_four_buildings_and_counts_only_the_unbilled_diesel(demo_city: CityConfig, conn) -> None:
    import yaml

    from city_outcomes.demo.benchmarking import portfolio_manager_ids

    # The feed's id mapping is the generator's: every Portfolio Manager id lands on the building it was made for.
    buildings = pd.read_csv(demo_city.inbox_dir / "facilities" / "facility_inventory.csv")
    mapping = yaml.safe_load(demo_city.config_path.read_text())["feeds"]["building_benchmarking"]["values"]["property_id"]
    assert {building: pm for pm, building in mapping.items()} == portfolio_manager_ids(buildings)
    for name in ("emission_factors", "global_warming_potentials", "buildings", "building_energy", "building_benchmarking"):
        ingest_feed(conn, demo_city, name)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, demo_city, (date(2023, 1, 1), date(2026, 1, 1)))
    refresh_benchmarking_emissions(conn, demo_city)
    counted = conn.execute(f"SELECT building_id, calendar_year, energy_type, benchmarking_fields, co2e_tonnes, department FROM {BENCHMARKING_TABLE} "
                           "WHERE counted_in_inventory ORDER BY 2").fetchall()
    # City Hall's generator: 12 x 4 gal x 138 kBtu = 6,624 kBtu = 6.624 MMBtu of No. 2 oil x 74.2138 kg CO2e/MMBtu = 491.5922 kg.
    assert counted == [("F-0101", year, "fuel_oil_2", "diesel_2_kbtu", pytest.approx(6.624 * OIL_2_KG_PER_MMBTU / 1000, rel=1e-12), "General Services")
                       for year in (2023, 2024, 2025)]
    # The other 24 rows (4 buildings x 3 years x electricity and their heating fuel) are billed monthly: kept out.
    kept_out = conn.execute(f"SELECT count(*), count(co2e_tonnes), count(exclusion_reason), list(DISTINCT energy_type ORDER BY energy_type) "
                            f"FROM {BENCHMARKING_TABLE} WHERE NOT counted_in_inventory").fetchone()
    assert kept_out == (24, 0, 24, ["district_steam", "electricity", "fuel_oil_2", "natural_gas", "stationary_propane"])
    # `trace` follows the counted figure to the Portfolio Manager export's row and EPA's factors.
    from city_outcomes.trace import trace_metric

    traced = trace_metric(conn, "benchmarking_co2e_tonnes", "2024", {"building_id": "F-0101"})
    assert traced.value == pytest.approx(6.624 * OIL_2_KG_PER_MMBTU / 1000, rel=1e-12)  # the kept-out electricity and gas add nothing
    assert traced.rows == 3 and [(s.feed, s.row_numbers) for s in traced.sources] == [("building_benchmarking", "2")]
    assert {(f["gas"], f["value"]) for f in traced.factors} == {("CO2", 73.96), ("CH4", 3.0), ("N2O", 0.6)}


# --- real data: Seattle's 2016 benchmarking of City-owned buildings (shipped with the example) -----------------------


def test_seattle_steam_is_counted_at_the_epa_default_from_the_real_export(tmp_path: Path) -> None:
    import yaml

    from city_outcomes.config import PROJECT_ROOT, load_city_config

    example = PROJECT_ROOT / "cities" / "examples" / "seattle_benchmarking"
    export = example / "inbox" / "2016_Building_Energy_Benchmarking_city_owned.csv"
    with export.open(newline="", encoding="utf-8") as handle:
        steam = {r["OSEBuildingID"]: float(r["SteamUse(kBtu)"]) for r in csv.DictReader(handle) if float(r["SteamUse(kBtu)"] or 0) > 0}
    # By hand from the file: 13 of the 85 buildings buy steam; the Central Library (OSEBuildingID 21) 737,559.5 kBtu.
    assert len(steam) == 13 and steam["21"] == 737559.5
    raw = yaml.safe_load((example / "city.yaml").read_text(encoding="utf-8"))
    raw["paths"] = {"inbox": str((example / "inbox").resolve()), "landing": "landing", "warehouse": "w.duckdb", "site": "site"}
    raw["ingest"] = {"settle_seconds": 0}
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    city = load_city_config(tmp_path / "city.yaml")
    conn = warehouse.connect(city.warehouse_path)
    try:
        for name in ("emission_factors", "global_warming_potentials", "building_benchmarking"):
            ingest_feed(conn, city, name)
        write_unit_conversions(conn)
        assert refresh_benchmarking_emissions(conn, city) == 85 + 62 + 13  # every building's electricity, 62 with gas, 13 with steam
        library, total, counted = conn.execute(
            f"SELECT sum(co2e_tonnes) FILTER (WHERE building_id = '21'), sum(co2e_tonnes), bool_and(counted_in_inventory) "
            f"FROM {BENCHMARKING_TABLE} WHERE energy_type = 'district_steam'"
        ).fetchone()
    finally:
        conn.close()
    # 737,559.5 kBtu = 737.5595 MMBtu x 66.3985 kg CO2e/MMBtu (Hub Table 7, AR4) = 48,972.84 kg = 48.97284 t.
    assert library == pytest.approx(737.5595 * STEAM_KG_PER_MMBTU / 1000, rel=1e-12)
    assert total == pytest.approx(sum(steam.values()) / 1000 * STEAM_KG_PER_MMBTU / 1000, rel=1e-12)
    assert counted  # Seattle has no monthly bills feed: nothing overlaps
