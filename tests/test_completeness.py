"""Complete years: one definition for the headline, the department table and the CLI summary.

Each city here is two or three buildings with hand-written bills, so every count and every figure
below is worked out by hand: a year with missing bills must be reported incomplete, never compared.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.metrics.completeness import year_completeness
from city_outcomes.metrics.headline import headline_figures
from city_outcomes.publish.site import build_site
from pipelines.cli import app
from tests.building_bills import T_CO2E_PER_KWH, bills, build_emissions, write_bill_city

LIBRARY = {"id": "B-LIB", "name": "Central Library", "department": "Library"}
STATION = {"id": "B-FIRE", "name": "Station One", "department": "Fire"}
ANNEX = {"id": "B-ANNEX", "name": "Library Annex", "department": "Library"}
AFTER_2025 = date(2026, 3, 1)  # 2025 is over


def _two_buildings(station_2025_months=range(1, 13)) -> list[tuple]:
    """Library: 1000 kWh a month in 2023, 900 in 2024, 800 in 2025; the station twice as much."""
    return [
        *bills("B-LIB", 2023, 1000), *bills("B-LIB", 2024, 900), *bills("B-LIB", 2025, 800),
        *bills("B-FIRE", 2023, 2000), *bills("B-FIRE", 2024, 1800), *bills("B-FIRE", 2025, 1600, months=station_2025_months),
    ]


def _city(tmp_path: Path, rows: list[tuple], buildings=(LIBRARY, STATION), **overrides):
    city = write_bill_city(tmp_path, list(buildings), rows, **overrides)
    conn = warehouse.connect(city.warehouse_path)
    build_emissions(conn, city)
    return city, conn


@pytest.fixture
def station_misses_oct_to_dec_2025(tmp_path: Path):
    city, conn = _city(tmp_path, _two_buildings(station_2025_months=range(1, 10)))
    yield city, conn
    conn.close()


def test_a_building_missing_three_months_makes_the_latest_year_incomplete(station_misses_oct_to_dec_2025) -> None:
    city, conn = station_misses_oct_to_dec_2025
    completeness = year_completeness(conn, city, as_of=AFTER_2025)
    assert completeness.baseline_year == 2023
    assert [(y, completeness.is_complete(y)) for y in (2023, 2024, 2025)] == [(2023, True), (2024, True), (2025, False)]
    city_2025 = completeness.of(2025)
    # 2 meters x 12 months expected; the station billed 9 of its 12.
    assert (city_2025.months_expected, city_2025.members, city_2025.member_months_expected) == (12, 2, 24)
    assert (city_2025.member_months_present, city_2025.member_months_missing, city_2025.building_months_missing) == (21, 3, 3)
    assert city_2025.reason == "3 of 24 building-months missing"
    assert city_2025.missing_buildings == [{"building_id": "B-FIRE", "building_name": "Station One", "months_missing": 3}]
    assert completeness.of(2025, "Fire").label == "incomplete: 3 of 12 building-months missing"
    assert completeness.is_complete(2025, "Library")
    assert completeness.of(2026).reason == "the year is not over"
    assert completeness.latest_complete_year() == 2024

    headline = headline_figures(conn, city, as_of=AFTER_2025)
    # 2023: 12 x (1000 + 2000) kWh; 2024: 12 x (900 + 1800) kWh: -10%. (2025's 9,600 + 14,400 kWh
    # would have looked like -33.3%.)
    assert (headline.baseline_year, headline.latest_year) == (2023, 2024)
    assert headline.baseline_tonnes == pytest.approx(36_000 * T_CO2E_PER_KWH, rel=1e-9)
    assert headline.latest_tonnes == pytest.approx(32_400 * T_CO2E_PER_KWH, rel=1e-9)
    assert headline.change == pytest.approx(-0.10, rel=1e-9)
    assert [(y.year, y.reason) for y in headline.not_compared] == [(2025, "3 of 24 building-months missing")]


def test_the_dashboard_labels_the_incomplete_year_and_compares_only_complete_ones(station_misses_oct_to_dec_2025) -> None:
    city, conn = station_misses_oct_to_dec_2025
    html = build_site(conn, city, city.site_dir, as_of=AFTER_2025).page("emissions.html").read_text()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Baseline year (2023) 11 t CO2e" in text  # 36,000 kWh x 0.3168 kg/kWh
    assert "Latest complete year (2024) 10 t CO2e" in text
    assert "Change since baseline -10.0%" in text
    assert "-33.3%" not in text and "2025 (3 of 24 building-months missing)" in text
    rows = {m[0]: m[1] for m in re.findall(r'<tr[^>]*><th scope="row">([^<]+)</th>(.*?)</tr>', html)}
    assert "Change 2023–2024" in html
    # Fire 2025 (9 of 12 months, 14,400 kWh = 4.6 t) is shown labelled; both departments' change is 2023-2024.
    assert re.sub(r"<[^>]+>", "|", rows["Fire"]) == "|8||7||5|incomplete: 3 of 12 building-months missing|||-10.0%|"
    assert re.sub(r"<[^>]+>", "|", rows["Library"]) == "|4||3||3||-10.0%|"
    assert "incomplete: 3 of 24 building-months missing" in rows["All departments"]
    assert "Station One (B-FIRE): 3 months" in text  # the missing bills, by building
    table_csv = (city.site_dir / "emissions-by-department-and-year.csv").read_text().splitlines()
    assert "Fire,2025,4.562,False,incomplete: 3 of 12 building-months missing" in table_csv


def test_the_cli_summary_uses_the_same_definition(station_misses_oct_to_dec_2025) -> None:
    city, conn = station_misses_oct_to_dec_2025
    conn.close()
    result = CliRunner().invoke(app, ["summary", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    output = re.sub(r"\s+", " ", result.output)
    assert "Municipal buildings (2): 11 tCO2e in 2023 (baseline), 10 tCO2e in 2024 (-10.0%)." in output
    assert "2025 (the latest year) is incomplete, not compared: 3 of 24 building-months missing." in output


def test_a_complete_latest_year_is_compared(tmp_path: Path) -> None:
    city, conn = _city(tmp_path, _two_buildings())
    try:
        completeness = year_completeness(conn, city, as_of=date(2026, 1, 1))  # the first day 2025 is over
        assert all(completeness.is_complete(y, d) for y in (2023, 2024, 2025) for d in (None, "Library", "Fire"))
        assert completeness.of(2025).reason is None and completeness.of(2025).label is None
        headline = headline_figures(conn, city, as_of=date(2026, 1, 1))
        # 2025: 12 x (800 + 1600) = 28,800 kWh against 36,000: -20%.
        assert (headline.baseline_year, headline.latest_year, headline.not_compared) == (2023, 2025, [])
        assert headline.latest_tonnes == pytest.approx(28_800 * T_CO2E_PER_KWH, rel=1e-9)
        assert headline.change == pytest.approx(-0.20, rel=1e-9)
    finally:
        conn.close()


def test_the_current_unfinished_year_is_never_complete(tmp_path: Path) -> None:
    rows = [r for r in _two_buildings() if r[1] < date(2025, 7, 1)]  # bills through June 2025
    city, conn = _city(tmp_path, rows)
    try:
        completeness = year_completeness(conn, city, as_of=date(2025, 7, 15))
        current = completeness.of(2025)
        assert (current.is_complete, current.reason, current.months_expected) == (False, "the year is not over", 6)
        # Every bill of January to June is there: it is the calendar, not a missing bill, that stops it.
        assert (current.member_months_expected, current.member_months_present) == (12, 12)
        headline = headline_figures(conn, city, as_of=date(2025, 7, 15))
        assert (headline.baseline_year, headline.latest_year) == (2023, 2024)
        assert headline.change == pytest.approx(-0.10, rel=1e-9)
        assert [(y.year, y.reason) for y in headline.not_compared] == [(2025, "the year is not over")]
    finally:
        conn.close()


def test_years_before_first_month_are_not_complete(tmp_path: Path) -> None:
    rows = [*bills("B-LIB", 2022, 1100), *bills("B-LIB", 2023, 1000), *bills("B-LIB", 2024, 900)]
    city, conn = _city(tmp_path, rows, buildings=(LIBRARY,), first_month="2022-01-01")
    # The city then moves its reporting calendar to start in April 2023; the warehouse still holds 2022.
    moved = city.model_copy(update={"city": city.city.model_copy(update={"first_month": date(2023, 4, 1)})})
    try:
        assert year_completeness(conn, city, as_of=date(2025, 6, 1)).baseline_year == 2022
        completeness = year_completeness(conn, moved, as_of=date(2025, 6, 1))
        assert completeness.of(2022).reason == "before the reporting calendar, which starts April 2023"
        assert completeness.of(2023).reason == "not a whole year: the reporting calendar starts April 2023"
        assert (completeness.of(2023).months_expected, completeness.of(2023).member_months_present) == (9, 9)
        assert completeness.is_complete(2024) and completeness.baseline_year == 2024
        assert completeness.of(2025).reason == "the year is not over"
        headline = headline_figures(conn, moved, as_of=date(2025, 6, 1))
        assert (headline.baseline_year, headline.latest_year, headline.change) == (2024, None, None)
        assert headline.baseline_tonnes == pytest.approx(10_800 * T_CO2E_PER_KWH, rel=1e-9)
    finally:
        conn.close()


def test_a_building_with_no_bills_in_a_later_year_is_missing_not_a_reduction(tmp_path: Path) -> None:
    rows = [r for r in _two_buildings() if not (r[0] == "B-FIRE" and r[1].year == 2025)]
    city, conn = _city(tmp_path, rows)
    try:
        completeness = year_completeness(conn, city, as_of=AFTER_2025)
        assert completeness.of(2025).reason == "12 of 24 building-months missing"
        assert completeness.of(2025, "Fire").reason == "12 of 12 building-months missing"
        assert completeness.latest_complete_year() == 2024
    finally:
        conn.close()


def test_a_year_missing_between_two_reporting_years_is_incomplete(tmp_path: Path) -> None:
    rows = [r for r in _two_buildings() if not (r[0] == "B-FIRE" and r[1].year == 2024)]
    city, conn = _city(tmp_path, rows)
    try:
        completeness = year_completeness(conn, city, as_of=AFTER_2025)
        assert completeness.of(2024).reason == "12 of 24 building-months missing"
        assert (completeness.baseline_year, completeness.latest_complete_year()) == (2023, 2025)
    finally:
        conn.close()


def test_meters_count_one_by_one_and_an_electrified_building_is_not_missing(tmp_path: Path) -> None:
    gas = [
        *bills("B-LIB", 2023, 300, commodity="Natural Gas"),
        *bills("B-LIB", 2024, 300, months=[1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], commodity="Natural Gas"),  # no February gas bill
    ]  # and no gas at all in 2025: the library went all-electric
    city, conn = _city(tmp_path, [*_two_buildings(), *gas])
    try:
        completeness = year_completeness(conn, city, as_of=AFTER_2025)
        year_2024 = completeness.of(2024)
        # 3 meters (library electricity and gas, station electricity) x 12 months; one bill missing.
        assert (year_2024.members, year_2024.member_months_expected, year_2024.member_months_missing) == (3, 36, 1)
        assert year_2024.reason == "1 of 24 building-months missing"
        assert completeness.is_complete(2025) and completeness.of(2025).members == 2
    finally:
        conn.close()


def test_a_building_that_opens_mid_year_makes_that_year_incomplete(tmp_path: Path) -> None:
    rows = [*_two_buildings(), *bills("B-ANNEX", 2025, 500, months=range(7, 13))]
    city, conn = _city(tmp_path, rows, buildings=(LIBRARY, STATION, ANNEX))
    try:
        completeness = year_completeness(conn, city, as_of=AFTER_2025)
        assert completeness.of(2025).reason == "6 of 36 building-months missing"
        assert completeness.of(2025, "Library").reason == "6 of 24 building-months missing"
        assert completeness.is_complete(2025, "Fire")
    finally:
        conn.close()
