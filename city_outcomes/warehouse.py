"""Connections to the warehouse.

Every write in the project goes through :func:`transaction`, so a crash mid-write leaves the
warehouse as it was and a re-run converges on the same state. Nothing outside this module knows
the warehouse is one DuckDB file: a production profile can attach a DuckLake catalog here instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from city_outcomes.sql import load_sql


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating its folder and bookkeeping tables on first use."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path))
    conn.execute(load_sql("warehouse_schema"))
    return conn


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block atomically: all of its writes land, or none do."""
    conn.execute("BEGIN TRANSACTION")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def quote_ident(name: str) -> str:
    """Quote an identifier (a column or table name; never a value) for DuckDB SQL."""
    return '"' + name.replace('"', '""') + '"'
