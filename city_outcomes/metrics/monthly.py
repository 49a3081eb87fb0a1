"""Catalog metrics built from their formula alone: refresh months of a table with its ``.sql`` file.

A family whose numbers are a query over core tables (counts, sums, shares) needs no module of its
own: its catalog entries say ``built_by: sql``, and one Dagster asset per table (assets/catalog_metrics.py)
calls :func:`refresh_monthly_metric`. The formula's parameters are bound: ``$start_month`` and
``$end_month`` (half-open) and ``$timezone`` (the city's zone), each passed only where the file uses it.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.catalog import MetricEntry
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import quote_ident, replace_months
from data_contracts import all_contracts, get_contract


def formula_params(sql: str, city: CityConfig, months: tuple[date, date]) -> dict[str, object]:
    """The bound parameters a formula names, of those the monthly asset offers."""
    offered = {"start_month": months[0], "end_month": months[1], "timezone": city.city.timezone or "UTC"}
    named = set(re.findall(r"\$([a-z_]+)", sql))
    unknown = named - offered.keys()
    if unknown:
        raise ValueError(f"formula names parameters the monthly asset does not offer: {sorted(unknown)} (it offers {sorted(offered)})")
    return {name: value for name, value in offered.items() if name in named}


def refresh_monthly_metric(conn: duckdb.DuckDBPyConnection, city: CityConfig, entry: MetricEntry, months: tuple[date, date]) -> int:
    """Recompute ``entry.table``'s months in [start, end) atomically; return the rows written.

    A city without a feed of an input contract still gets the (empty) table: a goal or page that reads it sees zero rows, not an error."""
    policy = PrivacyPolicy.load(city)
    contracts = set(all_contracts())
    for name in entry.inputs:
        if name in contracts:
            ensure_core_table(conn, get_contract(name), policy)
    sql = load_sql(entry.formula)
    params = formula_params(sql, city, months)
    schema, table = entry.table.split(".")
    staged = f"_{table}_staged"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {sql}", params)
    try:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
        return replace_months(conn, f"{quote_ident(schema)}.{quote_ident(table)}", staged, months)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")
