"""Reconciliation: the inventory against a city's own published figures, every difference attributed.

Per month and source the inventory's tCO2e and the publication's are compared, and the difference is
split into parts that sum to it:

- **factor**: the same activity at a different factor. For activity both sides count, the published
  tCO2e per unit against ours: ``published activity x (our factor - published factor)``.
- **activity**: rows one side has and the other lacks, each named (the meter or facility, its
  activity and tCO2e), and on rows both have, a different quantity (``(ours - published) x our factor``).
- **boundary**: a source one side covers and the other has no figure of at all in the compared
  months (the inventory has no natural gas feed; the publication reports no electricity).
- **rounding**: what is left, and any part within the rounding tolerance (a published figure written
  with few digits, or float noise): such a part is reported as rounding, so a factor that differs only
  in its last printed digit "matches".

Rows are paired by key where the publication's facility id is the inventory's building (meter) id;
then a row without a partner is named as one side's. Where no key of a month and source is shared (a
dashboard that files meters under facility names), the two sides are compared in aggregate, and a gap in activity is named only if exactly one set of at most three rows of
the larger side accounts for it: its activity equal to the gap, and its cost equal to the cost gap
wherever both sides give costs. Such a naming says it was inferred, and how.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from itertools import combinations
from typing import Any

import duckdb

from city_outcomes.sql import load_sql, query_dicts
from city_outcomes.warehouse import table_exists, transaction

RECONCILIATION_TABLE = "out.inventory_reconciliation"
PUBLISHED_CONTRACT = "published_emissions"
# A part of a difference no larger than this is rounding: 1 kg, or 0.01% of the larger figure.
ABSOLUTE_TOLERANCE_TONNES = 0.001
RELATIVE_TOLERANCE = 1e-4
# A gap is matched by a set of rows to within half a unit of activity (bills count whole kWh) and half a
# cent of cost per row; the search stops at sets of this size.
ACTIVITY_MATCH = 0.5
COST_MATCH_PER_ROW = 0.005
MAX_INFERRED_ROWS = 3


class ReconciliationError(ValueError):
    """The warehouse lacks what a reconciliation needs (no inventory yet, no such published feed)."""


@dataclass(frozen=True)
class NamedRow:
    """A meter or facility one side has in a month and the other lacks."""

    side: str  # "inventory" (the publication lacks it) or "published" (the inventory lacks it)
    key: str
    department: str | None
    activity: float | None
    unit: str | None
    co2e_tonnes: float
    cost_usd: float | None
    how: str  # how it was found: by its key, or inferred from the gap


@dataclass
class ReconciliationLine:
    """One month and source: both figures, the difference and its parts (they sum to it)."""

    period_month: date
    source: str
    activity_unit: str | None
    inventory_activity: float | None
    published_activity: float | None
    inventory_tonnes: float
    published_tonnes: float
    factor_tonnes: float = 0.0
    activity_tonnes: float = 0.0
    boundary_tonnes: float = 0.0
    rounding_tonnes: float = 0.0
    inventory_factor: float | None = None  # tCO2e per activity_unit, on the activity both sides count
    published_factor: float | None = None
    factor_verdict: str = "matches"
    verdict: str = "matches"
    explanation: str = ""
    named: list[NamedRow] = field(default_factory=list)
    inventory_basis: str | None = None
    publication: str | None = None

    @property
    def difference_tonnes(self) -> float:
        """Inventory minus published."""
        return self.inventory_tonnes - self.published_tonnes

    @property
    def difference_share(self) -> float | None:
        """The difference as a share of the published figure (None where it is 0)."""
        return self.difference_tonnes / self.published_tonnes if self.published_tonnes else None

    def as_dict(self) -> dict[str, Any]:
        """The line for machines: plain JSON types."""
        row = asdict(self)
        row["period_month"] = self.period_month.isoformat()
        row["difference_tonnes"] = self.difference_tonnes
        row["difference_share"] = self.difference_share
        return row


@dataclass(frozen=True)
class Reconciliation:
    """A whole reconciliation of the inventory against one published feed."""

    feed: str
    start_month: date
    end_month: date  # exclusive
    lines: list[ReconciliationLine]
    not_compared: list[date]  # published months outside the compared period

    @property
    def last_month(self) -> date:
        """The last month compared (the end is exclusive)."""
        before = date.fromordinal(self.end_month.toordinal() - 1)
        return before.replace(day=1)

    def as_dict(self) -> dict[str, Any]:
        """For ``--json``."""
        return {
            "feed": self.feed,
            "start_month": self.start_month.isoformat(),
            "end_month": self.end_month.isoformat(),
            "tolerance": {"absolute_tonnes": ABSOLUTE_TOLERANCE_TONNES, "relative": RELATIVE_TOLERANCE},
            "lines": [line.as_dict() for line in self.lines],
            "published_months_not_compared": [month.isoformat() for month in self.not_compared],
        }


# --- periods -----------------------------------------------------------------------------------


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def parse_period(text: str) -> tuple[date, date]:
    """``2023`` (a year), ``2023-01`` (a month) or ``2023-01..2023-05`` (months, inclusive) as [start, end)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1), date(int(text) + 1, 1, 1)
    months = re.fullmatch(r"(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?", text)
    if months and 1 <= int(months[2]) <= 12 and (months[3] is None or 1 <= int(months[4]) <= 12):
        start = date(int(months[1]), int(months[2]), 1)
        last = date(int(months[3]), int(months[4]), 1) if months[3] else start
        if last >= start:
            return start, _next_month(last)
    raise ValueError(f"period {text!r}: write a year (2023), a month (2023-01) or a range of months (2023-01..2023-05)")


