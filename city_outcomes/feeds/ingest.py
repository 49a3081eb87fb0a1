"""One feed, end to end: discover files, land them, check every row, write the result atomically.

All current files of a feed are checked together, so a key repeated across two files is caught.
Accepted rows go to ``core.<contract>``; rows that break a rule go to ``meta.quarantine`` with
the rules and the row as the file had it; each file's counts go to ``meta.file_reconciliation``
(rows read = rows accepted + rows quarantined). For a time-based feed, only the months of the run's
partitions are replaced in ``core``, so re-running a partition never duplicates it.

Each file is read once inside DuckDB (cast to the contract's types on the way in); the contract's
checks then run over the typed rows in one pass, and only the failing rows go back to the file for
their original text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import ibis
from ibis.backends.sql.datatypes import DuckDBType

from city_outcomes.config import CityConfig, FeedConfig
from city_outcomes.feeds.contract_checks import FAILED_RULES, typed_columns, with_failed_rules
from city_outcomes.feeds.landing import LandedFile, land_file
from city_outcomes.feeds.privacy import (
    WITHHELD,
    PrivacyPolicy,
    core_select,
    has_personal_fields,
    needs_tract_boundaries,
    prepare_tract_shapes,
    redact_raw_row,
)
from city_outcomes.feeds.reader import RAW_JSON, SOURCE_ROW, FileError, RawSource, open_source, read_lines_for_quarantine
from city_outcomes.warehouse import quote_ident, transaction
from data_contracts import ContractInfo, get_contract

FILE_SHA = "_file_sha256"
FILE_ROW = "_source_row"
FEED = "_feed"
LINEAGE_COLUMNS = {FEED: "VARCHAR", FILE_SHA: "VARCHAR", FILE_ROW: "BIGINT"}
CAST_FAILED = "__cast_failed__"
# Within a run, rows name their file by its position in the run (a small integer), not by its
# 64-character hash: millions of rows then carry 4 bytes, not 64. _files maps one to the other.
FILE_INDEX = "__file"
# A row's position in _typed_rows (its rowid). Rows are stored in file order, so its record number
# in its file is ROW_ID - _files.first_rowid + 1, worked out only where it is needed.
ROW_ID = "__rowid"


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


def ensure_core_table(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, policy: PrivacyPolicy) -> None:
    """Create the contract's core table: its columns as privacy leaves them, plus every row's lineage."""
    columns = [
        f"{quote_ident(name)} {DuckDBType.to_string(dtype)}"
        for name, dtype in policy.core_columns(contract).items()
    ]
    columns += [f"{quote_ident(name)} {sql_type} NOT NULL" for name, sql_type in LINEAGE_COLUMNS.items()]
    conn.execute(f"CREATE TABLE IF NOT EXISTS {core_table(contract)} ({', '.join(columns)})")


def ingest_feed(
    conn: duckdb.DuckDBPyConnection,
    city: CityConfig,
    feed_name: str,
    months: tuple[date, date] | None = None,
    policy: PrivacyPolicy | None = None,
) -> FeedOutcome:
    """Ingest every current file of a feed; for a time-based feed, write only months in [start, end)."""
    feed = city.feeds[feed_name]
    contract = get_contract(feed.contract)
    policy = policy or PrivacyPolicy.load(city)
    outcome = FeedOutcome(feed_name, contract.name, contract.version)
    landed: list[LandedFile] = []
    for path in city.feed_files(feed_name):
        file = land_file(conn, feed_name, path, city.landing_dir)
        # The same bytes under a second name are the same delivery: count them once.
        if file.sha256 not in {other.sha256 for other in landed}:
            landed.append(file)
    ensure_core_table(conn, contract, policy)

    readable: list[tuple[LandedFile, RawSource]] = []
    unreadable: list[tuple[LandedFile, FileError]] = []
    required = _required_columns(contract, feed)
    for index, file in enumerate(landed):
        try:
            source = open_source(conn, feed_name, feed, file.landed_path, required, f"_json_{index}")
        except FileError as error:
            unreadable.append((file, FileError(feed_name, file.source_path, error.problem)))
            continue
        readable.append((file, source))
    _load_typed(conn, readable, contract, feed)

    with transaction(conn):
        conn.execute("DELETE FROM meta.quarantine WHERE feed = ?", [feed_name])
        conn.execute("DELETE FROM meta.file_reconciliation WHERE feed = ?", [feed_name])
        _clear_core(conn, contract, feed_name, months)
        if readable:
            _find_failures(conn, contract)
            _write_core(conn, contract, feed_name, months, policy)
            for index, (file, source) in enumerate(readable):
                _write_quarantine_and_counts(conn, feed_name, contract, index, file, source)
        for file, error in unreadable:
            _quarantine_unreadable(conn, feed_name, feed, contract, file, error, policy)
        if has_personal_fields(contract, policy):
            _redact_quarantine(conn, feed_name, contract, feed, policy)
        outcome.rows_written = _count_core(conn, contract, feed_name, months)
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
        if not column.nullable and name not in feed.constants
    }


def with_file_headers(feed: FeedConfig, headers: list[str]) -> FeedConfig:
    """The feed's column mapping pointed at the file's own header names where they differ only by
    surrounding spaces ("Meter # " in the file, "Meter #" in the configuration, or the reverse)."""
    by_trimmed = {header.strip(): header for header in headers}
    columns = {column: name if name in headers else by_trimmed.get(name.strip(), name) for column, name in feed.columns.items()}
    return feed if columns == feed.columns else feed.model_copy(update={"columns": columns})


def _load_typed(conn: duckdb.DuckDBPyConnection, readable: list[tuple[LandedFile, RawSource]], contract: ContractInfo, feed: FeedConfig) -> None:
    """Read every readable file once into ``_typed``: contract columns cast from text, plus cast failures.

    Files are read in parallel with insertion order kept, so rows are stored in file order and a
    row's record number is its position after the file's first row (numbering rows inside the scan
    would run the whole read on one thread).
    """
    conn.execute("DROP VIEW IF EXISTS _typed")
    conn.execute("DROP TABLE IF EXISTS _typed_rows")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _spec_failures ({FILE_INDEX} INTEGER, {FILE_ROW} BIGINT, rules VARCHAR[])")
    conn.execute(f"CREATE OR REPLACE TEMP TABLE _files ({FILE_INDEX} INTEGER, {FILE_SHA} VARCHAR, first_rowid BIGINT)")
    conn.execute("SET preserve_insertion_order = true")
    try:
        for index, (file, source) in enumerate(readable):
            raw = ibis.table(dict.fromkeys(source.columns, "string"), name="__raw__")
            typed, cast_failed = typed_columns(raw, contract, with_file_headers(feed, source.columns))
            expr = raw.select(
                **{FILE_INDEX: ibis.literal(index, type="int32")},
                **typed,
                **{f"{CAST_FAILED}{name}": failed for name, failed in cast_failed.items()},
            )
            select = f"WITH __raw__ AS ({source.scan_sql}) SELECT * FROM ({ibis.to_sql(expr, dialect='duckdb')})"
            if index == 0:
                conn.execute(f"CREATE TEMP TABLE _typed_rows AS {select} LIMIT 0", source.params)
            first_rowid = conn.execute("SELECT count(*) FROM _typed_rows").fetchone()[0]
            conn.execute(f"INSERT INTO _typed_rows BY NAME {select}", source.params)
            conn.execute("INSERT INTO _files VALUES (?, ?, ?)", [index, file.sha256, first_rowid])
            if source.row_rules:
                conn.executemany(
                    "INSERT INTO _spec_failures VALUES (?, ?, ?)",
                    [[index, row, rules] for row, rules in source.row_rules.items()],
                )
    finally:
        conn.execute("SET preserve_insertion_order = false")
    if readable:
        conn.execute(f"CREATE TEMP VIEW _typed AS SELECT rowid AS {ROW_ID}, * FROM _typed_rows")


def _find_failures(conn: duckdb.DuckDBPyConnection, contract: ContractInfo) -> None:
    """One pass of the contract's checks over ``_typed``: ``_failures`` holds each failing row's rules."""
    typed = ibis.duckdb.from_connection(conn).table("_typed")
    cast_flags = {c.removeprefix(CAST_FAILED): c for c in typed.columns if c.startswith(CAST_FAILED)}
    checked = with_failed_rules(typed, contract, cast_flags).select(ROW_ID, FILE_INDEX, FAILED_RULES)
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _failures AS
        WITH spec AS (
            SELECT files.first_rowid + spec.{FILE_ROW} - 1 AS {ROW_ID}, spec.rules
            FROM _spec_failures AS spec JOIN _files AS files USING ({FILE_INDEX})
        ),
        failing AS (
            SELECT checked.{ROW_ID}, checked.{FILE_INDEX}, list_concat(coalesce(spec.rules, []), checked.{FAILED_RULES}) AS rules
            FROM ({ibis.to_sql(checked, dialect='duckdb')}) AS checked
            LEFT JOIN spec USING ({ROW_ID})
            WHERE len(checked.{FAILED_RULES}) > 0 OR spec.rules IS NOT NULL
        )
        SELECT failing.*, failing.{ROW_ID} - files.first_rowid + 1 AS {FILE_ROW}
        FROM failing JOIN _files AS files USING ({FILE_INDEX})
        """
    )


