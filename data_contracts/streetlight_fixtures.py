"""Streetlight inventory: every fixture, its lamp technology and wattage."""

from __future__ import annotations

from datetime import date

from pandera.ibis import Field

from data_contracts._base import Contract, id_check, null_island_check, placeholder_date_checks

TECHNOLOGIES = ["LED", "HPS", "MH", "MV", "LPS", "induction", "other"]
# LGO Protocol's "streetlights and traffic signals" sector holds both; the inventory shows them apart.
FIXTURE_CLASSES = ["streetlight", "traffic_signal"]


class StreetlightFixtures(Contract):
    """One row per streetlight fixture (public infrastructure: its location is not personal data)."""

    fixture_id: str = Field(description="Fixture or pole id")
    technology: str = Field(isin=TECHNOLOGIES, description="Lamp technology: LED, HPS (high-pressure sodium), MH (metal halide), MV (mercury vapour), LPS, induction")
    wattage: float = Field(gt=0, le=2_000, description="Rated input power in watts")
    fixture_class: str = Field(
        nullable=True, isin=FIXTURE_CLASSES,
        description="streetlight or traffic_signal (optional; absent or blank is a streetlight; a feed of signals alone sets `constants: {fixture_class: traffic_signal}`)",
    )
    department: str = Field(nullable=True, description="Department responsible for the fixture's energy (optional; the inventory shows 'Not recorded')")
    tract_geoid: str = Field(nullable=True, str_matches=r"^\d{11}$", description="Census tract the fixture stands in")
    installed_date: date = Field(nullable=True, description="Date the current lamp was installed")
    latitude: float = Field(nullable=True, ge=-90, le=90, description="WGS84 latitude of the pole")
    longitude: float = Field(nullable=True, ge=-180, le=180, description="WGS84 longitude of the pole")

    _ids = id_check("fixture_id")
    # Spreadsheet inventories write 1900-01-01 for an unknown install date.
    _epoch, _day_1900 = placeholder_date_checks("installed_date")
    _null_island = null_island_check("latitude", "longitude")

    class Config:
        title = "Streetlight fixtures"
        unique = ["fixture_id"]
        metadata = {"version": "1.3.0", "time_column": None}


CONTRACT = StreetlightFixtures
