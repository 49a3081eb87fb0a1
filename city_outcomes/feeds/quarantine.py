"""Reading back what the quarantine and the reconciliation hold, for checks and reports."""

from __future__ import annotations

import json

import duckdb

from city_outcomes.sql import query_dicts


def reconciliation_failures(conn: duckdb.DuckDBPyConnection, feed: str) -> list[dict]:
    """Files of ``feed`` whose rows do not add up (none, when all is well)."""
    return query_dicts(conn, "file_reconciliation_failures", {"feed": feed})


def quarantine_sample(conn: duckdb.DuckDBPyConnection, feed: str, limit: int = 10) -> tuple[int, list[dict]]:
    """How many rows of ``feed`` are quarantined, and the first ``limit`` with their rules and values."""
    total = conn.execute("SELECT count(*) FROM meta.quarantine WHERE feed = ?", [feed]).fetchone()[0]
    rows = conn.execute(
        """
        SELECT source_path, source_row, failed_rules, raw_values FROM meta.quarantine
        WHERE feed = ? ORDER BY source_path, source_row LIMIT ?
        """,
        [feed, limit],
    ).fetchall()
    sample = [
        {"file": path, "row": row, "rules": list(rules), "values": json.loads(values)}
        for path, row, rules, values in rows
    ]
    return total, sample


def feed_summary(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per feed: files, rows read, accepted and quarantined."""
    return query_dicts(conn, "feed_summary")
