"""A goal's metric series: annual sums (and monthly values) read through the metric catalog.

The table and columns come from the catalog entry (``table``, ``value_column``,
``denominator_column``, ``period_column``), never from a user; the catalog checks them against an
identifier pattern when it loads, and they are checked again here and quoted (``quote_ident``, as ``trace.py`` and ``metrics/monthly.py`` do) before
they go into the SQL of ``goal_metric_annual.sql`` / ``goal_metric_monthly.sql``, and every value is bound.

A year counts only when it is complete: it has ended by ``as_of`` and every one of its 12 months
holds rows of the metric's table. For the municipal buildings' table the inventory's own rule
(``metrics/completeness.py``: every expected meter billed all 12 months) must hold too. A year that
fails is left out of the series and reported with the reason, never silently summed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.metrics.catalog import MetricEntry
from city_outcomes.metrics.completeness import year_completeness
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import quote_ident, table_exists

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MARKER = re.compile(r"\{\{([a-z_]+)\}\}")
# The tables whose years must also pass the inventory's completeness rule (year_completeness.sql reads this table).
BUILDINGS_TABLE = "out.building_emissions_monthly"


class SeriesError(ValueError):
    """A catalog entry that cannot be read as a series (no period column, a name that is not an identifier)."""


@dataclass(frozen=True)
class MetricSeries:
    """A metric's complete years (and months), and the periods left out with why."""

    annual: list[tuple[int, float]] = field(default_factory=list)
    monthly: list[tuple[date, float]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (period "2026" or "2026-11", reason)


def identifier(name: str) -> str:
    """``name`` quoted for SQL, after checking it is a plain identifier (a catalog name, never a user's text)."""
    if not IDENTIFIER.match(name):
        raise SeriesError(f"{name!r} is not a plain identifier: refusing to put it in SQL")
    return quote_ident(name)


def render(sql_name: str, entry: MetricEntry) -> str:
    """The text of ``<sql_name>.sql`` with its identifier markers replaced by the entry's quoted names."""
    if not entry.period_column:
        raise SeriesError(f"metric {entry.name!r} has no period column: it cannot be read by year")
    schema, _, table = entry.table.partition(".")
    names = {
        "table": f"{identifier(schema)}.{identifier(table)}",
        "period": identifier(entry.period_column),
        "value": identifier(entry.value_column),
        "denominator": identifier(entry.denominator_column) if entry.denominator_column else "NULL",
    }
    return MARKER.sub(lambda m: names[m.group(1)], load_sql(sql_name))


def _missing_months(present: list[int]) -> list[int]:
    return [m for m in range(1, 13) if m not in set(present)]


def read_series(conn: duckdb.DuckDBPyConnection, city: CityConfig, entry: MetricEntry, as_of: date, monthly: bool = False) -> MetricSeries:
    """The entry's series as of ``as_of``: complete years; with ``monthly``, the months that are over too."""
    schema, _, table = entry.table.partition(".")
    if not table_exists(conn, schema, table):
        return MetricSeries(left_out=[("all", f"{entry.table} does not exist yet (the metric is not computed)")])
    params = {"ratio": entry.denominator_column is not None, "as_of": as_of}
    annual: list[tuple[int, float]] = []
    left_out: list[tuple[str, str]] = []
    buildings = year_completeness(conn, city, as_of) if entry.table == BUILDINGS_TABLE else None
    for year, value, present, over in conn.execute(render("goal_metric_annual", entry), params).fetchall():
        year = int(year)
        missing = _missing_months(list(present))
        if not over:
            left_out.append((str(year), f"the year is not over on {as_of.isoformat()}"))
        elif missing:
            months = ", ".join(f"{year}-{m:02d}" for m in missing)
            left_out.append((str(year), f"{len(missing)} of 12 months have no rows in {entry.table} ({months})"))
        elif buildings is not None and not buildings.is_complete(year):
            known = buildings.of(year)
            left_out.append((str(year), f"incomplete: {known.reason}" if known and known.reason else "incomplete by the inventory's completeness rule"))
        elif value is None:
            left_out.append((str(year), "no value (a share whose denominator is zero)"))
        else:
            annual.append((year, float(value)))
    months: list[tuple[date, float]] = []
    if monthly:
        rows = conn.execute(render("goal_metric_monthly", entry), params).fetchall()
        present = {row[0] for row in rows}
        # A month between the first and the last that holds no rows at all is missing, not zero: said, not drawn.
        if rows:
            month = rows[0][0]
            while month < rows[-1][0]:
                if month not in present:
                    left_out.append((month.strftime("%Y-%m"), f"no rows in {entry.table}"))
                month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        for month, value, _rows, over in rows:
            if not over:
                left_out.append((month.strftime("%Y-%m"), f"the month is not over on {as_of.isoformat()}"))
            elif value is None:
                left_out.append((month.strftime("%Y-%m"), "no value (a share whose denominator is zero)"))
            else:
                months.append((month, float(value)))
    return MetricSeries(annual=annual, monthly=months, left_out=left_out)
