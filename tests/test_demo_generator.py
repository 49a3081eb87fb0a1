"""The demo city is deterministic and looks like a real mid-size US city's exports."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from city_outcomes import warehouse
from city_outcomes.config import SPECS_DIR, CityConfig
from city_outcomes.demo import DEMO_SEED, DemoCity, generate
from city_outcomes.demo.generator import render
from city_outcomes.feeds.ingest import ingest_feed

# Its module-scoped fixture builds a warehouse once: under xdist its tests share one worker.
pytestmark = pytest.mark.xdist_group("test_demo_generator")

# The first three feeds were published before the others existed: adding feeds must not change a byte. (The bills
# changed once on purpose: three buildings heat with district steam, No. 2 oil and propane instead of gas.)
FIRST_FEEDS_SHA256 = {
    "census/acs_tracts_2019_2023.csv": "a56d25015e103e48a032091bfc114007829894a66e8bb602ababf18a4f58a822",
    "facilities/facility_inventory.csv": "0e3528ebf575a6588823d71bc2e4de4fdfdf4a7e074a7bf0eb47f81e757ac723",
    "building_energy/utility_bills_2023.csv": "4b30830af324fef1297f2dde2d8b02f0a5fd14ac48991381aa3d5e9ed005bf14",
    "building_energy/utility_bills_2024.csv": "48c5306614f8bdecaeb5c278cd6fa3c0e02c2112b39bf5b6e6753ca4f250ec39",
    "building_energy/utility_bills_2025.csv": "facae88cf35e723d575a8577835f180ac3279c2ccf7b423ee70f1d3f63e85af5",
}
FOLDERS = {"census", "facilities", "building_energy", "benchmarking", "fleet_fuel", "fleet_assets", "streetlights", "transit", "micromobility", "ev_charging", "service_requests", "registries", "traffic_signals", "community", "published"}


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _csvs(folder: Path, pattern: str, **read_csv) -> pd.DataFrame:
    return pd.concat([pd.read_csv(p, **read_csv) for p in sorted(folder.glob(pattern))], ignore_index=True)


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = _json(schema_path)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city's files, generated once for this module's read-only checks."""
    folder = tmp_path_factory.mktemp("demo")
    generate(folder)
    return folder


# Determinism


def test_generating_twice_gives_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a")
    generate(tmp_path / "b")
    assert {p.relative_to(tmp_path / "a").parts[0] for p in first} == FOLDERS
    assert len(first) == len(set(first)) > 100
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_the_files_are_recomputed_identically_not_only_remembered() -> None:
    # generate() copies the files render() made once per process: a fresh run must give the same bytes.
    assert render.__wrapped__(DEMO_SEED, DemoCity()) == render(DEMO_SEED, DemoCity())


def test_the_first_feeds_keep_their_bytes(demo: Path) -> None:
    assert {name: hashlib.sha256((demo / name).read_bytes()).hexdigest() for name in FIRST_FEEDS_SHA256} == FIRST_FEEDS_SHA256


def test_a_different_seed_gives_different_data() -> None:
    # Straight from the generator (not through render's per-process memory, which other tests share).
    a = {name: hashlib.sha256(content).hexdigest() for name, content in render.__wrapped__(1, DemoCity())}
    b = {name: hashlib.sha256(content).hexdigest() for name, content in render.__wrapped__(2, DemoCity())}
    assert a.keys() == b.keys()
    # Every generated file changes with the seed (the registries only follow what the feeds did; the fleet asset
    # list is the fleet's definition: which vehicles, bought when).
    same = sorted(name for name in a if a[name] == b[name])
    assert same == ["fleet_assets/fleet_asset_list.csv", "registries/goals.csv"], same


# Every demo row passes its contract


