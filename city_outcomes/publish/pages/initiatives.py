"""The initiatives: a list, and one page per initiative with what the registry says and the goals it serves.

The measured impact of each initiative arrives with the impact analysis; its page keeps the place.
"""

from __future__ import annotations

from typing import Any

from city_outcomes.publish.pages import Page, SiteData, goal_page_path, initiative_page_path
from city_outcomes.warehouse import table_exists


def load_initiatives(conn: Any) -> list[dict[str, Any]]:
    """The registry's rows, with their goal ids and scope split (both ';'-separated in the contract)."""
    if not table_exists(conn, "core", "initiatives"):
        return []
    cursor = conn.execute("SELECT * FROM core.initiatives ORDER BY start_date, initiative_id")
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        row.setdefault("vendor", None)
        row["goals"] = [g for g in (row.get("goal_ids") or "").split(";") if g]
        scope = row.get("scope") or ""
        # A scope is a list of ids (buildings, fixtures, stations) or one feed's name.
        row["scope_items"] = [s for s in scope.split(";") if s] if ";" in scope else []
        row["path"] = initiative_page_path(row["initiative_id"])
        rows.append(row)
    return rows


def _goal_links(initiative: dict[str, Any], data: SiteData) -> list[dict[str, Any]]:
    links = []
    for goal_id in initiative["goals"]:
        status = data.goal(goal_id)
        if status is None:
            links.append({"id": goal_id, "path": None, "title": goal_id, "progress": None})
        else:
            links.append({"id": goal_id, "path": goal_page_path(goal_id), "title": status.goal["title"], "progress": status.progress})
    return links


def build(data: SiteData) -> list[Page]:
    """The list page, then a page per initiative."""
    # A scope that names one of the city's feeds means everything in it (e.g. every streetlight fixture).
    initiatives = [{**i, "goal_links": _goal_links(i, data), "scope_feed": i.get("scope") in data.city.feeds} for i in data.initiatives]
    pages = [Page(path="initiatives.html", template="initiatives.html.j2", title="Initiatives", section="initiatives",
                  context={"initiatives": initiatives})]
    for initiative in initiatives:
        pages.append(Page(path=initiative["path"], template="initiative.html.j2", title=initiative["title"],
                          section="initiatives", context={"initiative": initiative}))
    return pages
