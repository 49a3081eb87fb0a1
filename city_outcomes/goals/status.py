"""Every goal of the registry with its series, path, gap, Open SDG status and projection.

``goal_statuses`` reads ``core.goals`` (and ``core.initiatives`` where the city has it), each goal's
metric through the catalog (``series.py``) and decides its status (``progress.py``). The path is the
straight line from the base year's value to the target in the target year, one point per year (per
month for a monthly goal); the projection is the year the observed yearly change since the base year,
kept up, would reach the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.goals.progress import LABELS, THRESHOLDS_TARGET, Progress, measure_progress, num
from city_outcomes.goals.series import MetricSeries, SeriesError, read_series
from city_outcomes.metrics.catalog import MetricEntry, UnknownMetric, catalog
from city_outcomes.warehouse import table_exists

NOT_ON_TREND = "not on the current trend"
ALREADY_MET = "target already met"
NO_TARGET = "no target: a direction-only goal has no year to reach"
NO_TREND = "no trend: fewer than 2 complete years"
REGISTRY_COLUMNS = ("goal_id", "title", "metric", "direction", "baseline_year", "target_year", "target_value",
                    "target_change", "unit", "source_document", "frequency")


@dataclass(frozen=True)
class Projection:
    """The year the recent trend reaches the target (None when it does not), and why, in words."""

    year: int | None
    note: str


@dataclass(frozen=True)
class GoalStatus:
    """One goal's status and every number it is made of."""

    goal: dict[str, Any]  # the registry row
    metric: MetricEntry | None  # None when the goal names a metric no longer in the catalog
    frequency: str  # annual | monthly
    series: list[tuple[int, float]]  # complete years only
    monthly_series: list[tuple[date, float]]  # monthly goals only: the months that are over
    left_out: list[tuple[str, str]]  # (period, reason)
    baseline_value: float | None  # the value of the base year used (Progress.base_year)
    target_value: float | None  # absolute: target_value, or baseline × (1 + target_change); None for a direction-only goal
    path: list[tuple[int, float]] | list[tuple[date, float]]  # by year; by month for a monthly goal
    latest_period: int | date | None  # the latest complete year (the latest month that is over, for a monthly goal)
    latest_value: float | None
    path_value_at_latest: float | None
    gap_to_target: float | None  # latest − target
    gap_to_path: float | None  # latest − the path's value at the latest period
    progress: Progress
    projection: Projection
    initiatives: list[str] = field(default_factory=list)

    @property
    def goal_id(self) -> str:
        return self.goal["goal_id"]

    @property
    def gap(self) -> tuple[float | None, float | None]:
        """(latest − target, latest − path value)."""
        return self.gap_to_target, self.gap_to_path


def annual_path(base_year: int, base_value: float, target_year: int, target: float) -> list[tuple[int, float]]:
    """The straight line from (base_year, base_value) to (target_year, target), one point per year, both ends included."""
    span = target_year - base_year
    return [(year, base_value + (target - base_value) * (year - base_year) / span) for year in range(base_year, target_year + 1)]


def monthly_path(base_year: int, base_value: float, target_year: int, target: float, scale: float = 1.0) -> list[tuple[date, float]]:
    """The same line by month, at t = year + (month − 1) / 12 (January of a year is on the annual line), from January
    of the base year to January of the target year, then at the target through December of the target year (the
    goal is due in that year, and a line drawn on past January would promise more than the target).
    ``scale`` turns a year's value into a month's: 1/12 for a sum, 1 for a share."""
    span = target_year - base_year
    points = []
    for index in range(span * 12 + 12):
        year, month = base_year + index // 12, index % 12 + 1
        fraction = min(index / 12 / span, 1.0)
        points.append((date(year, month, 1), scale * (base_value + (target - base_value) * fraction)))
    return points


def projection_year(progress: Progress) -> Projection:
    """When the observed CAGR since the base year, kept up, reaches the target: the first whole year at or past it."""
    if progress.target_achieved:
        return Projection(None, ALREADY_MET)
    if progress.target is None:
        return Projection(None, NO_TARGET)
    if progress.cagr_observed is None or progress.base_value is None:
        return Projection(None, NO_TREND)
    g, v0, target = progress.cagr_observed, progress.base_value, progress.target
    # v0 (1 + g)^(t − base) = target  ⇔  t = base + ln(target / v0) / ln(1 + g): only when the trend moves towards the target.
    if g == 0 or target / v0 <= 0 or (target > v0) != (g > 0):
        return Projection(None, NOT_ON_TREND)
    t = progress.base_year + math.log(target / v0) / math.log(1 + g)
    year = math.ceil(t - 1e-9)
    return Projection(year, f"on the trend since {progress.base_year} ({(g * 100):+.1f}% a year), the target is reached in {year}".replace("-", "\u2212"))


