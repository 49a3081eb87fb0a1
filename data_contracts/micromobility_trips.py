"""Shared micromobility trips (bike share, e-scooters), as in MDS 1.2 provider `trips` or a city's open data.

Device ids and exact trip coordinates identify people's movements: they are marked personal, so the
privacy policy hashes the device and coarsens each end of the trip to its census tract at ingest.
"""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, ends_after_start, id_check, not_in_future_time, null_island_check, placeholder_time_checks

MAX_TRIP_SECONDS = 24 * 3600  # a rental longer than a day is not a trip (lost, stolen or a data error)
MAX_TRIP_METRES = 100_000


def _coordinate(point: str, axis: str) -> dict:
    return {"personal": "coordinates", "point": point, "axis": axis}


class MicromobilityTrips(Contract):
    """One row per trip."""

    trip_id: str = Field(description="Provider's trip id (a UUID in MDS)")
    provider_name: str = Field(description="Operator")
    device_id: str = Field(nullable=True, metadata={"personal": "device_id"}, description="Provider's device id (hashed at ingest)")
    vehicle_type: str = Field(isin=["bicycle", "cargo_bicycle", "scooter", "moped", "car", "other"], description="MDS 1.2 vehicle_type")
    propulsion_type: str = Field(nullable=True, description="Main propulsion type, e.g. electric_assist, human (MDS sends a list: map its first item)")
    start_time: datetime = Field(description="Trip start, UTC")
    end_time: datetime = Field(description="Trip end, UTC")
    trip_duration_s: float = Field(ge=0, le=MAX_TRIP_SECONDS, description="Duration in seconds")
    trip_distance_m: float = Field(ge=0, le=MAX_TRIP_METRES, description="Distance in metres")
    start_lat: float = Field(nullable=True, ge=-90, le=90, metadata=_coordinate("start", "lat"), description="Start latitude (coarsened to tract at ingest)")
    start_lon: float = Field(nullable=True, ge=-180, le=180, metadata=_coordinate("start", "lon"), description="Start longitude (coarsened to tract at ingest)")
    end_lat: float = Field(nullable=True, ge=-90, le=90, metadata=_coordinate("end", "lat"), description="End latitude (coarsened to tract at ingest)")
    end_lon: float = Field(nullable=True, ge=-180, le=180, metadata=_coordinate("end", "lon"), description="End longitude (coarsened to tract at ingest)")
    start_tract_geoid: str = Field(nullable=True, str_matches=r"^\d{11}$", metadata={"coarsened_from": "start"}, description="Census tract of the start")
    end_tract_geoid: str = Field(nullable=True, str_matches=r"^\d{11}$", metadata={"coarsened_from": "end"}, description="Census tract of the end")

    @pa.check("start_time", name="not_in_future", error="must not be after now")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future_time(data)

    @pa.dataframe_check(name="end_after_start", error="end_time must not be before start_time")
    def _end_after_start(cls, data: IbisData) -> ir.BooleanColumn:
        return ends_after_start(data.table, "start_time", "end_time")

    _ids = id_check("trip_id")
    _epoch, _day_1900 = placeholder_time_checks("start_time", "end_time")
    _start_null_island = null_island_check("start_lat", "start_lon", "start")
    _end_null_island = null_island_check("end_lat", "end_lon", "end")

    class Config:
        title = "Micromobility trips"
        unique = ["provider_name", "trip_id"]
        metadata = {"version": "1.4.0", "time_column": "start_time"}


CONTRACT = MicromobilityTrips
