"""out.factors_applied: each list of factors kept once, an id never naming two lists, and rows joined back to them."""

from __future__ import annotations

import pytest

from city_outcomes import warehouse
from city_outcomes.metrics.factor_sets import FACTORS_TABLE, factors_joined, record_factor_sets

EGRID = "{'gas': 'CO2', 'value': 599.17::DOUBLE, 'unit': 'lb/MWh', 'source': 'eGRID2022 CAMX'}"
OTHER = "{'gas': 'CO2', 'value': 455.2::DOUBLE, 'unit': 'lb/MWh', 'source': 'eGRID2023 CAMX'}"


@pytest.fixture
def conn(tmp_path):
    connection = warehouse.connect(tmp_path / "w.duckdb")
    connection.execute("CREATE SCHEMA IF NOT EXISTS out")
    yield connection
    connection.close()


def _rows(conn, name: str, factors_id: int, factors: str, count: int = 3) -> None:
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT range AS row_id, {factors_id}::UBIGINT AS factors_id, [{factors}] AS factors_applied FROM range({count})")


def test_a_list_used_by_many_rows_and_runs_is_kept_once(conn) -> None:
    _rows(conn, "first_run", 7, EGRID)
    record_factor_sets(conn, "first_run")
    record_factor_sets(conn, "first_run")  # a month refreshed again
    assert conn.execute(f"SELECT factors_id, factors_applied[1].source FROM {FACTORS_TABLE}").fetchall() == [(7, "eGRID2022 CAMX")]


def test_an_id_already_naming_another_list_is_refused(conn) -> None:
    # The planted fault: a second list under an id already taken (a hash collision) must not be joined to the wrong factors.
    _rows(conn, "first_run", 7, EGRID)
    record_factor_sets(conn, "first_run")
    _rows(conn, "second_run", 7, OTHER)
    with pytest.raises(ValueError, match="factors_id 7 already names another list of factors"):
        record_factor_sets(conn, "second_run")
    assert conn.execute(f"SELECT count(*) FROM {FACTORS_TABLE}").fetchone()[0] == 1


def test_rows_are_read_with_their_lists_joined_back(conn) -> None:
    _rows(conn, "rows_with_lists", 7, EGRID, count=2)
    record_factor_sets(conn, "rows_with_lists")
    conn.execute("CREATE TABLE out.emissions AS SELECT row_id, factors_id, NULL::UBIGINT AS market_factors_id FROM rows_with_lists")
    joined = conn.execute(f"SELECT row_id, factors_applied[1].value, market_factors_applied FROM {factors_joined(conn, 'out.emissions')} ORDER BY 1").fetchall()
    assert joined == [(0, 599.17, None), (1, 599.17, None)]
