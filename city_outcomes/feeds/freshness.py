"""Is each feed's data as recent as it should be? Freshness against the feed's cadence, for the data quality page.

A feed's periods are calendar months, quarters (January-March, ...) or years. A period P is **due** once
``P's last day + grace_days <= as_of``: with the default 45 days, September 2026 (last day 09-30) is
due from 2026-11-14 on, October 2026 only from 2026-12-15. The *due period* on a day is the latest
period already due: on 2026-12-03 with 45 days it is September 2026 (October's 10-31 + 45 = 12-15 is
still ahead). A feed is

- ``current`` when its latest period in core is the due period or later;
- ``late`` when its latest period is older than the due period (the sentence names the first
  missing period and the day it was due);
- ``no data`` when core holds none of its rows;
- ``reference`` when its cadence is ``none`` (reference data such as a buildings inventory or
  emission factors: never late).

The latest period present is read from the feed's rows in ``core`` by the contract's time column, on
the city's clock: a timestamp (stored in UTC) falls in the month it has in the city's time zone, as
ingest and the monthly metrics assign it; a date is in its own month.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

import duckdb

from city_outcomes.calendar import city_clock
from city_outcomes.config import CityConfig, FeedConfig
from city_outcomes.sql import query_dicts
from city_outcomes.warehouse import quote_ident, table_exists
from data_contracts import ContractInfo, get_contract

Cadence = Literal["monthly", "quarterly", "annual", "none"]
Status = Literal["current", "late", "no data", "reference"]

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "annual": 12}
PERIOD_NOUN = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
# Contract and column names become SQL identifiers: only plain names are accepted (then quoted).
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def feed_cadence(feed: FeedConfig, contract: ContractInfo) -> Cadence:
    """The feed's cadence: as configured, else monthly for a contract with a time column and none for reference data."""
    if feed.cadence is not None:
        return feed.cadence
    return "monthly" if contract.time_column else "none"


