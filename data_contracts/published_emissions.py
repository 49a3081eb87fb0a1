"""A city's own published emissions: the figures it answers for in public, to reconcile the inventory against.

One row per month, facility (or meter) and source, as the publication gives it: the activity it
counted, in its unit, and the tCO2e it reported. Nothing here is recomputed: the rows are the
publication's numbers, kept so that ``city-outcomes reconcile`` can explain every difference.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks

# The sources a publication reports, named as the inventory names its energy types and fuels, and
# the units each may be counted in. MCF (thousand cubic feet) is how dashboards report billed gas.
UNITS_BY_SOURCE = {
    "electricity": ["kWh", "MWh", "GJ"],
    "natural_gas": ["therm", "MMBtu", "GJ", "ccf", "MCF"],
    "gasoline": ["gal", "L"],
    "diesel": ["gal", "L"],
    "propane": ["gal", "L"],
}


class PublishedEmissions(MonthlyContract):
    """One published figure: a month, a facility or meter, a source, its activity and its tCO2e."""

    facility_id: str = Field(
        description="The facility or meter the figure is for, as the publication names it; where it is the inventory's "
        "building (meter) id, rows are compared one by one"
    )
    department: str = Field(nullable=True, description="The department or operation the publication files the facility under")
    source: str = Field(isin=sorted(UNITS_BY_SOURCE), description="What was burned or bought (electricity, natural_gas, gasoline, ...)")
    activity_quantity: float = Field(ge=0, le=1e10, description="The activity the publication counted, in `activity_unit`")
    activity_unit: str = Field(isin=sorted({u for units in UNITS_BY_SOURCE.values() for u in units}), description="Unit of `activity_quantity`")
    co2e_tonnes: float = Field(ge=0, le=1e8, description="The tCO2e the publication reported for the row")
    cost_usd: float = Field(nullable=True, ge=0, le=1e9, description="The cost it reported, in US dollars, if any (used to confirm which meters a gap is)")
    publication: str = Field(description="Which publication the figure is from: its title and edition, version or year")

    @pa.dataframe_check(name="unit_fits_source", error="activity_unit must be a unit of the source (e.g. not gal for electricity)")
    def _unit_fits(cls, data: IbisData) -> ir.BooleanColumn:
        # As the shared unit_fits, over activity_unit (this contract's unit column is named for what it counts).
        table = data.table
        fits = None
        for source, units in UNITS_BY_SOURCE.items():
            clause = (table.source == source) & table.activity_unit.isin(units)
            fits = clause if fits is None else fits | clause
        return fits

    _ids = id_check("facility_id")
    _epoch, _day_1900 = placeholder_date_checks("period_month")

    class Config:
        title = "Published emissions (a city's own figures, for reconciliation)"
        unique = ["period_month", "facility_id", "source"]
        metadata = {"version": "1.0.0", "time_column": "period_month"}


CONTRACT = PublishedEmissions
