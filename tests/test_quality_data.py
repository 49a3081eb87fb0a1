"""The data quality page's data: freshness against each feed's cadence, where every file's rows went,
the rules broken most (never a value), and the files that could not be read.

Due periods are worked out by hand: period P is due when its last day + grace_days <= as_of.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig, FeedConfig
from city_outcomes.config_errors import ConfigError
from city_outcomes.feeds.current import retire_file
from city_outcomes.feeds.freshness import due_by, due_period, feed_cadence, feed_freshness, period_label, period_start
from city_outcomes.feeds.ingest import DUPLICATE_RULE, ingest_feed
from city_outcomes.feeds.quality import file_accounting, file_level_problems, rules_most_broken
from data_contracts import get_contract
from tests.conftest import write_city

# A run on 15 March 2025, New York time: the calendar is January 2023 (first_month) to February 2025.
NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
AS_OF = date(2025, 3, 15)
BILLS_HEADER = "Facility ID,Service Month,Commodity,Usage,UOM,Cost ($)\n"
DEMO_FEEDS = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]


# --- due_period, by hand -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "as_of", "grace", "expected"),
    [
        # 2026-12-03 - 45 days = 2026-10-19: October ends 10-31 (+45 = 12-15, ahead), September ends 09-30 (+45 = 11-14, passed).
        ("monthly", date(2026, 12, 3), 45, date(2026, 9, 1)),
        # On the very day a month falls due it is the due month: 2026-10-31 + 45 days = 2026-12-15.
        ("monthly", date(2026, 12, 15), 45, date(2026, 10, 1)),
        ("monthly", date(2026, 12, 14), 45, date(2026, 9, 1)),
        # Across the year: 2027-01-10 - 45 = 2026-11-26; November (ends 11-30) not due, October is.
        ("monthly", date(2027, 1, 10), 45, date(2026, 10, 1)),
        # 2027-02-14 - 45 = 2026-12-31, December's last day: December 2026 is due that day.
        ("monthly", date(2027, 2, 14), 45, date(2026, 12, 1)),
        # No grace: a month is due on its own last day (last day + 0 <= as_of).
        ("monthly", date(2026, 3, 1), 0, date(2026, 2, 1)),
        ("monthly", date(2026, 2, 28), 0, date(2026, 2, 1)),
        ("monthly", date(2026, 2, 27), 0, date(2026, 1, 1)),
        ("monthly", date(2026, 1, 15), 0, date(2025, 12, 1)),
        # Quarters: 2026-12-03 - 45 = 2026-10-19, Q4 not ended, Q3 (ends 09-30) due.
        ("quarterly", date(2026, 12, 3), 45, date(2026, 7, 1)),
        # Across the year: 2027-02-14 - 45 = 2026-12-31, the last day of Q4 2026.
        ("quarterly", date(2027, 2, 14), 45, date(2026, 10, 1)),
        ("quarterly", date(2027, 2, 13), 45, date(2026, 7, 1)),
        # Years: 2026 ends 12-31, + 45 days = 2027-02-14.
        ("annual", date(2027, 2, 14), 45, date(2026, 1, 1)),
        ("annual", date(2027, 2, 13), 45, date(2025, 1, 1)),
        ("annual", date(2026, 12, 3), 45, date(2025, 1, 1)),
        # A year's grace: 2025 ends 2025-12-31, + 365 = 2026-12-31.
        ("annual", date(2026, 12, 31), 365, date(2025, 1, 1)),
        ("annual", date(2026, 12, 30), 365, date(2024, 1, 1)),
        ("none", date(2026, 12, 3), 45, None),
    ],
)
def test_due_period_is_the_latest_period_whose_last_day_plus_grace_has_passed(cadence: str, as_of: date, grace: int, expected: date | None) -> None:
    assert due_period(cadence, as_of, grace) == expected


def test_periods_are_calendar_months_quarters_and_years() -> None:
    assert period_start("quarterly", date(2026, 11, 30)) == date(2026, 10, 1)
    assert period_start("annual", date(2026, 11, 30)) == date(2026, 1, 1)
    assert [period_label(c, date(2026, 7, 1)) for c in ("monthly", "quarterly", "annual")] == ["2026-07", "2026-Q3", "2026"]
    assert due_by("monthly", date(2024, 2, 1), 45) == date(2024, 4, 14)  # a leap year: 2024-02-29 + 31 (March) + 14 days


def test_cadence_defaults_to_monthly_for_a_time_column_and_none_for_reference_data() -> None:
    feed = FeedConfig(contract="building_energy", path="x")
    assert (feed.cadence, feed.grace_days) == (None, 45)
    assert feed_cadence(feed, get_contract("building_energy")) == "monthly"
    assert feed_cadence(FeedConfig(contract="buildings", path="x"), get_contract("buildings")) == "none"
    assert feed_cadence(FeedConfig(contract="building_energy", path="x", cadence="annual"), get_contract("building_energy")) == "annual"
    with pytest.raises(ValueError):
        FeedConfig(contract="building_energy", path="x", cadence="weekly")
    with pytest.raises(ValueError):
        FeedConfig(contract="building_energy", path="x", grace_days=-1)


def test_a_cadence_on_a_contract_without_a_time_column_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"feeds\.buildings\.cadence.*contract buildings has no time column"):
        write_city(tmp_path, feeds={"buildings": {**DEMO_FEEDS["buildings"], "cadence": "monthly"}})


# --- Freshness of a small city ---------------------------------------------------------------------


def _write(city: CityConfig, relative: str, text: str) -> None:
    path = city.inbox_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def small_city(tmp_path: Path) -> tuple[CityConfig, object]:
    """Bills through December 2024 (current on AS_OF), ridership through October 2024 (late), a buildings
    inventory (reference), 311 requests whose latest is December on the city's clock but January in UTC,
    and streetlight billing expected quarterly that has never arrived."""
    feeds = {
        "building_energy": DEMO_FEEDS["building_energy"],
        "transit_ridership": DEMO_FEEDS["transit_ridership"],
        "buildings": DEMO_FEEDS["buildings"],
        "service_requests": {
            "contract": "service_requests",
            "path": "311/requests_*.csv",
            "columns": {"service_request_id": "Case", "service_name": "Type", "status": "Status", "requested_at": "Opened"},
        },
        "streetlight_energy": {**DEMO_FEEDS["streetlight_energy"], "cadence": "quarterly", "grace_days": 30},
    }
    city = write_city(tmp_path, feeds=feeds)
    _write(city, "building_energy/utility_bills_2024.csv", BILLS_HEADER + "F-1,11/2024,Electric,100,KWH,10\nF-1,12/2024,Electric,120,KWH,12\n")
    _write(city, "transit/ridership_by_route_2024.csv", "Route,Route Name,Service Type,Month,Total Boardings\n"
           "10,Main St,Fixed Route,Sep 2024,1200\n10,Main St,Fixed Route,Oct 2024,1300\n")
    _write(city, "facilities/facility_inventory.csv", "FacilityID,Name,Dept,UseType,GrossSqFt,YearBuilt,CensusTract\n"
           "F-1,City Hall,General Services,office,50000,1960,42101000100\n")
    # 03:00 UTC on 1 January is 22:00 on 31 December in New York: a December request.
    _write(city, "311/requests_2024.csv", "Case,Type,Status,Opened\nR-1,Pothole,open,2024-11-20T15:00:00Z\nR-2,Pothole,closed,2025-01-01T03:00:00Z\n")
    conn = warehouse.connect(city.warehouse_path)
    for feed in ("building_energy", "transit_ridership", "buildings", "service_requests", "streetlight_energy"):
        ingest_feed(conn, city, feed, now=NOW)
    yield city, conn
    conn.close()


def test_feed_freshness_tells_current_late_no_data_and_reference_feeds(small_city) -> None:
    city, conn = small_city
    # On 2025-03-15 with 45 days: 2025-03-15 - 45 = 2025-01-29, so December 2024 (12-31 + 45 = 2025-02-14) is the due month.
    by_feed = {f.feed: f for f in feed_freshness(conn, city, AS_OF)}
    assert sorted(by_feed) == sorted(city.feeds)  # the reference data every city gets are listed too

    bills = by_feed["building_energy"]
    assert (bills.cadence, bills.rows_in_core, bills.latest_period, bills.due_period, bills.status) == ("monthly", 2, date(2024, 12, 1), date(2024, 12, 1), "current")
    assert bills.sentence == "Latest month 2024-12; 2025-01 is due by 2025-03-17 (2025-01-31 + 45 days)."

    transit = by_feed["transit_ridership"]
    assert (transit.latest_label, transit.due_label, transit.status) == ("2024-10", "2024-12", "late")
    assert transit.sentence == "Latest month 2024-10; 2024-11 was due by 2025-01-14 (2024-11-30 + 45 days): 2 months late (2024-11 to 2024-12)."

    buildings = by_feed["buildings"]
    assert (buildings.cadence, buildings.status, buildings.due_period, buildings.rows_in_core) == ("none", "reference", None, 1)
    assert buildings.sentence == "Reference data, not expected on a schedule (cadence none): 1 row(s) in core."
    assert by_feed["emission_factors"].status == "reference"

    # The latest request is December on the city's clock (January in UTC): months are the city's months.
    requests = by_feed["service_requests"]
    assert (requests.latest_label, requests.status) == ("2024-12", "current")

    # Quarterly with 30 days: 2025-03-15 - 30 = 2025-02-13, Q1 2025 not ended, Q4 2024 (12-31 + 30 = 2025-01-30) due.
    lights = by_feed["streetlight_energy"]
    assert (lights.cadence, lights.status, lights.due_label, lights.latest_period) == ("quarterly", "no data", "2024-Q4", None)
    assert lights.sentence == "No rows in core; 2024-Q4 was due by 2025-01-30 (2024-12-31 + 30 days)."


def test_a_feed_one_period_behind_is_late_by_one_and_catches_up_when_the_period_arrives(small_city) -> None:
    city, conn = small_city
    # 2025-03-20 - 45 = 2025-02-03: January 2025 (01-31 + 45 = 03-17) is now due, February not; the bills stop at December.
    bills = {f.feed: f for f in feed_freshness(conn, city, date(2025, 3, 20))}["building_energy"]
    assert (bills.status, bills.due_label) == ("late", "2025-01")
    assert bills.sentence == "Latest month 2024-12; 2025-01 was due by 2025-03-17 (2025-01-31 + 45 days): 1 month late (2025-01)."
    _write(city, "building_energy/utility_bills_2025.csv", BILLS_HEADER + "F-1,01/2025,Electric,90,KWH,9\n")
    ingest_feed(conn, city, "building_energy", now=NOW)
    bills = {f.feed: f for f in feed_freshness(conn, city, date(2025, 3, 20))}["building_energy"]
    assert (bills.status, bills.latest_label) == ("current", "2025-01")


def test_freshness_of_a_warehouse_with_no_core_table_yet_is_no_data(tmp_path: Path) -> None:
    city = write_city(tmp_path, feeds={"building_energy": DEMO_FEEDS["building_energy"]})
    conn = warehouse.connect(city.warehouse_path)
    statuses = {f.feed: f.status for f in feed_freshness(conn, city, AS_OF)}
    assert statuses == {"building_energy": "no data", "emission_factors": "reference", "global_warming_potentials": "reference"}


# --- Per-file accounting, rules broken, file-level problems ----------------------------------------

# Values no page may show: a quarantined row's own text.
SECRET_ID = "SECRET-BLDG-9917"
SECRET_QUANTITY = "-777.25"


@pytest.fixture
def bills_city(tmp_path: Path) -> tuple[CityConfig, object]:
    """Three bills files: one with three bad rows among good ones, one written with ';', and one retired."""
    city = write_city(tmp_path, feeds={"building_energy": DEMO_FEEDS["building_energy"]})
    _write(city, "building_energy/utility_bills_2023.csv", BILLS_HEADER + (
        "F-1,01/2023,Electric,100,KWH,10\n"
        f"{SECRET_ID},02/2023,Electric,{SECRET_QUANTITY},KWH,10\n"  # row 2: a negative quantity
        "F-1,03/2023,Electric,110,KWH,11\n"
        "F-2,04/2023,Electric,-5,KWH,11\n"  # row 4: a negative quantity
        "F-1,13/2023,Electric,120,KWH,12\n"  # row 5: not a month
    ))
    _write(city, "building_energy/utility_bills_2024.csv", (BILLS_HEADER + "F-1,01/2024,Electric,100,KWH,10\nF-1,02/2024,Electric,100,KWH,10\n").replace(",", ";"))
    _write(city, "building_energy/utility_bills_old.csv", BILLS_HEADER + "F-9,01/2023,Electric,1,KWH,1\n")
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)
    retire_file(conn, "building_energy", "utility_bills_old.csv", reason="sent by mistake", by="tester", contract_table="core.building_energy")
    yield city, conn
    conn.close()


def test_file_accounting_matches_the_hand_counts_and_marks_the_retired_file(bills_city) -> None:
    _, conn = bills_city
    files = {row["file_name"]: row for row in file_accounting(conn)}
    assert list(files) == ["utility_bills_2023.csv", "utility_bills_2024.csv", "utility_bills_old.csv"]

    good = files["utility_bills_2023.csv"]
    counts = ("rows_read", "rows_written", "rows_quarantined", "rows_filtered", "rows_other_months")
    assert tuple(good[k] for k in counts) == (5, 2, 3, 0, 0)
    assert (good["holds"], good["unreadable"], good["retired"], good["feed"]) == (True, False, False, "building_energy")
    assert len(good["sha256_short"]) == 12 and good["file_sha256"].startswith(good["sha256_short"])
    assert good["landed_at"] is not None

    semicolons = files["utility_bills_2024.csv"]
    assert tuple(semicolons[k] for k in counts) == (2, 0, 2, 0, 0)
    assert (semicolons["holds"], semicolons["unreadable"]) == (True, True)

    retired = files["utility_bills_old.csv"]
    assert (retired["retired"], retired["rows_read"], retired["holds"]) == (True, None, None)
    assert retired["retired_at"] is not None and retired["landed_at"] is not None
    # Who retired it and why (an operator's free text) stay off the page.
    assert "tester" not in json.dumps(retired, default=str) and "mistake" not in json.dumps(retired, default=str)


def test_a_record_whose_counts_do_not_add_up_is_flagged(bills_city) -> None:
    _, conn = bills_city
    conn.execute("UPDATE meta.file_reconciliation SET rows_written = rows_written + 1 WHERE source_path LIKE '%utility_bills_2023.csv'")
    holds = {row["file_name"]: row["holds"] for row in file_accounting(conn)}
    assert holds == {"utility_bills_2023.csv": False, "utility_bills_2024.csv": True, "utility_bills_old.csv": None}


def test_rules_most_broken_are_ordered_by_rows_with_example_rows_and_no_values(bills_city) -> None:
    _, conn = bills_city
    rules = rules_most_broken(conn)
    assert [(r["feed"], r["rank"], r["rule"], r["rows_broken"], r["files"]) for r in rules] == [
        ("building_energy", 1, "quantity: greater_than_or_equal_to(0)", 2, 1),
        ("building_energy", 2, "period_month: type date", 1, 1),
    ]
    assert rules[0]["examples"] == [{"file": "utility_bills_2023.csv", "row": 2}, {"file": "utility_bills_2023.csv", "row": 4}]
    assert rules[1]["examples"] == [{"file": "utility_bills_2023.csv", "row": 5}]
    # The ';' file's lines are file-level problems, listed per file, not rules here.
    assert all(not r["rule"].startswith("file: ") for r in rules)
    text = json.dumps(rules)
    assert SECRET_ID not in text and SECRET_QUANTITY not in text and "13/2023" not in text
    assert [r["rule"] for r in rules_most_broken(conn, limit=1)] == ["quantity: greater_than_or_equal_to(0)"]
    assert rules_most_broken(conn, examples=1)[0]["examples"] == [{"file": "utility_bills_2023.csv", "row": 2}]


def test_duplicates_count_under_one_rule(tmp_path: Path) -> None:
    city = write_city(tmp_path, feeds={"building_energy": DEMO_FEEDS["building_energy"]})
    row = "F-1,01/2023,Electric,100,KWH,10\n"
    _write(city, "building_energy/utility_bills_2023.csv", BILLS_HEADER + row * 3 + "F-2,01/2023,Electric,100,KWH,10\n" * 2)
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)
    (rule,) = rules_most_broken(conn)
    assert (rule["rule"], rule["rows_broken"], [e["row"] for e in rule["examples"]]) == (DUPLICATE_RULE, 3, [2, 3, 5])


def test_file_level_problems_name_the_file_and_the_setting_that_fixes_it(bills_city) -> None:
    _, conn = bills_city
    assert file_level_problems(conn) == [
        {
            "feed": "building_energy",
            "file_name": "utility_bills_2024.csv",
            "source_path": next(r["source_path"] for r in file_accounting(conn) if r["file_name"] == "utility_bills_2024.csv"),
            "rows_read": 2,
            "rows_quarantined": 2,
            "problem": "fields are separated by ';', not ',' (with ',' only one column was found): set `delimiter: \";\"` for feed 'building_energy'",
        }
    ]
