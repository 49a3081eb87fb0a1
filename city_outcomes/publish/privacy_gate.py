"""The publication privacy gate: no published table or chart shows, or lets a reader work out, a small count.

A count by tract, group or small population from 1 to k-1 is a *small cell*. k is ``small_cell_k`` in the
city's privacy policy (``PrivacyPolicy.small_cell_k``), 11 by default: CMS's cell-size rule, "no cell
containing a value of 1 to 10 can be reported directly. A value of zero does not violate" it, and cells
from which 1 to 10 can be derived are prohibited too (``../shared/DOMAIN.md`` §10).

Two parts:

- :func:`suppress_small_counts` prepares a table for publication. **Primary suppression**: every count from
  1 to k-1 (totals included) becomes None, its marker "fewer than k". **Complementary suppression**: a
  *line* is a row whose row total is published (``total_column``), or a column whose column total is
  published (the ``total_row``). In a line with a published total, if exactly one cell is suppressed, the
  total minus the published cells would give it back, so the line's next-smallest published cell is
  suppressed too: preferring a cell whose crossing line already has a suppressed cell (so the suppression
  does not spread), then a non-zero one (a suppressed zero hides little once a reader guesses it), then the
  smallest; the total itself when no cell is left. The same happens when two or more cells are suppressed but their sum,
  which the total gives away, is still from 1 to k-1 (each of them would then be known to be small). A
  complementary cell may be suppressed in another line too, so this repeats until nothing changes.
  Complementary cells are marked "withheld so a total cannot reveal a small count".
- :func:`check_publication` is the publish-time check: it raises :class:`PrivacyViolation`, naming the table,
  the row (its key values) and the column of every offending cell and the ``small_cell_k`` setting, if any
  published count is from 1 to k-1 or any suppressed cell (or group of suppressed cells in a line) can be
  derived from a published total as from 1 to k-1. Its message never prints the offending count.

Known limit: only totals the table itself carries are considered; a total published elsewhere (another
table, a headline) must be passed as its own line (a one-row table with the same cells and its total), or
checked by publishing both tables' cells together. Build a chart from the suppressed table, then check it
with :func:`chart_table`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from city_outcomes.publish.formatting import is_missing as _missing

if TYPE_CHECKING:
    from city_outcomes.publish.charts import Figure

MARKER_SUFFIX = "__suppressed"
COMPLEMENTARY = "withheld so a total cannot reveal a small count"
SETTING = "small_cell_k"


def fewer_than(k: int) -> str:
    """What a suppressed small count shows: "fewer than 11"."""
    return f"fewer than {k}"


def marker_column(column: str) -> str:
    """The column beside ``column`` that says why a cell is suppressed (None where it is published)."""
    return f"{column}{MARKER_SUFFIX}"


def shown(value: Any, marker: Any) -> Any:
    """A cell as a page shows it: the marker's text where suppressed, else the value."""
    return marker if isinstance(marker, str) else value


class PrivacyViolation(ValueError):
    """A published table or chart breaks the small-cell rule; ``problems`` holds one line per offending cell."""

    def __init__(self, problems: list[str], k: int, source: str) -> None:
        self.problems = problems
        self.k = k
        header = (
            f"publication refused: {len(problems)} cell{'s' if len(problems) != 1 else ''} break the small-cell rule "
            f"({SETTING} = {k} in {source}: a count from 1 to {k - 1} is published only as \"{fewer_than(k)}\", "
            "and never so that a total gives it back)"
        )
        super().__init__(header + ":\n" + "\n".join(f"- {problem}" for problem in problems))


Cell = tuple[Hashable, str]  # (row index label, column)


@dataclass(frozen=True)
class _Line:
    name: str
    cells: list[Cell]
    total: Cell


def is_small_count(value: Any, k: int) -> bool:
    """Whether a count breaks the rule: from 1 to k−1 (a zero or a missing cell does not)."""
    return not _missing(value) and 0 < float(value) < k


def _total_row_index(frame: pd.DataFrame, key_columns: list[str], total_row: str | None) -> Hashable | None:
    """The index label of the row whose first key column holds ``total_row``."""
    if total_row is None:
        return None
    if not key_columns:
        raise ValueError(f"total_row {total_row!r} needs a key column to be found in")
    matches = frame.index[frame[key_columns[0]] == total_row].tolist()
    if len(matches) != 1:
        raise ValueError(f"total_row {total_row!r}: {len(matches)} rows have it in {key_columns[0]!r} (expected one)")
    return matches[0]