def _time_filter(contract: ContractInfo, months: tuple[date, date] | None, alias: str = "") -> tuple[str, list[date]]:
    if months is None or not contract.time_column:
        return "", []
    column = f"{alias}{quote_ident(contract.time_column)}"
    return f"AND {column} >= ? AND {column} < ?", list(months)


def _write_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, months: tuple[date, date] | None, policy: PrivacyPolicy) -> None:
    """Insert the accepted rows of the run's months, as the privacy policy leaves them."""
    select = core_select(contract, policy, "t.")
    if needs_tract_boundaries(contract, policy):
        prepare_tract_shapes(conn)
    time_filter, time_params = _time_filter(contract, months, "t.")
    names = ", ".join(quote_ident(name) for name in select.expressions)
    conn.execute(
        f"""
        INSERT INTO {core_table(contract)} ({names}, {FEED}, {FILE_SHA}, {FILE_ROW})
        SELECT {", ".join(select.expressions.values())}, ?, files.{FILE_SHA}, t.{ROW_ID} - files.first_rowid + 1
        FROM (
            SELECT * FROM _typed AS t
            ANTI JOIN _failures AS f ON f.{ROW_ID} = t.{ROW_ID}
            WHERE true {time_filter}
        ) AS t
        JOIN _files AS files USING ({FILE_INDEX})
        {" ".join(select.joins)}
        """,
        [*select.params, feed_name, *time_params],
    )


