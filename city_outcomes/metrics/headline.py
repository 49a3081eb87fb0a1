"""The headline: city-wide building emissions in the baseline year against the latest complete year.

The dashboard and the CLI summary both take it from here, so they always agree on which years
are compared: only complete ones (see :mod:`city_outcomes.metrics.completeness`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from city_outcomes.config import CityConfig
from city_outcomes.metrics.completeness import Completeness, YearCompleteness, year_completeness
from city_outcomes.sql import query_dicts
from city_outcomes.warehouse import table_exists

# The catalog metric the headline reports (summed by year).
HEADLINE_METRIC = "building_co2e_tonnes"


@dataclass(frozen=True)
class Headline:
    """Baseline and latest complete year, with the years left out of the comparison and why."""

    baseline_year: int | None
    baseline_tonnes: float | None
    latest_year: int | None  # the latest complete year after the baseline
    latest_tonnes: float | None
    buildings: int  # buildings billed in the latest year compared (else the baseline year, else the most in any year)
    not_compared: list[YearCompleteness]  # incomplete years that have bills, oldest first

    @property
    def change(self) -> float | None:
        """Relative change from the baseline to the latest complete year (None without both)."""
        if self.latest_tonnes is None or not self.baseline_tonnes:
            return None
        return (self.latest_tonnes - self.baseline_tonnes) / self.baseline_tonnes


def has_building_emissions(conn: duckdb.DuckDBPyConnection) -> bool:
    """True once the emissions metric has been computed into this warehouse."""
    return table_exists(conn, "out", "building_emissions_monthly")


def headline_figures(
    conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date | None = None, completeness: Completeness | None = None
) -> Headline | None:
    """The headline figures as of ``as_of`` (default today); None when there are no emissions yet."""
    if not has_building_emissions(conn):
        return None
    yearly = {int(row["year"]): row for row in query_dicts(conn, "headline_figures")}
    if not yearly:
        return None
    completeness = completeness or year_completeness(conn, city, as_of)
    baseline, latest = completeness.baseline_year, completeness.latest_complete_year()
    shown = latest if latest is not None else baseline
    return Headline(
        baseline_year=baseline,
        baseline_tonnes=float(yearly[baseline]["co2e_tonnes"]) if baseline is not None else None,
        latest_year=latest,
        latest_tonnes=float(yearly[latest]["co2e_tonnes"]) if latest is not None else None,
        buildings=int(yearly[shown]["buildings"]) if shown is not None else max(int(r["buildings"]) for r in yearly.values()),
        not_compared=completeness.incomplete_years(),
    )
