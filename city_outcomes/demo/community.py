"""Demo community data: the utilities' deliveries by customer class, and the regional model's vehicle-miles.

Riverton Electric and Riverton Gas report, under the city's data-sharing agreement, what they deliver
inside the city each month by customer class (residential, commercial, industrial) with the number of
accounts summed: electricity peaks in summer and winter, gas in winter. The industrial gas class has
only nine accounts, under the 15-customer small-cell rule, so its figure is confidential (GPC key C).
The metropolitan planning organisation's travel model gives annual vehicle-miles inside the boundary
by vehicle type: cars as one `mixed` figure, light trucks split by fuel, and a growing electric share.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

# Monthly shape of deliveries (January first), each averaging 1 over the year.
ELECTRIC_SHAPE = np.array([1.12, 1.02, 0.95, 0.86, 0.88, 1.02, 1.18, 1.17, 0.98, 0.88, 0.92, 1.02])
GAS_SHAPE = np.array([2.05, 1.85, 1.45, 0.85, 0.45, 0.30, 0.25, 0.25, 0.35, 0.75, 1.35, 2.10])
# (utility, export class name, commodity, unit, average monthly delivery in 2023, accounts, change a year)
CLASSES = [
    ("Riverton Electric", "Residential", "Electric", "KWH", 41_500_000, 18_240, -0.012),
    ("Riverton Electric", "Commercial", "Electric", "KWH", 30_200_000, 2_215, -0.018),
    ("Riverton Electric", "Industrial", "Electric", "KWH", 11_800_000, 41, -0.010),
    ("Riverton Gas", "Residential", "Gas", "THERMS", 1_150_000, 15_420, -0.015),
    ("Riverton Gas", "Commercial", "Gas", "THERMS", 520_000, 1_640, -0.020),
    ("Riverton Gas", "Industrial", "Gas", "THERMS", 240_000, 9, -0.005),
]
# Annual vehicle-miles inside the boundary, 2023: (vehicle type as the model names it, fuel, miles, change a year).
VMT = [
    ("Passenger Car", "Mixed", 412_000_000, -0.004),
    ("Passenger Car", "Electric", 8_600_000, 0.35),
    ("Light Truck", "Gasoline", 298_000_000, 0.006),
    ("Light Truck", "Diesel", 11_500_000, 0.0),
]
VMT_SOURCE = "Riverton Area MPO regional travel demand model, {year} run (demo)"


@dataclass(frozen=True)
class CommunityData:
    """The utilities' monthly deliveries and the model's annual vehicle-miles, as exported."""

    deliveries: pd.DataFrame
    vmt: pd.DataFrame


def make(city: DemoCity, rng: np.random.Generator) -> CommunityData:
    """Deliveries for every month of the demo period and vehicle-miles for every year, with a little noise."""
    rows = []
    for year, month in city.months:
        years_on = year - city.baseline_year
        for utility, klass, commodity, unit, average, accounts, trend in CLASSES:
            shape = ELECTRIC_SHAPE if commodity == "Electric" else GAS_SHAPE
            delivered = average * shape[month - 1] * (1 + trend) ** years_on * rng.normal(1, 0.02)
            rows.append({
                "Utility": utility, "Customer Class": klass, "Commodity": commodity, "Service Month": f"{year}-{month:02d}",
                "Delivered": round(delivered), "Unit": unit, "Accounts": accounts + int(rng.integers(-2, 3)) * (accounts > 100),
            })
    trips = []
    for year in city.years:
        years_on = year - city.baseline_year
        for vehicle, fuel, miles, trend in VMT:
            trips.append({
                "Year": year, "Vehicle Type": vehicle, "Fuel": fuel,
                "Annual VMT": round(miles * (1 + trend) ** years_on * rng.normal(1, 0.01), -3),
                "Method": "in_boundary", "Source": VMT_SOURCE.format(year=year),
            })
    return CommunityData(pd.DataFrame(rows), pd.DataFrame(trips))


def write(data: CommunityData, folder: Path) -> list[Path]:
    """One deliveries report per year (community/utility_deliveries_YYYY.csv) and one VMT table (community/regional_vmt.csv)."""
    written = []
    for year, frame in data.deliveries.groupby(data.deliveries["Service Month"].str[:4], sort=True):
        written.append(write_csv(frame, folder / "community" / f"utility_deliveries_{year}.csv"))
    written.append(write_csv(data.vmt, folder / "community" / "regional_vmt.csv"))
    return written
