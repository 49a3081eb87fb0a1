"""Building emissions: refresh months of ``out.building_emissions_monthly`` from the warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from city_outcomes.config import SHIPPED_FUEL_FACTOR_SET, CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.electricity_factors import ELECTRICITY_FACTORS, stage_electricity_factors
from city_outcomes.metrics.factor_sets import record_factor_sets
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.units import unit_conversions
from city_outcomes.warehouse import replace_months, transaction
from data_contracts import get_contract

EMISSIONS_TABLE = "out.building_emissions_monthly"
# What building_emissions_monthly.sql reads (its `building_activity` view): the monthly bills, unless told otherwise.
MONTHLY_ACTIVITY = "SELECT * FROM core.building_energy"
FUEL_FACTORS = "_building_fuel_factors"  # building_fuel_factors.sql, staged with the rows


class MissingFactorError(ValueError):
    """An activity row finds no emission factor (or the city's GWP set is unknown): the run stops, naming the rows."""


def write_unit_conversions(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace ``ref.unit_conversions`` with the conversions computed by pint; return its row count."""
    conversions = unit_conversions()
    with transaction(conn):
        conn.register("_unit_conversions", conversions)
        conn.execute("CREATE OR REPLACE TABLE ref.unit_conversions AS SELECT * FROM _unit_conversions")
        conn.unregister("_unit_conversions")
    return len(conversions)


def check_factor_coverage(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> None:
    """Fail early, naming the setting, if the GWP set is unknown (factors are checked per activity row)."""
    found = conn.execute("SELECT count(*) FROM core.global_warming_potentials WHERE gwp_set = $gwp_set", {"gwp_set": city.city.gwp_set}).fetchone()[0]
    if not found:
        raise MissingFactorError(f"{city.config_path}: no global warming potentials for gwp_set {city.city.gwp_set!r}")


def emission_params(city: CityConfig, months: tuple[date, date]) -> dict[str, Any]:
    """The bound parameters of building_emissions_monthly.sql for a city and months [start, end) (electricity's
    factors are staged apart: :func:`city_outcomes.metrics.electricity_factors.stage_electricity_factors`)."""
    return {
        "start_month": months[0],
        "end_month": months[1],
        "factor_set": city.city.factor_set,
        "shipped_factor_set": SHIPPED_FUEL_FACTOR_SET,
        "grid_subregion": city.city.grid_subregion,
        "gwp_set": city.city.gwp_set,
    }


def _fix_for(problem: dict[str, Any], city: CityConfig, editions: list[str]) -> str:
    """The setting that fixes a missing factor, in words."""
    year = problem["inventory_year"]
    feed_hint = "or add the factor (with its source and year) in a feed of the emission_factors contract in the city's configuration"
    if problem["problem"].startswith("market-based"):
        return f"correct the supplier-specific factors (rate_basis supplier_specific) with data year <= {year}, {feed_hint}"
    if problem["energy_type"] == "district_chilled_water":
        return ("chilled water has no EPA default factor (the Hub has none): add the chilled-water supplier's factor (activity "
                f"district_chilled_water, rate_basis supplier_specific, data year <= {year}) in a feed of the emission_factors contract, "
                "with its source and year")
    if problem["energy_type"].startswith("district_"):
        return (f"add the {problem['energy_type']} supplier's factor (rate_basis supplier_specific, data year <= {year}) in a feed of "
                f"the emission_factors contract, or set city.factor_set to a set with {problem['energy_type']} purchased_default factors "
                "(epa_ghg_hub_2021 has them)")
    if problem["energy_type"] == "electricity":
        known = f" (editions with rates for {city.city.grid_subregion}: {', '.join(editions)})" if editions else ""
        return (f"name an edition that has it under city.electricity_factors, e.g. `electricity_factors: {{{year}: egrid2021}}`{known}; "
                f"check city.grid_subregion ({city.city.grid_subregion!r}); {feed_hint}")
    return f"set city.factor_set to a factor set with {problem['energy_type']} factors, {feed_hint}"


def missing_factor_message(conn: duckdb.DuckDBPyConnection, city: CityConfig, staged: str) -> str | None:
    """Every activity row of ``staged`` without a factor, grouped by feed, energy type, year and problem, naming the
    first row (file and row number) of each group and the setting that fixes it; None if every row has its factors."""
    problems = conn.execute(
        f"""
        SELECT
            staged._feed, staged.energy_type, staged.inventory_year, staged.factor_problem AS problem, count(*) AS rows,
            arg_min(coalesce(files.source_path, staged._file_sha256), (staged.period_month, staged._source_row)) AS file,
            arg_min(staged._source_row, (staged.period_month, staged._source_row)) AS source_row,
            min(staged.period_month) AS first_month
        FROM {staged} AS staged
        LEFT JOIN meta.landed_files AS files ON files.feed = staged._feed AND files.file_sha256 = staged._file_sha256
        WHERE staged.factor_problem IS NOT NULL
        GROUP BY ALL
        ORDER BY first_month, staged._feed, staged.energy_type
        """
    ).fetchall()
    if not problems:
        return None
    editions = [row[0] for row in conn.execute(
        "SELECT DISTINCT factor_set FROM core.emission_factors WHERE activity = 'electricity' AND rate_basis = 'total_output' AND region = ? ORDER BY 1",
        [city.city.grid_subregion],
    ).fetchall()]
    lines = []
    for feed, energy_type, year, problem, rows, file, source_row, first_month in problems:
        others = f" and {rows - 1:,} more row(s) like it" if rows > 1 else ""
        fix = _fix_for({"energy_type": energy_type, "inventory_year": year, "problem": problem}, city, editions)
        lines.append(
            f"feed {feed}: {Path(file).name if file else '?'} row {source_row}{others}: {energy_type}, inventory year {year} "
            f"({first_month:%Y-%m}): {problem}. Fix: {fix}"
        )
    count = sum(row[4] for row in problems)
    return f"{city.config_path}: {count:,} activity row(s) found no emission factor; none is left out of the inventory silently:\n" + "\n".join(lines)



def stage_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date], activity_sql: str, staged: str) -> None:
    """Compute building_emissions_monthly.sql over the activity rows ``activity_sql`` selects (columns of core.building_energy)
    into the temporary table ``staged``, ``factor_problem`` included."""
    # Every kWh of a year at the same edition as the other sectors' (electricity_factors_by_year.sql).
    stage_electricity_factors(conn, city, months)
    conn.execute(f"CREATE OR REPLACE TEMP VIEW building_activity AS {activity_sql}")
    params = emission_params(city, months)
    try:
        # The fuels' factors once per (energy type, unit, year), then the bills joined to them.
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {FUEL_FACTORS} AS {load_sql('building_fuel_factors')}",
                     {k: params[k] for k in ("start_month", "end_month", "factor_set", "shipped_factor_set", "gwp_set")})
        conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('building_emissions_monthly')}",
                     {k: params[k] for k in ("start_month", "end_month", "grid_subregion", "gwp_set")})
    finally:
        conn.execute("DROP VIEW IF EXISTS building_activity")


def record_building_factor_sets(conn: duckdb.DuckDBPyConnection) -> None:
    """Write the lists of factors that rows staged by :func:`stage_emissions` name (in the transaction writing them)."""
    record_factor_sets(conn, FUEL_FACTORS, ELECTRICITY_FACTORS)


def refresh_building_emissions(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end) atomically; return the number of rows written.

    Raises :class:`MissingFactorError` (and writes nothing) if any activity row finds no factor."""
    # A city may have no buildings inventory (or no energy feed yet): the metric still runs, and
    # buildings it cannot place show as "Not in buildings inventory".
    policy = PrivacyPolicy.load(city)
    for name in ("building_energy", "buildings", "emission_factors", "global_warming_potentials"):
        ensure_core_table(conn, get_contract(name), policy)
    check_factor_coverage(conn, city)
    staged = "_building_emissions_staged"
    stage_emissions(conn, city, months, MONTHLY_ACTIVITY, staged)
    try:
        message = missing_factor_message(conn, city, staged)
        if message:
            raise MissingFactorError(message)
        return replace_months(conn, EMISSIONS_TABLE, f"(SELECT * EXCLUDE (factor_problem) FROM {staged})", months,
                              also=record_building_factor_sets)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")


def implausible_building_energy(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """Building-months with implausible energy per square foot (see the SQL file for the bounds)."""
    return query_dicts(conn, "implausible_building_energy")


def unmatched_energy_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Accepted energy rows with no emissions row (should be none)."""
    return conn.execute(load_sql("unmatched_energy_rows")).fetchall()