def test_every_demo_feed_ingests_with_no_row_quarantined(demo_city: CityConfig, tmp_path: Path) -> None:
    conn = warehouse.connect(tmp_path / "all_feeds.duckdb")
    try:
        # Coordinates are coarsened against the tract boundaries, so those go in first.
        order = ["census_tract_boundaries", *(name for name in demo_city.feeds if name != "census_tract_boundaries")]
        outcomes = {name: ingest_feed(conn, demo_city, name) for name in order}
        assert {name: o.rows_quarantined for name, o in outcomes.items()} == dict.fromkeys(order, 0)
        assert [name for name, o in outcomes.items() if o.rows_read == 0] == []
        assert [f.file_error for o in outcomes.values() for f in o.files if f.file_error] == []
        geoids = {g for (g,) in conn.execute("SELECT tract_geoid FROM core.census_tract_boundaries").fetchall()}
        assert len(geoids) == 40
        # Every trip starts and ends inside a tract; the exact coordinates are gone.
        trips, without_tract, coordinates = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE start_tract_geoid IS NULL OR end_tract_geoid IS NULL),
                      count(start_lat) + count(start_lon) + count(end_lat) + count(end_lon) FROM core.micromobility_trips"""
        ).fetchone()
        assert trips == outcomes["micromobility_trips"].rows_read and without_tract == 0 and coordinates == 0
        trip_tracts = {g for (g,) in conn.execute("SELECT start_tract_geoid FROM core.micromobility_trips UNION SELECT end_tract_geoid FROM core.micromobility_trips").fetchall()}
        assert 20 < len(trip_tracts) and trip_tracts <= geoids
        # 311 requests: every app request and every CRM request with coordinates got its tract; the
        # reporters' details are not stored.
        located = dict(conn.execute("SELECT _feed, avg((location_tract_geoid IS NOT NULL)::INT) FROM core.service_requests GROUP BY 1").fetchall())
        assert located["service_requests_open311"] == 1.0 and 0.85 < located["service_requests_crm"] < 1.0
        assert conn.execute("SELECT count(reporter_name) + count(reporter_email) + count(reporter_phone) + count(description) FROM core.service_requests").fetchone()[0] == 0
        # Both feeds use the app's spelling of the streetlight request type.
        names = {n for (n,) in conn.execute("SELECT DISTINCT service_name FROM core.service_requests WHERE service_code = 'SLOUT'").fetchall()}
        assert names == {"Streetlight out"}
        # Every mapped label arrived as a contract value.
        assert {m for (m,) in conn.execute("SELECT DISTINCT mode FROM core.transit_ridership").fetchall()} == {"bus", "brt", "paratransit"}
        fuels = set(conn.execute("SELECT DISTINCT fuel_type, unit FROM core.fleet_fuel").fetchall())
        assert fuels == {("gasoline", "gal"), ("diesel", "gal"), ("b20", "gal"), ("e85", "gal"), ("cng", "GGE"), ("electricity", "kWh")}
        # LED conversion: the 2025 streetlight bill is well under half of 2023's.
        by_year = dict(conn.execute("SELECT year(period_month), sum(energy_kwh) FROM core.streetlight_energy WHERE _feed = 'streetlight_energy' GROUP BY 1").fetchall())
        assert by_year[2025] < 0.45 * by_year[2023] and by_year[2023] > by_year[2024] > by_year[2025]
        _ev_times_keep_their_duration(conn, demo_city)
    finally:
        conn.close()


def _ev_times_keep_their_duration(conn, city: CityConfig) -> None:
    """Local times with a per-row EST/EDT become instants whose difference is the exported duration."""
    for path in city.feed_files("ev_charging_sessions"):
        exported = pd.read_csv(path, usecols=["Total Duration (hh:mm:ss)", "End Time Zone"])
        seconds = exported["Total Duration (hh:mm:ss)"].map(lambda t: sum(int(x) * f for x, f in zip(t.split(":"), (3600, 60, 1), strict=True)))
        stored = conn.execute(
            """SELECT epoch(end_time - start_time) FROM core.ev_charging_sessions
               WHERE _file_sha256 = (SELECT file_sha256 FROM meta.landed_files WHERE source_path = ? LIMIT 1) ORDER BY _source_row""",
            [str(path)],
        ).fetchall()
        assert len(stored) == len(exported)
        # The export's times are to the minute, its durations to the second.
        assert (pd.Series([s for (s,) in stored]) - seconds).abs().max() < 60


# The vendors' own specifications


def test_mds_trips_follow_the_official_mds_1_2_0_schema(demo: Path) -> None:
    validator = _validator(SPECS_DIR / "mds-1.2.0" / "trips.json")  # shipped; identical to the official file
    files = sorted((demo / "micromobility" / "trips").rglob("*.json"))
    assert len(files) == 36 + 21  # scooters every month; the bike share from April 2024
    trip_ids = set()
    for path in files:
        payload = _json(path)
        errors = [f"{list(e.absolute_path)[:4]}: {e.message}" for e in validator.iter_errors(payload)]
        assert errors == [], (path.name, errors[:3])
        for trip in payload["data"]["trips"]:
            points = trip["route"]["features"]
            assert points[0]["properties"]["timestamp"] == trip["start_time"] and points[-1]["properties"]["timestamp"] == trip["end_time"]
            assert trip["end_time"] - trip["start_time"] == trip["trip_duration"] * 1000
            trip_ids.add(trip["trip_id"])
    assert len(trip_ids) == sum(len(_json(p)["data"]["trips"]) for p in files)


@pytest.mark.parametrize("feed", ["station_information", "station_status"])
def test_gbfs_snapshots_follow_the_official_gbfs_2_3_schema(demo: Path, feed: str) -> None:
    validator = _validator(SPECS_DIR / "gbfs-2.3" / f"{feed}.json")
    files = sorted((demo / "micromobility" / "gbfs").glob(f"*/{feed}.json"))
    assert len(files) >= 5
    for path in files:
        errors = [e.message for e in validator.iter_errors(_json(path))]
        assert errors == [], (path.parent.name, errors[:3])


# Realism, feed by feed


def test_tract_boundaries_tile_the_city_without_overlaps(demo: Path, tmp_path: Path) -> None:
    tracts = pd.read_csv(demo / "census" / "acs_tracts_2019_2023.csv", dtype={"GEOID": str})
    layer = _json(demo / "census" / "tract_boundaries.geojson")
    assert layer["type"] == "FeatureCollection"
    assert [f["properties"]["GEOID"] for f in layer["features"]] == list(tracts["GEOID"])
    assert {f["geometry"]["type"] for f in layer["features"]} == {"Polygon"}
    shapes = pd.DataFrame({"geoid": [f["properties"]["GEOID"] for f in layer["features"]], "geojson": [json.dumps(f["geometry"]) for f in layer["features"]]})
    conn = warehouse.connect(tmp_path / "shapes.duckdb")
    try:
        conn.execute("LOAD spatial")
        conn.register("shapes", shapes)
        conn.execute("CREATE TABLE t AS SELECT geoid, ST_GeomFromGeoJSON(geojson) AS g FROM shapes")
        overlap = conn.execute("SELECT max(ST_Area(ST_Intersection(a.g, b.g))) FROM t a JOIN t b ON a.geoid < b.geoid").fetchone()[0]
        union, total, valid = conn.execute("SELECT ST_Area(ST_Union_Agg(g)), sum(ST_Area(g)), bool_and(ST_IsValid(g)) FROM t").fetchone()
    finally:
        conn.close()
    assert valid and overlap < 1e-12
    assert union == pytest.approx(total, rel=1e-9)
    assert union == pytest.approx(0.20 * 0.15, rel=1e-3)  # lon -75.45..-75.25, lat 40.55..40.70


def test_fleet_fuel_is_a_plausible_municipal_fleet(demo: Path) -> None:
    fuel = _csvs(demo / "fleet_fuel", "fuel_transactions_*.csv")
    assert len(list((demo / "fleet_fuel").glob("*.csv"))) == 12  # one file per quarter
    assert 140 <= fuel["Vehicle No."].nunique() <= 190
    assert set(fuel.groupby("Product")["UOM"].unique().map(tuple)) == {("GAL",), ("GGE",), ("KWH",)}
    fuel["date"] = pd.to_datetime(fuel["Transaction Date"], format="%m/%d/%Y")
    b20 = fuel[fuel["Product"] == "B20 BIODIESEL"].groupby(fuel["date"].dt.month)["Quantity"].sum()
    assert b20[1] > 2 * b20[7]  # snowplows
    ev = fuel[fuel["UOM"] == "KWH"].groupby(fuel["date"].dt.year)["Quantity"].sum()
    assert ev[2025] > 2 * ev[2023]  # the fleet electrifies
    gasoline_2023 = fuel[(fuel["Product"] == "UNL REG") & (fuel["date"].dt.year == 2023)]["Quantity"].sum()
    assert 80_000 < gasoline_2023 < 200_000  # gallons a year for ~100 gasoline vehicles
    cost = fuel["Total Cost"].str.replace(r"[$,]", "", regex=True).astype(float)
    price = fuel["Unit Price"].str.lstrip("$").astype(float)
    assert ((cost - fuel["Quantity"] * price).abs() <= 0.01).all()


def test_streetlights_convert_to_led_in_2024(demo: Path) -> None:
    inventory = pd.read_csv(demo / "streetlights" / "inventory" / "streetlight_inventory.csv", dtype={"CENSUS_TRACT": str})
    assert 2_500 <= len(inventory) <= 3_200 and inventory["FIXTURE_ID"].is_unique
    assert (inventory["TECHNOLOGY"] == "LED").mean() > 0.95
    installed = pd.to_datetime(inventory["INSTALL_DATE"], format="%m/%d/%Y")
    converted = inventory["TECHNOLOGY"].eq("LED") & installed.dt.year.eq(2024)
    assert converted.mean() > 0.9
    bills = _csvs(demo / "streetlights" / "billing", "streetlight_billing_*.csv")
    assert len(bills) < 110_000 and set(bills["Pole ID"]) == set(inventory["FIXTURE_ID"])
    bills["year"], bills["month"] = bills["Service Period"].str[:4].astype(int), bills["Service Period"].str[5:].astype(int)
    per_year = bills.groupby("year")["Billed kWh"].sum()
    assert per_year[2024] < 0.8 * per_year[2023] and per_year[2025] < 0.45 * per_year[2023]
    monthly_2023 = bills[bills["year"] == 2023].groupby("month")["Billed kWh"].sum()
    assert monthly_2023[12] > 1.5 * monthly_2023[6]  # long winter nights
    # Unmetered billing: kWh = input watts x burn hours, about 4,100 hours a year.
    unchanged = inventory[inventory["TECHNOLOGY"].isin(["MH"])].set_index("FIXTURE_ID")["INPUT_WATTS"]
    hours = bills[(bills["year"] == 2023) & bills["Pole ID"].isin(unchanged.index)].groupby("Pole ID")["Billed kWh"].sum() * 1000 / unchanged
    assert hours.between(4_050, 4_160).all()
    # A 100 W sodium lamp (117 W with its ballast) was billed about 40 kWh a month; the 40 W LED replacing it about 14.
    assert 36 <= bills.loc[bills["Rate Code"] == "SL-HPS-100", "Billed kWh"].median() <= 44
    assert 12 <= bills.loc[bills["Rate Code"] == "SL-LED-40", "Billed kWh"].median() <= 16


def test_transit_ridership_is_seasonal_and_recovering(demo: Path) -> None:
    rides = _csvs(demo / "transit", "ridership_by_route_*.csv", dtype={"Route": str})
    assert rides["Route"].nunique() == 20 and len(rides) == 20 * 36
    rides["boardings"] = rides["Total Boardings"].str.replace(",", "").astype(int)
    rides["date"] = pd.to_datetime(rides["Month"], format="%b %Y")
    monthly = rides.groupby("date")["boardings"].sum()
    for year in (2023, 2024, 2025):
        assert monthly[f"{year}-10-01"] > 1.15 * monthly[f"{year}-07-01"]  # school is in
    per_year = monthly.groupby(monthly.index.year).sum()
    assert 2_000_000 < per_year[2023] < 4_000_000 and per_year[2025] > per_year[2024] > per_year[2023]
    # Weekday, Saturday and Sunday averages add up to the month's total.
    days = rides["Weekdays"] * rides["Avg Weekday"] + rides["Saturdays"] * rides["Avg Saturday"] + rides["Sundays/Holidays"] * rides["Avg Sunday/Holiday"]
    assert (days == rides["boardings"]).all()


def test_micromobility_scooters_ride_in_summer_and_the_bike_share_opens_in_april_2024(demo: Path) -> None:
    trips = []
    for path in sorted((demo / "micromobility" / "trips").rglob("*.json")):
        for trip in _json(path)["data"]["trips"]:
            trips.append((trip["provider_name"], trip["vehicle_type"], trip["start_time"], trip["trip_distance"], trip["trip_duration"]))
    table = pd.DataFrame(trips, columns=["provider", "vehicle_type", "start_ms", "distance", "duration"])
    table["start"] = pd.to_datetime(table["start_ms"], unit="ms", utc=True).dt.tz_convert("America/New_York")
    bikes = table[table["provider"] == "Riverton BikeShare"]
    assert set(bikes["vehicle_type"]) == {"bicycle"} and bikes["start"].min().date() == date(2024, 4, 12)
    scooters = table[table["provider"] == "Glide"]
    by_month = scooters.groupby(scooters["start"].dt.month).size()
    assert by_month[7] > 2.5 * by_month[1]
    per_month = table.groupby(table["start"].dt.strftime("%Y-%m")).size()
    assert per_month.max() < 3_000  # a few thousand trips a month at most
    assert 1_000 < table["distance"].median() < 3_000 and 300 < table["duration"].median() < 1_200


def test_gbfs_snapshots_show_the_stations_open_at_the_time(demo: Path) -> None:
    folders = sorted((demo / "micromobility" / "gbfs").iterdir())
    assert len({f.name[:7] for f in folders}) == len(folders) >= 5  # different months
    for folder in folders:
        information, status = _json(folder / "station_information.json"), _json(folder / "station_status.json")
        assert information["last_updated"] == status["last_updated"]
        stations = {s["station_id"]: s for s in information["data"]["stations"]}
        assert len(stations) == (24 if folder.name < "2025-04-07" else 36)
        assert [s["station_id"] for s in status["data"]["stations"]] == list(stations)
        for s in status["data"]["stations"]:
            parked = s["num_bikes_available"] + s["num_bikes_disabled"] + s["num_docks_available"] + s["num_docks_disabled"]
            assert parked == stations[s["station_id"]]["capacity"]
            assert s["last_reported"] <= status["last_updated"]


def test_ev_charging_grows_and_new_chargers_start_when_they_open(demo: Path) -> None:
    sessions = _csvs(demo / "ev_charging", "ChargePoint_Session_Export_*.csv", dtype={"User ID": str})
    sessions["start"] = pd.to_datetime(sessions["Start Date"], format="%m/%d/%Y %H:%M")
    per_year = sessions.groupby(sessions["start"].dt.year).agg(n=("Energy (kWh)", "size"), kwh=("Energy (kWh)", "sum"))
    assert per_year["n"].is_monotonic_increasing and per_year.loc[2025, "kwh"] > 2.5 * per_year.loc[2023, "kwh"]
    first = sessions.groupby("Station Name")["start"].min()
    assert first["RIVERTON PA / TRANSIT CENTER DCFC #1"] >= datetime(2024, 10, 14)
    assert first["RIVERTON PA / CITY HALL #1"] < datetime(2023, 1, 8)
    median = sessions.groupby("Port Type")["Energy (kWh)"].median()
    assert 6 < median["Level 2"] < 16 and 18 < median["DC Fast"] < 35
    assert 0.03 < sessions["User ID"].isna().mean() < 0.12  # guests who paid by card
    assert set(sessions["Start Time Zone"]) == {"EST", "EDT"}


def test_service_requests_come_from_two_systems_and_streetlight_outages_fall(demo: Path) -> None:
    crm = _csvs(demo / "service_requests" / "crm", "crm_cases_*.csv")
    app = [r for p in sorted((demo / "service_requests" / "open311").glob("*.json")) for r in _json(p)]
    assert crm["Case Number"].str.fullmatch(r"SR-\d{4}-\d{6}").all() and crm["Case Number"].is_unique
    ids = [r["service_request_id"] for r in app]
    assert len(set(ids)) == len(ids) and all(len(i) == 24 for i in ids) and not set(ids) & set(crm["Case Number"])
    assert set(app[0]) == {"service_request_id", "status", "service_name", "service_code", "description", "agency_responsible",
                           "requested_datetime", "updated_datetime", "address", "lat", "long", "media_url"}
    app_times = pd.to_datetime([r["requested_datetime"] for r in app], utc=True).tz_convert("America/New_York")
    assert app_times.min().date() >= date(2024, 3, 4)
    assert all(r["requested_datetime"][-6:] in ("-05:00", "-04:00") for r in app)
    assert all((r["status"] == "closed") == (r["updated_datetime"] is not None) for r in app)
    crm["opened"] = pd.to_datetime(crm["Date Opened"], format="%m/%d/%Y %I:%M:%S %p")
    # A 160,000-person city files a few thousand service requests a year; the app takes a share of them.
    app_2025 = (app_times.year == 2025).sum()
    crm_2025 = (crm["opened"].dt.year == 2025).sum()
    assert 3_000 < app_2025 + crm_2025 < 9_000 and 0.2 < app_2025 / (app_2025 + crm_2025) < 0.5
    outages = crm[crm["Request Type"] == "Street Light Out"].groupby(crm["opened"].dt.year).size()
    outages = outages.add(pd.Series([int(r["requested_datetime"][:4]) for r in app if r["service_code"] == "SLOUT"]).value_counts(), fill_value=0)
    assert outages[2025] < 0.3 * outages[2023]  # LEDs fail far less often than sodium lamps
    # The CRM keeps reporters' details (dropped at ingest); many reporters stay anonymous.
    assert 0.4 < crm["Contact Name"].notna().mean() < 0.8 and crm["Contact Email"].str.contains("@example.", na=False).any()
    potholes = crm[crm["Request Type"] == "Pothole"].groupby(crm["opened"].dt.month).size()
    assert potholes[3] > 2 * potholes[8]  # freeze-thaw season


def test_registries_link_initiatives_to_goals_and_to_what_the_feeds_did(demo: Path) -> None:
    goals = pd.read_csv(demo / "registries" / "goals.csv")
    initiatives = pd.read_csv(demo / "registries" / "initiatives.csv").set_index("initiative_id")
    assert set(goals["goal_id"]) >= {"buildings-ghg-2030", "streetlight-energy-2026", "micromobility-trips-2027", "ev-charging-2030", "service-response-2026"}
    assert {g for ids in initiatives["goal_ids"] for g in ids.split(";")} <= set(goals["goal_id"])
    buildings_goal = goals.set_index("goal_id").loc["buildings-ghg-2030"]
    assert (buildings_goal["baseline_year"], buildings_goal["target_year"], buildings_goal["target_change"]) == (2023, 2030, -0.5)
    # The retrofitted buildings listed are exactly those whose electricity fell by a fifth from July 2024.
    bills = _csvs(demo / "building_energy", "utility_bills_*.csv")
    electric = bills[bills["Commodity"] == "Electric"]
    kwh = electric.assign(
        Usage=electric["Usage"] * electric["UOM"].map({"KWH": 1, "MWH": 1000}), year=electric["Service Month"].str[3:], month=electric["Service Month"].str[:2].astype(int)
    )
    second_half = kwh[kwh["month"] >= 7].groupby(["Facility ID", "year"])["Usage"].sum().unstack()
    fell = set(second_half.index[second_half["2025"] / second_half["2023"] < 0.88])
    assert set(initiatives.loc["building-retrofits-2024", "scope"].split(";")) == fell
    assert initiatives.loc["ebike-share-launch", "start_date"] == "2024-04-12"
    led = initiatives.loc["led-streetlights-2024"]
    assert led["start_date"].startswith("2024") and led["end_date"].startswith("2024") and led["scope"] == "streetlight_fixtures"
    # Every start date is a date and every end (where given) follows its start.
    ends = initiatives["end_date"].dropna()
    assert (pd.to_datetime(ends) >= pd.to_datetime(initiatives.loc[ends.index, "start_date"])).all()
    assert pd.to_datetime(initiatives["start_date"]).max() < pd.Timestamp(date.today() + timedelta(1))


# The first feeds, as before


def test_demo_city_has_the_promised_shape(demo: Path) -> None:
    tracts = pd.read_csv(demo / "census" / "acs_tracts_2019_2023.csv", dtype={"GEOID": str})
    buildings = pd.read_csv(demo / "facilities" / "facility_inventory.csv", dtype={"CensusTract": str})
    bills = pd.concat(pd.read_csv(p) for p in sorted((demo / "building_energy").glob("*.csv")))
    assert len(tracts) == 40 and tracts["GEOID"].str.fullmatch(r"\d{11}").all()
    assert 120_000 < tracts["B01003_001E"].sum() < 250_000  # a mid-size city
    # Poorer tracts have lower incomes: the demographics are correlated, as in real ACS data.
    assert tracts["poverty_rate"].corr(tracts["B19013_001E"]) < -0.5
    assert len(buildings) == 60 and set(buildings["CensusTract"]) <= set(tracts["GEOID"])
    assert len(bills) == 60 * 36 * 2
    # Departments export their own labels; at least one building reports in MWh and one gas in MMBtu.
    assert set(bills["UOM"]) == {"KWH", "MWH", "THERMS", "MMBTU", "GAL"}
    assert bills.loc[bills["UOM"] == "MWH", "Facility ID"].nunique() == 1
    assert bills.loc[(bills["UOM"] == "MMBTU") & (bills["Commodity"] == "Natural Gas"), "Facility ID"].nunique() == 1
    # One office on district steam, one garage on heating oil, one community center on propane, each all 36 months.
    heating = bills[bills["Commodity"] != "Electric"].groupby("Commodity")["Facility ID"].agg(["nunique", "count"])
    assert heating.loc[["District Steam", "Fuel Oil #2", "Propane"]].values.tolist() == [[1, 36]] * 3
    assert heating.loc["Natural Gas"].tolist() == [57, 57 * 36]


def test_demo_energy_is_seasonal_and_plausible(demo: Path) -> None:
    bills = pd.concat(pd.read_csv(p) for p in sorted((demo / "building_energy").glob("*.csv")))
    bills["month"] = bills["Service Month"].str[:2].astype(int)
    therms = bills[bills["UOM"] == "THERMS"].groupby("month")["Usage"].sum()
    kwh = bills[bills["UOM"] == "KWH"].groupby("month")["Usage"].sum()
    assert therms[1] > 4 * therms[7]  # heating season
    assert kwh[7] > kwh[4]  # cooling season
    # Annual electricity: 4 to 30 kWh per square foot, typical of public buildings, except the
    # pump-dominated water treatment plants.
    buildings = pd.read_csv(demo / "facilities" / "facility_inventory.csv").set_index("FacilityID")
    per_building = bills[bills["UOM"] == "KWH"].groupby("Facility ID")["Usage"].sum() / 3
    intensity = per_building / buildings["GrossSqFt"].reindex(per_building.index)
    is_plant = buildings["UseType"].reindex(per_building.index) == "water treatment plant"
    assert intensity[~is_plant].between(4, 30).all()
    assert intensity[is_plant].between(100, 200).all()
