"""Reading one sheet of an Excel workbook (.xlsx) as records of text.

Departments export workbooks with title rows above the table: the feed names the sheet (``sheet``,
default the first) and the spreadsheet row that holds the column names (``header_row``, numbered as
Excel numbers rows, default 1); rows above it are not read. The table runs to the sheet's last
non-empty row, or to ``last_row`` where notes or another table follow it. Every row below the header
is a record, a blank one included, so record N (``__source_row``, what the quarantine shows) is
spreadsheet row ``header_row + N``.

The workbook is streamed (openpyxl in read-only mode): rows are turned into text and written to the
temporary table in batches. Excel stores numbers and dates typed; they become the text the
contracts' casts read: numbers as Excel shows them at full precision (15 significant digits, so
``12.0`` is ``12`` and ``0.1`` stays ``0.1``), dates as ISO 8601 (``2022-01-07``), date-times as
``2021-12-06 08:40:46`` (to the second unless the cell's format shows fractions of a second),
durations as ``h:mm:ss``, booleans as ``true``/``false``. A formula is read as the value Excel last
computed and saved with it. An empty cell is null. A merged cell's value is in its first cell.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb

from city_outcomes.config import FeedConfig
from city_outcomes.feeds.headers import match_header
from city_outcomes.feeds.text_table import TextTableWriter

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 .xls (or any OLE2 compound file)
HINT_ROWS = 200  # rows searched for the feed's column names when the header row does not hold them
_FRACTION_OF_SECOND = re.compile(r"s\.0", re.IGNORECASE)
_TIME_TOKENS = re.compile(r"[hs]|AM/PM", re.IGNORECASE)


class XlsxProblem(Exception):
    """Why a workbook cannot be read as its feed's table (the reader adds the feed and file)."""


def _open_sheet(path: Path, feed: FeedConfig) -> tuple[Any, Any, str]:
    """The workbook (read-only, cached formula values), the feed's sheet and its name."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2):
        raise XlsxProblem("is an Excel 97-2003 .xls workbook (or another OLE2 file), not .xlsx: open it in Excel and save it as .xlsx")
    if not head.startswith(b"PK\x03\x04"):
        raise XlsxProblem("is not an Excel .xlsx workbook (an .xlsx file is a ZIP archive; this one is not): a CSV export needs `format: csv`")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about parts it does not read (headers, extensions)
            workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise XlsxProblem(f"is a ZIP archive but cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: {str(exc)[:160]})") from exc
    names = workbook.sheetnames
    name = feed.sheet if feed.sheet is not None else (names[0] if names else None)
    if name not in names:
        workbook.close()
        close = [n for n in names if n.strip().casefold() == (name or "").strip().casefold()]
        hint = f" (did you mean {close[0]!r}? sheet names are matched exactly)" if close else ""
        listed = ", ".join(repr(n) for n in names) or "none"
        raise XlsxProblem(f"has no sheet {name!r}{hint}; its sheets are {listed}: set `sheet:` to one of them")
    sheet = workbook[name]
    if not hasattr(sheet, "iter_rows"):
        workbook.close()
        raise XlsxProblem(f"sheet {name!r} is a chart, not a table of cells: set `sheet:` to the sheet that holds the data")
    return workbook, sheet, name


def cell_text(value: Any, number_format: str = "General") -> str | None:
    """A typed cell as the text a contract's cast reads (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        text = f"{value:.15g}"  # Excel's precision: 0.1 + 0.2 shows as 0.3, 12.0 as 12
        return "0" if text == "-0" else text
    if isinstance(value, datetime):
        shows_fraction = bool(_FRACTION_OF_SECOND.search(number_format or ""))
        if not shows_fraction:
            value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)  # as the cell shows it: to the second
        if value.time() == time(0) and not _TIME_TOKENS.search(_without_literals(number_format or "")):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="milliseconds" if shows_fraction else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    text = str(value)
    return text if text else None


def _without_literals(number_format: str) -> str:
    """A number format without its quoted and escaped literal text (``"h"`` in a format is not hours)."""
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)


def _row_texts(row: tuple) -> list[str | None]:
    return [cell_text(getattr(cell, "value", None), getattr(cell, "number_format", "General")) for cell in row]


def _rows(sheet: Any, feed: FeedConfig) -> Iterator[tuple[int, list[str | None]]]:
    """The sheet's rows as text, numbered as in Excel, up to ``last_row``."""
    for number, row in enumerate(sheet.iter_rows(min_row=1, max_row=feed.last_row), start=1):
        yield number, _row_texts(row)


def column_name(index: int) -> str:
    """The name of a column whose header cell is empty (0-based position), as DuckDB names CSV columns."""
    return f"column{index:02d}"


