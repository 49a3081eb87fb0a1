"""Census tract boundaries (GeoJSON polygons), used to coarsen coordinates to tracts and to map equity."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract


class CensusTractBoundaries(Contract):
    """One row per tract: its boundary as a GeoJSON geometry (WGS84 lon/lat)."""

    tract_geoid: str = Field(str_matches=r"^\d{11}$", description="11-digit census tract GEOID")
    boundary: str = Field(str_matches=r'^\s*\{.*"type"\s*:\s*"(Multi)?Polygon"', description="GeoJSON Polygon or MultiPolygon geometry")

    class Config:
        title = "Census tract boundaries"
        unique = ["tract_geoid"]
        metadata = {"version": "1.0.1", "time_column": None}


CONTRACT = CensusTractBoundaries
