"""Chosen records of a large CSV file, found by their bytes, so the quarantine reads only the rows it needs.

The quarantine shows each failing row as the export had it. Reading the whole file a second time
to find a few thousand rows cost more than any other step after the first read: DuckDB numbers a
CSV's rows only on one thread. Here the file is scanned for its record boundaries instead (a
newline outside quotes; quotes are escaped by doubling, as the reader reads them), the chosen
records' bytes are copied, with the header, into a small file, and that file is read with the
reader's own settings.

The boundaries follow DuckDB's reader: a blank line between records is skipped unless the file has
a single column (where it is a record of one empty value). Where the scan and the reader could
disagree, the scan says so (None) and the caller reads the whole file: the records it counts must
be exactly the reader's, and the small file must read back as exactly the records copied into it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CHUNK_BYTES = 32 << 20
NEWLINE = 0x0A
RETURN = 0x0D


def record_ranges(path: Path, wanted: Sequence[int], quote: str, single_column: bool, records: int) -> list[tuple[int, int]] | None:
    """The byte ranges [start, end) of the header and of each ``wanted`` record (1-based, after the
    header), in that order; None unless the file holds exactly ``records`` records after its header
    as this scan splits it (the reader counted them), or where a quote is left open at the end.

    The file is first split at every newline: in a file where no quoted value holds a newline (most
    exports) that is where its records end, and it is the case exactly when the count agrees with the
    reader's, since a value holding newlines splits its record in at least two non-blank lines. Only
    where it does not are quotes followed."""
    wanted_rows = np.unique(np.asarray(wanted, dtype=np.int64))
    for quote_byte in (None, quote.encode("latin-1")[0] if quote else None):
        ranges, found = _split(path, wanted_rows, quote_byte, single_column)
        if found == records + 1:
            return ranges if ranges is not None and len(ranges) == len(wanted_rows) + 1 else None
        if quote_byte is None and not quote:
            break
    return None


def _split(path: Path, wanted_rows: np.ndarray, quote_byte: int | None, single_column: bool) -> tuple[list[tuple[int, int]] | None, int]:
    """The ranges of the header and the wanted records, and how many records the file holds (the
    header included), splitting it at newlines outside quotes (at every newline: ``quote_byte`` None)."""
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    found = 0  # records found so far, the header included
    record_start = 0  # file offset at which the current record starts
    in_quotes = False
    last_byte = -1  # the byte before the current chunk
    buffer = bytearray(CHUNK_BYTES)
    offset = 0
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            chunk = np.frombuffer(buffer, dtype=np.uint8, count=size)
            newlines = np.flatnonzero(chunk == NEWLINE)
            if quote_byte is not None and buffer.find(bytes([quote_byte]), 0, size) >= 0:
                quotes = np.flatnonzero(chunk == quote_byte)
                # A newline ends a record where an even number of quotes precede it (a doubled quote is two).
                outside = (np.searchsorted(quotes, newlines) + in_quotes) % 2 == 0
                in_quotes ^= bool(len(quotes) % 2)
                newlines = newlines[outside]
            elif in_quotes:
                newlines = newlines[:0]
            if len(newlines):
                end_at = newlines + offset  # the newline's offset: a record's text ends before it
                start_at = np.concatenate(([record_start], end_at[:-1] + 1))
                if not single_column:
                    kept = ~_blank(chunk, offset, last_byte, start_at, end_at)
                    start_at, end_at = start_at[kept], end_at[kept]
                # Record numbers found .. found + len - 1 (0 is the header): the wanted ones among them.
                chosen = wanted_rows[(wanted_rows >= found) & (wanted_rows < found + len(end_at))] - found
                if found == 0 and len(end_at):
                    chosen = np.concatenate(([0], chosen))
                starts.append(start_at[chosen])
                ends.append(end_at[chosen] + 1)
                found += len(end_at)
                record_start = int(newlines[-1]) + offset + 1
            last_byte = int(chunk[-1])
            offset += size
    if in_quotes:
        return None, -1
    if record_start < offset and (single_column or _tail(path, record_start, offset) not in (b"", b"\r")):
        # A last record without a final newline.
        if found == 0 or np.isin(found, wanted_rows):
            starts.append(np.array([record_start]))
            ends.append(np.array([offset]))
        found += 1
    ranges = list(zip(np.concatenate(starts).tolist(), np.concatenate(ends).tolist(), strict=True)) if starts else []
    return ranges, found


def _blank(chunk: np.ndarray, offset: int, last_byte: int, start_at: np.ndarray, end_at: np.ndarray) -> np.ndarray:
    """Which of the records [start, end) are blank lines: empty, or a lone carriage return."""
    length = end_at - start_at
    blank = length == 0
    lone = np.flatnonzero(length == 1)
    if len(lone):
        at = end_at[lone] - 1 - offset  # the one byte, in this chunk unless it was the last of the one before
        byte = np.where(at >= 0, chunk[np.maximum(at, 0)], last_byte)
        blank[lone] = byte == RETURN
    return blank


def _tail(path: Path, start: int, end: int) -> bytes:
    """The file's bytes [start, end), where they are at most two (enough to tell a blank line)."""
    if end - start > 2:
        return b"??"
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read(end - start)


def copy_records(path: Path, ranges: list[tuple[int, int]], target: Path) -> None:
    """Write the given byte ranges of ``path`` to ``target``, one record per line, in order; a last record without
    a newline gets the header's (CRLF or LF: the reader takes a file with both for another dialect)."""
    with path.open("rb") as source, target.open("wb") as out:
        descriptor = source.fileno()
        newline = b"\n"
        for index, (start, end) in enumerate(ranges):
            data = os.pread(descriptor, end - start, start)
            if index == 0 and data.endswith(b"\r\n"):
                newline = b"\r\n"
            out.write(data if data.endswith(b"\n") else data + newline)