def _header(texts: list[str | None], row: int, sheet_name: str) -> list[str | None]:
    names = [t.strip() if t is not None and t.strip() else None for t in texts]
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name is None:
            continue
        if name.casefold() in seen:
            first = seen[name.casefold()]
            raise XlsxProblem(
                f"column {name!r} appears twice in header row {row} of sheet {sheet_name!r} (columns {_letter(first)} and {_letter(index)}): "
                "rename one in the workbook or leave the unwanted one out; the sheet cannot be read unambiguously"
            )
        seen[name.casefold()] = index
    return names


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def header_hint(path: Path, feed: FeedConfig, wanted: list[str]) -> str:
    """Where the feed's column names are, if they are on another row near the top: 'set header_row: N'."""
    if not wanted:
        return ""
    workbook, sheet, _ = _open_sheet(path, feed)
    try:
        best: tuple[int, int] = (0, 0)
        for number, texts in _rows(sheet, feed.model_copy(update={"last_row": HINT_ROWS})):
            names = [t.strip() for t in texts if t and t.strip()]
            hits = sum(1 for w in wanted if match_header(w, names) is not None)
            if hits > best[1]:
                best = (number, hits)
            if hits == len(wanted):
                break
    finally:
        workbook.close()
    if best[1] == 0 or best[0] == feed.header_row:
        return ""
    return f"; the feed's column names are on row {best[0]} ({best[1]} of {len(wanted)} found there): set `header_row: {best[0]}`"


def load_xlsx(conn: duckdb.DuckDBPyConnection, feed: FeedConfig, path: Path, temp_name: str, wanted: list[str], source_row: str) -> list[str]:
    """Stream the feed's sheet into the temporary table ``temp_name``; return its columns.

    ``wanted``: the export columns the feed needs (for the hint naming the row that holds them).
    Raises :class:`XlsxProblem` for a file that is not an .xlsx workbook, a sheet that is not there
    (listing those that are), a header row that is empty or below the data, a name twice in the
    header, or a table with no data rows.
    """
    workbook, sheet, sheet_name = _open_sheet(path, feed)
    writer: TextTableWriter | None = None
    try:
        names: list[str | None] | None = None
        last_seen = 0
        pending_blank = 0  # blank rows not yet written: only written if a non-blank row follows
        for number, texts in _rows(sheet, feed):
            blank = all(t is None for t in texts)
            if not blank:
                last_seen = number
            if number < feed.header_row:
                continue
            if number == feed.header_row:
                if blank:
                    raise XlsxProblem(
                        f"header row {number} of sheet {sheet_name!r} is empty: set `header_row:` to the row that holds the column names"
                        + header_hint(path, feed, wanted)
                    )
                names = _header(texts, number, sheet_name)
                writer = TextTableWriter(conn, temp_name, source_row, [n for n in names if n is not None])
                continue
            assert writer is not None and names is not None
            if blank:
                pending_blank += 1
                continue
            for _ in range(pending_blank):
                writer.add({})
            pending_blank = 0
            writer.add({
                (names[i] if i < len(names) and names[i] is not None else column_name(i)): text
                for i, text in enumerate(texts)
                if text is not None
            })
        if writer is None:
            if last_seen == 0:
                raise XlsxProblem(f"sheet {sheet_name!r} is empty: no cell holds a value")
            raise XlsxProblem(
                f"header_row {feed.header_row} is below the last row of sheet {sheet_name!r} that holds a value (row {last_seen})"
                f"{' within last_row ' + str(feed.last_row) if feed.last_row else ''}: set `header_row:` to the row that holds the column names"
                + header_hint(path, feed, wanted)
            )
        if writer.rows == 0:
            raise XlsxProblem(f"no data rows: sheet {sheet_name!r} has its header row ({feed.header_row}) and nothing below it")
        writer.close()
    except BaseException:
        if writer is not None:
            writer.drop()
        raise
    finally:
        workbook.close()
    return writer.columns


def row_texts_for_quarantine(path: Path, feed: FeedConfig) -> list[tuple[int, str]]:
    """The records of a sheet that cannot be ingested, numbered as :func:`load_xlsx` numbers them
    (record N is row ``header_row + N``), each as its cells' text joined by tabs; none when the
    workbook, the sheet or its header row cannot be read (then there is nothing to count)."""
    try:
        workbook, sheet, _ = _open_sheet(path, feed)
    except XlsxProblem:
        return []
    try:
        lines: list[tuple[int, str]] = []
        pending: list[tuple[int, str]] = []
        header_seen = False
        for number, texts in _rows(sheet, feed):
            if number < feed.header_row:
                continue
            if number == feed.header_row:
                if all(t is None for t in texts):
                    return []
                header_seen = True
                continue
            line = "\t".join(t or "" for t in texts).rstrip("\t")
            pending.append((number - feed.header_row, line))
            if line:
                lines += pending
                pending = []
        return lines if header_seen else []
    except Exception:  # a workbook that breaks half-way: nothing more can be counted
        return []
    finally:
        workbook.close()
