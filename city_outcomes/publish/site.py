"""The static dashboard site: HTML, chart specs and the chart JavaScript, all served from the site.

Nothing on a page loads from the network: the Vega/Vega-Lite/Vega-Embed bundle that vl-convert
ships is written into the site, and every page points at that copy. The site is built in a
temporary folder and swapped in whole, so a crash never leaves a half-published dashboard.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import altair as alt
import duckdb
import jinja2
import pandas as pd
import vl_convert

from city_outcomes.config import CityConfig
from city_outcomes.feeds.quarantine import feed_summary
from city_outcomes.publish.charts import emissions_by_department
from city_outcomes.sql import load_sql

BUNDLE_NAME = "vega-bundle.js"
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#2f6f4f"/><path d="M3 12 L7 7 L10 9 L13 4" stroke="#fff" stroke-width="2" fill="none"/></svg>'
)


@dataclass(frozen=True)
class PublishedSite:
    """Where the site went and what it holds."""

    index: Path
    charts: list[str]


def _vega_lite_minor() -> str:
    """The Vega-Lite version altair writes specs for, as vl-convert names it (e.g. '6.4')."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("city_outcomes.publish", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def _headline(annual: pd.DataFrame) -> dict | None:
    """Baseline (first complete year) against the latest complete year, for the whole city."""
    totals = annual.groupby("year", as_index=False)["co2e_tonnes"].sum().sort_values("year")
    if len(totals) < 2:
        return None
    first, last = totals.iloc[0], totals.iloc[-1]
    return {
        "baseline_year": int(first.year),
        "baseline": float(first.co2e_tonnes),
        "latest_year": int(last.year),
        "latest": float(last.co2e_tonnes),
        "change": float((last.co2e_tonnes - first.co2e_tonnes) / first.co2e_tonnes),
    }


def _annual_table(annual: pd.DataFrame) -> tuple[list[int], list[dict]]:
    """Rows of department x year tonnes, a total row last, each with its change since the baseline year."""
    years = sorted(int(y) for y in annual["year"].unique())
    wide = annual.pivot_table(index="department", columns="year", values="co2e_tonnes", aggfunc="sum")
    wide.loc["All departments"] = wide.sum()
    rows = []
    for department, values in wide.iterrows():
        first, last = values.get(years[0]), values.get(years[-1])
        change = (last - first) / first if len(years) > 1 and pd.notna(first) and pd.notna(last) and first else None
        rows.append({"department": department, "values": {int(y): float(v) for y, v in values.items() if pd.notna(v)}, "change": change})
    return years, rows


def build_site(conn: duckdb.DuckDBPyConnection, city: CityConfig, target: Path) -> PublishedSite:
    """Render the dashboard into ``target`` (created or replaced atomically)."""
    monthly = conn.execute(load_sql("chart_emissions_by_department")).df()
    annual = conn.execute(load_sql("annual_emissions_by_department")).df()
    spec = emissions_by_department(monthly).to_dict()
    years, table = _annual_table(annual) if len(annual) else ([], [])
    feeds = feed_summary(conn)
    html = _environment().get_template("index.html.j2").render(
        city=city.city,
        headline=_headline(annual) if len(annual) else None,
        years=years,
        table=table,
        data_through=monthly["period_month"].max() if len(monthly) else None,
        published=date.today(),
        feeds=feeds,
        rows_quarantined=sum(f["rows_quarantined"] for f in feeds),
        chart_id="emissions-by-department",
        # "</" would end the script element early if a department name contained "</script>".
        spec_json=json.dumps(spec, default=str).replace("</", "<\\/"),
        bundle=f"assets/{BUNDLE_NAME}",
        generator=f"city-outcomes {version('city-outcomes')}",
    )

    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        (staging / "assets").mkdir()
        (staging / "assets" / BUNDLE_NAME).write_text(vl_convert.javascript_bundle(vl_version=_vega_lite_minor()), encoding="utf-8")
        (staging / "favicon.svg").write_text(FAVICON, encoding="utf-8")
        (staging / "charts").mkdir()
        (staging / "charts" / "emissions-by-department.vl.json").write_text(json.dumps(spec, default=str, indent=1), encoding="utf-8")
        (staging / "index.html").write_text(html, encoding="utf-8")
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PublishedSite(index=target / "index.html", charts=["emissions-by-department"])


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` by renames, so readers see the old site or the new one."""
    os.chmod(staging, 0o755)
    if target.exists():
        retired = target.with_name(f".{target.name}-retired")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)
