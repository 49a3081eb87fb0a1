"""Wide exports (`unpivot:`) and lookups (`lookup:`), on planted input: where every row went, and the
blocking reconciliation check failing when an unpivoted feed's rows do not add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assets import feeds as feed_assets
from city_outcomes import warehouse
from city_outcomes.config import load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from tests.conftest import write_city

WIDE_HEADER = "Facility ID,Service Month,Electricity kWh,Gas therms,District steam kBtu\n"
WIDE_ROWS = (
    "B1,01/2024,100,5,\n"  # steam empty: not a row of the feed
    "B2,01/2024,,7,1000\n"  # electricity empty; steam is no energy type of the contract: quarantined
    "B3,01/2024,-4,2, \n"  # negative electricity: quarantined; steam a blank cell
)
UNPIVOT = {
    "value": "Usage",
    "columns": {
        "Electricity kWh": {"Commodity": "Electric", "UOM": "KWH"},
        "Gas therms": {"Commodity": "Natural Gas", "UOM": "THERMS"},
        "District steam kBtu": {"Commodity": "District Steam", "UOM": "KBTU"},
    },
}


def _wide_feed(**extra) -> dict:
    return {
        "building_energy": {
            "contract": "building_energy",
            "path": "building_energy/*.csv",
            "columns": {"building_id": "Facility ID", "period_month": "Service Month", "energy_type": "Commodity", "quantity": "Usage", "unit": "UOM"},
            "values": {"energy_type": {"Electric": "electricity", "Natural Gas": "natural_gas"}, "unit": {"KWH": "kWh", "THERMS": "therm"}},
            "date_formats": {"period_month": "%m/%Y"},
            "unpivot": UNPIVOT,
            **extra,
        }
    }


def _wide_city(tmp_path: Path, text: str = WIDE_HEADER + WIDE_ROWS, **extra):
    city = write_city(tmp_path, feeds=_wide_feed(**extra))
    (city.inbox_dir / "building_energy").mkdir(parents=True)
    (city.inbox_dir / "building_energy" / "wide.csv").write_text(text)
    return city


def test_a_wide_export_becomes_long_rows_that_keep_their_record_and_column(tmp_path: Path, conn) -> None:
    city = _wide_city(tmp_path)
    [file] = ingest_feed(conn, city, "building_energy").files
    # 3 records x 3 columns = 9 long rows: 4 written, 2 quarantined, 3 empty cells filtered.
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (9, 4, 2, 3)
    stored = conn.execute("SELECT building_id, energy_type, quantity, unit, _source_row, _source_field FROM core.building_energy ORDER BY 5, 6").fetchall()
    assert stored == [
        ("B1", "electricity", 100.0, "kWh", 1, "Electricity kWh"),
        ("B1", "natural_gas", 5.0, "therm", 1, "Gas therms"),
        ("B2", "natural_gas", 7.0, "therm", 2, "Gas therms"),
        ("B3", "natural_gas", 2.0, "therm", 3, "Gas therms"),
    ]
    quarantined = {
        (row, field): (rules, json.loads(values))
        for row, field, rules, values in conn.execute("SELECT source_row, source_field, failed_rules, raw_values FROM meta.quarantine").fetchall()
    }
    assert set(quarantined) == {(2, "District steam kBtu"), (3, "Electricity kWh")}
    rules, values = quarantined[(3, "Electricity kWh")]
    assert rules == ["quantity: greater_than_or_equal_to(0)"]
    # The quarantined row shows its cell and its column's constants, as the long row had them.
    assert (values["Usage"], values["Commodity"], values["UOM"], values["Facility ID"]) == ("-4", "Electric", "KWH", "B3")
    assert any("energy_type" in rule for rule in quarantined[(2, "District steam kBtu")][0])
    assert conn.execute("SELECT filtered_by FROM meta.file_reconciliation").fetchone()[0] == "an empty cell of a wide export (unpivot)"
    assert reconciliation_failures(conn, "building_energy") == []


def test_a_duplicate_cell_names_its_record_and_column(tmp_path: Path, conn) -> None:
    # The same record twice: each of its cells is an exact copy of the first record's cell.
    city = _wide_city(tmp_path, WIDE_HEADER + "B1,01/2024,100,5,\nB1,01/2024,100,5,\n")
    [file] = ingest_feed(conn, city, "building_energy").files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (6, 2, 2, 2)
    rules = dict(conn.execute("SELECT source_field, failed_rules[1] FROM meta.quarantine WHERE source_row = 2").fetchall())
    assert rules == {
        "Electricity kWh": "duplicate: an exact copy of row 1 (Electricity kWh) of wide.csv, which is kept",
        "Gas therms": "duplicate: an exact copy of row 1 (Gas therms) of wide.csv, which is kept",
    }
    assert reconciliation_failures(conn, "building_energy") == []


def test_unpivot_with_a_filter_counts_both_as_filtered(tmp_path: Path, conn) -> None:
    city = _wide_city(tmp_path, filter="\"Facility ID\" <> 'B1'")
    [file] = ingest_feed(conn, city, "building_energy").files
    # B1's three cells are not the feed's; B2's and B3's empty cells (2) are filtered too.
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (9, 2, 2, 5)
    assert conn.execute("SELECT filtered_by FROM meta.file_reconciliation").fetchone()[0] == (
        "\"Facility ID\" <> 'B1'; or an empty cell of a wide export (unpivot)"
    )


def test_an_unpivoted_column_the_file_lacks_is_a_file_error(tmp_path: Path, conn) -> None:
    city = _wide_city(tmp_path, "Facility ID,Service Month,Electricity kWh,Gas therms\nB1,01/2024,1,2\n")
    [file] = ingest_feed(conn, city, "building_energy").files
    assert "'District steam kBtu' (for unpivot, column 'District steam kBtu')" in file.file_error
    assert file.rows_quarantined == 1 and file.rows_written == 0


SHA = "(SELECT file_sha256 FROM meta.file_reconciliation)"


@pytest.mark.parametrize(
    ("plant", "problem"),
    [
        # A cell stored twice.
        ("INSERT INTO core.building_energy SELECT * FROM core.building_energy WHERE _source_row = 1 AND _source_field = 'Gas therms'", "more than once"),
        # Two cells of one record told as the same cell: by row alone they would look fine.
        ("UPDATE core.building_energy SET _source_field = 'Gas therms' WHERE _source_row = 1", "more than once"),
        # A quarantined cell also stored (its record has another cell in core: by row alone that is no fault).
        (
            "INSERT INTO core.building_energy SELECT * REPLACE ('Electricity kWh' AS _source_field) FROM core.building_energy "
            "WHERE _source_row = 3 AND _source_field = 'Gas therms'",
            "a row is both in core and quarantined",
        ),
        # A cell lost from core.
        (f"DELETE FROM core.building_energy WHERE _file_sha256 = {SHA} AND _source_row = 2", "rows counted as written <> rows of the file in core"),
        # A quarantined cell quarantined twice.
        ("INSERT INTO meta.quarantine SELECT * FROM meta.quarantine WHERE source_row = 3", "quarantined more than once"),
    ],
    ids=["doubled", "same-field", "stored-and-quarantined", "lost", "quarantined-twice"],
)
def test_rows_reconcile_fails_on_a_planted_fault_in_an_unpivoted_feed(tmp_path: Path, conn, plant: str, problem: str) -> None:
    ingest_feed(conn, _wide_city(tmp_path), "building_energy")
    assert reconciliation_failures(conn, "building_energy") == []
    conn.execute(plant)
    failures = reconciliation_failures(conn, "building_energy")
    assert failures and problem in failures[0]["problem"]


# Lookups


FUEL_HEADER = "Vehicle ID,Date,Gallons\n"
FLEET = "vehicle_id,fuel_type,model_year\n10T5-1,Diesel,2010\n 08P2-1 ,Gasoline,2008\n99X1-1,Propane,1999\n"


def _fuel_city(tmp_path: Path, fuel: str, fleet: str | None = FLEET, lookup: dict | None = None, **extra):
    lookup = lookup or {"from": {"file": "fleet/vehicles.csv"}, "key": {"Vehicle ID": "vehicle_id"}, "columns": {"Fuel": "fuel_type"}}
    feeds = {
        "fleet_fuel": {
            "contract": "fleet_fuel",
            "path": "fuel/*.csv",
            "columns": {"vehicle_id": "Vehicle ID", "purchase_date": "Date", "quantity": "Gallons", "fuel_type": "Fuel"},
            "values": {"fuel_type": {"Diesel": "diesel", "Gasoline": "gasoline", "Propane": "propane"}},
            "date_formats": {"purchase_date": "%m/%d/%Y"},
            "constants": {"unit": "gal"},
            "lookup": {"fleet": lookup},
            **extra,
        }
    }
    city = write_city(tmp_path, feeds=feeds)
    if fleet is not None:
        (tmp_path / "fleet").mkdir()
        (tmp_path / "fleet" / "vehicles.csv").write_text(fleet)
    (city.inbox_dir / "fuel").mkdir(parents=True)
    (city.inbox_dir / "fuel" / "fuel.csv").write_text(FUEL_HEADER + fuel)
    return city


def test_lookup_reads_each_rows_attributes_from_a_second_file(tmp_path: Path, conn) -> None:
    city = _fuel_city(tmp_path, "10T5-1,1/4/2024,20\n08P2-1 ,1/5/2024,11.5\n77Q7-7,1/6/2024,9\n,1/7/2024,3\n99X1-1,1/8/2024,4\n")
    [file] = ingest_feed(conn, city, "fleet_fuel").files
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (5, 3, 2, 0)
    stored = conn.execute("SELECT vehicle_id, fuel_type, quantity, _source_row FROM core.fleet_fuel ORDER BY _source_row").fetchall()
    # Keys are compared trimmed on both sides ("08P2-1 " in the export, " 08P2-1 " in the list).
    assert stored == [("10T5-1", "diesel", 20.0, 1), ("08P2-1", "gasoline", 11.5, 2), ("99X1-1", "propane", 4.0, 5)]
    rule = "lookup fleet: no row of fleet/vehicles.csv has vehicle_id = the row's Vehicle ID"
    quarantined = dict(conn.execute("SELECT source_row, failed_rules FROM meta.quarantine").fetchall())
    # A vehicle not in the list, and a row without a vehicle: quarantined under the lookup's rule, never dropped.
    assert rule in quarantined[3] and rule in quarantined[4]
    assert reconciliation_failures(conn, "fleet_fuel") == []


def test_a_lookup_table_with_a_key_twice_sets_the_files_aside(tmp_path: Path, conn) -> None:
    city = _fuel_city(tmp_path, "10T5-1,1/4/2024,20\n", fleet=FLEET + "10T5-1 ,Gasoline,2011\n")
    [file] = ingest_feed(conn, city, "fleet_fuel").files
    assert file.rows_written == 0 and file.rows_quarantined == 1
    assert "lookup fleet: rows 1 and 4 of fleet/vehicles.csv share a key (vehicle_id)" in file.file_error


@pytest.mark.parametrize(
    ("fleet", "problem"),
    [
        (None, "its table"),  # the file is not there
        ("vehicle,fuel_type\n10T5-1,Diesel\n", "required column(s) missing: 'vehicle_id' (for lookup.fleet.key); the file has ["),
    ],
)
def test_a_lookup_table_that_cannot_be_used_is_a_file_error_naming_the_lookup(tmp_path: Path, conn, fleet: str | None, problem: str) -> None:
    [file] = ingest_feed(conn, _fuel_city(tmp_path, "10T5-1,1/4/2024,20\n", fleet=fleet), "fleet_fuel").files
    assert file.file_error.startswith("feed 'fleet_fuel', file ") and "lookup fleet: " in file.file_error and problem in file.file_error


def test_lookup_from_another_feeds_core_rows_and_the_asset_graph_orders_them(tmp_path: Path, conn) -> None:
    feeds = {
        "buildings": {
            "contract": "buildings",
            "path": "buildings/*.csv",
        },
        "building_energy": {
            "contract": "building_energy",
            "path": "building_energy/*.csv",
            "columns": {"building_id": "Facility ID", "period_month": "Service Month", "energy_type": "Commodity", "quantity": "Usage", "unit": "UOM"},
            "values": {"energy_type": {"Electric": "electricity"}, "unit": {"KWH": "kWh"}},
            "date_formats": {"period_month": "%m/%Y"},
            # Only the Parks department's bills: the department is in the buildings feed, not in the bills.
            "lookup": {"owner": {"from": {"feed": "buildings"}, "key": {"Facility ID": "building_id"}, "columns": {"Dept": "department"}}},
            "filter": "\"Dept\" = 'Parks'",
        },
    }
    city = write_city(tmp_path, feeds=feeds)
    (city.inbox_dir / "buildings").mkdir(parents=True)
    (city.inbox_dir / "buildings" / "b.csv").write_text(
        "building_id,building_name,department,building_type,floor_area_sqft,tract_geoid\n"
        "B1,Pool,Parks,pool,1000,42101000100\nB2,Hall,Admin,office,2000,42101000100\n"
    )
    (city.inbox_dir / "building_energy").mkdir(parents=True)
    (city.inbox_dir / "building_energy" / "bills.csv").write_text(
        "Facility ID,Service Month,Commodity,Usage,UOM\nB1,01/2024,Electric,10,KWH\nB2,01/2024,Electric,20,KWH\nB9,01/2024,Electric,30,KWH\n"
    )
    # Before the buildings feed is ingested there is nothing to look up in: said, not guessed.
    [early] = ingest_feed(conn, city, "building_energy").files
    assert "lookup owner: feed buildings (core.buildings) holds no rows yet: ingest feed 'buildings' first" in early.file_error
    assert feed_assets.feed_key("buildings") in feed_assets._upstream_feeds(city, "building_energy")
    ingest_feed(conn, city, "buildings")
    [file] = ingest_feed(conn, city, "building_energy").files
    # B1 is Parks' (written), B2 Admin's (filtered out), B9 in no building list (quarantined: its key has no match).
    assert (file.rows_read, file.rows_written, file.rows_quarantined, file.rows_filtered) == (3, 1, 0, 2)
    assert conn.execute("SELECT building_id, _source_row FROM core.building_energy").fetchall() == [("B1", 1)]
    assert reconciliation_failures(conn, "building_energy") == []


def test_rows_keep_their_record_and_column_when_a_large_wide_file_with_a_lookup_is_read_in_parallel(tmp_path: Path, conn) -> None:
    """700,000 records (40 MB, read on several threads) x 2 cells, each with a looked-up site: every
    stored row must still point at its own record and column (a hash join here would shuffle them)."""
    records = 700_000
    lines = "".join(f"B{n},M{n % 500},{1 + n % 12:02d}/2023,{n % 997},{n % 991}\n" for n in range(1, records + 1))
    meters = "meter,site\n" + "".join(f"M{k},S{k}\n" for k in range(500))
    feeds = _wide_feed(
        unpivot={"value": "Usage", "columns": {"Electricity kWh": {"Commodity": "Electric", "UOM": "KWH"}, "Gas therms": {"Commodity": "Natural Gas", "UOM": "THERMS"}}},
        lookup={"meters": {"from": {"file": "meters.csv"}, "key": {"Meter": "meter"}, "columns": {"Site": "site"}}},
        derive={"building_id": "\"Site\" || '-' || \"Facility ID\""},
    )
    del feeds["building_energy"]["columns"]["building_id"]
    city = write_city(tmp_path, feeds=feeds)
    (tmp_path / "meters.csv").write_text(meters)
    (city.inbox_dir / "building_energy").mkdir(parents=True)
    (city.inbox_dir / "building_energy" / "big.csv").write_text("Facility ID,Meter,Service Month,Electricity kWh,Gas therms\n" + lines)
    outcome = ingest_feed(conn, city, "building_energy")
    assert outcome.rows_accepted == 2 * records
    mismatched = conn.execute(
        """
        SELECT count(*) FROM core.building_energy
        WHERE building_id <> 'S' || (_source_row % 500) || '-B' || _source_row
           OR quantity <> CASE _source_field WHEN 'Electricity kWh' THEN _source_row % 997 WHEN 'Gas therms' THEN _source_row % 991 END
           OR energy_type <> CASE _source_field WHEN 'Electricity kWh' THEN 'electricity' ELSE 'natural_gas' END
        """
    ).fetchone()[0]
    assert mismatched == 0


# Configuration


def _refused(tmp_path: Path, feed: dict, *expected: str) -> None:
    city = write_city(tmp_path)
    raw = yaml.safe_load(city.config_path.read_text())
    raw["feeds"] = {"fleet_fuel": {"contract": "fleet_fuel", "path": "fuel/*.csv", **feed}, "other": {"contract": "buildings", "path": "b/*.csv"}}
    city.config_path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError) as error:
        load_city_config(city.config_path)
    for text in expected:
        assert text in str(error.value)


@pytest.mark.parametrize(
    ("feed", "expected"),
    [
        ({"unpivot": {"value": "Usage", "columns": {"Jan": {"Month": "01"}, "Feb": {"Mon": "02"}}}}, ("every unpivoted column needs the same ones",)),
        ({"unpivot": {"value": "Usage", "columns": {}}}, ("name at least one export column",)),
        ({"unpivot": {"value": "Month", "columns": {"Jan": {"Month": "01"}}}}, ("is also the name of a constant",)),
        ({"lookup": {"f": {"from": {"file": "a.csv", "feed": "other"}, "key": {"a": "b"}, "columns": {"c": "d"}}}}, ("exactly one of",)),
        ({"lookup": {"f": {"from": {"feed": "nowhere"}, "key": {"a": "b"}, "columns": {"c": "d"}}}}, ("fleet_fuel.lookup.f.from.feed: 'nowhere' is not another feed",)),
        ({"lookup": {"f": {"from": {"file": "a.csv"}, "key": {"a": "b"}, "columns": {"c": "d"}, "colums": {}}}}, ("colums",)),
        (
            {"unpivot": {"value": "Fuel", "columns": {"Jan": {"Month": "01"}}}, "lookup": {"f": {"from": {"file": "a.csv"}, "key": {"a": "b"}, "columns": {"Fuel": "d"}}}},
            ("'Fuel' added more than once",),
        ),
    ],
    ids=["constants-differ", "no-columns", "value-is-constant", "two-sources", "unknown-feed", "typo", "added-twice"],
)
def test_bad_unpivot_or_lookup_settings_are_refused(tmp_path: Path, feed: dict, expected: tuple[str, ...]) -> None:
    _refused(tmp_path, feed, *expected)


# Real data


def test_grants_pass_fuel_purchases_get_their_vehicles_fuel_type_from_the_fleet_list(tmp_path: Path, conn) -> None:
    """The real fuel-card export joined to the City's real fleet list (cities/examples/grants_pass)."""
    import csv

    from tests.conftest import REALDATA

    fuel_file = REALDATA / "grants_pass_fleet_fuel" / "Fuel data Jan-April.csv"
    if not fuel_file.is_file():
        pytest.skip(f"the real Grants Pass fuel export is absent ({fuel_file})")
    example = Path(__file__).resolve().parents[1] / "cities" / "examples" / "grants_pass"
    raw = yaml.safe_load((example / "city.yaml").read_text(encoding="utf-8"))
    feed = raw["feeds"]["fleet_fuel"]
    city = write_city(tmp_path, feeds={"fleet_fuel": feed}, first_month="2023-01-01", timezone="America/Los_Angeles")
    (tmp_path / "fleet").mkdir()
    (tmp_path / "fleet" / "VehiclesMaster.csv").write_bytes((example / "fleet" / "VehiclesMaster.csv").read_bytes())
    (city.inbox_dir / "grants_pass_fleet_fuel").mkdir(parents=True)
    (city.inbox_dir / "grants_pass_fleet_fuel" / fuel_file.name).write_bytes(fuel_file.read_bytes())

    # Expected, worked out with Python's csv module: each purchase's fuel from the list, by trimmed id.
    with (example / "fleet" / "VehiclesMaster.csv").open(encoding="utf-8-sig") as handle:
        fuel_of = {row["vehicle_id"].strip(): row["fuel_type"].lower() for row in csv.DictReader(handle)}
    with fuel_file.open(encoding="utf-8-sig") as handle:
        purchases = [(n, row["Vehicle ID"].strip(), float(row["Gallons"])) for n, row in enumerate(csv.DictReader(handle), start=1)]
    unmatched = {n for n, vehicle, _ in purchases if vehicle not in fuel_of}
    zero = {n for n, _, gallons in purchases if gallons <= 0}
    expected = {n: fuel_of[vehicle] for n, vehicle, gallons in purchases if n not in unmatched | zero}

    [file] = ingest_feed(conn, city, "fleet_fuel").files
    assert (file.rows_read, file.rows_written, file.rows_quarantined) == (1360, len(expected), len(unmatched | zero))
    assert len(unmatched) == 49 and file.rows_written == 1310
    assert dict(conn.execute("SELECT _source_row, fuel_type FROM core.fleet_fuel").fetchall()) == expected
    rule = "lookup fleet: no row of fleet/VehiclesMaster.csv has vehicle_id = the row's Vehicle ID"
    flagged = {row for (row,) in conn.execute("SELECT source_row FROM meta.quarantine WHERE list_contains(failed_rules, ?)", [rule]).fetchall()}
    assert flagged == unmatched
    assert reconciliation_failures(conn, "fleet_fuel") == []


