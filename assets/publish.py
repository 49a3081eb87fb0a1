"""Publish assets: the dashboard site."""


import dagster as dg

from city_outcomes.publish.site import build_site
from pipelines.resources import CityResource, WarehouseResource

DASHBOARD = dg.AssetKey(["site", "dashboard"])


def build_dashboard_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The dashboard, after every metric table its page reads (``deps``: those of them the city has)."""

    @dg.asset(
        key=DASHBOARD,
        group_name="publish",
        deps=deps,
        kinds={"html", "altair"},
        description="The offline dashboard site (site/index.html): charts served with their own JavaScript bundle.",
    )
    def dashboard(city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        config = city.load()
        with warehouse.connect() as conn:
            site = build_site(conn, config, config.site_dir)
        return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(site.index)), "charts": site.charts})

    return dashboard
