"""Unit conversions, computed by pint rather than typed by hand, stored as a table metrics join to.

Activity data arrive in whatever unit a department bills in; emission factors come per their
publisher's unit. Both are converted to one canonical unit per quantity inside SQL, by joining to
``ref.unit_conversions``, whose rows say how each multiplier was obtained.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd
import pint

from data_contracts.building_energy import DISTRICT_ENERGY, LIQUID_FUELS, UNITS_BY_ENERGY_TYPE

# Canonical unit of each activity: what emission factors are expressed per after conversion. Every building fuel
# and district energy is converted to the heat it delivers, in MMBtu (the unit of EPA Hub Tables 1 and 7).
CANONICAL_ACTIVITY_UNITS = {"electricity": "kWh", "natural_gas": "MMBtu", **dict.fromkeys([*DISTRICT_ENERGY, *LIQUID_FUELS], "MMBtu")}
# The EPA Hub 2021 extract shipped with the reference data; the liquid fuels' heat contents are read from it.
HUB_TABLES_EXTRACT = Path(__file__).resolve().parent.parent / "reference_data" / "sources" / "ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv"
# Building liquid fuel -> its Table 1 (Stationary Combustion, Petroleum Products) name.
LIQUID_FUEL_TABLE_1_NAMES = {
    "fuel_oil_1": "Distillate Fuel Oil No. 1",
    "fuel_oil_2": "Distillate Fuel Oil No. 2",
    "fuel_oil_4": "Distillate Fuel Oil No. 4",
    "fuel_oil_5": "Residual Fuel Oil No. 5",
    "fuel_oil_6": "Residual Fuel Oil No. 6",
    "kerosene": "Kerosene",
    "stationary_propane": "Propane",
}
# pint's spelling of the billing units it does not parse as written ("ton-hour" would be a subtraction).
PINT_SPELLING = {"ton-hour": "refrigeration_ton * hour"}
# EPA GHG Emission Factors Hub 2021, Table 1: natural gas heat content, MMBtu per standard cubic foot.
NATURAL_GAS_HEAT_CONTENT_MMBTU_PER_SCF = 0.001026
# EPA GHG Emission Factors Hub 2021, Table 1 (higher heating values, MMBtu per gallon): motor gasoline
# and distillate fuel oil No. 2 (diesel). A gasoline (diesel) gallon equivalent is the fuel that holds
# the energy of one gallon of gasoline (diesel), so these define GGE and DGE here.
GASOLINE_HEAT_CONTENT_MMBTU_PER_GAL = 0.125
DIESEL_HEAT_CONTENT_MMBTU_PER_GAL = 0.138
# The Hub gives LNG only as 4.5005492 kg CO2 per gallon (Table 2, "developed based on the CO2 factor
# for Natural Gas and LNG fuel density from GREET1_2020"), with natural gas at 53.06 kg CO2/MMBtu
# (Table 1). Dividing one by the other recovers the heat content that factor implies.
LNG_HEAT_CONTENT_MMBTU_PER_GAL = 4.5005492 / 53.06

# Canonical unit of each fleet fuel: the unit its EPA Hub 2021 Table 2 CO2 factor is per (scf for CNG,
# gallons for the liquids), kWh for charging, kg for hydrogen (the Hub has no hydrogen factor).
FLEET_LIQUIDS = ["gasoline", "diesel", "renewable_diesel", "e85", "b5", "b20", "b100", "propane"]
FLEET_CANONICAL_UNITS = {**dict.fromkeys(FLEET_LIQUIDS, "gal"), "cng": "scf", "lng": "gal", "hydrogen": "kg", "electricity": "kWh"}


@cache
def registry() -> pint.UnitRegistry:
    """pint's registry, with the US energy-billing units it lacks."""
    units = pint.UnitRegistry()
    units.define("MMBtu = 1e6 * Btu")  # pint's therm is already 1e5 Btu (the US/EC therm EPA uses)
    units.define("scf = foot ** 3")  # standard cubic foot of gas
    units.define("kBtu = 1e3 * Btu")
    return units


def _multiplier(from_unit: str, to_unit: str) -> float:
    # Round off binary noise (therm -> MMBtu is 0.09999999999999999 in floating point).
    quantity = registry().Quantity(1, PINT_SPELLING.get(from_unit, from_unit))
    return float(f"{quantity.to(to_unit).magnitude:.12g}")


@cache
def liquid_fuel_heat_contents() -> dict[str, float]:
    """MMBtu per US gallon (higher heating value) of each building liquid fuel, from EPA Hub 2021 Table 1."""
    with HUB_TABLES_EXTRACT.open(newline="", encoding="utf-8") as handle:
        found = {
            record["fuel_or_subregion"]: float(record["value"])
            for record in csv.DictReader(handle)
            if record["table"].startswith("Table 1") and record["field"] == "heat_content_hhv" and record["unit"] == "mmBtu per gallon"
        }
    return {fuel: found[name] for fuel, name in LIQUID_FUEL_TABLE_1_NAMES.items()}


