"""Demo transit ridership: monthly boardings on the city's 20 routes, one export per year.

Exported the way a transit agency's automatic-passenger-counter report looks: route, service type,
the month's count of weekdays, Saturdays and Sundays/holidays, average boardings per day type, and
the month's total with thousands separators. Ridership peaks when school is in (September,
October), dips in summer and over the holidays, and keeps recovering a few percent a year.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

# Route -> (public name, service type, average weekday boardings in 2023, Saturday and Sunday share).
ROUTES: dict[str, tuple[str, str, int, float, float]] = {
    "1": ("Hamilton Street", "Fixed Route", 1_175, 0.62, 0.40),
    "2": ("Union Boulevard", "Fixed Route", 740, 0.58, 0.36),
    "3": ("Tilghman / Airport Road", "Fixed Route", 660, 0.60, 0.38),
    "4": ("Cedar Crest", "Fixed Route", 575, 0.55, 0.33),
    "5": ("South Side", "Fixed Route", 490, 0.56, 0.35),
    "6": ("Linden Street", "Fixed Route", 435, 0.52, 0.30),
    "7": ("Riverfront / Front Street", "Fixed Route", 380, 0.61, 0.42),
    "8": ("Hospital Loop", "Fixed Route", 410, 0.70, 0.55),
    "9": ("Mill Road", "Fixed Route", 270, 0.48, 0.0),
    "10": ("Greenleaf", "Fixed Route", 305, 0.50, 0.28),
    "11": ("Liberty / Ridge", "Fixed Route", 345, 0.53, 0.31),
    "12": ("College Hill", "Fixed Route", 525, 0.35, 0.25),
    "13": ("Lake Drive", "Fixed Route", 210, 0.45, 0.0),
    "14": ("East End Crosstown", "Fixed Route", 290, 0.52, 0.30),
    "15": ("West End Crosstown", "Fixed Route", 265, 0.50, 0.29),
    "16": ("Industrial Park Express", "Fixed Route", 155, 0.0, 0.0),
    "17": ("Mall Shuttle", "Fixed Route", 225, 1.10, 0.85),
    "100": ("Riverton Rapid", "Bus Rapid Transit", 1_550, 0.64, 0.44),
    "X1": ("Philadelphia Commuter", "Commuter Bus", 120, 0.0, 0.0),
    "ADA": ("RiverLink Paratransit", "Demand Response", 165, 0.45, 0.30),
}
# School and season: September-October peak, a summer dip, a holiday dip (weekday demand, relative).
SEASON = np.array([0.95, 0.98, 1.02, 1.01, 0.99, 0.93, 0.88, 0.92, 1.07, 1.09, 1.03, 0.94])
# College Hill (route 12) carries students: it nearly stops in the summer and over the winter break.
STUDENT_SEASON = np.array([0.75, 1.1, 1.05, 1.1, 0.7, 0.35, 0.3, 0.55, 1.25, 1.2, 1.15, 0.7])
ANNUAL_GROWTH = 0.045  # post-pandemic recovery


def _holidays(year: int) -> set[date]:
    """Days the agency runs its Sunday schedule: New Year, Memorial Day, July 4, Labor Day, Thanksgiving, Christmas."""

    def nth_weekday(month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta((weekday - first.weekday()) % 7 + 7 * (n - 1))

    memorial = max(date(year, 5, d) for d in range(25, 32) if date(year, 5, d).weekday() == 0)
    return {date(year, 1, 1), memorial, date(year, 7, 4), nth_weekday(9, 0, 1), nth_weekday(11, 3, 4), date(year, 12, 25)}


def _day_counts(year: int, month: int) -> tuple[int, int, int]:
    """Weekdays, Saturdays and Sundays-or-holidays in a month."""
    holidays = _holidays(year)
    day, counts = date(year, month, 1), [0, 0, 0]
    while day.month == month:
        counts[2 if day.weekday() == 6 or day in holidays else 1 if day.weekday() == 5 else 0] += 1
        day += timedelta(1)
    return counts[0], counts[1], counts[2]


def make(city: DemoCity, rng: np.random.Generator) -> pd.DataFrame:
    """One row per route and month."""
    rows = []
    route_trend = {route: rng.normal(0, 0.02) for route in ROUTES}  # some routes gain, some lose
    for index, (year, month) in enumerate(city.months):
        weekdays, saturdays, sundays = _day_counts(year, month)
        weather = rng.normal(1, 0.02)  # a snowy or rainy month
        for route, (name, service, weekday_2023, saturday_share, sunday_share) in ROUTES.items():
            season = (STUDENT_SEASON if route == "12" else SEASON)[month - 1]
            growth = (1 + ANNUAL_GROWTH + route_trend[route]) ** (index / 12)
            weekday = weekday_2023 * season * growth * weather * rng.normal(1, 0.025)
            saturday = weekday * saturday_share * rng.normal(1, 0.04)
            sunday = weekday * sunday_share * rng.normal(1, 0.05)
            total = round(weekday) * weekdays + round(saturday) * saturdays + round(sunday) * sundays
            rows.append(
                {
                    "Route": route,
                    "Route Name": name,
                    "Service Type": service,
                    "Month": date(year, month, 1).strftime("%b %Y"),
                    "Weekdays": weekdays,
                    "Saturdays": saturdays,
                    "Sundays/Holidays": sundays,
                    "Avg Weekday": round(weekday),
                    "Avg Saturday": round(saturday),
                    "Avg Sunday/Holiday": round(sunday),
                    "Total Boardings": f"{total:,}",
                    "_year": year,
                }
            )
    return pd.DataFrame(rows)


def write(table: pd.DataFrame, folder: Path) -> list[Path]:
    """One ridership report per calendar year."""
    return [
        write_csv(rows.drop(columns="_year"), folder / "transit" / f"ridership_by_route_{year}.csv")
        for year, rows in table.groupby("_year", sort=True)
    ]
