"""The published site: every page, chart, download and the chart code, built whole and swapped in at once.

Nothing on a page loads from the network: the Vega/Vega-Lite/Vega-Embed bundle that vl-convert ships
is written into the site, and every page points at that copy (the pages' Content-Security-Policy
allows scripts from the site alone). The order is fixed: collect every page's data, run the
publication privacy gate over every table and chart of counts, and only then render and write.
The site is written into a new release folder and published by replacing one symbolic link, so a
reader sees the old site or the new one, never a half-written one and never none.
Every text from data or configuration leaves through ``safe_text`` (HTML, the embedded chart specs,
tooltips, the CSVs).
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import altair as alt
import duckdb
import vl_convert

from city_outcomes.config import CityConfig
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.publish import chart_style, formatting
from city_outcomes.publish.pages import NAVIGATION, Page, SiteData, page_builders
from city_outcomes.publish.pages.initiatives import load_initiatives
from city_outcomes.publish.privacy_gate import check_publication
from city_outcomes.publish.safe_text import script_json, template_environment, tooltip_sanitizer_js
from city_outcomes.warehouse import table_exists

BUNDLE_NAME = "vega-bundle.js"
RELEASES = ".site-releases"
KEEP_RELEASES = 2  # the live one and the one before it (a reader mid-page keeps its files)
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#2f6f4f"/><path d="M3 12 L7 7 L10 9 L13 4" stroke="#fff" stroke-width="2" fill="none"/></svg>'
)


@dataclass(frozen=True)
class PublishedSite:
    """Where the site went and what it holds."""

    root: Path
    pages: list[str]
    charts: list[str]
    release: Path

    @property
    def index(self) -> Path:
        return self.root / "index.html"

    def page(self, name: str) -> Path:
        """One page's file, e.g. ``site.page("emissions.html")``."""
        return self.root / name


def _vega_lite_minor() -> str:
    """The Vega-Lite version altair writes specs for, as vl-convert names it (e.g. '6.4')."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def chart_bundle() -> str:
    """vl-convert's Vega, Vega-Lite and Vega-Embed bundle (built once per process: it takes seconds)."""
    return vl_convert.javascript_bundle(vl_version=_vega_lite_minor())


def _data_through(conn: duckdb.DuckDBPyConnection) -> date | None:
    """The latest month any monthly metric table holds: the site's 'data through' date."""
    if not table_exists(conn, "meta", "metric_runs"):
        return None
    latest = None
    for schema, table in conn.execute(
        "SELECT table_schema, table_name FROM information_schema.columns WHERE table_schema = 'out' AND column_name = 'period_month'"
    ).fetchall():
        value = conn.execute(f'SELECT max(period_month) FROM "{schema}"."{table}"').fetchone()[0]
        if value is not None:
            value = value.date() if isinstance(value, datetime) else value
            latest = value if latest is None or value > latest else latest
    return latest


def collect_site_data(conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date) -> SiteData:
    """What the pages read, gathered once."""
    from city_outcomes.goals.status import goal_statuses

    return SiteData(
        conn=conn, city=city, as_of=as_of, data_through=_data_through(conn),
        small_cell_k=PrivacyPolicy.load(city).small_cell_k,
        goals=goal_statuses(conn, city, as_of), initiatives=load_initiatives(conn),
    )


def collect_pages(data: SiteData) -> list[Page]:
    """Every page of the site, in navigation order; paths are unique."""
    pages = [page for build in page_builders() for page in build(data)]
    seen: set[str] = set()
    for page in pages:
        if page.path in seen:
            raise ValueError(f"two pages would be written to {page.path}")
        seen.add(page.path)
    return pages


def check_pages(pages: list[Page], k: int) -> None:
    """The publication privacy gate over every page's tables of counts (its figures of count metrics among them)."""
    check_publication([table for page in pages for table in page.count_tables], k)