def _months(cadence: str) -> int:
    if cadence not in MONTHS_PER_PERIOD:
        raise ValueError(f"cadence {cadence!r} has no periods; periods are monthly, quarterly or annual")
    return MONTHS_PER_PERIOD[cadence]


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def period_start(cadence: str, day: date) -> date:
    """The first day of the period (calendar month, quarter or year) that holds ``day``."""
    n = _months(cadence)
    return date(day.year, (day.month - 1) // n * n + 1, 1)


def next_period(cadence: str, start: date) -> date:
    """The first day of the period after the one starting ``start``."""
    return _add_months(start, _months(cadence))


def period_last_day(cadence: str, start: date) -> date:
    """The last day of the period starting ``start`` (2026-09-01 monthly: 2026-09-30)."""
    return next_period(cadence, start) - timedelta(days=1)


def periods_between(cadence: str, first: date, last: date) -> int:
    """How many periods from the one starting ``first`` to the one starting ``last``, both included."""
    return ((last.year - first.year) * 12 + last.month - first.month) // _months(cadence) + 1


def period_label(cadence: str, start: date) -> str:
    """2026-09 (monthly), 2026-Q3 (quarterly), 2026 (annual)."""
    if cadence == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if cadence == "annual":
        return f"{start.year}"
    return f"{start:%Y-%m}"


def due_by(cadence: str, start: date, grace_days: int) -> date:
    """The day the period starting ``start`` becomes due: its last day + ``grace_days``."""
    return period_last_day(cadence, start) + timedelta(days=grace_days)


def due_period(cadence: str, as_of: date, grace_days: int) -> date | None:
    """The first day of the latest period whose data should have arrived by ``as_of``, or None for cadence ``none``.

    Period P is due when P's last day + ``grace_days`` <= ``as_of``, i.e. when its last day is on or before
    ``as_of - grace_days``. Monthly, 2026-12-03, 45 days: 2026-10-19 is the latest last day allowed, so
    October (ending 10-31) is not due yet and September (2026-09-01) is the due period.
    """
    if cadence == "none":
        return None
    latest_end = as_of - timedelta(days=grace_days)
    start = period_start(cadence, latest_end)
    # The period holding latest_end is due only if latest_end is its very last day.
    return start if period_last_day(cadence, start) == latest_end else _add_months(start, -_months(cadence))


@dataclass(frozen=True)
class FeedFreshness:
    """One feed's freshness on a day: its cadence, latest and due periods (first days), status and a sentence."""

    feed: str
    contract: str
    cadence: Cadence
    grace_days: int
    rows_in_core: int
    latest_period: date | None
    latest_label: str | None
    due_period: date | None
    due_label: str | None
    status: Status
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _identifier(name: str, what: str) -> str:
    if not PLAIN_NAME.match(name):
        raise ValueError(f"{what} {name!r} is not a plain SQL name (letters, digits, underscores)")
    return quote_ident(name)


def _prepare_feed_times(conn: duckdb.DuckDBPyConnection, contracts: list[ContractInfo]) -> None:
    """The temporary view ``_feed_times`` (feed, timestamped, time_value) over the contracts' core tables
    that exist: one row per stored row, time_value NULL for a contract without a time column."""
    selects = []
    for contract in contracts:
        if not table_exists(conn, "core", contract.name):
            continue
        table = f"core.{_identifier(contract.name, 'contract')}"
        if contract.time_column:
            value = f"CAST({_identifier(contract.time_column, 'time column')} AS TIMESTAMP)"
        else:
            value = "CAST(NULL AS TIMESTAMP)"
        selects.append(f"SELECT _feed AS feed, {str(contract.timestamped).upper()} AS timestamped, {value} AS time_value FROM {table}")
    empty = "SELECT NULL::VARCHAR AS feed, NULL::BOOLEAN AS timestamped, NULL::TIMESTAMP AS time_value LIMIT 0"
    conn.execute(f"CREATE OR REPLACE TEMP VIEW _feed_times AS {' UNION ALL '.join(selects) or empty}")


def latest_months(conn: duckdb.DuckDBPyConnection, city: CityConfig) -> dict[str, tuple[int, date | None]]:
    """Per feed with rows in core: its rows and the month (first day, on the city's clock) of its latest row."""
    contracts = {get_contract(feed.contract).name: get_contract(feed.contract) for feed in city.feeds.values()}
    _prepare_feed_times(conn, sorted(contracts.values(), key=lambda c: c.name))
    rows = query_dicts(conn, "site_feed_latest_months", {"timezone": city.city.timezone or "UTC"})
    return {row["feed"]: (row["rows_in_core"], row["latest_month"]) for row in rows}


def _judge(name: str, contract: ContractInfo, cadence: Cadence, grace: int, rows: int, latest_month: date | None, as_of: date) -> FeedFreshness:
    if cadence == "none":
        latest = f"; latest month {latest_month:%Y-%m}" if latest_month else ""
        sentence = f"Reference data, not expected on a schedule (cadence none): {rows} row(s) in core{latest}."
        return FeedFreshness(name, contract.name, cadence, grace, rows, latest_month, f"{latest_month:%Y-%m}" if latest_month else None,
                             None, None, "reference", sentence)
    due = due_period(cadence, as_of, grace)
    assert due is not None
    noun = PERIOD_NOUN[cadence]
    due_label = period_label(cadence, due)

    def owed(start: date, verb: str) -> str:
        return f"{period_label(cadence, start)} {verb} due by {due_by(cadence, start, grace):%Y-%m-%d} ({period_last_day(cadence, start):%Y-%m-%d} + {grace} days)"

    if latest_month is None:
        sentence = f"No rows in core; {owed(due, 'was')}."
        return FeedFreshness(name, contract.name, cadence, grace, rows, None, None, due, due_label, "no data", sentence)
    latest = period_start(cadence, latest_month)
    latest_label = period_label(cadence, latest)
    head = f"Latest {noun} {latest_label}"
    if latest >= due:
        # The next period not yet in core, and when it falls due.
        status: Status = "current"
        sentence = f"{head}; {owed(next_period(cadence, latest), 'is')}."
    else:
        status = "late"
        missing = next_period(cadence, latest)
        behind = periods_between(cadence, missing, due)
        span = period_label(cadence, missing) if behind == 1 else f"{period_label(cadence, missing)} to {due_label}"
        sentence = f"{head}; {owed(missing, 'was')}: {behind} {noun}{'s' if behind > 1 else ''} late ({span})."
    return FeedFreshness(name, contract.name, cadence, grace, rows, latest, latest_label, due, due_label, status, sentence)


def feed_freshness(conn: duckdb.DuckDBPyConnection, city: CityConfig, as_of: date | None = None) -> list[FeedFreshness]:
    """Every configured feed's freshness on ``as_of`` (default: today on the city's clock), by feed name."""
    as_of = as_of or city_clock(city).today
    present = latest_months(conn, city)
    result = []
    for name in sorted(city.feeds):
        feed = city.feeds[name]
        contract = get_contract(feed.contract)
        rows, latest_month = present.get(name, (0, None))
        result.append(_judge(name, contract, feed_cadence(feed, contract), feed.grace_days, rows, latest_month, as_of))
    return result
