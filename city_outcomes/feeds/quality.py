"""The data quality page's tables: where every file's rows went, the rules broken most, the files that could not be read.

Plain functions over the warehouse's bookkeeping (``meta.file_reconciliation``, ``meta.quarantine``,
``meta.retired_files``, ``meta.landed_files``); the site renders them. Nothing here returns a
quarantined row's values: they may be personal, and the page is public. Freshness is in
:mod:`city_outcomes.feeds.freshness`.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import duckdb

from city_outcomes.feeds.ingest import DUPLICATE_RULE
from city_outcomes.feeds.quarantine import file_problems
from city_outcomes.sql import query_dicts

EXAMPLE_ROWS = 5


def file_accounting(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per feed, each current file and each retired one (``retired`` true, counts None), by feed and file name.

    Each has ``file_name``, ``sha256_short`` (12 hex digits), ``landed_at``, ``rows_read``, ``rows_written``,
    ``rows_quarantined``, ``rows_filtered`` (left out by the feed's ``filter:``, ``filtered_by``),
    ``rows_other_months`` (held for months another partition's run writes, ``other_months``), ``unreadable``
    and ``holds``: whether read = written + quarantined + filtered + held, as the file's record says
    (the blocking check ``rows_reconcile`` compares the record with the warehouse itself).
    """
    rows = query_dicts(conn, "site_file_accounting")
    for row in rows:
        row["other_months"] = list(row["other_months"]) if row["other_months"] is not None else None
    return rows


def rules_most_broken(conn: duckdb.DuckDBPyConnection, limit: int = 10, examples: int = EXAMPLE_ROWS) -> list[dict[str, Any]]:
    """Per feed, its ``limit`` most broken rules, most rows first: ``rank``, ``rule``, ``rows_broken``, ``files``
    and ``examples``, the first ``examples`` rows breaking it as ``{"file": name, "row": number}``; no values."""
    rows = query_dicts(conn, "site_rules_broken", {"duplicate_rule": DUPLICATE_RULE, "limit": limit, "examples": examples})
    for row in rows:
        row["examples"] = [{"file": example["file"], "row": example["row"]} for example in row["examples"]]
    return rows


def file_level_problems(conn: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per feed and file, the files that could not be read at all (encoding, delimiter, a column twice, no data
    rows...): ``feed``, ``file_name``, ``source_path``, ``rows_read``, ``rows_quarantined`` (its lines, kept under
    the rule ``file: <problem>``) and ``problem``, the message without the feed-and-file prefix."""
    return [
        {
            "feed": row["feed"],
            "file_name": PurePath(row["source_path"]).name,
            "source_path": row["source_path"],
            "rows_read": row["rows_read"],
            "rows_quarantined": row["rows_quarantined"],
            "problem": row["problem"],
        }
        for row in file_problems(conn)
    ]
