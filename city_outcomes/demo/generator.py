"""Run the demo city's feed generators in a fixed order from one seed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEMO_SEED = 20_230_101


@dataclass(frozen=True)
class DemoCity:
    """The fixed facts of the fictional city that every feed generator shares."""

    name: str = "Riverton"
    state_fips: str = "42"
    # County FIPS 999 does not exist: tract ids look real but cannot be mistaken for a real place.
    county_fips: str = "999"
    county_name: str = "Fictional County"
    n_tracts: int = 40
    n_buildings: int = 60
    years: tuple[int, ...] = (2023, 2024, 2025)

    @property
    def baseline_year(self) -> int:
        return self.years[0]


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a CSV the same way every time: fixed column order, '\\n' line ends, no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def generate(folder: Path, seed: int = DEMO_SEED, city: DemoCity = DemoCity()) -> list[Path]:
    """Generate every demo feed under ``folder``; return the files written."""
    from city_outcomes.demo import building_energy, buildings, tracts

    rng = np.random.default_rng(seed)
    tract_table = tracts.make(city, rng)
    building_table = buildings.make(city, rng, tract_table)
    energy_table = building_energy.make(city, rng, building_table)
    written = [tracts.write(tract_table, folder), buildings.write(building_table, folder)]
    written += building_energy.write(energy_table, folder)
    return written
