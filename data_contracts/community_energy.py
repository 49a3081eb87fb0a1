"""Community-wide energy use: a utility's aggregate deliveries to the city, by sector, energy type and month.

Utilities publish (or give cities under a data-sharing agreement) the energy they deliver inside a
city's boundary, summed by customer class, so that no customer can be singled out. These are the
activity data of the GPC's stationary energy sector (BASIC): fuel combusted in buildings (I.x.1,
scope 1) and grid electricity (I.x.2, scope 2), for residential (I.1), commercial and institutional
(I.2) and manufacturing and construction (I.3) buildings.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks, unit_fits

SECTORS = ["residential", "commercial_institutional", "manufacturing_construction"]
ENERGY_TYPES = ["electricity", "natural_gas", "fuel_oil", "propane"]
UNITS_BY_ENERGY_TYPE = {
    "electricity": ["kWh", "MWh", "GJ"],
    "natural_gas": ["therm", "MMBtu", "GJ", "ccf"],
    "fuel_oil": ["gal", "MMBtu"],
    "propane": ["gal", "MMBtu"],
}
# A small-cell rule a utility applies before it publishes (e.g. California's 15/15 rule): a figure
# summing fewer customers than this is one a city must not republish as is.
MIN_CUSTOMERS_PUBLISHED = 15


class CommunityEnergy(MonthlyContract):
    """One row per utility, sector, energy type and month."""

    utility: str = Field(description="The utility or supplier whose deliveries the row sums")
    sector: str = Field(isin=SECTORS, description="GPC stationary-energy sector of the customers: residential (I.1), commercial_institutional (I.2), manufacturing_construction (I.3)")
    energy_type: str = Field(isin=ENERGY_TYPES, description="What was delivered")
    quantity: float = Field(ge=0, le=1e12, description="Energy delivered in the month, in `unit`")
    unit: str = Field(isin=sorted({u for units in UNITS_BY_ENERGY_TYPE.values() for u in units}), description="Unit of `quantity`")
    customers: int = Field(nullable=True, ge=0, le=100_000_000, description="Customers the figure sums, if given (small cells are suppressed on the site)")

    @pa.dataframe_check(name="unit_fits_energy_type", error="unit must be a unit of the energy type (e.g. not therm for electricity)")
    def _unit_fits(cls, data: IbisData) -> ir.BooleanColumn:
        return unit_fits(data.table, "energy_type", UNITS_BY_ENERGY_TYPE)

    _ids = id_check("utility")
    _epoch, _day_1900 = placeholder_date_checks("period_month")

    class Config:
        title = "Community energy (utility deliveries by sector)"
        unique = ["utility", "sector", "energy_type", "period_month"]
        metadata = {"version": "1.0.0", "time_column": "period_month"}


CONTRACT = CommunityEnergy
