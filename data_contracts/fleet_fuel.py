"""Fleet fuel purchases: every fill-up or charge of a city vehicle, from fuel-card or fleet systems."""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, id_check, not_in_future, placeholder_date_checks, unit_fits

# Units each fuel may be bought in (GGE / DGE: gasoline / diesel gallon equivalents, how CNG and
# LNG are usually sold; hydrogen is sold by the kilogram).
UNITS_BY_FUEL = {
    "gasoline": ["gal", "L"],
    "diesel": ["gal", "L"],
    "renewable_diesel": ["gal", "L"],
    "e85": ["gal", "L"],
    "b5": ["gal", "L"],
    "b20": ["gal", "L"],
    "b100": ["gal", "L"],
    "propane": ["gal", "L"],
    "cng": ["GGE", "DGE", "scf"],
    "lng": ["gal", "DGE", "L"],
    "hydrogen": ["kg"],
    "electricity": ["kWh"],
}


class FleetFuel(Contract):
    """One row per fuel purchase or vehicle charge."""

    vehicle_id: str = Field(description="Fleet vehicle number")
    department: str = Field(nullable=True, description="Department the vehicle is assigned to")
    purchase_date: date = Field(description="Date of the purchase")
    fuel_type: str = Field(isin=sorted(UNITS_BY_FUEL), description="Fuel bought")
    quantity: float = Field(gt=0, le=10_000, description="Quantity bought, in `unit` (a single purchase above 10,000 is implausible)")
    unit: str = Field(isin=sorted({u for units in UNITS_BY_FUEL.values() for u in units}), description="Unit of `quantity`")
    cost_usd: float = Field(nullable=True, ge=0, le=1e6, description="Cost of the purchase in US dollars")
    odometer_miles: float = Field(
        nullable=True, ge=0, le=2_000_000,
        description="Odometer reading at the purchase, in miles (optional): with the fleet_vehicles feed's class and model year, "
        "the miles since the vehicle's previous reading give its on-road CH4 and N2O per mile",
    )

    @pa.check("purchase_date", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)

    @pa.dataframe_check(name="unit_fits_fuel_type", error="unit must be a unit of the fuel (e.g. not kWh for diesel)")
    def _unit_fits(cls, data: IbisData) -> ir.BooleanColumn:
        return unit_fits(data.table, "fuel_type", UNITS_BY_FUEL)

    _ids = id_check("vehicle_id")
    _epoch, _day_1900 = placeholder_date_checks("purchase_date")

    class Config:
        title = "Fleet fuel purchases"
        metadata = {"version": "1.4.0", "time_column": "purchase_date"}


CONTRACT = FleetFuel
