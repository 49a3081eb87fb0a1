"""Reading a feed file as text, exactly as the department or vendor exported it.

Every value is read as text so that a bad value becomes a quarantined row with its rule, not a
failed load. Each row keeps ``__source_row``: its 1-based record number in the file (for a CSV,
the header excluded: the line number minus one unless a quoted field spans lines; for JSON, the
position of the record in the file's record array).

A CSV is not loaded here: :func:`open_source` checks its first bytes (encoding, delimiter, header,
data rows: :mod:`city_outcomes.feeds.sniff`) and returns a query (with bound parameters) that reads
it, so the contract step reads the file once, inside DuckDB. A JSON file is parsed, checked against
its published JSON Schema when the feed names one, flattened by the configured paths, and
registered as a temporary table. An XML file (:mod:`city_outcomes.feeds.xml_source`) and a
workbook's sheet (:mod:`city_outcomes.feeds.xlsx_source`) are streamed into a temporary table of
text in record batches, so neither sits in memory as a whole.
"""

from __future__ import annotations

import atexit
import codecs
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import jsonschema_rs
import pyarrow as pa

from city_outcomes.config import FeedConfig
from city_outcomes.feeds import csv_records, sniff, xlsx_source, xml_source
from city_outcomes.feeds.headers import match_header
from city_outcomes.warehouse import quote_ident

SOURCE_ROW = "__source_row"
RAW_JSON = "__raw_json"


class FileError(Exception):
    """A file that cannot be read as its feed's format: it is quarantined whole."""

    def __init__(self, feed: str, path: Path, problem: str) -> None:
        super().__init__(f"feed {feed!r}, file {path}: {problem}")
        self.feed = feed
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class RawSource:
    """A query that yields a file's rows as text columns plus ``__source_row``."""

    sql: str  # the rows with their record number, __source_row
    params: list[Any]
    columns: list[str]
    row_rules: dict[int, list[str]] = field(default_factory=dict)  # record-level spec violations (JSON)
    raw_json_column: bool = False
    scan_sql: str = ""  # the rows in file order, without numbering them (which would read on one thread)


# comment = '': DuckDB's sniffer would otherwise take '#' for a comment sign where lines start
# with it, and silently skip data rows whose first value starts with '#' ("#12 Main St").
CSV_SCAN = """
    SELECT * FROM read_csv(?, all_varchar = true, header = true, delim = ?, quote = ?, escape = ?,
                           encoding = ?, strict_mode = true, null_padding = false, comment = '')
"""
CSV_NUMBERED = f"""
    SELECT * RENAME (ordinality AS {SOURCE_ROW})
    FROM read_csv(?, all_varchar = true, header = true, delim = ?, quote = ?, escape = ?,
                  encoding = ?, strict_mode = true, null_padding = false, comment = '')
    WITH ORDINALITY
"""
# Encodings in which byte 0x0A is always a newline and a one-byte quote is that byte: a file's
# records can be found by its bytes (csv_records.py).
BYTE_SPLIT_ENCODINGS = ("utf-8", "latin-1")


def open_source(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, path: Path, required: dict[str, str], temp_name: str
) -> RawSource:
    """Check that a file can be read as its feed's format and has the required columns.

    ``required`` maps contract columns to the export's column (or JSON path) that must be present.
    Raises :class:`FileError` naming the file and the problem when it cannot be read.
    """
    if path.stat().st_size == 0:
        raise FileError(feed_name, path, "the file is empty (0 bytes)")
    if feed.format == "csv":
        source = _open_csv(conn, feed_name, feed, path)
    elif feed.format == "json":
        source = _open_json(conn, feed_name, feed, path, temp_name, list(required.values()))
    else:
        source = _open_streamed(conn, feed_name, feed, path, temp_name, list(required.values()))
    missing = {column: name for column, name in required.items() if match_header(name, source.columns) is None}
    if missing:
        wanted = ", ".join(f"{name!r} (for {column})" for column, name in missing.items())
        if feed.format == "csv" and len(required) > len(missing) or feed.format != "csv":
            # Some configured columns are there: the first line is a header, and its names may be shown.
            hint = ""
            if feed.format == "csv" and len(source.columns) == 1:
                hint = f"; only one column was found ({source.columns[0]!r}): is the delimiter {feed.delimiter!r} right?"
            elif feed.format == "xlsx":
                hint = xlsx_source.header_hint(path, feed, list(dict.fromkeys([*feed.columns.values(), *required.values()])))
            elif feed.format == "xml":
                hint = f" (the elements and attributes of the records at {feed.records!r}; a deeper element is read by its path, e.g. 'location/lat')"
            shown = source.columns if len(source.columns) <= 40 else [*source.columns[:40], "…"]
            raise FileError(feed_name, path, f"required column(s) missing: {wanted}; the file has {shown}{hint}")
        # None is: the first line may be data (a file without its header), which is not shown: it
        # would put a row's values into the rule, the logs and the UI.
        raise FileError(
            feed_name, path,
            f"required column(s) missing: {wanted}; none of the feed's columns is in the file's first line ({len(source.columns)} field(s), "
            f"not shown: it may be a row of data): the file may have no header row, or another delimiter than {feed.delimiter!r}",
        )
    return source


