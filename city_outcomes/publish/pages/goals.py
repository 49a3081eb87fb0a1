"""One page per goal: its series against the straight-line path to the target, its status and why.

Open SDG's users asked for the target line in the table view (open-sdg #1318) and for the progress
calculation to be shown (#1321): the table here carries the path's value beside each actual value,
and the status block gives the rule in words with its numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from city_outcomes.publish import formatting
from city_outcomes.publish.charts import Figure, line_against_target
from city_outcomes.publish.pages import Page, SiteData, goal_page_path, initiative_page_path
from city_outcomes.publish.privacy_gate import PublishedTable, chart_table, fewer_than, is_small_count, suppress_small_counts


def is_monthly(status: Any) -> bool:
    """Whether the goal is followed month by month (the registry's ``frequency``)."""
    return status.frequency == "monthly"


def is_count(status: Any) -> bool:
    """Whether the goal's metric is a count of people's actions (trips, requests): the privacy gate applies."""
    return status.metric is not None and status.metric.counts


def count_tables(status: Any, figure: Figure) -> list[PublishedTable]:
    """The tables of counts a goal's figure publishes, for the privacy gate (none for other metrics)."""
    return [chart_table(figure, ["value"])] if is_count(status) else []


def _period(value: Any) -> Any:
    """A year as an int, a month as a pandas Timestamp (the chart helper's two kinds of period)."""
    return pd.Timestamp(value) if not isinstance(value, int) else value


def goal_figure(status: Any, k: int, small: bool = False) -> Figure:
    """The goal's series, the path from baseline to target, and the target itself, as one figure.

    A count metric's values between 1 and k−1 are left out of the figure (the privacy gate checks it).
    """
    goal = status.goal
    monthly = is_monthly(status)
    points = status.monthly_series if monthly else status.series
    series = pd.DataFrame([(_period(p), v) for p, v in points], columns=["period", "value"])
    if is_count(status) and len(series):
        # A small count is left out of the line (the table and CSV are the chart's data, so it is gone from them too).
        series = suppress_small_counts(series, count_columns=["value"], k=k)
        series = series[series["value"].notna()][["period", "value"]]
    path = pd.DataFrame([(_period(p), v) for p, v in status.path], columns=["period", "value"]) if status.path else None
    # The path ends at the target in the series' own unit (a monthly path of a yearly total is a twelfth of it).
    target = (_period(status.path[-1][0]), status.path[-1][1]) if status.path and status.target_value is not None else None
    return line_against_target(
        f"goal-{goal['goal_id']}" + ("-card" if small else ""),
        goal["title"],
        series=series,
        unit=goal["unit"],
        period="month" if monthly else "year",
        path=path,
        target=target,
        small=small,
        description=f"Line chart of {goal['unit']} by {'month' if monthly else 'year'} against the path to the goal's target",
    )


def _shown(status: Any, value: float | None, unit: str, k: int) -> str:
    """A headline value in words; a small count of a count metric as "fewer than k" (the privacy rule)."""
    if is_count(status) and is_small_count(value, k):
        return fewer_than(k)
    return formatting.value(value, unit)


def thresholds_text(thresholds: dict[str, float]) -> str:
    """Open SDG's thresholds in words, from the highest band down."""
    names = {"high": "substantial", "med": "moderate", "low": "limited"}
    return "; ".join(f"{names.get(band, band)} from {value:g}" for band, value in thresholds.items()) + "; below that, deterioration"


def goal_context(status: Any, data: SiteData) -> dict[str, Any]:
    """What a goal's card and page say about it, besides the chart."""
    goal = status.goal
    unit = goal["unit"]
    return {
        "id": goal["goal_id"],
        "title": goal["title"],
        "path": goal_page_path(goal["goal_id"]),
        "status": status,
        "metric": status.metric,
        "unit": unit,
        "latest": _shown(status, status.latest_value, unit, data.small_cell_k),
        "baseline": _shown(status, status.baseline_value, unit, data.small_cell_k),
        "thresholds": thresholds_text(status.progress.thresholds),
        "initiatives": [
            {"id": i["initiative_id"], "title": i["title"], "path": initiative_page_path(i["initiative_id"])}
            for i in data.initiatives_for(goal["goal_id"])
        ],
    }


def build(data: SiteData) -> list[Page]:
    """A page per goal in the registry."""
    pages = []
    for status in data.goals:
        figure = goal_figure(status, data.small_cell_k)
        context = goal_context(status, data)
        pages.append(Page(
            path=context["path"], template="goal.html.j2", title=status.goal["title"], section="overview",
            context={"goal": context, "figure": figure}, figures=[figure], count_tables=count_tables(status, figure),
        ))
    return pages
