"""The code location: every asset, check, job, schedule and resource, assembled in one place."""

from __future__ import annotations

import os
import warnings

import dagster as dg

from assets.catalog_metrics import build_catalog_metric_assets
from assets.community import build_community_assets
from assets.feeds import build_feed_asset, build_feed_checks, build_inbox_sensor
from assets.goals import build_goal_assets
from assets.metrics import build_metric_assets
from assets.publish import build_dashboard_asset
from assets.reference import unit_conversions
from city_outcomes.config import CityConfig, city_config_path, load_city_config
from pipelines.resources import resources_for
from pipelines.run_tags import warehouse_tags

ENVIRONMENT_ENV = "CITY_OUTCOMES_ENV"
# Single-run backfills (one run for a range of months) are marked beta; we rely on them knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def build_definitions(city: CityConfig, environment: str = "local") -> dg.Definitions:
    """Definitions for one city: a feed asset per configured feed, then metrics and the dashboard."""
    feed_assets = [build_feed_asset(city, name) for name in city.feeds]
    feed_checks = [check for name in city.feeds for check in build_feed_checks(city, name)]
    metric_assets, metric_checks = build_metric_assets(city)
    metric_assets += build_catalog_metric_assets(city)
    community_assets = build_community_assets(city)
    # The goal statuses (a city with a goals feed only), after every metric asset a goal may name.
    goal_assets = build_goal_assets(city, [key for asset in [*metric_assets, *community_assets] for key in asset.keys])
    # The site reads every metric table (goal series, emissions, the reconciliation) and the goal statuses; the GPC
    # export comes after it (it writes into the published site), so it is not among them.
    upstream = [*metric_assets, *community_assets, *goal_assets]
    site_deps = sorted({key for asset in upstream for key in asset.keys if key.path[0] == "out"}, key=lambda key: key.path)
    dashboard = build_dashboard_asset(site_deps)
    # Every run of these jobs (the UI's, the schedule's) names its warehouse: the run queue lets one at a time write it.
    tags = warehouse_tags(city)
    everything = dg.define_asset_job("refresh_all", selection=dg.AssetSelection.all(), description="Ingest every feed, recompute metrics, publish the dashboard.", tags=tags)
    time_based = [asset.key for asset in feed_assets if asset.partitions_def is not None]
    jobs, schedules = [everything], []
    # A city whose feeds are all reference data (tracts, registries) has no month to refresh.
    if time_based:
        monthly_refresh = dg.define_asset_job(
            "monthly_refresh",
            # Downstream of the month's feeds is every metric and the site: the refresh republishes it.
            selection=dg.AssetSelection.assets(*time_based).downstream(),
            description="Refresh one month of every time-based feed, the metrics built on them, and republish the site.",
            tags=tags,
        )
        jobs.append(monthly_refresh)
        # Early each month, once departments have exported the month just ended.
        schedules.append(dg.build_schedule_from_partitioned_job(monthly_refresh, day_of_month=5, hour_of_day=6))
    return dg.Definitions(
        assets=[*feed_assets, unit_conversions, *metric_assets, *community_assets, *goal_assets, dashboard],
        asset_checks=[*feed_checks, *metric_checks],
        jobs=jobs,
        schedules=schedules,
        sensors=[build_inbox_sensor(city, name) for name in city.feeds],
        resources=resources_for(environment, city),
        # One DuckDB file takes one writer: run a job's steps in one process, one after another.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Entry point for `dagster dev` and `dagster definitions validate` (the city from $CITY_OUTCOMES_CITY)."""
    return build_definitions(load_city_config(city_config_path()), os.environ.get(ENVIRONMENT_ENV, "local"))
