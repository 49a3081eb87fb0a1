"""The data quality page: per feed and per file, freshness against the feed's cadence, rows read, written,
quarantined and filtered, the rules most broken (rule and row numbers, never values) and the files that could
not be read."""

from __future__ import annotations

from city_outcomes.feeds.freshness import feed_freshness
from city_outcomes.feeds.quality import file_accounting, file_level_problems, rules_most_broken
from city_outcomes.feeds.quarantine import feed_summary
from city_outcomes.publish.pages import Page, SiteData
from city_outcomes.warehouse import table_exists


def build(data: SiteData) -> list[Page]:
    """One page for every feed the city has configured."""
    conn = data.conn
    ingested = table_exists(conn, "meta", "file_reconciliation")
    context = {
        "freshness": feed_freshness(conn, data.city, data.as_of),
        "feeds": feed_summary(conn) if ingested else [],
        "file_rows": file_accounting(conn) if ingested else [],
        "rules": rules_most_broken(conn) if ingested else [],
        "problems": file_level_problems(conn) if ingested else [],
    }
    return [Page(path="quality.html", template="quality.html.j2", title="Data quality", section="quality", context=context)]
