"""Sectors whose whole activity is grid electricity (streetlights and traffic signals, public EV chargers): refresh
months of their table from one SQL file, at the shared per-year electricity factors, or stop naming the rows.

Each SQL file gives one row per accepted source row with ``factor_problem`` (and optionally ``grain_problem``):
a row with either set stops the run (:class:`~city_outcomes.metrics.emissions.MissingFactorError`), naming
the feed, file, row, year and the setting that fixes it; the problem columns are not written.

The rows go to the sector's ``..._rows`` table with ``terms_id`` in place of the factor columns they share with
every kWh of their year (``electricity_factor_terms.sql``, kept once in ``out.electricity_factor_terms``); readers
read the sector's table name, a view (``<formula>_view.sql``) that joins them back. At issue 12's size that is
3.6 million streetlight rows, and writing those columns on each was most of the sector's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.electricity_factors import ELECTRICITY_FACTORS, stage_electricity_factors
from city_outcomes.metrics.emissions import MissingFactorError
from city_outcomes.metrics.factor_sets import keep_once, record_factor_sets
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import replace_months, replace_view
from data_contracts import get_contract

FACTOR_FEEDS = ("emission_factors", "global_warming_potentials")
FACTOR_TERMS = "_electricity_factor_terms"  # temp: one row per inventory year (electricity_factor_terms.sql)
TERMS_TABLE = "out.electricity_factor_terms"  # the terms the rows name, each kept once
# The staged columns that are not terms the rows show: the year, the rates the figures are computed from, the problem.
_NOT_SHOWN = ("inventory_year", "co2_kg_per_kwh", "ch4_kg_per_kwh", "n2o_kg_per_kwh", "co2e_kg_per_kwh",
              "market_co2e_kg_per_kwh", "factor_problem")


@dataclass(frozen=True)
class ElectricitySector:
    """One grid-electricity sector: its table (the view readers read), SQL file, the feeds it reads and its problem
    columns and fixes."""

    table: str
    formula: str
    feeds: tuple[str, ...]
    problems: dict[str, str]  # problem column -> the fix, in words

    @property
    def rows_table(self) -> str:
        """The table the rows are written to."""
        return f"{self.table}_rows"

    @property
    def view_formula(self) -> str:
        """The SQL file of the view ``table``."""
        return f"{self.formula}_view"


FACTOR_FIX = (
    "name an edition that has it under city.electricity_factors, e.g. `electricity_factors: {{{year}: egrid2023}}`; check "
    "city.grid_subregion ({subregion!r}); or add the factor (with its source and year) in a feed of the emission_factors contract"
)


def problem_message(conn: duckdb.DuckDBPyConnection, city: CityConfig, staged: str, sector: ElectricitySector) -> str | None:
    """Every staged row with a problem, grouped by feed, year and problem, naming the first row of each group and the
    setting that fixes it; None if there is none."""
    lines, count = [], 0
    for column, fix in sector.problems.items():
        for feed, year, problem, rows, file, source_row in conn.execute(
            f"""
            SELECT staged._feed, staged.inventory_year, staged.{column}, count(*),
                arg_min(coalesce(files.source_path, staged._file_sha256), (staged.period_month, staged._source_row)),
                arg_min(staged._source_row, (staged.period_month, staged._source_row))
            FROM {staged} AS staged
            LEFT JOIN meta.landed_files AS files ON files.feed = staged._feed AND files.file_sha256 = staged._file_sha256
            WHERE staged.{column} IS NOT NULL
            GROUP BY ALL ORDER BY 2, 1, 3
            """
        ).fetchall():
            others = f" and {rows - 1:,} more row(s) like it" if rows > 1 else ""
            name = Path(file).name if file else "?"
            lines.append(f"feed {feed}: {name} row {source_row}{others}: inventory year {year}: {problem}. Fix: "
                         + fix.format(year=year, subregion=city.city.grid_subregion))
            count += rows
    if not lines:
        return None
    return f"{city.config_path}: {count:,} row(s) of {sector.table} cannot be computed; none is left out silently:\n" + "\n".join(lines)



def stage_factor_terms(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date]) -> None:
    """(Re)write the temp tables of electricity factors and of their terms for the years of ``months``."""
    stage_electricity_factors(conn, city, months)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {FACTOR_TERMS} AS {load_sql('electricity_factor_terms')}",
                 {"gwp_set": city.city.gwp_set, "grid_subregion": city.city.grid_subregion})


def record_factor_terms(conn: duckdb.DuckDBPyConnection) -> None:
    """Add the staged years' factor lists and terms the warehouse lacks (in the transaction writing the rows)."""
    record_factor_sets(conn, ELECTRICITY_FACTORS)
    keep_once(conn, TERMS_TABLE, f"(SELECT DISTINCT * EXCLUDE ({', '.join(_NOT_SHOWN)}) FROM {FACTOR_TERMS} WHERE factor_problem IS NULL)",
              "terms_id", "set of factor terms")


def refresh_sector(conn: duckdb.DuckDBPyConnection, city: CityConfig, months: tuple[date, date], sector: ElectricitySector,
                   extra_params: dict[str, Any] | None = None) -> int:
    """Recompute the months in [start, end) of the sector's table atomically; return the rows written.

    Raises :class:`MissingFactorError` (and writes nothing) if any row has a problem. ``ref.unit_conversions``
    must exist (the building metric's ``write_unit_conversions`` writes it)."""
    policy = PrivacyPolicy.load(city)
    for name in (*sector.feeds, *FACTOR_FEEDS):
        ensure_core_table(conn, get_contract(name), policy)
    stage_factor_terms(conn, city, months)
    params = {"start_month": months[0], "end_month": months[1], **(extra_params or {})}
    rows = f"({load_sql(sector.formula)})"
    # The rows are computed twice, to find problems and to write, and never staged: staging 3.6 million streetlight
    # rows cost more than computing them.
    problems = f"_{sector.table.split('.')[1]}_problems"
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {problems} AS SELECT * FROM {rows} WHERE "
                 + " OR ".join(f"{column} IS NOT NULL" for column in sector.problems), params)
    try:
        message = problem_message(conn, city, problems, sector)
        if message:
            raise MissingFactorError(message)
        return replace_months(conn, sector.rows_table, f"(SELECT * EXCLUDE ({', '.join(sector.problems)}) FROM {rows})", months,
                              also=record_factor_terms, params=params,
                              then=lambda c: replace_view(c, sector.table, load_sql(sector.view_formula)))
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {problems}")
