"""Annual benchmarking rows: ``out.building_emissions_annual_benchmarking`` from the city's benchmarking feeds.

A building-year and energy type that has monthly bills is counted from its bills (out.building_emissions_monthly);
its benchmarking row is kept in the table with no emissions and the reason, so an auditor sees it and nothing is
counted twice. The other rows get the factors the bills would (building_emissions_monthly.sql, same settings).
"""

from __future__ import annotations

from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.emissions import (
    MissingFactorError,
    check_factor_coverage,
    missing_factor_message,
    record_building_factor_sets,
    stage_emissions,
)
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import transaction
from data_contracts import get_contract

BENCHMARKING_TABLE = "out.building_emissions_annual_benchmarking"
BENCHMARKING_CONTRACT = "building_benchmarking"
# Benchmarking years lie within the contract's bounds (calendar_year 2000-2100): every one is computed.
ALL_YEARS = (date(2000, 1, 1), date(2101, 1, 1))
_ACTIVITY = "_benchmarking_activity"
_STAGED = "_benchmarking_emissions_staged"
_ACTIVITY_COLUMNS = "building_id, period_month, energy_type, quantity, unit, cost_usd, _feed, _file_sha256, _source_row"


def refresh_benchmarking_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> int:
    """Rebuild the annual benchmarking table; return its row count.

    Raises :class:`MissingFactorError` (and writes nothing) if a counted row finds no factor."""
    policy = PrivacyPolicy.load(city)
    for name in (BENCHMARKING_CONTRACT, "building_energy", "buildings", "emission_factors", "global_warming_potentials"):
        ensure_core_table(conn, get_contract(name), policy)
    check_factor_coverage(conn, city)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {_ACTIVITY} AS {load_sql('building_benchmarking_activity')}")
    try:
        stage_emissions(conn, city, ALL_YEARS, f"SELECT {_ACTIVITY_COLUMNS} FROM {_ACTIVITY} WHERE counted_in_inventory", _STAGED)
        message = missing_factor_message(conn, city, _STAGED)
        if message:
            raise MissingFactorError(message)
        with transaction(conn):
            record_building_factor_sets(conn)
            conn.execute(f"CREATE OR REPLACE TABLE {BENCHMARKING_TABLE} AS {load_sql('building_emissions_annual_benchmarking')}")
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {_STAGED}")
        conn.execute(f"DROP TABLE IF EXISTS {_ACTIVITY}")
    return conn.execute(f"SELECT count(*) FROM {BENCHMARKING_TABLE}").fetchone()[0]


def uncounted_benchmarking_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Counted benchmarking rows without emissions, or kept-out rows with them (should be none)."""
    return conn.execute(
        f"SELECT building_id, calendar_year, energy_type, _source_row FROM {BENCHMARKING_TABLE} "
        "WHERE counted_in_inventory = (co2e_tonnes IS NULL) OR (NOT counted_in_inventory AND exclusion_reason IS NULL)"
    ).fetchall()
