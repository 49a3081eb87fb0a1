"""GBFS station_status snapshots: bikes and docks available at each station."""

from __future__ import annotations

from datetime import datetime

from pandera.ibis import Field

from data_contracts._base import Contract, id_check


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

    class Config:
        title = "GBFS station status"
        unique = ["system_id", "station_id", "snapshot_time"]
        metadata = {"version": "1.1.0", "time_column": "snapshot_time"}


CONTRACT = GbfsStationStatus
