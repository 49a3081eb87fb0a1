"""The feed's own transformations of an export, as configured: row filters, derived columns,
projected coordinates, decimal commas.

They run inside DuckDB, in the pass that reads the file and checks its rows (no Python loop over
rows): :func:`transformed_source` wraps a file's raw text rows in one SELECT that adds each derived
column as text (which the contract step then reads like any export column), a ``__keep`` flag for the
row filter, and coordinates turned into WGS84 degrees.

Expressions come from configuration, so they are parsed and checked with sqlglot before they come
near SQL: only the export's columns, literals, operators, CASE, casts to plain types and an
allow-list of scalar functions are accepted (:func:`check_expression`), and the SQL that runs is
generated from the checked syntax tree, with every column name re-quoted as the file has it
(:func:`bind_expression`). Configuration text is never formatted into SQL as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from city_outcomes.feeds.headers import match_header
from city_outcomes.feeds.spaces import trimmed_sql
from city_outcomes.warehouse import quote_ident

DERIVED_PREFIX = "__derived__"
KEEP = "__keep"
# A projected coordinate system as PROJ names it: an authority and a code (EPSG:2277 is Texas Central, US feet).
CRS_PATTERN = re.compile(r"^(EPSG|ESRI):\d{4,6}$")

# DuckDB scalar functions an expression may call: text, numbers, dates and conditionals. No table
# functions, no file or network access, no aggregates, no settings.
ALLOWED_FUNCTIONS = (
    "lower", "upper", "trim", "ltrim", "rtrim", "length", "substr", "substring", "left", "right", "replace",
    "concat", "concat_ws", "lpad", "rpad", "split_part", "starts_with", "ends_with", "contains", "strip_accents",
    "regexp_matches", "regexp_replace", "regexp_extract", "nullif", "coalesce", "ifnull", "greatest", "least",
    "abs", "round", "floor", "ceil", "sqrt", "power", "ln", "log10", "sign",
    "strptime", "try_strptime", "strftime", "make_date", "date_trunc", "date_part", "year", "month", "day",
    "epoch_ms", "to_timestamp",
)
ALLOWED_TYPES = {"DOUBLE", "FLOAT", "BIGINT", "INT", "INTEGER", "SMALLINT", "DECIMAL", "VARCHAR", "TEXT", "DATE", "TIMESTAMP", "BOOLEAN"}
# Syntax an expression may use besides function calls: names, literals, operators, CASE and casts.
_ALLOWED_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Null, exp.Boolean, exp.Paren, exp.Neg, exp.Not, exp.And, exp.Or,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.DPipe,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike, exp.NullSafeEQ,
    exp.Case, exp.If, exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Tuple,
)


class ExpressionError(ValueError):
    """A configured expression that is not accepted: says what is wrong and what is allowed."""


@cache
def _allowed_function_nodes() -> dict[type[exp.Expression], str]:
    """The sqlglot node each allowed function parses to (``strptime`` is a StrToTime), so that a
    call is accepted by what it is, not by how it was spelled."""
    nodes: dict[type[exp.Expression], str] = {}
    for name in ALLOWED_FUNCTIONS:
        for arity in (1, 2, 3):
            try:
                node = sqlglot.parse_one(f"{name}({', '.join(['x'] * arity)})", dialect="duckdb")
            except ParseError:
                continue
            if not isinstance(node, exp.Anonymous):
                nodes.setdefault(type(node), name)
            break
    return nodes


def check_expression(text: str, what: str) -> exp.Expression:
    """Parse a configured DuckDB SQL expression and check it against the allow-list.

    ``what`` names the setting in messages (``filter``, ``derive.fuel_cost_usd``). Raises
    :class:`ExpressionError` with the problem and what is allowed instead.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"{what}: the expression is empty")
    try:
        tree = sqlglot.parse_one(text, dialect="duckdb")
    except ParseError as error:
        problem = error.errors[0]["description"] if error.errors else str(error).splitlines()[0]
        raise ExpressionError(f"{what}: not a SQL expression ({problem}): {text!r}") from None
    if tree is None:
        raise ExpressionError(f"{what}: the expression is empty")
    functions = _allowed_function_nodes()
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            if node.name.lower() not in ALLOWED_FUNCTIONS:
                raise ExpressionError(f"{what}: function {node.name!r} is not allowed; allowed functions: {', '.join(ALLOWED_FUNCTIONS)}")
        elif isinstance(node, exp.DataType):
            if node.this.name not in ALLOWED_TYPES and node.sql(dialect="duckdb").upper() not in ALLOWED_TYPES:
                raise ExpressionError(f"{what}: casts to {node.sql(dialect='duckdb')} are not allowed; allowed types: {', '.join(sorted(ALLOWED_TYPES))}")
        elif isinstance(node, exp.Column):
            if node.table or not isinstance(node.this, exp.Identifier):
                raise ExpressionError(f"{what}: {node.sql(dialect='duckdb')!r}: name a column of the export alone (quoted if it has spaces), not a table's column")
        elif isinstance(node, exp.Func) and type(node) in functions:
            continue
        elif not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(
                f"{what}: {_describe(node)} is not allowed in an expression; use the export's columns, literals, operators, "
                f"CASE, casts and the functions {', '.join(ALLOWED_FUNCTIONS)}"
            )
    return tree


