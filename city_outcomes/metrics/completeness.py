"""Complete years: the one definition every yearly figure of building emissions uses.

The rule itself is SQL (``sql/year_completeness.sql``, where it is explained): a year is complete
for a series (the whole city, or one department) when it is a whole, finished calendar year of the
reporting calendar and every meter the series is expected to have billed all 12 months. A figure
compares two years only when both are complete; anything else is shown as incomplete, with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.sql import query_dicts


@dataclass(frozen=True)
class YearCompleteness:
    """How complete one year of one series is (``department`` None: the whole city)."""

    department: str | None
    year: int
    months_expected: int
    members: int  # meters (building x energy type) expected to bill this year
    member_months_expected: int
    member_months_present: int
    member_months_missing: int
    buildings: int
    building_months_expected: int
    building_months_missing: int
    is_complete: bool
    reason: str | None  # why not complete, in words ("3 of 720 building-months missing"); None when complete
    missing_buildings: list[dict] = field(default_factory=list)  # building_id, building_name, months_missing

    @property
    def label(self) -> str | None:
        """What a table shows beside an incomplete year's figure, e.g. "incomplete: 3 of 720 building-months missing"."""
        return None if self.is_complete else f"incomplete: {self.reason}"


@dataclass(frozen=True)
class Completeness:
    """Every series' years, and the baseline year they are all compared against."""

    baseline_year: int | None
    years: dict[tuple[str | None, int], YearCompleteness]

    def of(self, year: int, department: str | None = None) -> YearCompleteness | None:
        """The completeness of ``year`` for a department (None: the whole city), if that year is known."""
        return self.years.get((department, int(year)))

    def is_complete(self, year: int, department: str | None = None) -> bool:
        """True only for a year known to be complete for the series."""
        found = self.of(year, department)
        return bool(found and found.is_complete)

    def latest_complete_year(self, department: str | None = None) -> int | None:
        """The latest complete year after the baseline year (the one a change is measured to), if any."""
        if self.baseline_year is None:
            return None
        later = [y for (d, y), c in self.years.items() if d == department and y > self.baseline_year and c.is_complete]
        return max(later, default=None)

    def incomplete_years(self, department: str | None = None, with_bills_only: bool = True) -> list[YearCompleteness]:
        """The series' incomplete years, oldest first (by default only those with some bills)."""
        return sorted(
            (c for (d, _), c in self.years.items() if d == department and not c.is_complete and (c.member_months_present or not with_bills_only)),
            key=lambda c: c.year,
        )


def year_completeness(conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date | None = None) -> Completeness:
    """Run ``year_completeness.sql`` for the city's reporting calendar as of ``as_of`` (default today)."""
    rows = query_dicts(conn, "year_completeness", {"first_month": city.city.first_month, "as_of": as_of or date.today()})
    baseline = rows[0]["baseline_year"] if rows else None
    years = {
        (row["department"], int(row["year"])): YearCompleteness(**{k: v for k, v in row.items() if k not in ("series", "baseline_year")})
        for row in rows
    }
    return Completeness(baseline_year=None if baseline is None else int(baseline), years=years)
