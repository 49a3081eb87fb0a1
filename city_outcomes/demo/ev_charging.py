"""Demo EV charging: every session at the city's public chargers, as a ChargePoint session export.

Six dual-port Level 2 stations served the public before 2023; the public-charger programme adds
eight Level 2 stations through summer 2024 and two DC fast chargers at the Transit Center in
October 2024, and use keeps growing as more residents drive electric. Exported one file per year
the way ChargePoint's session report looks (the Palo Alto open-data export has the same columns):
a byte-order mark, US dates without leading zeros in local time with the zone abbreviation (EST or
EDT) in a separate column, so that a session ending in the repeated hour of a November night is
still unambiguous, durations as h:mm:ss, vendor "savings" columns, a numeric User ID (blank for
guests who paid by card).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, clear_local_time, write_csv
from city_outcomes.demo.tract_boundaries import CityMap

ORG = "City of Riverton"
PREFIX = "RIVERTON PA / "


@dataclass(frozen=True)
class Site:
    """A charging site: where its stations stand and how popular it is."""

    name: str
    address: str
    km_from_downtown: float  # roughly where the site is (its tract is the one nearest this distance)
    stations: int
    opened: date
    port_type: str = "Level 2"
    popularity: float = 1.0
    workplace: bool = False  # a garage where commuters park all day


SITES = [
    Site("CITY HALL", "435 Hamilton St", 0.0, 2, date(2019, 6, 3), popularity=1.1, workplace=True),
    Site("MAIN LIBRARY", "1210 Walnut St", 0.7, 1, date(2020, 3, 16), popularity=0.9),
    Site("MARKET ST GARAGE", "20 Market St", 0.5, 2, date(2021, 4, 12), popularity=1.3, workplace=True),
    Site("RIVERFRONT PARK", "1 Riverside Dr", 1.6, 1, date(2021, 8, 2), popularity=0.7),
    # The 2024 public-charger programme.
    Site("OAK ST LIBRARY", "88 Oak St", 3.5, 1, date(2024, 5, 20), popularity=0.7),
    Site("CEDAR REC CENTER", "600 Cedar Crest Blvd", 4.8, 2, date(2024, 6, 10), popularity=0.55),
    Site("SOUTH SIDE COMMUNITY CTR", "310 E Mill Rd", 4.0, 1, date(2024, 7, 1), popularity=0.5),
    Site("UNION ST LOT", "1450 Union St", 2.2, 2, date(2024, 7, 22), popularity=0.8),
    Site("EAST END PARK & RIDE", "2100 E Turner St", 6.5, 1, date(2024, 8, 19), popularity=0.6, workplace=True),
    Site("WEST END LIBRARY", "3020 W Linden St", 5.5, 1, date(2024, 9, 9), popularity=0.5),
    Site("TRANSIT CENTER DCFC", "100 Transit Way", 0.9, 2, date(2024, 10, 14), "DC Fast", 1.0),
]
PROGRAMME_START = date(2024, 5, 20)
# Sessions per Level 2 port per day at a popularity of 1, by year: EV adoption keeps rising.
L2_SESSIONS_PER_DAY = {2023: 0.75, 2024: 0.95, 2025: 1.25}
DCFC_SESSIONS_PER_DAY = {2023: 0.0, 2024: 2.6, 2025: 3.6}
SEASON = np.array([0.85, 0.88, 0.97, 1.0, 1.05, 1.05, 1.05, 1.05, 1.02, 1.0, 0.95, 0.9])
ARRIVAL_HOURS_L2 = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 2, 5, 7, 5, 4, 4, 4.5, 4, 3.5, 3.5, 4, 5, 5.5, 4.5, 3, 2, 1, 0.5])
ARRIVAL_HOURS_DCFC = np.array([0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 3.5, 4.5, 5, 5.5, 6, 6.5, 6, 6, 6.5, 7, 7, 6.5, 5.5, 4, 3, 2, 1])
KG_CO2_PER_KWH_SAVED = 0.420  # ChargePoint's own ratios in the Palo Alto export (vendor constants)
GALLONS_PER_KWH_SAVED = 0.1255
FEE_PER_KWH = {"Level 2": 0.20, "DC Fast": 0.42}  # fees start with the programme; before it charging was free
FEES_FROM = date(2024, 7, 1)
MODELS = {"Level 2": "CT4021-GW1", "DC Fast": "CPE250C-625-CCS1-NACS"}
PLUGS = {"Level 2": "J1772", "DC Fast": "CCS1"}
GUEST_SHARE = 0.07


@dataclass(frozen=True)
class Charging:
    """The sessions, and the stations the public-charger programme added."""

    sessions: pd.DataFrame
    programme_stations: list[str]
    programme_opened: tuple[date, date]


def _hms(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _us_date(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}"


def _sessions_for_port(
    city: DemoCity, rng: np.random.Generator, site: Site, zone: ZoneInfo
) -> list[tuple[datetime, datetime, float, float]]:
    """(local start, local end, kWh, charging seconds) of one port's sessions, never overlapping."""
    dc = site.port_type == "DC Fast"
    first = max(site.opened, date(city.years[0], 1, 1))
    days = [first + timedelta(d) for d in range((date(city.years[-1], 12, 31) - first).days + 1)]
    per_day = np.array([(DCFC_SESSIONS_PER_DAY if dc else L2_SESSIONS_PER_DAY)[d.year] * SEASON[d.month - 1] for d in days])
    per_day *= site.popularity * np.array([0.8 if d.weekday() >= 5 else 1.08 for d in days])
    per_day *= np.minimum(1.0, 0.4 + np.array([(d - site.opened).days for d in days]) / 150)  # drivers find a new charger over months
    counts = rng.poisson(per_day)
    n = int(counts.sum())
    hours_profile = ARRIVAL_HOURS_DCFC if dc else ARRIVAL_HOURS_L2
    day_of = np.repeat(np.arange(len(days)), counts)
    hours = rng.choice(24, size=n, p=hours_profile / hours_profile.sum())
    order = np.lexsort((hours, day_of))
    minutes, gaps = rng.integers(0, 60, size=n), rng.integers(4, 40, size=n)
    if dc:
        plugged = np.round(rng.uniform(18, 55, size=n) * 60)
        power_kw = rng.uniform(35, 70, size=n)
        kwh = np.minimum(rng.normal(27, 8, size=n), power_kw * plugged / 3600 * 0.95)
    else:
        plugged = np.round(rng.lognormal(np.log(5.5 if site.workplace else 2.6), 0.55, size=n) * 3600)
        power_kw = np.where(rng.random(n) < 0.8, 6.2, 3.3)  # most cars take 6-7 kW; older ones 3.3 kW
        kwh = np.minimum(rng.lognormal(np.log(11), 0.55, size=n), power_kw * plugged / 3600 * 0.97)
    kwh = np.round(np.clip(kwh, 0.05, 120), 3)
    last_day = date(city.years[-1], 12, 31)
    sessions: list[tuple[datetime, datetime, float, float]] = []
    busy_until = datetime(city.years[0], 1, 1)
    for i in order:
        day = days[day_of[i]]
        start = clear_local_time(datetime(day.year, day.month, day.day, int(hours[i]), int(minutes[i])), zone)
        start = max(start, clear_local_time(busy_until + timedelta(minutes=int(gaps[i])), zone)).replace(second=0)
        # Instants, then wall-clock times: a session across a DST change keeps its true length.
        end = (start.replace(tzinfo=zone) + timedelta(seconds=float(plugged[i]))).astimezone(zone).replace(tzinfo=None)
        if end.date() > last_day:
            continue  # still plugged in when the year's export was run
        sessions.append((start, end, float(kwh[i]), float(kwh[i] / power_kw[i] * 3600)))
        busy_until = end
    return sessions


