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
    # Emission factor units -> kg of gas per canonical activity unit (or per gallon / scf for fuels).
    for from_unit, to_unit in [("lb/MWh", "kg/kWh"), ("kg/kWh", "kg/kWh"), ("kg/MMBtu", "kg/MMBtu"), ("g/MMBtu", "kg/MMBtu"), ("kg/gal", "kg/gal"), ("g/gal", "kg/gal"), ("kg/scf", "kg/scf")]:
        rows.append(("emission_factor", from_unit, to_unit, _multiplier(from_unit, to_unit), method))
    return pd.DataFrame(rows, columns=["quantity", "from_unit", "to_unit", "multiplier", "method"])
