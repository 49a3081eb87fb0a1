"""Reconciliation of the inventory with a city's own published figures (issue 12, item 5).

On the shared real data: Grants Pass's Pacific Power bills (the inventory's activity) against its
dashboard's published electricity (DashboardData.csv, read from ../shared and never copied: its
repository states the GPL). Every expected number is worked out here from the raw CSVs with the csv
module, or by hand from DOMAIN.md, not taken from the code under test.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from city_outcomes import warehouse
from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import refresh_building_emissions, write_unit_conversions
from city_outcomes.metrics.reconciliation import ReconciliationError, _line, parse_period, reconcile, write_reconciliation
from tests.conftest import REALDATA

BILLS = REALDATA / "grants_pass_utility_bills" / "Pacific Power Data 01 2023-05 2023.csv"
DASHBOARD = REALDATA / "grants_pass_dashboard_emissions" / "DashboardData.csv"
needs_realdata = pytest.mark.skipif(
    not (BILLS.is_file() and DASHBOARD.is_file()), reason=f"the Grants Pass bills and dashboard output are not in {REALDATA}"
)
MONTHS = [date(2023, m, 1) for m in range(1, 6)]
LB_PER_TONNE = 2204.62262
# eGRID2019 NWPP total-output rates as Hub 2021 gives them (DOMAIN.md §2): CO2 715.2, CH4 0.068, N2O 0.010 lb/MWh;
# AR4 GWPs 25 and 298 (DOMAIN.md §1): 715.2 + 1.7 + 2.98 = 719.88 lb CO2e/MWh.
EGRID2019_NWPP_LB_CO2E_PER_MWH = 715.2 + 25 * 0.068 + 298 * 0.010
# eGRID2021 NWPP CO2e, the rate the City's dashboard used (DOMAIN.md §12).
EGRID2021_NWPP_LB_CO2E_PER_MWH = 638.523


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", "").strip())


@pytest.fixture(scope="module")
def raw() -> dict:
    """Facts from the two raw CSVs: the metered bills per month and meter, the dashboard's electricity per
    month, and the meter of service agreement 28295751/1/2 (BEACON & HEFLEY) in each month."""
    with BILLS.open(newline="", encoding="utf-8") as f:
        bills = [row for row in csv.DictReader(f) if row["Meter # "].strip()]  # unmetered lighting is quarantined
    with DASHBOARD.open(newline="", encoding="utf-8") as f:
        dashboard = [row for row in csv.DictReader(f) if row["source"] == "Electricity"]
    month = lambda text: date(int(text[:4]), int(text[4:6]), 1)  # noqa: E731  ("202301" and "202301.0")
    kwh, cost = defaultdict(float), defaultdict(float)
    for row in bills:
        kwh[month(row["YearMonth"])] += float(row["KWH Usage"])
        cost[month(row["YearMonth"])] += _money(row["Invoice"])
    published = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in dashboard:
        figures = published[month(row["yearmonth"])]
        figures[0] += float(row["units"])
        figures[1] += float(row["mtco2e"])
        figures[2] += float(row["cost"])
    # This agreement's meter number changes every month of the export (74266183 in January down to 74266179 in
    # May); the dashboard maps meters to facilities and knows only one of them.
    beacon = {month(r["YearMonth"]): (r["Meter # "].strip(), float(r["KWH Usage"]), _money(r["Invoice"]))
              for r in bills if (r["Customer Id"], r["Account Seq"], r["Agreement Seq"]) == ("28295751", "1", "2")}
    return {"kwh": kwh, "cost": cost, "published": published, "beacon": beacon}


def _ingested(folder: Path, electricity_factors: dict[int, str] | None = None) -> CityConfig:
    """Grants Pass ingested (bills, dashboard figures, factors) through its own configuration, which names
    eGRID2021 for 2023 as the City's dashboard does; ``electricity_factors`` names another edition instead."""
    from tests.test_realdata import example_city

    city = example_city("grants_pass", folder)
    if electricity_factors is not None:
        city = city.model_copy(update={"city": city.city.model_copy(update={"electricity_factors": electricity_factors})})
    conn = warehouse.connect(city.warehouse_path)
    for feed in ("emission_factors", "global_warming_potentials", "building_energy", "dashboard_emissions"):
        ingest_feed(conn, city, feed)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, (MONTHS[0], date(2023, 6, 1)))
    conn.close()
    return city


