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

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from city_outcomes.demo import generate
    from tests.conftest import write_city

    city = write_city(tmp_path_factory.mktemp("city"))
    generate(city.inbox_dir)
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(city.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


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
