"""Fleet emissions equal fuel x factor (x volume share for blends) x GWP, computed here by hand.

The factors are typed from EPA's GHG Emission Factors Hub 2021 (workbook last modified 15 September
2021), not read from the project's tables:
- Table 2, mobile combustion CO2 (kg/gal): motor gasoline 8.78, diesel 10.21, ethanol (100%) 5.75,
  biodiesel (100%) 9.45; CNG 0.05444 kg/scf.
- Table 5, non-road CH4 and N2O (g/gal), construction/mining off-road trucks: gasoline 5.58 and 0.2,
  diesel 0.13 and 0.49.
- Table 6, eGRID2019 RFCE total output (lb/MWh): CO2 695.0, CH4 0.053, N2O 0.007 (for charging in 2019-2020).
- EV charging in 2024 takes the inventory year's edition, as the buildings' electricity does: eGRID2023 RFCE
  total output CO2e, 599.17 lb/MWh (EPA Power Profiler subregion.json, eGRID2023; no per-gas split published).
- Table 1 heat contents (HHV): motor gasoline 0.125 MMBtu/gal, natural gas 0.001026 MMBtu/scf.
- Table 11 / IPCC AR4 GWPs: CH4 25, N2O 298.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig, load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import write_unit_conversions
from city_outcomes.metrics.factor_sets import factors_joined
from city_outcomes.metrics.fleet import describe_missing, fleet_fuel_without_emissions, refresh_fleet_emissions
from tests.conftest import write_city

GASOLINE_CO2, DIESEL_CO2, ETHANOL_CO2, BIODIESEL_CO2, CNG_CO2_PER_SCF = 8.78, 10.21, 5.75, 9.45, 0.05444
GASOLINE_CH4_G, GASOLINE_N2O_G, DIESEL_CH4_G, DIESEL_N2O_G = 5.58, 0.2, 0.13, 0.49
RFCE_CO2, RFCE_CH4, RFCE_N2O = 695.0, 0.053, 0.007
RFCE_2023_CO2E = 599.17
AR4_CH4, AR4_N2O = 25, 298
KG_PER_LB = 0.45359237
LITRES_PER_GALLON = 3.785411784  # US gallon, 231 cubic inches
SCF_PER_GGE = 0.125 / 0.001026

HEADER = "Transaction ID,Transaction Date,Transaction Time,Vehicle No.,Department,Vehicle Description,Odometer,Site,Product,Quantity,UOM,Unit Price,Total Cost"
# One purchase of each kind, as the demo fleet system exports them (line 2 of the file is row 1).
PURCHASES = [
    ("T-GAS", "UNL REG", "1", "GAL"),
    ("T-DSL", "DIESEL #2 ULSD", "1", "GAL"),
    ("T-E85", "E85 ETHANOL", "1", "GAL"),
    ("T-B20", "B20 BIODIESEL", "1", "GAL"),
    ("T-EV", "EV CHARGE", "1", "KWH"),
    ("T-GASL", "UNL REG", "1", "L"),
    ("T-CNG", "CNG", "1", "GGE"),
]


def _fleet_city(tmp_path: Path, purchases: list[tuple[str, str, str, str]], **overrides: object) -> CityConfig:
    """A city whose only feed is the demo's fleet system export (plus the shipped reference data),
    holding ``purchases`` on 15 July 2024, in the demo city's grid subregion (RFCE) and GWP set (AR4)."""
    feed = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]["fleet_fuel"]
    feed["values"]["fuel_type"]["HYDROGEN"] = "hydrogen"
    feed["values"]["unit"].update({"L": "L", "KG": "kg"})
    city = write_city(tmp_path, feeds={"fleet_fuel": feed}, **overrides)
    lines = [HEADER] + [
        f"FT{i},07/15/2024,08:00,{vehicle},Test,Test vehicle,1000,DEPOT,{product},{quantity},{unit},$1.000,$1.00"
        for i, (vehicle, product, quantity, unit) in enumerate(purchases, start=1)
    ]
    folder = city.inbox_dir / "fleet_fuel"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fuel_transactions_2024_Q3.csv").write_text("\n".join(lines) + "\n")
    return city


