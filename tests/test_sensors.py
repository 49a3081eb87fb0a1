"""The inbox sensors notice new, changed and removed files, and ask for a run of just that feed."""

from __future__ import annotations

import dagster as dg

from city_outcomes.config import CityConfig
from pipelines.definitions import build_definitions


def _evaluate(defs: dg.Definitions, name: str, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    sensor = next(s for s in defs.sensors if s.name == name)
    with dg.DagsterInstance.ephemeral() as instance:
        return sensor(dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs))


def test_inbox_sensor_requests_a_run_when_a_file_arrives_or_changes(demo_city: CityConfig) -> None:
    defs = build_definitions(demo_city)
    first = _evaluate(defs, "building_energy_inbox", None)
    assert isinstance(first, dg.SensorResult)
    (request,) = first.run_requests
    assert request.asset_selection == [dg.AssetKey(["core", "building_energy"])]
    # A time-based feed refreshes every month in one run: a new file may hold any month.
    assert request.tags["dagster/asset_partition_range_start"] == "2023-01-01"
    assert "utility_bills_2024.csv" in request.tags["city_outcomes/changed_files"]

    unchanged = _evaluate(defs, "building_energy_inbox", first.cursor)
    assert isinstance(unchanged, dg.SkipReason)

    new_file = demo_city.inbox_dir / "building_energy" / "utility_bills_2026.csv"
    new_file.write_text("Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\n")
    arrived = _evaluate(defs, "building_energy_inbox", first.cursor)
    assert isinstance(arrived, dg.SensorResult)
    assert arrived.run_requests[0].tags["city_outcomes/changed_files"] == str(new_file)
    assert arrived.run_requests[0].run_key != request.run_key

    new_file.unlink()
    removed = _evaluate(defs, "building_energy_inbox", arrived.cursor)
    assert isinstance(removed, dg.SensorResult) and str(new_file) in removed.run_requests[0].tags["city_outcomes/changed_files"]


def test_a_non_time_feed_sensor_runs_without_partitions(demo_city: CityConfig) -> None:
    result = _evaluate(build_definitions(demo_city), "buildings_inbox", None)
    assert isinstance(result, dg.SensorResult)
    assert "dagster/asset_partition_range_start" not in result.run_requests[0].tags
