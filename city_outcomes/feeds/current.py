"""A feed's current files: what the warehouse holds rows from, kept apart from what the inbox holds now.

The inbox is where departments drop exports; it is not the record. Every file delivered stays
current, under its name, until an operator retires it (``city-outcomes retire``): removing it from
the inbox does not delete its rows. A new version under the same name replaces its predecessor.
Bytes an operator retired stay retired if they are delivered again.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from city_outcomes.calendar import CityClock
from city_outcomes.config import CityConfig
from city_outcomes.feeds.inbox import settled_files
from city_outcomes.feeds.landing import LandedFile, land_file
from city_outcomes.warehouse import transaction


@dataclass(frozen=True)
class SkippedFile:
    """An inbox file this run did not ingest, and why."""

    path: Path
    reason: str


def inbox_files(city: CityConfig, feed_name: str) -> tuple[list[Path], list[SkippedFile]]:
    """The feed's inbox files ready to ingest, and those skipped because they may still be being
    written (judged by the real time, not the reporting clock: it is about the copy, not the data)."""
    settled, unsettled = settled_files(city, feed_name)
    return settled, [SkippedFile(file.path, file.why()) for file in unsettled]


def current_files(conn: duckdb.DuckDBPyConnection, city: CityConfig, feed_name: str, clock: CityClock) -> tuple[list[LandedFile], list[SkippedFile]]:
    """Land the feed's inbox files and return its current files (one per content), with what was skipped.

    Current: the latest delivered version of every file name ever delivered and not retired, read
    from the landing zone, whether or not the inbox still holds it. A file still being written keeps
    its previous version current until it settles. Every name is recorded; the same bytes under a
    second name are read once, under the first name (in name order).
    """
    retired = {
        sha: (when, who, why)
        for sha, when, who, why in conn.execute(
            "SELECT file_sha256, retired_at, retired_by, reason FROM meta.retired_files WHERE feed = ?", [feed_name]
        ).fetchall()
    }
    ready, skipped = inbox_files(city, feed_name)
    for path in ready:
        file = land_file(conn, feed_name, path, city.landing_dir)
        if file.sha256 in retired:
            when, who, why = retired[file.sha256]
            skipped.append(SkippedFile(path, f"retired on {when:%Y-%m-%d} by {who} ({why}); these bytes stay retired: deliver a corrected file"))
            continue
        # Current as soon as it has landed (both outside the ingest's transaction): a run that dies
        # before writing must not lose a delivery that has since left the inbox.
        conn.execute(
            """
            INSERT INTO meta.current_files VALUES (?, ?, ?, ?)
            ON CONFLICT (feed, source_path) DO UPDATE SET file_sha256 = excluded.file_sha256, current_since = excluded.current_since
            WHERE current_files.file_sha256 <> excluded.file_sha256
            """,
            [feed_name, str(path), file.sha256, clock.now_utc.replace(tzinfo=UTC)],
        )
    unique: list[LandedFile] = []
    first_name: dict[str, Path] = {}
    for source, sha, landed, size in conn.execute(
        """
        SELECT c.source_path, c.file_sha256, l.landed_path, l.size_bytes
        FROM meta.current_files AS c JOIN meta.landed_files AS l USING (feed, file_sha256)
        WHERE c.feed = ? ORDER BY c.source_path
        """,
        [feed_name],
    ).fetchall():
        if sha in first_name:
            skipped.append(SkippedFile(Path(source), f"the same bytes as {first_name[sha].name}: its rows are counted once, under that name"))
            continue
        first_name[sha] = Path(source)
        unique.append(LandedFile(feed_name, Path(source), Path(landed), sha, size))
    return unique, skipped


@dataclass(frozen=True)
class RetiredFile:
    """A file an operator retired, and how many of its rows left the warehouse."""

    feed: str
    source_path: str
    sha256: str
    rows_removed: int
    rows_unquarantined: int


def recorded_contract(conn: duckdb.DuckDBPyConnection, feed_name: str) -> str | None:
    """The contract a feed's files were last ingested under (for a feed no longer configured)."""
    return conn.execute("SELECT any_value(contract) FROM meta.file_reconciliation WHERE feed = ?", [feed_name]).fetchone()[0]


class RetireError(ValueError):
    """The file to retire is not one of the feed's current files, or is ambiguous."""


def retire_file(
    conn: duckdb.DuckDBPyConnection, feed_name: str, file: str, reason: str, by: str | None = None, contract_table: str | None = None
) -> RetiredFile:
    """Retire a current file of a feed: its rows leave core and the quarantine, recorded with who, when and why.

    ``file`` is its path as delivered, its file name, or a prefix of its SHA-256 (at least 8 characters).
    """
    if not reason.strip():
        raise RetireError("say why the file is retired (--reason): the record is for auditors")
    candidates = conn.execute("SELECT source_path, file_sha256 FROM meta.current_files WHERE feed = ? ORDER BY source_path", [feed_name]).fetchall()
    matches = [
        (path, sha) for path, sha in candidates
        if path == file or Path(path).name == file or str(Path(file).resolve()) == path or (len(file) >= 8 and sha.startswith(file))
    ]
    if len(matches) != 1:
        known = "; ".join(f"{Path(p).name} ({s[:12]})" for p, s in candidates) or "none"
        problem = "matches several files" if matches else "is not a current file"
        raise RetireError(f"feed {feed_name!r}: {file!r} {problem}; its current files: {known}")
    path, sha = matches[0]
    removed = unquarantined = 0
    with transaction(conn):
        conn.execute("DELETE FROM meta.current_files WHERE feed = ? AND source_path = ?", [feed_name, path])
        still_current = [row[0] for row in conn.execute("SELECT DISTINCT file_sha256 FROM meta.current_files WHERE feed = ?", [feed_name]).fetchall()]
        if contract_table is not None:
            # The file's rows, and any earlier version's a one-month run left behind; not rows another
            # name with the same bytes still holds.
            stale = f"FROM {contract_table} WHERE _feed = ? AND NOT list_contains(?, _file_sha256)"
            removed = conn.execute(f"SELECT count(*) {stale}", [feed_name, still_current]).fetchone()[0]
            conn.execute(f"DELETE {stale}", [feed_name, still_current])
        if sha not in still_current:
            unquarantined = conn.execute("SELECT count(*) FROM meta.quarantine WHERE feed = ? AND file_sha256 = ?", [feed_name, sha]).fetchone()[0]
            conn.execute("DELETE FROM meta.quarantine WHERE feed = ? AND file_sha256 = ?", [feed_name, sha])
            conn.execute("DELETE FROM meta.file_reconciliation WHERE feed = ? AND file_sha256 = ?", [feed_name, sha])
        conn.execute(
            "INSERT INTO meta.retired_files VALUES (?, ?, ?, ?, ?, ?)",
            [feed_name, path, sha, datetime.now(UTC), by or getpass.getuser(), reason.strip()],
        )
    return RetiredFile(feed_name, path, sha, removed, unquarantined)
