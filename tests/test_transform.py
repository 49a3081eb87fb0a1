"""The feed's own transformations: filter, derive, decimal commas and projected coordinates, on planted input."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from city_outcomes.config import load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from city_outcomes.feeds.transform import ExpressionError, check_expression
from tests.conftest import write_city

HEADER = "Facility ID,Owner,Service Month,Commodity,Usage,UOM,Gallons,Unit Price\n"
ROWS = [
    "B1,City,01/2024,Electric,100,KWH,2,3.5",
    "B2,County,01/2024,Electric,200,KWH,1,1",  # not the city's: filtered out
    "B3,City,01/2024,Electric,-5,KWH,1,1",  # the city's, and breaks quantity >= 0: quarantined
    "B4,County,01/2024,Electric,-7,KWH,1,1",  # breaks a rule but is not the city's: filtered, not quarantined
    "B5, city ,02/2024,Electric,300,KWH,4,0.25",  # the filter's expression trims and lowercases
]


def _energy_feed(**extra) -> dict:
    return {
        "building_energy": {
            "contract": "building_energy",
            "path": "building_energy/*.csv",
            "columns": {"building_id": "Facility ID", "period_month": "Service Month", "energy_type": "Commodity", "quantity": "Usage", "unit": "UOM"},
            "values": {"energy_type": {"Electric": "electricity"}, "unit": {"KWH": "kWh"}},
            "date_formats": {"period_month": "%m/%Y"},
            **extra,
        }
    }


def _city(tmp_path: Path, text: str, **extra):
    city = write_city(tmp_path, feeds=_energy_feed(**extra))
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "bills.csv").write_text(text)
    return city


def test_filter_keeps_the_feeds_rows_and_counts_the_others(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", filter="lower(trim(\"Owner\")) = 'city'")
    outcome = ingest_feed(conn, city, "building_energy")
    [file] = outcome.files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (5, 2, 1, 2)
    # Kept rows keep their own row numbers in the file.
    assert conn.execute("SELECT building_id, _source_row FROM core.building_energy ORDER BY 2").fetchall() == [("B1", 1), ("B5", 5)]
    assert conn.execute("SELECT source_row FROM meta.quarantine").fetchall() == [(3,)]
    assert conn.execute("SELECT filtered_by FROM meta.file_reconciliation").fetchone()[0] == "lower(trim(\"Owner\")) = 'city'"
    assert reconciliation_failures(conn, "building_energy") == []


def test_a_filter_that_keeps_nothing_counts_every_row(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", filter="\"Owner\" = 'State'")
    [file] = ingest_feed(conn, city, "building_energy").files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (5, 0, 0, 5)


def test_derived_column_is_computed_and_checked_like_an_export_column(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", derive={"cost_usd": 'TRY_CAST("Gallons" AS DOUBLE) * TRY_CAST("Unit Price" AS DOUBLE)'})
    ingest_feed(conn, city, "building_energy")
    costs = dict(conn.execute("SELECT building_id, cost_usd FROM core.building_energy").fetchall())
    assert costs == {"B1": 7.0, "B2": 1.0, "B5": 1.0}  # 2 x 3.5, 1 x 1, 4 x 0.25; B3 and B4 are quarantined


def test_derived_column_reading_a_column_the_file_lacks_is_a_file_error(tmp_path: Path, conn) -> None:
    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", derive={"cost_usd": 'TRY_CAST("Price" AS DOUBLE) * 2'})
    [file] = ingest_feed(conn, city, "building_energy").files
    assert file.rows_written == 0 and file.rows_quarantined == 5
    assert "'Price' (for derive.cost_usd, which reads 'Price')" in file.file_error


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("(SELECT max(quantity) FROM core.building_energy)", "subquery"),
        ("read_csv('/etc/passwd')", "'read_csv' is not allowed"),
        ("getenv('HOME')", "'getenv' is not allowed"),
        ("core.building_energy.quantity", "not a table's column"),
        ("CAST(\"Usage\" AS STRUCT(a INT))", "casts to"),
        ("\"Usage\" +", "not a SQL expression"),
        ("sum(\"Usage\")", "not allowed"),
        ("", "empty"),
    ],
)
def test_expressions_outside_the_allow_list_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError, match=problem):
        check_expression(text, "derive.cost_usd")


def test_allowed_expressions_pass() -> None:
    for text in [
        'TRY_CAST("Gallons" AS DOUBLE) * TRY_CAST("Unit Price" AS DOUBLE)',
        "1 - TRY_CAST(white AS DOUBLE) / nullif(TRY_CAST(total AS DOUBLE), 0)",
        "CASE WHEN status = 'Closed' THEN closed_dt END",
        "\"Station Name\" || ' #' || \"Port Number\"",
        "strptime(\"Date\", '%m/%d/%Y') >= DATE '2020-01-01'",
        "\"Type\" IN ('Street Light Out', 'Pole Knocked Down') AND NOT starts_with(\"Status\", 'Dup')",
    ]:
        check_expression(text, "filter")


def test_a_bad_expression_is_a_configuration_error_naming_the_feed_and_key(tmp_path: Path) -> None:
    city = write_city(tmp_path)
    raw = yaml.safe_load(city.config_path.read_text())
    raw["feeds"] = _energy_feed(derive={"cost_usd": "read_csv('x')"})
    city.config_path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError) as error:
        load_city_config(city.config_path)
    assert "feeds.building_energy.derive" in str(error.value) and "'read_csv' is not allowed" in str(error.value)


def test_derive_of_a_column_the_contract_does_not_have_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"city.yaml:\d+: feeds.building_energy.derive.fuel_cost: 'fuel_cost' is not a column of contract building_energy"):
        write_city(tmp_path, feeds=_energy_feed(derive={"fuel_cost": "1"}))


def test_decimal_commas(tmp_path: Path, conn) -> None:
    text = 'Facility ID;Service Month;Commodity;Usage;UOM;Cost\nB1;01/2024;Electric;"1.234,5";KWH;"12,25"\nB2;01/2024;Electric;0,5;KWH;3\n'
    feeds = _energy_feed(delimiter=";", decimal=",")
    feeds["building_energy"]["columns"]["cost_usd"] = "Cost"
    city = write_city(tmp_path, feeds=feeds)
    (city.inbox_dir / "building_energy").mkdir(parents=True)
    (city.inbox_dir / "building_energy" / "bills.csv").write_text(text)
    ingest_feed(conn, city, "building_energy")
    assert conn.execute("SELECT building_id, quantity, cost_usd FROM core.building_energy ORDER BY 1").fetchall() == [("B1", 1234.5, 12.25), ("B2", 0.5, 3.0)]


def test_a_derived_number_is_not_read_as_a_decimal_comma_export(tmp_path: Path, conn) -> None:
    # The expression reads the export's "3,5" itself (replace), and DuckDB writes its result with a
    # decimal point ("7.0"): that point is not a thousands separator, so the cost is 3.5 x 2 = 7, not 70.
    text = "Facility ID;Service Month;Commodity;Usage;UOM;Gallons\nB1;01/2024;Electric;1.234,5;KWH;3,5\n"
    feeds = _energy_feed(delimiter=";", decimal=",", derive={"cost_usd": "TRY_CAST(replace(\"Gallons\", ',', '.') AS DOUBLE) * 2"})
    city = write_city(tmp_path, feeds=feeds)
    (city.inbox_dir / "building_energy").mkdir(parents=True)
    (city.inbox_dir / "building_energy" / "bills.csv").write_text(text)
    ingest_feed(conn, city, "building_energy")
    assert conn.execute("SELECT quantity, cost_usd FROM core.building_energy").fetchall() == [(1234.5, 7.0)]


def _web_mercator(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:3857 by its closed form (spherical Mercator, R = 6,378,137 m): an independent reference."""
    radius = 6_378_137.0
    return radius * math.radians(lon), radius * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def test_projected_coordinates_are_turned_into_degrees_before_the_checks(tmp_path: Path, conn) -> None:
    points = {"R1": (-87.6298, 41.8781), "R2": (-122.4194, 37.7749)}
    lines = ["service_request_id,service_name,requested_datetime,X,Y,status"]
    for rid, (lon, lat) in points.items():
        x, y = _web_mercator(lon, lat)
        lines.append(f"{rid},Street Light Out,2024-01-05T10:00:00Z,{x:.3f},{y:.3f},open")
    lines.append("R3,Street Light Out,2024-01-05T10:00:00Z,N/A,4600000,open")  # no number: a type error, not a missing point
    feeds = {
        "service_requests": {
            "contract": "service_requests",
            "path": "sr/*.csv",
            "columns": {"lat": "Y", "long": "X", "requested_at": "requested_datetime"},
            "crs": "EPSG:3857",
            "non_personal_columns": ["*"],
        }
    }
    city = write_city(tmp_path, feeds=feeds, privacy={"actions": {"coordinates": "keep"}})
    (city.inbox_dir / "sr").mkdir(parents=True)
    (city.inbox_dir / "sr" / "requests.csv").write_text("\n".join(lines) + "\n")
    outcome = ingest_feed(conn, city, "service_requests")
    stored = {rid: (lon, lat) for rid, lat, lon in conn.execute("SELECT service_request_id, lat, long FROM core.service_requests").fetchall()}
    for rid, (lon, lat) in points.items():
        assert stored[rid] == pytest.approx((lon, lat), abs=1e-6)
    assert outcome.rows_quarantined == 1
    assert conn.execute("SELECT failed_rules FROM meta.quarantine").fetchone()[0] == ["lat: less_than_or_equal_to(90)", "long: type float64"]  # Y stays unprojected feet


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("UPDATE meta.file_reconciliation SET rows_filtered = rows_filtered - 1", "rows read <> written + quarantined + filtered"),
        # A filtered-out row that reached core anyway: core no longer holds what the counts say.
        (
            "INSERT INTO core.building_energy SELECT * REPLACE (_source_row + 1 AS _source_row) FROM core.building_energy WHERE _source_row = 1",
            "",
        ),
    ],
)
def test_the_reconciliation_check_fails_when_filtered_rows_do_not_add_up(tmp_path: Path, conn, fault: str, message: str) -> None:
    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", filter="lower(trim(\"Owner\")) = 'city'")
    ingest_feed(conn, city, "building_energy")
    assert reconciliation_failures(conn, "building_energy") == []
    conn.execute(fault)
    failures = reconciliation_failures(conn, "building_energy")
    assert failures and message in str(failures)


def test_the_cli_summary_shows_rows_filtered_out(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    city = _city(tmp_path, HEADER + "\n".join(ROWS) + "\n", filter="lower(trim(\"Owner\")) = 'city'")
    result = CliRunner().invoke(app, ["run", "--city", str(city.config_path)], env={"DAGSTER_HOME": str(tmp_path / "home"), "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "filtered out" in result.output
    [row] = [line for line in result.output.splitlines() if "building_energy" in line and "│" in line]
    # read, written, quarantined, filtered out, other months: 5 = 2 + 1 + 2 + 0
    assert [cell.strip() for cell in row.split("│")][4:9] == ["5", "2", "1", "2", "0"]
