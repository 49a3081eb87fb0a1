"""The static dashboard site: HTML, chart specs and the chart JavaScript, all served from the site.

Nothing on a page loads from the network: the Vega/Vega-Lite/Vega-Embed bundle that vl-convert
ships is written into the site, and every page points at that copy. The site is built in a
temporary folder and swapped in whole, so a crash never leaves a half-published dashboard.
Every text from data or configuration leaves through ``safe_text`` (HTML, the embedded chart spec,
tooltips, the CSV); every yearly figure is judged complete or not by ``metrics.completeness``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import vl_convert

from city_outcomes.config import CityConfig
from city_outcomes.feeds.quarantine import feed_summary
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.completeness import Completeness, year_completeness
from city_outcomes.metrics.headline import HEADLINE_METRIC, Headline, headline_figures
from city_outcomes.metrics.inventory import inventory_by_sector_and_scope
from city_outcomes.publish.charts import emissions_by_department
from city_outcomes.publish.safe_text import csv_cell, script_json, template_environment, tooltip_sanitizer_js
from city_outcomes.sql import load_sql
from city_outcomes.warehouse import table_exists

BUNDLE_NAME = "vega-bundle.js"
TABLE_CSV = "emissions-by-department-and-year.csv"
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


def _annual_table(annual: pd.DataFrame, completeness: Completeness, headline: Headline | None) -> tuple[list[int], list[dict]]:
    """Department x year tonnes, a whole-city row last; each cell labelled when its year is incomplete.

    Every row's change runs between the headline's two years (the baseline and the latest complete
    year), and only when both are complete for that row's series: never from or to an incomplete year.
    """
    years = sorted(int(y) for y in annual["year"].unique())
    wide = annual.pivot_table(index="department", columns="year", values="co2e_tonnes", aggfunc="sum")
    series = [(str(department), department, values) for department, values in wide.iterrows()]
    series.append(("All departments", None, wide.sum()))
    compared = (headline.baseline_year, headline.latest_year) if headline and headline.latest_year is not None else None
    rows = []
    for name, department, values in series:
        cells = {}
        for year in years:
            found = completeness.of(year, department)
            tonnes = values.get(year)
            cells[year] = {
                "tonnes": float(tonnes) if pd.notna(tonnes) else None,
                "label": found.label if found is not None else "incomplete",
            }
            if cells[year]["tonnes"] is None and found is not None and not found.members:
                cells[year]["label"] = None  # no bills and none expected: nothing to say
        change = None
        if compared and all(completeness.is_complete(y, department) for y in compared):
            first, last = (cells.get(y, {}).get("tonnes") for y in compared)
            change = (last - first) / first if first and last is not None else None
        rows.append({"department": name, "is_total": department is None, "cells": cells, "change": change})
    return years, rows


def _missing_bills(completeness: Completeness, limit: int = 12) -> list[dict]:
    """Whole, finished years with missing bills: which buildings, how many months (at most ``limit`` each)."""
    notes = []
    for found in completeness.incomplete_years(with_bills_only=False):
        if found.months_expected == 12 and found.missing_buildings:
            notes.append({
                "year": found.year,
                "reason": found.reason,
                "buildings": found.missing_buildings[:limit],
                "more": max(0, len(found.missing_buildings) - limit),
            })
    return notes


def _latest_inventory(conn: duckdb.DuckDBPyConnection) -> dict | None:
    """The latest year of the municipal inventory by sector: scope 1, scope 2 both ways, totals; a total row last."""
    rows = inventory_by_sector_and_scope(conn)
    if not rows:
        return None
    year = max(r["inventory_year"] for r in rows)
    sectors: dict[str, dict] = {}
    for r in (r for r in rows if r["inventory_year"] == year):
        row = sectors.setdefault(r["sector"], {"sector": r["sector"], "is_total": False, "scope1": 0.0, "scope2_location": 0.0, "scope2_market": 0.0})
        if r["scope"] == 1:
            row["scope1"] += r["co2e_tonnes"] or 0.0
        else:
            row["scope2_location"] += r["co2e_tonnes"] or 0.0
            row["scope2_market"] += r["co2e_tonnes_market"] or 0.0
    table = sorted(sectors.values(), key=lambda row: row["sector"])
    total = {"sector": "All sectors", "is_total": True, **{k: sum(row[k] for row in table) for k in ("scope1", "scope2_location", "scope2_market")}}
    for row in [*table, total]:
        row["total_location"] = row["scope1"] + row["scope2_location"]
        row["total_market"] = row["scope1"] + row["scope2_market"]
    months = max(r["months"] for r in rows if r["inventory_year"] == year)
    return {"year": year, "months": months, "rows": [*table, total]}


def _reconciliation(conn: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[str]]:
    """The reconciliation lines (every published feed, month and source), and the named differences in words."""
    if not table_exists(conn, "out", "inventory_reconciliation"):
        return [], []
    cursor = conn.execute("SELECT * FROM out.inventory_reconciliation ORDER BY feed, period_month, source")
    names = [d[0] for d in cursor.description]
    lines = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    notes = list(dict.fromkeys(line["explanation"] for line in lines if line["verdict"] != "matches"))
    return lines, notes[:12]


def _annual_csv(years: list[int], table: list[dict]) -> str:
    """The department x year table as CSV, every text cell made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["department", "year", "co2e_tonnes", "is_complete", "note"])
    for row in table:
        for year in years:
            cell = row["cells"][year]
            tonnes = "" if cell["tonnes"] is None else f"{cell['tonnes']:.3f}"
            writer.writerow([csv_cell(row["department"]), year, tonnes, cell["label"] is None and cell["tonnes"] is not None, csv_cell(cell["label"] or "")])
    return out.getvalue()


