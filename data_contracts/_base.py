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
from datetime import UTC, date, datetime

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


def unit_fits(table: ir.Table, kind_column: str, units_by_kind: dict[str, list[str]]) -> ir.BooleanColumn:
    """True where ``unit`` is one of the units allowed for the row's kind (energy type, fuel...)."""
    fits = None
    for kind, units in units_by_kind.items():
        clause = (table[kind_column] == kind) & table.unit.isin(units)
        fits = clause if fits is None else fits | clause
    return fits


def ends_after_start(table: ir.Table, start: str, end: str) -> ir.BooleanColumn:
    """An interval must not end before it starts (rows without an end pass)."""
    return table[end].isnull() | (table[end] >= table[start])


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


class MonthlyContract(Contract):
    """A feed of monthly figures, keyed by the first day of their month (and partitioned by it)."""

    period_month: date = Field(description="First day of the month")

    @pa.check("period_month", name="first_day_of_month", error="must be the first day of a month")
    def _first_day(cls, data: IbisData) -> ir.BooleanColumn:
        return first_day_of_month(data)

    @pa.check("period_month", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)
