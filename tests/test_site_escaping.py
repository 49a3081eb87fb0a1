"""Text from data and configuration is escaped on the page, in the embedded chart spec and in the CSV.

Fast checks on the files the site writes; tests/test_site_browser.py checks the same city in Chromium.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from city_outcomes import warehouse
from city_outcomes.publish.safe_text import csv_cell, html, script_json
from city_outcomes.publish.site import build_site
from city_outcomes.sql import load_sql
from tests.building_bills import (
    BUILDING_PAYLOADS,
    CITY_PAYLOAD,
    DEPARTMENT_PAYLOADS,
    GOAL_PAYLOADS,
    INITIATIVE_PAYLOADS,
    build_emissions,
    write_payload_city,
)


class _Page(HTMLParser):
    """Start tags with their attributes, the text of each element by tag, and each script's content."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)
        self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag)]

    def handle_data(self, data):
        if self.open and self.open[-1] == "script":
            self.scripts.append(data)
        for tag in set(self.open):
            self.text[tag][-1] += data


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory):
    """The payload city with its registries (goals and initiatives named with payloads), published."""
    from city_outcomes.feeds.ingest import ingest_feed

    city = write_payload_city(tmp_path_factory.mktemp("payload"), registries=True)
    conn = warehouse.connect(city.warehouse_path)
    try:
        build_emissions(conn, city)
        for feed in ("goals", "initiatives"):
            ingest_feed(conn, city, feed)
        return build_site(conn, city, city.site_dir, as_of=date(2026, 3, 1))
    finally:
        conn.close()


def _parsed(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def test_no_payload_becomes_markup_on_any_page(payload_site) -> None:
    assert len(payload_site.pages) >= 9
    for name in payload_site.pages:
        page = _parsed(payload_site.page(name))
        assert [tag for tag, _ in page.tags if tag in ("img", "svg", "iframe", "b", "i")] == [], name
        scripts = [attrs for tag, attrs in page.tags if tag == "script"]
        # The two files of the site, and JSON data (a chart spec each): no inline code anywhere.
        assert scripts[-2:] == [{"src": "assets/vega-bundle.js"}, {"src": "assets/site.js"}], name
        assert all(attrs.get("type") == "application/json" and attrs["id"].startswith("spec-") for attrs in scripts[:-2]), name
        assert not [(tag, attr) for tag, attrs in page.tags for attr in attrs if attr.startswith("on")], name


def test_every_payload_shows_as_text(payload_site) -> None:
    page = _parsed(payload_site.page("emissions.html"))
    assert page.text["title"] == [f"Greenhouse-gas emissions · {CITY_PAYLOAD}"]
    assert CITY_PAYLOAD in page.text["a"]  # the site name, linking the overview
    row_headers = [t for t in page.text["th"] if t in DEPARTMENT_PAYLOADS]
    assert sorted(row_headers) == sorted(DEPARTMENT_PAYLOADS)
    missing = " ".join(page.text["details"])  # the buildings that missed a 2024 bill, by name
    assert all(f"{name} (B-{i})" in missing for i, name in enumerate(BUILDING_PAYLOADS, start=1))
    overview = _parsed(payload_site.index)
    assert set(GOAL_PAYLOADS) <= set(overview.text["a"])  # each card's heading links its goal page
    initiative = _parsed(payload_site.page("initiative-retrofits.html"))
    assert initiative.text["h1"] == [INITIATIVE_PAYLOADS[0]]
    facts = initiative.text["dd"]
    assert BUILDING_PAYLOADS[0] in facts and DEPARTMENT_PAYLOADS[0] in facts and BUILDING_PAYLOADS[1] in facts  # technology, department, vendor


def test_the_chart_specs_cannot_end_their_script_element(payload_site) -> None:
    page = _parsed(payload_site.page("emissions.html"))
    assert page.scripts, "no chart spec on the emissions page"
    departments = set()
    for spec_text in page.scripts:
        assert not set("<>&\u2028\u2029") & set(spec_text)
        for rows in json.loads(spec_text).get("datasets", {}).values():
            departments |= {row["department"] for row in rows if "department" in row}
    assert departments == set(DEPARTMENT_PAYLOADS)
    written = (payload_site.root / "charts" / "emissions-by-department.vl.json").read_text()
    assert "<" not in written and json.loads(written) in [json.loads(text) for text in page.scripts]


def test_the_csvs_cannot_run_a_formula(payload_site) -> None:
    with (payload_site.root / "emissions-by-department-and-year.csv").open(newline="") as f:
        departments = {row["department"] for row in csv.DictReader(f)}
    assert departments == {"<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "'=HYPERLINK(\"http://example.invalid\",\"x\")", "All departments"}
    with (payload_site.root / "charts" / "emissions-by-department.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert "'=HYPERLINK(\"http://example.invalid\",\"x\") (tCO2e)" in header


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Fire", "Fire"), (-1.5, -1.5), (None, None)],
)
def test_csv_cell(value, expected) -> None:
    assert csv_cell(value) == expected


def test_script_json_and_html_escape_what_ends_an_element() -> None:
    text = "</script><!--\u2028\u2029&'\""
    assert str(script_json({"a": text})) == '{"a": "\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026\'\\""}'
    assert json.loads(str(script_json({"a": text}))) == {"a": text}
    assert str(html(text)) == "&lt;/script&gt;&lt;!--\u2028\u2029&amp;&#39;&#34;"


def test_the_reconciliation_section_shows_a_publications_text_as_text(tmp_path: Path) -> None:
    """A publication's title and a meter's name reach the page through the reconciliation table: as text, never markup."""
    city = write_payload_city(tmp_path)
    conn = warehouse.connect(city.warehouse_path)
    try:
        build_emissions(conn, city)
        publication, meter = DEPARTMENT_PAYLOADS[0], BUILDING_PAYLOADS[0]
        conn.execute(load_sql("inventory_reconciliation_table"))
        conn.execute(
            """INSERT INTO out.inventory_reconciliation VALUES ('published', DATE '2024-01-01', 'electricity', 'kWh', 1000, 900,
               0.30, 0.25, 0.05, 0.2, 0.0003, 0.00028, 0.02, 0.03, 0, 0, 'differs', 'factor + activity', ?, '[]', 'egrid2023', ?, now())""",
            [f"{meter} (100 kWh) in the inventory, not in the publication", publication],
        )
        emissions = build_site(conn, city, city.site_dir, as_of=date(2026, 3, 1)).page("emissions.html")
    finally:
        conn.close()
    page = _parsed(emissions)
    assert [tag for tag, _ in page.tags if tag in ("img", "svg")] == []
    assert [attrs for tag, attrs in page.tags if tag == "script" and "src" in attrs] == [{"src": "assets/vega-bundle.js"}, {"src": "assets/site.js"}]
    section = " ".join(page.text["section"])
    assert publication in section and f"{meter} (100 kWh) in the inventory" in section
    # The verdict cell carries the explanation as a title attribute, a value and not markup.
    assert any(attrs.get("title", "").startswith(meter) for tag, attrs in page.tags if tag == "td")
