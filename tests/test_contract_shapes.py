"""The shapes cities export, as contracts: annual benchmarking, daily/monthly EV charging energy, and
tract estimates with margins of error. Each accepts its real example (shipped in
``cities/examples/<name>/inbox/``) and quarantines planted bad rows under the named rules.

Expected values are read here from the files with Python's csv module, or worked out in comments;
every example also runs end to end through ``city-outcomes run`` in tests/test_examples_run.py.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from city_outcomes import warehouse
from city_outcomes.config import PROJECT_ROOT, CityConfig, IngestSettings, Paths, load_city_config
from city_outcomes.feeds.ingest import FeedOutcome, ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from data_contracts import get_contract
from data_contracts.census_tract_estimates import ESTIMATE_RULE, ESTIMATES, MOE_RULE
from tests.conftest import write_city

EXAMPLES = PROJECT_ROOT / "cities" / "examples"
SEATTLE = EXAMPLES / "seattle_benchmarking" / "inbox" / "2016_Building_Energy_Benchmarking_city_owned.csv"
SANTA_BARBARA = EXAMPLES / "santa_barbara_ev_energy" / "inbox" / "SB-County-County Public reporting 2024.csv"
DVRPC = EXAMPLES / "dvrpc_mercer_tracts" / "inbox" / "DVRPC_2016_Indicators_of_Potential_Disadvantage_Mercer.csv"


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def ingest_example(name: str, folder: Path, extra_lines: str = "", **feed_overrides) -> tuple[duckdb.DuckDBPyConnection, FeedOutcome]:
    """Ingest an example's one feed into ``folder``; ``extra_lines`` are appended to a copy of its
    file (planted rows), ``feed_overrides`` change its feed settings."""
    source = EXAMPLES / name / "city.yaml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    (feed_name, feed), = raw["feeds"].items()
    feed.update(feed_overrides)
    inbox = EXAMPLES / name / "inbox"
    if extra_lines:
        shipped = next(inbox.glob(feed["path"]))
        inbox = folder / "inbox"
        inbox.mkdir()
        (inbox / shipped.name).write_bytes(shipped.read_bytes() + extra_lines.encode("utf-8"))
    path = folder / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    city: CityConfig = load_city_config(path)
    paths = Paths(inbox=inbox.resolve(), landing=folder / "landing", warehouse=folder / "warehouse.duckdb", site=folder / "site")
    city = city.model_copy(update={"paths": paths, "ingest": IngestSettings(settle_seconds=0)})
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, feed_name)
    assert reconciliation_failures(conn, feed_name) == []
    return conn, outcome


def quarantine(conn: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    rows = conn.execute("SELECT source_row, failed_rules FROM meta.quarantine ORDER BY source_row").fetchall()
    return {row: list(rules) for row, rules in rows}


# --- building_benchmarking: Seattle 2016, City-owned buildings -----------------------------------


def test_seattle_city_owned_buildings_are_accepted_with_portfolio_manager_fields(tmp_path: Path) -> None:
    rows = csv_rows(SEATTLE)
    assert len(rows) == 85 and {r["BuildingType"] for r in rows} == {"Nonresidential COS"}
    conn, outcome = ingest_example("seattle_benchmarking", tmp_path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (85, 85, 0)
    # Row 2: the Central Library (OSEBuildingID 21): 412,000 ft², 5,231,916 kWh, no gas, 737,559.5 kBtu
    # of district steam, 18,588,860 kBtu site energy, 181.38 t CO2e, no ENERGY STAR score.
    assert conn.execute(
        "SELECT property_name, calendar_year, property_type, gross_floor_area_sqft, electricity_grid_kwh, natural_gas_kbtu, "
        "district_steam_kbtu, site_energy_use_kbtu, total_ghg_emissions_mtco2e, energy_star_score, fuel_oil_2_kbtu, latitude "
        "FROM core.building_benchmarking WHERE property_id = '21'"
    ).fetchone() == ("The Seattle Public Library - Central Library", 2016, "Other", 412000.0, 5231916.0, 0.0, 737559.5, 18588860.0, 181.38, None, None, 47.60649)
    # The one "NULL" score (row 56) is missing, not a number; the other 11 scores are kept.
    assert rows[55]["ENERGYSTARScore"] == "NULL"
    scored = sum(r["ENERGYSTARScore"] not in ("", "NULL") for r in rows)
    assert conn.execute("SELECT count(energy_star_score) FROM core.building_benchmarking").fetchone()[0] == scored == 11
    # Gas in kBtu is Seattle's therms × 100, to Seattle's own rounding.
    assert max(abs(float(r["NaturalGas(therms)"]) * 100 - float(r["NaturalGas(kBtu)"])) for r in rows) < 1
    conn.close()


# Two real lines of the full 2016 file (not shipped; SOURCES.md): the Bullitt Center, which exports more
# solar than it buys, and a building that did not report (OSEBuildingID 773, Non-Compliant).
BULLITT = ("49784,2016,NonResidential,Small- and Mid-Sized Office,Bullitt Center,1501 E. Madison St.,Seattle,WA,98122,7234600195,3,CENTRAL,"
           "47.61432,-122.31257,2013,1,6,52000,0,52000,Office,Office,48159,,,,,,100,7.099999905,5,2,-2.099999905,342726.0938,240132.0938,0,"
           "-33826.80078,-115417,0,0,false,,Compliant,,-0.8,-0.02\r\n")
NOT_REPORTED = ("773,2016,NonResidential,Small- and Mid-Sized Office,SEATTLE BUILDING,215 COLUMBIA ST,Seattle,WA,98104,0939000245,7,DOWNTOWN,"
                "47.6038,-122.33293,1924,,4,63150,0,63150,,,,,,,,,,,,,,,,,,,,,false,,Non-Compliant,,,\r\n")


def _seattle_line(building_id: str, year: str, lat: str, lon: str, kwh: str) -> str:
    return (f"{building_id},{year},Nonresidential COS,Office,Planted,1 Main St,Seattle,WA,98104,0000000000,7,DOWNTOWN,{lat},{lon},1950,1,2,"
            f"20000,0,20000,Office,Office,20000,,,,,,,50,50,100,100,1000000,1000000,0,{kwh},1,0,0,false,,Compliant,,10,0.5\r\n")


def test_benchmarking_quarantines_net_export_non_reporters_null_island_and_duplicates(tmp_path: Path) -> None:
    planted = BULLITT + NOT_REPORTED + "".join([
        _seattle_line("P-1", "2016", "0", "0", "1000"),  # 88: null island
        _seattle_line("21", "2016", "47.60649", "-122.33297", "1"),  # 89: a second Central Library 2016, different figures
        _seattle_line("P-2", "2099", "47.6", "-122.3", "1000"),  # 90: a year not yet over
        _seattle_line("P-3", "2016", "0", "-122.3", "1000"),  # 91: latitude 0 alone is not the placeholder
    ])
    conn, outcome = ingest_example("seattle_benchmarking", tmp_path, planted)
    assert quarantine(conn) == {
        86: ["electricity_grid_kwh: greater_than_or_equal_to(0)", "total_ghg_emissions_mtco2e: greater_than_or_equal_to(0)"],
        87: ["reports_energy: at least one energy use (electricity, a fuel or the site total) must be given"],
        88: ["null_island: placeholder: coordinates at (0, 0) (null island): latitude and longitude are both 0"],
        90: ["calendar_year: must not be after the current year"],
        # The unique key is judged among otherwise-valid rows: both Central Library 2016 rows go.
        2: ["unique: property_id, calendar_year"],
        89: ["unique: property_id, calendar_year"],
    }
    assert (outcome.rows_read, outcome.rows_accepted) == (91, 85)
    conn.close()


# --- ev_charging_energy: Santa Barbara County's daily portfolio report ----------------------------


def test_santa_barbara_daily_report_is_accepted_day_by_day(tmp_path: Path) -> None:
    rows = csv_rows(SANTA_BARBARA)
    conn, outcome = ingest_example("santa_barbara_ev_energy", tmp_path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (366, 366, 0)  # 2024 is a leap year
    energy = sum(float(r["Energy delivered (kWh)"]) for r in rows)
    sessions = sum(int(r["Started Sessions"]) for r in rows)
    assert round(energy, 2) == 423677.11 and sessions == 33169
    assert conn.execute(
        "SELECT count(*), round(sum(energy_kwh), 2), sum(sessions), count(DISTINCT station_id), min(period_start), max(period_start), "
        "bool_and(period_grain = 'day'), count(port_count) FROM core.ev_charging_energy"
    ).fetchone() == (366, 423677.11, 33169, 1, date(2024, 1, 1), date(2024, 12, 31), True, 0)
    # 1 January 2024: 29 sessions started, 193.61462 kWh.
    assert conn.execute("SELECT sessions, energy_kwh FROM core.ev_charging_energy WHERE period_start = DATE '2024-01-01'").fetchone() == (29, 193.61462)
    conn.close()


def test_ev_charging_energy_quarantines_planted_periods(tmp_path: Path) -> None:
    header = "station_id,period_start,period_grain,energy_kwh,sessions,port_count\n"
    lines = [
        "CP-1,2024-02-01,month,5000,120,4",  # 1: a month
        "CP-1,2024-02-15,month,5000,120,4",  # 2: a month that does not start on the 1st
        "CP-2,2024-02-15,day,20000,30,2",  # 3: 2 ports × 400 kW × 24 h = 19,200 kWh at most in a day
        "CP-2,2024-02-16,day,19000,30,2",  # 4: just within
        "CP-3,2024-02-16,week,100,3,",  # 5: not a grain
        "CP-3,2099-01-01,day,100,3,",  # 6: a day not yet come
        "CP-3,1970-01-01,day,100,3,",  # 7: the epoch date placeholder
        "CP-4,2024-02-01,month,1000,10,",  # 8 and 9: one station-month twice, with different figures
        "CP-4,2024-02-01,month,1200,12,",
        "CP-4,2024-02-01,day,40,1,",  # 10: the same date as a day is another period
    ]
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "energy.csv").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    raw = {"contract": "ev_charging_energy", "path": "energy.csv"}
    city = write_city(tmp_path, feeds={"ev_charging_energy": raw}, first_month="1970-01-01")
    conn = warehouse.connect(city.warehouse_path)
    outcome = ingest_feed(conn, city, "ev_charging_energy")
    assert quarantine(conn) == {
        2: ["month_starts_on_the_first: a month's period_start must be the first day of the month"],
        3: ["energy_within_port_power: energy_kwh must not exceed port_count × 400 kW × the hours of the period (24 for a day, 744 for a month)"],
        5: ["period_grain: isin(['day', 'month'])"],
        6: ["period_start: must not be after today"],  # the calendar's "not ended" is not added to it
        7: ["period_start: placeholder: date at the Unix epoch 1970-01-01"],
        8: ["unique: station_id, period_start, period_grain"],
        9: ["unique: station_id, period_start, period_grain"],
    }
    assert (outcome.rows_read, outcome.rows_accepted) == (10, 3)
    conn.close()


# --- census_tract_estimates: DVRPC's Mercer County tracts ----------------------------------------


def test_every_estimate_has_its_margin_of_error_column() -> None:
    columns = get_contract("census_tract_estimates").schema.columns
    for name in ESTIMATES:
        moe = columns[f"{name}_moe"]
        assert moe.nullable and [check.error for check in moe.checks] == [MOE_RULE], name
        assert "90% confidence" in moe.description
    assert {name for name in columns if name.endswith("_moe")} == {f"{name}_moe" for name in ESTIMATES}


def test_dvrpc_tract_counts_and_their_margins_of_error(tmp_path: Path) -> None:
    rows = csv_rows(DVRPC)
    assert len(rows) == 77 and {r["CNTY_NAME"] for r in rows} == {"Mercer"}
    conn, outcome = ingest_example("dvrpc_mercer_tracts", tmp_path)
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (77, 77, 0)
    # Row 1, tract 25: 6,115 ± 672 people, all in the poverty universe; 1,426 ± 626 below twice the
    # poverty level; 1,176 ± 501 of a race other than white alone; 1,702 ± 302 Hispanic or Latino.
    assert conn.execute(
        "SELECT tract_name, acs_vintage, population, population_moe, poverty_universe, poverty_universe_moe, people_below_twice_poverty, "
        "people_below_twice_poverty_moe, racial_minority, racial_minority_moe, hispanic_or_latino, hispanic_or_latino_moe, households, "
        "median_household_income_usd_moe FROM core.census_tract_estimates WHERE tract_geoid = '34021002500'"
    ).fetchone() == ("25", "2012-2016", 6115, 672.0, 6115, 672.0, 1426, 626.0, 1176, 501.0, 1702, 302.0, None, None)
    # Tract 24 (row 28): DVRPC's -99999 is missing (null_values), the tract's population is kept.
    assert rows[27]["GEOID10"] == "34021002400" and rows[27]["U_PPovEst"] == "-99999"
    assert conn.execute(
        "SELECT population, poverty_universe, people_below_twice_poverty_moe FROM core.census_tract_estimates WHERE tract_geoid = '34021002400'"
    ).fetchone() == (1219, None, None)
    conn.close()


def test_an_export_placeholder_or_an_impossible_count_is_quarantined_by_name(tmp_path: Path) -> None:
    # Without null_values, DVRPC's -99999 in tract 24 is an estimate and MOE that cannot be.
    conn, _ = ingest_example("dvrpc_mercer_tracts", tmp_path, null_values={})
    assert quarantine(conn) == {
        28: [
            f"poverty_universe: {ESTIMATE_RULE}",
            f"poverty_universe_moe: {MOE_RULE}",
            f"people_below_twice_poverty: {ESTIMATE_RULE}",
            f"people_below_twice_poverty_moe: {MOE_RULE}",
        ]
    }
    conn.close()


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        # An ACS annotation code for the MOE ("controlled: no sampling error").
        ("34021999901,1,2012-2016,1000,-555555555,,,,", f"population_moe: {MOE_RULE}"),
        # More people below twice the poverty level than people whose poverty status is known.
        ("34021999902,2,2012-2016,1000,100,900,50,950,60", "subset_within_universe"),
    ],
)
def test_planted_tract_rows(tmp_path: Path, line: str, rule: str) -> None:
    header = "tract_geoid,tract_name,acs_vintage,population,population_moe,poverty_universe,poverty_universe_moe,people_below_twice_poverty,people_below_twice_poverty_moe\n"
    good = "34021002500,25,2012-2016,6115,672,6115,672,1426,626\n"
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "tracts.csv").write_text(header + good + line + "\n", encoding="utf-8")
    city = write_city(tmp_path, feeds={"census_tract_estimates": {"contract": "census_tract_estimates", "path": "tracts.csv"}})
    conn = warehouse.connect(city.warehouse_path)
    ingest_feed(conn, city, "census_tract_estimates")
    (rules,) = quarantine(conn).values()
    assert list(quarantine(conn)) == [2] and len(rules) == 1 and rules[0].startswith(rule)
    conn.close()
