"""Publish assets: the site."""


import dagster as dg

from city_outcomes.publish.site import build_site
from pipelines.resources import CityResource, WarehouseResource

DASHBOARD = dg.AssetKey(["site", "dashboard"])


def build_dashboard_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    """The site, after every metric table and goal status it reads (``deps``: those the city has)."""

    @dg.asset(
        key=DASHBOARD,
        group_name="publish",
        deps=deps,
        kinds={"html", "altair"},
        description="The offline multi-page site (site/index.html): goals, emissions, initiatives, data quality and methods, "
        "every chart with its summary, table, CSV, PNG and SVG; checked by the publication privacy gate, then swapped in whole.",
    )
    def dashboard(city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        config = city.load()
        with warehouse.connect() as conn:
            site = build_site(conn, config, config.site_dir)
        return dg.MaterializeResult(metadata={
            "index": dg.MetadataValue.path(str(site.index)),
            "release": dg.MetadataValue.path(str(site.release)),
            "pages": dg.MetadataValue.json(site.pages),
            "charts": dg.MetadataValue.json(site.charts),
            "page_count": len(site.pages),
            "chart_count": len(site.charts),
        })

    return dashboard
