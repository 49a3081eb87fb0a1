"""Fleet emissions: refresh months of ``out.fleet_emissions_monthly`` from the warehouse.

Fuel purchases and charges (``core.fleet_fuel``) times EPA GHG Emission Factors Hub factors, with the
biogenic CO2 of biofuel blends reported apart from the totals; the method and its assumptions are in
``city_outcomes/sql/fleet_fuel_components.sql`` and ``fleet_emissions_monthly.sql``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from city_outcomes.config import REFERENCE_DATA, SHIPPED_FUEL_FACTOR_SET, CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.electricity_factors import ELECTRICITY_FACTORS, stage_electricity_factors
from city_outcomes.metrics.factor_sets import record_factor_sets
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.warehouse import replace_from_csv, replace_months, transaction
from data_contracts import get_contract

FLEET_EMISSIONS_TABLE = "out.fleet_emissions_monthly"
FLEET_FEEDS = ("fleet_fuel", "fleet_vehicles", "emission_factors", "global_warming_potentials")
FUEL_FACTORS = "_fleet_fuel_factors"  # fleet_fuel_factors.sql, staged per run
PER_MILE_FACTORS = "_fleet_per_mile_factors"  # fleet_per_mile_factors.sql, staged per run
PER_MILE_TABLE = "ref.fleet_per_mile_factors"
PER_MILE_FILE = REFERENCE_DATA / "fleet_per_mile_factors.csv"
# The most miles one odometer reading may add to the previous one and still be used for CH4 and N2O per mile: more
# is a typo or a missed reading (a heavy truck's 150 gal tank at 8 mi/gal is 1,200 mi), and the per-gallon default applies.
MAX_MILES_PER_READING = 2_000


def _params(city: CityConfig) -> dict[str, Any]:
    return {"factor_set": city.city.factor_set, "grid_subregion": city.city.grid_subregion, "gwp_set": city.city.gwp_set}


def _factor_params(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> dict[str, Any]:
    """The parameters of the statements that choose factor rows (fleet_fuel_factors.sql and the blocking check's
    fleet_fuel_without_emissions.sql), with their shared macro created on ``conn``."""
    conn.execute(load_sql("fleet_factor_macros"))
    return {**_params(city), "shipped_factor_set": SHIPPED_FUEL_FACTOR_SET}


def write_fleet_fuel_components(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace ``ref.fleet_fuel_components`` (which factors each fleet fuel needs); return its row count."""
    with transaction(conn):
        conn.execute(load_sql("fleet_fuel_components"))
    return conn.execute("SELECT count(*) FROM ref.fleet_fuel_components").fetchone()[0]


def write_fleet_per_mile_factors(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace ``ref.fleet_per_mile_factors`` with the shipped file (Hub 2021 Tables 3 and 4); return its rows."""
    return replace_from_csv(conn, PER_MILE_TABLE, PER_MILE_FILE, {
        "factor_set": "VARCHAR", "vehicle_class": "VARCHAR", "fuel": "VARCHAR", "model_year_from": "INTEGER", "model_year_to": "INTEGER",
        "gas": "VARCHAR", "value": "DOUBLE", "unit": "VARCHAR", "source_document": "VARCHAR", "source_table": "VARCHAR",
        "source_year": "INTEGER", "data_year": "INTEGER",
    })


def refresh_fleet_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end) atomically; return the number of rows written.

    ``ref.unit_conversions`` must exist (the building metric's ``write_unit_conversions`` writes it)."""
    # A city without a fleet feed still gets an (empty) table: the blocking check and the site read it.
    policy = PrivacyPolicy.load(city)
    for name in FLEET_FEEDS:
        ensure_core_table(conn, get_contract(name), policy)
    write_fleet_fuel_components(conn)
    write_fleet_per_mile_factors(conn)
    stage_electricity_factors(conn, city, months)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {FUEL_FACTORS} AS {load_sql('fleet_fuel_factors')}", _factor_params(conn, city))
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {PER_MILE_FACTORS} AS {load_sql('fleet_per_mile_factors')}", {"gwp_set": city.city.gwp_set})
    params = {"start_month": months[0], "end_month": months[1], "max_miles_per_reading": MAX_MILES_PER_READING, **_params(city)}
    staged = "_fleet_emissions_staged"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('fleet_emissions_monthly')}", params)
    try:
        # Fuel rows name a list of _fleet_fuel_factors (or, per mile, of _fleet_per_mile_factors), charging rows one
        # of the shared electricity factors.
        return replace_months(conn, FLEET_EMISSIONS_TABLE, staged, months,
                              also=lambda c: record_factor_sets(c, FUEL_FACTORS, PER_MILE_FACTORS, ELECTRICITY_FACTORS))
    finally:
        for table in (staged, FUEL_FACTORS, PER_MILE_FACTORS):
            conn.execute(f"DROP TABLE IF EXISTS {table}")



def fleet_fuel_without_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> list[dict[str, Any]]:
    """Accepted fuel rows with no emissions row (should be none), each with the factor it lacked."""
    first, last = conn.execute("SELECT min(purchase_date), max(purchase_date) FROM core.fleet_fuel").fetchone()
    if first is not None:
        stage_electricity_factors(conn, city, (first, last + timedelta(days=1)))
    else:
        stage_electricity_factors(conn, city, (city.city.first_month, city.city.first_month + timedelta(days=1)))
    return query_dicts(conn, "fleet_fuel_without_emissions", _factor_params(conn, city))


def describe_missing(rows: list[dict[str, Any]], limit: int = 10) -> str:
    """One line per row without emissions: feed, file, row, fuel, year and what was missing."""
    lines = [
        f"feed {r['feed']}, file {r['file']}, row {r['source_row']}: {r['fuel_type']} bought {r['purchase_date']} "
        f"(year {r['year']}, {r['quantity']:g} {r['unit']}, vehicle {r['vehicle_id']}): {r['missing']}"
        for r in rows[:limit]
    ]
    more = f"\n... and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{len(rows)} accepted fleet fuel row(s) have no emissions:\n" + "\n".join(lines) + more
