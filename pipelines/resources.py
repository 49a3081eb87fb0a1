"""Resources: which city to run and where its warehouse lives, chosen per environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from city_outcomes import warehouse
from city_outcomes.config import CityConfig, load_city_config


class CityResource(dg.ConfigurableResource):
    """The city's configuration file."""

    config_path: str

    def load(self) -> CityConfig:
        return load_city_config(self.config_path)


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse. Assets run in one process, so there is one writer at a time."""

    path: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = warehouse.connect(self.path)
        try:
            yield conn
        finally:
            conn.close()


def resources_for(environment: str, city: CityConfig) -> dict[str, dg.ConfigurableResource]:
    """One map from environment name to resources. 'local' (the default) and 'ci' use the embedded DuckDB file."""
    if environment in ("local", "ci"):
        return {
            "city": CityResource(config_path=str(city.config_path)),
            "warehouse": WarehouseResource(path=str(city.warehouse_path)),
        }
    raise ValueError(f"Unknown environment {environment!r}: expected 'local' or 'ci'")
