"""Monthly streetlight electricity, metered or estimated (most streetlights are billed unmetered)."""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, first_day_of_month, not_in_future

# A 2,000 W fixture burning all 744 hours of a 31-day month uses 1,488 kWh: nothing plausible uses more.
MAX_KWH_PER_FIXTURE_MONTH = 1_500


class StreetlightEnergy(Contract):
    """One row per fixture and month."""

    fixture_id: str = Field(str_matches=r"^\S.{0,39}$", description="Fixture or pole id (as in the fixture inventory)")
    period_month: date = Field(description="First day of the month")
    energy_kwh: float = Field(ge=0, le=MAX_KWH_PER_FIXTURE_MONTH, description="Electricity used in the month, kWh")
    is_estimated: bool = Field(description="True where the utility estimated the use from wattage and burn hours")

    @pa.check("period_month", name="first_day_of_month", error="must be the first day of a month")
    def _first_day(cls, data: IbisData) -> ir.BooleanColumn:
        return first_day_of_month(data)

    @pa.check("period_month", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)

    class Config:
        title = "Streetlight energy (monthly)"
        unique = ["fixture_id", "period_month"]
        metadata = {"version": "1.0.0", "time_column": "period_month"}


CONTRACT = StreetlightEnergy
