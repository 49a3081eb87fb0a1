"""Resources: which city to run and where its warehouse lives, chosen per environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from city_outcomes import warehouse
from city_outcomes.config import CityConfig, load_city_config
from city_outcomes.locking import Holder, hold_warehouse
from pipelines.run_tags import WAREHOUSE_TAG, process_tags
from pipelines.stale_runs import fail_abandoned_runs, run_source


class CityResource(dg.ConfigurableResource):
    """The city's configuration file."""

    config_path: str

    def load(self) -> CityConfig:
        return load_city_config(self.config_path)


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse, held by one run at a time.

    Dagster sets a resource up once per run with the in-process executor, before the first step, and
    tears it down after the last: the warehouse's lock (city_outcomes/locking.py) is held for the
    whole run, so a run the daemon launches and a `city-outcomes run` in another process never write
    at once, and a reader waits rather than breaking a run between two steps. Within the process the
    lock is re-entrant: the CLI holds it around the run, and the run's setup re-enters it.
    """

    path: str
    _hold: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run = context.run
        command = f"Dagster run from {run_source(run)}" if run is not None else "Dagster run"
        log = context.log
        stack = ExitStack()
        stack.enter_context(hold_warehouse(
            self.path, Holder.this_process(command, "writing", run.run_id if run is not None else None),
            on_wait=(lambda message: log.info(message)) if log is not None else None,
        ))
        self._hold = stack
        instance = context.instance
        if instance is None or run is None:
            return
        try:
            # A run worker the daemon launched says which process it is, so the next run can tell if it was
            # killed; and a run launched from the asset graph (no job tags) says which warehouse it writes.
            tags = {WAREHOUSE_TAG: str(Path(self.path).resolve()), **process_tags()}
            if any(run.tags.get(key) != value for key, value in tags.items()):
                instance.add_run_tags(run.run_id, tags)
            for message in fail_abandoned_runs(instance, self.path):
                if log is not None:
                    log.warning(message)
        except BaseException:
            # Dagster does not tear down a resource whose setup failed: let go of the warehouse here.
            self.teardown_after_execution(context)
            raise

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._hold is not None:
            self._hold.close()
            self._hold = None

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