@pytest.fixture(scope="module")
def grants_pass(tmp_path_factory: pytest.TempPathFactory) -> CityConfig:
    """Grants Pass as configured: eGRID2021 NWPP CO2e for 2023."""
    return _ingested(tmp_path_factory.mktemp("grants_pass_reconcile"))


@pytest.fixture(scope="module")
def grants_pass_egrid2019(tmp_path_factory: pytest.TempPathFactory) -> CityConfig:
    """Grants Pass with 2023 at the Hub 2021's eGRID2019 per-gas rates, the project's only edition before issue 12."""
    return _ingested(tmp_path_factory.mktemp("grants_pass_reconcile_2019"), {2023: "epa_ghg_hub_2021"})


def _electricity(result) -> dict[date, object]:
    return {line.period_month: line for line in result.lines if line.source == "electricity"}


@needs_realdata
def test_the_dashboard_leaves_out_the_meters_of_one_agreement(raw) -> None:
    # The derivation the reconciliation tests rest on, from the raw files alone: each month's gap between the
    # bills and the dashboard is that agreement's meter of the month, in kWh and in dollars; May's meter is known.
    for month in MONTHS:
        meter, kwh, cost = raw["beacon"][month]
        gap_kwh = raw["kwh"][month] - raw["published"][month][0]
        gap_cost = raw["cost"][month] - raw["published"][month][2]
        if month < date(2023, 5, 1):
            assert (gap_kwh, round(gap_cost, 2)) == (kwh, cost)
        else:
            assert (meter, gap_kwh, round(gap_cost, 2)) == ("74266179", 0.0, 0.0)
    assert raw["beacon"][MONTHS[0]][:2] == ("74266183", 1360.0)  # "about 1,360 kWh in January" (issue 12)


@needs_realdata
def test_with_egrid2019_grants_pass_is_13_percent_high_and_the_factor_explains_it(grants_pass_egrid2019, raw) -> None:
    with warehouse.connect(grants_pass_egrid2019.warehouse_path, read_only=True) as conn:
        result = reconcile(conn, "dashboard_emissions")
    assert (result.start_month, result.end_month, result.not_compared) == (MONTHS[0], date(2023, 6, 1), [date(2023, 6, 1)])
    lines = _electricity(result)
    ours_per_kwh = EGRID2019_NWPP_LB_CO2E_PER_MWH / LB_PER_TONNE / 1000
    for month in MONTHS:
        line = lines[month]
        meter, missing_kwh, _ = raw["beacon"][month]
        published_kwh, published_t, _ = raw["published"][month]
        assert line.inventory_activity == raw["kwh"][month] and line.published_activity == published_kwh
        assert line.inventory_tonnes == pytest.approx(raw["kwh"][month] * ours_per_kwh, rel=1e-3)
        assert line.published_tonnes == pytest.approx(published_t, rel=1e-12)
        # Factor: the activity both count at (our factor - the published one); activity: the missing meter at ours.
        expected_factor = published_kwh * (ours_per_kwh - published_t / published_kwh)
        assert line.factor_tonnes == pytest.approx(expected_factor, rel=2e-3)
        assert line.factor_tonnes > 0.95 * line.difference_tonnes
        assert "differs" in line.factor_verdict
        if month < date(2023, 5, 1):
            assert line.verdict == "factor + activity"
            assert [(n.side, n.key, n.activity) for n in line.named] == [("inventory", meter, missing_kwh)]
            assert line.activity_tonnes == pytest.approx(missing_kwh * ours_per_kwh, rel=1e-3)
        else:
            assert (line.verdict, line.named, line.activity_tonnes) == ("factor", [], 0.0)
        assert line.factor_tonnes + line.activity_tonnes + line.boundary_tonnes + line.rounding_tonnes == pytest.approx(line.difference_tonnes, abs=1e-9)
    # DOMAIN.md §12: 239.7 t against 212.2 t published in January 2023, +13%.
    january = lines[MONTHS[0]]
    assert (round(january.inventory_tonnes, 1), round(january.published_tonnes, 1)) == (239.7, 212.2)
    assert round(january.difference_share, 2) == 0.13


