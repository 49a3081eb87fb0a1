"""Reading a feed file into DuckDB as text, exactly as the department exported it.

Every column is read as text so that a bad value becomes a quarantined row with its rule, not a
failed load. Each row keeps ``source_row``: its 1-based record number in the file (header
excluded; the same as its line number minus one unless a quoted field spans lines).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from city_outcomes.config import FeedConfig
from city_outcomes.warehouse import quote_ident

SOURCE_ROW = "__source_row"


class FileError(Exception):
    """A file that cannot be read as its feed's format: it is quarantined whole."""

    def __init__(self, feed: str, path: Path, problem: str) -> None:
        super().__init__(f"feed {feed!r}, file {path}: {problem}")
        self.feed = feed
        self.path = path
        self.problem = problem


def read_csv_as_text(
    conn: duckdb.DuckDBPyConnection, table: str, feed_name: str, feed: FeedConfig, path: Path, required: dict[str, str]
) -> int:
    """Load a CSV into temp table ``table`` (all VARCHAR, plus ``__source_row``); return its row count.

    ``required`` maps contract columns to the export's column names that must be present.
    Raises :class:`FileError` naming the file and the problem when it cannot be read.
    """
    if path.stat().st_size == 0:
        raise FileError(feed_name, path, "the file is empty (0 bytes)")
    encoding = feed.encoding.lower().replace("_", "-")
    try:
        conn.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {quote_ident(table)} AS
            SELECT * RENAME (ordinality AS {SOURCE_ROW})
            FROM read_csv(?, all_varchar = true, header = true, delim = ?, quote = ?, escape = ?,
                          encoding = ?, strict_mode = true, null_padding = false)
            WITH ORDINALITY
            """,
            [str(path), feed.delimiter, feed.quote, feed.quote, encoding],
        )
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise FileError(feed_name, path, f"cannot be read as CSV with encoding {feed.encoding!r} and delimiter {feed.delimiter!r}: {first_line}") from exc
    columns = [row[0] for row in conn.execute(f"DESCRIBE {quote_ident(table)}").fetchall() if row[0] != SOURCE_ROW]
    missing = {contract_col: source_col for contract_col, source_col in required.items() if source_col not in columns}
    if missing:
        wanted = ", ".join(f"{src!r} (for {col})" for col, src in missing.items())
        hint = f"; only one column was found ({columns[0]!r}): is the delimiter {feed.delimiter!r} right?" if len(columns) == 1 else ""
        raise FileError(feed_name, path, f"required column(s) missing: {wanted}; the file has {columns}{hint}")
    return conn.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0]


def read_lines_for_quarantine(path: Path, encoding: str) -> list[tuple[int, str]]:
    """The non-blank data lines of an unreadable file, numbered after the header, for the quarantine."""
    text = path.read_bytes().decode(encoding, errors="replace")
    return [(number, line) for number, line in enumerate(text.splitlines()[1:], start=1) if line.strip()]
