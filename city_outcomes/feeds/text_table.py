"""A file's records streamed into a DuckDB temporary table of text columns, in record batches.

XML and spreadsheet readers yield one record at a time (a mapping of column name to text or None);
this writer gathers them into pyarrow record batches of :data:`BATCH_ROWS` and appends each batch
to the table, so a large file never sits in memory as a whole. Every column is text; the record's
1-based number is ``__source_row``. A column first seen in a later record is added to the table
(earlier records hold null in it), as a JSON record array's keys are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb
import pyarrow as pa

from city_outcomes.warehouse import quote_ident

BATCH_ROWS = 50_000


class TextTableWriter:
    """Append records of text to a temporary table ``name`` (created on the first batch)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, name: str, source_row: str, columns: Iterable[str] = ()) -> None:
        self.conn = conn
        self.name = name
        self.source_row = source_row
        self.columns: list[str] = list(dict.fromkeys(columns))  # in order of first appearance
        self.rows = 0
        self._batch: dict[str, list[str | None]] = {c: [] for c in self.columns}
        self._batch_rows = 0
        self._created_columns: list[str] = []
        conn.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")

    def add(self, record: Mapping[str, str | None]) -> None:
        """Add one record (columns it lacks are null)."""
        for column in record:
            if column not in self._batch:
                self.columns.append(column)
                self._batch[column] = [None] * self._batch_rows
        for column, values in self._batch.items():
            values.append(record.get(column))
        self._batch_rows += 1
        self.rows += 1
        if self._batch_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the records gathered so far."""
        first = self.rows - self._batch_rows + 1
        arrays = {column: pa.array(values, type=pa.string()) for column, values in self._batch.items()}
        arrays[self.source_row] = pa.array(range(first, self.rows + 1), type=pa.int64())
        batch = pa.table(arrays)
        view = f"{self.name}_batch"
        self.conn.register(view, batch)
        try:
            if not self._created_columns and not self._table_exists():
                self.conn.execute(f"CREATE TEMP TABLE {quote_ident(self.name)} AS SELECT * FROM {quote_ident(view)}")
            else:
                for column in self.columns:
                    if column not in self._created_columns:
                        self.conn.execute(f"ALTER TABLE {quote_ident(self.name)} ADD COLUMN {quote_ident(column)} VARCHAR")
                self.conn.execute(f"INSERT INTO {quote_ident(self.name)} BY NAME SELECT * FROM {quote_ident(view)}")
        finally:
            self.conn.unregister(view)
        self._created_columns = list(self.columns)
        self._batch = {c: [] for c in self.columns}
        self._batch_rows = 0

    def close(self) -> None:
        """Write the last batch (the table exists afterwards, even with no record)."""
        if self._batch_rows or not self._created_columns:
            self.flush()

    def drop(self) -> None:
        """Remove the table (a file that turned out unreadable half-way)."""
        self.conn.execute(f"DROP TABLE IF EXISTS {quote_ident(self.name)}")

    def _table_exists(self) -> bool:
        return bool(self.conn.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [self.name]).fetchone()[0])
