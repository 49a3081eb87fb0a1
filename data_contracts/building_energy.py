"""Monthly metered energy use of municipal buildings, one row per building, month and fuel."""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks, unit_fits

ENERGY_TYPES = ["electricity", "natural_gas"]
# Units each energy type may be reported in; conversions come from city_outcomes.units.
UNITS_BY_ENERGY_TYPE = {
    "electricity": ["kWh", "MWh", "GJ"],
    "natural_gas": ["therm", "MMBtu", "GJ", "ccf"],
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
        metadata = {"version": "1.2.0", "time_column": "period_month"}


CONTRACT = BuildingEnergy