def test_real_egrid_rates_unpivot_into_one_factor_per_gas(tmp_path: Path) -> None:
    """eGRID2019-2023 subregion rates (real, ../shared): one column per gas becomes one factor per gas."""
    import csv

    from tests.conftest import REALDATA
    from tests.test_realdata import example_city

    source = REALDATA / "egrid_subregion_rates" / "egrid_subregion_output_rates_2019_2023.csv"
    if not source.is_file():
        pytest.skip(f"needs the real eGRID rates at {source}")
    city = example_city("egrid_editions", tmp_path)
    conn = warehouse.connect(city.warehouse_path)
    [file] = ingest_feed(conn, city, "egrid_rates").files
    records = list(csv.DictReader(source.open(encoding="utf-8")))
    blank_co2e = sum(not r["co2e_lb_per_mwh"].strip() for r in records)
    assert (file.rows_read, file.rows_filtered, file.rows_quarantined) == (2 * len(records), blank_co2e, 1)
    # Each stored factor is its record's cell, by record number and column.
    stored = conn.execute("SELECT _source_row, _source_field, gas, value, factor_set, region FROM core.emission_factors WHERE _feed = 'egrid_rates'").fetchall()
    for row, field, gas, value, factor_set, region in stored:
        record = records[row - 1]
        assert (float(record[field]), factor_set, region) == (value, record["egrid_edition"].lower(), record["subregion"])
        assert gas == {"co2_lb_per_mwh": "CO2", "co2e_lb_per_mwh": "CO2e"}[field]
    # DOMAIN.md §12: the NWPP CO2e rate of eGRID2021 that Grants Pass applied, 638.523 lb/MWh.
    assert conn.execute(
        "SELECT value FROM core.emission_factors WHERE factor_set = 'egrid2021' AND region = 'NWPP' AND gas = 'CO2e'"
    ).fetchone()[0] == pytest.approx(638.523)
    assert reconciliation_failures(conn, "egrid_rates") == []
    conn.close()
