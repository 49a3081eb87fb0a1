"""Reading back what the quarantine and the reconciliation hold, for checks and reports."""

from __future__ import annotations

import json

import duckdb

from city_outcomes.sql import query_dicts


def file_problems(conn: duckdb.DuckDBPyConnection, feed: str | None = None) -> list[dict]:
    """Files (of ``feed``, or of every feed) that could not be read at all: per file, its feed, path,
    lines quarantined and ``problem``, the file-level message without the feed-and-file prefix."""
    problems = query_dicts(conn, "file_problems", {"feed": feed})
    for row in problems:
        # The message is "feed '<feed>', file <path>: <problem>" (reader.FileError); the listing names both already.
        row["problem"] = row["file_error"].removeprefix(f"feed {row['feed']!r}, file {row['source_path']}: ")
    return problems


def quarantine_sample(conn: duckdb.DuckDBPyConnection, feed: str, limit: int = 10, rows_only: bool = False) -> tuple[int, list[dict]]:
    """How many rows of ``feed`` are quarantined, and the first ``limit`` with their rules and values.

    ``rows_only`` leaves out the lines of files that could not be read at all (listed per file
    instead), so they do not crowd out the rows that broke a rule.
    """
    only = " AND NOT starts_with(failed_rules[1], 'file: ')" if rows_only else ""
    total = conn.execute(f"SELECT count(*) FROM meta.quarantine WHERE feed = ?{only}", [feed]).fetchone()[0]
    rows = conn.execute(
        f"""
        SELECT source_path, source_row, failed_rules, raw_values FROM meta.quarantine
        WHERE feed = ?{only} ORDER BY source_path, source_row LIMIT ?
        """,
        [feed, limit],
    ).fetchall()
    sample = [
        {"file": path, "row": row, "rules": list(rules), "values": json.loads(values)}
        for path, row, rules, values in rows
    ]
    return total, sample


def quarantine_rules_by_file(conn: duckdb.DuckDBPyConnection, feed: str, limit: int = 10) -> list[dict]:
    """Where a feed's quarantined rows are and which rules they break, without their values: what
    may go into Dagster's event log, which the privacy policy does not govern."""
    rows = conn.execute(
        """
        SELECT source_path, count(DISTINCT source_row) AS rows, list(DISTINCT source_row ORDER BY source_row)[1:10] AS first_rows,
               list(DISTINCT rule ORDER BY rule)[1:5] AS rules
        FROM (SELECT source_path, source_row, unnest(failed_rules) AS rule FROM meta.quarantine WHERE feed = ?)
        GROUP BY source_path ORDER BY source_path LIMIT ?
        """,
        [feed, limit],
    ).fetchall()
    return [{"file": path, "rows": n, "first_rows": list(first), "rules": list(rules)} for path, n, first, rules in rows]


def feed_summary(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """Per feed: files, rows read, written to core, quarantined, filtered and held for other months."""
    return query_dicts(conn, "feed_summary")
