"""One helper for every chart on the site: a :class:`Figure` carries the chart, its one-sentence summary,
its table alternative, its CSV and its PNG/SVG exports.

Build figures with :func:`line_against_target` (a goal's series against the straight-line path to its
target) or :func:`stacked_bars` (a total split by category, optionally under a target path). Every figure's
spec gets the shared look of ``chart_style`` (Okabe–Ito palette, a high-contrast variant, readable at 360 px).

Names from data (departments, sectors) go into a spec as they are: Vega draws titles, axis and legend labels
as SVG text, never as markup, and the page passes tooltips through the sanitizer in ``safe_text``. Escaping
them here would show "&lt;" on the chart. The table alternative is not escaped either (the templates
autoescape); the CSV and the written spec go through ``safe_text`` (``csv_cell``, ``script_json``).
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from city_outcomes.publish import chart_style
from city_outcomes.publish.formatting import is_missing as _missing
from city_outcomes.publish.safe_text import csv_cell, script_json

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MISSING = "–"  # en dash: what the table shows for a value that is not there
MINUS = "−"  # U+2212: a negative change in a sentence reads as minus, not a hyphen
# Line-chart kinds: the colour domain is always all four (so "Actual" has the same colour on every chart),
# and the legend lists only the kinds a chart has.
ACTUAL, INCOMPLETE, PATH, TARGET = "Actual", "Incomplete", "Path to target", "Target"
LINE_KINDS = [ACTUAL, INCOMPLETE, PATH, TARGET]
# Column formats a Figure understands besides a Python format spec (",.1f"): see Figure.formats.
PERIOD_FORMATS = ("year", "month", "date")


def _vega_lite_version() -> str:
    """The Vega-Lite version altair writes specs for, as vl-convert names it (e.g. '6.4')."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@dataclass(frozen=True)
