"""Goal status (issue 13, item 1): Open SDG's progress measure on series whose every number is worked out here by hand.

Each fixture writes a metric's table directly (the catalog entry's table and columns) and a goals registry, then
reads the statuses through goal_statuses(): the catalog, the SQL files and the method together."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from city_outcomes import warehouse
from city_outcomes.config import CityConfig
from city_outcomes.goals.progress import LABELS, THRESHOLDS_NO_TARGET, THRESHOLDS_TARGET, growth, measure_progress, status_for
from city_outcomes.goals.series import SeriesError, read_series
from city_outcomes.goals.status import ALREADY_MET, NO_TARGET, NOT_ON_TREND, annual_path, goal_statuses
from city_outcomes.goals.tables import refresh_goal_tables
from city_outcomes.metrics.catalog import catalog
from tests.conftest import write_city

AS_OF = date(2026, 6, 1)  # 2025 is over, 2026 is not


@pytest.fixture
def city(tmp_path: Path) -> CityConfig:
    return write_city(tmp_path, feeds={})


def _goals(conn, *goals: dict) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS core")
    conn.execute("""CREATE OR REPLACE TABLE core.goals (goal_id VARCHAR, title VARCHAR, metric VARCHAR, direction VARCHAR, baseline_year BIGINT,
                    target_year BIGINT, target_value DOUBLE, target_change DOUBLE, unit VARCHAR, source_document VARCHAR, frequency VARCHAR,
                    _feed VARCHAR)""")
    for goal in goals:
        row = {"title": goal["goal_id"], "unit": "u", "source_document": "plan", "target_value": None, "target_change": None, "frequency": None, **goal}
        conn.execute("INSERT INTO core.goals VALUES ($goal_id, $title, $metric, $direction, $baseline_year, $target_year, $target_value, "
                     "$target_change, $unit, $source_document, $frequency, 'goals')", row)


def _annual_metric(conn, metric: str, totals: dict[int, float], months: dict[int, int] | None = None) -> None:
    """The metric's table holding each year's total spread over its months (12 unless ``months`` says fewer)."""
    entry = catalog().get(metric)
    schema, table = entry.table.split(".")
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    conn.execute(f"CREATE OR REPLACE TABLE {entry.table} ({entry.period_column} DATE, {entry.value_column} DOUBLE)")
    for year, total in totals.items():
        n = (months or {}).get(year, 12)
        for month in range(1, n + 1):
            conn.execute(f"INSERT INTO {entry.table} VALUES (?, ?)", [date(year, month, 1), total / 12])


def _one(conn, city) -> object:
    [status] = goal_statuses(conn, city, AS_OF)
    return status


def test_a_decrease_goal_with_a_target_change_is_limited_progress(conn, city) -> None:
    # Streetlight kWh: 100 in 2023, 95 in 2024, 90 in 2025; goal: -50% from 2023 by 2030, so the target is 50.
    # CAGR_observed = (90/100)^(1/2) - 1 = sqrt(0.9) - 1 = 0.948683 - 1 = -0.051317
    # CAGR_required = (50/100)^(1/7) - 1 = 0.5^(0.142857) - 1 = 0.905724 - 1 = -0.094276
    # ratio = sign(+1) x direction(-1) x CAGR_o / |CAGR_r| = 0.051317 / 0.094276 = 0.54433: 0 <= 0.544 < 0.6, limited progress.
    _annual_metric(conn, "streetlight_kwh", {2023: 100, 2024: 95, 2025: 90})
    _goals(conn, {"goal_id": "lights", "metric": "streetlight_kwh", "direction": "decrease", "baseline_year": 2023, "target_year": 2030, "target_change": -0.5})
    status = _one(conn, city)
    p = status.progress
    assert status.baseline_value == pytest.approx(100) and status.target_value == pytest.approx(50)
    assert p.cagr_observed == pytest.approx(-0.051317, abs=1e-6)
    assert p.cagr_required == pytest.approx(-0.094276, abs=1e-6)
    assert p.ratio == pytest.approx(0.54433, abs=1e-5)
    assert (p.status, p.label, p.method) == ("limited_progress", LABELS["limited_progress"], 2)
    assert (p.base_year, p.current_year) == (2023, 2025)
    assert p.thresholds == {"high": 0.95, "med": 0.6, "low": 0.0}
    assert "\u22125.1%" in p.rule and "\u22129.4%" in p.rule and "ratio 0.54" in p.rule and "between 0 and 0.6" in p.rule and "limited progress" in p.rule
    # Path: 100 in 2023 down to 50 in 2030, 50/7 = 7.142857 a year: 2025 is 100 - 14.285714 = 85.714286.
    assert status.path[0] == (2023, pytest.approx(100)) and status.path[-1] == (2030, pytest.approx(50)) and len(status.path) == 8
    assert status.path_value_at_latest == pytest.approx(85.714286, abs=1e-6)
    # Gaps: 90 - 50 = 40 above the target, 90 - 85.714286 = 4.285714 above the path.
    assert status.gap == (pytest.approx(40), pytest.approx(4.285714, abs=1e-6))
    # Projection: 100 x 0.948683^t = 50, t = ln(0.5) / ln(0.948683) = -0.693147 / -0.052680 = 13.158 years: 2036.16, so 2037.
    assert status.projection.year == 2037


def test_an_increase_goal_with_a_target_value_is_substantial_progress_with_path_gap_and_projection(conn, city) -> None:
    # Trips: 5,000 in 2023, 8,000 in 2025; target 12,000 by 2027.
    # CAGR_o = (8000/5000)^(1/2) - 1 = sqrt(1.6) - 1 = 0.264911; CAGR_r = (12000/5000)^(1/4) - 1 = 2.4^0.25 - 1 = 0.244666
    # ratio = +1 x +1 x 0.264911 / 0.244666 = 1.08275 >= 0.95: substantial progress.
    _annual_metric(conn, "micromobility_trips", {2023: 5000, 2024: 6000, 2025: 8000})
    _goals(conn, {"goal_id": "trips", "metric": "micromobility_trips", "direction": "increase", "baseline_year": 2023, "target_year": 2027, "target_value": 12000})
    status = _one(conn, city)
    assert status.progress.ratio == pytest.approx(1.08275, abs=1e-5)
    assert status.progress.status == "substantial_progress" and status.progress.label == "Substantial progress/on track"
    # Path 5,000 -> 12,000 over 4 years, 1,750 a year.
    assert status.path == [(2023, 5000), (2024, 6750), (2025, 8500), (2026, 10250), (2027, 12000)]
    assert (status.latest_period, status.latest_value) == (2025, pytest.approx(8000))
    assert status.gap == (pytest.approx(-4000), pytest.approx(-500))
    # 5000 x 1.264911^t = 12000: t = ln 2.4 / ln 1.264911 = 0.875469 / 0.235002 = 3.7254, 2026.73: reached in 2027.
    assert status.projection.year == 2027


def test_a_latest_value_at_the_target_is_target_achieved(conn, city) -> None:
    # Decrease to 80 by 2030: 75 in 2025 is at or below 80, whatever the ratio.
    _annual_metric(conn, "streetlight_kwh", {2023: 100, 2024: 90, 2025: 75})
    _goals(conn, {"goal_id": "lights", "metric": "streetlight_kwh", "direction": "decrease", "baseline_year": 2023, "target_year": 2030, "target_value": 80})
    status = _one(conn, city)
    assert status.progress.status == "target_achieved" and status.progress.label == "Target achieved" and status.progress.target_achieved
    assert "75" in status.progress.rule and "80" in status.progress.rule
    assert (status.projection.year, status.projection.note) == (None, ALREADY_MET)


def test_a_direction_only_goal_uses_method_1_thresholds(conn, city) -> None:
    # No target: progress = sign x direction x CAGR_o. 1,000 km in 2023, 1,020 in 2025: sqrt(1.02) - 1 = 0.0099505,
    # between 0.005 and 0.015: moderate progress. The same series for a decrease goal is -0.0099505 < 0: deterioration.
    _annual_metric(conn, "micromobility_distance_km", {2023: 1000, 2024: 1010, 2025: 1020})
    _goals(conn,
           {"goal_id": "grow", "metric": "micromobility_distance_km", "direction": "increase", "baseline_year": 2023, "target_year": 2030},
           {"goal_id": "shrink", "metric": "micromobility_distance_km", "direction": "decrease", "baseline_year": 2023, "target_year": 2030})
    grow, shrink = goal_statuses(conn, city, AS_OF)
    assert grow.progress.method == 1 and grow.progress.thresholds == {"high": 0.015, "med": 0.005, "low": 0.0}
    assert grow.progress.progress_value == pytest.approx(0.0099505, abs=1e-7) and grow.progress.ratio is None
    assert grow.progress.status == "moderate_progress"
    assert shrink.progress.progress_value == pytest.approx(-0.0099505, abs=1e-7) and shrink.progress.status == "deterioration"
    assert grow.target_value is None and grow.path == [] and grow.gap == (None, None)
    assert grow.projection.note == NO_TARGET and "No target" in grow.progress.rule


def test_a_baseline_year_without_data_takes_the_next_year(conn, city) -> None:
    # Baseline 2022 has no data: 2023 (100) is the base. Increase to 150 by 2027 (value target; the base year moves, not the target):
    # CAGR_o = (121/100)^(1/2) - 1 = 0.1; CAGR_r = (150/100)^(1/4) - 1 = 1.5^0.25 - 1 = 0.106682; ratio = 0.93736: moderate.
    _annual_metric(conn, "transit_boardings", {2023: 100, 2024: 110, 2025: 121})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2022, "target_year": 2027, "target_value": 150})
    status = _one(conn, city)
    assert status.progress.base_year == 2023 and status.baseline_value == pytest.approx(100)
    assert status.progress.cagr_required == pytest.approx(0.106682, abs=1e-6)
    assert status.progress.ratio == pytest.approx(0.93736, abs=1e-5) and status.progress.status == "moderate_progress"
    assert "2022 has no data" in status.progress.rule
    assert status.path[0] == (2023, pytest.approx(100))


def test_one_year_of_data_is_not_available(conn, city) -> None:
    _annual_metric(conn, "transit_boardings", {2023: 100})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2023, "target_year": 2030, "target_change": 0.25})
    status = _one(conn, city)
    assert status.progress.status == "not_available" and status.progress.label == "Not available"
    assert status.progress.cagr_observed is None and "at least 2 years" in status.progress.rule
    assert status.projection.year is None


def test_incomplete_years_are_left_out_and_reported(conn, city) -> None:
    # 2024 lacks December; 2026 has rows but is not over on 1 June 2026. Only 2023 and 2025 are the series:
    # CAGR_o = (110/100)^(1/2) - 1 = 0.048809 (2024's 11 months never enter it).
    _annual_metric(conn, "transit_boardings", {2023: 100, 2024: 105, 2025: 110, 2026: 60}, months={2024: 11, 2026: 5})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2023, "target_year": 2030, "target_change": 0.25})
    status = _one(conn, city)
    assert [year for year, _ in status.series] == [2023, 2025]
    assert status.progress.cagr_observed == pytest.approx(math.sqrt(1.1) - 1)
    left = dict(status.left_out)
    assert left["2024"] == "1 of 12 months have no rows in out.transit_ridership_monthly (2024-12)"
    assert left["2026"] == "the year is not over on 2026-06-01"


def test_building_emissions_years_also_pass_the_inventorys_completeness_rule(conn, city) -> None:
    # Two buildings bill electricity every month of 2023 and 2025; in 2024 building B has no March bill. Every month of
    # 2024 still holds rows (building A's), but the inventory's rule (year_completeness.sql) makes 2024 incomplete:
    # 1 of 24 building-months missing. 2024 is left out with that reason; 2023 and 2025 are the series.
    conn.execute("CREATE SCHEMA IF NOT EXISTS out")
    conn.execute("""CREATE TABLE out.building_emissions_monthly (building_id VARCHAR, building_name VARCHAR, department VARCHAR,
                    energy_type VARCHAR, period_month DATE, co2e_tonnes DOUBLE)""")
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            for building in ("A", "B"):
                if (year, month, building) != (2024, 3, "B"):
                    conn.execute("INSERT INTO out.building_emissions_monthly VALUES (?, ?, 'Parks', 'electricity', ?, 1.0)",
                                 [building, f"Building {building}", date(year, month, 1)])
    _goals(conn, {"goal_id": "ghg", "metric": "building_co2e_tonnes", "direction": "decrease", "baseline_year": 2023, "target_year": 2030, "target_change": -0.5})
    status = _one(conn, city)
    assert [year for year, _ in status.series] == [2023, 2025]
    [(period, reason)] = status.left_out
    assert period == "2024" and reason.startswith("incomplete: ") and "1 of 24" in reason


def test_a_monthly_goal_has_monthly_series_and_path(conn, city) -> None:
    # A share: closed / judged per month; 2023 every month 60/100, 2024 70/100, 2025 80/100, Jan-May 2026 85/100.
    # Annual (ratio of sums): 0.6, 0.7, 0.8. Target 0.9 by 2026: CAGR_o = (0.8/0.6)^(1/2) - 1 = 0.154701,
    # CAGR_r = (0.9/0.6)^(1/3) - 1 = 0.144714, ratio 1.06901: substantial.
    conn.execute("CREATE SCHEMA IF NOT EXISTS out")
    conn.execute("CREATE TABLE out.service_requests_monthly (period_month DATE, closed_within_7_days BIGINT, requests_judged BIGINT)")
    for year, closed in ((2023, 60), (2024, 70), (2025, 80), (2026, 85)):
        for month in range(1, 13 if year < 2026 else 7):
            conn.execute("INSERT INTO out.service_requests_monthly VALUES (?, ?, 100)", [date(year, month, 1), closed])
    # June 2026 holds rows but is not over on 1 June 2026; February 2026's rows are lost (a month missing in the middle).
    conn.execute("DELETE FROM out.service_requests_monthly WHERE period_month = DATE '2026-02-01'")
    _goals(conn, {"goal_id": "311", "metric": "share_311_closed_within_7_days", "direction": "increase", "baseline_year": 2023,
                  "target_year": 2026, "target_value": 0.9, "frequency": "monthly"})
    status = _one(conn, city)
    assert status.frequency == "monthly" and status.series == [(2023, 0.6), (2024, 0.7), (2025, 0.8)]
    assert status.progress.ratio == pytest.approx(1.06901, abs=1e-5) and status.progress.status == "substantial_progress"
    # Months that are over by 1 June 2026 and hold rows: 36 + 4 (January, March, April, May 2026).
    assert len(status.monthly_series) == 40 and status.monthly_series[-1] == (date(2026, 5, 1), 0.85)
    assert ("2026-02", "no rows in out.service_requests_monthly") in status.left_out
    assert ("2026-06", "the month is not over on 2026-06-01") in status.left_out
    # Monthly path from January 2023 (0.6) to January 2026 (0.9): 0.3 / 36 = 0.008333 a month; a share is not scaled.
    # Then at the target through December 2026: 36 + 12 = 48 months.
    path = dict(status.path)
    assert len(status.path) == 48 and status.path[0] == (date(2023, 1, 1), pytest.approx(0.6))
    assert path[date(2026, 1, 1)] == pytest.approx(0.9) and path[date(2026, 12, 1)] == pytest.approx(0.9)
    assert path[date(2024, 7, 1)] == pytest.approx(0.6 + 18 * 0.3 / 36)
    # Latest: May 2026 at 0.85, 0.85 - 0.9 = -0.05 short of the target and of the path (at the target since January 2026).
    assert (status.latest_period, status.latest_value) == (date(2026, 5, 1), 0.85)
    assert status.gap == (pytest.approx(-0.05), pytest.approx(-0.05))


def test_a_trend_away_from_the_target_is_not_on_the_current_trend(conn, city) -> None:
    # Increase goal, but 100 -> 90: CAGR_o < 0, ratio < 0, deterioration, and the trend never reaches 125.
    _annual_metric(conn, "transit_boardings", {2023: 100, 2024: 95, 2025: 90})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2023, "target_year": 2030, "target_change": 0.25})
    status = _one(conn, city)
    assert status.progress.status == "deterioration" and "below 0" in status.progress.rule
    assert (status.projection.year, status.projection.note) == (None, NOT_ON_TREND)


def test_goals_list_the_initiatives_that_serve_them_and_no_goals_table_is_no_statuses(conn, city) -> None:
    assert goal_statuses(conn, city, AS_OF) == []
    _annual_metric(conn, "transit_boardings", {2023: 100, 2024: 110, 2025: 121})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2023, "target_year": 2030, "target_change": 0.25})
    conn.execute("CREATE TABLE core.initiatives (initiative_id VARCHAR, goal_ids VARCHAR)")
    conn.execute("INSERT INTO core.initiatives VALUES ('buses', 'ride;other'), ('app', 'other'), ('lanes', 'ride')")
    assert _one(conn, city).initiatives == ["buses", "lanes"]


def test_the_method_follows_sdg_build_on_its_edge_cases() -> None:
    # A target of 0 is taken as 0.001 (decrease from 10 to 5 in 2 years, target 0 by 2030):
    # CAGR_r = (0.001/10)^(1/7) - 1 = 1e-4^(0.142857) - 1 = 0.268270 - 1 = -0.731730; CAGR_o = sqrt(0.5) - 1 = -0.292893; ratio 0.40028.
    p = measure_progress([(2023, 10), (2025, 5)], "decrease", 2023, 2030, target=0)
    assert p.target == 0.001 and p.cagr_required == pytest.approx(-0.731730, abs=1e-6) and p.ratio == pytest.approx(0.40028, abs=1e-5)
    # A negative base value flips the sign: -100 -> -121 is +10% a year in magnitude; for an increase goal that is
    # sign(-1) x direction(+1) x 0.1 = -0.1: deterioration (the value went down).
    assert measure_progress([(2023, -100), (2025, -121)], "increase", 2023, 2030).progress_value == pytest.approx(-0.1)
    # Thresholds are inclusive at their lower end (sdg-build: value >= high is substantial, med <= value < high moderate).
    assert [status_for(v, THRESHOLDS_NO_TARGET) for v in (0.015, 0.0149, 0.005, 0.0, -1e-9)] == [
        "substantial_progress", "moderate_progress", "moderate_progress", "limited_progress", "deterioration"]
    assert [status_for(v, THRESHOLDS_TARGET) for v in (0.95, 0.6, 0.59)] == ["substantial_progress", "moderate_progress", "limited_progress"]
    # Target achieved wins even with a single year (sdg-build decides it from the latest value alone).
    assert measure_progress([(2023, 40)], "decrease", 2023, 2030, target=50).status == "target_achieved"
    assert growth(121, 100, 2025, 2023) == pytest.approx(0.1)
    assert annual_path(2023, 10, 2025, 20) == [(2023, 10), (2024, 15), (2025, 20)]


def test_catalog_names_go_into_sql_only_as_checked_identifiers(conn, city) -> None:
    entry = catalog().get("transit_boardings")
    _annual_metric(conn, "transit_boardings", {2023: 100})
    bad = entry.model_copy(update={"value_column": 'boardings"); DROP TABLE core.goals; --'})
    with pytest.raises(SeriesError, match="not a plain identifier"):
        read_series(conn, city, bad, AS_OF)
    [(year, value)] = read_series(conn, city, entry, AS_OF).annual
    assert year == 2023 and value == pytest.approx(100)


# The demo city through the real pipeline.

pytestmark_pipeline = pytest.mark.xdist_group("test_goal_status_pipeline")


@pytest.fixture(scope="module")
def built_demo(published_demo: CityConfig) -> CityConfig:
    return published_demo


@pytestmark_pipeline
def test_every_demo_goal_gets_a_status_whose_numbers_recompute_from_the_out_tables(built_demo: CityConfig) -> None:
    conn = warehouse.connect(built_demo.warehouse_path, read_only=True)
    try:
        goals = [r[0] for r in conn.execute("SELECT goal_id FROM core.goals ORDER BY 1").fetchall()]
        cursor = conn.execute("SELECT * FROM out.goal_status ORDER BY goal_id")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        assert [r["goal_id"] for r in rows] == goals and len(goals) == 9
        for row in rows:
            assert row["rule"] and row["label"] == LABELS[row["status"]], row["goal_id"]
            years = conn.execute("SELECT year(period), value FROM out.goal_series WHERE goal_id = ? AND kind = 'actual' AND period_grain = 'year' ORDER BY 1",
                                 [row["goal_id"]]).fetchall()
            entry = catalog().get(row["metric"])
            # Each actual year is the metric table's plain yearly sum (ratio of sums for a share), recomputed here.
            for year, value in years:
                measure = f"sum({entry.value_column})" + (f" / sum({entry.denominator_column})" if entry.denominator_column else "")
                direct = conn.execute(f"SELECT {measure} FROM {entry.table} WHERE year({entry.period_column}) = ?", [year]).fetchone()[0]
                assert value == pytest.approx(direct, rel=1e-9), (row["goal_id"], year)
            if row["status"] in ("not_available", "target_achieved"):
                continue
            # The observed CAGR from the base and current years' values, then the ratio, with the formula written out again.
            values = dict(years)
            v0, v1, t0, t1 = values[row["base_year"]], values[row["current_year"]], row["base_year"], row["current_year"]
            cagr_o = (v1 / v0) ** (1 / (t1 - t0)) - 1
            assert row["cagr_observed"] == pytest.approx(cagr_o, rel=1e-9)
            direction = 1 if row["direction"] == "increase" else -1
            if row["method"] == 2:
                cagr_r = (row["target_value"] / v0) ** (1 / (row["target_year"] - t0)) - 1
                assert row["ratio"] == pytest.approx(direction * cagr_o / abs(cagr_r), rel=1e-9)
                value, (high, med) = row["ratio"], (0.95, 0.6)
            else:
                value, (high, med) = direction * cagr_o, (0.015, 0.005)
                assert row["progress_value"] == pytest.approx(value, rel=1e-9)
            expected = "substantial_progress" if value >= high else "moderate_progress" if value >= med else "limited_progress" if value >= 0 else "deterioration"
            assert row["status"] == expected, row["goal_id"]
        by_id = {r["goal_id"]: r for r in rows}
        assert by_id["micromobility-distance-growth"]["method"] == 1 and by_id["micromobility-distance-growth"]["target_value"] is None
        assert by_id["service-response-2026"]["frequency"] == "monthly"
        assert conn.execute("SELECT count(*) FROM out.goal_series WHERE goal_id = 'service-response-2026' AND period_grain = 'month' AND kind = 'path'").fetchone()[0] == 48
        assert by_id["micromobility-trips-2027"]["initiative_ids"] == ["ebike-share-launch"]
    finally:
        conn.close()


def test_refresh_goal_tables_replaces_rows(conn, city) -> None:
    _annual_metric(conn, "transit_boardings", {2023: 100, 2024: 110, 2025: 121})
    _goals(conn, {"goal_id": "ride", "metric": "transit_boardings", "direction": "increase", "baseline_year": 2023, "target_year": 2030, "target_change": 0.25})
    refresh_goal_tables(conn, city, AS_OF)
    refresh_goal_tables(conn, city, AS_OF)
    # 100 -> 121 in 2 years is +10% a year against the 1.25^(1/7) - 1 = +3.24% a 125 by 2030 needs: ratio 3.09, substantial.
    assert conn.execute("SELECT count(*), any_value(status), round(any_value(ratio), 2) FROM out.goal_status").fetchone() == (1, "substantial_progress", 3.09)
    # 3 actual years + 8 path years (2023-2030).
    assert conn.execute("SELECT count(*) FROM out.goal_series").fetchone()[0] == 11


def test_the_goals_contract_takes_a_direction_only_goal_and_a_frequency(tmp_path: Path, conn) -> None:
    from city_outcomes.feeds.ingest import ingest_feed

    city = write_city(tmp_path, feeds={"goals": {"contract": "goals", "path": "registries/goals.csv"}})
    (city.inbox_dir / "registries").mkdir(parents=True)
    (city.inbox_dir / "registries" / "goals.csv").write_text(
        "goal_id,title,metric,direction,baseline_year,target_year,target_value,target_change,unit,source_document,frequency\n"
        "grow-km,Grow shared distance,micromobility_distance_km,increase,2023,2030,,,km,Plan,\n"  # direction only (1.0.0 refused it)
        "share-311,Close 90% in 7 days,share_311_closed_within_7_days,increase,2023,2026,0.9,,share,Plan,monthly\n"
        "weekly,Bad frequency,transit_boardings,increase,2023,2030,,0.25,boardings,Plan,weekly\n"
    )
    outcome = ingest_feed(conn, city, "goals")
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (2, 1)
    assert conn.execute("SELECT goal_id, frequency FROM core.goals ORDER BY 1").fetchall() == [("grow-km", None), ("share-311", "monthly")]
    [rules] = conn.execute("SELECT failed_rules FROM meta.quarantine").fetchone()
    assert any(rule.startswith("frequency") for rule in rules)


def test_the_catalog_refuses_a_table_or_column_that_is_not_an_identifier_on_load(tmp_path: Path) -> None:
    from city_outcomes.metrics.catalog import CatalogError, load_family
    from tests.test_metric_catalog import ENTRY, _family

    good = ENTRY.format(name="a", formula="building_emissions_monthly", inputs="building_energy")
    assert load_family(_family(tmp_path, good))[0].value_column == "co2e_tonnes"
    for bad in (good.replace("value_column: co2e_tonnes", 'value_column: co2e_tonnes" + 1'),
                good.replace("table: out.building_emissions_monthly", "table: out.x; DROP TABLE core.goals")):
        with pytest.raises(CatalogError, match="should match pattern"):
            load_family(_family(tmp_path, bad))
