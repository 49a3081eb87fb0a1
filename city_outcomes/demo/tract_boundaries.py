"""Demo census tract boundaries: a GeoJSON FeatureCollection, as TIGER/Line tracts look after ogr2ogr.

The city is a grid of 8 x 5 tracts whose shared corners are nudged, so each tract is an irregular
quadrilateral and together they tile the city without gaps or overlaps. The other demo feeds place
their points (streetlights, trips, 311 requests, chargers) inside these tracts with
:meth:`CityMap.points_in`, so coarsening coordinates to tracts at ingest finds a tract for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_json

WEST, EAST, SOUTH, NORTH = -75.45, -75.25, 40.55, 40.70
COLUMNS, ROWS = 8, 5
DOWNTOWN = (-75.352, 40.628)  # lon, lat of the city centre (City Hall)
# Interior corners move by up to this share of a cell: small enough that every tract stays convex.
CORNER_JITTER = 0.18
# The river runs west to east through the middle row of tracts: their water area is not land.
RIVER_ROW = 2
KM_PER_DEGREE_LAT = 110.95
KM_PER_DEGREE_LON = 111.32 * np.cos(np.radians((SOUTH + NORTH) / 2))


@dataclass(frozen=True)
class CityMap:
    """The tracts' shapes: corner ``nodes[row, column]`` (lon, lat), row 0 along the north edge."""

    geoids: tuple[str, ...]
    nodes: np.ndarray

    def corners(self, tract: int) -> np.ndarray:
        """South-west, south-east, north-east and north-west corners of a tract, as (lon, lat)."""
        row, column = divmod(tract, COLUMNS)
        n = self.nodes
        return np.array([n[row + 1, column], n[row + 1, column + 1], n[row, column + 1], n[row, column]])

    def ring(self, tract: int) -> list[list[float]]:
        """The tract's exterior ring, counter-clockwise and closed (RFC 7946)."""
        corners = self.corners(tract)
        return [[float(lon), float(lat)] for lon, lat in [*corners, corners[0]]]

    def points_in(self, rng: np.random.Generator, tracts: np.ndarray, margin: float = 0.06) -> tuple[np.ndarray, np.ndarray]:
        """One random point inside each of ``tracts`` (an array of tract indexes), as (lon, lat) arrays.

        A bilinear blend of a convex quadrilateral's corners stays inside it; ``margin`` keeps the
        point off the edges, where a point-in-polygon test could place it in no tract.
        """
        tracts = np.asarray(tracts, dtype=int)
        u = rng.uniform(margin, 1 - margin, size=len(tracts))
        v = rng.uniform(margin, 1 - margin, size=len(tracts))
        corners = np.stack([self.corners(t) for t in range(len(self.geoids))])[tracts]  # (n, 4, 2)
        sw, se, ne, nw = (corners[:, i, :] for i in range(4))
        blend = ((1 - u) * (1 - v))[:, None] * sw + (u * (1 - v))[:, None] * se + (u * v)[:, None] * ne + ((1 - u) * v)[:, None] * nw
        return np.round(blend[:, 0], 6), np.round(blend[:, 1], 6)

    @property
    def centroids(self) -> np.ndarray:
        """Each tract's corner average, (lon, lat)."""
        return np.stack([self.corners(t).mean(axis=0) for t in range(len(self.geoids))])

    def km_from_downtown(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return np.hypot((np.asarray(lon) - DOWNTOWN[0]) * KM_PER_DEGREE_LON, (np.asarray(lat) - DOWNTOWN[1]) * KM_PER_DEGREE_LAT)

    @property
    def tract_km_from_downtown(self) -> np.ndarray:
        return self.km_from_downtown(self.centroids[:, 0], self.centroids[:, 1])

    def area_km2(self, tract: int) -> float:
        """Area by the shoelace formula on a local flat projection (good to well under 1% here)."""
        x = self.corners(tract)[:, 0] * KM_PER_DEGREE_LON
        y = self.corners(tract)[:, 1] * KM_PER_DEGREE_LAT
        return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))

    def tract_of(self, lon: float, lat: float) -> int | None:
        """The tract containing a point (for tests and checks), or None outside the city."""
        for tract in range(len(self.geoids)):
            corners = self.corners(tract)
            edges = np.roll(corners, -1, axis=0) - corners
            to_point = np.array([lon, lat]) - corners
            if (edges[:, 0] * to_point[:, 1] - edges[:, 1] * to_point[:, 0] > 0).all():
                return tract
        return None


def make(city: DemoCity, rng: np.random.Generator, tracts: pd.DataFrame) -> CityMap:
    """Tract shapes for the tract table's GEOIDs, in its order, row by row from the north-west."""
    assert len(tracts) == city.n_tracts == COLUMNS * ROWS, "the grid must have one cell per tract"
    lon = np.linspace(WEST, EAST, COLUMNS + 1)
    lat = np.linspace(NORTH, SOUTH, ROWS + 1)
    nodes = np.stack(np.meshgrid(lon, lat), axis=-1)  # (ROWS + 1, COLUMNS + 1, 2)
    step = np.array([(EAST - WEST) / COLUMNS, (NORTH - SOUTH) / ROWS])
    jitter = rng.uniform(-CORNER_JITTER, CORNER_JITTER, size=(ROWS - 1, COLUMNS - 1, 2)) * step
    nodes[1:-1, 1:-1] += jitter  # city limits stay straight: only corners inside the city move
    # A 7th decimal that no 6-decimal point coordinate can share keeps points off tract edges.
    nodes = np.round(np.round(nodes, 6) + 5e-7, 7)
    return CityMap(tuple(tracts["GEOID"]), nodes)


def _feature(city_map: CityMap, tract: int, water_share: float) -> dict:
    geoid = city_map.geoids[tract]
    area_m2 = city_map.area_km2(tract) * 1e6
    water = round(area_m2 * water_share)
    inside_lon, inside_lat = city_map.centroids[tract]
    tract_code = geoid[5:]
    return {
        "type": "Feature",
        "properties": {
            "STATEFP": geoid[:2],
            "COUNTYFP": geoid[2:5],
            "TRACTCE": tract_code,
            "GEOID": geoid,
            "NAME": f"{int(tract_code[:4])}.{tract_code[4:]}",
            "NAMELSAD": f"Census Tract {int(tract_code[:4])}.{tract_code[4:]}",
            "MTFCC": "G5020",
            "FUNCSTAT": "S",
            "ALAND": round(area_m2) - water,
            "AWATER": water,
            "INTPTLAT": f"{inside_lat:+.7f}",
            "INTPTLON": f"{inside_lon:+.7f}",
        },
        "geometry": {"type": "Polygon", "coordinates": [city_map.ring(tract)]},
    }


def write(city_map: CityMap, folder: Path) -> Path:
    """The planning department's tract layer, exported from GIS as GeoJSON (WGS84)."""
    features = []
    for tract in range(len(city_map.geoids)):
        # The river takes about a tenth of each middle-row tract (a fixed share: no draw needed).
        water_share = 0.08 + 0.01 * (tract % COLUMNS) if tract // COLUMNS == RIVER_ROW else 0.0
        features.append(_feature(city_map, tract, water_share))
    document = {
        "type": "FeatureCollection",
        "name": "tl_2023_42999_tract",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    return write_json(document, folder / "census" / "tract_boundaries.geojson")
