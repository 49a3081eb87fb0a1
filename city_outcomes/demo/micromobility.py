"""Demo shared micromobility: MDS 1.2.0 provider trips of two operators, and GBFS 2.3 bike-share snapshots.

An e-scooter operator (Glide) has run a dockless permit since before 2023, busy in summer and quiet
in winter. The city's docked e-bike share (Riverton BikeShare) opens with 24 stations on 12 April
2024 and adds 12 more in April 2025. Each operator delivers one MDS ``trips`` payload per month,
as its API serves it (``{"version": "1.2.0", "data": {"trips": [...]}}``): UUIDs, epoch-millisecond
times, and a GeoJSON route of timestamped points that starts and ends inside the city's tracts. The
bike share also publishes GBFS ``station_information`` and ``station_status``; the city saved a
handful of snapshots, one folder each.

Trip counts are kept to a pilot's scale (a few hundred a month in all) so that the demo ingests in
seconds: every trip is checked against the MDS JSON Schema at ingest, at about half a millisecond each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, random_uuid, write_json
from city_outcomes.demo.tract_boundaries import EAST, KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON, NORTH, SOUTH, WEST, CityMap

MDS_VERSION = "1.2.0"
GBFS_VERSION = "2.3"
# Riding by month (relative): little in winter, most in early summer.
SEASON = np.array([0.35, 0.4, 0.7, 0.95, 1.2, 1.35, 1.4, 1.35, 1.2, 1.0, 0.65, 0.4])
# Trip starts by local hour: weekday commute peaks, weekend afternoons.
WEEKDAY_HOURS = np.array([1, 0.5, 0.3, 0.2, 0.3, 1, 3, 6, 7, 4, 3.5, 4, 5, 4.5, 4.5, 5.5, 7, 8, 6.5, 5, 4, 3, 2.2, 1.5])
WEEKEND_HOURS = np.array([2, 1.5, 1, 0.5, 0.3, 0.4, 0.8, 1.5, 3, 4.5, 6, 7, 7.5, 7.5, 7.5, 7, 6.5, 6, 5, 4.5, 4, 3.5, 3, 2.5])
EDGE_MARGIN = 0.004  # degrees (~400 m): trips stay this far inside the city limits
ALPHABET = list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
ACCURACIES = [3, 5, 5, 8, 10, 15]  # metres, as GPS chipsets report them


@dataclass(frozen=True)
class Operator:
    """One micromobility operator and how its riders ride."""

    name: str
    slug: str
    vehicle_type: str
    trips_per_month: float  # at a season factor of 1, before growth
    speed_mps: tuple[float, float]  # mean and spread of riding speed, stops included
    unlock_cents: int
    cents_per_minute: int


SCOOTERS = Operator("Glide", "glide", "scooter", 135, (3.7, 0.5), 100, 39)
BIKESHARE = Operator("Riverton BikeShare", "riverton_bikeshare", "bicycle", 125, (4.4, 0.6), 100, 18)
SCOOTER_GROWTH = {2023: 1.0, 2024: 1.08, 2025: 1.13}
BIKESHARE_PHASES = [(date(2024, 4, 12), 24), (date(2025, 4, 7), 12)]  # opening day, stations opened
SYSTEM_ID = "riverton_bikeshare"  # the GBFS system id; cities/demo/city.yaml sets it as a constant (GBFS 2.3 has none in these files)
# When the city saved the bike share's GBFS feeds (local time).
GBFS_SNAPSHOTS = [
    datetime(2024, 4, 16, 8, 15), datetime(2024, 7, 18, 17, 30), datetime(2024, 10, 15, 7, 45),
    datetime(2025, 1, 14, 12, 0), datetime(2025, 5, 20, 8, 20), datetime(2025, 8, 19, 17, 40), datetime(2025, 11, 18, 8, 5),
]
# Station names: the cross streets nearest the dock, on the city's grid of named streets (north to
# south) and numbered avenues (west to east); a second dock on one corner is named for a landmark.
STREETS_NORTH_TO_SOUTH = [
    "Ridge Rd", "Cedar St", "Tilghman St", "Allen St", "Liberty St", "Chew St", "Union St", "Gordon St", "Turner St", "Linden St",
    "Court St", "Walnut St", "Hamilton St", "Penn St", "Market St", "Church St", "Front St", "Water St", "Canal St", "Mill Rd",
]
AVENUES = 30
LANDMARKS = ["City Hall", "Main Library", "Riverfront Park", "Transit Center", "Farmers Market", "Arts Quarter", "Memorial Hospital", "Stadium", "Courthouse Plaza", "Canal Trailhead"]


@dataclass
class Micromobility:
    """Everything the micromobility module delivers, plus what the registries need to know."""

    trips: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (operator slug, "YYYY-MM") -> MDS trips
    stations: pd.DataFrame = field(default_factory=pd.DataFrame)
    snapshots: list[tuple[str, dict, dict]] = field(default_factory=list)  # (folder, information, status)
    launch: date = BIKESHARE_PHASES[0][0]


def _code(rng: np.random.Generator, prefix: str, length: int = 5) -> str:
    return prefix + "".join(rng.choice(ALPHABET, size=length))


def _epoch_ms(local: datetime, zone: ZoneInfo) -> int:
    return int(round(local.replace(tzinfo=zone).timestamp() * 1000))


def _clip_to_city(lon: float, lat: float) -> tuple[float, float]:
    return min(max(float(lon), WEST + EDGE_MARGIN), EAST - EDGE_MARGIN), min(max(float(lat), SOUTH + EDGE_MARGIN), NORTH - EDGE_MARGIN)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return math.hypot((lon2 - lon1) * KM_PER_DEGREE_LON, (lat2 - lat1) * KM_PER_DEGREE_LAT) * 1000


def _start_times(rng: np.random.Generator, year: int, month: int, n: int, from_day: date | None = None) -> list[datetime]:
    """``n`` local start times in a month (from ``from_day`` on), weekends a little busier, by the hourly profiles."""
    first = max(date(year, month, 1), from_day or date.min)
    days = [first + timedelta(d) for d in range((date(year + month // 12, month % 12 + 1, 1) - first).days)]
    weekend = np.array([d.weekday() >= 5 for d in days])
    weights = np.where(weekend, 1.2, 1.0)
    picked = rng.choice(len(days), size=n, p=weights / weights.sum())
    weekday_hour = rng.choice(24, size=n, p=WEEKDAY_HOURS / WEEKDAY_HOURS.sum())
    weekend_hour = rng.choice(24, size=n, p=WEEKEND_HOURS / WEEKEND_HOURS.sum())
    hours = np.where(weekend[picked], weekend_hour, weekday_hour)
    minutes, seconds = rng.integers(0, 60, size=n), rng.integers(0, 60, size=n)
    starts = [datetime(days[i].year, days[i].month, days[i].day, int(h), int(m), int(s)) for i, h, m, s in zip(picked, hours, minutes, seconds, strict=True)]
    return sorted(starts)


def _route(rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float], start_ms: int, duration_s: int) -> dict:
    """A GeoJSON FeatureCollection of timestamped points from start to end, with one or two bends."""
    straight = _metres(*start, *end)
    points = [start]
    if straight > 150:
        for fraction in sorted(rng.uniform(0.2, 0.8, size=int(rng.integers(1, 3)))):
            # Streets are not straight lines: step sideways by up to a tenth of the trip.
            offset = rng.normal(0, 0.08 * straight) / 1000
            dx, dy = (end[0] - start[0]) * KM_PER_DEGREE_LON, (end[1] - start[1]) * KM_PER_DEGREE_LAT
            norm = math.hypot(dx, dy)
            lon = start[0] + fraction * (end[0] - start[0]) - dy / norm * offset / KM_PER_DEGREE_LON
            lat = start[1] + fraction * (end[1] - start[1]) + dx / norm * offset / KM_PER_DEGREE_LAT
            points.append(_clip_to_city(lon, lat))
    points.append(end)
    fractions = [i / (len(points) - 1) for i in range(len(points))]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"timestamp": start_ms + int(round(f * duration_s * 1000))},
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            }
            for f, (lon, lat) in zip(fractions, points, strict=True)
        ],
    }


def _trip(
    rng: np.random.Generator, operator: Operator, provider_id: str, device: tuple[str, str, list[str]], start_local: datetime,
    zone: ZoneInfo, start: tuple[float, float], end: tuple[float, float], detour: float,
) -> dict:
    """One MDS trip record (fields in the order the schema lists them).

    ``detour`` is how much longer the ridden distance is than the straight line; 0 marks a round
    trip (back to where it started), whose distance is the ride out and back.
    """
    device_id, vehicle_id, propulsion = device
    trip_id = random_uuid(rng)
    start_ms = _epoch_ms(start_local, zone) + int(rng.integers(0, 1000))
    round_trip = detour == 0
    distance = int(rng.uniform(2_000, 9_000)) if round_trip else int(round(_metres(*start, *end) * detour))
    speed = max(1.5, rng.normal(*operator.speed_mps) * (0.8 if propulsion[0] == "human" else 1.0))
    duration = int(distance / speed * (1.3 if round_trip else 1.0) + rng.uniform(20, 90))
    if distance < 50:  # a false start: unlocked, moved a few metres, ended
        duration = int(rng.uniform(15, 90))
    end_ms = start_ms + duration * 1000
    standard = operator.unlock_cents + operator.cents_per_minute * -(-duration // 60)
    trip = {
        "provider_name": operator.name,
        "provider_id": provider_id,
        "device_id": device_id,
        "vehicle_id": vehicle_id,
        "vehicle_type": operator.vehicle_type,
        "propulsion_types": propulsion,
        "trip_id": trip_id,
        "trip_duration": duration,
        "trip_distance": distance,
        "route": _loop(rng, start, start_ms, duration) if round_trip else _route(rng, start, end, start_ms, duration),
        "accuracy": ACCURACIES[int(rng.integers(0, len(ACCURACIES)))],
        "start_time": start_ms,
        "end_time": end_ms,
        "publication_time": end_ms + int(rng.integers(60, 1800)) * 1000,
    }
    if operator is SCOOTERS:
        trip["parking_verification_url"] = f"https://mds.glide.example/parking/{trip_id}.jpg" if rng.random() < 0.8 else None
    # Members and monthly passes pay less than the standard fare.
    trip["standard_cost"] = standard
    trip["actual_cost"] = standard if rng.random() < 0.6 else standard // 2 if rng.random() < 0.5 else 0
    trip["currency"] = "USD"
    return trip


def _scooter_trips(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame, out: Micromobility) -> None:
    provider_id = random_uuid(rng)
    fleet = [(random_uuid(rng), _code(rng, "GL"), ["electric"]) for _ in range(80)]
    # Riders start where people live, and more so near downtown.
    weights = tracts["B01003_001E"].to_numpy(float) * np.exp(-city_map.tract_km_from_downtown / 2.5)
    for year, month in city.months:
        n = rng.poisson(SCOOTERS.trips_per_month * SEASON[month - 1] * SCOOTER_GROWTH[year])
        active = fleet[: 60 if year == 2023 else 80]  # the permit allowed 20 more scooters from 2024
        trips = []
        lons, lats = city_map.points_in(rng, rng.choice(len(tracts), size=n, p=weights / weights.sum()))
        for start_local, lon, lat in zip(_start_times(rng, year, month, n), lons, lats, strict=True):
            start = (float(lon), float(lat))
            if rng.random() < 0.03:
                distance = rng.uniform(0, 30)
            else:
                distance = float(np.clip(rng.lognormal(np.log(1_400), 0.65), 150, 9_000))
            detour = rng.uniform(1.2, 1.4)
            bearing = rng.uniform(0, 2 * np.pi)
            end = _clip_to_city(
                start[0] + distance / detour * np.sin(bearing) / 1000 / KM_PER_DEGREE_LON,
                start[1] + distance / detour * np.cos(bearing) / 1000 / KM_PER_DEGREE_LAT,
            )
            end = (round(end[0], 6), round(end[1], 6))
            device = active[int(rng.integers(0, len(active)))]
            trips.append(_trip(rng, SCOOTERS, provider_id, device, start_local, city.zone, start, end, detour))
        out.trips[(SCOOTERS.slug, f"{year}-{month:02d}")] = trips


def _stations(rng: np.random.Generator, city_map: CityMap) -> pd.DataFrame:
    """Bike-share stations: the first phase downtown, the second further out."""
    rows = []
    names: set[str] = set()
    km = city_map.tract_km_from_downtown
    for phase, (opened, count) in enumerate(BIKESHARE_PHASES):
        weights = np.exp(-km / (1.2 if phase == 0 else 2.5))
        if phase:
            weights[km < 1.5] *= 0.3  # downtown already has its stations
        tracts = rng.choice(len(km), size=count, p=weights / weights.sum())
        lon, lat = city_map.points_in(rng, tracts, margin=0.15)
        for x, y in zip(lon, lat, strict=True):
            avenue = int((x - WEST) / (EAST - WEST) * AVENUES) + 1
            street = STREETS_NORTH_TO_SOUTH[int((NORTH - y) / (NORTH - SOUTH) * len(STREETS_NORTH_TO_SOUTH))]
            suffix = "th" if 10 <= avenue % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(avenue % 10, "th")
            name = f"{street} & {avenue}{suffix} Ave"
            if name in names:
                name = next(landmark for landmark in LANDMARKS if landmark not in names)
            names.add(name)
            number = 100 + len(rows) + 1
            rows.append(
                {
                    "station_id": str(number),
                    "name": name,
                    "short_name": f"RB{number}",
                    "lat": float(y),
                    "lon": float(x),
                    "capacity": int(rng.integers(11, 20)),
                    "opened": opened,
                    "popularity": float(rng.lognormal(0, 0.5)) * (1.5 if phase == 0 else 1.0),
                }
            )
    return pd.DataFrame(rows)


def _bikeshare_trips(city: DemoCity, rng: np.random.Generator, stations: pd.DataFrame, out: Micromobility) -> None:
    provider_id = random_uuid(rng)
    fleet = [(random_uuid(rng), f"RB-{1001 + i}", ["electric_assist", "human"] if i % 7 else ["human"]) for i in range(170)]
    launch = BIKESHARE_PHASES[0][0]
    for year, month in city.months:
        month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(1)
        if month_end < launch:
            continue
        open_stations = stations[stations["opened"] <= month_end].reset_index(drop=True)
        months_open = (year - launch.year) * 12 + month - launch.month
        ramp = min(1.0, 0.45 + 0.15 * months_open)  # riders discover a new system over its first months
        growth = len(open_stations) / BIKESHARE_PHASES[0][1]
        n = rng.poisson(BIKESHARE.trips_per_month * SEASON[month - 1] * ramp * growth**0.8)
        fleet_size = 120 if len(open_stations) == BIKESHARE_PHASES[0][1] else 170
        lon, lat = open_stations["lon"].to_numpy(), open_stations["lat"].to_numpy()
        popularity = open_stations["popularity"].to_numpy()
        trips = []
        for start_local in _start_times(rng, year, month, n, from_day=launch):
            origin = int(rng.choice(len(open_stations), p=popularity / popularity.sum()))
            if rng.random() < 0.06:  # a round trip: out for a ride and back to the same dock
                destination, detour = origin, 0.0
            else:
                km = np.hypot((lon - lon[origin]) * KM_PER_DEGREE_LON, (lat - lat[origin]) * KM_PER_DEGREE_LAT)
                pull = popularity * np.exp(-km / 1.3)
                pull[origin] = 0
                destination, detour = int(rng.choice(len(open_stations), p=pull / pull.sum())), rng.uniform(1.2, 1.4)
            # Docked bikes report the dock's position, give or take a few metres of GPS error.
            start = (round(lon[origin] + rng.normal(0, 4e-5), 6), round(lat[origin] + rng.normal(0, 3e-5), 6))
            end = (round(lon[destination] + rng.normal(0, 4e-5), 6), round(lat[destination] + rng.normal(0, 3e-5), 6))
            device = fleet[int(rng.integers(0, fleet_size))]
            trips.append(_trip(rng, BIKESHARE, provider_id, device, start_local, city.zone, start, end, detour))
        out.trips[(BIKESHARE.slug, f"{year}-{month:02d}")] = trips


def _loop(rng: np.random.Generator, dock: tuple[float, float], start_ms: int, duration_s: int) -> dict:
    """A round trip's route: out to a turning point and back to the dock."""
    turn = _clip_to_city(dock[0] + rng.normal(0, 0.012), dock[1] + rng.normal(0, 0.009))
    points = [dock, (round(turn[0], 6), round(turn[1], 6)), dock]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"timestamp": start_ms + duration_s * 500 * i}, "geometry": {"type": "Point", "coordinates": [lon, lat]}}
            for i, (lon, lat) in enumerate(points)
        ],
    }


