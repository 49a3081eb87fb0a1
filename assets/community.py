"""Community inventory assets (GPC BASIC): thin wrappers of city_outcomes/metrics/community.py and the GPC export."""

import dagster as dg

from assets.feeds import feed_key
from city_outcomes.config import CityConfig
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.community import (
    COMMUNITY_ENERGY_TABLE,
    COMMUNITY_INVENTORY_TABLE,
    COMMUNITY_VMT_TABLE,
    refresh_community_energy,
    refresh_community_inventory,
    refresh_community_vmt,
)
from city_outcomes.metrics.runs import record_metric_run
from city_outcomes.publish.gpc_export import write_gpc_export
from pipelines.resources import CityResource, WarehouseResource

COMMUNITY_ENERGY = dg.AssetKey(COMMUNITY_ENERGY_TABLE.split("."))
COMMUNITY_VMT = dg.AssetKey(COMMUNITY_VMT_TABLE.split("."))
COMMUNITY_INVENTORY = dg.AssetKey(COMMUNITY_INVENTORY_TABLE.split("."))
DASHBOARD = dg.AssetKey(["site", "dashboard"])
REFERENCE_DEPS = [feed_key("emission_factors"), feed_key("global_warming_potentials"), dg.AssetKey(["ref", "unit_conversions"])]


def build_community_assets(city: CityConfig) -> list[dg.AssetsDefinition]:
    """The community emission tables, the inventory and its GPC export; the feeds they read where the city has them."""
    energy_feeds = [feed_key(name) for name, feed in city.feeds.items() if feed.contract == "community_energy"]
    vmt_feeds = [feed_key(name) for name, feed in city.feeds.items() if feed.contract == "community_vmt"]

    @dg.asset(key=COMMUNITY_ENERGY, group_name="community", deps=[*energy_feeds, *REFERENCE_DEPS], kinds={"duckdb", "sql"},
              description=catalog().asset_description(COMMUNITY_ENERGY_TABLE))
    def community_energy_emissions(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            rows = refresh_community_energy(conn, city.load())
            record_metric_run(conn, COMMUNITY_ENERGY_TABLE, None, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    @dg.asset(key=COMMUNITY_VMT, group_name="community", deps=[*vmt_feeds, *REFERENCE_DEPS], kinds={"duckdb", "sql"},
              description=catalog().asset_description(COMMUNITY_VMT_TABLE))
    def community_vmt_emissions(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            rows = refresh_community_vmt(conn, city.load())
            record_metric_run(conn, COMMUNITY_VMT_TABLE, None, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    @dg.asset(key=COMMUNITY_INVENTORY, group_name="community", deps=[COMMUNITY_ENERGY, COMMUNITY_VMT, *vmt_feeds], kinds={"duckdb", "sql"},
              description=catalog().asset_description(COMMUNITY_INVENTORY_TABLE))
    def community_inventory(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            rows = refresh_community_inventory(conn, city.load())
            record_metric_run(conn, COMMUNITY_INVENTORY_TABLE, None, context.run.run_id)
            keyed = conn.execute(f"SELECT count(*) FILTER (WHERE notation_key IS NOT NULL) FROM {COMMUNITY_INVENTORY_TABLE}").fetchone()[0]
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "lines_with_notation_key": keyed})

    # After the dashboard: build_site swaps the whole site folder in, and would take gpc/ with it.
    @dg.asset(key=["site", "gpc_export"], group_name="publish", deps=[COMMUNITY_INVENTORY, DASHBOARD], kinds={"csv", "xlsx"},
              description="The community inventory as a GPC reporting table (site/gpc/gpc_inventory.csv and .xlsx), formula-like text made inert.")
    def gpc_export(city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        config = city.load()
        with warehouse.connect() as conn:
            written = write_gpc_export(conn, config, config.site_dir / "gpc")
        return dg.MaterializeResult(metadata={"files": ", ".join(str(path) for path in written.files), "lines": written.lines})

    return [community_energy_emissions, community_vmt_emissions, community_inventory, gpc_export]
