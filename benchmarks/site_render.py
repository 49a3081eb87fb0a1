"""Benchmark: how long each page of the published site takes to draw all its charts, and the site's size.

Runs a city through the whole pipeline (the demo city by default, generated into ``--out``), then
opens every page in Debian's Chromium (Playwright, headless) and measures, per page, the time from
navigation start until site.js reports every chart drawn (``body[data-rendered]``), the fastest of
``--repeat`` loads, each in a fresh browser context (a cold cache). Prints a table per page, the
build time of the site, and its total size with and without the chart bundle.

Target (issue 13): at most 1.5 s per page on these 2-core machines.

    .venv/bin/python benchmarks/site_render.py                      # the demo city, 3 loads per page
    .venv/bin/python benchmarks/site_render.py --city cities/examples/x/city.yaml --repeat 1
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")

TARGET_SECONDS = 1.5
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def _publish(city_path: Path | None, out: Path) -> Path:
    """Run the city (or the demo city, generated into ``out``) through every asset; return its site folder."""
    import dagster as dg

    from city_outcomes.config import load_city_config
    from pipelines.run import materialize_city

    if city_path is None:
        from city_outcomes.demo import generate
        from tests.conftest import write_city

        folder = out / "demo"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        city = write_city(folder)
        generate(city.inbox_dir)
    else:
        city = load_city_config(city_path)
    started = time.perf_counter()
    result = materialize_city(city, dg.DagsterInstance.ephemeral())
    if not result.success:
        raise SystemExit("the pipeline failed; see the Dagster output above")
    print(f"pipeline (every asset, site included): {time.perf_counter() - started:.1f} s")
    return city.site_dir


def _site_build_seconds(city_path: Path | None, out: Path) -> float | None:
    """The site's own build time (pages, gate, charts' PNG/SVG), measured again on the finished warehouse."""
    from datetime import date

    from city_outcomes import warehouse
    from city_outcomes.config import load_city_config
    from city_outcomes.publish.site import build_site

    config = load_city_config(city_path) if city_path else load_city_config(out / "demo" / "city.yaml")
    conn = warehouse.connect(config.warehouse_path)
    try:
        started = time.perf_counter()
        build_site(conn, config, config.site_dir, as_of=date.today())
        return time.perf_counter() - started
    finally:
        conn.close()


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _render_times(site: Path, repeat: int, chromium: str) -> list[tuple[str, int, float, list[str]]]:
    """Per page: (name, charts, fastest seconds to all charts drawn, errors)."""
    from playwright.sync_api import sync_playwright

    server, url = _serve(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            for page_file in sorted(site.glob("*.html")):
                best, charts, errors = float("inf"), 0, []
                for _ in range(repeat):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                    page.goto(f"{url}/{page_file.name}")
                    page.wait_for_selector("body[data-rendered]", timeout=60_000)
                    # performance.now() is measured from the navigation's start: the whole load, parse and draw.
                    seconds = page.evaluate("window.__chartsDrawnAt || performance.now()") / 1000
                    charts = int(page.get_attribute("body", "data-rendered") or 0)
                    best = min(best, seconds)
                    context.close()
                rows.append((page_file.name, charts, best, errors))
            browser.close()
    finally:
        server.shutdown()
    return rows


def _size(folder: Path, skip: str | None = None) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != skip)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--city", type=Path, help="a city's config file (default: the demo city, generated into --out)")
    parser.add_argument("--repeat", type=int, default=3, help="loads per page; the fastest counts (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "site_render", help="working folder")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    site = _publish(args.city, args.out).resolve()
    build = _site_build_seconds(args.city, args.out)
    rows = _render_times(site, args.repeat, args.chromium)

    print(f"\nsite build (pages, privacy gate, every chart's spec, CSV, PNG and SVG): {build:.2f} s")
    print(f"\n{'page':<52} {'charts':>6} {'seconds':>8}  target <= {TARGET_SECONDS} s")
    for name, charts, seconds, errors in rows:
        verdict = "met" if seconds <= TARGET_SECONDS else "NOT met"
        print(f"{name:<52} {charts:>6} {seconds:>8.3f}  {verdict}{'  errors: ' + '; '.join(errors) if errors else ''}")
    slowest = max(rows, key=lambda row: row[2])
    print(f"\npages: {len(rows)}, charts: {sum(r[1] for r in rows)}, slowest: {slowest[0]} {slowest[2]:.3f} s")
    total, without = _size(site), _size(site, skip="vega-bundle.js")
    print(f"site size: {total / 1e6:.2f} MB ({without / 1e6:.2f} MB without the chart bundle), files: {sum(1 for p in site.rglob('*') if p.is_file())}")
    met = all(seconds <= TARGET_SECONDS for _, _, seconds, _ in rows)
    print(f"target (issue 13): every page's charts drawn in <= {TARGET_SECONDS} s: {'met' if met else 'NOT met'}")
    errors = [name for name, _, _, errs in rows if errs]
    if errors:
        print(f"[FAIL] page errors on: {', '.join(errors)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
