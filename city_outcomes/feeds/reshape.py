"""A feed's rows before its other transformations: lookups joined on a key, and wide exports unpivoted.

Both run inside DuckDB in the pass that reads the file and checks its rows. :func:`reshaped_source`
wraps a file's text rows (``__file__``) in one SELECT that

- adds each lookup's columns, read from a second table by the row's key (a key with no match sets
  the flag ``__lookup_missing__<name>``, which the contract step turns into a quarantine rule), and
- turns each record of a wide export into one long row per unpivoted column (``unpivot:``), holding
  the cell, that column's constants and ``__field`` (the column's name).

Row numbers are positions (see :mod:`city_outcomes.feeds.ingest`), so neither step may reorder rows.
A hash join does in DuckDB (measured: a LEFT JOIN onto a 700,000-row CSV scan shuffles it), so a
lookup is no join: the table's keys and values are bound parameters (lists), and each row finds its
key with ``list_position``, an expression. UNNEST keeps order, and always gives N long rows per
record, in order, so a long row's record is ``position // N + 1`` and its column ``position % N``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from city_outcomes.config import FeedConfig, LookupConfig, UnpivotConfig
from city_outcomes.feeds.headers import match_header
from city_outcomes.feeds.reader import SOURCE_ROW, FileError, open_source
from city_outcomes.feeds.spaces import trimmed_sql
from city_outcomes.feeds.transform import MissingColumn
from city_outcomes.warehouse import quote_ident, table_exists

FIELD = "__field"  # the wide export's column a long row was unpivoted from
MISSING_PREFIX = "__lookup_missing__"
# Parts of a composite key are joined with the ASCII unit separator, which no export's text holds.
KEY_SEPARATOR = "\x1f"


class LookupTableError(ValueError):
    """A lookup table that cannot be used (unreadable, a column missing, a key twice): every file of the feed is set aside with it."""


@dataclass(frozen=True)
class LookupTable:
    """A lookup's table, loaded once per ingest: its keys and, aligned with them, the looked-up values."""

    name: str
    described: str  # the table in messages: a file's path, or "feed fleet_vehicles (core.fleet)"
    config: LookupConfig
    keys: list[str]
    values: dict[str, list[str | None]]

    @property
    def flag(self) -> str:
        return MISSING_PREFIX + self.name

    @property
    def rule(self) -> str:
        """The rule a row whose key has no match is quarantined under."""
        pairs = " and ".join(f"{table} = the row's {row}" for row, table in self.config.key.items())
        return f"lookup {self.name}: no row of {self.described} has {pairs}"


def _key_sql(parts: list[str]) -> str:
    """The key as one text: trimmed parts, NULL where a part is empty (an empty key matches nothing)."""
    cleaned = [f"nullif({trimmed_sql(f'CAST({part} AS VARCHAR)')}, '')" for part in parts]
    if len(cleaned) == 1:
        return cleaned[0]
    return f"CASE WHEN {' OR '.join(f'{t} IS NULL' for t in cleaned)} THEN NULL ELSE concat_ws(chr(31), {', '.join(cleaned)}) END"


def load_lookup(conn: duckdb.DuckDBPyConnection, feed_name: str, name: str, lookup: LookupConfig, base_dir: Path, feeds: dict[str, FeedConfig]) -> LookupTable:
    """Read a lookup's table (a CSV relative to the city file, or another feed's rows in core) into lists.

    Raises :class:`LookupTableError` naming the lookup, the table and the problem: a missing column, or a
    key that two rows share (a join must not multiply rows: rows read = written + quarantined + filtered).
    """
    what = f"lookup {name}"
    wanted = [*lookup.key.values(), *lookup.columns.values()]
    if lookup.source.file is not None:
        path = (base_dir / lookup.source.file).resolve()
        described = lookup.source.file
        if not path.is_file():
            raise LookupTableError(f"{what}: its table {path} does not exist (from.file is relative to the city configuration file)")
        # Read like a feed's CSV (the same checks of its first bytes); the contract named is never used.
        settings = FeedConfig(contract="buildings", path=str(path), encoding=lookup.source.encoding, delimiter=lookup.source.delimiter)
        try:
            needed = {f"lookup.{name}.key": c for c in lookup.key.values()} if len(lookup.key) == 1 else {f"lookup.{name}.key {c!r}": c for c in lookup.key.values()}
            needed |= {f"lookup.{name}.columns.{new}": c for new, c in lookup.columns.items()}
            source = open_source(conn, feed_name, settings, path, needed, "_lookup")
        except FileError as error:
            raise LookupTableError(f"{what}: its table {described}: {error.problem}") from None
        columns = {column: quote_ident(match_header(column, source.columns) or column) for column in wanted}
        select = f"SELECT *, {SOURCE_ROW} AS __row FROM ({source.sql})"
        params = source.params
        row_name = "row"
    else:
        other = feeds[lookup.source.feed]
        from data_contracts import get_contract

        contract = get_contract(other.contract)
        described = f"feed {lookup.source.feed} (core.{contract.name})"
        missing = [column for column in wanted if column not in contract.columns]
        if missing:
            raise LookupTableError(f"{what}: {described} has no column(s) {', '.join(map(repr, missing))}; its columns are {', '.join(contract.columns)}")
        if not table_exists(conn, "core", contract.name):
            raise LookupTableError(f"{what}: {described} holds no rows yet: ingest feed {lookup.source.feed!r} first")
        columns = {column: quote_ident(column) for column in wanted}
        select = f"SELECT *, _source_row AS __row, _file_sha256 AS __file FROM core.{quote_ident(contract.name)} WHERE _feed = ?"
        params = [lookup.source.feed]
        row_name = "stored row"  # its _source_row, in its own file
    key = _key_sql([columns[c] for c in lookup.key.values()])
    out = ", ".join(f"CAST({columns[c]} AS VARCHAR)" for c in lookup.columns.values())
    rows = conn.execute(
        f"SELECT {key} AS __key, __row, [{out}] FROM ({select}) WHERE __key IS NOT NULL ORDER BY __row", params
    ).fetchall()
    first_row: dict[str, int] = {}
    for key_text, row, _ in rows:
        if key_text in first_row:
            # Row numbers, not the key's value: messages go to the logs, where values do not.
            raise LookupTableError(
                f"{what}: {row_name}s {first_row[key_text]} and {row} of {described} share a key ({', '.join(lookup.key.values())}): "
                "a key must name one row of the table, or the join would multiply the feed's rows; remove the duplicate from the table"
            )
        first_row[key_text] = row
    values = {column: [r[2][i] for r in rows] for i, column in enumerate(lookup.columns)}
    return LookupTable(name, described, lookup, [r[0] for r in rows], values)


