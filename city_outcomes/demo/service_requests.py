"""Demo 311 service requests, in the two forms a city has them.

Residents report by phone, web form, e-mail or at a counter into the city's CRM, exported once a
year as CSV with its own column names, US 12-hour local times, and the reporter's name, e-mail and
phone. From 4 March 2024 they can also report with the Riverton 311 app, whose vendor serves the
requests over Open311 GeoReport v2: the city saves one ``requests.json`` response per month (a JSON
array, times with their UTC offset). Each request lives in exactly one system: CRM case numbers
(``SR-2024-000123``) and the app's ids (24 hex digits) cannot collide.

Streetlight-out reports come from the streetlight inventory: each fixture fails now and then, a
high-pressure sodium lamp far more often than an LED, so reports fall after the 2024 conversion.
Both exports show each request as it stood when the demo's data end (the first days of 2026).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, clear_local_time, write_csv, write_json
from city_outcomes.demo.streetlights import BURN_HOURS, Streetlights
from city_outcomes.demo.tract_boundaries import CityMap

APP_LAUNCH = date(2024, 3, 4)
EXPORTED_AT = datetime(2026, 1, 5, 7, 0)  # both systems' statuses are as of this (local) time
STREETLIGHT_OUT = "Streetlight out"


@dataclass(frozen=True)
class RequestType:
    """A kind of request: its code, who handles it, how many a year, when, and how fast it is closed."""

    name: str
    code: str
    agency: str
    per_year: float
    season: tuple[float, ...]  # relative monthly volume
    median_days: float  # median time to close
    descriptions: tuple[str, ...]


FLAT = (1.0,) * 12
TYPES = [
    RequestType("Pothole", "PTHL", "Public Works - Streets", 1_100, (1.3, 1.8, 2.0, 1.6, 1.0, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.8), 6,
                ("Large pothole in the travel lane", "Pothole near the crosswalk, cars swerving", "Several potholes on this block", "Deep pothole by the storm drain")),
    RequestType("Missed trash/recycling pickup", "MSDP", "Sanitation", 1_300, (1.5, 1.0, 0.9, 0.9, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9, 1.0, 1.2), 1.5,
                ("Trash was not collected today", "Recycling missed again this week", "Whole street was skipped", "Bulk item not picked up")),
    RequestType("Graffiti removal", "GRAF", "Public Works - Streets", 300, (0.6, 0.6, 0.9, 1.1, 1.2, 1.3, 1.3, 1.3, 1.2, 1.0, 0.8, 0.7), 8,
                ("Graffiti on the underpass wall", "Tagging on a utility box", "Graffiti on the park restroom")),
    RequestType("Illegal dumping", "DUMP", "Sanitation", 500, (0.7, 0.7, 0.9, 1.1, 1.2, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8), 5,
                ("Mattress and couch dumped in the alley", "Tires dumped by the creek", "Construction debris left on the curb")),
    RequestType("Tree or limb down", "TREE", "Parks and Forestry", 350, (0.8, 0.8, 0.9, 1.0, 1.2, 1.4, 1.5, 1.4, 1.1, 0.9, 0.6, 0.6), 4,
                ("Large limb blocking the sidewalk", "Tree down after the storm", "Hanging branch over the street")),
    RequestType("Sidewalk repair", "SDWK", "Public Works - Streets", 200, FLAT, 45,
                ("Raised sidewalk slab, trip hazard", "Broken curb ramp", "Sidewalk crumbling near the bus stop")),
    RequestType("Abandoned vehicle", "ABVH", "Police - Parking Enforcement", 400, FLAT, 10,
                ("Car with flat tires has not moved in weeks", "Vehicle with no plates parked for a month")),
    RequestType("Traffic signal issue", "TSIG", "Public Works - Traffic and Lighting", 150, FLAT, 1,
                ("Signal stuck on red", "Walk signal not working", "Traffic light flashing yellow")),
    RequestType("Snow or ice on sidewalk", "SNOW", "Code Enforcement", 250, (3.5, 3.0, 1.2, 0.1, 0, 0, 0, 0, 0, 0, 0.4, 3.8), 3,
                ("Sidewalk not shoveled, icy", "Business has not cleared its sidewalk", "Snow piled on the curb ramp")),
    RequestType("Water leak", "WLEAK", "Water Utility", 250, (1.6, 1.5, 1.1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.4), 2,
                ("Water bubbling up through the street", "Leak at the curb box", "Hydrant leaking")),
    RequestType("Rodent complaint", "RODT", "Health Department", 200, (0.5, 0.5, 0.7, 0.9, 1.2, 1.4, 1.5, 1.5, 1.3, 1.0, 0.8, 0.6), 12,
                ("Rats in the alley behind the restaurants", "Rodent burrows in the vacant lot")),
    RequestType("Park maintenance", "PARK", "Parks and Recreation", 250, (0.4, 0.4, 0.7, 1.1, 1.4, 1.5, 1.5, 1.5, 1.2, 1.0, 0.6, 0.5), 9,
                ("Broken swing at the playground", "Overflowing trash cans in the park", "Bench is broken")),
]
STREETLIGHT = RequestType(STREETLIGHT_OUT, "SLOUT", "Public Works - Traffic and Lighting", 0, FLAT, 6,
                          ("Streetlight out", "Light on pole {pole} is out", "Streetlight cycling on and off", "Whole block is dark, light out"))
# A reported failure rate per fixture and year, by lamp technology: sodium lamps cycle and burn out
# every few years; LED luminaires last 15-20 years.
OUTAGES_PER_FIXTURE_YEAR = {"HPS": 0.13, "MV": 0.2, "MH": 0.16, "LED": 0.018}
# How requests reach the CRM before the app; the app takes a growing share after launch.
CHANNELS = {"Phone": 0.62, "Web Portal": 0.28, "Email": 0.06, "Walk-In": 0.04}
APP_SHARE_AFTER_A_YEAR = 0.33
# Requests by local hour: most in working hours.
HOURS = np.array([0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2.5, 4.5, 5.5, 5.5, 5.0, 4.5, 5.0, 5.0, 4.5, 4.0, 3.0, 2.5, 2.0, 1.6, 1.2, 0.8, 0.5])
# Routing app and CRM requests to work orders shortens closing times after the launch.
FASTER_AFTER_LAUNCH = 0.8
FIRST_NAMES = ["Maria", "James", "Linda", "Robert", "Jennifer", "Michael", "Aisha", "David", "Carmen", "Wei", "Patricia", "Luis", "Grace", "Kevin", "Fatima", "Thomas", "Rosa", "Daniel", "Nicole", "Samuel"]
LAST_NAMES = ["Smith", "Garcia", "Johnson", "Nguyen", "Williams", "Rodriguez", "Brown", "Patel", "Miller", "Lopez", "Davis", "Kim", "Wilson", "Martinez", "Moore", "Santos", "Taylor", "Reyes", "Anderson", "Clark"]
MAIL_DOMAINS = ["example.com", "example.net", "example.org"]
HOUSE_STREETS = ["Hamilton St", "Walnut St", "Linden St", "Union St", "Turner St", "Tilghman St", "Chew St", "Market St", "Front St", "Cedar St", "Allen St", "Gordon St"]


class Request(NamedTuple):
    """One request as it happened (before either system writes it down)."""

    requested: datetime  # local wall-clock time
    closed: datetime | None  # None while still open when the data were exported
    kind: RequestType
    channel: str
    lon: float
    lat: float
    pole: str  # the fixture id, for a streetlight-out report
    house: str  # street address


@dataclass(frozen=True)
class ServiceRequests:
    crm: pd.DataFrame  # the CRM export's columns, plus "_year"
    open311: dict[str, list[dict]]  # "YYYY-MM" -> the GeoReport v2 requests of that month


def _app_share(day: date) -> float:
    """The app's share of new requests: none before launch, rising over its first year, then slowly."""
    if day < APP_LAUNCH:
        return 0.0
    months = (day - APP_LAUNCH).days / 30.4
    return APP_SHARE_AFTER_A_YEAR * min(1.0, 0.3 + 0.7 * months / 12) + 0.004 * max(0.0, months - 12)