def build_site(conn: duckdb.DuckDBPyConnection, city: CityConfig, target: Path, as_of: date | None = None) -> PublishedSite:
    """Render the dashboard into ``target`` (created or replaced atomically), as of ``as_of`` (default today)."""
    as_of = as_of or date.today()
    monthly = conn.execute(load_sql("chart_emissions_by_department")).df()
    annual = conn.execute(load_sql("annual_emissions_by_department")).df()
    spec = emissions_by_department(monthly).page_spec()
    completeness = year_completeness(conn, city, as_of)
    headline = headline_figures(conn, city, completeness=completeness)
    years, table = _annual_table(annual, completeness, headline) if len(annual) else ([], [])
    feeds = feed_summary(conn)
    reconciliation, reconciliation_notes = _reconciliation(conn)
    html = template_environment("city_outcomes.publish").get_template("index.html.j2").render(
        city=city.city,
        headline=headline if headline and headline.baseline_year is not None else None,
        not_compared=headline.not_compared if headline else [],
        years=years,
        table=table,
        missing_bills=_missing_bills(completeness),
        inventory=_latest_inventory(conn),
        reconciliation=reconciliation,
        reconciliation_notes=reconciliation_notes,
        table_csv=TABLE_CSV,
        data_through=monthly["period_month"].max() if len(monthly) else None,
        published=as_of,
        feeds=feeds,
        rows_quarantined=sum(f["rows_quarantined"] for f in feeds),
        chart_id="emissions-by-department",
        spec=spec,
        tooltip_sanitizer=tooltip_sanitizer_js(),
        bundle=f"assets/{BUNDLE_NAME}",
        generator=f"city-outcomes {version('city-outcomes')}",
        # The method note is the metric catalog's, as `trace` and the Dagster asset show it.
        method=catalog().get(HEADLINE_METRIC),
    )

    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        (staging / "assets").mkdir()
        (staging / "assets" / BUNDLE_NAME).write_text(vl_convert.javascript_bundle(vl_version=_vega_lite_minor()), encoding="utf-8")
        (staging / "favicon.svg").write_text(FAVICON, encoding="utf-8")
        (staging / "charts").mkdir()
        (staging / "charts" / "emissions-by-department.vl.json").write_text(script_json(spec, indent=1), encoding="utf-8")
        (staging / TABLE_CSV).write_text(_annual_csv(years, table), encoding="utf-8")
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
