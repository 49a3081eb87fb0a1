"""Monthly metered energy use of municipal buildings, one row per building, month and fuel."""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks, unit_fits

# Purchased district energy (scope 2, GPC I.x.2, like electricity): steam, hot water, chilled water.
DISTRICT_ENERGY = ["district_steam", "district_hot_water", "district_chilled_water"]
# Fuels burned on site other than natural gas (scope 1, GPC I.x.1), as EPA Hub 2021 Table 1 names them: distillate
# fuel oils No. 1, 2 (heating oil, diesel) and 4, residual fuel oils No. 5 and 6, kerosene, propane. Propane is
# `stationary_propane` because the fleet's `propane` (a vehicle fuel, per gallon) is another quantity.
LIQUID_FUELS = ["fuel_oil_1", "fuel_oil_2", "fuel_oil_4", "fuel_oil_5", "fuel_oil_6", "kerosene", "stationary_propane"]
ENERGY_TYPES = ["electricity", "natural_gas", *DISTRICT_ENERGY, *LIQUID_FUELS]
HEAT_UNITS = ["kBtu", "MMBtu", "therm", "GJ"]
# Units each energy type may be reported in; conversions come from city_outcomes.units. Steam by mass (Mlb) is not
# among them: the heat in a pound of steam depends on the supplier's pressure and temperature (bill it in kBtu/MMBtu).
UNITS_BY_ENERGY_TYPE = {
    "electricity": ["kWh", "MWh", "GJ"],
    "natural_gas": ["therm", "MMBtu", "GJ", "ccf", "kBtu"],
    "district_steam": HEAT_UNITS,
    "district_hot_water": HEAT_UNITS,
    "district_chilled_water": [*HEAT_UNITS, "ton-hour"],
    **{fuel: ["gal", "L", "kBtu", "MMBtu"] for fuel in LIQUID_FUELS},
}


class BuildingEnergy(MonthlyContract):
    """Utility-metered energy per building and month, as billed."""

    building_id: str = Field(description="The city's building or facility id")
    energy_type: str = Field(isin=ENERGY_TYPES, description="What was metered")
    quantity: float = Field(ge=0, le=1e9, description="Metered quantity, in `unit`")
    unit: str = Field(isin=sorted({u for units in UNITS_BY_ENERGY_TYPE.values() for u in units}), description="Unit of `quantity`")
    cost_usd: float = Field(nullable=True, ge=0, le=1e9, description="Billed cost in US dollars, if exported")

    @pa.dataframe_check(name="unit_fits_energy_type", error="unit must be a unit of the energy type (e.g. not therm for electricity)")
    def _unit_fits(cls, data: IbisData) -> ir.BooleanColumn:
        return unit_fits(data.table, "energy_type", UNITS_BY_ENERGY_TYPE)

    _ids = id_check("building_id")
    _epoch, _day_1900 = placeholder_date_checks("period_month")

    class Config:
        title = "Building energy (monthly utility use)"
        unique = ["building_id", "period_month", "energy_type"]
        metadata = {"version": "1.3.0", "time_column": "period_month"}


CONTRACT = BuildingEnergy