def _build(conn, city: CityConfig) -> int:
    for name in ("emission_factors", "global_warming_potentials", "fleet_fuel"):
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    return refresh_fleet_emissions(conn, city, (date(2024, 7, 1), date(2024, 8, 1)))


def _row(conn, vehicle: str) -> dict:
    cursor = conn.execute("SELECT * FROM out.fleet_emissions_monthly WHERE vehicle_id = ?", [vehicle])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1
    return dict(zip(names, rows[0], strict=True))


@pytest.fixture
def city(tmp_path: Path) -> CityConfig:
    return _fleet_city(tmp_path, PURCHASES)


@pytest.fixture
def built(city: CityConfig, conn):
    assert _build(conn, city) == len(PURCHASES)
    return conn


def test_a_gallon_of_gasoline(built) -> None:
    row = _row(built, "T-GAS")
    assert row["co2_kg"] == pytest.approx(8.78, rel=1e-12)
    assert row["ch4_kg"] == pytest.approx(0.00558, rel=1e-12)
    assert row["n2o_kg"] == pytest.approx(0.0002, rel=1e-12)
    assert row["biogenic_co2_kg"] == 0
    # 8.78 + 0.00558 x 25 + 0.0002 x 298 = 8.78 + 0.1395 + 0.0596 kg
    assert row["co2e_tonnes"] == pytest.approx(8.9791 / 1000, rel=1e-12)
    assert (row["scope"], row["gpc_reference"], row["period_month"], row["department"]) == (1, "II.1.1", date(2024, 7, 1), "Test")


def test_a_gallon_of_diesel(built) -> None:
    row = _row(built, "T-DSL")
    # 10.21 + 0.00013 x 25 + 0.00049 x 298 = 10.21 + 0.00325 + 0.14602 kg
    assert row["co2e_tonnes"] == pytest.approx(10.35927 / 1000, rel=1e-12)
    assert row["co2_kg"] == pytest.approx(DIESEL_CO2) and row["biogenic_co2_kg"] == 0


def test_a_gallon_of_e85_splits_fossil_and_biogenic_co2(built) -> None:
    row = _row(built, "T-E85")
    assert row["co2_kg"] == pytest.approx(0.15 * GASOLINE_CO2, rel=1e-12)  # 1.317 kg fossil
    assert row["biogenic_co2_kg"] == pytest.approx(0.85 * ETHANOL_CO2, rel=1e-12)  # 4.8875 kg, outside the total
    # The total holds the fossil CO2 and the (per gallon of blend) CH4 and N2O, never the biogenic CO2.
    by_hand = 0.15 * GASOLINE_CO2 + GASOLINE_CH4_G / 1000 * AR4_CH4 + GASOLINE_N2O_G / 1000 * AR4_N2O
    assert by_hand == pytest.approx(1.5161)
    assert row["co2e_tonnes"] == pytest.approx(by_hand / 1000, rel=1e-12)


def test_a_gallon_of_b20_splits_fossil_and_biogenic_co2(built) -> None:
    row = _row(built, "T-B20")
    assert row["co2_kg"] == pytest.approx(0.8 * DIESEL_CO2, rel=1e-12)  # 8.168 kg
    assert row["biogenic_co2_kg"] == pytest.approx(0.2 * BIODIESEL_CO2, rel=1e-12)  # 1.89 kg
    assert row["co2e_tonnes"] == pytest.approx((8.168 + 0.00325 + 0.14602) / 1000, rel=1e-12)