def _check_csv_text(feed_name: str, feed: FeedConfig, path: Path) -> sniff.TextEncoding:
    """The file's encoding as DuckDB must read it, after checking its first bytes for every
    file-level problem at once (so that one round of fixes to the settings reads it)."""
    head, complete = sniff.head_of(path)
    if head.startswith(b"PK\x03\x04"):
        raise FileError(feed_name, path, "the file is a ZIP archive (an Excel .xlsx workbook?), not CSV text: set `format: xlsx` (and `sheet:`, `header_row:`) to read the workbook")
    encoding = sniff.text_encoding(feed_name, feed.encoding, head, complete)
    problems = [encoding.problem] if encoding.problem else []
    layout = sniff.csv_layout(feed_name, sniff.decoded_head(head, complete, encoding.codec), feed.delimiter, feed.quote)
    problems += layout.problems
    if layout.data_lines == 0 and (complete or not sniff.has_data_after_header(path, encoding.codec)):
        problems.append(sniff.no_data_rows(layout))
    if problems:
        raise FileError(feed_name, path, "; also ".join(problems))
    return encoding


def _open_csv(conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, path: Path) -> RawSource:
    encoding = _check_csv_text(feed_name, feed, path)
    # DuckDB reads UTF-8, Latin-1 and little-endian UTF-16 itself; any other encoding is read from a UTF-8 copy.
    readable = path if encoding.duckdb else _utf8_copy(feed_name, path, encoding.codec)
    params = [str(readable), feed.delimiter, feed.quote, feed.quote, encoding.duckdb or "utf-8"]
    try:
        columns = [row[0] for row in conn.execute(f"DESCRIBE {CSV_SCAN}", params).fetchall()]
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as exc:
        raise FileError(
            feed_name, path, f"cannot be read as CSV with encoding {feed.encoding!r} and delimiter {feed.delimiter!r}: {csv_problem(str(exc), feed)}"
        ) from exc
    return RawSource(CSV_NUMBERED, params, columns, scan_sql=CSV_SCAN)


@contextmanager
def chosen_records(source: RawSource, rows: Sequence[int], records: int) -> Iterator[RawSource]:
    """``source`` narrowed to the records ``rows`` (1-based, each keeping its record number): the same
    query over a small copy of just those records and the header, so that the quarantine does not
    read a large CSV a second time (on one thread) for a few of its rows. ``records`` is how many
    records the reader found in the file. Yields ``source`` itself where the copy cannot be trusted
    to hold exactly those records (see :mod:`city_outcomes.feeds.csv_records`), or is not a CSV."""
    path, delimiter, quote, escape, encoding = source.params if source.sql == CSV_NUMBERED else (None,) * 5
    if path is None or encoding not in BYTE_SPLIT_ENCODINGS or len(quote.encode(encoding)) > 1 or escape != quote or len(rows) * 4 > records:
        yield source
        return
    ranges = csv_records.record_ranges(Path(path), rows, quote, len(source.columns) == 1, records)
    if ranges is None:
        yield source
        return
    fd, name = tempfile.mkstemp(dir=_temp_folder(), suffix=".csv")
    os.close(fd)
    copy = Path(name)
    try:
        csv_records.copy_records(Path(path), ranges, copy)
        params = [str(copy), delimiter, quote, escape, encoding]
        # Checked on a connection of its own: an error in the run's transaction would abort it.
        with duckdb.connect() as side:
            try:
                columns = [row[0] for row in side.execute(f"DESCRIBE {CSV_SCAN}", params).fetchall()]
                copied = side.execute(f"SELECT count(*) FROM ({CSV_SCAN})", params).fetchone()[0]
            except duckdb.Error:
                columns, copied = [], -1  # the copy does not read as the file did: read the file
        if columns != source.columns or copied != len(ranges) - 1:
            yield source
            return
        numbers = [int(row) for row in sorted(set(rows))]
        yield RawSource(
            f"SELECT * REPLACE (list_extract(?::BIGINT[], {SOURCE_ROW}) AS {SOURCE_ROW}) FROM ({CSV_NUMBERED})",
            [numbers, *params], source.columns, source.row_rules, source.raw_json_column, CSV_SCAN,
        )
    finally:
        copy.unlink(missing_ok=True)


_copies: Path | None = None


