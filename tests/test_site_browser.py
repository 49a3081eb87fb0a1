"""Every page of the published site, in a real browser (Debian's Chromium, driven by Playwright).

On every page: every chart is drawn, nothing is logged as an error, no request leaves the site, no
dialog opens, the page fits a 360 px wide screen, and axe-core (from the npm registry, injected by
this test, never part of the site) finds no WCAG 2.1 AA violation. Screenshots of every page are
kept in test-artifacts/site/. A city whose names are script payloads shows them as text on every page.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from pipelines.run import materialize_city
from tests.building_bills import (
    BUILDING_PAYLOADS,
    CITY_PAYLOAD,
    DEPARTMENT_PAYLOADS,
    GOAL_PAYLOADS,
    INITIATIVE_PAYLOADS,
    write_payload_city,
)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.xdist_group("site_browser")


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def demo_site(published_demo) -> Iterator[tuple[str, list[str]]]:
    city = published_demo
    pages = sorted(p.name for p in city.site_dir.glob("*.html"))
    for url in _serve(city.site_dir):
        yield url, pages


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A city whose name, departments, buildings, goals and initiatives are script payloads, run through the whole pipeline."""
    city = write_payload_city(tmp_path_factory.mktemp("payload"), registries=True)
    assert materialize_city(city, dg.DagsterInstance.ephemeral()).success
    pages = sorted(p.name for p in city.site_dir.glob("*.html"))
    for url in _serve(city.site_dir):
        yield url, pages


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: `make browser` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Visit:
    """One page opened in a fresh context, with what it logged, requested and opened."""

    def __init__(self, browser: Browser, url: str, width: int = 1280, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.goto(url)
        # site.js sets data-rendered once every chart on the page has been drawn (or has failed and said so).
        self.page.wait_for_selector("body[data-rendered]", timeout=30_000)

    def charts(self) -> dict[str, int]:
        """Each chart's id and the number of marks it drew."""
        return self.page.evaluate(
            "Object.fromEntries(Array.from(document.querySelectorAll('[data-spec]'), "
            "c => [c.id, c.querySelectorAll('svg .role-mark > *, svg .mark-symbol path, svg .mark-line path').length]))"
        )

    def close(self) -> None:
        self.context.close()


def test_every_page_renders_offline_with_no_error_and_no_wcag_violation(demo_site, browser: Browser) -> None:
    url, pages = demo_site
    # Overview, emissions, initiatives, data quality, methods, then a page per goal and per initiative.
    assert {"index.html", "emissions.html", "initiatives.html", "quality.html", "methods.html"} <= set(pages)
    assert sum(p.startswith("goal-") for p in pages) >= 7 and sum(p.startswith("initiative-") for p in pages) >= 6
    assert AXE.exists(), "axe-core is needed: `make browser` installs it from tests/browser/package-lock.json"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list] = {}
    drawn = 0
    for name in pages:
        # axe is injected by the test, so the page's own policy (scripts from the site only) is bypassed for it.
        visit = Visit(browser, f"{url}/{name}", bypass_csp=True)
        charts = visit.charts()
        visit.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = visit.page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG_21_AA)}}}}})")
        visit.page.screenshot(path=str(ARTIFACTS / f"{name.removesuffix('.html')}.png"), full_page=True)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        blank = [chart for chart, marks in charts.items() if marks == 0]
        outside = [r for r in visit.requests if not r.startswith(url)]
        if violations or blank or outside or visit.errors or visit.dialogs:
            problems[name] = [violations, blank, outside, visit.errors, visit.dialogs]
        drawn += len(charts)
        visit.close()
    assert problems == {}
    assert drawn >= 2 * 7 + 2  # a card and a page chart per goal, and the emissions charts