def test_a_kwh_charged_is_scope_2_at_the_grid_rate_of_its_year(built) -> None:
    row = _row(built, "T-EV")
    # July 2024: the default edition is eGRID2023 (latest data year <= 2024), which gives CO2e only:
    # 1 kWh x 599.17 lb/MWh x 0.45359237 kg/lb / 1000 kWh/MWh = 0.271779 kg CO2e.
    by_hand_kg = 1 / 1000 * KG_PER_LB * RFCE_2023_CO2E
    assert row["co2e_tonnes"] == pytest.approx(by_hand_kg / 1000, rel=1e-12)
    assert row["co2e_tonnes_market"] == row["co2e_tonnes"] and row["market_method"] == "location-based fallback"
    assert row["co2_kg"] is None and row["factor_set"] == "egrid2023"  # no per-gas split published
    assert (row["scope"], row["gpc_reference"]) == (2, "II.1.2")


def test_a_kwh_charged_in_2019_takes_the_per_gas_2019_rates(tmp_path: Path, conn) -> None:
    city = _fleet_city(tmp_path, [("T-EV", "EV CHARGE", "1", "KWH")])
    for name in ("emission_factors", "global_warming_potentials", "fleet_fuel"):
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    conn.execute("UPDATE core.fleet_fuel SET purchase_date = DATE '2019-07-15'")
    refresh_fleet_emissions(conn, city, (date(2019, 7, 1), date(2019, 8, 1)))
    row = _row(conn, "T-EV")
    # eGRID2019 per gas (Hub 2021 Table 6): (695.0 + 0.053 x 25 + 0.007 x 298) lb/MWh = 698.411 lb/MWh.
    by_hand_kg = 1 / 1000 * KG_PER_LB * (RFCE_CO2 + RFCE_CH4 * AR4_CH4 + RFCE_N2O * AR4_N2O)
    assert row["co2e_tonnes"] == pytest.approx(by_hand_kg / 1000, rel=1e-9)
    assert row["co2_kg"] == pytest.approx(RFCE_CO2 * KG_PER_LB / 1000, rel=1e-12) and row["factor_set"] == "epa_ghg_hub_2021"


def test_litres_and_gasoline_gallon_equivalents_convert(built) -> None:
    assert _row(built, "T-GASL")["co2_kg"] == pytest.approx(GASOLINE_CO2 / LITRES_PER_GALLON, rel=1e-9)
    cng = _row(built, "T-CNG")
    assert cng["activity_unit"] == "scf" and cng["activity_quantity"] == pytest.approx(SCF_PER_GGE, rel=1e-9)
    assert cng["co2_kg"] == pytest.approx(SCF_PER_GGE * CNG_CO2_PER_SCF, rel=1e-9)  # 6.632 kg per GGE
    # No per-unit CH4/N2O for CNG in the Hub (Table 4 is per mile): stated, not zero.
    assert cng["ch4_kg"] is None and cng["ch4_n2o_estimated"] is False
    assert cng["co2e_tonnes"] == pytest.approx(cng["co2_kg"] / 1000, rel=1e-12)


def test_every_row_carries_its_lineage_and_factors(built) -> None:
    rows = built.execute(
        f"SELECT vehicle_id, _feed, _source_row, len(factors_applied) FROM {factors_joined(built, 'out.fleet_emissions_monthly')} ORDER BY _source_row"
    ).fetchall()
    assert [r[0] for r in rows] == [p[0] for p in PURCHASES]
    assert {r[1] for r in rows} == {"fleet_fuel"}
    assert [r[2] for r in rows] == list(range(1, len(PURCHASES) + 1))
    # gasoline: CO2, CH4, N2O; E85 and B20: two CO2 components and CH4, N2O; CNG: CO2 only.
    # EV charging in 2024: one eGRID2023 CO2e rate.
    assert [r[3] for r in rows] == [3, 3, 4, 4, 1, 3, 1]
    e85_tables = built.execute(
        "SELECT list(f.source_table ORDER BY f.activity, f.gas) FROM (SELECT unnest(factors_applied) AS f "
        f"FROM {factors_joined(built, 'out.fleet_emissions_monthly')} WHERE vehicle_id = 'T-E85')"
    ).fetchone()[0]
    assert "Table 2 Mobile Combustion CO2" in e85_tables
    assert "Table 5 Mobile CH4/N2O Non-Road: Construction/Mining Offroad Trucks, Gasoline" in e85_tables


