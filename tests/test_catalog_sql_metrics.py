"""Metrics built from their formula alone (catalog entries `built_by: sql`): counts and a share, by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from city_outcomes.feeds.ingest import ensure_core_table
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.monthly import formula_params, refresh_monthly_metric
from city_outcomes.trace import trace_metric
from data_contracts import get_contract
from tests.conftest import write_city

ALL = (date(2000, 1, 1), date(2100, 1, 1))
SHA = "a" * 64


@pytest.fixture
def city(tmp_path: Path):
    # Los Angeles: UTC-8 in winter, so 02:00 UTC on 1 February is still 31 January on the city's clock.
    return write_city(tmp_path, timezone="America/Los_Angeles")


def _core(conn, city, contract: str, rows: list[dict]) -> None:
    ensure_core_table(conn, get_contract(contract), PrivacyPolicy.load(city))
    columns = list(rows[0])
    for number, row in enumerate(rows, start=1):
        names = ", ".join([*columns, "_feed", "_file_sha256", "_source_row"])
        conn.execute(f"INSERT INTO core.{contract} ({names}) VALUES ({', '.join('?' * (len(columns) + 3))})", [*row.values(), contract, SHA, number])


def test_trips_are_counted_in_their_month_on_the_citys_clock(conn, city) -> None:
    trip = {"trip_id": "t", "provider_name": "Lime", "vehicle_type": "scooter", "start_time": None, "end_time": None, "trip_duration_s": 60.0, "trip_distance_m": 1500.0}
    starts = [datetime(2024, 1, 10, 12), datetime(2024, 2, 1, 2), datetime(2024, 2, 1, 9), datetime(2024, 2, 20, 9)]
    _core(conn, city, "micromobility_trips", [trip | {"trip_id": f"t{i}", "start_time": s, "end_time": s} for i, s in enumerate(starts)])
    refresh_monthly_metric(conn, city, catalog().get("micromobility_trips"), ALL)

    # Rows 1-2 are January in Los Angeles (row 2: 18:00 on 31 January); rows 3-4 February.
    got = conn.execute("SELECT period_month, trips, distance_km, _source_rows FROM out.micromobility_trips_monthly ORDER BY 1").fetchall()
    assert got == [(date(2024, 1, 1), 2, 3.0, [1, 2]), (date(2024, 2, 1), 2, 3.0, [3, 4])]
    traced = trace_metric(conn, "micromobility_trips", "2024-02")
    assert traced.value == 2 and traced.sources[0].row_numbers == "3-4"


def test_the_311_share_is_a_ratio_of_sums_and_leaves_out_requests_not_yet_due(conn, city) -> None:
    def request(made: datetime, closed: datetime | None, service: str) -> dict:
        return {"service_request_id": f"{service}{made}", "service_name": service, "status": "closed" if closed else "open", "requested_at": made, "closed_at": closed}

    rows = [
        request(datetime(2024, 3, 1, 20), datetime(2024, 3, 5, 20), "Pothole"),  # closed in 4 days: within
        request(datetime(2024, 3, 2, 20), datetime(2024, 3, 9, 20), "Pothole"),  # exactly 7 days: within
        request(datetime(2024, 3, 3, 20), datetime(2024, 3, 20, 20), "Pothole"),  # 17 days: late
        request(datetime(2024, 3, 4, 20), None, "Streetlight out"),  # open 27 days at the feed's latest time: late
        request(datetime(2024, 3, 28, 20), None, "Streetlight out"),  # open 3 days: not yet due
        request(datetime(2024, 3, 31, 20), datetime(2024, 3, 31, 21), "Streetlight out"),  # the latest time: within
    ]
    _core(conn, city, "service_requests", rows)
    refresh_monthly_metric(conn, city, catalog().get("share_311_closed_within_7_days"), ALL)

    got = conn.execute(
        "SELECT service_name, requests, requests_judged, closed_within_7_days, not_yet_due FROM out.service_requests_monthly ORDER BY 1"
    ).fetchall()
    assert got == [("Pothole", 3, 3, 2, 0), ("Streetlight out", 3, 2, 1, 1)]
    # (2 + 1) / (3 + 2) = 0.6, not the mean of 2/3 and 1/2 (0.583).
    assert trace_metric(conn, "share_311_closed_within_7_days", "2024").value == pytest.approx(0.6)
    assert trace_metric(conn, "share_311_closed_within_7_days", "2024", {"service_name": "Pothole"}).value == pytest.approx(2 / 3)
    assert trace_metric(conn, "service_requests_311", "2024-03").value == 6


def test_a_month_refresh_replaces_only_its_month(conn, city) -> None:
    ride = {"route_id": "1", "route_name": None, "mode": "bus", "boardings": 0, "period_month": None}
    _core(conn, city, "transit_ridership", [ride | {"boardings": 100, "period_month": date(2024, 1, 1)}, ride | {"boardings": 250, "period_month": date(2024, 2, 1)}])
    entry = catalog().get("transit_boardings")
    refresh_monthly_metric(conn, city, entry, ALL)
    conn.execute("UPDATE core.transit_ridership SET boardings = boardings + 1")
    assert refresh_monthly_metric(conn, city, entry, (date(2024, 2, 1), date(2024, 3, 1))) == 1
    assert conn.execute("SELECT period_month, boardings FROM out.transit_ridership_monthly ORDER BY 1").fetchall() == [
        (date(2024, 1, 1), 100), (date(2024, 2, 1), 251),
    ]


def test_a_formula_naming_a_parameter_the_asset_does_not_offer_is_refused(city) -> None:
    with pytest.raises(ValueError, match=r"\['fiscal_year'\]"):
        formula_params("SELECT 1 WHERE $start_month < $fiscal_year", city, ALL)
    assert formula_params("SELECT $timezone", city, ALL) == {"timezone": "America/Los_Angeles"}