def _temp_folder() -> Path:
    """A private temporary folder for the process's copies of files (removed when it ends)."""
    global _copies
    if _copies is None:
        _copies = Path(tempfile.mkdtemp(prefix="city-outcomes-copies-"))
        atexit.register(shutil.rmtree, _copies, ignore_errors=True)
    return _copies


def _utf8_copy(feed_name: str, path: Path, codec: str) -> Path:
    """A UTF-8 copy of a file in an encoding DuckDB cannot read (UTF-16 big-endian, UTF-32, cp1252...),
    in a temporary folder that lives as long as the process (an ingest reads the file more than once)."""
    fd, name = tempfile.mkstemp(dir=_temp_folder(), suffix=".csv")
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    lines = 0
    with path.open("rb") as source, open(fd, "w", encoding="utf-8", newline="") as copy:
        while True:
            chunk = source.read(1 << 20)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = lines + exc.object[: exc.start].decode(codec, errors="replace").count("\n") + 1
                raise FileError(
                    feed_name, path, f"byte 0x{exc.object[exc.start]:02X} on line {line} is not valid {codec} text: set `encoding:` to the file's encoding"
                ) from exc
            copy.write(text)
            lines += text.count("\n")
            if not chunk:
                return Path(name)


def csv_problem(message: str, feed: FeedConfig) -> str:
    """DuckDB's CSV error in one or two lines: where it failed and why, without its list of settings."""
    lines = [line.strip() for line in message.strip().splitlines()]
    why = next((line for line in lines[1:6] if line and not line.startswith(("Original Line", "Possible Solution"))), "")
    text = f"{lines[0]}. {why}".strip().rstrip(".") + "."
    if "unicode" in why.lower():
        text += " Set `encoding:` for this feed to the file's encoding (e.g. latin-1 or utf-16)."
    return text


def _load_json(feed_name: str, feed: FeedConfig, path: Path) -> Any:
    data = path.read_bytes()
    encoding = sniff.text_encoding(feed_name, feed.encoding, data[: sniff.HEAD_BYTES], len(data) <= sniff.HEAD_BYTES)
    if encoding.problem:
        raise FileError(feed_name, path, encoding.problem)
    try:
        return json.loads(data.decode(encoding.codec))
    except UnicodeDecodeError as exc:
        raise FileError(feed_name, path, f"is not valid {feed.encoding} text: {exc}; set `encoding:` for feed {feed_name!r} to the file's encoding") from exc
    except json.JSONDecodeError as exc:
        raise FileError(feed_name, path, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def _records(feed_name: str, feed: FeedConfig, path: Path, document: Any) -> list[Any]:
    node = document
    for step in [s for s in feed.records.split(".") if s]:
        if not isinstance(node, dict) or step not in node:
            raise FileError(feed_name, path, f"has no record array at {feed.records!r} (missing {step!r})")
        node = node[step]
    if not isinstance(node, list):
        raise FileError(feed_name, path, f"the value at {feed.records!r} is not an array of records")
    return node


@cache
def _validator(schema_path: Path) -> Any:
    """A compiled validator for a JSON Schema (jsonschema-rs: a Rust validator, ~100x the pure-Python one)."""
    return jsonschema_rs.validator_for(json.loads(schema_path.read_text(encoding="utf-8")))


def _without_value(error: Any) -> str:
    """A schema error's message with the offending value left out: a rule is shown and logged where
    values are not (the value may be a device id or a name), so it names the place, not the value."""
    shown = json.dumps(error.instance, separators=(",", ":"), ensure_ascii=False)
    return error.message.replace(shown, "the value") if isinstance(error.instance, (str, int, float, list, dict)) and shown else error.message


def _schema_violations(feed_name: str, feed: FeedConfig, path: Path, document: Any, schema_path: Path) -> dict[int, list[str]]:
    """Check the document against its JSON Schema: record-level errors by record, others raise."""
    prefix = [s for s in feed.records.split(".") if s]
    by_record: dict[int, list[str]] = {}
    file_level: list[str] = []
    for error in _validator(schema_path).iter_errors(document):
        location = list(error.instance_path)
        if location[: len(prefix)] == prefix and len(location) > len(prefix) and isinstance(location[len(prefix)], int):
            inner = "/".join(str(p) for p in location[len(prefix) + 1 :]) or "(record)"
            rule = f"json_schema {schema_path.name}: {inner}: {_without_value(error)[:200]}"
            by_record.setdefault(location[len(prefix)] + 1, []).append(rule)
        else:
            file_level.append(f"{'/'.join(str(p) for p in location) or '(document)'}: {_without_value(error)[:200]}")
    if file_level:
        raise FileError(feed_name, path, f"does not follow {schema_path.name}: " + "; ".join(sorted(set(file_level))[:5]))
    return {row: sorted(set(rules)) for row, rules in by_record.items()}


def _at_path(record: Any, dotted: str) -> Any:
    """The value at a dotted path (``route.features.-1.geometry``); integers index arrays."""
    node = record
    for step in dotted.split("."):
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list):
            try:
                node = node[int(step)]
            except (ValueError, IndexError):
                return None
        else:
            return None
        if node is None:
            return None
    return node


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def _open_json(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, path: Path, temp_name: str, required: list[str]
) -> RawSource:
    document = _load_json(feed_name, feed, path)
    records = _records(feed_name, feed, path, document)
    row_rules = _schema_violations(feed_name, feed, path, document, feed.json_schema_path) if feed.json_schema_path else {}
    if not records:
        where = f"at {feed.records!r}" if feed.records else "(the file itself)"
        raise FileError(feed_name, path, f"no data rows: the record array {where} is empty")
    # Columns: the configured paths and required names (a record lacking one breaks not_nullable), plus
    # every top-level key, so unmapped contract columns are found by name.
    keys: list[str] = list(dict.fromkeys([*feed.columns.values(), *required, *(k for r in records if isinstance(r, dict) for k in r)]))
    # A path starting "$." is read from the document root, once per file (e.g. GBFS last_updated).
    columns = {
        key: pa.array([_as_text(_at_path(document, key[2:]))] * len(records) if key.startswith("$.") else [_as_text(_at_path(r, key)) for r in records], type=pa.string())
        for key in keys
    }
    columns[SOURCE_ROW] = pa.array(range(1, len(records) + 1), type=pa.int64())
    columns[RAW_JSON] = pa.array([json.dumps(r, separators=(",", ":")) for r in records], type=pa.string())
    table = pa.table(columns)
    conn.register(f"{temp_name}_arrow", table)
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident(temp_name)} AS SELECT * FROM {quote_ident(temp_name + '_arrow')}")
    conn.unregister(f"{temp_name}_arrow")
    table = f"SELECT * FROM {quote_ident(temp_name)}"
    return RawSource(table, [], keys, row_rules, raw_json_column=True, scan_sql=f"{table} ORDER BY {SOURCE_ROW}")


