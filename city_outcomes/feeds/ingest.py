"""One feed, end to end: find its current files, land them, check every row, write the result atomically.

A feed's current files are the latest version of every file delivered under a name (see
:mod:`city_outcomes.feeds.current`), whether or not it is still in the inbox. They are checked
together, so a key repeated across two files is caught. Accepted rows go to ``core.<contract>``;
rows that break a rule go to ``meta.quarantine`` with the rules and the row's allow-listed values;
each file's counts go to ``meta.file_reconciliation``: rows read = rows written to core + rows
quarantined + rows filtered + rows held for months another partition writes, with rows written
counted from core itself. For a time-based feed, only the months of the run's partitions are
replaced in ``core`` (months on the city's clock), so re-running a partition never duplicates it.

Each file is read once inside DuckDB (cast to the contract's types on the way in); the contract's
checks then run over the typed rows in one pass, and only the failing rows go back to the file for
their original text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends.sql.datatypes import DuckDBType

from city_outcomes.calendar import CityClock, city_clock, city_zone, local_midnight_utc, month_label, previous_month
from city_outcomes.config import CityConfig, FeedConfig
from city_outcomes.feeds.contract_checks import FAILED_RULES, typed_columns, unique_rule, with_failed_rules
from city_outcomes.feeds.current import SkippedFile, current_files
from city_outcomes.feeds.headers import match_header, resolve_columns
from city_outcomes.feeds.landing import LandedFile
from city_outcomes.feeds.privacy import (
    WITHHELD_LINE,
    PrivacyPolicy,
    coordinate_points,
    core_select,
    exports_no_personal_columns,
    needs_tract_boundaries,
    prepare_tract_shapes,
    quarantine_values_sql,
)
from city_outcomes.feeds.reader import (
    RAW_JSON,
    SOURCE_ROW,
    FileError,
    RawSource,
    chosen_records,
    csv_problem,
    open_source,
    read_lines_for_quarantine,
)
from city_outcomes.feeds.references import reference_checks
from city_outcomes.feeds.reshape import FIELD, LookupTable, LookupTableError, Reshaped, load_lookup, reshaped_source
from city_outcomes.feeds.transform import DERIVED_PREFIX, KEEP, MissingColumn, Transformed, check_expression, referenced_columns, transformed_source
from city_outcomes.warehouse import quote_ident, transaction
from data_contracts import ContractInfo, get_contract, reporting_clock

FILE_SHA = "_file_sha256"
FILE_ROW = "_source_row"
FEED = "_feed"
LINEAGE_COLUMNS = {FEED: "VARCHAR", FILE_SHA: "VARCHAR", FILE_ROW: "BIGINT"}
# The column of a wide export a row was unpivoted from (NULL for every other feed): with it, a
# record's rows are told apart, as (file, row, field).
FILE_FIELD = "_source_field"
CAST_FAILED = "__cast_failed__"
# Within a run, rows name their file by its position in the run (a small integer), not by its
# 64-character hash: millions of rows then carry 4 bytes, not 64. _files maps one to the other.
FILE_INDEX = "__file"
# A row's position in _typed_rows (its rowid). Rows are stored in file order, so its record number
# in its file is ROW_ID - _files.first_rowid + 1 (for an unpivoted file, of N rows per record,
# (ROW_ID - first_rowid) // N + 1), worked out only where it is needed.
ROW_ID = "__rowid"
DUPLICATE_RULE = "duplicate: an exact copy of an earlier row"
# True for a row the feed's filter leaves out: not the feed's row, so neither stored nor quarantined.
FILTERED = "__filtered"
# meta.quarantine's columns, named: source_field was added after the first release (at the end).
QUARANTINE_COLUMNS = "feed, source_path, file_sha256, source_row, contract, contract_version, failed_rules, raw_values, source_field"


@dataclass
class FileOutcome:
    """What happened to one file of a feed: where each of its rows went."""

    source_path: Path
    sha256: str
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    rows_filtered: int = 0
    rows_other_months: int = 0
    other_months: list[str] = field(default_factory=list)
    file_error: str | None = None

    @property
    def rows_accepted(self) -> int:
        """Rows that pass every rule: those written now and those another partition's run writes."""
        return self.rows_written + self.rows_other_months

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_written + self.rows_quarantined + self.rows_filtered + self.rows_other_months