def _lines(frame: pd.DataFrame, count_columns: list[str], total_column: str | None, total_index: Hashable | None) -> list[_Line]:
    """Every line whose total the table publishes: rows (with a row total), columns (with a total row)."""
    cells_columns = [column for column in count_columns if column != total_column]
    data_rows = [index for index in frame.index if index != total_index]
    lines: list[_Line] = []
    if total_column is not None:
        for index in data_rows + ([total_index] if total_index is not None else []):
            lines.append(_Line(f"row {index}", [(index, column) for column in cells_columns], (index, total_column)))
    if total_index is not None:
        for column in cells_columns + ([total_column] if total_column is not None else []):
            lines.append(_Line(f"column {column}", [(index, column) for index in data_rows], (total_index, column)))
    return lines


def _count_cells(frame: pd.DataFrame, count_columns: list[str], total_column: str | None) -> list[Cell]:
    columns = list(dict.fromkeys([*count_columns, *([total_column] if total_column else [])]))
    return [(index, column) for index in frame.index for column in columns]


def suppress_small_counts(
    table: pd.DataFrame,
    *,
    count_columns: list[str],
    k: int,
    total_row: str | None = None,
    group_columns: list[str] | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """``table`` ready to publish: small counts (1 to k-1) and their complements suppressed (see the module).

    ``count_columns``: the count cells. ``group_columns``: the key columns (default: every other column); a
    row whose first group column holds ``total_row`` is the column totals' row. ``total_column``: a column of
    row totals (a count too). Returns a copy in which every suppressed cell is None and each count column
    ``c`` has a marker column ``marker_column(c)``: "fewer than k" (primary), :data:`COMPLEMENTARY`, or None.
    Zeros are published: a zero does not break the rule.
    """
    if k < 2:
        raise ValueError(f"{SETTING} must be at least 2, not {k}")
    missing = [column for column in [*count_columns, *([total_column] if total_column else [])] if column not in table.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the table (it has {list(table.columns)})")
    keys = group_columns if group_columns is not None else [c for c in table.columns if c not in count_columns and c != total_column]
    total_index = _total_row_index(table, keys, total_row)
    values = {cell: table.at[cell] for cell in _count_cells(table, count_columns, total_column)}
    primary = {cell for cell, value in values.items() if is_small_count(value, k)}
    suppressed = set(primary)
    lines = _lines(table, count_columns, total_column, total_index)

    def number(cell: Cell) -> float:
        # A cell the source left empty is published empty, and a reader may take it as zero.
        return 0.0 if _missing(values[cell]) else float(values[cell])

    changed = True
    while changed:
        changed = False
        for line in lines:
            if line.total in suppressed or _missing(values[line.total]):
                continue  # no published total in this line: nothing to subtract from
            hidden = [cell for cell in line.cells if cell in suppressed]
            if not hidden:
                continue
            if len(hidden) >= 2 and not 0 < sum(number(cell) for cell in hidden) < k:
                continue  # the total gives away only a sum that is zero or not small
            candidates = [cell for cell in line.cells if cell not in suppressed and not _missing(values[cell])]

            def opens_a_line(cell: Cell, line: _Line = line) -> bool:
                # Would hiding it leave a crossing line with one suppressed cell and a published total (more
                # suppression to follow)? Such a cell is taken only when no other will do.
                return any(
                    other is not line and cell in other.cells and other.total not in suppressed and not _missing(values[other.total])
                    and not any(c in suppressed for c in other.cells)
                    for other in lines
                )

            # The next-smallest cell: one that opens no other line first, then a non-zero one, then the smallest;
            # ties by position, so the result is reproducible.
            pick = min(candidates, key=lambda cell: (opens_a_line(cell), number(cell) == 0, number(cell))) if candidates else line.total
            suppressed.add(pick)
            changed = True

    out = table.copy()
    for column in dict.fromkeys([*count_columns, *([total_column] if total_column else [])]):
        markers = [
            fewer_than(k) if (index, column) in primary else COMPLEMENTARY if (index, column) in suppressed else None
            for index in out.index
        ]
        out[column] = pd.Series(
            [None if (index, column) in suppressed or _missing(value) else value for index, value in zip(out.index, table[column], strict=True)],
            index=out.index,
            dtype=object,
        )
        out[marker_column(column)] = pd.Series(markers, index=out.index, dtype=object)
    return out


@dataclass(frozen=True)
class PublishedTable:
    """A table as it will be published, for :func:`check_publication`.

    ``count_columns``: the count cells (None where suppressed). ``key_columns``: what names a row in a message
    (default: every column that is neither a count nor a marker). ``total_column``: a published column of row
    totals; ``total_row``: the value of the first key column on the published row of column totals.
    """

    name: str
    frame: pd.DataFrame
    count_columns: list[str]
    key_columns: list[str] | None = None
    total_column: str | None = None
    total_row: str | None = None
    column_labels: dict[str, str] = field(default_factory=dict)

    def _keys(self) -> list[str]:
        if self.key_columns is not None:
            return self.key_columns
        counts = {*self.count_columns, *([self.total_column] if self.total_column else [])}
        return [c for c in self.frame.columns if c not in counts and not str(c).endswith(MARKER_SUFFIX)]

    def _where(self, cell: Cell) -> str:
        index, column = cell
        keys = self._keys()
        row = ", ".join(f"{key}={self.frame.at[index, key]}" for key in keys) if keys else f"#{index}"
        label = self.column_labels.get(column)
        return f'table "{self.name}", row {row}, column {column}' + (f" ({label})" if label else "")

    def problems(self, k: int) -> list[str]:
        """One line per offending cell: a published small count, or a suppressed one a total gives back."""
        frame = self.frame
        problems = [
            f"{self._where(cell)}: a count from 1 to {k - 1} is published"
            for cell in _count_cells(frame, self.count_columns, self.total_column)
            if is_small_count(frame.at[cell], k)
        ]
        total_index = _total_row_index(frame, self._keys(), self.total_row)
        for line in _lines(frame, self.count_columns, self.total_column, total_index):
            total = frame.at[line.total]
            if _missing(total):
                continue
            hidden = [cell for cell in line.cells if _missing(frame.at[cell])]
            if not hidden:
                continue
            derived = float(total) - sum(float(frame.at[cell]) for cell in line.cells if cell not in hidden)
            if not 0 < derived < k:
                continue
            if line.name.startswith("row"):
                total_where = f"the row total in column {line.total[1]}"
            else:
                total_where = f"the column total on row {self._where(line.total).split(', row ', 1)[1].rsplit(', column ', 1)[0]}"
            if len(hidden) == 1:
                problems.append(f"{self._where(hidden[0])}: suppressed, but {total_where} minus the line's published cells gives it back, from 1 to {k - 1}")
            else:
                problems += [
                    f"{self._where(cell)}: suppressed, but {total_where} minus the published cells gives the sum of the line's {len(hidden)} suppressed cells, from 1 to {k - 1}"
                    for cell in hidden
                ]
        return problems


def check_publication(tables: Iterable[PublishedTable], k: int, *, source: str = "the city's privacy policy") -> None:
    """Refuse a publication that breaks the small-cell rule: raise :class:`PrivacyViolation` naming every
    offending cell of every table (table, row keys, column) and the ``small_cell_k`` setting (from
    ``source``, e.g. ``PrivacyPolicy.source``). Zeros pass."""
    if k < 2:
        raise ValueError(f"{SETTING} must be at least 2, not {k}")
    problems = [problem for table in tables for problem in table.problems(k)]
    if problems:
        raise PrivacyViolation(problems, k, source)


def chart_table(figure: Figure, count_columns: list[str], *, total_column: str | None = None) -> PublishedTable:
    """A chart's data (its table alternative and CSV) as a :class:`PublishedTable`, so the gate checks it.

    A stacked-bar figure's ``total`` column is taken as its row total unless it is itself listed in
    ``count_columns`` or ``total_column`` names another. Rows are named by the figure's other columns."""
    if total_column is None and "total" in figure.columns and "total" not in count_columns:
        total_column = "total"
    counts = {*count_columns, *([total_column] if total_column else [])}
    keys = [column for column in figure.columns if column not in counts]
    return PublishedTable(
        name=f"chart {figure.id} ({figure.title})",
        frame=figure.data[list(figure.columns)],
        count_columns=list(count_columns),
        key_columns=keys,
        total_column=total_column,
        column_labels=dict(figure.columns),
    )
