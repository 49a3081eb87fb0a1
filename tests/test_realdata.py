"""The real public samples in shared/realdata, ingested through the example city configurations alone.

Each example under ``cities/examples/<name>/city.yaml`` reads the real files where they are (its
inbox is ``../../../../shared/realdata``); the tests keep that inbox but send the landing zone and the
warehouse to a temporary folder, ingest every feed once per module, and check facts of the real data:
record counts (counted here from the files themselves), which rows are quarantined and why, values
after normalisation (worked out by hand in the comments), and that personal fields are not stored raw.

Tests marked ``xfail(strict=True)`` describe what a proposed change to the pipeline should make true;
they flip to XPASS (and fail, as a reminder) when the change lands.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest
import yaml
from openpyxl import load_workbook

from city_outcomes import warehouse
from city_outcomes.config import PROJECT_ROOT, REFERENCE_FEEDS, CityConfig, IngestSettings, Paths, load_city_config
from city_outcomes.feeds.ingest import FeedOutcome, ingest_feed
from city_outcomes.feeds.privacy import PrivacyPolicy, core_select, prepare_tract_shapes
from city_outcomes.feeds.reconcile import reconciliation_failures
from data_contracts import get_contract
from tests.conftest import REALDATA

EXAMPLES = PROJECT_ROOT / "cities" / "examples"
pytestmark = [pytest.mark.xdist_group("test_realdata"), pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real data samples are not at {REALDATA}")]

# Real files, as SOURCES.md names them.
GRANTS_PASS_BILLS = REALDATA / "grants_pass_utility_bills" / "Pacific Power Data 01 2023-05 2023.csv"
GRANTS_PASS_FUEL = REALDATA / "grants_pass_fleet_fuel" / "Fuel data Jan-April.csv"
PALO_ALTO = REALDATA / "palo_alto_ev_sessions" / "ElectricVehicleChargingStation.csv"
BOSTON = REALDATA / "boston_311" / "Street Light Knock Downs.csv"
BLOOMINGTON = REALDATA / "bloomington_open311" / "bloomington_requests.json"
AUSTIN = REALDATA / "austin_dockless_trips" / "1000_trips.csv"


def ships_its_data(name: str) -> bool:
    """Whether an example reads a real sample shipped beside its configuration (its inbox is in its
    own folder) rather than the shared samples."""
    return load_city_config(EXAMPLES / name / "city.yaml").inbox_dir.is_relative_to(EXAMPLES / name)


def example_city(name: str, folder: Path, **feed_overrides: dict) -> CityConfig:
    """An example's own configuration, with its landing zone, warehouse and site moved to ``folder``.

    The inbox stays the real data: ``tests.conftest.REALDATA`` (the same folder the config's relative
    path names when the repository and ``shared/`` are siblings), or the sample the example ships in its
    own folder. ``feed_overrides`` changes feed settings, for tests that show what a different setting would do.
    """
    inbox = load_city_config(EXAMPLES / name / "city.yaml").inbox_dir if ships_its_data(name) else REALDATA.resolve()
    path = EXAMPLES / name / "city.yaml"
    if feed_overrides:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for feed, settings in feed_overrides.items():
            raw["feeds"][feed].update(settings)
        path = folder / "city.yaml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    config = load_city_config(path)
    paths = Paths(inbox=inbox, landing=folder / "landing", warehouse=folder / "warehouse.duckdb", site=folder / "site")
    # The samples may have been copied beside the checkout moments ago: read them at once.
    return config.model_copy(update={"paths": paths, "ingest": IngestSettings(settle_seconds=0)})


def own_feeds(city: CityConfig) -> list[str]:
    """The feeds the example configures (not the reference data every city gets, unless the example
    reads its own in its place), in file order."""
    return [name for name in city.feeds if name not in REFERENCE_FEEDS or city.feeds[name].path != REFERENCE_FEEDS[name]["path"]]


@dataclass
class Ingested:
    """An example city after every one of its feeds was ingested once."""

    city: CityConfig
    conn: duckdb.DuckDBPyConnection
    outcomes: dict[str, FeedOutcome]

    def one(self, sql: str, *params):
        return self.conn.execute(sql, list(params)).fetchone()

    def all(self, sql: str, *params) -> list[tuple]:
        return self.conn.execute(sql, list(params)).fetchall()

    def quarantine(self, feed: str) -> dict[int, list[str]]:
        """Quarantined source rows of a feed and the rules each broke."""
        rows = self.all("SELECT source_row, failed_rules FROM meta.quarantine WHERE feed = ? ORDER BY source_row", feed)
        return {row: list(rules) for row, rules in rows}

    @property
    def salt(self) -> str:
        return (self.city.landing_dir / ".privacy_salt").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Ingested]]:
    """Ingest an example city (each at most once per module) into its own temporary warehouse."""
    cache: dict[str, Ingested] = {}

    def _ingest(name: str) -> Ingested:
        if name not in cache:
            city = example_city(name, tmp_path_factory.mktemp(name))
            conn = warehouse.connect(city.warehouse_path)
            cache[name] = Ingested(city, conn, {feed: ingest_feed(conn, city, feed) for feed in own_feeds(city)})
        return cache[name]

    yield _ingest
    for example in cache.values():
        example.conn.close()


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV's records as Python's csv module reads them (BOM removed), independently of the pipeline."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def source_record_count(city: CityConfig, feed: str) -> int:
    """How many records the feed's files hold, counted here from the files themselves."""
    config = city.feeds[feed]
    total = 0
    for path in city.feed_files(feed):
        if config.format == "csv":
            total += len(csv_rows(path))
        elif config.format == "xml":
            # The standard library's parser, not the pipeline's: the elements at the records path.
            root = ElementTree.parse(path).getroot()
            total += len(root.findall("/".join(config.records.split("/")[1:])))
        elif config.format == "xlsx":
            # The rows of the table (header_row + 1 to last_row), as openpyxl reads the sheet itself.
            sheet = load_workbook(path, read_only=True)[config.sheet]
            total += len(list(sheet.iter_rows(min_row=config.header_row + 1, max_row=config.last_row)))
        else:
            node = json.loads(path.read_text(encoding="utf-8"))
            for step in [s for s in config.records.split(".") if s]:
                node = node[step]
            total += len(node)
    return total


