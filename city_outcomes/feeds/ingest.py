"""One feed, end to end: discover files, land them, check every row, write the result atomically.

All current files of a feed are checked together, so a key repeated across two files is caught.
Accepted rows go to ``core.<contract>``; rows that break a rule go to ``meta.quarantine`` with
the rules and the row as the file had it; each file's counts go to ``meta.file_reconciliation``
(rows read = rows accepted + rows quarantined). For a time-based feed, only the months of the run's
partitions are replaced in ``core``, so re-running a partition never duplicates it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import ibis

from city_outcomes.config import CityConfig, FeedConfig
from city_outcomes.feeds.contract_checks import FAILED_RULES, typed_columns, with_failed_rules
from city_outcomes.feeds.landing import LandedFile, land_file
from city_outcomes.feeds.reader import SOURCE_ROW, FileError, read_csv_as_text, read_lines_for_quarantine
from city_outcomes.warehouse import quote_ident, transaction
from data_contracts import ContractInfo, get_contract

FILE_SHA = "_file_sha256"
FILE_ROW = "_source_row"
FEED = "_feed"
LINEAGE_COLUMNS = {FEED: "VARCHAR", FILE_SHA: "VARCHAR", FILE_ROW: "BIGINT"}


@dataclass
class FileOutcome:
    """What happened to one file of a feed."""

    source_path: Path
    sha256: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    file_error: str | None = None

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_accepted + self.rows_quarantined


@dataclass
class FeedOutcome:
    """What happened to a whole feed in one run."""

    feed: str
    contract: str
    contract_version: str
    files: list[FileOutcome] = field(default_factory=list)
    rows_written: int = 0
    top_rules: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def core_table(contract: ContractInfo) -> str:
    """The warehouse table holding a contract's accepted rows (all feeds that use it)."""
    return f"core.{quote_ident(contract.name)}"


def ensure_core_table(conn: duckdb.DuckDBPyConnection, contract: ContractInfo) -> None:
    """Create the contract's core table from its columns, plus the lineage columns every row keeps."""
    icon = ibis.duckdb.from_connection(conn)
    columns = [
        f"{quote_ident(name)} {icon.compiler.type_mapper.to_string(column.dtype.type)}"
        for name, column in contract.schema.columns.items()
    ]
    columns += [f"{quote_ident(name)} {sql_type} NOT NULL" for name, sql_type in LINEAGE_COLUMNS.items()]
    conn.execute(f"CREATE TABLE IF NOT EXISTS {core_table(contract)} ({', '.join(columns)})")


def ingest_feed(
    conn: duckdb.DuckDBPyConnection,
    city: CityConfig,
    feed_name: str,
    months: tuple[date, date] | None = None,
) -> FeedOutcome:
    """Ingest every current file of a feed; for a time-based feed, write only months in [start, end)."""
    feed = city.feeds[feed_name]
    contract = get_contract(feed.contract)
    outcome = FeedOutcome(feed_name, contract.name, contract.version)
    landed: list[LandedFile] = []
    for path in city.feed_files(feed_name):
        file = land_file(conn, feed_name, path, city.landing_dir)
        # The same bytes under a second name are the same delivery: count them once.
        if file.sha256 not in {other.sha256 for other in landed}:
            landed.append(file)
    ensure_core_table(conn, contract)

    checked_parts: dict[str, LandedFile] = {}
    file_failures: list[tuple[LandedFile, FileError]] = []
    for index, file in enumerate(landed):
        raw_table = f"_raw_{index}"
        try:
            read_csv_as_text(conn, raw_table, feed_name, feed, file.landed_path, _required_columns(contract, feed))
        except FileError as error:
            file_failures.append((file, FileError(feed_name, file.source_path, error.problem)))
            continue
        _typed_table(conn, raw_table, f"_typed_{index}", contract, feed, file)
        checked_parts[f"_typed_{index}"] = file

    with transaction(conn):
        _replace_files_bookkeeping(conn, feed_name)
        if checked_parts:
            _check_and_write(conn, checked_parts, contract, feed_name, months, outcome)
        for file, error in file_failures:
            _quarantine_unreadable(conn, feed_name, feed, contract, file, error)
        if not checked_parts:
            _clear_core(conn, contract, feed_name, months)
        outcome.files = _file_outcomes(conn, feed_name, landed)
        outcome.top_rules = [
            (rule, count)
            for rule, count in conn.execute(
                """
                SELECT rule, count(*) AS n FROM (SELECT unnest(failed_rules) AS rule FROM meta.quarantine WHERE feed = ?)
                GROUP BY rule ORDER BY n DESC, rule LIMIT 10
                """,
                [feed_name],
            ).fetchall()
        ]
    return outcome


def _required_columns(contract: ContractInfo, feed: FeedConfig) -> dict[str, str]:
    """Contract columns that must be in the export (nullable ones may be absent), by export name."""
    return {
        name: feed.columns.get(name, name)
        for name, column in contract.schema.columns.items()
        if not column.nullable
    }


def _typed_table(
    conn: duckdb.DuckDBPyConnection, raw_table: str, typed_table: str, contract: ContractInfo, feed: FeedConfig, file: LandedFile
) -> None:
    icon = ibis.duckdb.from_connection(conn)
    raw = icon.table(raw_table)
    typed, cast_failed = typed_columns(raw, contract, feed.columns, feed.values, feed.date_formats)
    expr = raw.select(
        **{FILE_SHA: ibis.literal(file.sha256), FILE_ROW: raw[SOURCE_ROW]},
        **typed,
        **{f"__cast_failed__{name}": failed for name, failed in cast_failed.items()},
    )
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(typed_table)} AS {ibis.to_sql(expr, dialect='duckdb')}")


