"""Monthly streetlight electricity, metered or estimated (most streetlights are billed unmetered)."""

from __future__ import annotations

from pandera.ibis import Field

from data_contracts._base import MonthlyContract, id_check, placeholder_date_checks

# A 2,000 W fixture burning all 744 hours of a 31-day month uses 1,488 kWh: nothing plausible uses more.
MAX_KWH_PER_FIXTURE_MONTH = 1_500


class StreetlightEnergy(MonthlyContract):
    """One row per fixture and month."""

    fixture_id: str = Field(description="Fixture or pole id (as in the fixture inventory)")
    energy_kwh: float = Field(ge=0, le=MAX_KWH_PER_FIXTURE_MONTH, description="Electricity used in the month, kWh")
    is_estimated: bool = Field(description="True where the utility estimated the use from wattage and burn hours")

    _ids = id_check("fixture_id")
    _epoch, _day_1900 = placeholder_date_checks("period_month")

    class Config:
        title = "Streetlight energy (monthly)"
        unique = ["fixture_id", "period_month"]
        metadata = {"version": "1.2.0", "time_column": "period_month"}


CONTRACT = StreetlightEnergy
