"""The fast trim gives DuckDB's own ``trim``, value for value, and the ingest reads padded fields as before."""

from __future__ import annotations

import duckdb
import ibis
import pytest

from city_outcomes.feeds.spaces import trimmed, trimmed_sql

# Spaces at either end, inside, alone; tabs and line breaks (which trim keeps); Unicode spaces
# (no-break, ideographic, thin: trim removes them) at either end; non-ASCII text without spaces.
VALUES = [
    "abc", " abc", "abc ", "  a b  ", " ", "   ", "", "a\tb", "\tabc\t", "abc\n", "\r\nabc",
    "\u00a0abc", "abc\u00a0", "\u3000x\u3000", "\u2009x", "café", " café ", "Zürich\u00a0", "x" * 200, " " + "y" * 200,
    "\x1fabc", "abc\x0b",
]


@pytest.fixture(scope="module")
def mem() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    conn.execute("CREATE TABLE t AS SELECT unnest(?) AS v UNION ALL SELECT NULL", [VALUES])
    return conn


def test_sql_version_equals_trim(mem: duckdb.DuckDBPyConnection) -> None:
    rows = mem.execute(f"SELECT v, trim(v), {trimmed_sql('v')} FROM t").fetchall()
    assert len(rows) == len(VALUES) + 1
    for value, expected, fast in rows:
        assert fast == expected, repr(value)


def test_ibis_version_equals_trim(mem: duckdb.DuckDBPyConnection) -> None:
    table = ibis.table({"v": "string"}, name="t")
    sql = ibis.to_sql(table.select(v=table.v, fast=trimmed(table.v)), dialect="duckdb")
    rows = mem.execute(f"SELECT v, trim(v), fast FROM ({sql})").fetchall()
    assert len(rows) == len(VALUES) + 1
    for value, expected, fast in rows:
        assert fast == expected, repr(value)


def test_what_trim_removes(mem: duckdb.DuckDBPyConnection) -> None:
    # Worked out by hand: spaces and Unicode space separators go, tabs and line breaks stay.
    expected = {" abc": "abc", "  a b  ": "a b", "\tabc\t": "\tabc\t", "\u00a0abc": "abc", "\u3000x\u3000": "x", " café ": "café", "   ": ""}
    got = dict(mem.execute(f"SELECT v, {trimmed_sql('v')} FROM t WHERE v IN (SELECT unnest(?))", [list(expected)]).fetchall())
    assert got == expected


def test_padded_fields_of_an_export_are_read_trimmed(tmp_path, conn) -> None:
    """Spaces and a no-break space around fields are trimmed on the way in; the values are the export's."""
    from city_outcomes.feeds.ingest import ingest_feed
    from tests.conftest import write_city

    city = write_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    folder.mkdir(parents=True)
    (folder / "utility_bills_padded.csv").write_text(
        "Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\n"
        "  F-0101 ,Oak Street Office,01/2023, Electric ,  1000 ,KWH,130.00\n"
        "F-0102\u00a0,Elm Library,01/2023,Natural Gas,\u00a052.5,THERMS , 40.00\n",
        encoding="utf-8",
    )
    outcome = ingest_feed(conn, city, "building_energy")
    assert (outcome.rows_read, outcome.rows_written, outcome.rows_quarantined) == (2, 2, 0)
    rows = conn.execute("SELECT building_id, energy_type, quantity FROM core.building_energy ORDER BY building_id").fetchall()
    assert rows == [("F-0101", "electricity", 1000.0), ("F-0102", "natural_gas", 52.5)]