def _goals(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    if not table_exists(conn, "core", "goals"):
        return []
    cursor = conn.execute("SELECT * FROM core.goals ORDER BY goal_id")
    names = [d[0] for d in cursor.description]
    return [{k: v for k, v in zip(names, row, strict=True) if k in REGISTRY_COLUMNS} for row in cursor.fetchall()]


def _initiatives(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Goal id -> the initiatives whose goal_ids list it."""
    if not table_exists(conn, "core", "initiatives"):
        return {}
    serving: dict[str, list[str]] = {}
    rows = conn.execute(
        "SELECT DISTINCT trim(goal) AS goal_id, initiative_id FROM (SELECT initiative_id, unnest(string_split(goal_ids, ';')) AS goal FROM core.initiatives) "
        "WHERE goal_id <> '' ORDER BY goal_id, initiative_id"
    ).fetchall()
    for goal_id, initiative_id in rows:
        serving.setdefault(goal_id, []).append(initiative_id)
    return serving


def _target(goal: dict[str, Any], base_value: float | None) -> float | None:
    if goal.get("target_value") is not None:
        return float(goal["target_value"])
    if goal.get("target_change") is not None and base_value is not None:
        return base_value * (1 + float(goal["target_change"]))
    return None


def goal_status(conn: duckdb.DuckDBPyConnection, city: CityConfig, goal: dict[str, Any], as_of: date, initiatives: list[str] | None = None) -> GoalStatus:
    """One registry row's status as of ``as_of``."""
    frequency = goal.get("frequency") or "annual"
    try:
        entry: MetricEntry | None = catalog().get(goal["metric"])
        series = read_series(conn, city, entry, as_of, monthly=frequency == "monthly")
    except (UnknownMetric, SeriesError) as error:
        entry, series = None, MetricSeries(left_out=[("all", str(error))])
    base_year, target_year, direction = int(goal["baseline_year"]), int(goal["target_year"]), goal["direction"]

    # The base value decides a target given as a change, so it is found first: the baseline year, or the next year with data.
    years = dict(series.annual)
    used_base = base_year if base_year in years else min((y for y in years if y > base_year), default=None)
    base_value = years.get(used_base) if used_base is not None else None
    target = _target(goal, base_value)
    if goal.get("target_value") is None and goal.get("target_change") is not None and target is None:
        # A target as a change from a baseline with no data in or after it: there is no target to judge against yet.
        progress = Progress(
            status="not_available", label=LABELS["not_available"], method=2, cagr_observed=None, cagr_required=None, ratio=None,
            progress_value=None, thresholds=dict(THRESHOLDS_TARGET), target_year=target_year,
            rule=f"The target is a change from {base_year}, and no complete year in or after {base_year} has data, so the status is not available.",
        )
    else:
        progress = measure_progress(series.annual, direction, base_year, target_year, target=target)

    path: list = []
    scale = 1.0 if entry is None or entry.denominator_column else 1 / 12
    if target is not None and used_base is not None and target_year > used_base:
        path = monthly_path(used_base, base_value, target_year, target, scale) if frequency == "monthly" else annual_path(used_base, base_value, target_year, target)

    if frequency == "monthly" and series.monthly:
        latest_period, latest_value = series.monthly[-1]
    elif series.annual:
        latest_period, latest_value = series.annual[-1]
    else:
        latest_period, latest_value = None, None
    path_value = dict(path).get(latest_period) if latest_period is not None else None
    target_for_gap = target * scale if target is not None and frequency == "monthly" else target
    return GoalStatus(
        goal=goal,
        metric=entry,
        frequency=frequency,
        series=list(series.annual),
        monthly_series=list(series.monthly),
        left_out=list(series.left_out),
        baseline_value=base_value,
        target_value=target,
        path=path,
        latest_period=latest_period,
        latest_value=latest_value,
        path_value_at_latest=path_value,
        gap_to_target=None if latest_value is None or target_for_gap is None else latest_value - target_for_gap,
        gap_to_path=None if latest_value is None or path_value is None else latest_value - path_value,
        progress=progress,
        projection=projection_year(progress),
        initiatives=list(initiatives or []),
    )


def goal_statuses(conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date) -> list[GoalStatus]:
    """One status per row of ``core.goals`` as of ``as_of``, in goal_id order; [] for a city without a goals table."""
    serving = _initiatives(conn)
    return [goal_status(conn, city, goal, as_of, serving.get(goal["goal_id"], [])) for goal in _goals(conn)]


def describe(status: GoalStatus) -> str:
    """A one-line summary: the goal, its status label, its latest value against the target."""
    latest = "no complete period" if status.latest_value is None else f"{num(status.latest_value)} ({status.latest_period})"
    target = "no target" if status.target_value is None else f"target {num(status.target_value)} by {status.goal['target_year']}"
    return f"{status.goal_id}: {status.progress.label}; latest {latest}; {target}"
