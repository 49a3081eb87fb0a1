"""Finding a configured column among a file's headers, the one way every step does it.

Exports pad headers with spaces ("Meter # ") and change their case between releases ("UOM", "Uom"):
a configured name matches a header exactly, else ignoring surrounding spaces, else ignoring case too.
The reader, the contract casts and the quarantine's privacy treatment all use this, so a column the
reader found is never missed by the redaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def match_header(name: str, headers: Iterable[str]) -> str | None:
    """The file's header that ``name`` refers to, or None."""
    headers = list(headers)
    if name in headers:
        return name
    for normalise in (str.strip, lambda text: text.strip().casefold()):
        wanted = normalise(name)
        matches = [header for header in headers if normalise(header) == wanted]
        if len(matches) == 1:
            return matches[0]
    return None


def resolve_columns(columns: Mapping[str, str], headers: Iterable[str]) -> dict[str, str]:
    """A contract-column -> export-column mapping pointed at the file's own header names where they
    differ only by surrounding spaces or case (names with no match are left as configured)."""
    headers = list(headers)
    return {column: match_header(name, headers) or name for column, name in columns.items()}
