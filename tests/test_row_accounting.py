"""Every row read is accounted for where it really went, and the blocking checks catch it when not.

Per file: rows read = rows written to core + quarantined + filtered + held for months another
partition's run writes. Rows outside the reporting calendar are quarantined under a rule naming it.
Each blocking check is shown failing on a planted inconsistency.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from assets import feeds as feed_assets
from city_outcomes import warehouse
from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from city_outcomes.metrics.emissions import refresh_building_emissions, unmatched_energy_rows, write_unit_conversions
from pipelines.definitions import build_definitions
from tests.conftest import write_city

HEADER = "Facility ID,Service Month,Commodity,Usage,UOM,Cost ($)\n"
# A run on 15 March 2025, New York time: the calendar is January 2023 (first_month) to February 2025.
NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


def _bills(tmp_path: Path, **files: str) -> tuple[CityConfig, object]:
    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    for name, rows in files.items():
        (folder / name).write_text(HEADER + rows)
    return city, warehouse.connect(tmp_path / "warehouse.duckdb")


def _quarantined(conn) -> dict[tuple[str, int], list[str]]:
    return {(Path(p).name, r): list(rules) for p, r, rules in conn.execute("SELECT source_path, source_row, failed_rules FROM meta.quarantine").fetchall()}


def test_rows_outside_the_reporting_calendar_are_quarantined_under_a_rule_that_names_it(tmp_path: Path) -> None:
    city, conn = _bills(
        tmp_path,
        **{
            "utility_bills_x.csv": (
                "F-1,01/2023,Electric,100,KWH,10\n"  # the first month of the calendar
                "F-1,12/2022,Electric,100,KWH,10\n"  # before first_month
                "F-1,01/1900,Electric,100,KWH,10\n"  # a placeholder date
                "F-1,02/2025,Electric,100,KWH,10\n"  # the last month that has ended
                "F-1,03/2025,Electric,100,KWH,10\n"  # this month: not ended yet
            )
        },
    )
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    (file,) = outcome.files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_other_months) == (5, 2, 3, 0)
    rules = _quarantined(conn)
    before = "period_month: period outside the reporting calendar (2023-01 to 2025-02): before city.first_month (set it earlier to include this month)"
    assert rules[("utility_bills_x.csv", 2)] == [before]
    # The placeholder date is named as such (the contract's own rule), and only so: "set first_month
    # earlier" would be the wrong advice for it.
    assert rules[("utility_bills_x.csv", 3)] == ["period_month: placeholder: date 1900-01-01 (the zero date of spreadsheets and SQL Server)"]
    assert rules[("utility_bills_x.csv", 5)] == ["period_month: period outside the reporting calendar (2023-01 to 2025-02): its month has not ended on the city's clock (America/New_York)"]
    stored = conn.execute("SELECT _source_row FROM core.building_energy ORDER BY 1").fetchall()
    assert stored == [(1,), (4,)]
    assert reconciliation_failures(conn, "building_energy") == []


def test_a_partition_run_says_which_months_other_partitions_write(tmp_path: Path) -> None:
    city, conn = _bills(tmp_path, **{"utility_bills_x.csv": "F-1,01/2024,Electric,1,KWH,1\nF-1,02/2024,Electric,2,KWH,1\nF-1,02/2024,Natural Gas,3,THERMS,1\nF-1,05/2024,Electric,4,KWH,1\n"})
    outcome = ingest_feed(conn, city, "building_energy", months=(date(2024, 2, 1), date(2024, 3, 1)), now=NOW)
    (file,) = outcome.files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_other_months) == (4, 2, 0, 2)
    assert file.other_months == ["2024-01", "2024-05"]
    assert reconciliation_failures(conn, "building_energy") == []


# Planted faults: the blocking check must see each of them.


@pytest.fixture
def reconciled(tmp_path: Path):
    city, conn = _bills(
        tmp_path,
        **{"utility_bills_a.csv": "F-1,01/2024,Electric,1,KWH,1\nF-1,02/2024,Electric,2,KWH,1\nF-1,03/2024,Electric,-3,KWH,1\n", "utility_bills_b.csv": "F-2,01/2024,Electric,5,KWH,1\n"},
    )
    ingest_feed(conn, city, "building_energy", now=NOW)
    assert reconciliation_failures(conn, "building_energy") == []
    yield conn
    conn.close()


SHA_A = "(SELECT file_sha256 FROM meta.file_reconciliation WHERE source_path LIKE '%utility_bills_a.csv')"


@pytest.mark.parametrize(
    ("plant", "problem"),
    [
        # A row counted as written that never reached core.
        (f"DELETE FROM core.building_energy WHERE _file_sha256 = {SHA_A} AND _source_row = 2", "rows counted as written <> rows of the file in core"),
        # A row stored twice.
        (f"INSERT INTO core.building_energy SELECT * FROM core.building_energy WHERE _file_sha256 = {SHA_A} AND _source_row = 1", "more than once"),
        # Counts that do not add up (the old tautology could not see this: accepted was read - quarantined).
        (f"UPDATE meta.file_reconciliation SET rows_read = rows_read + 1 WHERE file_sha256 = {SHA_A}", "rows read <> written + quarantined"),
        # A quarantined row lost from the quarantine.
        (f"DELETE FROM meta.quarantine WHERE file_sha256 = {SHA_A}", "rows counted as quarantined <> rows of the file in the quarantine"),
        # A quarantined row that was also stored.
        (
            f"INSERT INTO core.building_energy SELECT * REPLACE (3 AS _source_row) FROM core.building_energy WHERE _file_sha256 = {SHA_A} AND _source_row = 1",
            "a row is both in core and quarantined",
        ),
        # A row number the file does not have.
        (f"UPDATE core.building_energy SET _source_row = 99 WHERE _file_sha256 = {SHA_A} AND _source_row = 2", "beyond the rows read"),
    ],
    ids=["lost", "doubled", "counts", "quarantine-lost", "stored-and-quarantined", "invented-row"],
)
def test_rows_reconcile_fails_on_a_planted_inconsistency(reconciled, plant: str, problem: str) -> None:
    reconciled.execute(plant)
    failures = reconciliation_failures(reconciled, "building_energy")
    assert failures and problem in failures[0]["problem"]
    assert Path(failures[0]["source_path"]).name == "utility_bills_a.csv"


def test_rows_reconcile_fails_on_rows_from_a_file_that_is_not_current(reconciled) -> None:
    reconciled.execute("INSERT INTO core.building_energy SELECT * REPLACE ('f00d' AS _file_sha256) FROM core.building_energy LIMIT 1")
    (failure,) = reconciliation_failures(reconciled, "building_energy")
    assert failure["file_sha256"] == "f00d" and "not current" in failure["problem"]


def test_the_blocking_check_in_dagster_fails_when_a_row_never_reaches_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    city, conn = _bills(tmp_path, **{"utility_bills_x.csv": "F-1,01/2024,Electric,1,KWH,1\nF-1,02/2024,Electric,2,KWH,1\n"})
    conn.close()
    real_ingest = feed_assets.ingest_feed

    def ingest_then_lose_a_row(conn, *args, **kwargs):
        outcome = real_ingest(conn, *args, **kwargs)
        conn.execute("DELETE FROM core.building_energy WHERE _source_row = 1")  # January's row, written by this run
        return outcome

    monkeypatch.setattr(feed_assets, "ingest_feed", ingest_then_lose_a_row)
    defs = build_definitions(city)
    result = dg.materialize(
        [defs.get_assets_def(dg.AssetKey(["core", "building_energy"])), *feed_assets.build_feed_checks(city, "building_energy")],
        resources=defs.resources,
        partition_key="2024-01-01",
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    evaluations = {e.event_specific_data.check_name: e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert evaluations["rows_reconcile"].passed is False


def test_every_energy_row_has_emissions_fails_when_an_emissions_row_is_missing(demo_city: CityConfig, conn) -> None:
    for feed in ("emission_factors", "global_warming_potentials", "buildings", "building_energy"):
        ingest_feed(conn, demo_city, feed)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, demo_city, (date(2023, 1, 1), date(2026, 1, 1)))
    assert unmatched_energy_rows(conn) == []
    conn.execute("DELETE FROM out.building_emissions_monthly WHERE building_id = (SELECT min(building_id) FROM out.building_emissions_monthly) AND period_month = DATE '2024-06-01'")
    assert len(unmatched_energy_rows(conn)) == 2  # that building's electricity and gas bills of June 2024


# Exact duplicates


def test_an_exact_copy_is_quarantined_naming_the_row_it_repeats_and_the_first_is_kept(tmp_path: Path) -> None:
    row = "F-1,01/2024,Electric,100,KWH,10\n"
    city, conn = _bills(tmp_path, **{"utility_bills_a.csv": row + "F-2,01/2024,Electric,7,KWH,1\n" + row, "utility_bills_b.csv": row})
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (4, 2, 2)
    assert conn.execute("SELECT _source_row FROM core.building_energy WHERE building_id = 'F-1'").fetchall() == [(1,)]
    rules = _quarantined(conn)
    assert rules[("utility_bills_a.csv", 3)] == ["duplicate: an exact copy of row 1 of utility_bills_a.csv, which is kept"]
    assert rules[("utility_bills_b.csv", 1)] == ["duplicate: an exact copy of row 1 of utility_bills_a.csv, which is kept"]
    assert outcome.top_rules == [("duplicate: an exact copy of an earlier row", 2)]
    assert reconciliation_failures(conn, "building_energy") == []


def test_rows_that_share_a_key_but_differ_are_all_quarantined_and_their_copies_too(tmp_path: Path) -> None:
    city, conn = _bills(tmp_path, **{"utility_bills_a.csv": "F-1,01/2024,Electric,100,KWH,10\nF-1,01/2024,Electric,120,KWH,10\nF-1,01/2024,Electric,100,KWH,10\n"})
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert (outcome.rows_written, outcome.rows_quarantined) == (0, 3)
    rules = _quarantined(conn)
    unique = "unique: building_id, period_month, energy_type"
    assert rules[("utility_bills_a.csv", 1)] == rules[("utility_bills_a.csv", 2)] == [unique]
    assert rules[("utility_bills_a.csv", 3)] == [unique, "duplicate: an exact copy of row 1 of utility_bills_a.csv (quarantined too: other rows share its key)"]


# History is not tied to the inbox


def test_removing_a_file_from_the_inbox_keeps_its_rows_until_it_is_retired(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    city, conn = _bills(tmp_path, **{"utility_bills_a.csv": "F-1,01/2024,Electric,1,KWH,1\nF-1,02/2024,Electric,-2,KWH,1\n", "utility_bills_b.csv": "F-2,01/2024,Electric,5,KWH,1\n"})
    ingest_feed(conn, city, "building_energy", now=NOW)
    (city.inbox_dir / "building_energy" / "utility_bills_a.csv").unlink()
    outcome = ingest_feed(conn, city, "building_energy", now=NOW)
    assert sorted(f.source_path.name for f in outcome.files) == ["utility_bills_a.csv", "utility_bills_b.csv"]  # read from the landing zone
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone()[0] == 2
    conn.close()

    result = CliRunner().invoke(app, ["retire", "building_energy", "utility_bills_a.csv", "--reason", "sent to the wrong city", "--by", "analyst", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    assert "1 row(s) left core" in result.output and "1 quarantined row(s) cleared" in result.output
    conn = warehouse.connect(city.warehouse_path)
    assert conn.execute("SELECT building_id FROM core.building_energy").fetchall() == [("F-2",)]
    assert conn.execute("SELECT retired_by, reason FROM meta.retired_files").fetchall() == [("analyst", "sent to the wrong city")]
    assert reconciliation_failures(conn, "building_energy") == []
    # The same bytes delivered again stay retired, and the run says so.
    (city.inbox_dir / "building_energy" / "utility_bills_a_again.csv").write_text(HEADER + "F-1,01/2024,Electric,1,KWH,1\nF-1,02/2024,Electric,-2,KWH,1\n")
    again = ingest_feed(conn, city, "building_energy", now=NOW)
    assert [f.source_path.name for f in again.files] == ["utility_bills_b.csv"]
    assert "retired on" in again.skipped[0].reason and "analyst" in again.skipped[0].reason
    conn.close()


def test_retiring_a_file_that_is_not_current_names_the_current_ones(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    city, conn = _bills(tmp_path, **{"utility_bills_a.csv": "F-1,01/2024,Electric,1,KWH,1\n"})
    ingest_feed(conn, city, "building_energy", now=NOW)
    conn.close()
    result = CliRunner().invoke(app, ["retire", "building_energy", "nope.csv", "--reason", "x", "--city", str(city.config_path)])
    assert result.exit_code == 2 and "'nope.csv' is not a current file" in result.output and "utility_bills_a.csv" in result.output


# Months on the city's clock


def _trips_city(tmp_path: Path, zone: str) -> CityConfig:
    from tests.test_bad_input import TRIPS_FEED

    return write_city(tmp_path, feeds={"trips": TRIPS_FEED}, timezone=zone)


def test_a_trip_late_on_31_january_local_time_is_a_january_trip(tmp_path: Path) -> None:
    from tests.test_bad_input import _payload, _trip

    city = _trips_city(tmp_path, "America/New_York")
    late = _trip(0, start_ms=int(datetime(2024, 2, 1, 4, 30, tzinfo=UTC).timestamp() * 1000))  # 23:30 EST on 31 January
    (city.inbox_dir / "trips").mkdir(parents=True)
    (city.inbox_dir / "trips" / "t.json").write_bytes(_payload([late]))
    conn = warehouse.connect(city.warehouse_path)
    january = ingest_feed(conn, city, "trips", months=(date(2024, 1, 1), date(2024, 2, 1)), now=NOW)
    assert january.rows_written == 1
    february = ingest_feed(conn, city, "trips", months=(date(2024, 2, 1), date(2024, 3, 1)), now=NOW)
    assert february.rows_written == 0 and february.files[0].other_months == ["2024-01"]
    # In UTC it would have been February's.
    (tmp_path / "utc").mkdir()
    utc = _trips_city(tmp_path / "utc", "UTC")
    (utc.inbox_dir / "trips").mkdir(parents=True)
    (utc.inbox_dir / "trips" / "t.json").write_bytes(_payload([late]))
    conn2 = warehouse.connect(utc.warehouse_path)
    assert ingest_feed(conn2, utc, "trips", months=(date(2024, 2, 1), date(2024, 3, 1)), now=NOW).rows_written == 1


def test_the_partitions_are_cut_at_the_citys_midnight(tmp_path: Path) -> None:
    city = _trips_city(tmp_path, "America/New_York")
    partitions = feed_assets.monthly_partitions(city)
    window = partitions.time_window_for_partition_key("2024-01-01")
    assert window.start.isoformat() == "2024-01-01T00:00:00-05:00" and window.end.isoformat() == "2024-02-01T00:00:00-05:00"


@pytest.mark.parametrize(("zone", "quarantined"), [("America/New_York", True), ("Asia/Tokyo", False)])
def test_not_in_the_future_and_the_month_that_has_ended_are_the_citys(tmp_path: Path, zone: str, quarantined: bool) -> None:
    # 03:00 UTC on 1 December 2026 is still 30 November in New York (the month has not ended),
    # and already noon on 1 December in Tokyo (November has ended).
    city = write_city(tmp_path, timezone=zone, first_month="2026-01-01")
    folder = city.inbox_dir / "fleet_fuel"
    folder.mkdir(parents=True)
    fuel = yaml_feed(city, "fleet_fuel")
    (folder / "fuel_transactions_q4.csv").write_text(fuel)
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "fleet_fuel", now=datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert outcome.rows_quarantined == (1 if quarantined else 0)
    if quarantined:
        (rules,) = conn.execute("SELECT failed_rules FROM meta.quarantine").fetchone()
        assert rules == ["purchase_date: period outside the reporting calendar (2026-01 to 2026-10): its month has not ended on the city's clock (America/New_York)"]


def yaml_feed(city: CityConfig, feed: str) -> str:
    """One fuel purchase on 30 November 2026 in the demo's fuel-card layout."""
    columns = city.feeds[feed].columns
    header = [columns["vehicle_id"], columns["purchase_date"], columns["fuel_type"], columns["quantity"], columns["unit"]]
    fmt = city.feeds[feed].date_formats.get("purchase_date", "%Y-%m-%d")
    values = {v: k for k, v in city.feeds[feed].values.get("fuel_type", {}).items()}
    units = {v: k for k, v in city.feeds[feed].values.get("unit", {}).items()}
    row = ["V-1", datetime(2026, 11, 30).strftime(fmt), values.get("gasoline", "gasoline"), "10", units.get("gal", "gal")]
    return ",".join(header) + "\n" + ",".join(row) + "\n"