@needs_realdata
def test_with_the_dashboards_own_factor_every_month_matches_but_for_the_missing_meters(grants_pass, raw, tmp_path: Path) -> None:
    # The example names eGRID2021 for 2023 (city.electricity_factors), as the City's dashboard uses: NWPP CO2e.
    copy = tmp_path / "copy.duckdb"
    shutil.copy(grants_pass.warehouse_path, copy)
    per_kwh = EGRID2021_NWPP_LB_CO2E_PER_MWH / LB_PER_TONNE / 1000
    with warehouse.connect(copy) as conn:
        result = reconcile(conn, "dashboard_emissions")
        assert write_reconciliation(conn, result) == len(result.lines)
        stored = dict(conn.execute("SELECT period_month, verdict FROM out.inventory_reconciliation WHERE source = 'electricity'").fetchall())
    lines = _electricity(result)
    for month in MONTHS:
        line = lines[month]
        meter, missing_kwh, _ = raw["beacon"][month]
        assert abs(line.difference_share) < 0.005, month
        # The published tCO2e / kWh is 638.5238 lb/MWh against 638.523: the last printed digit, i.e. rounding.
        assert line.factor_verdict == "matches" and line.factor_tonnes == 0.0
        if month < date(2023, 5, 1):
            assert line.verdict == stored[month] == "activity"
            assert [n.key for n in line.named] == [meter]
            assert line.activity_tonnes == pytest.approx(missing_kwh * per_kwh, rel=1e-9)
        else:
            assert line.verdict == stored[month] == "matches"
        assert abs(line.rounding_tonnes) <= max(0.001, 1e-4 * line.published_tonnes)


@needs_realdata
def test_sources_the_inventory_does_not_count_are_boundary(grants_pass) -> None:
    with warehouse.connect(grants_pass.warehouse_path, read_only=True) as conn:
        result = reconcile(conn, "dashboard_emissions", parse_period("2023-02"))
    # DashboardData.csv, February 2023 (by hand from the file): Diesel, Gasoline, Natural Gas and Electricity rows.
    assert {line.source: line.verdict for line in result.lines} == {
        "diesel": "boundary", "gasoline": "boundary", "natural_gas": "boundary", "electricity": "activity",
    }
    gas = next(line for line in result.lines if line.source == "natural_gas")
    assert gas.boundary_tonnes == -gas.published_tonnes and gas.inventory_tonnes == 0.0


@needs_realdata
def test_the_command_prints_and_answers_json(grants_pass) -> None:
    import json

    from pipelines.cli import app

    city_file = grants_pass.config_path
    # The example's file names the warehouse under data/examples; point the command at the test's copy.
    env = {"CITY_OUTCOMES_CITY": ""}
    runner = CliRunner()
    import yaml

    raw = yaml.safe_load(city_file.read_text(encoding="utf-8"))
    raw["paths"] = {"inbox": str(REALDATA.resolve()), "landing": str(grants_pass.landing_dir), "warehouse": str(grants_pass.warehouse_path), "site": str(grants_pass.site_dir)}
    for feed in raw["feeds"].values():
        for lookup in (feed.get("lookup") or {}).values():
            lookup["from"]["file"] = str((city_file.parent / lookup["from"]["file"]).resolve())
    config = grants_pass.warehouse_path.parent / "city.yaml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    out = runner.invoke(app, ["reconcile", "--against", "dashboard_emissions", "--city", str(config), "--period", "2023-01"], env=env)
    assert out.exit_code == 0, out.output
    assert "74266183" in out.output and "| activity |" in out.output.replace("│", "|")
    answer = runner.invoke(app, ["reconcile", "--against", "dashboard_emissions", "--city", str(config), "--json"], env=env)
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    assert data["published_months_not_compared"] == ["2023-06-01"] and len({line["period_month"] for line in data["lines"]}) == 5
    wrong = runner.invoke(app, ["reconcile", "--against", "building_energy", "--city", str(config)], env=env)
    assert wrong.exit_code != 0 and "dashboard_emissions" in wrong.output
    bad_period = runner.invoke(app, ["reconcile", "--against", "dashboard_emissions", "--city", str(config), "--period", "2023-13"], env=env)
    assert bad_period.exit_code != 0 and "2023-01..2023-05" in bad_period.output