def _site_js() -> str:
    """The site's own script: the tooltip sanitizer and the high-contrast chart style filled in."""
    template = resources.files("city_outcomes.publish").joinpath("static/site.js").read_text(encoding="utf-8")
    return template.replace("/*TOOLTIP_SANITIZER*/null", str(tooltip_sanitizer_js())).replace(
        "/*HIGH_CONTRAST_CONFIG*/null", str(script_json(chart_style.config(high_contrast=True)))
    )


def build_site(conn: duckdb.DuckDBPyConnection, city: CityConfig, target: Path, as_of: date | None = None) -> PublishedSite:
    """Publish the whole site at ``target`` (a symbolic link to its release folder), as of ``as_of`` (default today).

    Raises :class:`city_outcomes.publish.privacy_gate.PrivacyViolation` before anything is written if
    a table or chart would publish a count below the city's ``small_cell_k``.
    """
    as_of = as_of or date.today()
    data = collect_site_data(conn, city, as_of)
    pages = collect_pages(data)
    check_pages(pages, data.small_cell_k)

    environment = template_environment("city_outcomes.publish")
    environment.filters.update(
        value=formatting.value, change=formatting.change, period=formatting.period, money=formatting.money,
        capitalize_first=formatting.capitalize_first,
    )
    common = {
        "city": city.city, "navigation": NAVIGATION, "data_through": data.data_through, "published": as_of,
        "bundle": f"assets/{BUNDLE_NAME}", "generator": f"city-outcomes {version('city-outcomes')}",
    }
    release = _new_release(target)
    try:
        (release / "assets").mkdir()
        (release / "charts").mkdir()
        (release / "assets" / BUNDLE_NAME).write_text(chart_bundle(), encoding="utf-8")
        (release / "assets" / "site.js").write_text(_site_js(), encoding="utf-8")
        css = resources.files("city_outcomes.publish").joinpath("static/site.css").read_text(encoding="utf-8")
        (release / "assets" / "site.css").write_text(css, encoding="utf-8")
        (release / "favicon.svg").write_text(FAVICON, encoding="utf-8")
        charts: list[str] = []
        for page in pages:
            files = {}
            for figure in page.figures:
                files[figure.id] = {"png": None, "svg": None, **figure.write(release)}
                charts.append(figure.id)
            for download in page.downloads:
                (release / download.path).write_text(download.content, encoding="utf-8")
            html = environment.get_template(page.template).render(**common, **page.context, page=page, files=files)
            (release / page.path).write_text(html, encoding="utf-8")
        if table_exists(conn, "out", "community_inventory"):
            from city_outcomes.publish.gpc_export import write_gpc_export

            write_gpc_export(conn, city, release / "gpc")
        _swap_in(release, target)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    return PublishedSite(root=target, pages=[page.path for page in pages], charts=charts, release=release)


def _new_release(target: Path) -> Path:
    """A new, empty release folder beside ``target``."""
    releases = target.parent / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    release = releases / f"{target.name}-{stamp}-{os.getpid()}"
    release.mkdir()
    os.chmod(release, 0o755)
    return release


def _swap_in(release: Path, target: Path) -> None:
    """Point ``target`` at ``release`` by renaming a new symbolic link over it: one atomic step for readers.

    A ``target`` that is still a real folder (a site published before releases) is moved into the
    releases once; then older releases beyond the previous one are removed.
    """
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(release, target.parent), link)
    if target.exists() and not target.is_symlink():
        os.replace(target, release.parent / f"{target.name}-before-releases-{os.getpid()}")
    os.replace(link, target)
    releases = sorted((p for p in release.parent.iterdir() if p.name.startswith(f"{target.name}-")), key=lambda p: p.stat().st_mtime)
    older = [p for p in releases if p != release]
    for old in older[: max(0, len(older) - (KEEP_RELEASES - 1))]:
        shutil.rmtree(old, ignore_errors=True)
