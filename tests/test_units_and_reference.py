"""Unit conversions come from pint; shipped reference data match their published sources."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from city_outcomes.config import REFERENCE_DATA
from city_outcomes.units import unit_conversions
from tests.conftest import REALDATA


def _multiplier(quantity: str, from_unit: str) -> float:
    table = unit_conversions()
    row = table[(table.quantity == quantity) & (table.from_unit == from_unit)]
    assert len(row) == 1
    return float(row.multiplier.iloc[0])


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("electricity", "MWh", 1000.0),
        ("electricity", "GJ", 1e9 / 3.6e6),  # 1 GJ / 3.6 MJ per kWh
        ("natural_gas", "therm", 0.1),  # 100,000 Btu
        ("natural_gas", "GJ", 1e9 / 1055.056 / 1e6),  # Btu (IT) = 1055.056 J
        ("natural_gas", "ccf", 0.1026),  # 100 scf x 0.001026 MMBtu/scf (EPA Hub 2021 Table 1)
        ("emission_factor", "lb/MWh", 0.45359237 / 1000),
        ("emission_factor", "g/MMBtu", 0.001),
        # Fleet fuels: a US gallon is 3.785411784 L; a gasoline (diesel) gallon equivalent of CNG is the gas
        # holding a gallon of gasoline's 0.125 (diesel's 0.138) MMBtu at 0.001026 MMBtu/scf (Hub 2021 Table 1).
        ("gasoline", "L", 1 / 3.785411784),
        ("b20", "L", 1 / 3.785411784),
        ("cng", "GGE", 0.125 / 0.001026),
        ("cng", "DGE", 0.138 / 0.001026),
        # LNG: 0.138 MMBtu over the heat content its Table 2 factor implies (4.5005492 kg/gal / 53.06 kg/MMBtu).
        ("lng", "DGE", 0.138 / (4.5005492 / 53.06)),
        ("electricity", "kWh", 1.0),
    ],
)
def test_unit_multipliers(quantity: str, unit: str, expected: float) -> None:
    assert _multiplier(quantity, unit) == pytest.approx(expected, rel=1e-9)


# The project ships EPA's extract beside the factors it yields, so a clone with nothing beside it can
# rebuild the factors; with shared/realdata present, the shipped copy is checked against it too.
SHIPPED_EXTRACT = REFERENCE_DATA / "sources" / "ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv"
SHARED_EXTRACT = REALDATA / "epa_ghg_ef_hub_2021" / SHIPPED_EXTRACT.name
SHIPPED_TABLE_5 = REFERENCE_DATA / "sources" / "ghg-emission-factors-hub-2021_table_5.csv"
SHARED_WORKBOOK = REALDATA / "epa_ghg_ef_hub_2021" / "ghg-emission-factors-hub-2021.xlsx"


def _load(script: str):
    spec = importlib.util.spec_from_file_location(script, REFERENCE_DATA / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_emission_factors_match_epa_hub_extract(tmp_path: Path) -> None:
    extract = _load("extract_epa_ghg_hub_2021")
    rebuilt = tmp_path / "emission_factors.csv"
    extract.write(extract.extract(SHIPPED_EXTRACT, SHIPPED_TABLE_5), rebuilt)
    assert rebuilt.read_bytes() == (REFERENCE_DATA / "emission_factors.csv").read_bytes()


@pytest.mark.skipif(not SHARED_EXTRACT.is_file(), reason=f"the real EPA extract is not at {SHARED_EXTRACT}")
def test_the_shipped_epa_extract_is_the_published_one() -> None:
    assert SHIPPED_EXTRACT.read_bytes() == SHARED_EXTRACT.read_bytes()


@pytest.mark.skipif(not SHARED_WORKBOOK.is_file(), reason=f"the EPA workbook is not at {SHARED_WORKBOOK}")
def test_the_shipped_table_5_extract_is_what_the_workbook_holds(tmp_path: Path) -> None:
    extract = _load("extract_epa_ghg_hub_2021_table_5")
    rebuilt = tmp_path / SHIPPED_TABLE_5.name
    extract.write(extract.extract(SHARED_WORKBOOK), rebuilt)
    assert rebuilt.read_bytes() == SHIPPED_TABLE_5.read_bytes()


def test_table_5_extract_holds_the_published_rows() -> None:
    with SHIPPED_TABLE_5.open() as handle:
        rows = {(r["category"], r["fuel_or_subregion"], r["field"]): r for r in csv.DictReader(handle)}
    # Typed from the workbook's Table 5 (rows 264-303): 40 vehicle/fuel rows, two gases each.
    assert len(rows) == 80
    assert rows[("Construction/Mining Offroad Trucks", "Gasoline", "ch4_factor")]["value"] == "5.58"
    assert rows[("Construction/Mining Offroad Trucks", "Diesel", "n2o_factor")]["value"] == "0.49"
    assert rows[("Agricultural Equipment", "LPG", "ch4_factor")]["value"] == "2.19"  # footnote letter "A" removed
    assert rows[("Aircraft", "Jet Fuel", "ch4_factor")]["value"] == "0"  # stored as text in the workbook
    assert rows[("Recreational Equipment", "LPG", "n2o_factor")]["unit"] == "g N2O per gallon"


def test_key_factors_have_their_published_values_and_sources() -> None:
    with (REFERENCE_DATA / "emission_factors.csv").open() as handle:
        rows = {(r["activity"], r["region"], r["rate_basis"], r["gas"]): r for r in csv.DictReader(handle)}
    # EPA Hub 2021 Table 6 (eGRID2019) and Table 1, as quoted in shared/DOMAIN.md.
    assert float(rows[("electricity", "RFCE", "total_output", "CO2")]["value"]) == 695.0
    assert float(rows[("electricity", "US", "non_baseload", "CO2")]["value"]) == 1420.2
    assert float(rows[("natural_gas", "US", "combustion", "CO2")]["value"]) == 53.06
    assert float(rows[("motor_gasoline", "US", "combustion", "CO2")]["value"]) == 8.78
    # Table 5, construction/mining off-road trucks (gasoline, diesel) and equipment (LPG), g per gallon.
    assert float(rows[("motor_gasoline", "US", "non_road_per_gallon", "CH4")]["value"]) == 5.58
    assert float(rows[("motor_gasoline", "US", "non_road_per_gallon", "N2O")]["value"]) == 0.2
    assert float(rows[("diesel", "US", "non_road_per_gallon", "CH4")]["value"]) == 0.13
    assert float(rows[("diesel", "US", "non_road_per_gallon", "N2O")]["value"]) == 0.49
    assert float(rows[("lpg", "US", "non_road_per_gallon", "CH4")]["value"]) == 1.05
    assert rows[("diesel", "US", "non_road_per_gallon", "N2O")]["source_table"] == "Table 5 Mobile CH4/N2O Non-Road: Construction/Mining Offroad Trucks, Diesel"
    assert len({r[1] for r in rows if r[0] == "electricity"}) == 28  # 27 eGRID subregions + the US average
    for row in rows.values():
        assert row["source_document"].startswith("US EPA") and row["source_table"] and row["source_year"] == "2021"
