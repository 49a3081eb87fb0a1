"""Transit ridership: boardings by route and month."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks


class TransitRidership(MonthlyContract):
    """One row per route and month."""

    route_id: str = Field(description="Route id as in the agency's GTFS")
    route_name: str = Field(nullable=True, description="Public route name")
    mode: str = Field(isin=["bus", "rail", "brt", "ferry", "paratransit", "other"], description="Transit mode")
    boardings: int = Field(ge=0, le=20_000_000, description="Unlinked passenger trips (boardings) in the month")

    _ids = id_check("route_id")
    _epoch, _day_1900 = placeholder_date_checks("period_month")

    class Config:
        title = "Transit ridership (monthly)"
        unique = ["route_id", "period_month"]
        metadata = {"version": "1.2.0", "time_column": "period_month"}


CONTRACT = TransitRidership