def test_a_fuel_without_a_factor_is_named_by_the_blocking_check(tmp_path: Path, conn) -> None:
    city = _fleet_city(tmp_path, [*PURCHASES, ("T-H2", "HYDROGEN", "2.5", "KG")])
    assert _build(conn, city) == len(PURCHASES)  # the hydrogen purchase has no emissions row ...
    missing = fleet_fuel_without_emissions(conn, city)
    assert len(missing) == 1  # ... and the check finds it, with everything needed to fix it
    row = missing[0]
    assert (row["feed"], row["source_row"], row["fuel_type"], row["year"]) == ("fleet_fuel", 8, "hydrogen", 2024)
    assert row["file"].endswith("fuel_transactions_2024_Q3.csv")
    message = describe_missing(missing)
    for part in ("feed fleet_fuel", "fuel_transactions_2024_Q3.csv", "row 8", "hydrogen", "year 2024", "no emission method or factor"):
        assert part in message


def test_a_factor_set_lacking_a_factor_names_the_factor(built, city: CityConfig) -> None:
    # Take the Table 5 diesel CH4 row out of the factors: the B20 and diesel purchases lose their rows.
    built.execute("DELETE FROM core.emission_factors WHERE activity = 'diesel' AND rate_basis = 'non_road_per_gallon' AND gas = 'CH4'")
    refresh_fleet_emissions(built, city, (date(2024, 7, 1), date(2024, 8, 1)))
    missing = {r["vehicle_id"]: r["missing"] for r in fleet_fuel_without_emissions(built, city)}
    assert sorted(missing) == ["T-B20", "T-DSL"]
    assert missing["T-DSL"] == "no CH4 factor for diesel (rate_basis non_road_per_gallon, region US, per gal) in factor_set epa_ghg_hub_2021"


def test_a_charge_in_a_year_without_a_whole_electricity_factor_is_named_by_the_blocking_check(tmp_path: Path, conn) -> None:
    # eGRID2020 as EPA's Power Profiler lists it has CO2 only: no whole figure for the 2024 charge.
    city = _fleet_city(tmp_path, [("T-GAS", "UNL REG", "1", "GAL"), ("T-EV", "EV CHARGE", "1", "KWH")], electricity_factors={2024: "egrid2020"})
    assert _build(conn, city) == 1  # the gasoline row only
    missing = fleet_fuel_without_emissions(conn, city)
    assert [(r["vehicle_id"], r["source_row"], r["year"]) for r in missing] == [("T-EV", 2, 2024)]
    assert missing[0]["missing"] == (
        "location-based: factor set 'egrid2020' has no electricity total_output factor for grid_subregion 'RFCE' in kg/kWh "
        "or a unit convertible to it: needs CO2, CH4 and N2O, or CO2e (found: CO2)"
    )


OWN_FUEL = "Riverton fuel supplier, 2024 gasoline carbon content (a test document)"


def _city_with_own_fuel_factors(tmp_path: Path, conn, factors: list[str]) -> CityConfig:
    """A gasoline and a diesel purchase, in a city whose city.factor_set is its own (``factors``: CSV lines of the
    emission_factors contract, set riverton_fuel_2024), built."""
    _fleet_city(tmp_path, [("T-GAS", "UNL REG", "1", "GAL"), ("T-DSL", "DIESEL #2 ULSD", "1", "GAL")])
    raw = yaml.safe_load((tmp_path / "city.yaml").read_text())
    raw["city"]["factor_set"] = "riverton_fuel_2024"
    raw["feeds"]["city_factors"] = {"contract": "emission_factors", "path": "factors/*.csv", "description": "the city's own factors"}
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    city = load_city_config(tmp_path / "city.yaml")
    columns = "factor_set,activity,region,rate_basis,gas,value,unit,sector,source_document,source_table,source_year,data_year"
    (city.inbox_dir / "factors").mkdir(parents=True)
    (city.inbox_dir / "factors" / "factors.csv").write_text("\n".join([columns, *factors]) + "\n")
    assert ingest_feed(conn, city, "city_factors").files[0].rows_quarantined == 0
    _build(conn, city)
    return city


