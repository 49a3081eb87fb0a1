"""The blocking check that a feed's rows add up, against what the warehouse really holds."""

from __future__ import annotations

import duckdb

from city_outcomes.feeds.current import recorded_contract
from city_outcomes.sql import query_dicts
from city_outcomes.warehouse import quote_ident, table_exists
from data_contracts import ContractInfo, get_contract


def reconciliation_failures(conn: duckdb.DuckDBPyConnection, feed: str, contract: ContractInfo | None = None) -> list[dict]:
    """Files of ``feed`` whose rows do not add up, each with its problem in words (none when all is well).

    ``contract`` is the feed's contract (by default, the one its last ingest recorded).
    """
    if contract is None:
        recorded = recorded_contract(conn, feed)
        if recorded is None:
            return []
        contract = get_contract(recorded)
    table = f"core.{quote_ident(contract.name)}"
    time_value = f"CAST({quote_ident(contract.time_column)} AS TIMESTAMP)" if contract.time_column else "CAST(NULL AS TIMESTAMP)"
    source = (
        f"SELECT _feed AS feed, _file_sha256 AS file_sha256, _source_row AS source_row, _source_field AS source_field, {time_value} AS time_value FROM {table}"
        if table_exists(conn, "core", contract.name)
        else "SELECT NULL::VARCHAR AS feed, NULL::VARCHAR AS file_sha256, NULL::BIGINT AS source_row, NULL::VARCHAR AS source_field, "
        "NULL::TIMESTAMP AS time_value LIMIT 0"
    )
    conn.execute(f"CREATE OR REPLACE TEMP VIEW _core_rows AS {source}")
    return query_dicts(conn, "file_reconciliation_failures", {"feed": feed})
