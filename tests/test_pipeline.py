"""The whole asset graph, materialized on the demo city into a temporary warehouse, and the code location."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from city_outcomes import warehouse
from city_outcomes.config import CityConfig, load_city_config
from pipelines.definitions import build_definitions
from pipelines.run import materialize_city
from tests.conftest import published_demo_run

PROJECT = Path(__file__).resolve().parents[1]


# The tests that only read the demo city's run share the session's one run (conftest.published_demo).
def test_every_asset_materializes_and_every_check_passes(published_demo: CityConfig) -> None:
    city, run = published_demo, published_demo_run(published_demo)
    assert run["success"]
    materialized = set(run["materialized"])
    assert {"core/building_energy", "core/buildings", "core/census_tracts", "core/emission_factors",
            "core/global_warming_potentials", "ref/unit_conversions", "out/building_emissions_monthly", "site/dashboard",
            "out/community_energy_emissions_monthly", "out/community_vmt_emissions", "out/community_inventory", "site/gpc_export",
            "out/municipal_td_losses_monthly"} <= materialized
    assert {f"core/{name}" for name in city.feeds} <= materialized  # every feed of the demo city, the new ones too
    checks = run["checks"]
    # Two checks per feed (rows reconcile, contract clean), two on building emissions, one on fleet
    # emissions, one on the municipal inventory's invariants, one on the annual benchmarking rows: all pass, so no
    # demo row is quarantined, every fuel row found its factors and the inventory's sectors, months and scopes add up.
    assert len(city.feeds) == 26
    assert len(checks) == 2 * len(city.feeds) + 5 == 57 and all(c["passed"] for c in checks)
    assert "out/building_emissions_annual_benchmarking" in materialized
    conn = warehouse.connect(city.warehouse_path, read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM out.building_emissions_monthly").fetchone()[0] == 4320
        # One emissions row per accepted fuel purchase or charge.
        assert conn.execute("SELECT count(*) FROM out.fleet_emissions_monthly").fetchone()[0] == conn.execute("SELECT count(*) FROM core.fleet_fuel").fetchone()[0] > 0
        # The inventory holds streetlights, traffic signals and public EV charging (demo files: 97,488 streetlight and
        # 1,152 signal bills; the chargers' daily report's kWh equal the sessions').
        sectors = dict(conn.execute("SELECT subsector, sum(activity) FROM out.municipal_inventory_monthly WHERE source_kind = 'electricity' GROUP BY 1").fetchall())
        assert sectors["Streetlights"] > 0 and sectors["Traffic signals"] > 0
        assert sectors["Public chargers"] == pytest.approx(conn.execute("SELECT sum(energy_kwh) FROM core.ev_charging_sessions").fetchone()[0], rel=1e-9)
    finally:
        conn.close()


def test_rerunning_the_whole_graph_leaves_the_same_warehouse(published_demo: CityConfig, tmp_path: Path) -> None:
    # A copy of the demo city as its first run left it (the original is shared, to read only), run again.
    shutil.copytree(published_demo.config_path.parent, tmp_path / "city", symlinks=True)
    city = load_city_config(tmp_path / "city" / "city.yaml")
    roots = (str(published_demo.config_path.parent), str(city.config_path.parent))

    def _in_city(value):
        # File paths are recorded whole: the first run's are the original folder's, the rerun's the copy's.
        if isinstance(value, str):
            for root in roots:
                value = value.replace(root, "<city>")
        return value

    def snapshot() -> dict[str, list]:
        conn = warehouse.connect(city.warehouse_path, read_only=True)
        try:
            return {
                # Within a table every path has one root, so ORDER BY ALL orders both snapshots alike.
                table: [
                    tuple(_in_city(value) for value in row)
                    for row in conn.execute(f"SELECT * EXCLUDE (arrived_at) FROM {table} ORDER BY ALL" if table == "meta.landed_files" else f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                ]
                for table in ("core.building_energy", "out.building_emissions_monthly", "meta.file_reconciliation", "meta.quarantine", "meta.landed_files")
            }
        finally:
            conn.close()

    before = snapshot()
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    assert snapshot() == before


def test_the_site_loads_its_chart_code_only_from_itself(published_demo: CityConfig) -> None:
    city = published_demo
    pages = sorted(city.site_dir.glob("*.html"))
    assert len(pages) >= 18  # overview, 9 goals, emissions, initiatives and 6 of them, quality, methods
    for page in pages:
        html = page.read_text()
        sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
        assert sources == ["favicon.svg", "assets/site.css", "assets/vega-bundle.js", "assets/site.js"], page.name
        assert all((city.site_dir / s).is_file() for s in sources)
        # Nothing is fetched from elsewhere: no remote src/href, no remote CSS url(), no data URL in the specs.
        assert not re.search(r'(?:src|href)\s*=\s*"(?:https?:)?//', html), page.name
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html), page.name
        assert '"url":' not in html, page.name
    css = (city.site_dir / "assets" / "site.css").read_text()
    assert not re.search(r"url\(|@import", css)
    assert (city.site_dir / "assets" / "vega-bundle.js").stat().st_size > 500_000


def test_definitions_load_with_every_feed_of_the_city(demo_city: CityConfig) -> None:
    defs = build_definitions(demo_city)
    dg.Definitions.validate_loadable(defs)
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"core/{name}" for name in demo_city.feeds} <= keys
    assert defs.resolve_job_def("monthly_refresh").partitions_def is not None


def test_dagster_definitions_validate_passes() -> None:
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "true"}
    env.pop("DAGSTER_HOME", None)
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Validation successful" in completed.stdout + completed.stderr


def test_the_notebook_runs_against_the_built_warehouse(published_demo: CityConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    city = published_demo
    monkeypatch.setenv("CITY_OUTCOMES_CITY", str(city.config_path))
    notebook = nbformat.read(PROJECT / "notebooks" / "building_emissions.ipynb", as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(PROJECT)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("building_energy" in str(o.get("data", {})) for o in outputs)


def test_the_dashboard_shows_the_inventory_both_ways_and_the_reconciliation(published_demo: CityConfig) -> None:
    city = published_demo
    html = (city.site_dir / "emissions.html").read_text()
    inventory = html[html.index('<section id="inventory">'):html.index("</section>", html.index('<section id="inventory">'))]
    assert "Scope 2, location-based" in inventory and "Scope 2, market-based" in inventory
    assert "Scope 3, T&amp;D losses (not in the totals)" in inventory  # the demo city sets city.td_losses
    conn = warehouse.connect(city.warehouse_path, read_only=True)
    try:
        year, total = conn.execute(
            "SELECT inventory_year, sum(co2e_tonnes) FROM out.municipal_inventory_annual GROUP BY 1 ORDER BY 1 DESC LIMIT 1"
        ).fetchone()
        missing = conn.execute("SELECT DISTINCT named_differences->0->>'key' FROM out.inventory_reconciliation WHERE source = 'electricity'").fetchall()
        # The year's T&D losses, and the grid electricity's location-based emissions they are a share of.
        losses, grid = conn.execute(
            "SELECT (SELECT sum(co2e_tonnes) FROM out.municipal_td_losses_monthly WHERE year(period_month) = $year), "
            "(SELECT sum(co2e_tonnes) FROM out.municipal_inventory_monthly WHERE year(period_month) = $year AND scope = 2 AND source_kind = 'electricity')",
            {"year": year},
        ).fetchone()
    finally:
        conn.close()
    # The page's total row is the annual table's total for the latest year, to the tenth of a tonne shown.
    assert f"Municipal operations inventory, {year}" in inventory and f"{total:,.1f}" in inventory
    # The demo's grid is RFCE at eGRID2023 for its latest year: 4.2% lost, so the losses are 0.042 / 0.958 of the
    # grid electricity's emissions, in the total row's last cell, beside the total, not in it.
    assert losses == pytest.approx(grid * 0.042 / 0.958, rel=1e-9) and f"{losses:,.1f}</td></tr>" in inventory
    # The demo's dashboard never connected one meter: the reconciliation names it on the page.
    assert missing == [("F-0160",)]
    reconciliation = html[html.index('<section id="reconciliation">'):]
    assert "F-0160" in reconciliation and "factor + activity" in reconciliation