@dataclass
class FeedOutcome:
    """What happened to a whole feed in one run."""

    feed: str
    contract: str
    contract_version: str
    files: list[FileOutcome] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    top_rules: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_written(self) -> int:
        return sum(f.rows_written for f in self.files)

    @property
    def rows_accepted(self) -> int:
        return sum(f.rows_accepted for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_other_months(self) -> int:
        return sum(f.rows_other_months for f in self.files)

    @property
    def rows_filtered(self) -> int:
        return sum(f.rows_filtered for f in self.files)


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
    conn.execute(f"CREATE TABLE IF NOT EXISTS {core_table(contract)} ({', '.join(columns)}, {FILE_FIELD} VARCHAR)")
    # Added after the first release: a core table made before it gets the column here.
    conn.execute(f"ALTER TABLE {core_table(contract)} ADD COLUMN IF NOT EXISTS {FILE_FIELD} VARCHAR")
    # A minor contract version adds optional columns: a core table made by an earlier version gets them (NULL).
    for name, dtype in policy.core_columns(contract).items():
        conn.execute(f"ALTER TABLE {core_table(contract)} ADD COLUMN IF NOT EXISTS {quote_ident(name)} {DuckDBType.to_string(dtype)}")


@dataclass(frozen=True)
class TimeWindow:
    """Bounds on a contract's time column, in the column's own terms (dates, or naive UTC instants)."""

    column: str
    start: date | datetime
    end: date | datetime
    zone: str | None = None  # the city's zone, where the column holds UTC instants

    def sql(self, alias: str = "") -> str:
        """The condition that a row of ``alias`` lies in the window (parameters: :attr:`params`)."""
        column = f"{alias}{quote_ident(self.column)}"
        return f"{column} >= ? AND {column} < ?"

    @property
    def params(self) -> list[date | datetime]:
        return [self.start, self.end]


def _in_window(window: TimeWindow | None, alias: str = "") -> tuple[str, list[date | datetime]]:
    """A run's rows as a condition and its parameters: every row where the run has no window."""
    return (window.sql(alias), window.params) if window else ("true", [])


def _bound(contract: ContractInfo, city: CityConfig, month: date) -> date | datetime:
    """The start of ``month`` on the city's clock, as the contract's time column stores it."""
    if contract.timestamped:
        return local_midnight_utc(city, month)  # timestamps are stored in UTC
    return month


def _zone(contract: ContractInfo, city: CityConfig) -> str | None:
    return str(city_zone(city)) if contract.timestamped else None


def run_window(contract: ContractInfo, city: CityConfig, months: tuple[date, date] | None) -> TimeWindow | None:
    """The rows a run writes: months [start, end) of the city's calendar (None: every row)."""
    if months is None or not contract.time_column:
        return None
    return TimeWindow(contract.time_column, _bound(contract, city, months[0]), _bound(contract, city, months[1]), _zone(contract, city))


def calendar_window(contract: ContractInfo, city: CityConfig, clock: CityClock) -> TimeWindow | None:
    """The reporting calendar: from the city's first month up to the month that has not yet ended."""
    if not contract.time_column:
        return None
    return TimeWindow(contract.time_column, _bound(contract, city, city.city.first_month), _bound(contract, city, clock.current_month), _zone(contract, city))


def calendar_rules(contract: ContractInfo, city: CityConfig, clock: CityClock) -> tuple[str, str]:
    """The rules a row outside the reporting calendar is quarantined under (before it; not yet ended)."""
    column = contract.time_column
    first = city.city.first_month
    last = previous_month(clock.current_month)
    span = f"{month_label(first)} to {month_label(last)}" if last >= first else f"from {month_label(first)}, no month ended yet"
    return (
        f"{column}: period outside the reporting calendar ({span}): before city.first_month (set it earlier to include this month)",
        f"{column}: period outside the reporting calendar ({span}): its month has not ended on the city's clock ({city.city.timezone or 'UTC'})",
    )


def ingest_feed(
    conn: duckdb.DuckDBPyConnection,
    city: CityConfig,
    feed_name: str,
    months: tuple[date, date] | None = None,
    policy: PrivacyPolicy | None = None,
    now: datetime | None = None,
) -> FeedOutcome:
    """Ingest every current file of a feed; for a time-based feed, write only months in [start, end).

    ``now`` (default: the real time) is when the run happens, for the city's clock: which month has
    not yet ended, and what is in the future.
    """
    feed = city.feeds[feed_name]
    contract = get_contract(feed.contract)
    policy = policy or PrivacyPolicy.load(city)
    clock = city_clock(city, now)
    outcome = FeedOutcome(feed_name, contract.name, contract.version)
    landed, outcome.skipped = current_files(conn, city, feed_name, clock)
    ensure_core_table(conn, contract, policy)

    readable: list[tuple[LandedFile, RawSource]] = []
    unreadable: list[tuple[LandedFile, FileError]] = []
    required = _required_columns(contract, feed)
    for index, file in enumerate(landed):
        try:
            if not file.landed_path.is_file():
                raise FileError(feed_name, file.source_path, f"its landing-zone copy {file.landed_path} is missing: restore it, or retire the file")
            source = open_source(conn, feed_name, feed, file.landed_path, required, f"_json_{index}")
        except FileError as error:
            unreadable.append((file, FileError(feed_name, file.source_path, error.problem)))
            continue
        readable.append((file, source))
    try:
        lookups = [load_lookup(conn, feed_name, name, lookup, city.base_dir, city.feeds) for name, lookup in feed.lookup.items()]
    except LookupTableError as error:
        # A lookup that cannot be used sets every file aside with its problem: no row is read without it.
        unreadable += [(file, FileError(feed_name, file.source_path, str(error))) for file, _ in readable]
        readable, lookups = [], []
    with reporting_clock(clock.today, clock.now_utc):
        readable, failed = _load_typed(conn, feed_name, readable, contract, feed, _run_checks(contract, city, clock), lookups)
    unreadable += failed
    window = run_window(contract, city, months)

    with transaction(conn):
        conn.execute("DELETE FROM meta.quarantine WHERE feed = ?", [feed_name])
        conn.execute("DELETE FROM meta.file_reconciliation WHERE feed = ?", [feed_name])
        _clear_core(conn, contract, feed_name, window, [file.sha256 for file in landed])
        if readable:
            _find_failures(conn, contract)
            _write_core(conn, contract, feed_name, window, policy)
            failing = dict(conn.execute(f"SELECT {FILE_INDEX}, count(*) FROM _failures GROUP BY ALL").fetchall())
            _write_quarantine(conn, feed_name, contract, feed, readable, policy, failing, lookups)
            _record_counts(conn, feed_name, contract, readable, window, failing, filtered_by(feed))
        for file, error in unreadable:
            _quarantine_unreadable(conn, feed_name, feed, contract, file, error)
        outcome.files = _file_outcomes(conn, feed_name, landed)
        outcome.top_rules = top_rules(conn, feed_name)
    return outcome


def top_rules(conn: duckdb.DuckDBPyConnection, feed_name: str, limit: int = 10) -> list[tuple[str, int]]:
    """The rules a feed's quarantined rows break most, with how many rows break each."""
    return conn.execute(
        """
        SELECT rule, count(*) AS n FROM (
            -- A duplicate's rule names the row it repeats: count them under one rule.
            SELECT CASE WHEN starts_with(rule, 'duplicate:') THEN ? ELSE rule END AS rule
            FROM (SELECT unnest(failed_rules) AS rule FROM meta.quarantine WHERE feed = ?)
        )
        GROUP BY rule ORDER BY n DESC, rule LIMIT ?
        """,
        [DUPLICATE_RULE, feed_name, limit],
    ).fetchall()


def _required_columns(contract: ContractInfo, feed: FeedConfig) -> dict[str, str]:
    """Contract columns that must be in the export (nullable ones may be absent), by export name."""
    # Columns an unpivot or a lookup adds to the rows are not the file's: they are checked where they are added.
    added = {*(feed.unpivot.added_columns if feed.unpivot else []), *(c for lookup in feed.lookup.values() for c in lookup.columns)}
    required = {
        name: feed.columns.get(name, name)
        for name, column in contract.schema.columns.items()
        if not column.nullable and name not in feed.constants and name not in feed.derive and feed.columns.get(name, name) not in added
    }
    # The columns a filter or a derived column reads must be there too.
    expressions = {f"derive.{name}": text for name, text in feed.derive.items()} | ({"filter": feed.filter} if feed.filter else {})
    for setting, text in expressions.items():
        for column in referenced_columns(check_expression(text, setting)):
            if column not in added:
                required.setdefault(f"{setting}, which reads {column!r}", column)
    # And so must a wide export's unpivoted columns and the lookups' keys.
    for column in feed.unpivot.columns if feed.unpivot else []:
        required.setdefault(f"unpivot, column {column!r}", column)
    for name, lookup in feed.lookup.items():
        for column in lookup.key:
            if column not in added:
                required.setdefault(f"lookup.{name}.key", column)
    return required


def filtered_by(feed: FeedConfig) -> str | None:
    """What rows_filtered counts, in words: the feed's filter, and a wide export's empty cells."""
    reasons = [feed.filter] if feed.filter else []
    if feed.unpivot:
        reasons.append("an empty cell of a wide export (unpivot)")
    return "; or ".join(reasons) or None


def with_file_headers(feed: FeedConfig, headers: list[str]) -> FeedConfig:
    """The feed's column mapping pointed at the file's own header names where they differ only by
    surrounding spaces or case ("Meter # " in the file, "Meter #" in the configuration, or "UOM" and "Uom")."""
    columns = resolve_columns(feed.columns, headers)
    zones = resolve_columns(feed.timezone_columns, headers)
    if columns == feed.columns and zones == feed.timezone_columns:
        return feed
    return feed.model_copy(update={"columns": columns, "timezone_columns": zones})


def _mapped_headers(contract: ContractInfo, feed: FeedConfig, headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Contract column -> the file's header it is read from (as the contract step reads it), and the
    headers that say how to read the others (each row's time zone): part of the feed, not personal."""
    mapping = resolve_columns({name: feed.columns.get(name, name) for name in contract.columns if name not in feed.constants}, headers)
    zones = resolve_columns(feed.timezone_columns, headers).values()
    return {name: header for name, header in mapping.items() if header in headers}, [h for h in zones if h in headers]


def _run_checks(contract: ContractInfo, city: CityConfig, clock: CityClock) -> Callable[[ir.Table], list[tuple[str, ir.BooleanValue]]] | None:
    """The run's rules beyond the contract's: the reporting calendar, and names the project must know (references.py)."""
    checks = [check for check in (_calendar_checks(contract, city, clock), reference_checks(contract.name)) if check is not None]
    if not checks:
        return None
    return lambda table: [rule for check in checks for rule in check(table)]


def _calendar_checks(contract: ContractInfo, city: CityConfig, clock: CityClock) -> Callable[[ir.Table], list[tuple[str, ir.BooleanValue]]] | None:
    """The reporting calendar as rules over a table of typed rows (None for a contract without a time column)."""
    calendar = calendar_window(contract, city, clock)
    if calendar is None:
        return None
    before, not_ended = calendar_rules(contract, city, clock)

    def rules(table: ir.Table) -> list[tuple[str, ir.BooleanValue]]:
        time = table[calendar.column]
        too_early = time < ibis.literal(calendar.start)
        return [(before, too_early), (not_ended, (time >= ibis.literal(calendar.end)) & ~too_early)]

    return rules


def _transformed(feed_name: str, contract: ContractInfo, feed: FeedConfig, headers: list[str]) -> Transformed:
    """The feed's transformations of a file's text rows (filter, derived columns, projected coordinates);
    ``feed``'s mapping already points at the file's ``headers`` (:func:`with_file_headers`)."""
    points = {}
    for point, axes in coordinate_points(contract).items():
        found = {axis: match_header(feed.columns.get(column, column), headers) for axis, column in axes.items()}
        if all(found.values()):  # a point the file has both coordinates of
            points[point] = found
    return transformed_source(
        headers, derive=feed.derive, row_filter=feed.filter, crs=feed.crs, points=points, decimal=feed.decimal, what=f"feed {feed_name!r}",
        cell=feed.unpivot.value if feed.unpivot else None,
    )


def _with_derived(reading: FeedConfig) -> FeedConfig:
    """The feed as the contract step reads a file: each derived contract column pointed at the
    column the transformation adds for it (``reading``'s mapping already points at the file's headers)."""
    if not reading.derive:
        return reading
    return reading.model_copy(update={"columns": {**reading.columns, **{name: DERIVED_PREFIX + name for name in reading.derive}}})


def _checked_rows(
    raw: ir.Table, index: int, contract: ContractInfo, feed: FeedConfig, run_rules: Callable | None, flags: dict[str, str] | None = None
) -> ir.Table:
    """A file's rows as the contract's typed columns plus ``__failed_rules`` (every rule but the
    unique key; NULL where the row breaks none) and ``__filtered`` (not this feed's row, by its
    filter: it breaks no rule), computed in the pass that reads the file. ``flags`` are boolean columns
    of ``raw`` that break a rule where true (a lookup's key without a match), with the rule."""
    flags = flags or {}
    typed, cast_failed = typed_columns(raw, contract, feed)
    table = raw.select(
        **{FILE_INDEX: ibis.literal(index, type="int32")},
        **typed,
        **{f"{CAST_FAILED}{name}": failed_cast for name, failed_cast in cast_failed.items()},
        **{KEEP: raw[KEEP]},
        **{flag: raw[flag] for flag in flags},
    )
    cast_flags = {name: f"{CAST_FAILED}{name}" for name in cast_failed}
    extra = [*(run_rules(table) if run_rules else ()), *((rule, table[flag]) for flag, rule in flags.items())]
    checked = with_failed_rules(table, contract, cast_flags, extra)
    kept = checked[KEEP]
    return checked.select(
        FILE_INDEX,
        *contract.columns,
        **{FAILED_RULES: ibis.ifelse(kept, checked[FAILED_RULES], ibis.null(checked[FAILED_RULES].type())), FILTERED: ~kept},
    )


def _reshaped(feed_name: str, feed: FeedConfig, headers: list[str], lookups: list[LookupTable]) -> Reshaped:
    """The file's rows after its lookups and unpivot (the file's own rows where the feed has neither)."""
    columns = [c for c in headers if c not in (SOURCE_ROW, RAW_JSON)]
    reshaped = reshaped_source(columns, unpivot=feed.unpivot, lookups=lookups, what=f"feed {feed_name!r}")
    return Reshaped(reshaped.sql, reshaped.params, [*reshaped.columns, *(c for c in headers if c not in columns)], reshaped.cells, reshaped.flags)


def _load_typed(
    conn: duckdb.DuckDBPyConnection,
    feed_name: str,
    readable: list[tuple[LandedFile, RawSource]],
    contract: ContractInfo,
    feed: FeedConfig,
    run_rules: Callable[[ir.Table], list[tuple[str, ir.BooleanValue]]] | None = None,
    lookups: list[LookupTable] | None = None,
) -> tuple[list[tuple[LandedFile, RawSource]], list[tuple[LandedFile, FileError]]]:
    """Read every readable file once into ``_typed``: contract columns cast from text, and the rules
    each row breaks (the contract's, less the unique key, and the ``run_rules``: the reporting calendar's, unknown names), checked
    in the same pass: only the failing rows carry a list, and nothing else is stored per row.

    Files are read in parallel with insertion order kept, so rows are stored in file order and a
    row's record number is its position after the file's first row (numbering rows inside the scan
    would run the whole read on one thread). A file DuckDB cannot read to its end (a malformed row
    past the part checked before reading) is set aside whole, like any unreadable file, and the
    feed's other files carry on. Returns the files loaded and those set aside.

    An unpivoted file gives N long rows per record, in order (``_files.cells`` = N, ``fields`` their
    columns), so a row's record is its position // N + 1 and its column fields[position % N + 1].
    """
    conn.execute("DROP VIEW IF EXISTS _kept")
    conn.execute("DROP VIEW IF EXISTS _typed")
    conn.execute("DROP TABLE IF EXISTS _typed_rows")
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE _files ({FILE_INDEX} INTEGER, {FILE_SHA} VARCHAR, source_name VARCHAR, first_rowid BIGINT, rows_read BIGINT, "
        "cells INTEGER, fields VARCHAR[])"
    )
    loaded: list[tuple[LandedFile, RawSource]] = []
    failed: list[tuple[LandedFile, FileError]] = []
    spec_failures: list[tuple[int, int, list[str]]] = []
    created = False
    if feed.crs:
        conn.execute("LOAD spatial")  # ST_Transform, for coordinates in a projected system
    conn.execute("SET preserve_insertion_order = true")
    # An IN list of more than a few values (an allowed-values check) is planned as a join, and the
    # join gives up the file order that row numbers are read from: keep IN lists as expressions.
    conn.execute("SET disabled_optimizers = 'in_clause'")
    try:
        for file, source in readable:
            index = len(loaded)
            try:
                reshaped = _reshaped(feed_name, feed, source.columns, lookups or [])
                reading = with_file_headers(feed, reshaped.columns)  # once, for the transformations and the casts
                transformed = _transformed(feed_name, contract, reading, reshaped.columns)
            except (MissingColumn, LookupTableError) as error:
                failed.append((file, FileError(feed_name, file.source_path, str(error))))
                continue
            raw = ibis.table(dict.fromkeys(transformed.columns, "string") | dict.fromkeys([KEEP, *reshaped.flags], "boolean"), name="__raw__")
            expr = _checked_rows(raw, index, contract, _with_derived(reading), run_rules, reshaped.flags)
            select = (
                f"WITH __file__ AS ({source.scan_sql}), __source__ AS ({reshaped.sql}), __raw__ AS ({transformed.sql}) "
                f"SELECT * FROM ({ibis.to_sql(expr, dialect='duckdb')})"
            )
            params = [*source.params, *reshaped.params, *transformed.params]
            if not created:
                conn.execute(f"CREATE TEMP TABLE _typed_rows AS {select} LIMIT 0", params)
                created = True
            first_rowid = conn.execute("SELECT count(*) FROM _typed_rows").fetchone()[0]
            try:
                conn.execute(f"INSERT INTO _typed_rows BY NAME {select}", params)
            except (duckdb.InvalidInputException, duckdb.ConversionException) as exc:
                # One statement: nothing of the file was inserted. DuckDB's message quotes the row; say only where and why.
                failed.append((file, FileError(feed_name, file.source_path, f"cannot be read as {feed.format.upper()}: {csv_problem(str(exc), feed)}")))
                continue
            rows_read = conn.execute("SELECT count(*) FROM _typed_rows").fetchone()[0] - first_rowid
            cells = reshaped.cells or []
            conn.execute(
                "INSERT INTO _files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [index, file.sha256, file.source_path.name, first_rowid, rows_read, max(len(cells), 1), cells or None],
            )
            spec_failures += [(index, row, rules) for row, rules in source.row_rules.items()]
            loaded.append((file, source))
    finally:
        conn.execute("SET preserve_insertion_order = false")
        conn.execute("RESET disabled_optimizers")
    # Record-level breaches of a JSON Schema: loaded as one table, not a statement per record.
    conn.register("_spec_arrow", pa.table({
        FILE_INDEX: pa.array([f[0] for f in spec_failures], pa.int32()),
        FILE_ROW: pa.array([f[1] for f in spec_failures], pa.int64()),
        "rules": pa.array([f[2] for f in spec_failures], pa.list_(pa.string())),
    }))
    conn.execute("CREATE OR REPLACE TEMP TABLE _spec_failures AS SELECT * FROM _spec_arrow")
    conn.unregister("_spec_arrow")
    if loaded:
        conn.execute(f"CREATE TEMP VIEW _typed AS SELECT rowid AS {ROW_ID}, * FROM _typed_rows")
        # The feed's own rows: all but those its filter leaves out.
        conn.execute(f"CREATE OR REPLACE TEMP VIEW _kept AS SELECT * FROM _typed WHERE NOT {FILTERED}")
    return loaded, failed


def _record_sql(row_id: str, files: str) -> str:
    """A row's record number in its file, from its position (an unpivoted record holds ``cells`` rows)."""
    return f"(({row_id} - {files}.first_rowid) // {files}.cells + 1)"


def _field_sql(row_id: str, files: str) -> str:
    """The wide export's column a row was unpivoted from (NULL for a feed that is not unpivoted)."""
    return f"{files}.fields[({row_id} - {files}.first_rowid) % {files}.cells + 1]"


def _find_failures(conn: duckdb.DuckDBPyConnection, contract: ContractInfo) -> None:
    """``_failures``: each failing row of ``_typed`` with its rules, in file order of rules.

    The read flagged every rule but the unique key; here a JSON record's breaches of its published
    schema join them (first), and then the unique key is judged over the rows that break nothing else.
    """
    conn.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _failures AS
        WITH spec AS (
            -- A record breaking its schema breaks it in each of its unpivoted rows.
            SELECT files.first_rowid + (spec.{FILE_ROW} - 1) * files.cells + unnest(range(files.cells)) AS {ROW_ID}, spec.{FILE_INDEX}, spec.rules
            FROM _spec_failures AS spec JOIN _files AS files USING ({FILE_INDEX})
        ),
        flagged AS (
            SELECT {ROW_ID}, {FILE_INDEX}, {FAILED_RULES} AS rules FROM _typed WHERE {FAILED_RULES} IS NOT NULL
        ),
        failing AS (
            SELECT coalesce(flagged.{ROW_ID}, spec.{ROW_ID}) AS {ROW_ID}, coalesce(flagged.{FILE_INDEX}, spec.{FILE_INDEX}) AS {FILE_INDEX},
                   list_concat(coalesce(spec.rules, []), coalesce(flagged.rules, [])) AS rules
            FROM flagged FULL OUTER JOIN spec USING ({ROW_ID})
        )
        SELECT failing.*, {_record_sql(f"failing.{ROW_ID}", "files")} AS {FILE_ROW}, {_field_sql(f"failing.{ROW_ID}", "files")} AS {FIELD}
        FROM failing JOIN _files AS files USING ({FILE_INDEX})
        """
    )
    if contract.unique:
        _judge_shared_keys(conn, contract)


def _judge_shared_keys(conn: duckdb.DuckDBPyConnection, contract: ContractInfo) -> None:
    """Rows that break no other rule but share a unique key: exact copies, or a conflict.

    A key is compared only among rows that break nothing else, so a broken copy of a good row (a
    placeholder date, a record breaking its schema) is quarantined for what it breaks and the good
    row stands; as in SQL, a key with a null part equals no other key (but an exact copy of such a
    row is still a copy). Where rows are identical in every
    contract column, the first (in file order, files in name order) is kept and each later copy is
    quarantined as a duplicate naming the row it repeats. Rows that share the key but differ are all
    quarantined under the unique rule: which is right is a question for the department, not a guess.
    Only the rows whose key is shared are compared column by column.
    """
    keys = [quote_ident(c) for c in contract.unique]
    key_list = ", ".join(keys)
    # Keys are first compared by a hash of the key, over a narrow table of row ids: a GROUP BY over
    # millions of full keys (or of full rows) spills to disk under the memory cap. Rows whose key
    # hashes alike are then compared on the key itself, so a hash collision changes nothing.
    conn.execute(
        f"""
        INSERT INTO _failures BY NAME
        WITH passing AS (
            SELECT t.{ROW_ID}, hash({key_list}) AS key_hash, ({" OR ".join(f"t.{k} IS NULL" for k in keys)}) AS null_key
            FROM _kept AS t
            ANTI JOIN _failures AS f ON f.{ROW_ID} = t.{ROW_ID}
        ),
        shared_hashes AS (
            SELECT key_hash FROM passing WHERE NOT null_key GROUP BY ALL HAVING count(*) > 1
        ),
        -- Rows whose key may be shared, and rows whose key has a null part (compared for exact copies
        -- only: an EV session without a port number, delivered twice, is still one session).
        candidate_ids AS (
            SELECT {ROW_ID}, true AS keyed FROM passing SEMI JOIN shared_hashes USING (key_hash) WHERE NOT null_key
            UNION ALL
            SELECT {ROW_ID}, false AS keyed FROM passing WHERE null_key
        ),
        shared AS (
            SELECT t.{ROW_ID}, t.{FILE_INDEX}, c.keyed, {", ".join(f"t.{k}" for k in keys)},
                   min(t.{ROW_ID}) OVER (PARTITION BY {", ".join(f"t.{quote_ident(c)}" for c in contract.columns)}) AS original
            FROM _typed AS t JOIN candidate_ids AS c USING ({ROW_ID})
        ),
        versions AS (
            SELECT *, CASE WHEN keyed THEN count(DISTINCT original) OVER (PARTITION BY {", ".join(keys)}) ELSE 1 END AS versions FROM shared
        ),
        judged AS (
            SELECT
                versions.{ROW_ID},
                versions.{FILE_INDEX},
                list_concat(
                    CASE WHEN versions.versions > 1 THEN [?] ELSE []::VARCHAR[] END,
                    CASE WHEN versions.original = versions.{ROW_ID} THEN []::VARCHAR[]
                         ELSE ['duplicate: an exact copy of row ' || {_record_sql("versions.original", "origin")}
                               || coalesce(' (' || {_field_sql("versions.original", "origin")} || ')', '') || ' of ' || origin.source_name
                               || CASE WHEN versions.versions > 1 THEN ' (quarantined too: other rows share its key)' ELSE ', which is kept' END]
                    END
                ) AS rules
            FROM versions
            JOIN _files AS origin ON versions.original >= origin.first_rowid AND versions.original < origin.first_rowid + origin.rows_read
        )
        SELECT judged.{ROW_ID}, judged.{FILE_INDEX}, judged.rules, {_record_sql(f"judged.{ROW_ID}", "files")} AS {FILE_ROW},
               {_field_sql(f"judged.{ROW_ID}", "files")} AS {FIELD}
        FROM judged JOIN _files AS files USING ({FILE_INDEX})
        WHERE len(judged.rules) > 0
        """,
        [unique_rule(contract)],
    )


def _write_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, window: TimeWindow | None, policy: PrivacyPolicy) -> None:
    """Insert the accepted rows of the run's months, as the privacy policy leaves them."""
    select = core_select(contract, policy, "t.")
    if needs_tract_boundaries(contract, policy):
        prepare_tract_shapes(conn)
    names = ", ".join(quote_ident(name) for name in select.expressions)
    in_window, window_params = _in_window(window, "t.")
    conn.execute(
        f"""
        INSERT INTO {core_table(contract)} ({names}, {FEED}, {FILE_SHA}, {FILE_ROW}, {FILE_FIELD})
        SELECT {", ".join(select.expressions.values())}, ?, files.{FILE_SHA}, {_record_sql(f"t.{ROW_ID}", "files")}, {_field_sql(f"t.{ROW_ID}", "files")}
        FROM (
            SELECT * FROM _kept AS t
            ANTI JOIN _failures AS f ON f.{ROW_ID} = t.{ROW_ID}
            WHERE {in_window}
        ) AS t
        JOIN _files AS files USING ({FILE_INDEX})
        {" ".join(select.joins)}
        """,
        [*select.params, feed_name, *window_params],
    )


def _write_quarantine(
    conn: duckdb.DuckDBPyConnection,
    feed_name: str,
    contract: ContractInfo,
    feed: FeedConfig,
    readable: list[tuple[LandedFile, RawSource]],
    policy: PrivacyPolicy,
    failing: dict[int, int],
    lookups: list[LookupTable] | None = None,
) -> None:
    """Quarantine the failing rows of each file (``failing``: how many, by file index) with their rules and allow-listed values.

    The values are the row's after its lookups and unpivot (an unpivoted row shows its cell and its
    constants, and the record's other columns), with ``source_field`` naming the cell's column."""
    for index, (file, source) in enumerate(readable):
        if not failing.get(index):
            continue
        reshaped = _reshaped("", feed, source.columns, lookups or [])
        headers = [c for c in reshaped.columns if c not in (SOURCE_ROW, RAW_JSON, FIELD, *reshaped.flags)]
        mapped, reading = _mapped_headers(contract, feed, headers)
        values, value_params = quarantine_values_sql(
            headers, mapped, contract, policy, [*feed.non_personal_columns, *reading], "r.", RAW_JSON if source.raw_json_column else None
        )
        # Back to the file for the failing rows' text, as the export had it: only those records are read.
        same_field = f"f.{FIELD} = r.{FIELD}" if reshaped.cells else "true"
        rows = [row for (row,) in conn.execute(f"SELECT DISTINCT {FILE_ROW} FROM _failures WHERE {FILE_INDEX} = ?", [index]).fetchall()]
        records = conn.execute(f"SELECT rows_read // cells FROM _files WHERE {FILE_INDEX} = ?", [index]).fetchone()[0]
        with chosen_records(source, rows, records) as failing_source:
            conn.execute(
                f"""
                INSERT INTO meta.quarantine ({QUARANTINE_COLUMNS})
                WITH __file__ AS ({failing_source.sql}), __raw__ AS ({reshaped.sql})
                SELECT ?, ?, ?, f.{FILE_ROW}, ?, ?, f.rules, {values}, f.{FIELD}
                FROM __raw__ AS r
                JOIN _failures AS f ON f.{FILE_ROW} = r.{SOURCE_ROW} AND {same_field} AND f.{FILE_INDEX} = ?
                ORDER BY f.{FILE_ROW}, f.{ROW_ID}
                """,
                [
                    *failing_source.params, *reshaped.params, feed_name, str(file.source_path), file.sha256, contract.name, contract.version,
                    *value_params, index,
                ],
            )


def _record_counts(
    conn: duckdb.DuckDBPyConnection,
    feed_name: str,
    contract: ContractInfo,
    readable: list[tuple[LandedFile, RawSource]],
    window: TimeWindow | None,
    quarantined: dict[int, int],
    row_filter: str | None = None,
) -> None:
    """Per file, where its rows went; rows written are counted in core, not worked out. ``row_filter``
    says what the rows filtered out are (see :func:`filtered_by`); for an unpivoted feed, rows are its long rows."""
    window_sql, window_params = _in_window(window)
    written = dict(
        conn.execute(
            f"SELECT {FILE_SHA}, count(*) FROM {core_table(contract)} WHERE {FEED} = ? AND {window_sql} GROUP BY ALL",
            [feed_name, *window_params],
        ).fetchall()
    )
    other_months: dict[int, tuple[int, list[str]]] = {}
    if window is not None:
        # Accepted rows outside the run's months: another partition's run writes them.
        month, month_params = _month_sql(window, "t.")
        for index, rows, months in conn.execute(
            f"""
            SELECT {FILE_INDEX}, count(*), list(DISTINCT month ORDER BY month) FROM (
                SELECT t.{FILE_INDEX}, {month} AS month FROM _kept AS t
                ANTI JOIN _failures AS f ON f.{ROW_ID} = t.{ROW_ID}
                WHERE NOT ({window.sql("t.")})
            ) GROUP BY ALL
            """,
            [*month_params, *window.params],
        ).fetchall():
            other_months[index] = (rows, months)
    files = dict(conn.execute(f"SELECT {FILE_INDEX}, rows_read FROM _files").fetchall())
    # Rows the feed's filter leaves out (counted from the rows, not worked out from the others).
    filtered = dict(conn.execute(f"SELECT {FILE_INDEX}, count(*) FROM _typed WHERE {FILTERED} GROUP BY ALL").fetchall()) if row_filter else {}
    for index, (file, _) in enumerate(readable):
        held, months = other_months.get(index, (0, []))
        conn.execute(
            "INSERT INTO meta.file_reconciliation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [
                feed_name, str(file.source_path), file.sha256, contract.name, contract.version,
                files[index], written.get(file.sha256, 0), quarantined.get(index, 0), filtered.get(index, 0), held, months,
                *(window.params if window else [None, None]), row_filter,
            ],
        )


def _month_sql(window: TimeWindow, alias: str) -> tuple[str, list[str]]:
    """The month (YYYY-MM) of a row's time column, for timestamps on the city's clock; and its parameters."""
    column = f"{alias}{quote_ident(window.column)}"
    if window.zone is not None:
        return f"strftime(timezone(?, {column}::TIMESTAMPTZ), '%Y-%m')", [window.zone]
    return f"strftime({column}, '%Y-%m')", []


def _clear_core(conn: duckdb.DuckDBPyConnection, contract: ContractInfo, feed_name: str, window: TimeWindow | None, current: list[str]) -> None:
    """Remove the feed's rows for the months being replaced (all of them for a non-time feed), and,
    in every month, the rows of files that are no longer current (a replaced version, a retired file):
    a one-month run must not leave a predecessor's other months in core."""
    in_window, window_params = _in_window(window)
    conn.execute(
        f"DELETE FROM {core_table(contract)} WHERE {FEED} = ? AND ({in_window} OR NOT list_contains(?, {FILE_SHA}))",
        [feed_name, *window_params, current],
    )


def _quarantine_unreadable(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, contract: ContractInfo, file: LandedFile, error: FileError
) -> None:
    """An unreadable file is quarantined line by line under its file-level error: nothing is lost.

    A line that could not be split into columns cannot be shown column by column, so, as for any
    column the contract does not govern, its text is withheld (the landing zone keeps the file)
    unless the feed declares that its export holds no personal data (``non_personal_columns: ['*']``).
    """
    lines = read_lines_for_quarantine(file.landed_path, feed) if file.landed_path.is_file() else []
    if not exports_no_personal_columns(feed.non_personal_columns):
        lines = [(number, WITHHELD_LINE) for number, _ in lines]
    rule = f"file: {error.problem}"
    if lines:
        # One table, not a statement per line: a 5-million-line file in the wrong encoding is one insert.
        conn.register("_unreadable_lines", pa.table({
            "source_row": pa.array([number for number, _ in lines], pa.int64()),
            "raw_values": pa.array([json.dumps({"line": line}, ensure_ascii=False) for _, line in lines], pa.string()),
        }))
        try:
            conn.execute(
                f"INSERT INTO meta.quarantine ({QUARANTINE_COLUMNS}) SELECT ?, ?, ?, source_row, ?, ?, [?], raw_values::JSON, NULL FROM _unreadable_lines",
                [feed_name, str(file.source_path), file.sha256, contract.name, contract.version, rule],
            )
        finally:
            conn.unregister("_unreadable_lines")
    conn.execute(
        "INSERT INTO meta.file_reconciliation VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, 0, [], NULL, NULL, ?, NULL)",
        [feed_name, str(file.source_path), file.sha256, contract.name, contract.version, len(lines), len(lines), str(error)],
    )


def _file_outcomes(conn: duckdb.DuckDBPyConnection, feed_name: str, landed: list[LandedFile]) -> list[FileOutcome]:
    rows = {
        row[0]: row[1:]
        for row in conn.execute(
            """SELECT file_sha256, rows_read, rows_written, rows_quarantined, rows_filtered, rows_other_months, other_months, file_error
               FROM meta.file_reconciliation WHERE feed = ?""",
            [feed_name],
        ).fetchall()
    }
    outcomes = []
    for f in landed:
        read, written, quarantined, filtered, held, months, error = rows.get(f.sha256, (0, 0, 0, 0, 0, [], None))
        outcomes.append(FileOutcome(f.source_path, f.sha256, read, written, quarantined, filtered, held, list(months), error))
    return outcomes
