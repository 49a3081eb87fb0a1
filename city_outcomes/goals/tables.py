"""Write the goal statuses to out.goal_status and out.goal_series (``sql/goal_tables.sql``), in one transaction."""

from __future__ import annotations

from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.goals.status import GoalStatus, goal_statuses
from city_outcomes.sql import load_sql

STATUS_TABLE = "out.goal_status"
SERIES_TABLE = "out.goal_series"


def _period_text(period: int | date | None) -> str | None:
    if period is None:
        return None
    return period.strftime("%Y-%m") if isinstance(period, date) else str(period)


def status_row(status: GoalStatus, as_of: date) -> list:
    """One out.goal_status row, in the table's column order."""
    p, goal = status.progress, status.goal
    return [
        status.goal_id, goal.get("title"), goal.get("metric"), goal.get("unit"), goal.get("direction"), status.frequency,
        p.status, p.label, p.rule, p.method, p.base_year, p.base_value, p.current_year, p.current_value,
        goal.get("target_year"), status.target_value, p.cagr_observed, p.cagr_required, p.ratio, p.progress_value,
        p.thresholds.get("high"), p.thresholds.get("med"), p.thresholds.get("low"), p.target_achieved,
        _period_text(status.latest_period), status.latest_value, status.path_value_at_latest, status.gap_to_target, status.gap_to_path,
        status.projection.year, status.projection.note, list(status.initiatives),
        [f"{period}: {reason}" for period, reason in status.left_out], as_of,
    ]


def series_rows(status: GoalStatus) -> list[list]:
    """The out.goal_series rows of one goal: actual years, actual months, and the path (by year or month)."""
    rows = [[status.goal_id, "year", date(year, 1, 1), "actual", value] for year, value in status.series]
    rows += [[status.goal_id, "month", month, "actual", value] for month, value in status.monthly_series]
    for period, value in status.path:
        if isinstance(period, date):
            rows.append([status.goal_id, "month", period, "path", value])
        else:
            rows.append([status.goal_id, "year", date(period, 1, 1), "path", value])
    return rows


def write_goal_tables(conn: duckdb.DuckDBPyConnection, statuses: list[GoalStatus], as_of: date) -> int:
    """Replace both tables with ``statuses``; return the number of goals written."""
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(load_sql("goal_tables"))
        if statuses:
            conn.executemany(f"INSERT INTO {STATUS_TABLE} VALUES ({', '.join('?' * 34)})", [status_row(s, as_of) for s in statuses])
            series = [row for s in statuses for row in series_rows(s)]
            if series:
                conn.executemany(f"INSERT INTO {SERIES_TABLE} VALUES (?, ?, ?, ?, ?)", series)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(statuses)


def refresh_goal_tables(conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date) -> list[GoalStatus]:
    """Compute every goal's status as of ``as_of`` and write both tables; return the statuses."""
    statuses = goal_statuses(conn, city, as_of)
    write_goal_tables(conn, statuses, as_of)
    return statuses
