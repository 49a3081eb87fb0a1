"""What every data contract shares, and how the pipeline reads a contract's metadata.

A contract is a pandera ``DataFrameModel`` for the ibis backend: its checks compile to SQL and
run inside DuckDB, so feeds of millions of rows are validated where they sit. Each model's
``Config.metadata`` carries the contract's version, its time column (for monthly partitions)
and a description a city can hand to a vendor.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import ibis.expr.types as ir
import pandera.backends.ibis.builtin_checks  # noqa: F401  (pandera's ibis checks, registered before any contract is built)
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field


class Contract(pa.DataFrameModel):
    """Base of all contracts: columns are exactly those declared, nothing is coerced silently."""

    class Config:
        strict = "filter"
        coerce = False
        metadata: dict = {"version": "0.0.0", "time_column": None}


@dataclass(frozen=True)
class ContractInfo:
    """The metadata the pipeline needs from a contract model."""

    name: str
    model: type[Contract]
    version: str
    title: str
    time_column: str | None
    unique: tuple[str, ...]

    @property
    def schema(self) -> pa.DataFrameSchema:
        return self.model.to_schema()

    @property
    def columns(self) -> list[str]:
        return list(self.schema.columns)

    @property
    def timestamped(self) -> bool:
        """True where the time column is a timestamp (stored in UTC), not a date."""
        return bool(self.time_column) and self.schema.columns[self.time_column].dtype.type.is_timestamp()


def contract_info(name: str, model: type[Contract]) -> ContractInfo:
    """Read a contract model's metadata into a :class:`ContractInfo`."""
    schema = model.to_schema()
    meta = model.__config__.metadata or {}
    unique = schema.unique or []
    return ContractInfo(
        name=name,
        model=model,
        version=str(meta["version"]),
        title=(schema.title or name),
        time_column=meta.get("time_column"),
        unique=tuple([unique] if isinstance(unique, str) else unique),
    )


# Shared checks. Each returns a boolean column: True where the row passes.


def first_day_of_month(data: IbisData) -> ir.BooleanColumn:
    """Monthly figures are keyed by the first day of their month."""
    return data.table[data.key].day() == 1


# The clock "not in the future" is judged by: the city's today and the instant now (naive UTC, as
# timestamps are stored). The ingest sets it from the city's time zone; outside an ingest it is the
# machine's clock.
_CLOCK: ContextVar[tuple[date, datetime] | None] = ContextVar("reporting_clock", default=None)


@contextmanager
def reporting_clock(today: date, now_utc: datetime) -> Iterator[None]:
    """Judge "not in the future" by the city's ``today`` and ``now_utc`` within the block."""
    token = _CLOCK.set((today, now_utc))
    try:
        yield
    finally:
        _CLOCK.reset(token)


def _today() -> date:
    clock = _CLOCK.get()
    return clock[0] if clock else date.today()


def _now_utc() -> datetime:
    clock = _CLOCK.get()
    return clock[1] if clock else datetime.now(UTC).replace(tzinfo=None)


def not_in_future(data: IbisData) -> ir.BooleanColumn:
    """A reading dated after the city's today cannot have been measured yet."""
    return data.table[data.key] <= _today()


def not_in_future_time(data: IbisData) -> ir.BooleanColumn:
    """An event stamped after now has not happened yet: a clock or time-zone error."""
    return data.table[data.key] <= _now_utc()


def not_in_future_year(data: IbisData) -> ir.BooleanColumn:
    """A year after the city's current year has not been measured yet."""
    return data.table[data.key] <= _today().year


def unit_fits(table: ir.Table, kind_column: str, units_by_kind: dict[str, list[str]]) -> ir.BooleanColumn:
    """True where ``unit`` is one of the units allowed for the row's kind (energy type, fuel...)."""
    fits = None
    for kind, units in units_by_kind.items():
        clause = (table[kind_column] == kind) & table.unit.isin(units)
        fits = clause if fits is None else fits | clause
    return fits


def ends_after_start(table: ir.Table, start: str, end: str) -> ir.BooleanColumn:
    """An interval must not end before it starts (rows without an end pass, and so do rows whose
    end is a placeholder: that has its own rule, and a row breaks each rule under its real name)."""
    return table[end].isnull() | (table[end] >= table[start]) | is_placeholder_time(table[end])


# Ids as real exports write them: a facility keyed by its name ("City Hall", "Fire Station #3",
# "Bibliothèque Centrale") is as good an id as "F-0101". What breaks keys, joins and pages is a tab,
# a line break or another control character, or a run-away value: those are refused. (Goal and
# initiative ids are slugs used in URLs and keep their own pattern.)
ID_MAX_LENGTH = 128
ID_RULE = f"must be printable text of 1 to {ID_MAX_LENGTH} characters, without tabs, line breaks or other control characters"
# C0 and C1 control characters and the Unicode line and paragraph separators (RE2 syntax: DuckDB runs it).
_CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\x{2028}\x{2029}]"


def printable_id(data: IbisData) -> ir.BooleanColumn:
    """True where an id is 1 to ``ID_MAX_LENGTH`` characters of printable text (the reader has trimmed it)."""
    value = data.table[data.key]
    return value.length().between(1, ID_MAX_LENGTH) & ~value.re_search(_CONTROL_CHARACTERS)


def id_check(*columns: str) -> classmethod:
    """The shared id rule for ``columns``: assign it in a contract's class body (``_ids = id_check("building_id")``)."""

    @pa.check(*columns, name="printable_id", error=ID_RULE)
    def _printable_id(cls, data: IbisData) -> ir.BooleanColumn:
        return printable_id(data)

    return _printable_id


