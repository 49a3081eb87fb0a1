"""311 service requests, from an Open311 GeoReport v2 endpoint or a city's CSV export.

Reporters' names, e-mails, phone numbers, street addresses and free text are personal: the privacy
policy drops them at ingest, and the request's location is coarsened to its census tract.
"""

from __future__ import annotations

from datetime import datetime

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, ends_after_start, id_check, not_in_future_time, null_island_check, placeholder_time_checks


class ServiceRequests(Contract):
    """One row per request (GeoReport v2 field names where they exist)."""

    service_request_id: str = Field(description="Request id")
    service_name: str = Field(description="Request type, e.g. Streetlight out")
    service_code: str = Field(nullable=True, description="Request type code")
    status: str = Field(isin=["open", "closed"], description="open or closed (GeoReport v2)")
    requested_at: datetime = Field(description="When the request was made, UTC")
    closed_at: datetime = Field(nullable=True, description="When it was closed, UTC")
    agency_responsible: str = Field(nullable=True, description="Department handling the request")
    channel: str = Field(nullable=True, description="How it came in: app, phone, web...")
    description: str = Field(nullable=True, metadata={"personal": "free_text"}, description="Reporter's words (dropped at ingest by default)")
    address: str = Field(nullable=True, metadata={"personal": "street_address"}, description="Street address (dropped at ingest)")
    reporter_name: str = Field(nullable=True, metadata={"personal": "name"}, description="Reporter's name (dropped at ingest)")
    reporter_email: str = Field(nullable=True, metadata={"personal": "email"}, description="Reporter's e-mail (dropped at ingest)")
    reporter_phone: str = Field(nullable=True, metadata={"personal": "phone"}, description="Reporter's phone (dropped at ingest)")
    lat: float = Field(nullable=True, ge=-90, le=90, metadata={"personal": "coordinates", "point": "location", "axis": "lat"}, description="Latitude (coarsened to tract)")
    long: float = Field(nullable=True, ge=-180, le=180, metadata={"personal": "coordinates", "point": "location", "axis": "lon"}, description="Longitude (coarsened to tract)")
    location_tract_geoid: str = Field(nullable=True, str_matches=r"^\d{11}$", metadata={"coarsened_from": "location"}, description="Census tract of the request")

    @pa.check("requested_at", name="not_in_future", error="must not be after now")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future_time(data)

    @pa.dataframe_check(name="closed_after_requested", error="closed_at must not be before requested_at")
    def _closed_after_requested(cls, data: IbisData) -> ir.BooleanColumn:
        return ends_after_start(data.table, "requested_at", "closed_at")

    _ids = id_check("service_request_id")
    _epoch, _day_1900 = placeholder_time_checks("requested_at", "closed_at")
    _null_island = null_island_check("lat", "long")

    class Config:
        title = "311 service requests"
        unique = ["service_request_id"]
        metadata = {"version": "1.3.0", "time_column": "requested_at"}


CONTRACT = ServiceRequests
