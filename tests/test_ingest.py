"""Feed ingestion: every row is accepted or quarantined with its rule; nothing is lost or doubled."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from city_outcomes.config import CityConfig
from city_outcomes.feeds import ingest as ingest_module
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.feeds.reconcile import reconciliation_failures
from tests.conftest import write_city

FIXTURES = Path(__file__).parent / "fixtures"


def _energy_city(tmp_path: Path, *files: tuple[str, bytes]) -> CityConfig:
    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    for name, content in files:
        (folder / name).write_bytes(content)
    return city


def _rules_by_row(conn) -> dict[int, list[str]]:
    return {row: list(rules) for row, rules in conn.execute("SELECT source_row, failed_rules FROM meta.quarantine ORDER BY source_row").fetchall()}


def test_bad_rows_are_quarantined_with_the_rule_they_break(tmp_path: Path, conn) -> None:
    city = _energy_city(tmp_path, ("utility_bills_bad.csv", (FIXTURES / "building_energy_bad_rows.csv").read_bytes()))
    outcome = ingest_feed(conn, city, "building_energy")

    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (14, 2, 12)
    rules = _rules_by_row(conn)
    assert rules[2] == ["quantity: greater_than_or_equal_to(0)"]
    assert rules[3] == ["period_month: type date"]
    assert rules[4] == ["quantity: type float64"]
    assert rules[5] == ["unit_fits_energy_type: unit must be a unit of the energy type (e.g. not therm for electricity)"]
    # "Steam" is not a contract energy type (the contract's is district_steam): the rule names the valid ones.
    assert rules[6] == [("energy_type: isin(['electricity', 'natural_gas', 'district_steam', 'district_hot_water', 'district_chilled_water', "
                        "'fuel_oil_1', 'fuel_oil_2', 'fuel_oil_4', 'fuel_oil_5', 'fuel_oil_6', 'kerosene', 'stationary_propane'])"), "unit_fits_energy_type: unit must be a unit of the energy type (e.g. not therm for electricity)"]
    assert rules[7] == rules[8] == ["unique: building_id, period_month, energy_type"]
    # A bill dated after today breaks the contract's rule; the calendar's "not ended" is not added to it.
    assert rules[9] == ["period_month: must not be after today"]
    assert rules[10] == ["quantity: less_than_or_equal_to(1000000000.0)"]
    assert "unit: isin(['GJ', 'L', 'MMBtu', 'MWh', 'ccf', 'gal', 'kBtu', 'kWh', 'therm', 'ton-hour'])" in rules[11]  # BTU is none of them
    assert rules[12] == ["building_id: not_nullable"]
    # A broken row repeating a good row's key (row 1) is quarantined for what it breaks; row 1 stands.
    assert rules[14] == ["quantity: greater_than_or_equal_to(0)"] and 1 not in rules
    # The quarantine keeps the row exactly as the file had it.
    raw = conn.execute("SELECT raw_values->>'Usage', raw_values->>'Facility ID' FROM meta.quarantine WHERE source_row = 4").fetchone()
    assert raw == ("abc", "F-0103")
    # Padded values are trimmed and mapped; a blank optional cost is null, not an error.
    accepted = conn.execute("SELECT building_id, energy_type, quantity, cost_usd, _source_row FROM core.building_energy ORDER BY _source_row").fetchall()
    assert accepted == [("F-0101", "electricity", 1000.0, 130.0, 1), ("F-0110", "electricity", 250.5, None, 13)]
    assert reconciliation_failures(conn, "building_energy") == []


def test_accepted_rows_pass_pandera_itself(tmp_path: Path, conn) -> None:
    """The row-level SQL evaluation agrees with pandera's own validation of the same contract."""
    import ibis

    from data_contracts import get_contract

    city = _energy_city(tmp_path, ("utility_bills_bad.csv", (FIXTURES / "building_energy_bad_rows.csv").read_bytes()))
    ingest_feed(conn, city, "building_energy")
    table = ibis.duckdb.from_connection(conn).table("building_energy", database="core")
    contract = get_contract("building_energy")
    contract.model.validate(table.select(*contract.columns), lazy=True)  # raises if any accepted row fails