def _replace_files_bookkeeping(conn: duckdb.DuckDBPyConnection, feed_name: str) -> None:
    """Forget the previous check of this feed's files: the run re-checks every current file."""
    conn.execute("DELETE FROM meta.quarantine WHERE feed = ?", [feed_name])
    conn.execute("DELETE FROM meta.file_reconciliation WHERE feed = ?", [feed_name])


def _check_and_write(
    conn: duckdb.DuckDBPyConnection,
    parts_files: dict[str, LandedFile],
    contract: ContractInfo,
    feed_name: str,
    months: tuple[date, date] | None,
    outcome: FeedOutcome,
) -> None:
    parts = list(parts_files)
    union = " UNION ALL BY NAME ".join(f"SELECT * FROM {quote_ident(p)}" for p in parts)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _typed_all AS {union}")
    icon = ibis.duckdb.from_connection(conn)
    typed = icon.table("_typed_all")
    cast_flags = {c.removeprefix("__cast_failed__"): c for c in typed.columns if c.startswith("__cast_failed__")}
    checked = with_failed_rules(typed, contract, cast_flags)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS {ibis.to_sql(checked, dialect='duckdb')}")

    columns = ", ".join(quote_ident(c) for c in contract.columns)
    time_filter, params = "", [feed_name]
    if months is not None and contract.time_column:
        time_filter = f"AND {quote_ident(contract.time_column)} >= ? AND {quote_ident(contract.time_column)} < ?"
        params += list(months)
    _clear_core(conn, contract, feed_name, months)
    conn.execute(
        f"""
        INSERT INTO {core_table(contract)} ({columns}, {FEED}, {FILE_SHA}, {FILE_ROW})
        SELECT {columns}, ?, {FILE_SHA}, {FILE_ROW} FROM _checked
        WHERE len({FAILED_RULES}) = 0 {time_filter}
        ORDER BY {FILE_SHA}, {FILE_ROW}
        """,
        params,
    )
    outcome.rows_written = conn.execute(
        f"SELECT count(*) FROM {core_table(contract)} WHERE {FEED} = ? {time_filter}", params
    ).fetchone()[0]
    for part, file in parts_files.items():
        conn.execute(
            f"""
            INSERT INTO meta.quarantine
            SELECT ?, ?, c.{FILE_SHA}, c.{FILE_ROW}, ?, ?, c.{FAILED_RULES},
                   json_merge_patch(to_json(r), '{{"{SOURCE_ROW}": null}}')
            FROM _checked c
            JOIN {quote_ident(part.replace('_typed_', '_raw_'))} r ON r.{SOURCE_ROW} = c.{FILE_ROW}
            WHERE c.{FILE_SHA} = ? AND len(c.{FAILED_RULES}) > 0
            ORDER BY c.{FILE_ROW}
            """,
            [feed_name, str(file.source_path), contract.name, contract.version, file.sha256],
        )
        conn.execute(
            f"""
            INSERT INTO meta.file_reconciliation
            SELECT ?, ?, ?, ?, ?, count(*),
                   count(*) FILTER (WHERE len({FAILED_RULES}) = 0),
                   count(*) FILTER (WHERE len({FAILED_RULES}) > 0), NULL
            FROM _checked WHERE {FILE_SHA} = ?
            """,
            [feed_name, str(file.source_path), file.sha256, contract.name, contract.version, file.sha256],
        )


def _clear_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, months: tuple[date, date] | None) -> None:
    """Remove the feed's rows for the months being replaced (all of them for a non-time feed)."""
    if months is not None and contract.time_column:
        column = quote_ident(contract.time_column)
        conn.execute(f"DELETE FROM {core_table(contract)} WHERE {FEED} = ? AND {column} >= ? AND {column} < ?", [feed_name, *months])
    else:
        conn.execute(f"DELETE FROM {core_table(contract)} WHERE {FEED} = ?", [feed_name])


def _quarantine_unreadable(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, contract: ContractInfo, file: LandedFile, error: FileError
) -> None:
    """An unreadable file is quarantined line by line under its file-level error: nothing is lost."""
    lines = read_lines_for_quarantine(file.landed_path, feed.encoding)
    rule = f"file: {error.problem}"
    if lines:
        conn.executemany(
            "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [feed_name, str(file.source_path), file.sha256, number, contract.name, contract.version, [rule], json.dumps({"line": line})]
                for number, line in lines
            ],
        )
    conn.execute(
        "INSERT INTO meta.file_reconciliation VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        [feed_name, str(file.source_path), file.sha256, contract.name, contract.version, len(lines), len(lines), str(error)],
    )


def _file_outcomes(conn: duckdb.DuckDBPyConnection, feed_name: str, landed: list[LandedFile]) -> list[FileOutcome]:
    rows = {
        sha: (read, accepted, quarantined, error)
        for sha, read, accepted, quarantined, error in conn.execute(
            """SELECT file_sha256, rows_read, rows_accepted, rows_quarantined, file_error
               FROM meta.file_reconciliation WHERE feed = ?""",
            [feed_name],
        ).fetchall()
    }
    return [FileOutcome(f.source_path, f.sha256, *rows.get(f.sha256, (0, 0, 0, None))) for f in landed]