def test_a_citys_own_fuel_factor_is_added_to_the_shipped_ones(tmp_path: Path, conn) -> None:
    # The city's fuel set holds one factor: its gasoline blend's CO2, 8.60 kg/gal (a test document). Gasoline's CO2
    # is the city's; gasoline's per-gallon CH4 and N2O (another rate basis) and all of diesel's are the shipped Hub's.
    city = _city_with_own_fuel_factors(tmp_path, conn, [f'riverton_fuel_2024,motor_gasoline,US,combustion,CO2,8.60,kg/gal,II.x.1,"{OWN_FUEL}",Table 1,2024,2024'])
    gasoline, diesel = _row(conn, "T-GAS"), _row(conn, "T-DSL")
    # 8.60 + 0.00558 x 25 + 0.0002 x 298 = 8.7991 kg CO2e; diesel as shipped, 10.35927 kg.
    assert gasoline["co2_kg"] == pytest.approx(8.60, rel=1e-12) and gasoline["co2e_tonnes"] == pytest.approx(8.7991 / 1000, rel=1e-12)
    assert diesel["co2e_tonnes"] == pytest.approx(10.35927 / 1000, rel=1e-12)
    assert (gasoline["factor_set"], diesel["factor_set"]) == ("epa_ghg_hub_2021, riverton_fuel_2024", "epa_ghg_hub_2021")
    applied = conn.execute(f"SELECT factors_applied FROM {factors_joined(conn, 'out.fleet_emissions_monthly')} WHERE vehicle_id = 'T-GAS'").fetchone()[0]
    chosen = {(f["gas"], f["factor_set"]): f["chosen"] for f in applied}
    assert chosen[("CO2", "riverton_fuel_2024")] == "configured: city.factor_set"
    assert chosen[("CH4", "epa_ghg_hub_2021")] == "default: shipped epa_ghg_hub_2021, city.factor_set riverton_fuel_2024 has no motor_gasoline non_road_per_gallon factor"
    assert fleet_fuel_without_emissions(conn, city) == []


def test_a_citys_own_set_missing_one_gas_of_a_rate_basis_is_named_not_filled_in(tmp_path: Path, conn) -> None:
    # The city gives gasoline's per-gallon CH4 but not its N2O: the gasoline purchase has no row, and the blocking
    # check names the missing N2O factor (never the shipped set's N2O mixed with the city's CH4).
    city = _city_with_own_fuel_factors(tmp_path, conn, [f'riverton_fuel_2024,motor_gasoline,US,non_road_per_gallon,CH4,5.0,g/gal,II.x.1,"{OWN_FUEL}",Table 2,2024,2024'])
    missing = {r["vehicle_id"]: r["missing"] for r in fleet_fuel_without_emissions(conn, city)}
    assert missing == {"T-GAS": "no N2O factor for motor_gasoline (rate_basis non_road_per_gallon, region US, per gal) in factor_set riverton_fuel_2024 "
                                "(nor, where it has no motor_gasoline factor at all, in the shipped epa_ghg_hub_2021)"}


# --- CH4 and N2O per mile, by class and model year (the fleet inventory and the odometer) ------------------------
# Hub 2021 Table 3 (on-road gasoline) and Table 4 (on-road diesel), g per vehicle-mile, typed from the Hub:
# gasoline light-duty trucks model year 2018: CH4 0.0081, N2O 0.0015; diesel medium- and heavy-duty vehicles
# 2007-2018: CH4 0.0095, N2O 0.0431.
LDT_2018_CH4_G, LDT_2018_N2O_G = 0.0081, 0.0015
HDD_2007_CH4_G, HDD_2007_N2O_G = 0.0095, 0.0431
ASSET_HEADER = "Unit No.,Model Year,Make/Model,Asset Class,Department,Disposal Date"