def _open_streamed(
    conn: duckdb.DuckDBPyConnection, feed_name: str, feed: FeedConfig, path: Path, temp_name: str, required: list[str]
) -> RawSource:
    """An XML file's records or a workbook sheet's rows, streamed into the temporary table ``temp_name``."""
    wanted = list(dict.fromkeys([*feed.columns.values(), *required]))
    try:
        if feed.format == "xml":
            columns = xml_source.load_xml(conn, feed, path, temp_name, wanted, SOURCE_ROW)
        else:
            columns = xlsx_source.load_xlsx(conn, feed, path, temp_name, wanted, SOURCE_ROW)
    except (xml_source.XmlProblem, xlsx_source.XlsxProblem) as exc:
        raise FileError(feed_name, path, str(exc)) from exc
    table = f"SELECT * FROM {quote_ident(temp_name)}"
    return RawSource(table, [], columns, scan_sql=f"{table} ORDER BY {SOURCE_ROW}")


def read_lines_for_quarantine(path: Path, feed: FeedConfig) -> list[tuple[int, str]]:
    """The non-blank lines of an unreadable file (after a CSV's header), numbered, for the quarantine.

    They are decoded in the encoding the file is in where that is not the configured one (a UTF-16
    file declared as UTF-8), so that every line of data is counted once, as the file has it.

    A workbook is not text: its "lines" are the records of its sheet below the header row (numbered
    as a readable sheet's records are), none when the workbook, the sheet or its header cannot be
    read. An XML file that parses gives one line per record (its XML); one that does not, its lines.
    """
    if feed.format == "xlsx":
        return xlsx_source.row_texts_for_quarantine(path, feed)
    if feed.format == "xml":
        records = xml_source.record_texts(path, feed)
        if records is not None:
            return records
        if xml_source.parses_without_records(path, feed):
            return []  # its lines are the document's structure; there is no data to keep
    data = path.read_bytes()
    codec = sniff.text_encoding("", feed.encoding, data[: sniff.HEAD_BYTES], len(data) <= sniff.HEAD_BYTES).codec
    text = data.decode(codec, errors="replace")
    if feed.format == "json" and _empty_record_array(feed, text):
        return []  # its lines are the document's structure; there is no data to keep
    lines = sniff.split_lines(text)
    skip = 1 if feed.format == "csv" else 0
    return [(number, line) for number, line in enumerate(lines[skip:], start=1) if line.strip()]


def _empty_record_array(feed: FeedConfig, text: str) -> bool:
    """Whether a JSON document parses and its record array is there and empty."""
    try:
        node = json.loads(text)
    except json.JSONDecodeError:
        return False
    for step in [s for s in feed.records.split(".") if s]:
        if not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return node == []
