"""Demo municipal buildings: the facilities inventory of General Services."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

# Use type -> (department, count, floor area range sq ft, electricity kWh/sqft/yr, gas therm/sqft/yr).
# Intensities are typical of US public buildings (CBECS-like magnitudes); water treatment is
# pump-dominated, so its electricity per square foot is an order of magnitude higher.
BUILDING_TYPES: dict[str, tuple[str, int, tuple[int, int], float, float]] = {
    "office": ("General Services", 8, (20_000, 150_000), 14.0, 0.30),
    "library": ("Library", 7, (8_000, 40_000), 15.0, 0.35),
    "fire station": ("Fire", 10, (6_000, 16_000), 12.0, 0.60),
    "police station": ("Police", 4, (18_000, 60_000), 20.0, 0.40),
    "recreation center": ("Parks and Recreation", 9, (12_000, 50_000), 12.0, 0.80),
    "community center": ("Parks and Recreation", 6, (4_000, 18_000), 10.0, 0.45),
    "maintenance garage": ("Public Works", 8, (10_000, 45_000), 7.0, 0.70),
    "water treatment plant": ("Water Utility", 2, (30_000, 80_000), 150.0, 0.20),
    "transit depot": ("Transportation", 6, (25_000, 90_000), 9.0, 0.55),
}
NAMES = ["Oak", "Maple", "River", "Hill", "Cedar", "Lake", "Elm", "Mill", "Park", "Union", "Grant", "Bridge"]


def make(city: DemoCity, rng: np.random.Generator, tracts: pd.DataFrame) -> pd.DataFrame:
    """About 60 buildings across the city's departments, each placed in a tract."""
    rows = []
    for use_type, (department, count, (low, high), kwh_intensity, therm_intensity) in BUILDING_TYPES.items():
        for i in range(count):
            area = int(round(rng.uniform(low, high), -2))
            rows.append(
                {
                    "FacilityID": f"F-{len(rows) + 101:04d}",
                    "Name": f"{NAMES[(len(rows) * 5 + i) % len(NAMES)]} Street {use_type.title()}",
                    "Dept": department,
                    "UseType": use_type,
                    "GrossSqFt": area,
                    "YearBuilt": int(rng.integers(1925, 2020)),
                    "CensusTract": tracts["GEOID"].iloc[int(rng.integers(0, len(tracts)))],
                    "hidden_kwh_per_sqft": kwh_intensity * rng.uniform(0.75, 1.3),
                    "hidden_therm_per_sqft": therm_intensity * rng.uniform(0.7, 1.35),
                }
            )
    table = pd.DataFrame(rows)
    assert len(table) == city.n_buildings, "building type counts must add up to the city's building count"
    return table


def write(table: pd.DataFrame, folder: Path) -> Path:
    """The facilities inventory, without the generator's hidden intensity columns."""
    public = table[[c for c in table.columns if not c.startswith("hidden_")]]
    return write_csv(public, folder / "facilities" / "facility_inventory.csv")
