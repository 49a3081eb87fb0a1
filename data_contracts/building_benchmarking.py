"""Annual building benchmarking, as US benchmarking ordinances collect it from ENERGY STAR Portfolio Manager.

One row per property and calendar year: the energy each fuel delivered, the floor area and property
type, and the greenhouse-gas total Portfolio Manager published, kept to reconcile the city's own
figures with. Field names in the descriptions are Portfolio Manager's, as in the disclosure datasets
of New York (Local Law 84), Seattle, Chicago, Boston (BERDO) and Washington DC. Units: electricity in
kWh (Portfolio Manager's "Electricity Use - Grid Purchase (kWh)"); every other fuel in kBtu, the unit
Portfolio Manager reports them all in. An export in therms (Seattle's `NaturalGas(therms)`) maps with
`scale: {natural_gas_kbtu: 100}` (1 therm = 100 kBtu).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, id_check, not_in_future_year, null_island_check

# Fuels other than grid electricity, with Portfolio Manager's field for each (all in kBtu).
FUELS_KBTU = {
    "natural_gas_kbtu": "Natural Gas Use (kBtu)",
    "district_steam_kbtu": "District Steam Use (kBtu)",
    "district_hot_water_kbtu": "District Hot Water Use (kBtu)",
    "district_chilled_water_kbtu": "District Chilled Water Use (kBtu)",
    "fuel_oil_1_kbtu": "Fuel Oil #1 Use (kBtu)",
    "fuel_oil_2_kbtu": "Fuel Oil #2 Use (kBtu)",
    "fuel_oil_4_kbtu": "Fuel Oil #4 Use (kBtu)",
    "fuel_oil_5_6_kbtu": "Fuel Oil #5 & 6 Use (kBtu)",
    "diesel_2_kbtu": "Diesel #2 Use (kBtu)",
    "kerosene_kbtu": "Kerosene Use (kBtu)",
    "propane_kbtu": "Propane Use (kBtu)",
}
ENERGY_COLUMNS = ["electricity_grid_kwh", *FUELS_KBTU, "site_energy_use_kbtu"]
# The largest single properties (campuses, airports) use a few billion kBtu a year.
MAX_KBTU = 1e10


def _fuel(field: str) -> float:
    return Field(nullable=True, ge=0, le=MAX_KBTU, description=f"Portfolio Manager: {field}; empty where the property does not use it")


class BuildingBenchmarking(Contract):
    """One row per property and calendar year."""

    property_id: str = Field(description="Portfolio Manager Property ID, or the city's benchmarking id for the property (Seattle: OSEBuildingID)")
    property_name: str = Field(nullable=True, description="Portfolio Manager: Property Name")
    calendar_year: int = Field(ge=2000, le=2100, description="Portfolio Manager: Year Ending, as the calendar year the figures cover")
    property_type: str = Field(description="Portfolio Manager: Primary Property Type - Self Selected (or Largest Property Use Type)")
    gross_floor_area_sqft: float = Field(gt=0, le=5e7, description="Portfolio Manager: Property GFA - Self-Reported (ft²)")
    electricity_grid_kwh: float = Field(
        nullable=True, ge=0, le=3e9,
        description="Portfolio Manager: Electricity Use - Grid Purchase (kWh). Bought from the grid, never net of onsite solar: a negative figure is not this field",
    )
    natural_gas_kbtu: float = _fuel(FUELS_KBTU["natural_gas_kbtu"])
    district_steam_kbtu: float = _fuel(FUELS_KBTU["district_steam_kbtu"])
    district_hot_water_kbtu: float = _fuel(FUELS_KBTU["district_hot_water_kbtu"])
    district_chilled_water_kbtu: float = _fuel(FUELS_KBTU["district_chilled_water_kbtu"])
    fuel_oil_1_kbtu: float = _fuel(FUELS_KBTU["fuel_oil_1_kbtu"])
    fuel_oil_2_kbtu: float = _fuel(FUELS_KBTU["fuel_oil_2_kbtu"])
    fuel_oil_4_kbtu: float = _fuel(FUELS_KBTU["fuel_oil_4_kbtu"])
    fuel_oil_5_6_kbtu: float = _fuel(FUELS_KBTU["fuel_oil_5_6_kbtu"])
    diesel_2_kbtu: float = _fuel(FUELS_KBTU["diesel_2_kbtu"])
    kerosene_kbtu: float = _fuel(FUELS_KBTU["kerosene_kbtu"])
    propane_kbtu: float = _fuel(FUELS_KBTU["propane_kbtu"])
    site_energy_use_kbtu: float = Field(nullable=True, ge=0, le=MAX_KBTU, description="Portfolio Manager: Site Energy Use (kBtu), all fuels together, as published")
    total_ghg_emissions_mtco2e: float = Field(
        nullable=True, ge=0, le=1e7,
        description="Portfolio Manager: Total (Location-Based) GHG Emissions (Metric Tons CO2e), as published: kept to reconcile with, not to report",
    )
    energy_star_score: int = Field(nullable=True, ge=1, le=100, description="Portfolio Manager: ENERGY STAR Score (1 to 100), where the property type has one")
    latitude: float = Field(nullable=True, ge=-90, le=90, description="WGS84 latitude of the property")
    longitude: float = Field(nullable=True, ge=-180, le=180, description="WGS84 longitude of the property")

    @pa.check("calendar_year", name="not_in_future", error="must not be after the current year")
    def _year_not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future_year(data)

    # A record with no energy at all is a property that did not report (Seattle marks them
    # "Non-Compliant"): it must not count as a building that used nothing.
    @pa.dataframe_check(name="reports_energy", error="at least one energy use (electricity, a fuel or the site total) must be given")
    def _reports_energy(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        return ibis.or_(*[table[column].notnull() for column in ENERGY_COLUMNS])

    _ids = id_check("property_id")
    _null_island = null_island_check("latitude", "longitude")

    class Config:
        title = "Building benchmarking (annual, ENERGY STAR Portfolio Manager)"
        unique = ["property_id", "calendar_year"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = BuildingBenchmarking
