"""One asset per catalog table whose metrics are built from their formula alone (``built_by: sql``).

Adding such a family is a YAML file in city_outcomes/metrics/catalog/ and its ``.sql`` files: the
asset, its description and its dependencies (the city's feeds of the input contracts) come from the catalog.
"""

from datetime import date

import dagster as dg

from assets.feeds import feed_key, monthly_partitions, partition_months
from city_outcomes.config import CityConfig
from city_outcomes.metrics.catalog import MetricEntry, catalog
from city_outcomes.metrics.monthly import refresh_monthly_metric
from city_outcomes.metrics.runs import record_metric_run
from pipelines.resources import CityResource, WarehouseResource

# Dagster reads the context's type hint at definition time: no `from __future__ import annotations` here.
# An unpartitioned run (the whole graph at once) recomputes every month the table can hold.
ALL_MONTHS = (date(1900, 1, 1), date(9999, 1, 1))


def build_catalog_metric_assets(city: CityConfig) -> list[dg.AssetsDefinition]:
    """The assets of every ``built_by: sql`` table, partitioned by the city's reporting months."""
    return [_asset(city, table, entry) for table, entry in sorted(catalog().sql_tables().items())]


def _asset(city: CityConfig, table: str, entry: MetricEntry) -> dg.AssetsDefinition:
    feeds = [name for name, feed in city.feeds.items() if feed.contract in entry.inputs]

    @dg.asset(
        key=dg.AssetKey(table.split(".")),
        group_name="metrics",
        partitions_def=monthly_partitions(city),
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[feed_key(name) for name in feeds],
        kinds={"duckdb", "sql"},
        description=catalog().asset_description(table),
    )
    def _build(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context) or ALL_MONTHS
        with warehouse.connect() as conn:
            rows = refresh_monthly_metric(conn, city.load(), entry, months)
            record_metric_run(conn, table, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    return _build
