"""Rebuild emission_factors.csv from EPA's GHG Emission Factors Hub 2021 (CSV extract of the workbook).

Run: python reference_data/extract_epa_ghg_hub_2021.py reference_data/sources/ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv [reference_data/sources/ghg-emission-factors-hub-2021_table_5.csv [reference_data/sources/ghg-emission-factors-hub-2021_table_7.csv]]
The extracts ship in reference_data/sources/ (see reference_data/SOURCES.md); the Table 5 and Table 7
ones are written from the workbook by extract_epa_ghg_hub_2021_table_5.py and _table_7.py.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "emission_factors.csv"
FACTOR_SET = "epa_ghg_hub_2021"
DOCUMENT = "US EPA Center for Corporate Climate Leadership, Emission Factors for Greenhouse Gas Inventories (GHG Emission Factors Hub), last modified 15 September 2021"
COLUMNS = ["factor_set", "activity", "region", "rate_basis", "gas", "value", "unit", "sector", "source_document", "source_table", "source_year", "data_year"]

# Table 2 fuel names -> the activity names the project uses.
MOBILE_FUELS = {
    "Motor Gasoline": "motor_gasoline",
    "Diesel Fuel": "diesel",
    "Ethanol (100%)": "ethanol_100",
    "Biodiesel (100%)": "biodiesel_100",
    "Compressed Natural Gas (CNG)": "cng",
    "Liquefied Petroleum Gases (LPG)": "lpg",
    "Liquefied Natural Gas (LNG)": "lng",
    "Aviation Gasoline": "aviation_gasoline",
    "Kerosene-Type Jet Fuel": "jet_fuel",
    "Residual Fuel Oil": "residual_fuel_oil",
}
ELECTRICITY_FIELDS = {
    "total_output_co2": ("total_output", "CO2"),
    "total_output_ch4": ("total_output", "CH4"),
    "total_output_n2o": ("total_output", "N2O"),
    "nonbaseload_co2": ("non_baseload", "CO2"),
    "nonbaseload_ch4": ("non_baseload", "CH4"),
    "nonbaseload_n2o": ("non_baseload", "N2O"),
}
# Table 1 stationary fuels the buildings' energy types use (per mmBtu; gallons convert at the same table's heat
# content, see city_outcomes/units.py) -> the building energy type. Propane is `stationary_propane`: the fleet's
# `propane` (Table 2 LPG per gallon) shares the unit-conversion namespace.
STATIONARY_FUELS = {
    "Distillate Fuel Oil No. 1": "fuel_oil_1",
    "Distillate Fuel Oil No. 2": "fuel_oil_2",
    "Distillate Fuel Oil No. 4": "fuel_oil_4",
    "Residual Fuel Oil No. 5": "fuel_oil_5",
    "Residual Fuel Oil No. 6": "fuel_oil_6",
    "Kerosene": "kerosene",
    "Propane": "stationary_propane",
}
# Table 7 (Steam and Heat, per mmBtu purchased, natural gas at 80% efficiency) is the default for purchased steam
# and for purchased hot water (heat); rate_basis `purchased_default`, used where the supplier gives no factor.
PURCHASED_HEAT = ["district_steam", "district_hot_water"]
TABLE_7 = HERE / "sources" / "ghg-emission-factors-hub-2021_table_7.csv"
NATURAL_GAS_FIELDS = {
    ("co2_factor", "kg CO2 per mmBtu"): ("CO2", "kg/MMBtu"),
    ("ch4_factor", "g CH4 per mmBtu"): ("CH4", "g/MMBtu"),
    ("n2o_factor", "g N2O per mmBtu"): ("N2O", "g/MMBtu"),
}
MOBILE_UNITS = {"kg CO2 per gallon": "kg/gal", "kg CO2 per scf": "kg/scf"}
# Table 5 (CH4 and N2O of non-road vehicles, g per gallon) rows the fleet metric uses as its per-gallon
# default: the fleet_fuel contract has no miles or model years, which Tables 3 and 4 (g per mile) need.
# Table 5 is the Hub's only per-gallon CH4/N2O table for vehicles; of its vehicle types, the
# construction/mining off-road trucks are the nearest to a municipal fleet's work trucks (gasoline and
# diesel). It has no truck row for LPG, so propane takes construction/mining equipment's LPG row.
# (vehicle type, fuel type) -> the activity name of the Table 2 CO2 factor for the same fuel.
NON_ROAD_DEFAULTS = {
    ("Construction/Mining Offroad Trucks", "Gasoline"): "motor_gasoline",
    ("Construction/Mining Offroad Trucks", "Diesel"): "diesel",
    ("Construction/Mining Equipment", "LPG"): "lpg",
}
NON_ROAD_FIELDS = {("ch4_factor", "g CH4 per gallon"): "CH4", ("n2o_factor", "g N2O per gallon"): "N2O"}
TABLE_5 = HERE / "sources" / "ghg-emission-factors-hub-2021_table_5.csv"


def extract(source: Path, table_5: Path = TABLE_5, table_7: Path = TABLE_7) -> list[dict[str, str]]:
    """The factor rows the project ships, in a stable order."""
    rows: list[dict[str, str]] = []
    with table_7.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if (record["field"], record["unit"]) in NATURAL_GAS_FIELDS:
                gas, project_unit = NATURAL_GAS_FIELDS[(record["field"], record["unit"])]
                for activity in PURCHASED_HEAT:
                    rows.append(_row(activity, "US", "purchased_default", gas, record["value"], project_unit, "I.x.2 grid-supplied energy (scope 2)", record["table"], data_year=2021))
    with table_5.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            key, gas = (record["category"], record["fuel_or_subregion"]), NON_ROAD_FIELDS.get((record["field"], record["unit"]))
            if key in NON_ROAD_DEFAULTS and gas:
                table = f"{record['table']}: {key[0]}, {key[1]}"
                rows.append(_row(NON_ROAD_DEFAULTS[key], "US", "non_road_per_gallon", gas, record["value"], "g/gal", "II.x.1 transportation fuel combustion (scope 1)", table, data_year=2018))
    with source.open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            table, name, field, value, unit = (record[k] for k in ("table", "fuel_or_subregion", "field", "value", "unit"))
            if table.startswith("Table 6") and field in ELECTRICITY_FIELDS:
                basis, gas = ELECTRICITY_FIELDS[field]
                region = re.match(r"^([A-Z]+)", name).group(1)
                rows.append(_row("electricity", region, basis, gas, value, "lb/MWh", "I.x.2 grid-supplied energy (scope 2)", table, data_year=2019))
            elif table.startswith("Table 1") and name == "Natural Gas" and (field, unit) in NATURAL_GAS_FIELDS:
                gas, project_unit = NATURAL_GAS_FIELDS[(field, unit)]
                rows.append(_row("natural_gas", "US", "combustion", gas, value, project_unit, "I.x.1 stationary fuel combustion (scope 1)", table, data_year=2021))
            elif table.startswith("Table 1") and name in STATIONARY_FUELS and (field, unit) in NATURAL_GAS_FIELDS:
                gas, project_unit = NATURAL_GAS_FIELDS[(field, unit)]
                rows.append(_row(STATIONARY_FUELS[name], "US", "combustion", gas, value, project_unit, "I.x.1 stationary fuel combustion (scope 1)", f"{table}: {name}", data_year=2021))
            elif table.startswith("Table 2") and name in MOBILE_FUELS:
                rows.append(_row(MOBILE_FUELS[name], "US", "combustion", "CO2", value, MOBILE_UNITS[unit], "II.x.1 transportation fuel combustion (scope 1)", table, data_year=2021))
    rows.sort(key=lambda r: (r["activity"], r["region"], r["rate_basis"], r["gas"]))
    return rows


def _row(activity: str, region: str, basis: str, gas: str, value: str, unit: str, sector: str, table: str, data_year: int) -> dict[str, str]:
    return {
        "factor_set": FACTOR_SET, "activity": activity, "region": region, "rate_basis": basis, "gas": gas,
        "value": value, "unit": unit, "sector": sector, "source_document": DOCUMENT, "source_table": table,
        "source_year": "2021", "data_year": str(data_year),
    }


def write(rows: list[dict[str, str]], target: Path = OUTPUT) -> None:
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    write(extract(Path(sys.argv[1]), *(Path(a) for a in sys.argv[2:4])))