def source_row(rows: list[dict[str, str]], **match: str) -> int:
    """The 1-based record number (header excluded) of the only record with these values."""
    found = [number for number, row in enumerate(rows, start=1) if all(row[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def salted_sha256(salt: str, value: str) -> str:
    return hashlib.sha256((salt + value).encode("utf-8")).hexdigest()


def utc(*parts: int) -> datetime:
    """A UTC instant as the warehouse stores it (naive timestamp, UTC by convention)."""
    return datetime(*parts)


# --- every example: where it reads, and that every record is accounted for ---------------------

EXAMPLE_NAMES = [
    "austin", "bloomington", "boston", "chicago_divvy", "egrid_editions", "epa_ghg_hub_workbook", "gbfs_2_3_spec", "grants_pass", "houston_hgac", "nyc_311",
    "palo_alto", "san_francisco_open311",
]
# Examples that ship their real sample beside their configuration (SOURCES.md in their folder; the
# contract-shape examples are tested in tests/test_contract_shapes.py).
SHIPPED_EXAMPLES = ["nyc_311", "san_francisco_open311", "dvrpc_mercer_tracts", "santa_barbara_ev_energy", "seattle_benchmarking"]

# example, feed, rows read (as SOURCES.md gives them), accepted, quarantined, filtered out (not the feed's rows)
EXPECTED_COUNTS = [
    ("grants_pass", "building_energy", 765, 680, 85, 0),
    ("grants_pass", "fleet_fuel", 1360, 1310, 50, 0),  # 49 purchases of 6 vehicles not in the fleet list, one of 0 gallons
    # The City's published figures, 202101-202306: 717 rows of 2021 and 717 of 2022 (counted with csv) are before the
    # inventory's first month and filtered; the 269 of 2023 are kept (tests/test_reconciliation.py compares them).
    ("grants_pass", "dashboard_emissions", 1703, 269, 0, 1434),
    ("palo_alto", "ev_charging_sessions", 9999, 9999, 0, 0),
    ("boston", "service_requests", 599, 599, 0, 0),
    ("bloomington", "service_requests", 21, 15, 6, 0),  # 6 requests at (0, 0), the endpoint's "no location"
    ("austin", "micromobility_trips", 999, 997, 2, 0),
    ("chicago_divvy", "gbfs_station_information", 611, 611, 0, 0),
    ("chicago_divvy", "gbfs_station_status", 611, 611, 0, 0),
    ("gbfs_2_3_spec", "gbfs_station_information", 2, 2, 0, 0),
    ("gbfs_2_3_spec", "gbfs_station_status", 2, 2, 0, 0),
    ("houston_hgac", "census_tract_boundaries", 1105, 1105, 0, 0),
    ("houston_hgac", "census_tracts", 1105, 1105, 0, 0),
    # 300 requests of 43 types; 59 are HEAT/HOT WATER (counted by tests/test_examples_shipped.py from the file).
    ("nyc_311", "service_requests", 300, 59, 0, 241),
    ("san_francisco_open311", "service_requests", 56, 47, 9, 0),  # 9 open requests at (0, 0), the endpoint's "no location"
    # 137 records x 2 gas columns = 274 cells; 56 blank co2e cells (eGRID2019/2020) are filtered; eGRID2019
    # lists PRMS twice, identically (records 28 and 29): the copy is quarantined. Counted with csv.
    ("egrid_editions", "egrid_rates", 274, 217, 1, 56),
    ("epa_ghg_hub_workbook", "global_warming_potentials", 3, 3, 0, 0),
]


def test_the_examples_are_the_ones_documented() -> None:
    assert sorted(p.parent.name for p in EXAMPLES.glob("*/city.yaml")) == sorted(set(EXAMPLE_NAMES + SHIPPED_EXAMPLES))
    covered = {(example, feed) for example, feed, *_ in EXPECTED_COUNTS}
    for name in EXAMPLE_NAMES:
        city = load_city_config(EXAMPLES / name / "city.yaml")
        assert {(name, feed) for feed in own_feeds(city)} <= covered, f"{name} has a feed without expected counts"
    onboarding = (PROJECT_ROOT / "docs" / "onboarding.md").read_text(encoding="utf-8")
    assert all(f"cities/examples/{name}/city.yaml" in onboarding for name in EXAMPLE_NAMES + SHIPPED_EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_an_example_reads_the_shared_real_data_and_writes_under_data_examples(name: str) -> None:
    city = load_city_config(EXAMPLES / name / "city.yaml")
    if name in SHIPPED_EXAMPLES:
        # It reads the sample it ships, beside its configuration, and says where that came from.
        assert city.inbox_dir.is_relative_to(EXAMPLES / name) and (EXAMPLES / name / "SOURCES.md").is_file()
    else:
        # The config's own relative path names the shared folder beside the repository.
        assert city.inbox_dir == (PROJECT_ROOT.parent / "shared" / "realdata").resolve()
        assert city.inbox_dir == REALDATA.resolve()
    assert ships_its_data(name) == (name in SHIPPED_EXAMPLES)
    for folder in (city.landing_dir, city.warehouse_path.parent, city.site_dir):
        assert folder.is_relative_to(PROJECT_ROOT / "data" / "examples" / name)
    for feed in own_feeds(city):
        assert city.feed_files(feed), f"{name}/{feed}: {city.feeds[feed].path!r} matches no file in {city.inbox_dir}"


@pytest.mark.parametrize(("name", "feed", "read", "accepted", "quarantined", "filtered"), EXPECTED_COUNTS, ids=[f"{e}/{f}" for e, f, *_ in EXPECTED_COUNTS])
def test_every_real_record_is_accepted_or_quarantined(ingested, name: str, feed: str, read: int, accepted: int, quarantined: int, filtered: int) -> None:
    example = ingested(name)
    outcome = example.outcomes[feed]
    # Counted from the file(s), not by the pipeline; a wide export's rows are its cells (records x columns).
    unpivot = example.city.feeds[feed].unpivot
    assert source_record_count(example.city, feed) * (len(unpivot.columns) if unpivot else 1) == read
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (read, accepted, quarantined)
    assert sum(file.rows_filtered for file in outcome.files) == filtered
    assert outcome.rows_read == outcome.rows_accepted + outcome.rows_quarantined + filtered
    assert all(file.file_error is None for file in outcome.files)
    assert reconciliation_failures(example.conn, feed) == []
    assert example.one("SELECT count(*) FROM meta.quarantine WHERE feed = ?", feed)[0] == quarantined
    assert example.one(f"SELECT count(*) FROM core.{outcome.contract} WHERE _feed = ?", feed)[0] == accepted


# --- Grants Pass: Pacific Power bills and Pacific Pride fuel cards ------------------------------


def test_grants_pass_unmetered_accounts_are_the_only_quarantined_bills(ingested) -> None:
    example = ingested("grants_pass")
    bills = csv_rows(GRANTS_PASS_BILLS)
    unmetered = {number for number, row in enumerate(bills, start=1) if not row["Meter # "].strip()}
    # 17 flat-rate agreements (streetlights, signals) x 5 months, all billed 0 kWh.
    assert len(unmetered) == 85
    assert {bills[n - 1]["KWH Usage"] for n in unmetered} == {"0"}
    assert example.quarantine("building_energy") == dict.fromkeys(sorted(unmetered), ["building_id: not_nullable"])
    # The quarantine keeps the row as the file had it, invoice text included.
    raw = example.one("SELECT raw_values->>'Invoice', raw_values->>'Agreement Seq' FROM meta.quarantine WHERE feed = 'building_energy' AND source_row = 61")
    assert raw == ("$44.61 ", "55")
    # What the quarantine holds back: $82,611.43 of street-lighting bills over five months.
    held_back = example.one(
        "SELECT sum(CAST(replace(trim(raw_values->>'Invoice', ' $'), ',', '') AS DECIMAL(10, 2))) FROM meta.quarantine WHERE feed = 'building_energy'"
    )[0]
    assert float(held_back) == 82_611.43


def test_grants_pass_bills_are_normalised(ingested) -> None:
    example = ingested("grants_pass")
    bills = csv_rows(GRANTS_PASS_BILLS)
    # "81102319,202305,...,335,...,$57.90 " (the first row of the file).
    assert example.one(
        "SELECT quantity, cost_usd FROM core.building_energy WHERE building_id = '81102319' AND period_month = DATE '2023-05-01'"
    ) == (335.0, 57.90)
    # The largest bill: "$24,219.47 " (sign, thousands separator, trailing space) for 224,800 kWh of
    # which 83,200 on-peak + 141,600 off-peak: the time-of-use split adds up to the mapped total.
    row = source_row(bills, **{"Meter # ": "79801908", "YearMonth": "202305"})
    assert int(bills[row - 1]["On KWH"]) + int(bills[row - 1]["Off KWH"]) == int(bills[row - 1]["KWH Usage"]) == 224_800
    assert example.one(
        "SELECT quantity, cost_usd, _source_row FROM core.building_energy WHERE building_id = '79801908' AND period_month = DATE '2023-05-01'"
    ) == (224_800.0, 24_219.47, row)
    assert example.all("SELECT DISTINCT energy_type, unit FROM core.building_energy") == [("electricity", "kWh")]
    months = [m for (m,) in example.all("SELECT DISTINCT period_month FROM core.building_energy ORDER BY 1")]
    assert months == [date(2023, m, 1) for m in range(1, 6)]
    # Every accepted cent is there: the total matches the file's invoices on metered rows.
    expected = sum(float(r["Invoice"].strip().lstrip("$").replace(",", "")) for r in bills if r["Meter # "].strip())
    assert example.one("SELECT sum(cost_usd) FROM core.building_energy")[0] == pytest.approx(expected, abs=0.005)


def test_grants_pass_fleet_fuel_with_its_documented_assumptions(ingested) -> None:
    example = ingested("grants_pass")
    fuel = csv_rows(GRANTS_PASS_FUEL)
    zero = source_row(fuel, Gallons="0")
    assert fuel[zero - 1]["Vehicle ID"] == "09A5-1 "
    # The fuel type per vehicle comes from the City's fleet list (lookup); purchases of vehicles it lacks are quarantined.
    fleet = {r["vehicle_id"].strip(): r["fuel_type"].lower() for r in csv_rows(EXAMPLES / "grants_pass" / "fleet" / "VehiclesMaster.csv")}
    unlisted = {n for n, r in enumerate(fuel, start=1) if r["Vehicle ID"].strip() not in fleet}
    lookup_rule = "lookup fleet: no row of fleet/VehiclesMaster.csv has vehicle_id = the row's Vehicle ID"
    quarantined = example.quarantine("fleet_fuel")
    assert quarantined[zero] == ["quantity: greater_than(0)"]
    assert {n for n, rules in quarantined.items() if lookup_rule in rules} == unlisted and len(unlisted) == 49
    # Trailing spaces in vehicle ids are trimmed: "11A8-1" and "11A8-1 " are one vehicle.
    assert len({r["Vehicle ID"] for r in fuel}) == 118
    listed = {r["Vehicle ID"].strip() for r in fuel} & set(fleet)
    assert example.one("SELECT count(DISTINCT vehicle_id) FROM core.fleet_fuel")[0] == len(listed) == 109
    assert example.one("SELECT count(*) FROM core.fleet_fuel WHERE vehicle_id = '11A8-1'")[0] == sum(r["Vehicle ID"].strip() == "11A8-1" for r in fuel)
    expected = {}
    for n, r in enumerate(fuel, start=1):
        if n not in unlisted and n != zero:
            expected[fleet[r["Vehicle ID"].strip()]] = expected.get(fleet[r["Vehicle ID"].strip()], 0) + 1
    assert dict(example.all("SELECT fuel_type, count(*) FROM core.fleet_fuel GROUP BY ALL")) == expected
    assert example.all("SELECT DISTINCT unit FROM core.fleet_fuel") == [("gal",)]
    # cost_usd is derived (Price is per gallon): Gallons x Price, here worked out from the file by
    # Python's csv module for every accepted purchase, by its row number.
    expected = {n: float(r["Gallons"]) * float(r["Price"].strip().lstrip("$")) for n, r in enumerate(fuel, start=1) if n != zero and n not in unlisted}
    stored = dict(example.all("SELECT _source_row, cost_usd FROM core.fleet_fuel"))
    assert stored.keys() == expected.keys()
    assert all(stored[n] == pytest.approx(cost, abs=1e-9) for n, cost in expected.items())
    # "00P2-1,1/4/2023,5.83,$3.37 ": 5.83 gal x $3.37 = $19.6471.
    assert stored[1] == pytest.approx(19.6471)
    # "00P2-1,1/4/2023,5.83,$3.37 ": US date without leading zeros.
    assert example.one("SELECT purchase_date, quantity FROM core.fleet_fuel WHERE _source_row = 1") == (date(2023, 1, 4), 5.83)
    assert example.one("SELECT min(purchase_date), max(purchase_date) FROM core.fleet_fuel") == (date(2023, 1, 1), date(2023, 3, 31))


def test_grants_pass_building_emissions_without_a_buildings_inventory(tmp_path: Path) -> None:
    from city_outcomes.metrics.emissions import refresh_building_emissions, write_unit_conversions

    city = example_city("grants_pass", tmp_path)
    conn = warehouse.connect(city.warehouse_path)
    try:
        for feed in ("emission_factors", "global_warming_potentials", "building_energy"):
            ingest_feed(conn, city, feed)
        write_unit_conversions(conn)
        written = refresh_building_emissions(conn, city, (date(2023, 1, 1), date(2023, 6, 1)))
        assert written == conn.execute("SELECT count(DISTINCT (building_id, period_month)) FROM core.building_energy").fetchone()[0] == 680
    finally:
        conn.close()


# --- Palo Alto: ChargePoint sessions in Pacific time ---------------------------------------------


@pytest.fixture(scope="module")
def palo_alto_rows() -> list[dict[str, str]]:
    return csv_rows(PALO_ALTO)


def _session(example: Ingested, row: int) -> tuple:
    return example.one("SELECT station_id, port_id, start_time, end_time, energy_kwh FROM core.ev_charging_sessions WHERE _source_row = ?", row)


def test_palo_alto_local_times_become_utc_across_daylight_saving(ingested, palo_alto_rows) -> None:
    example = ingested("palo_alto")
    # No session in the export ends before it starts, so none is quarantined.
    assert example.quarantine("ev_charging_sessions") == {}
    # Row 1: 7/29/2011 20:17 PDT (UTC-7) -> 2011-07-30 03:17 UTC; ends 23:20 PDT -> 06:20 UTC.
    assert palo_alto_rows[0]["Start Date"] == "7/29/2011 20:17" and palo_alto_rows[0]["Start Time Zone"] == "PDT"
    assert _session(example, 1) == ("PALO ALTO CA / HAMILTON #1", "2", utc(2011, 7, 30, 3, 17), utc(2011, 7, 30, 6, 20), 6.249457)
    # A winter session: 11/10/2012 18:15 PST (UTC-8) -> 2012-11-11 02:15 UTC; 20:00 PST -> 04:00 UTC.
    winter = source_row(palo_alto_rows, **{"Start Date": "11/10/2012 18:15", "Start Time Zone": "PST"})
    assert _session(example, winter)[2:4] == (utc(2012, 11, 11, 2, 15), utc(2012, 11, 11, 4, 0))
    # Plugged in before the spring change, unplugged after it: 3/10/2012 18:00 PST -> 2012-03-11 02:00 UTC;
    # 3/11/2012 9:36 PDT -> 16:36 UTC (14 h 36 min; the export's Total Duration says 14:36:29).
    spring = source_row(palo_alto_rows, **{"Start Date": "3/10/2012 18:00", "End Time Zone": "PDT"})
    assert palo_alto_rows[spring - 1]["Total Duration (hh:mm:ss)"] == "14:36:29"
    assert _session(example, spring)[2:4] == (utc(2012, 3, 11, 2, 0), utc(2012, 3, 11, 16, 36))
    # Across the autumn change: 11/3/2012 22:54 PDT -> 11/4 05:54 UTC; 11/4/2012 6:50 PST -> 14:50 UTC (8:56:16).
    autumn = source_row(palo_alto_rows, **{"Start Date": "11/3/2012 22:54", "End Time Zone": "PST"})
    assert _session(example, autumn)[2:4] == (utc(2012, 11, 4, 5, 54), utc(2012, 11, 4, 14, 50))
    assert example.one("SELECT min(start_time), max(start_time), count(DISTINCT station_id) FROM core.ev_charging_sessions") == (
        utc(2011, 7, 30, 3, 17), utc(2013, 3, 23, 16, 57), 5  # 3/23/2013 9:57 PDT
    )
    # Every session, worked out independently from the export's own zone columns (PDT = UTC-7,
    # PST = UTC-8), agrees with what was stored, including the one ending in the skipped hour.
    offsets = {"PDT": timedelta(hours=7), "PST": timedelta(hours=8)}
    stored = {row: (start, end) for row, start, end in example.all("SELECT _source_row, start_time, end_time FROM core.ev_charging_sessions")}
    disagree = [
        number
        for number, r in enumerate(palo_alto_rows, start=1)
        if stored[number] != (
            datetime.strptime(r["Start Date"], "%m/%d/%Y %H:%M") + offsets[r["Start Time Zone"]],
            datetime.strptime(r["End Date"], "%m/%d/%Y %H:%M") + offsets[r["End Time Zone"]],
        )
    ]
    assert disagree == []


def test_palo_alto_the_session_ending_in_the_skipped_hour(ingested, palo_alto_rows) -> None:
    example = ingested("palo_alto")
    row = source_row(palo_alto_rows, **{"Start Date": "3/10/2013 0:52"})
    assert (palo_alto_rows[row - 1]["End Date"], palo_alto_rows[row - 1]["End Time Zone"]) == ("3/10/2013 2:57", "PDT")
    assert _session(example, row)[2:4] == (utc(2013, 3, 10, 8, 52), utc(2013, 3, 10, 9, 57))


def test_palo_alto_user_ids_are_hashed_not_stored(ingested, palo_alto_rows) -> None:
    example = ingested("palo_alto")
    raw_ids = {r["User ID"] for r in palo_alto_rows if r["User ID"] not in ("", "0")}  # "0" is the no-account placeholder
    stored = {u for (u,) in example.all("SELECT DISTINCT user_id FROM core.ev_charging_sessions WHERE user_id IS NOT NULL")}
    assert not raw_ids & stored
    # Salted SHA-256 of the raw id: row 1's driver "3284" is countable, not identifiable.
    assert palo_alto_rows[0]["User ID"] == "3284"
    assert example.one("SELECT user_id FROM core.ev_charging_sessions WHERE _source_row = 1")[0] == salted_sha256(example.salt, "3284")
    # One hash per driver; blank ids and the placeholder stay missing.
    assert len(stored) == len(raw_ids) == 980
    assert example.one("SELECT count(*) FROM core.ev_charging_sessions WHERE user_id IS NULL")[0] == sum(r["User ID"] in ("", "0") for r in palo_alto_rows) == 179 + 383
    # Charger coordinates are public infrastructure: kept.
    assert example.one("SELECT latitude, longitude FROM core.ev_charging_sessions WHERE _source_row = 1") == (37.444572, -122.160309)


def test_palo_alto_placeholder_user_id_is_missing_not_a_driver(ingested, palo_alto_rows) -> None:
    example = ingested("palo_alto")
    placeholder = sum(r["User ID"] == "0" for r in palo_alto_rows)
    assert placeholder == 383
    assert example.one("SELECT count(*) FROM core.ev_charging_sessions WHERE user_id IS NULL")[0] == 179 + placeholder


# --- Boston 311 (CSV) and Bloomington Open311 (JSON) ----------------------------------------------


def test_boston_311_times_status_and_channel(ingested) -> None:
    example = ingested("boston")
    assert example.quarantine("service_requests") == {}
    assert example.all("SELECT status, count(*), count(closed_at) FROM core.service_requests GROUP BY ALL ORDER BY 1") == [("closed", 575, 575), ("open", 24, 0)]
    # Opened 01/05/2015 03:22:00 PM EST (UTC-5) -> 20:22 UTC; closed 07/08/2015 10:06:03 PM EDT (UTC-4) -> 07/09 02:06:03 UTC.
    assert example.one(
        "SELECT requested_at, closed_at, service_name, agency_responsible FROM core.service_requests WHERE service_request_id = '101001242554'"
    ) == (utc(2015, 1, 5, 20, 22), utc(2015, 7, 9, 2, 6, 3), "Street Light Knock Downs", "Public Works Department")
    assert example.one("SELECT count(*) FROM core.service_requests WHERE channel = 'Constituent Call'")[0] == 521
    assert example.one("SELECT min(requested_at), max(requested_at) FROM core.service_requests") == (utc(2015, 1, 3, 11, 6, 20), utc(2015, 12, 31, 4, 58))


def test_boston_addresses_and_coordinates_are_not_stored(ingested) -> None:
    example = ingested("boston")
    rows = csv_rows(BOSTON)
    assert rows[0]["Location"] == "440-470 Blue Hill Ave  Dorchester  MA  02121" and rows[0]["LATITUDE"] == "42.3097"
    # Dropped by the privacy policy; with no tract boundaries for Boston loaded, coarsening finds no tract.
    assert example.one(
        "SELECT count(address), count(lat), count(long), count(description), count(location_tract_geoid) FROM core.service_requests"
    ) == (0, 0, 0, 0, 0)
    core_text = " ".join(text for (text,) in example.all("SELECT to_json(t)::VARCHAR FROM core.service_requests AS t"))
    assert "Blue Hill" not in core_text and "42.3097" not in core_text and "-71.0822" not in core_text
    # The landing zone keeps the raw file (never published), byte for byte.
    landed = Path(example.one("SELECT landed_path FROM meta.landed_files WHERE feed = 'service_requests'")[0])
    assert landed.read_bytes() == BOSTON.read_bytes()


def test_bloomington_open311_requests(ingested) -> None:
    example = ingested("bloomington")
    requests = json.loads(BLOOMINGTON.read_text(encoding="utf-8"))
    # Six open requests carry lat 0, long 0: the endpoint's placeholder for "no location", which would
    # coarsen to no tract (or to the wrong one). The contract's null-island rule sets them aside.
    null_island = [n for n, r in enumerate(requests, start=1) if r["lat"] == 0 and r["long"] == 0]
    assert null_island == [3, 12, 14, 15, 18, 20]
    rule = "null_island: placeholder: coordinates at (0, 0) (null island): lat and long are both 0"
    assert example.quarantine("service_requests") == {n: [rule] for n in null_island}
    # "2012-05-23T15:55:28-04:00" -> 19:55:28 UTC; GeoReport field names map onto the contract's by name.
    assert example.one(
        "SELECT service_request_id, service_name, service_code, status, requested_at, agency_responsible FROM core.service_requests WHERE _source_row = 1"
    ) == ("4fbd40b2b1fe2c4b02000001", "Traffic Suggestions", "4e7b3e4c992b945109000000", "open", utc(2012, 5, 23, 19, 55, 28), "Street Department")
    assert example.all("SELECT status, count(*) FROM core.service_requests GROUP BY ALL ORDER BY 1") == [("closed", 3), ("open", 12)]
    # closed_at is deliberately unmapped (GeoReport v2 has no closing time); personal fields are dropped.
    assert example.one(
        "SELECT count(closed_at), count(description), count(address), count(lat), count(long) FROM core.service_requests"
    ) == (0, 0, 0, 0, 0)
    assert sum(bool(r["description"]) for r in requests) == 17 and sum(r["lat"] not in (None, 0) for r in requests) == 13
    core_text = " ".join(text for (text,) in example.all("SELECT to_json(t)::VARCHAR FROM core.service_requests AS t"))
    assert "Olcott" not in core_text and "knee high" not in core_text


# --- Austin dockless trips ------------------------------------------------------------------------


def test_austin_quarantines_the_blank_row_and_the_133_day_trip(ingested) -> None:
    example = ingested("austin")
    trips = csv_rows(AUSTIN)
    blank = source_row(trips, **{"Vehicle Type": "", "Start Time": ""})
    lost = source_row(trips, **{"Trip Duration": "11491603"})
    assert (blank, lost) == (1, 3)
    assert example.quarantine("micromobility_trips") == {
        blank: [
            "vehicle_type: not_nullable",
            "start_time: not_nullable",
            "end_time: not_nullable",
            "trip_duration_s: not_nullable",
            "trip_distance_m: not_nullable",
        ],
        lost: ["trip_duration_s: less_than_or_equal_to(86400)"],
    }
    assert example.one("SELECT raw_values->>'End Time' FROM meta.quarantine WHERE source_row = ?", lost)[0] == "04/12/2019 12:00:00 PM"
    # What stays: 854 scooters, 143 bicycles; zero-distance rentals are trips too.
    assert example.all("SELECT vehicle_type, count(*) FROM core.micromobility_trips GROUP BY ALL ORDER BY 1") == [("bicycle", 143), ("scooter", 854)]
    assert example.one("SELECT count(*) FROM core.micromobility_trips WHERE trip_distance_m = 0")[0] == 48


def test_austin_times_in_central_time_and_devices_hashed(ingested) -> None:
    example = ingested("austin")
    trips = csv_rows(AUSTIN)
    # Row 2: 12/08/2018 03:45:00 PM CST (UTC-6) -> 21:45 UTC; 04:15:00 PM -> 22:15 UTC.
    assert example.one("SELECT start_time, end_time, trip_duration_s, trip_distance_m FROM core.micromobility_trips WHERE _source_row = 2") == (
        utc(2018, 12, 8, 21, 45), utc(2018, 12, 8, 22, 15), 1603.0, 0.0
    )
    # Before the November change: 10/09/2018 12:30:00 PM CDT (UTC-5) -> 17:30 UTC.
    october = source_row(trips, **{"Start Time": "10/09/2018 12:30:00 PM"})
    assert example.one("SELECT start_time FROM core.micromobility_trips WHERE _source_row = ?", october)[0] == utc(2018, 10, 9, 17, 30)
    raw_devices = {r["Device ID"] for r in trips}
    stored = {d for (d,) in example.all("SELECT DISTINCT device_id FROM core.micromobility_trips")}
    assert not raw_devices & stored
    assert example.one("SELECT device_id FROM core.micromobility_trips WHERE _source_row = 2")[0] == salted_sha256(example.salt, trips[1]["Device ID"])
    accepted_devices = {r["Device ID"] for n, r in enumerate(trips, start=1) if n not in (1, 3)}
    assert len(stored) == len(accepted_devices)
    # The open data has no coordinates, and its tract columns are empty on every row.
    assert example.one("SELECT count(start_lat), count(end_lon), count(start_tract_geoid), count(end_tract_geoid) FROM core.micromobility_trips") == (0, 0, 0, 0)
    assert example.all("SELECT DISTINCT provider_name FROM core.micromobility_trips") == [("austin_open_data (operator not published)",)]


# --- GBFS: Divvy (v1-style) and the GBFS 2.3 fixtures ---------------------------------------------


def test_divvy_stations_and_status(ingested) -> None:
    example = ingested("chicago_divvy")
    # last_updated 1573852861 = 2019-11-15 21:21:01 UTC (information), 1573850008 = 20:33:28 UTC (status).
    assert example.one(
        "SELECT system_id, name, latitude, longitude, capacity, snapshot_time FROM core.gbfs_station_information WHERE station_id = '2'"
    ) == ("divvy", "Buckingham Fountain", 41.87651122881695, -87.62054800987242, 39, utc(2019, 11, 15, 21, 21, 1))
    # is_installed etc. are 0/1 integers in this feed: read as booleans.
    assert example.one(
        "SELECT num_bikes_available, num_docks_available, is_installed, is_renting, is_returning, last_reported, snapshot_time "
        "FROM core.gbfs_station_status WHERE station_id = '2'"
    ) == (16, 23, True, True, True, datetime.fromtimestamp(1573848914, UTC).replace(tzinfo=None), utc(2019, 11, 15, 20, 33, 28))
    assert example.one("SELECT bool_and(is_installed AND is_renting AND is_returning) FROM core.gbfs_station_status")[0] is True
    assert example.one("SELECT min(capacity), max(capacity) FROM core.gbfs_station_information") == (7, 55)


def test_divvy_is_not_a_gbfs_2_3_feed(tmp_path: Path) -> None:
    """Why the Divvy example names no JSON Schema: GBFS 2.3 rejects the pre-2.0 file as a whole."""
    city = example_city("chicago_divvy", tmp_path, gbfs_station_status={"json_schema": "gbfs-2.3/station_status.json"})
    conn = warehouse.connect(city.warehouse_path)
    try:
        outcome = ingest_feed(conn, city, "gbfs_station_status")
        assert '"version" is a required property' in outcome.files[0].file_error
        # The single-line file is quarantined whole, as its one line; nothing reaches core.
        assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (1, 0, 1)
    finally:
        conn.close()


def test_gbfs_2_3_fixtures_pass_their_schema(ingested) -> None:
    example = ingested("gbfs_2_3_spec")
    # last_updated 1751437263 = 2025-07-02 06:21:03 UTC; the fixture gives vehicle_type_capacity, not capacity.
    assert example.all("SELECT station_id, name, latitude, longitude, capacity, snapshot_time FROM core.gbfs_station_information ORDER BY 1") == [
        ("TST:Station:1", "Cool bikes", 12.34, 45.67, None, utc(2025, 7, 2, 6, 21, 3)),
        ("TST:Station:2", "Cooler bikes", 11.34, 44.67, None, utc(2025, 7, 2, 6, 21, 3)),
    ]
    assert example.all("SELECT station_id, num_bikes_available, num_docks_available, is_renting, last_reported FROM core.gbfs_station_status ORDER BY 1") == [
        ("TST:Station:1", 1, 3, True, utc(2025, 7, 2, 6, 21, 3)),
        ("TST:Station:2", 6, 8, True, utc(2025, 7, 2, 6, 21, 3)),
    ]


# --- H-GAC tracts: demographics and boundaries from one GeoJSON -----------------------------------


def test_hgac_tract_demographics(ingested) -> None:
    example = ingested("houston_hgac")
    row = example.one(
        "SELECT tract_name, population, households, median_household_income_usd, share_below_poverty, share_people_of_color, "
        "share_households_without_broadband, acs_vintage FROM core.census_tracts WHERE tract_geoid = '48039661602'"
    )
    # Pop_Total 2751, HH_Total 983, Inc_HH_Median 66420, Pov_Rate 21.3 (%) -> 0.213; the GEOID stands in for the name;
    # people of color derived: Pop_White 1199, so 1 - 1199 / 2751 = 1552 / 2751 = 0.56416; broadband
    # cannot be mapped (see the config).
    assert row[:4] == ("48039661602", 2751, 983, 66420.0)
    assert row[4] == pytest.approx(0.213)
    assert row[5] == pytest.approx(1552 / 2751)
    assert row[6:] == (None, "2013-2017")
    assert example.one("SELECT count(*) FROM core.census_tracts WHERE share_below_poverty IS NULL")[0] == 5
    assert example.one("SELECT max(share_below_poverty) FROM core.census_tracts") == (1.0,)


def test_hgac_share_people_of_color_is_derived_from_the_race_counts(ingested) -> None:
    """derive: 1 - Pop_White / Pop_Total, worked out here from the GeoJSON itself for every tract;
    empty on the one tract with no population (48071710600: Pop_Total 0), where it is undefined."""
    example = ingested("houston_hgac")
    features = json.loads((REALDATA / "hgac_acs_tracts" / "tracts.geojson").read_text(encoding="utf-8"))["features"]
    expected = {
        f["properties"]["Tract"]: (1 - f["properties"]["Pop_White"] / f["properties"]["Pop_Total"]) if f["properties"]["Pop_Total"] else None
        for f in features
    }
    stored = dict(example.all("SELECT tract_geoid, share_people_of_color FROM core.census_tracts"))
    assert stored.keys() == expected.keys() and len(stored) == 1105
    assert [t for t, share in stored.items() if share is None] == ["48071710600"]
    assert all(stored[t] == pytest.approx(share, abs=1e-12) for t, share in expected.items() if share is not None)


def test_hgac_suppressed_median_income_is_missing(ingested) -> None:
    example = ingested("houston_hgac")
    assert example.one("SELECT count(*) FROM core.census_tracts WHERE median_household_income_usd = 0")[0] == 0
    assert example.one("SELECT count(*) FROM core.census_tracts WHERE median_household_income_usd IS NULL")[0] == 6


def test_hgac_boundaries_coarsen_real_points_to_tracts(ingested) -> None:
    example = ingested("houston_hgac")
    boundary = json.loads(example.one("SELECT boundary FROM core.census_tract_boundaries WHERE tract_geoid = '48039661602'")[0])
    assert boundary["type"] == "Polygon"
    assert boundary["coordinates"][0][0] == [-95.26943506860546, 29.304621868121966]
    # The boundaries are what the privacy policy coarsens coordinates against.
    assert prepare_tract_shapes(example.conn) == 1105
    # Houston City Hall (29.7604 N, 95.3698 W) falls in exactly one tract, in Harris County (FIPS 48201).
    tracts = example.all("SELECT tract_geoid FROM _tract_shapes WHERE ST_Contains(geom, ST_Point(-95.3698, 29.7604))")
    assert len(tracts) == 1 and tracts[0][0].startswith("48201")
    # And every tract's own interior point falls back in that tract.
    assert example.one("SELECT count(*) FROM _tract_shapes WHERE ST_Contains(geom, ST_PointOnSurface(geom))")[0] == 1105


def test_hgac_grid_coarsening_gives_the_tract_that_contains_each_point(ingested, tmp_path: Path) -> None:
    """Coarsening looks points up in a grid over the tracts; on the real H-GAC polygons it must give,
    for every point, the tract ST_Contains gives (the first by GEOID where generalized tracts overlap),
    including points on vertices, on edges and on cell corners, where a shortcut would slip."""
    example = ingested("houston_hgac")
    prepare_tract_shapes(example.conn)
    example.conn.execute(
        """
        CREATE OR REPLACE TEMP TABLE _points AS
        SELECT ST_X(pt) AS start_lon, ST_Y(pt) AS start_lat FROM (
            SELECT ST_PointOnSurface(geom) AS pt FROM _tract_shapes
            UNION ALL SELECT unnest(ST_Dump(ST_Points(geom))).geom FROM _tract_shapes
            UNION ALL SELECT ST_Point(x, y) FROM (SELECT min(ST_XMin(geom)) AS x0, max(ST_XMax(geom)) AS x1,
                                                         min(ST_YMin(geom)) AS y0, max(ST_YMax(geom)) AS y1 FROM _tract_shapes),
                      LATERAL (SELECT x0 + (x1 - x0) * i / 300 AS x FROM range(301) AS r(i)),
                      LATERAL (SELECT y0 + (y1 - y0) * j / 300 AS y FROM range(301) AS r(j))
            UNION ALL SELECT ST_Point(cell_lon / getvariable('tract_cells_per_degree'), cell_lat / getvariable('tract_cells_per_degree')) FROM _tract_cells
        )
        """
    )
    select = core_select(get_contract("micromobility_trips"), PrivacyPolicy(salt_path=tmp_path / "salt"), "t.")
    grid = select.expressions["start_tract_geoid"].replace('t."start_tract_geoid"', "CAST(NULL AS VARCHAR)")
    joins = " ".join(j for j in select.joins if '"tract_start"' in j)
    points, overlaps, wrong = example.one(
        f"""
        WITH p AS (SELECT row_number() OVER () AS id, * FROM _points),
        by_grid AS (SELECT t.id, {grid} AS tract FROM p AS t {joins}),
        containing AS (SELECT p.id, list(s.tract_geoid ORDER BY s.tract_geoid) FILTER (WHERE s.tract_geoid IS NOT NULL) AS tracts
                       FROM p LEFT JOIN _tract_shapes AS s ON ST_Contains(s.geom, ST_Point(p.start_lon, p.start_lat)) GROUP BY p.id)
        SELECT count(*), count(*) FILTER (WHERE len(tracts) > 1), count(*) FILTER (WHERE by_grid.tract IS DISTINCT FROM tracts[1])
        FROM by_grid JOIN containing USING (id)
        """
    )
    assert points > 100_000 and wrong == 0
    assert overlaps > 0  # the layer's tracts do overlap: those points took the first GEOID
