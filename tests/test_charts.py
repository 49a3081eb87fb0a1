"""The chart helper: summaries worked out by hand, the table and CSV, the spec's shape, and the exports."""

from __future__ import annotations

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from city_outcomes.publish import chart_style
from city_outcomes.publish.charts import Figure, emissions_by_department, line_against_target, stacked_bars

SERIES = pd.DataFrame({"period": [2023, 2024, 2025], "value": [1204.0, 1100.0, 1050.0]})
# Baseline 1,204 t in 2023 to 1,000 t in 2025: 102 t a year.
PATH = pd.DataFrame({"period": [2023, 2024, 2025], "value": [1204.0, 1102.0, 1000.0]})
INCOMPLETE = pd.DataFrame({"period": [2026], "value": [310.0], "reason": ["bills through March only"]})
PAYLOAD = "<script>alert(1)</script>"


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def _filters(layer: dict) -> list[str]:
    return [t["filter"] for t in layer.get("transform", []) if "filter" in t]


def _rows(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def test_line_summary_is_worked_out_from_the_data() -> None:
    figure = line_against_target("emissions", "emissions", series=SERIES, unit="t", path=PATH)
    # (1050 - 1204) / 1204 = -0.12790... -> −12.8%; the path's 2025 value is 1,000 t.
    assert figure.summary == "Emissions fell from 1,204 t in 2023 to 1,050 t in 2025 (−12.8%); the path to the target asks for 1,000 t by then."


def test_line_summary_names_the_incomplete_period_and_leaves_it_out() -> None:
    figure = line_against_target("emissions", "Emissions", series=SERIES, unit="t", incomplete=INCOMPLETE)
    assert figure.summary == "Emissions fell from 1,204 t in 2023 to 1,050 t in 2025 (−12.8%); left out as incomplete: 2026 (bills through March only)."


def test_line_summary_monthly_rising_and_single() -> None:
    months = pd.DataFrame({"period": pd.to_datetime(["2025-01-15", "2025-03-02"]), "value": [40.0, 50.0]})
    figure = line_against_target("trips", "E-bike trips", series=months, unit="trips", period="month")
    # (50 - 40) / 40 = +25%; dates are taken as their month.
    assert figure.summary == "E-bike trips rose from 40.0 trips in January 2025 to 50.0 trips in March 2025 (+25.0%)."
    assert figure.table()[1] == [["2025-01", "40.0"], ["2025-03", "50.0"]]
    one = line_against_target("one", "Fleet fuel", series=SERIES.iloc[:1], unit="t")
    assert one.summary == "Fleet fuel was 1,204 t in 2023, the only complete year."


def test_bars_summary_names_the_largest_category_and_the_total_change() -> None:
    data = pd.DataFrame(
        {
            "year": [2023, 2023, 2024, 2024, 2024],
            "sector": ["Transport", "Buildings", "Transport", "Buildings", "Buildings"],
            "t": [300.0, 700.0, 320.0, 400.0, 180.0],  # Buildings 2024 arrives in two rows: summed to 580
        }
    )
    figure = stacked_bars("by-sector", "Community emissions", data=data, x="year", y="t", color="sector", unit="t", x_title="Year", color_title="Sector", temporal=False)
    # Total 1,000 -> 900 (−10.0%); 2024's largest is Buildings, 580 of 900 = 64.4% -> 64%.
    assert figure.summary == "Community emissions: the total fell from 1,000 t in 2023 to 900 t in 2024 (−10.0%); the largest is Buildings, with 580 t (64% of the total)."
    assert figure.table() == (["Year", "Buildings (t)", "Transport (t)", "Total (t)"], [["2023", "700", "300", "1,000"], ["2024", "580", "320", "900"]])


def test_table_formats_thousands_periods_and_missing() -> None:
    figure = line_against_target("emissions", "Emissions", series=SERIES, unit="t CO2e", path=pd.DataFrame({"period": [2023, 2030], "value": [1204.0, 602.0]}), target=(2030, 602.0))
    headers, rows = figure.table()
    assert headers == ["Year", "Value (t CO2e)", "Path to target (t CO2e)", "Target (t CO2e)"]
    assert rows == [
        ["2023", "1,204", "1,204", "–"],
        ["2024", "1,100", "–", "–"],
        ["2025", "1,050", "–", "–"],
        ["2030", "–", "602", "602"],
    ]
    monthly = Figure(
        id="m",
        title="m",
        description="m",
        summary="m",
        chart=figure.chart,
        data=pd.DataFrame({"month": pd.to_datetime(["2024-03-01"]), "count": [12345], "name": [None], "share": [0.256]}),
        columns={"month": "Month", "count": "Trips", "name": "Name", "share": "Share"},
        formats={"share": ".1%"},
    )
    assert monthly.table() == (["Month", "Trips", "Name", "Share"], [["2024-03", "12,345", "–", "25.6%"]])
    # A suppressed count column holds ints and None (object dtype): still numbers with separators.
    suppressed = Figure(id="s", title="s", description="s", summary="s", chart=figure.chart,
                        data=pd.DataFrame({"tract": ["A", "B"], "trips": pd.Series([None, 12000], dtype=object)}), columns={"tract": "Tract", "trips": "Trips"})
    assert suppressed.table()[1] == [["A", "–"], ["B", "12,000"]]
    assert suppressed.csv() == "Tract,Trips\nA,\nB,12000\n"


def test_csv_makes_formulas_safe_and_round_trips_numbers() -> None:
    data = pd.DataFrame(
        {
            "year": [2024] * 5,
            "name": ["=SUM(A1)", "+1", "-2", "@x", PAYLOAD],
            "t": [1234.5678, 0.1, 2.0, 1e-7, 98765.4321],
        }
    )
    figure = Figure(id="cells", title="Cells", description="d", summary="s", chart=line_against_target("x", "x", series=SERIES, unit="t").chart,
                    data=data, columns={"year": "Year", "name": "Name", "t": "Emissions (t)"})
    rows = list(csv.reader(io.StringIO(figure.csv())))
    assert rows[0] == ["Year", "Name", "Emissions (t)"]
    assert [row[1] for row in rows[1:]] == ["'=SUM(A1)", "'+1", "'-2", "'@x", PAYLOAD]
    assert [float(row[2]) for row in rows[1:]] == data["t"].tolist()  # every digit back
    assert {row[0] for row in rows[1:]} == {"2024"}


def test_page_spec_shape_palette_and_no_target_layer_without_a_target() -> None:
    spec = line_against_target("emissions", "Emissions", series=SERIES, unit="t").page_spec()
    assert "title" not in spec
    assert spec["width"] == "container"
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["config"]["range"]["category"] == chart_style.PALETTE
    assert spec["config"]["legend"]["orient"] == "bottom" and spec["config"]["axis"]["labelOverlap"] is True
    assert [_filters(layer) for layer in _layers(spec)] == [["(datum.kind === 'Actual')"]]
    assert {row["kind"] for row in _rows(spec)} == {"Actual"}
    assert json.loads(json.dumps(spec)) == spec  # plain JSON: data inline, nothing to fetch
    assert "url" not in json.dumps(spec)


def test_palette_is_okabe_ito_and_high_contrast_differs_only_in_config() -> None:
    assert set(chart_style.PALETTE) == set(chart_style.HIGH_CONTRAST_PALETTE) == {
        "#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    }
    figure = line_against_target("emissions", "Emissions", series=SERIES, unit="t", path=PATH)
    normal, high = figure.page_spec(), figure.page_spec(high_contrast=True)
    assert high["config"] == chart_style.HIGH_CONTRAST_CONFIG
    assert high["config"]["range"]["category"][0] == "#000000" and high["config"]["bar"]["stroke"] == "#000000"
    assert {k: v for k, v in normal.items() if k != "config"} == {k: v for k, v in high.items() if k != "config"}


def test_target_layers_when_path_and_target_are_given() -> None:
    spec = line_against_target("emissions", "Emissions", series=SERIES, unit="t", path=PATH, target=(2030, 602.0)).page_spec()
    by_filter = {f: _mark(layer) for layer in _layers(spec) for f in _filters(layer)}
    assert by_filter["(datum.kind === 'Path to target')"] == "line"
    path_layer = next(layer for layer in _layers(spec) if "(datum.kind === 'Path to target')" in _filters(layer))
    assert path_layer["mark"]["strokeDash"] == [6, 4]
    target_marks = sorted(_mark(layer) for layer in _layers(spec) if "(datum.kind === 'Target')" in _filters(layer))
    assert target_marks == ["point", "text"]
    assert [row["value"] for row in _rows(spec) if row["kind"] == "Target"] == [602.0]


def test_stacked_bars_target_path_layer_only_when_given() -> None:
    data = pd.DataFrame({"year": [2023, 2024], "sector": ["Buildings", "Buildings"], "t": [10.0, 9.0]})
    kwargs = dict(data=data, x="year", y="t", color="sector", unit="t", x_title="Year", color_title="Sector", temporal=False)
    plain = stacked_bars("s", "S", **kwargs).page_spec()
    assert [_mark(layer) for layer in _layers(plain)] == ["bar"]
    with_path = stacked_bars("s", "S", **kwargs, target_path=pd.DataFrame({"year": [2023, 2024], "value": [10.0, 8.0]}))
    marks = [_mark(layer) for layer in _layers(with_path.page_spec())]
    assert marks == ["bar", "line", "text"]
    assert with_path.summary.endswith("; the target path asks for 8.00 t by then.")
    assert with_path.table()[0][-1] == "Target path (t)"


def test_incomplete_points_are_never_joined_to_the_line() -> None:
    # 2024 incomplete between two complete years: the line must break there, not bridge it.
    series = pd.DataFrame({"period": [2023, 2025, 2026], "value": [100.0, 90.0, 85.0]})
    incomplete = pd.DataFrame({"period": [2024], "value": [40.0], "reason": ["half the bills"]})
    figure = line_against_target("g", "Goal", series=series, unit="t", incomplete=incomplete)
    spec = figure.page_spec()
    lines = [layer for layer in _layers(spec) if _mark(layer) == "line"]
    assert len(lines) == 1 and _filters(lines[0]) == ["(datum.kind === 'Actual')"]
    assert lines[0]["encoding"]["detail"]["field"] == "segment"
    actual = [row for row in _rows(spec) if row["kind"] == "Actual"]
    assert [(row["period"], row["segment"]) for row in actual] == [(2023, 0), (2025, 1), (2026, 1)]  # two pieces
    (hollow,) = [layer for layer in _layers(spec) if "(datum.kind === 'Incomplete')" in _filters(layer)]
    assert _mark(hollow) == "point" and hollow["mark"]["filled"] is False
    assert [row["note"] for row in _rows(spec) if row["kind"] == "Incomplete"] == ["incomplete: half the bills"]
    assert "Incomplete" in spec["layer"][0]["encoding"]["color"]["legend"]["values"]
    # The summary compares complete years only.
    assert figure.summary.startswith("Goal fell from 100 t in 2023 to 85.0 t in 2026 (−15.0%)")


def test_small_is_a_sparkline() -> None:
    spec = line_against_target("g", "Goal", series=SERIES, unit="t", path=PATH, small=True).page_spec()
    assert spec["height"] == chart_style.SMALL_HEIGHT
    encodings = [layer["encoding"] for layer in _layers(spec)]
    assert all(e["x"]["title"] is None and e["y"]["title"] is None and e["color"]["legend"] is None for e in encodings if "x" in e)
    assert spec["width"] == "container"


def test_write_exports_png_svg_spec_and_csv(tmp_path: Path) -> None:
    figure = line_against_target("emissions-goal", "Emissions", series=SERIES, unit="t", path=PATH, target=(2025, 1000.0))
    written = figure.write(tmp_path)
    assert written == {"spec": "charts/emissions-goal.vl.json", "csv": "charts/emissions-goal.csv", "png": "charts/emissions-goal.png", "svg": "charts/emissions-goal.svg"}
    png = (tmp_path / written["png"]).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert width == chart_style.EXPORT_WIDTH * chart_style.EXPORT_SCALE and height > 200
    svg = ET.fromstring((tmp_path / written["svg"]).read_text())
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Actual", "Path to target", "Target", "Emissions", "2024"} <= texts
    assert float(svg.get("width")) == chart_style.EXPORT_WIDTH
    assert json.loads((tmp_path / written["spec"]).read_text()) == figure.page_spec()
    assert (tmp_path / written["csv"]).read_text() == figure.csv()
    assert figure.write(tmp_path / "only", formats=()) == {"spec": "charts/emissions-goal.vl.json", "csv": "charts/emissions-goal.csv"}


def test_a_name_with_markup_is_text_in_spec_svg_and_csv(tmp_path: Path) -> None:
    monthly = pd.DataFrame(
        {
            "period_month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"]),
            "department": [PAYLOAD, "=HYPERLINK(\"http://example.invalid\")", PAYLOAD, "=HYPERLINK(\"http://example.invalid\")"],
            "co2e_tonnes": [10.0, 5.0, 12.0, 4.0],
        }
    )
    figure = emissions_by_department(monthly)
    spec = figure.page_spec()
    assert PAYLOAD in {row["department"] for row in _rows(spec)}
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"][0] == PAYLOAD if "layer" in spec else spec["encoding"]["color"]["scale"]["domain"][0] == PAYLOAD
    written = figure.write(tmp_path, formats=("svg",))
    text = (tmp_path / written["spec"]).read_text()
    assert "<" not in text and json.loads(text) == spec  # script-safe, and the same name when parsed
    svg = ET.fromstring((tmp_path / written["svg"]).read_text())  # parses: the name did not become markup
    assert PAYLOAD in {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert not list(svg.iter("{http://www.w3.org/2000/svg}script")) and not list(svg.iter("script"))
    header = next(csv.reader(io.StringIO(figure.csv())))
    assert header == ["Month", f"{PAYLOAD} (tCO2e)", "'=HYPERLINK(\"http://example.invalid\") (tCO2e)", "Total (tCO2e)"]
    assert figure.table()[0][1] == f"{PAYLOAD} (tCO2e)"  # not escaped here: the template does it


def test_emissions_by_department_keeps_the_page_contract() -> None:
    monthly = pd.DataFrame({"period_month": pd.to_datetime(["2024-01-01", "2024-01-01"]), "department": ["Fire", "Parks"], "co2e_tonnes": [3.0, 1.0]})
    figure = emissions_by_department(monthly)
    assert figure.id == "emissions-by-department"
    encoding = figure.page_spec()["encoding"]
    # The browser test finds bars by "Department: <name>" and reads tooltip cells as month, department, tonnes.
    assert encoding["color"]["title"] == "Department"
    assert [t["title"] for t in encoding["tooltip"]] == ["Month", "Department", "tCO2e"]


def test_bad_ids_and_too_many_categories_are_refused() -> None:
    with pytest.raises(ValueError, match="slug"):
        line_against_target("Bad Id", "x", series=SERIES, unit="t")
    data = pd.DataFrame({"year": [2024] * 9, "c": [f"c{i}" for i in range(9)], "t": [1.0] * 9})
    with pytest.raises(ValueError, match="more than the palette"):
        stacked_bars("s", "S", data=data, x="year", y="t", color="c", unit="t", x_title="Year", color_title="C", temporal=False)


def test_a_share_reads_as_percentages_and_its_change_in_points() -> None:
    # 64% of requests closed within 7 days in 2023 and 73% in 2025: +9.0 percentage points (not +14.1%).
    figure = line_against_target(
        "share", "Requests closed within 7 days", unit="share of requests",
        series=pd.DataFrame({"period": [2023, 2024, 2025], "value": [0.64, 0.70, 0.73]}),
    )
    assert "from 64.0% in 2023 to 73.0% in 2025 (+9.0 percentage points)" in figure.summary
    headers, rows = figure.table()
    assert rows[0][1] == "64.0%" and rows[-1][1] == "73.0%"
    assert '"format": ".0%"' in json.dumps(figure.page_spec())  # the value axis in percent
