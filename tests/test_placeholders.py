"""Placeholders that look like data are quarantined by the contracts themselves, under a rule naming them.

Null island (0, 0), the Unix epoch, 1900-01-01, a GBFS station with nothing at it last reported at the
epoch, and a session left open (an end at the epoch, or 838:59:59 after its start): the city need not
list them in ``null_values``. Each planted row is next to a near miss that is real data and passes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.feeds.ingest import ingest_feed
from pipelines.cli import app
from tests.conftest import write_city

# The rules as an analyst reads them in the quarantine (written out here, not imported: they are the spec).
EPOCH_RULE = "placeholder: timestamp at the Unix epoch 1970-01-01T00:00:00"
DAY_1900_RULE = "placeholder: timestamp on 1900-01-01 (the zero date of spreadsheets and SQL Server)"
EPOCH_DATE_RULE = "placeholder: date at the Unix epoch 1970-01-01"
DAY_1900_DATE_RULE = "placeholder: date 1900-01-01 (the zero date of spreadsheets and SQL Server)"
NULL_ISLAND_RULE = "placeholder: coordinates at (0, 0) (null island)"
OPEN_SESSION_RULE = "placeholder: duration 838:59:59 (MySQL's TIME maximum, written for a session still open)"
PLACEHOLDER_STATION_RULE = (
    "placeholder: a station with capacity 0 (no vehicles, no docks) last reported at the Unix epoch 1970-01-01T00:00:00 (never in service)"
)


def _feed_file(city, folder: str, name: str, text: str) -> None:
    path = city.inbox_dir / folder
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_text(text, encoding="utf-8")


def _quarantine(conn: duckdb.DuckDBPyConnection, feed: str) -> dict[int, list[str]]:
    rows = conn.execute("SELECT source_row, failed_rules FROM meta.quarantine WHERE feed = ? ORDER BY source_row", [feed]).fetchall()
    return {row: list(rules) for row, rules in rows}


EV_FEED = {"contract": "ev_charging_sessions", "path": "ev/*.csv"}
EV_HEADER = "station_id,port_id,start_time,end_time,energy_kwh,latitude,longitude\n"
EV_ROWS = [
    # 1: an ordinary session.
    "HAMILTON #1,1,2024-03-05T08:00:00Z,2024-03-05T10:00:00Z,12.5,37.44,-122.16",
    # 2: open session, its end the epoch written in Pacific time (1969-12-31 16:00 PST = 1970-01-01T00:00Z).
    "HAMILTON #1,2,2024-03-05T09:00:00Z,1969-12-31T16:00:00-08:00,3.1,37.44,-122.16",
    # 3: open session, its end 838:59:59 after its start: 2024-03-06 10:00 + 34 d 22:59:59 = 2024-04-10 08:59:59.
    "BRYANT #1,1,2024-03-06T10:00:00Z,2024-04-10T08:59:59Z,4.0,37.44,-122.16",
    # 4: the same, written to the minute (rounded up to 09:00): still the placeholder.
    "BRYANT #1,2,2024-03-06T10:00:00Z,2024-04-10T09:00:00Z,4.0,37.44,-122.16",
    # 5: a real 839:05:00 session (five minutes past the placeholder): kept.
    "BRYANT #2,1,2024-03-06T10:00:00Z,2024-04-10T09:05:00Z,4.0,37.44,-122.16",
    # 6: null island.
    "HIGH #4,1,2024-03-07T10:00:00Z,2024-03-07T11:00:00Z,6.0,0,0",
    # 7: a real charger on the equator (latitude 0, longitude 9.45): kept.
    "LIBREVILLE,1,2024-03-07T10:00:00Z,2024-03-07T11:00:00Z,6.0,0,9.45",
    # 8: a start on 1900-01-01 (midnight Pacific = 08:00 UTC).
    "HIGH #4,2,1900-01-01T00:00:00-08:00,2024-03-07T11:00:00Z,6.0,37.44,-122.16",
    # 9: a start on 2 January 1970 at noon UTC, 36 hours after the epoch: a time, not the placeholder.
    "HIGH #4,3,1970-01-02T12:00:00Z,1970-01-02T13:00:00Z,6.0,37.44,-122.16",
]


# The placeholders, each under its own rule only (the epoch end is not also "ends before it starts").
EV_PLACEHOLDERS = {
    2: [f"end_time: {EPOCH_RULE}"],
    3: [f"open_session_placeholder: {OPEN_SESSION_RULE}"],
    4: [f"open_session_placeholder: {OPEN_SESSION_RULE}"],
    6: [f"null_island: {NULL_ISLAND_RULE}: latitude and longitude are both 0"],
    # A start on 1900-01-01 is before any city's first_month too, but it is named as a placeholder
    # only: "set first_month earlier" would be the wrong advice for it.
    8: [f"start_time: {DAY_1900_RULE}"],
}


def test_placeholders_in_ev_sessions_are_quarantined_by_name_through_the_cli(tmp_path: Path) -> None:
    # first_month 2024: a run makes one partition a month from there (from 1970 it made 680, and the
    # test spent five minutes in Dagster's event log). Row 9, in 1970, is then before first_month.
    city = write_city(tmp_path, feeds={"ev_charging_sessions": EV_FEED}, first_month="2024-01-01")
    _feed_file(city, "ev", "sessions.csv", EV_HEADER + "\n".join(EV_ROWS) + "\n")
    result = CliRunner().invoke(app, ["run", "--city", str(city.config_path)], env={"DAGSTER_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output

    conn = duckdb.connect(str(city.warehouse_path), read_only=True)
    quarantined = _quarantine(conn, "ev_charging_sessions")
    # A real 1970 session before the city's first month gets the first_month advice, not a placeholder rule.
    before = quarantined.pop(9)
    assert len(before) == 1 and "first_month" in before[0] and "placeholder" not in before[0], before
    assert quarantined == EV_PLACEHOLDERS
    kept = conn.execute("SELECT _source_row FROM core.ev_charging_sessions ORDER BY 1").fetchall()
    assert [row for (row,) in kept] == [1, 5, 7]
    conn.close()
    listing = CliRunner().invoke(app, ["quarantine", "--city", str(city.config_path)])
    assert "placeholder: timestamp at the Unix epoch 1970-01-01T00:00:00" in listing.output
    assert "placeholder: duration 838:59:59" in " ".join(listing.output.split())


def test_a_session_36_hours_after_the_epoch_is_a_time_not_the_placeholder(tmp_path: Path) -> None:
    # A city reporting from 1970: row 9 (1970-01-02 12:00 UTC) is within its months, and kept.
    city = write_city(tmp_path, feeds={"ev_charging_sessions": EV_FEED}, first_month="1970-01-01")
    _feed_file(city, "ev", "sessions.csv", EV_HEADER + "\n".join(EV_ROWS) + "\n")
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "ev_charging_sessions")
    assert _quarantine(conn, "ev_charging_sessions") == EV_PLACEHOLDERS
    kept = conn.execute("SELECT _source_row FROM core.ev_charging_sessions ORDER BY 1").fetchall()
    assert [row for (row,) in kept] == [1, 5, 7, 9]
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (9, 4, 5)
    conn.close()


def test_a_gbfs_station_with_nothing_at_it_last_reported_at_the_epoch(tmp_path: Path) -> None:
    feed = {"contract": "gbfs_station_status", "path": "gbfs/*.csv", "date_formats": {"last_reported": "epoch_s", "snapshot_time": "epoch_s"}}
    city = write_city(tmp_path, feeds={"gbfs_station_status": feed}, first_month="2019-01-01")
    header = "system_id,station_id,num_bikes_available,num_docks_available,is_installed,is_renting,is_returning,last_reported,snapshot_time\n"
    rows = [
        "divvy,1,0,0,false,false,false,0,1573850008",  # 1: the placeholder station
        "divvy,2,0,0,true,true,true,1573848914,1573850008",  # 2: every dock disabled, reported today: real
        "divvy,3,5,10,true,true,true,0,1573850008",  # 3: a station with bikes, but last_reported 0
        "divvy,4,0,,true,true,true,0,1573850008",  # 4: no docks field (dockless), nothing there, epoch
        "divvy,5,7,3,true,true,true,1573848914,1573850008",  # 5: ordinary
    ]
    _feed_file(city, "gbfs", "status.csv", header + "\n".join(rows) + "\n")
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "gbfs_station_status")
    epoch = f"last_reported: {EPOCH_RULE}"
    station = f"placeholder_station: {PLACEHOLDER_STATION_RULE}"
    assert _quarantine(conn, "gbfs_station_status") == {1: [epoch, station], 3: [epoch], 4: [epoch, station]}
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (5, 2, 3)
    conn.close()


def test_placeholders_in_trips_service_requests_and_dated_feeds(tmp_path: Path) -> None:
    feeds = {
        "micromobility_trips": {"contract": "micromobility_trips", "path": "trips/*.csv"},
        "service_requests": {"contract": "service_requests", "path": "311/*.csv"},
        "streetlight_fixtures": {"contract": "streetlight_fixtures", "path": "lights/*.csv"},
        "fleet_fuel": {"contract": "fleet_fuel", "path": "fuel/*.csv"},
    }
    city = write_city(tmp_path, feeds=feeds, first_month="1900-01-01")
    trip = "trip_id,provider_name,vehicle_type,start_time,end_time,trip_duration_s,trip_distance_m,start_lat,start_lon,end_lat,end_lon\n"
    _feed_file(city, "trips", "trips.csv", trip + "\n".join([
        "t1,lime,scooter,2024-05-01T10:00:00Z,2024-05-01T10:10:00Z,600,1200,30.26,-97.74,30.27,-97.75",
        "t2,lime,scooter,2024-05-01T10:00:00Z,2024-05-01T10:10:00Z,600,1200,30.26,-97.74,0,0",  # end at null island
        "t3,lime,scooter,1970-01-01T00:00:00Z,2024-05-01T10:10:00Z,600,1200,30.26,-97.74,30.27,-97.75",  # start at the epoch
        "t4,lime,scooter,2024-05-01T10:00:00Z,2024-05-01T10:10:00Z,600,1200,0,0,0,0",  # both ends
    ]) + "\n")
    request = "service_request_id,service_name,status,requested_at,closed_at,lat,long\n"
    _feed_file(city, "311", "requests.csv", request + "\n".join([
        "r1,Streetlight out,closed,2024-05-01T10:00:00Z,2024-05-02T10:00:00Z,39.16,-86.53",
        "r2,Streetlight out,open,2024-05-01T10:00:00Z,,0,0",  # Bloomington's "no location"
        "r3,Streetlight out,closed,2024-05-01T10:00:00Z,1970-01-01T00:00:00Z,39.16,-86.53",  # closed "at the epoch"
        "r4,Streetlight out,open,2024-05-01T10:00:00Z,,,",  # no location at all: not a placeholder
    ]) + "\n")
    light = "fixture_id,technology,wattage,installed_date,latitude,longitude\n"
    _feed_file(city, "lights", "fixtures.csv", light + "\n".join([
        "P-1,LED,60,2019-06-01,47.61,-122.33",
        "P-2,LED,60,1900-01-01,47.61,-122.33",  # Excel's "unknown"
        "P-3,HPS,150,1970-01-01,0,0",  # both placeholders in one row
        "P-4,HPS,150,1900-01-02,47.61,-122.33",  # the day after: a (very old) date, kept
    ]) + "\n")
    fuel = "vehicle_id,purchase_date,fuel_type,quantity,unit\n"
    _feed_file(city, "fuel", "fuel.csv", fuel + "V-1,2024-05-01,gasoline,10,gal\nV-2,1900-01-01,gasoline,10,gal\n")

    conn = warehouse.connect(city.warehouse_path)
    for feed in feeds:
        ingest_feed(conn, city, feed)
    assert _quarantine(conn, "micromobility_trips") == {
        2: [f"end_null_island: {NULL_ISLAND_RULE}: end_lat and end_lon are both 0"],
        3: [f"start_time: {EPOCH_RULE}"],
        4: [f"start_null_island: {NULL_ISLAND_RULE}: start_lat and start_lon are both 0", f"end_null_island: {NULL_ISLAND_RULE}: end_lat and end_lon are both 0"],
    }
    assert _quarantine(conn, "service_requests") == {
        2: [f"null_island: {NULL_ISLAND_RULE}: lat and long are both 0"],
        3: [f"closed_at: {EPOCH_RULE}"],
    }
    assert _quarantine(conn, "streetlight_fixtures") == {
        2: [f"installed_date: {DAY_1900_DATE_RULE}"],
        3: [f"installed_date: {EPOCH_DATE_RULE}", f"null_island: {NULL_ISLAND_RULE}: latitude and longitude are both 0"],
    }
    assert _quarantine(conn, "fleet_fuel") == {2: [f"purchase_date: {DAY_1900_DATE_RULE}"]}
    assert conn.execute("SELECT count(*) FROM core.service_requests").fetchone()[0] == 2
    conn.close()
