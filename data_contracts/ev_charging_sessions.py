"""EV charging sessions at public or fleet chargers (ChargePoint-style session exports)."""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, ends_after_start, id_check, not_in_future_time, null_island_check, open_session_check, placeholder_time_checks


class EvChargingSessions(Contract):
    """One row per charging session."""

    station_id: str = Field(description="Charger (station) name or id")
    port_id: str = Field(nullable=True, description="Port on the charger")
    start_time: datetime = Field(description="Plug-in time, UTC")
    end_time: datetime = Field(description="Unplug time, UTC")
    energy_kwh: float = Field(ge=0, le=500, description="Energy delivered, kWh")
    user_id: str = Field(nullable=True, metadata={"personal": "account_id"}, description="Driver account (hashed at ingest)")
    latitude: float = Field(nullable=True, ge=-90, le=90, description="Charger latitude (public infrastructure)")
    longitude: float = Field(nullable=True, ge=-180, le=180, description="Charger longitude (public infrastructure)")

    @pa.check("start_time", name="not_in_future", error="must not be after now")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future_time(data)

    @pa.dataframe_check(name="end_after_start", error="end_time must not be before start_time")
    def _end_after_start(cls, data: IbisData) -> ir.BooleanColumn:
        return ends_after_start(data.table, "start_time", "end_time")

    _ids = id_check("station_id", "port_id")
    # An open session is exported with an end at the epoch, or 838:59:59 after its start.
    _epoch, _day_1900 = placeholder_time_checks("start_time", "end_time")
    _open_session = open_session_check("start_time", "end_time")
    _null_island = null_island_check("latitude", "longitude")

    class Config:
        title = "EV charging sessions"
        unique = ["station_id", "port_id", "start_time"]
        metadata = {"version": "1.3.0", "time_column": "start_time"}


CONTRACT = EvChargingSessions
