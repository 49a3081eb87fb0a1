"""The community inventory (GPC BASIC): refresh ``out.community_*`` tables from the warehouse.

Three tables, each recomputed whole (community data are a few hundred aggregate rows a year):
``out.community_energy_emissions_monthly`` (a utility's deliveries, GPC I.1-I.3), ``out.community_vmt_emissions``
(vehicle-miles, II.1.1) and ``out.community_inventory`` (the reporting table: every BASIC subsector line with a
value or a notation key). The methods are in ``city_outcomes/sql/community_*.sql``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from city_outcomes.config import REFERENCE_DATA, SHIPPED_FUEL_FACTOR_SET, CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.electricity_factors import stage_electricity_factors
from city_outcomes.metrics.emissions import MissingFactorError, check_factor_coverage, write_unit_conversions
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import table_exists, transaction
from data_contracts import get_contract
from data_contracts.community_energy import MIN_CUSTOMERS_PUBLISHED

COMMUNITY_ENERGY_TABLE = "out.community_energy_emissions_monthly"
COMMUNITY_VMT_TABLE = "out.community_vmt_emissions"
COMMUNITY_INVENTORY_TABLE = "out.community_inventory"
COMMUNITY_FEEDS = ("community_energy", "community_vmt", "emission_factors", "global_warming_potentials")
# Keys that say "there is no figure": a city cannot set them on a subsector its own feeds give a figure for.
KEYS_WITHOUT_FIGURE = ("NO", "NE", "IE")


class NotationKeyConflict(ValueError):
    """A notation key of the city's configuration on a subsector the feeds give a figure for."""


def write_community_reference(conn: duckdb.DuckDBPyConnection) -> None:
    """Replace ``ref.gpc_basic_subsectors`` and ``ref.community_vmt_factors`` from reference_data/ (with their sources)."""
    subsectors = pd.read_csv(REFERENCE_DATA / "gpc_basic_subsectors.csv", dtype=str)
    subsectors["scope"] = subsectors["scope"].astype(int)
    subsectors["source_year"] = subsectors["source_year"].astype(int)
    subsectors["position"] = range(len(subsectors))  # the GPC's own order, for the reporting table
    factors = pd.read_csv(
        REFERENCE_DATA / "community_vmt_factors.csv",
        dtype={"gas": str, "source_table": str}, keep_default_na=False, na_values={"gas": [""]},
    )
    with transaction(conn):
        for name, frame in (("gpc_basic_subsectors", subsectors), ("community_vmt_factors", factors)):
            conn.register("_reference", frame)
            conn.execute(f"CREATE OR REPLACE TABLE ref.{name} AS SELECT * FROM _reference")
            conn.unregister("_reference")


