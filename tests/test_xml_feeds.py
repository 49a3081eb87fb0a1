"""XML feeds (``format: xml``): records by path, namespaces, xsi:nil as null, streamed; bad files set aside whole.

Real data: San Francisco's Open311 GeoReport v2 ``requests.xml`` (shipped with its example,
cities/examples/san_francisco_open311). Planted files are written here, each a small change to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from city_outcomes import warehouse
from city_outcomes.config import PROJECT_ROOT, FeedConfig
from city_outcomes.feeds import xml_source
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.privacy import WITHHELD_LINE
from city_outcomes.feeds.reconcile import reconciliation_failures
from tests.conftest import write_city

SF_XML = PROJECT_ROOT / "cities" / "examples" / "san_francisco_open311" / "inbox" / "sf_open311" / "san_francisco_requests.xml"
FEED = {
    "contract": "service_requests",
    "path": "requests/*.xml",
    "format": "xml",
    "records": "service_requests/request",
    "columns": {"requested_at": "requested_datetime"},
    "values": {"status": {"Open": "open", "Closed": "closed"}},
    "timezone": "America/Los_Angeles",
}
REQUEST = (
    "<request><service_request_id>{id}</service_request_id><status>Open</status><service_name>Graffiti</service_name>"
    "<service_code>049</service_code><requested_datetime>2024-03-05 10:00:00</requested_datetime><lat>37.78</lat><long>-122.41</long></request>"
)


def _ingest(tmp_path: Path, files: dict[str, bytes], **settings):
    city = write_city(tmp_path, feeds={"service_requests": {**FEED, **settings}}, timezone="America/Los_Angeles", first_month="2012-05-01")
    for name, content in files.items():
        (city.inbox_dir / "requests").mkdir(parents=True, exist_ok=True)
        (city.inbox_dir / "requests" / name).write_bytes(content)
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "service_requests")
    assert reconciliation_failures(conn, "service_requests") == []
    assert all(f.reconciles for f in outcome.files)
    return outcome, conn


def _document(*requests: str, root: str = "<service_requests>", end: str = "</service_requests>") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + root + "".join(requests) + end).encode()


def test_san_franciscos_real_requests_xml_is_ingested_with_local_times_in_utc(tmp_path: Path) -> None:
    outcome, conn = _ingest(tmp_path, {"san_francisco_requests.xml": SF_XML.read_bytes()}, **{"path": "requests/*.xml"})
    # 56 <request> elements in the file, 4 of them Closed (counted with grep, independently of the reader);
    # 9 open ones have <lat>0.0</lat><long>0.0</long> (counted with lxml's findall), the endpoint's "no
    # location": quarantined under the contract's null-island placeholder rule.
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (56, 47, 9)
    assert outcome.top_rules == [("null_island: placeholder: coordinates at (0, 0) (null island): lat and long are both 0", 9)]
    assert dict(conn.execute("SELECT status, count(*) FROM core.service_requests GROUP BY 1").fetchall()) == {"open": 43, "closed": 4}
    # Record 21 is request 1129755, requested "2012-05-22 20:17:35.317" in San Francisco (PDT, UTC-7).
    row = conn.execute(
        "SELECT service_request_id, service_code, requested_at::VARCHAR, agency_responsible FROM core.service_requests WHERE _source_row = 21"
    ).fetchone()
    assert row == ("1129755", "235", "2012-05-23 03:17:35.317", None)  # <agency_responsible/> is empty: null


def test_xsi_nil_is_null_and_a_nil_required_element_is_quarantined(tmp_path: Path) -> None:
    nil = ' xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    service_code_nil = REQUEST.format(id="1").replace("<service_code>049</service_code>", "<service_code" + nil)
    name_nil = REQUEST.format(id="2").replace("<service_name>Graffiti</service_name>", "<service_name" + nil)
    outcome, conn = _ingest(tmp_path, {"nil.xml": _document(service_code_nil, name_nil)})
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (2, 1, 1)
    assert conn.execute("SELECT service_request_id, service_code FROM core.service_requests").fetchall() == [("1", None)]
    assert conn.execute("SELECT source_row, failed_rules FROM meta.quarantine").fetchall() == [(2, ["service_name: not_nullable"])]


def test_a_required_element_missing_from_one_record_quarantines_that_record_and_from_all_sets_the_file_aside(tmp_path: Path) -> None:
    without = REQUEST.format(id="2").replace("<requested_datetime>2024-03-05 10:00:00</requested_datetime>", "")
    outcome, conn = _ingest(tmp_path, {"one.xml": _document(REQUEST.format(id="1"), without)})
    assert (outcome.rows_written, outcome.rows_quarantined) == (1, 1)
    assert conn.execute("SELECT source_row, failed_rules FROM meta.quarantine").fetchall() == [(2, ["requested_at: not_nullable"])]
    other = tmp_path / "other"
    other.mkdir()
    outcome, _ = _ingest(other, {"all.xml": _document(without, without)})
    error = outcome.files[0].file_error
    assert "required column(s) missing: 'requested_datetime' (for requested_at); the file has ['service_request_id'" in error
    assert outcome.files[0].rows_read == 2 and outcome.files[0].rows_quarantined == 2  # one line per record


def test_malformed_xml_is_set_aside_whole_with_its_line_and_the_feeds_other_files_carry_on(tmp_path: Path) -> None:
    broken = _document(REQUEST.format(id="1"), "\n<request><service_request_id>2</service_request_id>\n<status>Open</request>")
    outcome, conn = _ingest(tmp_path, {"a_broken.xml": broken, "b_good.xml": _document(REQUEST.format(id="3"))})
    bad, good = outcome.files
    assert bad.file_error.startswith(f"feed 'service_requests', file {bad.source_path}: is not well-formed XML")
    assert "line 4" in bad.file_error and "mismatch" in bad.file_error
    # Its 4 lines are quarantined (withheld: the feed may hold personal data); the good file is written.
    assert (bad.rows_read, bad.rows_quarantined, good.rows_written) == (4, 4, 1)
    assert {line for (line,) in conn.execute("SELECT DISTINCT raw_values->>'line' FROM meta.quarantine").fetchall()} == {WITHHELD_LINE}


def test_a_namespaced_export_says_which_namespace_to_declare_and_reads_once_it_is(tmp_path: Path) -> None:
    namespaced = _document(REQUEST.format(id="1"), root='<service_requests xmlns="urn:example:georeport">')
    outcome, _ = _ingest(tmp_path, {"ns.xml": namespaced})
    assert outcome.files[0].file_error.endswith(
        "no <request> record at 'service_requests/request': the file's <service_requests> is in the namespace 'urn:example:georeport', "
        "and a step without a prefix means no namespace: set `namespaces: {ns: 'urn:example:georeport'}` and write the path with it, "
        "e.g. `records: ns:service_requests/ns:request`"
    )
    assert outcome.files[0].rows_read == 2  # the file's two lines (declaration, document), quarantined
    other = tmp_path / "other"
    other.mkdir()
    outcome, conn = _ingest(other, {"ns.xml": namespaced}, records="o:service_requests/o:request", namespaces={"o": "urn:example:georeport"})
    assert (outcome.rows_read, outcome.rows_written) == (1, 1)
    third = tmp_path / "third"
    third.mkdir()
    outcome, _ = _ingest(third, {"ns.xml": namespaced}, records="o:service_requests/o:request", namespaces={"o": "urn:example:other"})
    assert "the file's <service_requests> is in 'urn:example:georeport', but 'o:service_requests' names 'urn:example:other'" in outcome.files[0].file_error


@pytest.mark.parametrize(
    ("content", "problem", "rows"),
    [
        (b'[{"service_request_id": "1"}]', "is not XML: its first character is '[', not '<'; it looks like JSON: set `format: json`", 1),
        (_document(), "no data rows: there is no <request> element at 'service_requests/request'", 0),
        (_document(REQUEST.format(id="1"), root="<requests>", end="</requests>"),
         "no <request> record at 'service_requests/request': the root element is <requests>, not <service_requests>; "
         "set `records:` to the path of the record elements from <requests>", 2),
    ],
)
def test_a_file_that_is_not_the_feeds_xml_says_what_it_is(tmp_path: Path, content: bytes, problem: str, rows: int) -> None:
    outcome, _ = _ingest(tmp_path, {"x.xml": content})
    assert outcome.files[0].file_error.endswith(problem)
    assert (outcome.files[0].rows_read, outcome.files[0].rows_quarantined) == (rows, rows)


def test_attributes_and_deeper_elements_are_read_by_path(tmp_path: Path) -> None:
    record = (
        '<request id="77" channel="phone"><service_name>Streetlight out</service_name><status>Closed</status>'
        "<requested_datetime>2024-03-05 10:00:00</requested_datetime><location><lat>37.5</lat><long>-122.2</long></location></request>"
    )
    columns = {"service_request_id": "@id", "channel": "@channel", "requested_at": "requested_datetime", "lat": "location/lat", "long": "location/long"}
    outcome, conn = _ingest(tmp_path, {"a.xml": _document(record)}, columns=columns)
    assert outcome.rows_written == 1
    assert conn.execute("SELECT service_request_id, channel, status FROM core.service_requests").fetchone() == ("77", "phone", "closed")


def test_a_large_file_is_streamed_record_by_record(tmp_path: Path) -> None:
    """200,000 records: each is handed out with at most a read buffer's worth of records still in the tree, i.e. the
    document is never built whole (peak memory is measured by benchmarks/xml_streaming.py)."""
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write("<service_requests>")
        for n in range(200_000):
            out.write(REQUEST.format(id=n))
        out.write("</service_requests>")
    feed = FeedConfig(**FEED)
    count = 0
    widest = 0
    for record in xml_source._iter_records(path, feed, xml_source.records_path(feed)):
        widest = max(widest, len(record.getparent()))
        count += 1
    assert count == 200_000 and widest < 1_000  # the parser's read-ahead (one buffer), never the whole file
    conn = warehouse.connect(tmp_path / "w.duckdb")
    columns = xml_source.load_xml(conn, feed, path, "_big", [], "__source_row")
    assert "service_request_id" in columns
    assert conn.execute("SELECT count(*), max(__source_row), max(service_request_id::INT) FROM _big").fetchone() == (200_000, 200_000, 199_999)