def test_periods() -> None:
    assert parse_period("2023") == (date(2023, 1, 1), date(2024, 1, 1))
    assert parse_period("2023-12") == (date(2023, 12, 1), date(2024, 1, 1))
    assert parse_period("2023-01..2023-05") == (date(2023, 1, 1), date(2023, 6, 1))
    for wrong in ("2023-13", "2023-05..2023-01", "Jan 2023", "2023-1"):
        with pytest.raises(ValueError, match="a range of months"):
            parse_period(wrong)


def _row(side: str, key: str, kwh: float, tonnes: float, cost: float | None = None) -> dict:
    return {"side": side, "row_key": key, "department": None, "activity_quantity": kwh, "activity_unit": "kWh",
            "co2e_tonnes": tonnes, "cost_usd": cost, "basis": None}


def test_rows_keyed_by_meter_are_compared_one_by_one() -> None:
    # By hand: meter A, 1,000 kWh: ours 0.40 t, published 0.30 t -> factor 1,000 x (0.0004 - 0.0003) = +0.10 t.
    # Meter B, 500 kWh, only ours: +0.20 t activity. Meter C, 200 kWh, only published (0.06 t): -0.06 t activity.
    inventory = [_row("inventory", "A", 1000, 0.40), _row("inventory", "B", 500, 0.20)]
    published = [_row("published", "A", 1000, 0.30), _row("published", "C", 200, 0.06)]
    line = _line(date(2023, 1, 1), "electricity", inventory, published, None)
    assert line.factor_tonnes == pytest.approx(0.10) and line.activity_tonnes == pytest.approx(0.14)
    assert sorted((n.side, n.key) for n in line.named) == [("inventory", "B"), ("published", "C")]
    assert line.verdict == "factor + activity" and line.difference_tonnes == pytest.approx(0.24)


def test_a_gap_two_sets_could_fill_is_not_named() -> None:
    # Facilities against meters with a 100 kWh gap that meter X or meter Y (both 100 kWh, no costs) could be:
    # the comparison names neither and says why; the gap's tonnes are still activity.
    inventory = [_row("inventory", "X", 100, 0.03), _row("inventory", "Y", 100, 0.03), _row("inventory", "Z", 800, 0.24)]
    published = [_row("published", "Facility", 900, 0.27)]
    line = _line(date(2023, 1, 1), "electricity", inventory, published, None)
    assert line.named == [] and "more than one" in line.explanation
    assert line.activity_tonnes == pytest.approx(0.03) and line.factor_tonnes == 0.0


def test_no_published_feed_is_an_error(conn) -> None:
    with pytest.raises(ReconciliationError, match="no inventory yet"):
        reconcile(conn, "dashboard_emissions")


def test_the_demo_citys_published_figures_reconcile_to_the_planted_factor_and_meter(tmp_path: Path) -> None:
    """The demo dashboard applies eGRID2021's RFCE CO2e rate to 2024 and never connected the last building's meter."""
    import pandas as pd

    from city_outcomes.demo import generate
    from city_outcomes.demo.published import left_out_meter
    from tests.conftest import write_city

    city = write_city(tmp_path)
    generate(city.inbox_dir)
    with warehouse.connect(city.warehouse_path) as conn:
        for name in ("buildings", "building_energy", "emission_factors", "global_warming_potentials", "published_emissions"):
            ingest_feed(conn, city, name)
        write_unit_conversions(conn)
        refresh_building_emissions(conn, city, (date(2024, 1, 1), date(2025, 1, 1)))
        result = reconcile(conn, "published_emissions", parse_period("2024"))
        bills = conn.execute(
            "SELECT period_month, building_id, CASE unit WHEN 'MWh' THEN quantity * 1000 ELSE quantity END FROM core.building_energy "
            "WHERE energy_type = 'electricity' AND year(period_month) = 2024"
        ).fetchall()
    missing = left_out_meter(pd.read_csv(city.inbox_dir / "facilities" / "facility_inventory.csv"))
    # kg CO2e per kWh: the inventory's 2024 default is eGRID2023 (599.17 lb/MWh), the dashboard's eGRID2021 (675.996).
    inventory_rate, dashboard_rate = 599.17 * 0.45359237 / 1000, 675.996 * 0.45359237 / 1000
    lines = {line.period_month: line for line in result.lines if line.source == "electricity"}
    assert len(lines) == 12
    published: dict[str, float] = defaultdict(float)
    with (city.inbox_dir / "published" / "dashboard_electricity_2024.csv").open() as handle:
        for row in csv.DictReader(handle):
            published[row["Month"]] += float(row["MTCO2e"])
    for month, line in lines.items():
        counted = sum(kwh for m, b, kwh in bills if m == month and b != missing)
        left_out = sum(kwh for m, b, kwh in bills if m == month and b == missing)
        published_tonnes = published[month.strftime("%m/%Y")]
        # The whole difference: the inventory's kWh at its rate, less what the dashboard printed.
        assert line.difference_tonnes == pytest.approx((counted + left_out) * inventory_rate / 1000 - published_tonnes, abs=1e-6)
        # Activity: the meter only the inventory has, at the inventory's rate.
        assert line.activity_tonnes == pytest.approx(left_out * inventory_rate / 1000, rel=1e-6)
        # Factor: the kWh both sides count, at the two rates, up to the dashboard's rounding of its 59 rows to 0.1 t.
        assert line.factor_tonnes == pytest.approx(counted * (inventory_rate - dashboard_rate) / 1000, abs=0.05 * 59)
        assert line.factor_tonnes < -80 and line.activity_tonnes > 0
        assert [named.key for named in line.named] == [missing]
        assert line.factor_tonnes + line.activity_tonnes + line.boundary_tonnes + line.rounding_tonnes == pytest.approx(line.difference_tonnes)


