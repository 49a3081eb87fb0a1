"""Demo streetlights: the fixture inventory and the utility's monthly unmetered streetlight billing.

Almost all of the city's ~2,700 fixtures were high-pressure sodium (HPS) until a tract-by-tract LED
conversion in 2024; downtown's decorative metal-halide heads wait for a later phase. The GIS
inventory is exported as it stands now (so it shows the LEDs and their install dates); the
utility bills every fixture monthly from its rated input power times the month's dusk-to-dawn burn
hours, as unmetered streetlight tariffs do, prorating the month a lamp is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv
from city_outcomes.demo.tract_boundaries import COLUMNS, CityMap

N_FIXTURES = 2_700
# Photocell burn hours by month at latitude 40.6 N (dusk to dawn, less the photocell's delay):
# 4,104 hours a year, close to the 4,100 h/yr lighting engineers assume.
BURN_HOURS = np.array([424, 362, 357, 307, 282, 257, 272, 302, 327, 377, 402, 435])
# Lamp before the conversion -> (share of fixtures, nominal watts, input watts with ballast, LED watts
# that replace it). LED replacements use 40-60% of the HPS input, as conversion programmes report.
LAMPS = {
    ("HPS", 100): (0.66, 117, 40),
    ("HPS", 150): (0.14, 188, 63),
    ("HPS", 250): (0.10, 295, 110),
    ("HPS", 400): (0.03, 465, 180),
    ("MH", 175): (0.04, 210, 75),  # downtown decorative heads
    ("MV", 175): (0.01, 205, 50),  # the last mercury-vapour lamps
    ("LED", 50): (0.02, 50, 50),  # the 2020 pilot street
}
# The conversion runs in four phases across the city, west to east: (first day of the phase).
PHASE_STARTS = [date(2024, 2, 5), date(2024, 4, 22), date(2024, 7, 8), date(2024, 9, 23)]
PHASE_WEEKS = 7
DECORATIVE_KM = 1.8  # metal-halide heads only stand within this distance of City Hall
# A new subdivision's LED streetlights are energised in May 2025 (added to inventory and billing).
NEW_SUBDIVISION = (date(2025, 5, 14), 36)
STREETS = [
    "Front St", "Water St", "Market St", "Walnut St", "Chestnut St", "Hamilton St", "Union St", "Linden St",
    "Turner St", "Tilghman St", "Liberty St", "Greenleaf St", "Ridge Ave", "Cedar Crest Blvd", "Mill Rd",
    "Park Ave", "Oak St", "Maple Ave", "Elm St", "Hillside Ave", "Lake Dr", "Bridge St", "Church St", "School Ln",
]
ENERGY_RATE = 0.1041  # $/kWh, the tariff's energy charge
FIXTURE_CHARGE = {"HPS": 7.85, "MH": 9.40, "MV": 7.85, "LED": 4.95}  # $/fixture/month (pole, maintenance)


NEVER = date.max.toordinal()  # the conversion day of a fixture that is not converted


@dataclass(frozen=True)
class Streetlights:
    """The fixtures with their full history (``inventory``) and the monthly bills (``billing``)."""

    inventory: pd.DataFrame  # one row per fixture; columns starting "_" are the generator's own
    billing: pd.DataFrame

    def technology_in(self, year: int, month: int) -> pd.Series:
        """Each fixture's lamp technology in the middle of a month (None before it was energised)."""
        middle = date(year, month, 15).toordinal()
        inv = self.inventory
        now = inv["TECHNOLOGY"].where(inv["_converted_ord"] <= middle, inv["_tech_before"])
        return now.where(inv["_energised_ord"] <= middle, None)

    @property
    def conversion_dates(self) -> pd.Series:
        """The day each converted fixture got its LED, by fixture id."""
        converted = self.inventory[self.inventory["_converted_ord"] < NEVER]
        return converted.set_index("FIXTURE_ID")["_converted_ord"].map(date.fromordinal)


