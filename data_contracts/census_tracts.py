"""Census tracts with the demographics equity metrics need."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract


class CensusTracts(Contract):
    """One row per census tract (ACS 5-year estimates)."""

    tract_geoid: str = Field(str_matches=r"^\d{11}$", description="11-digit census tract GEOID")
    tract_name: str = Field(description="Tract name, e.g. 'Census Tract 101.02'")
    population: int = Field(ge=0, le=100_000, description="Total population")
    households: int = Field(ge=0, le=50_000, description="Total households")
    median_household_income_usd: float = Field(nullable=True, ge=0, le=1e6, description="Median household income, US dollars")
    share_below_poverty: float = Field(nullable=True, ge=0, le=1, description="Share of people below the federal poverty level")
    share_people_of_color: float = Field(nullable=True, ge=0, le=1, description="Share of people other than non-Hispanic white")
    share_households_without_broadband: float = Field(nullable=True, ge=0, le=1, description="Share of households without a broadband subscription")
    acs_vintage: str = Field(str_matches=r"^\d{4}-\d{4}$", description="ACS 5-year period of the estimates, e.g. 2019-2023")

    class Config:
        title = "Census tracts (ACS demographics)"
        unique = ["tract_geoid"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = CensusTracts
