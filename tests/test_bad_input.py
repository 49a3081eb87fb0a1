"""The bad-input corpus: every kind of broken delivery gives a clear message or a quarantined row, and loses nothing.

Each case is delivered alone to a fresh city, so what it shows is its own. Cases that the
building-energy fixture covers row by row (negative, wrong type, duplicate key, future date, unknown
unit, missing value, padded text) are in test_ingest.py; file-level failures (empty, malformed,
wrong delimiter, missing column) too.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
import yaml

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig
from city_outcomes.feeds.ingest import FeedOutcome, ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from tests.conftest import write_city

CORPUS = Path(__file__).parent / "fixtures" / "bad_input"
TRIPS_FEED = {
    "contract": "micromobility_trips",
    "format": "json",
    "records": "data.trips",
    "json_schema": "mds-1.2.0/trips.json",
    "path": "trips/*.json",
    "columns": {
        "start_lat": "route.features.0.geometry.coordinates.1",
        "start_lon": "route.features.0.geometry.coordinates.0",
        "end_lat": "route.features.-1.geometry.coordinates.1",
        "end_lon": "route.features.-1.geometry.coordinates.0",
        "trip_duration_s": "trip_duration",
        "trip_distance_m": "trip_distance",
        "propulsion_type": "propulsion_types.0",
    },
    "date_formats": {"start_time": "epoch_ms", "end_time": "epoch_ms"},
}


def _deliver(tmp_path: Path, feed: str, files: dict[str, bytes], feeds: dict | None = None) -> tuple[CityConfig, FeedOutcome, object]:
    city = write_city(tmp_path, feeds=feeds)
    for name, content in files.items():
        target = city.inbox_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    conn = warehouse.connect(tmp_path / "warehouse.duckdb")
    outcome = ingest_feed(conn, city, feed)
    assert reconciliation_failures(conn, feed) == []
    assert all(f.reconciles for f in outcome.files)
    return city, outcome, conn


def _rules(conn) -> dict[int, list[str]]:
    return {row: list(rules) for row, rules in conn.execute("SELECT source_row, failed_rules FROM meta.quarantine ORDER BY 1").fetchall()}


def test_a_utf8_bom_is_read_as_text_not_as_part_of_the_first_column(tmp_path: Path) -> None:
    _, outcome, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_bom.csv": (CORPUS / "bom.csv").read_bytes()})
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (1, 0)
    assert conn.execute("SELECT building_id FROM core.building_energy").fetchone() == ("F-0101",)


def test_extra_columns_are_ignored_and_withheld_from_the_quarantine_unless_declared_non_personal(tmp_path: Path) -> None:
    content = (CORPUS / "extra_columns.csv").read_bytes() + b"F-0103,Hill Library,01/2023,Electric,-1,KWH,1.00,J. Smith,typo\n"
    _, outcome, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_extra.csv": content})
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (2, 1)
    raw = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()[0])
    # The contract's columns show what broke the rule; columns it does not use are not shown.
    assert raw["Usage"] == "-1" and raw["Facility ID"] == "F-0103"
    assert raw["Meter Reader"].startswith("[withheld") and raw["Notes"].startswith("[withheld")
    assert "J. Smith" not in json.dumps(conn.execute("SELECT raw_values FROM meta.quarantine").fetchall())


def test_extra_columns_declared_non_personal_are_shown_in_the_quarantine(tmp_path: Path) -> None:
    content = (CORPUS / "extra_columns.csv").read_bytes() + b"F-0103,Hill Library,01/2023,Electric,-1,KWH,1.00,J. Smith,typo\n"
    feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    feeds["building_energy"]["non_personal_columns"] = ["Notes"]
    _, _, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_extra.csv": content}, feeds=feeds)
    raw = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()[0])
    assert raw["Notes"] == "typo" and raw["Meter Reader"].startswith("[withheld")


def test_numbers_too_large_and_unknown_or_missing_units_are_quarantined(tmp_path: Path) -> None:
    _, outcome, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_n.csv": (CORPUS / "numbers_and_units.csv").read_bytes()})
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (0, 4)
    rules = _rules(conn)
    assert rules[1] == rules[2] == ["quantity: less_than_or_equal_to(1000000000.0)"]  # 1e400 and a 23-digit number
    assert rules[3][0] == "unit: isin(['GJ', 'MMBtu', 'MWh', 'ccf', 'kWh', 'therm'])"  # LITRES
    assert rules[4] == ["unit: not_nullable"]


@pytest.mark.parametrize("declared", [False, True], ids=["lines-withheld", "export-declared-non-personal"])
def test_a_latin1_file_declared_as_utf8_says_how_to_fix_it(tmp_path: Path, declared: bool) -> None:
    feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    if declared:
        feeds["building_energy"]["non_personal_columns"] = ["*"]
    content = (CORPUS / "latin1_declared_utf8.csv").read_bytes()
    _, outcome, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_l.csv": content}, feeds=feeds)
    (file,) = outcome.files
    assert "not utf-8 encoded" in file.file_error and "Set `encoding:`" in file.file_error
    assert "utility_bills_l.csv" in file.file_error and "building_energy" in file.file_error
    assert (file.rows_read, file.rows_quarantined) == (1, 1)
    line = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()[0])["line"]
    # A line that cannot be split into columns is withheld, unless the feed declares its export holds
    # no personal data; then it is kept, as readable as it can be.
    assert ("Municipal" in line) if declared else line.startswith("[withheld")


def _trip(index: int, start_ms: int = 1_714_550_400_000) -> dict:
    """A trip that follows MDS 1.2.0 provider trips."""
    start = start_ms + index * 600_000
    point = lambda ts, lon, lat: {"type": "Feature", "properties": {"timestamp": ts}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}  # noqa: E731
    return {
        "provider_name": "Ride Co", "provider_id": "c20e08cf-8488-46a6-a66c-5d8fb827f7e0",
        "device_id": str(uuid.UUID(int=index + 1)), "vehicle_id": f"RC-{index}", "vehicle_type": "bicycle",
        "propulsion_types": ["electric_assist"], "trip_id": str(uuid.UUID(int=10_000 + index)),
        "trip_duration": 600, "trip_distance": 1800, "accuracy": 5,
        "route": {"type": "FeatureCollection", "features": [point(start, -75.40, 40.60), point(start + 600_000, -75.38, 40.61)]},
        "start_time": start, "end_time": start + 600_000,
    }


def _payload(trips: list[dict]) -> bytes:
    return json.dumps({"version": "1.2.0", "data": {"trips": trips}}).encode()


def test_json_records_that_break_their_specification_are_quarantined_with_the_spec_rule(tmp_path: Path) -> None:
    trips = [_trip(i) for i in range(4)]
    del trips[1]["trip_id"]  # required by MDS
    trips[2]["start_time"] = "yesterday"  # must be integer milliseconds
    trips[3]["end_time"] = trips[3]["start_time"] - 60_000  # ends before it starts (the contract's rule, not the spec's)
    _, outcome, conn = _deliver(tmp_path, "trips", {"trips/2024-05.json": _payload(trips)}, feeds={"trips": TRIPS_FEED})
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (4, 1, 3)
    rules = _rules(conn)
    assert 'json_schema trips.json: (record): "trip_id" is a required property' in rules[2]
    # The schema's rule names the place, not the value (rules go where values may not: logs, the UI).
    assert any(r.startswith('json_schema trips.json: start_time: the value is not of type "number"') for r in rules[3])
    assert rules[4] == ["end_after_start: end_time must not be before start_time"]
    # The quarantine keeps the record exactly as delivered.
    assert json.loads(conn.execute("SELECT raw_values FROM meta.quarantine WHERE source_row = 3").fetchone()[0])["start_time"] == "yesterday"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"version": "1.2.0", "data": {"trips": [', "is not valid JSON"),
        (json.dumps({"version": "1.2.0", "data": {"rides": []}}).encode(), "has no record array at 'data.trips' (missing 'trips')"),
        (json.dumps({"version": "0.9", "data": {"trips": []}}).encode(), "does not follow trips.json: version: the value does not match"),
    ],
    ids=["truncated", "wrong-structure", "wrong-version"],
)
def test_a_json_file_that_breaks_its_specification_as_a_whole_is_set_aside_with_the_reason(tmp_path: Path, content: bytes, problem: str) -> None:
    _, outcome, conn = _deliver(tmp_path, "trips", {"trips/2024-05.json": content, "trips/2024-06.json": _payload([_trip(1)])}, feeds={"trips": TRIPS_FEED})
    broken = next(f for f in outcome.files if f.source_path.name == "2024-05.json")
    assert problem in broken.file_error and "2024-05.json" in broken.file_error
    assert broken.rows_accepted == 0 and broken.rows_read == broken.rows_quarantined == 1  # the one line of the file
    assert outcome.rows_accepted == 1  # the other file carries on


def test_an_implausible_trip_is_quarantined_and_a_valid_one_kept(tmp_path: Path) -> None:
    trips = [_trip(0), copy.deepcopy(_trip(1))]
    trips[1]["trip_duration"] = 11_491_603  # Austin's 133-day "trip" (shared/realdata)
    _, outcome, conn = _deliver(tmp_path, "trips", {"trips/2024-05.json": _payload(trips)}, feeds={"trips": TRIPS_FEED})
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (1, 1)
    assert _rules(conn)[2] == ["trip_duration_s: less_than_or_equal_to(86400)"]


def test_a_trip_dated_in_the_future_is_quarantined(tmp_path: Path) -> None:
    future = _trip(0, start_ms=4_102_444_800_000)  # 2100-01-01: a clock or time-zone error
    _, outcome, conn = _deliver(tmp_path, "trips", {"trips/2024-05.json": _payload([_trip(1), future])}, feeds={"trips": TRIPS_FEED})
    assert (outcome.rows_accepted, outcome.rows_quarantined) == (1, 1)
    assert _rules(conn)[2][0] == "start_time: must not be after now"
    assert "period outside the reporting calendar" in _rules(conn)[2][1]