def _odometer_city(tmp_path: Path, purchases: list[tuple[str, str, str, str, int]], assets: list[str]) -> CityConfig:
    """Purchases (vehicle, date mm/dd/yyyy, product, gallons, odometer) and the fleet asset list's lines, in the demo's
    export shapes (its fleet_fuel and fleet_vehicles feeds)."""
    demo = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    city = write_city(tmp_path, feeds={"fleet_fuel": demo["fleet_fuel"], "fleet_vehicles": demo["fleet_vehicles"]})
    lines = [HEADER] + [f"FT{i},{when},08:00,{vehicle},Test,Test vehicle,{odometer},DEPOT,{product},{quantity},GAL,$1.000,$1.00"
                        for i, (vehicle, when, product, quantity, odometer) in enumerate(purchases, start=1)]
    (city.inbox_dir / "fleet_fuel").mkdir(parents=True)
    (city.inbox_dir / "fleet_fuel" / "fuel_transactions_2024_Q3.csv").write_text("\n".join(lines) + "\n")
    (city.inbox_dir / "fleet_assets").mkdir(parents=True)
    (city.inbox_dir / "fleet_assets" / "fleet_asset_list.csv").write_text("\n".join([ASSET_HEADER, *assets]) + "\n")
    return city


def _build_odometer(conn, city: CityConfig) -> dict[tuple[str, date], dict]:
    for name in ("emission_factors", "global_warming_potentials", "fleet_fuel", "fleet_vehicles"):
        outcome = ingest_feed(conn, city, name)
        assert all(f.rows_quarantined == 0 for f in outcome.files), (name, outcome.top_rules)
    write_unit_conversions(conn)
    refresh_fleet_emissions(conn, city, (date(2024, 7, 1), date(2024, 9, 1)))
    cursor = conn.execute(f"SELECT * FROM {factors_joined(conn, 'out.fleet_emissions_monthly')}")
    names = [d[0] for d in cursor.description]
    return {(row["vehicle_id"], row["purchase_date"]): row for row in (dict(zip(names, r, strict=True)) for r in cursor.fetchall())}


