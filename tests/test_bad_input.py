"""The bad-input corpus: every kind of broken delivery gives a clear message or a quarantined row, and loses nothing.

Each case is delivered alone to a fresh city, so what it shows is its own. Cases that the
building-energy fixture covers row by row (negative, wrong type, duplicate key, future date, unknown
unit, missing value, padded text) are in test_ingest.py; file-level failures (empty, malformed,
missing column) too. File-level problems that name the setting that fixes them (encoding,
delimiter, a repeated column, no data rows) are here, with what `city-outcomes quarantine` and
`city-outcomes summary` show of them.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig
from city_outcomes.feeds.ingest import FeedOutcome, ingest_feed
from city_outcomes.feeds.privacy import WITHHELD_LINE
from city_outcomes.feeds.reconcile import reconciliation_failures
from city_outcomes.metrics.emissions import refresh_building_emissions, write_unit_conversions
from pipelines.cli import app
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
    assert rules[3][0] == "unit: isin(['GJ', 'L', 'MMBtu', 'MWh', 'ccf', 'gal', 'kBtu', 'kWh', 'therm', 'ton-hour'])"  # LITRES
    assert rules[4] == ["unit: not_nullable"]


@pytest.mark.parametrize("declared", [False, True], ids=["lines-withheld", "export-declared-non-personal"])
def test_a_latin1_file_declared_as_utf8_says_how_to_fix_it(tmp_path: Path, declared: bool) -> None:
    feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    if declared:
        feeds["building_energy"]["non_personal_columns"] = ["*"]
    content = (CORPUS / "latin1_declared_utf8.csv").read_bytes()
    _, outcome, conn = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_l.csv": content}, feeds=feeds)
    (file,) = outcome.files
    assert file.file_error == (
        f"feed 'building_energy', file {file.source_path}: the file is not utf-8 encoded: byte 0xE9 on line 2 is not valid UTF-8; "
        "it looks like Latin-1 (ISO-8859-1) text: set `encoding: latin-1` for feed 'building_energy'"
    )
    assert (file.rows_read, file.rows_quarantined) == (1, 1)
    line = json.loads(conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()[0])["line"]
    # A line that cannot be split into columns is withheld, unless the feed declares its export holds
    # no personal data; then it is kept, decoded as the file is written.
    assert line == ("F-0101,Café Municipal,01/2023,Electric,10,KWH,1.30" if declared else WITHHELD_LINE)


def _energy_feed(**settings) -> dict:
    """The demo city's building-energy feed with some settings changed. Its export is declared to hold
    no personal data, so an unreadable file's lines are kept in the quarantine and can be compared."""
    feed = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]["building_energy"]
    return {"building_energy": {**feed, "non_personal_columns": ["*"], **settings}}


# The data lines of the three-bill fixtures, as written (counted by hand: a header and three bills).
THREE_BILLS = [
    "F-0101,Oak Street Office,01/2023,Electric,1000,KWH,130.00",
    "F-0102,Elm Street Office,01/2023,Electric,2000,KWH,260.00",
    "F-0103,Hill Library,01/2023,Natural Gas,12,THERMS,11.00",
]
DUPLICATE_LINES = ["F-0101,Oak Street Office,01/2023,120,Natural Gas,THERMS,95", "F-0102,Elm Street Office,01/2023,80,Natural Gas,THERMS,61"]


@pytest.mark.parametrize(
    ("fixture", "settings", "problem", "lines"),
    [
        (
            "utf16_bom.csv", {},
            "the file looks like UTF-16 (it starts with a UTF-16 byte-order mark) but the feed reads it as utf-8: "
            "set `encoding: utf-16` for feed 'building_energy'",
            THREE_BILLS,
        ),
        (
            "utf16_no_bom.csv", {},
            "the file looks like UTF-16 (every other byte is a NUL byte, as in UTF-16 little-endian text without a byte-order mark) "
            "but the feed reads it as utf-8: set `encoding: utf-16` for feed 'building_energy'",
            THREE_BILLS,
        ),
        (
            "semicolon.csv", {},
            "fields are separated by ';', not ',' (with ',' only one column was found): set `delimiter: \";\"` for feed 'building_energy'",
            [line.replace(",", ";") for line in THREE_BILLS],
        ),
        (
            "duplicate_header.csv", {"columns": {**_energy_feed()["building_energy"]["columns"], "quantity": "Gas therms"}},
            "column 'Gas therms' appears twice in the header (columns 4 and 7): rename one in the export or leave the unwanted one out; "
            "the file cannot be read unambiguously",
            DUPLICATE_LINES,
        ),
        ("header_only.csv", {}, "no data rows: the file has a header and nothing else", []),
        ("header_blank_lines.csv", {}, "no data rows: the file has a header and 3 blank line(s), nothing else", []),
    ],
    ids=["utf16-bom", "utf16-no-bom", "semicolon", "duplicate-column", "header-only", "header-and-blank-lines"],
)
def test_a_file_level_problem_says_what_it_is_and_which_setting_fixes_it_and_loses_no_line(
    tmp_path: Path, fixture: str, settings: dict, problem: str, lines: list[str]
) -> None:
    _, outcome, conn = _deliver(tmp_path, "building_energy", {f"building_energy/utility_bills_{fixture}": (CORPUS / fixture).read_bytes()}, feeds=_energy_feed(**settings))
    (file,) = outcome.files
    assert file.file_error == f"feed 'building_energy', file {file.source_path}: {problem}"
    # Every line of data is quarantined, once, as the file has it; a file with none still has its error on record.
    assert (file.rows_read, file.rows_accepted, file.rows_quarantined) == (len(lines), 0, len(lines))
    quarantined = conn.execute("SELECT source_row, failed_rules, raw_values FROM meta.quarantine ORDER BY source_row").fetchall()
    assert [(row, list(rules), json.loads(raw)["line"]) for row, rules, raw in quarantined] == [
        (number, [f"file: {problem}"], line) for number, line in enumerate(lines, start=1)
    ]
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone() == (0,)


