"""Demo traffic signals: the Transportation department's signal inventory and the utility's monthly signal billing.

The city's 32 signalised intersections have LED signal heads (converted in 2012-2016), each with its controller
cabinet: one metered service per intersection, billed every month on its own traffic-signal tariff account,
apart from the streetlights. A signalised intersection with LED heads draws about 250-450 W around the clock
(heads, pedestrian signals, controller, detection). The inventory names no class: the feed's configuration says
every row is a traffic signal (`constants: {fixture_class: traffic_signal}`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv
from city_outcomes.demo.tract_boundaries import CityMap

N_INTERSECTIONS = 32
STREETS = ["Hamilton St", "Union St", "Linden St", "Turner St", "Market St", "Walnut St", "Cedar Crest Blvd", "Mill Rd"]
CROSS_STREETS = ["1st St", "3rd St", "5th St", "7th St", "10th St", "12th St", "15th St", "Ridge Ave"]


def make(city: DemoCity, rng: np.random.Generator, city_map: CityMap, tracts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(inventory, billing): one row per intersection, and its metered kWh for every month of the demo years."""
    # Signals stand on the arterials, mostly near downtown: the tracts nearest the centre.
    nearest = np.argsort(city_map.tract_km_from_downtown)[:12]
    tract = rng.choice(nearest, size=N_INTERSECTIONS)
    lon, lat = city_map.points_in(rng, tract)
    watts = np.round(rng.uniform(250, 450, size=N_INTERSECTIONS))
    inventory = pd.DataFrame(
        {
            "SIGNAL_ID": [f"TS-{i + 1:03d}" for i in range(N_INTERSECTIONS)],
            "INTERSECTION": [f"{STREETS[i % len(STREETS)]} & {CROSS_STREETS[(i * 3) % len(CROSS_STREETS)]}" for i in range(N_INTERSECTIONS)],
            "HEAD_TYPE": "LED",
            "AVG_WATTS": watts.astype(int),
            "CENSUS_TRACT": tracts["GEOID"].to_numpy()[tract],
            "INSTALL_DATE": [date(2012 + int(y), int(m), 1).strftime("%m/%d/%Y") for y, m in zip(rng.integers(0, 5, N_INTERSECTIONS), rng.integers(1, 13, N_INTERSECTIONS), strict=True)],
            "LATITUDE": np.round(lat, 6),
            "LONGITUDE": np.round(lon, 6),
        }
    )
    rows = []
    for year, month in city.months:
        days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
        # Metered: the average draw around the clock, give or take detection and pedestrian calls.
        kwh = np.round(watts * 24 * days / 1000 * rng.normal(1.0, 0.03, size=N_INTERSECTIONS))
        rows.append(pd.DataFrame({"Account": "7741-30110", "Service Period": f"{year}-{month:02d}", "Signal ID": inventory["SIGNAL_ID"],
                                  "Billed kWh": kwh.astype(int), "Read Type": "ACT"}))
    return inventory, pd.concat(rows, ignore_index=True)


def write(signals: tuple[pd.DataFrame, pd.DataFrame], folder: Path) -> list[Path]:
    """The signal inventory (one file) and one billing file per year."""
    inventory, billing = signals
    written = [write_csv(inventory, folder / "traffic_signals" / "signal_inventory.csv")]
    for year, rows in billing.groupby(billing["Service Period"].str[:4], sort=True):
        written.append(write_csv(rows, folder / "traffic_signals" / "billing" / f"signal_billing_{year}.csv"))
    return written