def _describe(node: exp.Expression) -> str:
    if isinstance(node, (exp.Select, exp.Subquery)):
        return "a subquery"
    if isinstance(node, exp.Star):
        return "'*'"
    if isinstance(node, exp.Func):
        return f"function {node.sql_name().lower()!r}"
    return f"{node.key!r} ({node.sql(dialect='duckdb')[:60]!r})"


def referenced_columns(tree: exp.Expression) -> list[str]:
    """The export columns an expression reads, in order of first use."""
    return list(dict.fromkeys(column.name for column in tree.find_all(exp.Column)))


class MissingColumn(LookupError):
    """An expression names a column the file does not have."""


def bind_expression(tree: exp.Expression, headers: Iterable[str], what: str, extra: Iterable[str] = ()) -> str:
    """The checked expression as SQL over a file's rows, each column named as the file has it
    (matched as every step matches headers: exactly, then ignoring spaces, then case).

    ``extra`` are names the expression may use besides the file's headers. Raises
    :class:`MissingColumn` naming the column and the file's headers.
    """
    headers = [*headers, *extra]
    bound = tree.copy()
    for column in list(bound.find_all(exp.Column)):
        header = match_header(column.name, headers)
        if header is None:
            raise MissingColumn(f"{what} reads column {column.name!r}, which the file does not have (it has {headers[:40]})")
        column.replace(exp.column(exp.to_identifier(header, quoted=True)))
    return bound.sql(dialect="duckdb")


def number_text(ref: str, decimal: str) -> str:
    """SQL turning an export's number text into one DuckDB reads: with decimal commas ("1.234,5"),
    the dots are thousands separators and the comma is the decimal point."""
    return f"replace(replace({ref}, '.', ''), ',', '.')" if decimal == "," else ref


@dataclass(frozen=True)
class Transformed:
    """A file's rows after the feed's transformations: SQL over ``__source__``, its parameters, and its columns."""

    sql: str
    params: list[str]
    columns: list[str]


def transformed_source(
    headers: list[str],
    *,
    derive: dict[str, str],
    row_filter: str | None,
    crs: str | None,
    points: dict[str, dict[str, str]],
    decimal: str,
    what: str,
    cell: str | None = None,
) -> Transformed:
    """SELECT over ``__source__`` (the file's text rows) adding derived columns (as text, named
    ``__derived__<column>``), ``__keep`` (the row filter; a NULL result does not keep the row) and, for
    a projected ``crs``, each point's coordinates in WGS84 degrees in place of its export columns.

    ``points`` maps a point to the export headers of its coordinates ({"start": {"lat": "Y", "lon": "X"}}).
    ``cell`` is an unpivoted feed's value column: a long row whose cell is empty is not kept (an empty
    cell of a wide export is no row of the feed).
    ``what`` names the feed in messages. Raises :class:`MissingColumn` for a column the file lacks.
    """
    selects = ["*"]
    params: list[str] = []
    columns = list(headers)
    inner = "__source__"
    if crs and points:
        # Project each point once (a geometry per point), then replace its export columns with the degrees.
        projected = []
        for index, axes in enumerate(points.values()):
            x, y = (number_text(f"s.{quote_ident(axes[axis])}", decimal) for axis in ("lon", "lat"))
            projected.append(
                f"ST_Transform(ST_Point(TRY_CAST({x} AS DOUBLE), TRY_CAST({y} AS DOUBLE)), ?, 'EPSG:4326', always_xy := true) AS __point_{index}"
            )
            params.append(crs)
        inner = f"(SELECT s.*, {', '.join(projected)} FROM __source__ AS s)"
        replaced = []
        # Written back as the export writes numbers, so the contract step reads them like the rest.
        for index, axes in enumerate(points.values()):
            for axis, function in (("lon", "ST_X"), ("lat", "ST_Y")):
                # Text that is no number stays as it was, so the contract step reports it as a type error.
                text = f"coalesce(CAST({function}(__point_{index}) AS VARCHAR), {quote_ident(axes[axis])})"
                if decimal == ",":
                    text = f"replace({text}, '.', ',')"
                replaced.append(f"{text} AS {quote_ident(axes[axis])}")
        selects = [f"* EXCLUDE ({', '.join(f'__point_{i}' for i in range(len(points)))}) REPLACE ({', '.join(replaced)})"]
    for column, text in derive.items():
        sql = bind_expression(check_expression(text, f"{what}: derive.{column}"), headers, f"{what}: derive.{column}")
        selects.append(f"CAST(({sql}) AS VARCHAR) AS {quote_ident(DERIVED_PREFIX + column)}")
        columns.append(DERIVED_PREFIX + column)
    keep = []
    if row_filter:
        sql = bind_expression(check_expression(row_filter, f"{what}: filter"), headers, f"{what}: filter")
        keep.append(f"coalesce(CAST(({sql}) AS BOOLEAN), false)")
    if cell:
        keep.append(f"coalesce({trimmed_sql(quote_ident(cell))} <> '', false)")
    selects.append(f"{' AND '.join(keep) or 'true'} AS {KEEP}")
    columns.append(KEEP)
    return Transformed(f"SELECT {', '.join(selects)} FROM {inner}", params, columns)