def _month_days(year: int, month: int) -> int:
    return (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days


def make(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame) -> Streetlights:
    """The inventory as it stands at the end of 2025, and every month's bill of 2023-2025."""
    # Fixtures follow people (streets are denser where more people live), with some noise.
    weights = tracts["B01003_001E"].to_numpy(float) * rng.lognormal(0, 0.2, size=len(tracts))
    tract = np.sort(rng.choice(len(tracts), size=N_FIXTURES, p=weights / weights.sum()))
    lon, lat = city_map.points_in(rng, tract)
    lamps = list(LAMPS)
    shares = np.array([LAMPS[lamp][0] for lamp in lamps])
    decorative = lamps.index(("MH", 175))
    outer, central = shares.copy(), shares.copy()
    outer[decorative], central[decorative] = 0.0, 0.35  # decorative heads stand downtown only
    near_downtown = city_map.km_from_downtown(lon, lat) < DECORATIVE_KM
    lamp_index = np.where(
        near_downtown,
        rng.choice(len(lamps), size=N_FIXTURES, p=central / central.sum()),
        rng.choice(len(lamps), size=N_FIXTURES, p=outer / outer.sum()),
    )
    tech_before = np.array([lamps[i][0] for i in lamp_index], dtype=object)
    nominal_before = np.array([lamps[i][1] for i in lamp_index])
    input_before = np.array([LAMPS[lamps[i]][1] for i in lamp_index])
    led_watts = np.array([LAMPS[lamps[i]][2] for i in lamp_index])
    # An unconverted fixture's lamp went in at the last group relamping (HPS lamps last four to five
    # years); the pilot street's LEDs in autumn 2020.
    relamped = date(2017, 1, 1).toordinal() + rng.integers(0, 6 * 365, size=N_FIXTURES)
    pilot = tech_before == "LED"
    relamped[pilot] = date(2020, 9, 1).toordinal() + rng.integers(0, 60, size=pilot.sum())
    phase = np.minimum(tract % COLUMNS // 2, len(PHASE_STARTS) - 1)
    converts = np.isin(tech_before, ["HPS", "MV"])
    converted = np.array([PHASE_STARTS[p].toordinal() for p in phase]) + rng.integers(0, PHASE_WEEKS * 7, size=N_FIXTURES)
    converted = np.where(converts, converted, NEVER)
    inventory = pd.DataFrame(
        {
            "FIXTURE_ID": [f"SL{10_001 + i}" for i in range(N_FIXTURES)],
            "STREET": [STREETS[i] for i in rng.integers(0, len(STREETS), size=N_FIXTURES)],
            "TECHNOLOGY": np.where(converts, "LED", tech_before),
            "LAMP_WATTS": np.where(converts, led_watts, nominal_before),
            "INPUT_WATTS": np.where(converts, led_watts, input_before),
            "INSTALL_DATE": [date.fromordinal(int(d)).strftime("%m/%d/%Y") for d in np.where(converts, converted, relamped)],
            "CENSUS_TRACT": tracts["GEOID"].to_numpy()[tract],
            "LATITUDE": lat,
            "LONGITUDE": lon,
            "OWNER": "CITY",
            "_tech_before": tech_before,
            "_nominal_before": nominal_before,
            "_input_before": input_before,
            "_converted_ord": converted,
            "_energised_ord": date(2000, 1, 1).toordinal(),
        }
    )
    inventory = pd.concat([inventory, _new_subdivision(rng, city_map, tracts, len(inventory))], ignore_index=True)
    return Streetlights(inventory, _billing(city, inventory))


def _new_subdivision(rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame, first: int) -> pd.DataFrame:
    """LED streetlights of a new subdivision in the city's south-east tract."""
    energised, count = NEW_SUBDIVISION
    lon, lat = city_map.points_in(rng, np.full(count, len(tracts) - 1))
    return pd.DataFrame(
        {
            "FIXTURE_ID": [f"SL{10_001 + first + i}" for i in range(count)],
            "STREET": "Meadow View Dr",
            "TECHNOLOGY": "LED",
            "LAMP_WATTS": 40,
            "INPUT_WATTS": 40,
            "INSTALL_DATE": energised.strftime("%m/%d/%Y"),
            "CENSUS_TRACT": tracts["GEOID"].iloc[-1],
            "LATITUDE": lat,
            "LONGITUDE": lon,
            "OWNER": "CITY",
            "_tech_before": "LED",
            "_nominal_before": 40,
            "_input_before": 40,
            "_converted_ord": NEVER,
            "_energised_ord": energised.toordinal(),
        }
    )


def _billing(city: DemoCity, inventory: pd.DataFrame) -> pd.DataFrame:
    """Each fixture's estimated kWh for every month it was energised, prorated by days across a lamp change."""
    frames = []
    for year, month in city.months:
        first, days = date(year, month, 1).toordinal(), _month_days(year, month)
        billed = inventory[inventory["_energised_ord"] < first + days]
        energised_from = np.clip(billed["_energised_ord"].to_numpy() - first, 0, days)
        changed = np.clip(billed["_converted_ord"].to_numpy() - first, 0, days)
        old_days = np.clip(changed - energised_from, 0, None)
        new_days = days - np.maximum(changed, energised_from)
        watt_days = billed["_input_before"].to_numpy(float) * old_days + billed["INPUT_WATTS"].to_numpy(float) * new_days
        kwh = np.round(watt_days * BURN_HOURS[month - 1] / days / 1000)
        # The bill names the lamp on the fixture for most of the month.
        on_new = new_days > old_days
        lamp = np.where(on_new, billed["TECHNOLOGY"], billed["_tech_before"])
        watts = np.where(on_new, billed["LAMP_WATTS"], billed["_nominal_before"]).astype(int)
        fixture_charge = np.array([FIXTURE_CHARGE[t] for t in lamp]) * (days - energised_from) / days
        frames.append(
            pd.DataFrame(
                {
                    "Account Number": "7741-20093",
                    "Service Period": f"{year}-{month:02d}",
                    "Pole ID": billed["FIXTURE_ID"].to_numpy(),
                    "Rate Code": [f"SL-{t}-{w}" for t, w in zip(lamp, watts, strict=True)],
                    "Lamp Type": lamp,
                    "Lamp Watts": watts,
                    "Billed kWh": kwh.astype(int),
                    "Read Type": "EST",
                    "Amount": np.round(kwh * ENERGY_RATE + fixture_charge, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def write(lights: Streetlights, folder: Path) -> list[Path]:
    """The GIS inventory (one file) and one utility billing-detail file per month."""
    public = lights.inventory[[c for c in lights.inventory.columns if not c.startswith("_")]]
    written = [write_csv(public, folder / "streetlights" / "inventory" / "streetlight_inventory.csv")]
    for period, rows in lights.billing.groupby("Service Period", sort=True):
        written.append(write_csv(rows, folder / "streetlights" / "billing" / f"streetlight_billing_{period}.csv"))
    return written