def test_ch4_and_n2o_per_mile_where_the_fleet_inventory_gives_class_and_model_year(tmp_path: Path, conn) -> None:
    purchases = [
        ("PU-1", "07/01/2024", "UNL REG", "10", 1000), ("PU-1", "07/08/2024", "UNL REG", "10", 1300),  # 300 mi
        ("NEW-1", "07/01/2024", "UNL REG", "10", 50), ("NEW-1", "08/02/2024", "UNL REG", "10", 250),  # model year 2024
        ("TRK-1", "07/01/2024", "DIESEL #2 ULSD", "40", 90000), ("TRK-1", "07/09/2024", "DIESEL #2 ULSD", "40", 90240),
    ]
    assets = ["PU-1,2018,Ford F-150,Light Truck/SUV,Test,", "NEW-1,2024,Ford Maverick,Light Truck/SUV,Test,",
              "TRK-1,2010,International dump truck,Heavy Duty,Test,"]
    rows = _build_odometer(conn, _odometer_city(tmp_path, purchases, assets))
    first, second = rows[("PU-1", date(2024, 7, 1))], rows[("PU-1", date(2024, 7, 8))]
    # The first reading has no previous one: the per-gallon default, 10 gal x 8.9791 kg.
    assert (first["ch4_n2o_basis"], first["vehicle_miles"]) == ("per_gallon", None)
    assert first["co2e_tonnes"] == pytest.approx(10 * 8.9791 / 1000, rel=1e-12)
    # The second: 300 mi since it. CO2 10 gal x 8.78 kg = 87.8 kg; CH4 300 x 0.0081 g = 2.43 g; N2O 300 x 0.0015 g
    # = 0.45 g; CO2e 87.8 + 0.00243 x 25 + 0.00045 x 298 = 87.8 + 0.06075 + 0.1341 = 87.99485 kg.
    assert (second["ch4_n2o_basis"], second["vehicle_miles"]) == ("per_mile", 300)
    assert second["co2_kg"] == pytest.approx(87.8, rel=1e-12)
    assert second["ch4_kg"] == pytest.approx(300 * LDT_2018_CH4_G / 1000, rel=1e-12)
    assert second["n2o_kg"] == pytest.approx(300 * LDT_2018_N2O_G / 1000, rel=1e-12)
    assert second["co2e_tonnes"] == pytest.approx(87.99485 / 1000, rel=1e-12)
    # Its factors, for trace: gasoline's CO2 per gallon, then CH4 and N2O per mile from Table 3.
    applied = [(f["gas"], f["value"], f["unit"], f["rate_basis"]) for f in second["factors_applied"]]
    assert applied == [("CO2", 8.78, "kg/gal", "combustion"), ("CH4", 0.0081, "g/mi", "on_road_per_mile"), ("N2O", 0.0015, "g/mi", "on_road_per_mile")]
    assert "Gasoline Light-Duty Trucks (Vans, Pickup Trucks, SUVs), model year 2018" in second["factors_applied"][1]["source_table"]
    # A 2024 model takes the table's newest (2018), and says so: 200 mi x 0.0081 g.
    new = rows[("NEW-1", date(2024, 8, 2))]
    assert new["ch4_kg"] == pytest.approx(200 * LDT_2018_CH4_G / 1000, rel=1e-12)
    assert "the table's newest, applied to later model years too" in new["factors_applied"][1]["chosen"]
    # A 2010 diesel dump truck: 240 mi x (0.0095 g CH4, 0.0431 g N2O); CO2 40 gal x 10.21 kg = 408.4 kg.
    truck = rows[("TRK-1", date(2024, 7, 9))]
    assert truck["co2e_tonnes"] == pytest.approx((408.4 + 240 * HDD_2007_CH4_G / 1000 * 25 + 240 * HDD_2007_N2O_G / 1000 * 298) / 1000, rel=1e-12)
    assert fleet_fuel_without_emissions(conn, _city_of(tmp_path)) == []


def test_the_per_gallon_default_stays_where_miles_class_or_year_cannot_be_trusted(tmp_path: Path, conn) -> None:
    purchases = [
        ("MOW-1", "07/01/2024", "DIESEL #2 ULSD", "5", 100), ("MOW-1", "07/08/2024", "DIESEL #2 ULSD", "5", 140),  # off-road
        ("JMP-1", "07/01/2024", "UNL REG", "10", 1000), ("JMP-1", "07/08/2024", "UNL REG", "10", 9000),  # 8,000 mi: a typo
        ("BCK-1", "07/01/2024", "UNL REG", "10", 5000), ("BCK-1", "07/08/2024", "UNL REG", "10", 4000),  # backwards
        ("NOL-1", "07/01/2024", "UNL REG", "10", 1000), ("NOL-1", "07/08/2024", "UNL REG", "10", 1200),  # not listed
        ("NOY-1", "07/01/2024", "UNL REG", "10", 1000), ("NOY-1", "07/08/2024", "UNL REG", "10", 1200),  # no model year
    ]
    assets = ["MOW-1,2019,Toro mower,Equipment,Test,", "JMP-1,2018,Ford F-150,Light Truck/SUV,Test,",
              "BCK-1,2018,Ford F-150,Light Truck/SUV,Test,", "NOY-1,,Ford F-150,Light Truck/SUV,Test,"]
    rows = _build_odometer(conn, _odometer_city(tmp_path, purchases, assets))
    assert {key: row["ch4_n2o_basis"] for key, row in rows.items() if key[1] == date(2024, 7, 8)} == {
        ("MOW-1", date(2024, 7, 8)): "per_gallon", ("JMP-1", date(2024, 7, 8)): "per_gallon", ("BCK-1", date(2024, 7, 8)): "per_gallon",
        ("NOL-1", date(2024, 7, 8)): "per_gallon", ("NOY-1", date(2024, 7, 8)): "per_gallon"}
    # Per gallon: 5 gal of diesel x (10.21 + 0.00013 x 25 + 0.00049 x 298) kg = 51.79635 kg.
    assert rows[("MOW-1", date(2024, 7, 8))]["co2e_tonnes"] == pytest.approx(5 * 10.35927 / 1000, rel=1e-12)


