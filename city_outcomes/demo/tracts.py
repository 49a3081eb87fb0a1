"""Demo census tracts: ACS-like demographics with the correlations real cities show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

ACS_VINTAGE = "2019-2023"


def make(city: DemoCity, rng: np.random.Generator) -> pd.DataFrame:
    """About 40 tracts of a ~160,000-person city; poorer tracts have more people of color and less broadband."""
    n = city.n_tracts
    codes = [f"{101 + i // 2:04d}{i % 2 + 1:02d}" for i in range(n)]
    population = rng.integers(1_800, 7_200, size=n)
    households = np.round(population / rng.uniform(2.2, 2.9, size=n)).astype(int)
    # Deprivation drives the tract's income, poverty, race and broadband figures together.
    deprivation = rng.beta(2.0, 3.0, size=n)
    income = np.round(np.exp(np.log(98_000) - 1.3 * deprivation + rng.normal(0, 0.12, size=n)), -2)
    poverty = np.clip(0.03 + 0.45 * deprivation ** 1.5 + rng.normal(0, 0.02, size=n), 0.01, 0.7)
    people_of_color = np.clip(0.12 + 0.7 * deprivation + rng.normal(0, 0.08, size=n), 0.02, 0.97)
    no_broadband = np.clip(0.04 + 0.3 * deprivation + rng.normal(0, 0.02, size=n), 0.01, 0.6)
    return pd.DataFrame(
        {
            "GEOID": [f"{city.state_fips}{city.county_fips}{code}" for code in codes],
            "NAME": [f"Census Tract {int(code[:4])}.{code[4:]}, {city.county_name}" for code in codes],
            "B01003_001E": population,
            "B11001_001E": households,
            "B19013_001E": income.astype(int),
            "poverty_rate": np.round(poverty, 4),
            "people_of_color_share": np.round(people_of_color, 4),
            "no_broadband_share": np.round(no_broadband, 4),
            "acs_period": ACS_VINTAGE,
        }
    )


def write(table: pd.DataFrame, folder: Path) -> Path:
    """The planning department's ACS extract."""
    return write_csv(table, folder / "census" / f"acs_tracts_{ACS_VINTAGE.replace('-', '_')}.csv")
