"""Inventory of municipal buildings: who owns them, how big they are, where they stand."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract, id_check


class Buildings(Contract):
    """One row per municipal building or facility."""

    building_id: str = Field(description="The city's building or facility id")
    building_name: str = Field(description="Name as the department uses it")
    department: str = Field(description="Department responsible for the building")
    building_type: str = Field(description="Use type, e.g. office, library, fire station")
    floor_area_sqft: float = Field(gt=0, le=5e6, description="Gross floor area in square feet")
    year_built: int = Field(ge=1800, le=2100, nullable=True, description="Year of construction")
    tract_geoid: str = Field(str_matches=r"^\d{11}$", description="11-digit census tract GEOID the building stands in")

    _ids = id_check("building_id")

    class Config:
        title = "Municipal buildings inventory"
        unique = ["building_id"]
        metadata = {"version": "1.1.0", "time_column": None}


CONTRACT = Buildings
