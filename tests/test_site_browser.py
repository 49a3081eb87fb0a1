"""The published dashboard renders its chart in a real browser with no network beyond the site itself."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import sync_playwright

from pipelines.run import materialize_city
from tests.building_bills import BUILDING_PAYLOADS, CITY_PAYLOAD, DEPARTMENT_PAYLOADS, write_payload_city

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from city_outcomes.demo import generate
    from tests.conftest import write_city

    city = write_city(tmp_path_factory.mktemp("city"))
    generate(city.inbox_dir)
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    yield from _serve(city.site_dir)


@pytest.fixture(scope="module")
def payload_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A city whose name, departments and buildings are script payloads, run through the whole pipeline."""
    city = write_payload_city(tmp_path_factory.mktemp("payload"))
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    yield from _serve(city.site_dir)


def test_chart_renders_offline(site_url: str, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: `make browser` installs it"
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site_url}/index.html")
        page.wait_for_selector("#emissions-by-department svg .mark-rect path", timeout=15_000)
        bars = page.locator("#emissions-by-department svg .mark-rect path").count()
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        browser.close()
    assert bars >= 36 * 8  # a bar segment per month and department
    assert errors == []
    assert requests and all(url.startswith(site_url) for url in requests), requests


def test_payloads_in_names_show_as_text_and_never_run(payload_site_url: str) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{payload_site_url}/index.html")
        page.wait_for_selector("#emissions-by-department svg .mark-rect path", timeout=15_000)
        if page.locator("#missing-bills summary").count():
            page.locator("#missing-bills summary").click()  # open the list of buildings with missing bills
        # Nothing injected: only the page's own three scripts, no <img>, no element with an inline handler.
        scripts = page.evaluate("Array.from(document.scripts, s => s.src ? 'src:' + s.getAttribute('src') : s.type || 'inline')")
        injected = page.evaluate(
            "Array.from(document.querySelectorAll('img, body svg:not(#emissions-by-department svg), iframe, object, embed'), e => e.outerHTML)"
        )
        handlers = page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => e.getAttributeNames().filter(n => n.startsWith('on')))"
        )
        heading = page.locator("h1").inner_text()
        title = page.title()
        departments = page.locator("#annual tbody th").all_inner_texts()
        missing = " ".join(page.locator("#missing-bills").all_inner_texts())
        chart_text = page.locator("#emissions-by-department svg text").all_text_contents()
        bar_labels = page.evaluate(
            "Array.from(document.querySelectorAll('#emissions-by-department svg .mark-rect path'), p => p.getAttribute('aria-label') || '')"
        )
        tooltips = {}
        for department in DEPARTMENT_PAYLOADS[:2]:
            # The biggest bar segment of this department, found by its accessible label.
            index = max(
                (j for j, label in enumerate(bar_labels) if f"Department: {department}" in label),
                key=lambda j: page.locator("#emissions-by-department svg .mark-rect path").nth(j).bounding_box()["height"],
            )
            page.locator("#emissions-by-department svg .mark-rect path").nth(index).hover()
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
            tooltips[department] = (
                page.locator("#vg-tooltip-element td.value").all_inner_texts(),
                page.evaluate("document.querySelectorAll('#vg-tooltip-element *:not(table, tbody, tr, td, h2)').length"),
            )
            page.mouse.move(0, 0)
            page.wait_for_selector("#vg-tooltip-element.visible", state="detached", timeout=5_000)
        browser.close()
    assert dialogs == [] and errors == []
    assert scripts == ["src:assets/vega-bundle.js", "application/json", "inline"]
    assert injected == [] and handlers == []
    assert heading == f"{CITY_PAYLOAD}: municipal building emissions" and title == heading
    assert set(DEPARTMENT_PAYLOADS) <= set(departments)
    assert all(f"{name} (B-{i})" in missing for i, name in enumerate(BUILDING_PAYLOADS, start=1))
    assert set(DEPARTMENT_PAYLOADS[:2]) <= set(chart_text)  # the legend, as SVG text (the long third name is cut short there)
    for department, (values, elements) in tooltips.items():
        assert values[1] == department, values  # month, department, tCO2e
        assert elements == 0  # the tooltip holds its own table and nothing the payload made