def test_the_policy_of_the_pages_lets_only_the_site_run_scripts(demo_site, browser: Browser) -> None:
    """With the Content-Security-Policy in force, the charts still draw (no inline script, no eval) and nothing is blocked."""
    url, _ = demo_site
    for name in ("index.html", "emissions.html"):
        visit = Visit(browser, f"{url}/{name}")
        charts = visit.charts()
        policy = visit.page.evaluate("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
        scripts = visit.page.evaluate("Array.from(document.scripts, s => s.src ? 'src' : s.type || 'inline')")
        visit.close()
        assert "script-src 'self'" in policy
        assert charts and all(marks > 0 for marks in charts.values()), charts
        assert visit.errors == [], visit.errors  # a blocked script or eval would be logged here
        assert "inline" not in scripts


def test_every_page_fits_a_360px_screen(demo_site, browser: Browser) -> None:
    url, pages = demo_site
    too_wide = {}
    for name in pages:
        visit = Visit(browser, f"{url}/{name}", width=360)
        width = visit.page.evaluate("document.documentElement.scrollWidth")
        charts = visit.charts()
        if name == "index.html":
            visit.page.screenshot(path=str(ARTIFACTS / "index-360px.png"), full_page=True)
        visit.close()
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        if width > 360 or any(marks == 0 for marks in charts.values()):
            too_wide[name] = (width, charts)
    assert too_wide == {}


def test_high_contrast_mode_redraws_the_charts_and_is_remembered(demo_site, browser: Browser) -> None:
    url, _ = demo_site
    visit = Visit(browser, f"{url}/index.html")
    before = visit.page.evaluate("getComputedStyle(document.body).color")
    visit.page.click("#contrast-toggle")
    visit.page.wait_for_selector("body[data-rendered]", timeout=30_000)
    pressed = visit.page.get_attribute("#contrast-toggle", "aria-pressed")
    after = visit.page.evaluate("getComputedStyle(document.body).color")
    visit.page.goto(f"{url}/emissions.html")
    visit.page.wait_for_selector("body[data-rendered]", timeout=30_000)
    remembered = visit.page.evaluate("document.documentElement.classList.contains('high-contrast')")
    charts = visit.charts()
    visit.page.screenshot(path=str(ARTIFACTS / "emissions-high-contrast.png"), full_page=True)
    visit.close()
    assert pressed == "true" and remembered
    assert before != after and after == "rgb(0, 0, 0)"
    assert charts and all(marks > 0 for marks in charts.values())
    assert visit.errors == []


def test_payloads_in_names_show_as_text_and_never_run_on_any_page(payload_site, browser: Browser) -> None:
    url, pages = payload_site
    assert {"index.html", "emissions.html", "initiative-retrofits.html", "goal-halve-buildings.html"} <= set(pages)
    seen_text = ""
    for name in pages:
        visit = Visit(browser, f"{url}/{name}")
        for summary in visit.page.locator("details > summary").all():
            summary.click()  # open every table view and list, so their text is rendered too
        injected = visit.page.evaluate(
            "Array.from(document.querySelectorAll('img, iframe, object, embed, b, i, main svg:not([data-spec] svg, [data-spec] svg *)'), e => e.outerHTML)"
        )
        handlers = visit.page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => e.getAttributeNames().filter(n => n.startsWith('on')))"
        )
        scripts = visit.page.evaluate("Array.from(document.scripts, s => s.src ? 'src:' + s.getAttribute('src') : s.type || 'inline')")
        seen_text += visit.page.locator("body").inner_text() + visit.page.title()
        chart_text = " ".join(visit.page.locator("[data-spec] svg text").all_text_contents())
        seen_text += chart_text
        assert visit.dialogs == [] and visit.errors == [], (name, visit.dialogs, visit.errors)
        assert injected == [] and handlers == [], (name, injected, handlers)
        assert set(scripts) <= {"src:assets/vega-bundle.js", "src:assets/site.js", "application/json"}, scripts
        visit.close()
    for text in [CITY_PAYLOAD, *DEPARTMENT_PAYLOADS, *BUILDING_PAYLOADS[:2], *GOAL_PAYLOADS, *INITIATIVE_PAYLOADS]:
        assert text in seen_text, text


def test_emissions_chart_tooltips_show_names_as_text(payload_site, browser: Browser) -> None:
    url, _ = payload_site
    visit = Visit(browser, f"{url}/emissions.html")
    bars = visit.page.locator("#chart-emissions-by-department svg .mark-rect path")
    labels = [bars.nth(i).get_attribute("aria-label") or "" for i in range(bars.count())]
    tooltips = {}
    for department in DEPARTMENT_PAYLOADS[:2]:
        index = max((j for j, label in enumerate(labels) if department in label), key=lambda j: bars.nth(j).bounding_box()["height"])
        bars.nth(index).hover()
        visit.page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
        tooltips[department] = (
            visit.page.locator("#vg-tooltip-element td.value").all_inner_texts(),
            visit.page.evaluate("document.querySelectorAll('#vg-tooltip-element *:not(table, tbody, tr, td, h2)').length"),
        )
        visit.page.mouse.move(0, 0)
        visit.page.wait_for_selector("#vg-tooltip-element.visible", state="detached", timeout=5_000)
    visit.close()
    assert visit.dialogs == [] and visit.errors == []
    for department, (values, elements) in tooltips.items():
        assert department in values, values
        assert elements == 0  # the tooltip holds its own table and nothing the payload made
