"""Running a whole city in process: every asset, every month, one run the Dagster UI can show."""

from __future__ import annotations

import dagster as dg

from assets.feeds import monthly_partitions
from city_outcomes.config import CityConfig
from pipelines.definitions import build_definitions
from pipelines.run_tags import process_tags, warehouse_tags


def materialize_city(city: CityConfig, instance: dg.DagsterInstance, environment: str = "local", run_id: str | None = None) -> dg.ExecuteInProcessResult:
    """Materialize every asset of ``city`` for all of its months, in one run (with id ``run_id`` if given).

    The run holds the warehouse's lock from its first step to its last (``WarehouseResource``): it
    waits for another process's run of the same warehouse to end first.
    """
    defs = build_definitions(city, environment)
    job = defs.resolve_job_def("refresh_all")
    months = monthly_partitions(city).get_partition_keys()
    tags = {
        "dagster/asset_partition_range_start": months[0],
        "dagster/asset_partition_range_end": months[-1],
        # Several cities may share one Dagster instance: every run says whose it is.
        "city_outcomes/city": city.city.name,
        "city_outcomes/config": str(city.config_path),
        **warehouse_tags(city),
        # Recorded when the run is created, so that a run killed even before its first step is found later.
        **process_tags(),
    }
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    return job.execute_in_process(instance=instance, tags=tags, run_config=quiet, raise_on_error=False, run_id=run_id)
