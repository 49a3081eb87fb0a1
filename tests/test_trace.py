"""`city-outcomes trace`: a published number followed to its exact rows, file and formula, by hand."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from city_outcomes.config import CityConfig
from city_outcomes.metrics.runs import metric_runs, record_metric_run
from city_outcomes.trace import TraceError, row_ranges, trace_metric
from pipelines.cli import app
from tests.test_emissions import AR4_CH4, AR4_N2O, GAS_CH4_G, GAS_CO2_KG, GAS_N2O_G, KG_PER_LB, RFCE_2023_CO2E, _build


def _bill_rows(city: CityConfig, building: str, month: str) -> dict[int, tuple[str, float, str]]:
    """Row number (1 = the first line after the header) -> (commodity, usage, unit), read from the export itself."""
    lines = (city.inbox_dir / "building_energy" / "utility_bills_2023.csv").read_text().splitlines()[1:]
    rows = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split(",")
        if fields[0] == building and fields[2] == month:
            rows[number] = (fields[3], float(fields[4]), fields[5])
    return rows


def test_a_building_month_is_traced_to_its_bills_and_formula(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    bills = _bill_rows(demo_city, "F-0101", "05/2023")
    assert sorted(c for c, _, _ in bills.values()) == ["Electric", "Natural Gas"]
    by_hand = 0.0
    for commodity, usage, unit in bills.values():
        if commodity == "Electric":
            assert unit == "KWH"
            # The demo names no edition: 2023's default is eGRID2023, whose RFCE rate is given as CO2e.
            by_hand += usage / 1000 * KG_PER_LB * RFCE_2023_CO2E / 1000
        else:
            assert unit == "THERMS"  # 1 therm = 0.1 MMBtu
            by_hand += usage * 0.1 * (GAS_CO2_KG + GAS_CH4_G / 1000 * AR4_CH4 + GAS_N2O_G / 1000 * AR4_N2O) / 1000

    traced = trace_metric(conn, "building_co2e_tonnes", "2023-05", {"building_id": "F-0101"})
    assert traced.value == pytest.approx(by_hand, rel=1e-9)
    assert traced.rows == 2
    [source] = traced.sources
    export = demo_city.inbox_dir / "building_energy" / "utility_bills_2023.csv"
    assert source.feed == "building_energy" and source.contract == "building_energy"
    assert source.file_sha256 == hashlib.sha256(export.read_bytes()).hexdigest()
    assert source.row_numbers == row_ranges(list(bills)) and source.rows == 2
    assert source.landed_path and source.landed_path.endswith("utility_bills_2023.csv")
    assert traced.formula["file"] == "city_outcomes/sql/building_emissions_monthly.sql"
    # The contract version the file was checked against: the one its contract declares.
    from data_contracts.building_energy import BuildingEnergy

    assert source.contract_version == BuildingEnergy.Config.metadata["version"] == "1.3.0"
    assert traced.parameters["factor_set"] == ["egrid2023", "epa_ghg_hub_2021"]
    assert traced.parameters["gwp_set"] == ["AR4"] and traced.parameters["grid_subregion"] == ["RFCE"]
    # Each factor applied, as EPA publishes it (typed from the tables in tests/test_emissions.py).
    applied = {(f["factor_set"], f["gas"]): (f["value"], f["unit"]) for f in traced.factors}
    assert applied == {
        ("egrid2023", "CO2e"): (RFCE_2023_CO2E, "lb/MWh"),
        ("epa_ghg_hub_2021", "CO2"): (GAS_CO2_KG, "kg/MMBtu"),
        ("epa_ghg_hub_2021", "CH4"): (GAS_CH4_G, "g/MMBtu"),
        ("epa_ghg_hub_2021", "N2O"): (GAS_N2O_G, "g/MMBtu"),
    }
    assert all(f["source_document"] and f["data_year"] for f in traced.factors)


def test_a_year_and_a_department_add_up_to_the_rows_they_select(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    expected = conn.execute(
        "SELECT sum(co2e_tonnes), count(*) FROM out.building_emissions_monthly WHERE year(period_month) = 2024 AND department = 'Library'"
    ).fetchone()
    traced = trace_metric(conn, "building_co2e_tonnes", "2024", {"department": "Library"})
    assert (traced.value, traced.rows) == (pytest.approx(expected[0], rel=1e-12), expected[1])
    assert sum(s.rows for s in traced.sources) == expected[1]


@pytest.mark.parametrize(
    ("metric", "period", "where", "names"),
    [
        ("building_co2e", None, {}, "building_co2e_tonnes"),  # the valid metrics
        ("building_co2e_tonnes", "1999", {}, "2023-01"),  # the valid periods
        ("building_co2e_tonnes", "May 2023", {}, "a month (2023-05)"),
        ("building_co2e_tonnes", None, {"colour": "red"}, "department"),  # the valid dimensions
        ("building_co2e_tonnes", None, {"department": "Nope"}, "Library"),  # the valid values
    ],
)
def test_a_wrong_metric_period_or_filter_lists_the_valid_ones(demo_city: CityConfig, conn, metric, period, where, names) -> None:
    _build(conn, demo_city)
    with pytest.raises((TraceError, KeyError)) as error:
        trace_metric(conn, metric, period, where)
    assert names in str(error.value)


def test_the_command_prints_the_trace_and_json(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    record_metric_run(conn, "out.building_emissions_monthly", (date(2023, 1, 1), date(2026, 1, 1)), "run-123")
    expected = trace_metric(conn, "building_co2e_tonnes", "2023-05", {"building_id": "F-0101"}).value
    conn.close()  # the command opens the warehouse read-only
    runner = CliRunner()
    args = ["trace", "building_co2e_tonnes", "--period", "2023-05", "--where", "building_id=F-0101", "--city", str(demo_city.config_path)]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "utility_bills_2023.csv" in shown.output and "run run-123" in shown.output
    as_json = runner.invoke(app, [*args, "--json"])
    data = json.loads(as_json.output)
    assert data["value"] == pytest.approx(expected) and data["runs"][0]["run_id"] == "run-123"
    # The code version, recorded with the run and now: this checkout's commit, as git itself gives it.
    head = subprocess.run(["git", "-C", str(Path(__file__).parents[1]), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert data["runs"][0]["code_version"].startswith(f"git {head.stdout.strip()}")
        assert data["code_version_now"].startswith(f"git {head.stdout.strip()}") and head.stdout.strip()[:12] in shown.output
    wrong = runner.invoke(app, ["trace", "nope", "--city", str(demo_city.config_path)])
    assert wrong.exit_code == 2 and "building_co2e_tonnes" in wrong.output


def test_runs_are_found_by_the_months_they_computed(conn) -> None:
    record_metric_run(conn, "out.t", (date(2023, 1, 1), date(2023, 7, 1)), "first-half")
    record_metric_run(conn, "out.t", (date(2023, 7, 1), date(2024, 1, 1)), "second-half")
    assert [r["run_id"] for r in metric_runs(conn, "out.t", date(2023, 5, 1), date(2023, 6, 1))] == ["first-half"]
    assert {r["run_id"] for r in metric_runs(conn, "out.t", date(2023, 1, 1), date(2024, 1, 1))} == {"first-half", "second-half"}
    assert metric_runs(conn, "out.t", date(2024, 1, 1), date(2025, 1, 1)) == []


def test_row_ranges() -> None:
    assert row_ranges([9, 10, 2, 3, 4, 7]) == "2-4, 7, 9-10"
    assert row_ranges([5]) == "5" and row_ranges([]) == ""
