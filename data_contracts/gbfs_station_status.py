"""GBFS station_status snapshots: bikes and docks available at each station."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, id_check, is_epoch_time, placeholder_time_checks

PLACEHOLDER_STATION_RULE = (
    "placeholder: a station with capacity 0 (no vehicles, no docks) last reported at the Unix epoch 1970-01-01T00:00:00 (never in service)"
)


class GbfsStationStatus(Contract):
    """One row per station per snapshot."""

    system_id: str = Field(description="Bike-share system (set per feed in the city configuration)")
    station_id: str = Field(description="GBFS station_id")
    num_bikes_available: int = Field(ge=0, le=1_000, description="Vehicles available to rent")
    num_docks_available: int = Field(nullable=True, ge=0, le=1_000, description="Empty docks")
    is_installed: bool = Field(description="Station is installed on the street")
    is_renting: bool = Field(description="Station is renting vehicles")
    is_returning: bool = Field(description="Station accepts returns")
    last_reported: datetime = Field(nullable=True, description="When the station last reported, UTC")
    snapshot_time: datetime = Field(description="The feed's last_updated, UTC")

    _ids = id_check("system_id", "station_id")
    _epoch, _day_1900 = placeholder_time_checks("last_reported", "snapshot_time")

    # Operators list planned or retired stations with nothing at them and a last_reported of 0: not
    # a station whose docks are all in use. Said as such, besides the epoch rule on last_reported.
    @pa.dataframe_check(name="placeholder_station", error=PLACEHOLDER_STATION_RULE)
    def _placeholder_station(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        empty = (table.num_bikes_available == 0) & (table.num_docks_available.fill_null(0) == 0)
        return ~(empty & is_epoch_time(table.last_reported)).fill_null(False)

    class Config:
        title = "GBFS station status"
        unique = ["system_id", "station_id", "snapshot_time"]
        metadata = {"version": "1.2.0", "time_column": "snapshot_time"}


CONTRACT = GbfsStationStatus