# --- the comparison ----------------------------------------------------------------------------


def _tolerance(*tonnes: float) -> float:
    return max(ABSOLUTE_TOLERANCE_TONNES, RELATIVE_TOLERANCE * max((abs(t) for t in tonnes), default=0.0))


def _sum(rows: list[dict], column: str) -> float:
    return float(sum(row[column] or 0.0 for row in rows))


def _costs(rows: list[dict]) -> float | None:
    """The rows' total cost, or None if any row has none (then cost cannot confirm a gap)."""
    if any(row["cost_usd"] is None for row in rows):
        return None
    return _sum(rows, "cost_usd")


def _named(row: dict, how: str) -> NamedRow:
    return NamedRow(
        side=row["side"], key=row["row_key"], department=row["department"], activity=row["activity_quantity"],
        unit=row["activity_unit"], co2e_tonnes=float(row["co2e_tonnes"] or 0.0), cost_usd=row["cost_usd"], how=how,
    )


def _explain_gap(extra: list[dict], other: list[dict]) -> tuple[list[dict] | None, str]:
    """The one set of at most MAX_INFERRED_ROWS rows of ``extra`` whose activity (and cost, where both
    sides give costs) equals what ``extra`` has beyond ``other``; None and why not if there is no such set
    or more than one."""
    gap = _sum(extra, "activity_quantity") - _sum(other, "activity_quantity")
    extra_cost, other_cost = _costs(extra), _costs(other)
    cost_gap = None if extra_cost is None or other_cost is None else extra_cost - other_cost
    candidates = [row for row in extra if (row["activity_quantity"] or 0) > 0]
    for size in range(1, MAX_INFERRED_ROWS + 1):
        found = []
        for chosen in combinations(candidates, size):
            if abs(_sum(list(chosen), "activity_quantity") - gap) > ACTIVITY_MATCH:
                continue
            if cost_gap is not None and abs(_sum(list(chosen), "cost_usd") - cost_gap) > COST_MATCH_PER_ROW * size:
                continue
            found.append(list(chosen))
            if len(found) > 1:
                break
        if len(found) == 1:
            return found[0], "inferred: its activity" + (" and cost equal" if cost_gap is not None else " equals") + " the gap between the sides"
        if found:
            return None, f"{size}-row sets of more than one kind account for the gap: not named"
    return None, f"no set of up to {MAX_INFERRED_ROWS} rows accounts for the gap of {gap:,.1f}"


