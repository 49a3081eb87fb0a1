"""The municipal operations inventory: every sector table's rows by LGO sector, department, source kind, scope and
gas (``out.municipal_inventory_monthly``), by year with the counted annual benchmarking rows
(``out.municipal_inventory_annual``), and its invariants."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.benchmarking import BENCHMARKING_TABLE
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.warehouse import replace_months, table_exists, transaction
from data_contracts import get_contract

INVENTORY_MONTHLY_TABLE = "out.municipal_inventory_monthly"
INVENTORY_ANNUAL_TABLE = "out.municipal_inventory_annual"
SECTOR_TABLES = (
    "out.building_emissions_monthly",
    "out.fleet_emissions_monthly",
    "out.streetlight_emissions_monthly",
    "out.public_ev_charging_emissions_monthly",
)


COUNTED_BENCHMARKING = "_counted_benchmarking"
# The benchmarking table's columns the annual inventory reads (city_outcomes/sql/building_emissions_annual_benchmarking.sql).
_COUNTED_COLUMNS = {
    "building_id": "VARCHAR", "department": "VARCHAR", "calendar_year": "INTEGER", "energy_type": "VARCHAR", "gpc_reference": "VARCHAR",
    "scope": "INTEGER", "activity_quantity": "DOUBLE", "activity_unit": "VARCHAR", "co2_kg": "DOUBLE", "ch4_kg": "DOUBLE",
    "n2o_kg": "DOUBLE", "co2e_tonnes": "DOUBLE", "co2e_tonnes_market": "DOUBLE", "factor_set": "VARCHAR", "market_method": "VARCHAR",
}


class InventoryError(RuntimeError):
    """The inventory cannot be built (a sector table is missing) or breaks an invariant."""


def inventory_params(city: CityConfig, months: tuple[date, date]) -> dict[str, Any]:
    """The bound parameters of municipal_inventory_monthly.sql."""
    return {
        "start_month": months[0],
        "end_month": months[1],
        "gwp_set": city.city.gwp_set,
        "water_types": list(city.city.water_building_types),
        "wastewater_types": list(city.city.wastewater_building_types),
    }



def refresh_municipal_inventory(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end) of the monthly inventory from the sector tables; return the rows written."""
    missing = [table for table in SECTOR_TABLES if not table_exists(conn, *table.split("."))]
    if missing:
        raise InventoryError(f"the municipal inventory needs {', '.join(missing)}: materialize the sector assets first (`city-outcomes run`)")
    policy = PrivacyPolicy.load(city)
    for name in ("buildings", "global_warming_potentials"):
        ensure_core_table(conn, get_contract(name), policy)
    staged = "_municipal_inventory_staged"
    conn.execute(load_sql("inventory_macros"))
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('municipal_inventory_monthly')}", inventory_params(city, months))
    try:
        return replace_months(conn, INVENTORY_MONTHLY_TABLE, staged, months)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")


def refresh_municipal_inventory_annual(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> int:
    """Rebuild the annual inventory from the monthly one and the counted annual benchmarking rows; return its row count."""
    ensure_core_table(conn, get_contract("buildings"), PrivacyPolicy.load(city))
    _stage_counted_benchmarking(conn)
    conn.execute(load_sql("inventory_macros"))
    params = {"gwp_set": city.city.gwp_set, "water_types": list(city.city.water_building_types),
              "wastewater_types": list(city.city.wastewater_building_types)}
    with transaction(conn):
        conn.execute(f"CREATE OR REPLACE TABLE {INVENTORY_ANNUAL_TABLE} AS {load_sql('municipal_inventory_annual')}", params)
    return conn.execute(f"SELECT count(*) FROM {INVENTORY_ANNUAL_TABLE}").fetchone()[0]


def _stage_counted_benchmarking(conn: duckdb.DuckDBPyConnection) -> None:
    """``_counted_benchmarking``: the annual benchmarking rows counted in the inventory (none for a city without a
    benchmarking feed, whose warehouse has no benchmarking table)."""
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {COUNTED_BENCHMARKING} ({', '.join(f'{n} {t}' for n, t in _COUNTED_COLUMNS.items())})")
    if table_exists(conn, *BENCHMARKING_TABLE.split(".")):
        conn.execute(f"INSERT INTO {COUNTED_BENCHMARKING} SELECT {', '.join(_COUNTED_COLUMNS)} FROM {BENCHMARKING_TABLE} WHERE counted_in_inventory")


def inventory_invariant_failures(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each broken invariant (sectors sum to the total, monthly sums to annual, location and market differ only in
    scope 2, counted benchmarking rows are in the annual inventory once) as {invariant, detail}; an empty list when
    the inventory holds."""
    _stage_counted_benchmarking(conn)
    return query_dicts(conn, "municipal_inventory_invariants")


def inventory_by_sector_and_scope(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The annual inventory by year, sector and scope (t CO2e, location- and market-based), for the run's summary."""
    if not table_exists(conn, *INVENTORY_ANNUAL_TABLE.split(".")):
        return []
    return query_dicts(conn, "municipal_inventory_summary")
