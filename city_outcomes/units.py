"""Unit conversions, computed by pint rather than typed by hand, stored as a table metrics join to.

Activity data arrive in whatever unit a department bills in; emission factors come per their
publisher's unit. Both are converted to one canonical unit per quantity inside SQL, by joining to
``ref.unit_conversions``, whose rows say how each multiplier was obtained.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pint

# Canonical unit of each activity: what emission factors are expressed per after conversion.
CANONICAL_ACTIVITY_UNITS = {"electricity": "kWh", "natural_gas": "MMBtu"}
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
    return units


def _multiplier(from_unit: str, to_unit: str) -> float:
    # Round off binary noise (therm -> MMBtu is 0.09999999999999999 in floating point).
    return float(f"{registry().Quantity(1, from_unit).to(to_unit).magnitude:.12g}")


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
    rows += _fleet_conversions(method)
    # Emission factor units -> kg of gas per canonical activity unit (or per gallon / scf for fuels).
    for from_unit, to_unit in [("lb/MWh", "kg/kWh"), ("kg/kWh", "kg/kWh"), ("kg/MMBtu", "kg/MMBtu"), ("g/MMBtu", "kg/MMBtu"), ("kg/gal", "kg/gal"), ("g/gal", "kg/gal"), ("kg/scf", "kg/scf")]:
        rows.append(("emission_factor", from_unit, to_unit, _multiplier(from_unit, to_unit), method))
    return pd.DataFrame(rows, columns=["quantity", "from_unit", "to_unit", "multiplier", "method"])


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
