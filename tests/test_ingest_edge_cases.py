"""Edge cases of the ingest a review found (each failed before its fix): optional columns that differ
between files, a malformed row past the part checked before reading, feeds that name each row's
zone, broken copies and duplicates beside the calendar, replaced and same-bytes files, retiring
them, a crash between landing and writing, and personal values in rule texts or JSON members.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.quarantine import quarantine_rules_by_file
from city_outcomes.feeds.reconcile import reconciliation_failures
from pipelines.cli import app
from tests.conftest import write_city
from tests.test_bad_input import TRIPS_FEED, _payload, _trip

# A run on 15 March 2025, New York time: the calendar is January 2023 (first_month) to February 2025.
NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
BILLS_HEADER = "Facility ID,Service Month,Commodity,Usage,UOM,Cost ($)\n"


def _deliver(city: CityConfig, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        target = city.inbox_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)


def _rules(conn) -> dict[tuple[str, int], list[str]]:
    return {(Path(p).name, r): list(x) for p, r, x in conn.execute("SELECT source_path, source_row, failed_rules FROM meta.quarantine").fetchall()}


# ---------------------------------------------------------------------------------------------------
# F1. A feed that names each row's time zone (timezone_columns: the demo's EV sessions, the Palo Alto
#    example) crashes with KeyError as soon as one row is quarantined: _mapped_headers adds the
#    pseudo-column "start_time__zone", and quarantine_values_sql looks it up in the contract's schema.


def test_a_bad_row_in_a_feed_with_timezone_columns_is_quarantined_not_a_crash(tmp_path: Path) -> None:
    city = write_city(tmp_path)  # the demo city's ev_charging_sessions feed, with timezone_columns
    _deliver(
        city,
        {
            "ev_charging/ChargePoint_Session_Export_2024.csv": (
                "Station Name,Port Number,Start Date,Start Time Zone,End Date,End Time Zone,Energy (kWh),User ID,Latitude,Longitude\n"
                "CITY HALL / 1,1,7/29/2024 20:17,EDT,7/29/2024 21:17,EDT,12.5,U-1,40.1,-75.1\n"
                "CITY HALL / 1,1,7/30/2024 20:17,EDT,7/30/2024 21:17,EDT,-3,U-2,40.1,-75.1\n"  # negative energy
            )
        },
    )
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "ev_charging_sessions", now=NOW)
    assert (outcome.rows_written, outcome.rows_quarantined) == (1, 1)
    (values,) = conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()
    assert json.loads(values)["Start Time Zone"] == "EDT"


# ---------------------------------------------------------------------------------------------------
# F2. A malformed CSV row beyond the sniffed head (64 KB) is only found by the INSERT in _load_typed,
#    which is outside the FileError handling: the whole feed's ingest raises (the other files are not
#    ingested either), and DuckDB's message, with the raw line ("Original Line: ..."), is what reaches
#    Dagster's event log.


def test_a_malformed_row_after_the_first_64_kb_sets_the_file_aside_and_the_other_files_carry_on(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    good_rows = "".join(f"F-{i},01/2024,Electric,100,KWH,10\n" for i in range(4000))  # ~130 KB
    _deliver(
        city,
        {
            "building_energy/utility_bills_a.csv": BILLS_HEADER + good_rows + "Jane Doe,555-0100,jane@example.org,1,2,3,4\n",
            "building_energy/utility_bills_b.csv": BILLS_HEADER + "F-1,02/2024,Electric,100,KWH,10\n",
        },
    )
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)  # raises duckdb.InvalidInputException
    broken = next(f for f in outcome.files if f.source_path.name == "utility_bills_a.csv")
    assert broken.file_error is not None and "Jane Doe" not in broken.file_error
    assert next(f for f in outcome.files if f.source_path.name == "utility_bills_b.csv").rows_written == 1


def test_files_of_one_feed_may_differ_in_their_optional_columns(tmp_path: Path) -> None:
    # F3. Pre-existing (since 47c115c), found in review: _typed_rows takes its columns from the first file;
    # a cast-failure flag exists only for a column the file has, so a later file with an optional column
    # the first lacks (the 2024 export added "Cost ($)") fails INSERT ... BY NAME with a BinderException
    # and the whole feed's ingest raises.
    city = write_city(tmp_path)
    _deliver(
        city,
        {
            "building_energy/utility_bills_2023.csv": "Facility ID,Service Month,Commodity,Usage,UOM\nF-1,01/2023,Electric,100,KWH\n",
            "building_energy/utility_bills_2024.csv": BILLS_HEADER + "F-1,01/2024,Electric,100,KWH,10\n",
        },
    )
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert outcome.rows_written == 2


# ---------------------------------------------------------------------------------------------------
# F5. Unique keys are "judged among rows that pass every other rule, so a broken copy of a good row does
#    not take the good row with it" (README). KEY_COPIES is computed before the reporting-calendar rule
#    and the JSON Schema rules are added, so a copy broken by either still counts as a key copy.


def test_a_copy_outside_the_reporting_calendar_does_not_take_the_good_row_with_it(tmp_path: Path) -> None:
    city = write_city(tmp_path)  # service_requests_crm: key service_request_id, time requested_at
    _deliver(
        city,
        {
            "service_requests/crm/crm_cases_2024.csv": (
                "Case Number,Request Type,Status,Date Opened\n"
                "SR-1,Pothole,Open,01/06/1900 03:20:10 PM\n"  # a placeholder date: outside the calendar
                "SR-1,Pothole,Open,01/06/2024 03:20:10 PM\n"  # the good row
            )
        },
    )
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "service_requests_crm", now=NOW)
    rules = _rules(conn)
    assert not any(r.startswith("unique") for r in rules.get(("crm_cases_2024.csv", 2), [])), rules
    assert outcome.rows_written == 1


def test_an_exact_copy_is_not_quarantined_as_a_copy_of_a_row_that_is_not_kept(tmp_path: Path) -> None:
    # Two trips identical in every contract column; the first breaks MDS in a column the contract does
    # not use (accuracy must be an integer). The first is quarantined for that; the second is then
    # quarantined as "an exact copy of row 1 ..., which is kept": nothing is kept, and the message is false.
    first, second = _trip(0), _trip(0)
    first["accuracy"] = "five"
    city = write_city(tmp_path, feeds={"trips": TRIPS_FEED})
    _deliver(city, {"trips/2024-05.json": _payload([first, second])})
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "trips", now=NOW)
    rules = _rules(conn)
    assert outcome.rows_written == 1, rules
    assert ("2024-05.json", 2) not in rules


def test_a_duplicate_of_a_row_outside_the_calendar_does_not_say_the_row_is_kept(tmp_path: Path) -> None:
    row = "F-1,12/2022,Electric,100,KWH,10\n"  # before first_month (2023-01): quarantined
    city = write_city(tmp_path)
    _deliver(city, {"building_energy/utility_bills_a.csv": BILLS_HEADER + row + row})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)
    rules = _rules(conn)[("utility_bills_a.csv", 2)]
    assert not any("which is kept" in rule for rule in rules), rules


# ---------------------------------------------------------------------------------------------------
# F4. A new version under the same name, ingested by a partition-limited run (the monthly schedule, or a
#    one-month re-run), replaces its predecessor only inside the run's months: the predecessor's rows of
#    every other month stay in core, and rows_reconcile (whose orphan check looks only inside the run's
#    window) passes. Retiring the file afterwards leaves those rows too (retire deletes by the current
#    file's hash only).


def _replaced_in_a_one_month_run(tmp_path: Path):
    city = write_city(tmp_path)
    path = "building_energy/utility_bills_2024.csv"
    _deliver(city, {path: BILLS_HEADER + "F-1,01/2024,Electric,100,KWH,10\nF-1,02/2024,Electric,200,KWH,10\n"})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)  # every month
    # The utility re-issues the file: both months corrected.
    _deliver(city, {path: BILLS_HEADER + "F-1,01/2024,Electric,110,KWH,10\nF-1,02/2024,Electric,210,KWH,10\n"})
    ingest_feed(conn, city, "building_energy", months=(date(2024, 1, 1), date(2024, 2, 1)), now=NOW)
    return city, conn


def test_a_replaced_file_leaves_no_rows_in_core_after_a_partition_run(tmp_path: Path) -> None:
    _, conn = _replaced_in_a_one_month_run(tmp_path)
    stale = conn.execute(
        """SELECT period_month, quantity FROM core.building_energy
           WHERE _file_sha256 NOT IN (SELECT file_sha256 FROM meta.current_files WHERE feed = 'building_energy')"""
    ).fetchall()
    failures = reconciliation_failures(conn, "building_energy")
    assert stale == [] or failures, f"core holds the replaced version's rows {stale} and rows_reconcile passes"


def test_retiring_a_replaced_file_removes_its_predecessors_rows_too(tmp_path: Path) -> None:
    city, conn = _replaced_in_a_one_month_run(tmp_path)
    conn.close()
    result = CliRunner().invoke(app, ["retire", "building_energy", "utility_bills_2024.csv", "--reason", "sent in error", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    conn = warehouse.connect(city.warehouse_path)
    left = conn.execute("SELECT period_month, quantity FROM core.building_energy").fetchall()
    assert left == [], f"rows of the retired delivery still in core: {left}"


# ---------------------------------------------------------------------------------------------------
# F6. The same bytes under two names: current_files keeps only the first name (sorted) and
#    only that one was recorded as current, so the second name was never current. It could not be
#    retired by its name, it is not listed in the run's outcome, and when the first name gets a new
#    version after the second has left the inbox, the second delivery's rows silently disappear,
#    though "files stay current until retired".


def test_the_same_bytes_under_a_second_name_stay_current_when_the_first_name_is_replaced(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    content = BILLS_HEADER + "F-9,01/2024,Electric,100,KWH,10\n"
    _deliver(city, {"building_energy/utility_bills_a.csv": content, "building_energy/utility_bills_b.csv": content})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)
    (city.inbox_dir / "building_energy" / "utility_bills_b.csv").unlink()  # read from the landing zone from now on
    _deliver(city, {"building_energy/utility_bills_a.csv": BILLS_HEADER + "F-1,01/2024,Electric,5,KWH,1\n"})  # a new version of a
    ingest_feed(conn, city, "building_energy", now=NOW)
    buildings = sorted(b for (b,) in conn.execute("SELECT building_id FROM core.building_energy").fetchall())
    assert buildings == ["F-1", "F-9"], "utility_bills_b.csv was never retired, but its row is gone"


def test_the_same_bytes_under_a_second_name_can_be_retired_by_that_name(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    content = BILLS_HEADER + "F-9,01/2024,Electric,100,KWH,10\n"
    _deliver(city, {"building_energy/utility_bills_a.csv": content, "building_energy/utility_bills_b.csv": content})
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    conn.close()
    listed = sorted(f.source_path.name for f in outcome.files) + sorted(s.path.name for s in outcome.skipped)
    assert listed == ["utility_bills_a.csv", "utility_bills_b.csv"], f"the run's outcome names only {listed}"
    result = CliRunner().invoke(app, ["retire", "building_energy", "utility_bills_b.csv", "--reason", "duplicate delivery", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------------
# F7. Exact copies are only looked for among rows whose whole unique key is non-null. EV sessions have a
#    nullable port_id in their key: an export without port numbers (single-port chargers) stores
#    every exact copy, and the kWh are counted twice.


EV_FEED = {
    "contract": "ev_charging_sessions",
    "path": "ev/*.csv",
    "columns": {"station_id": "Station", "port_id": "Port", "start_time": "Start", "end_time": "End", "energy_kwh": "kWh"},
    "timezone": "America/New_York",
}


def test_an_exact_copy_of_a_session_without_a_port_number_is_not_stored_twice(tmp_path: Path) -> None:
    city = write_city(tmp_path, feeds={"ev": EV_FEED})
    row = "LIBRARY,,2024-07-29 20:17:00,2024-07-29 21:17:00,12.5\n"
    _deliver(city, {"ev/sessions_2024.csv": "Station,Port,Start,End,kWh\n" + row + row})
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "ev", now=NOW)
    assert (outcome.rows_written, outcome.rows_quarantined) == (1, 1)


def test_contract_clean_counts_quarantined_rows_not_rules(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    _deliver(city, {"building_energy/utility_bills_a.csv": BILLS_HEADER + "F-1,01/2024,Electric,-100,THERMS,10\n"})  # negative, and therms for electricity
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert outcome.rows_quarantined == 1
    (by_file,) = quarantine_rules_by_file(conn, "building_energy")
    assert len(by_file["rules"]) == 2
    assert (by_file["rows"], by_file["first_rows"]) == (1, [1])


# ---------------------------------------------------------------------------------------------------
# F9. The allow-list shows a JSON record's top-level member in full when the feed declares ['*'], even
#    where the contract reads personal fields from inside it: MDS trips' route holds the exact start and
#    end coordinates that core coarsens to tracts and the quarantine withholds under start_lat etc.
#    (Without ['*'], the withheld text for `route` invites the analyst to list it in non_personal_columns.)


def test_declaring_no_extra_column_personal_does_not_show_the_coordinates_the_contract_withholds(tmp_path: Path) -> None:
    feed = {**TRIPS_FEED, "non_personal_columns": ["*"]}
    trip = _trip(0)
    trip["trip_duration"] = 11_491_603  # quarantined: longer than 24 hours
    city = write_city(tmp_path, feeds={"trips": feed})
    _deliver(city, {"trips/2024-05.json": _payload([trip])})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "trips", now=NOW)
    (values,) = conn.execute("SELECT raw_values FROM meta.quarantine").fetchone()
    shown = json.loads(values)
    assert "withheld" in str(shown["route.features.0.geometry.coordinates.1"])  # the mapped column is withheld...
    assert "40.6" not in json.dumps(shown.get("route")), f"...but route shows it: {shown.get('route')}"


def test_a_file_delivered_without_its_header_does_not_put_its_first_row_into_the_rule_text(tmp_path: Path) -> None:
    # F8. A common export mistake: the header row left out. "required column(s) missing ...; the file has
    # [<the first data row>]" puts a reporter's name and e-mail into the rule (meta.quarantine's
    # failed_rules), the file error (logged to Dagster with context.log.error), top_rules (logged) and
    # contract_clean's metadata, although the file's lines themselves are withheld.
    city = write_city(tmp_path)
    _deliver(
        city,
        {
            "service_requests/crm/crm_cases_2024.csv": (
                "SR-1,Pothole,Open,01/06/2024 03:20:10 PM,Jane Roe,jane.roe@example.org,555-0100\n"
                "SR-2,Pothole,Open,01/07/2024 03:20:10 PM,John Doe,john.doe@example.org,555-0101\n"
            )
        },
    )
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "service_requests_crm", now=NOW)
    (file,) = outcome.files
    assert file.file_error is not None
    logged = json.dumps([file.file_error, outcome.top_rules, quarantine_rules_by_file(conn, "service_requests_crm")])
    assert "jane.roe@example.org" not in logged and "Jane Roe" not in logged, file.file_error


# ---------------------------------------------------------------------------------------------------
# F11. Crash-safety between landing and the transaction: land_file records meta.landed_files in its own
#    autocommit statement, current_files only inside the ingest's transaction. If the process dies in
#    between and the department then removes the file from the inbox (it was delivered; it is landed),
#    the delivery is never current and its rows never reach core, with no message anywhere.


def test_a_file_landed_before_a_crash_is_still_current_after_it_leaves_the_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    city = write_city(tmp_path)
    _deliver(city, {"building_energy/utility_bills_a.csv": BILLS_HEADER + "F-1,01/2024,Electric,100,KWH,10\n"})
    conn = warehouse.connect(city.warehouse_path)

    def crash(*args, **kwargs):
        raise SystemExit("killed")

    import city_outcomes.feeds.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "_clear_core", crash)  # dies inside the write transaction
    with pytest.raises(SystemExit):
        ingest_feed(conn, city, "building_energy", now=NOW)
    monkeypatch.undo()
    assert conn.execute("SELECT count(*) FROM meta.landed_files").fetchone()[0] == 1  # it was landed
    (city.inbox_dir / "building_energy" / "utility_bills_a.csv").unlink()
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert outcome.rows_written == 1, "a landed delivery was lost"


# ---------------------------------------------------------------------------------------------------
# F12. `city-outcomes retire` prints RetireError through rich markup: a file argument (or a current
#     file's name) holding "[/...]" crashes the CLI with a MarkupError instead of the message.


def test_retire_prints_a_file_name_with_brackets_as_text(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    _deliver(city, {"building_energy/utility_bills_a.csv": BILLS_HEADER + "F-1,01/2024,Electric,100,KWH,10\n"})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "building_energy", now=NOW)
    conn.close()
    result = CliRunner().invoke(app, ["retire", "building_energy", "bills[/red].csv", "--reason", "x", "--city", str(city.config_path)])
    assert result.exit_code == 2 and "is not a current file" in result.output, (result.exit_code, result.output, result.exception)


# ---------------------------------------------------------------------------------------------------
# F9. DuckDB's CSV sniffer takes '#' for a comment sign where a few lines start with it, and skips those
#    lines: facilities keyed "#5" were never read, and rows read = written + quarantined held while rows
#    of the file were lost (both rows below were skipped before comment = '' in reader.CSV_SCAN).


def test_rows_whose_first_value_starts_with_a_hash_sign_are_read_not_skipped_as_comments(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    rows = [f"{i},01/2024,Electric,{100 + i},KWH,10\n" for i in range(1, 41)]
    rows[4] = "#5,01/2024,Electric,105,KWH,10\n"
    rows[20] = "#21,01/2024,Electric,-5,KWH,10\n"  # negative usage: quarantined, and shown as the file has it
    _deliver(city, {"building_energy/utility_bills_2024.csv": BILLS_HEADER + "".join(rows)})
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (40, 39, 1)
    assert conn.execute("SELECT list(building_id) FROM core.building_energy WHERE starts_with(building_id, '#')").fetchone()[0] == ["#5"]
    (row, values) = conn.execute("SELECT source_row, raw_values FROM meta.quarantine").fetchone()
    assert row == 21
    assert json.loads(values)["Facility ID"] == "#21"
    assert json.loads(values)["Usage"] == "-5"
