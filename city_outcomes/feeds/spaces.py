"""Trimming the spaces exports pad their fields with, at the cost of a copy rather than a scan.

DuckDB's one-argument ``trim`` removes spaces and the Unicode space separators (no-break space,
ideographic space, ...), not tabs or line breaks. It scans every character of every value for
them, which made it the single most expensive step of reading a large export (5 of 7 CPU seconds
per 2 million rows of a 14-column file). Of ASCII characters it removes only the space, so a value
that is ASCII (as many bytes as characters) and neither starts nor ends with a space is already
trimmed: only the others go through ``trim``. The result is ``trim``'s, value for value.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


@ibis.udf.scalar.builtin(name="trim")
def _trim(value: str) -> str:  # type: ignore[empty-body]
    """DuckDB's one-argument TRIM."""


@ibis.udf.scalar.builtin(name="strlen")
def _strlen(value: str) -> int:  # type: ignore[empty-body]
    """DuckDB's STRLEN: the length in bytes (LENGTH counts characters)."""


def trimmed(value: ir.StringValue) -> ir.StringValue:
    """``trim(value)``, computed only where it can change the value."""
    needs_trim = value.startswith(" ") | value.endswith(" ") | (_strlen(value) != value.length())
    return ibis.ifelse(needs_trim, _trim(value), value)


def trimmed_sql(value: str) -> str:
    """SQL for ``trim(value)``, computed only where it can change the value (``value``: an SQL
    expression without side effects, written out four times)."""
    return f"(CASE WHEN prefix({value}, ' ') OR suffix({value}, ' ') OR strlen({value}) <> length({value}) THEN trim({value}) ELSE {value} END)"
