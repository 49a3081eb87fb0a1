"""Connections to the warehouse.

Every write in the project goes through :func:`transaction`, so a crash mid-write leaves the
warehouse as it was and a re-run converges on the same state. Nothing outside this module knows
the warehouse is one DuckDB file: a production profile can attach a DuckLake catalog here instead.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from city_outcomes.sql import load_sql

# DuckDB extensions come from PyPI packages (duckdb-extension-<name>), never from DuckDB's download
# host, which this deployment cannot reach. icu gives time zones; spatial and ducklake serve later layers.
EXTENSIONS = ("icu", "spatial", "ducklake")


@cache
def extension_directory() -> Path:
    """A DuckDB extension folder inside the environment, linking the extension files pip installed."""
    version = f"v{duckdb.__version__}"
    platform = duckdb.connect().execute("PRAGMA platform").fetchone()[0]
    folder = Path(sys.prefix) / "duckdb_extensions"
    shipped = []
    for name in EXTENSIONS:
        spec = importlib.util.find_spec(f"duckdb_extension_{name}")
        if spec is not None and spec.submodule_search_locations:
            shipped.append(Path(next(iter(spec.submodule_search_locations))) / "extensions" / version / f"{name}.duckdb_extension")
    link_extensions(folder / version / platform, [path for path in shipped if path.exists()])
    return folder


def link_extensions(target: Path, shipped: list[Path]) -> None:
    """Link each of the ``shipped`` extension files into ``target``, safely from many processes at once.

    Several processes (test workers, a run and a summary) may connect for the first time together,
    and a link may be left from an older environment: each link is made under a name of its own
    and renamed into place, so nobody fails on a link another process has just made.
    """
    target.mkdir(parents=True, exist_ok=True)
    for path in shipped:
        link = target / path.name
        if link.is_symlink() and link.resolve() == path.resolve():
            continue
        temporary = target / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(path)
        os.replace(temporary, link)


# The embedded warehouse shares a laptop or a small server: DuckDB spills to disk beyond this,
# instead of taking 80% of the machine's memory (its default).
DEFAULT_MEMORY_LIMIT = "1536MB"


def _config(memory_limit: str) -> dict[str, str | bool]:
    return {
        "extension_directory": str(extension_directory()),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
        "memory_limit": memory_limit,
        # Rows carry their file and row number; keeping insertion order would only cost memory.
        "preserve_insertion_order": False,
    }


def connect(path: Path | str, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating its folder and bookkeeping tables on first use."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path), read_only=read_only, config=_config(memory_limit))
    # Timestamps are stored in UTC: a feed's local times are converted at ingest (FeedConfig.timezone).
    conn.execute("LOAD icu; SET TimeZone = 'UTC'")
    if not read_only:
        _upgrade_bookkeeping(conn)
        conn.execute(load_sql("warehouse_schema"))
    return conn


def _upgrade_bookkeeping(conn: duckdb.DuckDBPyConnection) -> None:
    """A warehouse from before rows were counted as written to core: its per-file counts (rebuilt by
    every ingest) are dropped, so the next run records them in the current shape."""
    old = conn.execute(
        """SELECT count(*) FROM information_schema.columns
           WHERE table_schema = 'meta' AND table_name = 'file_reconciliation' AND column_name = 'rows_accepted'"""
    ).fetchone()[0]
    if old:
        conn.execute("DROP TABLE meta.file_reconciliation")


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


def table_exists(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """True if the warehouse has the table ``schema.name`` (a layer not yet built has none)."""
    return bool(conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
    ).fetchone()[0])


def quote_ident(name: str) -> str:
    """Quote an identifier (a column or table name; never a value) for DuckDB SQL."""
    return '"' + name.replace('"', '""') + '"'


def _columns(conn: duckdb.DuckDBPyConnection, relation: str, params: dict[str, Any] | None = None) -> list[tuple]:
    return [(row[0], row[1]) for row in conn.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()]


def replace_view(conn: duckdb.DuckDBPyConnection, view: str, query: str) -> None:
    """(Re)define ``view`` as ``query``. A table of that name, written by an earlier version of its metric, is
    dropped: its rows are recomputed where the view now reads them."""
    schema, name = view.split(".")
    kind = conn.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]).fetchone()
    if kind and kind[0] == "BASE TABLE":
        conn.execute(f"DROP TABLE {view}")
    conn.execute(f"CREATE OR REPLACE VIEW {view} AS {query}")


def replace_from_csv(conn: duckdb.DuckDBPyConnection, table: str, path: Path, columns: dict[str, str],
                     check: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> int:
    """Replace ``table`` with the CSV file at ``path`` (a header line; ``columns``: each column's DuckDB type, in the
    file's order), in one transaction; return its rows. For the reference files the project ships. ``check`` runs in
    the transaction, after the load: if it raises, the table is left as it was."""
    types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    with transaction(conn):
        conn.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv(?, header = true, columns = {{{types}}})", [str(path)])
        if check is not None:
            check(conn)
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def replace_months(conn: duckdb.DuckDBPyConnection, table: str, rows: str, months: tuple[date, date],
                   also: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
                   params: dict[str, Any] | None = None,
                   then: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> int:
    """Replace ``table``'s rows of months [start, end) (its ``period_month``) with the relation ``rows`` (a table name
    or a parenthesized query, with its named ``params``), in one transaction; return the rows the table then holds
    in those months. ``also`` writes what the rows refer to (their factors) in the same transaction, before them;
    ``then`` what refers to the table (a view of it), after them.

    A table written by an earlier version of its metric (other columns or types) is rebuilt, not mixed with rows of
    another shape."""
    with transaction(conn):
        if also is not None:
            also(conn)
        if table_exists(conn, *table.split(".")) and _columns(conn, table) != _columns(conn, rows, params):
            conn.execute(f"DROP TABLE {table}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM {rows} LIMIT 0", params)
        conn.execute(f"DELETE FROM {table} WHERE period_month >= ? AND period_month < ?", list(months))
        conn.execute(f"INSERT INTO {table} SELECT * FROM {rows}", params)
        if then is not None:
            then(conn)
    return conn.execute(f"SELECT count(*) FROM {table} WHERE period_month >= ? AND period_month < ?", list(months)).fetchone()[0]