def _prepare(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> None:
    # A city without community feeds still gets (empty) tables: the inventory and the export read them.
    policy = PrivacyPolicy.load(city)
    for name in COMMUNITY_FEEDS:
        ensure_core_table(conn, get_contract(name), policy)
    if not table_exists(conn, "ref", "unit_conversions"):
        write_unit_conversions(conn)
    write_community_reference(conn)
    check_factor_coverage(conn, city)


def energy_params(city: CityConfig) -> dict[str, Any]:
    """The bound parameters of community_energy_emissions.sql."""
    # The same fuel settings as the city's own buildings; electricity's factors are staged apart (electricity_factors.py).
    return {"factor_set": city.city.factor_set, "shipped_factor_set": SHIPPED_FUEL_FACTOR_SET, "grid_subregion": city.city.grid_subregion,
            "gwp_set": city.city.gwp_set, "min_customers": MIN_CUSTOMERS_PUBLISHED}


def vmt_params(city: CityConfig) -> dict[str, Any]:
    """The bound parameters of community_vmt_emissions.sql: factor and GWP sets, the mixed-fuel split, fuel economies."""
    settings = city.inventory
    split = settings.mixed_fuel_split()
    economy = sorted(settings.vmt_fuel_economy.items())
    return {
        "factor_set": city.city.factor_set,
        "shipped_factor_set": SHIPPED_FUEL_FACTOR_SET,
        "gwp_set": city.city.gwp_set,
        "split_classes": [row[0] for row in split],
        "split_fuels": [row[1] for row in split],
        "split_shares": [row[2] for row in split],
        "economy_classes": [name for name, _ in economy],
        "economy_mpg": [value.mpg for _, value in economy],
        "economy_sources": [value.source for _, value in economy],
        "economy_years": [value.year for _, value in economy],
    }


def inventory_params(city: CityConfig) -> dict[str, Any]:
    """The bound parameters of community_inventory.sql: the city's notation keys."""
    keys = sorted(city.inventory.notation_keys.items())
    return {
        "key_refs": [ref for ref, _ in keys],
        "key_keys": [value.key for _, value in keys],
        "key_explanations": [value.explanation for _, value in keys],
        "min_customers": MIN_CUSTOMERS_PUBLISHED,
    }


def _missing_factor_message(conn: duckdb.DuckDBPyConnection, city: CityConfig, staged: str, what: str, fix: str) -> str | None:
    """Every row of ``staged`` without a factor, grouped by feed, activity, year and problem, naming the first
    row (file and row number) of each group and the setting that fixes it; None if every row has its factors."""
    problems = conn.execute(
        f"""
        SELECT staged._feed, {what} AS activity, staged.inventory_year, staged.factor_problem, count(*) AS rows,
            arg_min(coalesce(files.source_path, staged._file_sha256), staged._source_row) AS file, min(staged._source_row) AS source_row
        FROM {staged} AS staged
        LEFT JOIN meta.landed_files AS files ON files.feed = staged._feed AND files.file_sha256 = staged._file_sha256
        WHERE staged.factor_problem IS NOT NULL
        GROUP BY ALL
        ORDER BY staged.inventory_year, staged._feed, activity
        """
    ).fetchall()
    if not problems:
        return None
    lines = [
        f"feed {feed}: {Path(file).name if file else '?'} row {row}{f' and {rows - 1:,} more row(s) like it' if rows > 1 else ''}: "
        f"{activity}, inventory year {year}: {problem}. Fix: {fix}"
        for feed, activity, year, problem, rows, file, row in problems
    ]
    count = sum(p[4] for p in problems)
    return f"{city.config_path}: {count:,} community activity row(s) found no emission factor; none is left out of the inventory silently:\n" + "\n".join(lines)


def _replace(conn: duckdb.DuckDBPyConnection, table: str, staged: str) -> int:
    with transaction(conn):
        conn.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * EXCLUDE (factor_problem) FROM {staged}")
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def refresh_community_energy(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> int:
    """Recompute ``out.community_energy_emissions_monthly``; return its row count.

    Raises :class:`MissingFactorError` (and writes nothing) if any delivery row finds no factor."""
    _prepare(conn, city)
    staged = "_community_energy_staged"
    years = [row[0] for row in conn.execute("SELECT DISTINCT year(period_month) FROM core.community_energy WHERE energy_type = 'electricity'").fetchall()]
    # Every kWh of a year at the edition the city's own operations use for it.
    stage_electricity_factors(conn, city, (date(min(years, default=2000), 1, 1), date(max(years, default=2000) + 1, 1, 1)))
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('community_energy_emissions')}", energy_params(city))
    try:
        message = _missing_factor_message(
            conn, city, staged, "staged.sector || ' ' || staged.energy_type",
            f"name an electricity edition with rates for {city.city.grid_subregion!r} under city.electricity_factors, set city.factor_set "
            "to a set with the fuel's combustion factors, or add the factor (with its source and year) in a feed of the emission_factors contract",
        )
        if message:
            raise MissingFactorError(message)
        return _replace(conn, COMMUNITY_ENERGY_TABLE, staged)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")


def refresh_community_vmt(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> int:
    """Recompute ``out.community_vmt_emissions``; return its row count.

    Raises :class:`MissingFactorError` (and writes nothing) if any vehicle-miles row lacks a fuel economy or factor."""
    _prepare(conn, city)
    staged = "_community_vmt_staged"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('community_vmt_emissions')}", vmt_params(city))
    try:
        message = _missing_factor_message(
            conn, city, staged, "staged.vehicle_class || ' on ' || staged.component_fuel",
            "give the class's fuel economy with its source and year under inventory.vmt_fuel_economy "
            "(e.g. `vmt_fuel_economy: {bus: {mpg: 4.5, source: ..., year: 2022}}`), or split its mixed miles under inventory.vmt_mixed_fuel",
        )
        if message:
            raise MissingFactorError(message)
        return _replace(conn, COMMUNITY_VMT_TABLE, staged)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")


def notation_key_conflicts(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> list[str]:
    """The city's NO/NE/IE keys on subsectors its feeds give a figure for, one line each (should be none)."""
    keyed = {ref: key for ref, key in city.inventory.notation_keys.items() if key.key in KEYS_WITHOUT_FIGURE}
    if not keyed:
        return []
    found = conn.execute(
        f"""
        SELECT gpc_reference, list(DISTINCT inventory_year ORDER BY inventory_year) AS years, count(*) AS rows
        FROM (SELECT gpc_reference, inventory_year FROM {COMMUNITY_ENERGY_TABLE}
              UNION ALL SELECT gpc_reference, inventory_year FROM {COMMUNITY_VMT_TABLE})
        WHERE list_contains(?, gpc_reference)
        GROUP BY ALL ORDER BY 1
        """,
        [sorted(keyed)],
    ).fetchall()
    return [
        f"{city.config_path}: inventory.notation_keys[{ref}] is {keyed[ref].key}, but the feeds give {rows:,} row(s) of {ref} "
        f"(years {', '.join(map(str, years))}): remove the key (or key it C to withhold the figure)"
        for ref, years, rows in found
    ]


def refresh_community_inventory(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> int:
    """Recompute ``out.community_inventory`` from the two community emission tables; return its row count.

    Raises :class:`NotationKeyConflict` (and writes nothing) if a configured key contradicts the feeds."""
    _prepare(conn, city)
    for table, refresh in ((COMMUNITY_ENERGY_TABLE, refresh_community_energy), (COMMUNITY_VMT_TABLE, refresh_community_vmt)):
        if not table_exists(conn, *table.split(".")):
            refresh(conn, city)
    conflicts = notation_key_conflicts(conn, city)
    if conflicts:
        raise NotationKeyConflict("\n".join(conflicts))
    with transaction(conn):
        conn.execute(f"CREATE OR REPLACE TABLE {COMMUNITY_INVENTORY_TABLE} AS {load_sql('community_inventory')}", inventory_params(city))
    return conn.execute(f"SELECT count(*) FROM {COMMUNITY_INVENTORY_TABLE}").fetchone()[0]


def community_summary(conn: duckdb.DuckDBPyConnection) -> str | None:
    """One line on the latest inventory year: tCO2e by scope and how many subsectors carry each notation key; None without one."""
    if not table_exists(conn, *COMMUNITY_INVENTORY_TABLE.split(".")):
        return None
    row = conn.execute(
        f"""
        WITH latest AS (SELECT * FROM {COMMUNITY_INVENTORY_TABLE} WHERE inventory_year = (SELECT max(inventory_year) FROM {COMMUNITY_INVENTORY_TABLE})),
        keyed AS (SELECT notation_key, count(DISTINCT gpc_reference) AS n FROM latest WHERE gas = 'CO2e' AND notation_key IS NOT NULL GROUP BY 1)
        SELECT any_value(inventory_year),
            coalesce(sum(emissions_tonnes) FILTER (WHERE gas = 'CO2e' AND scope = 1), 0),
            coalesce(sum(emissions_tonnes) FILTER (WHERE gas = 'CO2e' AND scope = 2), 0),
            (SELECT string_agg(notation_key || ' ' || n, ', ' ORDER BY notation_key) FROM keyed)
        FROM latest
        """
    ).fetchone()
    if row[0] is None:
        return None
    year, scope1, scope2, keys = row
    return (f"Community inventory (GPC BASIC) {year}: {scope1 + scope2:,.0f} tCO2e ({scope1:,.0f} scope 1, {scope2:,.0f} scope 2); "
            f"subsectors by notation key: {keys or 'none'}; `city-outcomes export gpc` writes the reporting table.")