def _write_quarantine_and_counts(
    conn: duckdb.DuckDBPyConnection, feed_name: str, contract: ContractInfo, index: int, file: LandedFile, source: RawSource
) -> None:
    failed = conn.execute(f"SELECT count(*) FROM _failures WHERE {FILE_INDEX} = ?", [index]).fetchone()[0]
    rows_read = conn.execute(f"SELECT count(*) FROM _typed_rows WHERE {FILE_INDEX} = ?", [index]).fetchone()[0]
    if failed:
        # Back to the file for the failing rows' original text (the record itself, for JSON).
        raw_value = f"r.{RAW_JSON}::JSON" if source.raw_json_column else f"json_merge_patch(to_json(r), '{{\"{SOURCE_ROW}\": null}}')"
        conn.execute(
            f"""
            INSERT INTO meta.quarantine
            WITH __raw__ AS ({source.sql})
            SELECT ?, ?, ?, f.{FILE_ROW}, ?, ?, f.rules, {raw_value}
            FROM __raw__ AS r
            JOIN _failures AS f ON f.{FILE_ROW} = r.{SOURCE_ROW} AND f.{FILE_INDEX} = ?
            ORDER BY f.{FILE_ROW}
            """,
            [*source.params, feed_name, str(file.source_path), file.sha256, contract.name, contract.version, index],
        )
    conn.execute(
        "INSERT INTO meta.file_reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        [feed_name, str(file.source_path), file.sha256, contract.name, contract.version, rows_read, rows_read - failed, failed],
    )


def _clear_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, months: tuple[date, date] | None) -> None:
    """Remove the feed's rows for the months being replaced (all of them for a non-time feed)."""
    time_filter, time_params = _time_filter(contract, months)
    conn.execute(f"DELETE FROM {core_table(contract)} WHERE {FEED} = ? {time_filter}", [feed_name, *time_params])


def _count_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, months: tuple[date, date] | None) -> int:
    time_filter, time_params = _time_filter(contract, months)
    return conn.execute(f"SELECT count(*) FROM {core_table(contract)} WHERE {FEED} = ? {time_filter}", [feed_name, *time_params]).fetchone()[0]


def _redact_quarantine(conn: duckdb.DuckDBPyConnection, feed_name: str, contract: ContractInfo, feed: FeedConfig, policy: PrivacyPolicy) -> None:
    """Personal fields of quarantined rows get the treatment they would have had in core."""
    rows = conn.execute(
        "SELECT file_sha256, source_row, raw_values FROM meta.quarantine WHERE feed = ? AND NOT starts_with(failed_rules[1], 'file: ')",
        [feed_name],
    ).fetchall()
    updates = []
    for sha, row, raw in rows:
        values = json.loads(raw)
        redacted = redact_raw_row(values, contract, feed.columns, policy) if isinstance(values, dict) else values
        if redacted != values:
            updates.append([json.dumps(redacted), feed_name, sha, row])
    if updates:
        conn.executemany("UPDATE meta.quarantine SET raw_values = ? WHERE feed = ? AND file_sha256 = ? AND source_row = ?", updates)


def _quarantine_unreadable(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, contract: ContractInfo, file: LandedFile, error: FileError, policy: PrivacyPolicy
) -> None:
    """An unreadable file is quarantined line by line under its file-level error: nothing is lost.

    Where the feed holds personal fields, a line that could not be parsed cannot be redacted field
    by field: its text is withheld (the landing zone keeps the file) and only its number is kept.
    """
    lines = read_lines_for_quarantine(file.landed_path, feed)
    if has_personal_fields(contract, policy):
        lines = [(number, WITHHELD) for number, _ in lines]
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
