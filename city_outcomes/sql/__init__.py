"""SQL files, one statement each (or one DDL script), loaded by name."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import duckdb


@cache
def load_sql(name: str) -> str:
    """The text of ``city_outcomes/sql/<name>.sql``."""
    return files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def query_dicts(conn: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run ``<name>.sql`` with bound parameters; each row as a dict keyed by column name."""
    cursor = conn.execute(load_sql(name), params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
