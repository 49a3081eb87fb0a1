"""Privacy at the door: personal fields never reach the warehouse raw; only the landing zone keeps them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from city_outcomes import warehouse
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.privacy import PrivacyPolicy
from tests.conftest import write_city
from tests.test_bad_input import TRIPS_FEED, _payload, _trip

SQUARE = {"type": "Polygon", "coordinates": [[[-75.45, 40.55], [-75.35, 40.55], [-75.35, 40.65], [-75.45, 40.65], [-75.45, 40.55]]]}
EAST = {"type": "Polygon", "coordinates": [[[-75.35, 40.55], [-75.25, 40.55], [-75.25, 40.65], [-75.35, 40.65], [-75.35, 40.55]]]}
BOUNDARIES_FEED = {"contract": "census_tract_boundaries", "format": "json", "records": "features", "path": "tracts.geojson",
                   "columns": {"tract_geoid": "properties.GEOID", "boundary": "geometry"}}
REQUESTS_FEED = {
    "contract": "service_requests", "path": "crm/*.csv",
    "columns": {"service_request_id": "Case", "service_name": "Type", "status": "Status", "requested_at": "Opened",
                "description": "Details", "address": "Address", "reporter_name": "Caller", "reporter_email": "Email",
                "reporter_phone": "Phone", "lat": "Lat", "long": "Lon"},
    "values": {"status": {"Open": "open", "Closed": "closed"}},
    "timezone": "America/New_York",
}


def _city(tmp_path: Path, policy: dict | None = None):
    feeds = {"census_tract_boundaries": BOUNDARIES_FEED, "trips": TRIPS_FEED, "requests": REQUESTS_FEED}
    city = write_city(tmp_path, feeds=feeds, privacy=policy)
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"GEOID": "42999010101"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {"GEOID": "42999010102"}, "geometry": EAST},
    ]}
    city.inbox_dir.mkdir(parents=True, exist_ok=True)
    (city.inbox_dir / "tracts.geojson").write_text(json.dumps(geo))
    (city.inbox_dir / "trips").mkdir()
    (city.inbox_dir / "trips" / "2024-05.json").write_bytes(_payload([_trip(0), _trip(1)]))
    (city.inbox_dir / "crm").mkdir()
    (city.inbox_dir / "crm" / "requests.csv").write_text(
        "Case,Type,Status,Opened,Details,Address,Caller,Email,Phone,Lat,Lon\n"
        "C-1,Streetlight out,Open,2024-05-02 21:15:00,Light out in front of Jane Roe's house,12 Elm St,Jane Roe,jane@example.org,555-0100,40.600,-75.300\n"
    )
    conn = warehouse.connect(tmp_path / "warehouse.duckdb")
    for feed in ("census_tract_boundaries", "trips", "requests"):
        ingest_feed(conn, city, feed)
    return city, conn


def test_device_ids_are_hashed_and_trip_ends_coarsened_to_tracts(tmp_path: Path) -> None:
    city, conn = _city(tmp_path)
    rows = conn.execute(
        "SELECT device_id, start_lat, start_lon, end_lat, end_lon, start_tract_geoid, end_tract_geoid FROM core.micromobility_trips ORDER BY _source_row"
    ).fetchall()
    raw_device = _trip(0)["device_id"]
    assert all(len(r[0]) == 64 and r[0] != raw_device for r in rows)
    assert rows[0][0] != rows[1][0]  # different devices stay different
    assert all(r[1:5] == (None, None, None, None) for r in rows)
    # (-75.40, 40.60) lies in the west square, (-75.38, 40.61) too.
    assert [(r[5], r[6]) for r in rows] == [("42999010101", "42999010101")] * 2
    # The landing zone keeps the raw delivery (never published).
    landed = conn.execute("SELECT landed_path FROM meta.landed_files WHERE feed = 'trips'").fetchone()[0]
    assert raw_device in Path(landed).read_text()


def test_a_device_hashes_the_same_way_across_runs_with_the_deployment_salt(tmp_path: Path) -> None:
    city, conn = _city(tmp_path)
    first = conn.execute("SELECT device_id FROM core.micromobility_trips ORDER BY _source_row").fetchall()
    ingest_feed(conn, city, "trips")
    assert conn.execute("SELECT device_id FROM core.micromobility_trips ORDER BY _source_row").fetchall() == first
    assert PrivacyPolicy.load(city).salt and len(PrivacyPolicy.load(city).salt) == 64


def test_reporter_details_and_free_text_are_dropped_and_the_request_located_by_tract(tmp_path: Path) -> None:
    _, conn = _city(tmp_path)
    row = conn.execute(
        "SELECT description, address, reporter_name, reporter_email, reporter_phone, lat, long, location_tract_geoid, requested_at FROM core.service_requests"
    ).fetchone()
    assert row[:7] == (None,) * 7
    assert row[7] == "42999010102"  # (-75.30, 40.60) is in the east square
    assert str(row[8]) == "2024-05-03 01:15:00"  # 21:15 EDT is 01:15 UTC the next day
    stored = json.dumps(conn.execute("SELECT * FROM core.service_requests").fetchall(), default=str)
    assert "Jane" not in stored and "555-0100" not in stored and "Elm St" not in stored


def test_a_city_policy_can_keep_or_drop_instead(tmp_path: Path) -> None:
    _, conn = _city(tmp_path, policy={"actions": {"device_id": "drop", "coordinates": "keep"}})
    row = conn.execute("SELECT device_id, start_lat, start_tract_geoid FROM core.micromobility_trips ORDER BY _source_row").fetchone()
    assert row == (None, 40.60, None)


@pytest.mark.parametrize(
    ("actions", "message"),
    [({"shoe_size": "drop"}, "unknown personal field kind"), ({"coordinates": "hash"}, "coordinates cannot be hashed")],
)
def test_a_bad_policy_is_refused_with_the_reason(tmp_path: Path, actions: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _city(tmp_path, policy={"actions": actions})


def test_quarantined_rows_do_not_keep_personal_fields_raw(tmp_path: Path) -> None:
    city, conn = _city(tmp_path)
    bad_trip = _trip(7)
    bad_trip["trip_duration"] = 10_000_000  # implausible: quarantined
    (city.inbox_dir / "trips" / "2024-06.json").write_bytes(_payload([bad_trip]))
    (city.inbox_dir / "crm" / "requests.csv").write_text(
        "Case,Type,Status,Opened,Details,Address,Caller,Email,Phone,Lat,Lon\n"
        "C-2,Pothole,Pending,2024-05-02 21:15:00,Call me at 555-0199,3 Oak Ave,John Doe,john@example.org,555-0199,40.600,-75.300\n"
    )
    ingest_feed(conn, city, "trips")
    ingest_feed(conn, city, "requests")
    trip = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine WHERE feed = 'trips'").fetchone()[0])
    # The device is hashed exactly as core hashes it; the route (every point of the trip) is withheld.
    assert trip["device_id"] == hashlib.sha256((PrivacyPolicy.load(city).salt + bad_trip["device_id"]).encode()).hexdigest()
    assert trip["route"].startswith("[withheld") and trip["trip_duration"] == 10_000_000
    request = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine WHERE feed = 'requests'").fetchone()[0])
    assert request["Status"] == "Pending"  # what broke the rule stays readable
    stored = json.dumps(conn.execute("SELECT raw_values FROM meta.quarantine").fetchall())
    for personal in ("John Doe", "john@example.org", "555-0199", "3 Oak Ave", "40.600", bad_trip["device_id"]):
        assert personal not in stored


def test_an_unreadable_file_with_personal_fields_keeps_only_line_numbers(tmp_path: Path) -> None:
    city, conn = _city(tmp_path)
    (city.inbox_dir / "crm" / "requests.csv").write_text("Case;Type;Caller\nC-3;Noise;Jane Roe\n")  # wrong delimiter
    outcome = ingest_feed(conn, city, "requests")
    assert outcome.files[0].file_error and outcome.rows_quarantined == 1
    assert "Jane Roe" not in conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()[0]


def test_headers_that_differ_by_spaces_or_case_are_found_and_treated_as_the_reader_reads_them(tmp_path: Path) -> None:
    city, conn = _city(tmp_path)
    # The CRM's next release pads and upper-cases some headers; the configuration still says "Caller", "Email", "Lat".
    (city.inbox_dir / "crm" / "requests.csv").write_text(
        "Case,Type,Status,Opened,Details,Address, CALLER ,email,Phone,LAT,Lon,Street Name,Geocoded Location\n"
        "C-4,Pothole,Pending,2024-05-03 08:00:00,Deep hole,4 Pine Rd,Ann Lee,ann@example.org,555-0142,40.610,-75.310,Pine Rd,(40.61; -75.31)\n"
    )
    outcome = ingest_feed(conn, city, "requests")
    assert outcome.rows_quarantined == 1  # "Pending" is not a status the contract knows
    assert conn.execute("SELECT count(*) FROM core.service_requests WHERE service_request_id = 'C-4'").fetchone()[0] == 0
    raw = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine WHERE feed = 'requests'").fetchone()[0])
    assert raw["Status"] == "Pending"
    # The padded, upper-cased headers are the contract's personal columns: withheld as if spelled as configured.
    assert raw["CALLER"].startswith("[withheld") and raw["email"].startswith("[withheld") and raw["LAT"].startswith("[withheld")
    # Columns the contract does not use (a street name, a geocoded point) are withheld too.
    assert raw["Street Name"].startswith("[withheld") and raw["Geocoded Location"].startswith("[withheld")
    everything = json.dumps(conn.execute("SELECT * FROM meta.quarantine").fetchall(), default=str)
    for personal in ("Ann Lee", "ann@example.org", "555-0142", "4 Pine Rd", "Pine Rd", "40.61"):
        assert personal not in everything


def test_a_trip_end_takes_one_tract_even_where_tracts_overlap(tmp_path: Path) -> None:
    """Generalized tract layers overlap along borders (the H-GAC layer does): a point inside two
    tracts gets the first by GEOID, and its trip is written once, not once per tract. A point on a
    tract's outer edge is in no tract (as ST_Contains has it), nor is one outside every tract."""
    overlapping = {"type": "Polygon", "coordinates": [[[-75.40, 40.55], [-75.30, 40.55], [-75.30, 40.65], [-75.40, 40.65], [-75.40, 40.55]]]}
    city = write_city(tmp_path, feeds={"census_tract_boundaries": BOUNDARIES_FEED, "trips": TRIPS_FEED})
    geo = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"GEOID": "42999010103"}, "geometry": overlapping},
        {"type": "Feature", "properties": {"GEOID": "42999010101"}, "geometry": SQUARE},
    ]}
    city.inbox_dir.mkdir(parents=True, exist_ok=True)
    (city.inbox_dir / "tracts.geojson").write_text(json.dumps(geo))
    ends = [
        ((-75.42, 40.60), (-75.32, 40.60)),  # west square only; the overlapping tract only
        ((-75.37, 40.60), (-75.45, 40.60)),  # both tracts; on the west square's outer edge
        ((-75.20, 40.60), (-75.3625, 40.625)),  # outside every tract; both tracts
    ]
    trips = []
    for index, (start, end) in enumerate(ends):
        trip = _trip(index)
        for feature, (lon, lat) in zip(trip["route"]["features"], (start, end), strict=True):
            feature["geometry"]["coordinates"] = [lon, lat]
        trips.append(trip)
    (city.inbox_dir / "trips").mkdir()
    (city.inbox_dir / "trips" / "2024-05.json").write_bytes(_payload(trips))
    conn = warehouse.connect(tmp_path / "warehouse.duckdb")
    ingest_feed(conn, city, "census_tract_boundaries")
    outcome = ingest_feed(conn, city, "trips")
    rows = conn.execute("SELECT _source_row, start_tract_geoid, end_tract_geoid FROM core.micromobility_trips ORDER BY _source_row").fetchall()
    assert outcome.rows_accepted == 3 and outcome.rows_written == 3
    assert rows == [(1, "42999010101", "42999010103"), (2, "42999010101", None), (3, None, "42999010101")]
