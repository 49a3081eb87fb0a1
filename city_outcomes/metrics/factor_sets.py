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
        lists = f"(SELECT DISTINCT factors_id, factors_applied FROM {relation} WHERE factors_id IS NOT NULL)"
        if not table_exists(conn, *FACTORS_TABLE.split(".")):
            conn.execute(f"CREATE TABLE {FACTORS_TABLE} AS SELECT * FROM {lists} LIMIT 0")
        clash = conn.execute(
            f"SELECT new.factors_id FROM {lists} AS new JOIN {FACTORS_TABLE} AS kept USING (factors_id) "
            "WHERE to_json(new.factors_applied)::VARCHAR <> to_json(kept.factors_applied)::VARCHAR LIMIT 1"
        ).fetchone()
        if clash:
            raise ValueError(f"{FACTORS_TABLE}: factors_id {clash[0]} already names another list of factors")
        conn.execute(f"INSERT INTO {FACTORS_TABLE} SELECT * FROM {lists} WHERE factors_id NOT IN (SELECT factors_id FROM {FACTORS_TABLE})")


def factors_joined(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """A parenthesized query: ``table``'s rows, each id column replaced by the list of factors it names."""
    columns = [r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall()]
    ids = [c for c in columns if c in ID_COLUMNS]
    if not ids:
        return f"(SELECT * FROM {table})"
    selected = [f"emission_row.{c}" if c not in ID_COLUMNS else f"{c}.factors_applied AS {ID_COLUMNS[c]}" for c in columns]
    joins = " ".join(f"LEFT JOIN {FACTORS_TABLE} AS {c} ON {c}.factors_id = emission_row.{c}" for c in ids)
    return f"(SELECT {', '.join(selected)} FROM {table} AS emission_row {joins})"
