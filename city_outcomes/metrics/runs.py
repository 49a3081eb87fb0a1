"""Which run and which code computed a metric table's months: recorded for ``trace``."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import duckdb

from city_outcomes.config import PROJECT_ROOT


@cache
def code_version() -> str:
    """The checkout's git commit (with ``-dirty`` for uncommitted changes), else the package version."""
    try:
        described = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "describe", "--always", "--dirty", "--abbrev=40"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        if described:
            return f"git {described}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return f"city-outcomes {version('city-outcomes')} (no git checkout)"
    except PackageNotFoundError:
        return "unknown (no git checkout, package not installed)"


def record_metric_run(conn: duckdb.DuckDBPyConnection, table: str, months: tuple[date, date] | None, run_id: str | None) -> None:
    """Record that ``run_id`` (a Dagster run) computed ``table``'s months [start, end) with this code."""
    start, end = months if months else (None, None)
    conn.execute(
        "INSERT INTO meta.metric_runs VALUES (?, ?, ?, ?, ?, ?)",
        [table, start, end, run_id, code_version(), datetime.now(UTC)],
    )


def metric_runs(conn: duckdb.DuckDBPyConnection, table: str, start: date | None, end: date | None) -> list[dict]:
    """The latest computation of each of ``table``'s periods overlapping [start, end), newest first."""
    rows = conn.execute(
        """
        SELECT period_from, period_until, run_id, code_version, computed_at FROM meta.metric_runs
        WHERE metric_table = ?
          AND (CAST(? AS DATE) IS NULL OR period_until IS NULL OR period_until > ?)
          AND (CAST(? AS DATE) IS NULL OR period_from IS NULL OR period_from < ?)
        ORDER BY computed_at DESC
        """,
        [table, start, start, end, end],
    ).fetchall()
    names = ["period_from", "period_until", "run_id", "code_version", "computed_at"]
    return [dict(zip(names, row, strict=True)) for row in rows]