def make(city: DemoCity, rng: np.random.Generator, city_map: CityMap) -> Charging:
    """Every session of 2023-2025 at every port, in start order, with a ChargePoint export's columns."""
    zone = city.zone
    tract_km = city_map.tract_km_from_downtown
    drivers = rng.choice(np.arange(100_000, 999_999), size=2_500, replace=False)
    rows = []
    mac = 0x2B00
    for site in SITES:
        # The site's tract: the one whose distance from downtown is closest to the site's.
        tract = int(np.argmin(np.abs(tract_km - site.km_from_downtown) + rng.uniform(0, 0.3, size=len(tract_km))))
        lon, lat = city_map.points_in(rng, [tract], margin=0.2)
        for number in range(1, site.stations + 1):
            station = f"{PREFIX}{site.name} #{number}"
            mac += 1
            ports = [1] if site.port_type == "DC Fast" else [1, 2]
            for port in ports:
                for start, end, kwh, charging in _sessions_for_port(city, rng, site, zone):
                    # Regulars charge again and again; the pool of drivers grows with EV adoption.
                    pool = {2023: 500, 2024: 1_200, 2025: 2_500}[start.year]
                    rank = min(int(rng.pareto(1.2) * 150), pool - 1)
                    user = "" if rng.random() < GUEST_SHARE else str(drivers[rank])
                    fee = round(kwh * FEE_PER_KWH[site.port_type], 2) if start.date() >= FEES_FROM else 0.0
                    rows.append(
                        {
                            "Station Name": station,
                            "MAC Address": f"0024:B100:0002:{mac:04X}",
                            "Org Name": ORG,
                            "Start Date": _us_date(start),
                            "Start Time Zone": start.replace(tzinfo=zone).tzname(),
                            "End Date": _us_date(end),
                            "End Time Zone": end.replace(tzinfo=zone).tzname(),
                            "Transaction Date (Eastern Time)": _us_date(end),
                            "Total Duration (hh:mm:ss)": _hms(end.replace(tzinfo=zone).timestamp() - start.replace(tzinfo=zone).timestamp()),
                            "Charging Time (hh:mm:ss)": _hms(charging),
                            "Energy (kWh)": kwh,
                            "GHG Savings (kg)": round(kwh * KG_CO2_PER_KWH_SAVED, 3),
                            "Gasoline Savings (gallons)": round(kwh * GALLONS_PER_KWH_SAVED, 3),
                            "Port Type": site.port_type,
                            "Port Number": port,
                            "Plug Type": PLUGS[site.port_type],
                            "EVSE ID": "",
                            "Address 1": site.address,
                            "City": city.name,
                            "State/Province": "Pennsylvania",
                            "Postal Code": "18199",
                            "Country": "United States",
                            "Latitude": round(float(lat[0]) + 0.00004 * number, 6),
                            "Longitude": round(float(lon[0]), 6),
                            "Currency": "USD",
                            "Fee": fee,
                            "Ended By": "Plug Out at Vehicle" if rng.random() < 0.86 else "Customer",
                            "Driver Postal Code": "",
                            "User ID": user,
                            "County": "",
                            "System S/N": "",
                            "Model Number": MODELS[site.port_type],
                            "_start": start,
                        }
                    )
    sessions = pd.DataFrame(rows).sort_values(["_start", "Station Name", "Port Number"], kind="stable").reset_index(drop=True)
    sessions.insert(sessions.columns.get_loc("Driver Postal Code"), "Plug In Event Id", range(3_000_001, 3_000_001 + len(sessions)))
    programme = [s for s in SITES if s.opened >= PROGRAMME_START]
    return Charging(
        sessions=sessions,
        programme_stations=[f"{PREFIX}{s.name} #{n}" for s in programme for n in range(1, s.stations + 1)],
        programme_opened=(min(s.opened for s in programme), max(s.opened for s in programme)),
    )


