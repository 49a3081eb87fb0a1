"""The metric catalog: one entry per published number, and every metric asset registered in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from city_outcomes.config import CityConfig, load_city_config
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.catalog import Catalog, CatalogError, UnknownMetric, catalog, catalog_gaps, load_family
from city_outcomes.metrics.fleet import refresh_fleet_emissions
from pipelines.definitions import build_definitions
from tests.test_emissions import _build

ENTRY = """
  - name: {name}
    title: A test metric
    unit: t CO2e
    value_column: co2e_tonnes
    table: out.building_emissions_monthly
    grain: [building_id, period_month, energy_type]
    period_column: period_month
    formula: {formula}
    inputs: [{inputs}]
    description: For the test.
"""


def _family(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "family.yaml"
    path.write_text("family: test\nowner: nobody\nmetrics:\n" + "".join(entries))
    return path


def _asset_keys(city: CityConfig) -> list[list[str]]:
    definitions = build_definitions(city)
    return [list(key.path) for assets in definitions.assets for key in assets.keys]


def _with_published_feed(city: CityConfig) -> CityConfig:
    """The demo city with a feed of its own published figures: the reconciliation asset exists only then."""
    raw = yaml.safe_load(city.config_path.read_text())
    raw["feeds"]["published"] = {"contract": "published_emissions", "path": "published/*.csv"}
    city.config_path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_city_config(city.config_path)


def test_every_metric_asset_has_an_entry_and_every_entry_an_asset(demo_city: CityConfig) -> None:
    keys = _asset_keys(_with_published_feed(demo_city))
    assert ["out", "building_emissions_monthly"] in keys and ["out", "inventory_reconciliation"] in keys
    assert catalog_gaps(keys) == ([], [])


def test_a_metric_asset_without_an_entry_is_found(demo_city: CityConfig) -> None:
    keys = [*_asset_keys(_with_published_feed(demo_city)), ["out", "no_such_metric"]]
    assert catalog_gaps(keys) == (["out.no_such_metric"], [])


def test_an_entry_without_an_asset_is_found(tmp_path: Path, demo_city: CityConfig) -> None:
    lonely = Catalog(load_family(_family(tmp_path, ENTRY.format(name="x", formula="building_emissions_monthly", inputs="building_energy").replace(
        "out.building_emissions_monthly", "out.nowhere"))))
    keys = _asset_keys(demo_city)
    # Against a catalog of one stray entry, every real metric asset lacks an entry and the entry lacks an asset.
    every_metric_asset = sorted(".".join(key) for key in keys if key[0] == "out")
    assert "out.building_emissions_monthly" in every_metric_asset and "out.municipal_inventory_monthly" in every_metric_asset
    assert catalog_gaps(keys, lonely) == (every_metric_asset, ["out.nowhere"])


def test_the_asset_description_is_the_catalogs(demo_city: CityConfig) -> None:
    definitions = build_definitions(demo_city)
    spec = next(a for a in definitions.assets if ["out", "building_emissions_monthly"] in [list(k.path) for k in a.keys])
    description = next(iter(spec.specs)).description
    for entry in catalog().for_table("out.building_emissions_monthly"):
        assert entry.title in description and entry.name in description


def test_entries_name_columns_the_computed_table_has(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    checked = []
    ingest_feed(conn, demo_city, "fleet_fuel")
    refresh_fleet_emissions(conn, demo_city, (date(2023, 1, 1), date(2026, 1, 1)))
    for entry in catalog():
        schema, table = entry.table.split(".")
        columns = {r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", [schema, table]).fetchall()}
        if not columns:  # a table the demo city does not build (the reconciliation needs published figures)
            continue
        checked.append(entry.name)
        wanted = {entry.value_column, *entry.grain, *entry.dimensions}
        assert wanted <= columns, (entry.name, wanted - columns)
        grain = ", ".join(entry.grain)
        rows, distinct = conn.execute(f"SELECT count(*), count(DISTINCT ({grain})) FROM {entry.table}").fetchone()
        assert rows == distinct > 0, f"{entry.name}: the grain does not identify a row"
    assert "building_co2e_tonnes" in checked


def test_an_unknown_metric_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownMetric) as error:
        catalog().get("building_co2e")
    assert "building_co2e_tonnes" in str(error.value) and "building_activity" in str(error.value)


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ((ENTRY.format(name="a", formula="building_emissions_monthly", inputs="no_such_feed"),), "neither contracts nor"),
        ((ENTRY.format(name="a", formula="no_such_formula", inputs="building_energy"),), "no_such_formula.sql not found"),
    ],
)
def test_a_bad_family_file_is_refused_naming_the_problem(tmp_path: Path, entries: tuple[str, ...], problem: str) -> None:
    with pytest.raises(CatalogError, match=problem):
        load_family(_family(tmp_path, *entries))


def test_a_metric_registered_twice_is_refused(tmp_path: Path) -> None:
    entry = ENTRY.format(name="a", formula="building_emissions_monthly", inputs="building_energy")
    with pytest.raises(CatalogError, match="registered twice"):
        Catalog(load_family(_family(tmp_path, entry, entry)))


def test_the_sites_method_note_is_the_catalogs(demo_city: CityConfig, conn, tmp_path: Path) -> None:
    from markupsafe import escape

    from city_outcomes.publish.site import build_site

    _build(conn, demo_city)
    html = build_site(conn, demo_city, tmp_path / "site").page("emissions.html").read_text(encoding="utf-8")
    entry = catalog().get("building_co2e_tonnes")
    for text in (entry.description, *entry.caveats, f"city-outcomes trace {entry.name}"):
        assert str(escape(text)) in html
