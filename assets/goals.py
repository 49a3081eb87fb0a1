"""The goal status asset: out.goal_status and out.goal_series, after the registries and every metric a goal can name."""

from collections.abc import Iterable
from datetime import date

import dagster as dg

from assets.feeds import feed_key
from city_outcomes.config import CityConfig
from city_outcomes.goals.tables import SERIES_TABLE, STATUS_TABLE, refresh_goal_tables
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.runs import record_metric_run
from pipelines.resources import CityResource, WarehouseResource

# Dagster reads the context's type hint at definition time: no `from __future__ import annotations` here.
GOAL_STATUS = dg.AssetKey(STATUS_TABLE.split("."))
GOAL_SERIES = dg.AssetKey(SERIES_TABLE.split("."))
GOAL_KEYS = [GOAL_STATUS, GOAL_SERIES]


def goal_metric_keys(available: Iterable[dg.AssetKey] | None = None) -> list[dg.AssetKey]:
    """The metric assets a goal may name: every catalog table but the goals' own (of ``available``, when given).

    Which metrics the goals name is in the registry's rows, known only at run time, so the asset waits for all of them."""
    keys = [dg.AssetKey(table.split(".")) for table in sorted(catalog().tables()) if table not in (STATUS_TABLE, SERIES_TABLE)]
    if available is not None:
        present = set(available)
        keys = [key for key in keys if key in present]
    return keys


def build_goal_assets(city: CityConfig, available: Iterable[dg.AssetKey] | None = None) -> list[dg.AssetsDefinition]:
    """The goal status asset (both tables), or none for a city without a goals feed."""
    goal_feeds = [feed_key(name) for name, feed in city.feeds.items() if feed.contract == "goals"]
    if not goal_feeds:
        return []
    initiative_feeds = [feed_key(name) for name, feed in city.feeds.items() if feed.contract == "initiatives"]
    deps = [*goal_feeds, *initiative_feeds, *goal_metric_keys(available)]

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(GOAL_STATUS, group_name="goals", deps=deps, kinds={"duckdb", "sql"}, description=catalog().asset_description(STATUS_TABLE)),
            dg.AssetSpec(GOAL_SERIES, group_name="goals", deps=deps, kinds={"duckdb", "sql"}, description=catalog().asset_description(SERIES_TABLE)),
        ],
        name="goal_status",
    )
    def goal_status(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource):
        as_of = date.today()
        with warehouse.connect() as conn:
            statuses = refresh_goal_tables(conn, city.load(), as_of)
            for table in (STATUS_TABLE, SERIES_TABLE):
                record_metric_run(conn, table, None, context.run.run_id)
            series_rows = conn.execute(f"SELECT count(*) FROM {SERIES_TABLE}").fetchone()[0]
        counts: dict[str, int] = {}
        for status in statuses:
            counts[status.progress.status] = counts.get(status.progress.status, 0) + 1
        # Goal ids and status codes only: the registry's titles are the city's text, kept out of the event log.
        yield dg.MaterializeResult(asset_key=GOAL_STATUS, metadata={
            "dagster/row_count": len(statuses), "as_of": as_of.isoformat(), "statuses": dg.MetadataValue.json(counts),
            "goals": dg.MetadataValue.json({s.goal_id: s.progress.status for s in statuses}),
        })
        yield dg.MaterializeResult(asset_key=GOAL_SERIES, metadata={"dagster/row_count": series_rows, "as_of": as_of.isoformat()})

    return [goal_status]
