"""The quarantine's narrowed read (csv_records.py, reader.chosen_records) gives exactly the rows that
DuckDB's full numbered read of the file gives for the same record numbers, or falls back to it."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from city_outcomes.feeds import csv_records
from city_outcomes.feeds.reader import CSV_NUMBERED, RawSource, chosen_records

ENCODINGS = {"utf-8": "utf-8", "latin-1": "latin-1"}


def _source(conn: duckdb.DuckDBPyConnection, path: Path, encoding: str = "utf-8") -> RawSource:
    params = [str(path), ",", '"', '"', encoding]
    columns = [row[0] for row in conn.execute(f"DESCRIBE {CSV_NUMBERED}", params).fetchall() if row[0] != "__source_row"]
    return RawSource(CSV_NUMBERED, params, columns)


def _rows(conn: duckdb.DuckDBPyConnection, source: RawSource, wanted: list[int]) -> list[tuple]:
    return conn.execute(f"SELECT * FROM ({source.sql}) WHERE list_contains(?, __source_row) ORDER BY __source_row", [*source.params, wanted]).fetchall()


def _check(tmp_path: Path, text: bytes, wanted: list[int], *, narrowed: bool, encoding: str = "utf-8") -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(text)
    conn = duckdb.connect()
    source = _source(conn, path, encoding)
    records = conn.execute(f"SELECT count(*) FROM ({source.sql})", source.params).fetchone()[0]
    expected = _rows(conn, source, wanted)
    with chosen_records(source, wanted, records) as chosen:
        assert (chosen is not source) == narrowed
        assert _rows(conn, chosen, wanted) == expected
        assert len(expected) == len(set(wanted))


def test_quoted_newlines_doubled_quotes_blank_lines_and_crlf(tmp_path: Path) -> None:
    lines = [b'id,note,n']
    for i in range(1, 201):
        note = {0: b'"two\nlines"', 1: b'"say ""hi"", then\r\nleave"', 2: b'plain'}[i % 3]
        lines.append(b"%d,%s,%d" % (i, note, i * 7))
        if i % 17 == 0:
            lines.append(b"")  # a blank line between records: DuckDB skips it
    _check(tmp_path, b"\r\n".join(lines) + b"\r\n", [1, 2, 3, 50, 51, 199, 200], narrowed=True)


def test_last_record_without_a_newline_and_a_bom(tmp_path: Path) -> None:
    body = b"\xef\xbb\xbfa,b\n" + b"".join(b"%d,x\n" % i for i in range(1, 100)) + b"100,\"last\""
    _check(tmp_path, body, [1, 100], narrowed=True)


def test_latin1_bytes(tmp_path: Path) -> None:
    body = "name,city\n" + "".join(f"r{i},Zürich\n" for i in range(1, 60))
    _check(tmp_path, body.encode("latin-1"), [5, 59], narrowed=True, encoding="latin-1")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_records_spanning_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: bytes) -> None:
    # Chunks of 7 bytes: records, quotes, blank lines and CRLF pairs all fall across chunk edges.
    monkeypatch.setattr(csv_records, "CHUNK_BYTES", 7)
    rng = random.Random(7)
    lines = [b"k,v"]
    for i in range(1, 301):
        value = rng.choice([b"a", b'"q,\nq"', b'""', b'"x""y"', b"long value here", b'"ends in a quote"""'])
        lines.append(b"%d,%s" % (i, value))
        if rng.random() < 0.05:
            lines.append(b"")
    wanted = sorted(rng.sample(range(1, 301), 40))
    _check(tmp_path, newline.join(lines) + newline, wanted, narrowed=True)


def test_single_column_blank_line_is_a_record(tmp_path: Path) -> None:
    # In a one-column file a blank line is a record (an empty value), as DuckDB reads it.
    body = b"only\n" + b"".join(b"%d\n" % i if i % 10 else b"\n" for i in range(1, 120))
    _check(tmp_path, body, [10, 20, 21], narrowed=True)


def test_a_row_starting_with_hash_is_a_record(tmp_path: Path) -> None:
    body = b"addr,n\n" + b"".join(b"#%d Main St,%d\n" % (i, i) for i in range(1, 50))
    _check(tmp_path, body, [3, 49], narrowed=True)


def test_an_unclosed_quote_falls_back(tmp_path: Path) -> None:
    # Where the scan cannot split a file into the records the reader counted, there is no copy.
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(1, 40)))
    assert csv_records.record_ranges(path, [1], '"', False, 39) is not None
    assert csv_records.record_ranges(path, [1], '"', False, 40) is None  # the reader's count differs: trust it, not the scan
    path.write_bytes(b"a,b\n1,\"open\n2,x\n")  # as one record, a quote left open: neither split agrees
    assert csv_records.record_ranges(path, [1], '"', False, 1) is None


def test_many_failing_rows_read_the_whole_file(tmp_path: Path) -> None:
    body = b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(1, 21))
    _check(tmp_path, body, list(range(1, 11)), narrowed=False)


def test_crlf_file_whose_last_record_has_no_newline(tmp_path: Path) -> None:
    # The copy ends that record with the header's CRLF: a copy with both CRLF and LF does not read as one dialect.
    body = b"a,b\r\n" + b"".join(b'%d,"x\r\ny"\r\n' % i for i in range(1, 100)) + b'100,"la\r\nst"'
    _check(tmp_path, body, [5, 100], narrowed=True)


def test_a_copy_that_does_not_read_back_falls_back_and_leaves_the_transaction_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(1, 50)))

    def broken_copy(source: Path, ranges: list[tuple[int, int]], target: Path) -> None:
        target.write_bytes(b"a,b\r\n1,x\r\n2,x\n3,x\n")  # mixed line ends: DuckDB cannot sniff it

    monkeypatch.setattr(csv_records, "copy_records", broken_copy)
    conn = duckdb.connect()
    source = _source(conn, path)
    conn.execute("CREATE TABLE kept (x INTEGER)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO kept VALUES (1)")
    with chosen_records(source, [3], 49) as chosen:
        assert chosen is source
        assert _rows(conn, chosen, [3]) == [("3", "x", 3)]
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM kept").fetchone()[0] == 1
