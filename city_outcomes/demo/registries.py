"""Demo registries: the goals the city adopted and the technology initiatives meant to meet them.

The sustainability office keeps both as small spreadsheets. Initiatives are written from what the
other demo feeds actually did (which buildings were retrofitted, when the LED conversion ran, which
stations and chargers opened), so the registry and the data agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from city_outcomes.demo.building_energy import RETROFIT_WORKS
from city_outcomes.demo.ev_charging import Charging
from city_outcomes.demo.generator import DemoCity, write_csv
from city_outcomes.demo.micromobility import BIKESHARE, Micromobility
from city_outcomes.demo.service_requests import APP_LAUNCH
from city_outcomes.demo.streetlights import Streetlights

CHARGING_NETWORK = "ChargePoint"  # the network whose session and energy exports the demo's EV feeds are (ev_charging.py)
CLIMATE_PLAN = "Riverton Climate Action Plan (City Council Resolution 2023-41, June 2023)"
MOBILITY_PLAN = "Riverton Moves: Active Transportation Plan (2024)"


@dataclass(frozen=True)
class Registries:
    goals: pd.DataFrame
    initiatives: pd.DataFrame


def _goals(city: DemoCity) -> pd.DataFrame:
    base = city.baseline_year
    rows = [
        ("municipal-ghg-2030", "Cut greenhouse gas emissions from city operations 45% below 2023 levels by 2030",
         "municipal_co2e_tonnes", "decrease", base, 2030, None, -0.45, "t CO2e", f"{CLIMATE_PLAN}, goal 1"),
        ("buildings-ghg-2030", "Cut greenhouse gas emissions from municipal buildings 50% below 2023 levels by 2030",
         "building_co2e_tonnes", "decrease", base, 2030, None, -0.5, "t CO2e", f"{CLIMATE_PLAN}, goal B-1"),
        ("fleet-ghg-2035", "Cut fleet fuel emissions 40% below 2023 levels by 2035",
         "fleet_co2e_tonnes", "decrease", base, 2035, None, -0.4, "t CO2e", f"{CLIMATE_PLAN}, goal T-3"),
        ("streetlight-energy-2026", "Halve the electricity used by streetlights by 2026",
         "streetlight_kwh", "decrease", base, 2026, None, -0.5, "kWh", f"{CLIMATE_PLAN}, goal B-4"),
        ("micromobility-trips-2027", "Reach 12,000 shared bike and scooter trips a year by 2027",
         "micromobility_trips", "increase", base, 2027, 12_000, None, "trips per year", f"{MOBILITY_PLAN}, target 2"),
        ("transit-ridership-2030", "Grow transit boardings 25% above 2023 by 2030",
         "transit_boardings", "increase", base, 2030, None, 0.25, "boardings per year", f"{MOBILITY_PLAN}, target 5"),
        ("ev-charging-2030", "Deliver 400 MWh a year at public EV chargers by 2030",
         "public_ev_charging_kwh", "increase", base, 2030, 400_000, None, "kWh per year", f"{CLIMATE_PLAN}, goal T-5"),
        ("service-response-2026", "Close 90% of 311 streetlight and pothole requests within 7 days by 2026",
         "share_311_closed_within_7_days", "increase", base, 2026, 0.9, None, "share of requests", "Riverton 311 Service Standards (2023)", "monthly"),
        # Direction-only (Open SDG method 1): the plan promises growth without a number.
        ("micromobility-distance-growth", "Grow the distance ridden on shared bikes and scooters every year",
         "micromobility_distance_km", "increase", base, 2030, None, None, "km per year", f"{MOBILITY_PLAN}, target 3"),
    ]
    columns = ["goal_id", "title", "metric", "direction", "baseline_year", "target_year", "target_value", "target_change", "unit", "source_document", "frequency"]
    # Goals without a frequency are read once a year; the sustainability office leaves the cell blank for them.
    rows = [row if len(row) == len(columns) else (*row, "") for row in rows]
    table = pd.DataFrame(rows, columns=columns)
    # Integers where a spreadsheet shows integers (pandas would write 12000.0 next to an empty cell).
    table["target_value"] = table["target_value"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return table


def _initiatives(retrofitted: Sequence[str], lights: Streetlights, mobility: Micromobility, charging: Charging) -> pd.DataFrame:
    converted = lights.conversion_dates
    stations = mobility.stations
    rows = [
        ("building-retrofits-2024", "Municipal building lighting and controls retrofits", "LED lighting and building automation controls",
         "General Services", *RETROFIT_WORKS, "buildings-ghg-2030;municipal-ghg-2030", ";".join(sorted(retrofitted)), 2_350_000, ""),
        ("led-streetlights-2024", "Citywide LED streetlight conversion", "LED streetlights",
         "Public Works", min(converted), max(converted), "streetlight-energy-2026;service-response-2026;municipal-ghg-2030", "streetlight_fixtures", 3_900_000, ""),
        ("ebike-share-launch", "Riverton BikeShare: docked e-bike share", "e-bike share",
         "Transportation", mobility.launch, None, "micromobility-trips-2027;micromobility-distance-growth", ";".join(stations["station_id"]), 1_600_000, BIKESHARE.name),
        ("public-ev-chargers-2024", "Public EV charger expansion", "Level 2 and DC fast EV chargers",
         "General Services", *charging.programme_opened, "ev-charging-2030", ";".join(charging.programme_stations), 980_000, CHARGING_NETWORK),
        ("fleet-electrification", "Fleet electrification: pool, code-enforcement and parks vehicles", "battery-electric vehicles",
         "General Services", date(2024, 7, 15), None, "fleet-ghg-2035;municipal-ghg-2030", "fleet_fuel", 610_000, ""),
        ("riverton-311-app", "Riverton 311 mobile app with work-order routing", "311 mobile app (Open311 GeoReport v2)",
         "Communications and 311", APP_LAUNCH, None, "service-response-2026", "service_requests_open311", 240_000, ""),
    ]
    # vendor: the operator or network whose feed the demo ships (MDS trips, ChargePoint exports); blank where no demo feed names one.
    columns = ["initiative_id", "title", "technology", "department", "start_date", "end_date", "goal_ids", "scope", "budget_usd", "vendor"]
    return pd.DataFrame(rows, columns=columns)


def make(city: DemoCity, retrofitted: Sequence[str], lights: Streetlights, mobility: Micromobility, charging: Charging) -> Registries:
    """Both registries (no randomness: everything comes from the other feeds)."""
    return Registries(_goals(city), _initiatives(retrofitted, lights, mobility, charging))


def write(registries: Registries, folder: Path) -> list[Path]:
    """goals.csv and initiatives.csv, as the sustainability office keeps them."""
    return [
        write_csv(registries.goals, folder / "registries" / "goals.csv"),
        write_csv(registries.initiatives, folder / "registries" / "initiatives.csv"),
    ]
