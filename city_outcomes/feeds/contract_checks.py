"""Running a pandera contract inside DuckDB, row by row.

pandera's ibis backend reports *that* a table fails, but a quarantine needs *which rows* fail and
why. So each of the contract's own checks (pandera's built-in and custom check functions, as
ibis expressions) is evaluated as a boolean column in one SQL pass, and every row gets the list
of rules it breaks. The rows that break none are exactly those pandera accepts.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandera.backends.ibis.builtin_checks  # noqa: F401  (registers pandera's ibis checks)
from pandera.api.ibis.types import IbisData

from city_outcomes.config import FeedConfig
from city_outcomes.feeds.spaces import trimmed
from city_outcomes.feeds.transform import DERIVED_PREFIX
from data_contracts import ContractInfo

FAILED_RULES = "__failed_rules"


@ibis.udf.scalar.builtin
def try_strptime(value: str, fmt: str) -> datetime:  # type: ignore[empty-body]
    """DuckDB's TRY_STRPTIME: NULL where the text does not match the format."""


@ibis.udf.scalar.builtin(name="timezone")
def local_to_utc(zone: str, local: datetime) -> dt.Timestamp(timezone="UTC"):  # type: ignore[empty-body,valid-type]
    """DuckDB's timezone(zone, timestamp): a wall-clock time in ``zone`` as an instant."""


@ibis.udf.scalar.builtin
def make_timestamp(microseconds: int) -> datetime:  # type: ignore[empty-body]
    """DuckDB's make_timestamp(µs since the Unix epoch): a UTC timestamp."""


# Special date formats: timestamps written as numbers since the Unix epoch (MDS uses milliseconds).
EPOCH_FORMATS = {"epoch_ms": 1_000, "epoch_s": 1_000_000}


def _parse_timestamp(text: ir.StringValue, fmt: str | None, zone: str | None) -> ir.TimestampValue:
    """Text to a UTC timestamp: epoch numbers, a strptime format, or ISO 8601 (with or without offset)."""
    if fmt in EPOCH_FORMATS:
        micros = (text.try_cast("float64") * EPOCH_FORMATS[fmt]).try_cast("int64")
        # Beyond ~year 294,000 make_timestamp overflows; such a "timestamp" is no time at all.
        return ibis.ifelse(micros.abs() < 9_000_000_000_000_000, make_timestamp(micros), ibis.null(dt.timestamp))
    if fmt:
        naive = try_strptime(text, fmt)
    else:
        with_offset = text.try_cast(dt.Timestamp(timezone="UTC"))
        return with_offset.cast(dt.timestamp) if zone is None else ibis.ifelse(
            text.re_search(r"(Z|[+-]\d\d:?\d\d)$"), with_offset.cast(dt.timestamp), local_to_utc(zone, text.try_cast(dt.timestamp)).cast(dt.timestamp)
        )
    return naive if zone is None else local_to_utc(zone, naive).cast(dt.timestamp)


def _clean_text(column: ir.StringValue) -> ir.StringValue:
    """Exports pad fields with spaces and write empty strings for missing values."""
    return trimmed(column).nullif("")


def typed_columns(raw: ir.Table, contract: ContractInfo, feed: FeedConfig) -> tuple[dict[str, ir.Value], dict[str, ir.BooleanValue]]:
    """Cast each contract column from its raw text as the feed's configuration says; also return,
    per column, where the text was there but could not be read as the contract's type."""
    typed: dict[str, ir.Value] = {}
    cast_failed: dict[str, ir.BooleanValue] = {}
    for name, column in contract.schema.columns.items():
        source = feed.columns.get(name, name)
        if name in feed.constants:
            text = ibis.literal(feed.constants[name], type="string")
        elif source in raw.columns:
            text = _clean_text(raw[source])
        else:
            # Absent from this file (an optional column): every file of a feed still yields the same
            # columns, so files with and without it load into one table.
            typed[name] = ibis.null(column.dtype.type)
            cast_failed[name] = ibis.literal(False)
            continue
        if name in feed.null_values:
            # Placeholders the export writes for "missing" (a user id of 0, an income of 0 where
            # the ACS suppresses it) are missing, not values.
            text = ibis.ifelse(text.isin(feed.null_values[name]), ibis.null("string"), text)
        if name in feed.values:
            text = text.substitute(dict(feed.values[name]), else_=text)
        target = column.dtype.type
        if target.is_date() and name in feed.date_formats:
            value = try_strptime(text, feed.date_formats[name]).date()
        elif target.is_timestamp():
            value = _parse_timestamp(text, feed.date_formats.get(name), feed.timezone)
            zone_column = feed.timezone_columns.get(name)
            if zone_column and zone_column in raw.columns:
                # The export names each row's zone (PDT/PST): that beats a zone guessed from the
                # wall-clock time, which is ambiguous or impossible around daylight-saving changes.
                zone = _clean_text(raw[zone_column])
                offset = zone.substitute(dict(feed.timezone_offsets), else_=zone)
                wall_clock = _parse_timestamp(text, feed.date_formats.get(name), None).strftime("%Y-%m-%d %H:%M:%S")
                with_offset = wall_clock.concat(offset).try_cast(dt.Timestamp(timezone="UTC")).cast(dt.timestamp)
                value = ibis.ifelse(with_offset.notnull(), with_offset, value)
        elif target.is_string():
            value = text
        elif target.is_numeric():
            if feed.numeric_strip:
                text = text.re_replace(f"[{re.escape(feed.numeric_strip)}]", "").strip()
            # A derived column is DuckDB's own output ("7.0"), never written with decimal commas.
            if feed.decimal == "," and not feed.columns.get(name, "").startswith(DERIVED_PREFIX):
                # "1.234,5": the dots group thousands and the comma is the decimal mark.
                text = text.replace(".", "").replace(",", ".")
            value = text.try_cast(target)
            if name in feed.scale:
                value = value * feed.scale[name]
        else:
            value = text.try_cast(target)
        typed[name] = value
        cast_failed[name] = text.notnull() & value.isnull()
    return typed, cast_failed


