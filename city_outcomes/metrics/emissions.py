"""Building emissions: refresh months of ``out.building_emissions_monthly`` from the warehouse."""

from __future__ import annotations

from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.units import unit_conversions
from city_outcomes.warehouse import transaction
from data_contracts import get_contract

EMISSIONS_TABLE = "out.building_emissions_monthly"


class MissingFactorError(ValueError):
    """The city's configuration asks for factors the factor table does not have."""


def write_unit_conversions(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace ``ref.unit_conversions`` with the conversions computed by pint; return its row count."""
    conversions = unit_conversions()
    with transaction(conn):
        conn.register("_unit_conversions", conversions)
        conn.execute("CREATE OR REPLACE TABLE ref.unit_conversions AS SELECT * FROM _unit_conversions")
        conn.unregister("_unit_conversions")
    return len(conversions)


def check_factor_coverage(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> None:
    """Fail early, naming the setting, if the factor set lacks the city's grid subregion or GWP set."""
    found = conn.execute(
        """
        SELECT
            count(*) FILTER (WHERE activity = 'electricity' AND region = $region AND rate_basis = 'total_output'),
            count(*) FILTER (WHERE activity = 'natural_gas' AND rate_basis = 'combustion'),
            (SELECT count(*) FROM core.global_warming_potentials WHERE gwp_set = $gwp_set)
        FROM core.emission_factors WHERE factor_set = $factor_set
        """,
        {"region": city.city.grid_subregion, "factor_set": city.city.factor_set, "gwp_set": city.city.gwp_set},
    ).fetchone()
    problems = []
    if not found[0]:
        problems.append(f"no electricity factors for grid_subregion {city.city.grid_subregion!r} in factor_set {city.city.factor_set!r}")
    if not found[1]:
        problems.append(f"no natural gas factors in factor_set {city.city.factor_set!r}")
    if not found[2]:
        problems.append(f"no global warming potentials for gwp_set {city.city.gwp_set!r}")
    if problems:
        raise MissingFactorError(f"{city.config_path}: " + "; ".join(problems))


def refresh_building_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end) atomically; return the number of rows written."""
    # A city may have no buildings inventory (or no energy feed yet): the metric still runs, and
    # buildings it cannot place show as "Not in buildings inventory".
    policy = PrivacyPolicy.load(city)
    for name in ("building_energy", "buildings", "emission_factors", "global_warming_potentials"):
        ensure_core_table(conn, get_contract(name), policy)
    check_factor_coverage(conn, city)
    params = {
        "start_month": months[0],
        "end_month": months[1],
        "factor_set": city.city.factor_set,
        "grid_subregion": city.city.grid_subregion,
        "gwp_set": city.city.gwp_set,
    }
    query = load_sql("building_emissions_monthly")
    with transaction(conn):
        conn.execute(f"CREATE TABLE IF NOT EXISTS {EMISSIONS_TABLE} AS SELECT * FROM ({query}) LIMIT 0", params)
        conn.execute(f"DELETE FROM {EMISSIONS_TABLE} WHERE period_month >= ? AND period_month < ?", list(months))
        conn.execute(f"INSERT INTO {EMISSIONS_TABLE} {query}", params)
    return conn.execute(
        f"SELECT count(*) FROM {EMISSIONS_TABLE} WHERE period_month >= ? AND period_month < ?", list(months)
    ).fetchone()[0]


def implausible_building_energy(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """Building-months with implausible energy per square foot (see the SQL file for the bounds)."""
    return query_dicts(conn, "implausible_building_energy")


def unmatched_energy_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Accepted energy rows with no emissions row (should be none)."""
    return conn.execute(load_sql("unmatched_energy_rows")).fetchall()