def _working_hours(moment: datetime) -> datetime:
    """Crews close requests in the working day: a closing time at night moves to the next morning."""
    if 7 <= moment.hour < 18:
        return moment
    next_day = moment.date() + timedelta(1 if moment.hour >= 18 else 0)
    return datetime(next_day.year, next_day.month, next_day.day, 7 + moment.hour % 10, moment.minute, moment.second)


def _phone(rng: np.random.Generator) -> str:
    # 555-0100 to 555-0199 are reserved for fiction: no real person's number.
    return f"({rng.choice(['610', '484'])}) 555-01{int(rng.integers(0, 100)):02d}"


def _reporter(rng: np.random.Generator, channel: str) -> tuple[str, str, str]:
    """(name, e-mail, phone) as the CRM records them; many reporters stay anonymous."""
    if rng.random() < 0.35:
        return "", "", ""
    first, last = str(rng.choice(FIRST_NAMES)), str(rng.choice(LAST_NAMES))
    email = f"{first[0].lower()}{last.lower()}{int(rng.integers(1, 99))}@{rng.choice(MAIL_DOMAINS)}" if channel != "Phone" or rng.random() < 0.3 else ""
    phone = _phone(rng) if channel in ("Phone", "Walk-In") or rng.random() < 0.4 else ""
    return f"{first} {last}", email, phone