@dataclass(frozen=True)
class Reshaped:
    """A file's rows after lookups and unpivot: SQL over ``__file__``, its parameters, its columns."""

    sql: str
    params: list
    columns: list[str]  # the rows' columns, as the feed's other settings read them
    cells: list[str] | None = None  # the unpivoted columns as the file names them, in order (None: not unpivoted)
    flags: dict[str, str] = field(default_factory=dict)  # lookup flag column -> the rule it breaks


def reshaped_source(headers: list[str], *, unpivot: UnpivotConfig | None, lookups: list[LookupTable], what: str) -> Reshaped:
    """SELECT over ``__file__`` adding each lookup's columns (and its flag, true where the key has no
    match), then unpivoting the wide columns. ``headers`` are the file's columns; raises
    :class:`MissingColumn` for a column the file lacks, and :class:`LookupTableError` for an added column
    that the file already has."""
    params: list = []
    columns = list(headers)
    sql = "SELECT * FROM __file__"
    flags: dict[str, str] = {}
    # Each stage wraps the one before: its own parameters come first in the text, then the inner stage's.
    if lookups:
        positions, added, position_params, added_params = [], [], [], []
        for index, table in enumerate(lookups):
            parts = []
            for row_column in table.config.key:
                header = match_header(row_column, columns)
                if header is None:
                    raise MissingColumn(f"{what}: lookup.{table.name}.key reads column {row_column!r}, which the file does not have (it has {columns[:40]})")
                parts.append(f"s.{quote_ident(header)}")
            positions.append(f"list_position(?::VARCHAR[], {_key_sql(parts)}) AS __lookup_position_{index}")
            position_params.append(table.keys)
            for column, values in table.values.items():
                added.append(f"(?::VARCHAR[])[coalesce(__lookup_position_{index}, 0)] AS {quote_ident(column)}")
                added_params.append(values)
            added.append(f"__lookup_position_{index} IS NULL AS {quote_ident(table.flag)}")
            flags[table.flag] = table.rule
        clash = [c for t in lookups for c in t.values if match_header(c, columns) is not None]
        if clash:
            raise LookupTableError(f"{what}: lookup column(s) {', '.join(map(repr, clash))} already in the file: name the added columns differently")
        inner = f"SELECT s.*, {', '.join(positions)} FROM __file__ AS s"
        exclude = ", ".join(f"__lookup_position_{i}" for i in range(len(lookups)))
        sql = f"SELECT * EXCLUDE ({exclude}), {', '.join(added)} FROM ({inner})"
        params = [*added_params, *position_params]
        columns += [c for t in lookups for c in t.values] + list(flags)
    cells = None
    if unpivot is not None:
        cells = []
        for column in unpivot.columns:
            header = match_header(column, columns)
            if header is None:
                raise MissingColumn(f"{what}: unpivot.columns names column {column!r}, which the file does not have (it has {columns[:40]})")
            cells.append(header)
        kept = [c for c in columns if c not in cells]
        clash = [c for c in unpivot.added_columns if match_header(c, kept) is not None]
        if clash:
            raise LookupTableError(f"{what}: unpivot column(s) {', '.join(map(repr, clash))} already in the file: name the long rows' columns differently")
        structs, struct_params = [], []
        for header, constants in zip(cells, unpivot.columns.values(), strict=True):
            members = [f"{FIELD} := ?::VARCHAR", f"{quote_ident(unpivot.value)} := CAST(s.{quote_ident(header)} AS VARCHAR)"]
            struct_params.append(header)
            for name in unpivot.added_columns[1:]:
                members.append(f"{quote_ident(name)} := ?::VARCHAR")
                struct_params.append(constants[name])
            structs.append(f"struct_pack({', '.join(members)})")
        unnested = f"SELECT s.* EXCLUDE ({', '.join(quote_ident(c) for c in cells)}), unnest([{', '.join(structs)}]) AS __cell FROM ({sql}) AS s"
        picks = ", ".join(f"__cell.{quote_ident(name)} AS {quote_ident(name)}" for name in [FIELD, *unpivot.added_columns])
        sql = f"SELECT * EXCLUDE (__cell), {picks} FROM ({unnested})"
        params = [*struct_params, *params]
        columns = [*kept, FIELD, *unpivot.added_columns]
    return Reshaped(sql, params, columns, cells, flags)
