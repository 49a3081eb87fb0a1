"""Published emission factors, each row citing the document, table and year it comes from."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import Contract

GASES = ["CO2", "CH4", "N2O", "CO2e"]


class EmissionFactors(Contract):
    """Emission per unit of activity, by factor set, activity, region and gas."""

    factor_set: str = Field(description="Edition the factor belongs to, e.g. epa_ghg_hub_2021")
    activity: str = Field(description="What is consumed, e.g. electricity, natural_gas, motor_gasoline")
    region: str = Field(description="eGRID subregion for grid electricity, the supplier's service area for a supplier-specific rate, 'US' otherwise")
    rate_basis: str = Field(
        isin=["total_output", "non_baseload", "combustion", "supplier_specific", "non_road_per_gallon", "purchased_default"],
        description="total_output (grid average) for location-based inventories; supplier_specific (a utility's own rate) for market-based scope 2; "
        "non_baseload only for avoided-emission estimates; combustion for fuel CO2 (and stationary CH4/N2O); "
        "non_road_per_gallon for the per-gallon vehicle CH4/N2O of EPA Hub Table 5; "
        "purchased_default for a publisher's default per unit of purchased district steam or hot water (EPA Hub Table 7), "
        "used where the city gives no supplier_specific factor of its steam, hot or chilled water supplier",
    )
    gas: str = Field(isin=GASES, description="Greenhouse gas the factor is for")
    value: float = Field(gt=0, description="Emission per unit of activity")
    unit: str = Field(isin=["lb/MWh", "kg/kWh", "kg/MMBtu", "g/MMBtu", "kg/gal", "g/gal", "kg/scf"], description="Mass of gas per activity unit")
    sector: str = Field(description="GPC sector and sub-sector the factor serves, e.g. 'I.2.2 commercial/institutional grid energy'")
    source_document: str = Field(description="Publisher and title of the document the value is read from")
    source_table: str = Field(description="Table or file within the document")
    source_year: int = Field(ge=1990, le=2100, description="Year of the edition")
    data_year: int = Field(ge=1990, le=2100, description="Year the underlying data describe (e.g. eGRID data year)")

    class Config:
        title = "Emission factors"
        unique = ["factor_set", "activity", "region", "rate_basis", "gas"]
        metadata = {"version": "1.2.0", "time_column": None}


CONTRACT = EmissionFactors
