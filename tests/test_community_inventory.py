"""The community inventory (GPC BASIC): utility deliveries and vehicle-miles to emissions, notation keys, the GPC export.

Every expected value is worked out by hand in the comments from the published factors (shared/DOMAIN.md sections
2, 3 and 6; EPA GHG Emission Factors Hub 2021 Tables 1, 2, 3, 4 and 6), never read back from the code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from pydantic import ValidationError

from city_outcomes.config import load_city_config
from city_outcomes.config_errors import ConfigError
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.inventory_config import InventorySettings, gpc_references
from city_outcomes.metrics.community import (
    COMMUNITY_ENERGY_TABLE,
    COMMUNITY_INVENTORY_TABLE,
    COMMUNITY_VMT_TABLE,
    NotationKeyConflict,
    refresh_community_energy,
    refresh_community_inventory,
    refresh_community_vmt,
)
from city_outcomes.metrics.emissions import MissingFactorError
from city_outcomes.publish.gpc_export import ExportError, write_gpc_export
from city_outcomes.trace import trace_metric
from tests.conftest import write_city

LB = 0.45359237  # kg per pound (exact, by definition)
AR4 = {"CO2": 1, "CH4": 25, "N2O": 298}  # IPCC AR4 100-year GWPs, as EPA's Hub 2021 uses (DOMAIN.md section 1)

# Small cells: the industrial gas class sums 12 customers (< 15): GPC I.3.1 must be C.
ENERGY = """Utility,Class,Commodity,Month,Delivered,Units,Accounts
Riverton Electric,residential,electricity,2023-01-01,1000000,kWh,18204
Riverton Gas,residential,natural_gas,2023-01-01,10,therm,15400
Riverton Gas,manufacturing_construction,natural_gas,2023-01-01,900000,therm,12
"""
VMT = """Year,Class,Fuel,VMT,Method,Source
2023,passenger_car,gasoline,1000000,in_boundary,Regional travel model 2023
2023,light_truck,diesel,100000,in_boundary,Regional travel model 2023
2023,light_truck,mixed,400000,in_boundary,Regional travel model 2023
2023,passenger_car,electricity,500000,in_boundary,Regional travel model 2023
"""
FEEDS = {
    "community_energy": {
        "contract": "community_energy", "path": "energy/*.csv",
        "columns": {"utility": "Utility", "sector": "Class", "energy_type": "Commodity", "period_month": "Month",
                    "quantity": "Delivered", "unit": "Units", "customers": "Accounts"},
    },
    "community_vmt": {
        "contract": "community_vmt", "path": "vmt/*.csv",
        "columns": {"year": "Year", "vehicle_class": "Class", "fuel": "Fuel", "vehicle_miles": "VMT", "method": "Method", "source": "Source"},
    },
}
INVENTORY = {
    "notation_keys": {"I.4.1": {"key": "NO", "explanation": "no power plant inside the boundary"}},
    "vmt_mixed_fuel": {"light_truck": {"gasoline": 0.75, "diesel": 0.25}},
}


def _city(tmp_path: Path, energy: str = ENERGY, vmt: str = VMT, inventory: dict | None = None, **city_overrides):
    """A city with the two community feeds (and the shipped reference feeds), its files written, its config reloaded."""
    city = write_city(tmp_path, feeds=FEEDS, **city_overrides)
    raw = yaml.safe_load(city.config_path.read_text())
    raw["inventory"] = INVENTORY if inventory is None else inventory
    city.config_path.write_text(yaml.safe_dump(raw, sort_keys=False))
    city = load_city_config(city.config_path)
    for folder, text in (("energy", energy), ("vmt", vmt)):
        (city.inbox_dir / folder).mkdir(parents=True, exist_ok=True)
        (city.inbox_dir / folder / f"{folder}.csv").write_text(text)
    return city


def _ingest(conn, city) -> None:
    for feed in ("community_energy", "community_vmt", "emission_factors", "global_warming_potentials"):
        ingest_feed(conn, city, feed)


def _line(conn, ref: str, gas: str, activity: str | None = None) -> dict:
    cursor = conn.execute(
        f"SELECT * FROM {COMMUNITY_INVENTORY_TABLE} WHERE inventory_year = 2023 AND gpc_reference = ? AND gas = ? "
        "AND activity IS NOT DISTINCT FROM ?", [ref, gas, activity],
    )
    rows = cursor.fetchall()
    assert len(rows) == 1, (ref, gas, activity, rows)
    return dict(zip([d[0] for d in cursor.description], rows[0], strict=True))


@pytest.fixture
def built(tmp_path: Path, conn):
    city = _city(tmp_path)
    _ingest(conn, city)
    refresh_community_energy(conn, city)
    refresh_community_vmt(conn, city)
    refresh_community_inventory(conn, city)
    return city, conn


def test_a_kwh_at_the_grid_factor_of_the_named_edition(tmp_path: Path, conn) -> None:
    # The city names eGRID2019 (Hub 2021 Table 6) for 2023: RFCE 695.0 lb CO2, 0.053 lb CH4, 0.007 lb N2O per MWh.
    city = _city(tmp_path, electricity_factors={2023: "epa_ghg_hub_2021"})
    _ingest(conn, city)
    refresh_community_energy(conn, city)
    row = conn.execute(
        f"SELECT gpc_reference, scope, co2_kg, ch4_kg, n2o_kg, co2e_tonnes, factor_set FROM {COMMUNITY_ENERGY_TABLE} WHERE energy_type = 'electricity'"
    ).fetchone()
    # 1,000,000 kWh = 1,000 MWh: CO2 695,000 lb = 315,246.70 kg; CH4 53 lb = 24.0404 kg; N2O 7 lb = 3.1751 kg;
    # CO2e = (695.0 + 0.053 x 25 + 0.007 x 298) lb/MWh x 1,000 MWh = 698.411 x 1,000 lb = 316.7939 t.
    assert row[:2] == ("I.1.2", 2)
    assert row[2] == pytest.approx(695_000 * LB)
    assert row[3] == pytest.approx(53 * LB)
    assert row[4] == pytest.approx(7 * LB)
    assert row[5] == pytest.approx(698.411 * 1000 * LB / 1000)
    assert row[6] == "epa_ghg_hub_2021"


def test_a_therm_of_gas_and_the_default_co2e_only_edition(built) -> None:
    _city_config, conn = built
    # 10 therms = 1 MMBtu (1 therm = 100,000 Btu); Hub 2021 Table 1: 53.06 kg CO2, 1.0 g CH4, 0.10 g N2O per MMBtu.
    gas = _line(conn, "I.1.1", "CO2e", "natural_gas")
    assert (gas["activity_value"], gas["activity_unit"]) == (pytest.approx(1.0), "MMBtu")
    # CO2e = 53.06 + 0.001 x 25 + 0.0001 x 298 = 53.1148 kg = 0.0531148 t.
    assert gas["emissions_tonnes"] == pytest.approx(0.0531148)
    assert gas["emission_factor"] == pytest.approx(53.1148) and gas["factor_unit"] == "kg CO2e/MMBtu"
    assert _line(conn, "I.1.1", "CH4", "natural_gas")["emissions_tonnes"] == pytest.approx(1e-6)
    assert "Table 1 Stationary Combustion" in _line(conn, "I.1.1", "CO2", "natural_gas")["factor_source"]
    # Without a named edition, 2023 takes eGRID2023, which EPA publishes as CO2e only: RFCE 599.17 lb CO2e/MWh.
    # 1,000 MWh x 599.17 lb = 271.779 t CO2e on the CO2e line; the per-gas lines are IE (included in the CO2e line).
    grid = _line(conn, "I.1.2", "CO2e", "electricity")
    assert grid["emissions_tonnes"] == pytest.approx(599.17 * 1000 * LB / 1000)
    assert "eGRID2023" in grid["factor_source"]
    co2 = _line(conn, "I.1.2", "CO2", "electricity")
    assert (co2["notation_key"], co2["emissions_tonnes"]) == ("IE", None)
    assert co2["explanation"].startswith("included in the CO2e line of I.1.2")


def test_vehicle_miles_times_per_mile_factors_and_fuel_economy(built) -> None:
    _city_config, conn = built
    # Passenger cars, 1,000,000 gasoline miles at 22.3 mpg (FHWA light-duty average) = 44,843.05 gal x 8.78 kg CO2/gal
    # (Hub 2021 Table 2) = 393,721.97 kg CO2; Table 3 gasoline passenger cars, model year 2018: 0.0052 g CH4/mi and
    # 0.0016 g N2O/mi -> 5.2 kg CH4, 1.6 kg N2O; CO2e = 393,721.97 + 5.2 x 25 + 1.6 x 298 = 394,328.77 kg.
    car = {gas: _line(conn, "II.1.1", gas, "passenger_car on gasoline")["emissions_tonnes"] for gas in AR4}
    assert car == {"CO2": pytest.approx(393.72197309), "CH4": pytest.approx(0.0052), "N2O": pytest.approx(0.0016)}
    assert _line(conn, "II.1.1", "CO2e", "passenger_car on gasoline")["emissions_tonnes"] == pytest.approx(394.32877309)
    # Light trucks on diesel: 100,000 miles (fed) + 0.25 x 400,000 mixed miles (the city's split) = 200,000 miles;
    # 200,000 / 22.3 = 8,968.61 gal x 10.21 kg = 91,569.51 kg CO2; Table 4 light-duty diesel trucks, 2007-2018:
    # 0.029 g CH4/mi, 0.0214 g N2O/mi -> 5.8 kg CH4, 4.28 kg N2O; CO2e = 91,569.51 + 145 + 1,275.44 = 92,989.95 kg.
    diesel = _line(conn, "II.1.1", "CO2e", "light_truck on diesel")
    assert diesel["activity_value"] == pytest.approx(200_000) and diesel["activity_unit"] == "vehicle-miles"
    assert diesel["emissions_tonnes"] == pytest.approx(92.9899467)
    # The mixed miles' other 75% are gasoline: 300,000 miles / 22.3 x 8.78 = 118,116.59 kg CO2.
    assert _line(conn, "II.1.1", "CO2", "light_truck on gasoline")["emissions_tonnes"] == pytest.approx(118.11659193)
    split = conn.execute(f"SELECT DISTINCT fuel_split FROM {COMMUNITY_VMT_TABLE} WHERE fuel = 'mixed' ORDER BY 1").fetchall()
    assert split == [("mixed miles: 25% diesel (inventory.vmt_mixed_fuel or the default split)",),
                     ("mixed miles: 75% gasoline (inventory.vmt_mixed_fuel or the default split)",)]


def test_notation_key_rows(built) -> None:
    _city_config, conn = built
    # No commercial gas rows: I.2.1 is NE, saying which feed is missing, on all four gas lines.
    keyed = conn.execute(
        f"SELECT gas, activity, activity_value, emissions_tonnes, notation_key, explanation FROM {COMMUNITY_INVENTORY_TABLE} "
        "WHERE inventory_year = 2023 AND gpc_reference = 'I.2.1' ORDER BY gas"
    ).fetchall()
    assert [row[0] for row in keyed] == ["CH4", "CO2", "CO2e", "N2O"]
    assert {row[1:] for row in keyed} == {(None, None, None, "NE", "not estimated: no community_energy rows of Commercial and institutional "
                                           "buildings and facilities (fuel combustion) in 2023")}
    # The city's own key (inventory.notation_keys) replaces the default.
    assert _line(conn, "I.4.1", "CO2e")["notation_key"] == "NO"
    assert _line(conn, "I.4.1", "CO2e")["explanation"] == "no power plant inside the boundary"
    # Industrial gas sums 12 customers: C, with no activity or emissions published.
    confidential = _line(conn, "I.3.1", "CO2e", "natural_gas")
    assert (confidential["notation_key"], confidential["activity_value"], confidential["emissions_tonnes"]) == ("C", None, None)
    assert "fewer than 15 customers" in confidential["explanation"]
    # Electric miles with residential grid electricity the same year: II.1.2 is included in I.1.2/I.2.2.
    electric = _line(conn, "II.1.2", "CO2e")
    assert electric["notation_key"] == "IE" and "500,000 electric vehicle-miles" in electric["explanation"]


def test_every_basic_line_has_a_value_or_a_key_and_an_explanation(built) -> None:
    _city_config, conn = built
    lines = conn.execute(
        f"SELECT gpc_reference, gas, emissions_tonnes, notation_key, explanation FROM {COMMUNITY_INVENTORY_TABLE} WHERE inventory_year = 2023"
    ).fetchall()
    assert {ref for ref, *_ in lines} == set(gpc_references())  # all 32 BASIC subsectors
    assert all((tonnes is None) != (key is None) for _, _, tonnes, key, _ in lines)
    assert all(explanation for *_, explanation in lines)
    for ref in gpc_references():
        assert {gas for r, gas, *_ in lines if r == ref} == {"CO2", "CH4", "N2O", "CO2e"}


def test_a_vehicle_class_without_fuel_economy_stops_the_run_naming_the_row(tmp_path: Path, conn) -> None:
    vmt = VMT + "2023,bus,diesel,4100000,origin_destination,Transit agency odometers\n"
    city = _city(tmp_path, vmt=vmt)
    _ingest(conn, city)
    with pytest.raises(MissingFactorError) as error:
        refresh_community_vmt(conn, city)
    message = str(error.value)
    assert "feed community_vmt: vmt.csv row 5: bus on diesel, inventory year 2023: no fuel economy for bus on diesel" in message
    assert "inventory.vmt_fuel_economy" in message
    assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'community_vmt_emissions'").fetchone()[0] == 0
    # With the city's own fuel economy it computes: 4,100,000 mi / 4.0 mpg = 1,025,000 gal x 10.21 kg = 10,465,250 kg CO2;
    # Table 4 medium- and heavy-duty diesel, 2007-2018: 0.0095 g CH4/mi, 0.0431 g N2O/mi -> 38.95 kg CH4, 176.71 kg N2O;
    # CO2e = 10,465,250 + 973.75 + 52,659.58 = 10,518,883.33 kg.
    settings = {**INVENTORY, "vmt_fuel_economy": {"bus": {"mpg": 4.0, "source": "Transit agency fuel records 2023 (test)", "year": 2023}}}
    city = _city(tmp_path, vmt=vmt, inventory=settings)
    refresh_community_vmt(conn, city)
    bus = conn.execute(f"SELECT co2e_tonnes, factors_applied FROM {COMMUNITY_VMT_TABLE} WHERE vehicle_class = 'bus'").fetchone()
    assert bus[0] == pytest.approx(10_518.88333)
    assert {f["factor"]: f["value"] for f in bus[1]} == {"fuel economy": 4.0, "CO2 per gallon": 10.21, "CH4 per mile": 0.0095, "N2O per mile": 0.0431}


def test_a_key_that_denies_the_feeds_stops_the_inventory(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, inventory={"notation_keys": {"I.1.2": {"key": "NO", "explanation": "no homes"}}})
    _ingest(conn, city)
    with pytest.raises(NotationKeyConflict, match=r"inventory.notation_keys\[I.1.2\] is NO, but the feeds give 1 row\(s\) of I.1.2 \(years 2023\)"):
        refresh_community_inventory(conn, city)
    # C on a subsector with data is the city's right: it withholds the figure.
    city = _city(tmp_path, inventory={"notation_keys": {"I.1.2": {"key": "C", "explanation": "data-sharing agreement forbids it"}}})
    refresh_community_inventory(conn, city)
    line = _line(conn, "I.1.2", "CO2e", "electricity")
    assert (line["notation_key"], line["emissions_tonnes"]) == ("C", None)


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"notation_keys": {"I.9.9": {"key": "NO", "explanation": "x"}}}, "I.9.9: not a GPC BASIC subsector reference"),
        ({"notation_keys": {"II.2.1": {"key": "IE", "explanation": "elsewhere"}}}, "key IE (included elsewhere) must say where"),
        ({"notation_keys": {"II.2.1": {"key": "XX", "explanation": "x"}}}, "'NO', 'NE', 'IE' or 'C'"),
        ({"vmt_mixed_fuel": {"passenger_car": {"gasoline": 0.9}}}, "must be at least 0 and sum to 1"),
        ({"vmt_fuel_economy": {"tractor": {"mpg": 5, "source": "x", "year": 2023}}}, "tractor: not a vehicle class"),
    ],
)
def test_inventory_settings_are_checked(settings: dict, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        InventorySettings.model_validate(settings)


def test_a_bad_notation_key_is_reported_with_its_line_in_the_city_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        _city(tmp_path, inventory={"notation_keys": {"II.2.1": {"key": "IE", "explanation": "somewhere"}}})
    assert "inventory" in str(error.value) and "must say where" in str(error.value)


def test_the_gpc_export_makes_formula_like_text_inert_in_csv_and_xlsx(tmp_path: Path, conn) -> None:
    planted = '=HYPERLINK("http://example.com/x","click")'
    vmt = VMT.replace("Regional travel model 2023", '"' + planted.replace('"', '""') + '"')  # CSV-quoted
    city = _city(tmp_path, vmt=vmt, inventory={"notation_keys": {"II.2.1": {"key": "NO", "explanation": planted}}})
    _ingest(conn, city)
    refresh_community_inventory(conn, city)
    total = conn.execute(f"SELECT count(*) FROM {COMMUNITY_INVENTORY_TABLE}").fetchone()[0]
    written = write_gpc_export(conn, city, tmp_path / "out")
    assert written.lines == total
    csv_path, xlsx_path = written.files
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:6] == ["Inventory year", "Sector", "Sub-sector", "GPC reference number", "Scope", "Gas"]
    explanation = rows[0].index("Explanation")
    rail = [row for row in rows[1:] if row[3] == "II.2.1"]
    assert rail and all(row[explanation] == "'" + planted for row in rail)
    # The VMT source sits inside a longer explanation: it does not start the cell, so it stays as written.
    assert any(planted in row[explanation] and not row[explanation].startswith("=") for row in rows if row[3] == "II.1.1")
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    book = load_workbook(xlsx_path)
    sheet = book["GPC inventory"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for sheet_ in book.worksheets for row in sheet_.iter_rows() for cell in row)
    rail_cells = [row[explanation] for row in sheet.iter_rows(min_row=2) if row[3].value == "II.2.1"]
    assert rail_cells and all(cell.value == "'" + planted and cell.data_type == "s" for cell in rail_cells)
    assert len(cells) == (total + 1) * len(rows[0])
    # Numbers stay numbers: the passenger cars' CO2e line, 394.32877 t (see the VMT test).
    emissions = rows[0].index("Emissions (t of the gas; t CO2e on CO2e lines)")
    car = next(row for row in sheet.iter_rows(min_row=2) if row[6].value == "passenger_car on gasoline" and row[5].value == "CO2e")
    assert car[emissions].value == pytest.approx(394.32877309)


def test_the_export_names_the_years_it_has(built, tmp_path: Path) -> None:
    city, conn = built
    with pytest.raises(ExportError, match="has no year 2019; its years are: 2023"):
        write_gpc_export(conn, city, tmp_path / "out", year=2019)
    written = write_gpc_export(conn, city, tmp_path / "out", year=2023)
    assert [path.name for path in written.files] == ["gpc_inventory_2023.csv", "gpc_inventory_2023.xlsx"]


def test_trace_follows_a_vmt_figure_to_its_row_and_factors(built) -> None:
    _city_config, conn = built
    trace = trace_metric(conn, "community_vmt_co2e_tonnes", "2023", {"vehicle_class": "passenger_car"})
    assert trace.value == pytest.approx(394.32877309) and trace.rows == 1
    assert [(s.feed, s.row_numbers) for s in trace.sources] == [("community_vmt", "1")]
    assert {(f["factor"], f["value"]) for f in trace.factors} == {("fuel economy", 22.3), ("CO2 per gallon", 8.78), ("CH4 per mile", 0.0052), ("N2O per mile", 0.0016)}
    energy = trace_metric(conn, "community_energy_co2e_tonnes", "2023-01", {"energy_type": "natural_gas", "sector": "residential"})
    assert energy.value == pytest.approx(0.0531148) and [s.row_numbers for s in energy.sources] == ["2"]


# Where each shipped per-mile factor is in the shipped extract of the Hub 2021 workbook (reference_data/sources/,
# itself checked against the workbook by tests/test_units_and_reference.py): (table, category as extracted, model year).
HUB_ROWS = {
    ("passenger_car", "gasoline"): ("Table 3 Mobile CH4/N2O On-Road Gasoline", "Gasoline Passenger Cars", "2018"),
    ("light_truck", "gasoline"): ("Table 3 Mobile CH4/N2O On-Road Gasoline", "(Vans, Pickup Trucks, SUVs)", "2018"),
    ("motorcycle", "gasoline"): ("Table 3 Mobile CH4/N2O On-Road Gasoline", "Gasoline Motorcycles", "1996-2018"),
    ("bus", "gasoline"): ("Table 3 Mobile CH4/N2O On-Road Gasoline", "Gasoline Heavy-Duty Vehicles", "2018"),
    ("medium_heavy_truck", "gasoline"): ("Table 3 Mobile CH4/N2O On-Road Gasoline", "Gasoline Heavy-Duty Vehicles", "2018"),
    ("passenger_car", "diesel"): ("Table 4 Mobile CH4/N2O On-Road Diesel & Alt Fuel", "Passenger Cars | Diesel", "2007-2018"),
    ("light_truck", "diesel"): ("Table 4 Mobile CH4/N2O On-Road Diesel & Alt Fuel", "Light-Duty Trucks | Diesel", "2007-2018"),
    ("bus", "diesel"): ("Table 4 Mobile CH4/N2O On-Road Diesel & Alt Fuel", "Medium- and Heavy-Duty Vehicles | Diesel", "2007-2018"),
    ("medium_heavy_truck", "diesel"): ("Table 4 Mobile CH4/N2O On-Road Diesel & Alt Fuel", "Medium- and Heavy-Duty Vehicles | Diesel", "2007-2018"),
}


def test_the_shipped_per_mile_factors_are_the_hubs() -> None:
    reference = Path(__file__).resolve().parents[1] / "reference_data"
    with (reference / "sources" / "ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv").open(newline="", encoding="utf-8") as handle:
        hub = {(r["table"], r["category"], r["fuel_or_subregion"], r["field"]): float(r["value"]) for r in csv.DictReader(handle)}
    with (reference / "community_vmt_factors.csv").open(newline="", encoding="utf-8") as handle:
        shipped = [r for r in csv.DictReader(handle) if r["quantity"] == "per_mile"]
    assert {(r["vehicle_class"], r["fuel"]) for r in shipped} == set(HUB_ROWS)
    for row in shipped:
        table, category, model_year = HUB_ROWS[(row["vehicle_class"], row["fuel"])]
        assert float(row["value"]) == hub[(table, category, model_year, f"{row['gas'].lower()}_factor")], row
        assert row["source_table"].startswith(table) and model_year in row["source_table"] and row["unit"] == "g/mi"


def test_a_delivery_row_without_a_grid_factor_stops_the_run_naming_the_row(tmp_path: Path, conn) -> None:
    city = _city(tmp_path)
    _ingest(conn, city)
    # Planted: the city's subregion loses every total-output electricity rate, so no edition can price its kWh.
    conn.execute("DELETE FROM core.emission_factors WHERE activity = 'electricity' AND region = 'RFCE' AND rate_basis = 'total_output'")
    with pytest.raises(MissingFactorError) as error:
        refresh_community_energy(conn, city)
    assert ("feed community_energy: energy.csv row 1: residential electricity, inventory year 2023: no edition has electricity "
            "total-output rates (CO2, CH4 and N2O, or CO2e) for grid_subregion 'RFCE' with data year <= 2023") in str(error.value)
    assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'community_energy_emissions_monthly'").fetchone()[0] == 0


def test_the_demo_city_has_a_community_inventory(demo_city, conn) -> None:
    for feed in ("community_energy", "community_vmt", "emission_factors", "global_warming_potentials"):
        outcome = ingest_feed(conn, demo_city, feed)
        assert outcome.rows_quarantined == 0
    refresh_community_inventory(conn, demo_city)
    keys = dict(conn.execute(
        f"SELECT gpc_reference, list(DISTINCT notation_key ORDER BY notation_key) FROM {COMMUNITY_INVENTORY_TABLE} "
        "WHERE inventory_year = 2024 AND gas = 'CO2e' GROUP BY 1"
    ).fetchall())
    # Nine industrial gas accounts (< 15): C; the demo's own NO keys; electric miles within the grid: IE; values elsewhere.
    assert keys["I.3.1"] == ["C"] and keys["I.4.1"] == ["NO"] and keys["II.1.2"] == ["IE"] and keys["III.1.1"] == ["NE"]
    assert keys["I.1.1"] == keys["I.2.2"] == keys["II.1.1"] == [None]
    years = conn.execute(f"SELECT list(DISTINCT inventory_year ORDER BY inventory_year) FROM {COMMUNITY_INVENTORY_TABLE}").fetchone()[0]
    assert years == [2023, 2024, 2025]


def test_the_export_command_writes_both_files_or_names_the_years(built, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    city, conn = built
    conn.close()  # the command opens the warehouse read-only, as another process would
    result = CliRunner().invoke(app, ["export", "gpc", "--city", str(city.config_path), "--year", "2023", "--out", str(tmp_path / "gpc")])
    assert result.exit_code == 0, result.output
    assert "136 GPC line(s) written" in result.output  # 32 subsectors x 4 gases = 128, + 2 x 4 for II.1.1's 3 activities
    assert sorted(p.name for p in (tmp_path / "gpc").iterdir()) == ["gpc_inventory_2023.csv", "gpc_inventory_2023.xlsx"]
    wrong = CliRunner().invoke(app, ["export", "gpc", "--city", str(city.config_path), "--year", "2030"])
    assert wrong.exit_code == 2 and "has no year 2030; its years are: 2023" in wrong.output


def test_the_run_summary_line(built) -> None:
    from city_outcomes.metrics.community import community_summary

    _city_config, conn = built
    # Scope 1: gas 0.0531 t + cars 394.3288 t + diesel light trucks 92.9899 t + gasoline light trucks (300,000 mi:
    # 118,116.59 kg CO2 + 2.43 kg CH4 x 25 + 0.45 kg N2O x 298 = 118,311.44 kg) 118.3114 t = 605.68 t; scope 2: the
    # grid's 271.78 t (I.3.1 is C, not counted). Keys: C (I.3.1), IE (II.1.2), NO (I.4.1), NE the other 26 of 32.
    assert community_summary(conn) == (
        "Community inventory (GPC BASIC) 2023: 877 tCO2e (606 scope 1, 272 scope 2); subsectors by notation key: "
        "C 1, IE 1, NE 26, NO 1; `city-outcomes export gpc` writes the reporting table."
    )


def test_a_city_without_community_data_gets_an_empty_inventory(tmp_path: Path, conn) -> None:
    from city_outcomes.metrics.community import community_summary

    city = write_city(tmp_path, feeds={"buildings": {"contract": "buildings", "path": "b/*.csv"}})
    for feed in ("emission_factors", "global_warming_potentials"):  # every city gets the shipped ones
        ingest_feed(conn, city, feed)
    assert refresh_community_inventory(conn, city) == 0
    assert community_summary(conn) is None
    written = write_gpc_export(conn, city, tmp_path / "out")
    assert written.lines == 0 and written.files[0].read_text(encoding="utf-8").startswith("Inventory year,Sector,")


def test_a_citys_own_fuel_set_is_added_to_the_shipped_one(tmp_path: Path, conn) -> None:
    # The city's fuel set is its own and holds only propane: the community's natural gas and the VMT's gasoline and
    # diesel CO2 take the shipped Hub 2021 factors, and say so (before, a city's own set left them without a factor).
    city = _city(tmp_path, factor_set="riverton_fuel_2024")
    raw = yaml.safe_load(city.config_path.read_text())
    raw["feeds"]["city_factors"] = {"contract": "emission_factors", "path": "factors/*.csv", "description": "the city's own factors"}
    city.config_path.write_text(yaml.safe_dump(raw, sort_keys=False))
    city = load_city_config(city.config_path)
    (city.inbox_dir / "factors").mkdir(parents=True)
    (city.inbox_dir / "factors" / "factors.csv").write_text(
        "factor_set,activity,region,rate_basis,gas,value,unit,sector,source_document,source_table,source_year,data_year\n"
        'riverton_fuel_2024,propane,US,combustion,CO2e,63.0,kg/MMBtu,I.x.1,"Riverton propane supplier (a test document)",Table 1,2023,2023\n'
    )
    _ingest(conn, city)
    ingest_feed(conn, city, "city_factors")
    refresh_community_energy(conn, city)
    refresh_community_vmt(conn, city)
    gas = conn.execute(
        f"SELECT co2e_tonnes, factor_set, factor_choice FROM {COMMUNITY_ENERGY_TABLE} WHERE energy_type = 'natural_gas' AND sector = 'residential'"
    ).fetchone()
    # 10 therms = 1 MMBtu x 53.1148 kg CO2e (Hub 2021 Table 1, AR4) = 0.0531148 t.
    assert gas[0] == pytest.approx(0.0531148) and gas[1] == "epa_ghg_hub_2021"
    assert gas[2] == "default: shipped epa_ghg_hub_2021, city.factor_set riverton_fuel_2024 has no natural_gas combustion factor"
    rows = conn.execute(f"SELECT vehicle_class, co2e_tonnes, factors_applied FROM {COMMUNITY_VMT_TABLE} WHERE fuel = 'gasoline'").fetchall()
    assert rows and all(r[1] > 0 for r in rows)  # a row without its factors stops the run (written: every factor found)
    co2 = [f for r in rows for f in r[2] if f["factor"] == "CO2 per gallon"]
    assert co2 and {(f["factor_set"], f["value"], f["chosen"]) for f in co2} == {
        ("epa_ghg_hub_2021", 8.78, "default: shipped epa_ghg_hub_2021, city.factor_set riverton_fuel_2024 has no motor_gasoline combustion CO2 factor")}