def test_a_model_year_after_next_year_is_quarantined(tmp_path: Path, conn) -> None:
    city = _odometer_city(tmp_path, [("PU-1", "07/01/2024", "UNL REG", "10", 1000)], ["PU-1,2099,Ford F-150,Light Truck/SUV,Test,"])
    outcome = ingest_feed(conn, city, "fleet_vehicles")
    assert outcome.files[0].rows_quarantined == 1
    assert outcome.top_rules == [("model_year: a model year after next year's is a typo (a new vehicle is at most next year's model)", 1)]


def _city_of(folder: Path) -> CityConfig:
    return load_city_config(folder / "city.yaml")


def test_the_shipped_per_mile_factors_are_rebuilt_from_the_shipped_hub_extract(tmp_path: Path) -> None:
    import csv
    import importlib.util

    from city_outcomes.config import REFERENCE_DATA

    spec = importlib.util.spec_from_file_location("extract_per_mile", REFERENCE_DATA / "extract_fleet_per_mile_factors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = tmp_path / "fleet_per_mile_factors.csv"
    module.write(module.extract(), rebuilt)
    assert rebuilt.read_bytes() == (REFERENCE_DATA / "fleet_per_mile_factors.csv").read_bytes()
    with rebuilt.open(newline="", encoding="utf-8") as handle:
        rows = {(r["vehicle_class"], r["fuel"], r["model_year_from"], r["gas"]): r for r in csv.DictReader(handle)}
    # Typed from the Hub's Tables 3 and 4 (the constants above), and the two-digit range "1984-93" read as 1984-1993.
    assert float(rows[("light_truck", "gasoline", "2018", "CH4")]["value"]) == LDT_2018_CH4_G
    assert float(rows[("heavy_duty", "diesel", "2007", "N2O")]["value"]) == HDD_2007_N2O_G
    assert rows[("passenger_car", "gasoline", "1984", "CH4")]["model_year_to"] == "1993"
    assert module.model_years("<1981")[:2] == (1960, 1981) and module.model_years("1973-74")[:2] == (1973, 1974)


def test_a_vehicle_two_inventories_disagree_on_keeps_the_per_gallon_default(tmp_path: Path, conn) -> None:
    purchases = [("PU-1", "07/01/2024", "UNL REG", "10", 1000), ("PU-1", "07/08/2024", "UNL REG", "10", 1300)]
    city = _odometer_city(tmp_path, purchases, ["PU-1,2018,Ford F-150,Light Truck/SUV,Test,"])
    assert _build_odometer(conn, city)[("PU-1", date(2024, 7, 8))]["ch4_n2o_basis"] == "per_mile"
    # Planted: a second inventory feed lists PU-1 as a 2005 model, or as off-road equipment. Which is right is not
    # known: per gallon.
    for replace in ("2005 AS model_year", "'off_road' AS vehicle_class"):
        conn.execute("DELETE FROM core.fleet_vehicles WHERE _feed = 'other_inventory'")
        conn.execute(f"INSERT INTO core.fleet_vehicles SELECT * REPLACE ({replace}, 'other_inventory' AS _feed) FROM core.fleet_vehicles")
        refresh_fleet_emissions(conn, city, (date(2024, 7, 1), date(2024, 9, 1)))
        basis = conn.execute("SELECT ch4_n2o_basis FROM out.fleet_emissions_monthly WHERE purchase_date = DATE '2024-07-08'").fetchone()[0]
        assert basis == "per_gallon", replace
