"""Publish assets: the dashboard site."""


import dagster as dg

from assets.metrics import BUILDING_EMISSIONS
from city_outcomes.publish.site import build_site
from pipelines.resources import CityResource, WarehouseResource


@dg.asset(
    key=["site", "dashboard"],
    group_name="publish",
    deps=[BUILDING_EMISSIONS],
    kinds={"html", "altair"},
    description="The offline dashboard site (site/index.html): charts served with their own JavaScript bundle.",
)
def dashboard(city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    config = city.load()
    with warehouse.connect() as conn:
        site = build_site(conn, config, config.site_dir)
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(site.index)), "charts": site.charts})
