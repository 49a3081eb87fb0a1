"""Run the demo city's feed generators in a fixed order from one seed."""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

DEMO_SEED = 20_230_101
# Every demo file's modification time: a fixed moment after the demo's last month (2026-01-05 06:00 UTC),
# the same on every machine, and long enough ago that the inbox's settling time never holds a demo file back.
DEMO_MTIME = 1_767_592_800

# Each feed module added after the first three draws from its own stream, numbered here once and for
# all: adding, removing or changing one module never shifts another module's draws (or bytes).
STREAMS = {
    "tract_boundaries": 1,
    "fleet_fuel": 2,
    "streetlights": 3,
    "transit": 4,
    "micromobility": 5,
    "ev_charging": 6,
    "service_requests": 7,
    "traffic_signals": 9,
    "community": 8,
}


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
    timezone: str = "America/New_York"

    @property
    def baseline_year(self) -> int:
        return self.years[0]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) of the demo period, in order."""
        return [(year, month) for year in self.years for month in range(1, 13)]


def write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    """Write a CSV the same way every time: fixed column order, '\\n' line ends, no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding=encoding)
    return path


def write_json(document: Any, path: Path) -> Path:
    """Write JSON the way an API serves it: compact, keys in the order built, UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    return path


def random_uuid(rng: np.random.Generator) -> str:
    """A version-4 UUID drawn from ``rng`` (so it is the same for the same seed)."""
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def is_clear_local_time(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time that a DST change makes ambiguous (it happens twice) or impossible.

    Exports that write local times without an offset cannot say which of the two 1:30s of a
    November night they mean; the demo keeps its timestamps off those hours so that every row
    converts to exactly one instant.
    """
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return False
    return first.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) == local


def clear_local_time(local: datetime, zone: ZoneInfo) -> datetime:
    """``local``, or the first clear wall-clock time after it (see :func:`is_clear_local_time`)."""
    while not is_clear_local_time(local, zone):
        local += timedelta(minutes=30)
    return local


def _stream(seed: int, module: str) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[module]])


def generate(folder: Path, seed: int = DEMO_SEED, city: DemoCity = DemoCity()) -> list[Path]:
    """Generate every demo feed under ``folder``; return the files written."""
    written = []
    for relative, content in render(seed, city):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.utime(path, (DEMO_MTIME, DEMO_MTIME))
        written.append(path)
    return written


@lru_cache(maxsize=2)
def render(seed: int = DEMO_SEED, city: DemoCity = DemoCity()) -> tuple[tuple[str, bytes], ...]:
    """Every demo file as (path relative to the inbox, bytes), in the order written.

    The files are a pure function of the seed and the city, so they are made once per process
    (a few seconds) and copied wherever :func:`generate` is asked to put them.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        return tuple((path.relative_to(root).as_posix(), path.read_bytes()) for path in _write_all(root, seed, city))


def _write_all(folder: Path, seed: int, city: DemoCity) -> list[Path]:
    """Run every feed module, in a fixed order, writing under ``folder``."""
    from city_outcomes.demo import (
        benchmarking,
        building_energy,
        buildings,
        community,
        ev_charging,
        fleet_fuel,
        micromobility,
        published,
        registries,
        service_requests,
        streetlights,
        tract_boundaries,
        tracts,
        traffic_signals,
        transit,
    )

    # The first feeds share one stream, in this order; their files must not change.
    rng = np.random.default_rng(seed)
    tract_table = tracts.make(city, rng)
    building_table = buildings.make(city, rng, tract_table)
    retrofitted = building_energy.choose_retrofits(rng, building_table)
    energy_table = building_energy.make(city, rng, building_table, retrofitted)
    written = [tracts.write(tract_table, folder), buildings.write(building_table, folder)]
    written += building_energy.write(energy_table, folder)

    city_map = tract_boundaries.make(city, _stream(seed, "tract_boundaries"), tract_table)
    written.append(tract_boundaries.write(city_map, folder))
    fleet = fleet_fuel.make(city, _stream(seed, "fleet_fuel"))
    written += fleet_fuel.write(fleet, folder, city)
    lights = streetlights.make(city, _stream(seed, "streetlights"), city_map, tract_table)
    written += streetlights.write(lights, folder)
    ridership = transit.make(city, _stream(seed, "transit"))
    written += transit.write(ridership, folder)
    mobility = micromobility.make(city, _stream(seed, "micromobility"), city_map, tract_table)
    written += micromobility.write(mobility, folder)
    charging = ev_charging.make(city, _stream(seed, "ev_charging"), city_map)
    written += ev_charging.write(charging, folder)
    requests = service_requests.make(city, _stream(seed, "service_requests"), city_map, tract_table, lights)
    written += service_requests.write(requests, folder)
    signals = traffic_signals.make(city, _stream(seed, "traffic_signals"), city_map, tract_table)
    written += traffic_signals.write(signals, folder)
    written += community.write(community.make(city, _stream(seed, "community")), folder)
    registry = registries.make(city, retrofitted, lights, mobility, charging)
    written += registries.write(registry, folder)
    written.append(benchmarking.write(benchmarking.make(city, building_table, energy_table), folder))
    written.append(published.write(published.make(city, building_table, energy_table), folder))
    return written
