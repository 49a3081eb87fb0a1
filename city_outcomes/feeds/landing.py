"""The landing zone: an immutable, content-addressed copy of every file a feed delivered.

Reading the same bytes again is a no-op; a changed file under the same name lands as a new
version beside its predecessor. Only the landing zone keeps raw content, and it is never published.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

_CHUNK = 1 << 20


@dataclass(frozen=True)
class LandedFile:
    """A feed file as recorded in the landing zone."""

    feed: str
    source_path: Path
    landed_path: Path
    sha256: str
    size_bytes: int


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so large feeds stay out of memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def land_file(conn: duckdb.DuckDBPyConnection, feed: str, source: Path, landing_dir: Path) -> LandedFile:
    """Copy a file into the landing zone (once per content hash) and record its arrival."""
    sha = sha256_of(source)
    target = landing_dir / feed / sha[:2] / sha / source.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a temporary name, then rename: a crash never leaves a half-written landed file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".landing-")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    landed = LandedFile(feed, source, target, sha, target.stat().st_size)
    conn.execute(
        """
        INSERT INTO meta.landed_files (feed, file_sha256, source_path, landed_path, size_bytes, arrived_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """,
        [feed, sha, str(source), str(target), landed.size_bytes, datetime.now(UTC)],
    )
    return landed
