"""The overview: a card per goal (latest value against target, status, a small chart, its initiatives)
and the progress summary across goals (what Open SDG's users asked for in open-sdg #2212)."""

from __future__ import annotations

from collections import Counter

from city_outcomes.publish.pages import Page, SiteData
from city_outcomes.publish.pages.goals import count_tables, goal_context, goal_figure

# Open SDG's statuses, best first: the order the summary lists them in.
STATUS_ORDER = ("target_achieved", "substantial_progress", "moderate_progress", "limited_progress", "deterioration", "not_available")


def build(data: SiteData) -> list[Page]:
    """The site's front page."""
    cards, figures, tables = [], [], []
    for status in data.goals:
        figure = goal_figure(status, data.small_cell_k, small=True)
        cards.append({**goal_context(status, data), "figure": figure})
        figures.append(figure)
        tables += count_tables(status, figure)
    counted = Counter(status.progress.status for status in data.goals)
    labels = {status.progress.status: status.progress.label for status in data.goals}
    summary = [{"status": s, "label": labels[s], "count": counted[s]} for s in STATUS_ORDER if counted[s]]
    return [Page(
        path="index.html", template="overview.html.j2", title="Goals and progress", section="overview",
        context={"cards": cards, "summary": summary}, figures=figures, count_tables=tables,
    )]