def test_demo_city_ingests_cleanly_and_rerunning_changes_nothing(demo_city: CityConfig, conn) -> None:
    feeds = ("emission_factors", "global_warming_potentials", "census_tracts", "buildings", "building_energy")
    first = {name: ingest_feed(conn, demo_city, name) for name in feeds}
    snapshot = conn.execute("SELECT * FROM core.building_energy ORDER BY ALL").fetchall()
    assert {name: o.rows_quarantined for name, o in first.items()} == dict.fromkeys(feeds, 0)
    assert first["building_energy"].rows_accepted == 4320
    again = ingest_feed(conn, demo_city, "building_energy")
    assert again.rows_accepted == 4320
    assert conn.execute("SELECT * FROM core.building_energy ORDER BY ALL").fetchall() == snapshot
    assert conn.execute("SELECT count(*) FROM meta.landed_files WHERE feed = 'building_energy'").fetchone()[0] == 3


def test_a_partition_run_replaces_only_its_months(demo_city: CityConfig, conn) -> None:
    ingest_feed(conn, demo_city, "building_energy", months=(date(2024, 3, 1), date(2024, 4, 1)))
    assert conn.execute("SELECT DISTINCT period_month FROM core.building_energy").fetchall() == [(date(2024, 3, 1),)]
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone()[0] == 120
    ingest_feed(conn, demo_city, "building_energy", months=(date(2024, 3, 1), date(2024, 4, 1)))
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone()[0] == 120
    # The per-file record still covers every row of every file: 120 written now, the other 4,200 held
    # for the 35 months other partitions write (60 buildings x 2 energy types x 36 months in all).
    assert conn.execute("SELECT sum(rows_read), sum(rows_written), sum(rows_other_months) FROM meta.file_reconciliation").fetchone() == (4320, 120, 4200)
    months = conn.execute("SELECT other_months FROM meta.file_reconciliation WHERE source_path LIKE '%2024.csv'").fetchone()[0]
    assert months == [f"2024-{m:02d}" for m in range(1, 13) if m != 3]
    assert reconciliation_failures(conn, "building_energy") == []


def test_every_accepted_row_keeps_its_file_hash_and_row(demo_city: CityConfig, conn) -> None:
    ingest_feed(conn, demo_city, "building_energy")
    source = demo_city.inbox_dir / "building_energy" / "utility_bills_2024.csv"
    line_10 = source.read_text().splitlines()[10].split(",")  # the 10th data row
    sha = conn.execute("SELECT file_sha256 FROM meta.landed_files WHERE source_path = ?", [str(source)]).fetchone()[0]
    row = conn.execute("SELECT building_id, quantity FROM core.building_energy WHERE _file_sha256 = ? AND _source_row = 10", [sha]).fetchone()
    assert row == (line_10[0], float(line_10[4]))


def test_a_changed_file_is_a_new_version_and_its_predecessor_stays(demo_city: CityConfig, conn) -> None:
    ingest_feed(conn, demo_city, "building_energy")
    source = demo_city.inbox_dir / "building_energy" / "utility_bills_2023.csv"
    lines = source.read_text().splitlines(keepends=True)
    source.write_text("".join(lines[:-2]))  # the department re-exports without its last two rows
    outcome = ingest_feed(conn, demo_city, "building_energy")
    versions = conn.execute("SELECT landed_path FROM meta.landed_files WHERE source_path = ?", [str(source)]).fetchall()
    assert len(versions) == 2 and all(Path(p).exists() for (p,) in versions)
    assert outcome.rows_accepted == 4318
    assert conn.execute("SELECT count(*) FROM core.building_energy").fetchone()[0] == 4318


