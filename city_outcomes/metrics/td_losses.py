"""Scope 3 T&D losses of the municipal inventory's grid electricity (``out.municipal_td_losses_monthly``), for a
city that reports them (``city.td_losses``): the method is in ``city_outcomes/sql/municipal_td_losses_monthly.sql``,
the grid gross loss per eGRID edition and subregion in ``reference_data/grid_gross_loss_egrid.csv`` (``ref.grid_gross_loss``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from city_outcomes.config import REFERENCE_DATA, CityConfig
from city_outcomes.metrics.emissions import MissingFactorError
from city_outcomes.metrics.inventory import INVENTORY_MONTHLY_TABLE, InventoryError
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.warehouse import replace_from_csv, replace_months, table_exists

TD_LOSSES_TABLE = "out.municipal_td_losses_monthly"
GRID_LOSS_TABLE = "ref.grid_gross_loss"
GRID_LOSS_FILE = REFERENCE_DATA / "grid_gross_loss_egrid.csv"


def write_grid_gross_loss(conn: duckdb.DuckDBPyConnection) -> int:
    """Replace ``ref.grid_gross_loss`` with the shipped file (each loss with its document, table and year); return its rows."""
    def shares_only(conn: duckdb.DuckDBPyConnection) -> None:
        bad = conn.execute(f"SELECT factor_set, region, grid_gross_loss FROM {GRID_LOSS_TABLE} WHERE NOT grid_gross_loss BETWEEN 0 AND 0.5 LIMIT 1").fetchone()
        if bad:  # a share, not a percentage: 4.2 would make the losses 24 times the kWh used
            raise ValueError(f"{GRID_LOSS_FILE}: {bad[0]} {bad[1]}: grid gross loss {bad[2]} is not a share between 0 and 0.5")

    return replace_from_csv(conn, GRID_LOSS_TABLE, GRID_LOSS_FILE, {
        "factor_set": "VARCHAR", "region": "VARCHAR", "grid_gross_loss": "DOUBLE", "source_document": "VARCHAR",
        "source_table": "VARCHAR", "source_year": "INTEGER", "data_year": "INTEGER",
    }, check=shares_only)


def refresh_td_losses(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> int:
    """Recompute the months in [start, end) from the monthly inventory; return the rows written.

    Raises :class:`MissingFactorError` (and writes nothing) if a row's factor set has no grid gross loss."""
    if not table_exists(conn, *INVENTORY_MONTHLY_TABLE.split(".")):
        raise InventoryError(f"the T&D losses need {INVENTORY_MONTHLY_TABLE}: materialize the inventory first (`city-outcomes run`)")
    write_grid_gross_loss(conn)
    params = {"start_month": months[0], "end_month": months[1], "grid_subregion": city.city.grid_subregion}
    staged = "_municipal_td_losses_staged"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {staged} AS {load_sql('municipal_td_losses_monthly')}", params)
    try:
        problems = conn.execute(
            f"SELECT year(period_month), factor_set, loss_problem, count(*), min(period_month), arg_min(sector, period_month) "
            f"FROM {staged} WHERE loss_problem IS NOT NULL GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
        if problems:
            lines = [
                f"inventory year {year}: {problem} ({rows} row(s) of {INVENTORY_MONTHLY_TABLE}, the first {first:%Y-%m} {sector}). "
                f"Fix: name an eGRID edition for {year} under city.electricity_factors (e.g. `electricity_factors: {{{year}: egrid2023}}`), "
                "or set city.td_losses: false"
                for year, _, problem, rows, first, sector in problems
            ]
            raise MissingFactorError(f"{city.config_path}: the T&D losses (city.td_losses) cannot be computed; none is left out silently:\n" + "\n".join(lines))
        return replace_months(conn, TD_LOSSES_TABLE, f"(SELECT * EXCLUDE (loss_problem) FROM {staged})", months)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {staged}")


def td_losses_by_sector(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The T&D losses by year and sector (t CO2e, and the editions' losses applied); empty for a city without them."""
    if not table_exists(conn, *TD_LOSSES_TABLE.split(".")):
        return []
    return query_dicts(conn, "municipal_td_losses_summary")