def _description(rng: np.random.Generator, kind: RequestType, pole: str) -> str:
    text = str(rng.choice(kind.descriptions)).format(pole=pole)
    if rng.random() < 0.06:  # residents write their own contact details into the text
        text += f". Please call me back at {_phone(rng)}"
    return text


def _requests(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame, lights: Streetlights) -> list[Request]:
    """Every request of the demo years: when, what, where, how it came in and when it was closed."""
    people = tracts["B01003_001E"].to_numpy(float)
    rows = []
    for year, month in city.months:
        first = date(year, month, 1)
        days = (date(year + month // 12, month % 12 + 1, 1) - first).days
        batches: list[tuple[RequestType, np.ndarray, np.ndarray, list[str]]] = []
        for kind in TYPES:
            n = rng.poisson(kind.per_year / 12 * kind.season[month - 1] * 12 / sum(kind.season))
            # Where people live, people report; a little more where streets are older (poorer tracts).
            weights = people * (1 + tracts["poverty_rate"].to_numpy())
            lon, lat = city_map.points_in(rng, rng.choice(len(tracts), size=n, p=weights / weights.sum()))
            batches.append((kind, lon, lat, [""] * n))
        # Streetlight outages: each fixture fails at its lamp's rate, a little more in the long nights.
        technology = lights.technology_in(year, month)
        rate = technology.map(OUTAGES_PER_FIXTURE_YEAR).fillna(0).to_numpy(float) / 12 * BURN_HOURS[month - 1] / BURN_HOURS.mean()
        failed = lights.inventory[rng.random(len(rate)) < rate]
        # The reporter stands near the pole: the request is placed within a few metres of it.
        lon = np.round(failed["LONGITUDE"].to_numpy() + rng.normal(0, 6e-5, size=len(failed)), 6)
        lat = np.round(failed["LATITUDE"].to_numpy() + rng.normal(0, 4.5e-5, size=len(failed)), 6)
        batches.append((STREETLIGHT, lon, lat, list(failed["FIXTURE_ID"])))
        for kind, lons, lats, poles in batches:
            n = len(lons)
            day_index, hours = rng.integers(0, days, size=n), rng.choice(24, size=n, p=HOURS / HOURS.sum())
            minutes, seconds = rng.integers(0, 60, size=(2, n))
            to_app, channels = rng.random(n), rng.choice(list(CHANNELS), size=n, p=list(CHANNELS.values()))
            delays = rng.lognormal(np.log(kind.median_days), 0.8, size=n)
            house_numbers, house_streets = rng.integers(1, 40, size=n) * 100 + rng.integers(0, 99, size=n), rng.choice(HOUSE_STREETS, size=n)
            for i in range(n):
                day = first + timedelta(int(day_index[i]))
                requested = clear_local_time(datetime(day.year, day.month, day.day, int(hours[i]), int(minutes[i]), int(seconds[i])), city.zone)
                channel = "App" if to_app[i] < _app_share(day) else str(channels[i])
                faster = FASTER_AFTER_LAUNCH if day >= APP_LAUNCH else 1.0
                closed = _working_hours((requested + timedelta(days=float(delays[i]) * faster)).replace(microsecond=0))
                closed = clear_local_time(closed, city.zone)
                house = f"{house_numbers[i]} {house_streets[i]}"
                rows.append(Request(requested, closed if closed <= EXPORTED_AT else None, kind, channel, float(lons[i]), float(lats[i]), poles[i], house))
    return sorted(rows, key=lambda row: row.requested)



def _crm_export(rng: np.random.Generator, requests: list[Request]) -> pd.DataFrame:
    rows = []
    numbers: dict[int, int] = {}
    for r in requests:
        year = r.requested.year
        numbers[year] = numbers.get(year, 0) + 1
        name, email, phone = _reporter(rng, r.channel)
        # A sixth of requests come in without a location the CRM could geocode (a phone call about "my street").
        located = r.channel != "Phone" or rng.random() < 0.85
        status = "Closed" if r.closed is not None else str(rng.choice(["Open", "In Progress"]))
        rows.append(
            {
                "Case Number": f"SR-{year}-{numbers[year]:06d}",
                "Date Opened": r.requested.strftime("%m/%d/%Y %I:%M:%S %p"),
                "Date Closed": r.closed.strftime("%m/%d/%Y %I:%M:%S %p") if r.closed is not None else "",
                "Status": status,
                # The CRM spells one request type its own way; the city's config maps it.
                "Request Type": "Street Light Out" if r.kind.name == STREETLIGHT_OUT else r.kind.name,
                "Type Code": r.kind.code,
                "Department": r.kind.agency,
                "Source": r.channel,
                "Description": _description(rng, r.kind, r.pole),
                "Address": r.house if located else "",
                "Latitude": r.lat if located else None,
                "Longitude": r.lon if located else None,
                "Contact Name": name,
                "Contact Email": email,
                "Contact Phone": phone,
                "_year": year,
            }
        )
    return pd.DataFrame(rows)


def _offset_time(moment: datetime, city: DemoCity) -> str:
    return moment.replace(tzinfo=city.zone).isoformat()


def _open311_requests(city: DemoCity, rng: np.random.Generator, requests: list[Request]) -> dict[str, list[dict]]:
    by_month: dict[str, list[dict]] = {}
    for r in requests:
        photo = rng.random() < 0.45  # app users often attach a photo
        request_id = rng.bytes(12).hex()
        record = {
            "service_request_id": request_id,
            "status": "closed" if r.closed is not None else "open",
            "service_name": r.kind.name,
            "service_code": r.kind.code,
            "description": _description(rng, r.kind, r.pole),
            "agency_responsible": r.kind.agency,
            "requested_datetime": _offset_time(r.requested, city),
            # This vendor sets updated_datetime when a request is closed, and leaves it null until then.
            "updated_datetime": _offset_time(r.closed, city) if r.closed is not None else None,
            "address": r.house,
            "lat": r.lat,
            "long": r.lon,
            "media_url": f"https://311.riverton.example/media/{request_id}.jpg" if photo else "",
        }
        by_month.setdefault(r.requested.strftime("%Y-%m"), []).append(record)
    # The endpoint lists the newest requests first.
    return {month: records[::-1] for month, records in by_month.items()}


def make(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame, lights: Streetlights) -> ServiceRequests:
    """All requests of 2023-2025, split between the CRM export and the app's Open311 responses."""
    requests = _requests(city, rng, city_map, tracts, lights)
    return ServiceRequests(
        crm=_crm_export(rng, [r for r in requests if r.channel != "App"]),
        open311=_open311_requests(city, rng, [r for r in requests if r.channel == "App"]),
    )


def write(requests: ServiceRequests, folder: Path) -> list[Path]:
    """The CRM's yearly CSV exports and the app's monthly GeoReport v2 responses."""
    written = [
        write_csv(rows.drop(columns="_year"), folder / "service_requests" / "crm" / f"crm_cases_{year}.csv")
        for year, rows in requests.crm.groupby("_year", sort=True)
    ]
    written += [
        write_json(records, folder / "service_requests" / "open311" / f"requests_{month}.json") for month, records in sorted(requests.open311.items())
    ]
    return written
