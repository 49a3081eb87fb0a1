"""The methods page, generated from the metric catalog and the factor table: what each metric means, its
formula file, its inputs and caveats; each factor's value, source, table and edition."""

from __future__ import annotations

from itertools import groupby

from city_outcomes.metrics.catalog import catalog
from city_outcomes.publish.pages import Page, SiteData
from city_outcomes.sql import query_dicts
from city_outcomes.warehouse import table_exists


def build(data: SiteData) -> list[Page]:
    """One page: the catalog by family, then the factors."""
    entries = sorted(catalog(), key=lambda entry: (entry.family, entry.name))
    families = [{"family": family, "metrics": list(metrics)} for family, metrics in groupby(entries, key=lambda entry: entry.family)]
    factors = []
    if table_exists(data.conn, "core", "emission_factors"):
        factors = query_dicts(data.conn, "site_factors", {"subregion": data.city.city.grid_subregion})
    return [Page(
        path="methods.html", template="methods.html.j2", title="Methods and factors", section="methods",
        context={"families": families, "factors": factors},
    )]
