"""The examples that ship their real sample beside their configuration (``cities/examples/<name>/data``),
ingested through that configuration alone: `filter:` and `crs:` on New York City's 311 export.

They need nothing outside the repository, so they run in a bare clone too. Expected values are
worked out here from the shipped file itself with Python's csv module, never by the pipeline.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
import yaml

from city_outcomes import warehouse
from city_outcomes.config import PROJECT_ROOT, CityConfig, load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures

NYC = PROJECT_ROOT / "cities" / "examples" / "nyc_311"
NYC_FILE = NYC / "data" / "311_Service_Requests_first_300.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _example(folder: Path, *, privacy: dict | None = None, **feed_changes) -> CityConfig:
    """The nyc_311 configuration reading its shipped sample, writing into ``folder``; ``feed_changes``
    set (or, given None, remove) feed keys; ``privacy`` a policy for tests that must see coordinates."""
    raw = yaml.safe_load((NYC / "city.yaml").read_text(encoding="utf-8"))
    raw["paths"] = {"inbox": str(NYC_FILE.parent), "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    raw["ingest"] = {"settle_seconds": 0}
    feed = raw["feeds"]["service_requests"]
    for key, value in feed_changes.items():
        if value is None:
            feed.pop(key)
        else:
            feed[key] = value
    if privacy is not None:
        (folder / "privacy.yaml").write_text(yaml.safe_dump(privacy), encoding="utf-8")
        raw["privacy"] = "privacy.yaml"
    (folder / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_city_config(folder / "city.yaml")


def test_filter_keeps_one_request_type_of_the_citywide_export(tmp_path: Path) -> None:
    rows = _rows(NYC_FILE)
    heat = [number for number, row in enumerate(rows, start=1) if row["complaint_type"] == "HEAT/HOT WATER"]
    # The export holds 43 request types in these 300 rows; 59 of them are heat and hot water requests.
    assert (len(rows), len({row["complaint_type"] for row in rows}), len(heat)) == (300, 43, 59)
    city = _example(tmp_path)
    with warehouse.connect(city.warehouse_path) as conn:
        [file] = ingest_feed(conn, city, "service_requests").files
        # Rows read = written + quarantined + filtered out, per file.
        assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (300, 59, 0, 241)
        # The kept rows are exactly the heat requests, each with its own row number in the file.
        kept = conn.execute("SELECT _source_row, service_request_id, service_name FROM core.service_requests ORDER BY 1").fetchall()
        assert [n for n, *_ in kept] == heat
        assert all((request_id, name) == (rows[n - 1]["unique_key"], "HEAT/HOT WATER") for n, request_id, name in kept)
        # The filter is recorded with the file's counts, as configured.
        assert conn.execute("SELECT rows_filtered, filtered_by FROM meta.file_reconciliation").fetchone() == (241, "\"complaint_type\" = 'HEAT/HOT WATER'")
        # None of the other 241 rows is in core or the quarantine.
        assert conn.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0] == 0
        assert reconciliation_failures(conn, "service_requests") == []
        # HPD's In Progress and Assigned are open requests in GeoReport v2's terms.
        statuses = {rows[n - 1]["status"] for n in heat}
        assert statuses <= {"Open", "In Progress", "Assigned"}
        assert conn.execute("SELECT DISTINCT status FROM core.service_requests").fetchall() == [("open",)]


def test_without_the_filter_every_request_type_is_the_feeds(tmp_path: Path) -> None:
    city = _example(tmp_path, filter=None)
    with warehouse.connect(city.warehouse_path) as conn:
        [file] = ingest_feed(conn, city, "service_requests").files
        assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (300, 300, 0, 0)
        assert conn.execute("SELECT filtered_by FROM meta.file_reconciliation").fetchone() == (None,)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius): plenty for metres apart."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def test_state_plane_coordinates_become_the_published_latitude_and_longitude(tmp_path: Path) -> None:
    """crs: EPSG:2263 (New York Long Island, US feet) -> WGS84 with DuckDB spatial, checked against
    the latitude and longitude NYC publishes beside the State Plane pair in the same export.

    Measured on the 293 requests with coordinates: every point within 4.4 mm of NYC's own
    latitude/longitude (4.38-4.41 mm). The test allows 5 cm, far below the metre a wrong zone, datum or
    unit (metres for feet) would miss by: those miss by hundreds of metres to kilometres.
    """
    rows = _rows(NYC_FILE)
    # Coordinates are kept here only to compare them; the example's own policy coarsens and drops them.
    city = _example(tmp_path, privacy={"actions": {"coordinates": "keep"}}, filter=None)
    with warehouse.connect(city.warehouse_path) as conn:
        [file] = ingest_feed(conn, city, "service_requests").files
        assert (file.rows_written, file.rows_quarantined) == (300, 0)
        stored = conn.execute("SELECT _source_row, lat, long FROM core.service_requests ORDER BY 1").fetchall()
    with_points = [(n, lat, lon) for n, lat, lon in stored if lat is not None]
    # Requests without coordinates in the export stay without them (7 of these 300).
    assert [n for n, lat, _ in stored if lat is None] == [n for n, row in enumerate(rows, start=1) if not row["x_coordinate_state_plane"]]
    assert len(with_points) == 293
    # The export's State Plane pair is what was read: the published degrees were never mapped.
    assert all(rows[n - 1]["x_coordinate_state_plane"] and rows[n - 1]["latitude"] for n, *_ in with_points)
    distances = [_metres(lat, lon, float(rows[n - 1]["latitude"]), float(rows[n - 1]["longitude"])) for n, lat, lon in with_points]
    assert max(distances) < 0.05, max(distances)
    # First request with a point: x 1004051 ft, y 249687 ft in Washington Heights, published as 40.85198589447398, -73.92842546176509.
    first = with_points[0]
    assert (rows[first[0] - 1]["x_coordinate_state_plane"], rows[first[0] - 1]["y_coordinate_state_plane"]) == ("1004051", "249687")
    assert first[1:] == pytest.approx((40.851986, -73.928425), abs=1e-6)


def test_without_crs_the_state_plane_feet_break_the_coordinate_ranges(tmp_path: Path) -> None:
    """The same columns read as degrees (no crs): 1004051 is no longitude; every request with a point
    is quarantined under the coordinate ranges instead of being stored at a wrong place."""
    city = _example(tmp_path, crs=None, filter=None)
    with warehouse.connect(city.warehouse_path) as conn:
        [file] = ingest_feed(conn, city, "service_requests").files
        assert (file.rows_written, file.rows_quarantined) == (7, 293)
        rules = {rule for (rule,) in conn.execute("SELECT DISTINCT unnest(failed_rules) FROM meta.quarantine").fetchall()}
    assert any(rule.startswith("lat:") for rule in rules) and any(rule.startswith("long:") for rule in rules)


def test_the_example_configuration_is_valid_and_names_its_sources() -> None:
    city = load_city_config(NYC / "city.yaml")
    assert city.feed_files("service_requests") == [NYC_FILE]
    sources = (NYC / "SOURCES.md").read_text(encoding="utf-8")
    assert "kexinjiao/4501-final-project" in sources and "7147fcae6193b4fefccf9693014d38075f487126" in sources