class Figure:
    """A chart with everything a page needs to publish it accessibly.

    ``formats`` (optional) says how a column's cells are written in the table and the CSV: ``"year"``
    (2024), ``"month"`` (2024-03), ``"date"`` (2024-03-05) or a Python format spec for numbers (``",.1f"``).
    Columns it does not name are inferred: dates whose days are all the 1st as months, an integer column
    called ``year``/``period``/``*_year`` as years, other integers with thousands separators, floats with
    one decimal (none when every value is whole).
    """

    id: str
    title: str
    description: str
    summary: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    columns: dict[str, str]
    formats: Mapping[str, str] = field(default_factory=dict)
    # The image files write() makes by default: none for an overview card's sparkline (the goal page's chart is its image).
    exports: tuple[str, ...] = ("png", "svg")

    def __post_init__(self) -> None:
        if not ID_PATTERN.fullmatch(self.id):
            raise ValueError(f"figure id {self.id!r} must be a slug of a-z, 0-9 and single hyphens (it names the files charts/<id>.*)")
        missing = [column for column in self.columns if column not in self.data.columns]
        if missing:
            raise ValueError(f"figure {self.id}: columns {missing} are not in its data (it has {list(self.data.columns)})")

    # --- the spec ---------------------------------------------------------------------------------------
    @functools.cached_property
    def _validated_spec(self) -> dict[str, Any]:
        # altair validates a spec against the Vega-Lite schema on every to_dict() (0.2 s a chart): once is enough.
        return self.chart.to_dict()

    def page_spec(self, high_contrast: bool = False) -> dict[str, Any]:
        """The Vega-Lite spec to embed: width of its container, no title (the page's heading is the title),
        data inline (top-level ``datasets``), autosize fit-x, ``description`` for the SVG's aria-label, and
        the shared config (``chart_style.HIGH_CONTRAST_CONFIG`` with ``high_contrast=True``; only ``config``
        differs between the two)."""
        spec = copy.deepcopy(self._validated_spec)
        spec.pop("title", None)
        spec["width"] = "container"
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
        spec["description"] = self.description
        spec["config"] = chart_style.config(high_contrast)
        return spec

    def export_spec(self, width: int = chart_style.EXPORT_WIDTH, high_contrast: bool = False) -> dict[str, Any]:
        """The spec of the PNG/SVG exports: a fixed width, and the title drawn in (an exported image travels
        without the page's heading)."""
        spec = self.page_spec(high_contrast)
        spec["width"] = width
        spec["title"] = {"text": self.title, "anchor": "start", "fontSize": 15, "font": chart_style.FONT, "color": chart_style.TEXT_COLOUR}
        return spec

    # --- the table alternative and the CSV --------------------------------------------------------------
    def _format_of(self, column: str) -> str:
        if column in self.formats:
            return self.formats[column]
        values = self.data[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            present = values.dropna()
            return "month" if (present.dt.day == 1).all() and (present.dt.normalize() == present).all() else "date"
        if pd.api.types.is_bool_dtype(values):
            return "text"
        if pd.api.types.is_integer_dtype(values):
            return "year" if column in ("year", "period") or column.endswith("_year") else ",d"
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            return ",.0f" if len(present) and (present == present.round()).all() else ",.1f"
        present = [v.item() if isinstance(v, np.generic) else v for v in values if not _missing(v)]
        if present and all(isinstance(v, (date, datetime)) for v in present):
            return "date"
        # An object column of numbers (a suppressed count column holds ints and None).
        if present and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present):
            if all(isinstance(v, numbers.Integral) for v in present):
                return ",d"
            return ",.0f" if all(float(v).is_integer() for v in present) else ",.1f"
        return "text"

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The table alternative: header labels (with units) and every cell as display text (numbers with
        thousands separators, periods as YYYY or YYYY-MM, a missing value as "–"). Not escaped here: the
        templates autoescape."""
        headers = list(self.columns.values())
        formats = {column: self._format_of(column) for column in self.columns}
        rows = [[_display(row[column], formats[column]) for column in self.columns] for row in self._rows()]
        return headers, rows

    def csv(self) -> str:
        """The data as CSV with the header labels: numbers in full (they read back the same), periods as in the
        table, a missing value empty, and every text cell through ``safe_text.csv_cell``."""
        formats = {column: self._format_of(column) for column in self.columns}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([csv_cell(label) for label in self.columns.values()])
        for row in self._rows():
            writer.writerow([_csv_value(row[column], formats[column]) for column in self.columns])
        return out.getvalue()

    def _rows(self) -> Iterable[dict[str, Any]]:
        # numpy scalars (from object columns) as Python ones, so ints and floats are told apart below.
        for row in self.data[list(self.columns)].to_dict("records"):
            yield {column: value.item() if isinstance(value, np.generic) else value for column, value in row.items()}

    # --- files ------------------------------------------------------------------------------------------
    def write(self, folder: Path, formats: Iterable[str] | None = None, width: int = chart_style.EXPORT_WIDTH) -> dict[str, str]:
        """Write ``folder/charts/<id>.vl.json`` (the page spec, script-safe JSON), ``.csv`` and the exports in
        ``formats`` ("png", "svg"; vl-convert, ``width`` CSS px wide, PNG at ``chart_style.EXPORT_SCALE``);
        returns their paths relative to ``folder`` by kind ("spec", "csv", "png", "svg")."""
        formats = list(self.exports if formats is None else formats)
        unknown = set(formats) - {"png", "svg"}
        if unknown:
            raise ValueError(f"figure {self.id}: unknown export formats {sorted(unknown)} (png, svg)")
        charts = Path(folder) / "charts"
        charts.mkdir(parents=True, exist_ok=True)
        written = {"spec": f"charts/{self.id}.vl.json", "csv": f"charts/{self.id}.csv"}
        (Path(folder) / written["spec"]).write_text(script_json(self.page_spec(), indent=1), encoding="utf-8")
        (Path(folder) / written["csv"]).write_text(self.csv(), encoding="utf-8")
        if formats:
            spec = self.export_spec(width)
            version = _vega_lite_version()
            if "png" in formats:
                written["png"] = f"charts/{self.id}.png"
                png = vl_convert.vegalite_to_png(spec, vl_version=version, scale=chart_style.EXPORT_SCALE)
                (Path(folder) / written["png"]).write_bytes(png)
            if "svg" in formats:
                written["svg"] = f"charts/{self.id}.svg"
                (Path(folder) / written["svg"]).write_text(vl_convert.vegalite_to_svg(spec, vl_version=version), encoding="utf-8")
        return written


# --- cell and sentence formatting -----------------------------------------------------------------------
def _period_text(value: Any, kind: str) -> str:
    if kind == "year":
        return str(value.year) if isinstance(value, (date, datetime, pd.Timestamp)) else str(int(value))
    stamp = pd.Timestamp(value)
    return f"{stamp:%Y-%m}" if kind == "month" else f"{stamp:%Y-%m-%d}"


def _display(value: Any, kind: str) -> str:
    if _missing(value):
        return MISSING
    if kind in PERIOD_FORMATS:
        return _period_text(value, kind)
    if kind == "text" or isinstance(value, str):
        return str(value)
    return format(value, kind).replace("-", MINUS)


def _csv_value(value: Any, kind: str) -> Any:
    if _missing(value):
        return ""
    if kind in PERIOD_FORMATS:
        return _period_text(value, kind)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value)) if isinstance(value, float) and not float(value).is_integer() else (int(value) if float(value).is_integer() else value)
    return csv_cell(str(value))


def number_format(values: Iterable[Any]) -> str:
    """One format spec for a set of related numbers (a table's value columns), from their magnitude:
    no decimals from 100, one from 1, two below."""
    present = [abs(float(v)) for v in values if not _missing(v)]
    largest = max(present, default=0.0)
    return ",.0f" if largest >= 100 else ",.1f" if largest >= 1 else ",.2f"


def number_text(value: float) -> str:
    """A number in a sentence: thousands separators, 0 decimals from 100, 1 from 10, else 2; minus as U+2212."""
    decimals = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{decimals}f}".replace("-", MINUS)


def is_share(unit: str) -> bool:
    """Whether a unit is a share (a ratio shown as a percentage), e.g. "share of requests"."""
    return unit.startswith("share")


def _amount(value: float, unit: str) -> str:
    """A value with its unit in a sentence; a share as a percentage ("73.2%")."""
    return f"{value:.1%}".replace("-", MINUS) if is_share(unit) else f"{number_text(value)} {unit}"


def _change_text(first: float, last: float, unit: str = "") -> str:
    """The change in brackets: percent for amounts (" (−12.8%)"), percentage points for shares (" (+8.8 points)")."""
    if is_share(unit):
        points = (last - first) * 100
        return f" ({'+' if points > 0 else MINUS if points < 0 else '±'}{abs(points):.1f} percentage points)"
    if first == 0:
        return ""
    change = (last - first) / abs(first) * 100
    sign = "+" if change > 0 else MINUS if change < 0 else "±"
    return f" ({sign}{abs(change):.1f}%)"


def _verb(first: float, last: float) -> str:
    return "rose" if last > first else "fell" if last < first else "was unchanged"


def _period_words(value: Any, period: str) -> str:
    """A period in a sentence: "2025" or "March 2025"."""
    if period == "year":
        return _period_text(value, "year")
    return f"{pd.Timestamp(value):%B %Y}"


def _subject(title: str) -> str:
    return title[:1].upper() + title[1:]


def _normal_period(values: pd.Series, period: str) -> pd.Series:
    """Periods as ints (years) or month-start Timestamps, whatever the caller passed."""
    if period == "year":
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.dt.year.astype("int64")
        return values.astype("int64")
    if period == "month":
        return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()
    raise ValueError(f"period must be 'year' or 'month', not {period!r}")


# --- line against target ---------------------------------------------------------------------------------
def line_against_target(
    id: str,
    title: str,
    *,
    series: pd.DataFrame,
    unit: str,
    period: str = "year",
    path: pd.DataFrame | None = None,
    target: tuple[Any, float] | None = None,
    incomplete: pd.DataFrame | None = None,
    small: bool = False,
    description: str | None = None,
) -> Figure:
    """A goal's metric against the straight-line path to its target.

    ``series`` (columns ``period``, ``value``): the complete periods, drawn as a line with points.
    ``path`` (``period``, ``value``): the path from baseline to target, dashed. ``target`` (period, value): a
    diamond labelled "Target". ``incomplete`` (``period``, ``value``, ``reason``): hollow points, "Incomplete"
    in the legend and tooltip, never joined to the line (the line also breaks where an incomplete period
    falls between complete ones, so it never bridges one). ``small``: an overview card's sparkline (80 px
    tall, no axis titles, no legend, three ticks). Periods are years (ints) or months (``period="month"``).
    """
    series = series[["period", "value"]].copy()
    series["period"] = _normal_period(series["period"], period)
    series = series.dropna(subset=["value"]).sort_values("period")
    if incomplete is not None and len(incomplete):
        incomplete = incomplete[["period", "value", "reason"]].copy()
        incomplete["period"] = _normal_period(incomplete["period"], period)
        incomplete = incomplete.sort_values("period")
        # A period is complete or incomplete, never both: the incomplete frame wins.
        series = series[~series["period"].isin(incomplete["period"])]
    else:
        incomplete = None
    if path is not None:
        path = path[["period", "value"]].copy()
        path["period"] = _normal_period(path["period"], period)
        path = path.sort_values("period")
    target_period = None
    if target is not None:
        target_period = _normal_period(pd.Series([target[0]]), period).iloc[0]
        target = (target_period, float(target[1]))

    # The table: one row per period any layer has; the columns the chart shows.
    periods = sorted(
        set(series["period"])
        | (set(incomplete["period"]) if incomplete is not None else set())
        | (set(path["period"]) if path is not None else set())
        | ({target_period} if target is not None else set())
    )
    table = pd.DataFrame({"period": periods})
    actual = pd.concat([series.assign(reason=None), incomplete]) if incomplete is not None else series.assign(reason=None)
    table = table.merge(actual[["period", "value", "reason"]], on="period", how="left")
    columns = {"period": "Year" if period == "year" else "Month", "value": f"Value ({unit})"}
    if incomplete is not None:
        table["note"] = table["reason"].map(lambda r: None if _missing(r) else f"incomplete: {r}")
        columns["note"] = "Note"
    if path is not None:
        table = table.merge(path.rename(columns={"value": "path"}), on="period", how="left")
        columns["path"] = f"Path to target ({unit})"
    if target is not None:
        table["target"] = [target[1] if p == target_period else None for p in table["period"]]
        columns["target"] = f"Target ({unit})"
    table = table.drop(columns=["reason"])

    # The plotted rows, long: one dataset, each layer filters its kind.
    plot = [series.assign(kind=ACTUAL, note="")]
    if incomplete is not None:
        plot.append(incomplete.rename(columns={"reason": "note"}).assign(kind=INCOMPLETE, note=lambda f: "incomplete: " + f["note"].astype(str)))
    if path is not None:
        plot.append(path.assign(kind=PATH, note=""))
    if target is not None:
        plot.append(pd.DataFrame({"period": [target_period], "value": [target[1]], "kind": [TARGET], "note": [""]}))
    long = pd.concat(plot, ignore_index=True)
    # Segments of the actual line: a new one after every incomplete period, so the line never bridges one.
    breaks = sorted(incomplete["period"]) if incomplete is not None else []
    long["segment"] = [sum(1 for b in breaks if b < p) if k == ACTUAL else 0 for p, k in zip(long["period"], long["kind"], strict=True)]
    present = [kind for kind in LINE_KINDS if kind in set(long["kind"])]

    value_format = ".1%" if is_share(unit) else ",.0f" if long["value"].abs().max() >= 100 else ",.1f"
    if period == "year":
        x = alt.X(
            "period:Q",
            title=None if small else "Year",
            # Padding keeps the first and last points (the target's diamond) whole inside the plot.
            scale=alt.Scale(zero=False, nice=False, padding=8),
            axis=alt.Axis(format="d", tickMinStep=1, tickCount=3 if small else 6, labelOverlap=True, grid=False),
        )
        x_tooltip = alt.Tooltip("period:Q", title="Year", format="d")
    else:
        x = alt.X(
            "period:T",
            title=None if small else "Month",
            scale=alt.Scale(nice=False, padding=8),
            axis=alt.Axis(format="%b %Y", tickCount=3 if small else 6, labelOverlap=True, grid=False),
        )
        x_tooltip = alt.Tooltip("yearmonth(period):T", title="Month", format="%b %Y")
    y = alt.Y("value:Q", title=None if small else unit, scale=alt.Scale(zero=False), axis=alt.Axis(tickCount=3 if small else 5, format=".0%" if is_share(unit) else "~s" if small else ",~f"))
    # Its four labels are short: two columns fit a 360 px screen.
    legend = None if small else alt.Legend(title=None, values=present, columns=2)
    color = alt.Color("kind:N", scale=alt.Scale(domain=LINE_KINDS), legend=legend)
    tooltip = [x_tooltip, alt.Tooltip("kind:N", title="Series"), alt.Tooltip("value:Q", title=unit, format=value_format), alt.Tooltip("note:N", title="Note")]
    base = alt.Chart(long).encode(x=x, y=y, color=color, tooltip=tooltip)

    layers: list[alt.Chart] = []
    if path is not None:
        layers.append(base.transform_filter(alt.datum.kind == PATH).mark_line(strokeDash=[6, 4], strokeWidth=1.5 if small else 2))
    layers.append(base.transform_filter(alt.datum.kind == ACTUAL).mark_line(point=not small).encode(detail="segment:N"))
    if small:
        # The card's sparkline marks its latest complete value, so the eye finds "now".
        layers.append(base.transform_filter(alt.datum.kind == ACTUAL).transform_window(rank="rank()", sort=[alt.SortField("period", order="descending")]).transform_filter(alt.datum.rank == 1).mark_point(filled=True, size=30))
    if incomplete is not None:
        layers.append(base.transform_filter(alt.datum.kind == INCOMPLETE).mark_point(filled=False, size=30 if small else 70, strokeWidth=2))
    if target is not None:
        target_layer = base.transform_filter(alt.datum.kind == TARGET)
        layers.append(target_layer.mark_point(shape="diamond", filled=True, size=50 if small else 110))
        if not small:
            layers.append(target_layer.mark_text(text=TARGET, align="right", dx=-9, dy=-9, fontWeight="bold").encode(color=alt.value(chart_style.TEXT_COLOUR)))
    chart = alt.layer(*layers).properties(height=chart_style.SMALL_HEIGHT if small else chart_style.HEIGHT)

    summary = _line_summary(title, series, path, incomplete, unit, period)
    if description is None:
        kind = "Sparkline" if small else "Line chart"
        extras = [text for text, present_ in ((f"the straight-line path to the target (dashed){'' if target is None else ' and the target'}", path is not None), ("the target", path is None and target is not None)) if present_]
        description = f"{kind} of {title} ({unit}) by {period}" + (f", with {extras[0]}" if extras else "") + (", incomplete periods as hollow points" if incomplete is not None else "") + ". " + summary
    value_columns = [column for column in ("value", "path", "target") if column in table]
    numbers = ".1%" if is_share(unit) else number_format(table[value_columns].to_numpy().ravel())
    formats = {"period": period, **{column: numbers for column in value_columns}}
    return Figure(id=id, title=title, description=description, summary=summary, chart=chart, data=table, columns=columns, formats=formats,
                  exports=() if small else ("png", "svg"))


def _line_summary(title: str, series: pd.DataFrame, path: pd.DataFrame | None, incomplete: pd.DataFrame | None, unit: str, period: str) -> str:
    """One sentence: first and latest complete values and their change, the path's value at the latest
    period, and the incomplete periods left out."""
    subject = _subject(title)
    if series.empty:
        sentence = f"{subject} has no complete {period} yet"
        latest = None
    else:
        first, last = series.iloc[0], series.iloc[-1]
        latest = last["period"]
        if len(series) == 1:
            sentence = f"{subject} was {_amount(last['value'], unit)} in {_period_words(latest, period)}, the only complete {period}"
        elif last["value"] == first["value"]:
            sentence = f"{subject} was unchanged at {_amount(last['value'], unit)} from {_period_words(first['period'], period)} to {_period_words(latest, period)}"
        else:
            sentence = (
                f"{subject} {_verb(first['value'], last['value'])} from {_amount(first['value'], unit)} in {_period_words(first['period'], period)}"
                f" to {_amount(last['value'], unit)} in {_period_words(latest, period)}{_change_text(first['value'], last['value'], unit)}"
            )
    if path is not None and latest is not None:
        on_path = path.loc[path["period"] == latest, "value"]
        if len(on_path) and not _missing(on_path.iloc[0]):
            sentence += f"; the path to the target asks for {_amount(on_path.iloc[0], unit)} by then"
    if incomplete is not None:
        left_out = ", ".join(f"{_period_words(p, period)} ({r})" for p, r in zip(incomplete["period"], incomplete["reason"], strict=True))
        sentence += f"; left out as incomplete: {left_out}"
    return sentence + "."


# --- stacked bars ------------------------------------------------------------------------------------------
def stacked_bars(
    id: str,
    title: str,
    *,
    data: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    unit: str,
    x_title: str,
    color_title: str,
    temporal: bool = True,
    description: str | None = None,
    target_path: pd.DataFrame | None = None,
) -> Figure:
    """A total split by category per period: ``y`` summed by ``x`` and ``color``, stacked.

    ``temporal``: ``x`` holds dates (monthly bars on a time axis); otherwise ``x`` is ordinal (years, as
    labels). ``target_path`` (columns ``x``, ``value``): a dashed line over the stacks, labelled "Target
    path". At most eight categories (Okabe–Ito has eight colours): group the rest before calling. The table
    is one row per ``x``: a column per category (largest first), the total, and the path if given.
    """
    frame = data[[x, color, y]].copy()
    if temporal:
        frame[x] = pd.to_datetime(frame[x])
    frame = frame.groupby([x, color], as_index=False, sort=True)[y].sum(min_count=1)
    order = frame.groupby(color)[y].sum().sort_values(ascending=False, kind="stable").index.tolist()
    if len(order) > len(chart_style.PALETTE):
        raise ValueError(f"figure {id}: {len(order)} categories of {color!r}, more than the palette's {len(chart_style.PALETTE)} colours; group the smallest first")
    if x in order or "total" in order or "path" in order:
        raise ValueError(f"figure {id}: a category of {color!r} is named like a table column ({x!r}, 'total' or 'path')")
    rank = {name: i for i, name in enumerate(order)}
    frame["stack_order"] = frame[color].map(rank)

    wide = frame.pivot(index=x, columns=color, values=y).reindex(columns=order).reset_index()
    wide.columns.name = None
    wide["total"] = wide[order].sum(axis=1, min_count=1)
    columns = {x: x_title, **{name: f"{name} ({unit})" for name in order}, "total": f"Total ({unit})"}
    formats: dict[str, str] = {}
    if temporal:
        months = (wide[x].dt.day == 1).all()
        formats[x] = "month" if months else "date"
    elif pd.api.types.is_integer_dtype(wide[x]):
        formats[x] = "year"
    path = None
    if target_path is not None:
        path = target_path[[x, "value"]].copy()
        if temporal:
            path[x] = pd.to_datetime(path[x])
        wide = wide.merge(path.rename(columns={"value": "path"}), on=x, how="outer").sort_values(x, kind="stable")
        columns["path"] = f"Target path ({unit})"

    value_format = ",.0f" if frame[y].abs().max() >= 100 else ",.1f"
    if temporal:
        x_encoding = alt.X(
            f"yearmonth({x}):T",
            title=x_title,
            scale=alt.Scale(nice=False),
            # A tick a year, labelled with the year: month labels collide at 360 px.
            axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelOverlap=True),
        )
        x_tooltip = alt.Tooltip(f"yearmonth({x}):T", title=x_title, format="%b %Y")
    else:
        x_encoding = alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0, labelOverlap=True))
        x_tooltip = alt.Tooltip(f"{x}:O", title=x_title)
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x_encoding,
            y=alt.Y(f"sum({y}):Q", title=unit, axis=alt.Axis(format=",~f")),
            color=alt.Color(f"{color}:N", title=color_title, scale=alt.Scale(domain=order)),
            # Largest category at the bottom of every stack, in the legend's order.
            order=alt.Order("stack_order:Q", sort="ascending"),
            tooltip=[x_tooltip, alt.Tooltip(f"{color}:N", title=color_title), alt.Tooltip(f"sum({y}):Q", title=unit, format=value_format)],
        )
    )
    layers: list[alt.Chart] = [bars]
    if path is not None:
        line_x = alt.X(f"yearmonth({x}):T") if temporal else alt.X(f"{x}:O")
        line = alt.Chart(path.assign(series="Target path")).encode(
            x=line_x,
            y=alt.Y("value:Q"),
            tooltip=[x_tooltip, alt.Tooltip("series:N", title="Series"), alt.Tooltip("value:Q", title=unit, format=value_format)],
        )
        layers.append(line.mark_line(color=chart_style.TARGET_COLOUR, strokeDash=[6, 4], strokeWidth=2))
        # The label at the path's last point: the legend belongs to the categories.
        layers.append(
            line.transform_window(rank="rank()", sort=[alt.SortField(x, order="descending")])
            .transform_filter(alt.datum.rank == 1)
            .mark_text(text="Target path", align="right", dy=-8, fontWeight="bold", color=chart_style.TARGET_COLOUR)
        )
    chart = (alt.layer(*layers) if len(layers) > 1 else bars).properties(height=chart_style.HEIGHT)

    summary = _bars_summary(title, wide, x, order, unit, temporal, path)
    if description is None:
        description = f"Stacked bar chart of {title} ({unit}) by {x_title.lower()}, stacked by {color_title.lower()}" + (", with the target path as a dashed line" if path is not None else "") + ". " + summary
    value_columns = [column for column in columns if column != x]
    numbers = number_format(wide[value_columns].to_numpy().ravel())
    formats.update({column: numbers for column in value_columns})
    return Figure(id=id, title=title, description=description, summary=summary, chart=chart, data=wide, columns=columns, formats=formats)


def _bars_summary(title: str, wide: pd.DataFrame, x: str, order: list[str], unit: str, temporal: bool, path: pd.DataFrame | None) -> str:
    """One sentence: the total's change from the first to the latest period, the largest category in the
    latest period, and the target path there."""
    subject = _subject(title)
    rows = wide.dropna(subset=["total"])
    if rows.empty:
        return f"{subject}: no data yet."

    def words(value: Any) -> str:
        return _period_words(value, "month") if temporal else str(value)

    first, last = rows.iloc[0], rows.iloc[-1]
    # The periods from their own column: a row of a mixed frame turns an int year into a float.
    first_x, last_x = rows[x].iloc[0], rows[x].iloc[-1]
    if len(rows) == 1:
        sentence = f"{subject}: {number_text(last['total'])} {unit} in {words(last_x)}"
    else:
        verb = _verb(first["total"], last["total"])
        change = "was unchanged at" if verb == "was unchanged" else f"{verb} from {number_text(first['total'])} {unit} in {words(first_x)} to"
        sentence = f"{subject}: the total {change} {number_text(last['total'])} {unit} in {words(last_x)}{_change_text(first['total'], last['total'])}"
    shares = last[order].astype(float)
    if shares.notna().any():
        largest = shares.idxmax()
        sentence += f"; the largest is {largest}, with {number_text(shares[largest])} {unit}"
        if last["total"]:
            sentence += f" ({shares[largest] / last['total'] * 100:.0f}% of the total)"
    if path is not None and "path" in rows and not _missing(last.get("path")):
        sentence += f"; the target path asks for {number_text(last['path'])} {unit} by then"
    return sentence + "."


# --- today's chart -----------------------------------------------------------------------------------------
def emissions_by_department(monthly: pd.DataFrame) -> Figure:
    """Stacked monthly bars of building emissions (t CO2e) by department (columns ``period_month``,
    ``department``, ``co2e_tonnes``)."""
    return stacked_bars(
        "emissions-by-department",
        "Municipal building emissions by department",
        data=monthly,
        x="period_month",
        y="co2e_tonnes",
        color="department",
        unit="tCO2e",
        x_title="Month",
        color_title="Department",
        temporal=True,
        description="Stacked bar chart of monthly building emissions in tonnes of CO2-equivalent, by department",
    )


__all__ = ["Figure", "emissions_by_department", "line_against_target", "number_text", "stacked_bars"]
