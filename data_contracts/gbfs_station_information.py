"""GBFS station_information snapshots: where a bike-share system's stations are and how big."""

from __future__ import annotations

from datetime import datetime

from pandera.ibis import Field

from data_contracts._base import Contract, id_check, null_island_check, placeholder_time_checks


class GbfsStationInformation(Contract):
    """One row per station per snapshot."""

    system_id: str = Field(description="Bike-share system (set per feed in the city configuration)")
    station_id: str = Field(description="GBFS station_id")
    name: str = Field(nullable=True, description="Public station name")
    latitude: float = Field(ge=-90, le=90, description="WGS84 latitude")
    longitude: float = Field(ge=-180, le=180, description="WGS84 longitude")
    capacity: int = Field(nullable=True, ge=0, le=500, description="Number of docks")
    snapshot_time: datetime = Field(description="The feed's last_updated, UTC")

    _ids = id_check("system_id", "station_id")
    _epoch, _day_1900 = placeholder_time_checks("snapshot_time")
    _null_island = null_island_check("latitude", "longitude")

    class Config:
        title = "GBFS station information"
        unique = ["system_id", "station_id", "snapshot_time"]
        metadata = {"version": "1.2.0", "time_column": "snapshot_time"}


CONTRACT = GbfsStationInformation
