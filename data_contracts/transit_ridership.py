"""Transit ridership: boardings by route and month."""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, first_day_of_month, not_in_future


class TransitRidership(Contract):
    """One row per route and month."""

    route_id: str = Field(str_matches=r"^\S.{0,39}$", description="Route id as in the agency's GTFS")
    route_name: str = Field(nullable=True, description="Public route name")
    mode: str = Field(isin=["bus", "rail", "brt", "ferry", "paratransit", "other"], description="Transit mode")
    period_month: date = Field(description="First day of the month")
    boardings: int = Field(ge=0, le=20_000_000, description="Unlinked passenger trips (boardings) in the month")

    @pa.check("period_month", name="first_day_of_month", error="must be the first day of a month")
    def _first_day(cls, data: IbisData) -> ir.BooleanColumn:
        return first_day_of_month(data)

    @pa.check("period_month", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)

    class Config:
        title = "Transit ridership (monthly)"
        unique = ["route_id", "period_month"]
        metadata = {"version": "1.0.0", "time_column": "period_month"}


CONTRACT = TransitRidership
