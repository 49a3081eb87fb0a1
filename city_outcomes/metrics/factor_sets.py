"""The emission factors a row applied, kept once: ``out.factors_applied``, one row per distinct list of factors.

An emissions row carries ``factors_id`` (and ``market_factors_id`` where it has a market-based figure), the id of
the list of factor structs it used: every factor with its value, unit, set, region, rate basis, document, table,
source and data year, and why it was chosen. Every row of a year, fuel and method uses the same list, so carrying
the list on each row repeated it millions of times at issue 12's size (about half the time of writing the
streetlights' 3.6 million rows); the id is the list's content hash, so the same list gets the same id in every
table and on every run, and a month refreshed again finds its lists already there.

``factors_joined(table)`` gives the table's rows with the lists joined back (``factors_applied``,
``market_factors_applied``): how ``trace`` and the tests read them.
"""

from __future__ import annotations

import duckdb

from city_outcomes.warehouse import table_exists

FACTORS_TABLE = "out.factors_applied"
# The id of a list of factor structs: the upper 64 bits of the MD5 of its JSON text (see record_factor_sets, which
# refuses two lists with one id). Computed where the lists are made, a handful of times per run, never per row.
ID_COLUMNS = {"factors_id": "factors_applied", "market_factors_id": "market_factors_applied"}


def record_factor_sets(conn: duckdb.DuckDBPyConnection, *relations: str) -> None:
    """Add the lists of each of ``relations`` (columns ``factors_id``, ``factors_applied``) that ``out.factors_applied`` lacks.

    Call it in the transaction that writes the rows using them. Raises ValueError if an id already names another
    list (a hash collision: nothing is joined to the wrong factors)."""
    for relation in relations:
        keep_once(conn, FACTORS_TABLE, f"(SELECT DISTINCT factors_id, factors_applied FROM {relation} WHERE factors_id IS NOT NULL)",
                  "factors_id", "list of factors")


def keep_once(conn: duckdb.DuckDBPyConnection, table: str, rows: str, id_column: str, what: str) -> None:
    """Add the rows of the relation ``rows`` (distinct, each named by the content hash in ``id_column``) that
    ``table`` lacks, creating it if need be. Raises ValueError if an id ``table`` has names another ``what``."""
    if not table_exists(conn, *table.split(".")):
        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM {rows} LIMIT 0")
    clash = conn.execute(
        f"SELECT new.{id_column} FROM {rows} AS new JOIN {table} AS kept USING ({id_column}) "
        "WHERE to_json(new)::VARCHAR <> to_json(kept)::VARCHAR LIMIT 1"
    ).fetchone()
    if clash:
        raise ValueError(f"{table}: {id_column} {clash[0]} already names another {what}")
    conn.execute(f"INSERT INTO {table} SELECT * FROM {rows} WHERE {id_column} NOT IN (SELECT {id_column} FROM {table})")


def factors_joined(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """A parenthesized query: ``table``'s rows, each id column replaced by the list of factors it names."""
    columns = [r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall()]
    ids = [c for c in columns if c in ID_COLUMNS]
    if not ids:
        return f"(SELECT * FROM {table})"
    selected = [f"emission_row.{c}" if c not in ID_COLUMNS else f"{c}.factors_applied AS {ID_COLUMNS[c]}" for c in columns]
    joins = " ".join(f"LEFT JOIN {FACTORS_TABLE} AS {c} ON {c}.factors_id = emission_row.{c}" for c in ids)
    return f"(SELECT {', '.join(selected)} FROM {table} AS emission_row {joins})"
