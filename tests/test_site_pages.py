"""The site as a whole: its pages and files, the swap that a reader never sees half-done, and the
publication privacy gate that stops a publish before anything is written."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from city_outcomes import warehouse
from city_outcomes.publish import site as site_module
from city_outcomes.publish.pages import Page, SiteData
from city_outcomes.publish.privacy_gate import PrivacyViolation, PublishedTable
from city_outcomes.publish.site import build_site
from tests.building_bills import build_emissions, write_payload_city

AS_OF = date(2026, 3, 1)


@pytest.fixture()
def bill_city(tmp_path: Path):
    """The payload city with its registries: three buildings, two goals, two initiatives."""
    from city_outcomes.feeds.ingest import ingest_feed

    city = write_payload_city(tmp_path, registries=True)
    conn = warehouse.connect(city.warehouse_path)
    build_emissions(conn, city)
    for feed in ("goals", "initiatives"):
        ingest_feed(conn, city, feed)
    yield city, conn
    conn.close()


def test_every_page_is_written_with_its_charts_files(bill_city) -> None:
    city, conn = bill_city
    published = build_site(conn, city, city.site_dir, as_of=AS_OF)
    assert published.pages[:1] == ["index.html"]
    assert {"emissions.html", "initiatives.html", "quality.html", "methods.html", "goal-halve-buildings.html",
            "goal-hold-buildings.html", "initiative-retrofits.html", "initiative-controls.html"} <= set(published.pages)
    for name in published.pages:
        assert published.page(name).is_file(), name
    # Every chart: its spec, data, PNG and SVG, linked from its page; an overview card's sparkline has its spec and
    # data only (its image is the goal page's chart).
    assert "goal-halve-buildings" in published.charts and "goal-halve-buildings-card" in published.charts
    for chart in published.charts:
        card = chart.endswith("-card")
        for suffix in (".vl.json", ".csv", ".png", ".svg"):
            path = city.site_dir / "charts" / f"{chart}{suffix}"
            assert path.exists() == (not card or suffix in (".vl.json", ".csv")), (chart, suffix)
            assert not path.exists() or path.stat().st_size > 0, (chart, suffix)
    overview = published.index.read_text()
    assert 'href="charts/goal-halve-buildings-card.csv"' in overview and "goal-halve-buildings-card.png" not in overview
    goal_page = published.page("goal-halve-buildings.html").read_text()
    assert 'href="charts/goal-halve-buildings.csv"' in goal_page and 'href="charts/goal-halve-buildings.png"' in goal_page
    # Every page links every section of the navigation, and names the city and the data-through month.
    for name in published.pages:
        html = published.page(name).read_text()
        for link in ("index.html", "emissions.html", "initiatives.html", "quality.html", "methods.html"):
            assert f'href="{link}"' in html, (name, link)
        assert "Data through <strong>December 2025</strong>" in html, name


def test_the_site_is_a_link_to_a_whole_release_and_the_previous_release_is_kept(bill_city) -> None:
    city, conn = bill_city
    first = build_site(conn, city, city.site_dir, as_of=AS_OF)
    second = build_site(conn, city, city.site_dir, as_of=AS_OF)
    third = build_site(conn, city, city.site_dir, as_of=AS_OF)
    assert city.site_dir.is_symlink() and city.site_dir.resolve() == third.release.resolve()
    assert second.release.is_dir() and not first.release.exists()  # the live release and the one before it
    assert sorted(os.listdir(third.release)) == sorted(os.listdir(second.release))


def test_a_site_published_before_releases_is_replaced_by_the_link(bill_city) -> None:
    city, conn = bill_city
    city.site_dir.mkdir(parents=True)
    (city.site_dir / "index.html").write_text("old")
    published = build_site(conn, city, city.site_dir, as_of=AS_OF)
    assert city.site_dir.is_symlink() and published.index.read_text() != "old"


def test_a_reader_never_finds_the_site_missing_or_half_written(bill_city) -> None:
    """A reader opening pages in a loop while the site is republished always finds a whole page."""
    city, conn = bill_city
    build_site(conn, city, city.site_dir, as_of=AS_OF)
    seen: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                text = (city.site_dir / "index.html").read_text()
                seen.append("whole" if text.rstrip().endswith("</html>") else "partial")
            except FileNotFoundError:
                seen.append("missing")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            build_site(conn, city, city.site_dir, as_of=AS_OF)
            time.sleep(0.01)
    finally:
        stop.set()
        reader.join()
    assert len(seen) > 100 and set(seen) == {"whole"}


def test_a_planted_small_count_stops_the_publish_naming_the_table_and_cell(bill_city, monkeypatch) -> None:
    city, conn = bill_city
    before = build_site(conn, city, city.site_dir, as_of=AS_OF)
    leaky = pd.DataFrame({"tract": ["42999000100", "42999000200"], "trips": [250, 3]})

    def builders() -> list:
        def leak(data: SiteData) -> list[Page]:
            table = PublishedTable(name="trips by tract", frame=leaky, count_columns=["trips"])
            return [Page(path="leak.html", template="methods.html.j2", title="Leak", section="methods",
                         context={"families": [], "factors": []}, count_tables=[table])]
        return [leak]

    monkeypatch.setattr(site_module, "page_builders", builders)
    with pytest.raises(PrivacyViolation) as failure:
        build_site(conn, city, city.site_dir, as_of=AS_OF)
    message = str(failure.value)
    assert "trips by tract" in message and "42999000200" in message and "trips" in message and "small_cell_k" in message
    # Nothing was published: the live site is the one before.
    assert city.site_dir.resolve() == before.release.resolve()
    assert not (city.site_dir / "leak.html").exists()


def test_the_downloads_are_safe_for_spreadsheets(bill_city) -> None:
    city, conn = bill_city
    build_site(conn, city, city.site_dir, as_of=AS_OF)
    rows = list(csv.reader(io.StringIO((city.site_dir / "emissions-by-department-and-year.csv").read_text())))
    departments = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://example.invalid\",\"x\")" in departments
    for path in (city.site_dir / "charts").glob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text())):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row), (path.name, row)


def test_the_site_asset_comes_after_every_metric_and_the_monthly_refresh_republishes_it() -> None:
    from city_outcomes.config import DEMO_CITY_CONFIG, load_city_config
    from pipelines.definitions import build_definitions

    definitions = build_definitions(load_city_config(DEMO_CITY_CONFIG))
    graph = definitions.resolve_asset_graph()
    site = dg.AssetKey(["site", "dashboard"])
    parents = graph.get(site).parent_keys
    metrics = {key for key in graph.get_all_asset_keys() if key.path[0] == "out"}
    assert metrics and metrics <= parents  # every metric table and the goal statuses
    assert {dg.AssetKey(["out", "goal_status"]), dg.AssetKey(["out", "goal_series"])} <= parents
    refresh = definitions.resolve_job_def("monthly_refresh")
    assert site in refresh.asset_layer.selected_asset_keys


def test_a_monthly_goal_on_a_yearly_total_draws_its_target_in_months() -> None:
    """A goal of 600 trips a year followed month by month: its path and target point are 600 / 12 = 50 a month,
    not 600 drawn beside monthly values of about 80."""
    from types import SimpleNamespace

    from city_outcomes.publish.pages.goals import goal_figure

    path = [(date(2023, month, 1), 80.0 - 2.5 * (month - 1)) for month in range(1, 13)] + [(date(2024, 12, 1), 50.0)]
    status = SimpleNamespace(
        goal={"goal_id": "trips", "title": "Trips", "unit": "trips"}, frequency="monthly", metric=None, series=[],
        monthly_series=[(date(2023, month, 1), 80.0) for month in range(1, 13)], path=path, target_value=600.0,
    )
    figure = goal_figure(status, k=11)
    targets = figure.data.dropna(subset=["target"])
    assert targets[["period", "target"]].values.tolist() == [[pd.Timestamp("2024-12-01"), 50.0]]
