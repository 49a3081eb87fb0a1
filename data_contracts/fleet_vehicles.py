"""Fleet inventory: every city vehicle, its class and model year (for on-road CH4 and N2O per mile)."""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, _today, id_check

# The EPA GHG Emission Factors Hub's on-road classes (Tables 3 and 4), and off_road for equipment whose CH4 and N2O
# are per gallon (Table 5: mowers, sweepers, generators), which the fleet metric keeps at its per-gallon default.
VEHICLE_CLASSES = ["passenger_car", "light_truck", "heavy_duty", "motorcycle", "off_road"]


class FleetVehicles(Contract):
    """One row per fleet vehicle (an asset of the city: nothing personal)."""

    vehicle_id: str = Field(description="Fleet vehicle number, as the fleet_fuel feed names it")
    vehicle_class: str = Field(
        isin=VEHICLE_CLASSES,
        description="passenger_car, light_truck (vans, pickups, SUVs), heavy_duty (medium- and heavy-duty trucks, buses), motorcycle, "
        "or off_road (equipment: per-gallon CH4 and N2O)",
    )
    model_year: int = Field(nullable=True, ge=1900, le=2100, description="Model year (optional; without it the per-gallon default applies)")
    department: str = Field(nullable=True, description="Department the vehicle is assigned to")
    description: str = Field(nullable=True, description="Make and model, as the fleet system writes it")

    @pa.check("model_year", name="not_after_next_year", error="a model year after next year's is a typo (a new vehicle is at most next year's model)")
    def _model_year(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table[data.key].isnull() | (data.table[data.key] <= _today().year + 1)

    _ids = id_check("vehicle_id")

    class Config:
        title = "Fleet vehicles"
        unique = ["vehicle_id"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = FleetVehicles
