"""The publication privacy gate on hand-worked small tables: suppression, complementary suppression, and the
publish-time check that names every offending cell."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from city_outcomes.config_check import load_privacy_file
from city_outcomes.config_errors import ConfigError
from city_outcomes.feeds.privacy import PrivacyPolicy
from city_outcomes.publish.charts import stacked_bars
from city_outcomes.publish.privacy_gate import (
    COMPLEMENTARY,
    PrivacyViolation,
    PublishedTable,
    chart_table,
    check_publication,
    marker_column,
    shown,
    suppress_small_counts,
)
from tests.conftest import write_city

K = 11
FEWER = "fewer than 11"


def _grid(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    return [[None if pd.isna(v) else v for v in row] for row in frame[columns].itertuples(index=False)]


def test_small_counts_and_their_complement_in_a_row_with_a_total() -> None:
    table = pd.DataFrame({"tract": ["A", "B"], "walk": [4, 20], "bike": [25, 30], "bus": [12, 0], "total": [41, 50]})
    out = suppress_small_counts(table, count_columns=["walk", "bike", "bus"], k=K, total_column="total")
    # A: walk 4 is small; 41 - 25 - 12 would give it back, so the next-smallest cell, bus 12, goes too.
    # B: zero is not small; nothing to hide.
    assert _grid(out, ["tract", "walk", "bike", "bus", "total"]) == [["A", None, 25, None, 41], ["B", 20, 30, 0, 50]]
    assert out[marker_column("walk")].tolist() == [FEWER, None]
    assert out[marker_column("bus")].tolist() == [COMPLEMENTARY, None]
    assert [shown(v, m) for v, m in zip(out["walk"], out[marker_column("walk")], strict=True)] == [FEWER, 20]
    check_publication([PublishedTable("modes by tract", out, ["walk", "bike", "bus"], key_columns=["tract"], total_column="total")], K)


def test_complementary_suppression_across_rows_and_columns_repeats_until_stable() -> None:
    table = pd.DataFrame({"tract": ["A", "B", "C", "All tracts"], "walk": [20, 3, 15, 38], "bike": [12, 30, 0, 42], "total": [32, 33, 15, 80]})
    out = suppress_small_counts(table, count_columns=["walk", "bike"], k=K, total_row="All tracts", total_column="total")
    # B walk 3 is small. Row B (total 33) would give it back: bike 30 is the only other cell -> hidden.
    # Column walk (total 38): A 20 and C 15 both open a new row; the smaller, C 15 -> hidden.
    # Column bike (total 42) now has one hidden cell (B 30): C 0 sits in row C, which already has one, so it
    # spreads nothing -> hidden. Row C: 15 + 0 hidden, sum 15 (not small): stable. Totals all stay.
    assert _grid(out, ["tract", "walk", "bike", "total"]) == [
        ["A", 20, 12, 32],
        ["B", None, None, 33],
        ["C", None, None, 15],
        ["All tracts", 38, 42, 80],
    ]
    assert out[marker_column("walk")].tolist() == [None, FEWER, COMPLEMENTARY, None]
    assert out[marker_column("bike")].tolist() == [None, COMPLEMENTARY, COMPLEMENTARY, None]
    check_publication([PublishedTable("modes", out, ["walk", "bike"], key_columns=["tract"], total_column="total", total_row="All tracts")], K)


def test_two_small_cells_whose_sum_is_still_small_get_a_third() -> None:
    table = pd.DataFrame({"group": ["g"], "a": [3], "b": [4], "c": [50], "d": [60], "total": [117]})
    out = suppress_small_counts(table, count_columns=["a", "b", "c", "d"], k=K, total_column="total")
    # 117 - 50 - 60 = 7 = a + b: both would be known to be small, so c (next-smallest) goes too: a+b+c = 57.
    assert _grid(out, ["a", "b", "c", "d", "total"]) == [[None, None, None, 60, 117]]


def test_a_small_total_is_suppressed_itself() -> None:
    table = pd.DataFrame({"group": ["g", "h"], "a": [3, 0], "b": [4, 0], "total": [7, 0]})
    out = suppress_small_counts(table, count_columns=["a", "b"], k=K, total_column="total")
    assert _grid(out, ["a", "b", "total"]) == [[None, None, None], [0, 0, 0]]
    assert out[marker_column("total")].tolist() == [FEWER, None]


def test_zeros_pass() -> None:
    table = pd.DataFrame({"tract": ["A", "B", "All"], "trips": [0, 25, 25], "total": [0, 25, 25]})
    check_publication([PublishedTable("trips", table, ["trips"], key_columns=["tract"], total_column="total", total_row="All")], K)
    out = suppress_small_counts(table, count_columns=["trips"], k=K, total_row="All", total_column="total")
    assert _grid(out, ["trips", "total"]) == [[0, 0], [25, 25], [25, 25]]


def test_a_planted_count_of_three_fails_the_publish_naming_table_row_and_column() -> None:
    clean = PublishedTable("trips by tract", pd.DataFrame({"tract": ["42999010101", "42999010102"], "mode": ["bike", "bike"], "trips": [120, 45]}), ["trips"])
    planted = PublishedTable(
        "riders by age group",
        pd.DataFrame({"tract": ["42999010101", "42999010101"], "age": ["18-24", "65+"], "riders": [40, 3], "trips": [12, 0]}),
        ["riders", "trips"],
    )
    with pytest.raises(PrivacyViolation) as caught:
        check_publication([clean, planted], K, source="cities/demo/privacy.yaml")
    message = str(caught.value)
    assert caught.value.problems == ['table "riders by age group", row tract=42999010101, age=65+, column riders: a count from 1 to 10 is published']
    assert "small_cell_k = 11 in cities/demo/privacy.yaml" in message
    assert isinstance(caught.value, ValueError)
    assert " 3 " not in message and "=3" not in message  # the gate never prints the count it protects


def test_every_offending_cell_is_named() -> None:
    tables = [
        PublishedTable("t1", pd.DataFrame({"k": ["a", "b"], "n": [1, 10], "m": [11, 5]}), ["n", "m"]),
        PublishedTable("t2", pd.DataFrame({"k": ["c"], "n": [2]}), ["n"]),
    ]
    with pytest.raises(PrivacyViolation) as caught:
        check_publication(tables, K)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        'table "t1", row k=a, column n',
        'table "t1", row k=b, column n',
        'table "t1", row k=b, column m',
        'table "t2", row k=c, column n',
    ]
    assert "4 cells break the small-cell rule" in str(caught.value)


def test_a_total_that_reveals_a_suppressed_cell_fails() -> None:
    # Suppressed by hand, without its complement: 41 - 25 - 12 = 4 is back.
    table = pd.DataFrame({"tract": ["A"], "walk": [None], "bike": [25], "bus": [12], "total": [41]})
    with pytest.raises(PrivacyViolation) as caught:
        check_publication([PublishedTable("modes by tract", table, ["walk", "bike", "bus"], key_columns=["tract"], total_column="total")], K)
    (problem,) = caught.value.problems
    assert problem.startswith('table "modes by tract", row tract=A, column walk: suppressed, but the row total in column total')
    # A column total does it too; and two hidden cells whose sum the total gives as small.
    columns = pd.DataFrame({"tract": ["A", "B", "C", "All"], "walk": [None, None, 30, 37]})
    with pytest.raises(PrivacyViolation) as caught:
        check_publication([PublishedTable("walk", columns, ["walk"], key_columns=["tract"], total_row="All")], K)
    assert [p.split(":")[0] for p in caught.value.problems] == ['table "walk", row tract=A, column walk', 'table "walk", row tract=B, column walk']
    assert "column total on row tract=All" in caught.value.problems[0]
    # Hidden cells whose sum is not small pass: 60 - 30 = 30 between A and B.
    check_publication([PublishedTable("walk", columns.assign(walk=[None, None, 30, 60]), ["walk"], key_columns=["tract"], total_row="All")], K)


def test_suppressed_tables_always_pass_the_check() -> None:
    """Random small tables with both totals: whatever suppress_small_counts publishes, the check accepts."""
    rng = random.Random(13)
    for _ in range(200):
        rows, cols = rng.randint(1, 5), rng.randint(1, 4)
        cells = [[rng.choice([0, 0, 1, 2, 3, 5, 8, 10, 11, 12, 20, 40, 100]) for _ in range(cols)] for _ in range(rows)]
        names = [f"c{j}" for j in range(cols)]
        frame = pd.DataFrame(cells, columns=names).assign(key=[f"r{i}" for i in range(rows)])
        frame["total"] = frame[names].sum(axis=1)
        totals = {**{name: frame[name].sum() for name in names}, "total": frame["total"].sum(), "key": "All"}
        frame = pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)
        out = suppress_small_counts(frame, count_columns=names, k=K, total_row="All", total_column="total", group_columns=["key"])
        check_publication([PublishedTable("random", out, names, key_columns=["key"], total_column="total", total_row="All")], K)


def test_chart_data_is_checked_through_chart_table() -> None:
    data = pd.DataFrame({"year": [2024, 2024, 2025, 2025], "group": ["<script>x</script>", "=cmd", "<script>x</script>", "=cmd"], "riders": [40, 3, 38, 12]})
    figure = stacked_bars("riders", "Riders", data=data, x="year", y="riders", color="group", unit="riders", x_title="Year", color_title="Group", temporal=False)
    table = chart_table(figure, ["<script>x</script>", "=cmd"])
    assert table.total_column == "total" and table.key_columns == ["year"]
    with pytest.raises(PrivacyViolation) as caught:
        check_publication([table], K)
    assert caught.value.problems == ['table "chart riders (Riders)", row year=2024, column =cmd (=cmd (riders)): a count from 1 to 10 is published']
    # Suppressed first, the same chart passes: 2024's "=cmd" and its complement are hidden, and the total stays.
    safe = suppress_small_counts(figure.data, count_columns=["<script>x</script>", "=cmd"], k=K, total_column="total", group_columns=["year"])
    assert _grid(safe, ["<script>x</script>", "=cmd", "total"]) == [[None, None, 43], [38, 12, 50]]


def test_k_comes_from_the_privacy_policy(tmp_path: Path) -> None:
    for name in ("default", "actions", "five"):
        (tmp_path / name).mkdir()
    assert PrivacyPolicy.load(write_city(tmp_path / "default")).small_cell_k == 11
    assert PrivacyPolicy.load(write_city(tmp_path / "actions", privacy={"actions": {"device_id": "drop"}})).small_cell_k == 11
    policy = PrivacyPolicy.load(write_city(tmp_path / "five", privacy={"small_cell_k": 5}))
    assert policy.small_cell_k == 5
    published = [PublishedTable("trips", pd.DataFrame({"tract": ["A", "B"], "trips": [7, 12]}), ["trips"])]
    check_publication(published, policy.small_cell_k, source=policy.source)  # 7 is not small when k is 5
    with pytest.raises(PrivacyViolation, match="row tract=A, column trips"):
        check_publication(published, 11)  # but it is under the default
    with pytest.raises(PrivacyViolation) as caught:
        check_publication([PublishedTable("trips", pd.DataFrame({"tract": ["A", "B"], "trips": [7, 4]}), ["trips"])], policy.small_cell_k, source=policy.source)
    assert caught.value.problems == ['table "trips", row tract=B, column trips: a count from 1 to 4 is published']
    assert f"small_cell_k = 5 in {tmp_path / 'five' / 'privacy.yaml'}" in str(caught.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("small_cell_k: 1\n")
    with pytest.raises(ConfigError, match="small_cell_k"):
        load_privacy_file(bad)
