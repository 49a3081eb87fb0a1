"""100-year global warming potentials by IPCC assessment report."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract


class GlobalWarmingPotentials(Contract):
    """One row per gas and GWP set."""

    gwp_set: str = Field(isin=["AR4", "AR5", "AR6"], description="IPCC assessment report")
    gas: str = Field(isin=["CO2", "CH4", "N2O"], description="Greenhouse gas")
    gwp_100yr: float = Field(gt=0, description="Global warming potential over 100 years, CO2 = 1")
    source_document: str = Field(description="Where the value is read from")
    source_year: int = Field(ge=1990, le=2100, description="Year of the report")

    class Config:
        title = "Global warming potentials (100-year)"
        unique = ["gwp_set", "gas"]
        metadata = {"version": "1.0.0", "time_column": None}


CONTRACT = GlobalWarmingPotentials