def _gbfs_snapshots(city: DemoCity, rng: np.random.Generator, stations: pd.DataFrame, out: Micromobility) -> None:
    for taken in GBFS_SNAPSHOTS:
        last_updated = _epoch_ms(taken, city.zone) // 1000
        live = stations[stations["opened"] <= taken.date()]
        information, status = [], []
        closed_for_works = live["station_id"].iloc[3] if taken.month == 1 else None  # a station shut for street works
        for s in live.itertuples():
            information.append(
                {
                    "station_id": s.station_id,
                    "name": s.name,
                    "short_name": s.short_name,
                    "lat": s.lat,
                    "lon": s.lon,
                    "address": s.name.split(" & ")[0],
                    "rental_methods": ["key", "creditcard", "phone"],
                    "capacity": s.capacity,
                    "is_virtual_station": False,
                    "is_charging_station": True,
                }
            )
            working = s.station_id != closed_for_works
            docks_disabled = int(rng.random() < 0.1)
            bikes_disabled = int(rng.random() < 0.15)
            bikes = int(rng.binomial(s.capacity - docks_disabled - bikes_disabled, rng.beta(3, 3))) if working else 0
            status.append(
                {
                    "station_id": s.station_id,
                    "num_bikes_available": bikes,
                    "num_bikes_disabled": bikes_disabled if working else 0,
                    "num_docks_available": s.capacity - bikes - bikes_disabled - docks_disabled if working else 0,
                    "num_docks_disabled": docks_disabled if working else s.capacity,
                    "is_installed": True,
                    "is_renting": working,
                    "is_returning": working,
                    "last_reported": int(last_updated - rng.integers(5, 300)),
                }
            )
        header = {"last_updated": int(last_updated), "ttl": 60, "version": GBFS_VERSION}
        out.snapshots.append(
            (taken.strftime("%Y-%m-%dT%H%M"), {**header, "data": {"stations": information}}, {**header, "data": {"stations": status}})
        )


def make(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame) -> Micromobility:
    """Both operators' monthly MDS trips and the bike share's GBFS snapshots."""
    out = Micromobility()
    _scooter_trips(city, rng, city_map, tracts, out)
    out.stations = _stations(rng, city_map)
    _bikeshare_trips(city, rng, out.stations, out)
    _gbfs_snapshots(city, rng, out.stations, out)
    return out


def write(mobility: Micromobility, folder: Path) -> list[Path]:
    """One MDS trips payload per operator and month; one folder of GBFS files per snapshot."""
    written = [
        write_json({"version": MDS_VERSION, "data": {"trips": trips}}, folder / "micromobility" / "trips" / slug / f"trips_{month}.json")
        for (slug, month), trips in sorted(mobility.trips.items())
    ]
    for name, information, status in mobility.snapshots:
        written.append(write_json(information, folder / "micromobility" / "gbfs" / name / "station_information.json"))
        written.append(write_json(status, folder / "micromobility" / "gbfs" / name / "station_status.json"))
    return written
