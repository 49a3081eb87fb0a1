"""Streetlight and traffic-signal emissions: refresh months of ``out.streetlight_emissions_monthly``
(city_outcomes/sql/streetlight_emissions_monthly.sql) at the shared per-year electricity factors."""

from __future__ import annotations

from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.metrics.grid_electricity import FACTOR_FIX, ElectricitySector, refresh_sector

STREETLIGHT_EMISSIONS_TABLE = "out.streetlight_emissions_monthly"
STREETLIGHTS = ElectricitySector(
    table=STREETLIGHT_EMISSIONS_TABLE,
    formula="streetlight_emissions_monthly",
    feeds=("streetlight_energy", "streetlight_fixtures"),
    problems={"factor_problem": FACTOR_FIX},
)


def refresh_streetlight_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end); return the rows written (MissingFactorError if a year lacks a factor)."""
    return refresh_sector(conn, city, months, STREETLIGHTS)
