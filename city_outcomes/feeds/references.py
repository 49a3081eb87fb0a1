"""Rules a row breaks by naming something the project does not know.

A goal measured by a metric that is not in the metric catalog can never be given a status: the
registry row is quarantined at ingest, its rule listing the metrics that exist, so the sustainability
office corrects the name (or the analyst registers the metric) instead of the goal silently showing
nothing. The checks are the contract's column against a list the project holds, not a contract rule:
the list grows with the catalog, and the contract's version does not change with it.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from city_outcomes.metrics.catalog import catalog

# contract -> column -> where its values must be found
_REFERENCES: dict[str, dict[str, str]] = {"goals": {"metric": "the metric catalog"}}


def _known(what: str) -> list[str]:
    if what == "the metric catalog":
        return catalog().names
    raise KeyError(what)


def unknown_reference_rule(contract: str, column: str) -> str:
    """The rule a row breaks when ``column`` names nothing known, with the valid names and the fix."""
    what = _REFERENCES[contract][column]
    return (
        f"{column}: not in {what}; the metrics are: {', '.join(_known(what))} "
        "(correct the name, or register the metric in city_outcomes/metrics/catalog/)"
    )


def reference_checks(contract: str) -> Callable[[ir.Table], list[tuple[str, ir.BooleanValue]]] | None:
    """The contract's reference rules over a table of typed rows (None where it has none)."""
    references = _REFERENCES.get(contract)
    if not references:
        return None

    def rules(table: ir.Table) -> list[tuple[str, ir.BooleanValue]]:
        # A null is the not-nullable rule's business; only a name that is given can be unknown.
        return [
            (unknown_reference_rule(contract, column), table[column].notnull() & ~table[column].isin([ibis.literal(n) for n in _known(what)]))
            for column, what in references.items()
        ]

    return rules
