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
    return settled, [SkippedFile(file.path, file.message()) for file in unsettled]


def current_files(conn: duckdb.DuckDBPyConnection, city: CityConfig, feed_name: str, clock: CityClock) -> tuple[list[LandedFile], list[SkippedFile]]:
    """Land the feed's inbox files and return its current files (one per content), with what was skipped.

    Current: the latest delivered version of every file name ever delivered and not retired, read
    from the landing zone, whether or not the inbox still holds it. A file still being written keeps
    its previous version current until it settles.
    """
    current: dict[str, LandedFile] = {
        source: LandedFile(feed_name, Path(source), Path(landed), sha, size)
        for source, sha, landed, size in conn.execute(
            """
            SELECT c.source_path, c.file_sha256, l.landed_path, l.size_bytes
            FROM meta.current_files AS c JOIN meta.landed_files AS l USING (feed, file_sha256)
            WHERE c.feed = ?
            """,
            [feed_name],
        ).fetchall()
    }
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
        current[str(path)] = file
    unique: list[LandedFile] = []
    for source in sorted(current):
        # The same bytes under a second name are the same delivery: count them once.
        if current[source].sha256 not in {other.sha256 for other in unique}:
            unique.append(current[source])
    return unique, skipped


def record_current_files(conn: duckdb.DuckDBPyConnection, feed_name: str, files: list[LandedFile], clock: CityClock) -> None:
    """Record the feed's current files (inside the ingest's transaction), keeping when each became current."""
    since = dict(
        conn.execute("SELECT source_path || '|' || file_sha256, current_since FROM meta.current_files WHERE feed = ?", [feed_name]).fetchall()
    )
    conn.execute("DELETE FROM meta.current_files WHERE feed = ?", [feed_name])
    now = clock.now_utc.replace(tzinfo=UTC)
    if not files:
        return
    conn.executemany(
        "INSERT INTO meta.current_files VALUES (?, ?, ?, ?)",
        [[feed_name, str(f.source_path), f.sha256, since.get(f"{f.source_path}|{f.sha256}", now)] for f in files],
    )


@dataclass(frozen=True)
class RetiredFile:
    """A file an operator retired, and how many of its rows left the warehouse."""

    feed: str
    source_path: str
    sha256: str
    rows_removed: int
    rows_unquarantined: int


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
        if contract_table is not None:
            removed = conn.execute(f"SELECT count(*) FROM {contract_table} WHERE _feed = ? AND _file_sha256 = ?", [feed_name, sha]).fetchone()[0]
            conn.execute(f"DELETE FROM {contract_table} WHERE _feed = ? AND _file_sha256 = ?", [feed_name, sha])
        unquarantined = conn.execute("SELECT count(*) FROM meta.quarantine WHERE feed = ? AND file_sha256 = ?", [feed_name, sha]).fetchone()[0]
        conn.execute("DELETE FROM meta.quarantine WHERE feed = ? AND file_sha256 = ?", [feed_name, sha])
        conn.execute("DELETE FROM meta.file_reconciliation WHERE feed = ? AND file_sha256 = ?", [feed_name, sha])
        conn.execute("DELETE FROM meta.current_files WHERE feed = ? AND source_path = ?", [feed_name, path])
        conn.execute(
            "INSERT INTO meta.retired_files VALUES (?, ?, ?, ?, ?, ?)",
            [feed_name, path, sha, datetime.now(UTC), by or getpass.getuser(), reason.strip()],
        )
    return RetiredFile(feed_name, path, sha, removed, unquarantined)