def test_a_city_with_timestamped_feeds_must_name_its_time_zone(tmp_path: Path) -> None:
    from tests.test_bad_input import TRIPS_FEED

    with pytest.raises(ValueError, match="city.timezone: required: feeds trips are timestamped"):
        write_city(tmp_path, feeds={"trips": TRIPS_FEED}, timezone=None)
    with pytest.raises(ValueError, match="not an IANA time zone"):
        write_city(tmp_path, timezone="Eastern")


def test_quarantine_values_never_reach_dagster_metadata(tmp_path: Path) -> None:
    city, conn = _bills(tmp_path, **{"utility_bills_x.csv": "F-1,01/2024,Electric,-123456,KWH,1\n"})
    conn.close()
    defs = build_definitions(city)
    key = dg.AssetKey(["core", "building_energy"])
    result = dg.materialize(
        [defs.get_assets_def(key), *feed_assets.build_feed_checks(city, "building_energy")], resources=defs.resources, partition_key="2024-01-01", instance=dg.DagsterInstance.ephemeral(), raise_on_error=False,
    )
    logged = json.dumps([str(e.event_specific_data) for e in result.all_events])
    assert "-123456" not in logged
    clean = next(e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == "contract_clean")
    assert clean.metadata["by_file"].value == [{"file": str(city.inbox_dir / "building_energy" / "utility_bills_x.csv"), "rows": 1, "first_rows": [1], "rules": ["quantity: greater_than_or_equal_to(0)"]}]