def test_a_crash_mid_write_leaves_the_warehouse_as_it_was(demo_city: CityConfig, conn, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_feed(conn, demo_city, "building_energy")
    before = conn.execute("SELECT count(*), sum(quantity) FROM core.building_energy").fetchone()
    (demo_city.inbox_dir / "building_energy" / "utility_bills_2023.csv").unlink()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ingest_module, "_file_outcomes", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        ingest_feed(conn, demo_city, "building_energy")
    assert conn.execute("SELECT count(*), sum(quantity) FROM core.building_energy").fetchone() == before
    assert conn.execute("SELECT count(*) FROM meta.file_reconciliation WHERE feed = 'building_energy'").fetchone()[0] == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty (0 bytes)"),
        (b"Facility ID,Service Month,Commodity,Usage\nF-1,01/2023,Electric,5\n", "required column(s) missing: 'UOM' (for unit)"),
        (b"Facility ID;Service Month;Commodity;Usage;UOM\nF-1;01/2023;Electric;5;KWH\n", "only one column was found"),
        (b'Facility ID,Service Month,Commodity,Usage,UOM\nF-1,01/2023,"Electric,5,KWH\nF-2,01/2023,Electric,6,KWH\n', "cannot be read as CSV"),
    ],
    ids=["empty", "missing-column", "wrong-delimiter", "malformed"],
)
def test_an_unreadable_file_is_quarantined_whole_with_a_clear_message(tmp_path: Path, conn, content: bytes, problem: str) -> None:
    good = (FIXTURES / "building_energy_bad_rows.csv").read_bytes()
    city = _energy_city(tmp_path, ("utility_bills_a_broken.csv", content), ("utility_bills_b_good.csv", good))
    outcome = ingest_feed(conn, city, "building_energy")
    broken = next(f for f in outcome.files if f.source_path.name == "utility_bills_a_broken.csv")
    assert problem in broken.file_error
    assert "building_energy" in broken.file_error and "utility_bills_a_broken.csv" in broken.file_error
    assert broken.rows_accepted == 0 and broken.reconciles
    assert broken.rows_read == len([line for line in content.decode().splitlines()[1:] if line.strip()])
    # The other file carries on.
    assert outcome.rows_accepted == 2
    assert reconciliation_failures(conn, "building_energy") == []


def test_a_latin1_export_is_read_when_configured(tmp_path: Path, conn) -> None:
    text = "Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\nF-0101,Café Municipal,01/2023,Electric,10,KWH,1.30\n"
    city = write_city(tmp_path)
    raw = city.model_dump()
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_latin1.csv").write_bytes(text.encode("latin-1"))
    feeds = {name: feed.model_dump() for name, feed in city.feeds.items() if name == "building_energy"}
    feeds["building_energy"]["encoding"] = "latin-1"
    city = write_city(tmp_path, feeds=feeds)
    assert raw["city"] == city.model_dump()["city"]
    outcome = ingest_feed(conn, city, "building_energy")
    assert outcome.rows_accepted == 1


def test_row_numbers_stay_exact_when_a_large_file_is_read_in_parallel(tmp_path: Path, conn) -> None:
    """DuckDB reads a large CSV on several threads; every accepted row must still point at its own record."""
    rows = 700_000  # about 40 MB: more than one read buffer, so the scan is split between threads
    lines = "".join(f"B{n},Hall,{1 + n % 12:02d}/2023,Electric,{n % 997},KWH,1.00\n" for n in range(1, rows + 1))
    city = _energy_city(tmp_path, ("utility_bills_big.csv", ("Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\n" + lines).encode()))
    outcome = ingest_feed(conn, city, "building_energy")
    assert outcome.rows_accepted == rows
    mismatched = conn.execute(
        "SELECT count(*) FROM core.building_energy WHERE building_id <> 'B' || _source_row OR quantity <> _source_row % 997"
    ).fetchone()[0]
    assert mismatched == 0
