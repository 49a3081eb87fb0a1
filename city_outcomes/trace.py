"""``trace``: one published number, followed down to what it is made of.

For a metric of the catalog, a period and filters on its dimensions, a trace gives the number
itself; the catalog entry; the SQL file that computes it, with the SHA-256 of its text; each
emission factor applied (value, unit, document, table, edition, how it was chosen); the activity
rows (feed, contract and version, file, SHA-256, row numbers, count); and the Dagster runs and code
versions that computed those months. Everything comes from the warehouse: the metric table's
lineage columns (``_feed``, ``_file_sha256``, ``_source_row``), the lists of factors its rows name by
``factors_id`` (``out.factors_applied``), ``meta.landed_files``, ``meta.file_reconciliation`` and ``meta.metric_runs``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb

from city_outcomes.metrics.catalog import MetricEntry, catalog
from city_outcomes.metrics.factor_sets import FACTORS_TABLE
from city_outcomes.metrics.runs import code_version, metric_runs
from city_outcomes.warehouse import quote_ident, table_exists

LINEAGE = ("_feed", "_file_sha256", "_source_row")
SOURCE_ROWS = "_source_rows"
# Settings a formula ran with, shown where a metric table carries them as columns.
PARAMETER_COLUMNS = ("factor_set", "factor_basis", "factor_choice", "market_method", "gwp_set", "grid_subregion")
FACTORS_COLUMN = "factors_applied"
FACTORS_ID_COLUMN = "factors_id"
MARKET_IDS = {"co2e_tonnes_market": "market_factors_id"}  # value column -> the ids of the factors it used
PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


class TraceError(ValueError):
    """A metric, period or filter that selects nothing; the message lists the valid ones."""


@dataclass
class SourceFile:
    """The activity rows of one file that a traced number is made of."""

    feed: str
    contract: str | None
    contract_version: str | None
    source_path: str | None
    landed_path: str | None
    file_sha256: str
    rows: int
    row_numbers: str  # "2-13, 15, 20-31"


@dataclass
class Trace:
    """A published number and everything it is made of (see the module docstring)."""

    metric: dict[str, Any]
    period: str | None
    filters: dict[str, str]
    value: float | None
    unit: str
    rows: int
    formula: dict[str, str]
    parameters: dict[str, list[str]] = field(default_factory=dict)
    factors: list[dict[str, Any]] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    code_version_now: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The trace as plain JSON-ready values (dates as ISO text)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_ranges(numbers: list[int]) -> str:
    """Row numbers as ranges: [2, 3, 4, 7, 9, 10] -> "2-4, 7, 9-10"."""
    ranges: list[str] = []
    start = previous = None
    for number in sorted(numbers):
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            ranges.append(f"{start}-{previous}" if previous != start else f"{start}")
            start = previous = number
    if start is not None:
        ranges.append(f"{start}-{previous}" if previous != start else f"{start}")
    return ", ".join(ranges)


def _period_bounds(entry: MetricEntry, period: str | None, valid: list[str]) -> tuple[date | None, date | None]:
    if period is None:
        return None, None
    match = PERIOD.match(period)
    if not entry.period_column:
        raise TraceError(f"metric {entry.name!r} has no period: leave out --period")
    if not match:
        raise TraceError(f"period {period!r} is neither a year (2023) nor a month (2023-05); the periods are: {', '.join(valid)}")
    year, month = int(match.group(1)), match.group(2)
    if month is None:
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
    else:
        if not 1 <= int(month) <= 12:
            raise TraceError(f"period {period!r}: no month {month}; the periods are: {', '.join(valid)}")
        start = date(year, int(month), 1)
        end = date(year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def trace_metric(conn: duckdb.DuckDBPyConnection, name: str, period: str | None = None, where: dict[str, str] | None = None) -> Trace:
    """The trace of metric ``name`` over ``period`` (a year or a month) and ``where`` (dimension = value)."""
    entry = catalog().get(name)  # UnknownMetric lists the metrics
    where = where or {}
    schema, table = entry.table.split(".")
    if not table_exists(conn, schema, table):
        raise TraceError(f"metric {name!r} is not computed yet ({entry.table} does not exist): run `city-outcomes run` first")
    relation = f"{quote_ident(schema)}.{quote_ident(table)}"
    allowed = list(dict.fromkeys([*entry.grain, *entry.dimensions]))
    unknown = [key for key in where if key not in allowed]
    if unknown:
        raise TraceError(f"metric {name!r} cannot be filtered by {', '.join(unknown)}; its dimensions are: {', '.join(allowed)}")

    valid_periods: list[str] = []
    if entry.period_column:
        column = quote_ident(entry.period_column)
        years = [r[0] for r in conn.execute(f"SELECT DISTINCT strftime({column}, '%Y') FROM {relation} ORDER BY 1").fetchall()]
        months = [r[0] for r in conn.execute(f"SELECT DISTINCT strftime({column}, '%Y-%m') FROM {relation} ORDER BY 1").fetchall()]
        valid_periods = [*years, *months]
    start, end = _period_bounds(entry, period, valid_periods)
    conditions, params = ["true"], []
    if start is not None:
        conditions.append(f"{quote_ident(entry.period_column)} >= ? AND {quote_ident(entry.period_column)} < ?")
        params += [start, end]
        if not conn.execute(f"SELECT count(*) FROM {relation} WHERE {conditions[-1]}", [start, end]).fetchone()[0]:
            raise TraceError(f"metric {name!r} has no rows in {period}; the periods are: {', '.join(valid_periods)}")
    for key, value in where.items():
        conditions.append(f"CAST({quote_ident(key)} AS VARCHAR) = ?")
        params.append(value)
    selection = f"SELECT * FROM {relation} WHERE {' AND '.join(conditions)}"
    # A share is a ratio of sums over the selection, never a sum of the rows' shares.
    measure = f"sum({quote_ident(entry.value_column)})"
    if entry.denominator_column:
        measure = f"{measure} / nullif(sum({quote_ident(entry.denominator_column)}), 0)"
    rows, value = conn.execute(f"SELECT count(*), {measure} FROM ({selection})", params).fetchone()
    if not rows:
        key = next(reversed(where)) if where else None
        hint = ""
        if key is not None:
            values = [r[0] for r in conn.execute(f"SELECT DISTINCT CAST({quote_ident(key)} AS VARCHAR) FROM {relation} ORDER BY 1 LIMIT 30").fetchall()]
            hint = f"; the values of {key} are: {', '.join(map(str, values))}"
        raise TraceError(f"metric {name!r}: no rows match {period or 'any period'} and {where}{hint}")

    columns = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()}
    formula_text = entry.formula_path.read_text(encoding="utf-8")
    trace = Trace(
        metric={k: v for k, v in entry.model_dump().items()},
        period=period,
        filters=dict(where),
        value=float(value) if value is not None else None,
        unit=entry.unit,
        rows=int(rows),
        formula={"file": f"city_outcomes/sql/{entry.formula}.sql", "sha256": hashlib.sha256(formula_text.encode("utf-8")).hexdigest()},
        code_version_now=code_version(),
    )
    for parameter in (c for c in PARAMETER_COLUMNS if c in columns):
        trace.parameters[parameter] = [r[0] for r in conn.execute(f"SELECT DISTINCT CAST({quote_ident(parameter)} AS VARCHAR) FROM ({selection}) ORDER BY 1", params).fetchall()]
    # Emissions rows name their list of factors by id (out.factors_applied, city_outcomes/metrics/factor_sets.py);
    # a table that still carries the lists on its rows (the community inventory's) is read as it is.
    # A market-based figure is traced to the factors it used (before the ids, trace listed the location-based ones).
    factor_lists = None
    id_column = MARKET_IDS.get(entry.value_column, FACTORS_ID_COLUMN)
    id_column = id_column if id_column in columns else FACTORS_ID_COLUMN
    if id_column in columns:
        factor_lists = (f"SELECT lists.{FACTORS_COLUMN} FROM (SELECT DISTINCT {id_column} FROM ({selection})) AS used "
                        f"JOIN {FACTORS_TABLE} AS lists ON lists.factors_id = used.{id_column}")
    elif FACTORS_COLUMN in columns:
        factor_lists = selection
    if factor_lists is not None:
        cursor = conn.execute(f"SELECT DISTINCT factor.* FROM (SELECT unnest({FACTORS_COLUMN}) AS factor FROM ({factor_lists})) ORDER BY ALL", params)
        names = [d[0] for d in cursor.description]
        trace.factors = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    # Row-level tables carry each row's _source_row; tables of counts carry the list of rows counted (_source_rows).
    source_rows = "_source_row" if "_source_row" in columns else "unnest(_source_rows)" if SOURCE_ROWS in columns else None
    if source_rows and all(c in columns for c in LINEAGE[:2]):
        for feed, sha, numbers in conn.execute(
            f"SELECT _feed, _file_sha256, list(DISTINCT row ORDER BY row) FROM (SELECT _feed, _file_sha256, {source_rows} AS row FROM ({selection})) "
            "GROUP BY ALL ORDER BY 1, 2",
            params,
        ).fetchall():
            landed = conn.execute("SELECT source_path, landed_path FROM meta.landed_files WHERE feed = ? AND file_sha256 = ?", [feed, sha]).fetchone()
            recorded = conn.execute(
                "SELECT contract, contract_version, source_path FROM meta.file_reconciliation WHERE feed = ? AND file_sha256 = ?", [feed, sha]
            ).fetchone()
            trace.sources.append(SourceFile(
                feed=feed,
                contract=recorded[0] if recorded else None,
                contract_version=recorded[1] if recorded else None,
                source_path=(recorded[2] if recorded else None) or (landed[0] if landed else None),
                landed_path=landed[1] if landed else None,
                file_sha256=sha,
                rows=len(numbers),
                row_numbers=row_ranges(numbers),
            ))
    trace.runs = metric_runs(conn, entry.table, start, end)[:5] if table_exists(conn, "meta", "metric_runs") else []
    return trace
