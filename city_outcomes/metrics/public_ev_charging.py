"""Public EV charging emissions: refresh months of ``out.public_ev_charging_emissions_monthly``
(city_outcomes/sql/public_ev_charging_emissions_monthly.sql) at the shared per-year electricity factors.

The fleet's own charging is in the fleet's table; stations named in ``city.fleet_charging_stations`` are left out here."""

from __future__ import annotations

from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.metrics.grid_electricity import FACTOR_FIX, ElectricitySector, refresh_sector

PUBLIC_EV_CHARGING_TABLE = "out.public_ev_charging_emissions_monthly"
PUBLIC_EV_CHARGING = ElectricitySector(
    table=PUBLIC_EV_CHARGING_TABLE,
    formula="public_ev_charging_emissions_monthly",
    feeds=("ev_charging_energy",),
    problems={
        "factor_problem": FACTOR_FIX,
        "grain_problem": "keep one grain per station and month in the ev_charging_energy feeds (retire the duplicate file "
        "with `city-outcomes retire FEED FILE --reason ...`), or name the station in city.fleet_charging_stations if it is the fleet's",
    },
)


def refresh_public_ev_charging_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end); return the rows written (MissingFactorError on a problem row)."""
    return refresh_sector(conn, city, months, PUBLIC_EV_CHARGING, {"fleet_stations": list(city.city.fleet_charging_stations)})
