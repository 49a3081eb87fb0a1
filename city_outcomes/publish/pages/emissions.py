"""The emissions page: the municipal inventory by sector and scope over the years against the target
path, scope 2 both ways, the community inventory (GPC BASIC, every line with a value or a notation
key), the buildings by department, and the reconciliation with the city's own published figures."""

from __future__ import annotations

import csv
import io
from typing import Any

import duckdb
import pandas as pd

from city_outcomes.feeds.quarantine import feed_summary
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.completeness import Completeness, year_completeness
from city_outcomes.metrics.headline import HEADLINE_METRIC, Headline, headline_figures
from city_outcomes.metrics.inventory import inventory_by_sector_and_scope
from city_outcomes.metrics.td_losses import td_losses_by_sector
from city_outcomes.publish.charts import Figure, emissions_by_department, stacked_bars
from city_outcomes.publish.pages import Download, Page, SiteData
from city_outcomes.publish.safe_text import csv_cell
from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.warehouse import table_exists

TABLE_CSV = "emissions-by-department-and-year.csv"
COMMUNITY_CSV = "community-inventory-gpc.csv"
# The goal metric whose path the sector chart carries, if the city has a goal on it.
INVENTORY_METRIC = "municipal_co2e_tonnes"


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
    """The latest year of the municipal inventory by sector: scope 1, scope 2 both ways, totals; a total row last;
    and, where the city reports them, the scope 3 T&D losses (``td_losses``: not in the totals)."""
    rows = inventory_by_sector_and_scope(conn)
    if not rows:
        return None
    year = max(r["inventory_year"] for r in rows)
    losses = [r for r in td_losses_by_sector(conn) if r["inventory_year"] == year]
    sectors: dict[str, dict] = {}
    for r in (r for r in rows if r["inventory_year"] == year):
        row = sectors.setdefault(r["sector"], {"sector": r["sector"], "is_total": False, "scope1": 0.0, "scope2_location": 0.0, "scope2_market": 0.0, "scope3_td": 0.0})
        if r["scope"] == 1:
            row["scope1"] += r["co2e_tonnes"] or 0.0
        else:
            row["scope2_location"] += r["co2e_tonnes"] or 0.0
            row["scope2_market"] += r["co2e_tonnes_market"] or 0.0
    for r in losses:
        if r["sector"] in sectors:
            sectors[r["sector"]]["scope3_td"] += r["co2e_tonnes"] or 0.0
    table = sorted(sectors.values(), key=lambda row: row["sector"])
    total = {"sector": "All sectors", "is_total": True, **{k: sum(row[k] for row in table) for k in ("scope1", "scope2_location", "scope2_market", "scope3_td")}}
    for row in [*table, total]:
        row["total_location"] = row["scope1"] + row["scope2_location"]
        row["total_market"] = row["scope1"] + row["scope2_market"]
    months = max(r["months"] for r in rows if r["inventory_year"] == year)
    applied = ", ".join(sorted({r["losses"] for r in losses}))
    return {"year": year, "months": months, "rows": [*table, total], "td_losses": bool(losses), "td_losses_applied": applied}


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


def _sector_figure(data: SiteData) -> Figure | None:
    """Municipal inventory by sector and year (location-based), with the path of a goal on the whole inventory."""
    if not table_exists(data.conn, "out", "municipal_inventory_annual"):
        return None
    frame = data.conn.execute(load_sql("site_inventory_by_year")).df()
    if not len(frame):
        return None
    frame["year"] = frame["year_label"]
    path = None
    goal = next((g for g in data.goals if g.goal["metric"] == INVENTORY_METRIC and g.path), None)
    if goal is not None:
        labels = dict(zip(frame["inventory_year"], frame["year_label"], strict=False))
        path = pd.DataFrame([(labels.get(int(p), str(p)), v) for p, v in goal.path], columns=["year", "value"])
        path = path[path["year"].isin(frame["year"])]
    return stacked_bars(
        "municipal-inventory-by-sector", "Municipal operations emissions by sector",
        data=frame[["year", "sector", "co2e_tonnes"]], x="year", y="co2e_tonnes", color="sector", unit="t CO2e",
        x_title="Inventory year", color_title="Sector", temporal=False, target_path=path,
        description="Stacked bar chart of the municipal operations inventory in tonnes of CO2-equivalent by LGO sector and year"
        + (", with the straight-line path to the city's target" if path is not None else ""),
    )


def _community(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The latest year of the community inventory (GPC BASIC), CO2e lines only: a value or a notation key each."""
    if not table_exists(conn, "out", "community_inventory"):
        return []
    return query_dicts(conn, "site_community_inventory")


def _community_csv(lines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = ["inventory_year", "gpc_reference", "subsector", "scope", "emissions_tonnes", "notation_key", "explanation"]
    writer.writerow(names)
    for line in lines:
        writer.writerow([csv_cell(line.get(name)) if line.get(name) is not None else "" for name in names])
    return out.getvalue()


def build(data: SiteData) -> list[Page]:
    """The emissions page (always built: it says what is missing when a city has no energy feeds)."""
    conn, city = data.conn, data.city
    figures, downloads = [], []
    sectors = _sector_figure(data)
    if sectors is not None:
        figures.append(sectors)
    monthly = conn.execute(load_sql("chart_emissions_by_department")).df() if table_exists(conn, "out", "building_emissions_monthly") else pd.DataFrame()
    departments = emissions_by_department(monthly) if len(monthly) else None
    if departments is not None:
        figures.append(departments)
    annual = conn.execute(load_sql("annual_emissions_by_department")).df() if len(monthly) else pd.DataFrame()
    completeness = year_completeness(conn, city, data.as_of)
    headline = headline_figures(conn, city, completeness=completeness)
    years, table = _annual_table(annual, completeness, headline) if len(annual) else ([], [])
    if table:
        downloads.append(Download(TABLE_CSV, "Emissions by department and year (CSV)", _annual_csv(years, table)))
    community = _community(conn)
    if community:
        downloads.append(Download(COMMUNITY_CSV, "Community inventory, GPC BASIC lines (CSV)", _community_csv(community)))
    reconciliation, reconciliation_notes = _reconciliation(conn)
    context = {
        "headline": headline if headline and headline.baseline_year is not None else None,
        "not_compared": headline.not_compared if headline else [],
        "years": years,
        "table": table,
        "table_csv": TABLE_CSV if table else None,
        "missing_bills": _missing_bills(completeness),
        "inventory": _latest_inventory(conn),
        "sectors": sectors,
        "departments": departments,
        "community": community,
        "community_csv": COMMUNITY_CSV if community else None,
        "reconciliation": reconciliation,
        "reconciliation_notes": reconciliation_notes,
        "editions": query_dicts(conn, "electricity_editions_by_year") if table_exists(conn, "out", "building_emissions_monthly") else [],
        "method": catalog().get(HEADLINE_METRIC),
        "rows_quarantined": sum(f["rows_quarantined"] for f in feed_summary(conn)) if table_exists(conn, "meta", "file_reconciliation") else 0,
    }
    return [Page(path="emissions.html", template="emissions.html.j2", title="Greenhouse-gas emissions", section="emissions",
                 context=context, figures=figures, downloads=downloads)]
