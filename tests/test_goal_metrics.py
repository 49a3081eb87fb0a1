"""A goal names a metric of the catalog, checked at ingest: an unknown metric is quarantined with the valid names."""

from __future__ import annotations

from pathlib import Path

from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.catalog import catalog
from tests.conftest import write_city

HEADER = "goal_id,title,metric,direction,baseline_year,target_year,target_value,target_change,unit,source_document\n"


def _goals_city(tmp_path: Path, rows: list[str]):
    city = write_city(tmp_path, feeds={"goals": {"contract": "goals", "path": "registries/goals.csv"}})
    (city.inbox_dir / "registries").mkdir(parents=True)
    (city.inbox_dir / "registries" / "goals.csv").write_text(HEADER + "".join(rows))
    return city


def test_a_goal_with_an_unknown_metric_is_quarantined_naming_the_valid_metrics(tmp_path: Path, conn) -> None:
    city = _goals_city(tmp_path, [
        "buildings-ghg-2030,Halve building emissions,building_co2e_tonnes,decrease,2023,2030,,-0.5,t CO2e,Climate plan\n",
        # A typo (tonne for tonnes): nothing could ever measure this goal.
        "fleet-ghg-2035,Cut fleet emissions,fleet_co2e_tonne,decrease,2023,2035,,-0.4,t CO2e,Climate plan\n",
        # Breaks a contract rule too: both rules are named.
        "bad-years,Backwards,no_such_metric,decrease,2030,2023,,-0.4,t CO2e,Climate plan\n",
    ])
    outcome = ingest_feed(conn, city, "goals")

    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (3, 1, 2)
    assert conn.execute("SELECT goal_id FROM core.goals").fetchall() == [("buildings-ghg-2030",)]
    rules = dict(conn.execute("SELECT source_row, failed_rules FROM meta.quarantine ORDER BY source_row").fetchall())
    [unknown] = rules[2]
    assert unknown.startswith("metric: not in the metric catalog; the metrics are: ")
    # Every registered metric is offered, the near miss among them, and the fix is named.
    for name in catalog().names:
        assert name in unknown
    assert "fleet_co2e_tonnes" in unknown and "city_outcomes/metrics/catalog/" in unknown
    assert "target_after_baseline: target_year must be after baseline_year" in rules[3]
    assert any(rule.startswith("metric: not in the metric catalog") for rule in rules[3])
    # The quarantined row keeps the name as the file had it, for the office to correct.
    assert conn.execute("SELECT raw_values->>'metric' FROM meta.quarantine WHERE source_row = 2").fetchone() == ("fleet_co2e_tonne",)