def test_a_utf16_export_that_is_also_tab_separated_is_told_both_settings_at_once(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 and tabs. One message names both settings, so one fix reads it."""
    content = (CORPUS / "utf16_bom.csv").read_bytes().decode("utf-16").replace(",", "\t").encode("utf-16")
    _, outcome, _ = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_tabs.csv": content})
    (file,) = outcome.files
    assert file.file_error.endswith(
        "set `encoding: utf-16` for feed 'building_energy'; also fields are separated by tabs, not ',' "
        "(with ',' only one column was found): set `delimiter: \"\\t\"` for feed 'building_energy'"
    )
    assert file.rows_read == file.rows_quarantined == 3
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    _, outcome, _ = _deliver(fixed, "building_energy", {"building_energy/utility_bills_tabs.csv": content}, feeds=_energy_feed(encoding="utf-16", delimiter="\t"))
    assert (outcome.rows_read, outcome.rows_accepted) == (3, 3)


@pytest.mark.parametrize(
    ("fixture", "settings"),
    [
        ("utf16_bom.csv", {"encoding": "utf-16"}),
        ("utf16_no_bom.csv", {"encoding": "utf-16"}),
        ("utf16be_bom.csv", {"encoding": "utf-16"}),  # DuckDB reads only little-endian UTF-16: read from a UTF-8 copy
        ("semicolon.csv", {"delimiter": ";"}),
    ],
    ids=["utf16-bom", "utf16-no-bom", "utf16-big-endian", "semicolon"],
)
def test_the_setting_the_message_names_reads_the_file(tmp_path: Path, fixture: str, settings: dict) -> None:
    _, outcome, conn = _deliver(tmp_path, "building_energy", {f"building_energy/utility_bills_{fixture}": (CORPUS / fixture).read_bytes()}, feeds=_energy_feed(**settings))
    assert (outcome.rows_read, outcome.rows_accepted, outcome.files[0].file_error) == (3, 3, None)
    rows = conn.execute("SELECT building_id, energy_type, quantity, unit, _source_row FROM core.building_energy ORDER BY _source_row").fetchall()
    assert rows == [("F-0101", "electricity", 1000.0, "kWh", 1), ("F-0102", "electricity", 2000.0, "kWh", 2), ("F-0103", "natural_gas", 12.0, "therm", 3)]


def test_a_windows_1252_export_is_named_as_such_and_read_when_configured(tmp_path: Path) -> None:
    """Curly quotes and dashes (0x80-0x9F) are Windows-1252, not Latin-1, which reads them as control characters."""
    content = (CORPUS / "latin1_declared_utf8.csv").read_bytes().replace(b"Caf\xe9", b"Caf\xe9 \x96 O\x92Brien")
    _, outcome, _ = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_w.csv": content})
    assert outcome.files[0].file_error.endswith("it looks like Windows-1252 (cp1252) text: set `encoding: cp1252` for feed 'building_energy'")
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    _, outcome, conn = _deliver(fixed, "building_energy", {"building_energy/utility_bills_w.csv": content}, feeds=_energy_feed(encoding="cp1252"))
    assert outcome.rows_accepted == 1


def test_a_utf8_file_declared_as_latin1_is_not_garbled_silently(tmp_path: Path) -> None:
    content = (CORPUS / "latin1_declared_utf8.csv").read_bytes().decode("latin-1").encode("utf-8")
    _, outcome, _ = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_u.csv": content}, feeds=_energy_feed(encoding="latin-1"))
    assert outcome.files[0].file_error.endswith(
        "the file looks like UTF-8 (its non-ASCII characters, e.g. 'é', are UTF-8 byte sequences) but the feed reads it as latin-1, "
        "which would read 'é' as 'Ã©': set `encoding: utf-8` for feed 'building_energy'"
    )
    assert outcome.files[0].rows_quarantined == 1


def test_an_unknown_encoding_name_and_an_excel_workbook_say_so(tmp_path: Path) -> None:
    import io
    import zipfile

    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    _, outcome, _ = _deliver(tmp_path, "building_energy", {"building_energy/utility_bills_x.csv": workbook.getvalue()})
    assert outcome.files[0].file_error.endswith(
        "the file is a ZIP archive (an Excel .xlsx workbook?), not CSV text: set `format: xlsx` (and `sheet:`, `header_row:`) to read the workbook"
    )
    other = tmp_path / "other"
    other.mkdir()
    _, outcome, _ = _deliver(other, "building_energy", {"building_energy/utility_bills_e.csv": (CORPUS / "bom.csv").read_bytes()}, feeds=_energy_feed(encoding="utf8x"))
    assert outcome.files[0].file_error.endswith(
        "the feed's encoding 'utf8x' is not a known encoding: set `encoding:` for feed 'building_energy' to the file's, e.g. utf-8, latin-1, cp1252 or utf-16"
    )
    assert outcome.files[0].rows_quarantined == 1


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
        (json.dumps({"version": "0.9", "data": {"trips": [_trip(0)]}}).encode(), "does not follow trips.json: version: the value does not match"),
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
    # Named by the contract's rule alone: the calendar's "its month has not ended" is not added to it.
    assert _rules(conn)[2] == ["start_time: must not be after now"]


@pytest.mark.parametrize(
    ("fixture", "problem", "lines"),
    [
        ("empty_array.json", "no data rows: the record array at 'data.trips' is empty", 0),
        # Four lines: the opening, a trip per line, the closing.
        ("utf16_trips.json", "the file looks like UTF-16 (it starts with a UTF-16 byte-order mark) but the feed reads it as utf-8: set `encoding: utf-16` for feed 'trips'", 4),
    ],
    ids=["empty-array", "utf16"],
)
def test_a_json_file_level_problem_says_what_it_is(tmp_path: Path, fixture: str, problem: str, lines: int) -> None:
    _, outcome, conn = _deliver(tmp_path, "trips", {f"trips/{fixture}": (CORPUS / fixture).read_bytes()}, feeds={"trips": TRIPS_FEED})
    (file,) = outcome.files
    assert file.file_error == f"feed 'trips', file {file.source_path}: {problem}"
    assert (file.rows_read, file.rows_accepted, file.rows_quarantined) == (lines, 0, lines)
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    if fixture == "utf16_trips.json":
        _, outcome, _ = _deliver(fixed, "trips", {f"trips/{fixture}": (CORPUS / fixture).read_bytes()}, feeds={"trips": {**TRIPS_FEED, "encoding": "utf-16"}})
        assert (outcome.rows_read, outcome.rows_accepted) == (2, 2)


def test_quarantine_and_summary_list_each_files_problem_first_and_per_feed(tmp_path: Path) -> None:
    """What a user sees: the CLI names every unreadable file of a feed, its problem and the setting, header-only files too."""
    files = {
        "building_energy/utility_bills_2023a.csv": (CORPUS / "utf16_bom.csv").read_bytes(),
        "building_energy/utility_bills_2023b.csv": (CORPUS / "header_only.csv").read_bytes(),
        "building_energy/utility_bills_2023c.csv": (CORPUS / "extra_columns.csv").read_bytes() + b"F-0103,Hill Library,01/2023,Electric,-1,KWH,1.00,,\n",
    }
    city, outcome, conn = _deliver(tmp_path, "building_energy", files)
    for name in ("emission_factors", "global_warming_potentials", "buildings"):
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, (date(2023, 1, 1), date(2024, 1, 1)))
    conn.close()
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (6, 2, 4)

    utf16 = "set `encoding: utf-16` for feed 'building_energy'"
    runner = CliRunner()
    shown = runner.invoke(app, ["quarantine", "--city", str(city.config_path)])
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.output.split())  # as one line, however the terminal wraps it
    assert "Files that could not be read" in text
    assert (
        "building_energy: utility_bills_2023a.csv (3 line(s) quarantined): the file looks like UTF-16 (it starts with a UTF-16 "
        f"byte-order mark) but the feed reads it as utf-8: {utf16} "
        "utility_bills_2023b.csv (0 line(s) quarantined): no data rows: the file has a header and nothing else"
    ) in text
    # Then the rows that broke a rule; the unreadable file's lines are not listed one by one again.
    assert text.index("Files that could not be read") < text.index("building_energy: 1 row(s) quarantined")
    assert "utility_bills_2023a.csv row 1" not in text
    assert "utility_bills_2023c.csv row 3: quantity: greater_than_or_equal_to(0)" in text

    summary = runner.invoke(app, ["summary", "--city", str(city.config_path)])
    assert summary.exit_code == 0, summary.output
    text = " ".join(summary.output.split())
    assert "building_energy: utility_bills_2023a.csv (3 line(s) quarantined): the file looks like UTF-16" in text and utf16 in text
    assert "utility_bills_2023b.csv (0 line(s) quarantined): no data rows: the file has a header and nothing else" in text
