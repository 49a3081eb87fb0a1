"""Grid electricity's factors per inventory year: one choice of edition, shared by every sector that uses kWh.

``stage_electricity_factors`` writes the temp table ``_electricity_factors_by_year`` (from
``city_outcomes/sql/electricity_factors_by_year.sql``) on a connection; the buildings', fleet's, streetlights'
and public EV chargers' SQL join it on (inventory_year, method), so the same year gets the same edition everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.sql import load_sql

ELECTRICITY_FACTORS = "_electricity_factors_by_year"


def inventory_years(months: tuple[date, date]) -> list[int]:
    """The calendar years the months [start, end) touch."""
    last = months[1] - timedelta(days=1)
    return list(range(months[0].year, max(months[0].year, last.year) + 1))


def electricity_factor_params(city: CityConfig, years: list[int]) -> dict[str, Any]:
    """The bound parameters of electricity_factors_by_year.sql for a city and inventory years."""
    configured = sorted(city.city.electricity_factors.items())
    return {
        "years": years,
        "grid_subregion": city.city.grid_subregion,
        "gwp_set": city.city.gwp_set,
        "configured_years": [year for year, _ in configured],
        "configured_sets": [edition for _, edition in configured],
    }


def stage_electricity_factors(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> None:
    """(Re)write the temp table of electricity factors for the years of ``months``.

    Needs ``core.emission_factors``, ``core.global_warming_potentials`` and ``ref.unit_conversions``."""
    params = electricity_factor_params(city, inventory_years(months))
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {ELECTRICITY_FACTORS} AS {load_sql('electricity_factors_by_year')}", params)