@pytest.fixture(scope="module")
def grants_pass_with_fleet(tmp_path_factory: pytest.TempPathFactory) -> CityConfig:
    """Grants Pass as configured, its fleet's fuel purchases (Fuel data Jan-April.csv) computed too."""
    from city_outcomes.metrics.fleet import refresh_fleet_emissions

    city = _ingested(tmp_path_factory.mktemp("grants_pass_reconcile_fleet"))
    with warehouse.connect(city.warehouse_path) as conn:
        ingest_feed(conn, city, "fleet_fuel")
        refresh_fleet_emissions(conn, city, (MONTHS[0], date(2023, 6, 1)))
    return city


@needs_realdata
def test_the_fleets_fuels_match_the_dashboards_gallons_and_differ_by_its_co2_only_factor(grants_pass_with_fleet, raw) -> None:
    # By hand from DashboardData.csv: the City's Gasoline and Diesel rows of January-March 2023, their gallons and
    # tCO2e; every row's tCO2e / gallons is 8.78 or 10.21 kg (Hub 2021 Table 2's CO2 alone).
    published: dict[tuple[date, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    with DASHBOARD.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["source"] in ("Gasoline", "Diesel") and row["yearmonth"].startswith("2023"):
                figures = published[(date(2023, int(float(row["yearmonth"])) % 100, 1), row["source"].lower())]
                figures[0] += float(row["units"])
                figures[1] += float(row["mtco2e"])
    assert sorted({month for month, _ in published}) == MONTHS[:3]
    with warehouse.connect(grants_pass_with_fleet.warehouse_path, read_only=True) as conn:
        result = reconcile(conn, "dashboard_emissions")
    lines = {(line.period_month, line.source): line for line in result.lines if line.source in ("gasoline", "diesel")}
    assert set(lines) == set(published)
    # The inventory adds the per-gallon CH4 and N2O the dashboard leaves out (Hub 2021 Table 5, AR4):
    # gasoline 8.78 + 0.00558 x 25 + 0.0002 x 298 = 8.9791 kg; diesel 10.21 + 0.00013 x 25 + 0.00049 x 298 = 10.35927 kg.
    ours = {"gasoline": 8.9791, "diesel": 10.35927}
    theirs = {"gasoline": 8.78, "diesel": 10.21}
    for (month, fuel), (gallons, tonnes) in published.items():
        line = lines[(month, fuel)]
        assert tonnes == pytest.approx(gallons * theirs[fuel] / 1000, rel=1e-9)
        # The same gallons, purchase by purchase summed, as the dashboard's: the whole difference is the factor.
        assert line.inventory_activity == pytest.approx(gallons, abs=0.005) and line.verdict == "factor", line.explanation
        assert line.factor_tonnes == pytest.approx(gallons * (ours[fuel] - theirs[fuel]) / 1000, rel=1e-6)
        assert line.activity_tonnes == 0 and line.boundary_tonnes == 0 and abs(line.rounding_tonnes) < 1e-6
        assert f"published {theirs[fuel]:.4f} kg/gal" in line.factor_verdict