# Placeholders: values an export writes where it has none, which look like data. Every contract they
# apply to quarantines them under a rule that names the placeholder, so an analyst need not know them
# (a city's ``null_values`` stays for the placeholders of one export). Written as check factories,
# called in each contract's class body: pandera renames checks a subclass inherits.

EPOCH = datetime(1970, 1, 1)
DAY_1900 = datetime(1900, 1, 1)
# Clocks run from UTC-12 to UTC+14: the epoch (or 1 January 1900) written as any zone's wall-clock
# time, or a UTC value read as local time, lands within 14 hours of it once stored in UTC.
_ANY_ZONE = timedelta(hours=14)
EPOCH_RULE = "placeholder: timestamp at the Unix epoch 1970-01-01T00:00:00"
DAY_1900_RULE = "placeholder: timestamp on 1900-01-01 (the zero date of spreadsheets and SQL Server)"
EPOCH_DATE_RULE = "placeholder: date at the Unix epoch 1970-01-01"
DAY_1900_DATE_RULE = "placeholder: date 1900-01-01 (the zero date of spreadsheets and SQL Server)"
NULL_ISLAND_RULE = "placeholder: coordinates at (0, 0) (null island)"
# MySQL's TIME type tops out at 838:59:59; a session still open when exported is often written as
# that duration (and an end at the epoch).
MYSQL_TIME_MAX = timedelta(hours=838, minutes=59, seconds=59)
OPEN_SESSION_RULE = "placeholder: duration 838:59:59 (MySQL's TIME maximum, written for a session still open)"


def is_epoch_time(value: ir.TimestampValue) -> ir.BooleanValue:
    """True where a timestamp is the Unix epoch, in any time zone."""
    return value.between(EPOCH - _ANY_ZONE, EPOCH + _ANY_ZONE)


def is_1900_time(value: ir.TimestampValue) -> ir.BooleanValue:
    """True where a timestamp falls on 1 January 1900 in some time zone (1899-12-31T10:00 to
    1900-01-02T12:00 UTC)."""
    return value.between(DAY_1900 - _ANY_ZONE, DAY_1900 + timedelta(hours=36))


def is_placeholder_time(value: ir.TimestampValue | ir.DateValue) -> ir.BooleanValue:
    """True where a timestamp or date is one of the placeholders above."""
    if value.type().is_date():
        return value.isin([EPOCH.date(), DAY_1900.date()])
    return is_epoch_time(value) | is_1900_time(value)


def placeholder_time_checks(*columns: str) -> tuple[classmethod, classmethod]:
    """The two timestamp placeholder rules for ``columns``, assigned in a contract's class body
    (``_epoch, _day_1900 = placeholder_time_checks("start_time", "end_time")``)."""

    @pa.check(*columns, name="placeholder_epoch", error=EPOCH_RULE)
    def _epoch(cls, data: IbisData) -> ir.BooleanColumn:
        return ~is_epoch_time(data.table[data.key])

    @pa.check(*columns, name="placeholder_1900_01_01", error=DAY_1900_RULE)
    def _day_1900(cls, data: IbisData) -> ir.BooleanColumn:
        return ~is_1900_time(data.table[data.key])

    return _epoch, _day_1900


def placeholder_date_checks(*columns: str) -> tuple[classmethod, classmethod]:
    """The two date placeholder rules (1970-01-01 and 1900-01-01) for ``columns``."""

    @pa.check(*columns, name="placeholder_epoch", error=EPOCH_DATE_RULE)
    def _epoch(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table[data.key] != EPOCH.date()

    @pa.check(*columns, name="placeholder_1900_01_01", error=DAY_1900_DATE_RULE)
    def _day_1900(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table[data.key] != DAY_1900.date()

    return _epoch, _day_1900


def null_island_check(lat: str, lon: str, point: str | None = None) -> classmethod:
    """The (0, 0) rule for one point's ``lat``/``lon`` columns (``point`` names it where a row has
    several, e.g. a trip's start and end). A point with either coordinate missing passes."""

    @pa.dataframe_check(name=f"{point}_null_island" if point else "null_island", error=f"{NULL_ISLAND_RULE}: {lat} and {lon} are both 0")
    def _null_island(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        return ~((table[lat] == 0) & (table[lon] == 0)).fill_null(False)

    return _null_island


def open_session_check(start: str, end: str) -> classmethod:
    """The 838:59:59 rule: an interval of MySQL's TIME maximum is a session still open, not one of
    35 days. Within a minute either way, for exports that write times to the minute."""

    @pa.dataframe_check(name="open_session_placeholder", error=OPEN_SESSION_RULE)
    def _open_session(cls, data: IbisData) -> ir.BooleanColumn:
        seconds = data.table[end].epoch_seconds() - data.table[start].epoch_seconds()
        limit = int(MYSQL_TIME_MAX.total_seconds())
        return ~seconds.between(limit - 60, limit + 60).fill_null(False)

    return _open_session


class MonthlyContract(Contract):
    """A feed of monthly figures, keyed by the first day of their month (and partitioned by it)."""

    period_month: date = Field(description="First day of the month")

    @pa.check("period_month", name="first_day_of_month", error="must be the first day of a month")
    def _first_day(cls, data: IbisData) -> ir.BooleanColumn:
        return first_day_of_month(data)

    @pa.check("period_month", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)