def unit_conversions() -> pd.DataFrame:
    """Every conversion metrics need: (quantity, from_unit, to_unit, multiplier, method)."""
    method = f"pint {pint.__version__}; Btu = 1055.056 J (IT), therm = 1e5 Btu, MMBtu = 1e6 Btu"
    rows = []
    for quantity, units in {"electricity": ["kWh", "MWh", "GJ"], "natural_gas": ["therm", "MMBtu", "GJ"]}.items():
        canonical = CANONICAL_ACTIVITY_UNITS[quantity]
        rows += [(quantity, unit, canonical, _multiplier(unit, canonical), method) for unit in units]
    rows.append(
        (
            "natural_gas", "ccf", "MMBtu", 100 * NATURAL_GAS_HEAT_CONTENT_MMBTU_PER_SCF,
            "100 scf x 0.001026 MMBtu/scf, heat content from US EPA GHG Emission Factors Hub 2021 Table 1",
        )
    )
    rows += _building_fuel_conversions(method)
    rows += _fleet_conversions(method)
    # Emission factor units -> kg of gas per canonical activity unit (or per gallon / scf for fuels).
    for from_unit, to_unit in [("lb/MWh", "kg/kWh"), ("kg/kWh", "kg/kWh"), ("kg/MMBtu", "kg/MMBtu"), ("g/MMBtu", "kg/MMBtu"), ("kg/gal", "kg/gal"), ("g/gal", "kg/gal"), ("kg/scf", "kg/scf")]:
        rows.append(("emission_factor", from_unit, to_unit, _multiplier(from_unit, to_unit), method))
    return pd.DataFrame(rows, columns=["quantity", "from_unit", "to_unit", "multiplier", "method"])


def _building_fuel_conversions(method: str) -> list[tuple[str, str, str, float, str]]:
    """District energy, liquid fuels and natural gas in kBtu, to MMBtu; liquid fuels' volumes at their heat content."""
    rows = [("natural_gas", "kBtu", "MMBtu", _multiplier("kBtu", "MMBtu"), method)]
    # Portfolio Manager reports "Fuel Oil #5 & 6" as one kBtu figure; EPA gives No. 5 and No. 6 apart, so no factor
    # ships for the mix (a city adds its supplier's): the heat converts, and the missing factor stops the run.
    rows.append(("fuel_oil_5_6", "kBtu", "MMBtu", _multiplier("kBtu", "MMBtu"), method))
    for energy in DISTRICT_ENERGY:
        rows += [(energy, unit, "MMBtu", _multiplier(unit, "MMBtu"), method + ("; ton of refrigeration = 12,000 Btu/h" if unit == "ton-hour" else ""))
                 for unit in UNITS_BY_ENERGY_TYPE[energy]]
    for fuel, heat_content in liquid_fuel_heat_contents().items():
        name = LIQUID_FUEL_TABLE_1_NAMES[fuel]
        rows += [(fuel, unit, "MMBtu", _multiplier(unit, "MMBtu"), method) for unit in ("kBtu", "MMBtu")]
        rows.append((fuel, "gal", "MMBtu", heat_content, f"{heat_content} MMBtu/gal, heat content (HHV) of {name}, US EPA GHG Emission Factors Hub 2021 Table 1"))
        rows.append((fuel, "L", "MMBtu", _round(heat_content * _multiplier("L", "gal")),
                     f"{heat_content} MMBtu/gal ({name}, US EPA GHG Emission Factors Hub 2021 Table 1) x US gallons per litre ({method})"))
    return rows


def _fleet_conversions(method: str) -> list[tuple[str, str, str, float, str]]:
    """Fleet fuel quantities (``quantity`` = the fleet_fuel ``fuel_type``) to each fuel's canonical unit."""
    rows = []
    for fuel in FLEET_LIQUIDS:
        rows += [(fuel, unit, "gal", _multiplier(unit, "gal"), method) for unit in ("gal", "L")]
    hub = "heat contents (HHV) from US EPA GHG Emission Factors Hub 2021 Table 1"
    gge_scf = GASOLINE_HEAT_CONTENT_MMBTU_PER_GAL / NATURAL_GAS_HEAT_CONTENT_MMBTU_PER_SCF
    dge_scf = DIESEL_HEAT_CONTENT_MMBTU_PER_GAL / NATURAL_GAS_HEAT_CONTENT_MMBTU_PER_SCF
    rows += [
        ("cng", "scf", "scf", 1.0, method),
        ("cng", "GGE", "scf", _round(gge_scf), f"0.125 MMBtu/gal motor gasoline / 0.001026 MMBtu/scf natural gas, {hub}"),
        ("cng", "DGE", "scf", _round(dge_scf), f"0.138 MMBtu/gal distillate No. 2 / 0.001026 MMBtu/scf natural gas, {hub}"),
        ("lng", "gal", "gal", 1.0, method),
        ("lng", "L", "gal", _multiplier("L", "gal"), method),
        (
            "lng", "DGE", "gal", _round(DIESEL_HEAT_CONTENT_MMBTU_PER_GAL / LNG_HEAT_CONTENT_MMBTU_PER_GAL),
            "0.138 MMBtu/gal distillate No. 2 (Hub 2021 Table 1) / (4.5005492 kg CO2/gal LNG (Table 2) / 53.06 kg CO2/MMBtu natural gas (Table 1))",
        ),
        ("hydrogen", "kg", "kg", 1.0, method),
    ]
    return rows


def _round(value: float) -> float:
    return float(f"{value:.12g}")