def daily_energy(charging: Charging) -> pd.DataFrame:
    """The stations' daily energy report (ChargePoint's "Energy by station" dashboard export): kWh delivered and sessions
    started per station and local day, summed from the sessions (a session's energy counts on the day it started)."""
    sessions = charging.sessions
    ports = sessions.groupby("Station Name")["Port Number"].nunique()
    day = sessions["_start"].map(lambda moment: moment.date())
    report = sessions.groupby(["Station Name", day], sort=True).agg(energy=("Energy (kWh)", "sum"), sessions=("Plug In Event Id", "count")).reset_index()
    report.columns = ["Station Name", "day", "Energy (kWh)", "Sessions"]
    return pd.DataFrame(
        {
            "Station Name": report["Station Name"],
            "Date": report["day"].map(lambda d: f"{d.month}/{d.day}/{d.year}"),
            "Energy (kWh)": report["Energy (kWh)"].round(3),
            "Sessions": report["Sessions"],
            "Ports": report["Station Name"].map(ports),
            "_year": report["day"].map(lambda d: d.year),
        }
    )


def write(charging: Charging, folder: Path) -> list[Path]:
    """One ChargePoint session export per calendar year (UTF-8 with a byte-order mark, as ChargePoint writes it), and
    one daily energy report per calendar year."""
    sessions = charging.sessions
    years = sessions["_start"].map(lambda moment: moment.year)
    written = [
        write_csv(rows.drop(columns="_start"), folder / "ev_charging" / f"ChargePoint_Session_Export_{year}.csv", encoding="utf-8-sig")
        for year, rows in sessions.groupby(years, sort=True)
    ]
    energy = daily_energy(charging)
    written += [
        write_csv(rows.drop(columns="_year"), folder / "ev_charging" / "energy" / f"ChargePoint_Station_Energy_{year}.csv")
        for year, rows in energy.groupby("_year", sort=True)
    ]
    return written
