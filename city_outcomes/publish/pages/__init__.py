"""The site's pages: one module per kind of page, each a function from the site's data to its pages.

A page is data (its path, template, title, context, figures, downloads and the count tables the
privacy gate checks) until :func:`city_outcomes.publish.site.build_site` renders it, so the gate
sees every published table before anything is written. A new family of pages (mobility, equity,
impact) is one module here and one line in :func:`page_builders`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.publish.charts import Figure
from city_outcomes.publish.privacy_gate import PublishedTable


@dataclass(frozen=True)
class NavItem:
    """One entry of the site's navigation."""

    section: str
    label: str
    path: str


NAVIGATION = (
    NavItem("overview", "Goals", "index.html"),
    NavItem("emissions", "Emissions", "emissions.html"),
    NavItem("initiatives", "Initiatives", "initiatives.html"),
    NavItem("quality", "Data quality", "quality.html"),
    NavItem("methods", "Methods", "methods.html"),
)


@dataclass(frozen=True)
class Download:
    """A file offered for download beside a page (a table as CSV)."""

    path: str
    label: str
    content: str


@dataclass
class Page:
    """One HTML page of the site, before rendering."""

    path: str  # relative to the site's root, flat (no folders): links stay relative
    template: str
    title: str
    section: str  # the NAVIGATION entry it belongs to
    context: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)
    # Every table of counts the page publishes, its figures of count metrics among them: the privacy gate checks these.
    count_tables: list[PublishedTable] = field(default_factory=list)


@dataclass
class SiteData:
    """What every page may read: the warehouse, the city, the dates, and what several pages share."""

    conn: duckdb.DuckDBPyConnection
    city: CityConfig
    as_of: date
    data_through: date | None
    small_cell_k: int
    goals: list[Any]  # city_outcomes.goals.status.GoalStatus
    initiatives: list[dict[str, Any]]

    def goal(self, goal_id: str) -> Any | None:
        """The goal status with this id, or None."""
        return next((g for g in self.goals if g.goal["goal_id"] == goal_id), None)

    def initiatives_for(self, goal_id: str) -> list[dict[str, Any]]:
        """The initiatives whose registry row lists this goal."""
        return [i for i in self.initiatives if goal_id in i["goals"]]


def goal_page_path(goal_id: str) -> str:
    """Where a goal's page is (goal ids are checked by the goals contract: [a-z0-9_-])."""
    return f"goal-{goal_id}.html"


def initiative_page_path(initiative_id: str) -> str:
    """Where an initiative's page is (ids are checked by the initiatives contract)."""
    return f"initiative-{initiative_id}.html"


def page_builders() -> list[Callable[[SiteData], list[Page]]]:
    """Every page family, in navigation order."""
    from city_outcomes.publish.pages import emissions, goals, initiatives, methods, overview, quality

    return [overview.build, goals.build, emissions.build, initiatives.build, quality.build, methods.build]