def _check_expression(check, table: ir.Table, key: str | None) -> ir.BooleanValue:
    """A pandera check as a boolean column of ``table`` (True where the row passes)."""
    out = check._check_fn(IbisData(table, key), **check._check_kwargs)
    if isinstance(out, ir.Table):
        # Built-in checks return a projection of the table; take its expression back onto the table.
        return out.op().values[key].to_expr()
    return out


def with_failed_rules(
    table: ir.Table,
    contract: ContractInfo,
    cast_failed_columns: Mapping[str, str],
    extra_rules: Sequence[tuple[str, ir.BooleanValue]] = (),
) -> ir.Table:
    """Add ``__failed_rules``: the rules each row breaks, less the unique key (NULL for a row that
    passes: the list is built only for the few rows that fail, not for millions that pass).

    ``cast_failed_columns`` maps a contract column to the boolean column of ``table`` that says
    its raw text could not be cast to the contract's type; ``extra_rules`` are rules of the run
    beyond the contract's (the reporting calendar), as (rule, True where the row breaks it).
    """
    schema = contract.schema
    failures: list[tuple[str, ir.BooleanValue]] = []
    for name, column in schema.columns.items():
        cast_failed = table[cast_failed_columns[name]] if name in cast_failed_columns else ibis.literal(False)
        failures.append((f"{name}: type {column.dtype}", cast_failed))
        if not column.nullable:
            # A value that failed its cast is reported as a type error, not also as missing.
            failures.append((f"{name}: not_nullable", table[name].isnull() & ~cast_failed))
        for check in column.checks:
            passed = _check_expression(check, table, name)
            # A null is the nullable rule's business, not every check's.
            failures.append((f"{name}: {check.error or check.name}", table[name].notnull() & ~passed.fill_null(True)))
    for check in schema.checks:
        passed = _check_expression(check, table, None)
        failures.append((f"{check.name}: {check.error or check.name}", ~passed.fill_null(True)))
    # The unique key is judged by the ingest, last, over the rows that break no other rule (the
    # contract's, a JSON Schema's, the reporting calendar's): a broken copy of a good row must not
    # take the good row with it.
    for rule, breaks in extra_rules:
        # A run's rule on a column (the reporting calendar on the time column) is not added to a
        # value the contract already rejects there: a 1970 placeholder is a placeholder, and "set
        # first_month earlier" would be the wrong advice for it.
        column = rule.split(":", 1)[0]
        rejected = [failed.fill_null(False) for name, failed in failures if name.split(":", 1)[0] == column]
        failures.append((rule, breaks & ~functools.reduce(operator.or_, rejected) if rejected else breaks))
    if not failures:
        return table.mutate(**{FAILED_RULES: ibis.null(dt.Array(dt.string))})
    failed = [(rule, breaks.fill_null(False)) for rule, breaks in failures]
    flagged = ibis.array([ibis.ifelse(breaks, ibis.literal(rule), ibis.null(dt.string)) for rule, breaks in failed])
    fails_any = functools.reduce(operator.or_, [breaks for _, breaks in failed])
    return table.mutate(**{FAILED_RULES: ibis.ifelse(fails_any, flagged.filter(lambda rule: rule.notnull()), ibis.null(dt.Array(dt.string)))})


def unique_rule(contract: ContractInfo) -> str:
    """The rule rows sharing a unique key, but differing, are quarantined under."""
    return f"unique: {', '.join(contract.unique)}"