def _pair_parts(pairs: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """Factor and activity parts over pairs (inventory activity, tCO2e, published activity, tCO2e)."""
    factor = activity = 0.0
    for a_inv, t_inv, a_pub, t_pub in pairs:
        if a_inv > 0 and a_pub > 0:
            f_inv, f_pub = t_inv / a_inv, t_pub / a_pub
            factor += a_pub * (f_inv - f_pub)
            activity += (a_inv - a_pub) * f_inv
        else:
            activity += t_inv - t_pub
    return factor, activity


def _line(month: date, source: str, inventory: list[dict], published: list[dict], boundary: str | None) -> ReconciliationLine:
    units = {row["activity_unit"] for row in inventory + published}
    comparable = len(units) == 1
    line = ReconciliationLine(
        period_month=month, source=source, activity_unit=units.pop() if comparable else None,
        inventory_activity=_sum(inventory, "activity_quantity") if inventory else None,
        published_activity=_sum(published, "activity_quantity") if published else None,
        inventory_tonnes=_sum(inventory, "co2e_tonnes"), published_tonnes=_sum(published, "co2e_tonnes"),
        inventory_basis=", ".join(sorted({r["basis"] for r in inventory if r["basis"]})) or None,
        publication=", ".join(sorted({r["basis"] for r in published if r["basis"]})) or None,
    )
    tolerance = _tolerance(line.inventory_tonnes, line.published_tonnes)
    notes: list[str] = []
    if boundary is not None:
        line.boundary_tonnes = line.difference_tonnes
        notes.append(boundary)
    elif not comparable:
        # Units the conversions do not relate: the tCO2e are compared, the activity cannot be.
        line.activity_tonnes = line.difference_tonnes
        notes.append(f"activity units differ ({', '.join(sorted(u or '?' for u in units))}): only tCO2e compared")
    else:
        by_key_inv, by_key_pub = _by_key(inventory), _by_key(published)
        shared = sorted(by_key_inv.keys() & by_key_pub.keys())
        pairs = [
            (by_key_inv[k]["activity_quantity"] or 0.0, by_key_inv[k]["co2e_tonnes"] or 0.0, by_key_pub[k]["activity_quantity"] or 0.0, by_key_pub[k]["co2e_tonnes"] or 0.0)
            for k in shared
        ]
        only_inv = [row for k, row in by_key_inv.items() if k not in by_key_pub]
        only_pub = [row for k, row in by_key_pub.items() if k not in by_key_inv]
        named: list[NamedRow] = []
        if only_inv and only_pub and not shared:
            # No key in common: different grains (meters against facilities). Compare in aggregate, naming a gap's rows.
            inv_larger = _sum(only_inv, "activity_quantity") >= _sum(only_pub, "activity_quantity")
            extra, other = (only_inv, only_pub) if inv_larger else (only_pub, only_inv)
            gap_rows, how = (None, "") if _gap_is_nil(extra, other) else _explain_gap(extra, other)
            if gap_rows:
                named = [_named(row, how) for row in gap_rows]
                extra = [row for row in extra if row not in gap_rows]
            elif how:
                notes.append(how)
            rest_inv, rest_pub = (extra, other) if inv_larger else (other, extra)
            pairs.append((_sum(rest_inv, "activity_quantity"), _sum(rest_inv, "co2e_tonnes"), _sum(rest_pub, "activity_quantity"), _sum(rest_pub, "co2e_tonnes")))
        else:
            named = [_named(row, "by its key: the other side has no row of it this month") for row in only_inv + only_pub]
        factor, activity = _pair_parts(pairs)
        activity += sum(n.co2e_tonnes if n.side == "inventory" else -n.co2e_tonnes for n in named)
        line.factor_tonnes, line.activity_tonnes, line.named = factor, activity, named
        compared_inv = sum(p[0] for p in pairs if p[0] > 0 and p[2] > 0)
        compared_pub = sum(p[2] for p in pairs if p[0] > 0 and p[2] > 0)
        if compared_inv and compared_pub:
            line.inventory_factor = sum(p[1] for p in pairs if p[0] > 0 and p[2] > 0) / compared_inv
            line.published_factor = sum(p[3] for p in pairs if p[0] > 0 and p[2] > 0) / compared_pub
    line.rounding_tonnes = line.difference_tonnes - line.factor_tonnes - line.activity_tonnes - line.boundary_tonnes
    # Parts within the tolerance are rounding: a factor equal to the published one to its printed digits matches.
    for part in ("factor_tonnes", "activity_tonnes", "boundary_tonnes"):
        if abs(getattr(line, part)) <= tolerance:
            line.rounding_tonnes += getattr(line, part)
            setattr(line, part, 0.0)
    _verdicts(line, notes)
    return line


def _by_key(rows: list[dict]) -> dict[str, dict]:
    """One row per key: several rows of a key in a month (a vehicle's purchases, a building's bills from two
    meters) are summed, never one kept in place of the others."""
    keyed: dict[str, dict] = {}
    for row in rows:
        if row["row_key"] not in keyed:
            keyed[row["row_key"]] = dict(row)
            continue
        kept = keyed[row["row_key"]]
        for column in ("activity_quantity", "co2e_tonnes"):
            kept[column] = (kept[column] or 0.0) + (row[column] or 0.0)
        kept["cost_usd"] = None if kept["cost_usd"] is None or row["cost_usd"] is None else kept["cost_usd"] + row["cost_usd"]
    return keyed


def _gap_is_nil(extra: list[dict], other: list[dict]) -> bool:
    """True where the unpaired rows of both sides add up to the same activity (and cost, where known)."""
    if abs(_sum(extra, "activity_quantity") - _sum(other, "activity_quantity")) > ACTIVITY_MATCH:
        return False
    costs = _costs(extra), _costs(other)
    return None in costs or abs(costs[0] - costs[1]) <= COST_MATCH_PER_ROW


def _verdicts(line: ReconciliationLine, notes: list[str]) -> None:
    unit = line.activity_unit or "unit"
    if line.factor_tonnes == 0.0 and line.inventory_factor is None:
        line.factor_verdict = "not compared: no activity both sides count"
    elif line.factor_tonnes == 0.0:
        line.factor_verdict = "matches"
    else:
        ratio = line.inventory_factor / line.published_factor - 1 if line.inventory_factor and line.published_factor else None
        line.factor_verdict = (
            f"differs: ours {line.inventory_factor * 1000:.4f} kg/{unit}, published {line.published_factor * 1000:.4f} kg/{unit}"
            + (f" ({ratio:+.1%})" if ratio is not None else "")
        )
    parts = [name for name, value in (("factor", line.factor_tonnes), ("activity", line.activity_tonnes), ("boundary", line.boundary_tonnes)) if value]
    line.verdict = " + ".join(parts) if parts else "matches"
    said = []
    if line.factor_tonnes:
        said.append(f"factor {line.factor_tonnes:+,.3f} t ({line.factor_verdict})")
    for row in line.named:
        where = "in the inventory, not in the publication" if row.side == "inventory" else "in the publication, not in the inventory"
        activity = f"{row.activity:,.0f} {row.unit}, " if row.activity is not None else ""
        said.append(f"{row.key} ({activity}{row.co2e_tonnes:,.3f} t) {where} ({row.how})")
    said.extend(notes)
    if line.rounding_tonnes and abs(line.rounding_tonnes) >= 1e-9:
        said.append(f"rounding {line.rounding_tonnes:+.4f} t")
    line.explanation = "; ".join(said) if said else "the same activity at the same factor"


def _has_fleet(conn: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(conn, "out", "fleet_emissions_monthly") and table_exists(conn, "core", "fleet_fuel")


def _months(conn: duckdb.DuckDBPyConnection, feed: str) -> tuple[list[date], list[date]]:
    rows = query_dicts(conn, "inventory_reconciliation_months", {"feed": feed})
    if _has_fleet(conn):
        rows += query_dicts(conn, "inventory_reconciliation_fleet_months")
    inventory = sorted({r["period_month"] for r in rows if r["side"] == "inventory"})
    return inventory, [r["period_month"] for r in rows if r["side"] == "published"]


def published_feeds(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The published feeds the warehouse holds rows of."""
    if not table_exists(conn, "core", PUBLISHED_CONTRACT):
        return []
    return [feed for (feed,) in conn.execute("SELECT DISTINCT _feed FROM core.published_emissions ORDER BY 1").fetchall()]


def reconcile(conn: duckdb.DuckDBPyConnection, feed: str, period: tuple[date, date] | None = None) -> Reconciliation:
    """Compare the inventory with the published feed ``feed`` over ``period`` ([start, end) months;
    default: the months both the inventory and the publication cover). Reads only: the warehouse may be open read-only."""
    if not table_exists(conn, "out", "building_emissions_monthly"):
        raise ReconciliationError("the warehouse has no inventory yet (out.building_emissions_monthly): `city-outcomes run` builds it")
    known = published_feeds(conn)
    if feed not in known:
        raise ReconciliationError(
            f"the warehouse holds no published figures of feed {feed!r}"
            + (f"; its published feeds: {', '.join(known)}" if known else " (no feed of contract published_emissions has been read)")
        )
    inventory_months, published_months = _months(conn, feed)
    if period is None:
        if not inventory_months:
            raise ReconciliationError("the inventory has no month yet: nothing to compare")
        # The months both sides cover: a publication answers for its own span, not for the inventory's other years.
        first, last = max(min(inventory_months), min(published_months)), min(max(inventory_months), max(published_months))
        if first > last:
            raise ReconciliationError(
                f"the inventory ({min(inventory_months):%Y-%m} to {max(inventory_months):%Y-%m}) and feed {feed!r} "
                f"({min(published_months):%Y-%m} to {max(published_months):%Y-%m}) have no month in common; name one with --period"
            )
        period = (first, _next_month(last))
    start, end = period
    rows = query_dicts(conn, "inventory_reconciliation_rows", {"feed": feed, "start_month": start, "end_month": end})
    if _has_fleet(conn):  # the fleet's fuels (gasoline, diesel, ...), which a publication may report too
        rows += query_dicts(conn, "inventory_reconciliation_fleet_rows", {"start_month": start, "end_month": end})
    groups: dict[tuple[date, str], dict[str, list[dict]]] = defaultdict(lambda: {"inventory": [], "published": []})
    for row in rows:
        groups[(row["period_month"], row["source"])][row["side"]].append(row)
    # A source one side has no row of in any compared month is outside that side's boundary.
    covered = {side: {source for (_, source), sides in groups.items() if sides[side]} for side in ("inventory", "published")}
    lines = []
    for (month, source), sides in sorted(groups.items()):
        boundary = None
        if source not in covered["inventory"]:
            boundary = f"boundary: the inventory counts no {source} in the compared months (no metric computes it from the feeds yet): the publication's figure is outside its boundary"
        elif source not in covered["published"]:
            boundary = f"boundary: the publication reports no {source} in the compared months: the inventory's figure is outside its boundary"
        lines.append(_line(month, source, sides["inventory"], sides["published"], boundary))
    not_compared = [month for month in published_months if not start <= month < end]
    return Reconciliation(feed=feed, start_month=start, end_month=end, lines=lines, not_compared=not_compared)


def write_reconciliation(conn: duckdb.DuckDBPyConnection, result: Reconciliation) -> int:
    """Replace ``out.inventory_reconciliation``'s rows of the result's feed with its lines; return their count."""
    now = datetime.now(UTC).replace(tzinfo=None)
    values = [
        [
            result.feed, line.period_month, line.source, line.activity_unit, line.inventory_activity, line.published_activity,
            line.inventory_tonnes, line.published_tonnes, line.difference_tonnes, line.difference_share,
            line.inventory_factor, line.published_factor, line.factor_tonnes, line.activity_tonnes, line.boundary_tonnes,
            line.rounding_tonnes, line.factor_verdict, line.verdict, line.explanation,
            json.dumps([asdict(n) for n in line.named]), line.inventory_basis, line.publication, now,
        ]
        for line in result.lines
    ]
    with transaction(conn):
        conn.execute(load_sql("inventory_reconciliation_table"))
        conn.execute(f"DELETE FROM {RECONCILIATION_TABLE} WHERE feed = ?", [result.feed])
        if values:
            conn.executemany(f"INSERT INTO {RECONCILIATION_TABLE} VALUES ({', '.join('?' * len(values[0]))})", values)
    return len(values)
