"""Community-wide vehicle-miles traveled inside the city, by year and vehicle class (GPC II.1, on-road).

Cities take VMT from their metropolitan planning organisation's travel model, their state DOT's
Highway Performance Monitoring System counts, or a commercial dataset; the method (in-boundary,
origin-destination) is recorded per row, since the GPC lets a city choose it and asks it to say which.
"""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract

# Vehicle classes that the EPA GHG Emission Factors Hub's on-road factors distinguish.
VEHICLE_CLASSES = ["passenger_car", "light_truck", "motorcycle", "bus", "medium_heavy_truck"]
FUELS = ["gasoline", "diesel", "electricity", "mixed"]
METHODS = ["in_boundary", "origin_destination", "resident_activity", "fuel_sales"]


class CommunityVmt(Contract):
    """One row per year, vehicle class and fuel."""

    year: int = Field(ge=1990, le=2100, description="Calendar year the miles were driven")
    vehicle_class: str = Field(isin=VEHICLE_CLASSES, description="Vehicle class")
    fuel: str = Field(isin=FUELS, description="Fuel the miles were driven on; `mixed` where the source does not split them")
    vehicle_miles: float = Field(ge=0, le=1e12, description="Vehicle-miles traveled in the year")
    method: str = Field(isin=METHODS, description="How the miles were counted (GPC II.1 lets the city choose; it must say which)")
    source: str = Field(description="Where the figure comes from, e.g. 'DVRPC regional travel model, 2023 run'")

    class Config:
        title = "Community vehicle-miles traveled (annual, by vehicle class)"
        unique = ["year", "vehicle_class", "fuel"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = CommunityVmt
